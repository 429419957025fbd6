"""Access patterns of the blog fixture: names, requests, key conditions, documents, warnings."""

import json
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import (
    KeyQuery,
    KeyValueError,
    ModelDefinition,
    Registry,
    RelationDefinition,
)
from dynamodb_tooling.schema.access_patterns import AccessPatterns
from dynamodb_tooling.schema.naming import make_attribute as attr
from tests.schema import blog


def patterns_of(*extra: ModelDefinition, **options: Any) -> AccessPatterns:
    registry = Registry(validate_config(**options))
    for definition in (*blog.BLOG, *extra):
        registry.register(definition)
    return registry.access_patterns()


@pytest.fixture(scope="module")
def patterns() -> AccessPatterns:
    return patterns_of()


BLOG_PATTERNS = [
    ("Comment", "Get Comment by id", "GetItem", None, None),
    ("Comment", "List all Comments", "Scan", None, None),
    ("Comment", "List Comments by Post", "Query", "GSI1", None),
    ("Comment", "List Comments by User", "Query", "GSI2", None),
    ("Order", "Get Order by id", "Query", "GSI1", None),
    ("Order", "List all Orders", "Scan", None, None),
    ("Order", "List Orders by User", "Query", None, None),
    ("Order", "List Orders by User sorted by created_at", "Query", "LSI1", None),
    ("Order", "Get Order of OrderLine", "GetItem", None, None),
    ("Order", "Get Order with its OrderLines (collection)", "Query", None, None),
    ("OrderLine", "Get OrderLine by id", "Query", "GSI1", None),
    ("OrderLine", "List all OrderLines", "Scan", None, None),
    ("OrderLine", "List OrderLines by Order", "Query", None, None),
    ("Post", "Get Post by id", "GetItem", None, None),
    ("Post", "List all Posts", "Scan", None, None),
    ("Post", "List Posts by status", "Query", "GSI2", None),
    ("Post", "List Posts by User", "Query", "GSI1", None),
    ("Post", "Get Post of Comment", "GetItem", None, None),
    ("Role", "Get Role by id", "GetItem", None, None),
    ("Role", "List all Roles", "Scan", None, None),
    ("Role", "List Roles of User", "Query", None, "BatchGetItem"),
    ("Team", "Get Team by id", "GetItem", None, None),
    ("Team", "List all Teams", "Scan", None, None),
    ("Team", "Get Team of User", "GetItem", None, None),
    ("User", "Get User by id", "GetItem", None, None),
    ("User", "List all Users", "Scan", None, None),
    ("User", "Get User by email", "GetItem", None, "GetItem"),
    ("User", "List Users by Team", "Query", "GSI1", None),
    ("User", "Get User of Comment", "GetItem", None, None),
    ("User", "Get User of Post", "GetItem", None, None),
    ("User", "Get User of Order", "GetItem", None, None),
    ("User", "Get User with its Orders (collection)", "Query", None, None),
    ("User", "List Users of Role", "Query", "GSI1", "BatchGetItem"),
]


def test_every_blog_pattern_with_operation_index_and_follow_up(patterns: AccessPatterns) -> None:
    assert [(p.entity, p.name, p.operation, p.index, p.then) for p in patterns] == BLOG_PATTERNS
    assert all(p.cost == p.operation for p in patterns)
    assert len(patterns) == len(BLOG_PATTERNS)


