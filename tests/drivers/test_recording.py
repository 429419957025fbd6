"""record_requests(): which requests a block sent, how many, how concurrently — on the engine.

Requests go through the suite's driver (``DBTOOLING_DRIVER``, and its async face in the async
form), so the recorder is checked on the path users' requests take.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import BaseDriver, DynamoDBClient, RecordedRequests
from dynamodb_tooling.drivers.recording import Capacity
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ResourceNotFoundError,
    ThrottlingError,
)
from dynamodb_tooling.expressions import attr, key
from dynamodb_tooling.orm import BelongsTo, Model
from dynamodb_tooling.requests import Concurrently, Flow, Request
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.requests.items import get_item
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.plugin import TableFactory
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def table(dynamodb_client: DynamoDBClient, make_table: TableFactory) -> str:
    name = make_table()
    dynamodb_client.batch_write(
        {name: [put({"pk": "P", "sk": f"{n:03}", "n": n}) for n in range(250)]}
    )
    return name


@pytest.fixture
def proxied(dynamodb_config: Config, fault_proxy: FaultProxy) -> Iterator[DynamoDBClient]:
    """A client of the suite's driver whose requests pass through the fault proxy."""
    client = DynamoDBClient(config=validate_config(dynamodb_config, endpoint=fault_proxy.endpoint))
    yield client
    client.close()


def keys(*numbers: int) -> list[dict[str, Any]]:
    return [{"pk": "P", "sk": f"{n:03}"} for n in numbers]


def gets(table: str, count: int) -> Flow[list[Response]]:
    """One concurrent step of ``count`` GetItems (a fan-out)."""
    responses: list[Response] = yield Concurrently.of(
        [get_item(table, k) for k in keys(*range(count))]
    )
    return responses


def test_counts_operations_and_params_in_send_order(
    dynamodb_client: DynamoDBClient, table: str
) -> None:
    with record_requests() as sent:
        dynamodb_client.get_item(table, keys(1)[0])
        dynamodb_client.put_item(table, {"pk": "Q", "sk": "1"})
        dynamodb_client.query(table, key("pk").eq("P") & key("sk").begins_with("00"))

    assert sent.count == 3 == len(sent)
    assert sent.operations == ["GetItem", "PutItem", "Query"]
    assert sent.by_operation() == Counter({"GetItem": 1, "PutItem": 1, "Query": 1})
    first = sent.requests[0]
    assert first.params == get_item(table, keys(1)[0]).params  # the compiled request
    assert (first.table, first.tables, first.status, first.ok) == (table, (table,), "ok", True)
    assert (first.attempts, first.retried) == (1, ())
    assert all(r.finished >= r.started and r.duration >= 0 for r in sent.requests)
    assert [r.started for r in sent.requests] == sorted(r.started for r in sent.requests)
    # One after another: never two in flight, each request its own round.
    assert (sent.max_in_flight, sent.rounds, sent.attempts) == (1, 3, 3)
    assert sent.elapsed >= sum(r.duration for r in sent.requests)


def test_paging_and_chunked_batches_count_every_request(
    dynamodb_client: DynamoDBClient, table: str
) -> None:
    with record_requests() as sent:
        pages = dynamodb_client.query_all(table, key("pk").eq("P"), limit=100)
        found = dynamodb_client.batch_get({table: keys(*range(250))})
        written = dynamodb_client.batch_write(
            {table: [put({"pk": "W", "sk": str(n)}) for n in range(60)]}
        )

    assert (len(pages.items), len(found[table]), written) == (250, 250, 60)
    # 250 items at 100 a page: 3 pages (4 when the engine answers a trailing empty page).
    assert sent.by_operation()["Query"] == pages.pages in (3, 4)
    assert sent.by_operation()["BatchGetItem"] == 3  # 100 keys a request
    assert sent.by_operation()["BatchWriteItem"] == 3  # 25 writes a request
    batch = sent.of("BatchGetItem")[0]
    assert (batch.tables, batch.table) == ((table,), table)
    assert sum(len(r.params["RequestItems"][table]["Keys"]) for r in sent.of("BatchGetItem")) == 250


def test_nested_recorders_both_record(dynamodb_client: DynamoDBClient, table: str) -> None:
    with record_requests() as outer:
        dynamodb_client.get_item(table, keys(1)[0])
        with record_requests() as inner:
            dynamodb_client.get_item(table, keys(2)[0])
            dynamodb_client.batch_get({table: keys(*range(150))})
        dynamodb_client.put_item(table, {"pk": "Q", "sk": "2"})

    assert inner.operations == ["GetItem", "BatchGetItem", "BatchGetItem"]
    assert outer.operations == ["GetItem", "GetItem", "BatchGetItem", "BatchGetItem", "PutItem"]
    assert outer.requests[1:4] == inner.requests  # the same entries, not copies that differ


