"""The chart views (athena_sql/views/50_chart_*.sql) on both engines, against the numbers
worked out by hand in tests/sql/expected.py for the chart history of chart_fixture.py:

- the Athena SQL on DuckDB through tools.query, over a curated root that holds the chart
  tables only (so also: `make query` on a lake without playlists);
- the generated Snowflake SQL (snowflake_sql/11_views_charts.sql, after 05 and 07-09) on
  fakesnow, over CORE tables that hold the same rows. The chart tables' landing, pipes and
  merges are not what is tested here: the rows go into CORE as the merges leave them (CORE
  mirrors the lake, docs/sql.md).

No Spark: the history is written as Parquet directly.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from glue_jobs.tables import BY_NAME, CHART_TABLES, PLAYLIST_TABLES
from tests.sql.chart_fixture import dim_rows, fact_rows
from tests.sql.compare import rows_as_expected, sorted_rows
from tests.sql.expected import CHART_EXPECTED, EXPECTED, W1
from tools import query
from tools.tf_check.snowflake_sql import statements

SNOWFLAKE_SQL = Path(__file__).resolve().parents[2] / "snowflake_sql"
CHART_VIEWS = sorted(CHART_EXPECTED)


@pytest.fixture(scope="module")
def athena(chart_curated) -> Iterator:
    con = query.connect(chart_curated)
    yield con
    con.close()


# ---------------------------------------------------------------------------------------
# The views on DuckDB (the Athena SQL)
# ---------------------------------------------------------------------------------------


def test_every_chart_view_has_an_expectation():
    charts = [v for v in query.analytics_view_names() if v.startswith("chart_")]
    assert sorted(charts) == CHART_VIEWS
    assert not set(CHART_EXPECTED) & set(EXPECTED)


@pytest.mark.parametrize("view", CHART_VIEWS)
def test_chart_view_returns_the_hand_worked_result_on_duckdb(athena, view):
    columns, expected = CHART_EXPECTED[view]
    result = query.run_view(athena, view)
    assert rows_as_expected(columns, result.columns, result.rows) == sorted_rows(expected)


def test_artist_credits_split_the_file_names_and_say_so(athena):
    # Entries per song times its names: A, D, E, G, H one name, B, C, F two. GW 9 + 9 + 8 +
    # 8 = 34, UW 5 + 5 + 4 = 14, GD 4 + 3 + 4 = 11, VW H + C = 1 + 2 = 3: 62 credits.
    assert athena.execute("select count(*) from chart_artist_credits").fetchall() == [(62,)]
    assert athena.execute("select distinct artist_source from chart_artist_credits").fetchall() == [
        ("chart_file_names",)
    ]
    # The documented caveat: "Tyler, The Creator" is split in two.
    assert sorted(
        athena.execute(
            "select artist_name, rank, streams from chart_artist_credits "
            "where track_id = 'trkCascade' and chart_date = date '2026-01-01'"
        ).fetchall()
    ) == [("The Creator", 3, 800), ("Tyler", 3, 800)]


def test_a_chart_date_filter_gives_that_date_of_the_whole_history(athena):
    # A filter outside the view (as a dashboard or Athena query puts it) keeps the
    # comparison with the previous week, which lies outside the filter.
    rows = athena.execute(
        "select track_id, movement from chart_movements "
        "where chart_id = 'regional-global-weekly' and chart_date = date '2026-01-15' "
        "order by rank nulls last, track_id"
    ).fetchall()
    assert rows == [
        ("trkGlow", "climbed"),
        ("trkBlaze", "fell"),
        ("trkEmber", "re-entry"),
        ("trkAurora", "fell"),
        ("trkFlare", "unchanged"),
        ("trkHalo", "new"),
        ("trkCascade", "exit"),
        ("trkDrift", "exit"),
    ]


def test_a_song_listed_twice_in_one_chart_moves_once_at_its_best_rank(tmp_path):
    # Not in the fixture (Spotify's files list a track once): a copy of the history where
    # GW W2 lists Aurora again at rank 7 (an archive may).
    from tests.sql.chart_fixture import write_chart_lake

    curated = tmp_path / "curated"
    write_chart_lake(curated)
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = curated / "fact_chart_entry" / "chart_date=2026-01-08"
    (path,) = folder.glob("*.parquet")
    table = pq.read_table(path)
    rows = table.to_pylist()
    again = {**next(r for r in rows if r["track_id"] == "trkAurora"), "rank": 7, "streams": 10}
    pq.write_table(pa.Table.from_pylist([*rows, again], schema=table.schema), path)
    con = query.connect(curated)
    try:
        moves = con.execute(
            "select chart_date, rank, previous_rank, movement, streams from chart_movements "
            "where chart_id = 'regional-global-weekly' and track_id = 'trkAurora' "
            "order by chart_date"
        ).fetchall()
        # W2 at its best rank, 2, with that row's streams; W3 compares with that rank.
        assert [m[:4] for m in moves] == [
            (W1, 1, None, None),
            (W1.replace(day=8), 2, 1, "fell"),
            (W1.replace(day=15), 4, 2, "fell"),
            (W1.replace(day=22), 5, 4, "fell"),
        ]
        assert moves[1][4] == 920
        # It still counts one week per date.
        assert con.execute(
            "select weeks_on_chart from chart_songs "
            "where chart_id = 'regional-global-weekly' and track_id = 'trkAurora'"
        ).fetchall() == [(4,)]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------
# make query over a lake that holds only some tables
# ---------------------------------------------------------------------------------------


def test_a_lake_of_charts_only_reads_the_playlist_tables_as_empty(chart_curated, athena):
    assert query.empty_tables(chart_curated) == [t.name for t in PLAYLIST_TABLES]
    for table in PLAYLIST_TABLES:
        described = athena.execute(f"describe {table.name}").fetchall()
        # The columns of glue_jobs/tables.py, in order, the partition key last as VARCHAR
        # (as the crawler registers it), each in the type DuckDB reads from the job's Parquet.
        assert [(name, kind) for name, kind, *_ in described] == [
            *[(c.name, query.DUCKDB_TYPES[c.type]) for c in table.file_columns],
            (table.partition.name, "VARCHAR"),
        ]
        assert athena.execute(f"select count(*) from {table.name}").fetchall() == [(0,)]
    # And those are the types DuckDB reads from Parquet: the chart tables, read from their
    # files, are described as their empty form would be.
    scratch = duckdb.connect()
    try:
        for table in CHART_TABLES:
            scratch.execute(query._empty_table_sql(table.name))
            assert (
                scratch.execute(f"describe {table.name}").fetchall()
                == athena.execute(f"describe {table.name}").fetchall()
            )
    finally:
        scratch.close()
    # Every view runs; those over playlists have nothing to say (entity_record_counts
    # counts zeros).
    for view in query.analytics_view_names():
        rows = query.run_view(athena, view).rows
        if view == "entity_record_counts":
            assert {count for _, count in rows} == {0}
        elif not view.startswith("chart_"):
            assert rows == [], view


def test_a_chart_table_without_parquet_is_empty_with_its_columns(chart_curated, tmp_path):
    # A lake whose dim_chart is not written yet: fact_chart_entry is read, dim_chart empty.
    curated = tmp_path / "curated"
    shutil.copytree(chart_curated / "fact_chart_entry", curated / "fact_chart_entry")
    assert query.empty_tables(curated) == [t.name for t in (*PLAYLIST_TABLES, BY_NAME["dim_chart"])]
    con = query.connect(curated)
    try:
        assert con.execute("select count(*) from dim_chart_current").fetchall() == [(0,)]
        columns, expected = CHART_EXPECTED["chart_turnover"]
        result = query.run_view(con, "chart_turnover")
        assert rows_as_expected(columns, result.columns, result.rows) == sorted_rows(expected)
    finally:
        con.close()


def test_a_root_with_no_parquet_at_all_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no Parquet files under"):
        query.connect(tmp_path)


def test_make_query_lists_and_runs_the_chart_views(chart_curated, capsys):
    assert query.main(["--curated", str(chart_curated)]) == 0
    captured = capsys.readouterr()
    for view in CHART_VIEWS:
        assert f"== {view}: " in captured.out
    assert "== chart_artist_credits" not in captured.out  # a helper: --view prints it
    assert captured.err == (
        "note: no Parquet yet for "
        + ", ".join(t.name for t in PLAYLIST_TABLES)
        + ": read as empty\n"
    )
    # Per chart, chart_songs lists the longest-running songs first.
    lines = captured.out.split("== chart_songs: ", 1)[1].split("\n\n", 1)[0].splitlines()
    weekly = [line.split()[:3] for line in lines if line.startswith("regional-global-weekly")]
    assert weekly[:3] == [
        ["regional-global-weekly", "1", "Aurora"],
        ["regional-global-weekly", "1", "Blaze"],
        ["regional-global-weekly", "3", "Cascade"],
    ]
    assert query.main(["--curated", str(chart_curated), "--view", "chart_artist_credits"]) == 0
    assert "(62 rows)" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------
# The generated Snowflake views on fakesnow
# ---------------------------------------------------------------------------------------


def _insert(cursor, table: str, rows: list[dict]) -> None:
    columns = [c.name for c in BY_NAME[table].all_columns]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    cursor.execute(
        f"insert into core.{table} ({', '.join(columns)}) "
        f"values {', '.join([placeholders] * len(rows))}",
        [row[c] for row in rows for c in columns],
    )


@pytest.fixture(scope="module")
def snowflake() -> Iterator:
    import fakesnow
    import snowflake.connector

    with fakesnow.patch():
        cursor = snowflake.connector.connect().cursor()
        cursor.execute("create database spotify_lakehouse")
        for schema in ("landing", "core", "analytics"):
            cursor.execute(f"create schema spotify_lakehouse.{schema}")
        # The CORE tables and *_current views, then every view script, as written.
        for name in ("05", "07", "08", "09", "11"):
            (path,) = SNOWFLAKE_SQL.glob(f"{name}_*.sql")
            for statement in statements(path.read_text(encoding="utf-8")):
                if statement.lower().startswith(("use ", "create table", "create or replace view")):
                    cursor.execute(statement)
        _insert(cursor, "fact_chart_entry", fact_rows())
        _insert(cursor, "dim_chart", dim_rows())
        yield cursor


def test_the_chart_views_are_in_their_own_script():
    text = (SNOWFLAKE_SQL / "11_views_charts.sql").read_text(encoding="utf-8")
    created = [s.split()[4] for s in statements(text) if s.startswith("create or replace view")]
    assert created == [f"analytics.{v}" for v in sorted([*CHART_VIEWS, "chart_artist_credits"])]


@pytest.mark.parametrize("view", CHART_VIEWS)
def test_chart_view_returns_the_hand_worked_result_on_fakesnow(snowflake, view):
    columns, expected = CHART_EXPECTED[view]
    snowflake.execute(f"select * from analytics.{view}")
    actual_columns = [d.name.lower() for d in snowflake.description]
    rows = snowflake.fetchall()
    assert rows_as_expected(columns, actual_columns, rows) == sorted_rows(expected)


def test_snowflake_splits_the_names_as_athena_does(snowflake, athena):
    sql = "select artist_name, count(*) from {}chart_artist_credits group by artist_name"
    snowflake.execute(sql.format("analytics."))
    assert sorted(snowflake.fetchall()) == sorted(athena.execute(sql.format("")).fetchall())


def test_the_chart_views_have_the_same_columns_on_both_engines(snowflake, athena):
    for view in [*CHART_VIEWS, "chart_artist_credits"]:
        snowflake.execute(f"select * from analytics.{view} limit 0")
        snowflake.fetchall()
        assert [d.name.lower() for d in snowflake.description] == query.run_view(
            athena, view
        ).columns, view


def test_the_chart_tables_are_those_of_the_definitions():
    assert sorted(t.name for t in CHART_TABLES) == ["dim_chart", "fact_chart_entry"]
