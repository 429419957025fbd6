"""The embedded engine: moto's DynamoDB-compatible server, in this process, on 127.0.0.1.

Used when nothing points at AWS (see ``Config.engine``) and by the test fixtures. The server binds
the loopback interface only, on a free port chosen by the OS.
"""

from __future__ import annotations

import atexit
import logging
import threading

from moto.server import ThreadedMotoServer

from dynamodb_tooling.errors import EngineError

logger = logging.getLogger("dynamodb_tooling.engine")

LOOPBACK = "127.0.0.1"
#: Credentials the embedded engine accepts (any non-empty pair works; these say what they are).
EMBEDDED_CREDENTIALS = ("embedded", "embedded")


class EmbeddedEngine:
    """An in-process moto server. ``start()`` returns its endpoint URL; ``stop()`` shuts it down."""

    def __init__(self, port: int = 0) -> None:
        self._requested_port = port
        self._server: ThreadedMotoServer | None = None
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
        if self._endpoint is not None:
            return self._endpoint
        server = ThreadedMotoServer(ip_address=LOOPBACK, port=self._requested_port, verbose=False)
        try:
            server.start()
        except OSError as exc:
            raise EngineError(
                f"could not start the embedded engine on {LOOPBACK}:{self._requested_port}: {exc}"
            ) from exc
        host, port = server.get_host_and_port()
        self._server = server
        self._endpoint = f"http://{host}:{port}"
        return self._endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None
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
                "dynamodb-tooling: no endpoint or AWS credentials configured; using the embedded "
                "engine (moto) at %s. Data lives in memory for this process only.",
                endpoint,
            )
            _shared = engine
        return _shared
