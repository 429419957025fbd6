"""``dbtooling migrate`` and ``migrate:status|rollback|fresh|generate``.

Every command discovers the models under ``--models`` (default ``query_builder.models_path``)
and talks to the configured engine. ``migrate`` shows each step as it runs (waits for ACTIVE
and the backfill with a progress bar). Errors follow the CLI's one rule (``cli/_app.py``): one
line ``error: ...`` and exit 1, or the traceback with ``--debug``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from dynamodb_tooling.config import get_config
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.migrations import (
    BackfillProgress,
    CopyTableError,
    MigrationEvent,
    MigrationResult,
    MigrationStatus,
    RunOptions,
    UnsafeEndpointError,
    copy_table,
    fresh,
    generate,
    migrate,
    rollback,
    status,
)
from dynamodb_tooling.migrations.api import is_local_executor
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.discovery import load_definitions

_out = Console(highlight=False, soft_wrap=True)

ModelsOption = Annotated[
    Path | None, typer.Option("--models", help="models folder (default: query_builder.models_path)")
]
TableOption = Annotated[
    str | None, typer.Option("--table", help="table name (default: default_table_name)")
]


class PlanFormat(StrEnum):
    markdown = "markdown"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add the migration commands to the root ``dbtooling`` app."""
    app.command("migrate", help="Create or update the table your models need.")(migrate_command)
    app.command("migrate:status", help="Applied snapshot, pending changes and history.")(
        status_command
    )
    app.command("migrate:rollback", help="Undo the last applied step that can be undone.")(
        rollback_command
    )
    app.command("migrate:fresh", help="Drop the table and migrate from nothing (local only).")(
        fresh_command
    )
    app.command("migrate:generate", help="The migration plan as Markdown or JSON.")(
        generate_command
    )
    app.command(
        "migrate:copy-table",
        help="Copy the table into a new one made from the models (the way to change LSIs).",
    )(copy_table_command)


def _registry(models: Path | None) -> Registry:
    registry = Registry(get_config())
    load_definitions(models, registry=registry)
    return registry


