"""WriteCompiler: the exact requests of model writes (no server)."""

from datetime import UTC, datetime
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import attr
from dynamodb_tooling.query._write_plan import UniqueTarget, VersionTarget
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.schema import KeyValueError, ModelDefinition, Registry, SchemaError, Traits
from dynamodb_tooling.schema.casts import AttributeCastError
from dynamodb_tooling.schema.naming import make_attribute
from tests.schema import blog

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TS = "2026-11-25T12:00:00+00:00"
T = "Blog"

#: A versioned, soft-deleting model with an indexed attribute, a nullable unique attribute and
#: attributes of every kind the atomic operations work on.
NOTE = ModelDefinition(
    "Note",
    "NOTE",
    attributes=(
        make_attribute("title", "string"),
        make_attribute("views", "integer", nullable=True),
        make_attribute("score", "decimal", nullable=True),
        make_attribute("tags", "string_set", nullable=True),
        make_attribute("history", "list", nullable=True),
        make_attribute("state", "string", nullable=True, index=True),
        make_attribute("handle", "string", nullable=True, unique=True),
    ),
    traits=Traits(timestamps=True, soft_deletes=True, versioning=True),
)


def make_registry(options: dict[str, Any] | None = None) -> Registry:
    registry = Registry(validate_config(options or {}))
    for definition in (*blog.BLOG, NOTE):
        registry.register(definition)
    return registry


def make_compiler(registry: Registry | None = None, table: str = T) -> WriteCompiler:
    return WriteCompiler(registry or make_registry(), table, clock=lambda: NOW)


@pytest.fixture
def compiler() -> WriteCompiler:
    return make_compiler()


def s(value: str) -> dict[str, str]:
    return {"S": value}


USER = {"id": "u1", "email": "ada@example.com", "name": "Ada", "team_id": "t1"}
USER_KEY = {"pk": s("USER#u1"), "sk": s("USER#u1")}
POST = {"id": "p1", "user_id": "u1", "title": "Hi", "status": "draft"}
POST_KEY = {"pk": s("POST#p1"), "sk": s("POST#p1")}
NOTE_VALUES = {"id": "n1", "title": "T", "state": "open", "_v": 3}
NOTE_KEY = {"pk": s("NOTE#n1"), "sk": s("NOTE#n1")}
OWNER_IS_U1 = {
    "ConditionExpression": "attribute_not_exists(#n0) OR #n1.#n0 = :v0 AND #n1.#n2 = :v1",
    "ExpressionAttributeNames": {"#n0": "pk", "#n1": "owner", "#n2": "sk"},
    "ExpressionAttributeValues": {":v0": s("USER#u1"), ":v1": s("USER#u1")},
}


def sentinel(email: str) -> dict[str, Any]:
    token = s(f"_UNIQUE#USER#email#{email}")
    return {"pk": token, "sk": token}


def sentinel_put(email: str, condition: dict[str, Any]) -> dict[str, Any]:
    item = {
        **sentinel(email),
        "_et": s("_Unique"),
        "owner": {"M": {"pk": s("USER#u1"), "sk": s("USER#u1")}},
    }
    return {"Put": {"TableName": T, "Item": item, **condition}}


def sentinel_release(email: str) -> dict[str, Any]:
    return {"Delete": {"TableName": T, "Key": sentinel(email), **OWNER_IS_U1}}


NOT_EXISTS = {
    "ConditionExpression": "attribute_not_exists(#n0)",
    "ExpressionAttributeNames": {"#n0": "pk"},
}


# Inserts.
def test_insert_without_unique_attributes_is_a_conditional_put(compiler: WriteCompiler) -> None:
    plan = compiler.insert("Post", POST)
    assert plan.request.operation == "PutItem"
    assert plan.request.params == {
        "TableName": T,
        "Item": {
            **POST_KEY,
            "_et": s("Post"),
            "gsi1pk": s("USER#u1"),
            "gsi1sk": s("POST#p1"),
            "gsi2pk": s("POST#status#draft"),
            "gsi2sk": s("POST#p1"),
            "id": s("p1"),
            "user_id": s("u1"),
            "title": s("Hi"),
            "status": s("draft"),
            "created_at": s(TS),
            "updated_at": s(TS),
        },
        **NOT_EXISTS,
    }
    assert plan.item is not None
    assert plan.item["gsi2pk"] == "POST#status#draft"
    assert plan.key == {"pk": "POST#p1", "sk": "POST#p1"}
    assert len(plan.actions) == 1
    assert not plan.transactional


