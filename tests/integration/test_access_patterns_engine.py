"""Every generated access pattern of the blog, run against the engine, returns exactly its items.

The table comes from ``registry.table_definition()``; items are written with the same key
scheme the patterns read with (``EntityTransformer.to_item``, ``edge_keys``, ``sentinel_key``).
"""

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.expressions import Condition, KeyCondition, attr, key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.access_patterns import AccessPattern
from dynamodb_tooling.schema.transformer import EntityTransformer
from tests.schema import blog

pytestmark = pytest.mark.integration

Identity = tuple[str, ...]


def order(id_: str, user_id: str, *, total: int, day: int) -> tuple[str, dict[str, Any]]:
    created = f"2026-01-{day:02d}T00:00:00+00:00"
    values = {"id": id_, "user_id": user_id, "total": total, "status": "open"}
    return "Order", {**values, "created_at": created}


ENTITIES: list[tuple[str, dict[str, Any]]] = [
    ("Team", {"id": "t1", "name": "Core"}),
    ("Team", {"id": "t2", "name": "Web"}),
    ("User", {"id": "u1", "team_id": "t1", "email": "ada@example.com", "name": "Ada"}),
    ("User", {"id": "u2", "team_id": "t1", "email": "bob@example.com", "name": "Bob"}),
    ("User", {"id": "u3", "team_id": "t2", "email": "cy@example.com", "name": "Cy"}),
    ("Post", {"id": "p1", "user_id": "u1", "title": "One", "status": "published"}),
    ("Post", {"id": "p2", "user_id": "u1", "title": "Two", "status": "draft"}),
    ("Post", {"id": "p3", "user_id": "u2", "title": "Three", "status": "published"}),
    ("Post", {"id": "p4", "user_id": "u1", "title": "Four"}),  # no status: not in GSI2
    ("Comment", {"id": "c1", "post_id": "p1", "user_id": "u2", "body": "Nice"}),
    ("Comment", {"id": "c2", "post_id": "p1", "user_id": "u1", "body": "Thanks"}),
    ("Comment", {"id": "c3", "post_id": "p3", "user_id": "u1", "body": "Hm"}),
    ("Role", {"id": "r1", "name": "admin"}),
    ("Role", {"id": "r2", "name": "editor"}),
    ("Role", {"id": "r3", "name": "guest"}),
    order("o1", "u1", total=30, day=2),
    order("o10", "u1", total=10, day=1),
    order("o3", "u2", total=5, day=3),
    ("OrderLine", {"id": "l1", "order_id": "o1", "user_id": "u1", "sku": "A", "quantity": 1}),
    ("OrderLine", {"id": "l2", "order_id": "o1", "user_id": "u1", "sku": "B", "quantity": 2}),
    ("OrderLine", {"id": "l3", "order_id": "o10", "user_id": "u1", "sku": "A", "quantity": 3}),
    ("OrderLine", {"id": "l4", "order_id": "o3", "user_id": "u2", "sku": "C", "quantity": 4}),
]
EDGES = [("u1", "r1"), ("u1", "r2"), ("u2", "r1")]

