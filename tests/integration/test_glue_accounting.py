"""The job's accounting: reference-level rejections reach the run summary, a file is
judged by its worst document, and the job stops (publishing nothing) when its numbers do
not add up or a date cannot be rebuilt.

Expected values are worked out by hand from the documents built in each test.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from glue_jobs import pipeline
from glue_jobs.lakefs import LakeFS
from glue_jobs.pipeline import run_job
from tests.unit.glue_jobs import builders as B

pytestmark = pytest.mark.spark

EXTRACTED = "2026-01-05T06:00:00.000001Z"


def test_artists_without_an_id_are_counted_per_artist_table(spark, tmp_path):
    track = B.track(
        "t1",
        "Duet",
        artists=[B.artist("a1", "Lead"), B.artist(None, "Ghost")],
        album_obj=B.album(
            "al1", "Album", artists=[B.artist(None, "Nobody"), B.artist("a9", "Nine")]
        ),
    )
    doc = B.document("p1", EXTRACTED, [B.entry(track)])
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    B.write_raw(raw, B.raw_key(doc), [doc])
    s = run_job(spark, str(raw), str(curated), run_id="ghosts")
    assert s["rejections"]["dim_artist"]["missing_artist_id"] == 2  # Ghost and Nobody
    assert s["rejections"]["bridge_track_artist"]["missing_artist_id"] == 1  # Ghost
    assert s["rejections"]["bridge_album_artist"]["missing_artist_id"] == 1  # Nobody
    bridge = pq.read_table(curated / "bridge_track_artist").to_pylist()
    assert [(r["track_id"], r["artist_id"], r["artist_position"]) for r in bridge] == [
        ("t1", "a1", 1)
    ]
    # Nine keeps its place on the album's credit: second, after the id-less Nobody.
    bridge = pq.read_table(curated / "bridge_album_artist").to_pylist()
    assert [(r["album_id"], r["artist_id"], r["artist_position"]) for r in bridge] == [
        ("al1", "a9", 2)
    ]
    artists = pq.read_table(curated / "dim_artist").to_pylist()
    assert sorted(r["artist_id"] for r in artists) == ["a1", "a9"]


def test_a_file_is_judged_by_the_reason_that_comes_first_in_the_contract():
    # Line 2's invalid_json comes before line 1's wrong_shape in the rejection table.
    meta = [
        {
            "source_file": "f",
            "line_no": 1,
            "reason": "wrong_shape",
            "detail": "line 1: x",
            "size": 9,
        },
        {
            "source_file": "f",
            "line_no": 2,
            "reason": "invalid_json",
            "detail": "line 2: y",
            "size": 9,
        },
        {
            "source_file": "f",
            "line_no": 3,
            "reason": "invalid_json",
            "detail": "line 3: z",
            "size": 9,
        },
        {"source_file": "g", "line_no": 1, "reason": None, "detail": None, "size": 5},
    ]
    assert pipeline._file_reasons(meta) == {"f": ("invalid_json", "line 2: y", 9)}


def test_numbers_that_do_not_add_up_stop_the_run_before_anything_is_published(
    spark, tmp_path, monkeypatch
):
    real = pipeline._rows_written

    def one_short(*args):
        counts = real(*args)
        return {**counts, "fact_playlist_item": counts["fact_playlist_item"] - 1}

    monkeypatch.setattr(pipeline, "_rows_written", one_short)
    doc = B.document("p1", EXTRACTED, [B.entry(B.track("t1", "x"))])
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    B.write_raw(raw, B.raw_key(doc), [doc])
    with pytest.raises(
        RuntimeError, match=r"accounting mismatch: 1 entries read, 0 written or rejected"
    ):
        run_job(spark, str(raw), str(curated), run_id="short")
    assert not (curated / "fact_playlist_item").exists()
    assert not (curated / "_state" / "bookmark.json").exists()
    assert not (curated / "_runs").exists()


def test_a_date_whose_other_raw_files_are_gone_is_not_rebuilt(spark, tmp_path):
    # Replacing pA's document of a date rebuilds the date from its other documents' raw
    # files; with pB's file deleted the job stops and the lake stays as it was.
    doc_a = B.document("pA", EXTRACTED, [B.entry(B.track("t1", "x"))])
    doc_b = B.document("pB", "2026-01-05T07:00:00.000001Z", [B.entry(B.track("t2", "y"))])
    later_a = B.document("pA", "2026-01-05T09:00:00.000001Z", [B.entry(B.track("t3", "z"))])
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    B.write_raw(raw, B.raw_key(doc_a), [doc_a])
    B.write_raw(raw, B.raw_key(doc_b), [doc_b])
    run_job(spark, str(raw), str(curated), run_id="first")
    before = {
        p.relative_to(curated): p.read_bytes()
        for p in sorted(curated.rglob("*"))
        if p.is_file() and "_staging" not in p.parts
    }
    (raw / B.raw_key(doc_b)).unlink()
    B.write_raw(raw, B.raw_key(later_a), [later_a])
    with pytest.raises(RuntimeError, match=r"cannot rebuild: raw file\(s\) .*pB.* no longer exist"):
        run_job(spark, str(raw), str(curated), run_id="second")
    after = {
        p.relative_to(curated): p.read_bytes()
        for p in sorted(curated.rglob("*"))
        if p.is_file() and "_staging" not in p.parts
    }
    # Tables, run summaries and _state/bookmark.json byte for byte: nothing moved.
    assert Path("_state/bookmark.json") in before
    assert after == before


def test_a_raw_file_the_reader_returned_nothing_for_is_never_marked_processed(spark, tmp_path):
    # Spark skips zero-byte files (recorded as empty_file); any other file without a
    # record stops the run instead of being bookmarked unread.
    empty, silent = tmp_path / "empty.json", tmp_path / "silent.json"
    empty.write_bytes(b"")
    silent.write_bytes(b"{}\n")
    fs = LakeFS(spark, str(tmp_path))
    records = pipeline._unseen_empty_files(fs, [f"file:{empty}"], [])
    assert [(r["source_file"], r["reason"], r["size"]) for r in records] == [
        (f"file:{empty}", "empty_file", 0)
    ]
    with pytest.raises(RuntimeError, match=r"1 raw file\(s\) produced no record at all"):
        pipeline._unseen_empty_files(fs, [f"file:{empty}", f"file:{silent}"], [])
    seen = [{"source_file": f"file:{silent}"}]
    assert pipeline._unseen_empty_files(fs, [f"file:{silent}"], seen) == []
