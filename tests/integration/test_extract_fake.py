"""The extractor against the fake Spotify API on loopback: complete documents per the contract."""

from __future__ import annotations

import copy
import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests as http

from extract_lambda.extract import extract_playlists
from extract_lambda.spotify_client import ITEMS, PLAYLIST_FIELDS, TRACKS
from extract_lambda.storage import LocalDirectorySink
from tests.fixtures.extract.support import (
    access_token,
    config_for,
    fake_server,
    landed_files,
    read_document,
)
from tests.oracle import entry_kind
from tools.fake_spotify import ODD_ENTRIES, Catalogue, Fault

HEAVY = ("available_markets", "images", "preview_url", "html_description", "audio_preview_url")
MOMENT = datetime(2026, 6, 1, 6, 0, 0, 250000, tzinfo=UTC)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_CONTRACT = PROJECT_ROOT / "docs" / "data-contract.md"
EXTRACTOR_DOC = PROJECT_ROOT / "docs" / "extractor.md"

# Where each column of the curated tables (docs/data-contract.md section 3) comes from, as
# paths in a playlist entry: `@` is the entry's payload (`item` or `track`), `[]` maps over a
# list. Columns not read from the entry (lineage, partition, playlist-level, or computed from
# the entry's place) have no path. The column names are checked against the document, so a
# column added there must be given its source here; this list is deliberately not derived
# from the extractor's own `fields` constant, which is what it checks.
ENTRY_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "fact_playlist_item": {
        "playlist_id": (),
        "snapshot_id": (),
        "position": (),
        "item_type": ("@.type",),
        "track_id": ("@.id",),
        "episode_id": ("@.id",),
        "album_id": ("@.album.id",),
        "item_uri": ("@.uri",),
        "item_name": ("@.name",),
        "added_at": ("added_at",),
        "added_by_id": ("added_by.id",),
        "popularity": ("@.popularity",),
        "duration_ms": ("@.duration_ms",),
        "is_local": ("is_local", "@.is_local"),
        "extracted_at": (),
        "source_file": (),
        "snapshot_date": (),
    },
    "dim_track": {
        "track_id": ("@.id",),
        "track_name": ("@.name",),
        "track_uri": ("@.uri",),
        "album_id": ("@.album.id",),
        "duration_ms": ("@.duration_ms",),
        "explicit": ("@.explicit",),
        "disc_number": ("@.disc_number",),
        "track_number": ("@.track_number",),
        "isrc": ("@.external_ids.isrc",),
        "popularity": ("@.popularity",),
        "linked_from_track_id": ("@.linked_from.id",),
        # Derived from the three (transforms.song_key).
        "song_key": ("@.external_ids.isrc", "@.linked_from.id", "@.id"),
        "extracted_at": (),
        "source_file": (),
        "snapshot_date": (),
    },
    "dim_album": {
        "album_id": ("@.album.id",),
        "album_name": ("@.album.name",),
        "album_uri": ("@.album.uri",),
        "album_type": ("@.album.album_type",),
        "release_date": ("@.album.release_date",),
        "release_date_precision": ("@.album.release_date_precision",),
        "release_date_raw": ("@.album.release_date",),
        "release_year": ("@.album.release_date",),
        "total_tracks": ("@.album.total_tracks",),
        "extracted_at": (),
        "source_file": (),
        "snapshot_date": (),
    },
    "dim_artist": {
        "artist_id": ("@.artists[].id", "@.album.artists[].id"),
        "artist_name": ("@.artists[].name", "@.album.artists[].name"),
        "artist_uri": ("@.artists[].uri", "@.album.artists[].uri"),
        "extracted_at": (),
        "source_file": (),
        "snapshot_date": (),
    },
    "bridge_track_artist": {
        "track_id": ("@.id",),
        "artist_id": ("@.artists[].id",),
        "artist_position": ("@.artists[].id",),  # the order of the list
        "extracted_at": (),
        "source_file": (),
        "snapshot_date": (),
    },
    "bridge_album_artist": {
        "album_id": ("@.album.id",),
        "artist_id": ("@.album.artists[].id",),
        "artist_position": ("@.album.artists[].id",),
        "extracted_at": (),
        "source_file": (),
        "snapshot_date": (),
    },
}
# dim_playlist, as paths in the playlist object.
PLAYLIST_SOURCES: dict[str, tuple[str, ...]] = {
    "playlist_id": ("id",),
    "playlist_name": ("name",),
    "description": ("description",),
    "owner_id": ("owner.id",),
    "owner_display_name": ("owner.display_name",),
    "is_public": ("public",),
    "is_collaborative": ("collaborative",),
    "snapshot_id": ("snapshot_id",),
    "followers_total": ("followers.total",),
    "total_items": (),  # the entry count, checked against `total` by other tests
    "api_shape": (),  # the document's, not the API's
    "extracted_at": (),
    "source_file": (),
    "snapshot_date": (),
}
_ABSENT = object()


