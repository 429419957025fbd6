"""Atomic single-item writes, batch helpers' refusals, and failed writes translated."""

from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    CancellationReason,
    ConditionalCheckFailedError,
    QueryError,
    TransactionCanceledError,
    UniqueConstraintError,
    VersionConflictError,
)
from dynamodb_tooling.query.unique import run_write, translate_write_error
from dynamodb_tooling.query.writes import WriteCompiler, delete_many, insert_many
from dynamodb_tooling.requests import Request
from dynamodb_tooling.schema.casts import AttributeCastError
from dynamodb_tooling.testing.stub import StubExecutor
from tests.query.test_writes import NOTE_KEY, TS, USER, make_compiler, s


@pytest.fixture
def compiler() -> WriteCompiler:
    return make_compiler()


NOTE = {"id": "n1"}


def test_increment_is_a_conditional_counter_update(compiler: WriteCompiler) -> None:
    plan = compiler.increment("Note", NOTE, "views", 2)
    assert plan.request.params == {
        "TableName": "Blog",
        "Key": NOTE_KEY,
        "ConditionExpression": "attribute_exists(#n0)",
        "UpdateExpression": "SET #n1 = if_not_exists(#n1, :v0) + :v1, #n2 = :v2, "
        "#n3 = if_not_exists(#n3, :v3) + :v4",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "views", "#n2": "updated_at", "#n3": "_v"},
        "ExpressionAttributeValues": {
            ":v0": {"N": "0"},
            ":v1": {"N": "2"},
            ":v2": s(TS),
            ":v3": {"N": "0"},
            ":v4": {"N": "1"},
        },
    }
    assert plan.versions == ()  # atomic writes need no read: the version is bumped, not checked


def test_atomic_write_with_expect_version_checks_it(compiler: WriteCompiler) -> None:
    params = compiler.decrement(
        "Note", {**NOTE, "_v": 9}, "score", Decimal("1.5"), expect_version=4
    ).request.params
    assert params["UpdateExpression"].startswith("SET #n2 = if_not_exists(#n2, :v1) - :v2")
    assert params["ConditionExpression"] == "attribute_exists(#n0) AND #n1 = :v0"
    assert params["ExpressionAttributeValues"][":v0"] == {"N": "4"}
    assert params["ExpressionAttributeValues"][":v2"] == {"N": "1.5"}


def test_set_operations(compiler: WriteCompiler) -> None:
    added = compiler.add_to_set("Note", NOTE, "tags", ["b", "a"]).request.params
    # SET (updated_at, the version) renders first, so it takes the first placeholders.
    assert added["UpdateExpression"].endswith("ADD #n3 :v3")
    assert added["ExpressionAttributeNames"]["#n3"] == "tags"
    assert added["ExpressionAttributeValues"][":v3"] == {"SS": ["a", "b"]}
    removed = compiler.remove_from_set("Note", NOTE, "tags", {"a"}).request.params
    assert removed["UpdateExpression"].endswith("DELETE #n3 :v3")


def test_list_operations(compiler: WriteCompiler) -> None:
    appended = compiler.append_to_list("Note", NOTE, "history", ["x"]).request.params
    assert appended["UpdateExpression"].startswith("SET #n1 = list_append(if_not_exists(#n1, :v0)")
    assert appended["ExpressionAttributeValues"][":v0"] == {"L": []}
    assert appended["ExpressionAttributeValues"][":v1"] == {"L": [s("x")]}
    prepended = compiler.prepend_to_list("Note", NOTE, "history", ["y"]).request.params
    assert prepended["UpdateExpression"].startswith("SET #n1 = list_append(:v0, if_not_exists")
    cut = compiler.remove_from_list("Note", NOTE, "history", [3, 0, 3]).request.params
    assert cut["UpdateExpression"].endswith("REMOVE #n3[0], #n3[3]")
    assert cut["ExpressionAttributeNames"]["#n3"] == "history"


def test_remove_attributes_drops_dependent_index_keys(compiler: WriteCompiler) -> None:
    params = compiler.remove_attributes("Note", NOTE, "state", "views").request.params
    assert params["UpdateExpression"].endswith("REMOVE #n3, #n4, #n5, #n6")
    names = params["ExpressionAttributeNames"]
    assert [names[f"#n{i}"] for i in range(3, 7)] == ["state", "views", "gsi1pk", "gsi1sk"]


def test_atomic_writes_pass_options(compiler: WriteCompiler) -> None:
    params = compiler.increment(
        "Note",
        NOTE,
        "views",
        return_values="UPDATED_NEW",
        return_values_on_condition_check_failure="ALL_OLD",
    ).request.params
    assert params["ReturnValues"] == "UPDATED_NEW"
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.increment("Note", NOTE, "title"), "needs a numeric attribute"),
        (lambda c: c.increment("Note", NOTE, "views", "2"), "takes a number"),
        (lambda c: c.increment("Note", NOTE, "handle"), "Note.handle is unique"),
        (lambda c: c.increment("Note", NOTE, "state"), "part of an index key"),
        (lambda c: c.increment("Note", NOTE, "_v"), "library-maintained"),
        (lambda c: c.increment("Note", NOTE, "id"), "part of the item's pk/sk"),
        (lambda c: c.increment("Post", {"id": "p1"}, "user_id"), "part of an index key"),
        (lambda c: c.add_to_set("Note", NOTE, "history", {"a"}), "needs a set attribute"),
        (lambda c: c.add_to_set("Note", NOTE, "tags", []), "non-empty set"),
        (lambda c: c.append_to_list("Note", NOTE, "tags", ["a"]), "needs a list attribute"),
        (lambda c: c.append_to_list("Note", NOTE, "history", "a"), "takes a list"),
        (lambda c: c.remove_from_list("Note", NOTE, "history", []), "one or more list positions"),
        (lambda c: c.remove_from_list("Note", NOTE, "history", [-1]), "ints from 0"),
        (lambda c: c.remove_attributes("Note", NOTE, "title"), "not nullable"),
        (lambda c: c.remove_attributes("Note", NOTE, "handle"), "unique"),
        (lambda c: c.remove_attributes("Note", NOTE, "created_at"), "maintained by the library"),
        (lambda c: c.remove_attributes("Note", NOTE), "at least one attribute"),
    ],
)
def test_atomic_refusals(call: Any, message: str, compiler: WriteCompiler) -> None:
    with pytest.raises(QueryError, match=message):
        call(compiler)


