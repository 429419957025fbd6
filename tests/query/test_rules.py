"""The planner's rules: their documented order, which rule serves what, and ``where_in`` on an
index path (one Query per value, run concurrently and merged)."""

from typing import Any, ClassVar

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.query import rules
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.planner import QueryPlanner
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.query.rules import DIRECT_RULES, RULES, Context
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import ModelDefinition, Registry, RelationDefinition, Traits
from dynamodb_tooling.schema.naming import make_attribute
from tests.schema import blog

MAX = "\U0010ffff"


def registry(*extra: ModelDefinition, **options: Any) -> Registry:
    found = Registry(validate_config(options))
    for definition in (*blog.BLOG, *extra):
        found.register(definition)
    return found


BLOG = registry()


def plan(model: str, *predicates: Predicate, registry_: Registry = BLOG, **state: Any) -> Plan:
    wheres = tuple(("and", p) for p in predicates)
    return QueryPlanner(registry_).plan(
        QueryState(model=model, wheres=wheres, **state), executing=False
    )


def eq(attribute: str, value: object) -> Predicate:
    return Predicate(attribute, "=", value)


def listed(attribute: str, *values: object) -> Predicate:
    return Predicate(attribute, "in", values)


def key_values(chosen: Plan) -> list[list[str]]:
    """Every key condition's values, in order."""
    found = []
    for request in chosen.requests():
        values = request.params["ExpressionAttributeValues"]
        expression = request.params["KeyConditionExpression"]
        found.append([values[t]["S"] for t in sorted(values) if t in expression])
    return found


def test_rules_are_tried_in_the_documented_order() -> None:
    names = [rule.name for rule in RULES]
    assert names == [
        "primary key",
        "key list",
        "unique",
        "collection",
        "LSI",
        "index path",
        "index path IN",
        "expiry",
        "extra index",
        "scan",
    ]
    doc = rules.__doc__ or ""
    positions = [doc.index(f":class:`{type(rule).__name__}`") for rule in RULES]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("model", "predicates", "state", "rule"),
    [
        ("Post", (eq("id", "p1"),), {}, "primary key"),
        ("Team", (listed("id", "t1", "t2"),), {}, "key list"),
        ("User", (eq("email", "a@x.io"),), {}, "unique"),
        ("Order", (eq("user_id", "u1"),), {}, "collection"),
        ("Order", (eq("user_id", "u1"),), {"order": ("created_at", "desc")}, "LSI"),
        ("OrderLine", (eq("id", "l1"),), {}, "index path"),
        ("Post", (eq("user_id", "u1"),), {}, "index path"),
        ("Post", (eq("status", "x"),), {}, "index path"),
        ("Post", (listed("user_id", "u1", "u2"),), {}, "index path IN"),
        ("Post", (eq("title", "x"),), {}, "scan"),
    ],
)
def test_each_plan_names_the_rule_that_chose_it(
    model: str, predicates: tuple[Predicate, ...], state: dict[str, Any], rule: str
) -> None:
    chosen = plan(model, *predicates, **state)
    assert chosen.route is not None
    assert chosen.route.rule == rule


def test_where_in_on_a_foreign_key_is_one_query_per_value() -> None:
    chosen = plan("Post", listed("user_id", "u1", "u2", "u1", "u3"), eq("title", "Hi"))
    assert (chosen.operation, chosen.index) == ("Query", "GSI1")
    assert key_values(chosen) == [
        ["USER#u1", "POST#"],
        ["USER#u2", "POST#"],
        ["USER#u3", "POST#"],
    ]  # duplicates are read once
    assert chosen.to_params()["FilterExpression"] == "#n2 = :v2"
    assert chosen.merge_key is None  # grouped by value, in the order given
    assert not chosen.pageable
    assert chosen.page_limit is None
    text = str(chosen.explain())
    assert "one Query per value (3), run concurrently" in text
    assert "Scan" not in text
    assert chosen.route is not None
    assert [q.partition_value for q in chosen.route.access] == ["USER#u1", "USER#u2", "USER#u3"]


def test_where_in_orders_by_the_sort_key_or_in_memory() -> None:
    newest_ids = plan("Post", listed("user_id", "u1", "u2"), order=("id", "desc"))
    assert (newest_ids.merge_key, newest_ids.scan_forward) == ("gsi1sk", False)
    assert newest_ids.client_sort is None
    latest = plan("Post", listed("user_id", "u1", "u2"), order=("created_at", "desc"))
    assert latest.client_sort == ("created_at", "desc")
    assert latest.merge_key is None


