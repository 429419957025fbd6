"""A frozen clock for the timestamps the ORM stamps: ``freeze_time(moment)``.

>>> from datetime import UTC, datetime, timedelta
>>> from dynamodb_tooling.testing import freeze_time
>>> with freeze_time(datetime(2024, 1, 1, 12, tzinfo=UTC)) as clock:  # doctest: +SKIP
...     post = Post.create(title="Hi")              # created_at == updated_at == 12:00
...     clock.tick(timedelta(minutes=5))
...     post.update(title="Hello")                  # updated_at == 12:05
...     post.delete()                               # deleted_at == 12:05 (soft deletes)

Every timestamp the library writes (``created_at``/``updated_at`` with ``timestamps=True``,
``deleted_at`` with ``soft_deletes=True``, ``touch()``) reads the frozen clock, in every
configured ``timestamp_format``. The clock is process-wide (worker threads of a concurrent
write see it too) and the system clock is back when the block ends. The pytest fixture
``frozen_clock`` does the same for one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from dynamodb_tooling.schema.transformer import set_clock

__all__ = ["DEFAULT_FROZEN_TIME", "FrozenClock", "freeze_time"]

#: Where ``frozen_clock`` starts when a test does not say (a fixed, recognisable instant).
DEFAULT_FROZEN_TIME = datetime(2024, 1, 1, tzinfo=UTC)


class FrozenClock:
    """A clock that stands still until moved: ``tick(delta)`` or ``set(moment)``."""

    def __init__(self, moment: datetime) -> None:
        self._now = _aware_utc(moment)

    def __call__(self) -> datetime:
        return self._now

    @property
    def now(self) -> datetime:
        """The frozen time (an aware UTC datetime)."""
        return self._now

    def tick(self, delta: timedelta | float = 1.0) -> datetime:
        """Move the clock forward by ``delta`` (a timedelta or seconds); returns the new time."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        self._now += step
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Move the clock to ``moment`` (aware; naive datetimes are refused)."""
        self._now = _aware_utc(moment)
        return self._now

    def __repr__(self) -> str:
        return f"<FrozenClock {self._now.isoformat()}>"


@contextmanager
def freeze_time(moment: datetime | None = None) -> Iterator[FrozenClock]:
    """Freeze the library's clock at ``moment`` (default :data:`DEFAULT_FROZEN_TIME`) for
    the ``with`` block; yields the :class:`FrozenClock` to move it. Blocks nest."""
    clock = FrozenClock(DEFAULT_FROZEN_TIME if moment is None else moment)
    previous: Callable[[], datetime] | None = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


def _aware_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(
            f"freeze_time() takes a datetime, got {type(moment).__name__} {moment!r}; "
            "pass e.g. datetime(2024, 1, 1, tzinfo=UTC)"
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"freeze_time() needs an aware datetime, got the naive {moment!r}: the library "
            "stores UTC and would have to guess the zone; pass "
            f"{moment!r}.replace(tzinfo=UTC) or a datetime with tzinfo"
        )
    return moment.astimezone(UTC)
