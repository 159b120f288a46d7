pytest_plugins = [
    "tests.fixtures.footage",
    "tests.fixtures.postgres",
    "tests.fixtures.receivers",
    "tests.fixtures.rtsp_server",
]
