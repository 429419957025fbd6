"""The backfill as sans-IO flows: segments scanned side by side, page by page.

:func:`backfill_flow` describes the table (for the ETA), reads each segment's checkpoint,
runs one :func:`segment_flow` per unfinished segment together (:func:`gather`: every round
sends the next request of every segment at once; a segment that finished with failed items
counts as unfinished and is scanned again from its start, as they may be fixed by now), then
runs the verification scan. A segment reads one page (at most 1 MB, or ``page_size``
items), writes the fixes of that page ``batch_size`` at a time concurrently, then saves its
checkpoint; nothing but the current page is held, so memory stays flat however large the
table is.

Write outcomes: a failed condition means the item changed since it was read; it is read again
(consistently) and its keys recomputed, up to ``max_conflict_retries`` times. Throttling and
transient failures (5xx, lost connections, timeouts) that outlast the driver's own retries are
waited out here with backoff (every backfill request may be sent again). A request that still
fails stops its segment (its checkpoint is left at the last completed page), and the run
raises :class:`BackfillError` once the other segments are finished, so running again resumes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import SingleTableDesignConfig
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    EndpointConnectionError,
    RequestValidationError,
    ResourceNotFoundError,
    ServerError,
    ThrottlingError,
    TransactionCanceledError,
    TransactionConflictError,
    ValidationError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.expressions import projection
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations._backfill_errors import BackfillError, CheckpointConflictError
from dynamodb_tooling.migrations._backfill_plan import BackfillPlanner, KeyFix
from dynamodb_tooling.migrations._backfill_progress import ProgressCallback, ProgressTracker
from dynamodb_tooling.migrations._backfill_report import (
    MAX_LISTED_FAILURES,
    MAX_LISTED_MISSING,
    BackfillReport,
    ItemFailure,
    SegmentReport,
)
from dynamodb_tooling.migrations._checkpoint import (
    COUNTS,
    Checkpoint,
    check_compatible,
    parse_checkpoint,
    read_checkpoint,
    write_checkpoint,
)
from dynamodb_tooling.requests import Backoff, Concurrently, Flow, Request, Sleep, gather
from dynamodb_tooling.requests.items import get_item, scan
from dynamodb_tooling.requests.pagination import next_page
from dynamodb_tooling.requests.tables import describe_table
from dynamodb_tooling.requests.transactions import TransactWriteAction, transact_write_flow
from dynamodb_tooling.schema.errors import KeyValueError
from dynamodb_tooling.schema.keys import SENTINEL_OWNER

#: Failures worth waiting out: the request is sent again after a backoff.
_TRANSIENT = (
    ThrottlingError,
    TransactionConflictError,
    ServerError,
    EndpointConnectionError,
    WriteOutcomeUnknownError,
)
#: Errors that make one item unfixable (its data), not the run.
_ITEM_ERRORS = (KeyValueError, ValidationError, RequestValidationError)


@dataclass(frozen=True)
class BackfillOptions:
    """A run's settings, checked (see :func:`~dynamodb_tooling.migrations.backfill.backfill`)."""

    table: str
    run_id: str
    segments: int
    only_segments: tuple[int, ...]
    batch_size: int
    page_size: int | None = None
    verify: bool = True
    restart: bool = False
    max_conflict_retries: int = 3
    backoff: Backoff = field(default_factory=lambda: Backoff(base=0.5, cap=20.0, max_attempts=10))


class BackfillRun:
    """What every flow of one invocation shares."""

    def __init__(
        self,
        planner: BackfillPlanner,
        design: SingleTableDesignConfig,
        options: BackfillOptions,
        tracker: ProgressTracker,
    ) -> None:
        self.planner = planner
        self.design = design
        self.options = options
        self.tracker = tracker
        self.writer = uuid.uuid4().hex
        self.failures: list[ItemFailure] = []
        self.scan_filter = planner.scan_filter()

    def fail(self, key: dict[str, Any], reason: str) -> None:
        if len(self.failures) < MAX_LISTED_FAILURES:
            self.failures.append(ItemFailure(dict(key), reason))


