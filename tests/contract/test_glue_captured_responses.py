"""The Glue job on real Spotify API pages (../shared/spotify/responses/).

Each captured page is wrapped into a contract document (docs/data-contract.md section 2)
twice: as the legacy shape (``playlist.tracks``, entries carry ``track``) exactly as
captured, and as the 2026 shape (``playlist.items``, entries carry ``item``). All of them go
through one real run of the job; the expectations are computed here, in plain Python, from
the captured JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from glue_jobs.pipeline import run_job
from tests.lake import read_table
from tests.oracle import entry_kind

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PAGES = [
    "zmb3__spotify__playlist_tracks.json",
    "zmb3__spotify__playlist_items_episodes_and_tracks.json",
    "watsonbox__exportify__playlist_tracks_local_files.json",
    "watsonbox__exportify__playlist_tracks_null_track.json",
]


def wrap(page: dict, playlist_id: str, extracted_at: str, shape: str) -> dict:
    """A captured page as a complete snapshot document of the given API shape."""
    entries = page["items"]
    if shape == "items":
        entries = [
            {**{k: v for k, v in e.items() if k != "track"}, "item": e["track"]} for e in entries
        ]
    return {
        "contract_version": 1,
        "playlist_id": playlist_id,
        "extracted_at": extracted_at,
        "snapshot_date": extracted_at[:10],
        "api_shape": shape,
        "request": {"endpoint": f"/playlists/{{playlist_id}}/{shape}", "market": "US"},
        "playlist": {
            "id": playlist_id,
            "name": f"captured {playlist_id}",
            "snapshot_id": "captured",
            "owner": {"id": "owner", "display_name": "Owner"},
            shape: {"total": len(entries), "items": entries},
        },
    }


def expected_release(album: dict) -> date | None:
    raw, precision = album.get("release_date"), album.get("release_date_precision")
    if not raw:
        return None
    if precision not in ("year", "month", "day"):
        return None
    year, month, day = ([int(p) for p in raw.split("-")] + [1, 1])[:3]
    return date(year, month, day)


@pytest.fixture(scope="module")
def captured(shared_spotify: Path, tmp_path_factory):
    pages = {name: json.loads((shared_spotify / "responses" / name).read_text()) for name in PAGES}
    root = tmp_path_factory.mktemp("captured")
    raw, curated = root / "raw", root / "curated"
    for i, page in enumerate(pages.values()):
        for shape in ("tracks", "items"):
            pid = f"cap{i}{shape[0]}"  # cap0t, cap0i, ...
            doc = wrap(page, pid, f"2026-03-10T06:00:0{i}.000001Z", shape)
            path = raw / "snapshot_date=2026-03-10" / f"playlist_id={pid}" / f"{pid}.json"
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return pages, raw, curated


@pytest.fixture(scope="module")
def run(spark, captured):
    pages, raw, curated = captured
    summary = run_job(spark, str(raw), str(curated), run_id="captured")

    def table(name):
        return read_table(spark, curated, name).collect()

    return pages, summary, table


def test_every_captured_entry_is_accounted_for(run):
    pages, summary, _table = run
    kinds = Counter(entry_kind(e) for page in pages.values() for e in page["items"])
    assert summary["files_quarantined"] == 0
    assert summary["documents_read"] == 2 * len(PAGES)
    assert summary["entries_read"] == 2 * sum(kinds.values())  # 2 * 47
    written = kinds["track"] + kinds["episode"] + kinds["local_file"]
    assert summary["rows_written"]["fact_playlist_item"] == 2 * written
    rejected = summary["rejections"]["fact_playlist_item"]
    assert rejected == {
        "superseded_snapshot": 0,
        "malformed_entry": 2 * kinds["malformed_entry"],
        "null_item": 2 * kinds["null_item"],
        "unsupported_type": 2 * kinds["unsupported_type"],
        "missing_id": 2 * kinds["missing_id"],
    }
    assert summary["rejections"]["dim_track"]["local_file"] == 2 * kinds["local_file"]
    assert summary["rejections"]["dim_track"]["episode"] == 2 * kinds["episode"]
    # Spotify's real values are all readable: the counters do not fire on real data.
    assert rejected["unsupported_type"] == 0
    assert {
        c: n for cols in summary["unreadable_values"].values() for c, n in cols.items() if n
    } == {}


def test_both_shapes_give_the_same_rows(run):
    _pages, _summary, table = run
    by_shape: dict[str, Counter] = {"t": Counter(), "i": Counter()}
    for r in table("fact_playlist_item"):
        shape = r["playlist_id"][-1]
        by_shape[shape][(r["playlist_id"][:-1], r["position"], r["track_id"], r["episode_id"])] += 1
    assert by_shape["t"] == by_shape["i"]


def test_multi_artist_tracks_keep_every_artist_in_order(run):
    pages, _summary, table = run
    page = pages["zmb3__spotify__playlist_tracks.json"]
    expected = {
        (e["track"]["id"], pos, a["id"])
        for e in page["items"]
        for pos, a in enumerate(e["track"]["artists"], start=1)
    }
    assert sum(1 for e in page["items"] if len(e["track"]["artists"]) > 1) == 19
    bridge = {
        (r["track_id"], r["artist_position"], r["artist_id"]) for r in table("bridge_track_artist")
    }
    assert expected <= bridge
    album_artists = {
        (e["track"]["album"]["id"], pos, a["id"])
        for e in page["items"]
        for pos, a in enumerate(e["track"]["album"]["artists"], start=1)
    }
    assert album_artists <= {
        (r["album_id"], r["artist_position"], r["artist_id"]) for r in table("bridge_album_artist")
    }
    # Track artists differ from album artists for some tracks: both sets are kept.
    assert any(
        [a["id"] for a in e["track"]["artists"]]
        != [a["id"] for a in e["track"]["album"]["artists"]]
        for e in page["items"]
    )
    names = {r["track_id"]: r["track_name"] for r in table("dim_track")}
    comma = next(e["track"] for e in page["items"] if "," in e["track"]["name"])
    assert names[comma["id"]] == comma["name"]


def test_episodes_local_files_and_null_tracks(run):
    pages, _summary, table = run
    fact = table("fact_playlist_item")
    episodes = [r for r in fact if r["playlist_id"].startswith("cap1")]
    assert Counter(r["item_type"] for r in episodes) == {"episode": 4, "track": 4}
    assert all(r["album_id"] is None for r in episodes if r["item_type"] == "episode")
    local = [r for r in fact if r["playlist_id"].startswith("cap2")]
    assert len(local) == 4
    assert all(r["is_local"] and r["track_id"] is None and r["album_id"] is None for r in local)
    local_names = {e["track"]["name"] for e in pages[PAGES[2]]["items"]}
    assert {r["item_name"] for r in local} == local_names
    assert not [r for r in fact if r["playlist_id"].startswith("cap3")]  # the null track
    dim_ids = {r["track_id"] for r in table("dim_track")}
    assert None not in dim_ids


def test_release_dates_match_the_captures(run):
    pages, _summary, table = run
    albums = {r["album_id"]: r for r in table("dim_album")}
    for page in pages.values():
        for e in page["items"]:
            album = (e["track"] or {}).get("album")
            if not album or not album.get("id"):
                continue
            row = albums[album["id"]]
            assert row["release_date"] == expected_release(album)
            assert row["release_date_raw"] == album["release_date"]
            assert row["release_date_precision"] == album["release_date_precision"]
