"""The backfill against the engine: a new index finds the old items, a collection change
re-keys items (sentinels follow), correct items are not written, a concurrent newer write is
not clobbered, throttling loses nothing, and the async twin does the same."""

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import get_config, use_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations.backfill import BackfillProgress, abackfill, backfill
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.integration

STATUSES = ("active", "banned", None)


class OldUser(Model, registry=Registry(), name="User", soft_deletes=False):
    """User before the change: ``status`` is a plain attribute."""

    name: str
    status: str | None = None


class NewUser(Model, registry=Registry(), name="User", soft_deletes=False):
    """User after the change: ``status`` is indexed (GSI1)."""

    name: str
    status: str | None = attribute(index=True)


@pytest.fixture
def registries() -> tuple[Registry, Registry]:
    """The models before and after the change, each in its own registry."""
    return OldUser.__registry__, NewUser.__registry__


@pytest.fixture
def dynamodb_registry(registries: tuple[Registry, Registry]) -> Registry:
    return registries[1]


def write_old_users(client: DynamoDBClient, table: str, before: Registry, count: int) -> None:
    old = EntityTransformer(before)
    for n in range(count):
        values = {"id": f"u{n:04d}", "name": f"user {n}", "status": STATUSES[n % 3]}
        client.put_item(table, old.to_item("User", values))


def user_model(registry: Registry) -> Any:
    return registry.model("User")