KEY_CONDITIONS = {
    "Get User by id": 'pk = "USER#<id>" AND sk = "USER#<id>"',
    "List Posts by User": 'gsi1pk = "USER#<user_id>" AND begins_with(gsi1sk, "POST#")',
    "List Comments by User": 'gsi2pk = "USER#<user_id>" AND begins_with(gsi2sk, "COMMENT#")',
    "List Posts by status": 'gsi2pk = "POST#status#<status>" AND begins_with(gsi2sk, "POST#")',
    "List Users by Team": 'gsi1pk = "TEAM#<team_id>" AND begins_with(gsi1sk, "USER#")',
    "Get User of Post": 'pk = "USER#<user_id>" AND sk = "USER#<user_id>"',
    "Get User by email": (
        'pk = "_UNIQUE#USER#email#<email>" AND sk = "_UNIQUE#USER#email#<email>"'
    ),
    # what the planner sends: the by-id partition holds one item, no sort condition needed
    "Get Order by id": 'gsi1pk = "ORDER#<id>"',
    "List Orders by User": 'pk = "USER#<user_id>" AND begins_with(sk, "ORDER#")',
    "List Orders by User sorted by created_at": (
        'pk = "USER#<user_id>" AND begins_with(lsi1sk, "ORDER#")'
    ),
    "Get Order of OrderLine": 'pk = "USER#<user_id>" AND sk = "ORDER#<order_id>"',
    "List OrderLines by Order": (
        'pk = "USER#<user_id>" AND begins_with(sk, "ORDER#<order_id>#LINE#")'
    ),
    "Get User with its Orders (collection)": 'pk = "USER#<id>"',
    "Get Order with its OrderLines (collection)": (
        'pk = "USER#<user_id>" AND sk BETWEEN "ORDER#<id>" AND "ORDER#<id>#" + max'
    ),
    "List Roles of User": 'pk = "USER#<user_id>" AND begins_with(sk, "ROLE#")',
    "List Users of Role": 'gsi1pk = "ROLE#<role_id>" AND begins_with(gsi1sk, "USER#")',
}


@pytest.mark.parametrize(("name", "condition"), KEY_CONDITIONS.items())
def test_key_conditions(patterns: AccessPatterns, name: str, condition: str) -> None:
    assert patterns.named(name).key_condition == condition


def test_filters_are_what_the_planner_sends(patterns: AccessPatterns) -> None:
    filters = {p.name: p.filter for p in patterns if p.filter}
    assert filters == {
        "List all Comments": '_et = "Comment"',
        "List all Orders": '_et = "Order"',
        "List Orders by User": '_et = "Order"',  # the user's partition also holds OrderLines
        "List Orders by User sorted by created_at": '_et = "Order"',
        "List all OrderLines": '_et = "OrderLine"',
        "List all Posts": '_et = "Post"',
        "List all Roles": '_et = "Role"',
        "List all Teams": '_et = "Team"',
        # soft-deleted users are filtered out wherever the planner reads users
        "List all Users": '_et = "User" AND attribute_not_exists(deleted_at)',
        "List Users by Team": "attribute_not_exists(deleted_at)",
        # relation reads the planner does not plan (edges, a whole collection)
        "List Roles of User": '_et = "RoleUser"',
        "List Users of Role": '_et = "RoleUser"',
        "Get User with its Orders (collection)": '_et IN ("User", "Order", "OrderLine")',
    }
    scan = patterns.named("List all Users")
    assert scan.is_scan
    assert scan.key_condition is None
    assert scan.entity_types == ("User",)
    assert "Scan of the whole table" in scan.note


def test_machine_fields_and_binding(patterns: AccessPatterns) -> None:
    by_user = patterns.named("List Posts by User")
    assert by_user.inputs == ("user_id",)
    assert by_user.sort_condition == "begins_with"
    bound = by_user.bind(user_id="u1")
    assert bound.key_query == KeyQuery("GSI1", "gsi1pk", "USER#u1", "gsi1sk", "POST#")
    assert bound.key_condition == 'gsi1pk = "USER#u1" AND begins_with(gsi1sk, "POST#")'
    assert bound.name == by_user.name
    assert bound == by_user.bind({"user_id": "u1"})

    get = patterns.named("Get Order of OrderLine").bind(user_id="u1", order_id="o1")
    assert get.key == {"pk": "USER#u1", "sk": "ORDER#o1"}
    assert get.key_query is None

    by_id = patterns.named("Get Order by id").bind(id="o1")
    assert by_id.sort_condition is None
    assert by_id.key_query == KeyQuery("GSI1", "gsi1pk", "ORDER#o1", "gsi1sk", "ORDER#o1")

    fetch = patterns.named("Get User with its Orders (collection)").bind(id="u1")
    assert fetch.sort_condition is None
    assert fetch.key_query is not None
    assert (fetch.key_query.partition_value, fetch.key_query.index) == ("USER#u1", None)


def test_bind_needs_every_input_and_checks_key_values(patterns: AccessPatterns) -> None:
    with pytest.raises(KeyValueError, match="needs user_id, order_id"):
        patterns.named("List OrderLines by Order").bind()
    with pytest.raises(KeyValueError, match="delimiter"):
        patterns.named("Get User by id").bind(id="u1#x")


