"""Plausible but hostile raw input (review of 2026-11-21): each case failed before its fix.

Expected values are written out by hand from the documents built in each test.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from glue_jobs import transforms as X
from glue_jobs.pipeline import run_job
from tests.oracle import entry_kind
from tests.unit.glue_jobs import builders as B
from tests.unit.glue_jobs.test_transforms import EXTRACTED, entries_of, lines_df

pytestmark = pytest.mark.spark


def test_dates_before_the_gregorian_switch_are_written_not_a_failed_run(spark, tmp_path):
    # Spark's default refuses to write a date before 1582-10-15 or a timestamp before 1900
    # to Parquet: the run failed, committed nothing, and failed again on every retry.
    old_album = B.album("al1", "Madrigals", release_date="1500", precision="year")
    doc = B.document(
        "p1",
        EXTRACTED,
        [B.entry(B.track("t1", "Madrigal", album_obj=old_album), added_at="1800-01-01T00:00:00Z")],
    )
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    B.write_raw(raw, B.raw_key(doc), [doc])
    summary = run_job(spark, str(raw), str(curated), run_id="old-dates")
    assert summary["files_quarantined"] == 0
    albums = pq.read_table(curated / "dim_album").to_pylist()
    assert [(a["album_id"], a["release_date"], a["release_year"]) for a in albums] == [
        ("al1", date(1500, 1, 1), 1500)
    ]
    facts = pq.read_table(curated / "fact_playlist_item").to_pylist()
    assert [f["added_at"].replace(tzinfo=None) for f in facts] == [datetime(1800, 1, 1)]


def test_a_line_must_hold_exactly_one_strict_json_document(spark):
    good = B.document("p1", EXTRACTED, [B.entry(B.track("t1", "x"))])
    other = B.document("p2", EXTRACTED, [B.entry(B.track("t2", "y"))])
    text = json.dumps(good)
    cases = [
        (text, None),
        ("  " + text + "  ", None),
        # Two documents joined without a newline: from_json read the first and dropped the
        # second, with nothing counted.
        (text + json.dumps(other), "invalid_json"),
        (text + " junk]", "invalid_json"),
        # Spark's JSON parser accepts these unless told not to.
        (text.replace('"', "'"), "invalid_json"),
        (text.replace('"followers": {"total": 4}', '"followers": {"total": NaN}'), "invalid_json"),
    ]
    assert '"followers": {"total": NaN}' in cases[-1][0]
    got = (
        lines_df(spark, [c[0] for c in cases])
        .transform(X.parse_documents)
        .transform(X.classify_documents)
        .orderBy("line_no")
        .select("reason", "detail")
        .collect()
    )
    assert [r["reason"] for r in got] == [c[1] for c in cases]
    assert got[2]["detail"] == "line 3: more than one JSON value, or text after the document"


def test_null_artist_lists_count_no_missing_artist_ids(spark):
    # size(null) is -1 with ANSI off: each null list subtracted one from the rejections.
    doc = B.document(
        "p1",
        EXTRACTED,
        [
            B.entry(B.track("t1", "x", artists=[B.artist(None, "?")])),
            B.entry(B.track("t2", "y", album_obj=B.album("al2", "A", artists=[]))),
        ],
    )
    raw = json.loads(json.dumps(doc))
    raw["playlist"]["items"]["items"][1]["item"]["artists"] = None
    raw["playlist"]["items"]["items"][1]["item"]["album"]["artists"] = None
    counts = entries_of(spark, raw).transform(X.entry_counts).collect()[0]
    assert (counts["track_artist_without_id"], counts["album_artist_without_id"]) == (1, 0)
    sizes = spark.createDataFrame([([{"id": None}],), (None,)], "a array<struct<id:string>>")
    got = sizes.select(X.missing_id_count(F.col("a")).alias("n")).collect()
    assert [r["n"] for r in got] == [1, 0]


def test_integers_that_do_not_fit_are_null_not_wrapped(spark):
    # A long cast to int wraps around with ANSI off: 4294967396 became popularity 100.
    big = B.track("t1", "x", popularity=100, album_obj=B.album("al1", "A", total_tracks=10))
    doc = json.loads(json.dumps(B.document("p1", EXTRACTED, [B.entry(big)])))
    payload = doc["playlist"]["items"]["items"][0]["item"]
    payload["popularity"] = 4_294_967_396
    payload["track_number"] = 4_294_967_297
    payload["album"]["total_tracks"] = 2**31
    entries = entries_of(spark, doc)
    (fact,) = entries.select("popularity", "track_number").collect()
    assert (fact["popularity"], fact["track_number"]) == (None, None)
    (album,) = entries.transform(X.album_observations).select("total_tracks").collect()
    assert album["total_tracks"] is None
    fits = spark.createDataFrame([(2**31 - 1,), (-(2**31),), (2**31,)], "n long")
    assert [r[0] for r in fits.select(X.to_int(F.col("n"))).collect()] == [
        2**31 - 1,
        -(2**31),
        None,
    ]


def test_an_id_of_whitespace_is_no_id(spark):
    # Spark's trim strips spaces only: a tab was a track id.
    df = spark.createDataFrame([("\t",), ("\n \r",), (" ",), ("",), (None,), (" t1",)], "s string")
    got = df.select(X.is_blank(F.col("s")).alias("b"), X.blank_to_null(F.col("s")).alias("v"))
    assert [tuple(r) for r in got.collect()] == [
        (True, None),
        (True, None),
        (True, None),
        (True, None),
        (True, None),
        (False, " t1"),
    ]
    doc = B.document("p1", EXTRACTED, [B.entry(B.track("\t", "x"))])
    counts = entries_of(spark, doc).transform(X.entry_counts).collect()[0]
    assert (counts["track"], counts["missing_id"]) == (0, 1)


def test_a_release_date_precision_spotify_does_not_send_is_no_precision(spark):
    albums = [
        B.album("al1", "A", release_date="2020-05-01", precision="DAY"),
        B.album("al2", "B", release_date="2020-05-01", precision="week"),
        B.album("al3", "C", release_date="2020-05", precision="month"),
    ]
    doc = B.document(
        "p1", EXTRACTED, [B.entry(B.track(f"t{i}", "x", album_obj=a)) for i, a in enumerate(albums)]
    )
    got = (
        entries_of(spark, doc)
        .transform(X.album_observations)
        .select("album_id", "release_date", "release_date_precision", "release_date_raw")
        .orderBy("album_id")
        .collect()
    )
    assert [tuple(r) for r in got] == [
        ("al1", None, None, "2020-05-01"),
        ("al2", None, None, "2020-05-01"),
        ("al3", date(2020, 5, 1), "month", "2020-05"),
    ]


def test_an_item_that_is_neither_track_nor_episode_is_a_counted_rejection(spark, tmp_path):
    # It was stored as a track: an audiobook chapter in dim_track, its book in dim_album.
    chapter = {
        **B.track("c1", "Chapter 1", album_obj=B.album("book1", "A book")),
        "type": "chapter",
    }
    untyped = {k: v for k, v in B.track("t2", "Old track").items() if k != "type"}
    doc = B.document(
        "p1", EXTRACTED, [B.entry(chapter), B.entry(B.track("t1", "Song")), B.entry(untyped)]
    )
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    B.write_raw(raw, B.raw_key(doc), [doc])
    summary = run_job(spark, str(raw), str(curated), run_id="chapter")
    facts = pq.read_table(curated / "fact_playlist_item").to_pylist()
    assert sorted((f["position"], f["track_id"]) for f in facts) == [(2, "t1"), (3, "t2")]
    tracks = pq.read_table(curated / "dim_track").to_pylist()
    assert sorted(t["track_id"] for t in tracks) == ["t1", "t2"]
    albums = pq.read_table(curated / "dim_album").to_pylist()
    assert "book1" not in {a["album_id"] for a in albums}
    assert summary["entries_read"] == 3
    for table in ("fact_playlist_item", "dim_track", "dim_album", "dim_artist"):
        assert summary["rejections"][table]["unsupported_type"] == 1, table


def test_values_the_columns_cannot_read_are_stored_null_and_counted(spark, tmp_path):
    # They became null with nothing counted; the rows stay, and each value is now counted.
    e1 = B.entry(
        B.track(
            "t1", "a", album_obj=B.album("al1", "A", release_date="2020-02-30", precision="day")
        ),
        added_at="yesterday",
    )
    e1["item"]["popularity"] = 4_294_967_396
    e2 = B.entry(
        B.track("t2", "b", album_obj=B.album("al2", "B", release_date="0000", precision="year")),
        added_at=None,
    )
    e2["item"]["track_number"] = 2**31
    e3 = B.entry(
        B.track(
            "t3", "c", album_obj=B.album("al3", "C", release_date="2020-05-01", precision="week")
        ),
        added_at="2026-01-02",
    )
    e3["item"]["disc_number"] = -(2**31) - 1
    e3["item"]["album"]["total_tracks"] = 2**31
    e4 = B.entry(B.local_track("Demo", "Me"), added_at="garbage")
    e4["item"]["popularity"] = 2**40
    e5 = B.entry(B.episode("ep1", "Episode"))
    # An album without an id has no row, so its unreadable date is no album's value.
    e6 = B.entry(
        B.track("t6", "f", album_obj=B.album(None, "F", release_date="soon", precision="day"))
    )
    doc = B.document("p1", EXTRACTED, [e1, e2, e3, e4, e5, e6])
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    B.write_raw(raw, B.raw_key(doc), [doc])
    summary = run_job(spark, str(raw), str(curated), run_id="unreadable")
    assert summary["unreadable_values"] == {
        "fact_playlist_item": {"added_at": 3, "popularity": 2},
        "dim_track": {"popularity": 1, "disc_number": 1, "track_number": 1},
        "dim_album": {"release_date": 2, "release_date_precision": 1, "total_tracks": 1},
    }
    # The rows are all there, with nulls where the values were unreadable.
    facts = pq.read_table(curated / "fact_playlist_item").to_pylist()
    by_position = {f["position"]: f for f in facts}
    assert sorted(by_position) == [1, 2, 3, 4, 5, 6]
    assert [by_position[p]["added_at"] is None for p in range(1, 7)] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    assert (by_position[1]["popularity"], by_position[4]["popularity"]) == (None, None)
    tracks = {t["track_id"]: t for t in pq.read_table(curated / "dim_track").to_pylist()}
    assert (tracks["t1"]["popularity"], tracks["t2"]["track_number"]) == (None, None)
    assert tracks["t3"]["disc_number"] is None
    albums = {a["album_id"]: a for a in pq.read_table(curated / "dim_album").to_pylist()}
    assert [albums[a]["release_date"] for a in ("al1", "al2", "al3")] == [None, None, None]
    assert (albums["al3"]["release_date_precision"], albums["al3"]["total_tracks"]) == (None, None)


def test_odd_entries_cost_no_snapshot_and_are_counted(spark, tmp_path):
    # One entry that was null, a string, a number or a list made Spark's from_json refuse
    # the whole document: the playlist's week was quarantined as wrong_shape.
    t1 = B.entry(B.track("t1", "One", artists=[B.artist("a1", "Artist")]))
    t2 = B.entry(B.track("t2", "Two", artists=[B.artist("a1", "Artist")]))
    entries = [t1, None, "spotify:track:t9", 42, [t2], {}, {"unexpected": True}, B.entry(None), t2]
    doc = B.document("p1", EXTRACTED, entries)
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    B.write_raw(raw, B.raw_key(doc), [doc])
    summary = run_job(spark, str(raw), str(curated), run_id="odd-entries")
    assert (summary["files_quarantined"], summary["entries_read"]) == (0, 9)
    facts = pq.read_table(curated / "fact_playlist_item").to_pylist()
    assert sorted((f["position"], f["track_id"]) for f in facts) == [(1, "t1"), (9, "t2")]
    tracks = pq.read_table(curated / "dim_track").to_pylist()
    assert sorted(t["track_id"] for t in tracks) == ["t1", "t2"]
    playlists = pq.read_table(curated / "dim_playlist").to_pylist()
    assert [(p["playlist_id"], p["total_items"]) for p in playlists] == [("p1", 9)]
    # Six malformed entries (null, string, number, list, {} and an object without any entry
    # field) and one null payload, in every table that reads entries.
    for table in ("fact_playlist_item", "dim_track", "dim_album", "dim_artist"):
        rejected = summary["rejections"][table]
        assert (rejected["malformed_entry"], rejected["null_item"]) == (6, 1), table
    fact = summary["rejections"]["fact_playlist_item"]
    assert summary["rows_written"]["fact_playlist_item"] + sum(fact.values()) == 9
    # The contract's oracle gives the same kinds.
    kinds = [entry_kind(e) for e in entries]
    assert kinds.count("malformed_entry") == 6 and kinds.count("null_item") == 1
