"""``dim_track.song_key`` (glue_jobs.transforms.song_key): one song across its track ids.

Every expected key is written out by hand from the rule in glue_jobs/tables.py: the ISRC
of the ISO 3901 shape (normalised) as ``isrc:<ISRC>``, else the relinked-from id as
``track:<id>``, else ``track:<track_id>``. Then the whole path: a playlist entry and a
track document of "Blinding Lights" under two ids, through the transforms the job uses,
give one song_key.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from chispa import assert_column_equality
from pyspark.sql import functions as F

from glue_jobs import transforms as X
from tests.unit.glue_jobs import builders as B

pytestmark = pytest.mark.spark

ROWS = [
    # (track_id, isrc, linked_from_track_id, expected song_key)
    ("t1", "USUG11904206", None, "isrc:USUG11904206"),
    # Written otherwise, the same ISRC: lower case, ISO's display hyphens, spaces.
    ("t2", "usug11904206", None, "isrc:USUG11904206"),
    ("t3", "US-UG1-19-04206", None, "isrc:USUG11904206"),
    ("t4", " USUG11904206\t", None, "isrc:USUG11904206"),
    # The ISRC wins over the relink.
    ("t5", "GBAYE0601498", "t0", "isrc:GBAYE0601498"),
    # No ISRC, or none of the ISO shape (too short, a year that is no number, blank):
    # the relinked-from id when there is one...
    ("t6", None, "tOrig", "track:tOrig"),
    ("t7", "USUG1190420", "tOrig", "track:tOrig"),
    ("t8", "USUG11X04206", None, "track:t8"),
    ("t9", "   ", "  ", "track:t9"),
    # ... else the track's own id.
    ("t10", None, None, "track:t10"),
    ("t11", "", "", "track:t11"),
]


def test_song_key_follows_the_rule(spark):
    df = spark.createDataFrame(
        ROWS, "track_id string, isrc string, linked_from_track_id string, expected string"
    ).withColumn("got", X.song_key(F.col("isrc"), F.col("linked_from_track_id"), F.col("track_id")))
    assert_column_equality(df, "got", "expected")


def test_normalized_isrc(spark):
    df = spark.createDataFrame(
        [
            ("usug11904206", "USUG11904206"),
            ("QZ-ES7-19-82312", "QZES71982312"),
            ("USUG119042061", None),  # 13 characters
            ("1SUG11904206", None),  # the country is two letters
            (None, None),
        ],
        "isrc string, expected string",
    ).withColumn("got", X.normalized_isrc(F.col("isrc")))
    assert_column_equality(df, "got", "expected")


def _lines(spark, docs, source):
    rows = [(source, 100, None, None, i + 1, json.dumps(d)) for i, d in enumerate(docs)]
    return spark.createDataFrame(
        rows,
        "source_file string, size long, file_reason string, file_detail string, "
        "line_no int, line string",
    )


def _playlist_entries(spark, playlist, source):
    """The entries of a playlist document, as the job classifies them."""
    return (
        _lines(spark, [playlist], source)
        .transform(X.parse_documents)
        .withColumn("_is_new", F.lit(True))
        .transform(X.explode_entries)
        .transform(X.classify_entries)
    )


def test_two_ids_of_one_recording_are_one_song_whichever_source_saw_them(spark):
    weeknd = B.artist("arW", "The Weeknd")
    album_track = B.track(
        "0VjIjW4GlUZAMYd2vXMi3b", "Blinding Lights", artists=[weeknd], isrc="USUG11904206"
    )
    single = B.track(
        "2EFvr7E9ACJSzUPBLdjlBT", "Blinding Lights", artists=[weeknd], isrc="usug11904206"
    )
    relinked = B.track("tServed", "Relinked", isrc=None, linked_from="tAsked")
    no_isrc = B.track("tAlone", "Alone", isrc=None)
    # The album track and tAlone in a playlist; the single and tAsked as track documents.
    playlist = B.document(
        "p1", "2026-01-05T06:00:00.000001Z", [B.entry(album_track), B.entry(no_isrc)]
    )
    entries = _playlist_entries(spark, playlist, "file:/raw/p1.json")
    documents = [
        B.track_document(payload, "2026-01-05T07:00:00.000001Z", track_id=track_id)
        for track_id, payload in (("2EFvr7E9ACJSzUPBLdjlBT", single), ("tAsked", relinked))
    ]
    docs = (
        _lines(spark, documents, "file:/raw/tracks/d.json")
        .transform(X.parse_track_documents)
        .transform(X.classify_track_documents)
    )
    assert [r["reason"] for r in docs.collect()] == [None, None]
    track_entries = docs.withColumn("_is_new", F.lit(True)).transform(X.track_document_entries)
    tracks = (
        entries.unionByName(track_entries)
        .transform(X.track_observations)
        .transform(X.with_song_key)
        .select("track_id", "isrc", "linked_from_track_id", "song_key", "snapshot_date")
    )
    assert sorted(tuple(r) for r in tracks.collect()) == [
        ("0VjIjW4GlUZAMYd2vXMi3b", "USUG11904206", None, "isrc:USUG11904206", date(2026, 1, 5)),
        ("2EFvr7E9ACJSzUPBLdjlBT", "usug11904206", None, "isrc:USUG11904206", date(2026, 1, 5)),
        ("tAlone", None, None, "track:tAlone", date(2026, 1, 5)),
        ("tAsked", None, "tAsked", "track:tAsked", date(2026, 1, 5)),
    ]


def test_a_track_entry_and_a_track_document_give_the_same_columns(spark):
    # The same TrackObject as a playlist entry's item and as a document's track: every
    # column the dimensions read is the same (the document has no added_at / added_by).
    track = B.track(
        "tSame",
        "Same",
        album_obj=B.album(
            "alS", "S", artists=[B.artist("a9", "Nine")], release_date="2001-07", precision="month"
        ),
        artists=[B.artist("a1", "One"), B.artist(None, "Ghost")],
        linked_from="tOld",
    )
    playlist = B.document("p1", "2026-01-05T06:00:00.000001Z", [B.entry(track)])
    entry = _playlist_entries(spark, playlist, "file:/raw/same.json")
    document = B.track_document(track, "2026-01-05T06:00:00.000001Z")
    from_doc = (
        _lines(spark, [document], "file:/raw/same.json")
        .transform(X.parse_track_documents)
        .transform(X.classify_track_documents)
        .withColumn("_is_new", F.lit(True))
        .transform(X.track_document_entries)
    )
    assert from_doc.columns == entry.columns == list(X.ENTRY_COLUMNS)
    differ = {"playlist_id", "snapshot_id", "added_at", "added_by_id", "_unreadable"}
    same = [c for c in X.ENTRY_COLUMNS if c not in differ]
    assert from_doc.select(*same).collect() == entry.select(*same).collect()
    for build in (X.track_observations, X.album_observations, X.artist_observations):
        assert from_doc.transform(build).collect() == entry.transform(build).collect()
