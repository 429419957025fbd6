"""Why a write's condition failed, and whether an earlier lost attempt was applied (no server)."""

from dynamodb_tooling.errors import (
    CancellationReason,
    ConditionalCheckFailedError,
    ItemAlreadyExistsError,
    StaleModelError,
    TransactionCanceledError,
)
from dynamodb_tooling.expressions import Update
from dynamodb_tooling.query._write_outcome import applied, explain, failed_entities
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.requests.items import update_item
from dynamodb_tooling.requests.transactions import TransactUpdate, transact_write
from tests.query.test_writes import POST, USER, make_compiler

FAILED = ConditionalCheckFailedError("failed", code="ConditionalCheckFailedException")


def compiler() -> WriteCompiler:
    return make_compiler()


def test_an_insert_finding_an_item_says_it_already_exists() -> None:
    plan = compiler().insert("Post", POST)
    (target,) = failed_entities(plan, FAILED)
    assert target.must_be_absent
    error = explain(target, {"pk": "POST#p1", "sk": "POST#p1", "title": "Other"}, FAILED)
    assert isinstance(error, ItemAlreadyExistsError)
    assert "Post 'p1' already exists; nothing was written" in str(error)


def test_an_update_of_a_gone_item_or_a_moved_unique_value_is_a_stale_instance() -> None:
    plan = compiler().update("User", USER, {"email": "new@example.com"})
    cancelled = TransactionCanceledError(
        "cancelled",
        reasons=[CancellationReason(0, "ConditionalCheckFailed", "The conditional request failed")],
    )
    (target,) = failed_entities(plan, cancelled)
    assert target.expects == {"email": "ada@example.com"}
    gone = explain(target, None, cancelled)
    assert isinstance(gone, StaleModelError)
    assert "does not exist" in str(gone)
    moved = explain(target, {"email": "other@example.com"}, cancelled)
    assert isinstance(moved, StaleModelError)
    assert "its email is no longer 'ada@example.com' (it is 'other@example.com')" in str(moved)
    # The item still as expected: the caller's own condition failed, nothing to explain.
    assert explain(target, {"email": "ada@example.com"}, cancelled) is None


def test_a_sentinel_failure_is_not_an_entity_failure() -> None:
    plan = compiler().insert("User", USER)
    taken = TransactionCanceledError(
        "cancelled",
        reasons=[
            CancellationReason(0, "None", ""),
            CancellationReason(1, "ConditionalCheckFailed", ""),
        ],
    )
    assert failed_entities(plan, taken) == []


def test_an_earlier_attempt_is_recognised_from_the_item_it_left() -> None:
    plan = compiler().insert("Post", POST)
    (target,) = plan.entities
    assert plan.item is not None
    assert applied(target, dict(plan.item)) is True
    assert applied(target, {**plan.item, "title": "Someone else's"}) is False
    assert applied(target, None) is False
    update = compiler().update("Post", POST, {"title": "New"}).entities[0]
    assert applied(update, {**POST, "title": "New", "updated_at": update.changes["updated_at"]})
    assert applied(update, {**POST, "title": "Old"}) is False
    delete = compiler().delete("Post", POST).entities[0]
    assert applied(delete, None) is True


def test_an_increment_cannot_be_told_from_the_item() -> None:
    plan = compiler().increment("Note", {"id": "n1", "title": "T"}, "views")
    (counter,) = plan.entities
    assert not counter.verifiable
    assert applied(counter, {"views": 3}) is None


def test_update_idempotency_is_known_from_its_actions() -> None:
    assert Update().set("a", 1).remove("b").idempotent
    assert Update().add("tags", {"x"}).delete("old", {"y"}).idempotent
    assert not Update().add("n", 1).idempotent
    assert not Update().increment("n").idempotent
    assert not Update().append_to_list("l", [1]).idempotent
    key = {"pk": "A", "sk": "B"}
    assert not update_item("T", key, Update().increment("n")).idempotent
    action = TransactUpdate("T", key, Update().increment("n"))
    assert not transact_write([action]).idempotent
    assert transact_write([action], client_request_token="t-1").idempotent


def test_removing_list_elements_is_not_idempotent() -> None:
    from dynamodb_tooling.expressions.paths import Path

    assert not Update().remove(Path.of("jobs", 0)).idempotent  # twice removes two elements
    assert Update().remove("jobs").idempotent
    assert Update().set_if_not_exists("a", 0).idempotent


def test_a_versioned_increment_cannot_be_told_from_its_version_alone() -> None:
    # Another writer's bump leaves the same version: the item proves nothing about ours.
    plan = compiler().increment("Note", {"id": "n1", "title": "T"}, "views", expect_version=1)
    (target,) = plan.entities
    assert not target.verifiable
    assert target.version == ("_v", 1)
    assert applied(target, {"views": 3, "_v": 2}) is None
