"""The migration functions: ``migrate``, ``status``, ``rollback``, ``fresh``, ``generate``.

Each runs a flow of :mod:`.runner` on a client (default: ``drivers.get_client()``, the
configured engine) for a registry (default: ``get_registry()``); each ``a``-prefixed twin runs
the same flow on the client's async face.

>>> from dynamodb_tooling.migrations import migrate, status      # doctest: +SKIP
>>> migrate(dry_run=True).summary()                               # doctest: +SKIP
>>> migrate().applied                                             # doctest: +SKIP
>>> status().up_to_date                                           # doctest: +SKIP
True
"""

from __future__ import annotations

import json
from typing import Any, Literal

from dynamodb_tooling.config import is_local_mode, is_loopback_endpoint
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.migrations._services import ServiceExecutor
from dynamodb_tooling.migrations.errors import MigrationError, UnsafeEndpointError
from dynamodb_tooling.migrations.plan import MigrationPlan
from dynamodb_tooling.migrations.results import (
    MigrationEvent,
    MigrationResult,
    MigrationStatus,
    RollbackResult,
)
from dynamodb_tooling.migrations.runner import Emit, RunOptions
from dynamodb_tooling.migrations.tables import (
    fresh_tables_flow,
    migrate_tables_flow,
    plans_flow,
    rollback_tables_flow,
    status_tables_flow,
)
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.schema.registry import Registry, get_registry

PlanFormat = Literal["markdown", "json"]


def _executor(client: Executor | None) -> Executor:
    """The client, able to send Application Auto Scaling calls too (see ``_services``)."""
    found = client if client is not None else get_client()
    return found if isinstance(found, ServiceExecutor) else ServiceExecutor(found)


def _registry(registry: Registry | None) -> Registry:
    return registry if registry is not None else get_registry()


def _emit(progress: Emit | None) -> Emit:
    def ignore(event: MigrationEvent) -> None:
        del event

    return progress or ignore


def _migrate(
    registry: Registry | None,
    dry_run: bool,
    force: bool,
    backfill: bool,
    options: RunOptions | None,
    progress: Emit | None,
) -> Flow[MigrationResult]:
    return migrate_tables_flow(
        _registry(registry),
        dry_run=dry_run,
        force=force,
        backfill=backfill,
        options=options or RunOptions(),
        emit=_emit(progress),
    )


def migrate(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    dry_run: bool = False,
    force: bool = False,
    backfill: bool = True,
    options: RunOptions | None = None,
    progress: Emit | None = None,
) -> MigrationResult:
    """Bring the table to what the models need: create it, or change it one step at a time,
    backfill existing items, and record the run in the table's ``_MIGRATION`` items.

    Every table of the registry is migrated (models with their own ``table=`` have theirs),
    the main table first; its result holds the others' (``result.tables``). With
    ``options.table_name`` only that table is (see :mod:`.tables`).

    - ``dry_run``: send nothing (reads excepted); the result lists the plan and the requests.
    - ``force``: apply destructive changes (GSI drops, removed access paths); without it they
      raise :class:`DestructiveChangeError` before anything is sent.
    - ``backfill=False``: skip the backfill (the applied snapshot is then not updated, so the
      next migrate backfills).
    - ``options``: table name, polling interval and timeout, backfill segments and batch size.
    - ``progress``: called with a :class:`MigrationEvent` as steps start, wait and finish.
    """
    return _executor(client).run(_migrate(registry, dry_run, force, backfill, options, progress))


async def amigrate(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    dry_run: bool = False,
    force: bool = False,
    backfill: bool = True,
    options: RunOptions | None = None,
    progress: Emit | None = None,
) -> MigrationResult:
    """The async twin of :func:`migrate`."""
    flow = _migrate(registry, dry_run, force, backfill, options, progress)
    return await _executor(client).arun(flow)


def status(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    table_name: str | None = None,
) -> MigrationStatus:
    """The applied snapshot hash, the pending changes and the history of the table (of every
    table: ``status().tables``; ``up_to_date`` when all are)."""
    return _executor(client).run(status_tables_flow(_registry(registry), table_name))


async def astatus(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    table_name: str | None = None,
) -> MigrationStatus:
    """The async twin of :func:`status`."""
    return await _executor(client).arun(status_tables_flow(_registry(registry), table_name))


def rollback(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    dry_run: bool = False,
    options: RunOptions | None = None,
) -> RollbackResult:
    """Undo the last applied step that can be undone (a GSI added is dropped, TTL turned
    back off...) and record it; steps that cannot be undone (table created, GSI dropped,
    backfill) are passed over. With several tables, the newest such step of any table."""
    flow = rollback_tables_flow(
        _registry(registry), dry_run=dry_run, options=options or RunOptions()
    )
    return _executor(client).run(flow)


