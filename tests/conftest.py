pytest_plugins = ["tests.fixtures.footage"]
