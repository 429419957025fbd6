"""Local DynamoDB-compatible engines: in-process (embedded) and managed server processes."""

from dynamodb_tooling.engine.embedded import EMBEDDED_CREDENTIALS, EmbeddedEngine, shared_engine

__all__ = ["EMBEDDED_CREDENTIALS", "EmbeddedEngine", "shared_engine"]
