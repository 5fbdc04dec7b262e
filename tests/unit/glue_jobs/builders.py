"""Builders of raw snapshot documents (docs/data-contract.md section 2) and track documents
(docs/track-documents.md) for the Glue tests.

Tiny, explicit, and shaped like the real API: the fields Spotify sends, with the same
nesting, in either API shape (``items``/``item`` of 2026, legacy ``tracks``/``track``).
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any


def artist(artist_id: str | None, name: str) -> dict[str, Any]:
    return {
        "id": artist_id,
        "name": name,
        "type": "artist",
        "uri": f"spotify:artist:{artist_id}" if artist_id else None,
    }


def album(
    album_id: str | None,
    name: str,
    *,
    artists: list[dict] | None = None,
    release_date: str | None = "2020-05-01",
    precision: str | None = "day",
    album_type: str | None = "album",
    total_tracks: int = 10,
) -> dict[str, Any]:
    return {
        "id": album_id,
        "name": name,
        "uri": f"spotify:album:{album_id}" if album_id else None,
        "album_type": album_type,
        "release_date": release_date,
        "release_date_precision": precision,
        "total_tracks": total_tracks,
        "artists": artists if artists is not None else [],
        "images": [{"url": "https://i.scdn.co/image/x", "height": 64, "width": 64}],
        "type": "album",
    }


def track(
    track_id: str | None,
    name: str,
    *,
    album_obj: dict | None = None,
    artists: list[dict] | None = None,
    popularity: int | None = 50,
    duration_ms: int = 200_000,
    isrc: str | None = "USRC17607839",
    linked_from: str | None = None,
    is_local: bool = False,
    explicit: bool = False,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": track_id,
        "name": name,
        "uri": f"spotify:track:{track_id}" if track_id else None,
        "type": "track",
        "is_local": is_local,
        "duration_ms": duration_ms,
        "explicit": explicit,
        "disc_number": 1,
        "track_number": 3,
        "external_ids": {"isrc": isrc} if isrc else {},
        "album": album_obj if album_obj is not None else album("al1", "Album One"),
        "artists": artists if artists is not None else [artist("ar1", "Artist One")],
        "available_markets": ["US", "SE"],
        "episode": False,
        "track": True,
    }
    if popularity is not None:
        obj["popularity"] = popularity
    if linked_from:
        obj["linked_from"] = {"id": linked_from, "type": "track"}
    return obj


def local_track(name: str, artist_name: str) -> dict[str, Any]:
    """A local file as the API sends it: every id null, ``spotify:local:`` URI."""
    obj = track(
        None,
        name,
        album_obj=album(None, name, release_date=None, precision=None, album_type=None),
        artists=[artist(None, artist_name)],
        is_local=True,
        popularity=0,
        isrc=None,
    )
    obj["uri"] = f"spotify:local:{artist_name}:{name}:{name}:128"
    obj["disc_number"] = 0
    obj["track_number"] = 0
    return obj


def episode(episode_id: str, name: str, duration_ms: int = 1_800_000) -> dict[str, Any]:
    return {
        "id": episode_id,
        "name": name,
        "uri": f"spotify:episode:{episode_id}",
        "type": "episode",
        "duration_ms": duration_ms,
        "explicit": False,
        "release_date": "2022-05-18",
        "release_date_precision": "day",
        "description": "A long description, with commas, that the job ignores.",
        "show": {"id": "show1", "name": "A show", "publisher": "P"},
        "episode": True,
        "track": False,
    }


def entry(
    payload: dict | None,
    *,
    shape: str = "items",
    added_at: str | None = "2026-01-02T03:04:05Z",
    added_by: dict | str | None = "user1",
    is_local: bool | None = None,
    omit_payload: bool = False,
) -> dict[str, Any]:
    """A PlaylistTrackObject; ``added_by`` a user id, a dict, or None."""
    obj: dict[str, Any] = {
        "added_at": added_at,
        "added_by": {"id": added_by, "type": "user"} if isinstance(added_by, str) else added_by,
        "is_local": bool(payload and payload.get("is_local")) if is_local is None else is_local,
        "primary_color": None,
    }
    if not omit_payload:
        obj["item" if shape == "items" else "track"] = payload
    return obj


def document(
    playlist_id: str,
    extracted_at: str,
    entries: list[dict],
    *,
    shape: str = "items",
    name: str = "A playlist",
    snapshot_id: str = "snap1",
    total: int | None = None,
    contract_version: Any = 1,
    followers: int | None = 4,
) -> dict[str, Any]:
    """A complete raw snapshot document (``total`` defaults to the entry count)."""
    moment = datetime.strptime(extracted_at, "%Y-%m-%dT%H:%M:%S.%fZ")
    container = {"total": len(entries) if total is None else total, "items": entries}
    playlist: dict[str, Any] = {
        "id": playlist_id,
        "name": name,
        "description": "desc",
        "public": True,
        "collaborative": False,
        "snapshot_id": snapshot_id,
        "owner": {"id": "owner1", "display_name": "Owner Ünïcode"},
        "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist_id}"},
        shape: container,
    }
    if followers is not None:
        playlist["followers"] = {"total": followers}
    return {
        "contract_version": contract_version,
        "playlist_id": playlist_id,
        "extracted_at": extracted_at,
        "snapshot_date": moment.strftime("%Y-%m-%d"),
        "api_shape": shape,
        "request": {
            "api_url": "https://api.spotify.com/v1",
            "endpoint": f"/playlists/{{playlist_id}}/{shape}",
            "market": "US",
            "limit": 50,
            "fields": "items(added_at,added_by.id,is_local,item(...))",
            "pages": 1,
            "auth_mode": "refresh_token",
        },
        "playlist": playlist,
    }


def track_document(
    payload: dict[str, Any], extracted_at: str, /, *, track_id: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """A track document as extract_lambda/enrich.py lands it."""
    moment = datetime.strptime(extracted_at, "%Y-%m-%dT%H:%M:%S.%fZ")
    doc = {
        "contract_version": 1,
        "track_id": track_id or payload["id"],
        "extracted_at": extracted_at,
        "fetched_date": f"{moment:%Y-%m-%d}",
        "request": {
            "api_url": "https://api.spotify.com/v1",
            "endpoint": "/tracks/{id}",
            "market": "US",
            "auth_mode": "client_credentials",
            "run_id": "r1",
        },
        "track": payload,
    }
    doc.update(overrides)
    return doc


def raw_key(doc: dict[str, Any], suffix: str = ".json.gz") -> str:
    """The contract's raw key (relative to the raw root) for a document."""
    moment = datetime.strptime(doc["extracted_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    pid = doc["playlist_id"]
    return (
        f"snapshot_date={moment:%Y-%m-%d}/playlist_id={pid}/{pid}_{moment:%Y%m%dT%H%M%S%f}Z{suffix}"
    )


def write_raw(
    root: Path, rel: str, docs: list[dict] | bytes | str, *, gz: bool | None = None
) -> Path:
    """Write one raw file: documents (one JSON line each), gzipped when the name ends in
    ``.gz`` (or ``gz=True``); bytes or text are written exactly as given unless ``gz=True``."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(docs, bytes):
        data = docs
    elif isinstance(docs, str):
        data = docs.encode("utf-8")
    else:
        data = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")
    compress = gz if gz is not None else (rel.endswith(".gz") and isinstance(docs, list))
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path
