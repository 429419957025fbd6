"""The backfill's compiled requests, run on the stub executor (no server): scan parameters per
segment, conditional UpdateItems, re-key transactions, checkpoint writes and resuming."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ResourceNotFoundError,
    ServerError,
    ThrottlingError,
)
from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.migrations.backfill import (
    BackfillError,
    BackfillProgress,
    CheckpointConflictError,
    backfill,
)
from dynamodb_tooling.orm import BelongsTo, BelongsToMany, HasMany, Model, attribute
from dynamodb_tooling.requests import Request
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer
from dynamodb_tooling.testing.stub import StubExecutor

TABLE = "T"


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config(table_name_prefix="", table_name_suffix=""):
        yield Registry()


@pytest.fixture
def indexed(registry: Registry) -> Registry:
    """User with ``status`` indexed (GSI1 on ``USER#status#<value>``)."""

    class User(Model, registry=registry):
        name: str
        status: str | None = attribute(index=True)

    return registry


def old_user(n: int, status: str | None = "a") -> dict[str, Any]:
    """A User item as written before ``status`` was indexed."""
    item = {"pk": f"USER#u{n}", "sk": f"USER#u{n}", "_et": "User", "id": f"u{n}", "name": "x"}
    if status is not None:
        item["status"] = status
    return item


def script(
    *,
    pages: dict[int, list[list[dict[str, Any]]]] | None = None,
    checkpoints: dict[int, dict[str, Any]] | None = None,
    item_count: int = 0,
) -> Callable[[Request], Any]:
    """Answers: DescribeTable with ``item_count``; checkpoint reads from ``checkpoints``; each
    segment's Scan pages in turn (verification scans see the items of every page); writes
    succeed."""
    pages = pages or {}
    checkpoints = checkpoints or {}

    def answer(request: Request) -> Any:
        params = request.params
        if request.operation == "DescribeTable":
            return {"Table": {"TableName": TABLE, "ItemCount": item_count}}
        if request.operation == "GetItem":
            sk = params["Key"]["sk"]["S"]
            if sk.startswith("BACKFILL#"):
                found = checkpoints.get(int(sk.rsplit("#", 1)[1]))
                return {"Item": marshall_item(found)} if found else {}
            return {}
        if request.operation == "Scan":
            segment = params["Segment"]
            chunks = pages.get(segment, [[]])
            if "ProjectionExpression" in params:  # verification: what was written is not kept
                return {"Items": [], "ScannedCount": 0}
            start = params.get("ExclusiveStartKey")
            index = 0 if start is None else int(start["pk"]["S"].rsplit("#", 1)[1]) + 1
            response: dict[str, Any] = {
                "Items": [marshall_item(i) for i in chunks[index]],
                "ScannedCount": len(chunks[index]),
            }
            if index + 1 < len(chunks):
                response["LastEvaluatedKey"] = {"pk": {"S": f"PAGE#{index}"}, "sk": {"S": "x"}}
            return response
        return {}

    return answer


def test_each_segment_scans_its_part_filtered_on_the_entity_types(indexed: Registry) -> None:
    stub = StubExecutor(answer=script())
    report = backfill(stub, indexed, table_name=TABLE, segments=3, run_id="r")
    scans = [r.params for r in stub.sent("Scan") if "ProjectionExpression" not in r.params]
    assert [(p["Segment"], p["TotalSegments"]) for p in scans] == [(0, 3), (1, 3), (2, 3)]
    assert scans[0] == {
        "TableName": TABLE,
        "FilterExpression": "#n0 IN (:v0)",
        "ExpressionAttributeNames": {"#n0": "_et"},
        "ExpressionAttributeValues": {":v0": {"S": "User"}},
        "Segment": 0,
        "TotalSegments": 3,
    }
    verification = [r.params for r in stub.sent("Scan") if "ProjectionExpression" in r.params]
    assert [p["Segment"] for p in verification] == [0, 1, 2]
    projected = set(verification[0]["ExpressionAttributeNames"].values())
    assert {"pk", "sk", "_et", "gsi1pk", "gsi1sk", "id", "status"} <= projected
    assert "name" not in projected  # only keys and what keys are computed from
    assert report.missing_after == 0
    assert report.resumed is False


def test_a_stale_item_gets_one_conditional_update_of_only_its_derived_keys(
    indexed: Registry,
) -> None:
    stub = StubExecutor(answer=script(pages={0: [[old_user(1), old_user(2, None)]]}))
    report = backfill(stub, indexed, table_name=TABLE, segments=1, run_id="r")
    (update,) = stub.sent("UpdateItem")
    assert update.params == {
        "TableName": TABLE,
        "Key": {"pk": {"S": "USER#u1"}, "sk": {"S": "USER#u1"}},
        "UpdateExpression": "SET #n1 = :v2, #n2 = :v3",
        # The item still exists, the keys are still unset and their sources unchanged.
        "ConditionExpression": (
            "attribute_exists(#n0) AND attribute_not_exists(#n1) AND attribute_not_exists(#n2) "
            "AND #n3 = :v0 AND #n4 = :v1"
        ),
        "ExpressionAttributeNames": {
            "#n0": "pk",
            "#n1": "gsi1pk",
            "#n2": "gsi1sk",
            "#n3": "id",
            "#n4": "status",
        },
        "ExpressionAttributeValues": {
            ":v0": {"S": "u1"},
            ":v1": {"S": "a"},
            ":v2": {"S": "USER#status#a"},
            ":v3": {"S": "USER#u1"},
        },
    }
    assert update.idempotent  # setting keys to computed values: safe to send again
    assert (report.updated, report.skipped, report.examined) == (1, 1, 2)


def test_a_key_the_scheme_no_longer_derives_is_removed(registry: Registry) -> None:
    class User(Model, registry=registry):
        name: str
        status: str | None = None

    stale = {**old_user(1), "gsi1pk": "USER#status#a", "gsi1sk": "USER#u1"}
    stub = StubExecutor(answer=script(pages={0: [[stale]]}))
    backfill(stub, registry, table_name=TABLE, segments=1, run_id="r")
    (update,) = stub.sent("UpdateItem")
    assert update.params["UpdateExpression"] == "REMOVE #n1, #n2"
    assert update.params["ExpressionAttributeNames"]["#n1"] == "gsi1pk"
    assert "#n1 = :v" in update.params["ConditionExpression"]  # removed only if still as read


def test_checkpoints_follow_each_page_and_mark_the_segment_done(indexed: Registry) -> None:
    pages = {0: [[old_user(1)], [old_user(2)]]}
    stub = StubExecutor(answer=script(pages=pages))
    backfill(stub, indexed, table_name=TABLE, segments=1, run_id="nightly")
    puts = stub.sent("PutItem")
    first, second = (unmarshall_item(p.params["Item"]) for p in puts)
    assert first["pk"] == "_MIGRATION"
    assert first["sk"] == "BACKFILL#nightly#0"
    assert "_et" not in first  # internal: no model scan or query ever returns it
    assert first["last_key"] == {"pk": "PAGE#0", "sk": "x"}
    assert (first["pages"], first["done"], first["updated"]) == (1, False, 1)
    assert "last_key" not in second
    assert (second["pages"], second["done"]) == (2, True)
    assert puts[0].params["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert puts[1].params["ConditionExpression"] == "#n0 = :v0"
    assert puts[1].params["ExpressionAttributeValues"] == {":v0": {"N": "1"}}
    # The checkpoint of a page is written after that page's writes.
    order = [r.operation for r in stub.requests if r.operation in ("UpdateItem", "PutItem")]
    assert order == ["UpdateItem", "PutItem", "UpdateItem", "PutItem"]


def checkpoint(segment: int, **fields: Any) -> dict[str, Any]:
    return {
        "pk": "_MIGRATION",
        "sk": f"BACKFILL#r#{segment}",
        "run_id": "r",
        "segment": segment,
        "total_segments": 2,
        "models": ["User"],
        "pages": 1,
        "scanned": 10,
        "updated": 4,
        "writer": "earlier",
        **fields,
    }


def test_a_run_resumes_from_its_stored_checkpoints(indexed: Registry) -> None:
    stored = {
        0: checkpoint(0, last_key={"pk": "PAGE#0", "sk": "x"}),
        1: checkpoint(1, done=True),
    }
    pages = {0: [[old_user(1)], [old_user(2)]]}
    seen: list[BackfillProgress] = []
    stub = StubExecutor(answer=script(pages=pages, checkpoints=stored, item_count=40))
    report = backfill(stub, indexed, table_name=TABLE, segments=2, run_id="r", progress=seen.append)
    scans = [r.params for r in stub.sent("Scan") if "ProjectionExpression" not in r.params]
    assert len(scans) == 1  # segment 1 is done; segment 0 goes on after its last key
    assert scans[0]["Segment"] == 0
    assert scans[0]["ExclusiveStartKey"] == {"pk": {"S": "PAGE#0"}, "sk": {"S": "x"}}
    (update,) = stub.sent("UpdateItem")
    assert update.params["Key"]["pk"] == {"S": "USER#u2"}
    (put,) = stub.sent("PutItem")
    assert put.params["ConditionExpression"] == "#n0 = :v0"  # still the page count read
    assert unmarshall_item(put.params["Item"])["pages"] == 2
    assert report.resumed is True
    assert report.updated == 1
    assert [s.done for s in report.segments] == [True, True]
    # Progress counts the earlier invocation too; the estimate is the whole table.
    assert (seen[-1].scanned, seen[-1].updated, seen[-1].total) == (21, 9, 40)
    assert (seen[-1].segments_done, seen[-1].eta_s) == (2, 0.0)


def test_a_run_with_other_segments_is_refused(indexed: Registry) -> None:
    stub = StubExecutor(answer=script(checkpoints={0: checkpoint(0)}))
    with pytest.raises(BackfillError, match="started with segments=2; resume it with segments=2"):
        backfill(stub, indexed, table_name=TABLE, segments=4, run_id="r")
    assert stub.sent("Scan") == []


def test_restart_ignores_the_checkpoints(indexed: Registry) -> None:
    stored = {0: checkpoint(0, done=True, total_segments=1)}
    stub = StubExecutor(answer=script(pages={0: [[old_user(1)]]}, checkpoints=stored))
    report = backfill(stub, indexed, table_name=TABLE, segments=1, run_id="r", restart=True)
    assert report.updated == 1
    assert report.resumed is False
    (put,) = stub.sent("PutItem")
    assert put.params["ExpressionAttributeValues"] == {":v0": {"N": "1"}}  # overwrites pages=1


def test_only_segments_runs_a_slice_of_the_segmentation(indexed: Registry) -> None:
    stub = StubExecutor(answer=script())
    report = backfill(stub, indexed, table_name=TABLE, segments=8, only_segments=[5, 2], run_id="r")
    reads = [r.params["Key"]["sk"]["S"] for r in stub.sent("GetItem")]
    assert reads == ["BACKFILL#r#2", "BACKFILL#r#5"]
    assert {(r.params["Segment"], r.params["TotalSegments"]) for r in stub.sent("Scan")} == {
        (2, 8),
        (5, 8),
    }
    assert [s.segment for s in report.segments] == [2, 5]


def test_a_concurrent_write_makes_the_backfill_read_again_and_recompute(
    indexed: Registry,
) -> None:
    changed = {**old_user(1), "status": "b"}
    stub = StubExecutor(answer=script(pages={0: [[old_user(1)]]}))
    stub.on("UpdateItem", ConditionalCheckFailedError("changed", code="x"), {})
    stub.on("GetItem", {}, {"Item": marshall_item(changed)})  # checkpoint, then the re-read
    report = backfill(stub, indexed, table_name=TABLE, segments=1, run_id="r")
    first, second = stub.sent("UpdateItem")
    reread = stub.sent("GetItem")[1]
    assert reread.params == {
        "TableName": TABLE,
        "Key": {"pk": {"S": "USER#u1"}, "sk": {"S": "USER#u1"}},
        "ConsistentRead": True,
    }
    assert first.params["ExpressionAttributeValues"][":v2"] == {"S": "USER#status#a"}
    assert second.params["ExpressionAttributeValues"][":v2"] == {"S": "USER#status#b"}
    assert (report.updated, report.retried) == (1, 1)


def test_an_item_deleted_meanwhile_is_counted_as_vanished(indexed: Registry) -> None:
    stub = StubExecutor(answer=script(pages={0: [[old_user(1)]]}))
    stub.on("UpdateItem", ConditionalCheckFailedError("gone", code="x"))
    stub.on("GetItem", {}, {})
    report = backfill(stub, indexed, table_name=TABLE, segments=1, run_id="r")
    assert (report.vanished, report.updated) == (1, 0)


def test_another_process_on_the_same_segment_stops_the_run(indexed: Registry) -> None:
    stub = StubExecutor(answer=script(pages={0: [[old_user(1)]]}))
    stub.on("PutItem", ConditionalCheckFailedError("taken", code="x"))
    other = checkpoint(0, total_segments=1, writer="someone-else")
    stub.on("GetItem", {}, {"Item": marshall_item(other)})
    with pytest.raises(CheckpointConflictError, match="give each process its own only_segments"):
        backfill(stub, indexed, table_name=TABLE, segments=1, run_id="r")


def test_a_collection_change_rekeys_items_in_one_transaction(registry: Registry) -> None:
    class Account(Model, registry=registry):
        name: str
        orders = HasMany("Order")

    class Order(Model, registry=registry):
        code: str = attribute(unique=True)
        account = BelongsTo("Account", collection=True)

    stored = {
        "pk": "ORDER#o1",
        "sk": "ORDER#o1",
        "_et": "Order",
        "id": "o1",
        "code": "C1",
        "account_id": "a1",
        "gsi1pk": "ACCOUNT#a1",
        "gsi1sk": "ORDER#o1",
    }
    stub = StubExecutor(answer=script(pages={0: [[stored]]}))
    report = backfill(stub, registry, table_name=TABLE, segments=1, run_id="r", models=["Order"])
    (tx,) = stub.sent("TransactWriteItems")
    put, delete, sentinel = tx.params["TransactItems"]
    moved = unmarshall_item(put["Put"]["Item"])
    assert (moved["pk"], moved["sk"]) == ("ACCOUNT#a1", "ORDER#o1")
    assert moved["gsi1pk"] == moved["gsi1sk"] == "ORDER#o1"  # lookup by id alone
    assert moved["code"] == "C1"
    assert moved["account_id"] == "a1"
    assert put["Put"]["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert delete["Delete"]["Key"] == {"pk": {"S": "ORDER#o1"}, "sk": {"S": "ORDER#o1"}}
    assert delete["Delete"]["ConditionExpression"].startswith("attribute_exists(#n0) AND")
    assert sentinel["Update"]["Key"]["pk"] == {"S": "_UNIQUE#ORDER#code#C1"}
    owner = unmarshall_item(sentinel["Update"]["ExpressionAttributeValues"])
    assert {"pk": "ACCOUNT#a1", "sk": "ORDER#o1"} in owner.values()
    assert "ClientRequestToken" in tx.params  # retried without applying it twice
    assert report.rekeyed == 1
    assert stub.sent("UpdateItem") == []


def test_an_item_whose_keys_cannot_be_computed_is_reported_not_fatal(
    indexed: Registry,
) -> None:
    broken = {**old_user(1), "id": "u#1"}
    stub = StubExecutor(answer=script(pages={0: [[broken, old_user(2)]]}))
    report = backfill(stub, indexed, table_name=TABLE, segments=1, run_id="r")
    assert (report.failed, report.updated) == (1, 1)
    assert "contains the key delimiter" in report.failures[0].reason
    assert report.failures[0].key == {"pk": "USER#u1", "sk": "USER#u1"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"models": ["Usr"]}, "no registered model or many-to-many pivot has that name"),
        ({"run_id": "a#b"}, "without the key delimiter"),
        ({"segments": 0}, "segments must be 1 to 1,000,000"),
        ({"segments": 4, "only_segments": [4]}, "must name segments 0 to 3"),
        ({"batch_size": 0}, "batch_size must be 1 to 1,000"),
        ({"page_size": 0}, "page_size must be at least 1"),
    ],
)
def test_bad_options_are_refused_before_any_request(
    indexed: Registry, options: dict[str, Any], message: str
) -> None:
    stub = StubExecutor(answer=script())
    with pytest.raises(BackfillError, match=message):
        backfill(stub, indexed, table_name=TABLE, **options)
    assert stub.requests == []