def scan_items(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    return [unmarshall_item(i) for i in client.scan_all(table).items]


def test_marking_an_attribute_indexed_then_backfilling_finds_the_old_items(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, registries: tuple[Registry, Registry]
) -> None:
    before, after = registries
    write_old_users(dynamodb_client, dynamodb_table, before, 60)
    where = after.keys.attribute_query("User", "status", "active")
    assert (
        dynamodb_client.query_all(dynamodb_table, _key_condition(where), index=where.index).items
        == []
    )  # the new index does not know the old items yet
    seen: list[BackfillProgress] = []
    report = backfill(
        dynamodb_client, after, segments=3, page_size=7, run_id="index-status", progress=seen.append
    )
    found = dynamodb_client.query_all(dynamodb_table, _key_condition(where), index=where.index)
    assert sorted(unmarshall_item(i)["id"] for i in found.items) == [
        f"u{n:04d}" for n in range(0, 60, 3)
    ]
    # 40 users had a status (keys written); 20 had none (nothing to derive: not written).
    assert (report.updated, report.skipped, report.examined) == (40, 20, 60)
    assert report.missing_after == 0
    assert report.failed == 0
    assert report.resumed is False
    assert seen
    assert seen[-1].segments_done == 3
    assert seen[-1].updated == 40
    # The model's own query on the new index returns them too.
    assert NewUser.where("status", "banned").explain().operation == "Query"
    assert len(NewUser.where("status", "banned").get()) == 20
    again = backfill(dynamodb_client, after, segments=2, run_id="index-status-2")
    assert (again.updated, again.skipped, again.missing_after) == (0, 60, 0)


def _key_condition(where: Any) -> Any:
    return key(where.partition_attribute).eq(where.partition_value) & key(
        where.sort_attribute
    ).begins_with(where.sort_prefix)


def test_items_already_correct_are_not_written(
    dynamodb_client: DynamoDBClient,
    dynamodb_table: str,
    registries: tuple[Registry, Registry],
    fault_proxy: FaultProxy,
) -> None:
    _, after = registries
    new = EntityTransformer(after)
    for n in range(12):
        values = {"id": f"u{n}", "name": "n", "status": "active"}
        dynamodb_client.put_item(dynamodb_table, new.to_item("User", values))
    with DynamoDBClient(config=validate_config(get_config(), endpoint=fault_proxy.endpoint)) as c:
        report = backfill(c, after, segments=2, run_id="noop")
    assert (report.updated, report.skipped) == (0, 12)
    assert fault_proxy.operations["UpdateItem"] == 0
    assert fault_proxy.operations["TransactWriteItems"] == 0


def test_a_concurrent_newer_write_wins_and_is_recomputed(
    dynamodb_client: DynamoDBClient,
    dynamodb_table: str,
    registries: tuple[Registry, Registry],
    fault_proxy: FaultProxy,
) -> None:
    before, after = registries
    old = EntityTransformer(before)
    dynamodb_client.put_item(
        dynamodb_table, old.to_item("User", {"id": "u1", "name": "Ada", "status": "active"})
    )
    # The backfill's UpdateItem is held 1.5 s in the proxy; meanwhile the application (still
    # running the old models) changes the indexed attribute.
    fault_proxy.inject(Fault("delay", operations={"UpdateItem"}, limit=1, seconds=1.5))
    config = validate_config(get_config(), endpoint=fault_proxy.endpoint)
    outcome: dict[str, Any] = {}

    def run() -> None:
        with DynamoDBClient(config=config) as client:
            outcome["report"] = backfill(client, after, segments=1, run_id="race")

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 20
    while fault_proxy.operations["UpdateItem"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fault_proxy.operations["UpdateItem"] == 1
    newer = old.to_item("User", {"id": "u1", "name": "Ada L.", "status": "banned"})
    dynamodb_client.put_item(dynamodb_table, newer)
    worker.join(30)
    report = outcome["report"]
    stored = unmarshall_item(
        dynamodb_client.get_item(dynamodb_table, {"pk": "USER#u1", "sk": "USER#u1"})["Item"]
    )
    assert stored["name"] == "Ada L."
    assert stored["status"] == "banned"
    assert stored["gsi1pk"] == "USER#status#banned"  # recomputed from the newer value
    assert (report.updated, report.retried, report.missing_after) == (1, 1, 0)


@pytest.fixture
def collection_registries() -> Iterator[tuple[Registry, Registry]]:
    """Orders in their own partitions before, in their account's collection after."""
    with use_config():
        before, after = Registry(), Registry()
        for registry, collection in ((before, False), (after, True)):

            class Account(Model, registry=registry):
                name: str
                orders = HasMany("Order", collection=collection)

            class Order(Model, registry=registry):
                code: str = attribute(unique=True)
                total: int = 0
                account = BelongsTo(Account, collection=collection)

        yield before, after


def test_a_collection_change_rekeys_items_once_and_moves_their_sentinels(
    dynamodb_client: DynamoDBClient,
    dynamodb_config: Any,
    collection_registries: tuple[Registry, Registry],
    make_table: Any,
) -> None:
    before, after = collection_registries
    table = make_table(gsi_count=2)
    old = EntityTransformer(before)
    dynamodb_client.put_item(table, old.to_item("Account", {"id": "a1", "name": "Acme"}))
    for n in range(8):
        order = old.to_item(
            "Order", {"id": f"o{n}", "code": f"C{n}", "total": n, "account_id": "a1"}
        )
        dynamodb_client.put_item(table, order)
        key = {"pk": order["pk"], "sk": order["sk"]}
        sentinel = before.keys.sentinel_item("Order", "code", f"C{n}", key)
        dynamodb_client.put_item(table, sentinel)
    count_before = len(scan_items(dynamodb_client, table))
    assert count_before == 17
    with use_config(dynamodb_config):
        report = backfill(
            dynamodb_client, after, segments=2, page_size=3, table_name=table, run_id="collect"
        )
    assert (report.rekeyed, report.failed, report.missing_after) == (8, 0, 0)
    items = [i for i in scan_items(dynamodb_client, table) if i["pk"] != "_MIGRATION"]
    assert len(items) == count_before  # moved, neither lost nor doubled
    collection = [i for i in items if i["pk"] == "ACCOUNT#a1"]
    assert sorted(i["sk"] for i in collection) == ["ACCOUNT#a1"] + [f"ORDER#o{n}" for n in range(8)]
    assert [i for i in items if str(i["pk"]).startswith("ORDER#")] == []
    owners = {i["pk"]: i["owner"] for i in items if i.get("_et") == "_Unique"}
    assert owners["_UNIQUE#ORDER#code#C3"] == {"pk": "ACCOUNT#a1", "sk": "ORDER#o3"}
    moved = next(i for i in items if i["sk"] == "ORDER#o3")
    assert moved["total"] == 3
    assert moved["code"] == "C3"
    assert moved["gsi1pk"] == moved["gsi1sk"] == "ORDER#o3"  # found by id alone


def test_throttling_is_waited_out_and_nothing_is_lost(
    dynamodb_client: DynamoDBClient,
    dynamodb_table: str,
    registries: tuple[Registry, Registry],
    fault_proxy: FaultProxy,
) -> None:
    before, after = registries
    write_old_users(dynamodb_client, dynamodb_table, before, 30)
    fault_proxy.inject(
        Fault("throttle", rate=0.4, operations={"UpdateItem", "Scan", "PutItem"}, limit=40)
    )
    config = validate_config(get_config(), endpoint=fault_proxy.endpoint, max_retries=1)
    with DynamoDBClient(config=config) as client:
        report = backfill(client, after, segments=2, page_size=5, run_id="throttled")
    assert fault_proxy.injected["throttle"] > 5
    assert (report.updated, report.missing_after, report.failed) == (20, 0, 0)


def test_the_async_twin_backfills_the_same(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, registries: tuple[Registry, Registry]
) -> None:
    before, after = registries
    write_old_users(dynamodb_client, dynamodb_table, before, 15)
    report = asyncio.run(abackfill(dynamodb_client, after, segments=2, run_id="async"))
    assert (report.updated, report.skipped, report.missing_after) == (10, 5, 0)


def test_processes_share_a_segmentation_and_a_finished_run_only_verifies(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, registries: tuple[Registry, Registry]
) -> None:
    before, after = registries
    write_old_users(dynamodb_client, dynamodb_table, before, 90)
    config = get_config()
    reports: dict[str, Any] = {}

    def process(name: str, slice_: list[int]) -> None:
        with DynamoDBClient(config=config) as client:
            reports[name] = backfill(
                client, after, segments=4, only_segments=slice_, page_size=8, run_id="shared"
            )

    workers = [
        threading.Thread(target=process, args=("a", [0, 2])),
        threading.Thread(target=process, args=("b", [1, 3])),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    a, b = reports["a"], reports["b"]
    assert [s.segment for s in a.segments] == [0, 2]
    assert [s.segment for s in b.segments] == [1, 3]
    assert a.examined + b.examined == 90  # every item in exactly one slice
    assert a.updated + b.updated == 60
    assert a.missing_after == b.missing_after == 0
    # The whole segmentation again under the same run id: everything is done, so it only
    # verifies (and says it resumed).
    final = backfill(dynamodb_client, after, segments=4, run_id="shared")
    assert final.resumed is True
    assert (final.scanned, final.updated, final.missing_after) == (0, 0, 0)
    assert all(s.done and s.resumed for s in final.segments)
