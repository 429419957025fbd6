"""Types users see on record_requests() (checked by mypy, not run)."""

from collections import Counter
from typing import assert_type

from dynamodb_tooling import RecordedRequests, record_requests
from dynamodb_tooling.drivers import RecordedRequest
from dynamodb_tooling.drivers.recording import Capacity


def check() -> None:
    with record_requests() as sent:
        assert_type(sent, RecordedRequests)
    assert_type(sent.count, int)
    assert_type(sent.attempts, int)
    assert_type(sent.operations, list[str])
    assert_type(sent.by_operation(), Counter[str])
    assert_type(sent.requests, list[RecordedRequest])
    assert_type(sent.requests[0].table, str | None)
    assert_type(sent.requests[0].error, str | None)
    assert_type(sent.max_in_flight, int)
    assert_type(sent.elapsed, float)
    assert_type(sent.consumed_capacity(), Capacity | None)
    sent.count = 3  # type: ignore[misc]


async def acheck() -> None:
    async with record_requests() as sent:
        assert_type(sent, RecordedRequests)
