"""Local DynamoDB-compatible engines: in-process (embedded) and managed server processes.

Both run moto behind one wrapper (:mod:`dynamodb_tooling.engine.embedded` explains it): requests
are served one at a time, and ``ClientRequestToken`` on ``TransactWriteItems`` /
``ExecuteTransaction`` is honoured as DynamoDB does (a successful call repeated with its token
within 10 minutes changes nothing; the token with other parameters is refused with
``IdempotentParameterMismatchException``). ``python -m dynamodb_tooling.engine --port N`` serves
it in the foreground; ``dbtooling start`` runs that in the background.
"""

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