def _keys(value, found=None):
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def _payload_uris(entries, payload_key):
    return [(e.get(payload_key) or {}).get("uri") for e in entries]


def _playlist_calls(requests):
    """The extractor's requests for a playlist: metadata, pages and the snapshot_id check."""
    return [r for r in requests if r.path.startswith("/v1/playlists/")]


def _contract_columns(table):
    """The column names docs/data-contract.md gives `table` (read at test time)."""
    text = DATA_CONTRACT.read_text(encoding="utf-8")
    section = text.split(f"### `{table}`", 1)[1].split("\n#", 1)[0]
    columns = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            columns.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
    assert columns, table
    return columns


def _at(value, path):
    """The value at a dotted `path` (`[]` maps over a list), or _ABSENT where a key is missing."""
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    if not isinstance(value, dict) or key not in value:
        return _ABSENT
    value = value[key]
    if head.endswith("[]"):
        return [_at(v, rest) if rest else v for v in value]
    return _at(value, rest) if rest else value


def _unfiltered(server, path, *, user):
    """What the fake sends for `path` with no `fields` filter; for a page, every page after
    it too (following `next`), as one list of entries."""
    token = access_token(server, "refresh_token" if user else "client_credentials")
    params = {"market": "US", "additional_types": "track,episode"}
    url, entries = f"{server.api_url}{path}", []
    while url:
        response = http.get(
            url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        response.raise_for_status()
        body = response.json()
        if "total" not in body:
            return body  # the playlist object
        entries.extend(body["items"])
        url, params = body["next"], None
    return entries


def _asks_for_tracks_and_episodes(request):
    # Without `additional_types=track,episode` the API answers an episode entry with a null
    # payload (docs/extractor.md, step 2): the snapshot would silently lose its podcasts.
    return {"track", "episode"} <= set(request.query.get("additional_types", "").split(","))


@pytest.fixture(scope="module")
def catalogue():
    # Sizes straddle the page boundaries of /items (50) and /tracks (100); 0 is an empty
    # playlist, which is complete with no entries.
    return Catalogue(seed=11, playlists=6, sizes=(37, 50, 51, 100, 101, 0))


def test_development_mode_lands_one_complete_document_per_playlist(catalogue, tmp_path):
    ids = catalogue.user_playlist_ids
    with fake_server(catalogue, mode="development") as server:
        config = config_for(server)
        summary = extract_playlists(config, ids, LocalDirectorySink(tmp_path), clock=lambda: MOMENT)
        requests = server.requests
    assert summary["playlists_ok"] == ids and summary["playlists_failed"] == []
    files = landed_files(tmp_path)
    assert len(files) == len(ids)
    total_items = 0
    for playlist_id in ids:
        (path,) = [f for f in files if f"playlist_id={playlist_id}/" in str(f)]
        assert path.name == f"{playlist_id}_20260601T060000250000Z.json.gz"
        assert "snapshot_date=2026-06-01" in str(path)
        document = read_document(path)
        expected = catalogue.entries(playlist_id, 0)
        assert document["contract_version"] == 1
        assert document["playlist_id"] == playlist_id
        assert document["extracted_at"] == "2026-06-01T06:00:00.250000Z"
        assert document["snapshot_date"] == "2026-06-01"
        assert document["api_shape"] == "items"
        pages = max(1, -(-len(expected) // 50))
        assert document["request"] == {
            "api_url": server.api_url,
            "endpoint": "/playlists/{playlist_id}/items",
            "market": "US",
            "limit": 50,
            "fields": ITEMS.page_fields,
            "playlist_fields": PLAYLIST_FIELDS,
            "pages": pages,
            "auth_mode": "refresh_token",
        }
        playlist = document["playlist"]
        spec = catalogue.specs[playlist_id]
        assert playlist["id"] == playlist_id and playlist["name"] == spec.name
        assert playlist["owner"] == {"id": "fakeuser", "display_name": "Fake Üser"}
        assert playlist["snapshot_id"] == catalogue.snapshot_id(playlist_id, 0)
        assert playlist["followers"] == {"total": catalogue.followers(playlist_id, 0)}
        assert "tracks" not in playlist
        container = playlist["items"]
        assert container["total"] == len(container["items"]) == len(expected)
        # Every entry, in playlist order, is the catalogue's.
        assert _payload_uris(container["items"], "item") == _payload_uris(expected, "track")
        assert [e["added_at"] for e in container["items"]] == [e["added_at"] for e in expected]
        assert not set(HEAVY) & _keys(document), "heavy fields are filtered out"
        total_items += len(expected)
    assert summary["items"] == total_items
    # Every API request sent the market; every page request the filter and limit 50.
    api = [r for r in requests if r.path.startswith("/v1/")]
    assert api and all(r.query.get("market") == "US" for r in api)
    pages = [r for r in api if r.path.endswith("/items")]
    assert all(r.query["fields"] == ITEMS.page_fields and r.query["limit"] == "50" for r in pages)
    assert not [r for r in requests if r.path.endswith("/tracks")]
    # Metadata, every page and the snapshot_id check all ask for tracks and episodes.
    playlist_calls = _playlist_calls(requests)
    assert len(pages) >= len(ids) and len(playlist_calls) > len(pages)
    unasked = [(r.path, r.query) for r in playlist_calls if not _asks_for_tracks_and_episodes(r)]
    assert unasked == []


def test_awkward_entries_survive_as_the_api_sent_them(tmp_path):
    catalogue = Catalogue(seed=5, playlists=1, sizes=(60,))
    (playlist_id,) = catalogue.user_playlist_ids
    with fake_server(catalogue) as server:
        extract_playlists(config_for(server), [playlist_id], LocalDirectorySink(tmp_path))
    entries = read_document(landed_files(tmp_path)[0])["playlist"]["items"]["items"]
    payloads = [e["item"] for e in entries]
    locals_ = [e for e in entries if e["is_local"]]
    assert len(locals_) == 2
    assert all(
        e["item"]["id"] is None and e["item"]["uri"].startswith("spotify:local:") for e in locals_
    )
    episodes = [p for p in payloads if p and p["type"] == "episode"]
    assert len(episodes) == 2 and all("album" not in p and "artists" not in p for p in episodes)
    assert all(p["show"]["name"] for p in episodes)
    nulls = [e for e in entries if e["item"] is None]
    assert len(nulls) == 1 and nulls[0]["added_by"] == {"id": ""}
    track_ids = [p["id"] for p in payloads if p and p["type"] == "track" and p["id"]]
    assert len(track_ids) > len(set(track_ids)), "the same track twice"
    tracks = [p for p in payloads if p and p["type"] == "track" and p["id"]]
    assert any(len(t["artists"]) > 1 for t in tracks)
    assert any(
        [a["id"] for a in t["artists"]] != [a["id"] for a in t["album"]["artists"]] for t in tracks
    )
    assert {t["album"]["release_date_precision"] for t in tracks} >= {"day"}
    # Development mode: no popularity, no linked_from.
    assert not any("popularity" in t or "linked_from" in t for t in tracks)


def test_curated_columns_have_their_sources_mapped_exactly():
    # The source paths checked below cover every column the data contract gives the tables
    # built from entries and playlists: a column added there needs its source here.
    for table, sources in ENTRY_SOURCES.items():
        assert set(sources) == _contract_columns(table), table
    assert set(PLAYLIST_SOURCES) == _contract_columns("dim_playlist")


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_landed_documents_keep_every_source_field_the_curated_tables_read(tmp_path, mode):
    """The `fields` filter must not drop what the Glue job reads. Expected values come from
    the fake's own unfiltered responses, not from the extractor's filter: that is the only
    independent witness of what the API sent, and it knows per mode what is really absent
    (development mode sends no popularity or linked_from, so those may not be demanded),
    where a fixed list of fields would have to restate the fake's rules. Which fields matter
    comes from the data contract's columns (ENTRY_SOURCES, PLAYLIST_SOURCES)."""
    catalogue = Catalogue(seed=11, playlists=2, sizes=(150, 30))
    ids = catalogue.user_playlist_ids
    paths = sorted({p for columns in ENTRY_SOURCES.values() for ps in columns.values() for p in ps})
    compared_on_tracks = dict.fromkeys(paths, 0)
    with fake_server(catalogue, mode=mode) as server:
        config = config_for(server, refresh_token=mode == "development")
        summary = extract_playlists(config, ids, LocalDirectorySink(tmp_path))
        assert summary["playlists_ok"] == ids, summary["playlists_failed"]
        for path in landed_files(tmp_path):
            document = read_document(path)
            playlist_id, shape = document["playlist_id"], document["api_shape"]
            payload_key = "item" if shape == "items" else "track"
            user = mode == "development"
            source_playlist = _unfiltered(server, f"/playlists/{playlist_id}", user=user)
            source = _unfiltered(server, f"/playlists/{playlist_id}/{shape}", user=user)
            landed = document["playlist"][shape]["items"]
            assert len(landed) == len(source)
            for column, column_paths in PLAYLIST_SOURCES.items():
                for field_path in column_paths:
                    expected = _at(source_playlist, field_path)
                    assert expected is not _ABSENT, field_path
                    assert _at(document["playlist"], field_path) == expected, column
            for position, (got, sent) in enumerate(zip(landed, source, strict=True)):
                payload = sent[payload_key]
                ordinary = bool(payload and payload["type"] == "track" and not sent["is_local"])
                for template in paths:
                    field_path = template.replace("@", payload_key, 1)
                    expected = _at(sent, field_path)
                    if expected is _ABSENT:
                        continue  # not sent for this entry: an episode's album, no linked_from
                    where = f"{playlist_id} entry {position}: {field_path}"
                    assert _at(got, field_path) == expected, where
                    compared_on_tracks[template] += ordinary
    # Every path was compared on ordinary tracks, except what this mode never sends.
    never_sent = {"@.popularity", "@.linked_from.id"} if mode == "development" else set()
    assert {p for p, n in compared_on_tracks.items() if n == 0} == never_sent


def test_fields_filters_are_the_ones_docs_extractor_md_states():
    # docs/extractor.md gives the filters verbatim (they are also kept in each document's
    # `request`); the documents above are the real check, this one keeps the doc honest.
    text = EXTRACTOR_DOC.read_text(encoding="utf-8")
    (page,) = re.findall(r"^- page: `([^`]+)`", text, flags=re.MULTILINE)
    (playlist,) = re.findall(r"^- playlist: `([^`]+)`", text, flags=re.MULTILINE)
    assert page == ITEMS.page_fields
    assert page.replace(",item(", ",track(", 1) == TRACKS.page_fields  # "track(...) instead"
    assert playlist == PLAYLIST_FIELDS


def test_concurrent_pages_and_following_next_give_the_same_snapshot(tmp_path):
    catalogue = Catalogue(seed=3, playlists=1, sizes=(260,))
    (playlist_id,) = catalogue.user_playlist_ids
    documents = {}
    with fake_server(catalogue) as server:
        for concurrency in (1, 6):
            server.reset_requests()
            out = tmp_path / str(concurrency)
            config = config_for(server, max_concurrency=concurrency)
            extract_playlists(config, [playlist_id], LocalDirectorySink(out))
            documents[concurrency] = read_document(landed_files(out)[0])
            offsets = [int(r.query["offset"]) for r in server.requests if r.path.endswith("/items")]
            if concurrency == 1:
                # Sequential reading follows `next`, which keeps market and the filter.
                assert offsets == [0, 50, 100, 150, 200, 250]
                followed = [r for r in server.requests if r.path.endswith("/items")][1:]
                assert all(r.query["fields"] == ITEMS.page_fields for r in followed)
                assert all(_asks_for_tracks_and_episodes(r) for r in followed)
            else:
                assert sorted(offsets) == [0, 50, 100, 150, 200, 250]
            # Concurrent pages by offset, and pages reached by `next`, alike.
            assert all(_asks_for_tracks_and_episodes(r) for r in _playlist_calls(server.requests))
    one, six = documents[1], documents[6]
    assert one["playlist"] == six["playlist"]
    assert one["request"]["pages"] == six["request"]["pages"] == 6


def test_extended_mode_with_client_credentials_reads_legacy_tracks(tmp_path):
    catalogue = Catalogue(seed=11, playlists=2, sizes=(150, 30), editorial=1, not_owned=1)
    ids = [*catalogue.user_playlist_ids, *catalogue.editorial_ids, *catalogue.not_owned_ids]
    with fake_server(catalogue, mode="extended") as server:
        config = config_for(server, refresh_token=False)
        summary = extract_playlists(config, ids, LocalDirectorySink(tmp_path))
        requests = server.requests
    # Extended quota: editorial and other users' public playlists are readable too.
    assert summary["playlists_ok"] == ids and summary["auth_mode"] == "client_credentials"
    for path in landed_files(tmp_path):
        document = read_document(path)
        assert document["api_shape"] == "tracks"
        assert document["request"]["endpoint"] == "/playlists/{playlist_id}/tracks"
        assert document["request"]["limit"] == 100
        assert document["request"]["fields"] == TRACKS.page_fields
        assert document["request"]["auth_mode"] == "client_credentials"
        container = document["playlist"]["tracks"]
        assert "items" not in document["playlist"]
        assert container["total"] == len(container["items"])
        tracks = [
            e["track"]
            for e in container["items"]
            if e["track"] and e["track"]["type"] == "track" and e["track"]["id"]
        ]
        assert all("item" not in e for e in container["items"])
        assert tracks and all("popularity" in t for t in tracks)
    assert [r.query["limit"] for r in requests if r.path.endswith("/tracks")][:2] == ["100", "100"]
    # The legacy /tracks pages (sent by hand, not through spotipy) and the metadata reads
    # ask for episodes too.
    playlist_calls = _playlist_calls(requests)
    assert [r for r in playlist_calls if r.path.endswith("/tracks")]
    unasked = [(r.path, r.query) for r in playlist_calls if not _asks_for_tracks_and_episodes(r)]
    assert unasked == []


def test_legacy_shape_falls_back_to_items_where_tracks_is_refused(tmp_path, caplog):
    catalogue = Catalogue(seed=11, playlists=2, sizes=(20, 30))
    ids = catalogue.user_playlist_ids
    with fake_server(catalogue, mode="development") as server:
        config = config_for(server, api_shape="tracks")
        summary = extract_playlists(config, ids, LocalDirectorySink(tmp_path))
        tracks_calls = [r for r in server.requests if r.path.endswith("/tracks")]
    assert summary["playlists_ok"] == ids
    assert [s["api_shape"] for s in summary["snapshots"]] == ["items", "items"]
    assert len(tracks_calls) == 1 and tracks_calls[0].status == 403  # tried once, then /items
    assert "switching to /items" in caplog.text


def test_simulated_weeks_land_evolving_snapshots(tmp_path):
    catalogue = Catalogue(seed=11, playlists=1, sizes=(40,), weeks=3)
    (playlist_id,) = catalogue.user_playlist_ids
    sink = LocalDirectorySink(tmp_path)
    start = datetime(2026, 5, 4, 6, tzinfo=UTC)
    with fake_server(catalogue) as server:
        for week in range(3):
            server.set_week(week)
            moment = start + timedelta(weeks=week)
            extract_playlists(config_for(server), [playlist_id], sink, clock=lambda m=moment: m)
    documents = [read_document(p) for p in landed_files(tmp_path)]
    assert [d["snapshot_date"] for d in documents] == ["2026-05-04", "2026-05-11", "2026-05-18"]
    charts = [_payload_uris(d["playlist"]["items"]["items"], "item") for d in documents]
    assert len({d["playlist"]["snapshot_id"] for d in documents}) == 3
    # Chart-like: most songs stay from one week to the next, some leave, some enter.
    for before, after in itertools.pairwise(charts):
        kept = len(set(before) & set(after))
        assert 0.5 * len(before) < kept < len(before)
    for document in documents:
        stamp = document["extracted_at"]
        for entry in document["playlist"]["items"]["items"]:
            assert entry["added_at"] < stamp  # nothing added after the (simulated) extraction


def test_rerun_adds_a_new_snapshot_and_never_overwrites(tmp_path):
    catalogue = Catalogue(seed=11, playlists=1, sizes=(10,))
    (playlist_id,) = catalogue.user_playlist_ids
    sink = LocalDirectorySink(tmp_path)
    with fake_server(catalogue) as server:
        config = config_for(server)
        first = extract_playlists(config, [playlist_id], sink, clock=lambda: MOMENT)
        (path,) = landed_files(tmp_path)
        original = path.read_bytes()
        again = extract_playlists(config, [playlist_id], sink, clock=lambda: MOMENT)
        later = extract_playlists(
            config, [playlist_id], sink, clock=lambda: MOMENT + timedelta(seconds=1)
        )
    assert first["playlists_ok"] == [playlist_id]
    assert (
        again["playlists_ok"] == [] and again["playlists_failed"][0]["reason"] == "already_exists"
    )
    assert path.read_bytes() == original
    assert later["playlists_ok"] == [playlist_id] and len(landed_files(tmp_path)) == 2


def test_playlist_changing_mid_read_is_read_again(tmp_path):
    catalogue = Catalogue(seed=11, playlists=1, sizes=(120,), weeks=3)
    (playlist_id,) = catalogue.user_playlist_ids
    with fake_server(catalogue) as server:
        # The playlist is edited (a new week) right after the first page was requested.
        server.add_fault(Fault(path=f"{playlist_id}/items", action=lambda: server.set_week(1)))
        summary = extract_playlists(config_for(server), [playlist_id], LocalDirectorySink(tmp_path))
    assert summary["playlists_ok"] == [playlist_id]
    document = read_document(landed_files(tmp_path)[0])
    assert document["playlist"]["snapshot_id"] == catalogue.snapshot_id(playlist_id, 1)
    assert _payload_uris(document["playlist"]["items"]["items"], "item") == _payload_uris(
        catalogue.entries(playlist_id, 1), "track"
    )


@pytest.mark.parametrize("max_concurrency", [1, 16])
def test_playlist_growing_between_pages_is_read_again(tmp_path, max_concurrency):
    """An entry added between two pages changes the total the pages report: read again,
    not failed (the edit that adds or removes tracks is the commonest one)."""
    catalogue = Catalogue(seed=11, playlists=1, sizes=(120,), weeks=1)
    entries = copy.deepcopy(catalogue.entries(catalogue.user_playlist_ids[0], 0))
    playlist_id = "5FixedPlaylist00000001"
    catalogue.add_fixed_playlist(playlist_id, entries)
    with fake_server(catalogue) as server:
        # The first page goes through; the entry is added before the second is answered.
        server.add_fault(
            Fault(
                path=f"{playlist_id}/items",
                after=1,
                times=1,
                action=lambda: catalogue.append_to_fixed_playlist(
                    playlist_id, copy.deepcopy(entries[0])
                ),
            )
        )
        summary = extract_playlists(
            config_for(server, max_concurrency=max_concurrency),
            [playlist_id],
            LocalDirectorySink(tmp_path),
        )
        metadata_reads = [r for r in server.requests if r.path == f"/v1/playlists/{playlist_id}"]
    assert summary["playlists_ok"] == [playlist_id], summary["playlists_failed"]
    document = read_document(landed_files(tmp_path)[0])
    assert document["playlist"]["items"]["total"] == len(entries) + 1
    assert len(document["playlist"]["items"]["items"]) == len(entries) + 1
    assert len(metadata_reads) >= 3  # read, re-read, snapshot_id check


def test_playlist_that_keeps_changing_fails_instead_of_landing_a_mix(tmp_path):
    catalogue = Catalogue(seed=11, playlists=2, sizes=(120, 10), weeks=10)
    moving, steady = catalogue.user_playlist_ids
    with fake_server(catalogue) as server:
        # Edited again and again while being read (snapshot ids only move forward).
        server.add_fault(
            Fault(
                path=f"{moving}/items",
                after=1,
                times=None,
                action=lambda: server.set_week(min(server.week + 1, 9)),
            )
        )
        summary = extract_playlists(
            config_for(server), [moving, steady], LocalDirectorySink(tmp_path)
        )
    failures = {f["playlist_id"]: f["reason"] for f in summary["playlists_failed"]}
    assert failures == {moving: "changed_during_read"}
    assert summary["playlists_ok"] == [steady]
    assert all(f"playlist_id={moving}" not in str(p) for p in landed_files(tmp_path))


def test_invalid_and_duplicate_ids(tmp_path):
    catalogue = Catalogue(seed=11, playlists=1, sizes=(5,))
    (playlist_id,) = catalogue.user_playlist_ids
    with fake_server(catalogue) as server:
        summary = extract_playlists(
            config_for(server),
            [
                playlist_id,
                f"spotify:playlist:{playlist_id}",
                "not a/valid id",
                "4Missing0000000000000x",
            ],
            LocalDirectorySink(tmp_path),
        )
    assert summary["playlists_ok"] == [playlist_id]
    reasons = {f["playlist_id"]: f["reason"] for f in summary["playlists_failed"]}
    assert reasons == {"not a/valid id": "invalid_id", "4Missing0000000000000x": "not_found"}
    assert summary["playlists_requested"] == 3


def test_real_captured_entries_pass_through_the_extractor(shared_spotify, tmp_path):
    """The real captures (legacy shape) served by the fake, read in both modes."""
    captures = {
        "5lH9NjOeJvctAO92ZrKQNB": "zmb3__spotify__playlist_tracks.json",
        "23Ay9WfURne0LvtlCvYTkj": "zmb3__spotify__playlist_items_episodes_and_tracks.json",
        "4XOGDpHMrVoH33uJEwHWU5": "watsonbox__exportify__playlist_tracks_local_files.json",
        "4XOGDpHMrVoH33uJEwHWU6": "watsonbox__exportify__playlist_tracks_null_track.json",
    }
    catalogue = Catalogue(seed=1, playlists=0, editorial=0, not_owned=0)
    raw = {}
    for playlist_id, name in captures.items():
        raw[playlist_id] = json.loads((shared_spotify / "responses" / name).read_text())["items"]
        catalogue.add_fixed_playlist(playlist_id, raw[playlist_id])
    for mode, payload_key in (("development", "item"), ("extended", "track")):
        out = tmp_path / mode
        with fake_server(catalogue, mode=mode) as server:
            config = config_for(server, refresh_token=mode == "development")
            summary = extract_playlists(config, list(captures), LocalDirectorySink(out))
        assert summary["playlists_ok"] == list(captures), summary["playlists_failed"]
        for path in landed_files(out):
            document = read_document(path)
            playlist_id = document["playlist_id"]
            entries = document["playlist"][document["api_shape"]]["items"]
            source = raw[playlist_id]
            assert len(entries) == len(source)
            for got, original in zip(entries, source, strict=True):
                payload, expected = got[payload_key], original["track"]
                assert got["added_at"] == original["added_at"]
                assert got["added_by"] == {"id": original["added_by"]["id"]}
                if expected is None:
                    assert payload is None
                    continue
                assert payload["name"] == expected["name"]  # quotes, commas, non-ASCII intact
                assert payload["uri"] == expected["uri"] and payload["type"] == expected["type"]
                assert [a["name"] for a in payload.get("artists", [])] == [
                    a["name"] for a in expected.get("artists", [])
                ]
                if expected["type"] == "track":
                    assert payload["album"]["release_date"] == expected["album"]["release_date"]
                    assert payload["is_local"] == expected["is_local"]
                    if mode == "extended" and "popularity" in expected:
                        assert payload["popularity"] == expected["popularity"]
                assert not set(HEAVY) & _keys(payload)


def test_next_links_to_another_host_are_not_followed(tmp_path):
    """A `next` pointing elsewhere would receive the bearer token: the playlist fails."""
    catalogue = Catalogue(seed=11, playlists=1, sizes=(80,))
    (playlist_id,) = catalogue.user_playlist_ids
    evil = json.dumps(
        {
            "href": "x",
            "items": [{}] * 50,
            "limit": 50,
            "offset": 0,
            "total": 80,
            "next": "http://203.0.113.9/v1/playlists/x/items?offset=50",
            "previous": None,
        }
    ).encode()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(path=f"{playlist_id}/items", body=evil))
        config = config_for(server, max_concurrency=1)
        summary = extract_playlists(config, [playlist_id], LocalDirectorySink(tmp_path))
    (failure,) = summary["playlists_failed"]
    assert failure["reason"] == "bad_response" and "leaves the configured API" in failure["message"]
    assert landed_files(tmp_path) == []


def test_document_keys_are_safe(tmp_path):
    catalogue = Catalogue(seed=11, playlists=2, sizes=(3, 4))
    ids = catalogue.user_playlist_ids
    with fake_server(catalogue) as server:
        summary = extract_playlists(config_for(server), ids, LocalDirectorySink(tmp_path))
    # A failed extraction lands no keys, and the loop below would then check nothing.
    assert summary["playlists_ok"] == ids, summary["playlists_failed"]
    assert summary["playlists_failed"] == []
    assert len(summary["keys"]) == len(ids) == 2
    for key in summary["keys"]:
        assert re.fullmatch(
            r"snapshot_date=\d{4}-\d\d-\d\d/playlist_id=\w+/\w+_\d{8}T\d{12}Z\.json\.gz", key
        )


@pytest.mark.parametrize("max_concurrency", [1, 4])
def test_odd_entries_are_landed_as_sent_and_counted(tmp_path, caplog, max_concurrency):
    """Entries that are null, not objects, or objects without an entry's fields used to fail
    the playlist (`bad_response`) every week they stayed: they are landed as sent now."""
    catalogue = Catalogue(seed=9, playlists=2, sizes=(130, 20))
    odd_playlist, plain = catalogue.user_playlist_ids
    expected = catalogue.entries(odd_playlist, 0)
    with fake_server(catalogue) as server:
        # The second page request of the playlist (offset 50 or 100) gets the odd entries.
        fault = server.add_fault(
            Fault(path=f"{odd_playlist}/items", after=1, odd_entries=dict(enumerate(ODD_ENTRIES)))
        )
        config = config_for(server, max_concurrency=max_concurrency)
        summary = extract_playlists(config, [odd_playlist, plain], LocalDirectorySink(tmp_path))
    assert fault.hits == 1
    assert summary["playlists_ok"] == [odd_playlist, plain]
    (path,) = [f for f in landed_files(tmp_path) if f"playlist_id={odd_playlist}/" in str(f)]
    container = read_document(path)["playlist"]["items"]
    entries = container["items"]
    assert container["total"] == len(entries) == len(expected)
    changed = [i for i, e in enumerate(entries) if not isinstance(e, dict) or "item" not in e]
    start = changed[0]
    assert start in (50, 100) and changed == list(range(start, start + len(ODD_ENTRIES)))
    assert entries[start : start + len(ODD_ENTRIES)] == list(ODD_ENTRIES)  # exactly as sent
    # The others are the catalogue's, in order.
    kept = [e for i, e in enumerate(entries) if i not in changed]
    original = [e for i, e in enumerate(expected) if i not in changed]
    assert _payload_uris(kept, "item") == _payload_uris(original, "track")
    # Counted with the contract's rule (the Glue job's malformed_entry), and logged.
    malformed = sum(entry_kind(e) == "malformed_entry" for e in entries)
    assert malformed == len(ODD_ENTRIES)
    by_playlist = {s["playlist_id"]: s["entries_malformed"] for s in summary["snapshots"]}
    assert by_playlist == {odd_playlist: malformed, plain: 0}
    assert summary["entries_malformed"] == malformed
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert warning.playlist_id == odd_playlist and warning.entries_malformed == malformed


def test_a_page_that_is_itself_broken_still_fails_the_playlist(tmp_path):
    catalogue = Catalogue(seed=9, playlists=2, sizes=(130, 20))
    broken, plain = catalogue.user_playlist_ids
    with fake_server(catalogue) as server:
        body = json.dumps({"href": "x", "items": {"0": {}}, "total": 130, "offset": 0}).encode()
        server.add_fault(Fault(200, path=f"{broken}/items", times=None, body=body))
        summary = extract_playlists(
            config_for(server), [broken, plain], LocalDirectorySink(tmp_path)
        )
    assert summary["playlists_ok"] == [plain]
    (failure,) = summary["playlists_failed"]
    assert (failure["playlist_id"], failure["reason"]) == (broken, "bad_response")
    assert "lacks items or total" in failure["message"]


def test_the_extractors_entry_fields_are_the_jobs():
    from extract_lambda.extract import ENTRY_FIELDS
    from glue_jobs.schemas import ENTRY_FIELDS as JOB_ENTRY_FIELDS
    from tests.oracle import ENTRY_FIELDS as ORACLE_ENTRY_FIELDS

    assert ENTRY_FIELDS == JOB_ENTRY_FIELDS == ORACLE_ENTRY_FIELDS
