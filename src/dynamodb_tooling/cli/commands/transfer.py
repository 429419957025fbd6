"""``dbtooling export``, ``import``, ``backup``, ``backup:list`` and ``restore``.

Thin wrappers over :mod:`dynamodb_tooling.transfer`: options become arguments, progress
becomes a rich progress bar on stderr (rate and ETA), results become a table or, with
``--json``, one JSON object for scripts. ``import`` exits 1 when records were rejected (after
writing the valid ones with ``--continue-on-error``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dynamodb_tooling.cli.commands._common import (
    JsonOption,
    ModelsOption,
    TableOption,
    load_project_models,
    model_class,
    out,
    print_json,
    table_name,
)
from dynamodb_tooling.cli.commands._conditions import parse_filter, parse_where
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.builder import table as raw_table
from dynamodb_tooling.schema import ModelDefinition
from dynamodb_tooling.transfer import (
    BackupInfo,
    ExportResult,
    ImportResult,
    ProgressCallback,
    TransferProgress,
    backup,
    enable_point_in_time_recovery,
    export,
    import_,
    list_backups,
    restore,
)
from dynamodb_tooling.transfer.backups import PointInTime

_err = Console(stderr=True, highlight=False, soft_wrap=True)

FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="json, jsonl or csv (default: the suffix)")
]
_LABELS = {
    "scan": "reading",
    "write-file": "writing file",
    "validate": "validating",
    "import": "importing",
}


def register(app: typer.Typer) -> None:
    """Add ``export``, ``import``, ``backup``, ``backup:list`` and ``restore``."""
    app.command("export", help="Export items to a JSON, JSON Lines or CSV file.")(export_command)
    app.command("import", help="Import a JSON, JSON Lines or CSV file (batched, resumable).")(
        import_command
    )
    app.command("backup", help="Create an on-demand backup of the table.")(backup_command)
    app.command("backup:list", help="List the on-demand backups.")(backup_list_command)
    app.command("restore", help="Restore a backup (or a point in time) into a new table.")(
        restore_command
    )


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing one bar per phase on stderr (none when disabled)."""
    if not enabled:
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_err, transient=True) as bars:
        tasks: dict[str, TaskID] = {}

        def report(update: TransferProgress) -> None:
            task = tasks.get(update.phase)
            if task is None:
                label = _LABELS.get(update.phase, update.phase)
                task = tasks[update.phase] = bars.add_task(label, total=None, rate="")
            speed = bars.tasks[task].speed
            rate = f"{speed:,.0f} items/s" if speed else ""
            bars.update(task, completed=update.done, total=update.total, rate=rate)

        yield report


def _query_of(
    models: list[str],
    where: list[str],
    filters: list[str],
    table: str | None,
    models_path: Path | None,
) -> QueryBuilder[Any] | None:
    """The query ``--where``/``--filter`` describe (the syntax of ``dbtooling query``): one
    model's, or without ``--model`` the raw table's; ``None`` without conditions."""
    if not where and not filters:
        return None
    if len(models) > 1:
        raise DynamoDBToolingError(
            "--where/--filter filter one model's query; pass exactly one --model with them "
            "(or none, to filter the raw table)"
        )
    definition: ModelDefinition | None = None
    query: QueryBuilder[Any]
    if models:
        if table is not None:
            raise DynamoDBToolingError(
                "--where/--filter with --model read the model's configured table; drop --table "
                "(or drop --model to filter a raw table)"
            )
        cls = model_class(models[0], models_path)
        definition = cls.__definition__
        query = cls.query()
    else:
        query = raw_table(table_name(table))
    for text in where:
        query = parse_where(text, definition)(query)
    for expression in filters:
        query = parse_filter(expression, definition)(query)
    # An export reads everything the conditions match: a Scan is expected, not a mistake.
    return query.force_scan() if query.explain().is_scan else query


def export_command(
    path: Annotated[Path, typer.Argument(help="file to write (.json, .jsonl or .csv)")],
    format: FormatOption = None,
    table: TableOption = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="entity type to export (repeatable; default: all)"),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option("--where", "-w", help="ATTR=VALUE equality, as in `query` (repeatable)"),
    ] = None,
    filter_: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help='condition expression, as in `query`, e.g. "age > 30" (repeatable)',
        ),
    ] = None,
    columns: Annotated[
        str | None, typer.Option("--columns", help="CSV columns, comma-separated")
    ] = None,
    segments: Annotated[int, typer.Option(help="parallel scan segments")] = 4,
    chunk_size: Annotated[int, typer.Option(help="items per sorted run in memory")] = 10_000,
    unordered: Annotated[
        bool, typer.Option("--unordered", help="keep scan order (no sort by key)")
    ] = False,
    models: ModelsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export the table, some entity types (--model), or what conditions select.

    --where and --filter take the condition syntax of `dbtooling query`: with one --model
    they filter that model's query (a Query when an index serves it), without a model they
    filter the raw table (--table, default the configured one).
    """
    names = list(model or [])
    query = _query_of(names, list(where or []), list(filter_ or []), table, models)
    with _progress(not as_json) as progress:
        result = export(
            path,
            format=format,  # type: ignore[arg-type]
            models=(names or None) if query is None else None,
            query=query,
            table=table_name(table) if query is None or table else None,
            columns=[c.strip() for c in columns.split(",")] if columns else None,
            segments=segments,
            chunk_size=chunk_size,
            ordered=not unordered,
            progress=progress,
        )
    _show_export(result, as_json)


def _show_export(result: ExportResult, as_json: bool) -> None:
    summary = {
        "path": str(result.path),
        "format": result.format,
        "table": result.table,
        "items": result.items,
        "columns": list(result.columns),
        "seconds": round(result.seconds, 3),
    }
    if as_json:
        print_json(summary)
        return
    rate = result.items / result.seconds if result.seconds else 0
    out.print(
        f"exported {result.items} items of {result.table} to {result.path} "
        f"({result.format}, {result.seconds:.2f} s, {rate:,.0f} items/s)"
    )


def import_command(
    path: Annotated[Path, typer.Argument(help="file to read (.json, .jsonl or .csv)")],
    format: FormatOption = None,
    table: TableOption = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="records are this model's values (keys derived)"),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=ATTRIBUTE rename (COLUMN= drops it); repeatable"),
    ] = None,
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="check every record first")
    ] = True,
    continue_on_error: Annotated[
        bool, typer.Option("--continue-on-error", help="write valid records, report the rest")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="read and validate; write nothing")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume/--no-resume", help="continue from a checkpoint")
    ] = True,
    batch_size: Annotated[int, typer.Option(help="puts per BatchWriteItem (1-25)")] = 25,
    concurrency: Annotated[int, typer.Option(help="batches in flight at once")] = 8,
    models: ModelsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import records: raw items (an export) or, with --model, model values."""
    if model is not None:
        model_class(model, models)
    else:
        load_project_models(models)
    with _progress(not as_json) as progress:
        result = import_(
            path,
            format=format,  # type: ignore[arg-type]
            table=table_name(table),
            model=model,
            mapping=_mapping(mapping or []),
            validate=validate,
            continue_on_error=continue_on_error,
            dry_run=dry_run,
            resume=resume,
            batch_size=batch_size,
            concurrency=concurrency,
            progress=progress,
        )
    _show_import(result, as_json)
    if result.errors:
        raise typer.Exit(1)


