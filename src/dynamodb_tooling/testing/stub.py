"""A stub executor: runs the library's flows without a server, recording every request.

Like httpx's ``MockTransport``: scripted answers in, the requests that were sent out. It
stands in wherever a :class:`~dynamodb_tooling.drivers.DynamoDBClient` runs flows, so ORM and
query code can be tested as pure functions of their requests.

>>> stub = StubExecutor()
>>> stub.on("GetItem", {"Item": {"pk": {"S": "USER#1"}, "sk": {"S": "USER#1"}}})
>>> stub.execute(Request("GetItem", {"TableName": "T"}))["Item"]["pk"]
{'S': 'USER#1'}
>>> [r.operation for r in stub.requests]
['GetItem']

Answers are taken, in order, from what ``on(operation, ...)`` queued for the request's
operation (an exception is raised instead of answered), then from ``answer(request)`` when
given, else ``{}`` (an empty success). ``Sleep`` steps of flows do not wait.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import dynamodb_tooling.orm.concerns.persistence as _persistence
import dynamodb_tooling.query.executor as _executor
from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config, get_config
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep, drive
from dynamodb_tooling.requests.pagination import next_page

T = TypeVar("T")

Answer = Response | Exception

__all__ = ["StubExecutor", "use_executor"]

#: The persistence concern's name for the client model writes run on.
_CLIENT_OF_WRITES = "get_client"


class StubExecutor:
    """Records requests and answers them from a script; see the module docstring."""

    def __init__(
        self,
        *,
        config: Config | None = None,
        answer: Callable[[Request], Answer] | None = None,
    ) -> None:
        self.config = config or get_config()
        self.requests: list[Request] = []
        self._answer = answer
        self._queued: defaultdict[str, deque[Answer]] = defaultdict(deque)

    def on(self, operation: str, *answers: Answer) -> None:
        """Queue answers (responses or exceptions to raise) for the next ``operation``s."""
        self._queued[operation].extend(answers)

    def sent(self, operation: str) -> list[Request]:
        """The requests sent for ``operation``, in order."""
        return [r for r in self.requests if r.operation == operation]

    # The executor interface (what DynamoDBClient offers to flows).
    def execute(self, request: Request) -> Response:
        self.requests.append(request)
        queued = self._queued.get(request.operation)
        found: Answer = (
            queued.popleft()
            if queued
            else (self._answer(request) if self._answer is not None else {})
        )
        if isinstance(found, Exception):
            raise found
        return found

    def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its result (concurrent steps run in order)."""
        return drive(flow, self._perform)

    async def aexecute(self, request: Request) -> Response:
        return self.execute(request)

    async def arun(self, flow: Flow[T]) -> T:
        await asyncio.sleep(0)
        return self.run(flow)

    def iter_pages(self, request: Request) -> Iterator[Response]:
        current: Request | None = request
        while current is not None:
            response = self.execute(current)
            yield response
            current = next_page(current, response)

    def _perform(self, step: Request | Concurrently | Sleep) -> Any:
        if isinstance(step, Request):
            return self.execute(step)
        if isinstance(step, Sleep):
            return None
        results: list[Any] = []
        for request in step.requests:
            try:
                results.append(self.execute(request))
            except Exception as exc:
                if not step.return_exceptions:
                    raise
                results.append(exc)
        return results


@contextmanager
def use_executor(executor: Any) -> Iterator[Any]:
    """Send every model and query request of the block to ``executor`` (a
    :class:`StubExecutor`, say) instead of the configured client; restored afterwards.

    >>> with use_executor(StubExecutor()) as stub:                 # doctest: +SKIP
    ...     User.find("u1")
    >>> stub.sent("GetItem")[0].params["Key"]                      # doctest: +SKIP
    {'pk': {'S': 'USER#u1'}, 'sk': {'S': 'USER#u1'}}

    The pytest fixture ``dynamodb_stub`` wraps this around a test.
    """
    # The two places the ORM asks for its executor: queries (the installed default) and
    # model writes (the persistence concern's client).
    previous_default = _executor._default
    previous_client = getattr(_persistence, _CLIENT_OF_WRITES)
    _executor.install_default_executor(lambda: executor)
    setattr(_persistence, _CLIENT_OF_WRITES, lambda: executor)
    try:
        yield executor
    finally:
        setattr(_persistence, _CLIENT_OF_WRITES, previous_client)
        _executor._default = previous_default
