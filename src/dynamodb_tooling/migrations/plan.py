"""A migration plan: what differs (:class:`Change`), what will run (:class:`Action`), rendered.

Severities, from harmless to refused:

* ``info`` — nothing to protect: a new model or attribute (items are schemaless), a GSI added,
  TTL/tags/capacity changed;
* ``needs-backfill`` — existing items must get new derived keys (a new relation or indexed
  attribute on an existing model, a path moved to another slot, a key-scheme change); the
  runner backfills them after the table changes;
* ``destructive`` — a GSI dropped, an access path or model removed, a stream or point-in-time
  recovery turned off: queries named in the warnings stop working; needs ``force=True``;
* ``impossible`` — DynamoDB cannot do it in place (LSIs exist only from table creation): the
  migration is refused before anything is sent, and the message explains the copy-table path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from dynamodb_tooling.migrations.actions import NOT_TABLE_REQUESTS, Action
from dynamodb_tooling.migrations.snapshot import Snapshot

Severity = Literal["info", "needs-backfill", "destructive", "impossible"]
SEVERITIES: tuple[Severity, ...] = ("info", "needs-backfill", "destructive", "impossible")


@dataclass(frozen=True)
class Change:
    """One difference between the models and the table (or the last applied snapshot)."""

    kind: str
    severity: Severity
    summary: str
    warnings: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "summary": self.summary,
            "warnings": list(self.warnings),
            "models": list(self.models),
        }


@dataclass(frozen=True)
class MigrationPlan:
    """Everything ``migrate`` would do to ``table``, in order; pure data."""

    table: str
    desired: Snapshot
    applied_hash: str | None
    table_exists: bool
    arn: str | None
    changes: tuple[Change, ...]
    actions: tuple[Action, ...]
    notes: tuple[str, ...] = ()

    @property
    def table_actions(self) -> tuple[Action, ...]:
        """The actions the runner sends to DynamoDB itself (not backfill, not auto scaling)."""
        return tuple(a for a in self.actions if a.kind not in NOT_TABLE_REQUESTS)

    @property
    def backfill(self) -> Action | None:
        return next((a for a in self.actions if a.kind == "backfill"), None)

    @property
    def planned_only(self) -> tuple[Action, ...]:
        """Actions listed but not sent: the engine does not support them (Application Auto
        Scaling or Contributor Insights on DynamoDB Local or moto)."""
        return tuple(a for a in self.actions if a.unsupported is not None)

    @property
    def up_to_date(self) -> bool:
        """Nothing to apply: no table change, no backfill, and the stored snapshot is current."""
        runnable = [a for a in self.actions if a.unsupported is None]
        return not runnable and self.applied_hash == self.desired.hash

    def of_severity(self, severity: Severity) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.severity == severity)

    @property
    def destructive(self) -> tuple[Change, ...]:
        return self.of_severity("destructive")

    @property
    def impossible(self) -> tuple[Change, ...]:
        return self.of_severity("impossible")

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "table_exists": self.table_exists,
            "applied_hash": self.applied_hash,
            "desired_hash": self.desired.hash,
            "up_to_date": self.up_to_date,
            "changes": [c.to_dict() for c in self.changes],
            "actions": [a.to_dict() for a in self.actions],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=str)

    def to_markdown(self) -> str:
        return render_markdown(self)


def render_markdown(plan: MigrationPlan) -> str:
    """The plan as a Markdown document: status, changes by severity, steps, notes."""
    applied = plan.applied_hash[:12] if plan.applied_hash else "none (never migrated)"
    lines = [
        f"# Migration plan for table `{plan.table}`",
        "",
        f"- table exists: {'yes' if plan.table_exists else 'no (it will be created)'}",
        f"- applied snapshot: {applied}",
        f"- models' snapshot: {plan.desired.hash[:12]}",
        f"- status: {'up to date' if plan.up_to_date else 'changes pending'}",
    ]
    if plan.changes:
        lines += ["", "## Changes", "", "| severity | change |", "|---|---|"]
        lines += [f"| {c.severity} | {_cell(c.summary)} |" for c in plan.changes]
        warned = [c for c in plan.changes if c.warnings]
        if warned:
            lines += ["", "### Warnings", ""]
            for change in warned:
                lines.append(f"- {change.summary}")
                lines += [f"  - {w}" for w in change.warnings]
    if plan.actions:
        lines += ["", "## Steps", ""]
        for n, action in enumerate(plan.actions, 1):
            tags = []
            if action.destructive:
                tags.append("destructive, needs force")
            if action.unsupported is not None:
                tags.append("not sent: the engine does not support it")
            if action.undo is not None:
                tags.append(f"rollback: {action.undo.summary}")
            suffix = f" ({'; '.join(tags)})" if tags else ""
            lines.append(f"{n}. {action.summary}{suffix}")
    if plan.notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in plan.notes)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
