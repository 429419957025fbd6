"""Model writes against the engine: sentinels, versions, conditions, transactions, batches."""

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ItemAlreadyExistsError,
    ResourceNotFoundError,
    StaleModelError,
    TransactionCanceledError,
    UniqueConstraintError,
    VersionConflictError,
)
from dynamodb_tooling.expressions import attr, key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query.transaction import transact_get, transaction
from dynamodb_tooling.query.unique import run_write
from dynamodb_tooling.query.writes import WriteCompiler, delete_many, insert_many
from dynamodb_tooling.requests.batch import BatchProgress
from dynamodb_tooling.schema import Registry
from tests.query.test_writes import NOTE
from tests.schema import blog

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ADA = {"id": "u1", "email": "ada@example.com", "name": "Ada", "team_id": "t1"}
Snapshot = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(scope="module")
def registry(dynamodb_config: Config) -> Registry:
    registry = Registry(dynamodb_config)
    for definition in (*blog.BLOG, NOTE):
        registry.register(definition)
    return registry


@pytest.fixture
def table(dynamodb_client: DynamoDBClient, registry: Registry) -> Iterator[str]:
    definition = registry.table_definition(f"writes-{uuid.uuid4().hex[:12]}")
    name = definition["TableName"]
    dynamodb_client.create_table(definition)
    try:
        dynamodb_client.wait_for_table_active(name, interval=0.1)
        yield name
    finally:
        with contextlib.suppress(ResourceNotFoundError):
            dynamodb_client.delete_table(name)


@pytest.fixture
def compiler(registry: Registry, table: str) -> WriteCompiler:
    return WriteCompiler(registry, table, clock=lambda: NOW)


def snapshot(client: DynamoDBClient, table: str) -> Snapshot:
    items = (unmarshall_item(i) for i in client.scan_all(table, consistent_read=True).items)
    return {(i["pk"], i["sk"]): i for i in items}


def get(client: DynamoDBClient, table: str, keys: dict[str, str]) -> dict[str, Any] | None:
    found = client.get_item(table, keys, consistent_read=True).get("Item")
    return unmarshall_item(found) if found else None


def sentinel(compiler: WriteCompiler, email: str) -> dict[str, str]:
    return compiler.keys.sentinel_key("User", "email", email)