# Pattern name → (values to bind, the identities of exactly the items it must return).
EXPECTED: dict[str, tuple[dict[str, str], set[Identity]]] = {
    "Get Comment by id": ({"id": "c2"}, {("Comment", "c2")}),
    "List all Comments": ({}, {("Comment", "c1"), ("Comment", "c2"), ("Comment", "c3")}),
    "List Comments by Post": ({"post_id": "p1"}, {("Comment", "c1"), ("Comment", "c2")}),
    "List Comments by User": ({"user_id": "u1"}, {("Comment", "c2"), ("Comment", "c3")}),
    "Get Order by id": ({"id": "o3"}, {("Order", "o3")}),
    "List all Orders": ({}, {("Order", "o1"), ("Order", "o10"), ("Order", "o3")}),
    "List Orders by User": ({"user_id": "u1"}, {("Order", "o1"), ("Order", "o10")}),
    "List Orders by User sorted by created_at": (
        {"user_id": "u1"},
        {("Order", "o10"), ("Order", "o1")},
    ),
    "Get Order of OrderLine": ({"user_id": "u1", "order_id": "o10"}, {("Order", "o10")}),
    "Get Order with its OrderLines (collection)": (
        {"user_id": "u1", "id": "o1"},
        {("Order", "o1"), ("OrderLine", "l1"), ("OrderLine", "l2")},
    ),
    "Get OrderLine by id": ({"id": "l4"}, {("OrderLine", "l4")}),
    "List all OrderLines": (
        {},
        {("OrderLine", "l1"), ("OrderLine", "l2"), ("OrderLine", "l3"), ("OrderLine", "l4")},
    ),
    "List OrderLines by Order": (
        {"user_id": "u1", "order_id": "o1"},
        {("OrderLine", "l1"), ("OrderLine", "l2")},
    ),
    "Get Post by id": ({"id": "p4"}, {("Post", "p4")}),
    "List all Posts": ({}, {("Post", "p1"), ("Post", "p2"), ("Post", "p3"), ("Post", "p4")}),
    "List Posts by status": ({"status": "published"}, {("Post", "p1"), ("Post", "p3")}),
    "List Posts by User": ({"user_id": "u1"}, {("Post", "p1"), ("Post", "p2"), ("Post", "p4")}),
    "Get Post of Comment": ({"post_id": "p3"}, {("Post", "p3")}),
    "Get Role by id": ({"id": "r3"}, {("Role", "r3")}),
    "List all Roles": ({}, {("Role", "r1"), ("Role", "r2"), ("Role", "r3")}),
    "List Roles of User": ({"user_id": "u1"}, {("Role", "r1"), ("Role", "r2")}),
    "Get Team by id": ({"id": "t2"}, {("Team", "t2")}),
    "List all Teams": ({}, {("Team", "t1"), ("Team", "t2")}),
    "Get Team of User": ({"team_id": "t1"}, {("Team", "t1")}),
    "Get User by id": ({"id": "u2"}, {("User", "u2")}),
    "List all Users": ({}, {("User", "u1"), ("User", "u2"), ("User", "u3")}),
    "Get User by email": ({"email": "bob@example.com"}, {("User", "u2")}),
    "List Users by Team": ({"team_id": "t1"}, {("User", "u1"), ("User", "u2")}),
    "Get User of Comment": ({"user_id": "u2"}, {("User", "u2")}),
    "Get User of Post": ({"user_id": "u1"}, {("User", "u1")}),
    "Get User of Order": ({"user_id": "u2"}, {("User", "u2")}),
    "Get User with its Orders (collection)": (
        {"id": "u1"},
        {
            ("User", "u1"),
            ("Order", "o1"),
            ("Order", "o10"),
            ("OrderLine", "l1"),
            ("OrderLine", "l2"),
            ("OrderLine", "l3"),
        },
    ),
    "List Users of Role": ({"role_id": "r1"}, {("User", "u1"), ("User", "u2")}),
}


@pytest.fixture(scope="module")
def registry(dynamodb_config: Config) -> Registry:
    registry = Registry(dynamodb_config)
    for definition in blog.BLOG:
        registry.register(definition)
    return registry


@pytest.fixture(scope="module")
def table(dynamodb_client: DynamoDBClient, registry: Registry) -> Iterator[str]:
    definition = registry.table_definition(f"patterns-{uuid.uuid4().hex[:12]}")
    name = definition["TableName"]
    dynamodb_client.create_table(definition)
    try:
        dynamodb_client.wait_for_table_active(name, interval=0.1)
        dynamodb_client.batch_write({name: [put(item) for item in blog_items(registry)]})
        yield name
    finally:
        with contextlib.suppress(ResourceNotFoundError):
            dynamodb_client.delete_table(name)


def blog_items(registry: Registry) -> list[dict[str, Any]]:
    """Every entity, many-to-many edge and unique sentinel of the sample blog."""
    transformer = EntityTransformer(registry)
    keys = registry.keys
    items = [transformer.to_item(model, values) for model, values in ENTITIES]
    pivot = registry.schema.pivot("RoleUser")
    items += [
        {**keys.edge_keys(pivot, user, role), "user_id": user, "role_id": role}
        for user, role in EDGES
    ]
    for model, values in ENTITIES:
        if model == "User":
            sentinel = keys.sentinel_key("User", "email", values["email"])
            # The sentinel holds the owner's key (a map, so custom key names work too).
            items.append({**sentinel, "owner": keys.primary_key("User", values)})
    return items


