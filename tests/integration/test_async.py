"""Async twins run the same flows as their sync terminals, on the async face of the driver."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.drivers.client import get_client
from dynamodb_tooling.errors import UniqueConstraintError
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute
from dynamodb_tooling.query.transaction import transaction
from dynamodb_tooling.schema import Registry
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"async-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str
        members = HasMany("Member")

    class Member(Model, registry=registry, timestamps=True, soft_deletes=True):
        email: str = attribute(unique=True)
        name: str
        logins: int = 0
        team = BelongsTo(Team)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Team": Team, "Member": Member, "registry": registry, "config": config}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def test_model_persistence_twins(app: dict[str, Any]) -> None:
    Member = app["Member"]

    async def scenario() -> dict[str, Any]:
        ada = await Member.acreate(email="ada@example.com", name="Ada", team_id="t1")
        with pytest.raises(UniqueConstraintError):
            await Member.acreate(email="ada@example.com", name="Copy", team_id="t1")
        ada.name = "Ada L."
        await ada.asave()
        await ada.aupdate(email="countess@example.com")
        await ada.aincrement("logins", 2)
        found = await Member.afind(ada.id)
        await ada.adelete()  # soft delete
        hidden = await Member.afind(ada.id)
        await ada.arestore()
        other = Member.find_or_fail(ada.id)
        other.update(name="Changed elsewhere")
        await ada.arefresh()
        await ada.aforce_delete()
        return {
            "found": found,
            "hidden": hidden,
            "refreshed": ada.name,
            "gone": await Member.afind(ada.id),
        }

    result = asyncio.run(scenario())
    found = result["found"]
    assert (found.name, found.email, found.logins) == ("Ada L.", "countess@example.com", 2)
    assert result["hidden"] is None
    assert result["refreshed"] == "Changed elsewhere"
    assert result["gone"] is None
    assert Member.find(found.id) is None  # the sync side agrees


def test_query_twins_match_their_sync_terminals(app: dict[str, Any]) -> None:
    Member = app["Member"]
    for i in range(7):
        Member.create(email=f"m{i}@example.com", name=f"M{i}", team_id="t1", logins=i)
    Member.create(email="x@example.com", name="X", team_id="t2")
    query = Member.where("team_id", "t1").where("logins", ">=", 2)

    async def scenario() -> dict[str, Any]:
        first = await query.oldest().afirst()
        pages, cursor = [], None
        while True:
            page = await query.apaginate(2, cursor)
            pages.append([m.name for m in page.items])
            if not page.has_more:
                break
            cursor = page.next_cursor
        return {
            "get": [m.name for m in await query.aget()],
            "iter": [m.name async for m in query],
            "count": await query.acount(),
            "exists": await query.aexists(),
            "none": await Member.where("team_id", "t9").aexists(),
            "first": first.name if first else None,
            "pages": pages,
            "by_email": (await Member.where("email", "m3@example.com").afirst()).name,
            "many": [m.name for m in await Member.afind_many([])],
        }

    result = asyncio.run(scenario())
    expected = [m.name for m in query.get()]
    assert sorted(expected) == ["M2", "M3", "M4", "M5", "M6"]
    assert result["get"] == expected
    assert result["iter"] == expected
    assert result["count"] == query.count() == 5
    assert result["exists"] is True
    assert result["none"] is False
    assert result["first"] == "M2"
    assert [name for page in result["pages"] for name in page] == expected
    assert [len(page) for page in result["pages"]] == [2, 2, 1]
    assert result["by_email"] == "M3"
    assert result["many"] == []


async def fail_inside(tx: Any) -> None:
    async with tx:
        tx.insert("Team", {"id": "c", "name": "C"})
        raise RuntimeError("boom")


def test_async_transaction_commits_on_exit_and_drops_on_error(app: dict[str, Any]) -> None:
    Team, registry = app["Team"], app["registry"]

    async def scenario() -> None:
        async with transaction(get_client(), registry) as tx:
            tx.insert("Team", {"id": "a", "name": "A"})
            tx.insert("Team", {"id": "b", "name": "B"})
        with pytest.raises(RuntimeError):
            await fail_inside(transaction(get_client(), registry))

    asyncio.run(scenario())
    assert sorted(t.id for t in Team.find_many(["a", "b", "c"])) == ["a", "b"]


def test_50_concurrent_afind_calls_overlap(app: dict[str, Any], fault_proxy: FaultProxy) -> None:
    Team = app["Team"]
    teams = [Team.create(name=f"T{i}") for i in range(50)]
    fault_proxy.inject(Fault("delay", seconds=0.01, operations={"GetItem"}))
    set_config(validate_config(app["config"], endpoint=fault_proxy.endpoint))

    async def scenario() -> tuple[list[Any], float]:
        started = time.perf_counter()
        found = await asyncio.gather(*(Team.afind(t.id) for t in teams))
        return found, time.perf_counter() - started

    found, elapsed = asyncio.run(scenario())
    assert [t.name for t in found] == [t.name for t in teams]
    assert fault_proxy.operations["GetItem"] == 50
    overlap = fault_proxy.max_in_flight
    print(f"\n[async] 50 afind, 10 ms added each: {elapsed * 1000:.0f} ms, {overlap} at once")
    assert overlap >= 4  # the calls were in flight together, not one after another
