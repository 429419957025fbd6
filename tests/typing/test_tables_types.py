"""Models in their own table (``table=``) for type checkers: the registry's per-table API and
the migration results' per-table views. Checked by ``mypy --strict src tests/typing``."""

from __future__ import annotations

from typing import assert_type

from dynamodb_tooling._types import CreateTableInput
from dynamodb_tooling.migrations import MigrationResult, MigrationStatus
from dynamodb_tooling.migrations.plan import MigrationPlan
from dynamodb_tooling.orm import BelongsTo, Model
from dynamodb_tooling.schema import Registry, ResolvedSchema

#: Its own registry: pytest imports this module beside other typing checks.
REGISTRY = Registry()


class Ledger(Model, registry=REGISTRY):
    name: str


class Entry(Model, registry=REGISTRY, table="Entries"):
    amount: int
    ledger = BelongsTo(Ledger)


def check_registry() -> None:
    assert_type(REGISTRY.tables(), dict[str, tuple[str, ...]])
    assert_type(REGISTRY.table_definitions(), dict[str, CreateTableInput])
    assert_type(REGISTRY.table_name("Entry"), str)
    assert_type(REGISTRY.table_schema("Entries"), ResolvedSchema)


def check_results(result: MigrationResult, status: MigrationStatus) -> None:
    assert_type(result.tables, dict[str, MigrationResult])
    assert_type(result.others, tuple[MigrationResult, ...])
    assert_type(status.tables, dict[str, MigrationStatus])
    assert_type(result.plan, MigrationPlan)