def test_after_the_block_nothing_more_is_recorded(
    dynamodb_client: DynamoDBClient, table: str
) -> None:
    with record_requests() as sent:
        pass
    dynamodb_client.get_item(table, keys(1)[0])
    assert (sent.count, sent.operations, sent.rounds, sent.max_in_flight) == (0, [], 0, 0)
    assert sent.consumed_capacity() is None


def test_errors_are_recorded_with_their_name(dynamodb_client: DynamoDBClient, table: str) -> None:
    with record_requests() as sent:
        with pytest.raises(ResourceNotFoundError):
            dynamodb_client.get_item(f"missing-{uuid.uuid4().hex[:8]}", {"pk": "a", "sk": "b"})
        with pytest.raises(ConditionalCheckFailedError):
            dynamodb_client.put_item(
                table, {"pk": "P", "sk": "001"}, condition=attr("pk").not_exists()
            )
        dynamodb_client.get_item(table, keys(1)[0])

    assert [r.status for r in sent.requests] == [
        "ResourceNotFoundError",
        "ConditionalCheckFailedError",
        "ok",
    ]
    assert [r.operation for r in sent.errors] == ["GetItem", "PutItem"]
    assert (sent.requests[0].ok, sent.requests[0].error) == (False, "ResourceNotFoundError")


def test_sync_fan_out_from_the_thread_pool_is_attributed_to_the_block(
    proxied: DynamoDBClient, fault_proxy: FaultProxy, table: str
) -> None:
    fault_proxy.inject(Fault("delay", seconds=0.01, operations={"GetItem"}))
    with record_requests() as sent:
        responses = proxied.run(gets(table, 12))

    assert [r["Item"]["n"] for r in responses] == [{"N": str(n)} for n in range(12)]
    assert sent.by_operation() == Counter({"GetItem": 12})
    # The worker threads' requests were in flight together: one round, several at once.
    assert sent.max_in_flight > 1
    assert sent.rounds == 1
    assert sent.elapsed < sum(r.duration for r in sent.requests)


def test_sequential_calls_through_the_delay_stay_one_at_a_time(
    proxied: DynamoDBClient, fault_proxy: FaultProxy, table: str
) -> None:
    fault_proxy.inject(Fault("delay", seconds=0.01, operations={"GetItem"}))
    with record_requests() as sent:
        for k in keys(*range(5)):
            proxied.get_item(table, k)
    assert (sent.count, sent.max_in_flight, sent.rounds) == (5, 1, 5)
    assert all(r.duration >= 0.01 for r in sent.requests)


def test_another_threads_requests_are_not_recorded(
    dynamodb_client: DynamoDBClient, table: str
) -> None:
    started, release = threading.Event(), threading.Event()

    def elsewhere() -> None:
        started.set()
        release.wait(5)
        dynamodb_client.batch_get({table: keys(*range(150))})  # a fan-out of its own
        dynamodb_client.put_item(table, {"pk": "T", "sk": "1"})

    thread = threading.Thread(target=elsewhere)
    with record_requests() as sent:
        thread.start()
        started.wait(5)
        release.set()
        dynamodb_client.get_item(table, keys(1)[0])
        thread.join(10)
    assert sent.operations == ["GetItem"]


def test_concurrent_tasks_each_see_only_their_own_requests(
    dynamodb_client: DynamoDBClient, table: str
) -> None:
    async def task(n: int) -> RecordedRequests:
        async with record_requests() as sent:
            for k in keys(*range(n)):
                await dynamodb_client.aget_item(table, k)
                await asyncio.sleep(0)  # let the other task interleave
            await dynamodb_client.abatch_get({table: keys(*range(100 * n + 1))})
        return sent

    async def scenario() -> tuple[RecordedRequests, RecordedRequests, RecordedRequests]:
        async with record_requests() as both:
            two, three = await asyncio.gather(task(2), task(3))
        return both, two, three

    both, two, three = asyncio.run(scenario())
    assert two.by_operation() == Counter({"GetItem": 2, "BatchGetItem": 3})
    assert three.by_operation() == Counter({"GetItem": 3, "BatchGetItem": 4})
    assert both.count == two.count + three.count  # the enclosing block sees both tasks
    assert set(both.requests) == set(two.requests) | set(three.requests)


def test_async_fan_out_is_recorded_and_concurrent(
    proxied: DynamoDBClient, fault_proxy: FaultProxy, table: str
) -> None:
    fault_proxy.inject(Fault("delay", seconds=0.01, operations={"GetItem"}))

    async def scenario() -> tuple[RecordedRequests, list[Response]]:
        async with record_requests() as sent:
            responses = await proxied.arun(gets(table, 12))
        return sent, responses

    sent, responses = asyncio.run(scenario())
    assert len(responses) == 12
    assert sent.by_operation() == Counter({"GetItem": 12})
    assert sent.max_in_flight > 1
    assert sent.rounds == 1