def patient(request: Request, backoff: Backoff) -> Flow[Response]:
    """``request``, sent again after a backoff while it fails transiently beyond the driver's
    own retries: throttling, a transaction in progress, a 5xx, a lost or refused connection,
    an unknown outcome. Every backfill request may be sent again: reads; writes that set keys
    to computed values under a condition (a repeat of an applied one fails its condition and
    the item is re-read); checkpoints (recognised as our own); tokened transactions."""
    attempt = 0
    while True:
        try:
            response: Response = yield request
        except _TRANSIENT:
            if attempt >= backoff.max_attempts:
                raise
            yield Sleep(backoff.delay(attempt))
            attempt += 1
            continue
        return response


def backfill_flow(
    planner: BackfillPlanner,
    design: SingleTableDesignConfig,
    options: BackfillOptions,
    progress: ProgressCallback | None = None,
) -> Flow[BackfillReport]:
    """The whole backfill of ``options.only_segments`` (see the module docstring)."""
    started = time.monotonic()
    table, chosen = options.table, options.only_segments
    try:
        described = yield from patient(describe_table(table), options.backoff)
    except ResourceNotFoundError:
        raise BackfillError(
            f"table {table!r} does not exist; create it first (dbtooling migrate) or pass "
            "the right table_name"
        ) from None
    found = yield from read_checkpoints(planner, design, options)
    item_count = described.get("Table", {}).get("ItemCount")
    resumed = {s: c for s, c in found.items() if c is not None and resumable(c, options.restart)}
    tracker = ProgressTracker(
        progress,
        segments=len(chosen),
        total=int(item_count * len(chosen) / options.segments) if item_count else None,
        scanned_before=sum(c.scanned for c in resumed.values()),
        updated_before=sum(c.updated + c.rekeyed for c in resumed.values()),
        segments_done=sum(1 for c in resumed.values() if c.done),
    )
    run = BackfillRun(planner, design, options, tracker)
    reports = [SegmentReport(s, resumed=True, done=True) for s, c in resumed.items() if c.done]
    todo = [s for s in chosen if not (s in resumed and resumed[s].done)]
    results = yield from gather([segment_flow(run, s, found[s]) for s in todo])
    stopped: list[tuple[int, Exception]] = []
    for segment, result in zip(todo, results, strict=True):
        if isinstance(result, Exception):
            stopped.append((segment, result))
        else:
            reports.append(result)
    if stopped:
        _raise_stopped(options, stopped)
    missing = (yield from verify_flow(run)) if options.verify else None
    return BackfillReport.of(
        table=table,
        run_id=options.run_id,
        segments=reports,
        failures=run.failures,
        missing=missing,
        duration_s=time.monotonic() - started,
        total_segments=options.segments,
    )


def _raise_stopped(options: BackfillOptions, stopped: list[tuple[int, Exception]]) -> None:
    first = stopped[0][1]
    if isinstance(first, BackfillError):
        raise first
    which = ", ".join(str(s) for s, _ in stopped)
    raise BackfillError(
        f"backfill run {options.run_id!r} on {options.table}: segment(s) {which} stopped "
        f"({type(first).__name__}: {first}); every finished page is checkpointed — run the "
        f"backfill again with run_id={options.run_id!r} and segments={options.segments} to "
        "resume where it stopped"
    ) from first


def read_checkpoints(
    planner: BackfillPlanner, design: SingleTableDesignConfig, options: BackfillOptions
) -> Flow[dict[int, Checkpoint | None]]:
    """Each chosen segment's stored checkpoint (checked to belong to the same kind of run)."""
    requests = [
        read_checkpoint(options.table, design, options.run_id, s) for s in options.only_segments
    ]
    responses: list[Response] = yield Concurrently.of(requests)
    found = {s: parse_checkpoint(r) for s, r in zip(options.only_segments, responses, strict=True)}
    if not options.restart:
        for checkpoint in found.values():
            if checkpoint is not None:
                check_compatible(checkpoint, options.segments, planner.kinds, options.table)
    return found


def resumable(found: Checkpoint | None, restart: bool) -> bool:
    """Whether a segment continues from its stored checkpoint ``found``: not when asked to
    ``restart``, nor for a finished segment that left failed items (scanned again: they may
    be fixed by now)."""
    return found is not None and not restart and not (found.done and found.failed)