def _mapping(pairs: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for pair in pairs:
        column, sep, attribute = pair.partition("=")
        if not sep or not column:
            raise DynamoDBToolingError(
                f"--map {pair!r} is not COLUMN=ATTRIBUTE (e.g. --map 'E-mail=email')"
            )
        found[column] = attribute or None
    return found


def _show_import(result: ImportResult, as_json: bool) -> None:
    errors = [
        {"line": e.line, "attribute": e.attribute, "message": e.message} for e in result.errors
    ]
    summary = {
        "path": str(result.path),
        "format": result.format,
        "table": result.table,
        "model": result.model,
        "records": result.records,
        "written": result.written,
        "skipped": result.skipped,
        "errors": errors,
        "dry_run": result.dry_run,
        "requests": result.requests,
        "seconds": round(result.seconds, 3),
    }
    if as_json:
        print_json(summary)
        return
    verb = "would write" if result.dry_run else "wrote"
    count = result.records - len({e.line for e in result.errors}) if result.dry_run else None
    written = count if count is not None else result.written
    out.print(
        f"{verb} {written} of {result.records} records to {result.table} "
        f"in {result.requests} BatchWriteItem requests ({result.seconds:.2f} s)"
        + (f"; {result.skipped} already written by an earlier run" if result.skipped else "")
    )
    for error in result.errors:
        _err.print(f"  rejected {error}", markup=False)


def _backup_row(info: BackupInfo) -> dict[str, Any]:
    return {
        "arn": info.arn,
        "name": info.name,
        "table": info.table,
        "status": info.status,
        "created": info.created.isoformat() if info.created else None,
        "size_bytes": info.size_bytes,
    }


def backup_command(
    name: Annotated[str, typer.Argument(help="backup name")],
    table: TableOption = None,
    enable_pitr: Annotated[
        bool,
        typer.Option("--enable-pitr", help="also turn on point-in-time recovery"),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an on-demand backup (CreateBackup) of the table."""
    target = table_name(table)
    info = backup(name, table=target)
    pitr = enable_point_in_time_recovery(table=target) if enable_pitr else None
    if as_json:
        print_json({**_backup_row(info), "point_in_time_recovery": pitr is not None})
        return
    out.print(f"backup {info.name} of {info.table}: {info.status} ({info.arn})")
    if pitr is not None:
        out.print(f"point-in-time recovery is on for {target}")


def backup_list_command(table: TableOption = None, as_json: JsonOption = False) -> None:
    """List on-demand backups (of --table only, when given)."""
    backups = list_backups(table=table)
    if as_json:
        print_json([_backup_row(b) for b in backups])
        return
    listing = Table(title="Backups")
    for column in ("name", "table", "status", "created", "arn"):
        listing.add_column(column)
    for info in backups:
        created = info.created.isoformat(timespec="seconds") if info.created else ""
        listing.add_row(info.name, info.table, info.status, created, info.arn)
    out.print(listing)


def restore_command(
    source: Annotated[
        str, typer.Argument(help="backup ARN or name; with --point-in-time: the source table")
    ],
    target: Annotated[str, typer.Argument(help="name of the new table")],
    point_in_time: Annotated[
        str | None,
        typer.Option("--point-in-time", help="ISO-8601 moment with a timezone, or 'latest'"),
    ] = None,
    table: TableOption = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="wait until ACTIVE")] = True,
    as_json: JsonOption = False,
) -> None:
    """Restore into a new table: from a backup (RestoreTableFromBackup) or to a point in
    time (RestoreTableToPointInTime)."""
    moment = _moment(point_in_time)
    result = restore(source, target, point_in_time=moment, table=table_name(table), wait=wait)
    if as_json:
        print_json({"table": result.table, "source": result.source, "status": result.status})
        return
    out.print(f"restored {result.source} into {result.table} ({result.status})")


def _moment(text: str | None) -> PointInTime | None:
    if text is None:
        return None
    if text == "latest":
        return "latest"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DynamoDBToolingError(
            f"--point-in-time {text!r} is not an ISO-8601 moment; e.g. "
            "2026-01-31T12:00:00+00:00, or 'latest'"
        ) from None
    return moment
