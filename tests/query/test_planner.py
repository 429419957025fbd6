"""The planner: which operation, index, key condition and filter each query compiles to."""

import warnings
from datetime import UTC, datetime

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import PerformanceWarning, QueryError, ScanNotAllowedError
from dynamodb_tooling.query.planner import QueryPlanner
from dynamodb_tooling.query.predicates import Group, Predicate
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import Registry
from tests.schema import blog

MAX = "\U0010ffff"


def registry(**options: object) -> Registry:
    found = Registry(validate_config(options))
    for definition in blog.BLOG:
        found.register(definition)
    return found


def plan(model: str, *predicates: Predicate, registry_: Registry | None = None, **state: object):  # type: ignore[no-untyped-def]
    wheres = tuple(("and", p) for p in predicates)
    query = QueryState(model=model, wheres=wheres, **state)  # type: ignore[arg-type]
    return QueryPlanner(registry_ or registry()).plan(query, executing=False)


def eq(attribute: str, value: object) -> Predicate:
    return Predicate(attribute, "=", value)


def test_primary_key_equality_is_a_get_item() -> None:
    chosen = plan("Post", eq("id", "p1"))
    assert chosen.operation == "GetItem"
    assert chosen.to_params() == {
        "TableName": "MainTable",
        "Key": {"pk": {"S": "POST#p1"}, "sk": {"S": "POST#p1"}},
    }
    assert chosen.entity_type == "Post"


def test_where_in_on_the_key_is_a_batch_get() -> None:
    chosen = plan("Team", Predicate("id", "in", ("t1", "t2")))
    assert chosen.operation == "BatchGetItem"
    assert chosen.keys == ({"pk": "TEAM#t1", "sk": "TEAM#t1"}, {"pk": "TEAM#t2", "sk": "TEAM#t2"})


def test_unique_attribute_reads_the_sentinel_first() -> None:
    chosen = plan("User", eq("email", "a@x.io"), eq("name", "Ada"))
    assert chosen.operation == "UniqueLookup"
    assert chosen.key == {"pk": "_UNIQUE#USER#email#a@x.io", "sk": "_UNIQUE#USER#email#a@x.io"}
    assert chosen.post_filter == (("and", eq("name", "Ada")),)
    assert chosen.soft_delete == ("deleted_at", "without")


def test_foreign_key_is_a_query_on_the_relation_slot() -> None:
    chosen = plan("Post", eq("user_id", "u1"), Predicate("title", "begins_with", "Hi"), limit=5)
    assert chosen.operation == "Query"
    assert chosen.to_params() == {
        "TableName": "MainTable",
        "IndexName": "GSI1",
        "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
        "FilterExpression": "begins_with(#n2, :v2)",
        "ExpressionAttributeNames": {"#n0": "gsi1pk", "#n1": "gsi1sk", "#n2": "title"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "USER#u1"},
            ":v1": {"S": "POST#"},
            ":v2": {"S": "Hi"},
        },
    }
    assert chosen.limit == 5  # with a filter: the reader pages until 5 match


def test_limit_without_filter_is_sent_as_limit() -> None:
    params = plan("Post", eq("status", "draft"), limit=3).to_params()
    assert (params["IndexName"], params["Limit"]) == ("GSI2", 3)
    assert params["ExpressionAttributeValues"][":v0"] == {"S": "POST#status#draft"}
    assert "FilterExpression" not in params


def test_collection_children_are_one_query_on_the_parent_partition() -> None:
    params = plan("Order", eq("user_id", "u1")).to_params()
    assert params == {
        "TableName": "MainTable",
        "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
        "FilterExpression": "#n2 = :v2",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "sk", "#n2": "_et"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "USER#u1"},
            ":v1": {"S": "ORDER#"},
            ":v2": {"S": "Order"},
        },
    }  # the _et filter drops the OrderLines nested under each order


