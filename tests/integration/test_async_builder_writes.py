"""The builder's write and aggregate terminals have async twins that write what the sync ones
write (read back from the table), through the driver's async face."""

import asyncio
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"abw-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Item(Model, registry=registry, soft_deletes=True):
        sku: str
        kind: str = attribute(index=True)
        price: Decimal = Decimal("0")
        stock: int = 0

    class Person(Model, registry=registry):
        email: str = attribute(unique=True)
        name: str

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Item": Item, "Person": Person}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def test_ainsert_many_then_aggregates(app: dict[str, Any]) -> None:
    Item = app["Item"]
    rows = [
        {"id": f"i{n}", "sku": f"S{n}", "kind": "tool", "price": Decimal(n), "stock": n}
        for n in range(1, 31)
    ]

    async def scenario() -> tuple[Any, ...]:
        written = await Item.query().ainsert_many(rows)
        tools = Item.where("kind", "tool")
        return (
            written,
            await tools.asum("price"),
            await tools.amax("stock"),
            await tools.amin("stock"),
            await tools.aavg("stock"),
            await Item.where("id", "i7").avalue("sku"),
            await Item.where("kind", "none").adoesnt_exist(),
        )

    written, total, most, least, mean, sku, none = asyncio.run(scenario())
    assert written == 30
    assert total == Decimal(sum(range(1, 31)))
    assert (most, least, mean, sku, none) == (30, 1, Decimal("15.5"), "S7", True)
    assert Item.where("kind", "tool").count() == 30  # read back by the sync side


def test_abulk_update_delete_and_force_delete(app: dict[str, Any]) -> None:
    Item = app["Item"]
    Item.query().insert_many(
        [{"id": f"b{n}", "sku": f"S{n}", "kind": "bulk", "stock": 1} for n in range(40)]
    )

    async def scenario() -> tuple[int, int, int]:
        updated = await Item.where("kind", "bulk").aupdate(stock=5)
        deleted = await Item.where("kind", "bulk").where_in("id", ["b1", "b2"]).adelete()
        forced = await Item.where("kind", "bulk").where_in("id", ["b1", "b3"]).aforce_delete()
        return updated, deleted, forced

    updated, deleted, forced = asyncio.run(scenario())
    assert (updated, deleted, forced) == (40, 2, 2)
    stocks = Item.where("kind", "bulk").pluck("stock")
    assert len(stocks) == 37  # b1, b2 soft-deleted; b3 gone
    assert set(stocks) == {5}
    trashed = Item.only_trashed().where("kind", "bulk").force_scan()
    assert trashed.pluck("id") == Collection(["b2"])
    assert Item.with_trashed().find("b1") is None
    assert Item.with_trashed().find("b3") is None


def test_ainsert_and_aupsert_keep_unique_values_exact(app: dict[str, Any]) -> None:
    Person = app["Person"]

    async def scenario() -> Any:
        ada = await Person.query().ainsert({"id": "p1", "email": "ada@x.io", "name": "Ada"})
        await Person.query().aupsert({"id": "p1", "email": "countess@x.io", "name": "Ada L."})
        return ada

    ada = asyncio.run(scenario())
    assert ada.email == "ada@x.io"
    stored = Person.find("p1")
    assert (stored.email, stored.name) == ("countess@x.io", "Ada L.")
    # The old value's sentinel was released: another person may now take it.
    Person.create(email="ada@x.io", name="Someone else")
    assert Person.where("email", "ada@x.io").first().name == "Someone else"


def test_aeach_and_achunk_see_every_item(app: dict[str, Any]) -> None:
    Item = app["Item"]
    Item.query().insert_many([{"id": f"c{n:02}", "sku": "S", "kind": "chunk"} for n in range(7)])
    seen: list[str] = []
    sizes: list[int] = []

    async def scenario() -> bool:
        await Item.where("kind", "chunk").aeach(lambda item: seen.append(item.id))
        return await Item.where("kind", "chunk").achunk(3, lambda part: sizes.append(len(part)))

    assert asyncio.run(scenario()) is True
    assert sorted(seen) == [f"c{n:02}" for n in range(7)]
    assert sorted(sizes) == [1, 3, 3]
    with pytest.raises(QueryError, match="chunk size must be at least 1"):
        asyncio.run(Item.where("kind", "chunk").achunk(0, print))
