"""An LSI change: refused in place, done by ``copy_table`` into a new table, against the engine."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations import (
    BackfillProgress,
    CopyTableError,
    ImpossibleChangeError,
    RunOptions,
    acopy_table,
    copy_table,
    migrate,
    status,
)
from dynamodb_tooling.requests.items import query
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer
from tests.fault_proxy import Fault, FaultProxy
from tests.migrations._engine import MigrationEnv, registry_of

pytestmark = pytest.mark.integration

FAST = RunOptions(poll_interval=0.05, segments=3)
ORDER: dict[str, Any] = {
    "name": "Order",
    "attributes": {"total": {"type": "number"}, "placed_at": {}},
}
OWNER: dict[str, Any] = {
    "name": "Owner",
    "attributes": {"name": {}},
    "hasMany": [{"model": "Order", "collection": True}],
}
SORTED_OWNER: dict[str, Any] = {
    **OWNER,
    "hasMany": [{"model": "Order", "collection": True, "sortBy": "placed_at"}],
}
OWNERS = 4
ORDERS = 9


@pytest.fixture
def copied(env: MigrationEnv) -> Iterator[str]:
    """The new table's name (deleted afterwards)."""
    name = f"{env.table}-v2"
    yield name
    with contextlib.suppress(ResourceNotFoundError):
        env.inner.delete_table(name)


def _fill(client: DynamoDBClient, table: str, registry: Registry) -> None:
    transformer = EntityTransformer(registry)
    for w in range(OWNERS):
        client.put_item(table, transformer.to_item("Owner", {"id": f"w{w}", "name": f"owner {w}"}))
        for n in range(ORDERS):
            values = {
                "id": f"o{w}-{n}",
                "owner_id": f"w{w}",
                "total": n * 10 + w,
                "placed_at": f"2024-01-{(ORDERS - n):02d}",  # placed in reverse id order
            }
            client.put_item(table, transformer.to_item("Order", values))


def _items(client: DynamoDBClient, table: str) -> dict[tuple[str, str], dict[str, Any]]:
    found = client.scan_all(table).items
    items = [unmarshall_item(i) for i in found]
    return {(i["pk"], i["sk"]): i for i in items if i["pk"] != "_MIGRATION"}


def test_an_lsi_change_is_refused_and_names_the_copy_table_command(env: MigrationEnv) -> None:
    with env.configure() as client:
        migrate(registry_of(OWNER, ORDER), client=client, options=FAST)
        client.clear()
        with pytest.raises(ImpossibleChangeError) as refused:
            migrate(registry_of(SORTED_OWNER, ORDER), client=client, force=True, options=FAST)
        message = str(refused.value)
        assert "dbtooling migrate:copy-table" in message
        assert "copy_table(" in message
        assert "--drop-old --force" in message
        assert client.writes() == []


def test_copy_table_makes_a_table_with_the_new_lsi_and_the_same_items(
    env: MigrationEnv, copied: str
) -> None:
    with env.configure() as client:
        old = registry_of(OWNER, ORDER)
        migrate(old, client=client, options=FAST)
        _fill(client, env.table, old)
        new = registry_of(SORTED_OWNER, ORDER)

        result = copy_table(new, client=client, options=FAST, page_size=5)

        assert (result.source, result.target) == (env.table, copied)
        assert result.verified
        assert result.source_count == result.target_count == OWNERS * (ORDERS + 1)
        assert result.copied == OWNERS * (ORDERS + 1)
        assert result.derived == OWNERS * ORDERS  # every order got its LSI sort key
        assert not result.dropped_old
        assert f'default_table_name = "{copied}"' in result.summary()
        assert str(result) == result.summary()
        described = client.describe_table(copied)["Table"]
        assert [i["IndexName"] for i in described["LocalSecondaryIndexes"]] == ["LSI1"]
        client.describe_table(env.table)  # the old table is kept

        before, after = _items(client, env.table), _items(client, copied)
        assert before.keys() == after.keys()
        for item_key, item in before.items():
            assert {k: v for k, v in after[item_key].items() if k != "lsi1sk"} == item
        assert {k for k, v in after.items() if "lsi1sk" in v} == {
            k for k in after if k[1].startswith("ORDER#")
        }

        response = client.execute(query(copied, key("pk") == "OWNER#w1", index="LSI1"))
        ordered = [unmarshall_item(i) for i in response["Items"]]
        placed = [i["placed_at"] for i in ordered if i.get("_et") == "Order"]
        assert placed == sorted(placed)
        assert len(placed) == ORDERS

        with env.configure(default_table_name=copied) as switched:
            assert status(new, client=switched).up_to_date
            assert [h.kind for h in status(new, client=switched).history] == ["migrate"]

        client.clear()
        again = copy_table(new, client=client, options=FAST)  # finished: only verifies
        assert again.resumed
        assert again.copied == 0
        assert again.verified
        assert "BatchWriteItem" not in client.writes()


