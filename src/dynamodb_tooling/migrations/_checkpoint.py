"""Backfill checkpoints, stored in the table itself: pure request compilation and parsing.

One item per scan segment of a run: ``pk = _MIGRATION``, ``sk = BACKFILL#<run_id>#<segment>``,
holding the segment's last ``LastEvaluatedKey``, its counts and whether it is done. It is
written after every page's writes have completed, so a crash re-does at most one page (and
re-doing a page is harmless: each write sets derived keys to their computed values).

``_MIGRATION`` items are internal (the migration state lives in the same collection): they
carry no entity-type attribute, so no model query, scan or backfill (all filtered on the
entity type) ever returns them, and no entity key can equal ``_MIGRATION`` (entity keys always
hold the delimiter).

Each write is conditional on the segment's page count being the one this process last read or
wrote, so two processes running the same segment of the same run are caught
(:class:`CheckpointConflictError`) instead of overwriting each other's progress.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from dynamodb_tooling._types import Key, Response
from dynamodb_tooling.config import SingleTableDesignConfig
from dynamodb_tooling.expressions import Path, attr
from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.migrations._backfill_errors import BackfillError
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import get_item, put_item

MIGRATION_PARTITION = "_MIGRATION"
CHECKPOINT_PREFIX = "BACKFILL"
_MAX_RUN_ID = 200


@dataclass(frozen=True)
class Checkpoint:
    """Where one segment of a run stands: resume after ``last_key`` (``None``: the start)."""

    run_id: str
    segment: int
    total_segments: int
    models: tuple[str, ...]
    last_key: Key | None = None
    done: bool = False
    pages: int = 0
    scanned: int = 0
    examined: int = 0
    updated: int = 0
    rekeyed: int = 0
    skipped: int = 0
    vanished: int = 0
    failed: int = 0
    writer: str = ""
    updated_at: str = ""

    def advanced(self, last_key: Key | None, counts: Mapping[str, int], writer: str) -> Checkpoint:
        """This checkpoint one page further: ``counts`` are added, done when no key is left."""
        added = {name: getattr(self, name) + counts.get(name, 0) for name in COUNTS}
        return replace(
            self,
            last_key=last_key,
            done=last_key is None,
            pages=self.pages + 1,
            writer=writer,
            updated_at=datetime.now(UTC).isoformat(),
            **added,
        )


COUNTS = ("scanned", "examined", "updated", "rekeyed", "skipped", "vanished", "failed")


def check_run_id(run_id: str, delimiter: str) -> str:
    """``run_id`` when it can be part of a checkpoint key, else a :class:`BackfillError`."""
    if not run_id or len(run_id) > _MAX_RUN_ID or delimiter in run_id:
        raise BackfillError(
            f"run_id {run_id!r} must be 1 to {_MAX_RUN_ID} characters without the key "
            f"delimiter {delimiter!r} (it is part of the checkpoint's key); e.g. 'add-status-index'"
        )
    return run_id


def checkpoint_key(design: SingleTableDesignConfig, run_id: str, segment: int) -> dict[str, str]:
    """The key of segment ``segment``'s checkpoint of run ``run_id``."""
    d = design.key_delimiter
    return {
        design.partition_key_name: MIGRATION_PARTITION,
        design.sort_key_name: f"{CHECKPOINT_PREFIX}{d}{run_id}{d}{segment}",
    }


def read_checkpoint(
    table: str, design: SingleTableDesignConfig, run_id: str, segment: int
) -> Request:
    """A consistent GetItem of one segment's checkpoint."""
    return get_item(table, checkpoint_key(design, run_id, segment), consistent_read=True)


def parse_checkpoint(response: Response) -> Checkpoint | None:
    """The checkpoint in a GetItem response (``None`` when there is none)."""
    raw = response.get("Item")
    if not raw:
        return None
    item = unmarshall_item(raw)
    last = item.get("last_key")
    return Checkpoint(
        run_id=str(item["run_id"]),
        segment=int(item["segment"]),
        total_segments=int(item["total_segments"]),
        models=tuple(item.get("models", ())),
        last_key=marshall_item(last) if last else None,
        done=bool(item.get("done", False)),
        writer=str(item.get("writer", "")),
        updated_at=str(item.get("updated_at", "")),
        pages=int(item.get("pages", 0)),
        **{name: int(item.get(name, 0)) for name in COUNTS},
    )


def write_checkpoint(
    table: str, design: SingleTableDesignConfig, checkpoint: Checkpoint, expected_pages: int | None
) -> Request:
    """PutItem of ``checkpoint``, only if the stored one still has ``expected_pages`` pages
    (``None``: only if there is none yet)."""
    item: dict[str, Any] = {
        **checkpoint_key(design, checkpoint.run_id, checkpoint.segment),
        **{k: v for k, v in asdict(checkpoint).items() if k not in ("last_key", "models")},
        "models": list(checkpoint.models),
    }
    if checkpoint.last_key is not None:
        item["last_key"] = unmarshall_item(checkpoint.last_key)
    free = attr(Path.of(design.partition_key_name)).not_exists()
    condition = free if expected_pages is None else attr(Path.of("pages")).eq(expected_pages)
    return put_item(table, item, condition=condition)


def check_compatible(
    found: Checkpoint, total_segments: int, models: Sequence[str], table: str
) -> None:
    """Refuse to resume a run with a different segmentation or other models: its stored
    positions would not mean the same thing."""
    if found.total_segments != total_segments:
        raise BackfillError(
            f"backfill run {found.run_id!r} on {table} was started with segments="
            f"{found.total_segments}; resume it with segments={found.total_segments}, or start "
            "afresh with another run_id (or restart=True)"
        )
    if tuple(found.models) != tuple(models):
        raise BackfillError(
            f"backfill run {found.run_id!r} on {table} was started for models "
            f"{list(found.models)}, not {list(models)}; resume it with the same models, or "
            "start afresh with another run_id (or restart=True)"
        )
