"""The seeder tests write the factory tests' blog models."""

from tests.factories.conftest import dynamodb_registry

__all__ = ["dynamodb_registry"]
