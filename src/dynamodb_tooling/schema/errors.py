"""Errors in model definitions and key values."""

from __future__ import annotations

from dynamodb_tooling.errors import DynamoDBToolingError


class SchemaError(DynamoDBToolingError, ValueError):
    """A model definition (or the set of them) cannot be turned into a single-table design.

    The message names the model, the attribute or relation, and how to fix it.
    """


class KeyValueError(DynamoDBToolingError, ValueError):
    """A value cannot be placed in a key (missing, contains the delimiter, wrong type)."""
