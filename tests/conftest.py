pytest_plugins = ["tests.fixtures.footage", "tests.fixtures.postgres"]
