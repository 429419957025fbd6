"""What runs the query layer's flows: anything with ``run``/``arun`` (and ``execute``).

:class:`~dynamodb_tooling.drivers.DynamoDBClient` is the real one (the driver does the IO);
:class:`~dynamodb_tooling.testing.stub.StubExecutor` runs the same flows without a server. The
query layer depends on this protocol, so its flows never care which one runs them.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config
from dynamodb_tooling.requests import Flow, Request

T = TypeVar("T")

__all__ = ["Executor"]


class Executor(Protocol):
    """Runs requests and sans-IO flows, sync and async."""

    @property
    def config(self) -> Config: ...

    def execute(self, request: Request) -> Response: ...

    def run(self, flow: Flow[T]) -> T: ...

    async def aexecute(self, request: Request) -> Response: ...

    async def arun(self, flow: Flow[T]) -> T: ...
