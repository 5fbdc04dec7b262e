"""The current tables the playlist job writes at each run (glue_jobs.current).

One lake, run after run (the tests depend on each other's order):

1. the first run builds every current table (none exists yet);
2. a new week merges into them incrementally: changed tracks take the new week's row, a
   track the week does not mention keeps its older row;
3. a later extraction of the same week drops a track: the rewritten date makes the run
   rebuild from the history, and the dropped track falls back to its first-week row
   (an incremental merge would have kept the dropped row);
4. a deleted current table is rebuilt by the next run;
5. a crash after the manifest is rolled forward, current tables included.

After every run each current table is compared with DuckDB's reading of the same lake: per
id, the rows of its greatest ``snapshot_date`` and ``extracted_at`` (the rule the
``*_current`` views applied at every query, docs/data-contract.md section 3). The values
named in the tests are worked out by hand from the documents below.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from glue_jobs.charts_pipeline import run_chart_job
from glue_jobs.pipeline import InjectedFailure, run_job
from glue_jobs.tables import DIM_CHART, PLAYLIST_TABLES
from tests.integration.test_chart_job import key, write
from tests.sql.chart_fixture import latest_rows_sql
from tests.unit.charts.support import current_chart
from tests.unit.glue_jobs import builders as B

pytestmark = [pytest.mark.spark, pytest.mark.slow]

CURRENT = [t for t in PLAYLIST_TABLES if t.current]
A1, A2, A3 = B.artist("ar1", "One"), B.artist("ar2", "Two"), B.artist("ar3", "Three")
ALBUM = B.album("al1", "Album", artists=[A3])


def _track(track_id: str, popularity: int, artists: list[dict]) -> dict:
    return B.track(
        track_id, f"Song {track_id}", album_obj=ALBUM, artists=artists, popularity=popularity
    )


# Week 1: t1 by ar1 and ar2, t2 by ar1.
WEEK1 = B.document(
    "p1",
    "2026-01-05T06:00:00.000001Z",
    [B.entry(_track("t1", 10, [A1, A2])), B.entry(_track("t2", 20, [A1]))],
)
# Week 2: t1 again, now credited to ar1 alone and more popular; t2 still there; t3 new.
WEEK2 = B.document(
    "p1",
    "2026-01-12T06:00:00.000001Z",
    [
        B.entry(_track("t1", 11, [A1])),
        B.entry(_track("t2", 21, [A1])),
        B.entry(_track("t3", 30, [A2])),
    ],
)
# A later extraction of week 2: t2 is gone (t1 and t3 unchanged).
WEEK2_LATER = B.document(
    "p1",
    "2026-01-12T09:00:00.000001Z",
    [B.entry(_track("t1", 11, [A1])), B.entry(_track("t3", 30, [A2]))],
)


def duckdb_current(curated: Path, table) -> list[tuple]:
    """The latest observation of every id, read by DuckDB from the table's partitions."""
    return sorted(duckdb.sql(latest_rows_sql(curated, table)).fetchall(), key=repr)


def job_current(curated: Path, table) -> list[tuple]:
    cols = ", ".join(c.name for c in table.all_columns)
    sql = f"select {cols} from read_parquet('{curated}/{table.current}/*.parquet')"
    return sorted(duckdb.sql(sql).fetchall(), key=repr)


def assert_current_tables_hold_the_latest(curated: Path, tables=tuple(CURRENT)) -> None:
    for table in tables:
        assert job_current(curated, table) == duckdb_current(curated, table), table.current


def current_value(curated: Path, table: str, column: str, where: str) -> list:
    sql = f"select {column} from read_parquet('{curated}/{table}/*.parquet') where {where}"
    return sorted(r[0] for r in duckdb.sql(sql).fetchall())


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("current")
    return {"raw": root / "raw", "curated": root / "curated"}


def _run(spark, lake, run_id: str, **kw) -> dict:
    return run_job(spark, str(lake["raw"]), str(lake["curated"]), run_id=run_id, **kw)


def _add_week(spark, lake, doc: dict, run_id: str) -> dict:
    """Land ``doc`` and run the job; check every current table against DuckDB's reading;
    returns how each was made (the summary's ``current_tables``)."""
    B.write_raw(lake["raw"], B.raw_key(doc), [doc])
    modes = _run(spark, lake, run_id)["current_tables"]
    assert_current_tables_hold_the_latest(lake["curated"])
    return modes