def checkpointed_scan(
    run: BackfillRun,
    segment: int,
    found: Checkpoint | None,
    first: Callable[[dict[str, Any] | None], Request],
    page: Callable[[Response], Flow[tuple[dict[str, int], int]]],
) -> Flow[int]:
    """Scan one segment from its checkpoint (or its start), page by page: ``first(last_key)``
    is the segment's first Scan, ``page(response)`` handles a page and gives its counts and
    how many items it wrote; each page is then checkpointed and reported to the progress
    tracker. The pages scanned."""
    options = run.options
    checkpoint = (
        found
        if found is not None and resumable(found, options.restart)
        else Checkpoint(options.run_id, segment, options.segments, run.planner.kinds)
    )
    expected = found.pages if found is not None else None
    request: Request | None = first(checkpoint.last_key)
    pages = 0
    while request is not None:
        response = yield from patient(request, options.backoff)
        counts, written = yield from page(response)
        last_key = response.get("LastEvaluatedKey") or None
        checkpoint = checkpoint.advanced(last_key, counts, run.writer)
        yield from save_checkpoint(run, checkpoint, expected)
        expected = checkpoint.pages
        pages += 1
        run.tracker.page(counts["scanned"], written, segment_finished=last_key is None)
        request = next_page(request, response)
    return pages


def segment_flow(run: BackfillRun, segment: int, found: Checkpoint | None) -> Flow[SegmentReport]:
    """Scan one segment from its checkpoint to its end, fixing and checkpointing each page."""
    options = run.options
    report = SegmentReport(segment, resumed=resumable(found, options.restart))

    def first(last_key: dict[str, Any] | None) -> Request:
        return scan(
            options.table,
            filter=run.scan_filter,
            segment=segment,
            total_segments=options.segments,
            limit=options.page_size,
            exclusive_start_key=last_key,
        )

    def page(response: Response) -> Flow[tuple[dict[str, int], int]]:
        counts = yield from _page(run, response, report)
        return counts, counts["updated"] + counts["rekeyed"]

    report.pages += yield from checkpointed_scan(run, segment, found, first, page)
    report.done = True
    return report


def _page(run: BackfillRun, response: Response, report: SegmentReport) -> Flow[dict[str, int]]:
    """Fix one page's items, ``batch_size`` concurrent writes at a time; its counts. Items
    are decoded as they are reached, so only one batch is held besides the page itself."""
    raw_items = response.get("Items", ())
    counts = dict.fromkeys(COUNTS, 0)
    counts["scanned"] = int(response.get("ScannedCount", len(raw_items)))
    counts["examined"] = len(raw_items)
    size = run.options.batch_size
    pending: list[tuple[dict[str, Any], KeyFix | None]] = []
    for position, raw in enumerate(raw_items, 1):
        item = unmarshall_item(raw)
        try:
            fix = run.planner.fix(item)
        except KeyValueError as error:
            run.fail(_key_of(run, item), f"its keys cannot be computed: {error}")
            counts["failed"] += 1
            fix = None
        else:
            counts["skipped"] += fix is None
            if fix is not None or run.planner.sentinels.get(item[run.planner.entity_type]):
                pending.append((item, fix))
        if len(pending) == size or (position == len(raw_items) and pending):
            yield from _write_batch(run, pending, counts)
            pending = []
    for name in COUNTS:
        setattr(report, name, getattr(report, name) + counts[name])
    report.retried += counts.pop("retried", 0)
    report.sentinels += counts.pop("sentinels", 0)
    return counts


def _write_batch(
    run: BackfillRun, batch: list[tuple[dict[str, Any], KeyFix | None]], counts: dict[str, int]
) -> Flow[None]:
    """Send a batch's writes concurrently (each item its own flow) and count the outcomes."""
    outcomes = yield from gather([_item_work(run, item, fix) for item, fix in batch])
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome
        name, retried, created, failed = outcome
        if name:  # an item whose keys were right was counted as skipped already
            counts[name] += 1
        counts["retried"] = counts.get("retried", 0) + retried
        counts["sentinels"] = counts.get("sentinels", 0) + created
        counts["failed"] += failed


def _item_work(
    run: BackfillRun, item: dict[str, Any], fix: KeyFix | None
) -> Flow[tuple[str, int, int, int]]:
    """The item's key fix (if any), then the sentinels of its newly unique attributes (a
    re-key moves or creates them itself). Returns (outcome, re-reads, sentinels, failures);
    the outcome is empty when the keys needed no write."""
    outcome, retries = "", 0
    if fix is not None:
        outcome, retries = yield from item_flow(run, item, fix)
        if outcome in ("failed", "vanished") or fix.rekey:
            return outcome, retries, 0, 0
    created, failed = yield from sentinel_flow(run, item)
    return outcome, retries, created, failed


