"""The chart views (athena_sql/views/50_chart_*.sql) on both engines, against the numbers
worked out by hand in tests/sql/expected.py for the chart history of chart_fixture.py:

- the Athena SQL on DuckDB through tools.query, over a curated root that holds the chart
  tables and the enrichment's dim_track, bridge_track_artist and dim_artist (so also:
  `make query` on a lake without playlists), and over one that holds the chart tables only
  (nothing described: every view falls back to track ids and the file's names);
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
from tests.sql.chart_fixture import (
    ENRICHMENT,
    SNOWFLAKE_SQL,
    artist_rows,
    bridge_rows,
    create_snowflake,
    dim_rows,
    fact_rows,
    insert_core,
    track_rows,
    write_chart_lake,
)
from tests.sql.compare import rows_as_expected, sorted_rows
from tests.sql.expected import A_KEY, CHART_EXPECTED, EXPECTED, W1
from tools import query
from tools.tf_check.snowflake_sql import statements

CHART_VIEWS = sorted(CHART_EXPECTED)
# Tested through the views that read it and by the counts below.
CREDITS = "chart_artist_credits"
ENRICHMENT_TABLES = [table.name for table, _ in ENRICHMENT]


@pytest.fixture(scope="module")
def athena(chart_curated) -> Iterator:
    con = query.connect(chart_curated)
    yield con
    con.close()


@pytest.fixture(scope="module")
def plain_curated(tmp_path_factory) -> Path:
    """The same chart history without the enrichment: a lake of charts only."""
    curated = tmp_path_factory.mktemp("plain_chart_lake") / "curated"
    write_chart_lake(curated, enriched=False)
    return curated


@pytest.fixture(scope="module")
def plain(plain_curated) -> Iterator:
    con = query.connect(plain_curated)
    yield con
    con.close()


# ---------------------------------------------------------------------------------------
# The views on DuckDB (the Athena SQL)
# ---------------------------------------------------------------------------------------


def test_every_chart_view_has_an_expectation():
    charts = [query.view_name(p) for p in query.view_files()]
    assert sorted(v for v in charts if v.startswith("chart_") and v != CREDITS) == CHART_VIEWS
    assert not set(CHART_EXPECTED) & set(EXPECTED)
    # chart_entry_songs, which every other chart view reads, is created first.
    assert next(v for v in charts if v.startswith("chart_")) == "chart_entry_songs"


@pytest.mark.parametrize("view", CHART_VIEWS)
def test_chart_view_returns_the_hand_worked_result_on_duckdb(athena, view):
    columns, expected = CHART_EXPECTED[view]
    result = query.run_view(athena, view)
    assert rows_as_expected(columns, result.columns, result.rows) == sorted_rows(expected)


def test_artist_credits_are_the_spotify_artists_where_described(athena):
    # Entries per song times its artists. Described (web_api): A (with A') 1, B 2, C 1 (one
    # artist), G 1; not described (file names): D, E, H 1, F 2.
    # GW: W1 A1 B2 C1 D1 E1 F2 = 8, W2 B2 A1 G1 C1 F2 D1 = 8, W3 G1 B2 E1 A'1 F2 H1 = 8, W4
    # G1 E1 H1 B2 A1 C1 = 7: 31. UW W1 D1 A1 E1 B2 = 5, W2 A1 D1 B2 G1 = 5, W4 4: 14. GD D1
    # G1 B2 A1 = 4, D2 3, D3 E1 G1 B2 = 4: 11. VW H1 C1 = 2. 31 + 14 + 11 + 2 = 58.
    assert athena.execute(f"select count(*) from {CREDITS}").fetchall() == [(58,)]
    by_source = athena.execute(
        f"select artist_source, count(*), count(artist_id) from {CREDITS} group by all order by 1"
    ).fetchall()
    # File names: D 2 + 2 (GW, UW) entries, E 3 + 2 + 2, F 3 x 2 names, H 2 + 1 + 1 = 21;
    # web_api: the other 37, each with an id.
    assert by_source == [("chart_file_names", 21, 0), ("web_api", 37, 37)]
    # "Tyler, The Creator" is one artist, with the id the lake knows.
    assert athena.execute(
        f"select artist_name, artist_id, rank, streams from {CREDITS} "
        "where track_id = 'trkCascade' and chart_date = date '2026-01-01'"
    ).fetchall() == [("Tyler, The Creator", "artTylerTheCreator", 3, 800)]


def test_without_the_enrichment_the_views_fall_back_to_ids_and_file_names(plain):
    # Nothing described: the file's names split at ", " (62 credits: C's 4 entries count
    # twice, as "Tyler" and "The Creator"), and every id its own song.
    assert plain.execute(
        f"select artist_source, count(*), count(artist_id) from {CREDITS} group by all"
    ).fetchall() == [("chart_file_names", 62, 0)]
    assert sorted(
        plain.execute(
            f"select artist_name from {CREDITS} "
            "where track_id = 'trkCascade' and chart_date = date '2026-01-01'"
        ).fetchall()
    ) == [("The Creator",), ("Tyler",)]
    assert plain.execute(
        "select count(*) from chart_entry_songs "
        "where is_described or song_key <> 'track:' || track_id"
    ).fetchall() == [(0,)]
    # GW: Aurora's two ids are two songs. trkAurora W1, W2, W4 (3 weeks, 1000 + 920 + 700 =
    # 2620); trkAuroraSingle W3 only (700). In W3 the single is new and trkAurora exits (it
    # was 2nd in W2); in W4 trkAurora is back (re-entry) and the single exits.
    assert sorted(
        plain.execute(
            "select track_id, weeks_on_chart, total_streams, track_id_count from chart_songs "
            "where chart_id = 'regional-global-weekly' and track_id like 'trkAurora%'"
        ).fetchall()
    ) == [("trkAurora", 3, 2620, 1), ("trkAuroraSingle", 1, 700, 1)]
    moves = plain.execute(
        "select chart_date, track_id, movement, rank, previous_rank from chart_movements "
        "where chart_id = 'regional-global-weekly' and track_id like 'trkAurora%' "
        "and chart_date >= date '2026-01-15' order by chart_date, track_id"
    ).fetchall()
    w3, w4 = W1.replace(day=15), W1.replace(day=22)
    assert moves == [
        (w3, "trkAurora", "exit", None, 2),
        (w3, "trkAuroraSingle", "new", 4, None),
        (w4, "trkAurora", "re-entry", 5, None),
        (w4, "trkAuroraSingle", "exit", None, 4),
    ]
    # So GW's turnover counts them: W3 new H and the single (2), re-entry E, exits C, D and
    # trkAurora (3), climber G, faller B, unchanged F; W4 re-entries C and trkAurora (2),
    # exits F and the single (2), climbers E, H, faller B, unchanged G.
    assert plain.execute(
        "select chart_date, song_count, new_entry_count, re_entry_count, exit_count, "
        "climber_count, faller_count, unchanged_count from chart_turnover "
        "where chart_id = 'regional-global-weekly' and chart_date >= date '2026-01-15' "
        "order by chart_date"
    ).fetchall() == [(w3, 6, 2, 1, 3, 1, 1, 1), (w4, 6, 0, 2, 2, 2, 1, 1)]
    # chart_top_artists GW by file names: Nova A, A', B, F = 4 songs; Rex B, D, H = 3; Luna
    # E, F = 2; then Kai, The Creator (1 song, "The Creator" < "Tyler").
    assert plain.execute(
        "select artist_rank, artist_name, song_count, artist_source from chart_top_artists "
        "where chart_id = 'regional-global-weekly' order by artist_rank, artist_name"
    ).fetchall() == [
        (1, "Nova", 4, "chart_file_names"),
        (2, "Rex", 3, "chart_file_names"),
        (3, "Luna", 2, "chart_file_names"),
        (4, "Kai", 1, "chart_file_names"),
        (4, "The Creator", 1, "chart_file_names"),
    ]


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
        ("trkAuroraSingle", "fell"),  # Aurora, charting under its single's id
        ("trkFlare", "unchanged"),
        ("trkHalo", "new"),
        ("trkCascade", "exit"),
        ("trkDrift", "exit"),
    ]


@pytest.mark.parametrize("again_as", ["trkAurora", "trkAuroraSingle"])
def test_a_song_listed_twice_in_one_chart_moves_once_at_its_best_rank(tmp_path, again_as):
    # Not in the fixture: a copy of the history where GW W2 lists Aurora again at rank 7,
    # under the same id (an archive may) or under its single's id (both ids on one chart).
    import pyarrow as pa
    import pyarrow.parquet as pq

    curated = tmp_path / "curated"
    write_chart_lake(curated)
    folder = curated / "fact_chart_entry" / "chart_date=2026-01-08"
    (path,) = folder.glob("*.parquet")
    table = pq.read_table(path)
    rows = table.to_pylist()
    aurora = next(r for r in rows if r["track_id"] == "trkAurora")
    again = {**aurora, "track_id": again_as, "rank": 7, "streams": 10}
    pq.write_table(pa.Table.from_pylist([*rows, again], schema=table.schema), path)
    con = query.connect(curated)
    try:
        moves = con.execute(
            "select chart_date, rank, previous_rank, movement, streams, track_id "
            "from chart_movements where chart_id = 'regional-global-weekly' "
            f"and song_key = '{A_KEY}' order by chart_date"
        ).fetchall()
        # W2 at its best rank, 2, with that entry's streams and id; W3 compares with it.
        assert [m[:4] for m in moves] == [
            (W1, 1, None, None),
            (W1.replace(day=8), 2, 1, "fell"),
            (W1.replace(day=15), 4, 2, "fell"),
            (W1.replace(day=22), 5, 4, "fell"),
        ]
        assert moves[1][4:] == (920, "trkAurora")
        # It still counts one week per date, and the streams of every entry: 3320 + 10.
        assert con.execute(
            "select weeks_on_chart, total_streams, track_id_count from chart_songs "
            f"where chart_id = 'regional-global-weekly' and song_key = '{A_KEY}'"
        ).fetchall() == [(4, 3330, 2)]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------
# make query over a lake that holds only some tables
# ---------------------------------------------------------------------------------------


def test_a_lake_of_charts_only_reads_the_playlist_tables_as_empty(plain_curated, plain):
    athena = plain
    assert query.empty_tables(plain_curated) == [t.name for t in PLAYLIST_TABLES]
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
    enrichment = [*ENRICHMENT_TABLES, *(f"{t}_current" for t in ENRICHMENT_TABLES)]
    for table in ("fact_chart_entry", *enrichment):
        shutil.copytree(chart_curated / table, curated / table)
    assert query.empty_tables(curated) == [
        t.name for t in (*PLAYLIST_TABLES, BY_NAME["dim_chart"]) if t.name not in ENRICHMENT_TABLES
    ]
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
    for view in query.analytics_view_names():
        if view.startswith("chart_"):
            assert f"== {view}: " in captured.out
    assert "== chart_artist_credits" not in captured.out  # a helper: --view prints it
    assert captured.err == (
        "note: no Parquet yet for "
        + ", ".join(t.name for t in PLAYLIST_TABLES if t.name not in ENRICHMENT_TABLES)
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
    assert "(58 rows)" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------
# The generated Snowflake views on fakesnow
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snowflake() -> Iterator:
    import fakesnow
    import snowflake.connector

    with fakesnow.patch():
        cursor = snowflake.connector.connect().cursor()
        # The CORE tables and *_current views, then every view script, as written.
        create_snowflake(
            cursor,
            ("05", "07", "08", "09", "11"),
            lambda _, statement: statement.startswith(
                ("use ", "create table", "create or replace view")
            ),
        )
        insert_core(cursor, "fact_chart_entry", fact_rows())
        insert_core(cursor, "dim_chart", dim_rows())
        insert_core(cursor, "dim_track", track_rows())
        insert_core(cursor, "bridge_track_artist", bridge_rows())
        insert_core(cursor, "dim_artist", artist_rows())
        yield cursor


def test_the_chart_views_are_in_their_own_script():
    text = (SNOWFLAKE_SQL / "11_views_charts.sql").read_text(encoding="utf-8")
    created = [s.split()[4] for s in statements(text) if s.startswith("create or replace view")]
    # In the order of the Athena files: chart_entry_songs (50_0_) first.
    in_order = [query.view_name(p) for p in query.view_files()]
    assert created == [f"analytics.{v}" for v in in_order if v.startswith("chart_")]
    assert sorted(created) == [f"analytics.{v}" for v in sorted([*CHART_VIEWS, CREDITS])]


@pytest.mark.parametrize("view", CHART_VIEWS)
def test_chart_view_returns_the_hand_worked_result_on_fakesnow(snowflake, view):
    columns, expected = CHART_EXPECTED[view]
    snowflake.execute(f"select * from analytics.{view}")
    actual_columns = [d.name.lower() for d in snowflake.description]
    rows = snowflake.fetchall()
    assert rows_as_expected(columns, actual_columns, rows) == sorted_rows(expected)


def test_snowflake_credits_the_artists_as_athena_does(snowflake, athena):
    sql = (
        "select artist_name, artist_source, artist_id, count(*) from {}chart_artist_credits "
        "group by artist_name, artist_source, artist_id"
    )
    snowflake.execute(sql.format("analytics."))
    expected = sorted(athena.execute(sql.format("")).fetchall(), key=repr)
    assert sorted(snowflake.fetchall(), key=repr) == expected
    # web_api: Nova, Rex, "Tyler, The Creator" (one), Kai; chart_file_names: Luna, Nova, Rex.
    assert len(expected) == 7


def test_the_chart_views_have_the_same_columns_on_both_engines(snowflake, athena):
    for view in [*CHART_VIEWS, CREDITS]:
        snowflake.execute(f"select * from analytics.{view} limit 0")
        snowflake.fetchall()
        assert [d.name.lower() for d in snowflake.description] == query.run_view(
            athena, view
        ).columns, view


def test_the_chart_tables_are_those_of_the_definitions():
    assert sorted(t.name for t in CHART_TABLES) == ["dim_chart", "fact_chart_entry"]
