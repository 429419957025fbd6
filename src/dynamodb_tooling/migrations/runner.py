"""The migration runner as sans-IO flows: plan, apply step by step, backfill, record.

:func:`migrate_flow` reads the live table and the ``_MIGRATION`` state, diffs them with the
models (:mod:`.differ`), refuses impossible plans (and destructive ones without ``force``)
before sending anything, then applies the actions in order: CreateTable, or one UpdateTable
per GSI change (always with the full AttributeDefinitions), each followed by DescribeTable
polling until the table and every index are ACTIVE; then stream, TTL, PITR, Contributor
Insights, tags and Application Auto Scaling (service calls, see :mod:`._services`; a step
the engine does not support is recorded as planned or skipped, never as applied); then the
backfill of existing items. Every run records a ``HISTORY#`` item;
the ``STATE`` snapshot is written only when everything was applied, so a failed or partial
run is resumed by the next one (table changes already made are seen in DescribeTable and not
repeated; the backfill resumes from its checkpoints). A dry run drives the same flow with a
recording executor that sends nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dynamodb_tooling.errors import DynamoDBToolingError, ResourceNotFoundError
from dynamodb_tooling.migrations._backfill_report import BackfillReport
from dynamodb_tooling.migrations._recording import RecordingExecutor
from dynamodb_tooling.migrations.actions import WAITS, Action, compile_action
from dynamodb_tooling.migrations.autoscaling import apply_scaling
from dynamodb_tooling.migrations.backfill import compile_backfill
from dynamodb_tooling.migrations.differ import diff
from dynamodb_tooling.migrations.errors import (
    DestructiveChangeError,
    ImpossibleChangeError,
    MigrationError,
    MigrationStepError,
)
from dynamodb_tooling.migrations.live import (
    LiveTable,
    read_contributor_insights,
    read_live_scaling,
    read_live_table,
)
from dynamodb_tooling.migrations.plan import MigrationPlan
from dynamodb_tooling.migrations.results import (
    MigrationEvent,
    MigrationResult,
    MigrationStatus,
    RollbackResult,
    StepResult,
    StepStatus,
)
from dynamodb_tooling.migrations.snapshot import build_snapshot
from dynamodb_tooling.migrations.state import (
    HistoryEntry,
    RunKind,
    StoredState,
    history_sort_key,
    now_iso,
    put_history,
    put_state,
    read_state,
    who,
)
from dynamodb_tooling.requests import Flow, Sleep, Step
from dynamodb_tooling.requests import tables as t
from dynamodb_tooling.schema.registry import Registry

Emit = Callable[[MigrationEvent], None]

#: How a step the engine cannot run is recorded: its status and why.
UNSUPPORTED: dict[str, tuple[StepStatus, str]] = {
    "auto_scaling": (
        "planned",
        "planned: the engine does not support Application Auto Scaling ({reason}); the "
        "requests are sent when you migrate against AWS (`dbtooling migrate:generate --format "
        "json` lists them)",
    ),
    "update_contributor_insights": (
        "skipped",
        "skipped: engine does not support Contributor Insights ({reason}); it is enabled when "
        "you migrate against DynamoDB",
    ),
}


def _ignore(event: MigrationEvent) -> None:
    del event


@dataclass(frozen=True)
class RunOptions:
    """How a run waits and backfills (``timeout`` per wait for ACTIVE, in seconds)."""

    table_name: str | None = None
    poll_interval: float = 0.5
    timeout: float = 600.0
    segments: int = 4
    batch_size: int = 25


# Planning.


def plan_flow(
    registry: Registry, table_name: str | None = None
) -> Flow[tuple[MigrationPlan, StoredState, LiveTable]]:
    """Read the live table and the stored state; return the plan (sends only reads)."""
    desired = build_snapshot(registry, table_name)
    wants_insights = bool(desired.table["contributor_insights"])
    live = yield from read_live_table(desired.table_name, contributor_insights=wants_insights)
    stored = StoredState()
    if live.exists:
        stored = yield from read_state(desired.table_name, registry.config)
        managed = stored.snapshot is not None and stored.snapshot.table["contributor_insights"]
        if managed and not wants_insights:  # turned on by a migration: is it on now?
            live = yield from read_contributor_insights(live, desired.table_name)
    scaled = stored.snapshot is not None and stored.snapshot.table.get("auto_scaling")
    if desired.table.get("auto_scaling") or scaled:
        gsis = [i["IndexName"] for i in desired.definition.get("GlobalSecondaryIndexes") or ()]
        live = yield from read_live_scaling(live, desired.table_name, gsis)
    return diff(desired, stored.snapshot, live, registry.config), stored, live


def check_plan(plan: MigrationPlan, *, force: bool) -> None:
    """Refuse an impossible plan, and a destructive one without ``force``."""
    if plan.impossible:
        details = "; ".join(f"{c.summary}. {' '.join(c.warnings)}" for c in plan.impossible)
        raise ImpossibleChangeError(f"table {plan.table}: {details}")
    if plan.destructive and not force:
        lines = [
            f"  - {c.summary}" + "".join(f"\n      {w}" for w in c.warnings)
            for c in plan.destructive
        ]
        raise DestructiveChangeError(
            f"table {plan.table}: the migration has destructive changes and nothing was sent:\n"
            + "\n".join(lines)
            + "\nRun it again with force=True (`dbtooling migrate --force`) to apply them, or "
            "change the models back; `dbtooling migrate --dry-run` shows the whole plan"
        )


# Migrating.


def migrate_flow(
    registry: Registry,
    *,
    dry_run: bool = False,
    force: bool = False,
    backfill: bool = True,
    options: RunOptions = RunOptions(),
    emit: Emit = _ignore,
    kind: RunKind = "migrate",
    planned: tuple[MigrationPlan, StoredState] | None = None,
) -> Flow[MigrationResult]:
    """Plan, check and apply (or, with ``dry_run``, record what would be sent). ``planned``
    is the table's plan and stored state when the caller has just read them."""
    if planned is None:
        plan, stored, _ = yield from plan_flow(registry, options.table_name)
    else:
        plan, stored = planned
    check_plan(plan, force=force or dry_run)
    if plan.up_to_date:
        return MigrationResult(plan, dry_run=dry_run)
    if dry_run:
        return _dry_run(plan, stored, registry, options)
    run = _Run(plan, stored, registry, options, emit, kind, backfill=backfill)
    return (yield from run.flow())


