"""Local DynamoDB-compatible engines: in-process (embedded) and managed server processes.

Both run moto behind one wrapper (:mod:`dynamodb_tooling.engine.embedded` explains it): requests
are served one at a time, and ``ClientRequestToken`` on ``TransactWriteItems`` /
``ExecuteTransaction`` is honoured as DynamoDB does (a successful call repeated with its token
within 10 minutes changes nothing; the token with other parameters is refused with
``IdempotentParameterMismatchException``). ``python -m dynamodb_tooling.engine --port N`` serves
it in the foreground; ``dbtooling start`` runs that in the background, logging every request
(:class:`RequestRecord`: operation, table, status, error, duration) for ``dbtooling logs``.

Importing this package does not import moto: starting an engine does.
"""

from dynamodb_tooling.engine._request_records import (
    RequestFilter,
    RequestLogFollower,
    RequestRecord,
    read_request_log,
)
from dynamodb_tooling.engine.embedded import EMBEDDED_CREDENTIALS, EmbeddedEngine, shared_engine
from dynamodb_tooling.engine.server import (
    DynamoDBProbe,
    EngineNotRunningError,
    LocalEngine,
    LocalServer,
    ServerInfo,
    ServerStatus,
)

__all__ = [
    "EMBEDDED_CREDENTIALS",
    "DynamoDBProbe",
    "EmbeddedEngine",
    "EngineNotRunningError",
    "LocalEngine",
    "LocalServer",
    "RequestFilter",
    "RequestLogFollower",
    "RequestRecord",
    "ServerInfo",
    "ServerStatus",
    "read_request_log",
    "shared_engine",
]
