"""The fake's ``GET /tracks/{id}`` (and ``GET /tracks?ids=``) validate against the real
OpenAPI specs: development mode against ``spotify-openapi-2026-05.yml``, extended mode
against ``spotify-openapi-2025-10.yml``, strictly (no exemptions: a track served by id is no
local file), by path and status. Same validator and adjustments as
test_fake_spotify_openapi.py, whose ``Spec`` this reuses."""

from __future__ import annotations

import json

import pytest

from tests.contract.test_fake_spotify_openapi import (
    SPEC_2025,
    SPEC_2026,
    Spec,
    _get,
    _load,
    serving,
)
from tools.fake_spotify import Catalogue, Fault

REMOVED = "0" * 22
NO_ISRC = "1" * 22
DESCRIBED = "2" * 22
ANY_IDS = ["0VjIjW4GlUZAMYd2vXMi3b", "4uLU6hMCjMI75M1A2tKUQC", "zzzzzzzzzzzzzzzzzzzzzz"]


def _catalogue() -> Catalogue:
    catalogue = Catalogue(
        seed=7, playlists=2, editorial=0, not_owned=0, removed_tracks={REMOVED},
        tracks_without_isrc={NO_ISRC},
    )  # fmt: skip
    catalogue.describe_tracks({DESCRIBED: ("Song, Pt. 2", ["Tyler, The Creator", "Kali Uchis"])})
    return catalogue


CATALOGUE = _catalogue()
PLAYLIST_TRACK = next(
    e["track"] for e in CATALOGUE.entries(CATALOGUE.user_playlist_ids[1], 3) if e["track"]
)


@pytest.fixture(scope="module")
def specs(shared_spotify) -> dict[str, Spec]:
    return {
        "2026": Spec(_load(str(shared_spotify), SPEC_2026)),
        "2025": Spec(_load(str(shared_spotify), SPEC_2025)),
    }


development = serving(CATALOGUE, "development", "client_credentials")
extended = serving(CATALOGUE, "extended", "client_credentials")


def _valid(spec: Spec, schema, body) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in spec.errors(schema, body)]
    assert errors == []


def test_development_tracks_validate_and_lack_what_2026_removed(specs, development):
    schema = specs["2026"].response_schema("/tracks/{id}", 200)
    for track_id in [*ANY_IDS, PLAYLIST_TRACK["id"], NO_ISRC, DESCRIBED]:
        response = _get(development, f"/tracks/{track_id}", market="US")
        assert response.status_code == 200
        body = response.json()
        _valid(specs["2026"], schema, body)
        assert body["id"] == track_id and body["type"] == "track"
        assert not {"popularity", "available_markets", "linked_from"} & set(body)
        assert not {"episode", "track"} & set(body)  # playlist-entry quirks only
    assert _get(development, f"/tracks/{NO_ISRC}").json()["external_ids"] == {}
    assert _get(development, f"/tracks/{ANY_IDS[0]}").json()["external_ids"]["isrc"]


def test_a_playlist_track_is_the_same_track_by_id(development):
    body = _get(development, f"/tracks/{PLAYLIST_TRACK['id']}").json()
    expected = {
        k: v
        for k, v in PLAYLIST_TRACK.items()
        if k not in {"popularity", "available_markets", "linked_from", "episode", "track"}
    }
    assert body == json.loads(json.dumps(expected))  # tuples of the catalogue are JSON lists


def test_described_tracks_carry_the_chart_names(development):
    body = _get(development, f"/tracks/{DESCRIBED}").json()
    assert body["name"] == "Song, Pt. 2"
    assert [a["name"] for a in body["artists"]] == ["Tyler, The Creator", "Kali Uchis"]
    assert body["album"]["artists"] == body["artists"][:1]
    again = _get(development, f"/tracks/{DESCRIBED}").json()
    assert again == body


def test_any_id_resolves_deterministically_by_seed():
    first, second = Catalogue(seed=7), Catalogue(seed=7)
    assert first.track_by_id(ANY_IDS[0]) == second.track_by_id(ANY_IDS[0])
    assert first.track_by_id(ANY_IDS[0]) != Catalogue(seed=8).track_by_id(ANY_IDS[0])
    assert first.track_by_id(ANY_IDS[0])["id"] != first.track_by_id(ANY_IDS[1])["id"]


def test_extended_tracks_validate_against_2025_and_relink(specs, extended):
    schema = specs["2025"].response_schema("/tracks/{id}", 200)
    relinked = []
    for n in range(200):
        track_id = f"{n:04d}" + "r" * 18
        body = _get(extended, f"/tracks/{track_id}", market="US").json()
        _valid(specs["2025"], schema, body)
        assert "popularity" in body and "available_markets" in body
        if body["id"] != track_id:
            relinked.append((track_id, body))
    assert relinked, "some generated tracks are relinked with a market"
    for track_id, body in relinked:
        assert body["linked_from"]["id"] == track_id
        plain = _get(extended, f"/tracks/{track_id}").json()  # no market: no relinking
        assert plain["id"] == track_id and "linked_from" not in plain


def test_errors_validate(specs, development):
    spec = specs["2026"]
    removed = _get(development, f"/tracks/{REMOVED}")
    assert removed.status_code == 404
    _valid(spec, spec.component("responses", "NotFound"), removed.json())
    bad = _get(development, "/tracks/not-a-base62-id")
    assert bad.status_code == 400
    _valid(spec, spec.component("responses", "BadRequest"), bad.json())
    server, _ = development
    anonymous = _get((server, None), f"/tracks/{ANY_IDS[0]}")
    assert anonymous.status_code == 401
    _valid(spec, spec.response_schema("/tracks/{id}", 401), anonymous.json())
    fault = server.add_fault(Fault(429, path="/v1/tracks/", retry_after=7, times=1))
    limited = _get(development, f"/tracks/{ANY_IDS[0]}")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    _valid(spec, spec.response_schema("/tracks/{id}", 429), limited.json())
    server.add_fault(Fault(503, path="/v1/tracks/", times=1))
    assert _get(development, f"/tracks/{ANY_IDS[0]}").status_code == 503
    assert _get(development, f"/tracks/{ANY_IDS[0]}").status_code == 200
    assert fault.hits == 1


def test_several_tracks_is_403_in_development_and_served_in_extended(specs, development, extended):
    forbidden = _get(development, "/tracks", ids=",".join(ANY_IDS[:2]))
    assert forbidden.status_code == 403
    _valid(specs["2026"], specs["2026"].response_schema("/tracks", 403), forbidden.json())
    served = _get(extended, "/tracks", ids=",".join(ANY_IDS), market="US")
    assert served.status_code == 200
    _valid(specs["2025"], specs["2025"].response_schema("/tracks", 200), served.json())
    assert len(served.json()["tracks"]) == 3
    with_removed = _get(extended, "/tracks", ids=f"{ANY_IDS[0]},{REMOVED}").json()
    assert with_removed["tracks"][1] is None
