"""Migrating models in their own table (``table=``) against the engine: every table is
created, diffed against its own state, reported, rolled back and freshened."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations import (
    DestructiveChangeError,
    RunOptions,
    fresh,
    generate,
    migrate,
    plans,
    rollback,
    status,
)
from tests.migrations._engine import MigrationEnv, RecordingClient, registry_of

pytestmark = pytest.mark.integration

FAST = RunOptions(poll_interval=0.05)

USER: dict[str, Any] = {"name": "User", "attributes": {"email": {}}}
AUDIT: dict[str, Any] = {
    "name": "AuditEvent",
    "dynamodbTable": "Audit",
    "belongsTo": ["User"],
    "attributes": {"action": {}},
}
AUDIT_INDEXED: dict[str, Any] = {**AUDIT, "attributes": {"action": {"index": True}}}


class TablesEnv(MigrationEnv):
    """A main table ``test-mig-<id>`` and ``Audit-<id>``: the suffix makes both unique."""

    def __init__(self, base: Config, inner: DynamoDBClient) -> None:
        super().__init__(base, inner)
        self.unique = uuid.uuid4().hex[:12]
        self.table = f"test-mig-{self.unique}"
        self.audit = f"Audit-{self.unique}"

    @contextlib.contextmanager
    def tables(self, **overrides: Any) -> Iterator[RecordingClient]:
        options = {"default_table_name": "test-mig", "table_name_suffix": f"-{self.unique}"}
        with self.configure(**options, **overrides) as client:
            assert full_table_name("Audit") == self.audit
            yield client

    def drop(self) -> None:
        for table in (self.table, self.audit):
            with contextlib.suppress(ResourceNotFoundError):
                self.inner.delete_table(table)


@pytest.fixture
def tables_env(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[TablesEnv]:
    found = TablesEnv(dynamodb_config, dynamodb_client)
    yield found
    found.drop()


def _state_items(client: DynamoDBClient, table: str) -> list[str]:
    found = client.query(table, key("pk") == "_MIGRATION", consistent_read=True)["Items"]
    return sorted(unmarshall_item(item)["sk"].split("#")[0] for item in found)


def test_migrate_creates_every_table_and_a_second_run_is_a_no_op(tables_env: TablesEnv) -> None:
    with tables_env.tables() as client:
        registry = registry_of(USER, AUDIT)
        before = status(registry, client=client)
        assert list(before.tables) == [tables_env.table, tables_env.audit]
        assert not any(s.table_exists for s in before.tables.values())

        result = migrate(registry, client=client, options=FAST)

        assert list(result.tables) == [tables_env.table, tables_env.audit]
        assert [r.steps[0].action.kind for r in result.tables.values()] == ["create_table"] * 2
        assert client.writes().count("CreateTable") == 2
        for name, definition in registry.table_definitions().items():
            described = client.describe_table(name)["Table"]
            assert [g["IndexName"] for g in described["GlobalSecondaryIndexes"]] == [
                g["IndexName"] for g in definition["GlobalSecondaryIndexes"]
            ]
        # Each table holds its own state: the applied snapshot and the history.
        assert _state_items(client, tables_env.table) == ["HISTORY", "STATE"]
        assert _state_items(client, tables_env.audit) == ["HISTORY", "STATE"]
        after = status(registry, client=client)
        assert after.up_to_date
        assert [len(s.history) for s in after.tables.values()] == [1, 1]
        assert after.tables[tables_env.audit].applied_hash == result.others[0].plan.desired.hash

        client.clear()
        again = migrate(registry, client=client, options=FAST)
        assert not again.changed
        assert client.writes() == []
        # Each table is read once: the plans checked before any change are the ones run.
        assert client.operations().count("DescribeTable") == 2
        assert "nothing to migrate" in again.summary().splitlines()[1]


def test_a_change_to_a_model_in_its_own_table_migrates_that_table_only(
    tables_env: TablesEnv,
) -> None:
    with tables_env.tables() as client:
        migrate(registry_of(USER, AUDIT), client=client, options=FAST)
        client.put_item(
            tables_env.audit,
            {
                "pk": "AUDITEVENT#e1",
                "sk": "AUDITEVENT#e1",
                "_et": "AuditEvent",
                "id": "e1",
                "action": "login",
            },
        )
        registry = registry_of(USER, AUDIT_INDEXED)
        pending = status(registry, client=client)
        assert not pending.up_to_date
        assert pending.tables[tables_env.table].up_to_date
        assert pending.tables[tables_env.audit].pending

        client.clear()
        dry = migrate(registry, client=client, options=FAST, dry_run=True)
        assert client.writes() == []
        assert dry.tables[tables_env.audit].requests or dry.tables[tables_env.audit].steps

        result = migrate(registry, client=client, options=FAST)
        assert not result.tables[tables_env.table].steps
        assert result.tables[tables_env.audit].changed
        written = {r.params.get("TableName") for r in client.sent if r.operation == "UpdateItem"}
        assert written <= {tables_env.audit}
        item = client.get_item(tables_env.audit, {"pk": "AUDITEVENT#e1", "sk": "AUDITEVENT#e1"})
        assert item["Item"]["gsi2pk"] == {"S": "AUDITEVENT#action#login"}  # backfilled
        assert status(registry, client=client).up_to_date


def test_generate_plans_and_fresh_cover_every_table(tables_env: TablesEnv) -> None:
    with tables_env.tables() as client:
        registry = registry_of(USER, AUDIT)
        assert list(plans(registry, client=client)) == [tables_env.table, tables_env.audit]
        markdown = generate(registry, client=client)
        assert f"# Migration plan for table `{tables_env.table}`" in markdown
        assert f"# Migration plan for table `{tables_env.audit}`" in markdown
        as_json = json.loads(generate(registry, client=client, format="json"))
        assert [p["table"] for p in as_json["tables"]] == [tables_env.table, tables_env.audit]
        one = json.loads(generate(registry, client=client, format="json", table_name="Audit"))
        assert one["table"] == tables_env.audit

        migrate(registry, client=client, options=FAST)
        client.put_item(tables_env.audit, {"pk": "X#1", "sk": "X#1"})
        result = fresh(registry, client=client, options=FAST)
        assert client.writes().count("DeleteTable") == 2
        assert list(result.tables) == [tables_env.table, tables_env.audit]
        assert "Item" not in client.get_item(tables_env.audit, {"pk": "X#1", "sk": "X#1"})
        assert status(registry, client=client).up_to_date


def test_rollback_undoes_the_newest_step_of_any_table(tables_env: TablesEnv) -> None:
    with tables_env.tables() as client:
        migrate(registry_of(USER, AUDIT), client=client, options=FAST)
    with tables_env.tables(single_table_design={"gsi_count": 3}) as client:
        registry = registry_of(USER, AUDIT)
        migrate(registry, client=client, options=FAST)  # GSI3 in both tables, Audit last
        undone = rollback(registry, client=client, options=FAST)
        assert undone.table == tables_env.audit
        gsis = client.describe_table(tables_env.audit)["Table"]["GlobalSecondaryIndexes"]
        assert sorted(g["IndexName"] for g in gsis) == ["GSI1", "GSI2"]
        main = client.describe_table(tables_env.table)["Table"]["GlobalSecondaryIndexes"]
        assert len(main) == 3
        again = rollback(registry, client=client, options=FAST)
        assert again.table == tables_env.table


def test_a_refused_change_in_one_table_leaves_every_table_as_it_was(
    tables_env: TablesEnv,
) -> None:
    with tables_env.tables() as client:
        migrate(registry_of(USER, AUDIT), client=client, options=FAST)
        client.clear()
        user_indexed = {**USER, "attributes": {"email": {"index": True}}}
        no_relation = {key: value for key, value in AUDIT.items() if key != "belongsTo"}
        registry = registry_of(user_indexed, no_relation)
        with pytest.raises(DestructiveChangeError) as refused:
            migrate(registry, client=client, options=FAST)
        assert tables_env.audit in str(refused.value)
        assert client.writes() == []  # the main table's change was not applied either
        assert not status(registry, client=client).tables[tables_env.table].up_to_date
