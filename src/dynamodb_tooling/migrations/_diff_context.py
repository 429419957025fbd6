"""What the differ builds up while it compares: changes, actions, notes, models to backfill."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dynamodb_tooling.migrations import actions as act
from dynamodb_tooling.migrations.live import LiveTable
from dynamodb_tooling.migrations.plan import Change, Severity
from dynamodb_tooling.migrations.snapshot import Snapshot


@dataclass
class DiffContext:
    """The inputs of one diff and what it found so far."""

    desired: Snapshot
    stored: Snapshot | None
    live: LiveTable
    gsi_name: Callable[[int], str]
    changes: list[Change] = field(default_factory=list)
    actions: list[act.Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    backfill: dict[str, list[str]] = field(default_factory=dict)

    def change(
        self,
        kind: str,
        severity: Severity,
        summary: str,
        warnings: list[str] | tuple[str, ...] = (),
        models: tuple[str, ...] = (),
    ) -> None:
        self.changes.append(Change(kind, severity, summary, tuple(warnings), models))
        if severity == "needs-backfill":
            for model in models:
                self.backfill.setdefault(model, []).append(summary)


def broken(pattern: Mapping[str, Any]) -> str:
    return (
        f"breaks access pattern {pattern['name']!r} ({pattern['operation']} on "
        f"{pattern.get('index') or 'the table'})"
    )
