"""The embedded engine: moto's DynamoDB-compatible server, in this process, on 127.0.0.1.

Used when nothing points at AWS (see ``Config.engine``) and by the test fixtures. The server binds
the loopback interface only, on a free port chosen by the OS.

moto is wrapped in :class:`~dynamodb_tooling.engine._serialized.SerializedApp` (the same app
``dbtooling start`` serves, see :func:`engine_app`), which differs from bare moto in two ways:

- requests are served one at a time (moto's backends are not thread-safe: concurrent
  increments, versioned updates and unique-value transactions lost writes without this);
- ``ClientRequestToken`` on ``TransactWriteItems`` and ``ExecuteTransaction`` is honoured like
  DynamoDB does: after a successful call, the same call with the same token within 10 minutes
  returns the first response and changes nothing; the same token with different parameters is
  refused with ``IdempotentParameterMismatchException`` (HTTP 400); a failed call is not
  remembered. At most 10,000 tokens are kept (the oldest are forgotten first), and
  ``/moto-api/reset`` forgets them all.
"""

from __future__ import annotations

import atexit
import logging
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from dynamodb_tooling.engine._http11 import QuietKeepAliveRequestHandler
from dynamodb_tooling.engine._serialized import SerializedApp
from dynamodb_tooling.errors import EngineError

logger = logging.getLogger("dynamodb_tooling.engine")

LOOPBACK = "127.0.0.1"
#: Credentials the embedded engine accepts (any non-empty pair works; these say what they are).
EMBEDDED_CREDENTIALS = ("embedded", "embedded")


def engine_app() -> SerializedApp:
    """moto's DynamoDB-compatible WSGI app, serialised and honouring idempotency tokens."""
    return SerializedApp(DomainDispatcherApplication(create_backend_app))


class EmbeddedEngine:
    """An in-process moto server. ``start()`` returns its endpoint URL; ``stop()`` shuts it down."""

    def __init__(self, port: int = 0) -> None:
        self._requested_port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._endpoint: str | None = None

    @property
    def endpoint(self) -> str:
        if self._endpoint is None:
            raise EngineError("the embedded engine is not running; call start() first")
        return self._endpoint

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Serve on 127.0.0.1 (a free port unless one was given) and return the endpoint URL."""
        if self._endpoint is not None:
            return self._endpoint
        try:
            server = make_server(
                LOOPBACK,
                self._requested_port,
                engine_app(),
                threaded=True,
                request_handler=QuietKeepAliveRequestHandler,
            )
        except OSError as exc:
            raise EngineError(
                f"could not start the embedded engine on {LOOPBACK}:{self._requested_port}: {exc}"
            ) from exc
        self._thread = threading.Thread(
            target=server.serve_forever, name="dbtooling-embedded-engine", daemon=True
        )
        self._thread.start()
        self._server = server
        self._endpoint = f"http://{LOOPBACK}:{server.server_port}"
        return self._endpoint

    def stop(self) -> None:
        """Shut the server down and release its port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        self._endpoint = None


_shared: EmbeddedEngine | None = None
_shared_lock = threading.Lock()


def shared_engine() -> EmbeddedEngine:
    """The process-wide embedded engine, started on first use and stopped at exit.

    Logs once (at WARNING, so it shows without logging setup) that requests go to it.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            engine = EmbeddedEngine()
            endpoint = engine.start()
            atexit.register(engine.stop)
            logger.warning(
                "dynamodb-tooling: using the embedded engine (moto) at %s; data lives in memory "
                "for this process only (set engine/endpoint to use AWS or `dbtooling start`).",
                endpoint,
            )
            _shared = engine
        return _shared