def test_retried_attempts_count_once_with_their_attempts(
    proxied: DynamoDBClient, fault_proxy: FaultProxy, table: str
) -> None:
    fault_proxy.inject(Fault("throttle", operations={"GetItem"}, limit=2))
    with record_requests() as sent:
        found = proxied.get_item(table, keys(7)[0])
        proxied.put_item(table, {"pk": "Q", "sk": "3"})

    assert found["Item"]["n"] == {"N": "7"}
    assert fault_proxy.operations["GetItem"] == 3  # what the wire saw
    assert (sent.count, sent.attempts) == (2, 4)  # two requests, one sent three times
    retried = sent.requests[0]
    assert (retried.operation, retried.attempts, retried.status) == ("GetItem", 3, "ok")
    assert retried.retried == ("ThrottlingError", "ThrottlingError")


def test_a_request_that_runs_out_of_retries_records_every_attempt(
    proxied: DynamoDBClient, fault_proxy: FaultProxy, dynamodb_config: Config, table: str
) -> None:
    fault_proxy.inject(Fault("throttle", operations={"GetItem"}))
    with record_requests() as sent, pytest.raises(ThrottlingError):
        proxied.get_item(table, keys(7)[0])
    (only,) = sent.requests
    assert only.attempts == dynamodb_config.max_retries + 1 == sent.attempts
    assert only.error == "ThrottlingError"
    assert only.retried == ("ThrottlingError",) * dynamodb_config.max_retries


def test_consumed_capacity_is_summed_when_the_responses_carry_it(
    dynamodb_config: Config, table: str
) -> None:
    config = validate_config(dynamodb_config, return_consumed_capacity="TOTAL")
    client = DynamoDBClient(config=config)
    try:
        with record_requests() as sent:
            client.get_item(table, keys(1)[0])
            client.batch_get({table: keys(*range(5))})
    finally:
        client.close()
    assert all(r.params.get("ReturnConsumedCapacity") is None for r in sent.requests)
    capacity = sent.consumed_capacity()
    assert capacity is not None
    # The engine's figures are not DynamoDB's (moto's are rough); the reports are summed.
    reported = [c for r in sent.requests for c in r.consumed_capacity]
    assert reported
    assert capacity.units == sum(float(c["CapacityUnits"]) for c in reported)
    assert set(capacity.tables) == {table}


class _CapacityDriver(BaseDriver):
    """A third-party-style driver: BaseDriver subclasses are recorded whatever they send to."""

    name = "capacity"

    def connect(self) -> None:
        return None

    def execute(self, request: Request) -> Response:
        if request.operation == "BatchGetItem":
            return {
                "ConsumedCapacity": [
                    {"TableName": "A", "CapacityUnits": 1.5, "ReadCapacityUnits": 1.5},
                    {"TableName": "B", "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5},
                ]
            }
        return {
            "ConsumedCapacity": {"TableName": "A", "CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}
        }


def test_capacity_sums_single_and_list_reports_per_table() -> None:
    client = DynamoDBClient(_CapacityDriver(), config=validate_config())
    with record_requests() as sent:
        client.put_item("A", {"pk": "1"})
        client.execute(Request("BatchGetItem", {"RequestItems": {"A": {}, "B": {}}}))
        asyncio.run(client.aput_item("A", {"pk": "2"}))  # BaseDriver's aexecute: recorded once
    assert sent.operations == ["PutItem", "BatchGetItem", "PutItem"]
    assert (sent.requests[1].tables, sent.requests[1].table) == (("A", "B"), None)
    assert sent.consumed_capacity() == Capacity(
        units=4.0, read_units=2.0, write_units=2.0, tables={"A": 3.5, "B": 0.5}
    )


def test_entering_one_recorder_twice_is_refused() -> None:
    recorder = record_requests()
    with recorder, pytest.raises(RuntimeError, match="nest a new record_requests"), recorder:
        pass


def test_model_operations_are_recorded(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> None:
    config = validate_config(dynamodb_config, default_table_name=f"rec-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Owner(Model, registry=registry):
        name: str

    class Pet(Model, registry=registry):
        name: str
        owner = BelongsTo(Owner)

    dynamodb_client.create_table(registry.table_definition())
    try:
        dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
        ada = Owner.create(name="Ada")
        for name in ("Rex", "Tom", "Kit"):
            Pet.create(name=name, owner_id=ada.id)
        with record_requests() as sent:
            assert Owner.find(ada.id) is not None
            assert len(Pet.where("owner_id", ada.id).get()) == 3
        assert sent.operations == ["GetItem", "Query"]
        assert sent.requests[1].params["IndexName"].startswith("GSI")
    finally:
        dynamodb_client.delete_table(config.default_table_name)
        reset_config()
