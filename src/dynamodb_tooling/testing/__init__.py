"""Testing helpers that ship with the package: a pytest plugin and engine fixtures.

Enable the fixtures with ``pytest_plugins = ["dynamodb_tooling.testing.plugin"]`` in conftest.py.
"""