def _credits(curated: Path, track_id: str) -> list[str]:
    where = f"track_id = '{track_id}'"
    return current_value(curated, "bridge_track_artist_current", "artist_id", where)


def test_the_first_run_builds_every_current_table(spark, lake):
    assert _add_week(spark, lake, WEEK1, "run1") == {t.current: "rebuilt" for t in CURRENT}
    cur = lake["curated"]
    assert current_value(cur, "dim_track_current", "track_id", "true") == ["t1", "t2"]
    assert _credits(cur, "t1") == ["ar1", "ar2"]


def test_a_new_week_is_merged_incrementally(spark, lake):
    modes = _add_week(spark, lake, WEEK2, "run2")
    assert modes == {t.current: "incremental" for t in CURRENT}
    cur = lake["curated"]
    # t1 takes week 2's popularity and credit list (ar2 is no longer credited).
    assert current_value(cur, "dim_track_current", "popularity", "track_id = 't1'") == [11]
    assert _credits(cur, "t1") == ["ar1"]
    assert current_value(cur, "dim_track_current", "track_id", "true") == ["t1", "t2", "t3"]
    # One row per id, whatever the number of weeks: 3 tracks, 3 artists, 1 album, 1 playlist.
    for table, n in [("dim_track", 3), ("dim_artist", 3), ("dim_album", 1), ("dim_playlist", 1)]:
        assert len(current_value(cur, f"{table}_current", "1", "true")) == n, table


def test_a_rewritten_week_rebuilds_and_a_dropped_track_falls_back(spark, lake):
    assert _add_week(spark, lake, WEEK2_LATER, "run3")["dim_track_current"] == "rebuilt"
    cur = lake["curated"]
    # t2 is not in the rewritten week 2 any more: its latest row is week 1's again.
    assert current_value(cur, "dim_track_current", "popularity", "track_id = 't2'") == [20]
    assert current_value(
        cur, "dim_track_current", "cast(snapshot_date as varchar)", "track_id = 't2'"
    ) == ["2026-01-05"]


def test_a_deleted_current_table_is_rebuilt(spark, lake):
    cur = lake["curated"]
    shutil.rmtree(cur / "dim_artist_current")
    week3 = B.document("p1", "2026-01-19T06:00:00.000001Z", [B.entry(_track("t1", 12, [A1]))])
    modes = _add_week(spark, lake, week3, "run4")
    assert (modes["dim_artist_current"], modes["dim_track_current"]) == ("rebuilt", "incremental")


def test_a_crash_after_the_manifest_is_rolled_forward_with_the_current_tables(spark, lake):
    cur = lake["curated"]
    week4 = B.document("p1", "2026-01-26T06:00:00.000001Z", [B.entry(_track("t3", 31, [A2, A3]))])
    B.write_raw(lake["raw"], B.raw_key(week4), [week4])
    with pytest.raises(InjectedFailure):
        _run(spark, lake, "crashed", fail_after="manifest")
    # Nothing published yet: t3's current row is still week 2's.
    assert current_value(cur, "dim_track_current", "popularity", "track_id = 't3'") == [30]
    _run(spark, lake, "next")
    assert_current_tables_hold_the_latest(cur)
    assert current_value(cur, "dim_track_current", "popularity", "track_id = 't3'") == [31]
    assert _credits(cur, "t3") == ["ar2", "ar3"]


def test_the_chart_job_writes_dim_chart_current(spark, tmp_path):
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    chart = "regional-global-weekly"
    write(drop, key(chart, "2022-01-13", "20260101T000000000000Z", 1), current_chart(range(1, 4)))
    first = run_chart_job(spark, str(drop), str(curated), run_id="c1")
    assert first["current_tables"] == {"dim_chart_current": "rebuilt"}
    write(drop, key(chart, "2022-01-20", "20260102T000000000000Z", 2), current_chart(range(1, 3)))
    second = run_chart_job(spark, str(drop), str(curated), run_id="c2")
    assert second["current_tables"] == {"dim_chart_current": "incremental"}
    assert_current_tables_hold_the_latest(curated, (DIM_CHART,))
    # One row for the chart: the week of 2022-01-20, with its 2 entries.
    rows = duckdb.sql(
        f"select chart_id, cast(chart_date as varchar), entries "
        f"from read_parquet('{curated}/dim_chart_current/*.parquet')"
    ).fetchall()
    assert rows == [(chart, "2022-01-20", 2)]
