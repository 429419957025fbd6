"""The request assertions on recordings made by hand (no server), seed()'s argument checks
and use_executor's restore."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

import dynamodb_tooling.query.executor as executor_module
from dynamodb_tooling import Model
from dynamodb_tooling.drivers.recording import RecordedRequest, RecordedRequests
from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.testing import (
    StubExecutor,
    UncheckedAssertionWarning,
    assert_consumed_capacity,
    assert_queried,
    assert_request_count,
    seed,
    use_executor,
)
from dynamodb_tooling.testing.assertions import capacity_units, describe_requests


def _entry(
    operation: str, params: Mapping[str, Any], *capacity: Mapping[str, Any]
) -> RecordedRequest:
    return RecordedRequest(operation, params, 0.0, 0.001, consumed_capacity=tuple(capacity))


def _recorded(*entries: RecordedRequest) -> RecordedRequests:
    recording = RecordedRequests()
    for entry in entries:
        recording._started_one()
        recording._finished_one(entry)
    return recording


QUERY = _entry(
    "Query",
    {
        "TableName": "App",
        "IndexName": "GSI1",
        "KeyConditionExpression": "#k0 = :v0 AND begins_with(#k1, :v1)",
        "ExpressionAttributeNames": {"#k0": "gsi1pk", "#k1": "gsi1sk"},
    },
    {"TableName": "App", "CapacityUnits": 0.5},
)
GET = _entry(
    "GetItem",
    {"TableName": "App", "Key": {"pk": {"S": "USER#1"}, "sk": {"S": "USER#1"}}},
    {"TableName": "App", "CapacityUnits": 1.0},
)
PUT = _entry(
    "PutItem", {"TableName": "App", "Item": {}}, {"TableName": "App", "CapacityUnits": 2.0}
)
BATCH = _entry(
    "BatchWriteItem",
    {"RequestItems": {"App": [], "Audit": []}},
    {"TableName": "App", "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0},
    {"TableName": "Audit", "CapacityUnits": 1.0, "WriteCapacityUnits": 1.0},
)
SENT = _recorded(QUERY, GET, PUT, BATCH)


def test_requests_are_described_one_per_line() -> None:
    assert describe_requests(SENT.requests).splitlines() == [
        "requests sent:",
        "  1. Query on App index GSI1 key 'gsi1pk = :v0 AND begins_with(gsi1sk, :v1)' -> ok",
        "  2. GetItem on App key {'pk': 'USER#1', 'sk': 'USER#1'} -> ok",
        "  3. PutItem on App -> ok",
        "  4. BatchWriteItem on App, Audit -> ok",
    ]
    assert describe_requests([]) == "  (no requests were sent)"


def test_checks_against_a_recording() -> None:
    assert_queried("Query", sent=SENT)
    assert_queried("Query", table="App", index="GSI1", times=1, sent=SENT)
    assert_queried("Scan", times=0, sent=SENT)
    assert_request_count(4, sent=SENT)
    assert_request_count(1, "PutItem", sent=SENT)
    with pytest.raises(AssertionError, match=r"index='GSI2'\): no matching Query was sent\n"):
        assert_queried("Query", index="GSI2", sent=SENT)
    with pytest.raises(AssertionError, match=r"2 matching GetItem requests were sent, expected 1"):
        assert_queried("GetItem", times=1, sent=_recorded(GET, GET))
    with pytest.raises(AssertionError, match=r"4 requests were sent, expected 3\nrequests sent:"):
        assert_request_count(3, sent=SENT)


def test_capacity_is_split_by_what_the_endpoint_reported() -> None:
    # Reports with Read/WriteCapacityUnits are taken as they are; bare CapacityUnits count
    # as reads or writes by the operation.
    assert capacity_units(SENT.requests) == (1.5, 6.0, 4)
    assert_consumed_capacity(max_rcu=1.5, max_wcu=6, sent=SENT)
    with pytest.raises(AssertionError, match=r"1\.5 read units were consumed, at most 1 expected"):
        assert_consumed_capacity(max_rcu=1, sent=SENT)
    silent = _recorded(_entry("GetItem", {"TableName": "App"}))
    with pytest.raises(AssertionError, match="no response reported ConsumedCapacity"):
        assert_consumed_capacity(max_rcu=1, sent=silent)
    with pytest.raises(ValueError, match=r"needs max_rcu=\.\.\., max_wcu=\.\.\. or both"):
        assert_consumed_capacity()


def test_an_assertion_that_checks_nothing_warns() -> None:
    with pytest.warns(
        UncheckedAssertionWarning, match=r"assert_queried\('Query'\) checked nothing"
    ):
        assert_queried("Query")  # no `with`, no sent=: warned as it is dropped
    checked = assert_request_count(0)
    with checked:
        pass
    with pytest.raises(RuntimeError, match="was already checked; make a new one per block"):
        checked.__enter__()
    with pytest.raises(ValueError, match="times must be 0 or more"):
        assert_queried("Query", times=-1)


REGISTRY = Registry()


class Crate(Model, registry=REGISTRY):
    label: str = "crate"


def test_seed_refuses_what_it_cannot_create() -> None:
    with pytest.raises(TypeError, match=r"seed\(\) takes a model class or a factory, got 'Crate'"):
        seed("Crate")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="count must be 1 or more"):
        seed(Crate, 0)
    with pytest.raises(
        TypeError, match=r"a factory says its own count; write seed\(factory.count\(2\)\)"
    ):
        seed(Crate.factory(), 2)


def test_seed_and_the_stub_write_through_the_factory() -> None:
    with use_executor(StubExecutor()) as stub:
        crates = seed(Crate, 3, label="blue")
        one = seed(Crate.factory())
    assert [c.label for c in crates] == ["blue"] * 3
    assert one.label
    assert {r.operation for r in stub.requests} <= {"BatchWriteItem", "PutItem"}
    assert len(stub.requests) >= 1


def test_use_executor_restores_the_previous_executors() -> None:
    import dynamodb_tooling.orm.concerns.persistence as persistence

    before = (executor_module._default, vars(persistence)["get_client"])
    with use_executor(StubExecutor()) as stub:
        assert executor_module.default_executor() is stub
        assert vars(persistence)["get_client"]() is stub
        with use_executor(StubExecutor()) as inner:
            assert executor_module.default_executor() is inner
        assert executor_module.default_executor() is stub
    assert (executor_module._default, vars(persistence)["get_client"]) == before