def test_insert_with_a_unique_attribute_reserves_its_sentinel(compiler: WriteCompiler) -> None:
    plan = compiler.insert("User", USER)
    assert plan.request.operation == "TransactWriteItems"
    assert plan.request.params == {
        "TransactItems": [
            {
                "Put": {
                    "TableName": T,
                    "Item": {
                        **USER_KEY,
                        "_et": s("User"),
                        "gsi1pk": s("TEAM#t1"),
                        "gsi1sk": s("USER#u1"),
                        "id": s("u1"),
                        "email": s("ada@example.com"),
                        "name": s("Ada"),
                        "team_id": s("t1"),
                        "created_at": s(TS),
                        "updated_at": s(TS),
                    },
                    **NOT_EXISTS,
                }
            },
            sentinel_put("ada@example.com", NOT_EXISTS),
        ]
    }
    assert plan.uniques == (UniqueTarget(1, "User", "email", "ada@example.com"),)


def test_insert_generates_a_time_ordered_id_when_missing(compiler: WriteCompiler) -> None:
    plan = compiler.insert("Post", {"user_id": "u1", "title": "Hi"})
    assert plan.item is not None
    new_id = plan.item["id"]
    assert len(new_id) == 26  # a ULID
    assert plan.item["pk"] == f"POST#{new_id}"
    assert "gsi2pk" not in plan.item  # no status: not in the sparse status index


def test_insert_with_a_null_unique_value_needs_no_sentinel(compiler: WriteCompiler) -> None:
    plan = compiler.insert("Note", {"id": "n1", "title": "T"})
    assert plan.request.operation == "PutItem"
    assert plan.request.params["Item"]["_v"] == {"N": "1"}
    assert plan.uniques == ()