def _dry_run(
    plan: MigrationPlan, stored: StoredState, registry: Registry, options: RunOptions
) -> MigrationResult:
    recorder = RecordingExecutor(plan.table, plan.arn)
    run = _Run(plan, stored, registry, options, _ignore, "migrate", backfill=False, dry_run=True)
    result = recorder.run(run.flow())
    notes = ["dry run: nothing was sent; `requests` lists what would be"]
    if plan.destructive:
        notes.append("destructive changes: the real run needs force=True (`--force`)")
    steps = tuple(
        StepResult(s.action, "planned", s.error) if s.status == "applied" else s
        for s in result.steps
    )
    return MigrationResult(plan, steps, True, tuple(recorder.requests), None, None, tuple(notes))


class _Run:
    """One run of a plan's actions, recorded in the history."""

    def __init__(
        self,
        plan: MigrationPlan,
        stored: StoredState,
        registry: Registry,
        options: RunOptions,
        emit: Emit,
        kind: RunKind,
        *,
        backfill: bool,
        dry_run: bool = False,
    ) -> None:
        self.plan, self.stored, self.registry = plan, stored, registry
        self.options, self.emit, self.kind = options, emit, kind
        self.run_backfill, self.dry_run = backfill, dry_run
        self.arn = plan.arn
        self.report: BackfillReport | None = None

    def flow(self) -> Flow[MigrationResult]:
        started, at = time.monotonic(), now_iso()
        steps: list[StepResult] = []
        failure: Exception | None = None
        total = len(self.plan.actions)
        for index, action in enumerate(self.plan.actions):
            skipped = self._not_run(action)
            if skipped is not None:
                steps.append(skipped)
                continue
            self.emit(MigrationEvent("started", index, total, action))
            began = time.monotonic()
            try:
                yield from self._step(action, index, total)
            except Exception as exc:
                steps.append(StepResult(action, "failed", describe(exc), _since(began)))
                self.emit(MigrationEvent("failed", index, total, action, describe(exc)))
                failure = exc
                break
            steps.append(StepResult(action, "applied", None, _since(began)))
            self.emit(MigrationEvent("finished", index, total, action))
        entry = yield from self._record(steps, failure, at, _since(started))
        notes = []
        if any(s.status == "skipped" and s.action.kind == "backfill" for s in steps):
            notes.append(
                "the backfill was skipped (backfill=False): the applied snapshot is not "
                "updated, so the next migrate backfills"
            )
        return MigrationResult(
            self.plan, tuple(steps), self.dry_run, (), self.report, entry, tuple(notes)
        )

    def _not_run(self, action: Action) -> StepResult | None:
        if action.unsupported is not None:
            status, note = UNSUPPORTED[action.kind]
            return StepResult(action, status, note.format(reason=action.unsupported))
        if action.kind == "auto_scaling" and self.dry_run:
            count = len(action.params["requests"])
            return StepResult(
                action, "planned", f"dry run: {count} Application Auto Scaling request(s)"
            )
        if action.kind == "backfill" and self.dry_run:
            return StepResult(action, "planned", "dry run: the backfill scans and writes items")
        if action.kind == "backfill" and not self.run_backfill:
            return StepResult(action, "skipped", "backfill=False")
        return None

    def _step(self, action: Action, index: int, total: int) -> Flow[None]:
        if action.kind == "backfill":
            self.report = yield from self._backfill(action, index, total)
            return
        self.arn = yield from apply_action(
            action, self.plan.table, self.arn, self.options, self._waiting(action, index, total)
        )

    def _waiting(self, action: Action, index: int, total: int) -> Callable[[float], None]:
        def waiting(seconds: float) -> None:
            detail = f"waiting {seconds:g} s for the table and its indexes to be ACTIVE"
            self.emit(MigrationEvent("waiting", index, total, action, detail))

        return waiting

    def _backfill(self, action: Action, index: int, total: int) -> Flow[BackfillReport]:
        def progress(update: Any) -> None:
            self.emit(MigrationEvent("backfill", index, total, action, backfill=update))

        report = yield from compile_backfill(
            self.registry,
            models=list(action.params["models"]),
            unique=list(action.params.get("unique") or ()),
            segments=self.options.segments,
            batch_size=self.options.batch_size,
            run_id=f"migrate-{self.plan.desired.hash[:16]}",
            progress=progress,
            verify=True,
            table_name=self.options.table_name,
        )
        if report.failed or report.missing_after:
            listed = "".join(f"; {f.key}: {f.reason}" for f in report.failures[:5])
            raise MigrationStepError(
                f"the backfill of {', '.join(action.params['models'])} left {report.failed} "
                f"item(s) failed and {report.missing_after or 0} still without their keys; "
                f"fix these items, then run migrate again (it resumes){listed}"
            )
        return report

    def _record(
        self, steps: list[StepResult], failure: Exception | None, at: str, duration: float
    ) -> Flow[HistoryEntry]:
        entry = HistoryEntry(
            sort_key=history_sort_key(at, len(self.stored.history) + 1),
            kind=self.kind,
            at=at,
            by=who(),
            result="failed" if failure else "success",
            duration_s=duration,
            snapshot_hash=self.plan.desired.hash,
            changes=tuple(c.summary for c in self.plan.changes),
            steps=tuple(s.to_dict() for s in steps),
            error=None if failure is None else describe(failure),
        )
        # A step the engine cannot run (skipped or planned) does not hold the state back; a
        # skipped backfill does: the next migrate must backfill.
        complete = failure is None and not any(
            s.status == "skipped" and s.action.kind == "backfill" for s in steps
        )
        config = self.registry.config
        try:
            yield put_history(self.plan.table, config, entry)
            if complete and not self.dry_run:
                yield put_state(self.plan.table, config, self.plan.desired, at, entry.by)
        except Exception as exc:
            if failure is None:
                raise MigrationStepError(
                    f"table {self.plan.table}: every step was applied but recording the "
                    f"migration failed ({describe(exc)}); run migrate again to record it "
                    "(the table changes are not repeated)"
                ) from exc
            recorded = f"; recording the failure in the history failed too ({describe(exc)})"
        else:
            recorded = f"; the history item {entry.sort_key} records it"
        if failure is not None:
            failed = steps[-1]
            raise MigrationStepError(
                f"table {self.plan.table}: step '{failed.action.summary}' failed: "
                f"{failed.error}{recorded}. The steps before it are applied; fix the cause and "
                "run migrate again: it resumes from the table as it is now"
            ) from failure
        return entry


