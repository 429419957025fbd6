"""Progress snapshots: rate and ETA from the items read against the table's item count, and
the rich progress bar drawn from them."""

import io

from rich.console import Console

from dynamodb_tooling.migrations._backfill_progress import ProgressTracker
from dynamodb_tooling.migrations.backfill import BackfillProgress, rich_progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_and_eta_come_from_the_items_read_and_the_estimate() -> None:
    clock = Clock()
    seen: list[BackfillProgress] = []
    tracker = ProgressTracker(
        seen.append, segments=4, total=1000, scanned_before=100, segments_done=1, clock=clock
    )
    clock.now += 2.0
    tracker.page(200, 50, segment_finished=False)
    assert seen[-1] == BackfillProgress(
        scanned=300, updated=50, segments_done=1, segments=4, rate=100.0, eta_s=7.0, total=1000
    )
    clock.now += 1.0
    tracker.page(100, 0, segment_finished=True)
    assert seen[-1].segments_done == 2
    assert seen[-1].eta_s == 6.0  # 600 left at 100 items/s


def test_without_an_item_count_there_is_no_eta_until_the_end() -> None:
    clock = Clock()
    seen: list[BackfillProgress] = []
    tracker = ProgressTracker(seen.append, segments=1, total=None, clock=clock)
    clock.now += 1.0
    tracker.page(10, 1, segment_finished=False)
    assert seen[-1].eta_s is None
    tracker.page(10, 1, segment_finished=True)
    assert seen[-1].eta_s == 0.0


def test_the_rich_progress_bar_shows_items_rate_and_segments() -> None:
    out = io.StringIO()
    console = Console(file=out, width=150, force_terminal=False)
    with rich_progress("Backfilling users", console=console) as progress:
        progress(
            BackfillProgress(
                scanned=500,
                updated=20,
                segments_done=3,
                segments=4,
                rate=250.0,
                eta_s=2.0,
                total=1000,
            )
        )
    text = out.getvalue()
    assert "Backfilling users" in text
    assert "500/1000" in text
    assert "250 items/s" in text
    assert "ETA 2s" in text
    assert "segments 3/4" in text
