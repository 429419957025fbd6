"""What runs the query layer's flows: anything with ``run``/``arun`` (and ``execute``).

:class:`~dynamodb_tooling.drivers.DynamoDBClient` is the real one (the driver does the IO);
:class:`~dynamodb_tooling.testing.stub.StubExecutor` runs the same flows without a server. The
query layer depends on this protocol, so its flows never care which one runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.requests import Flow, Request

T = TypeVar("T")

__all__ = ["Executor", "default_executor", "install_default_executor"]


class Executor(Protocol):
    """Runs requests and sans-IO flows, sync and async."""

    @property
    def config(self) -> Config: ...

    def execute(self, request: Request) -> Response: ...

    def run(self, flow: Flow[T]) -> T: ...

    async def aexecute(self, request: Request) -> Response: ...

    async def arun(self, flow: Flow[T]) -> T: ...


_default: Callable[[], Executor] | None = None


def install_default_executor(factory: Callable[[], Executor]) -> None:
    """Set what queries run on when no client is passed. The package root installs the
    process-wide client of the active configuration (``drivers.get_client``): the query layer
    itself never imports a driver."""
    global _default
    _default = factory


def default_executor() -> Executor:
    """The executor queries run on when none was passed."""
    if _default is None:
        raise QueryError(
            "no executor is installed: import dynamodb_tooling (it installs the configured "
            "client), or pass client=... to the query"
        )
    return _default()
