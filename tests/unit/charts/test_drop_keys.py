"""The drop zone's key layout, defined once in glue_jobs.chart_files: the builder that
tools/charts_add writes with and the parser the chart job reads with, on hand-written keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from glue_jobs import chart_files as C
from glue_jobs.charts_pipeline import drop_file
from tests.unit.charts.support import archive_file, archive_line, current_chart
from tools.charts_add.add import AddedClock, LocalDrop, add_files, key_hash, sha256_of

SHA = "9f2c" + "0" * 60
ADDED = "20261207T100000123456Z"
WEEKLY = C.ChartIdentity("regional", "global", "weekly", date(2022, 1, 13))
WEEKLY_KEY = f"regional/global/weekly/chart_date=2022-01-13/{ADDED}_{SHA}.csv"
ARCHIVE_KEY = f"archive/{ADDED}_{SHA}.csv"


def test_the_builder_writes_the_documented_keys():
    assert C.drop_key(WEEKLY, ADDED, SHA) == WEEKLY_KEY
    assert C.drop_key(None, ADDED, SHA) == ARCHIVE_KEY
    viral = C.ChartIdentity("viral", "us", "daily", date(2024, 10, 31))
    assert C.drop_key(viral, ADDED, SHA) == (
        f"viral/us/daily/chart_date=2024-10-31/{ADDED}_{SHA}.csv"
    )
    assert C.series_prefix(WEEKLY) == "regional/global/weekly/"
    assert C.drop_folder(WEEKLY) == "regional/global/weekly/chart_date=2022-01-13/"
    assert C.series_prefix(None) == C.drop_folder(None) == C.ARCHIVE_PREFIX == "archive/"
    assert C.chart_file_name(WEEKLY) == "regional-global-weekly-2022-01-13.csv"


def test_the_parser_reads_back_what_the_builder_writes():
    chart = C.parse_drop_key(WEEKLY_KEY)
    assert chart == C.DropKey(WEEKLY, ADDED, SHA)
    assert chart.key == WEEKLY_KEY
    assert chart.added_at == datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=UTC)
    assert chart.parse_name == "regional-global-weekly-2022-01-13.csv"
    archive = C.parse_drop_key(ARCHIVE_KEY)
    assert archive == C.DropKey(None, ADDED, SHA)
    assert archive.parse_name == f"{ADDED}_{SHA}.csv"


@pytest.mark.parametrize(
    "relative",
    [
        "downloads/regional-global-weekly-2022-01-13.csv",  # the site's name: not a key
        f"regional/global/weekly/chart_date=2022-02-30/{ADDED}_{SHA}.csv",  # no such day
        f"regional/global/weekly/chart_date=2022-01-13/{ADDED}_{SHA[:-1]}.csv",  # 63 hex
        f"regional/global/weekly/chart_date=2022-01-13/{ADDED}_{SHA.upper()}.csv",
        f"regional/GLOBAL/weekly/chart_date=2022-01-13/{ADDED}_{SHA}.csv",
        f"regional/global/monthly/chart_date=2022-01-13/{ADDED}_{SHA}.csv",
        f"regional/global/weekly/2022-01-13/{ADDED}_{SHA}.csv",
        f"regional/global/weekly/chart_date=2022-01-13/20261307T100000123456Z_{SHA}.csv",
        f"archive/{ADDED}_{SHA}.csv.gz",
        f"archive/x/{ADDED}_{SHA}.csv",
        f"x/archive/{ADDED}_{SHA}.csv",
    ],
)
def test_anything_else_is_no_key(relative):
    assert C.parse_drop_key(relative) is None


def test_added_text_sorts_in_time_order_and_round_trips():
    instants = [
        datetime(2026, 12, 7, 9, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 11, 0, 0, 1, tzinfo=timezone(timedelta(hours=1))),  # 10:00:00.000001Z
    ]
    texts = [C.format_added(i) for i in instants]
    assert texts == [
        "20261207T095959999999Z",
        "20261207T100000000000Z",
        "20261207T100000000001Z",
    ]
    assert texts == sorted(texts)
    assert [C.parse_added(t) for t in texts] == instants
    assert C.format_added(datetime(2026, 12, 7, 10, 0)) == "20261207T100000000000Z"  # naive: UTC


def test_charts_add_and_the_job_share_the_layout(tmp_path):
    """charts-add stores a file under drop_key; the job reads its chart and added time back
    from the same key (a '-latest' chart date included)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    weekly = inbox / "regional-global-weekly-2022-01-13.csv"
    weekly.write_bytes(current_chart(range(1, 4)))
    archive = inbox / "charts.csv"
    archive.write_bytes(archive_file([archive_line(1), archive_line(2)]))
    drop = tmp_path / "drop"
    clock = AddedClock(now=lambda: datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    outcomes = add_files([weekly, archive], LocalDrop(drop), clock=clock)
    assert [o.status for o in outcomes] == ["added", "added"]
    keys = sorted(p.relative_to(drop).as_posix() for p in drop.rglob("*.csv"))
    assert keys == [
        f"archive/20261207T100000000001Z_{sha256_of(archive)}.csv",
        f"regional/global/weekly/chart_date=2022-01-13/20261207T100000000000Z_{sha256_of(weekly)}.csv",
    ]
    assert [key_hash(k) for k in keys] == [sha256_of(archive), sha256_of(weekly)]
    root = f"file:{drop}"
    read = [drop_file(f"{root}/{k}", root, mtime_ms=0) for k in keys]
    assert [(f.parse_name, f.added_at, f.canonical) for f in read] == [
        (keys[0].rsplit("/", 1)[1], datetime(2026, 12, 7, 10, 0, 0, 1, tzinfo=UTC), True),
        (
            "regional-global-weekly-2022-01-13.csv",
            datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
            True,
        ),
    ]
    # A file under the site's own name: its name, its modification time.
    own = drop_file(
        f"{root}/mine/regional-us-daily-2023-01-21.csv", root, mtime_ms=1_700_000_000_500
    )
    assert own == type(own)(
        "regional-us-daily-2023-01-21.csv",
        datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC),
        False,
    )


def test_charts_add_skips_files_that_are_not_keys_when_it_looks_for_stored_bytes(tmp_path):
    """A file dropped by hand into a series folder is no stored copy: the same bytes are
    still added under their key."""
    data = current_chart(range(1, 4))
    drop = tmp_path / "drop"
    by_hand = drop / "regional/global/weekly/chart_date=2022-01-13"
    by_hand.mkdir(parents=True)
    source = tmp_path / "regional-global-weekly-2022-01-13.csv"
    source.write_bytes(data)
    # <something>_<its sha256>.csv, but no <added>: not a key.
    (by_hand / f"copy_{sha256_of(source)}.csv").write_bytes(data)
    (by_hand / "regional-global-weekly-2022-01-13.csv").write_bytes(data)
    [outcome] = add_files([source], LocalDrop(drop), clock=AddedClock())
    assert outcome.status == "added"
    [again] = add_files([source], LocalDrop(drop), clock=AddedClock())
    assert again.status == "already"
