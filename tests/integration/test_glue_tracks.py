"""Track documents (docs/track-documents.md) through the playlist job: the dimensions and
bridges get their rows by the same transforms as playlist entries, latest wins among both
sources of one date, bad documents are quarantined and counted, and re-runs, rebuilds and
crashes leave the tables as one clean run does.

Documents are hand-written in the TrackObject shape (tests/unit/glue_jobs/builders.py;
../shared/spotify holds no capture of ``GET /tracks/{id}``), landed where the enrichment
lands them: ``<raw>/tracks/fetched_date=YYYY-MM-DD/<track_id>.json.gz``, one JSON line.
Every expected value is worked out by hand from the documents below.
"""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from glue_jobs.pipeline import InjectedFailure, run_job
from tests.lake import rows, table_rows
from tests.unit.glue_jobs import builders as B
from tests.unit.glue_jobs.builders import track_document

pytestmark = [pytest.mark.spark, pytest.mark.slow]

DAY = "2026-11-16"

WEEKND = B.artist("arWeeknd", "The Weeknd")
AFTER_HOURS = B.album(
    "alAfterHours",
    "After Hours",
    artists=[WEEKND],
    release_date="2020-03-20",
    precision="day",
    total_tracks=14,
)
SINGLE = B.album(
    "alSingle",
    "Blinding Lights",
    artists=[WEEKND],
    release_date="2019-11",
    precision="month",
    album_type="single",
    total_tracks=1,
)
# "Blinding Lights" under two ids (the album track and the single), one ISRC.
BL_ALBUM = B.track(
    "0VjIjW4GlUZAMYd2vXMi3b",
    "Blinding Lights",
    album_obj=AFTER_HOURS,
    artists=[WEEKND],
    isrc="USUG11904206",
    popularity=None,  # development-mode apps get no popularity
    duration_ms=200_040,
)
BL_SINGLE = B.track(
    "2EFvr7E9ACJSzUPBLdjlBT",
    "Blinding Lights",
    album_obj=SINGLE,
    artists=[WEEKND],
    isrc="usug1-1904206",  # the same ISRC, written otherwise: the same song
    popularity=None,
    duration_ms=201_573,
)
# Relinked for the market: asked for tReq, served tServed; no ISRC.
RELINKED = B.track(
    "tServed",
    "Relinked Song",
    album_obj=B.album(
        "alR", "R Album", artists=[B.artist("arR", "Arr")], release_date="1998", precision="year"
    ),
    artists=[B.artist("arR", "Arr"), B.artist(None, "Ghost")],  # an artist without id
    isrc=None,
    linked_from="tReq",
    popularity=None,
)
# No ISRC, no album id.
ORPHAN = B.track(
    "tOrphan",
    "Orphan",
    album_obj=B.album(None, "Nameless", artists=[B.artist("arO", "Oh")]),
    artists=[B.artist("arO", "Oh")],
    isrc=None,
    popularity=None,
)


