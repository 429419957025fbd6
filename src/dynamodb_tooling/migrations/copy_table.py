"""Copy the table into a new one made from the models: the way to change LSIs.

DynamoDB creates local secondary indexes only with the table, so a changed LSI (a collection
given a ``sort_by``, one removed) cannot be migrated in place. :func:`copy_table` (``dbtooling
migrate:copy-table``):

1. creates the new table (default ``<table>-v2``) with :func:`~.runner.migrate_flow`, so it has
   exactly what the models need (LSIs, GSIs, TTL, tags...) and its own ``_MIGRATION`` state;
2. copies every item with a parallel scan of the old table (``segments`` side by side), each
   page written with BatchWriteItem (chunks of 25 concurrently, unprocessed items and throttling
   retried until done), each item's derived keys (GSI and LSI keys) computed by the models' key
   scheme on the way; the old table's ``_MIGRATION`` items are not copied;
3. checkpoints every page in the new table (``_MIGRATION`` / ``BACKFILL#copy-<old>#<segment>``),
   so an interrupted copy resumes where it stopped;
4. re-keys (with the backfill, sentinels included) the items whose pk/sk the models now derive
   differently, if any;
5. counts the items of both tables, records the outcome in the new table (``_MIGRATION`` /
   ``COPY``), and says which configuration change switches the application to the new table.

The old table is never deleted unless ``drop_old=True`` *and* ``force=True``, and then only
after the counts agree. Writes the application makes to the old table during the copy may be
missed: stop them, or run the copy again (``restart=True``) just before switching.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import SingleTableDesignConfig, full_table_name
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.expressions import Path, attr
from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.migrations._backfill_flow import (
    BackfillOptions,
    BackfillRun,
    checkpointed_scan,
    patient,
    read_checkpoints,
    resolve_segments,
    resumable,
)
from dynamodb_tooling.migrations._backfill_plan import BackfillPlanner
from dynamodb_tooling.migrations._backfill_progress import ProgressCallback, ProgressTracker
from dynamodb_tooling.migrations._backfill_report import BackfillReport
from dynamodb_tooling.migrations._checkpoint import MIGRATION_PARTITION, Checkpoint
from dynamodb_tooling.migrations.api import _executor, _registry
from dynamodb_tooling.migrations.backfill import compile_backfill
from dynamodb_tooling.migrations.errors import MigrationError
from dynamodb_tooling.migrations.results import MigrationResult
from dynamodb_tooling.migrations.runner import RunOptions, drop_table_flow, migrate_flow
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.requests import Backoff, Flow, Request, gather
from dynamodb_tooling.requests.batch import batch_write
from dynamodb_tooling.requests.items import get_item, put_item, scan
from dynamodb_tooling.requests.pagination import next_page
from dynamodb_tooling.requests.tables import describe_table
from dynamodb_tooling.schema.errors import KeyValueError
from dynamodb_tooling.schema.registry import Registry

COPY_SORT = "COPY"
_BACKOFF = Backoff(base=0.5, cap=20.0, max_attempts=20)


class CopyTableError(MigrationError):
    """A copy cannot start, or ended without the two tables holding the same items."""


@dataclass(frozen=True)
class CopyTableResult:
    """What :func:`copy_table` did. ``copied`` counts this invocation's items (a resumed
    copy does not count again what an interrupted one wrote); ``source_count`` and
    ``target_count`` are the items of each table at the end (``_MIGRATION`` items aside)."""

    source: str
    target: str
    table_name: str
    run_id: str
    copied: int
    derived: int
    rekeyed: int
    source_count: int
    target_count: int
    resumed: bool
    dropped_old: bool
    duration_s: float
    migration: MigrationResult | None = None
    rekey_report: BackfillReport | None = None

    @property
    def verified(self) -> bool:
        return self.source_count == self.target_count

    @property
    def config_change(self) -> str:
        """The configuration change that points the application at the new table."""
        return (
            f'default_table_name = "{self.table_name}"   # in dbtooling.toml '
            f"(or DBTOOLING_DEFAULT_TABLE_NAME={self.table_name}; "
            f'set_config(default_table_name="{self.table_name}"))'
        )

    def __str__(self) -> str:
        """:meth:`summary`: ``print(migrate())`` reads as the CLI does."""
        return self.summary()

    def summary(self) -> str:
        old = "dropped" if self.dropped_old else "kept (drop it with --drop-old --force)"
        return "\n".join(
            [
                f"copied {self.source} -> {self.target}: {self.copied} item(s) written "
                f"({self.derived} with derived keys recomputed, {self.rekeyed} re-keyed)"
                + (" (resumed)" if self.resumed else ""),
                f"  items: {self.source_count} in {self.source}, {self.target_count} in "
                f"{self.target} ({'verified' if self.verified else 'DIFFERENT'})",
                f"  old table: {old}",
                f"  switch the application to the new table: {self.config_change}",
            ]
        )


@dataclass(frozen=True)
class _Copy:
    registry: Registry
    source: str
    target: str
    table_name: str
    options: RunOptions
    segments: tuple[int, ...]
    restart: bool
    page_size: int | None


def copy_table_flow(
    registry: Registry,
    *,
    to: str | None = None,
    options: RunOptions | None = None,
    page_size: int | None = None,
    restart: bool = False,
    drop_old: bool = False,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> Flow[CopyTableResult]:
    """The copy as a sans-IO flow (what :func:`copy_table` runs)."""
    if drop_old and not force:
        raise CopyTableError(
            "drop_old deletes the old table and every item in it after the copy; pass "
            "force=True as well (`--drop-old --force`) if you mean it"
        )
    options = options or RunOptions()
    base = options.table_name or registry.config.default_table_name
    name = to or f"{base}-v2"
    source = full_table_name(options.table_name, registry.config)
    target = full_table_name(name, registry.config)
    if source == target:
        raise CopyTableError(
            f"the new table's name {target!r} is the old table's; pass another name "
            "(`--to NAME`, to=...)"
        )
    copy = _Copy(
        registry,
        source,
        target,
        name,
        options,
        resolve_segments(options.segments, None),
        restart,
        page_size,
    )
    started = time.monotonic()
    yield from _require_source(source)
    migration = yield from _create_target(copy)
    copied, derived, rekey, resumed = yield from _copy_items(copy, progress)
    report = (yield from _rekey(copy, rekey)) if rekey else None
    source_count, target_count = yield from _counts(copy)
    result = CopyTableResult(
        source=source,
        target=target,
        table_name=name,
        run_id=_run_id(source),
        copied=copied,
        derived=derived,
        rekeyed=0 if report is None else report.rekeyed,
        source_count=source_count,
        target_count=target_count,
        resumed=resumed,
        dropped_old=False,
        duration_s=round(time.monotonic() - started, 3),
        migration=migration,
        rekey_report=report,
    )
    yield put_item(target, _copy_item(copy, result))
    if not result.verified:
        raise CopyTableError(
            f"the copy finished but {source} holds {source_count} item(s) and {target} "
            f"{target_count}: items were written to or deleted from {source} during the copy. "
            f"Stop the writes and run the copy again with restart=True (`--restart`); "
            f"{source} is kept"
        )
    if drop_old:
        yield from drop_table_flow(source, options)
        result = replace(result, dropped_old=True)
    return result


def _rekey(copy: _Copy, models: set[str]) -> Flow[BackfillReport]:
    """Move the copied items whose pk/sk the models derive differently (with their
    sentinels): the backfill's re-key, resumable under its own run id."""
    report: BackfillReport = yield from compile_backfill(
        copy.registry,
        models=sorted(models),
        segments=copy.options.segments,
        batch_size=copy.options.batch_size,
        run_id=f"copy-rekey-{copy.source}",
        table_name=copy.table_name,
        restart=copy.restart,
    )
    return report


