"""Record the requests a block of code sends: ``record_requests()``.

>>> from dynamodb_tooling import record_requests
>>> with record_requests() as sent:                            # doctest: +SKIP
...     User.with_("posts").where_in("id", ids).get()
>>> sent.count, sent.by_operation(), sent.max_in_flight         # doctest: +SKIP
(3, Counter({'Query': 2, 'BatchGetItem': 1}), 2)

A recorder sees every request any driver derived from :class:`~.base.BaseDriver` sends
**in the block's context** — from this thread or task, from the worker threads a sync
fan-out runs on, and from the tasks an async fan-out gathers — and nothing another thread or
task sends at the same time. Recorders nest: an inner block's requests are recorded by the
outer one too. The same object is a sync and an async context manager.

Counting: one *request* is one call of the driver's ``execute``/``aexecute`` (what a flow
step or a client method asks for). A throttled or otherwise retryable attempt that the driver
sends again is not a new request: it adds to that request's ``attempts`` (see
:attr:`RecordedRequests.attempts`), and the failed attempts' error names are kept in
``retried``. So ``count`` proves round-trip counts of your code, ``attempts`` shows the wire.
Attempts are reported by the library's retry loop (the built-in drivers); a driver that
retries on its own shows one attempt per request.

The hook costs one ``ContextVar.get`` per request when no recorder is active.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.requests import Request

__all__ = ["Capacity", "RecordedRequest", "RecordedRequests", "record_requests"]

D = TypeVar("D")

_recorders: ContextVar[tuple[RecordedRequests, ...]] = ContextVar(
    "dynamodb_tooling_recorders", default=()
)
# The request being sent in this context: nested driver calls (an ``aexecute`` that runs
# ``execute`` in a thread, a subclass calling ``super().execute``) are one request, not two.
_sending: ContextVar[_Sending | None] = ContextVar("dynamodb_tooling_sending", default=None)


@dataclass(frozen=True, slots=True)
class Capacity:
    """Capacity units summed over the responses that carried ``ConsumedCapacity``
    (requests sent with ``ReturnConsumedCapacity``, e.g. ``return_consumed_capacity="TOTAL"``
    in the configuration). ``tables`` maps each table to its ``CapacityUnits``."""

    units: float = 0.0
    read_units: float = 0.0
    write_units: float = 0.0
    tables: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class RecordedRequest:
    """One request a driver sent: what, where, when, how it ended.

    ``params`` is the compiled request dict handed to the driver (the driver then adds the
    configured request defaults, see :mod:`dynamodb_tooling.requests.defaults`). ``started``
    and ``finished`` are ``time.perf_counter()`` readings; ``error`` is the class name of the
    error it raised (``None`` when it succeeded); ``attempts`` counts wire attempts and
    ``retried`` names the errors of the attempts that were sent again. Entries compare by
    identity: nested recorders hold the same entries.
    """

    operation: str
    params: Mapping[str, Any]
    started: float
    finished: float
    attempts: int = 1
    retried: tuple[str, ...] = ()
    error: str | None = None
    consumed_capacity: tuple[Mapping[str, Any], ...] = ()

    @property
    def duration(self) -> float:
        """Seconds from handing the request to the driver to its answer (retries included)."""
        return self.finished - self.started

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        """``"ok"`` or the error's class name (``"ThrottlingError"``, ...)."""
        return self.error or "ok"

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables it addresses (several for batches and transactions), in order."""
        return _tables(self.params)

    @property
    def table(self) -> str | None:
        """The table it addresses; ``None`` when none or several."""
        found = self.tables
        return found[0] if len(found) == 1 else None


class RecordedRequests:
    """What a ``record_requests()`` block sent; read it during or after the block.

    ``count``, ``operations`` and ``requests`` list requests in the order they were sent;
    ``attempts`` counts wire attempts (retries included); ``max_in_flight`` is the most
    requests that were in flight at once (1 for sequential code, more for a concurrent
    fan-out); ``rounds`` counts the separate stretches of time in which requests were in
    flight (sequential requests: one each; a concurrent fan-out: one); ``elapsed`` is the
    block's wall time in seconds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._started: float | None = None
        self._finished: float | None = None
        self._tokens: list[Token[tuple[RecordedRequests, ...]]] = []

    # The context manager (sync and async).

    def __enter__(self) -> RecordedRequests:
        if self._tokens:
            raise RuntimeError(
                "this record_requests() recorder is already recording; nest a new "
                "record_requests() instead of entering the same one twice"
            )
        self._started, self._finished = time.perf_counter(), None
        self._tokens.append(_recorders.set((*_recorders.get(), self)))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._finished = time.perf_counter()
        _recorders.reset(self._tokens.pop())

    async def __aenter__(self) -> RecordedRequests:
        return self.__enter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(kind, error, traceback)

    # What was sent.

    @property
    def requests(self) -> list[RecordedRequest]:
        """The finished requests, in the order they were sent."""
        with self._lock:
            return sorted(self._entries, key=lambda entry: entry.started)

    @property
    def count(self) -> int:
        """How many requests were sent (a retried request counts once: see ``attempts``)."""
        with self._lock:
            return len(self._entries)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.requests)

    @property
    def attempts(self) -> int:
        """How many times requests went on the wire: ``count`` plus every retry."""
        with self._lock:
            return sum(entry.attempts for entry in self._entries)

    @property
    def operations(self) -> list[str]:
        """The operation of each request in send order: ``["BatchGetItem", "Query", ...]``."""
        return [entry.operation for entry in self.requests]

    def by_operation(self) -> Counter[str]:
        """How many requests of each operation: ``Counter({"Query": 50, "BatchGetItem": 1})``."""
        return Counter(self.operations)

    def of(self, operation: str) -> list[RecordedRequest]:
        """The requests of one operation, in send order."""
        return [entry for entry in self.requests if entry.operation == operation]

    @property
    def errors(self) -> list[RecordedRequest]:
        """The requests that ended with an error, in send order."""
        return [entry for entry in self.requests if entry.error is not None]

    @property
    def max_in_flight(self) -> int:
        """The most requests in flight at one time (proof that a fan-out ran concurrently)."""
        with self._lock:
            return self._max_in_flight

    @property
    def rounds(self) -> int:
        """How many separate stretches of time had requests in flight: each sequential
        request is one round, requests that overlap in time share one."""
        rounds = 0
        busy_until = float("-inf")
        for entry in self.requests:
            if entry.started > busy_until:
                rounds += 1
            busy_until = max(busy_until, entry.finished)
        return rounds

    @property
    def elapsed(self) -> float:
        """The block's wall time in seconds (so far, while it runs)."""
        if self._started is None:
            return 0.0
        end = self._finished if self._finished is not None else time.perf_counter()
        return end - self._started

    def consumed_capacity(self) -> Capacity | None:
        """Capacity summed over the responses that reported it; ``None`` when none did."""
        reports = [report for entry in self.requests for report in entry.consumed_capacity]
        return _summed(reports) if reports else None

    def __repr__(self) -> str:
        return (
            f"<RecordedRequests count={self.count} attempts={self.attempts} "
            f"max_in_flight={self.max_in_flight} {dict(self.by_operation())}>"
        )

    # Called by the drivers' hook.

    def _started_one(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _finished_one(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._in_flight -= 1
            self._entries.append(entry)


def record_requests() -> RecordedRequests:
    """Record every request sent inside a ``with`` (or ``async with``) block.

    >>> with record_requests() as sent:                        # doctest: +SKIP
    ...     User.find(user_id)
    >>> sent.operations                                         # doctest: +SKIP
    ['GetItem']
    """
    return RecordedRequests()


class _Sending:
    """A request on its way: started in every active recorder, finished once."""

    __slots__ = ("recorders", "request", "retried", "started")

    def __init__(self, request: Request, recorders: tuple[RecordedRequests, ...]) -> None:
        self.request = request
        self.recorders = recorders
        self.retried: list[str] = []
        for recorder in recorders:
            recorder._started_one()
        self.started = time.perf_counter()

    def finish(self, response: Response | None, error: BaseException | None) -> None:
        capacity = (response or {}).get("ConsumedCapacity")
        entry = RecordedRequest(
            operation=self.request.operation,
            params=self.request.params,
            started=self.started,
            finished=time.perf_counter(),
            attempts=1 + len(self.retried),
            retried=tuple(self.retried),
            error=None if error is None else type(error).__name__,
            consumed_capacity=(
                tuple(capacity) if isinstance(capacity, list) else (capacity,) if capacity else ()
            ),
        )
        for recorder in self.recorders:
            recorder._finished_one(entry)


def note_retry(error: BaseException) -> None:
    """Called by the retry loop when an attempt failed and the request is sent again."""
    sending = _sending.get()
    if sending is not None:
        sending.retried.append(type(error).__name__)


def recorded(execute: Callable[[D, Request], Response]) -> Callable[[D, Request], Response]:
    """``execute`` that reports each request to the active recorders (a driver method)."""

    @functools.wraps(execute)
    def recorded_execute(driver: D, request: Request) -> Response:
        recorders = _recorders.get()
        if not recorders or _sending.get() is not None:
            return execute(driver, request)
        sending = _Sending(request, recorders)
        token = _sending.set(sending)
        try:
            response = execute(driver, request)
        except BaseException as error:
            sending.finish(None, error)
            raise
        finally:
            _sending.reset(token)
        sending.finish(response, None)
        return response

    recorded_execute.__recorded__ = True  # type: ignore[attr-defined]
    return recorded_execute


def arecorded(
    aexecute: Callable[[D, Request], Awaitable[Response]],
) -> Callable[[D, Request], Awaitable[Response]]:
    """The async twin of :func:`recorded` (for ``aexecute``)."""

    @functools.wraps(aexecute)
    async def recorded_aexecute(driver: D, request: Request) -> Response:
        recorders = _recorders.get()
        if not recorders or _sending.get() is not None:
            return await aexecute(driver, request)
        sending = _Sending(request, recorders)
        token = _sending.set(sending)
        try:
            response = await aexecute(driver, request)
        except BaseException as error:
            sending.finish(None, error)
            raise
        finally:
            _sending.reset(token)
        sending.finish(response, None)
        return response

    recorded_aexecute.__recorded__ = True  # type: ignore[attr-defined]
    return recorded_aexecute


def _tables(params: Mapping[str, Any]) -> tuple[str, ...]:
    if "TableName" in params:
        return (str(params["TableName"]),)
    names: dict[str, None] = {}
    for name in params.get("RequestItems") or {}:  # BatchGetItem, BatchWriteItem
        names[str(name)] = None
    for action in params.get("TransactItems") or ():  # TransactGetItems, TransactWriteItems
        for body in action.values():
            if isinstance(body, Mapping) and "TableName" in body:
                names[str(body["TableName"])] = None
    return tuple(names)


def _summed(reports: list[Mapping[str, Any]]) -> Capacity:
    units = read = write = 0.0
    tables: dict[str, float] = {}
    for report in reports:
        spent = float(report.get("CapacityUnits") or 0)
        units += spent
        read += float(report.get("ReadCapacityUnits") or 0)
        write += float(report.get("WriteCapacityUnits") or 0)
        table = report.get("TableName")
        if table is not None:
            tables[str(table)] = tables.get(str(table), 0.0) + spent
    return Capacity(units, read, write, tables)
