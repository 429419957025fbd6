"""Polymorphic and self-referential relations against the engine: children of two parent types
created through the ORM and read back per parent with one Query each, ``where_in`` fanning out
one Query per parent, polymorphic edges written with the transformer and read from both sides,
every generated polymorphic access pattern returning exactly its items, and a tree."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import dynamodb_tooling.orm.concerns.persistence as persistence
import dynamodb_tooling.query.executor as executor_module
from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.requests import Request
from dynamodb_tooling.schema import ModelDefinition, Registry, RelationDefinition
from dynamodb_tooling.schema.transformer import EntityTransformer
from dynamodb_tooling.testing.stub import StubExecutor
from tests.integration.test_access_patterns_engine import identity, run
from tests.schema.test_morph import MEDIA

pytestmark = pytest.mark.integration

CATEGORY = ModelDefinition(
    "Category",
    "CATEGORY",
    relations=(RelationDefinition("children", "has_many", "self"),),
)
POSTS = ["p1", "p2", "p3"]
VIDEOS = ["v1", "v2"]
# Comment id → (parent type, parent id); c9 has no parent.
COMMENTS = {
    "c1": ("Post", "p1"),
    "c2": ("Post", "p1"),
    "c3": ("Post", "p2"),
    "c4": ("Video", "v1"),
    "c5": ("Video", "v1"),
    "c6": ("Video", "v2"),
    "c9": (None, None),
}
# (type, id, tag) edges.
TAGGINGS = [("Post", "p1", "t1"), ("Post", "p1", "t2"), ("Post", "p2", "t1"), ("Video", "v1", "t1")]


@pytest.fixture(scope="module")
def setup(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> Iterator[tuple[Registry, dict[str, type[Model]], str]]:
    config = validate_config(dynamodb_config, default_table_name=f"morph-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)
    for definition in (*MEDIA, CATEGORY):
        registry.register(definition)
    models = {
        d.name: type(d.name, (Model,), {"__module__": __name__}, definition=d, registry=registry)
        for d in registry.models
    }
    table = config.default_table_name
    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(table, interval=0.1)
    try:
        for ident in POSTS:
            models["Post"].create(id=ident, title=f"Post {ident}")
        for ident in VIDEOS:
            models["Video"].create(id=ident, url=f"https://v/{ident}")
        for ident, (kind, parent) in COMMENTS.items():
            morph = {} if kind is None else {"commentable_type": kind, "commentable_id": parent}
            models["Comment"].create(id=ident, body=f"on {parent}", **morph)
        models["Image"].create(id="i1", url="x", imageable_type="Post", imageable_id="p3")
        for ident in ("t1", "t2"):
            models["Tag"].create(id=ident, name=ident)
        transformer = EntityTransformer(registry)
        for kind, parent, tag in TAGGINGS:
            edge = transformer.morph_edge_item(
                "Taggable", morph_type=kind, morph_id=parent, target_id=tag
            )
            dynamodb_client.put_item(table, edge)
        tree = models["Category"]
        tree.create(id="root")
        for ident, parent in (("a", "root"), ("b", "root"), ("a1", "a")):
            tree.create(id=ident, parent_id=parent)
        yield registry, models, table
    finally:
        dynamodb_client.delete_table(table)
        reset_config()


@pytest.fixture
def recorder(dynamodb_client: DynamoDBClient, monkeypatch: pytest.MonkeyPatch) -> StubExecutor:
    """Model reads and writes run on the engine through an executor recording every request."""

    def forward(request: Request) -> Any:
        return dynamodb_client.execute(request)

    executor = StubExecutor(config=dynamodb_client.config, answer=forward)
    monkeypatch.setattr(executor_module, "_default", lambda: executor)
    monkeypatch.setattr(persistence, "get_client", lambda: executor)
    return executor


def comments_of(kind: str, parent: str) -> list[str]:
    return sorted(c for c, owner in COMMENTS.items() if owner == (kind, parent))


@pytest.mark.parametrize(("kind", "parent"), [("Post", "p1"), ("Video", "v1"), ("Post", "p3")])
def test_children_of_each_parent_are_one_query(
    setup: Any, recorder: StubExecutor, kind: str, parent: str
) -> None:
    _, models, _ = setup
    Comment = models["Comment"]
    found = Comment.where("commentable_type", kind).where("commentable_id", parent).get()
    assert sorted(c.id for c in found) == comments_of(kind, parent)
    assert all((c.commentable_type, c.commentable_id) == (kind, parent) for c in found)
    assert [r.operation for r in recorder.requests] == ["Query"]
    assert recorder.requests[0].params["IndexName"] == "GSI1"


def test_where_in_fans_out_one_query_per_parent(setup: Any, recorder: StubExecutor) -> None:
    _, models, _ = setup
    Comment = models["Comment"]
    query = Comment.where("commentable_type", "Post").where_in("commentable_id", POSTS)
    assert "one Query per value (3), run concurrently" in str(query.explain())
    found = query.get()
    assert [c.id for c in found] == ["c1", "c2", "c3"]  # grouped by parent, in the given order
    assert [r.operation for r in recorder.requests] == ["Query"] * 3
    across = Comment.where_in("commentable_type", ["Post", "Video"]).where("commentable_id", "v1")
    assert sorted(c.id for c in across.get()) == ["c4", "c5"]
    assert len(recorder.requests) == 5
    assert not recorder.sent("Scan")


def test_the_morph_keys_are_on_the_items(setup: Any, dynamodb_client: DynamoDBClient) -> None:
    _, _, table = setup
    item = dynamodb_client.get_item(table, {"pk": "COMMENT#c4", "sk": "COMMENT#c4"})["Item"]
    assert unmarshall_item(item)["gsi1pk"] == "VIDEO#v1"
    orphan = dynamodb_client.get_item(table, {"pk": "COMMENT#c9", "sk": "COMMENT#c9"})["Item"]
    assert "gsi1pk" not in unmarshall_item(orphan)


def test_a_half_set_morph_is_refused_before_any_request(setup: Any, recorder: StubExecutor) -> None:
    _, models, _ = setup
    with pytest.raises(DynamoDBToolingError, match="set both"):
        models["Comment"].create(id="bad", body="x", commentable_type="Post")
    with pytest.raises(DynamoDBToolingError, match="must be one of Post, Video"):
        models["Comment"].create(id="bad", body="x", commentable_type="Tag", commentable_id="t1")
    assert recorder.requests == []


def test_moving_a_child_to_another_parent_moves_its_index_keys(
    setup: Any, recorder: StubExecutor
) -> None:
    _, models, _ = setup
    Comment = models["Comment"]
    moving = Comment.create(id="mv", body="x", commentable_type="Post", commentable_id="p2")
    moving.update(commentable_type="Video", commentable_id="v2")
    on_video = Comment.where("commentable_type", "Video").where("commentable_id", "v2").get()
    on_post = Comment.where("commentable_type", "Post").where("commentable_id", "p2").get()
    assert "mv" in {c.id for c in on_video}
    assert "mv" not in {c.id for c in on_post}
    moving.delete()
    writes = [r.operation for r in recorder.requests if r.operation != "Query"]
    assert writes == ["PutItem", "UpdateItem", "DeleteItem"]


def edges(client: DynamoDBClient, table: str, query: Any) -> list[dict[str, Any]]:
    condition = key(query.partition_attribute).eq(query.partition_value)
    if query.sort_prefix:
        condition = condition & key(query.sort_attribute).begins_with(query.sort_prefix)
    pages = client.query_all(table, condition, index=query.index)
    return [unmarshall_item(item) for item in pages.items]


def test_morph_edges_read_back_from_both_sides(setup: Any, dynamodb_client: DynamoDBClient) -> None:
    registry, _, table = setup
    keys, pivot = registry.keys, registry.schema.morph_pivot("Taggable")
    of_post = edges(dynamodb_client, table, keys.morph_edges_query(pivot, "Post", "p1"))
    assert sorted(e["tag_id"] for e in of_post) == ["t1", "t2"]
    assert {e["_et"] for e in of_post} == {"Taggable"}
    posts_of_t1 = edges(dynamodb_client, table, keys.morph_edges_query(pivot, "Tag", "t1", "Post"))
    assert sorted(e["taggable_id"] for e in posts_of_t1) == ["p1", "p2"]
    every = edges(dynamodb_client, table, keys.morph_edges_query(pivot, "Tag", "t1"))
    assert sorted((e["taggable_type"], e["taggable_id"]) for e in every) == [
        ("Post", "p1"),
        ("Post", "p2"),
        ("Video", "v1"),
    ]


MORPH_PATTERNS: dict[str, tuple[dict[str, str], set[tuple[str, str]]]] = {
    "List Comments by Post (commentable)": (
        {"commentable_id": "p1"},
        {("Comment", "c1"), ("Comment", "c2")},
    ),
    "List Comments by Video (commentable)": (
        {"commentable_id": "v1"},
        {("Comment", "c4"), ("Comment", "c5")},
    ),
    "Get Image of Post (imageable)": ({"imageable_id": "p3"}, {("Image", "i1")}),
    "Get Post of Comment (commentable)": ({"commentable_id": "p2"}, {("Post", "p2")}),
    "Get Video of Comment (commentable)": ({"commentable_id": "v2"}, {("Video", "v2")}),
    "Get Post of Image (imageable)": ({"imageable_id": "p3"}, {("Post", "p3")}),
    "List Tags of Post (taggable)": ({"taggable_id": "p1"}, {("Tag", "t1"), ("Tag", "t2")}),
    "List Tags of Video (taggable)": ({"taggable_id": "v1"}, {("Tag", "t1")}),
    "List Posts of Tag (taggable)": ({"tag_id": "t1"}, {("Post", "p1"), ("Post", "p2")}),
    "List Videos of Tag (taggable)": ({"tag_id": "t1"}, {("Video", "v1")}),
    "List taggables of Tag (every type)": (
        {"tag_id": "t1"},
        {("Post", "p1"), ("Post", "p2"), ("Video", "v1")},
    ),
    "List child Categories of Category": (
        {"parent_id": "root"},
        {("Category", "a"), ("Category", "b")},
    ),
    "Get parent Category of Category": ({"parent_id": "a"}, {("Category", "a")}),
}


def test_every_polymorphic_and_tree_pattern_is_covered(setup: Any) -> None:
    registry, _, _ = setup
    names = {p.name for p in registry.access_patterns()}
    relational = {n for n in names if "(" in n or "child" in n or "parent" in n}
    assert relational == set(MORPH_PATTERNS)


@pytest.mark.parametrize("name", sorted(MORPH_PATTERNS))
def test_pattern_returns_exactly_its_items(
    setup: Any, dynamodb_client: DynamoDBClient, name: str
) -> None:
    registry, _, table = setup
    values, expected = MORPH_PATTERNS[name]
    pattern = registry.access_patterns().named(name).bind(values)
    items = run(dynamodb_client, table, pattern)
    assert sorted(identity(item) for item in items) == sorted(expected)


def test_a_tree_reads_level_by_level(setup: Any, recorder: StubExecutor) -> None:
    _, models, _ = setup
    Category = models["Category"]
    top = Category.where("parent_id", "root").get()
    assert sorted(c.id for c in top) == ["a", "b"]
    below = Category.where_in("parent_id", [c.id for c in top]).get()
    assert [c.id for c in below] == ["a1"]
    assert [r.operation for r in recorder.requests] == ["Query"] * 3
    assert Category.find("a1").parent_id == "a"
