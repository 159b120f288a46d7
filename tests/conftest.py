pytest_plugins = [
    "tests.fixtures.footage",
    "tests.fixtures.pgvector",
    "tests.fixtures.postgres",
    "tests.fixtures.rtsp_server",
]
