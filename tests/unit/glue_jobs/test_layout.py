"""How a run's rows are spread over tasks and files (``OutputLayout.for_run``)."""

from __future__ import annotations

from datetime import date, timedelta

from glue_jobs.pipeline import ENTRIES_PER_TASK, OutputLayout

DAY = date(2026, 1, 5)


def dates(n: int, entries: int) -> dict[date, int]:
    return {DAY + timedelta(weeks=i): entries for i in range(n)}


def test_a_weekly_run_is_hashed_by_date_over_every_core():
    layout = OutputLayout.for_run(dates(1, 5_000), parallelism=2)
    assert layout == OutputLayout(2, by_key=False)
    assert layout.columns("track_id") == ["snapshot_date"]


def test_a_backfill_of_many_dates_gets_one_task_slot_per_date():
    # The 10M-entry benchmark's shape: 100 dates of 100,000 entries.
    assert OutputLayout.for_run(dates(100, 100_000), parallelism=2) == OutputLayout(100)
    # Few dates on many cores: more slots than dates, fewer collisions.
    assert OutputLayout.for_run(dates(3, 10), parallelism=8) == OutputLayout(8)


def test_only_a_date_too_big_for_one_task_spreads_by_key():
    big = {**dates(3, 10), DAY - timedelta(weeks=1): ENTRIES_PER_TASK + 1}
    layout = OutputLayout.for_run(big, parallelism=8)
    assert layout.by_key
    assert layout.partitions == 4  # at least one per date; by size: 2 tasks
    assert layout.columns("album_id") == ["snapshot_date", "album_id"]
    assert OutputLayout.for_run(dates(1, 10 * ENTRIES_PER_TASK), 4) == OutputLayout(4, True)


def test_a_run_without_winners_still_has_one_task():
    assert OutputLayout.for_run({}, parallelism=0) == OutputLayout(1)
