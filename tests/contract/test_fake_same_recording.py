"""The fake's one recording under several track ids (``describe_tracks(isrcs=...)``,
``same_recording``): the ids share the ISRC in ``external_ids`` and each still validates
against the OpenAPI specs; and the artists of described tracks: what the caller describes
comes before what a playlist carries, and one artist name is one id, the catalogue's where
it has an artist of that name."""

from __future__ import annotations

import pytest
import requests

from tests.contract.test_fake_spotify_openapi import SPEC_2025, SPEC_2026, Spec, _load, _token
from tools.fake_spotify import Catalogue, FakeSpotifyServer
from tools.fake_spotify.__main__ import build_parser

SINGLE = "3" * 22
ALBUM_VERSION = "4" * 22
REISSUE = "5" * 22
STRIPPED = "6" * 22
ISRC = "GBUM71505078"


def _catalogue() -> Catalogue:
    catalogue = Catalogue(
        seed=7, playlists=2, editorial=0, not_owned=0, tracks_without_isrc={STRIPPED}
    )
    catalogue.describe_tracks(
        {SINGLE: ("Heart, Pt. 2", ["Zoë Costa"]), ALBUM_VERSION: ("Heart, Pt. 2", ["Zoë Costa"])},
        isrcs={SINGLE: ISRC, ALBUM_VERSION: ISRC},
    )
    return catalogue


@pytest.fixture(scope="module")
def specs(shared_spotify) -> dict[str, Spec]:
    return {
        "2026": Spec(_load(str(shared_spotify), SPEC_2026)),
        "2025": Spec(_load(str(shared_spotify), SPEC_2025)),
    }


def _get(server, token, track_id: str) -> dict:
    response = requests.get(
        f"{server.api_url}/tracks/{track_id}",
        params={"market": "US"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("mode", "version"), [("development", "2026"), ("extended", "2025")])
def test_ids_of_one_recording_share_the_isrc_and_validate(specs, mode, version):
    catalogue = _catalogue()
    plain = "7" * 22
    shared = catalogue.same_recording([plain, REISSUE])
    spec = specs[version]
    schema = spec.response_schema("/tracks/{id}", 200)
    with FakeSpotifyServer(catalogue, mode=mode) as server:
        token = _token(server, "client_credentials")
        bodies = {t: _get(server, token, t) for t in (SINGLE, ALBUM_VERSION, plain, REISSUE)}
    for body in bodies.values():
        errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in spec.errors(schema, body)]
        assert errors == []
    assert bodies[SINGLE]["external_ids"] == {"isrc": ISRC}
    assert bodies[ALBUM_VERSION]["external_ids"] == {"isrc": ISRC}
    assert bodies[SINGLE]["id"] == SINGLE and bodies[ALBUM_VERSION]["id"] == ALBUM_VERSION
    # same_recording without an ISRC: the first id's own, given to the others.
    assert bodies[REISSUE]["external_ids"]["isrc"] == shared
    assert bodies[plain]["external_ids"]["isrc"] == shared
    assert shared == Catalogue(seed=7).track_by_id(plain)["external_ids"]["isrc"]
    assert catalogue.isrc_of(REISSUE) == shared


def test_an_id_without_isrc_stays_without_one_and_bad_isrcs_are_refused():
    catalogue = _catalogue()
    catalogue.same_recording([SINGLE, STRIPPED])
    assert catalogue.track_by_id(STRIPPED)["external_ids"] == {}
    with pytest.raises(ValueError, match="ISO 3901"):
        catalogue.describe_tracks({}, isrcs={REISSUE: "GB-UM7-15-05078"})
    with pytest.raises(ValueError, match="ISO 3901"):
        catalogue.same_recording([REISSUE, "8" * 22], isrc="QZ1")
    with pytest.raises(ValueError, match="at least two"):
        catalogue.same_recording([REISSUE, REISSUE])
    with pytest.raises(ValueError, match="artist name is empty"):
        catalogue.describe_tracks({REISSUE: ("x", ["A", " "])})
    # Nothing of a refused call was kept.
    assert catalogue.isrc_of(REISSUE) is None
    assert catalogue.track_by_id(REISSUE)["name"] != "x"


def test_the_command_line_serves_ids_as_one_recording():
    args = build_parser().parse_args(["--same-recording", f"{SINGLE}, {REISSUE}"])
    assert args.same_recording == [[SINGLE, REISSUE]]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--same-recording", SINGLE])


def test_a_described_track_comes_before_the_playlist_track_of_that_id():
    catalogue = Catalogue(seed=7, playlists=2, editorial=0, not_owned=0)
    entries = catalogue.entries(catalogue.user_playlist_ids[1], 3)
    carried = next(e["track"] for e in entries if e["track"])
    assert catalogue.track_by_id(carried["id"]) == carried  # not described: the playlist's
    catalogue.describe_tracks({carried["id"]: ("Another Name", ["Somebody Else Entirely"])})
    served = catalogue.track_by_id(carried["id"])
    assert served["id"] == carried["id"]
    assert served["name"] == "Another Name"
    assert [a["name"] for a in served["artists"]] == ["Somebody Else Entirely"]


def test_one_artist_name_is_one_id_the_catalogues_where_it_has_that_name():
    catalogue = Catalogue(seed=7, playlists=2, editorial=0, not_owned=0)
    # The catalogue's artists, numbered 0 (Various Artists) to 2,500; names repeat.
    first_id: dict[str, str] = {}
    homonyms = 0
    for number in range(2_501):
        artist = catalogue.artist(number)
        if artist["name"] in first_id:
            homonyms += 1
        first_id.setdefault(artist["name"], artist["id"])
    assert homonyms > 0  # why "the lowest-numbered": generated names are shared
    # An artist a playlist carries, whose name is another artist's first.
    entries = catalogue.entries(catalogue.user_playlist_ids[1], 3)
    carried = next(a for e in entries if e["track"] for a in e["track"]["artists"])
    name = carried["name"]
    unknown = "Nobody The Catalogue Knows"
    catalogue.describe_tracks(
        {
            SINGLE: ("One", [name]),
            ALBUM_VERSION: ("Two", [unknown, name]),
            REISSUE: ("Three", [unknown]),
        }
    )
    served = {t: catalogue.track_by_id(t)["artists"] for t in (SINGLE, ALBUM_VERSION, REISSUE)}
    assert served[SINGLE][0]["id"] == first_id[name]
    assert served[ALBUM_VERSION][1]["id"] == first_id[name]
    assert served[ALBUM_VERSION][0]["id"] == served[REISSUE][0]["id"]
    assert served[REISSUE][0]["id"] not in first_id.values()
    assert served[SINGLE][0]["uri"] == f"spotify:artist:{first_id[name]}"
