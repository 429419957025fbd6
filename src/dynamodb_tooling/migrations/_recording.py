"""The dry run's executor: records every request of a flow and sends nothing.

Reads of the flows it drives are answered as if every step succeeded: DescribeTable says the
table and its indexes are ACTIVE (so waits end at once), CreateTable returns the table's ARN,
everything else an empty success. Like ``testing.stub.StubExecutor``, but without a script.
"""

from __future__ import annotations

from typing import Any, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep, drive

T = TypeVar("T")


class RecordingExecutor:
    """Drives flows against nothing; :attr:`requests` lists what they would have sent."""

    def __init__(self, table: str, arn: str | None) -> None:
        self.table = table
        self.arn = arn or f"arn:aws:dynamodb:dry-run:000000000000:table/{table}"
        self.requests: list[Request] = []

    def run(self, flow: Flow[T]) -> T:
        return drive(flow, self._perform)

    def _perform(self, step: Request | Concurrently | Sleep) -> Any:
        if isinstance(step, Sleep):
            return None
        if isinstance(step, Concurrently):
            return [self._answer(r) for r in step.requests]
        return self._answer(step)

    def _answer(self, request: Request) -> Response:
        self.requests.append(request)
        described = {"TableName": self.table, "TableStatus": "ACTIVE", "TableArn": self.arn}
        if request.operation == "DescribeTable":
            return {"Table": described}
        if request.operation == "CreateTable":
            return {"TableDescription": described}
        return {}