def apply_action(
    action: Action,
    table: str,
    arn: str | None,
    options: RunOptions,
    waiting: Callable[[float], None],
) -> Flow[str | None]:
    """Send ``action``'s requests and wait for ACTIVE when it changes the table; returns the
    table's ARN (known after CreateTable)."""
    if action.kind == "auto_scaling":
        yield from apply_scaling(action.params["requests"])
        return arn
    for request in compile_action(action, table, arn):
        response: dict[str, Any] = yield request
        arn = (response.get("TableDescription") or {}).get("TableArn", arn)
    if action.kind in WAITS:
        wait = t.wait_for_table_active(
            table, interval=options.poll_interval, timeout=options.timeout
        )
        description = yield from observe_sleeps(wait, waiting)
        arn = description.get("TableArn", arn)
    return arn


def observe_sleeps(flow: Flow[Any], on_sleep: Callable[[float], None]) -> Flow[Any]:
    """``flow``, calling ``on_sleep(seconds)`` before each of its ``Sleep`` steps."""
    send: Any = None
    error: Exception | None = None
    while True:
        try:
            step: Step = flow.throw(error) if error is not None else flow.send(send)
        except StopIteration as stop:
            return stop.value
        error = None
        if isinstance(step, Sleep):
            on_sleep(step.seconds)
        try:
            send = yield step
        except Exception as exc:
            error = exc


