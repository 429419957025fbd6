"""Run a whole test suite through a driver's async face: the suite's async form.

``AsyncFaceDriver(driver)`` is a driver whose *sync* face (``execute``, ``run``) hands every
request and flow to the wrapped driver's *async* face (``aexecute``, ``arun``) on one event
loop that runs in a background thread, and waits for the answer. Code written against the
sync API (``User.create``, ``User.where(...).get()``, ``client.batch_write``) therefore takes
exactly the path its ``a``-prefixed twin takes: the same flow, driven by ``adrive``, with
concurrent steps gathered on the loop, backoff slept with ``asyncio.sleep`` and every request
sent by the async transport (httpx's ``AsyncClient`` on the lean driver). This is how
SQLAlchemy runs its sync test suite against async database drivers.

The pytest plugin uses it when ``DBTOOLING_TEST_EXECUTION=async``: ``dynamodb_config``,
``dynamodb_client`` and ``dynamodb_table`` then use ``<driver>_async_face`` (registered for
the built-in drivers), so every integration test runs in its async form::

    DBTOOLING_TEST_EXECUTION=async pytest -m integration
    DBTOOLING_DRIVER=lean DBTOOLING_TEST_EXECUTION=async pytest -m integration

The async face itself (``aexecute``/``arun``) is the wrapped driver's, unchanged, so tests that
await twins directly behave as they do on the wrapped driver.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers.base import Driver, DriverCapabilities, HealthStatus
from dynamodb_tooling.drivers.registry import get_driver, register_driver
from dynamodb_tooling.errors import DriverError
from dynamodb_tooling.requests import Flow, Request

T = TypeVar("T")

#: The suffix of the driver names :func:`register_async_face_drivers` registers.
SUFFIX = "_async_face"


class _LoopThread:
    """One event loop, run forever by a daemon thread, that coroutines are submitted to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="dbtooling-async-face", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            coroutine.close()
            raise DriverError(
                "a sync call was made from the async-face event loop itself; await the "
                "a-prefixed twin there instead"
            )
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def stop(self) -> None:
        if not self.loop.is_running():
            return

        async def finish() -> None:
            await self.loop.shutdown_asyncgens()

        asyncio.run_coroutine_threadsafe(finish(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


_lock = threading.Lock()
_loop_thread: _LoopThread | None = None


def _shared_loop() -> _LoopThread:
    global _loop_thread
    with _lock:
        if _loop_thread is None:
            _loop_thread = _LoopThread()
            atexit.register(_loop_thread.stop)
        return _loop_thread


class AsyncFaceDriver:
    """``driver``'s async face behind a sync one: ``execute``/``run`` block on ``aexecute``/
    ``arun`` driven by a shared background event loop; everything else is ``driver``'s."""

    def __init__(self, driver: Driver) -> None:
        self.inner = driver
        self.name = f"{driver.name}{SUFFIX}"

    def __getattr__(self, name: str) -> Any:
        # endpoint, connection and other driver-specific attributes are the wrapped driver's.
        return getattr(self.inner, name)

    def connect(self) -> None:
        self.inner.connect()

    def disconnect(self) -> None:
        self.inner.disconnect()

    def health_check(self) -> HealthStatus:
        return self.inner.health_check()

    def capabilities(self) -> DriverCapabilities:
        return self.inner.capabilities()

    def validate_config(self, config: Config) -> list[tuple[str, str]]:
        return self.inner.validate_config(config)

    def execute(self, request: Request) -> Response:
        return _shared_loop().call(self.inner.aexecute(request))

    def run(self, flow: Flow[T]) -> T:
        return _shared_loop().call(self.inner.arun(flow))

    async def aexecute(self, request: Request) -> Response:
        return await self.inner.aexecute(request)

    async def arun(self, flow: Flow[T]) -> T:
        return await self.inner.arun(flow)


def inner_driver_name(name: str) -> str | None:
    """``"lean"`` for ``"lean_async_face"``; ``None`` for a name without the suffix."""
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else None


def register_async_face_drivers(*names: str) -> None:
    """Register ``<name>_async_face`` for each driver name (the built-in ones by default)."""
    for name in names or ("botocore", "lean"):

        def factory(config: Config, inner: str = name) -> Driver:
            return AsyncFaceDriver(get_driver(inner, config))

        register_driver(f"{name}{SUFFIX}", factory, replace=True)
