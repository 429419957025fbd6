"""The data migrator: give existing items the keys the current models derive.

When models change — an attribute marked ``index=True``, a relation added, ``gsi_count``
raised, a relation turned into a ``collection`` — items written before the change lack the
new derived attributes (or carry stale ones). :func:`backfill` scans the items of the models
(parallel scan segments), computes each item's keys with the registry's key scheme and writes
only the difference, each write conditional on the item being unchanged since it was read,
so a concurrent application write always wins (the item is then re-read and recomputed).
Progress is checkpointed in the table after every page (``pk = _MIGRATION``,
``sk = BACKFILL#<run_id>#<segment>``): the same ``run_id`` resumes where an interrupted run
stopped. A verification scan then counts items still wrong. See ``docs/backfill.md`` for
running it over a very large table from several processes or machines.

>>> report = backfill(client, registry, segments=8, run_id="add-status-index")  # doctest: +SKIP
>>> report.updated, report.skipped, report.missing_after                        # doctest: +SKIP
(120000, 4000, 0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dynamodb_tooling.config import full_table_name
from dynamodb_tooling.migrations._backfill_errors import BackfillError, CheckpointConflictError
from dynamodb_tooling.migrations._backfill_flow import (
    BackfillOptions,
    backfill_flow,
    resolve_segments,
)
from dynamodb_tooling.migrations._backfill_plan import BackfillPlanner, KeyFix
from dynamodb_tooling.migrations._backfill_progress import (
    BackfillProgress,
    ProgressCallback,
    rich_progress,
)
from dynamodb_tooling.migrations._backfill_report import (
    BackfillReport,
    ItemFailure,
    SegmentReport,
)
from dynamodb_tooling.migrations._checkpoint import check_run_id
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.schema.registry import Registry

__all__ = [
    "BackfillError",
    "BackfillPlanner",
    "BackfillProgress",
    "BackfillReport",
    "CheckpointConflictError",
    "ItemFailure",
    "KeyFix",
    "ProgressCallback",
    "SegmentReport",
    "abackfill",
    "backfill",
    "compile_backfill",
    "rich_progress",
]


def compile_backfill(
    registry: Registry,
    *,
    models: Sequence[str] | None = None,
    unique: Sequence[str] | None = None,
    segments: int = 4,
    batch_size: int = 25,
    run_id: str = "default",
    progress: Callable[[BackfillProgress], None] | None = None,
    verify: bool = True,
    table_name: str | None = None,
    only_segments: Sequence[int] | None = None,
    page_size: int | None = None,
    restart: bool = False,
    max_conflict_retries: int = 3,
) -> Flow[BackfillReport]:
    """The backfill as a sans-IO flow (what :func:`backfill` runs); options are checked here,
    before any request. See :func:`backfill` for what they mean."""
    config = registry.config
    design = config.single_table_design
    if not 1 <= batch_size <= 1000:
        raise BackfillError(f"batch_size must be 1 to 1,000 concurrent writes (got {batch_size})")
    if page_size is not None and page_size < 1:
        raise BackfillError(f"page_size must be at least 1 item, or None (got {page_size})")
    if max_conflict_retries < 0:
        raise BackfillError(f"max_conflict_retries must be 0 or more (got {max_conflict_retries})")
    options = BackfillOptions(
        table=full_table_name(table_name, config),
        run_id=check_run_id(run_id, design.key_delimiter),
        segments=segments,
        only_segments=resolve_segments(segments, only_segments),
        batch_size=batch_size,
        page_size=page_size,
        verify=verify,
        restart=restart,
        max_conflict_retries=max_conflict_retries,
    )
    planner = BackfillPlanner(registry, models, unique)
    return backfill_flow(planner, design, options, progress)


def backfill(
    client: Executor,
    registry: Registry,
    *,
    models: Sequence[str] | None = None,
    unique: Sequence[str] | None = None,
    segments: int = 4,
    batch_size: int = 25,
    run_id: str = "default",
    progress: Callable[[BackfillProgress], None] | None = None,
    verify: bool = True,
    table_name: str | None = None,
    only_segments: Sequence[int] | None = None,
    page_size: int | None = None,
    restart: bool = False,
    max_conflict_retries: int = 3,
) -> BackfillReport:
    """Give every item of ``models`` (all models and many-to-many pivots when ``None``) the
    derived keys the registry's key scheme gives it now (many-to-many and polymorphic
    many-to-many edges included); returns a :class:`BackfillReport`.

    - ``unique``: attributes that became unique, as ``"Model.attribute"``: each existing
      value gets its sentinel (a value two items hold is reported as a failure naming both;
      nothing is overwritten). ``migrate`` passes the ones its plan found.
    - ``segments``: the parallel scan's total segments, run side by side (each segment a
      flow; the client runs their requests concurrently).
    - ``only_segments``: run only these of the ``segments`` (several processes or machines
      each take a slice of the same segmentation; each resumes from its own checkpoints).
    - ``batch_size``: how many of a page's writes are sent at once (per segment).
    - ``page_size``: items per scan page (``Limit``); ``None``: DynamoDB's 1 MB pages. Smaller
      pages checkpoint more often (a crash re-does less) at the cost of more requests.
    - ``run_id``: names the run's checkpoints; the same id resumes an interrupted run (a
      finished one only verifies). Use a new id for each schema change.
    - ``restart``: ignore this run id's checkpoints and scan everything again.
    - ``progress``: called with a :class:`BackfillProgress` after every page
      (:func:`rich_progress` gives a progress bar).
    - ``verify``: scan the key attributes afterwards and count items still wrong
      (``missing_after``).
    - ``table_name``: the table (the configured prefix/suffix are added, as for
      ``Registry.table_definition``); default: the configured table.
    - ``max_conflict_retries``: how often an item changed by concurrent writes is re-read and
      recomputed before it is reported as failed.

    Raises :class:`BackfillError` for bad options, a missing table, a run id whose checkpoints
    were made with other ``segments`` or models, or a segment that could not go on (its
    progress is saved: run again to resume).
    """
    return client.run(
        compile_backfill(
            registry,
            models=models,
            unique=unique,
            segments=segments,
            batch_size=batch_size,
            run_id=run_id,
            progress=progress,
            verify=verify,
            table_name=table_name,
            only_segments=only_segments,
            page_size=page_size,
            restart=restart,
            max_conflict_retries=max_conflict_retries,
        )
    )


async def abackfill(
    client: Executor,
    registry: Registry,
    *,
    models: Sequence[str] | None = None,
    unique: Sequence[str] | None = None,
    segments: int = 4,
    batch_size: int = 25,
    run_id: str = "default",
    progress: Callable[[BackfillProgress], None] | None = None,
    verify: bool = True,
    table_name: str | None = None,
    only_segments: Sequence[int] | None = None,
    page_size: int | None = None,
    restart: bool = False,
    max_conflict_retries: int = 3,
) -> BackfillReport:
    """The async twin of :func:`backfill`: the same flow on the client's async face."""
    return await client.arun(
        compile_backfill(
            registry,
            models=models,
            unique=unique,
            segments=segments,
            batch_size=batch_size,
            run_id=run_id,
            progress=progress,
            verify=verify,
            table_name=table_name,
            only_segments=only_segments,
            page_size=page_size,
            restart=restart,
            max_conflict_retries=max_conflict_retries,
        )
    )
