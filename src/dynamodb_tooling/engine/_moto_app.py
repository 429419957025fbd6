"""The engine's WSGI stack and server, built on moto: imported only when an engine starts.

moto (with boto3, responses and its backends) takes about 0.3 s to import, so nothing that runs
on ``import dynamodb_tooling``, a ``dbtooling`` start or the pytest plugin's load imports this
module: :meth:`EmbeddedEngine.start() <dynamodb_tooling.engine.EmbeddedEngine.start>` and
``python -m dynamodb_tooling.engine`` do, when a server is actually wanted.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import botocore.session
import moto.core.base_backend
import moto.core.utils
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from dynamodb_tooling.engine._request_log import RequestLogApp, RequestLogWriter
from dynamodb_tooling.engine._serialized import SerializedApp, WsgiApp


def _core_session() -> botocore.session.Session:
    """A botocore session for moto's look-ups (regions, service names), which need no
    credentials: it ignores ``AWS_PROFILE``, so a profile this machine lacks (``AWS_PROFILE=ci``
    with no ~/.aws) does not fail every request the engine serves."""
    return botocore.session.Session(session_vars={"profile": (None, None, None, None)})


def _boto3_session() -> boto3.Session:
    return boto3.Session(botocore_session=_core_session())


# moto builds these sessions when it serves its first requests (looked up at call time).
moto.core.base_backend.Session = _boto3_session  # type: ignore[attr-defined]
moto.core.utils.Session = _core_session  # type: ignore[attr-defined]


def engine_app(request_log: str | Path | None = None) -> WsgiApp:
    """moto's DynamoDB-compatible WSGI app, serialised and honouring idempotency tokens,
    writing one JSON line per request to ``request_log`` when given."""
    app: WsgiApp = SerializedApp(DomainDispatcherApplication(create_backend_app))
    if request_log is not None:
        app = RequestLogApp(app, RequestLogWriter(request_log))
    return app


def engine_server(
    host: str,
    port: int,
    handler: type[WSGIRequestHandler],
    request_log: str | Path | None = None,
) -> BaseWSGIServer:
    """A threaded werkzeug server for :func:`engine_app` (not yet serving)."""
    return make_server(host, port, engine_app(request_log), threaded=True, request_handler=handler)
