"""What the migration functions return and report: results, status, progress events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dynamodb_tooling.migrations._backfill_progress import BackfillProgress
from dynamodb_tooling.migrations._backfill_report import BackfillReport
from dynamodb_tooling.migrations.actions import Action
from dynamodb_tooling.migrations.plan import Change, MigrationPlan
from dynamodb_tooling.migrations.state import HistoryEntry
from dynamodb_tooling.requests import Request

StepStatus = Literal["applied", "failed", "planned", "skipped"]


@dataclass(frozen=True)
class StepResult:
    """One action of a run and what happened to it."""

    action: Action
    status: StepStatus
    error: str | None = None
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        found = {**self.action.to_dict(), "status": self.status, "duration_s": self.duration_s}
        if self.error is not None:
            found["error"] = self.error
        return found


@dataclass(frozen=True)
class MigrationEvent:
    """Progress of a run, for a display: a step started/finished/failed, a wait, a backfill."""

    kind: Literal["started", "finished", "failed", "waiting", "backfill"]
    index: int
    total: int
    action: Action
    detail: str = ""
    backfill: BackfillProgress | None = None


@dataclass(frozen=True)
class MigrationResult:
    """The outcome of :func:`~dynamodb_tooling.migrations.migrate`.

    ``requests`` is what a dry run would have sent (empty for a real run: the history item
    records what was done). ``history`` is the item written for this run (``None`` for a dry
    run or when there was nothing to do).
    """

    plan: MigrationPlan
    steps: tuple[StepResult, ...] = ()
    dry_run: bool = False
    requests: tuple[Request, ...] = ()
    backfill: BackfillReport | None = None
    history: HistoryEntry | None = None
    notes: tuple[str, ...] = ()
    #: The results of the registry's other tables (models with their own ``table=``).
    others: tuple[MigrationResult, ...] = ()

    @property
    def tables(self) -> dict[str, MigrationResult]:
        """Every table's own result by table name, the main table's first."""
        own = replace(self, others=()) if self.others else self
        return {self.plan.table: own, **{r.plan.table: r for r in self.others}}

    @property
    def changed(self) -> bool:
        """Whether the run changed anything in any table (a dry run never does)."""
        own = any(s.status == "applied" for s in self.steps) and not self.dry_run
        return own or any(r.changed for r in self.others)

    @property
    def applied(self) -> tuple[StepResult, ...]:
        """The steps applied, in every table."""
        own = tuple(s for s in self.steps if s.status == "applied")
        return own + tuple(s for r in self.others for s in r.applied)

    def __str__(self) -> str:
        """:meth:`summary`: ``print(migrate())`` reads as the CLI does."""
        return self.summary()

    def summary(self) -> str:
        """A few readable lines: what was (or would be) done, table by table."""
        return "\n".join([self._summary(), *(r.summary() for r in self.others)])

    def _summary(self) -> str:
        if self.plan.up_to_date:
            current = self.plan.desired.hash[:12]
            return f"table {self.plan.table}: nothing to migrate (snapshot {current})"
        verb = "would run" if self.dry_run else "ran"
        lines = [f"table {self.plan.table}: {verb} {len(self.steps)} step(s)"]
        lines += [f"  [{s.status}] {s.action.summary}" for s in self.steps]
        lines += [f"  note: {note}" for note in (*self.plan.notes, *self.notes)]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_dict(),
            "dry_run": self.dry_run,
            "steps": [s.to_dict() for s in self.steps],
            "requests": [{"operation": r.operation, "params": r.params} for r in self.requests],
            "history": None if self.history is None else self.history.to_dict(),
            "notes": list(self.notes),
            **({"others": [r.to_dict() for r in self.others]} if self.others else {}),
        }


@dataclass(frozen=True)
class MigrationStatus:
    """Where a table stands: the applied snapshot, what the models need, the history."""

    table: str
    table_exists: bool
    applied_hash: str | None
    applied_at: str | None
    applied_by: str | None
    desired_hash: str
    pending: tuple[Change, ...]
    plan: MigrationPlan
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)
    #: Where the registry's other tables stand (models with their own ``table=``).
    others: tuple[MigrationStatus, ...] = ()

    @property
    def tables(self) -> dict[str, MigrationStatus]:
        """Every table's own status by table name, the main table's first."""
        own = replace(self, others=()) if self.others else self
        return {self.table: own, **{s.table: s for s in self.others}}

    @property
    def up_to_date(self) -> bool:
        """Whether every table is up to date."""
        return self.plan.up_to_date and all(s.up_to_date for s in self.others)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "table_exists": self.table_exists,
            "applied_hash": self.applied_hash,
            "applied_at": self.applied_at,
            "applied_by": self.applied_by,
            "desired_hash": self.desired_hash,
            "up_to_date": self.up_to_date,
            "pending": [c.to_dict() for c in self.pending],
            "history": [h.to_dict() for h in self.history],
            **({"others": [s.to_dict() for s in self.others]} if self.others else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


@dataclass(frozen=True)
class RollbackResult:
    """The step ``rollback`` undid (``undone``: the step as recorded) and how."""

    table: str
    undone: StepResult
    undo: StepResult
    dry_run: bool = False
    requests: tuple[Request, ...] = ()
    history: HistoryEntry | None = None

    def __str__(self) -> str:
        """:meth:`summary`: ``print(migrate())`` reads as the CLI does."""
        return self.summary()

    def summary(self) -> str:
        verb = "would undo" if self.dry_run else "undid"
        undone, undo = self.undone.action.summary, self.undo.action.summary
        return f"table {self.table}: {verb} '{undone}' ({undo})"
