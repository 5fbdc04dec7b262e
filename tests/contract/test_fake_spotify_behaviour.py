"""The fake's own behaviour: the fields filter, the catalogue, pagination, auth, faults, CLI."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.extract.support import access_token
from tools.fake_spotify import (
    ODD_ENTRIES,
    Catalogue,
    FakeSpotifyServer,
    Fault,
    FieldsSyntaxError,
    apply_fields,
    parse_fields,
)
from tools.fake_spotify import server as server_module
from tools.fake_spotify.__main__ import build_parser

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# -- fields ---------------------------------------------------------------------------------

TRACK = {
    "name": 'A, "B"',
    "href": "h",
    "popularity": 3,
    "album": {"name": "Al", "href": "ah", "images": [1], "available_markets": ["US"]},
    "artists": [{"id": "a1", "name": "x", "uri": "u1"}, {"id": "a2", "name": "y", "uri": "u2"}],
    "external_ids": {"isrc": "I", "ean": "E"},
    "linked_from": None,
}
PAGE = {
    "total": 2,
    "limit": 50,
    "next": None,
    "items": [
        {"added_at": "t", "added_by": {"id": "u", "type": "user"}, "track": TRACK},
        {"added_at": "t2", "added_by": None, "track": None},
    ],
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("total,limit", {"total": 2, "limit": 50}),
        ("items(added_by.id)", {"items": [{"added_by": {"id": "u"}}, {"added_by": None}]}),
        (
            "items(track(name,album(name,href)))",
            {
                "items": [
                    {"track": {"name": 'A, "B"', "album": {"name": "Al", "href": "ah"}}},
                    {"track": None},
                ]
            },
        ),
        (
            "items.track.album(!images,!available_markets)",
            {"items": [{"track": {"album": {"name": "Al", "href": "ah"}}}, {"track": None}]},
        ),
        (
            "items(track(artists(id),external_ids(isrc),linked_from(id)))",
            {
                "items": [
                    {
                        "track": {
                            "artists": [{"id": "a1"}, {"id": "a2"}],
                            "external_ids": {"isrc": "I"},
                            "linked_from": None,
                        }
                    },
                    {"track": None},
                ]
            },
        ),
        ("next,missing", {"next": None}),
        (
            "items(added_at),items(track(href))",
            {
                "items": [
                    {"added_at": "t", "track": {"href": "h"}},
                    {"added_at": "t2", "track": None},
                ]
            },
        ),
        ("total,items", {"total": 2, "items": PAGE["items"]}),
    ],
)
def test_fields_filter(fields, expected):
    assert apply_fields(PAGE, parse_fields(fields)) == expected


@pytest.mark.parametrize("fields", ["", "items(", "items)", "a,,b", "!a.b", "a(b))", "a b(", "é"])
def test_fields_syntax_errors(fields):
    with pytest.raises(FieldsSyntaxError):
        parse_fields(fields)


names = st.sampled_from(["a", "b", "c", "d"])
values = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(values, st.lists(names, min_size=1, max_size=3, unique=True))
def test_filtering_keeps_only_selected_keys_and_never_invents_values(value, selected):
    result = apply_fields(value, parse_fields(",".join(selected)))
    if isinstance(value, dict):
        assert set(result) == set(value) & set(selected)
        assert all(result[k] == value[k] for k in result)
    elif isinstance(value, list):
        assert len(result) == len(value)
    else:
        assert result == value


# -- catalogue ------------------------------------------------------------------------------


def test_catalogue_is_deterministic_by_seed():
    one, two, other = Catalogue(seed=3), Catalogue(seed=3), Catalogue(seed=4)
    assert one.user_playlist_ids == two.user_playlist_ids != other.user_playlist_ids
    playlist_id = one.user_playlist_ids[2]
    assert one.entries(playlist_id, 5) == two.entries(playlist_id, 5)
    assert (
        len(one.user_playlist_ids) == 20
        and len(one.editorial_ids) == 3
        and len(one.not_owned_ids) == 3
    )
    assert all(len(i) == 22 and i.isalnum() for i in one.specs)


def test_catalogue_has_the_awkward_data_real_playlists_have():
    catalogue = Catalogue(seed=7)
    payloads = [
        e["track"] for pid in catalogue.user_playlist_ids for e in catalogue.entries(pid, 0)
    ]
    tracks = [p for p in payloads if p and p["type"] == "track" and not p["is_local"]]
    assert any(p is None for p in payloads)
    assert any(p and p["is_local"] for p in payloads)
    assert any(p and p["type"] == "episode" for p in payloads)
    assert {t["album"]["release_date_precision"] for t in tracks} == {"year", "month", "day"}
    assert {t["album"]["album_type"] for t in tracks} == {"album", "single", "compilation"}
    assert any(len(t["artists"]) > 1 for t in tracks)
    assert any(
        {a["id"] for a in t["artists"]} != {a["id"] for a in t["album"]["artists"]} for t in tracks
    )
    assert any("," in t["name"] for t in tracks) and any('"' in t["name"] for t in tracks)
    assert any(not t["name"].isascii() for t in tracks)
    assert any("linked_from" in t for t in tracks)
    for pid in catalogue.user_playlist_ids:
        entries = catalogue.entries(pid, 0)
        ids = [e["track"]["id"] for e in entries if e["track"] and e["track"]["id"]]
        if len(ids) != len(set(ids)):
            break
    else:
        pytest.fail("no playlist has the same track twice")
    precision_ok = {"year": 4, "month": 7, "day": 10}
    assert all(
        len(t["album"]["release_date"]) == precision_ok[t["album"]["release_date_precision"]]
        for t in tracks
    )


def test_weekly_evolution_is_chart_like():
    catalogue = Catalogue(seed=7, playlists=3, sizes=(50, 100, 200), weeks=26)
    for playlist_id in catalogue.user_playlist_ids:
        charts = [[s.key for s in catalogue.chart(playlist_id, w)] for w in range(26)]
        size = catalogue.specs[playlist_id].size
        assert all(len(c) == size for c in charts)
        for before, after in itertools.pairwise(charts):
            overlap = len(set(before) & set(after))
            assert 0.5 * size < overlap < size  # songs enter and fall off every week
        # A song's chart life: it enters, and leaves some weeks later.
        lives = {}
        for week, chart in enumerate(charts):
            for key in chart:
                lives.setdefault(key, []).append(week)
        spans = [
            weeks[-1] - weeks[0] + 1 for weeks in lives.values() if weeks[0] > 0 and weeks[-1] < 25
        ]
        assert spans and max(spans) <= 14 and min(spans) >= 1
        # Climbing: some song improves its position from its first week to a later one.
        climbed = any(
            charts[w + 1].index(k) < charts[w].index(k)
            for w in range(25)
            for k in set(charts[w]) & set(charts[w + 1])
        )
        assert climbed


def test_large_playlist_is_generated_at_start_and_served_by_slicing(monkeypatch):
    catalogue = Catalogue(seed=7, playlists=1, large_playlist_items=5_000)
    large = catalogue.large_playlist_id
    # The week's chart of 5,000 songs plus the playlist's non-chart entries (module docs).
    expected_total = 5_000 + len(catalogue.specs[large].extras)
    read, entries = [], catalogue.entries

    def recording_entries(playlist_id, week):
        read.append((playlist_id, week))
        return entries(playlist_id, week)

    monkeypatch.setattr(catalogue, "entries", recording_entries)
    with FakeSpotifyServer(catalogue) as server:
        # start() generated the large playlist's week (the first read of a week generates
        # it; later reads are cached), and no other playlist is big enough to need it.
        assert read == [(large, 0)]
        page = requests.get(
            f"{server.api_url}/playlists/{large}/items",
            params={"offset": 4_950, "limit": 50},
            headers={"Authorization": f"Bearer {access_token(server)}"},
            timeout=30,
        )
    assert page.status_code == 200
    body = page.json()
    wanted = entries(large, 0)[4_950:5_000]
    assert (body["total"], body["offset"], body["limit"]) == (expected_total, 4_950, 50)
    assert len(body["items"]) == 50
    assert [e["added_at"] for e in body["items"]] == [e["added_at"] for e in wanted]
    assert [e["track"] and e["track"]["uri"] for e in body["items"]] == [
        e["track"] and e["track"]["uri"] for e in wanted
    ]


# -- server ---------------------------------------------------------------------------------


def test_pagination_links_cover_every_entry_once():
    catalogue = Catalogue(seed=9, playlists=1, sizes=(101,))
    (playlist_id,) = catalogue.user_playlist_ids
    with FakeSpotifyServer(catalogue) as server:
        headers = {"Authorization": f"Bearer {access_token(server)}"}
        url = f"{server.api_url}/playlists/{playlist_id}/items?limit=50&market=SE&fields=total,next,items(added_at)"
        seen, pages = [], 0
        while url:
            body = requests.get(url, headers=headers, timeout=10).json()
            seen.extend(body["items"])
            url = body["next"]
            pages += 1
            if url:
                assert "market=SE" in url and "fields=" in url
    expected = catalogue.entries(playlist_id, 0)
    assert pages == 3 and len(seen) == len(expected)
    assert [e["added_at"] for e in seen] == [e["added_at"] for e in expected]


def test_token_endpoint_checks_the_client_and_the_grant():
    with FakeSpotifyServer(Catalogue(seed=9, playlists=1)) as server:
        bad_client = requests.post(
            server.auth_url, data={"grant_type": "client_credentials"}, auth=("x", "y"), timeout=10
        )
        assert bad_client.status_code == 400 and bad_client.json()["error"] == "invalid_client"
        bad_grant = requests.post(
            server.auth_url,
            data={"grant_type": "refresh_token", "refresh_token": "nope"},
            auth=(server.client_id, server.client_secret),
            timeout=10,
        )
        assert bad_grant.json()["error"] == "invalid_grant"
        form = requests.post(
            server.auth_url,
            data={
                "grant_type": "client_credentials",
                "client_id": server.client_id,
                "client_secret": server.client_secret,
            },
            timeout=10,
        )
        assert form.status_code == 200 and form.json()["access_token"].startswith("fake-app-")


def test_faults_hit_the_matching_requests_the_given_number_of_times():
    catalogue = Catalogue(seed=9, playlists=2, sizes=(10, 10))
    first, second = catalogue.user_playlist_ids
    fault = Fault(503, path=first, after=1, times=2)
    with FakeSpotifyServer(catalogue, faults=[fault]) as server:
        headers = {"Authorization": f"Bearer {access_token(server)}"}
        statuses = [
            requests.get(
                f"{server.api_url}/playlists/{pid}/items", headers=headers, timeout=10
            ).status_code
            for pid in (first, second, first, first, first)
        ]
    assert statuses == [200, 200, 503, 503, 200]
    assert (fault.seen, fault.hits) == (4, 2)


def test_latency_is_added_to_every_request(monkeypatch):
    # The server's sleeps are recorded instead of slept: which requests wait, and how long,
    # without measuring time (speed is measured by `make bench` only).
    slept: list[float] = []
    monkeypatch.setattr(
        server_module, "time", SimpleNamespace(sleep=slept.append, monotonic=time.monotonic)
    )
    catalogue = Catalogue(seed=9, playlists=1, sizes=(10,))
    (playlist_id,) = catalogue.user_playlist_ids
    with FakeSpotifyServer(catalogue, latency_s=0.2) as server:
        headers = {"Authorization": f"Bearer {access_token(server)}"}
        statuses = [
            requests.get(f"{server.api_url}{path}", headers=headers, timeout=10).status_code
            for path in (
                f"/playlists/{playlist_id}/items",
                f"/playlists/{playlist_id}",
                f"/playlists/{playlist_id}/tracks",  # development mode: 403
                "/me",  # not served: 404
            )
        ]
        unauthorised = requests.get(f"{server.api_url}/playlists/{playlist_id}", timeout=10)
        recorded = server.requests
    assert statuses == [200, 200, 403, 404] and unauthorised.status_code == 401
    # The token request, the four above and the unauthorised one: six, each 0.2 s later.
    assert len(recorded) == 6
    assert slept == [0.2] * 6


def test_requests_are_served_concurrently():
    catalogue = Catalogue(seed=9, playlists=1, sizes=(10,))
    (playlist_id,) = catalogue.user_playlist_ids
    # Every request to the playlist waits in its handler until all eight are there: only a
    # server handling them at the same time lets them through. One that handled them one
    # by one would break the barrier (after its timeout) and answer none of them.
    barrier = threading.Barrier(8, timeout=10)
    fault = Fault(path=playlist_id, times=None, action=barrier.wait)
    with FakeSpotifyServer(catalogue, faults=[fault]) as server:
        headers = {"Authorization": f"Bearer {access_token(server)}"}
        url = f"{server.api_url}/playlists/{playlist_id}/items"

        def fetch(_: int) -> int | str:
            try:
                return requests.get(url, headers=headers, timeout=30).status_code
            except requests.RequestException as error:
                return type(error).__name__

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(fetch, range(8)))
    assert statuses == [200] * 8
    assert (fault.hits, barrier.broken) == (8, False)


def test_week_switching_and_bounds():
    catalogue = Catalogue(seed=9, playlists=1, sizes=(30,), weeks=4)
    (playlist_id,) = catalogue.user_playlist_ids
    with FakeSpotifyServer(catalogue) as server:
        headers = {"Authorization": f"Bearer {access_token(server)}"}

        def snapshot():
            return requests.get(
                f"{server.api_url}/playlists/{playlist_id}",
                params={"fields": "snapshot_id"},
                headers=headers,
                timeout=10,
            ).json()["snapshot_id"]

        week0 = snapshot()
        server.set_week(3)
        assert snapshot() != week0
        assert requests.post(f"{server.base_url}/_fake/week/0", timeout=10).json() == {"week": 0}
        assert snapshot() == week0
        with pytest.raises(ValueError):
            server.set_week(4)


def test_fault_parsing_of_the_command_line():
    fault = Fault.parse("429:retry_after=2:times=3:path=/items:reason=QUOTA_EXCEEDED")
    assert (fault.status, fault.retry_after, fault.times, fault.path, fault.reason) == (
        429,
        2,
        3,
        "/items",
        "QUOTA_EXCEEDED",
    )
    assert Fault.parse("503:times=0").times is None
    assert Fault.parse("delay:delay_s=1.5").delay_s == 1.5 and Fault.parse("disconnect").disconnect
    odd = Fault.parse("odd_entries:path=/items:after=1")
    assert odd.odd_entries == dict(enumerate(ODD_ENTRIES)) and odd.status is None
    assert (odd.path, odd.after, odd.times) == ("/items", 1, 1)
    with pytest.raises(ValueError):
        Fault.parse("500:colour=red")
    args = build_parser().parse_args(["--port", "0", "--fault", "503:times=2", "--playlists", "3"])
    assert args.fault[0].status == 503 and args.playlists == 3


def test_runnable_module_serves_and_prints_the_environment():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.fake_spotify",
            "--port",
            "0",
            "--playlists",
            "2",
            "--weeks",
            "3",
            "--seed",
            "7",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(5)]
        env = dict(line.removeprefix("export ").strip().split("=", 1) for line in lines)
        assert set(env) == {
            "SPOTIFY_API_URL", "SPOTIFY_AUTH_URL", "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET",
            "SPOTIFY_REFRESH_TOKEN",
        }  # fmt: skip
        token = requests.post(
            env["SPOTIFY_AUTH_URL"],
            data={"grant_type": "client_credentials"},
            auth=(env["SPOTIFY_CLIENT_ID"], env["SPOTIFY_CLIENT_SECRET"]),
            timeout=10,
        )
        assert token.status_code == 200
        assert env["SPOTIFY_API_URL"].startswith("http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(timeout=10)
