"""Every read plan gives the same answer through its async twin (one table of queries, each
run both ways against the engine)."""

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"par-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str
        users = HasMany("User")

    class User(Model, registry=registry, timestamps=True, soft_deletes=True):
        email: str = attribute(unique=True)
        name: str
        age: int = 0
        team = BelongsTo(Team)
        orders = HasMany("Order", collection=True)

    class Order(Model, registry=registry):
        total: int
        status: str | None = attribute(index=True)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    teams = [Team.create(name=f"T{i}") for i in range(3)]
    users = [
        User.create(email=f"u{i}@x.io", name=f"U{i}", age=20 + i, team_id=teams[i % 3].id)
        for i in range(9)
    ]
    for i, user in enumerate(users):
        for n in range(3):
            Order.create(user_id=user.id, total=10 * n + i, status=("open", "paid", None)[n])
    users[4].delete()  # soft-deleted
    yield {"Team": Team, "User": User, "Order": Order, "teams": teams, "users": users}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def queries(app: dict[str, Any]) -> dict[str, Any]:
    User, Order, teams, users = app["User"], app["Order"], app["teams"], app["users"]
    return {
        "team members (GSI)": User.where("team_id", teams[0].id),
        "older members (GSI + filter)": User.where("team_id", teams[1].id).where("age", ">", 22),
        "by unique email": User.where("email", "u3@x.io"),
        "trashed included": User.where("team_id", teams[1].id).with_trashed(),
        "only trashed": User.where("team_id", teams[1].id).only_trashed(),
        "several teams (where_in on a path)": User.where_in("team_id", [t.id for t in teams[:2]]),
        "by key list": User.where_in("id", [users[0].id, users[2].id]),
        "a user's orders (collection)": Order.where("user_id", users[0].id),
        "open orders (sparse index)": Order.where("status", "open").order_by("id"),
        "limited": User.where("team_id", teams[2].id).limit(2),
    }


def ids(found: Any) -> list[str]:
    return [item.id for item in found]


def test_every_read_gives_the_same_answer_both_ways(app: dict[str, Any]) -> None:
    checks: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
        ("get", lambda q: ids(q.get()), lambda q: q.aget()),
        ("first", lambda q: getattr(q.first(), "id", None), lambda q: q.afirst()),
        ("count", lambda q: q.count(), lambda q: q.acount()),
        ("exists", lambda q: q.exists(), lambda q: q.aexists()),
    ]
    mismatches = []
    for name, query in queries(app).items():
        for what, sync, twin in checks:

            async def run(twin: Callable[[Any], Any] = twin, query: Any = query) -> Any:
                return await twin(query)

            found = asyncio.run(run())
            if what == "get":
                found = ids(found)
            elif what == "first":
                found = getattr(found, "id", None)
            expected = sync(query)
            if found != expected:
                mismatches.append(f"{name}.{what}: sync {expected!r}, async {found!r}")
    assert mismatches == []


def test_pages_and_find_match_both_ways(app: dict[str, Any]) -> None:
    User, teams, users = app["User"], app["teams"], app["users"]
    query = User.where("team_id", teams[0].id)

    async def scenario() -> tuple[list[list[str]], Any, Any]:
        pages, cursor = [], None
        while True:
            page = await query.apaginate(2, cursor)
            pages.append(ids(page.items))
            if not page.has_more:
                break
            cursor = page.next_cursor
        return pages, await User.afind(users[1].id), await User.afind(users[4].id)

    pages, found, trashed = asyncio.run(scenario())
    sync_pages, cursor = [], None
    while True:
        page = query.paginate(2, cursor)
        sync_pages.append(ids(page.items))
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert pages == sync_pages
    assert found == User.find(users[1].id)
    assert trashed is None
    assert User.find(users[4].id) is None
