"""Local DynamoDB-compatible engines: in-process (embedded) and managed server processes."""

from dynamodb_tooling.engine.embedded import EMBEDDED_CREDENTIALS, EmbeddedEngine, shared_engine
from dynamodb_tooling.engine.server import (
    DynamoDBProbe,
    LocalEngine,
    LocalServer,
    ServerInfo,
    ServerStatus,
)

__all__ = [
    "EMBEDDED_CREDENTIALS",
    "DynamoDBProbe",
    "EmbeddedEngine",
    "LocalEngine",
    "LocalServer",
    "ServerInfo",
    "ServerStatus",
    "shared_engine",
]