def _counts(copy: _Copy) -> Flow[tuple[int, int]]:
    """The items of the old and of the new table, counted side by side."""
    pk = copy.registry.config.single_table_design.partition_key_name
    segments = copy.options.segments
    counts = yield from gather(
        [_count(copy.source, pk, segments), _count(copy.target, pk, segments)]
    )
    return _counted(counts[0]), _counted(counts[1])


def _run_id(source: str) -> str:
    return f"copy-{source}"


def _require_source(source: str) -> Flow[None]:
    try:
        yield describe_table(source)
    except ResourceNotFoundError:
        raise CopyTableError(
            f"table {source} does not exist: there is nothing to copy (pass the old table's "
            "name with --table / RunOptions(table_name=...))"
        ) from None


def _create_target(copy: _Copy) -> Flow[MigrationResult | None]:
    """Create the new table (or check that an existing one is this copy's)."""
    try:
        yield describe_table(copy.target)
    except ResourceNotFoundError:
        options = replace(copy.options, table_name=copy.table_name)
        result: MigrationResult = yield from migrate_flow(copy.registry, options=options)
        design = copy.registry.config.single_table_design
        started = {**_copy_key(design), "source": copy.source, "target": copy.target}
        yield put_item(copy.target, {**started, "status": "copying"})
        return result
    design = copy.registry.config.single_table_design
    response: Response = yield get_item(copy.target, _copy_key(design), consistent_read=True)
    found = unmarshall_item(response.get("Item") or {})
    if found.get("source") != copy.source:
        raise CopyTableError(
            f"table {copy.target} already exists and is not a copy of {copy.source}; pick "
            "another name for the new table (`--to NAME`, to=...) or delete it"
        )
    return None