def test_a_missing_table_is_named_with_the_fix(indexed: Registry) -> None:
    stub = StubExecutor()
    stub.on("DescribeTable", ResourceNotFoundError("no table", code="ResourceNotFoundException"))
    with pytest.raises(BackfillError, match="create it first"):
        backfill(stub, indexed, table_name=TABLE)


def test_many_to_many_edges_get_their_keys_too(registry: Registry) -> None:
    class Role(Model, registry=registry):
        name: str

    class User(Model, registry=registry):
        name: str
        roles = BelongsToMany("Role")

    edge = EntityTransformer(registry).edge_item("RoleUser", owner_id="u1", other_id="r1")
    stale = {k: v for k, v in edge.items() if not k.startswith("gsi")}
    stub = StubExecutor(answer=script(pages={0: [[stale]]}))
    report = backfill(stub, registry, table_name=TABLE, segments=1, run_id="r")
    (update,) = stub.sent("UpdateItem")
    written = unmarshall_item(update.params["ExpressionAttributeValues"])
    assert {edge[k] for k in edge if k.startswith("gsi")} <= set(written.values())
    filter_values = stub.sent("Scan")[0].params["ExpressionAttributeValues"]
    assert unmarshall_item(filter_values) == {":v0": "Role", ":v1": "RoleUser", ":v2": "User"}
    assert report.updated == 1


def test_transient_failures_beyond_the_drivers_retries_are_waited_out(indexed: Registry) -> None:
    stub = StubExecutor(answer=script(pages={0: [[old_user(1)]]}))
    stub.on("Scan", ServerError("engine hiccup", code="InternalServerError"))
    stub.on("UpdateItem", ThrottlingError("slow down", code="ThrottlingException"))
    report = backfill(stub, indexed, table_name=TABLE, segments=1, run_id="r", verify=False)
    assert len(stub.sent("UpdateItem")) == 2  # sent again after a backoff
    assert report.updated == 1
    assert report.missing_after is None  # verify=False: not counted
