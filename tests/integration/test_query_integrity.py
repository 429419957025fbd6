"""Nothing lost, nothing leaked (issue #7), read side, against the engine: every page of a
query on a configured extra GSI comes back exactly once, and a stale unique sentinel never
finds an item that no longer holds the value."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm import Model
from dynamodb_tooling.query.builder import table
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer
from tests.schema.blog_classes import define_blog

pytestmark = pytest.mark.integration

POSTS = [f"p{n}" for n in range(7)]


def _at(minute: int) -> datetime:
    return datetime(2026, 1, 1, 0, minute, tzinfo=UTC)


class Blog:
    def __init__(self, models: dict[str, type[Model]], registry: Registry, name: str) -> None:
        self.models = models
        self.registry = registry
        self.table = name


@pytest.fixture(scope="module")
def blog(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[Blog]:
    name = f"integrity-{uuid.uuid4().hex[:10]}"
    config = validate_config(
        dynamodb_config,
        default_table_name=name,
        global_secondary_indexes=[
            {"name": "ByOwner", "partition_key": "user_id", "sort_key": "created_at"}
        ],
    )
    set_config(config)
    registry = Registry(config)
    models = define_blog(registry)
    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(name, interval=0.1)
    write = _writer(dynamodb_client, registry, name)
    write("Team", id="t1", name="Core")
    write("User", id="u1", team_id="t1", email="ada@example.com", name="Ada", age=36)
    write("User", id="u2", team_id="t1", email="bob@example.com", name="Bob", age=41)
    for n, post in enumerate(POSTS):
        write("Post", id=post, user_id="u1", title=f"Post {n}", created_at=_at(2 * n))
    write("Post", id="x1", user_id="u2", title="Bob's", created_at=_at(1))
    # another entity type of the same owner, between the posts: the extra index holds it too
    write("Order", id="o1", user_id="u1", total=10, status="open", created_at=_at(5))
    yield Blog(models, registry, name)
    dynamodb_client.delete_table(name)
    reset_config()


def _writer(client: DynamoDBClient, registry: Registry, name: str) -> Any:
    transformer = EntityTransformer(registry)

    def write(model: str, **values: Any) -> dict[str, Any]:
        item = transformer.to_item(model, values)
        client.put_item(name, item)
        for attribute in registry.model(model).unique_attributes:
            owner = {"pk": item["pk"], "sk": item["sk"]}
            sentinel = registry.keys.sentinel_item(
                model, attribute.name, values[attribute.name], owner
            )
            client.put_item(name, sentinel)
        return item

    return write


def _all_pages(query: Any, per_page: int) -> tuple[list[Any], int]:
    seen: list[Any] = []
    pages = 0
    page = query.paginate(per_page)
    while True:
        pages += 1
        seen += list(page.items)
        if not page.has_more:
            return seen, pages
        page = query.paginate(per_page, page.next_cursor)


def test_raw_pages_on_an_extra_gsi_return_every_item_once(blog: Blog) -> None:
    query = table(blog.table, registry=blog.registry).use_index("ByOwner").where("user_id", "u1")
    seen, pages = _all_pages(query, 2)
    assert pages == 4  # 8 items (7 posts and the order), 2 a page
    # in the index's sort order (created_at), each once
    assert [item["id"] for item in seen] == ["p0", "p1", "p2", "o1", "p3", "p4", "p5", "p6"]
    chunks: list[list[str]] = []
    assert query.chunk(3, lambda part: chunks.append([i["id"] for i in part])) is True
    assert chunks == [["p0", "p1", "p2"], ["o1", "p3", "p4"], ["p5", "p6"]]


def test_model_pages_on_an_extra_gsi_return_every_item_once(blog: Blog) -> None:
    Post = blog.models["Post"]
    query = Post.query().use_index("ByOwner").where("user_id", "u1")
    assert query.explain().index == "ByOwner"
    seen, pages = _all_pages(query, 2)
    assert pages == 4
    assert [p.id for p in seen] == POSTS  # the Order of the same owner is not a Post
    assert all(isinstance(p, Post) for p in seen)
    chunks: list[list[str]] = []

    def collect(part: Collection[Any]) -> None:
        chunks.append([p.id for p in part])

    assert query.chunk(2, collect) is True
    assert chunks == [POSTS[0:2], POSTS[2:4], POSTS[4:6], POSTS[6:]]
    # select() keeps the index keys, so the cursor of a projected page still resumes
    narrow = query.select("title")
    seen, _ = _all_pages(narrow, 3)
    assert [p.title for p in seen] == [f"Post {n}" for n in range(7)]
    assert query.count() == 7


def test_an_unknown_index_is_a_clear_error(blog: Blog) -> None:
    with pytest.raises(QueryError, match="index 'ByOwnr' is not in the configuration"):
        table(blog.table, registry=blog.registry).use_index("ByOwnr").where("x", 1).get()


def test_a_stale_unique_sentinel_finds_nothing(blog: Blog, dynamodb_client: DynamoDBClient) -> None:
    User = blog.models["User"]
    write = _writer(dynamodb_client, blog.registry, blog.table)
    values = {"id": "u9", "team_id": "t1", "name": "Old", "email": "old@example.com"}
    write("User", **values)
    assert User.where("email", "old@example.com").first() is not None  # the lookup works
    # the item now holds another email, but the old sentinel is left behind (an upsert
    # without ``original`` used to do this)
    moved = EntityTransformer(blog.registry).to_item("User", {**values, "email": "new@example.com"})
    dynamodb_client.put_item(blog.table, moved)
    stale = User.where("email", "old@example.com")
    assert stale.first() is None
    assert stale.get().to_list() == []
    assert stale.exists() is False
    assert stale.count() == 0
    assert stale.select("name").first() is None
    assert stale.where("name", "Old").first() is None
    # the new value has no sentinel: the lookup does not find it either (no scan fallback)
    assert User.where("email", "new@example.com").first() is None
    assert User.where("email", "new@example.com").count() == 0
    fresh = User.find("u9")
    assert fresh is not None
    assert fresh.email == "new@example.com"
