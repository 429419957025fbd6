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

from typing import Any, Literal

from dynamodb_tooling.config import is_local_mode, is_loopback_endpoint
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.migrations.errors import MigrationError, UnsafeEndpointError
from dynamodb_tooling.migrations.plan import MigrationPlan
from dynamodb_tooling.migrations.results import (
    MigrationEvent,
    MigrationResult,
    MigrationStatus,
    RollbackResult,
)
from dynamodb_tooling.migrations.runner import (
    Emit,
    RunOptions,
    fresh_flow,
    migrate_flow,
    plan_flow,
    rollback_flow,
    status_flow,
)
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.schema.registry import Registry, get_registry

PlanFormat = Literal["markdown", "json"]


def _executor(client: Executor | None) -> Executor:
    return client if client is not None else get_client()


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
    return migrate_flow(
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
    """The applied snapshot hash, the pending changes and the history of the table."""
    return _executor(client).run(status_flow(_registry(registry), table_name))


async def astatus(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    table_name: str | None = None,
) -> MigrationStatus:
    """The async twin of :func:`status`."""
    return await _executor(client).arun(status_flow(_registry(registry), table_name))


def rollback(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    dry_run: bool = False,
    options: RunOptions | None = None,
) -> RollbackResult:
    """Undo the last applied step that can be undone (a GSI added is dropped, TTL turned
    back off...) and record it; steps that cannot be undone (table created, GSI dropped,
    backfill) are passed over."""
    flow = rollback_flow(_registry(registry), dry_run=dry_run, options=options or RunOptions())
    return _executor(client).run(flow)


async def arollback(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    dry_run: bool = False,
    options: RunOptions | None = None,
) -> RollbackResult:
    """The async twin of :func:`rollback`."""
    flow = rollback_flow(_registry(registry), dry_run=dry_run, options=options or RunOptions())
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
    """Drop the table (every item and the history) and migrate from nothing.

    Refused with :class:`UnsafeEndpointError` unless the endpoint is local (the embedded
    engine, 127.0.0.1, ``localhost``, ``::1``) or ``force=True``.
    """
    executor = _executor(client)
    _check_local(executor, force)
    flow = fresh_flow(
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
    flow = fresh_flow(
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
    """The plan ``migrate`` would run now (reads the table; sends no write)."""
    return _executor(client).run(plan_flow(_registry(registry), table_name))[0]


def generate(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    format: PlanFormat = "markdown",
    table_name: str | None = None,
) -> str:
    """The plan as Markdown or JSON (``format``), for review or for a pull request."""
    return render(plan(registry, client=client, table_name=table_name), format)


async def agenerate(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    format: PlanFormat = "markdown",
    table_name: str | None = None,
) -> str:
    """The async twin of :func:`generate`."""
    found = await _executor(client).arun(plan_flow(_registry(registry), table_name))
    return render(found[0], format)


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