def test_a_range_on_the_sort_attribute_moves_into_the_key_condition() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    chosen = plan("Order", eq("user_id", "u1"), Predicate("created_at", ">=", since))
    params = chosen.to_params()
    assert params["IndexName"] == "LSI1"
    assert params["KeyConditionExpression"] == "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"
    assert params["ExpressionAttributeNames"]["#n1"] == "lsi1sk"
    assert params["ExpressionAttributeValues"][":v1"] == {"S": "ORDER#2026-01-01T00:00:00+00:00"}
    assert params["ExpressionAttributeValues"][":v2"] == {"S": f"ORDER#{MAX}"}
    assert "created_at" not in str(params.get("ExpressionAttributeNames"))
    strictly = plan("Order", eq("user_id", "u1"), Predicate("created_at", ">", since)).to_params()
    assert strictly["ExpressionAttributeValues"][":v1"] == {
        "S": f"ORDER#2026-01-01T00:00:00+00:00#{MAX}"
    }


def test_order_by_the_sort_attribute_is_server_side() -> None:
    newest = plan("Order", eq("user_id", "u1"), order=("created_at", "desc"))
    assert newest.to_params()["IndexName"] == "LSI1"
    assert newest.to_params()["ScanIndexForward"] is False
    assert newest.client_sort is None
    by_title = plan("Post", eq("user_id", "u1"), order=("title", "asc"))
    assert by_title.client_sort == ("title", "asc")
    assert "sorted in memory" in by_title.warnings[0]


def test_nested_collection_child_by_id_alone_uses_its_id_index() -> None:
    by_id = plan("OrderLine", eq("id", "l1"))
    assert (by_id.operation, by_id.index) == ("Query", "GSI1")
    assert by_id.to_params()["ExpressionAttributeValues"] == {":v0": {"S": "LINE#l1"}}
    full = plan("OrderLine", eq("id", "l1"), eq("user_id", "u1"), eq("order_id", "o1"))
    assert full.operation == "GetItem"
    assert full.key == {"pk": "USER#u1", "sk": "ORDER#o1#LINE#l1"}
    lines = plan("OrderLine", eq("user_id", "u1"), eq("order_id", "o1")).to_params()
    assert lines["ExpressionAttributeValues"][":v1"] == {"S": "ORDER#o1#LINE#"}


def test_anything_else_scans_with_a_warning_and_a_suggestion() -> None:
    query = QueryState(model="Post", wheres=(("and", eq("title", "Hi")),))
    with pytest.warns(PerformanceWarning, match="Post query needs a Scan of MainTable"):
        chosen = QueryPlanner(registry()).plan(query)
    assert chosen.operation == "Scan"
    assert (
        chosen.suggestion
        == "mark Post.title index=True (a sparse GSI) or unique=True to make it a Query"
    )
    assert chosen.to_params()["FilterExpression"] == "#n0 = :v0 AND #n1 = :v1"
    explained = str(chosen.explain())
    assert "to make it cheaper: mark Post.title index=True" in explained
    assert explained.count("mark Post.title index=True") == 1  # the fix is said once
    assert chosen.warnings  # the warning is still raised, and kept on the explanation
    assert "Scan (reads the whole table)" in explained


def test_allow_scan_off_refuses_but_explain_still_describes() -> None:
    strict = registry(allow_scan=False)
    query = QueryState(model="Post", wheres=(("and", eq("author_id", "u1")),))
    with pytest.raises(ScanNotAllowedError, match="declare a BelongsTo relation"):
        QueryPlanner(strict).plan(query)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert QueryPlanner(strict).plan(query, executing=False).operation == "Scan"
    forced = QueryState(model="Post", wheres=query.wheres, force_scan=True)
    assert QueryPlanner(strict).plan(forced).operation == "Scan"


def test_force_query_and_use_index_errors_name_the_way_out() -> None:
    with pytest.raises(QueryError, match="force_query\\(\\): no key condition"):
        plan("Post", eq("title", "x"), force_query=True)
    with pytest.raises(QueryError, match="indexes this query could use: GSI1"):
        plan("Post", eq("user_id", "u1"), index="GSI2")
    with pytest.raises(QueryError, match="eventually consistent"):
        plan("Post", eq("user_id", "u1"), consistent=True)


def test_soft_deleted_items_are_excluded_unless_asked_for() -> None:
    default = plan("User", eq("team_id", "t1")).to_params()
    assert default["FilterExpression"] == "attribute_not_exists(#n2)"
    assert default["ExpressionAttributeNames"]["#n2"] == "deleted_at"
    only = plan("User", eq("team_id", "t1"), trashed="only").to_params()
    assert only["FilterExpression"] == "attribute_exists(#n2)"
    assert "FilterExpression" not in plan("User", eq("team_id", "t1"), trashed="with").to_params()


