"""Migration state kept in the table itself: the ``_MIGRATION`` item collection.

* ``pk = _MIGRATION, sk = STATE``: the snapshot the last successful migration applied
  (``snapshot``, canonical JSON), its ``hash``, when and by whom.
* ``pk = _MIGRATION, sk = HISTORY#<iso time>#<n>``: one item per run of ``migrate``,
  ``rollback`` or ``fresh`` — who (``user@host``), when, the changes, every step with its
  status, the duration and the result (``success`` / ``failed``) with the error.

The items carry no entity-type attribute (``_et``), so no model query, scan or backfill of a
model ever returns them, and their partition value contains no key delimiter, so no model key
(always ``PREFIX<delimiter>id``) can address it. Structured fields are stored as JSON text:
the history is read back exactly as written.
"""

from __future__ import annotations

import getpass
import json
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from dynamodb_tooling.config import Config
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations.snapshot import Snapshot
from dynamodb_tooling.requests import Flow, Request
from dynamodb_tooling.requests.items import put_item, query
from dynamodb_tooling.requests.pagination import all_pages

STATE_PARTITION = "_MIGRATION"
STATE_SORT = "STATE"
HISTORY_PREFIX = "HISTORY#"

RunKind = Literal["migrate", "rollback", "fresh"]
RunResult = Literal["success", "failed"]


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded run: ``steps`` are action dicts with a ``status`` (and ``error``)."""

    sort_key: str
    kind: RunKind
    at: str
    by: str
    result: RunResult
    duration_s: float
    snapshot_hash: str
    changes: tuple[str, ...] = ()
    steps: tuple[Mapping[str, Any], ...] = ()
    error: str | None = None
    undoes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sort_key": self.sort_key,
            "kind": self.kind,
            "at": self.at,
            "by": self.by,
            "result": self.result,
            "duration_s": self.duration_s,
            "snapshot_hash": self.snapshot_hash,
            "changes": list(self.changes),
            "steps": [dict(step) for step in self.steps],
            "error": self.error,
            "undoes": self.undoes,
        }


@dataclass(frozen=True)
class StoredState:
    """What the ``_MIGRATION`` collection holds (``snapshot is None``: never migrated)."""

    snapshot: Snapshot | None = None
    applied_at: str | None = None
    applied_by: str | None = None
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)

    @property
    def hash(self) -> str | None:
        return None if self.snapshot is None else self.snapshot.hash


def who() -> str:
    """``user@host`` of this process (``unknown`` parts when the OS cannot say)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'unknown'}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _keys(config: Config, sort: str) -> dict[str, str]:
    std = config.single_table_design
    return {std.partition_key_name: STATE_PARTITION, std.sort_key_name: sort}


def history_sort_key(at: str, number: int) -> str:
    """``HISTORY#2026-11-29T19:55:09.522761+00:00#000007``: sorts by time, then run number."""
    return f"{HISTORY_PREFIX}{at}#{number:06d}"


def put_state(table: str, config: Config, snapshot: Snapshot, at: str, by: str) -> Request:
    """PutItem of the ``STATE`` item: the snapshot now applied."""
    item = {
        **_keys(config, STATE_SORT),
        "hash": snapshot.hash,
        "snapshot": snapshot.to_json(),
        "applied_at": at,
        "applied_by": by,
    }
    return put_item(table, item)


def put_history(table: str, config: Config, entry: HistoryEntry) -> Request:
    """PutItem of one ``HISTORY#`` item."""
    item: dict[str, Any] = {
        **_keys(config, entry.sort_key),
        "kind": entry.kind,
        "at": entry.at,
        "by": entry.by,
        "result": entry.result,
        "duration_s": Decimal(f"{entry.duration_s:.3f}"),
        "snapshot_hash": entry.snapshot_hash,
        "changes": json.dumps(list(entry.changes)),
        "steps": json.dumps([dict(step) for step in entry.steps], sort_keys=True),
    }
    if entry.error is not None:
        item["error"] = entry.error
    if entry.undoes is not None:
        item["undoes"] = entry.undoes
    return put_item(table, item)


def read_state(table: str, config: Config) -> Flow[StoredState]:
    """Read the whole ``_MIGRATION`` collection (consistent read) into a :class:`StoredState`."""
    pk = config.single_table_design.partition_key_name
    sk = config.single_table_design.sort_key_name
    pages = yield from all_pages(query(table, key(pk) == STATE_PARTITION, consistent_read=True))
    items = [unmarshall_item(item) for item in pages.items]
    return parse_state(items, sk)


def parse_state(items: Sequence[Mapping[str, Any]], sort_key: str) -> StoredState:
    state = next((i for i in items if i.get(sort_key) == STATE_SORT), None)
    history = sorted(
        (_entry(i, sort_key) for i in items if str(i.get(sort_key, "")).startswith(HISTORY_PREFIX)),
        key=lambda entry: entry.sort_key,
    )
    if state is None:
        return StoredState(history=tuple(history))
    return StoredState(
        snapshot=Snapshot.from_json(str(state["snapshot"])),
        applied_at=state.get("applied_at"),
        applied_by=state.get("applied_by"),
        history=tuple(history),
    )


def _entry(item: Mapping[str, Any], sort_key: str) -> HistoryEntry:
    return HistoryEntry(
        sort_key=str(item[sort_key]),
        kind=item.get("kind", "migrate"),
        at=str(item.get("at", "")),
        by=str(item.get("by", "")),
        result=item.get("result", "failed"),
        duration_s=float(item.get("duration_s", 0)),
        snapshot_hash=str(item.get("snapshot_hash", "")),
        changes=tuple(json.loads(item.get("changes", "[]"))),
        steps=tuple(json.loads(item.get("steps", "[]"))),
        error=item.get("error"),
        undoes=item.get("undoes"),
    )