def sentinel_flow(run: BackfillRun, item: dict[str, Any]) -> Flow[tuple[int, int]]:
    """Reserve each newly unique value of ``item`` with its sentinel; a value another item
    holds is reported as a failure naming both items. Returns (sentinels put, failures)."""
    planner, options = run.planner, run.options
    kind = item[planner.entity_type]
    created = 0
    for attribute in planner.sentinels.get(kind, ()):
        for attempt in range(options.max_conflict_retries + 1):
            if item.get(attribute) is None:
                break
            try:
                actions = planner.sentinel_actions(options.table, item, attribute)
                yield from _patient_transaction(actions, options.backoff)
            except _ITEM_ERRORS as error:
                run.fail(_key_of(run, item), f"the sentinel of {kind}.{attribute}: {error}")
                return created, 1
            except TransactionCanceledError as error:
                codes = {reason.index: reason.code for reason in error.failed}
                if codes.get(1) == "ConditionalCheckFailed":
                    yield from _duplicate(run, item, attribute)
                    return created, 1
                if (
                    codes.get(0) != "ConditionalCheckFailed"
                    or attempt == options.max_conflict_retries
                ):
                    run.fail(_key_of(run, item), f"reserving {kind}.{attribute}: {error}")
                    return created, 1
                read = get_item(options.table, _key_of(run, item), consistent_read=True)
                response = yield from patient(read, options.backoff)
                if not response.get("Item"):
                    return created, 0  # deleted meanwhile: nothing to reserve
                item = unmarshall_item(response["Item"])
                continue
            created += 1
            break
    return created, 0


def _duplicate(run: BackfillRun, item: dict[str, Any], attribute: str) -> Flow[None]:
    """Report that ``item``'s value of ``attribute`` is reserved by another item."""
    planner, options = run.planner, run.options
    kind, value = item[planner.entity_type], item[attribute]
    sentinel = planner.keys.sentinel_key(kind, attribute, value)
    response = yield from patient(
        get_item(options.table, sentinel, consistent_read=True), options.backoff
    )
    owner = unmarshall_item(response.get("Item") or {}).get(SENTINEL_OWNER)
    run.fail(
        _key_of(run, item),
        f"duplicate value {value!r} of unique {kind}.{attribute}: the item {owner} holds it "
        "too; make the values unique (change or delete one of them), then run the backfill "
        "again (it resumes; the items already reserved are kept)",
    )


def _key_of(run: BackfillRun, item: dict[str, Any]) -> dict[str, Any]:
    pk, sk = run.planner.pk, run.planner.sk
    return {pk: item.get(pk), sk: item.get(sk)}


def item_flow(run: BackfillRun, item: dict[str, Any], fix: KeyFix) -> Flow[tuple[str, int]]:
    """Write one item's fix; on a failed condition re-read it and recompute. Returns the
    outcome (a count name) and how many times it was re-read."""
    planner, options = run.planner, run.options
    retries = 0
    while True:
        try:
            if fix.rekey:
                actions = planner.rekey_actions(options.table, item, fix)
                yield from _patient_transaction(actions, options.backoff)
                return "rekeyed", retries
            yield from patient(planner.update_request(options.table, item, fix), options.backoff)
            return "updated", retries
        except ConditionalCheckFailedError:
            pass  # changed since read: read it again below
        except TransactionCanceledError as error:
            problem = _rekey_problem(error, fix)
            if problem is not None:
                run.fail(fix.key, problem)
                return "failed", retries
        except _ITEM_ERRORS as error:
            run.fail(fix.key, f"{type(error).__name__}: {error}")
            return "failed", retries
        if retries >= options.max_conflict_retries:
            run.fail(
                fix.key,
                f"changed by other writes {retries + 1} times while being backfilled; run the "
                "backfill again (with a new run_id) once the writes settle",
            )
            return "failed", retries
        retries += 1
        read = get_item(options.table, fix.key, consistent_read=True)
        response = yield from patient(read, options.backoff)
        if not response.get("Item"):
            return "vanished", retries
        item = unmarshall_item(response["Item"])
        try:
            again = planner.fix(item)
        except KeyValueError as error:
            run.fail(fix.key, f"its keys cannot be computed: {error}")
            return "failed", retries
        if again is None:
            return "skipped", retries
        fix = again


