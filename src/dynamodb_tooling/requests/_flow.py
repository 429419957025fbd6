"""Sans-IO flows: multi-step work as generators that yield steps and receive results.

A flow yields one of:

* a :class:`Request` — the driver executes it and sends back the response dict;
* :class:`Concurrently` — independent requests the driver may run in parallel; it sends back
  the list of responses in the same order;
* :class:`Sleep` — the driver waits (backoff between retries); it sends back ``None``.

An error from a request is thrown into the flow at the ``yield`` (a flow may catch it, e.g.
to treat ``ResourceNotFoundError`` as "deleted"). The flow's return value is the result.
Flows never do IO themselves, so a sync and an async driver share them.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.requests._request import Request

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Concurrently:
    """Requests that do not depend on each other; responses come back in this order.

    With ``return_exceptions`` a failed request's exception takes its place in the list
    (after every request has run) instead of being thrown into the flow, so a flow can tell
    exactly which requests failed.
    """

    requests: tuple[Request, ...]
    return_exceptions: bool = False

    @classmethod
    def of(cls, requests: Sequence[Request], *, return_exceptions: bool = False) -> Concurrently:
        return cls(tuple(requests), return_exceptions)


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait ``seconds`` before the next step (retry backoff, polling)."""

    seconds: float


Step: TypeAlias = Request | Concurrently | Sleep
Flow: TypeAlias = Generator[Step, Any, T]
"""A generator yielding :data:`Step` and returning ``T``."""


def drive(flow: Flow[T], perform: Callable[[Step], Any]) -> T:
    """Run ``flow`` to its result: each step goes to ``perform`` and its answer is sent back;
    an exception from ``perform`` is thrown into the flow at its ``yield``."""
    send: object = None
    error: Exception | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(send)
        except StopIteration as stop:
            result: T = stop.value
            return result
        error = None
        try:
            send = perform(step)
        except Exception as exc:
            error = exc


async def adrive(flow: Flow[T], perform: Callable[[Step], Awaitable[Any]]) -> T:
    """The async twin of :func:`drive` (``perform`` is awaited)."""
    send: object = None
    error: Exception | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(send)
        except StopIteration as stop:
            result: T = stop.value
            return result
        error = None
        try:
            send = await perform(step)
        except Exception as exc:
            error = exc


def single(request: Request) -> Flow[Response]:
    """The flow of one request: yields it and returns its response."""
    response: Response = yield request
    return response


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: attempt n waits U(0, min(cap, base·2ⁿ)) seconds.

    ``max_attempts`` counts retries after the first try. ``rng`` makes delays reproducible.
    """

    base: float = 0.05
    cap: float = 5.0
    max_attempts: int = 10
    rng: random.Random | None = None

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * (2**attempt))
        return (self.rng or random).uniform(0, ceiling)


def gather(flows: Sequence[Flow[T]]) -> Flow[list[T | Exception]]:
    """Run independent flows side by side: each round sends the next request of every
    unfinished flow together (one :class:`Concurrently`), so N multi-step writes take as many
    rounds as the longest of them, not N times as many. Returns each flow's result, or the
    exception it ended with, in order.
    """
    results: list[Any] = [None] * len(flows)
    steps: dict[int, Step] = {}

    def advance(index: int, value: Any = None, error: Exception | None = None) -> None:
        try:
            step = flows[index].throw(error) if error is not None else flows[index].send(value)
        except StopIteration as stop:
            results[index] = stop.value
        except Exception as failure:
            results[index] = failure
        else:
            steps[index] = step

    for index in range(len(flows)):
        advance(index)
    while steps:
        sleeping = {i: s for i, s in steps.items() if isinstance(s, Sleep)}
        if sleeping:
            yield Sleep(max(s.seconds for s in sleeping.values()))
            for index in sleeping:
                del steps[index]
                advance(index)
            continue
        order = sorted(steps)
        batch: list[Request] = []
        spans: list[tuple[int, int]] = []
        for index in order:
            step = steps[index]
            requests = step.requests if isinstance(step, Concurrently) else (step,)
            spans.append((len(batch), len(batch) + len(requests)))
            batch.extend(r for r in requests if isinstance(r, Request))
        answers: list[Any] = yield Concurrently.of(batch, return_exceptions=True)
        for index, (start, end) in zip(order, spans, strict=True):
            step = steps.pop(index)
            got = answers[start:end]
            if not isinstance(step, Concurrently):
                error = got[0] if isinstance(got[0], Exception) else None
                advance(index, None if error else got[0], error)
            elif step.return_exceptions:
                advance(index, got)
            else:
                failed = next((a for a in got if isinstance(a, Exception)), None)
                advance(index, None if failed else got, failed)
    return results