def test_many_to_many_follow_up_keys_come_from_the_edge_keys(patterns: AccessPatterns) -> None:
    roles = patterns.named("List Roles of User").bind(user_id="u1")
    edges = [{"pk": "USER#u1", "sk": "ROLE#r1"}, {"pk": "USER#u1", "sk": "ROLE#r2"}]
    assert roles.follow_up_keys(edges) == [
        {"pk": "ROLE#r1", "sk": "ROLE#r1"},
        {"pk": "ROLE#r2", "sk": "ROLE#r2"},
    ]
    users = patterns.named("List Users of Role")
    edge = {"pk": "USER#u7", "sk": "ROLE#r1", "gsi1pk": "ROLE#r1", "gsi1sk": "USER#u7"}
    assert users.follow_up_keys([edge]) == [{"pk": "USER#u7", "sk": "USER#u7"}]
    with pytest.raises(KeyValueError, match="no follow-up"):
        patterns.named("Get User by id").follow_up_keys([])


def test_examples_use_the_orm_api(patterns: AccessPatterns) -> None:
    examples = {p.name: p.example for p in patterns}
    assert examples["Get User by id"] == "User.find(id)"
    assert examples["List Posts by User"] == "user.posts.get()"
    assert examples["List Users by Team"] == "team.users.get()"  # derived from User.team
    assert examples["Get User by email"] == 'User.where("email", email).first()'
    assert examples["Get User of Post"] == "post.user"
    assert examples["Get Order of OrderLine"] == "order_line.order"
    # the whole collection, nested members too: what the one partition Query returns
    assert examples["Get User with its Orders (collection)"] == (
        'User.with_("orders.lines").find(id)'
    )
    assert examples["Get Order with its OrderLines (collection)"] == 'Order.with_("lines").find(id)'
    assert examples["List Roles of User"] == "user.roles.get()"
    assert examples["List Users of Role"] == "role.users.get()"  # derived from User.roles
    assert examples["List Orders by User sorted by created_at"] == (
        'user.orders.order_by("created_at").get()'
    )
    assert examples["List OrderLines by Order"] == "order.lines.get()"
    assert examples["List Posts by status"] == 'Post.where("status", status).get()'
    assert examples["List all Users"] == "User.query().force_scan().get()  # Scan"


def test_notes_explain_cost(patterns: AccessPatterns) -> None:
    assert "sparse GSI2" in patterns.named("List Posts by status").note
    assert "10 GB" in patterns.named("List Orders by User sorted by created_at").note
    assert "BatchGetItem" in patterns.named("List Users of Role").note
    assert "sentinel" in patterns.named("Get User by email").note
    assert (
        "one Query returns the User" in patterns.named("Get User with its Orders (collection)").note
    )


def test_for_entity_and_matrix(patterns: AccessPatterns) -> None:
    assert [p.name for p in patterns.for_entity("Team")] == [
        "Get Team by id",
        "List all Teams",
        "Get Team of User",
    ]
    matrix = patterns.matrix()
    assert list(matrix) == ["Comment", "Order", "OrderLine", "Post", "Role", "Team", "User"]
    assert matrix["Post"] == {
        "Get Post by id": "GetItem table",
        "List all Posts": "Scan table",
        "List Posts by status": "Query GSI2",
        "List Posts by User": "Query GSI1",
        "Get Post of Comment": "GetItem table",
    }
    with pytest.raises(KeyError, match="no access pattern named 'Nope'"):
        patterns.named("Nope")


def test_json_document(patterns: AccessPatterns) -> None:
    text = patterns.to_json()
    assert text == patterns_of().to_json()
    data = json.loads(text)
    assert list(data) == ["patterns", "warnings"]
    assert len(data["patterns"]) == len(BLOG_PATTERNS)
    first = data["patterns"][0]
    assert list(first) == [
        "entity",
        "name",
        "operation",
        "index",
        "key_condition",
        "filter",
        "cost",
        "then",
        "note",
        "example",
        "inputs",
        "key",
        "key_query",
        "entity_types",
        "filter_equals",
    ]
    by_name = {p["name"]: p for p in data["patterns"]}
    assert by_name["List Posts by User"]["key_query"] == {
        "index": "GSI1",
        "partition_attribute": "gsi1pk",
        "partition_value": "USER#<user_id>",
        "sort_attribute": "gsi1sk",
        "sort_condition": "begins_with",
        "sort_value": "POST#",
        "shards": 1,
    }
    assert by_name["Get User by id"]["key"] == {"pk": "USER#<id>", "sk": "USER#<id>"}
    assert data["warnings"] == list(patterns.warnings)


