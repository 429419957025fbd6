"""Backfill progress: what the callback receives, how rate and ETA are estimated, and a rich
progress bar built on it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@dataclass(frozen=True)
class BackfillProgress:
    """A snapshot sent to the ``progress`` callback after every page of every segment.

    ``scanned`` counts items read from the table (every entity, as DynamoDB's ``ScannedCount``)
    by this run id so far, earlier interrupted invocations included; ``total`` is the estimate
    of how many this process will read (DescribeTable's ``ItemCount``, updated by DynamoDB
    about every six hours, times the share of segments this process runs), ``None`` when the
    table reports no count. ``rate`` is this invocation's items read per second; ``eta_s`` the
    seconds left at that rate (``None`` until it can be estimated).
    """

    scanned: int
    updated: int
    segments_done: int
    segments: int
    rate: float
    eta_s: float | None
    total: int | None = None


ProgressCallback = Callable[[BackfillProgress], None]


class ProgressTracker:
    """Adds up pages as segments report them and calls ``callback`` with a snapshot."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        *,
        segments: int,
        total: int | None,
        scanned_before: int = 0,
        updated_before: int = 0,
        segments_done: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.callback = callback
        self.segments = segments
        self.total = total
        self.scanned_before = scanned_before
        self.updated_before = updated_before
        self.scanned = 0
        self.updated = 0
        self.segments_done = segments_done
        self._clock = clock
        self.started = clock()

    def page(self, scanned: int, updated: int, *, segment_finished: bool) -> None:
        self.scanned += scanned
        self.updated += updated
        if segment_finished:
            self.segments_done += 1
        if self.callback is not None:
            self.callback(self.snapshot())

    def snapshot(self) -> BackfillProgress:
        elapsed = max(self._clock() - self.started, 1e-9)
        rate = self.scanned / elapsed
        done = self.scanned_before + self.scanned
        eta: float | None = None
        if self.segments_done >= self.segments:
            eta = 0.0
        elif self.total and rate > 0:
            eta = max(self.total - done, 0) / rate
        return BackfillProgress(
            scanned=done,
            updated=self.updated_before + self.updated,
            segments_done=self.segments_done,
            segments=self.segments,
            rate=rate,
            eta_s=eta,
            total=self.total,
        )


@contextlib.contextmanager
def rich_progress(
    description: str = "Backfilling", *, console: Console | None = None
) -> Iterator[ProgressCallback]:
    """A rich progress bar (items read, rate, ETA, segments) as a ``progress`` callback,
    drawn on ``console`` (default: rich's, on stdout) while the ``with`` block runs.

    >>> with rich_progress() as progress:                          # doctest: +SKIP
    ...     backfill(client, registry, progress=progress)
    """
    columns: list[Any] = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:,.0f} items/s"),
        TextColumn("ETA {task.fields[eta]}"),
        TextColumn("segments {task.fields[segments]}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=None, rate=0.0, eta="?", segments="0/?")

        def update(snapshot: BackfillProgress) -> None:
            eta = "?" if snapshot.eta_s is None else f"{snapshot.eta_s:,.0f}s"
            total = max(snapshot.total, snapshot.scanned) if snapshot.total else None
            bar.update(
                task,
                completed=snapshot.scanned,
                total=total,
                rate=snapshot.rate,
                eta=eta,
                segments=f"{snapshot.segments_done}/{snapshot.segments}",
            )

        yield update