def identity(item: dict[str, Any]) -> Identity:
    return (item["_et"], item["id"])


def entity_filter(pattern: AccessPattern) -> Condition | None:
    terms: list[Condition] = []
    if len(pattern.entity_types) == 1:
        terms.append(attr("_et").eq(pattern.entity_types[0]))
    elif pattern.entity_types:
        terms.append(attr("_et").is_in(pattern.entity_types))
    terms += [attr(name).eq(value) for name, value in pattern.filter_equals]
    if not terms:
        return None
    condition = terms[0]
    for term in terms[1:]:
        condition = condition & term
    return condition


def key_condition(pattern: AccessPattern) -> KeyCondition:
    query = pattern.key_query
    assert query is not None
    condition = key(query.partition_attribute).eq(query.partition_value)
    if pattern.sort_condition == "=":
        condition = condition & key(query.sort_attribute).eq(query.sort_prefix)
    elif pattern.sort_condition == "begins_with":
        condition = condition & key(query.sort_attribute).begins_with(query.sort_prefix)
    elif pattern.sort_condition == "between":
        upper = query.subtree_upper()
        condition = condition & key(query.sort_attribute).between(query.sort_prefix, upper)
    return condition


def first_step(client: DynamoDBClient, table: str, pattern: AccessPattern) -> list[dict[str, Any]]:
    if pattern.operation == "GetItem":
        assert pattern.key is not None
        found = client.get_item(table, pattern.key).get("Item")
        return [unmarshall_item(found)] if found else []
    if pattern.operation == "Query":
        assert pattern.key_query is not None
        pages = client.query_all(
            table,
            key_condition(pattern),
            index=pattern.key_query.index,
            filter=entity_filter(pattern),
        )
    else:
        pages = client.scan_all(table, filter=entity_filter(pattern))
    return [unmarshall_item(item) for item in pages.items]


def run(client: DynamoDBClient, table: str, pattern: AccessPattern) -> list[dict[str, Any]]:
    """Every request of ``pattern`` in order; returns the items of its entity."""
    items = first_step(client, table, pattern)
    if pattern.then == "GetItem":
        assert len(items) == 1
        owner = client.get_item(table, items[0]["owner"])["Item"]
        return [unmarshall_item(owner)]
    if pattern.then == "BatchGetItem":
        found = client.batch_get({table: pattern.follow_up_keys(items)})
        return [unmarshall_item(item) for item in found[table]]
    return items


def test_every_pattern_is_covered(registry: Registry) -> None:
    assert {p.name for p in registry.access_patterns()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pattern_returns_exactly_its_items(
    dynamodb_client: DynamoDBClient, registry: Registry, table: str, name: str
) -> None:
    values, expected = EXPECTED[name]
    pattern = registry.access_patterns().named(name).bind(values)
    items = run(dynamodb_client, table, pattern)
    assert sorted(identity(item) for item in items) == sorted(expected)


def test_sorted_collection_comes_back_in_sort_order(
    dynamodb_client: DynamoDBClient, registry: Registry, table: str
) -> None:
    pattern = registry.access_patterns().named("List Orders by User sorted by created_at")
    items = first_step(dynamodb_client, table, pattern.bind(user_id="u1"))
    assert [item["id"] for item in items] == ["o10", "o1"]


def test_sparse_index_skips_items_without_the_value(
    dynamodb_client: DynamoDBClient, registry: Registry, table: str
) -> None:
    pattern = registry.access_patterns().named("List Posts by status")
    assert pattern.index is not None
    indexed = [
        unmarshall_item(i) for i in dynamodb_client.scan_all(table, index=pattern.index).items
    ]
    posts = {item["id"] for item in indexed if item["_et"] == "Post"}
    assert posts == {"p1", "p2", "p3"}  # p4 has no status, so no GSI2 keys