async def arollback(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    dry_run: bool = False,
    options: RunOptions | None = None,
) -> RollbackResult:
    """The async twin of :func:`rollback`."""
    flow = rollback_tables_flow(
        _registry(registry), dry_run=dry_run, options=options or RunOptions()
    )
    return await _executor(client).arun(flow)


def fresh(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    force: bool = False,
    backfill: bool = True,
    options: RunOptions | None = None,
    progress: Emit | None = None,
) -> MigrationResult:
    """Drop the table (every item and the history) and migrate from nothing (every table of
    the registry, or ``options.table_name``'s only).

    Refused with :class:`UnsafeEndpointError` unless the endpoint is local (the embedded
    engine, 127.0.0.1, ``localhost``, ``::1``) or ``force=True``.
    """
    executor = _executor(client)
    _check_local(executor, force)
    flow = fresh_tables_flow(
        _registry(registry),
        backfill=backfill,
        options=options or RunOptions(),
        emit=_emit(progress),
    )
    return executor.run(flow)


async def afresh(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    force: bool = False,
    backfill: bool = True,
    options: RunOptions | None = None,
    progress: Emit | None = None,
) -> MigrationResult:
    """The async twin of :func:`fresh`."""
    executor = _executor(client)
    _check_local(executor, force)
    flow = fresh_tables_flow(
        _registry(registry),
        backfill=backfill,
        options=options or RunOptions(),
        emit=_emit(progress),
    )
    return await executor.arun(flow)


def plan(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    table_name: str | None = None,
) -> MigrationPlan:
    """The plan ``migrate`` would run now for the main table, or ``table_name``'s (reads the
    table; sends no write). :func:`plans` gives every table's."""
    return _executor(client).run(plans_flow(_registry(registry), table_name))[0]


def plans(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
) -> dict[str, MigrationPlan]:
    """The plan of every table of the registry by table name, the main table first."""
    found = _executor(client).run(plans_flow(_registry(registry)))
    return {p.table: p for p in found}


def generate(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    format: PlanFormat = "markdown",
    table_name: str | None = None,
) -> str:
    """The plan as Markdown or JSON (``format``), for review or for a pull request: every
    table's (Markdown sections one after the other; JSON ``{"tables": [...]}`` when there
    are several), or ``table_name``'s only."""
    found = _executor(client).run(plans_flow(_registry(registry), table_name))
    return render_all(found, format)


async def agenerate(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    format: PlanFormat = "markdown",
    table_name: str | None = None,
) -> str:
    """The async twin of :func:`generate`."""
    found = await _executor(client).arun(plans_flow(_registry(registry), table_name))
    return render_all(found, format)


def render_all(found: list[MigrationPlan], format: PlanFormat) -> str:
    """Several tables' plans in one document (one plan: exactly :func:`render`)."""
    if len(found) == 1:
        return render(found[0], format)
    if format == "json":
        return json.dumps({"tables": [p.to_dict() for p in found]}, indent=2, sort_keys=True)
    return "\n".join(render(p, format) for p in found)


def render(found: MigrationPlan, format: PlanFormat) -> str:
    if format == "json":
        return found.to_json()
    if format == "markdown":
        return found.to_markdown()
    raise MigrationError(f"format {format!r} is not a plan format; use 'markdown' or 'json'")


# The local-endpoint guard of ``fresh``.


def is_local_executor(executor: Executor) -> bool:
    """Whether ``executor`` talks to a local engine: the configuration says so, or its
    driver's resolved connection is the embedded engine or a loopback endpoint."""
    if is_local_mode(executor.config):
        return True
    driver: Any = getattr(executor, "driver", None)
    connection: Any = getattr(driver, "connection", None)
    if connection is None:
        return False
    endpoint = getattr(connection, "endpoint", None)
    return bool(getattr(connection, "embedded", False)) or (
        isinstance(endpoint, str) and is_loopback_endpoint(endpoint)
    )


def _check_local(executor: Executor, force: bool) -> None:
    if force or is_local_executor(executor):
        return
    driver: Any = getattr(executor, "driver", None)
    where = getattr(getattr(driver, "connection", None), "label", None) or "a non-local endpoint"
    raise UnsafeEndpointError(
        f"fresh drops the table and every item in it, and the endpoint is {where}, not a local "
        "engine (embedded, 127.0.0.1, localhost); pass force=True (`dbtooling migrate:fresh "
        "--force`) if you really mean to wipe it there"
    )
