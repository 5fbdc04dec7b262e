"""Every transform and Column helper of glue_jobs.transforms, on tiny inline DataFrames.

Expected values are written out by hand from the documents built in each test.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from chispa import assert_column_equality, assert_df_equality
from pyspark.sql import functions as F
from pyspark.sql import types as T

from glue_jobs import schemas as S
from glue_jobs import transforms as X
from glue_jobs.tables import PLAYLIST_TABLES, TABLE_NAMES
from tests.oracle import entry_kind
from tests.unit.glue_jobs import builders as B
from tools.tf_check import REPO_ROOT
from tools.tf_check.contract import load_contract

pytestmark = pytest.mark.spark

EXTRACTED = "2026-01-05T06:00:00.000001Z"
TS = datetime(2026, 1, 5, 6, 0, 0, 1)
DAY = date(2026, 1, 5)


def lines_df(spark, lines, source="file:/raw/a.json"):
    """What split_lines produces for good files: one row per line."""
    rows = [(source, 100, None, None, i + 1, line) for i, line in enumerate(lines)]
    return spark.createDataFrame(
        rows,
        "source_file string, size long, file_reason string, file_detail string, "
        "line_no int, line string",
    )


def entries_of(spark, *docs, is_new=True):
    """Documents -> classified entries, the way the pipeline does it."""
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    return (
        lines_df(spark, lines)
        .transform(X.parse_documents)
        .withColumn("_is_new", F.lit(is_new))
        .transform(X.explode_entries)
        .transform(X.classify_entries)
    )


# ---------------------------------------------------------------------------------------
# Column helpers
# ---------------------------------------------------------------------------------------


def test_release_date_follows_the_precision(spark):
    rows = [
        ("1998", "year", date(1998, 1, 1)),
        ("1998-07", "month", date(1998, 7, 1)),
        ("1998-07-14", "day", date(1998, 7, 14)),
        ("1998-07-14", None, date(1998, 7, 14)),  # no precision: the shape decides
        ("1998", None, date(1998, 1, 1)),
        (None, None, None),
        (None, "day", None),
        ("1998", "day", None),  # shape contradicts the precision
        ("1998-7-1", "day", None),
        ("1998-02-30", "day", None),  # no such day
        ("1998-13", "month", None),
        ("0000", "year", None),  # Spotify's "unknown"
        ("soon", "year", None),
        ("1998", "decade", None),
    ]
    df = spark.createDataFrame(rows, "raw string, precision string, expected date").withColumn(
        "got", X.release_date(F.col("raw"), F.col("precision"))
    )
    assert_column_equality(df, "got", "expected")


def test_blank_to_null_and_iso_timestamp(spark):
    df = spark.createDataFrame(
        [
            ("", None, "2026-01-05T06:00:00.000001Z", TS),
            ("  ", None, "2020-11-08T22:12:50Z", datetime(2020, 11, 8, 22, 12, 50)),
            ("u1", "u1", "2026-01-05", None),  # a date is not a moment
            (None, None, "garbage", None),
        ],
        "s string, s_expected string, t string, t_expected timestamp",
    ).select(
        X.blank_to_null(F.col("s")).alias("s_got"),
        "s_expected",
        X.iso_timestamp(F.col("t")).alias("t_got"),
        "t_expected",
    )
    assert_column_equality(df, "s_got", "s_expected")
    assert_column_equality(df, "t_got", "t_expected")


def test_entry_kind_reads_item_before_track(spark):
    track_a, track_b = B.track("ta", "A"), B.track("tb", "B")
    cases = [
        ({"item": track_a, "track": track_b}, "track", "ta"),  # both: item wins
        ({"item": None, "track": track_b}, "track", "tb"),  # item null: track
        ({"track": track_b}, "track", "tb"),  # legacy
        ({"item": None, "track": None, "added_at": "2026-01-02T03:04:05Z"}, "null_item", None),
        ({"added_by": {"id": "u1"}}, "null_item", None),  # payload missing altogether
        ({"is_local": False, "track": None}, "null_item", None),
        # No entry field at all (present and not null): not a PlaylistTrackObject.
        ({}, "malformed_entry", None),
        ({"item": None, "track": None}, "malformed_entry", None),
        ({"name": "x", "id": "t9"}, "malformed_entry", None),  # a bare track, not an entry
        ({"item": B.local_track("Song", "Band"), "is_local": True}, "local_file", None),
        ({"item": B.local_track("Song", "Band"), "is_local": False}, "local_file", None),
        ({"item": B.episode("e1", "Ep")}, "episode", "e1"),
        ({"item": B.track(None, "No id")}, "missing_id", None),
        ({"item": B.track("", "Empty id")}, "missing_id", ""),
    ]
    rows = [(json.dumps(e), kind, pid) for e, kind, pid in cases]
    df = (
        spark.createDataFrame(rows, "json string, expected_kind string, expected_id string")
        .withColumn("entry", F.from_json("json", S.RAW_ENTRY))
        .select(
            X.entry_kind(F.col("entry")).alias("kind"),
            "expected_kind",
            X.entry_payload(F.col("entry"))["id"].alias("payload_id"),
            "expected_id",
        )
    )
    assert_column_equality(df, "kind", "expected_kind")
    assert_column_equality(df, "payload_id", "expected_id")


# ---------------------------------------------------------------------------------------
# Lines and documents
# ---------------------------------------------------------------------------------------


def test_split_lines_drops_blank_lines_and_keeps_file_rejections(spark):
    decoded = T.StructType(S.DECODED_FILE_SCHEMA.fields)
    df = spark.createDataFrame(
        [
            ("f1", 10, (None, None, "a\r\n\n  \nb\n")),
            ("f2", 5, ("corrupt_gzip", "EOFError", None)),
        ],
        T.StructType(
            [
                T.StructField("source_file", T.StringType()),
                T.StructField("size", T.LongType()),
                T.StructField("decoded", decoded),
            ]
        ),
    )
    expected = spark.createDataFrame(
        [
            ("f1", 10, None, None, 1, "a"),
            ("f1", 10, None, None, 4, "b"),
            ("f2", 5, "corrupt_gzip", "EOFError", None, None),
        ],
        "source_file string, size long, file_reason string, file_detail string, "
        "line_no int, line string",
    )
    assert_df_equality(
        df.transform(X.split_lines), expected, ignore_row_order=True, ignore_nullable=True
    )


def test_every_bad_document_gets_its_reason(spark):
    good = B.document("p1", EXTRACTED, [B.entry(B.track("t1", "x"))])
    legacy = B.document(
        "p2", EXTRACTED, [B.entry(B.track("t1", "x"), shape="tracks")], shape="tracks"
    )
    v2 = dict(good, contract_version=2)
    no_playlist_id = {k: v for k, v in good.items() if k != "playlist_id"}
    no_entries = json.loads(json.dumps(good))
    del no_entries["playlist"]["items"]
    short = B.document("p1", EXTRACTED, [B.entry(B.track("t1", "x"))], total=2)
    wrong_type = json.loads(json.dumps(good))
    wrong_type["playlist"]["followers"] = "many"
    wrong_date = dict(good, snapshot_date="2026-01-06")
    # A future version may have another shape: its version is reported, not the shape.
    v2_other_shape = {k: v for k, v in v2.items() if k != "playlist"}
    other_playlist = dict(good, playlist={**good["playlist"], "id": "p9"})
    # A number with a fraction where an integer belongs, and one beyond 64 bits, are fields
    # of the wrong type (contract section 3), unlike an int overflow that fits 64 bits.
    fractional = B.document("p1", EXTRACTED, [B.entry(B.track("t1", "x", popularity=50.5))])
    huge = json.loads(json.dumps(good))
    huge["playlist"]["followers"] = {"total": 2**64}
    cases = [
        (json.dumps(good), None),
        (json.dumps(legacy), None),
        ('{"contract_version": 1, "playlist_id": ', "invalid_json"),
        ("[1, 2, 3]", "wrong_shape"),
        ('"just a string"', "wrong_shape"),
        ('{"hello": "world"}', "wrong_shape"),
        (json.dumps(v2), "unsupported_contract_version"),
        (json.dumps(no_playlist_id), "wrong_shape"),
        (json.dumps(no_entries), "wrong_shape"),
        (json.dumps(short), "incomplete_snapshot"),
        (json.dumps(wrong_type), "wrong_shape"),
        (json.dumps(wrong_date), "wrong_shape"),
        (json.dumps(v2_other_shape), "unsupported_contract_version"),
        (json.dumps(other_playlist), "wrong_shape"),
        (json.dumps(fractional), "wrong_shape"),
        (json.dumps(huge), "wrong_shape"),
    ]
    df = lines_df(spark, [c[0] for c in cases]).transform(X.parse_documents)
    got = df.transform(X.classify_documents).orderBy("line_no").select("reason", "detail").collect()
    assert [r["reason"] for r in got] == [c[1] for c in cases]
    assert all(r["detail"].startswith("line ") for r in got if r["reason"])
    assert got[9]["detail"] == "line 10: 1 entries, total says 2"
    assert got[13]["detail"] == "line 14: playlist.id differs from playlist_id"


def test_entries_that_are_not_objects_leave_the_document_whole(spark):
    # Spark's from_json makes the whole document corrupt when one element of an array of
    # structs is not an object: one odd entry made the snapshot wrong_shape.
    good = B.entry(B.track("t1", "x"))
    odd = [good, None, "x", 7, -2.5, True, [good], {}, {"extra": 1}, B.entry(None), good]
    legacy_odd = [B.entry(B.track("t2", "y"), shape="tracks"), 3, None]
    docs = [
        B.document("p1", EXTRACTED, odd),
        B.document("p2", EXTRACTED, legacy_odd, shape="tracks"),
        # Still refused: a field of the wrong type inside an entry object, next to odd ones.
        B.document("p3", EXTRACTED, [good, "x", {**good, "is_local": "yes"}]),
        B.document("p4", EXTRACTED, [None, {**good, "item": {**good["item"], "popularity": 1.5}}]),
        # ... and outside the entries.
        dict(B.document("p5", EXTRACTED, [good, 1]), contract_version="1"),
        B.document("p6", EXTRACTED, ["x", good], total=3),  # an odd entry is an entry
    ]
    parsed = lines_df(spark, [json.dumps(d) for d in docs]).transform(X.parse_documents)
    got = parsed.transform(X.classify_documents).orderBy("line_no").collect()
    assert [(r["playlist_id"], r["reason"]) for r in got] == [
        ("p1", None),
        ("p2", None),
        ("p3", "wrong_shape"),
        ("p4", "wrong_shape"),
        ("p5", "wrong_shape"),
        ("p6", "incomplete_snapshot"),
    ]
    assert [r["n_entries"] for r in got if r["reason"] != "wrong_shape"] == [11, 3, 2]
    entries = (
        parsed.transform(X.classify_documents)
        .filter("reason is null")
        .withColumn("_is_new", F.lit(True))
        .transform(X.explode_entries)
        .transform(X.classify_entries)
        .orderBy("playlist_id", "position")
        .collect()
    )
    malformed = "malformed_entry"
    assert [(e["playlist_id"], e["position"], e["kind"], e["item_id"]) for e in entries] == [
        ("p1", 1, "track", "t1"),
        *(("p1", p, malformed, None) for p in range(2, 10)),
        ("p1", 10, "null_item", None),
        ("p1", 11, "track", "t1"),
        ("p2", 1, "track", "t2"),
        ("p2", 2, malformed, None),
        ("p2", 3, malformed, None),
    ]
    # The oracle agrees, entry by entry.
    assert [e["kind"] for e in entries] == [entry_kind(x) for x in [*odd, *legacy_odd]]


def test_parse_documents_reads_both_shapes(spark):
    items = B.document("p1", EXTRACTED, [B.entry(B.track("t1", "x"))] * 2)
    tracks = B.document(
        "p2", EXTRACTED, [B.entry(B.track("t2", "y"), shape="tracks")], shape="tracks"
    )
    got = (
        lines_df(spark, [json.dumps(items), json.dumps(tracks)])
        .transform(X.parse_documents)
        .select("playlist_id", "extracted_at", "snapshot_date", "api_shape", "n_entries", "total")
        .orderBy("playlist_id")
        .collect()
    )
    assert [tuple(r) for r in got] == [
        ("p1", TS, DAY, "items", 2, 2),
        ("p2", TS, DAY, "tracks", 1, 1),
    ]


# ---------------------------------------------------------------------------------------
# Entries -> rows
# ---------------------------------------------------------------------------------------

FACT_COLUMNS = [
    "playlist_id",
    "position",
    "item_type",
    "track_id",
    "episode_id",
    "album_id",
    "item_uri",
    "item_name",
    "added_by_id",
    "popularity",
    "is_local",
]


def test_fact_rows_cover_tracks_episodes_local_files_and_leave_gaps(spark):
    song = B.track("t1", 'Hello, "World" — Ünïcode', popularity=None)  # removed in 2026
    doc = B.document(
        "p1",
        EXTRACTED,
        [
            B.entry(song),
            B.entry(None),  # null item: no row, position 2 is a gap
            B.entry(song, added_by={"id": ""}),  # same track twice: two rows
            B.entry(B.local_track("Heart", "Band")),
            B.entry(B.episode("e1", "Ep")),
            B.entry(B.track(None, "no id")),  # missing id: no row
            B.entry(B.track("t2", "y"), added_by=None),
        ],
    )
    got = entries_of(spark, doc).transform(X.fact_rows).select(*FACT_COLUMNS)
    local_uri = "spotify:local:Band:Heart:Heart:128"
    expected = spark.createDataFrame(
        [
            ("p1", 1, "track", "t1", None, "al1", "spotify:track:t1", 'Hello, "World" — Ünïcode', "user1", None, False),
            ("p1", 3, "track", "t1", None, "al1", "spotify:track:t1", 'Hello, "World" — Ünïcode', None, None, False),
            ("p1", 4, "track", None, None, None, local_uri, "Heart", "user1", 0, True),
            ("p1", 5, "episode", None, "e1", None, "spotify:episode:e1", "Ep", "user1", None, False),
            ("p1", 7, "track", "t2", None, "al1", "spotify:track:t2", "y", None, 50, False),
        ],
        "playlist_id string, position int, item_type string, track_id string, "
        "episode_id string, album_id string, item_uri string, item_name string, "
        "added_by_id string, popularity int, is_local boolean",
    )  # fmt: skip
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_track_and_album_observations(spark):
    relinked = B.track(
        "t1",
        "Song",
        linked_from="t0",
        album_obj=B.album("al1", "Alb", release_date="1998", precision="year", total_tracks=12),
    )
    doc = B.document("p1", EXTRACTED, [B.entry(relinked), B.entry(B.episode("e1", "Ep"))])
    entries = entries_of(spark, doc)
    tracks = entries.transform(X.track_observations).select(
        "track_id", "album_id", "linked_from_track_id", "isrc", "disc_number", "_position"
    )
    assert [tuple(r) for r in tracks.collect()] == [("t1", "al1", "t0", "USRC17607839", 1, 1)]
    albums = entries.transform(X.album_observations).select(
        "album_id",
        "release_date",
        "release_date_precision",
        "release_date_raw",
        "release_year",
        "total_tracks",
    )
    assert [tuple(r) for r in albums.collect()] == [
        ("al1", date(1998, 1, 1), "year", "1998", 1998, 12)
    ]


def test_artists_of_tracks_and_albums_in_order(spark):
    feat = B.track(
        "t1",
        "Duet",
        artists=[B.artist("a1", "Lead"), B.artist(None, "Ghost"), B.artist("a2", "Feat")],
        album_obj=B.album("al1", "Alb", artists=[B.artist("a9", "Label Artist")]),
    )
    entries = entries_of(spark, B.document("p1", EXTRACTED, [B.entry(feat)]))
    artists = entries.transform(X.artist_observations).select("artist_id", "_sub")
    assert sorted(tuple(r) for r in artists.collect()) == [
        ("a1", 0),
        ("a2", 2),
        ("a9", 10_000),
    ]
    bridge = (
        entries.transform(X.track_observations)
        .transform(X.with_priority(0))
        .transform(X.artist_bridge("track_id"))
        .select("track_id", "artist_id", "artist_position")
    )
    # The artist without an id is left out but keeps its place: Feat stays number 3.
    assert sorted(tuple(r) for r in bridge.collect()) == [("t1", "a1", 1), ("t1", "a2", 3)]


def test_entry_counts_count_this_runs_entries_by_kind(spark):
    doc = B.document(
        "p1",
        EXTRACTED,
        [
            B.entry(B.track("t1", "x", artists=[B.artist(None, "?"), B.artist("a", "A")])),
            B.entry(B.track("t2", "y", album_obj=B.album(None, "no id"))),
            B.entry(None),
            B.entry(B.local_track("L", "B")),
            B.entry(B.episode("e", "E")),
            B.entry(B.track(None, "z")),
            # An audiobook chapter is not a track, even with an id and an album.
            B.entry({**B.track("c1", "Chapter 1"), "type": "chapter"}),
            None,
            "not an entry",
            {},
        ],
    )
    new = entries_of(spark, doc, is_new=True)
    old = entries_of(spark, doc, is_new=False)
    row = new.unionByName(old).transform(X.entry_counts).collect()[0].asDict()
    unreadable = {k: row.pop(k) for k in list(row) if k.startswith("unreadable__")}
    assert row == {
        "track": 2,
        "local_file": 1,
        "episode": 1,
        "malformed_entry": 3,
        "null_item": 1,
        "unsupported_type": 1,
        "missing_id": 1,
        "track_without_album_id": 1,
        "track_artist_without_id": 1,
        "album_artist_without_id": 0,
    }
    assert unreadable == {
        f"unreadable__{table}__{column}": 0
        for table, columns in (
            ("fact_playlist_item", ("added_at", "popularity")),
            ("dim_track", ("popularity", "disc_number", "track_number")),
            ("dim_album", ("release_date", "release_date_precision", "total_tracks")),
        )
        for column in columns
    }


# ---------------------------------------------------------------------------------------
# Latest wins
# ---------------------------------------------------------------------------------------

OBS_SCHEMA = (
    "track_id string, track_name string, extracted_at timestamp, source_file string, "
    "snapshot_date date, _priority int, _line int, _position int, _sub int"
)


def test_latest_observation_keeps_one_row_per_key_and_date(spark):
    t6, t7 = datetime(2026, 1, 5, 6), datetime(2026, 1, 5, 7)
    d2 = date(2026, 1, 12)
    rows = [
        ("t1", "old name", t6, "f_b", DAY, 0, 1, 1, 0),
        ("t1", "new name", t7, "f_a", DAY, 0, 1, 1, 0),  # later extraction wins
        ("t2", "from b", t6, "f_b", DAY, 0, 1, 1, 0),  # same moment: greater file wins
        ("t2", "from a", t6, "f_a", DAY, 0, 1, 1, 0),
        ("t3", "second", t6, "f_a", DAY, 0, 1, 5, 0),
        ("t3", "first", t6, "f_a", DAY, 0, 1, 2, 0),  # same document: first position
        ("t4", "lake", t6, "f_a", DAY, 1, None, None, None),
        ("t4", "reread", t6, "f_a", DAY, 0, 1, 1, 0),  # same file: this run's read wins
        ("t1", "other day", t6, "f_b", d2, 0, 1, 1, 0),  # another date: kept
    ]
    got = (
        spark.createDataFrame(rows, OBS_SCHEMA)
        .transform(X.latest_observation(["track_id"]))
        .select("track_id", "snapshot_date", "track_name")
    )
    expected = spark.createDataFrame(
        [
            ("t1", DAY, "new name"),
            ("t2", DAY, "from b"),
            ("t3", DAY, "first"),
            ("t4", DAY, "reread"),
            ("t1", d2, "other day"),
        ],
        "track_id string, snapshot_date date, track_name string",
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_rows_of_winners_keeps_children_of_the_winning_observation_only(spark):
    t6, t7 = datetime(2026, 1, 5, 6), datetime(2026, 1, 5, 7)
    parents = spark.createDataFrame(
        [("t1", DAY, t7, "f2", 0), ("t2", DAY, t6, "f1", 1)],
        "track_id string, snapshot_date date, extracted_at timestamp, source_file string, "
        "_priority int",
    )
    children = spark.createDataFrame(
        [
            ("t1", "a_new", DAY, t7, "f2", 0),
            ("t1", "a_old", DAY, t6, "f1", 1),  # the lake's older artists of t1: dropped
            ("t2", "a_lake", DAY, t6, "f1", 1),  # t2's winner is the lake's: kept
        ],
        "track_id string, artist_id string, snapshot_date date, extracted_at timestamp, "
        "source_file string, _priority int",
    )
    got = X.rows_of_winners(["track_id"])(children, parents).select("track_id", "artist_id")
    assert sorted(tuple(r) for r in got.collect()) == [("t1", "a_new"), ("t2", "a_lake")]


def test_table_columns_gives_exactly_the_contract_schema(spark):
    # The job's schemas are the contract's section 3, column by column, name and type.
    contract = load_contract(REPO_ROOT / "docs" / "data-contract.md")
    # Every table of the contract; the playlist job writes those whose source is playlists.
    assert set(contract.columns) == set(TABLE_NAMES)
    assert set(S.TABLES) == {t.name for t in PLAYLIST_TABLES}
    for table in S.TABLES:
        written = [(f.name, f.dataType.simpleString()) for f in S.TABLE_SCHEMAS[table].fields]
        assert written == contract.columns[table], table
    doc = B.document("p1", EXTRACTED, [B.entry(B.track("t1", "x"))])
    fact = (
        entries_of(spark, doc)
        .transform(X.fact_rows)
        .transform(X.table_columns(S.FACT_PLAYLIST_ITEM))
    )
    assert fact.schema.simpleString() == S.TABLE_SCHEMAS[S.FACT_PLAYLIST_ITEM].simpleString()
