"""Resumable imports: a checkpoint file next to the input.

``data.jsonl`` gets ``data.jsonl.checkpoint.json`` while it is imported. After every window of
concurrent batches it records how many records (in file order) are fully written; a re-run
with ``resume=True`` skips those and carries on. Writes are puts by key, so records written
again after a crash (the window in flight) land on the same items: nothing is duplicated. The
file is replaced atomically (never half written) and removed when the import completes.

It lives beside the input rather than in the table so that it needs no write access beyond
the items themselves and names the exact input it belongs to (size and SHA-256): a changed
input file is refused instead of resumed at the wrong record.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from dynamodb_tooling.transfer.errors import TransferError

SUFFIX = ".checkpoint.json"


def checkpoint_path(source: Path) -> Path:
    """Where the checkpoint of importing ``source`` lives."""
    return source.with_name(source.name + SUFFIX)


def fingerprint(source: Path) -> str:
    """Size and SHA-256 of ``source`` (what a checkpoint must match to be resumed)."""
    digest = hashlib.sha256()
    with source.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return f"{source.stat().st_size}:{digest.hexdigest()}"


@dataclass
class Checkpoint:
    """Progress of one import: ``done`` records (in file order) are written or skipped."""

    source: str
    fingerprint: str
    table: str
    model: str | None
    done: int = 0
    written: int = 0

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        if not path.exists():
            return None
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise TransferError(
                f"{path} is not a checkpoint this version can read ({exc}); delete it or "
                "import with resume=False (--no-resume) to start over"
            ) from exc

    def matches(self, other: Checkpoint, path: Path) -> None:
        """Refuse to resume when ``other`` (now) is not the import this checkpoint is of."""
        for field, what in (("fingerprint", "input file"), ("table", "table"), ("model", "model")):
            if getattr(self, field) != getattr(other, field):
                raise TransferError(
                    f"{path} belongs to an import of another {what} ({getattr(self, field)!r}, "
                    f"now {getattr(other, field)!r}); delete it or import with resume=False "
                    "(--no-resume) to start over"
                )

    def save(self, path: Path) -> None:
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(partial, path)
