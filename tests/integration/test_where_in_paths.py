"""``where_in`` on a relation's foreign key or an indexed attribute, against the engine: one
Query per value (never a Scan), every matching item exactly once, in a deterministic order."""

import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import PerformanceWarning, QueryError
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer
from tests.schema.blog_classes import define_blog

pytestmark = pytest.mark.integration

STATUSES = ("draft", "live", "archived", "live", None)
START = datetime(2026, 3, 1, tzinfo=UTC)


def post_values(n: int) -> dict[str, Any]:
    """Post ``n`` of 20: users u1..u5 in turn; created_at runs against the id order."""
    return {
        "id": f"p{n:02d}",
        "user_id": f"u{n % 5 + 1}",
        "title": f"Post {n:02d}",
        "status": STATUSES[n // 5 % len(STATUSES)] if n % 3 else STATUSES[n % len(STATUSES)],
        "created_at": START - timedelta(hours=n * 7 % 20),
    }


POSTS = [post_values(n) for n in range(20)]


@pytest.fixture(scope="module")
def models(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"wherein-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)
    found = define_blog(registry)
    table = config.default_table_name
    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(table, interval=0.1)
    transformer = EntityTransformer(registry)
    for n in range(1, 6):
        user = {"id": f"u{n}", "email": f"u{n}@example.com", "name": f"User {n}"}
        dynamodb_client.put_item(table, transformer.to_item("User", user))
    for values in POSTS:
        dynamodb_client.put_item(table, transformer.to_item("Post", values))
    yield found
    dynamodb_client.delete_table(table)
    reset_config()


def ids(found: Any) -> list[str]:
    return [m.id for m in found]


def expected(where: Any, order: list[str] | None = None, key: str = "user_id") -> list[str]:
    """Matching post ids grouped by value in ``order`` (each group in id order)."""
    matching = [p for p in POSTS if where(p)]
    if order is None:
        return [p["id"] for p in matching]
    return [p["id"] for value in order for p in matching if p[key] == value]


def test_where_in_on_a_foreign_key_is_one_query_per_user(models: dict[str, type[Model]]) -> None:
    Post = models["Post"]
    users = ["u2", "u4", "u1"]
    query = Post.where_in("user_id", users)
    plan = query.plan()
    assert (plan.operation, plan.index, len(plan.key_conditions)) == ("Query", "GSI1", 3)
    assert "one Query per value (3), run concurrently" in str(query.explain())
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerformanceWarning)
        found = ids(query.get())
        assert found == expected(lambda p: p["user_id"] in users, users)
        assert len(found) == len(set(found)) == 12
        assert query.count() == 12
        first = query.first()
        assert first is not None
        assert first.id == expected(lambda p: p["user_id"] == "u2")[0]


def test_extra_conditions_filter_each_query(models: dict[str, type[Model]]) -> None:
    Post = models["Post"]
    users = ["u3", "u5", "u1"]
    query = Post.where_in("user_id", users).where("title", "<", "Post 15")
    want = expected(lambda p: p["user_id"] in users and p["title"] < "Post 15", users)
    assert len(want) == 9
    assert ids(query.get()) == want
    assert query.count() == len(want)
    assert len(query.plan().key_conditions) == 3
    assert query.plan().filter is not None
    # an equality on an indexed attribute is one Query: it wins, the list becomes its filter
    live = Post.where_in("user_id", users).where("status", "live")
    assert (live.plan().index, len(live.plan().key_conditions)) == ("GSI2", 1)
    want = expected(lambda p: p["user_id"] in users and p["status"] == "live")
    assert want
    assert ids(live.get()) == want


def test_ordering_by_created_at_and_by_the_sort_key(models: dict[str, type[Model]]) -> None:
    Post = models["Post"]
    users = ["u2", "u4", "u1"]
    mine = [p for p in POSTS if p["user_id"] in users]
    newest = [p["id"] for p in sorted(mine, key=lambda p: p["created_at"], reverse=True)]
    latest = Post.where_in("user_id", users).latest()
    assert ids(latest.get()) == newest
    first = latest.first()
    assert first is not None
    assert first.id == newest[0]
    by_id = Post.where_in("user_id", users).order_by("id", "desc")
    assert by_id.plan().client_sort is None  # merged on the index sort key, server order
    assert ids(by_id.get()) == sorted((p["id"] for p in mine), reverse=True)


def test_duplicates_are_read_once_and_cursor_pages_are_refused(
    models: dict[str, type[Model]],
) -> None:
    Post = models["Post"]
    query = Post.where_in("user_id", ["u1", "u1", "u2"])
    assert len(query.plan().key_conditions) == 2
    assert ids(query.get()) == expected(lambda p: p["user_id"] in ("u1", "u2"), ["u1", "u2"])
    with pytest.raises(QueryError, match="cursor pages need one server-ordered Query"):
        query.paginate(2)


def test_where_in_on_an_indexed_attribute(models: dict[str, type[Model]]) -> None:
    Post = models["Post"]
    statuses = ["live", "draft"]
    query = Post.where_in("status", statuses)
    plan = query.plan()
    assert (plan.operation, plan.index, len(plan.key_conditions)) == ("Query", "GSI2", 2)
    assert "one Query per value (2), run concurrently" in str(query.explain())
    want = expected(lambda p: p["status"] in statuses, statuses, key="status")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerformanceWarning)
        assert ids(query.get()) == want
        assert query.count() == len(want)
        first = query.first()
        assert first is not None
        assert first.id == want[0]
        titled = query.where("title", ">=", "Post 10")
        assert ids(titled.get()) == [i for i in want if i >= "p10"]
        newest = sorted(
            (p for p in POSTS if p["status"] in statuses),
            key=lambda p: p["created_at"],
            reverse=True,
        )
        assert ids(query.latest().get()) == [p["id"] for p in newest]