def test_or_at_the_top_cannot_form_a_key_but_groups_render_as_filters() -> None:
    either = QueryState(
        model="Post", wheres=(("and", eq("user_id", "u1")), ("or", eq("user_id", "u2")))
    )
    assert QueryPlanner(registry()).plan(either, executing=False).operation == "Scan"
    grouped = QueryState(
        model="Post",
        wheres=(
            ("and", eq("user_id", "u1")),
            ("and", Group((("and", eq("title", "a")), ("or", eq("title", "b"))))),
        ),
    )
    params = QueryPlanner(registry()).plan(grouped, executing=False).to_params()
    assert params["FilterExpression"] == "#n2 = :v2 OR #n2 = :v3"


def test_raw_table_queries_use_the_configured_key_names() -> None:
    planner = QueryPlanner(registry())
    get = planner.plan(
        QueryState(table="T", wheres=(("and", eq("pk", "A")), ("and", eq("sk", "B"))))
    )
    assert (get.operation, get.key) == ("GetItem", {"pk": "A", "sk": "B"})
    ranged = planner.plan(
        QueryState(
            table="T",
            wheres=(
                ("and", eq("pk", "A")),
                ("and", Predicate("sk", "begins_with", "ORDER#")),
            ),
            order=("sk", "desc"),
        )
    )
    assert ranged.to_params()["KeyConditionExpression"] == "#n0 = :v0 AND begins_with(#n1, :v1)"
    assert ranged.to_params()["ScanIndexForward"] is False
    on_index = planner.plan(
        QueryState(table="T", index="GSI1", wheres=(("and", eq("gsi1pk", "X")),))
    )
    assert on_index.to_params()["IndexName"] == "GSI1"


def test_plans_compile_to_partiql_with_bound_parameters() -> None:
    from dynamodb_tooling.query.partiql import to_partiql

    by_user = to_partiql(plan("Order", eq("user_id", "u1"), Predicate("total", ">", 5)))
    assert by_user.statement == (
        'SELECT * FROM "MainTable" WHERE "pk" = ? AND begins_with("sk", ?) '
        'AND ("total" > ? AND "_et" = ?)'
    )
    assert by_user.parameters == ("USER#u1", "ORDER#", 5, "Order")
    on_index = to_partiql(plan("Post", eq("status", "x"), Predicate("title", "not_exists")))
    assert on_index.statement == (
        'SELECT * FROM "MainTable"."GSI2" WHERE "gsi2pk" = ? AND begins_with("gsi2sk", ?) '
        'AND "title" IS MISSING'
    )
    get = to_partiql(plan("Team", eq("id", "t1"), projection=("name",)))
    assert get.statement == (
        'SELECT "name", "pk", "sk", "_et", "id" FROM "MainTable" WHERE "pk" = ? AND "sk" = ? '
        'AND "_et" = ?'
    )
    with pytest.raises(QueryError, match="two reads"):
        to_partiql(plan("User", eq("email", "a@b.c")))


# Regressions found in review.


def test_values_are_compared_in_their_stored_form() -> None:
    from datetime import timedelta, timezone

    plus_five = timezone(timedelta(hours=5))
    local = datetime(2026, 1, 1, 5, 0, tzinfo=plus_five)
    params = plan("Order", eq("user_id", "u1"), Predicate("created_at", ">=", local)).to_params()
    assert params["ExpressionAttributeValues"][":v1"] == {"S": "ORDER#2026-01-01T00:00:00+00:00"}
    unix = registry(query_builder={"timestamp_format": "unix"})
    ranged = plan(
        "Order", eq("user_id", "u1"), Predicate("created_at", ">=", local), registry_=unix
    )
    assert ranged.to_params()["ExpressionAttributeValues"][":v1"] == {
        "S": "ORDER#00000000001767225600"
    }