def _patient_transaction(
    actions: Sequence[TransactWriteAction], backoff: Backoff
) -> Flow[Response]:
    """The transaction of ``actions`` (conflicts retried by :func:`transact_write_flow`),
    sent again after a backoff while it fails transiently — with the same ClientRequestToken, so
    an attempt that was applied after all is not applied twice."""
    token = str(uuid.uuid4())
    attempt = 0
    while True:
        try:
            response: Response = yield from transact_write_flow(actions, client_request_token=token)
        except _TRANSIENT:
            if attempt >= backoff.max_attempts:
                raise
            yield Sleep(backoff.delay(attempt))
            attempt += 1
            continue
        return response


def _rekey_problem(error: TransactionCanceledError, fix: KeyFix) -> str | None:
    """Why a re-key transaction cannot succeed, or ``None`` when the old item changed (or the
    transaction only lost conflicts) and reading it again may help."""
    codes = {reason.index: reason.code for reason in error.failed}
    if codes.get(0) == "ConditionalCheckFailed":
        return (
            f"its new key {fix.new_key} already holds an item (written by the application "
            "under the new key scheme?); merge or delete one of the two, then run again"
        )
    taken = [i for i, code in codes.items() if i >= 2 and code == "ConditionalCheckFailed"]
    if taken:
        return (
            "a unique value of it is reserved by another item (its sentinel's owner is not "
            "this item); fix the duplicate, then run again"
        )
    if set(codes.values()) - {"ConditionalCheckFailed", "TransactionConflict"}:
        return f"the re-key transaction was cancelled: {error}"
    return None


def save_checkpoint(run: BackfillRun, checkpoint: Checkpoint, expected: int | None) -> Flow[None]:
    """Write ``checkpoint``; refuse to go on when another process advanced the segment."""
    options = run.options
    request = write_checkpoint(options.table, run.design, checkpoint, expected)
    try:
        yield from patient(request, options.backoff)
        return
    except ConditionalCheckFailedError:
        pass
    read = read_checkpoint(options.table, run.design, options.run_id, checkpoint.segment)
    stored = parse_checkpoint((yield from patient(read, options.backoff)))
    if stored is not None and stored.writer == run.writer and stored.pages == checkpoint.pages:
        return  # our own write: an earlier attempt succeeded and its answer was lost
    raise CheckpointConflictError(
        f"segment {checkpoint.segment} of backfill run {options.run_id!r} on {options.table} "
        "was advanced by another process meanwhile; two processes must not run the same "
        "segment — give each process its own only_segments, or use another run_id"
    )


def verify_flow(run: BackfillRun) -> Flow[tuple[int, list[dict[str, Any]]]]:
    """Count the items of the models whose derived keys are still wrong (every chosen
    segment, side by side), reading only key and key-source attributes."""
    wanted = projection(*run.planner.verify_projection())
    flows = [_verify_segment(run, s, wanted) for s in run.options.only_segments]
    results = yield from gather(flows)
    missing, examples = 0, []
    for result in results:
        if isinstance(result, Exception):
            raise result
        missing += result[0]
        examples.extend(result[1])
    return missing, examples[:MAX_LISTED_MISSING]


def _verify_segment(run: BackfillRun, segment: int, wanted: Any) -> Flow[tuple[int, list[Any]]]:
    options = run.options
    request: Request | None = scan(
        options.table,
        filter=run.scan_filter,
        projection=wanted,
        segment=segment,
        total_segments=options.segments,
        limit=options.page_size,
    )
    missing, examples = 0, list[dict[str, Any]]()
    while request is not None:
        response = yield from patient(request, options.backoff)
        for raw in response.get("Items", ()):
            item = unmarshall_item(raw)
            if not run.planner.is_correct(item):
                missing += 1
                if len(examples) < MAX_LISTED_MISSING:
                    examples.append(_key_of(run, item))
        request = next_page(request, response)
    return missing, examples


def resolve_segments(segments: int, only: Sequence[int] | None) -> tuple[int, ...]:
    """The segments this process runs, checked."""
    if not 1 <= segments <= 1_000_000:
        raise BackfillError(f"segments must be 1 to 1,000,000 (got {segments})")
    if only is None:
        return tuple(range(segments))
    chosen = tuple(sorted(set(only)))
    outside = [s for s in chosen if not 0 <= s < segments]
    if outside or not chosen:
        raise BackfillError(
            f"only_segments {list(only)} must name segments 0 to {segments - 1} of "
            f"segments={segments} (e.g. process 2 of 4 runs only_segments=[1])"
        )
    return chosen
