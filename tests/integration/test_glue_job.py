"""End to end: the Glue job's core on fixture files, through the local bookmark.

One lake, run after run (the tests of the first part depend on each other's order):

1. the first run over good and bad files: summary numbers, quarantine, table content;
2. a new week: only its file is read, the older partitions are not touched;
3. a later extraction of a playlist already in the lake and an older one arriving late:
   latest wins, the date is rebuilt from raw;
4. nothing new: a cheap no-op;
5. a rerun with the bookmark reset over everything: identical tables, no duplicates,
   which also proves the incremental runs 1-3 order-independent;

and then crash injection after every stage, each on a fresh lake: nothing is committed, and
the next run leaves the tables exactly as a clean run does.

Every expected number below is worked out by hand from the fixture documents.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from glue_jobs.pipeline import InjectedFailure, run_job
from glue_jobs.publish import FAIL_POINTS
from glue_jobs.schemas import TABLES
from tests.lake import read_table, table_rows
from tests.unit.glue_jobs import builders as B

pytestmark = [pytest.mark.spark, pytest.mark.slow]

D1, D2 = "2026-01-05", "2026-01-12"

# Artists and albums shared by the fixture documents.
LEAD, FEAT = B.artist("ar1", "Lead, Singer"), B.artist("ar2", 'Feat "The" Guest')
ALBUM_ARTIST, OTHER = B.artist("ar3", "Album Artist"), B.artist("ar4", "Other")
AR5, AR6 = B.artist("ar5", "Björk"), B.artist("ar6", "六")
ALB_A = B.album("alA", "Album A", artists=[ALBUM_ARTIST], release_date="1998", precision="year")
ALB_B = B.album("alB", "Album B", artists=[OTHER], release_date="2001-07", precision="month")
ALB_C = B.album("alC", "Album C", artists=[AR5], release_date=None, precision=None)
ALB_E = B.album("alE", "Album E", artists=[AR6], release_date="2010-03-04", precision="day")
SONG = 'Comma, "Quote" Ünï'


def t_a1(popularity=50):
    return B.track("tA1", SONG, album_obj=ALB_A, artists=[LEAD, FEAT], popularity=popularity)


T_A2 = B.track(
    "tA2", "Relinked", album_obj=ALB_B, artists=[LEAD], linked_from="tA0", popularity=None
)

# Run 1 ---------------------------------------------------------------------------------
# A: pA, 2026 shape, 6 entries -> 5 fact rows (the null item leaves no row).
DOC_A = B.document(
    "pA",
    "2026-01-05T06:00:00.000001Z",
    [
        B.entry(t_a1()),
        B.entry(None),
        B.entry(t_a1(), added_by={"id": ""}),  # the same track twice; empty added_by id
        B.entry(B.local_track("Heart of Stone", "The Waymores")),
        B.entry(B.episode("ep1", "491- The Missing Middle")),
        B.entry(T_A2),
    ],
)
# B: pB, legacy shape, 4 entries -> 2 fact rows (missing id, missing payload).
DOC_B = B.document(
    "pB",
    "2026-01-05T07:00:00.000001Z",
    [
        B.entry(t_a1(popularity=60), shape="tracks"),
        B.entry(
            B.track("tB1", "B one", album_obj=ALB_B, artists=[OTHER]), shape="tracks", added_by=None
        ),
        B.entry(B.track(None, "No id"), shape="tracks"),
        B.entry(None, shape="tracks", omit_payload=True),
    ],
    shape="tracks",
)
# C: one file, two documents: pC (1 track) and pD (an empty playlist).
DOC_C = B.document(
    "pC",
    "2026-01-05T08:00:00.000001Z",
    [B.entry(B.track("tC1", "C one", album_obj=ALB_C, artists=[AR5]))],
)
DOC_D = B.document("pD", "2026-01-05T08:30:00.000001Z", [])

# Run 2: a new week ---------------------------------------------------------------------
DOC_F = B.document("pA", "2026-01-12T06:00:00.000001Z", [B.entry(t_a1())])

# Run 3: a later extraction of pA on D1, and an older extraction of pB arriving late ------
DOC_E = B.document(
    "pA",
    "2026-01-05T09:00:00.000001Z",
    [B.entry(T_A2), B.entry(B.track("tE1", "E one", album_obj=ALB_E, artists=[AR6]))],
)
DOC_G = B.document(
    "pB",
    "2026-01-05T06:30:00.000001Z",
    [B.entry(B.track("tB1", "B one", album_obj=ALB_B, artists=[OTHER]), shape="tracks")],
    shape="tracks",
)

BAD_FILES = {
    "bad/truncated.json.gz": gzip.compress(json.dumps(DOC_A).encode())[:-40],
    "bad/invalid.json": b"{not json\n",
    "bad/shape.json": b'{"hello": "world"}\n',
    "bad/v2.json": json.dumps(dict(DOC_C, contract_version=2)).encode() + b"\n",
    "bad/short.json": json.dumps(
        B.document("pX", "2026-01-05T06:00:00.000001Z", [B.entry(t_a1())], total=3)
    ).encode(),
    "bad/empty.json": b"",
    # One good document and one broken line: the whole file is quarantined.
    "bad/mixed.json": json.dumps(DOC_D).encode() + b"\n{broken\n",
}


def write_run1_input(raw: Path) -> None:
    B.write_raw(raw, B.raw_key(DOC_A), [DOC_A])
    B.write_raw(raw, B.raw_key(DOC_B, ".json"), [DOC_B])
    B.write_raw(raw, B.raw_key(DOC_C), [DOC_C, DOC_D])
    for rel, data in BAD_FILES.items():
        B.write_raw(raw, rel, data)


def files_under(path: Path) -> dict[str, float]:
    return {str(p.relative_to(path)): p.stat().st_mtime for p in path.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("lake")
    raw, curated = root / "raw", root / "curated"
    write_run1_input(raw)
    return {"raw": raw, "curated": curated, "results": {}}


def _no_zero(d):
    return {k: v for k, v in d.items() if v}


# ---------------------------------------------------------------------------------------
# 1. the first run
# ---------------------------------------------------------------------------------------


def test_first_run_counts_everything(spark, lake):
    s = run_job(spark, str(lake["raw"]), str(lake["curated"]), run_id="run1")
    lake["results"]["run1"] = table_rows(spark, lake["curated"], lake["raw"])
    assert s["status"] == "ok"
    assert (s["files_read"], s["files_quarantined"]) == (10, 7)
    assert (s["documents_read"], s["entries_read"]) == (4, 11)
    assert s["snapshot_dates"] == [D1]
    assert s["rows_written"] == {
        "fact_playlist_item": 8,
        "dim_track": 4,  # tA1, tA2, tB1, tC1
        "dim_album": 3,  # alA, alB, alC
        "dim_artist": 5,  # ar1..ar5
        "dim_playlist": 4,  # pA, pB, pC, pD
        "bridge_track_artist": 5,  # tA1: ar1, ar2; tA2: ar1; tB1: ar4; tC1: ar5
        "bridge_album_artist": 3,  # alA: ar3; alB: ar4; alC: ar5
    }
    assert s["rejections"]["files"] == {
        "corrupt_gzip": 1,
        "empty_file": 1,
        "invalid_json": 2,
        "wrong_shape": 1,
        "unsupported_contract_version": 1,
        "incomplete_snapshot": 1,
    }
    # Every reason of its table, zeros included (contract section 5). A: a null item, a
    # local file, an episode; B: an id-less track and a missing payload. Every track of
    # the fixture has an album with an id and artists with ids.
    entry_level = {
        "superseded_snapshot": 0,
        "malformed_entry": 0,
        "null_item": 2,
        "unsupported_type": 0,
        "local_file": 1,
        "episode": 1,
        "missing_id": 1,
    }
    with_artists = {**entry_level, "missing_artist_id": 0}
    assert {k: v for k, v in s["rejections"].items() if k != "files"} == {
        "documents": {"superseded_snapshot": 0},
        "fact_playlist_item": {
            "superseded_snapshot": 0,
            "malformed_entry": 0,
            "null_item": 2,
            "unsupported_type": 0,
            "missing_id": 1,
        },
        "dim_track": entry_level,
        "dim_album": entry_level,
        "dim_artist": with_artists,
        "dim_playlist": {"superseded_snapshot": 0},
        "bridge_track_artist": with_artists,
        "bridge_album_artist": with_artists,
    }
    # ALB_C's absent release date and T_A2's absent popularity are absent, not unreadable.
    assert s["unreadable_values"] == {
        "fact_playlist_item": {"added_at": 0, "popularity": 0},
        "dim_track": {"popularity": 0, "disc_number": 0, "track_number": 0},
        "dim_album": {"release_date": 0, "release_date_precision": 0, "total_tracks": 0},
    }
    written = json.loads((lake["curated"] / "_runs" / "run1.json").read_text())
    assert written["rows_written"] == s["rows_written"]
    assert not list((lake["curated"] / "_staging").iterdir())
    # The summary's times are UTC ISO-8601 instants, the run's start before its end.
    stamp = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"
    assert re.fullmatch(stamp, s["started_at"]) and re.fullmatch(stamp, s["finished_at"])
    assert s["started_at"] <= s["finished_at"]
    # Layout of the contract (section 1): snappy Parquet part files in date partitions.
    for table in TABLES:
        files = sorted((lake["curated"] / table / f"snapshot_date={D1}").glob("*.parquet"))
        assert files, table
        for f in files:
            assert re.fullmatch(r"part-.*\.snappy\.parquet", f.name), f.name
            metadata = pq.ParquetFile(f).metadata
            assert metadata.row_group(0).column(0).compression == "SNAPPY", f


def test_first_run_quarantines_each_bad_file_with_its_reason(lake):
    qdir = lake["curated"] / "_quarantine" / "run_id=run1"
    records = [json.loads(line) for f in sorted(qdir.glob("part-*.json")) for line in f.open()]
    got = {r["path"].split("/raw/", 1)[1]: r["reason"] for r in records}
    assert got == {
        "bad/truncated.json.gz": "corrupt_gzip",
        "bad/invalid.json": "invalid_json",
        "bad/shape.json": "wrong_shape",
        "bad/v2.json": "unsupported_contract_version",
        "bad/short.json": "incomplete_snapshot",
        "bad/empty.json": "empty_file",
        "bad/mixed.json": "invalid_json",
    }
    assert all(r["run_id"] == "run1" and r["detail"] for r in records)
    mixed = next(r for r in records if r["path"].endswith("mixed.json"))
    assert mixed["detail"] == "line 2: not valid JSON"
    assert mixed["size"] == len(BAD_FILES["bad/mixed.json"])


def test_first_run_tables_hold_the_messy_cases(spark, lake):
    cur = lake["curated"]
    fact = {
        (r["playlist_id"], r["position"]): r
        for r in read_table(spark, cur, "fact_playlist_item").collect()
    }
    # pA: position 2 (null item) is a gap; pB: 3 (no id) and 4 (no payload) are left out.
    assert sorted(fact) == [
        ("pA", 1),
        ("pA", 3),
        ("pA", 4),
        ("pA", 5),
        ("pA", 6),
        ("pB", 1),
        ("pB", 2),
        ("pC", 1),
    ]
    assert fact[("pA", 1)]["item_name"] == SONG
    assert (fact[("pA", 1)]["added_by_id"], fact[("pA", 3)]["added_by_id"]) == ("user1", None)
    assert fact[("pB", 2)]["added_by_id"] is None
    local = fact[("pA", 4)]
    assert (local["is_local"], local["track_id"], local["album_id"]) == (True, None, None)
    assert local["item_uri"].startswith("spotify:local:")
    episode = fact[("pA", 5)]
    assert (episode["item_type"], episode["episode_id"], episode["track_id"]) == (
        "episode",
        "ep1",
        None,
    )
    assert all(str(r["snapshot_date"]) == D1 for r in fact.values())

    tracks = {r["track_id"]: r for r in read_table(spark, cur, "dim_track").collect()}
    assert tracks["tA1"]["popularity"] == 60  # B (07:00) is the latest observation of tA1
    assert tracks["tA1"]["source_file"].endswith(".json")
    assert (tracks["tA2"]["linked_from_track_id"], tracks["tA2"]["popularity"]) == ("tA0", None)

    albums = {r["album_id"]: r for r in read_table(spark, cur, "dim_album").collect()}
    assert (albums["alA"]["release_date"], albums["alA"]["release_date_precision"]) == (
        date(1998, 1, 1),
        "year",
    )
    assert (albums["alB"]["release_date"], albums["alB"]["release_year"]) == (
        date(2001, 7, 1),
        2001,
    )
    assert (albums["alC"]["release_date"], albums["alC"]["release_date_raw"]) == (None, None)

    bridge = sorted(
        (r["track_id"], r["artist_position"], r["artist_id"])
        for r in read_table(spark, cur, "bridge_track_artist").collect()
    )
    assert bridge[:2] == [("tA1", 1, "ar1"), ("tA1", 2, "ar2")]
    artists = {
        r["artist_id"]: r["artist_name"] for r in read_table(spark, cur, "dim_artist").collect()
    }
    assert (artists["ar2"], artists["ar5"]) == ('Feat "The" Guest', "Björk")
    playlists = {r["playlist_id"]: r for r in read_table(spark, cur, "dim_playlist").collect()}
    assert (playlists["pB"]["api_shape"], playlists["pD"]["total_items"]) == ("tracks", 0)

    # The descriptive columns, against the builders' inputs (a playlist that is public and
    # not collaborative, owned by "owner1" shown as "Owner Ünïcode", with 4 followers): a
    # swapped or misread field fails here, and no Athena view reads most of them.
    pa = playlists["pA"]
    assert (pa["playlist_name"], pa["description"]) == ("A playlist", "desc")
    assert (pa["owner_id"], pa["owner_display_name"]) == ("owner1", "Owner Ünïcode")
    assert (pa["is_public"], pa["is_collaborative"], pa["followers_total"]) == (True, False, 4)
    ta1 = tracks["tA1"]
    assert (ta1["track_name"], ta1["track_uri"], ta1["explicit"]) == (
        SONG,
        "spotify:track:tA1",
        False,
    )
    ala = albums["alA"]
    assert (ala["album_name"], ala["album_uri"], ala["album_type"]) == (
        "Album A",
        "spotify:album:alA",
        "album",
    )
    artist_uris = {
        r["artist_id"]: r["artist_uri"] for r in read_table(spark, cur, "dim_artist").collect()
    }
    assert artist_uris["ar5"] == "spotify:artist:ar5"


# ---------------------------------------------------------------------------------------
# 2. a new week reads only its file and touches no older partition
# ---------------------------------------------------------------------------------------


def test_new_week_reads_only_the_new_file(spark, lake):
    cur = lake["curated"]
    before = {t: files_under(cur / t / f"snapshot_date={D1}") for t in TABLES if (cur / t).is_dir()}
    B.write_raw(lake["raw"], B.raw_key(DOC_F), [DOC_F])
    s = run_job(spark, str(lake["raw"]), str(cur), run_id="run2")
    assert (s["files_read"], s["documents_read"], s["entries_read"]) == (1, 1, 1)
    assert (s["snapshot_dates"], s["files_reread"]) == ([D2], 0)
    assert s["rows_written"] == {
        "fact_playlist_item": 1,
        "dim_track": 1,
        "dim_album": 1,
        "dim_artist": 3,  # ar1, ar2 (track), ar3 (album)
        "dim_playlist": 1,
        "bridge_track_artist": 2,
        "bridge_album_artist": 1,
    }
    after = {t: files_under(cur / t / f"snapshot_date={D1}") for t in before}
    assert after == before  # same files, same modification times


# ---------------------------------------------------------------------------------------
# 3. latest wins across runs
# ---------------------------------------------------------------------------------------


def test_later_extraction_replaces_and_older_one_is_superseded(spark, lake):
    cur = lake["curated"]
    B.write_raw(lake["raw"], B.raw_key(DOC_E), [DOC_E])
    B.write_raw(lake["raw"], B.raw_key(DOC_G, ".json"), [DOC_G])
    s = run_job(spark, str(lake["raw"]), str(cur), run_id="run3")
    assert (s["files_read"], s["documents_read"], s["entries_read"]) == (2, 2, 3)
    assert s["files_reread"] == 2  # B and C, the other documents of D1; not A (replaced)
    # G, older than B, is superseded: its one entry in every entry-level table.
    for level, reasons in s["rejections"].items():
        if level != "files":
            assert _no_zero(reasons) == {"superseded_snapshot": 1}, level
    assert s["rows_written"]["fact_playlist_item"] == 2
    assert s["rows_written"]["dim_track"] == 2  # tA2 and tE1 observed latest in E
    fact = read_table(spark, cur, "fact_playlist_item").filter(f"snapshot_date = '{D1}'")
    per_playlist = {
        r["playlist_id"]: r["count"] for r in fact.groupBy("playlist_id").count().collect()
    }
    assert per_playlist == {"pA": 2, "pB": 2, "pC": 1}  # A's 5 rows are gone, E's 2 are in
    tracks = {
        r["track_id"]: r
        for r in read_table(spark, cur, "dim_track").filter(f"snapshot_date = '{D1}'").collect()
    }
    assert sorted(tracks) == ["tA1", "tA2", "tB1", "tC1", "tE1"]
    assert tracks["tA1"]["popularity"] == 60  # still B's observation
    assert tracks["tB1"]["extracted_at"].hour == 7  # B, not the superseded G


def test_nothing_new_is_a_cheap_no_op(spark, lake):
    before = table_rows(spark, lake["curated"], lake["raw"])
    s = run_job(spark, str(lake["raw"]), str(lake["curated"]), run_id="run4")
    assert (s["status"], s["files_read"], s["rows_written"]["fact_playlist_item"]) == (
        "no_new_files",
        0,
        0,
    )
    assert table_rows(spark, lake["curated"], lake["raw"]) == before
    lake["results"]["incremental"] = before


# ---------------------------------------------------------------------------------------
# 5. rerun everything with the bookmark reset
# ---------------------------------------------------------------------------------------


def test_rerun_with_bookmark_reset_leaves_identical_tables(spark, lake):
    s = run_job(spark, str(lake["raw"]), str(lake["curated"]), run_id="run5", reset_bookmark=True)
    assert (s["files_read"], s["files_quarantined"], s["documents_read"]) == (13, 7, 7)
    # 11 + 1 + 3 entries; A (6) and G (1) superseded by E and B.
    assert s["entries_read"] == 15
    assert s["rejections"]["documents"] == {"superseded_snapshot": 2}
    assert _no_zero(s["rejections"]["dim_playlist"]) == {"superseded_snapshot": 2}
    # A's 6 entries and G's 1 are superseded; of the winners, B has a missing payload and
    # an id-less track (A's local file and episode went with A).
    expected = {"superseded_snapshot": 7, "null_item": 1, "missing_id": 1}
    for table in ("fact_playlist_item", "dim_track", "dim_album", "dim_artist"):
        assert _no_zero(s["rejections"][table]) == expected, table
    for table in ("bridge_track_artist", "bridge_album_artist"):
        assert _no_zero(s["rejections"][table]) == expected, table
    # E 2 + B 2 + C 1 + F 1 (with the 9 rejections above, the 15 read: the job itself
    # refuses to publish numbers that do not add up, see test_glue_accounting.py).
    assert s["rows_written"]["fact_playlist_item"] == 6
    assert table_rows(spark, lake["curated"], lake["raw"]) == lake["results"]["incremental"]
    for table, rows in lake["results"]["incremental"].items():
        assert len(rows) == len(set(rows)), f"duplicate rows in {table}"
    # Every date of every table is one file: a date is whole in one task (OutputLayout).
    for table in TABLES:
        partitions = sorted((lake["curated"] / table).glob("snapshot_date=*"))
        assert partitions, table
        for part in partitions:
            assert len(list(part.glob("*.parquet"))) == 1, sorted(os.listdir(part))


# ---------------------------------------------------------------------------------------
# Crash safety
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run1_tables(spark, lake, tmp_path_factory):
    """The tables of a clean first run: the first test's, or (when it did not run first:
    ``-k crash``, another order) a clean run of the same input of its own."""
    if "run1" not in lake["results"]:
        root = tmp_path_factory.mktemp("clean-run1")
        raw, curated = root / "raw", root / "curated"
        write_run1_input(raw)
        run_job(spark, str(raw), str(curated), run_id="clean")
        return table_rows(spark, curated, raw)
    return lake["results"]["run1"]


@pytest.mark.parametrize("point", FAIL_POINTS)
def test_a_crash_commits_nothing_and_the_next_run_repairs(spark, run1_tables, tmp_path, point):
    expected = run1_tables
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    write_run1_input(raw)
    with pytest.raises(InjectedFailure):
        run_job(spark, str(raw), str(curated), run_id="crashed", fail_after=point)
    assert not (curated / "_state" / "bookmark.json").exists()  # nothing committed
    s = run_job(spark, str(raw), str(curated), run_id="next")
    if point in ("manifest", "publish_partial", "publish"):
        # The staging was complete: rolled forward, its files committed, nothing left to do.
        assert s["rolled_forward_runs"] == ["crashed"]
        assert s["status"] == "no_new_files"
        assert json.loads((curated / "_runs" / "crashed.json").read_text())["files_read"] == 10
    else:
        assert s["rolled_forward_runs"] == []
        assert s["files_read"] == 10
    assert table_rows(spark, curated, raw) == expected
    assert len(os.listdir(curated / "_quarantine")) == 1  # one run's records, not two
    assert not list((curated / "_staging").iterdir())
    shutil.rmtree(tmp_path, ignore_errors=True)