class _Display:
    """A rich progress display fed with :class:`MigrationEvent`s."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[int, TaskID] = {}

    def __call__(self, event: MigrationEvent) -> None:
        label = f"[{event.index + 1}/{event.total}] {escape(event.action.summary)}"
        task = self.tasks.get(event.index)
        if task is None:
            task = self.tasks[event.index] = self.progress.add_task(label, total=None)
        if event.kind == "waiting":
            self.progress.update(task, description=f"{label} — waiting for ACTIVE")
        elif event.kind == "backfill" and event.backfill is not None:
            done = event.backfill
            self.progress.update(
                task,
                completed=done.scanned,
                total=done.total,
                description=f"{label} — {done.updated} updated, {done.rate:,.0f} items/s",
            )
        elif event.kind == "finished":
            self.progress.update(task, description=f"{label} — done", total=1, completed=1)
        elif event.kind == "failed":
            self.progress.update(task, description=f"{label} — [red]failed[/]")


@contextmanager
def _display() -> Iterator[_Display]:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_out, transient=False) as progress:
        yield _Display(progress)


def _print_result(result: MigrationResult) -> None:
    _out.print(escape(result.summary()))  # every table's (models with table=)
    for one in result.tables.values():
        for change in one.plan.changes:
            for warning in change.warnings:
                _out.print(f"  warning ({change.severity}): {escape(warning)}")
        for step in one.steps:  # why a step was not sent (engine support, --no-backfill)
            if step.status in ("planned", "skipped") and step.error and not one.dry_run:
                _out.print(f"  {step.status}: {escape(step.action.summary)} — {escape(step.error)}")


def migrate_command(
    models: ModelsOption = None,
    table: TableOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="send nothing; print the plan and its requests")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="apply destructive changes (GSI drops...)")
    ] = False,
    backfill: Annotated[
        bool, typer.Option("--backfill/--no-backfill", help="backfill existing items")
    ] = True,
    segments: Annotated[int, typer.Option("--segments", min=1, help="backfill scan segments")] = 4,
) -> None:
    """Create the table, or change it one step at a time, and backfill existing items."""
    registry = _registry(models)
    options = RunOptions(table_name=table, segments=segments)
    if dry_run:
        result = migrate(registry, client=get_client(), dry_run=True, options=options)
        _print_result(result)
        for one in result.tables.values():
            for request in one.requests:
                _out.print(f"  would send {request.operation} to {one.plan.table}")
        return
    with _display() as display:
        result = migrate(
            registry,
            client=get_client(),
            force=force,
            backfill=backfill,
            options=options,
            progress=display,
        )
    _print_result(result)


def _print_status(found: MigrationStatus, history: int) -> None:
    applied = found.applied_hash[:12] if found.applied_hash else "none (never migrated)"
    _out.print(f"table {found.table}: {'exists' if found.table_exists else 'does not exist'}")
    _out.print(f"  applied snapshot: {applied}")
    if found.applied_at:
        _out.print(f"  applied at {found.applied_at} by {escape(found.applied_by or '?')}")
    _out.print(f"  models' snapshot: {found.desired_hash[:12]}")
    _out.print("  up to date" if found.up_to_date else "  pending changes:")
    for change in found.pending:
        _out.print(f"    [{change.severity}] {escape(change.summary)}")
    if found.history:
        _out.print("  history (newest last):")
    for entry in found.history[-history:]:
        error = f" — {escape(entry.error)}" if entry.error else ""
        _out.print(
            f"    {entry.at} {entry.kind} {entry.result} by {escape(entry.by)} "
            f"({len(entry.steps)} step(s), {entry.duration_s:.1f} s){error}"
        )


def status_command(
    models: ModelsOption = None,
    table: TableOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the status as JSON")] = False,
    history: Annotated[
        int, typer.Option("--history", min=0, help="how many history entries to show")
    ] = 10,
) -> None:
    """Where the table stands: applied snapshot hash, pending changes, history."""
    found = status(_registry(models), client=get_client(), table_name=table)
    if as_json:
        _out.print(found.to_json(), markup=False)
        return
    for one in found.tables.values():  # the main table, then each table= of the models
        _print_status(one, history)


def rollback_command(
    models: ModelsOption = None,
    table: TableOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="send nothing; say what")] = False,
) -> None:
    """Undo the last applied step that can be undone (and record it in the history)."""
    options = RunOptions(table_name=table)
    result = rollback(_registry(models), client=get_client(), dry_run=dry_run, options=options)
    _out.print(escape(result.summary()))


def fresh_command(
    models: ModelsOption = None,
    table: TableOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="no confirmation; allow a non-local endpoint")
    ] = False,
    backfill: Annotated[bool, typer.Option("--backfill/--no-backfill")] = True,
) -> None:
    """Drop the table with every item and migrate from nothing (refused off local engines)."""
    client = get_client()
    registry = _registry(models)
    name = registry.table_definition(table)["TableName"]
    if table is None:
        name = ", ".join(registry.tables())  # every table of the models is dropped
    if not force and not is_local_executor(client):
        raise_refused(name)
    if not force and not typer.confirm(f"Drop table {name} and every item in it?"):
        _out.print("nothing was changed")
        raise typer.Exit(1)
    with _display() as display:
        result = fresh(
            registry,
            client=client,
            force=force,
            backfill=backfill,
            options=RunOptions(table_name=table),
            progress=display,
        )
    _print_result(result)


def raise_refused(table: str) -> None:
    raise UnsafeEndpointError(
        f"migrate:fresh drops table {table} and every item in it, and the configured endpoint "
        "is not a local engine (embedded, 127.0.0.1, localhost); pass --force if you really "
        "mean to wipe it there"
    )


def generate_command(
    models: ModelsOption = None,
    table: TableOption = None,
    fmt: Annotated[PlanFormat, typer.Option("--format", "-f")] = PlanFormat.markdown,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write to this file")
    ] = None,
) -> None:
    """The plan migrate would run now, as Markdown or JSON (reads the table, changes nothing)."""
    text = generate(_registry(models), client=get_client(), format=fmt.value, table_name=table)
    if output is None:
        _out.print(text, markup=False)
        return
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    _out.print(f"wrote {output}")


def copy_table_command(
    models: ModelsOption = None,
    table: TableOption = None,
    to: Annotated[
        str | None, typer.Option("--to", help="the new table's name (default: <table>-v2)")
    ] = None,
    segments: Annotated[
        int, typer.Option("--segments", min=1, help="parallel scan segments (resume: the same)")
    ] = 4,
    page_size: Annotated[
        int | None, typer.Option("--page-size", min=1, help="items per scan page")
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="ignore the checkpoints and copy everything again")
    ] = False,
    drop_old: Annotated[
        bool, typer.Option("--drop-old", help="delete the old table once the counts agree")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="needed with --drop-old")] = False,
) -> None:
    """Create a new table from the models (with their LSIs), copy every item into it (resumable),
    verify the counts and print the configuration change that switches to it."""
    if drop_old and not force:
        raise CopyTableError(
            "--drop-old deletes the old table and every item in it after the copy; add --force "
            "if you mean it (nothing was changed)"
        )
    registry = _registry(models)
    options = RunOptions(table_name=table, segments=segments)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_out, transient=False) as bar:
        task = bar.add_task("copying", total=None)

        def progress(done: BackfillProgress) -> None:
            bar.update(
                task,
                completed=done.scanned,
                description=f"copying — {done.updated} written, {done.rate:,.0f} items/s, "
                f"segments {done.segments_done}/{done.segments}",
            )

        result = copy_table(
            registry,
            client=get_client(),
            to=to,
            options=options,
            page_size=page_size,
            restart=restart,
            drop_old=drop_old,
            force=force,
            progress=progress,
        )
    _out.print(escape(result.summary()))
