"""Migrating every table of a registry: the main one and those models chose with ``table=``.

Each table is migrated on its own, by the flows of :mod:`.runner`: its own snapshot (its
models' entities, pivots, access patterns and its CreateTable request), diffed against the
state kept **in that table** (its own ``_MIGRATION`` collection) and its live description. State
per table, rather than all of it in the main table, because a table's state must live and die
with the table: ``fresh`` or a manual ``DeleteTable`` of one table drops its history with it,
restoring a backup restores the matching state, and nothing in one table can claim another is
migrated. The main table goes first, then the others by name.

``table_name`` (``RunOptions.table_name``, ``--table``) picks one table: the name a model chose
with ``table=`` selects that table, any other name is the main table's (renamed).

Several tables are planned and checked (impossible changes, destructive ones without ``force``)
before the first one is changed, so a refusal leaves every table as it was.
"""

from __future__ import annotations

from dataclasses import replace

from dynamodb_tooling.config import full_table_name
from dynamodb_tooling.migrations.errors import MigrationError
from dynamodb_tooling.migrations.live import read_live_table
from dynamodb_tooling.migrations.plan import MigrationPlan
from dynamodb_tooling.migrations.results import MigrationResult, MigrationStatus, RollbackResult
from dynamodb_tooling.migrations.runner import (
    Emit,
    RunOptions,
    check_plan,
    fresh_flow,
    last_undoable,
    migrate_flow,
    plan_flow,
    rollback_flow,
    status_flow,
)
from dynamodb_tooling.migrations.state import StoredState, read_state
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.schema.registry import Registry

__all__ = [
    "fresh_tables_flow",
    "migrate_tables_flow",
    "plans_flow",
    "rollback_tables_flow",
    "status_tables_flow",
    "table_targets",
]


def table_targets(registry: Registry, table_name: str | None = None) -> list[str | None]:
    """The tables a run covers, as the names ``RunOptions.table_name`` takes: ``None`` (the
    main table), then the ``table=`` names of the others; only one when ``table_name`` is
    given."""
    config = registry.config
    main = registry.table_name()
    chosen = {full_table_name(m.table, config): m.table for m in registry.models if m.table}
    others: list[str | None] = [chosen[name] for name in registry.tables() if name != main]
    if table_name is None:
        return [None, *others]
    full = full_table_name(table_name, config)
    return [chosen[full] if full in chosen and full != main else table_name]


def _options(options: RunOptions, table: str | None) -> RunOptions:
    return options if table == options.table_name else replace(options, table_name=table)


def plans_flow(registry: Registry, table_name: str | None = None) -> Flow[list[MigrationPlan]]:
    """The plan of every table (reads only)."""
    plans = []
    for table in table_targets(registry, table_name):
        plan, _, _ = yield from plan_flow(registry, table)
        plans.append(plan)
    return plans


def _check_all(
    registry: Registry, tables: list[str | None], *, force: bool, dry_run: bool
) -> Flow[list[tuple[MigrationPlan, StoredState] | None]]:
    """Every table's plan, checked before any table changes (a refusal in one changes none);
    the plans are then run as they are (no table's migration changes another's)."""
    if len(tables) < 2 or dry_run:
        return [None] * len(tables)
    planned: list[tuple[MigrationPlan, StoredState] | None] = []
    for table in tables:
        plan, stored, _ = yield from plan_flow(registry, table)
        check_plan(plan, force=force)
        planned.append((plan, stored))
    return planned


def migrate_tables_flow(
    registry: Registry,
    *,
    dry_run: bool = False,
    force: bool = False,
    backfill: bool = True,
    options: RunOptions,
    emit: Emit,
) -> Flow[MigrationResult]:
    """:func:`.runner.migrate_flow` for every table; the main table's result holds the
    others' (``result.others``, ``result.tables``)."""
    tables = table_targets(registry, options.table_name)
    planned = yield from _check_all(registry, tables, force=force, dry_run=dry_run)
    results = []
    for table, plan in zip(tables, planned, strict=True):
        result = yield from migrate_flow(
            registry,
            dry_run=dry_run,
            force=force,
            backfill=backfill,
            options=_options(options, table),
            emit=emit,
            planned=plan,
        )
        results.append(result)
    return replace(results[0], others=tuple(results[1:])) if len(results) > 1 else results[0]


def fresh_tables_flow(
    registry: Registry, *, backfill: bool = True, options: RunOptions, emit: Emit
) -> Flow[MigrationResult]:
    """Drop and migrate every table from nothing (:func:`.runner.fresh_flow` each)."""
    results = []
    for table in table_targets(registry, options.table_name):
        flow = fresh_flow(registry, backfill=backfill, options=_options(options, table), emit=emit)
        results.append((yield from flow))
    return replace(results[0], others=tuple(results[1:])) if len(results) > 1 else results[0]


def status_tables_flow(registry: Registry, table_name: str | None = None) -> Flow[MigrationStatus]:
    """Where every table stands; the main table's status holds the others'."""
    found = []
    for table in table_targets(registry, table_name):
        found.append((yield from status_flow(registry, table)))
    return replace(found[0], others=tuple(found[1:])) if len(found) > 1 else found[0]


def rollback_tables_flow(
    registry: Registry, *, dry_run: bool = False, options: RunOptions
) -> Flow[RollbackResult]:
    """Undo the newest undoable step of any table (the table's own history says which)."""
    tables = table_targets(registry, options.table_name)
    if len(tables) == 1:
        return (yield from rollback_flow(registry, dry_run=dry_run, options=options))
    newest: tuple[str, str | None] | None = None
    for table in tables:
        name = full_table_name(table, registry.config)
        live = yield from read_live_table(name)
        if not live.exists:
            continue
        found = last_undoable((yield from read_state(name, registry.config)))
        if found is not None and (newest is None or found[0] > newest[0]):
            newest = (found[0], table)
    if newest is None:
        raise MigrationError(
            "no table of the registry has an applied step that can be undone (creating a "
            "table, dropping a GSI and backfills cannot be; on a local engine `dbtooling "
            "migrate:fresh` starts over)"
        )
    flow = rollback_flow(registry, dry_run=dry_run, options=_options(options, newest[1]))
    return (yield from flow)