def land(tracks_root: Path, doc: dict[str, Any] | bytes, name: str | None = None) -> Path:
    """Write a document where the enrichment would (bytes: exactly those bytes)."""
    if isinstance(doc, bytes):
        path = tracks_root / f"fetched_date={DAY}" / (name or "x.json.gz")
        data = doc
    else:
        path = tracks_root / f"fetched_date={doc['fetched_date']}" / f"{doc['track_id']}.json.gz"
        data = gzip.compress((json.dumps(doc) + "\n").encode("utf-8"), mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def roots(tmp_path: Path) -> tuple[Path, Path, Path]:
    raw = tmp_path / "raw"
    snapshots, tracks = raw / "playlist_snapshots", raw / "tracks"
    snapshots.mkdir(parents=True, exist_ok=True)
    tracks.mkdir(parents=True, exist_ok=True)
    return snapshots, tracks, tmp_path / "curated"


def run(spark, snapshots: Path, tracks: Path, curated: Path, **kwargs: Any) -> dict[str, Any]:
    return run_job(spark, str(snapshots), str(curated), tracks_path=str(tracks), **kwargs)


def rel(row: dict[str, Any], raw: Path) -> str:
    return row["source_file"].removeprefix(f"file:{raw}/")


# ---------------------------------------------------------------------------------------


def test_track_documents_fill_the_dimensions_and_bridges(spark, tmp_path):
    snapshots, tracks, curated = roots(tmp_path)
    land(tracks, track_document(BL_ALBUM, f"{DAY}T06:00:01.000001Z"))
    land(tracks, track_document(BL_SINGLE, f"{DAY}T06:00:02.000001Z"))
    land(tracks, track_document(RELINKED, f"{DAY}T06:00:03.000001Z", track_id="tReq"))
    land(tracks, track_document(ORPHAN, f"{DAY}T06:00:04.000001Z"))
    s = run(spark, snapshots, tracks, curated, run_id="tracks1")

    assert s["status"] == "ok"
    assert s["files_read"] == 4 and s["files_quarantined"] == 0
    assert s["documents_read"] == 0 and s["entries_read"] == 0  # no playlist document
    assert s["snapshot_dates"] == [DAY]
    assert s["track_documents"] == {
        "files_read": 4,
        "files_quarantined": 0,
        "documents_read": 4,
        "observations_kept": 4,
        "observations_outvoted": 0,
    }
    # 4 tracks; 3 albums (the orphan's has no id); artists: Weeknd, Arr, Oh (Ghost has no
    # id); bridges: BL x2, tReq (Arr, position 1; Ghost leaves position 2 empty), orphan;
    # albums: AfterHours, Single, R (the orphan's album has no id).
    assert s["rows_written"] == {
        "fact_playlist_item": 0,
        "dim_track": 4,
        "dim_album": 3,
        "dim_artist": 3,
        "dim_playlist": 0,
        "bridge_track_artist": 4,
        "bridge_album_artist": 3,
    }
    assert s["rejections"]["dim_album"]["missing_id"] == 1  # the orphan's album
    assert s["rejections"]["dim_artist"]["missing_artist_id"] == 1  # Ghost
    assert s["rejections"]["bridge_track_artist"]["missing_artist_id"] == 1

    tracks_ = {r["track_id"]: r for r in rows(spark, curated, "dim_track")}
    day = date.fromisoformat(DAY)
    bl = tracks_["0VjIjW4GlUZAMYd2vXMi3b"]
    assert {k: bl[k] for k in bl if k not in ("extracted_at", "source_file")} == {
        "track_id": "0VjIjW4GlUZAMYd2vXMi3b",
        "track_name": "Blinding Lights",
        "track_uri": "spotify:track:0VjIjW4GlUZAMYd2vXMi3b",
        "album_id": "alAfterHours",
        "duration_ms": 200_040,
        "explicit": False,
        "disc_number": 1,
        "track_number": 3,
        "isrc": "USUG11904206",
        "popularity": None,
        "linked_from_track_id": None,
        "song_key": "isrc:USUG11904206",
        "snapshot_date": day,
    }
    assert rel(bl, tmp_path / "raw") == f"tracks/fetched_date={DAY}/0VjIjW4GlUZAMYd2vXMi3b.json.gz"
    assert bl["extracted_at"] == datetime(2026, 11, 16, 6, 0, 1, 1)
    # Two ids, one song: the single's ISRC, as sent, normalises to the album track's.
    single = tracks_["2EFvr7E9ACJSzUPBLdjlBT"]
    assert (single["isrc"], single["song_key"]) == ("usug1-1904206", "isrc:USUG11904206")
    # Keyed by the id asked for; the served id is in the URI, the relink in its column.
    req = tracks_["tReq"]
    assert (req["track_uri"], req["linked_from_track_id"], req["song_key"]) == (
        "spotify:track:tServed",
        "tReq",
        "track:tReq",
    )
    orphan = tracks_["tOrphan"]
    assert (orphan["album_id"], orphan["isrc"], orphan["song_key"]) == (None, None, "track:tOrphan")

    albums = {r["album_id"]: r for r in rows(spark, curated, "dim_album")}
    assert sorted(albums) == ["alAfterHours", "alR", "alSingle"]
    assert (albums["alSingle"]["release_date"], albums["alSingle"]["release_date_precision"]) == (
        date(2019, 11, 1),
        "month",
    )
    assert (albums["alR"]["release_date"], albums["alR"]["release_year"]) == (
        date(1998, 1, 1),
        1998,
    )
    assert albums["alAfterHours"]["total_tracks"] == 14
    artists = {r["artist_id"]: r["artist_name"] for r in rows(spark, curated, "dim_artist")}
    assert artists == {"arWeeknd": "The Weeknd", "arR": "Arr", "arO": "Oh"}
    bridge = sorted(
        (r["track_id"], r["artist_id"], r["artist_position"])
        for r in rows(spark, curated, "bridge_track_artist")
    )
    assert bridge == [
        ("0VjIjW4GlUZAMYd2vXMi3b", "arWeeknd", 1),
        ("2EFvr7E9ACJSzUPBLdjlBT", "arWeeknd", 1),
        ("tOrphan", "arO", 1),
        ("tReq", "arR", 1),
    ]
    album_bridge = sorted(
        (r["album_id"], r["artist_id"], r["artist_position"])
        for r in rows(spark, curated, "bridge_album_artist")
    )
    assert album_bridge == [
        ("alAfterHours", "arWeeknd", 1),
        ("alR", "arR", 1),
        ("alSingle", "arWeeknd", 1),
    ]
    assert rows(spark, curated, "fact_playlist_item") == []
    assert rows(spark, curated, "dim_playlist") == []
    assert (s["data_quality"]["dates_checked"], s["data_quality"]["failed_rules"]) == ([DAY], [])


def _playlist(curated_doc_time: str, tracks_: list[dict]) -> dict[str, Any]:
    return B.document("pMix", curated_doc_time, [B.entry(t) for t in tracks_])


def test_latest_extracted_at_wins_between_a_playlist_and_a_track_document(spark, tmp_path):
    snapshots, tracks, curated = roots(tmp_path)
    raw = tmp_path / "raw"
    # X: the playlist saw it at 07:00 (popularity 40, one artist), the document at 08:00
    # (two artists): the document wins. Y: the document at 06:00, the playlist at 07:00:
    # the playlist wins.
    x_playlist = B.track("tX", "X (playlist)", artists=[B.artist("a1", "One")], popularity=40)
    x_doc = B.track(
        "tX",
        "X (document)",
        artists=[B.artist("a2", "Two"), B.artist("a1", "One")],
        popularity=None,
    )
    y_playlist = B.track("tY", "Y (playlist)", artists=[B.artist("a1", "One")], popularity=70)
    y_doc = B.track("tY", "Y (document)", artists=[B.artist("a3", "Three")], popularity=None)
    doc = _playlist(f"{DAY}T07:00:00.000001Z", [x_playlist, y_playlist])
    B.write_raw(snapshots, B.raw_key(doc), [doc])
    # Run 1: the playlist alone; run 2: the documents (a merge into the lake's date).
    first = run(spark, snapshots, tracks, curated, run_id="mix1")
    assert first["track_documents"]["files_read"] == 0
    land(tracks, track_document(x_doc, f"{DAY}T08:00:00.000001Z"))
    land(tracks, track_document(y_doc, f"{DAY}T06:00:00.000001Z"))
    s = run(spark, snapshots, tracks, curated, run_id="mix2")
    assert s["files_read"] == 2 and s["files_reread"] == 0
    assert s["track_documents"] == {
        "files_read": 2,
        "files_quarantined": 0,
        "documents_read": 2,
        "observations_kept": 1,
        "observations_outvoted": 1,
    }
    assert s["rows_written"]["dim_track"] == 1  # X, from its document
    assert s["rows_written"]["fact_playlist_item"] == 0
    by_id = {r["track_id"]: r for r in rows(spark, curated, "dim_track")}
    assert (by_id["tX"]["track_name"], by_id["tX"]["popularity"]) == ("X (document)", None)
    assert rel(by_id["tX"], raw) == f"tracks/fetched_date={DAY}/tX.json.gz"
    assert (by_id["tY"]["track_name"], by_id["tY"]["popularity"]) == ("Y (playlist)", 70)
    assert rel(by_id["tY"], raw).startswith("playlist_snapshots/")
    # The bridge is the winner's, whole: X has the document's two artists in its order.
    bridge = sorted(
        (r["track_id"], r["artist_position"], r["artist_id"])
        for r in rows(spark, curated, "bridge_track_artist")
    )
    assert bridge == [("tX", 1, "a2"), ("tX", 2, "a1"), ("tY", 1, "a1")]
    # The fact is the playlist's, untouched: two entries.
    facts = rows(spark, curated, "fact_playlist_item")
    assert sorted(r["track_id"] for r in facts) == ["tX", "tY"]
    # Artists are observed through every track observation, winning or not: Two and Three
    # come from the documents (artists have their own latest-wins).
    assert sorted(r["artist_id"] for r in rows(spark, curated, "dim_artist")) == ["a1", "a2", "a3"]

    # Order does not matter: one run over everything gives the same tables.
    merged = table_rows(spark, curated, raw)
    again = run(spark, snapshots, tracks, curated, run_id="mix3", reset_bookmark=True)
    assert again["track_documents"]["documents_read"] == 2
    assert table_rows(spark, curated, raw) == merged
    # And nothing new is nothing done.
    idle = run(spark, snapshots, tracks, curated, run_id="mix4")
    assert idle["status"] == "no_new_files"
    assert idle["track_documents"] == dict.fromkeys(idle["track_documents"], 0)
    assert table_rows(spark, curated, raw) == merged


def test_a_rebuilt_date_reads_its_track_documents_again(spark, tmp_path):
    snapshots, tracks, curated = roots(tmp_path)
    raw = tmp_path / "raw"
    # Run 1: pMix at 09:00 has Z; Z's document at 07:00 loses to it.
    z_playlist = B.track("tZ", "Z (playlist)", popularity=10)
    z_doc = B.track("tZ", "Z (document)", popularity=None)
    doc1 = _playlist(f"{DAY}T09:00:00.000001Z", [z_playlist])
    B.write_raw(snapshots, B.raw_key(doc1), [doc1])
    land(tracks, track_document(z_doc, f"{DAY}T07:00:00.000001Z"))
    s1 = run(spark, snapshots, tracks, curated, run_id="rb1")
    assert s1["track_documents"]["observations_outvoted"] == 1
    assert [r["track_name"] for r in rows(spark, curated, "dim_track")] == ["Z (playlist)"]
    # Run 2: pMix again at 10:00, without Z: the date is rebuilt from raw, and Z's only
    # observation left that day is its document's, read again from tracks/.
    doc2 = _playlist(f"{DAY}T10:00:00.000001Z", [B.track("tW", "W")])
    B.write_raw(snapshots, B.raw_key(doc2), [doc2])
    s2 = run(spark, snapshots, tracks, curated, run_id="rb2")
    assert s2["files_reread"] == 1  # the track document (pMix's first file lost)
    assert s2["track_documents"]["files_read"] == 0
    by_id = {r["track_id"]: r for r in rows(spark, curated, "dim_track")}
    assert sorted(by_id) == ["tW", "tZ"]
    assert by_id["tZ"]["track_name"] == "Z (document)"
    assert rel(by_id["tZ"], raw) == f"tracks/fetched_date={DAY}/tZ.json.gz"
    # The same as one run over the raw files that still count.
    rebuilt = table_rows(spark, curated, raw)
    run(spark, snapshots, tracks, curated, run_id="rb3", reset_bookmark=True)
    assert table_rows(spark, curated, raw) == rebuilt


def test_bad_track_documents_are_quarantined_with_their_reason(spark, tmp_path):
    snapshots, tracks, curated = roots(tmp_path)
    good = land(tracks, track_document(BL_ALBUM, f"{DAY}T06:00:00.000001Z"))
    line = (json.dumps(track_document(ORPHAN, f"{DAY}T06:00:00.000001Z")) + "\n").encode()
    episode = dict(ORPHAN, type="episode")
    bad = {
        "truncated.json.gz": gzip.compress(line)[:-20],
        "empty.json.gz": b"",
        "invalid.json": b"{not json\n",
        "v2.json": json.dumps(
            track_document(ORPHAN, f"{DAY}T06:00:00.000001Z", contract_version=2)
        ).encode(),
        "date.json": json.dumps(
            track_document(ORPHAN, f"{DAY}T06:00:00.000001Z", fetched_date="2026-11-15")
        ).encode(),
        "episode.json": json.dumps(track_document(episode, f"{DAY}T06:00:00.000001Z")).encode(),
        "no_track.json": json.dumps(
            {
                k: v
                for k, v in track_document(ORPHAN, f"{DAY}T06:00:00.000001Z").items()
                if k != "track"
            }
        ).encode(),
        "track_string.json": json.dumps(
            track_document(ORPHAN, f"{DAY}T06:00:00.000001Z", track="tOrphan")
        ).encode(),
    }
    for name, data in bad.items():
        land(tracks, data, name)
    s = run(spark, snapshots, tracks, curated, run_id="bad1")
    assert s["files_read"] == 9
    assert s["files_quarantined"] == 8
    assert s["rejections"]["files"] == {
        "corrupt_gzip": 1,
        "empty_file": 1,
        "invalid_json": 1,
        "wrong_shape": 4,
        "unsupported_contract_version": 1,
        "incomplete_snapshot": 0,
    }
    assert s["track_documents"] == {
        "files_read": 9,
        "files_quarantined": 8,
        "documents_read": 1,
        "observations_kept": 1,
        "observations_outvoted": 0,
    }
    (qfile,) = (curated / "_quarantine").glob("run_id=bad1/*.json")
    records = {
        Path(r["path"]).name: (r["reason"], r["detail"])
        for r in map(json.loads, qfile.read_text().splitlines())
    }
    assert records == {
        "truncated.json.gz": ("corrupt_gzip", records["truncated.json.gz"][1]),
        "empty.json.gz": ("empty_file", records["empty.json.gz"][1]),
        "invalid.json": ("invalid_json", "line 1: not valid JSON"),
        "v2.json": ("unsupported_contract_version", "line 1: contract_version is 2"),
        "date.json": (
            "wrong_shape",
            "line 1: fetched_date 2026-11-15 is not the date of extracted_at",
        ),
        "episode.json": ("wrong_shape", "line 1: track.type is episode"),
        "no_track.json": ("wrong_shape", "line 1: missing track"),
        "track_string.json": (
            "wrong_shape",
            "line 1: a field has a type the track document does not allow",
        ),
    }
    # Only the good document reached the tables.
    assert [r["track_id"] for r in rows(spark, curated, "dim_track")] == [BL_ALBUM["id"]]
    assert good.exists()
    # Quarantined files are bookmarked: the next run reads nothing.
    assert run(spark, snapshots, tracks, curated, run_id="bad2")["status"] == "no_new_files"


def crash_inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The crash tests' raw files: a snapshot and two track documents. Their roots."""
    snapshots, tracks, curated = roots(tmp_path)
    doc = _playlist(f"{DAY}T07:00:00.000001Z", [B.track("tX", "X"), BL_ALBUM])
    B.write_raw(snapshots, B.raw_key(doc), [doc])
    land(tracks, track_document(BL_SINGLE, f"{DAY}T08:00:00.000001Z"))
    land(tracks, track_document(B.track("tX", "X later"), f"{DAY}T08:00:00.000001Z"))
    return snapshots, tracks, curated


@pytest.fixture(scope="module")
def clean_crash_tables(spark, tmp_path_factory) -> dict[str, list[tuple]]:
    """The tables of one clean run over :func:`crash_inputs`: what every crash converges to."""
    root = tmp_path_factory.mktemp("clean")
    snapshots, tracks, curated = crash_inputs(root)
    run(spark, snapshots, tracks, curated, run_id="clean")
    return table_rows(spark, curated, root / "raw")


@pytest.mark.parametrize("point", ["stage", "publish_partial"])
def test_a_crash_with_track_documents_commits_nothing_and_the_next_run_repairs(
    spark, clean_crash_tables, tmp_path, point
):
    snapshots, tracks, curated = crash_inputs(tmp_path)
    with pytest.raises(InjectedFailure):
        run(spark, snapshots, tracks, curated, run_id="crash", fail_after=point)
    assert not (curated / "_state" / "bookmark.json").exists()
    repaired = run(spark, snapshots, tracks, curated, run_id="repair")
    assert table_rows(spark, curated, tmp_path / "raw") == clean_crash_tables
    names = {r["track_id"]: r["track_name"] for r in rows(spark, curated, "dim_track")}
    assert names == {
        "tX": "X later",
        BL_ALBUM["id"]: "Blinding Lights",
        BL_SINGLE["id"]: "Blinding Lights",
    }
    # Before the manifest the staging is dropped and everything read again; after it the
    # staging is published again (its track files bookmarked with the snapshots).
    if point == "stage":
        assert (repaired["status"], repaired["track_documents"]["documents_read"]) == ("ok", 2)
    else:
        assert (repaired["status"], repaired["rolled_forward_runs"]) == ("no_new_files", ["crash"])


def test_without_tracks_path_the_job_reads_snapshots_only(spark, tmp_path):
    snapshots, tracks, curated = roots(tmp_path)
    doc = _playlist(f"{DAY}T07:00:00.000001Z", [B.track("tX", "X")])
    B.write_raw(snapshots, B.raw_key(doc), [doc])
    land(tracks, track_document(BL_SINGLE, f"{DAY}T08:00:00.000001Z"))
    s = run_job(spark, str(snapshots), str(curated), run_id="plain")
    assert s["files_read"] == 1
    assert s["track_documents"]["files_read"] == 0
    assert [r["track_id"] for r in rows(spark, curated, "dim_track")] == ["tX"]
    # A tracks root that does not exist yet (no enrichment so far) holds no document.
    missing = tmp_path / "raw" / "nothing_yet"
    s2 = run_job(spark, str(snapshots), str(curated), tracks_path=str(missing), run_id="none")
    assert s2["status"] == "no_new_files"


def test_overlapping_roots_are_refused(spark, tmp_path):
    _snapshots, tracks, curated = roots(tmp_path)
    from glue_jobs.pipeline import SwappedRoots

    with pytest.raises(SwappedRoots, match="overlap"):
        run_job(spark, str(tmp_path / "raw"), str(curated), tracks_path=str(tracks))


# ---------------------------------------------------------------------------------------
# The entry point: --tracks_path (optional; REQUIRED_ARGS unchanged)
# ---------------------------------------------------------------------------------------


def _argv(snapshots: Path, curated: Path, *extra: str) -> list[str]:
    return [
        "glue_jobs/star_schema_job.py",
        "--JOB_NAME",
        "star_schema",
        "--raw_path",
        str(snapshots),
        "--curated_path",
        str(curated),
        *extra,
    ]


def test_tracks_path_is_an_optional_argument():
    from awsglue.utils import getResolvedOptions

    from glue_jobs import star_schema_job as job

    assert job.REQUIRED_ARGS == ["JOB_NAME", "raw_path", "curated_path"]
    argv = _argv(Path("/r"), Path("/c"))
    assert job.parse_options(argv, None).tracks_path is None
    with_tracks = [*argv, "--tracks_path", "s3://raw/tracks/"]
    assert job.parse_options(with_tracks, None).tracks_path == "s3://raw/tracks/"
    glue = job.GlueApi(GlueContext=None, Job=None, getResolvedOptions=getResolvedOptions)
    assert job.parse_options(with_tracks, glue).tracks_path == "s3://raw/tracks/"


def test_the_script_reads_track_documents_locally(spark, tmp_path):
    from glue_jobs import star_schema_job as job

    snapshots, tracks, curated = roots(tmp_path)
    land(tracks, track_document(BL_ALBUM, f"{DAY}T06:00:00.000001Z"))
    s = job.main(_argv(snapshots, curated, "--tracks_path", str(tracks)), spark=spark)
    assert (s["mode"], s["track_documents"]["documents_read"]) == ("local", 1)
    assert [r["track_id"] for r in rows(spark, curated, "dim_track")] == [BL_ALBUM["id"]]


def test_on_glue_the_track_documents_have_their_own_bookmarked_read(spark, tmp_path):
    """Glue's calls stood in for as in tests/unit/glue_jobs/test_star_schema_job.py
    (tests/unit/glue_jobs/glue_standin.py): the DynamicFrame is a real DataFrame of the
    files "Glue's bookmark" hands over, per ``transformation_ctx``; the rest runs on real
    Spark."""
    from glue_jobs import star_schema_job as job
    from tests.unit.glue_jobs.glue_standin import RecordingGlue

    snapshots, tracks, curated = roots(tmp_path)
    doc = _playlist(f"{DAY}T07:00:00.000001Z", [B.track("tX", "X")])
    snapshot = B.write_raw(snapshots, B.raw_key(doc), [doc])
    delivered = land(tracks, track_document(BL_SINGLE, f"{DAY}T08:00:00.000001Z"))
    land(tracks, track_document(BL_ALBUM, f"{DAY}T08:00:00.000001Z"))  # seen before, says Glue
    by_ctx = {"raw_playlist_snapshots": [snapshot], "raw_track_documents": [delivered]}
    glue = RecordingGlue(spark, by_ctx, curated, published_table="dim_track")
    argv = _argv(snapshots, curated, "--tracks_path", str(tracks))
    s = job.main(argv, spark=spark, glue_api=glue.api)
    assert [c[0] for c in glue.calls] == [
        "GlueContext",
        "init",
        "from_options",
        "from_options",
        "commit",
    ]
    reads = [c[1] for c in glue.calls if c[0] == "from_options"]
    assert [(r["connection_options"]["paths"], r["transformation_ctx"]) for r in reads] == [
        ([str(snapshots)], "raw_playlist_snapshots"),
        ([str(tracks)], "raw_track_documents"),
    ]
    # Once, after publish: dim_track and the run summary are in place.
    assert glue.calls[-1] == ("commit", [f"{s['run_id']}.json"], True)
    assert (s["mode"], s["files_read"], s["track_documents"]["documents_read"]) == ("glue", 2, 1)
    assert sorted(r["track_id"] for r in rows(spark, curated, "dim_track")) == sorted(
        ["tX", BL_SINGLE["id"]]
    )
