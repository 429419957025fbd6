"""What a backfill reports: per segment and for the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: At most this many failed items are listed (all are counted).
MAX_LISTED_FAILURES = 100
#: At most this many keys of items still wrong after the run are listed (all are counted).
MAX_LISTED_MISSING = 10


@dataclass
class SegmentReport:
    """One scan segment's work in this invocation (all zero for a segment finished earlier:
    ``done`` and ``resumed`` say so)."""

    segment: int
    scanned: int = 0
    examined: int = 0
    updated: int = 0
    rekeyed: int = 0
    skipped: int = 0
    retried: int = 0
    vanished: int = 0
    failed: int = 0
    sentinels: int = 0
    pages: int = 0
    resumed: bool = False
    done: bool = False


@dataclass(frozen=True)
class ItemFailure:
    """An item the backfill could not fix, with why (its primary key as stored)."""

    key: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class BackfillReport:
    """The outcome of :func:`~dynamodb_tooling.migrations.backfill.backfill`.

    Counts are this invocation's (a resumed run does not count again what earlier
    invocations did): ``scanned`` items read from the table (every entity, as ``ScannedCount``),
    ``examined`` of them of the backfilled models, ``updated`` fixed in place, ``rekeyed``
    moved to a new pk/sk, ``skipped`` already right (nothing written), ``retried`` re-read and
    recomputed after a concurrent write changed them, ``vanished`` deleted meanwhile,
    ``failed`` not fixable (``failures`` lists the first ones with the reason).
    ``missing_after`` counts items of the models whose derived keys are still not what the
    scheme derives, found by the verification scan (``None`` when ``verify=False``).
    """

    table: str
    run_id: str
    scanned: int
    examined: int
    updated: int
    rekeyed: int
    skipped: int
    retried: int
    vanished: int
    failed: int
    missing_after: int | None
    resumed: bool
    duration_s: float
    segments: tuple[SegmentReport, ...] = ()
    failures: tuple[ItemFailure, ...] = ()
    missing_examples: tuple[dict[str, Any], ...] = field(default=())
    total_segments: int = 1
    #: Sentinels put for the values of attributes that became unique (``unique=``).
    sentinels: int = 0

    @property
    def rate(self) -> float:
        """Items read per second in this invocation."""
        return self.scanned / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def written(self) -> int:
        """Items written (fixed in place or re-keyed)."""
        return self.updated + self.rekeyed

    @classmethod
    def of(
        cls,
        *,
        table: str,
        run_id: str,
        segments: list[SegmentReport],
        failures: list[ItemFailure],
        missing: tuple[int, list[dict[str, Any]]] | None,
        duration_s: float,
        total_segments: int,
    ) -> BackfillReport:
        def total(name: str) -> int:
            return sum(getattr(s, name) for s in segments)

        return cls(
            table=table,
            run_id=run_id,
            scanned=total("scanned"),
            examined=total("examined"),
            updated=total("updated"),
            rekeyed=total("rekeyed"),
            skipped=total("skipped"),
            retried=total("retried"),
            vanished=total("vanished"),
            failed=total("failed"),
            missing_after=None if missing is None else missing[0],
            resumed=any(s.resumed for s in segments),
            duration_s=duration_s,
            segments=tuple(sorted(segments, key=lambda s: s.segment)),
            failures=tuple(failures),
            missing_examples=() if missing is None else tuple(missing[1]),
            total_segments=total_segments,
            sentinels=total("sentinels"),
        )
