"""Plugin tests run user suites with pytester."""

pytest_plugins = ["pytester"]