def test_none_equality_means_absent_and_duplicate_ids_are_read_once() -> None:
    from dynamodb_tooling.query.predicates import predicate

    assert predicate("status", None, None, has_value=False) == Predicate("status", "not_exists")
    assert predicate("status", "!=", None, has_value=True) == Predicate("status", "exists")
    batch = plan("Team", Predicate("id", "in", ("t1", "t1", "t2")))
    assert [k["pk"] for k in batch.keys] == ["TEAM#t1", "TEAM#t2"]


def test_string_sort_attributes_are_filtered_not_keyed() -> None:
    from dynamodb_tooling.schema import ModelDefinition, RelationDefinition
    from dynamodb_tooling.schema.naming import make_attribute

    books = Registry(validate_config())
    books.register(ModelDefinition("Shelf", "SHELF"))
    books.register(
        ModelDefinition(
            "Book",
            "BOOK",
            attributes=(make_attribute("title", "string"),),
            relations=(RelationDefinition("shelf", "belongs_to", "Shelf", sort_by="title"),),
        )
    )
    chosen = plan(
        "Book",
        eq("shelf_id", "s1"),
        Predicate("title", "<", "Ann Lee"),
        order=("title", "asc"),
        registry_=books,
    )
    assert chosen.to_params()["KeyConditionExpression"] == "#n0 = :v0 AND begins_with(#n1, :v1)"
    assert chosen.to_params()["FilterExpression"] == "#n2 < :v2"
    assert chosen.client_sort == ("title", "asc")


def test_trashed_queries_avoid_indexes_deleted_items_leave() -> None:
    from dynamodb_tooling.schema import ModelDefinition, Traits
    from dynamodb_tooling.schema.naming import make_attribute

    tasks = Registry(validate_config())
    tasks.register(
        ModelDefinition(
            "Task",
            "TASK",
            traits=Traits(soft_deletes=True),
            attributes=(make_attribute("state", "string", index=True),),
        )
    )
    assert plan("Task", eq("state", "open"), registry_=tasks).operation == "Query"
    assert plan("Task", eq("state", "open"), trashed="with", registry_=tasks).operation == "Scan"


def test_a_sparse_lsi_is_not_used_just_to_order() -> None:
    from dynamodb_tooling.schema import ModelDefinition, RelationDefinition
    from dynamodb_tooling.schema.naming import make_attribute

    ranked = Registry(validate_config())
    ranked.register(
        ModelDefinition(
            "Board",
            "BOARD",
            relations=(
                RelationDefinition("entries", "has_many", "Entry", collection=True, sort_by="rank"),
            ),
        )
    )
    ranked.register(
        ModelDefinition(
            "Entry", "ENTRY", attributes=(make_attribute("rank", "integer", nullable=True),)
        )
    )
    ordered = plan("Entry", eq("board_id", "b1"), order=("rank", "asc"), registry_=ranked)
    assert ordered.index is None
    assert ordered.client_sort == ("rank", "asc")
    ranged = plan("Entry", eq("board_id", "b1"), Predicate("rank", ">", 3), registry_=ranked)
    assert ranged.index == "LSI1"


def test_partiql_keeps_after_fetch_checks_and_orders_by_the_sort_key() -> None:
    from dynamodb_tooling.query.partiql import to_partiql

    checked = to_partiql(plan("User", eq("id", "u1"), eq("age", 3)))
    assert checked.statement.endswith('AND "_et" = ? AND "deleted_at" IS MISSING AND "age" = ?')
    newest = to_partiql(plan("Order", eq("user_id", "u1"), order=("created_at", "desc")))
    assert newest.statement.endswith('ORDER BY "lsi1sk" DESC')


def test_items_without_a_sort_value_leave_sorted_indexes() -> None:
    from dynamodb_tooling.schema import ModelDefinition
    from dynamodb_tooling.schema.naming import make_attribute

    due = Registry(validate_config())
    due.register(
        ModelDefinition(
            "Job",
            "JOB",
            attributes=(
                make_attribute("queue", "string", index=True, index_sort="due"),
                make_attribute("due", "integer", nullable=True),
            ),
        )
    )
    assert "gsi1pk" not in due.keys.item_keys("Job", {"id": "j1", "queue": "q", "due": None})
    assert (
        due.keys.item_keys("Job", {"id": "j1", "queue": "q", "due": 5})["gsi1pk"] == "JOB#queue#q"
    )