def _copy_key(design: SingleTableDesignConfig) -> dict[str, str]:
    return {design.partition_key_name: MIGRATION_PARTITION, design.sort_key_name: COPY_SORT}


def _copy_item(copy: _Copy, result: CopyTableResult) -> dict[str, Any]:
    design = copy.registry.config.single_table_design
    return {
        **_copy_key(design),
        "source": result.source,
        "target": result.target,
        "run_id": result.run_id,
        "copied_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "source_count": result.source_count,
        "target_count": result.target_count,
        "verified": result.verified,
        "status": "copied" if result.verified else "counts differ",
    }


# Copying.


class _Writer:
    """What every segment of one copy shares: the backfill's run (checkpoints, progress)."""

    def __init__(self, copy: _Copy, run: BackfillRun) -> None:
        self.copy = copy
        self.run = run
        self.pk = run.planner.pk
        self.rekey: set[str] = set()


def _copy_items(
    copy: _Copy, progress: ProgressCallback | None
) -> Flow[tuple[int, int, set[str], bool]]:
    planner = BackfillPlanner(copy.registry)
    design = copy.registry.config.single_table_design
    options = BackfillOptions(
        table=copy.target,
        run_id=_run_id(copy.source),
        segments=copy.options.segments,
        only_segments=copy.segments,
        batch_size=copy.options.batch_size,
        page_size=copy.page_size,
        restart=copy.restart,
        backoff=_BACKOFF,
    )
    found = yield from read_checkpoints(planner, design, options)
    resumed = {s: c for s, c in found.items() if c is not None and resumable(c, copy.restart)}
    tracker = ProgressTracker(
        progress,
        segments=len(copy.segments),
        total=None,
        scanned_before=sum(c.scanned for c in resumed.values()),
        updated_before=sum(c.updated for c in resumed.values()),
        segments_done=sum(1 for c in resumed.values() if c.done),
    )
    writer = _Writer(copy, BackfillRun(planner, design, options, tracker))
    todo = [s for s in copy.segments if not (s in resumed and resumed[s].done)]
    results = yield from gather([_copy_segment(writer, s, found[s]) for s in todo])
    copied = derived = 0
    for segment, outcome in zip(todo, results, strict=True):
        if isinstance(outcome, Exception):
            raise CopyTableError(
                f"copying {copy.source} -> {copy.target}: segment {segment} stopped "
                f"({type(outcome).__name__}: {outcome}); every finished page is checkpointed "
                f"in {copy.target} — run the copy again with the same segments "
                f"({copy.options.segments}) to resume"
            ) from outcome
        copied += outcome[0]
        derived += outcome[1]
    if any(c.rekeyed for c in resumed.values()):
        writer.rekey |= set(planner.kinds)  # an interrupted run may have left some
    return copied, derived, writer.rekey, bool(resumed)


def _copy_segment(writer: _Writer, segment: int, found: Checkpoint | None) -> Flow[tuple[int, int]]:
    """Scan one segment of the old table from its checkpoint, writing each page."""
    run, copy = writer.run, writer.copy
    copied = derived = 0

    def first(last_key: dict[str, Any] | None) -> Request:
        return scan(
            copy.source,
            segment=segment,
            total_segments=run.options.segments,
            limit=copy.page_size,
            exclusive_start_key=last_key,
        )

    def page(response: Response) -> Flow[tuple[dict[str, int], int]]:
        nonlocal copied, derived
        puts, changed, rekey = _page(writer, response.get("Items", ()))
        if puts:
            yield from batch_write({copy.target: puts}, backoff=_BACKOFF)
        copied, derived = copied + len(puts), derived + changed
        counts = {
            "scanned": int(response.get("ScannedCount", len(response.get("Items", ())))),
            "examined": len(puts),
            "updated": len(puts),
            "rekeyed": rekey,  # copied as they are, left for the re-key backfill
        }
        return counts, len(puts)

    yield from checkpointed_scan(run, segment, found, first, page)
    return copied, derived