def describe(exc: BaseException) -> str:
    """One line for the history: the error's text (an HTML error page is cut to its ends)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if len(lines) == 1 else " … ".join((lines[0], lines[-1])) if lines else ""
    text = text or type(exc).__name__
    return text if isinstance(exc, DynamoDBToolingError) else f"{type(exc).__name__}: {text}"


def _since(began: float) -> float:
    return round(time.monotonic() - began, 3)


# Status.


def status_flow(registry: Registry, table_name: str | None = None) -> Flow[MigrationStatus]:
    plan, stored, _ = yield from plan_flow(registry, table_name)
    return MigrationStatus(
        table=plan.table,
        table_exists=plan.table_exists,
        applied_hash=stored.hash,
        applied_at=stored.applied_at,
        applied_by=stored.applied_by,
        desired_hash=plan.desired.hash,
        pending=plan.changes,
        plan=plan,
        history=stored.history,
    )


# Rollback.


def rollback_flow(
    registry: Registry, *, dry_run: bool = False, options: RunOptions = RunOptions()
) -> Flow[RollbackResult]:
    """Undo the last applied step that can be undone, and record it."""
    desired = build_snapshot(registry, options.table_name)
    table = desired.table_name
    live = yield from read_live_table(table)
    if not live.exists:
        raise MigrationError(f"table {table} does not exist: there is nothing to roll back")
    stored = yield from read_state(table, registry.config)
    found = last_undoable(stored)
    if found is None:
        raise MigrationError(
            f"table {table}: nothing to roll back — no applied step in the history can be "
            "undone (creating the table, dropping a GSI and backfills cannot be; on a local "
            "engine `dbtooling migrate:fresh` starts over)"
        )
    reference, step = found
    assert step.action.undo is not None
    undo = step.action.undo
    if dry_run:
        recorder = RecordingExecutor(table, live.arn)
        recorder.run(apply_action(undo, table, live.arn, options, lambda s: None))
        planned = StepResult(undo, "planned")
        return RollbackResult(table, step, planned, True, tuple(recorder.requests))
    at, began = now_iso(), time.monotonic()
    failure: Exception | None = None
    try:
        yield from apply_action(undo, table, live.arn, options, lambda s: None)
    except Exception as exc:
        failure = exc
    error = None if failure is None else describe(failure)
    result = StepResult(undo, "failed" if failure else "applied", error, _since(began))
    entry = HistoryEntry(
        sort_key=history_sort_key(at, len(stored.history) + 1),
        kind="rollback",
        at=at,
        by=who(),
        result="failed" if failure else "success",
        duration_s=result.duration_s,
        snapshot_hash=stored.hash or "",
        changes=(f"rollback: {step.action.summary}",),
        steps=(result.to_dict(),),
        error=result.error,
        undoes=reference,
    )
    yield put_history(table, registry.config, entry)
    if failure is not None:
        raise MigrationStepError(
            f"table {table}: undoing '{step.action.summary}' failed: {result.error}; the "
            f"history item {entry.sort_key} records it — fix the cause and roll back again"
        ) from failure
    return RollbackResult(table, step, result, False, (), entry)


def last_undoable(stored: StoredState) -> tuple[str, StepResult] | None:
    """The newest applied, not yet undone step with an undo: ``(reference, step)``."""
    undone = {e.undoes for e in stored.history if e.kind == "rollback" and e.result == "success"}
    for entry in reversed(stored.history):
        if entry.kind == "rollback":
            continue
        for index in reversed(range(len(entry.steps))):
            recorded = entry.steps[index]
            reference = f"{entry.sort_key}#{index}"
            if recorded.get("status") != "applied" or reference in undone:
                continue
            if recorded.get("undo") is None:
                continue
            step = StepResult(Action.from_dict(recorded), "applied")
            return reference, step
    return None


# Fresh.


def drop_table_flow(table: str, options: RunOptions) -> Flow[bool]:
    """Delete ``table`` and wait until it is gone; ``False`` when there was none."""
    try:
        yield t.delete_table(table)
    except ResourceNotFoundError:
        return False
    yield from t.wait_for_table_deleted(
        table, interval=options.poll_interval, timeout=options.timeout
    )
    return True


def fresh_flow(
    registry: Registry,
    *,
    backfill: bool = True,
    options: RunOptions = RunOptions(),
    emit: Emit = _ignore,
) -> Flow[MigrationResult]:
    """Drop the table (its items and history go with it) and migrate from nothing."""
    table = build_snapshot(registry, options.table_name).table_name
    yield from drop_table_flow(table, options)
    return (
        yield from migrate_flow(
            registry, force=True, backfill=backfill, options=options, emit=emit, kind="fresh"
        )
    )
