"""The driver protocol: the only layer that does IO.

A driver executes compiled :class:`Request` objects and runs sans-IO flows, with sync
(``execute``/``run``) and async (``aexecute``/``arun``) faces. Third-party drivers implement
:class:`Driver` (usually by subclassing :class:`BaseDriver`, which supplies ``run``, ``arun``
and an ``aexecute`` that runs ``execute`` in a worker thread) and register with
``register_driver(name, factory)`` or the ``dynamodb_tooling.drivers`` entry-point group.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers.recording import arecorded, recorded
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep, adrive, drive

T = TypeVar("T")


@dataclass(frozen=True)
class DriverCapabilities:
    """What a driver (and the engine behind it) supports."""

    transactions: bool = True
    batch: bool = True
    partiql: bool = True
    streams: bool = True
    ttl: bool = True
    backups: bool = True
    tags: bool = True
    parallel_requests: bool = True
    max_concurrency: int = 16


@dataclass(frozen=True)
class HealthStatus:
    """The result of a health check: ``ok``, the endpoint, round-trip latency and details."""

    ok: bool
    endpoint: str
    latency_ms: float
    detail: str = ""


@runtime_checkable
class Driver(Protocol):
    """What every driver provides."""

    name: str

    def connect(self) -> None:
        """Open connections / resolve the endpoint. Idempotent."""

    def disconnect(self) -> None:
        """Release connections. Idempotent; the driver may ``connect`` again."""

    def health_check(self) -> HealthStatus:
        """Make a cheap request and report whether the endpoint answers."""
        ...

    def capabilities(self) -> DriverCapabilities:
        """What this driver supports."""
        ...

    def validate_config(self, config: Config) -> list[tuple[str, str]]:
        """Problems (dotted path, message) this driver has with ``config``; empty when fine."""
        ...

    def execute(self, request: Request) -> Response:
        """Send one request and return its parsed response (raising library errors)."""
        ...

    def run(self, flow: Flow[T]) -> T:
        """Drive a sans-IO flow to completion and return its result."""
        ...

    async def aexecute(self, request: Request) -> Response:
        """The async twin of :meth:`execute`."""
        ...

    async def arun(self, flow: Flow[T]) -> T:
        """The async twin of :meth:`run`: concurrent steps are awaited together."""
        ...


class BaseDriver(ABC):
    """Common machinery: ``run`` drives flows over ``execute`` with a thread pool for
    concurrent steps and real sleeps for backoff; ``arun`` drives them over ``aexecute`` with
    ``asyncio.gather`` and ``asyncio.sleep``. Subclasses implement the IO (``aexecute`` runs
    ``execute`` in a worker thread unless a driver has a native async face).

    Every subclass's ``execute`` and ``aexecute`` report to the active
    :func:`~dynamodb_tooling.drivers.recording.record_requests` blocks: this is the one place
    every request passes, whether a client method, a flow step or a fan-out sent it."""

    name = "base"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # setattr: mypy rejects assigning to a method, and the wrapper keeps its signature.
        own = vars(cls)
        if "execute" in own and not hasattr(own["execute"], "__recorded__"):
            setattr(cls, "execute", recorded(own["execute"]))  # noqa: B010
        if "aexecute" in own and not hasattr(own["aexecute"], "__recorded__"):
            setattr(cls, "aexecute", arecorded(own["aexecute"]))  # noqa: B010

    def __init__(
        self,
        *,
        max_concurrency: int = 16,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self._max_concurrency = max(1, max_concurrency)
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @abstractmethod
    def connect(self) -> None: ...

    @abstractmethod
    def execute(self, request: Request) -> Response: ...

    def health_check(self) -> HealthStatus:
        """A ``ListTables`` of one table, timed: does the endpoint answer?"""
        endpoint = str(getattr(self, "endpoint", self.name))
        started = time.perf_counter()
        try:
            self.execute(Request("ListTables", {"Limit": 1}))
        except DynamoDBToolingError as exc:
            elapsed = (time.perf_counter() - started) * 1000
            return HealthStatus(False, endpoint, elapsed, str(exc))
        elapsed = (time.perf_counter() - started) * 1000
        return HealthStatus(True, endpoint, elapsed, "ListTables answered")

    def disconnect(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def capabilities(self) -> DriverCapabilities:
        return DriverCapabilities(max_concurrency=self._max_concurrency)

    def validate_config(self, config: Config) -> list[tuple[str, str]]:
        return []

    def run(self, flow: Flow[T]) -> T:
        return drive(flow, self._perform)

    def _perform(self, step: Request | Concurrently | Sleep) -> object:
        if isinstance(step, Request):
            return self.execute(step)
        if isinstance(step, Sleep):
            self._sleep(step.seconds)
            return None
        run = self._execute_or_error if step.return_exceptions else self.execute
        return self._execute_all(step.requests, run)

    def _execute_or_error(self, request: Request) -> Response | Exception:
        try:
            return self.execute(request)
        except Exception as exc:
            return exc

    def _execute_all(
        self, requests: tuple[Request, ...], run: Callable[[Request], Any]
    ) -> list[Any]:
        if len(requests) <= 1 or self._max_concurrency == 1:
            return [run(r) for r in requests]
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._max_concurrency, thread_name_prefix="dbtooling"
                )
            pool = self._pool
        # Every future is awaited before an error propagates: no request is left running.
        # Each request runs in a copy of the caller's context, so recorders (and any other
        # context variable) see the requests of the block that started them.
        futures = [
            pool.submit(contextvars.copy_context().run, run, request) for request in requests
        ]
        wait(futures)
        return [future.result() for future in futures]

    async def aexecute(self, request: Request) -> Response:
        """Send one request without blocking the event loop (here: ``execute`` in a worker
        thread; drivers with an async transport override it)."""
        return await asyncio.to_thread(self.execute, request)

    async def arun(self, flow: Flow[T]) -> T:
        """Drive a sans-IO flow on the event loop: requests are awaited with ``aexecute``,
        a :class:`Concurrently` step runs its requests together (at most ``max_concurrency``
        at a time) and :class:`Sleep` is ``asyncio.sleep``."""
        return await adrive(flow, self._aperform)

    async def _aperform(self, step: Request | Concurrently | Sleep) -> object:
        if isinstance(step, Request):
            return await self.aexecute(step)
        if isinstance(step, Sleep):
            await self._async_sleep(step.seconds)
            return None
        if len(step.requests) == 1 and not step.return_exceptions:
            return [await self.aexecute(step.requests[0])]
        limit = asyncio.Semaphore(self._max_concurrency)

        async def bounded(request: Request) -> Response:
            async with limit:
                return await self.aexecute(request)

        # Every request finishes before an error propagates, as in ``run``.
        results = await asyncio.gather(
            *(bounded(request) for request in step.requests), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and (
                not step.return_exceptions or not isinstance(result, Exception)
            ):
                raise result
        return results


def aws_config_problems(config: Config, driver: str) -> list[tuple[str, str]]:
    """What a driver talking to DynamoDB's API needs from the configuration."""
    problems: list[tuple[str, str]] = []
    if not config.region:
        problems.append(("region", f"the {driver} driver needs a region such as 'us-east-1'"))
    if config.profile and config.credentials:
        problems.append(
            ("profile", "set either profile or credentials, not both (credentials would win)")
        )
    if config.endpoint and not config.endpoint.startswith(("http://", "https://")):
        problems.append(("endpoint", f"{config.endpoint!r} must start with http:// or https://"))
    return problems