def test_atomic_write_values_are_cast_by_declared_type(compiler: WriteCompiler) -> None:
    with pytest.raises(AttributeCastError, match="has no attribute 'veiws'; did you mean 'views'"):
        compiler.increment("Note", NOTE, "veiws")
    with pytest.raises(AttributeCastError, match=r"Note\.views must be an integer"):
        compiler.increment("Note", NOTE, "views", 1.5)
    with pytest.raises(AttributeCastError, match=r"Note\.tags must be a string, got int 1"):
        compiler.add_to_set("Note", NOTE, "tags", [1])


# Batches refuse unique models before any IO.
class NoClient(DynamoDBClient):
    def __init__(self) -> None:  # never connects
        pass

    def execute(self, request: Request) -> dict[str, Any]:
        raise AssertionError("nothing may be sent")


def test_batch_helpers_refuse_models_with_unique_attributes(compiler: WriteCompiler) -> None:
    with pytest.raises(QueryError, match=r"email must stay unique.*use transaction\(\)"):
        insert_many(NoClient(), compiler, "User", [USER])
    with pytest.raises(QueryError, match="delete_many"):
        delete_many(NoClient(), compiler, "User", [USER])


def test_insert_many_refuses_repeated_keys(compiler: WriteCompiler) -> None:
    post = {"id": "p1", "user_id": "u1", "title": "Hi"}
    with pytest.raises(ValueError, match="items 0 and 1 have the same key"):
        insert_many(NoClient(), compiler, "Post", [post, post])


# Failures translated.
def cancelled(*codes: str, item: dict[str, Any] | None = None) -> TransactionCanceledError:
    reasons = [
        CancellationReason(i, code, "", item if code != "None" else None)
        for i, code in enumerate(codes)
    ]
    return TransactionCanceledError("cancelled", reasons=reasons)


def test_a_failed_sentinel_put_is_a_unique_constraint_error(compiler: WriteCompiler) -> None:
    plan = compiler.insert("User", USER)
    error = translate_write_error(cancelled("None", "ConditionalCheckFailed"), plan)
    assert isinstance(error, UniqueConstraintError)
    assert str(error).startswith("User.email 'ada@example.com' is already taken")
    assert (error.model, error.attribute, error.value) == ("User", "email", "ada@example.com")


def test_other_failures_are_kept(compiler: WriteCompiler) -> None:
    plan = compiler.insert("User", USER)
    original = cancelled("ConditionalCheckFailed", "None")  # the user id already exists
    assert translate_write_error(original, plan) is original


def test_a_failed_version_check_is_a_version_conflict(compiler: WriteCompiler) -> None:
    plan = compiler.update("Note", {"id": "n1", "title": "T", "_v": 3}, {"title": "x"})
    moved = ConditionalCheckFailedError("failed", item={"_v": {"N": "4"}})
    error = translate_write_error(moved, plan)
    assert isinstance(error, VersionConflictError)
    assert (error.model, error.expected) == ("Note", 3)
    assert "it is at version 4" in str(error)
    gone = translate_write_error(ConditionalCheckFailedError("failed"), plan)
    assert isinstance(gone, VersionConflictError)
    same = ConditionalCheckFailedError("failed", item={"_v": {"N": "3"}})
    assert translate_write_error(same, plan) is same  # another condition failed


def test_a_version_conflict_inside_a_unique_transaction(compiler: WriteCompiler) -> None:
    values = {"id": "n1", "title": "T", "handle": "a", "_v": 2}
    plan = compiler.update("Note", values, {"handle": "b"})
    error = cancelled("ConditionalCheckFailed", "None", "None", item={"_v": {"N": "5"}})
    assert isinstance(translate_write_error(error, plan), VersionConflictError)


def test_run_write_raises_the_translated_error(compiler: WriteCompiler) -> None:
    client = StubExecutor(config=compiler.config)
    client.on("TransactWriteItems", cancelled("None", "ConditionalCheckFailed"))
    with pytest.raises(UniqueConstraintError) as raised:
        run_write(client, compiler.insert("User", USER), client_request_token="tok")
    assert isinstance(raised.value.__cause__, TransactionCanceledError)
    (sent,) = client.requests  # the sentinel failed: nothing needed reading back
    assert len(sent.params["TransactItems"]) == 2
    assert sent.params["ClientRequestToken"] == "tok"


def test_run_write_reraises_untranslated_errors(compiler: WriteCompiler) -> None:
    failure = ConditionalCheckFailedError("exists")
    client = StubExecutor(config=compiler.config)
    client.on("PutItem", failure)
    with pytest.raises(ConditionalCheckFailedError) as raised:
        run_write(client, compiler.insert("Post", {"id": "p1", "user_id": "u1", "title": "x"}))
    assert raised.value is failure  # the item is not there: not the library's own guard
    assert [r.operation for r in client.requests] == ["PutItem", "GetItem"]
    assert client.requests[1].params["ConsistentRead"] is True
