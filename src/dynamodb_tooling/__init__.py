"""dynamodb-tooling: an Eloquent-style ORM and query builder for DynamoDB single-table design."""

from dynamodb_tooling.config import get_config, reset_config, set_config, validate_config

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "get_config",
    "reset_config",
    "set_config",
    "validate_config",
]
