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

Importing this module does not import moto (about 0.3 s): :meth:`EmbeddedEngine.start` does,
through :mod:`dynamodb_tooling.engine._moto_app`.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dynamodb_tooling.errors import EngineError

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

logger = logging.getLogger("dynamodb_tooling.engine")

LOOPBACK = "127.0.0.1"
#: Credentials the embedded engine accepts (any non-empty pair works; these say what they are).
EMBEDDED_CREDENTIALS = ("embedded", "embedded")


class EmbeddedEngine:
    """An in-process moto server. ``start()`` returns its endpoint URL; ``stop()`` shuts it down.

    With ``request_log``, every request served is appended to that file as one JSON line
    (operation, table, status, error, duration; what ``dbtooling logs`` shows).
    """

    def __init__(self, port: int = 0, request_log: str | Path | None = None) -> None:
        self._requested_port = port
        self.request_log = Path(request_log) if request_log is not None else None
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
        # moto is imported here, when an engine is wanted, not with the package.
        from dynamodb_tooling.engine._http11 import QuietKeepAliveRequestHandler
        from dynamodb_tooling.engine._moto_app import engine_server

        try:
            server = engine_server(
                LOOPBACK, self._requested_port, QuietKeepAliveRequestHandler, self.request_log
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
            close = getattr(self._server.app, "close", None)  # the request log, if any
            if close is not None:
                close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        self._endpoint = None


_shared: EmbeddedEngine | None = None
_shared_lock = threading.Lock()


def shared_engine(hint: Callable[[], str] | None = None) -> EmbeddedEngine:
    """The process-wide embedded engine, started on first use and stopped at exit.

    Logs once (at WARNING, so it shows without logging setup) that requests go to it, with
    what ``hint()`` adds (called then only).
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            engine = EmbeddedEngine()
            endpoint = engine.start()
            atexit.register(engine.stop)
            logger.warning(
                "dynamodb-tooling: using the embedded engine (moto) at %s; data lives in memory "
                "for this process only (set engine/endpoint to use AWS or `dbtooling start`).%s",
                endpoint,
                hint() if hint is not None else "",
            )
            _shared = engine
        return _shared
