"""The errors of factories and seeders."""

from __future__ import annotations

from dynamodb_tooling.errors import DynamoDBToolingError

__all__ = ["FactoryError", "SeederError"]


class FactoryError(DynamoDBToolingError, ValueError):
    """A factory cannot do what was asked (an unknown state, a relation it cannot find, a
    rule it cannot satisfy); the message says what to change."""


class SeederError(DynamoDBToolingError, ValueError):
    """Seeders cannot run as asked (an unknown name, a dependency cycle, a bad folder)."""
