pytest_plugins = ["dynamodb_tooling.testing.plugin"]