def test_insert_writes_the_item_and_its_sentinel(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    run_write(dynamodb_client, compiler.insert("User", ADA))
    items = snapshot(dynamodb_client, table)
    assert items[("USER#u1", "USER#u1")]["gsi1pk"] == "TEAM#t1"
    reserved = items[("_UNIQUE#USER#email#ada@example.com",) * 2]
    assert reserved["owner"] == {"pk": "USER#u1", "sk": "USER#u1"}
    assert len(items) == 2


def test_a_taken_unique_value_writes_nothing(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    run_write(dynamodb_client, compiler.insert("User", ADA))
    before = snapshot(dynamodb_client, table)
    with pytest.raises(UniqueConstraintError, match=r"User\.email 'ada@example\.com' is already"):
        run_write(dynamodb_client, compiler.insert("User", {**ADA, "id": "u2"}))
    with pytest.raises(UniqueConstraintError):
        run_write(dynamodb_client, compiler.upsert("User", {**ADA, "id": "u2"}, original={}))
    assert snapshot(dynamodb_client, table) == before


def test_upsert_may_rewrite_its_own_unique_value(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    run_write(dynamodb_client, compiler.upsert("User", ADA, original={}))
    run_write(dynamodb_client, compiler.upsert("User", {**ADA, "name": "Ada L."}, original=ADA))
    item = get(dynamodb_client, table, {"pk": "USER#u1", "sk": "USER#u1"})
    assert item is not None
    assert item["name"] == "Ada L."


def test_update_of_a_unique_value_moves_the_sentinel(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    run_write(dynamodb_client, compiler.insert("User", ADA))
    run_write(dynamodb_client, compiler.update("User", ADA, {"email": "ada@new.io"}))
    assert get(dynamodb_client, table, sentinel(compiler, "ada@example.com")) is None
    moved = get(dynamodb_client, table, sentinel(compiler, "ada@new.io"))
    assert moved is not None
    assert moved["owner"] == {"pk": "USER#u1", "sk": "USER#u1"}
    # The released value is free again.
    run_write(dynamodb_client, compiler.insert("User", {**ADA, "id": "u2"}))


def test_a_stale_unique_value_writes_nothing(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    run_write(dynamodb_client, compiler.insert("User", ADA))
    run_write(dynamodb_client, compiler.update("User", ADA, {"email": "ada@new.io"}))
    before = snapshot(dynamodb_client, table)
    # ADA is stale: its email moved. The library's own guard failed, so the error says so.
    with pytest.raises(StaleModelError, match=r"its email is no longer 'ada@example\.com'"):
        run_write(dynamodb_client, compiler.update("User", ADA, {"email": "ada@third.io"}))
    assert snapshot(dynamodb_client, table) == before


def test_inserting_an_existing_id_says_it_exists(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    run_write(dynamodb_client, compiler.insert("User", ADA))
    run_write(dynamodb_client, compiler.insert("Post", {"id": "p1", "user_id": "u1", "title": "T"}))
    before = snapshot(dynamodb_client, table)
    # With a unique value (a transaction) and without (a single PutItem): same typed error.
    with pytest.raises(ItemAlreadyExistsError, match=r"User 'u1' already exists"):
        run_write(dynamodb_client, compiler.insert("User", {**ADA, "email": "other@x.io"}))
    with pytest.raises(ItemAlreadyExistsError, match=r"Post 'p1' already exists"):
        run_write(
            dynamodb_client, compiler.insert("Post", {"id": "p1", "user_id": "u", "title": "U"})
        )
    assert snapshot(dynamodb_client, table) == before


def test_index_keys_follow_an_updated_attribute(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    post = {"id": "p1", "user_id": "u1", "title": "Hi", "status": "draft"}
    run_write(dynamodb_client, compiler.insert("Post", post))
    run_write(dynamodb_client, compiler.update("Post", post, {"status": "live"}))
    assert by_status(dynamodb_client, compiler, "draft") == []
    assert by_status(dynamodb_client, compiler, "live") == ["p1"]
    run_write(
        dynamodb_client, compiler.update("Post", {**post, "status": "live"}, {"status": None})
    )
    assert by_status(dynamodb_client, compiler, "live") == []
    item = get(dynamodb_client, compiler.table, {"pk": "POST#p1", "sk": "POST#p1"})
    assert item is not None
    assert "gsi2pk" not in item
    assert item["gsi1pk"] == "USER#u1"


def by_status(client: DynamoDBClient, compiler: WriteCompiler, status: str) -> list[str]:
    where = compiler.keys.attribute_query("Post", "status", status)
    condition = key(where.partition_attribute).eq(where.partition_value)
    pages = client.query_all(compiler.table, condition, index=where.index)
    return [unmarshall_item(i)["id"] for i in pages.items]


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    note = {"id": "n1", "title": "First"}
    run_write(dynamodb_client, compiler.insert("Note", note))
    run_write(dynamodb_client, compiler.update("Note", {**note, "_v": 1}, {"title": "Second"}))
    before = snapshot(dynamodb_client, table)
    with pytest.raises(VersionConflictError, match="it is at version 2") as raised:
        run_write(dynamodb_client, compiler.update("Note", {**note, "_v": 1}, {"title": "Third"}))
    assert raised.value.expected == 1
    assert snapshot(dynamodb_client, table) == before
    assert before[("NOTE#n1", "NOTE#n1")]["_v"] == 2


def test_a_failed_custom_condition_stays_a_condition_failure(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    note = {"id": "n1", "title": "First"}
    run_write(dynamodb_client, compiler.insert("Note", note))
    guarded = compiler.update(
        "Note", {**note, "_v": 1}, {"title": "x"}, condition=attr("title") == "Other"
    )
    with pytest.raises(ConditionalCheckFailedError):
        run_write(dynamodb_client, guarded)
    with pytest.raises(StaleModelError, match="does not exist"):  # a ConditionalCheckFailedError
        run_write(dynamodb_client, compiler.update("Post", {"id": "nope"}, {"title": "x"}))


def test_version_checks_inside_a_unique_transaction(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    note = {"id": "n1", "title": "T", "handle": "first"}
    run_write(dynamodb_client, compiler.insert("Note", note))
    run_write(dynamodb_client, compiler.update("Note", {**note, "_v": 1}, {"title": "U"}))
    before = snapshot(dynamodb_client, table)
    stale = compiler.update("Note", {**note, "_v": 1}, {"handle": "second"})
    with pytest.raises(VersionConflictError, match="it is at version 2"):
        run_write(dynamodb_client, stale)
    guarded = compiler.update(
        "Note", {**note, "_v": 2}, {"handle": "second"}, condition=attr("title") == "T"
    )
    with pytest.raises(TransactionCanceledError):
        run_write(dynamodb_client, guarded)
    assert snapshot(dynamodb_client, table) == before
    run_write(dynamodb_client, compiler.update("Note", {**note, "_v": 2}, {"handle": "second"}))
    assert compiler.keys.sentinel_key("Note", "handle", "second")["pk"] in {
        pk for pk, _ in snapshot(dynamodb_client, table)
    }


def test_delete_releases_the_sentinels(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    run_write(dynamodb_client, compiler.insert("User", ADA))
    run_write(dynamodb_client, compiler.delete("User", ADA))
    assert snapshot(dynamodb_client, table) == {}


def test_soft_delete_and_restore_move_the_item_out_of_and_into_its_index(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    note = {"id": "n1", "title": "T", "state": "open"}
    run_write(dynamodb_client, compiler.insert("Note", note))
    run_write(dynamodb_client, compiler.soft_delete("Note", note))
    deleted = get(dynamodb_client, table, {"pk": "NOTE#n1", "sk": "NOTE#n1"})
    assert deleted is not None
    assert deleted["deleted_at"] == "2026-11-25T12:00:00+00:00"
    assert "gsi1pk" not in deleted
    run_write(dynamodb_client, compiler.restore("Note", deleted))
    restored = get(dynamodb_client, table, {"pk": "NOTE#n1", "sk": "NOTE#n1"})
    assert restored is not None
    assert restored["gsi1pk"] == "NOTE#state#open"
    assert "deleted_at" not in restored
    assert restored["_v"] == 3


def test_atomic_operations(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    note = {"id": "n1", "title": "T"}
    run_write(dynamodb_client, compiler.insert("Note", note))
    for _ in range(3):
        run_write(dynamodb_client, compiler.increment("Note", note, "views"))
    run_write(dynamodb_client, compiler.add_to_set("Note", note, "tags", {"a", "b"}))
    run_write(dynamodb_client, compiler.remove_from_set("Note", note, "tags", {"a"}))
    run_write(dynamodb_client, compiler.append_to_list("Note", note, "history", ["x", "y"]))
    run_write(dynamodb_client, compiler.prepend_to_list("Note", note, "history", ["w"]))
    run_write(dynamodb_client, compiler.remove_from_list("Note", note, "history", [1]))
    item = get(dynamodb_client, table, {"pk": "NOTE#n1", "sk": "NOTE#n1"})
    assert item is not None
    assert (item["views"], item["tags"], item["history"]) == (3, {"b"}, ["w", "y"])
    with pytest.raises(ConditionalCheckFailedError):
        run_write(dynamodb_client, compiler.increment("Note", {"id": "missing"}, "views"))


def test_a_transaction_across_models_is_all_or_nothing(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler, registry: Registry
) -> None:
    post = {"id": "p1", "user_id": "u1", "title": "Hi"}
    with transaction(dynamodb_client, registry, compiler=compiler) as tx:
        tx.insert("Team", {"id": "t1", "name": "Core"})
        tx.insert("User", ADA)
        tx.insert("Post", post)
    assert len(snapshot(dynamodb_client, table)) == 4
    before = snapshot(dynamodb_client, table)
    with pytest.raises(UniqueConstraintError):
        update_and_take_a_taken_email(dynamodb_client, registry, compiler, post)
    assert snapshot(dynamodb_client, table) == before
    found = transact_get(
        dynamodb_client, registry, table, [("Post", post), ("User", ADA), ("Team", {"id": "x"})]
    )
    assert [f and f["_et"] for f in found] == ["Post", "User", None]


def update_and_take_a_taken_email(
    client: DynamoDBClient, registry: Registry, compiler: WriteCompiler, post: dict[str, Any]
) -> None:
    with transaction(client, registry, compiler=compiler) as tx:
        tx.update("Post", post, {"title": "Changed"})
        tx.insert("User", {**ADA, "id": "u2"})  # the email is taken: nothing is written


def test_insert_many_and_delete_many(
    dynamodb_client: DynamoDBClient, table: str, compiler: WriteCompiler
) -> None:
    progress: list[BatchProgress] = []
    posts = [{"id": f"p{n:02d}", "user_id": "u1", "title": f"Post {n}"} for n in range(60)]
    written = insert_many(dynamodb_client, compiler, "Post", posts, on_progress=progress.append)
    assert len(written) == 60
    assert progress[-1].done == progress[-1].total == 60
    items = snapshot(dynamodb_client, table)
    assert sorted(i["id"] for i in items.values()) == [p["id"] for p in posts]
    assert all(i["gsi1pk"] == "USER#u1" for i in items.values())
    assert delete_many(dynamodb_client, compiler, "Post", posts[:50]) == 50
    assert len(snapshot(dynamodb_client, table)) == 10