EXTRA = {
    "global_secondary_indexes": [
        {"name": "ByTitle", "partition_key": "title", "sort_key": "created_at"},
        {"name": "TitleKeys", "partition_key": "title", "projection": "KEYS_ONLY"},
    ],
    "local_secondary_indexes": [{"name": "ByAge", "sort_key": "age_key"}],
}


def test_one_lookup_knows_every_index_and_its_key_attributes() -> None:
    from dynamodb_tooling.schema.indexes import (
        index_key_attributes,
        key_attribute_names,
        overloaded_key_attributes,
    )

    config = validate_config(EXTRA)
    assert index_key_attributes(config, None) == ("pk", "sk")
    assert index_key_attributes(config, "GSI2") == ("gsi2pk", "gsi2sk")
    assert index_key_attributes(config, "ByTitle") == ("title", "created_at")
    assert index_key_attributes(config, "TitleKeys") == ("title", None)
    assert index_key_attributes(config, "ByAge") == ("pk", "age_key")
    assert index_key_attributes(config, "LSI1") == ("pk", "lsi1sk")
    # a slot beyond gsi_count: a table created with more GSIs may still hold it
    assert index_key_attributes(config, "GSI20") == ("gsi20pk", "gsi20sk")
    with pytest.raises(QueryError, match="index 'Nope' is not in the configuration; known "):
        index_key_attributes(config, "Nope")
    assert key_attribute_names(config, "ByTitle") == ("pk", "sk", "title", "created_at")
    assert key_attribute_names(config, "LSI1") == ("pk", "sk", "lsi1sk")
    internal = overloaded_key_attributes(config.single_table_design)
    assert {"gsi1pk", "gsi20sk", "lsi5sk"} <= internal
    assert "title" not in internal  # extra indexes are keyed on model attributes


def test_raw_queries_on_an_extra_index_project_its_keys() -> None:
    planner = QueryPlanner(registry(**EXTRA))
    state = QueryState(
        table="T", index="ByTitle", wheres=(("and", eq("title", "Hi")),), projection=("body",)
    )
    chosen = planner.plan(state, executing=False)
    params = chosen.to_params()
    assert params["IndexName"] == "ByTitle"
    assert params["KeyConditionExpression"] == "#n0 = :v0"
    assert params["ExpressionAttributeNames"]["#n0"] == "title"
    # select() keeps what a cursor on ByTitle needs: the table's keys and the index's
    assert chosen.projection == ("body", "pk", "sk", "_et", "title", "created_at")
    with pytest.raises(QueryError, match=r"use_index\('Nope'\): index 'Nope' is not in the"):
        planner.plan(QueryState(table="T", index="Nope", wheres=(("and", eq("x", 1)),)))


def test_a_model_query_can_opt_into_an_extra_index() -> None:
    extra = registry(**EXTRA)
    chosen = plan("Post", eq("title", "Hi"), registry_=extra, index="ByTitle")
    assert chosen.to_params() == {
        "TableName": "MainTable",
        "IndexName": "ByTitle",
        "KeyConditionExpression": "#n0 = :v0",
        "FilterExpression": "#n1 = :v1",
        "ExpressionAttributeNames": {"#n0": "title", "#n1": "_et"},
        "ExpressionAttributeValues": {":v0": {"S": "Hi"}, ":v1": {"S": "Post"}},
    }
    assert chosen.pageable
    # without use_index the planner never guesses which entities an extra index holds
    assert plan("Post", eq("title", "Hi"), registry_=extra).operation == "Scan"
    with pytest.raises(QueryError, match="the index projects KEYS_ONLY"):
        plan("Post", eq("title", "Hi"), registry_=extra, index="TitleKeys")
    with pytest.raises(QueryError, match="indexes this query could use: GSI1, GSI2"):
        plan("Post", eq("status", "x"), eq("user_id", "u1"), registry_=extra, index="ByTitle")


def test_a_unique_lookup_rechecks_the_owner_value_in_stored_form() -> None:
    chosen = plan("User", eq("email", "a@x.io"), projection=("name",))
    assert chosen.unique_check == ("email", "a@x.io")
    # the owner GetItem fetches the unique attribute so the reader can re-check it
    assert "email" in chosen.projection
    assert "email re-checked" in " ".join(chosen.explain().client_side)