def test_markdown_document(patterns: AccessPatterns) -> None:
    markdown = patterns.to_markdown()
    lines = markdown.splitlines()
    assert lines[0] == "# Access patterns"
    assert "| Entity | Pattern | Operation | Index | Cost |" in lines
    assert "| Post | List Posts by User | Query | GSI1 | Query |" in lines
    assert "| User | List Users of Role | Query → BatchGetItem | GSI1 | Query |" in lines
    assert "## Warnings" in lines
    assert "## User" in lines
    assert "### Get User with its Orders (collection)" in lines
    section = markdown[markdown.index("### List Posts by User") :]
    assert section.splitlines()[2:9] == [
        "- Operation: Query on GSI1 (cost class: Query)",
        '- Key condition: `gsi1pk = "USER#<user_id>" AND begins_with(gsi1sk, "POST#")`',
        "- Needs: user_id",
        "- Note: one Query on GSI1 (the User's id is its partition)",
        "",
        "```python",
        "user.posts.get()",
    ]


def test_blog_warnings(patterns: AccessPatterns) -> None:
    assert patterns.warnings == (
        "LSI1 sorts Orders of a User by created_at: item collections with an LSI are limited "
        "to 10 GB per partition key",
        "Comment uses 2 of 2 GSI slots; another relation or indexed attribute on it will need "
        "gsi_count=3",
        "Post uses 2 of 2 GSI slots; another relation or indexed attribute on it will need "
        "gsi_count=3",
        "Order.status looks like a lookup attribute but is neither unique nor indexed: "
        'Order.where("status", ...) needs a Scan; mark it index=True (a sparse GSI) or '
        "unique=True",
    )


# Other shapes of relation.

PROFILE = ModelDefinition("Profile", "PROFILE", attributes=(attr("bio", "string"),))
OWNER = ModelDefinition(
    "Owner",
    "OWNER",
    attributes=(attr("slug", "string"), attr("external_id", "string")),
    relations=(RelationDefinition("profile", "has_one", "Profile"),),
)


def test_has_one_unindexed_relation_and_lookup_warnings() -> None:
    audit = ModelDefinition(
        "Audit",
        "AUDIT",
        relations=(RelationDefinition("user", "belongs_to", "User", index=False),),
    )
    patterns = patterns_of(PROFILE, OWNER, audit)
    profile = patterns.named("Get Profile of Owner")
    assert (profile.operation, profile.index) == ("Query", "GSI1")
    assert profile.example == "owner.profile"
    scan = patterns.named("List Audits by User").bind(user_id="u1")
    assert (scan.operation, scan.index, scan.key_condition) == ("Scan", None, None)
    assert scan.filter == 'user_id = "u1" AND _et = "Audit"'
    assert scan.filter_equals == (("user_id", "u1"),)
    assert scan.example == "user.audits.force_scan().get()  # Scan"
    assert "index=False" in scan.note
    warnings = "\n".join(patterns.warnings)
    assert "listing Audits by User needs a Scan" in warnings
    assert "Owner.slug looks like a lookup attribute" in warnings
    assert "Owner.external_id looks like a lookup attribute" in warnings


def test_two_relations_to_the_same_parent_get_distinct_names() -> None:
    review = ModelDefinition(
        "Review",
        "REVIEW",
        relations=(
            RelationDefinition("author", "belongs_to", "User", foreign_key="author_id"),
            RelationDefinition("editor", "belongs_to", "User", foreign_key="editor_id"),
        ),
    )
    patterns = patterns_of(review, single_table_design={"gsi_count": 2})
    names = [p.name for p in patterns.for_entity("Review")]
    assert "List Reviews by User (author)" in names
    assert "List Reviews by User (editor)" in names
    assert patterns.named("List Reviews by User (editor)").key_condition == (
        'gsi2pk = "USER#<editor_id>" AND begins_with(gsi2sk, "REVIEW#")'
    )
    assert "Get User of Review (author)" in [p.name for p in patterns.for_entity("User")]
    # Both derive "reviews" on User: each is qualified by its own relation name instead.
    assert patterns.named("List Reviews by User (author)").example == "user.author_reviews.get()"
    assert patterns.named("List Reviews by User (editor)").example == "user.editor_reviews.get()"
    assert patterns.named("Get User of Review (editor)").example == "review.editor"


