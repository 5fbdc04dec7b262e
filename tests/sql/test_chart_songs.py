"""chart_song_ids (athena_sql/views/50_chart_song_ids.sql): a song followed across the
track ids it charted under, by dim_track.song_key, on both engines.

A hand-made lake, written as the jobs write it (Parquet per partition, the columns of
glue_jobs/tables.py), and the view's rows worked out by hand:

- "Blinding Lights" charts as ``blSingle`` (week 1, 2) and ``blAlbum`` (week 2, 3): two ids,
  one ISRC (the single's written in lower case, as sent, its song_key normalised by the job);
  in week 2 both ids are on the chart; in the daily chart both on one day;
- ``rlOld`` (week 1) and ``rlNew`` (week 3), no ISRC, ``rlNew`` relinked from ``rlOld``:
  one song, ``track:rlOld``;
- ``unKnown`` has no dim_track row (not enriched yet): a song of its own, not described;
- ``plain`` has two observations; the latest (with an ISRC) gives its song_key.

The Athena SQL on DuckDB (tools.query) and the generated Snowflake SQL
(snowflake_sql/11_views_charts.sql) on fakesnow. No Spark. The view reads its songs from
chart_entry_songs, as every chart view does; the trend views that follow songs
(chart_songs, chart_movements) are held to this lake's songs below too.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from glue_jobs.tables import DIM_TRACK, FACT_CHART_ENTRY
from tests.sql.chart_fixture import chart_entries, create_snowflake, insert_core, write_tables
from tests.sql.compare import rows_as_expected, sorted_rows
from tests.sql.expected import CHART_EXPECTED
from tools import query

VIEW = "chart_song_ids"
WEEKLY, DAILY = "regional-global-weekly", "regional-global-daily"
W1, W2, W3 = date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15)
D1 = date(2026, 1, 14)

# chart -> date -> [(track_id, streams, track name, artist names)] in rank order.
CHARTS = {
    WEEKLY: {
        W1: [
            ("rlOld", 1000, "Relinked (old)", "Rel"),
            ("blSingle", 500, "Blinding Lights - Single", "The Weeknd"),
            ("unKnown", 100, "Unknown", "Nobody"),
        ],
        W2: [
            ("blSingle", 600, "Blinding Lights - Single", "The Weeknd"),
            ("unKnown", 200, "Unknown", "Nobody"),
            ("blAlbum", 300, "Blinding Lights", "The Weeknd"),
            ("plain", 50, "Plain", "Plain Artist"),
        ],
        W3: [
            ("blAlbum", 700, "Blinding Lights", "The Weeknd"),
            ("rlNew", 400, "Relinked", "Rel"),
        ],
    },
    DAILY: {
        D1: [
            ("blAlbum", 10, "Blinding Lights", "The Weeknd"),
            ("blSingle", 5, "Blinding Lights - Single", "The Weeknd"),
        ],
    },
}

# dim_track observations: (track_id, snapshot_date, isrc, linked_from_track_id, song_key)
TRACKS = [
    ("blAlbum", W3, "USUG11904206", None, "isrc:USUG11904206"),
    ("blSingle", W3, "usug11904206", None, "isrc:USUG11904206"),
    # A track document asked for rlOld and was served rlNew; a playlist holds rlNew.
    ("rlOld", W3, None, "rlOld", "track:rlOld"),
    ("rlNew", W3, None, "rlOld", "track:rlOld"),
    ("plain", W1, None, None, "track:plain"),
    ("plain", W2, "GBAYE0601498", None, "isrc:GBAYE0601498"),
]

COLUMNS = CHART_EXPECTED[VIEW][0]
EXPECTED = [
    # Weeks 1-3; peak 1 (week 2 single, week 3 album); 500 + 600 + 300 + 700 streams; the
    # single charted first; the name of week 3's best entry.
    (
        WEEKLY,
        "isrc:USUG11904206",
        "Blinding Lights",
        "The Weeknd",
        3,
        None,
        1,
        W1,
        W3,
        2100,
        2,
        True,
        2,
        "blSingle, blAlbum",
    ),
    (
        WEEKLY,
        "track:rlOld",
        "Relinked",
        "Rel",
        2,
        None,
        1,
        W1,
        W3,
        1400,
        2,
        True,
        2,
        "rlOld, rlNew",
    ),
    (WEEKLY, "track:unKnown", "Unknown", "Nobody", 2, None, 2, W1, W2, 300, 1, False, 0, "unKnown"),
    (
        WEEKLY,
        "isrc:GBAYE0601498",
        "Plain",
        "Plain Artist",
        1,
        None,
        4,
        W2,
        W2,
        50,
        1,
        False,
        1,
        "plain",
    ),
    # One day, both ids: one day on the chart, 10 + 5 streams; first charted the same day,
    # so the ids in id order; the name of the day's best entry.
    (
        DAILY,
        "isrc:USUG11904206",
        "Blinding Lights",
        "The Weeknd",
        None,
        1,
        1,
        D1,
        D1,
        15,
        2,
        True,
        2,
        "blAlbum, blSingle",
    ),
]


def fact_rows() -> list[dict]:
    return [
        {
            **dict.fromkeys(c.name for c in FACT_CHART_ENTRY.all_columns),
            **entry,
            "track_id": track_id,
            "streams": streams,
            "artist_names": artists,
            "track_name": name,
            "added_at": datetime(2026, 1, 20, tzinfo=UTC),
            "source_file": f"charts/{entry['chart_id']}-{entry['chart_date']}.csv",
        }
        for entry, (track_id, streams, name, artists) in chart_entries(CHARTS)
    ]


def track_rows() -> list[dict]:
    return [
        {
            **dict.fromkeys(c.name for c in DIM_TRACK.all_columns),
            "track_id": track_id,
            "track_name": track_id,
            "isrc": isrc,
            "linked_from_track_id": linked_from,
            "song_key": song_key,
            "extracted_at": datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
            "source_file": f"tracks/fetched_date={day}/{track_id}.json.gz",
            "snapshot_date": day,
        }
        for track_id, day, isrc, linked_from, song_key in TRACKS
    ]


def write_lake(curated: Path) -> None:
    write_tables(curated, [(FACT_CHART_ENTRY, fact_rows()), (DIM_TRACK, track_rows())])


@pytest.fixture(scope="module")
def athena(tmp_path_factory) -> Iterator:
    curated = tmp_path_factory.mktemp("chart_songs") / "curated"
    write_lake(curated)
    con = query.connect(curated)
    yield con
    con.close()


def test_a_song_is_followed_across_its_track_ids_on_duckdb(athena):
    result = query.run_view(athena, VIEW)
    assert rows_as_expected(COLUMNS, result.columns, result.rows) == sorted_rows(EXPECTED)


def test_the_view_reads_the_latest_observation_of_a_track(athena):
    # plain's first observation had no ISRC: the view follows the current one only.
    rows = athena.execute(f"select song_key from {VIEW} where track_ids = 'plain'").fetchall()
    assert rows == [("isrc:GBAYE0601498",)]


def test_without_described_tracks_every_id_is_its_own_song(tmp_path):
    # A lake of charts only (no enrichment yet): one song per track id, none described.
    curated = tmp_path / "curated"
    write_lake(curated)
    for table in ("dim_track", "dim_track_current"):
        shutil.rmtree(curated / table)
    con = query.connect(curated)
    try:
        rows = con.execute(
            f"select song_key, track_id_count, described_track_id_count, track_ids from {VIEW} "
            f"where chart_id = '{WEEKLY}'"
        ).fetchall()
    finally:
        con.close()
    assert sorted(rows) == [
        ("track:blAlbum", 1, 0, "blAlbum"),
        ("track:blSingle", 1, 0, "blSingle"),
        ("track:plain", 1, 0, "plain"),
        ("track:rlNew", 1, 0, "rlNew"),
        ("track:rlOld", 1, 0, "rlOld"),
        ("track:unKnown", 1, 0, "unKnown"),
    ]


def test_the_generated_snowflake_view_gives_the_same_rows_on_fakesnow():
    import fakesnow
    import snowflake.connector

    with fakesnow.patch():
        cursor = snowflake.connector.connect().cursor()
        # The view and chart_entry_songs, the one definition of an entry's song it reads.
        create_snowflake(
            cursor,
            ("05", "11"),
            lambda name, lowered: (
                lowered.startswith(("use ", "create table"))
                or (
                    lowered.startswith("create or replace view")
                    and (
                        name == "05"
                        or f"view analytics.{VIEW}\n" in lowered
                        or "view analytics.chart_entry_songs\n" in lowered
                    )
                )
            ),
        )
        insert_core(cursor, "fact_chart_entry", fact_rows())
        insert_core(cursor, "dim_track", track_rows())
        cursor.execute(f"select * from analytics.{VIEW}")
        actual_columns = [d.name.lower() for d in cursor.description]
        rows = cursor.fetchall()
    assert actual_columns == list(COLUMNS)
    assert rows_as_expected(COLUMNS, actual_columns, rows) == sorted_rows(EXPECTED)


def test_the_trend_views_follow_the_same_songs(athena):
    # chart_songs and chart_movements key on the same song_key: Blinding Lights is one song
    # of 3 weeks (W1 single at 2, W2 single at 1 and album at 3, W3 album at 1), peak 1, debut
    # W1 at 2, shown as its W3 entry (blAlbum); 2100 streams over both ids.
    assert athena.execute(
        "select weeks_on_chart, peak_rank, debut_rank, total_streams, track_id_count, track_id "
        f"from chart_songs where chart_id = '{WEEKLY}' and song_key = 'isrc:USUG11904206'"
    ).fetchall() == [(3, 1, 2, 2100, 2, "blAlbum")]
    # Its movements: W2 at its best entry (the single at 1) climbed from 2; W3 the album at 1,
    # unchanged: no new entry for blAlbum and no exit for blSingle. The relinked song: rlOld
    # (W1 at 1) is not on W2, so it exits, and comes back as rlNew in W3: a re-entry.
    moves = athena.execute(
        "select chart_date, song_key, track_id, movement, rank, previous_rank "
        f"from chart_movements where chart_id = '{WEEKLY}' "
        "and song_key in ('isrc:USUG11904206', 'track:rlOld') order by chart_date, song_key"
    ).fetchall()
    assert moves == [
        (W1, "isrc:USUG11904206", "blSingle", None, 2, None),
        (W1, "track:rlOld", "rlOld", None, 1, None),
        (W2, "isrc:USUG11904206", "blSingle", "climbed", 1, 2),
        (W2, "track:rlOld", "rlOld", "exit", None, 1),
        (W3, "isrc:USUG11904206", "blAlbum", "unchanged", 1, 1),
        (W3, "track:rlOld", "rlNew", "re-entry", 2, None),
    ]
