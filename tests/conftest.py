pytest_plugins = [
    "tests.fixtures.footage",
    "tests.fixtures.pgvector",
    "tests.fixtures.postgres",
    "tests.fixtures.receivers",
    "tests.fixtures.rtsp_server",
    "tests.fixtures.central",
]

# With --doctest-modules every module is imported: this one runs under the system python (gi).
collect_ignore = ["fixtures/rtsp_server_gst.py"]