def test_sharded_and_sorted_relation() -> None:
    event = ModelDefinition(
        "Event",
        "EVENT",
        relations=(RelationDefinition("user", "belongs_to", "User", shards=4, sort_by="at"),),
    )
    pattern = patterns_of(event).named("List Events by User")
    assert pattern.key_condition == (
        'gsi1pk = "USER#<user_id>#<shard 0..3>" AND begins_with(gsi1sk, "EVENT#")'
    )
    query = pattern.bind(user_id="u1").key_query
    assert query is not None
    assert query.partitions() == [
        "USER#u1#0",
        "USER#u1#1",
        "USER#u1#2",
        "USER#u1#3",
    ]
    assert "sorted by at" in pattern.note
    assert "4 parallel Queries" in pattern.note


# The documents ask the planner: what a pattern says is what its example query sends.

PLANNED = [
    ("Get Post by id", "Post", {"id": "p1"}, {}),
    ("Get Order by id", "Order", {"id": "o1"}, {}),
    ("List all Users", "User", {}, {}),
    ("Get User by email", "User", {"email": "a@b.c"}, {}),
    ("List Posts by status", "Post", {"status": "live"}, {}),
    ("List Posts by User", "Post", {"user_id": "u1"}, {}),
    ("List Users by Team", "User", {"team_id": "t1"}, {}),
    ("List Orders by User", "Order", {"user_id": "u1"}, {}),
    (
        "List Orders by User sorted by created_at",
        "Order",
        {"user_id": "u1"},
        {"order": "created_at"},
    ),
    ("List OrderLines by Order", "OrderLine", {"user_id": "u1", "order_id": "o1"}, {}),
    ("Get Order of OrderLine", "Order", {"user_id": "u1", "id": "o1"}, {}),
]


@pytest.mark.parametrize(("name", "model", "where", "extra"), PLANNED)
def test_patterns_say_what_the_planner_sends(
    patterns: AccessPatterns, name: str, model: str, where: dict[str, str], extra: dict[str, str]
) -> None:
    from dynamodb_tooling.query.planner import QueryPlanner
    from dynamodb_tooling.query.predicates import Predicate
    from dynamodb_tooling.query.state import QueryState

    registry = Registry(validate_config())
    for definition in blog.BLOG:
        registry.register(definition)
    order = (extra["order"], "asc") if "order" in extra else None
    state = QueryState(
        model=model,
        wheres=tuple(("and", Predicate(k, "=", v)) for k, v in where.items()),
        order=order,  # type: ignore[arg-type]
    )
    plan = QueryPlanner(registry).plan(state, executing=False)
    inputs = {"Get Order of OrderLine": {"user_id": "u1", "order_id": "o1"}}.get(name, where)
    pattern = patterns.named(name).bind(inputs)
    operation = {"UniqueLookup": "GetItem"}.get(plan.operation, plan.operation)
    assert (pattern.operation, pattern.index) == (operation, plan.index)
    if plan.key is not None:
        assert pattern.key == plan.key
    if plan.operation == "Query":
        assert pattern.key_query is not None
        values = plan.to_params()["ExpressionAttributeValues"]
        assert values[":v0"] == {"S": pattern.key_query.partition_value}
        if pattern.sort_condition is not None:
            assert values[":v1"] == {"S": pattern.key_query.sort_prefix}
        else:
            assert "AND" not in plan.to_params()["KeyConditionExpression"]


def test_the_expiry_pattern_is_a_query_on_the_expiry_index() -> None:
    from dynamodb_tooling.schema import Traits

    session = ModelDefinition("Session", "SESSION", traits=Traits(ttl=True, ttl_index=True))
    pattern = patterns_of(session).named("List Sessions by expiry")
    assert (pattern.operation, pattern.index) == ("Query", "GSI1")
    assert pattern.key_condition == 'gsi1pk = "SESSION#ttl" AND begins_with(gsi1sk, "SESSION#")'
    assert pattern.filter == "attribute_exists(ttl)"
    assert pattern.example == 'Session.where_not_null("ttl").order_by("ttl").limit(100).get()'