def _page(writer: _Writer, raw_items: Any) -> tuple[list[Any], int, int]:
    """The puts of one page (the old table's ``_MIGRATION`` items left out), each item with
    the derived keys the models give it; how many changed, how many need a re-key."""
    puts: list[Any] = []
    changed = rekey = 0
    for raw in raw_items:
        if raw.get(writer.pk, {}).get("S") == MIGRATION_PARTITION:
            continue
        item = dict(raw)
        try:
            fix = writer.run.planner.fix(unmarshall_item(raw))
        except KeyValueError:
            fix = None  # not a model's item (a sentinel...) or keys it cannot make: as it is
        if fix is not None and fix.rekey:
            writer.rekey.add(fix.kind)
            rekey += 1
        elif fix is not None:
            item.update(marshall_item(fix.changes))
            for name in fix.removals:
                item.pop(name, None)
            changed += 1
        puts.append({"PutRequest": {"Item": item}})
    return puts, changed, rekey


# Counting.


def _count(table: str, pk: str, segments: int) -> Flow[int]:
    """The items of ``table`` but its ``_MIGRATION`` ones (a parallel COUNT scan)."""
    flows = [_count_segment(table, pk, s, segments) for s in range(segments)]
    results = yield from gather(flows)
    return sum(_counted(r) for r in results)


def _count_segment(table: str, pk: str, segment: int, segments: int) -> Flow[int]:
    not_state = attr(Path.of(pk)).ne(MIGRATION_PARTITION)
    request: Request | None = scan(
        table, filter=not_state, select="COUNT", segment=segment, total_segments=segments
    )
    total = 0
    while request is not None:
        response = yield from patient(request, _BACKOFF)
        total += int(response.get("Count", 0))
        request = next_page(request, response)
    return total


def _counted(value: int | Exception) -> int:
    if isinstance(value, Exception):
        raise value
    return value


# Running it.


def copy_table(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    to: str | None = None,
    options: RunOptions | None = None,
    page_size: int | None = None,
    restart: bool = False,
    drop_old: bool = False,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> CopyTableResult:
    """Copy the table (``options.table_name``, default ``default_table_name``) into a new one
    made from the models (``to``, default ``<table>-v2``; the configured prefix and suffix are
    added to both), then verify the counts; returns a :class:`CopyTableResult` whose
    :attr:`~CopyTableResult.config_change` says how to switch the application to it.

    - ``options``: ``segments`` (parallel scan segments, run side by side) and ``batch_size``;
      the same ``segments`` resume an interrupted copy from its checkpoints.
    - ``page_size``: items per scan page (``None``: DynamoDB's 1 MB pages).
    - ``restart``: ignore the checkpoints and copy everything again (items are overwritten).
    - ``drop_old`` with ``force``: delete the old table once the counts agree.
    - ``progress``: called with a :class:`BackfillProgress` after every page.

    >>> copy_table(to="MainTable-v2").summary()       # doctest: +SKIP
    """
    return _executor(client).run(
        _flow(registry, to, options, page_size, restart, drop_old, force, progress)
    )


async def acopy_table(
    registry: Registry | None = None,
    *,
    client: Executor | None = None,
    to: str | None = None,
    options: RunOptions | None = None,
    page_size: int | None = None,
    restart: bool = False,
    drop_old: bool = False,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> CopyTableResult:
    """The async twin of :func:`copy_table`."""
    flow = _flow(registry, to, options, page_size, restart, drop_old, force, progress)
    return await _executor(client).arun(flow)


def _flow(
    registry: Registry | None,
    to: str | None,
    options: RunOptions | None,
    page_size: int | None,
    restart: bool,
    drop_old: bool,
    force: bool,
    progress: ProgressCallback | None,
) -> Flow[CopyTableResult]:
    return copy_table_flow(
        _registry(registry),
        to=to,
        options=options or RunOptions(),
        page_size=page_size,
        restart=restart,
        drop_old=drop_old,
        force=force,
        progress=progress,
    )