def test_where_in_on_an_indexed_attribute_and_soft_deletes() -> None:
    chosen = plan("Post", listed("status", "draft", "live"), limit=5)
    assert chosen.index == "GSI2"
    assert key_values(chosen) == [["POST#status#draft", "POST#"], ["POST#status#live", "POST#"]]
    assert chosen.limit == 5
    tasks = Registry(validate_config())
    tasks.register(
        ModelDefinition(
            "Task",
            "TASK",
            traits=Traits(soft_deletes=True),
            attributes=(make_attribute("state", "string", index=True),),
        )
    )
    assert plan("Task", listed("state", "a", "b"), registry_=tasks).operation == "Query"
    trashed = plan("Task", listed("state", "a", "b"), trashed="with", registry_=tasks)
    assert trashed.operation == "Scan"  # soft-deleted tasks are not in the index
    # The hint says why, instead of asking to index an attribute that already is.
    assert trashed.suggestion == (
        "soft-deleted Task items leave the index on state, so with_trashed() cannot read them "
        "there; drop with_trashed() to use the index, or add a condition on the primary key "
        "or a relation"
    )


def test_where_in_on_a_collection_parent_or_a_collection_child_id() -> None:
    orders = plan("Order", listed("user_id", "u1", "u2"))
    assert orders.index is None
    assert key_values(orders) == [["USER#u1", "ORDER#"], ["USER#u2", "ORDER#"]]
    assert orders.to_params()["FilterExpression"] == "#n2 = :v2"  # _et: nested OrderLines
    lines = plan("OrderLine", eq("user_id", "u1"), listed("order_id", "o1", "o2"))
    assert key_values(lines) == [["USER#u1", "ORDER#o1#LINE#"], ["USER#u1", "ORDER#o2#LINE#"]]
    # the values' sort keys start differently: merged on the ordered attribute itself
    ordered = plan(
        "OrderLine", eq("user_id", "u1"), listed("order_id", "o1", "o2"), order=("id", "asc")
    )
    assert ordered.merge_key == "id"
    by_id = plan("OrderLine", listed("id", "l1", "l2"))
    assert (by_id.operation, by_id.index) == ("Query", "GSI1")
    assert key_values(by_id) == [["LINE#l1"], ["LINE#l2"]]


def test_an_equality_beats_a_list_and_the_list_becomes_a_filter() -> None:
    chosen = plan("Post", eq("status", "live"), listed("user_id", "u1", "u2"))
    assert (chosen.index, len(chosen.key_conditions)) == ("GSI2", 1)
    assert chosen.to_params()["FilterExpression"] == "#n2 IN (:v2, :v3)"


def test_ranges_fold_into_every_query_and_shards_multiply() -> None:
    event = ModelDefinition(
        "Event",
        "EVENT",
        attributes=(make_attribute("at", "integer"),),
        relations=(RelationDefinition("user", "belongs_to", "User", shards=2, sort_by="at"),),
    )
    events = registry(event)
    chosen = plan(
        "Event", listed("user_id", "u1", "u2"), Predicate("at", ">=", 5), registry_=events
    )
    lower = "EVENT#00000000000000000005"
    assert key_values(chosen) == [
        [f"USER#u{u}#{shard}", lower, f"EVENT#{MAX}"] for u in (1, 2) for shard in (0, 1)
    ]
    assert chosen.merge_key == "gsi1sk"  # shards are merged in sort-key order
    assert "write-sharded" in chosen.warnings[0]


def test_a_list_on_an_unindexed_attribute_scans_with_the_right_hint() -> None:
    chosen = plan("Post", listed("title", "a", "b"))
    assert chosen.operation == "Scan"
    assert chosen.suggestion == (
        "mark Post.title index=True (a sparse GSI) or unique=True to make it a Query"
    )


def test_the_expiry_index_is_not_used_for_trashed_items() -> None:
    session = ModelDefinition(
        "Session", "SESSION", traits=Traits(ttl=True, ttl_index=True, soft_deletes=True)
    )
    sessions = registry(session)
    assert plan("Session", Predicate("ttl", "<", 100), registry_=sessions).index == "GSI1"
    trashed = plan("Session", Predicate("ttl", "<", 100), trashed="only", registry_=sessions)
    assert trashed.operation == "Scan"
    assert trashed.suggestion is not None
    assert trashed.suggestion.startswith("soft-deleted Session items leave the index on ttl")


class SlugRule:
    """An example rule: ``where("slug", v)`` reads a hand-made item."""

    name: ClassVar[str] = "slug"

    def plan(self, ctx: Context) -> Plan | None:
        used = ctx.equal.get("title")
        if used is None:
            return None
        key = {"pk": f"SLUG#{used.value}", "sk": "SLUG"}
        reason = "title equality: a slug item"
        return ctx.planner.finish(
            ctx, Plan(operation="GetItem", table=ctx.table, key=key, reason=reason)
        )


def test_a_new_rule_is_one_class() -> None:
    class SlugPlanner(QueryPlanner):
        direct_rules = (*DIRECT_RULES, SlugRule())

    state = QueryState(model="Post", wheres=(("and", eq("title", "hi")),))
    chosen = SlugPlanner(BLOG).plan(state, executing=False)
    assert (chosen.operation, chosen.key) == ("GetItem", {"pk": "SLUG#hi", "sk": "SLUG"})
    assert chosen.entity_type == "Post"
    assert QueryPlanner(BLOG).plan(state, executing=False).operation == "Scan"
