"""Progress reports of exports and imports (what the CLI turns into a progress bar)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias

Phase = Literal["scan", "write-file", "validate", "import"]


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """``done`` of ``total`` items in ``phase`` (``total`` is ``None`` while unknown)."""

    phase: Phase
    done: int
    total: int | None = None


ProgressCallback: TypeAlias = Callable[[TransferProgress], None]