def test_insert_options_are_anded_and_passed_on(compiler: WriteCompiler) -> None:
    plan = compiler.insert(
        "Post",
        POST,
        condition=attr("title").not_exists(),
        return_values_on_condition_check_failure="ALL_OLD",
    )
    params = plan.request.params
    assert (
        params["ConditionExpression"] == "attribute_not_exists(#n0) AND attribute_not_exists(#n1)"
    )
    assert params["ExpressionAttributeNames"] == {"#n0": "pk", "#n1": "title"}
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({**POST, "titel": "x"}, "has no attribute 'titel'; did you mean 'title'"),
        ({**POST, "title": 5}, "Post.title must be a string"),
        ({"id": "p1", "user_id": "u1"}, "Post needs title"),
    ],
)
def test_insert_refuses_bad_values(
    compiler: WriteCompiler, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(AttributeCastError, match=message):
        compiler.insert("Post", values)


def test_insert_refuses_a_delimiter_in_an_id(compiler: WriteCompiler) -> None:
    with pytest.raises(KeyValueError, match="delimiter"):
        compiler.insert("Post", {**POST, "id": "p1#x"})


def test_unknown_model_is_refused(compiler: WriteCompiler) -> None:
    with pytest.raises(SchemaError, match="no model named 'Pots'"):
        compiler.insert("Pots", POST)


# Upserts.
def test_upsert_of_a_unique_model_needs_what_the_item_holds(compiler: WriteCompiler) -> None:
    # Without the current values an old unique value's sentinel would be left behind.
    with pytest.raises(QueryError, match=r"needs original=.*User\.query\(\)\.upsert"):
        compiler.upsert("User", USER)


def test_upsert_of_a_new_item_requires_that_none_exists_and_reclaims_its_own_sentinel(
    compiler: WriteCompiler,
) -> None:
    plan = compiler.upsert("User", USER, original={})
    items = plan.request.params["TransactItems"]
    assert items[0]["Put"]["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert items[1] == sentinel_put("ada@example.com", OWNER_IS_U1)
    assert plan.uniques == (UniqueTarget(1, "User", "email", "ada@example.com"),)
    assert plan.entities[0].must_be_absent


def test_upsert_keeping_a_unique_value_requires_the_item_still_holds_it(
    compiler: WriteCompiler,
) -> None:
    plan = compiler.upsert("User", {**USER, "name": "Ada L."}, original=USER)
    put_action = plan.request.params["TransactItems"][0]["Put"]
    assert put_action["ConditionExpression"] == "#n0 = :v0"
    assert put_action["ExpressionAttributeNames"] == {"#n0": "email"}
    assert put_action["ExpressionAttributeValues"] == {":v0": s("ada@example.com")}


def test_upsert_with_original_moves_a_changed_unique_value(compiler: WriteCompiler) -> None:
    original = {**USER, "created_at": "2026-01-01T00:00:00+00:00"}
    plan = compiler.upsert("User", {**USER, "email": "ada@new.io"}, original=original)
    items = plan.request.params["TransactItems"]
    assert items[0]["Put"]["ConditionExpression"] == "#n0 = :v0"
    assert items[0]["Put"]["ExpressionAttributeNames"] == {"#n0": "email"}
    assert items[0]["Put"]["ExpressionAttributeValues"] == {":v0": s("ada@example.com")}
    assert items[0]["Put"]["Item"]["created_at"] == s("2026-01-01T00:00:00+00:00")
    assert items[1] == sentinel_release("ada@example.com")
    assert items[2] == sentinel_put("ada@new.io", OWNER_IS_U1)
    assert plan.uniques == (UniqueTarget(2, "User", "email", "ada@new.io"),)


def test_upsert_existence_options(compiler: WriteCompiler) -> None:
    absent = compiler.upsert("Post", POST, if_not_exists=True).request.params
    present = compiler.upsert("Post", POST, if_exists=True, return_values="ALL_OLD").request.params
    assert absent["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert present["ConditionExpression"] == "attribute_exists(#n0)"
    assert present["ReturnValues"] == "ALL_OLD"
    with pytest.raises(QueryError, match="exclude each other"):
        compiler.upsert("Post", POST, if_exists=True, if_not_exists=True)
    with pytest.raises(QueryError, match="only valid for updates"):
        compiler.upsert("Post", POST, return_values="ALL_NEW")


def test_versioned_upsert_checks_and_bumps_the_version(compiler: WriteCompiler) -> None:
    plan = compiler.upsert("Note", {"id": "n1", "title": "New"}, original=NOTE_VALUES)
    params = plan.request.params
    assert params["Item"]["_v"] == {"N": "4"}
    # The version is checked, and the item must still hold no unique handle (it had none):
    # a handle set in between would otherwise lose its sentinel's owner.
    assert params["ConditionExpression"] == "#n0 = :v0 AND attribute_not_exists(#n1)"
    assert params["ExpressionAttributeNames"] == {"#n0": "_v", "#n1": "handle"}
    assert params["ExpressionAttributeValues"] == {":v0": {"N": "3"}}
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    assert plan.versions == (VersionTarget(0, "Note", 3, "_v", {"pk": "NOTE#n1", "sk": "NOTE#n1"}),)


def test_upsert_refuses_an_original_of_another_item(compiler: WriteCompiler) -> None:
    with pytest.raises(QueryError, match="delete and insert instead"):
        compiler.upsert("Post", POST, original={**POST, "id": "p2"})


# Updates.
def test_update_of_an_indexed_attribute_sets_its_new_index_key(compiler: WriteCompiler) -> None:
    plan = compiler.update("Post", POST, {"status": "live"})
    assert plan.request.operation == "UpdateItem"
    assert plan.request.params == {
        "TableName": T,
        "Key": POST_KEY,
        "ConditionExpression": "attribute_exists(#n0)",
        "UpdateExpression": "SET #n1 = :v0, #n2 = :v1, #n3 = :v2",
        "ExpressionAttributeNames": {
            "#n0": "pk",
            "#n1": "status",
            "#n2": "updated_at",
            "#n3": "gsi2pk",
        },
        "ExpressionAttributeValues": {
            ":v0": s("live"),
            ":v1": s(TS),
            ":v2": s("POST#status#live"),
        },
    }
    assert plan.changes == {"status": "live", "updated_at": TS}


def test_update_of_an_indexed_attribute_to_none_removes_its_index_keys(
    compiler: WriteCompiler,
) -> None:
    params = compiler.update("Post", POST, {"status": None}).request.params
    assert params["UpdateExpression"] == "SET #n1 = :v0 REMOVE #n2, #n3, #n4"
    assert params["ExpressionAttributeNames"] == {
        "#n0": "pk",
        "#n1": "updated_at",
        "#n2": "status",
        "#n3": "gsi2pk",
        "#n4": "gsi2sk",
    }


def test_update_of_an_indexed_attribute_from_none_sets_both_keys(
    compiler: WriteCompiler,
) -> None:
    original = {**POST, "status": None}
    params = compiler.update("Post", original, {"status": "live"}).request.params
    assert params["UpdateExpression"] == "SET #n1 = :v0, #n2 = :v1, #n3 = :v2, #n4 = :v3"
    names = params["ExpressionAttributeNames"]
    assert [names["#n3"], names["#n4"]] == ["gsi2pk", "gsi2sk"]
    assert params["ExpressionAttributeValues"][":v3"] == s("POST#p1")


def test_update_of_a_foreign_key_moves_the_parent_path(compiler: WriteCompiler) -> None:
    params = compiler.update("Post", POST, {"user_id": "u2"}).request.params
    assert params["UpdateExpression"] == "SET #n1 = :v0, #n2 = :v1, #n3 = :v2"
    assert params["ExpressionAttributeNames"]["#n3"] == "gsi1pk"
    assert params["ExpressionAttributeValues"][":v2"] == s("USER#u2")


def test_update_of_a_sort_attribute_recomputes_the_sorted_key(compiler: WriteCompiler) -> None:
    order = {"id": "o1", "user_id": "u1", "total": 5, "status": "open"}
    original = {**order, "created_at": "2026-01-01T00:00:00+00:00"}
    params = compiler.update(
        "Order", original, {"created_at": datetime(2026, 2, 1, tzinfo=UTC)}
    ).request.params
    assert params["Key"] == {"pk": s("USER#u1"), "sk": s("ORDER#o1")}
    assert params["ExpressionAttributeNames"]["#n3"] == "lsi1sk"
    assert params["ExpressionAttributeValues"][":v2"] == s("ORDER#2026-02-01T00:00:00+00:00#o1")


def test_update_of_a_unique_value_moves_its_sentinel(compiler: WriteCompiler) -> None:
    plan = compiler.update("User", USER, {"email": "ada@new.io"})
    assert plan.request.params == {
        "TransactItems": [
            {
                "Update": {
                    "TableName": T,
                    "Key": USER_KEY,
                    "ConditionExpression": "attribute_exists(#n0) AND #n1 = :v0",
                    "UpdateExpression": "SET #n1 = :v1, #n2 = :v2",
                    "ExpressionAttributeNames": {"#n0": "pk", "#n1": "email", "#n2": "updated_at"},
                    "ExpressionAttributeValues": {
                        ":v0": s("ada@example.com"),
                        ":v1": s("ada@new.io"),
                        ":v2": s(TS),
                    },
                }
            },
            sentinel_release("ada@example.com"),
            sentinel_put("ada@new.io", NOT_EXISTS),
        ]
    }
    assert plan.uniques == (UniqueTarget(2, "User", "email", "ada@new.io"),)


def test_update_of_a_unique_value_to_none_only_releases(compiler: WriteCompiler) -> None:
    plan = compiler.update("Note", {**NOTE_VALUES, "handle": "nb"}, {"handle": None})
    items = plan.request.params["TransactItems"]
    assert [next(iter(i)) for i in items] == ["Update", "Delete"]
    assert items[1]["Delete"]["Key"]["pk"] == s("_UNIQUE#NOTE#handle#nb")
    assert plan.uniques == ()


def test_update_with_an_unchanged_unique_value_stays_a_single_update(
    compiler: WriteCompiler,
) -> None:
    plan = compiler.update("User", USER, {"email": "ada@example.com", "name": "Ada L."})
    assert plan.request.operation == "UpdateItem"


def test_versioned_update_checks_and_bumps_the_version(compiler: WriteCompiler) -> None:
    plan = compiler.update("Note", NOTE_VALUES, {"title": "New"})
    assert plan.request.params == {
        "TableName": T,
        "Key": NOTE_KEY,
        "ConditionExpression": "attribute_exists(#n0) AND #n1 = :v0",
        "UpdateExpression": "SET #n2 = :v1, #n3 = :v2, #n1 = #n1 + :v3",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "_v", "#n2": "title", "#n3": "updated_at"},
        "ExpressionAttributeValues": {
            ":v0": {"N": "3"},
            ":v1": s("New"),
            ":v2": s(TS),
            ":v3": {"N": "1"},
        },
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    assert plan.changes["_v"] == 4
    assert plan.versions == (VersionTarget(0, "Note", 3, "_v", {"pk": "NOTE#n1", "sk": "NOTE#n1"}),)


def test_expect_version_overrides_the_read_version(compiler: WriteCompiler) -> None:
    params = compiler.update("Note", NOTE_VALUES, {"title": "x"}, expect_version=7).request.params
    assert params["ExpressionAttributeValues"][":v0"] == {"N": "7"}


def test_versioned_update_needs_a_version(compiler: WriteCompiler) -> None:
    with pytest.raises(QueryError, match="pass expect_version"):
        compiler.update("Note", {"id": "n1"}, {"title": "x"})


def test_update_options(compiler: WriteCompiler) -> None:
    params = compiler.update(
        "Post",
        POST,
        {"title": "New"},
        condition=attr("status") == "draft",
        return_values="ALL_NEW",
        return_values_on_condition_check_failure="ALL_OLD",
    ).request.params
    assert params["ConditionExpression"] == "attribute_exists(#n0) AND #n1 = :v0"
    assert params["ExpressionAttributeNames"]["#n1"] == "status"
    assert params["ReturnValues"] == "ALL_NEW"
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_update_accepts_a_raw_item_as_original(compiler: WriteCompiler) -> None:
    item = compiler.insert("Post", POST).item
    assert item is not None
    params = compiler.update("Post", item, {"title": "New"}).request.params
    assert params["Key"] == POST_KEY


@pytest.mark.parametrize(
    ("model", "original", "changes", "error", "message"),
    [
        ("Post", POST, {"id": "p2"}, QueryError, r"Post\.id would move .* delete and insert"),
        (
            "Order",
            {"id": "o1", "user_id": "u1"},
            {"user_id": "u2"},
            QueryError,
            r"Order\.user_id would move the item .* delete and insert instead",
        ),
        ("Post", POST, {"titel": "x"}, AttributeCastError, "did you mean 'title'"),
        ("Post", POST, {"title": None}, AttributeCastError, "Post.title is not nullable"),
        ("Post", POST, {"title": 3}, AttributeCastError, "must be a string"),
        ("Post", POST, {}, QueryError, "nothing to update"),
        ("Note", NOTE_VALUES, {"_v": 9}, QueryError, "maintained by optimistic locking"),
        ("Post", {"title": "x"}, {"title": "y"}, KeyValueError, "Post.id is required"),
    ],
)
def test_update_refusals(
    compiler: WriteCompiler,
    model: str,
    original: dict[str, Any],
    changes: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        compiler.update(model, original, changes)


def test_return_values_cannot_ride_a_unique_transaction(compiler: WriteCompiler) -> None:
    with pytest.raises(QueryError, match="TransactWriteItems returns no values"):
        compiler.update("User", USER, {"email": "x@y.z"}, return_values="ALL_NEW")


def test_touch_only_bumps_updated_at(compiler: WriteCompiler) -> None:
    params = compiler.touch("Post", POST).request.params
    assert params["UpdateExpression"] == "SET #n1 = :v0"
    with pytest.raises(QueryError, match="no timestamps"):
        compiler.touch("Role", {"id": "r1"})


# Deletes.
def test_delete_without_unique_attributes_is_a_plain_delete(compiler: WriteCompiler) -> None:
    plan = compiler.delete("Post", POST)
    assert plan.request.params == {"TableName": T, "Key": POST_KEY}
    checked = compiler.delete("Post", POST, if_exists=True, return_values="ALL_OLD")
    assert checked.request.params["ConditionExpression"] == "attribute_exists(#n0)"
    assert checked.request.params["ReturnValues"] == "ALL_OLD"


def test_delete_releases_unique_sentinels(compiler: WriteCompiler) -> None:
    plan = compiler.delete("User", USER)
    assert plan.request.params == {
        "TransactItems": [
            {
                "Delete": {
                    "TableName": T,
                    "Key": USER_KEY,
                    "ConditionExpression": "attribute_not_exists(#n0) OR #n1 = :v0",
                    "ExpressionAttributeNames": {"#n0": "pk", "#n1": "email"},
                    "ExpressionAttributeValues": {":v0": s("ada@example.com")},
                }
            },
            sentinel_release("ada@example.com"),
        ]
    }
    assert compiler.force_delete("User", USER).request == plan.request


def test_versioned_delete_checks_the_version(compiler: WriteCompiler) -> None:
    plan = compiler.delete("Note", NOTE_VALUES, condition=attr("state") == "open")
    params = plan.request.params
    assert params["ConditionExpression"] == (
        "#n0 = :v0 AND (attribute_not_exists(#n1) OR attribute_not_exists(#n2)) AND #n3 = :v1"
    )
    assert params["ExpressionAttributeNames"] == {
        "#n0": "_v",
        "#n1": "pk",
        "#n2": "handle",
        "#n3": "state",
    }
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    assert plan.versions[0].expected == 3


# Soft deletes.
def test_soft_delete_sets_deleted_at_and_leaves_attribute_indexes(
    compiler: WriteCompiler,
) -> None:
    params = compiler.soft_delete("Note", NOTE_VALUES).request.params
    assert params["UpdateExpression"] == (
        "SET #n2 = :v1, #n3 = :v2, #n1 = #n1 + :v3 REMOVE #n4, #n5"
    )
    assert params["ExpressionAttributeNames"] == {
        "#n0": "pk",
        "#n1": "_v",
        "#n2": "deleted_at",
        "#n3": "updated_at",
        "#n4": "gsi1pk",
        "#n5": "gsi1sk",
    }
    assert params["ExpressionAttributeValues"][":v1"] == s(TS)


def test_restore_removes_deleted_at_and_restores_attribute_indexes(
    compiler: WriteCompiler,
) -> None:
    values = {**NOTE_VALUES, "deleted_at": NOW}
    params = compiler.restore("Note", values).request.params
    assert params["UpdateExpression"] == (
        "SET #n2 = :v1, #n3 = :v2, #n4 = :v3, #n1 = #n1 + :v4 REMOVE #n5"
    )
    names = params["ExpressionAttributeNames"]
    assert [names[f"#n{i}"] for i in range(2, 6)] == [
        "updated_at",
        "gsi1pk",
        "gsi1sk",
        "deleted_at",
    ]
    assert params["ExpressionAttributeValues"][":v2"] == s("NOTE#state#open")


def test_soft_delete_of_a_user_keeps_its_sentinel(compiler: WriteCompiler) -> None:
    plan = compiler.soft_delete("User", USER)
    assert plan.request.operation == "UpdateItem"
    assert plan.changes == {"deleted_at": TS, "updated_at": TS}


def test_soft_delete_needs_the_trait(compiler: WriteCompiler) -> None:
    with pytest.raises(QueryError, match="does not use soft deletes"):
        compiler.soft_delete("Post", POST)
    with pytest.raises(QueryError, match="does not use soft deletes"):
        compiler.restore("Post", POST)


def test_condition_check_is_a_transaction_only_action(compiler: WriteCompiler) -> None:
    plan = compiler.condition_check("Team", {"id": "t1"}, attr("pk").exists())
    assert plan.request.params["TransactItems"][0]["ConditionCheck"]["Key"] == {
        "pk": s("TEAM#t1"),
        "sk": s("TEAM#t1"),
    }


def test_table_defaults_to_the_configured_name() -> None:
    registry = make_registry({"table_name_prefix": "dev_"})
    assert WriteCompiler(registry).table == "dev_MainTable"