def test_copy_table_is_refused_without_force_and_drops_the_old_table_with_it(
    env: MigrationEnv, copied: str
) -> None:
    with env.configure() as client:
        old = registry_of(OWNER, ORDER)
        migrate(old, client=client, options=FAST)
        _fill(client, env.table, old)
        new = registry_of(SORTED_OWNER, ORDER)
        with pytest.raises(CopyTableError, match="--drop-old --force"):
            copy_table(new, client=client, options=FAST, drop_old=True)
        assert client.writes() == ["CreateTable", "PutItem", "PutItem"] + ["PutItem"] * (
            OWNERS * (ORDERS + 1)
        )

        result = asyncio.run(
            acopy_table(new, client=client, options=FAST, drop_old=True, force=True)
        )

        assert result.dropped_old
        assert result.verified
        with pytest.raises(ResourceNotFoundError):
            client.describe_table(env.table)
        assert len(_items(client, copied)) == OWNERS * (ORDERS + 1)


def test_copy_table_refuses_a_target_that_is_not_its_copy(env: MigrationEnv, copied: str) -> None:
    with env.configure() as client:
        registry = registry_of(OWNER, ORDER)
        migrate(registry, client=client, options=FAST)
        migrate(registry, client=client, options=RunOptions(table_name=copied))
        client.clear()
        with pytest.raises(CopyTableError, match="already exists and is not a copy"):
            copy_table(registry, client=client, options=FAST)
        with pytest.raises(CopyTableError, match="is the old table's"):
            copy_table(registry, client=client, to=env.table, options=FAST)
        assert client.writes() == []


def test_nothing_is_lost_under_throttling_and_unprocessed_items(
    env: MigrationEnv, copied: str, fault_proxy: FaultProxy
) -> None:
    with env.configure() as client:
        old = registry_of(OWNER, ORDER)
        migrate(old, client=client, options=FAST)
        _fill(client, env.table, old)
    with env.configure(endpoint=fault_proxy.endpoint) as client:
        fault_proxy.inject(Fault("partial", operations={"BatchWriteItem"}, limit=6))
        fault_proxy.inject(Fault("throttle", rate=0.3, operations={"Scan"}, limit=4))

        result = copy_table(registry_of(SORTED_OWNER, ORDER), client=client, options=FAST)

        assert result.verified
        assert result.target_count == OWNERS * (ORDERS + 1)
        assert _items(client, copied).keys() == _items(client, env.table).keys()


class CrashError(Exception):
    """Stands for a crash after some pages were copied."""


def test_an_interrupted_copy_resumes_from_its_checkpoints(env: MigrationEnv, copied: str) -> None:
    with env.configure() as client:
        old = registry_of(OWNER, ORDER)
        migrate(old, client=client, options=FAST)
        _fill(client, env.table, old)
        new = registry_of(SORTED_OWNER, ORDER)
        pages = 0

        def crash(progress: BackfillProgress) -> None:
            nonlocal pages
            pages += 1
            if pages >= 2:
                raise CrashError

        with pytest.raises(CopyTableError, match="run the copy again"):
            copy_table(new, client=client, options=FAST, page_size=4, progress=crash)
        partial = len(_items(client, copied))
        assert 0 < partial < OWNERS * (ORDERS + 1)

        result = copy_table(new, client=client, options=FAST, page_size=4)

        assert result.resumed
        assert result.copied < OWNERS * (ORDERS + 1)
        assert result.verified
        after = _items(client, copied)
        assert after.keys() == _items(client, env.table).keys()
        assert all("lsi1sk" in v for k, v in after.items() if k[1].startswith("ORDER#"))
