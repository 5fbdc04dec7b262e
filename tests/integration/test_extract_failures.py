"""The failure matrix against the fake on loopback, with a patched clock (no real sleeping).

404/403 are permanent (no retry, one clear line, the others go on); 429 honours Retry-After
within the deadline and stops the run beyond it; QUOTA_EXCEEDED stops the run; 5xx,
timeouts, dropped connections and broken bodies get bounded, jittered backoff.
"""

from __future__ import annotations

import random
import time

import pytest

from extract_lambda.extract import extract_playlists
from extract_lambda.storage import LocalDirectorySink
from tests.fixtures.extract.support import FakeClock, config_for, fake_server, landed_files
from tools.fake_spotify import Catalogue, Fault


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue(seed=21, playlists=3, sizes=(120, 30, 20), editorial=1, not_owned=1)


def _page_requests(server, playlist_id):
    return [r for r in server.requests if r.path == f"/v1/playlists/{playlist_id}/items"]


def _failures(summary):
    return {f["playlist_id"]: f["reason"] for f in summary["playlists_failed"]}


def test_404_and_403_are_permanent_with_one_clear_line_and_the_rest_goes_on(
    catalogue, tmp_path, caplog
):
    (editorial,) = catalogue.editorial_ids
    (other,) = catalogue.not_owned_ids
    first, second, _ = catalogue.user_playlist_ids
    clock = FakeClock()
    with fake_server(catalogue) as server:
        summary = extract_playlists(
            config_for(server),
            [editorial, first, other, second],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(600),
        )
        editorial_calls = [r for r in server.requests if editorial in r.path]
        other_calls = _page_requests(server, other)
    assert summary["playlists_ok"] == [first, second]
    assert _failures(summary) == {editorial: "not_found", other: "forbidden"}
    assert len(editorial_calls) == 1 and len(other_calls) == 1, "no retry of 404/403"
    assert clock.sleeps == []
    lines = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    (line_404,) = [m for m in lines if editorial in m]
    (line_403,) = [m for m in lines if other in m]
    assert "editorial" in line_404 and "404" in line_404
    assert "not owned by the authorising user" in line_403 and "403" in line_403
    assert len(landed_files(tmp_path)) == 2


def test_429_waits_for_retry_after_within_the_deadline(catalogue, tmp_path):
    playlist_id = catalogue.user_playlist_ids[0]
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(429, path=f"{playlist_id}/items", retry_after=7, times=2))
        summary = extract_playlists(
            config_for(server, max_concurrency=1),
            [playlist_id],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(60),
        )
        statuses = [r.status for r in _page_requests(server, playlist_id)]
    assert summary["playlists_ok"] == [playlist_id]
    assert statuses == [429, 429, 200, 200, 200]
    assert clock.sleeps == [7, 7]
    assert summary["retries"] == 2 and summary["waited_s"] == 14


def test_429_pauses_every_page_worker_not_just_the_one_that_got_it(catalogue, tmp_path):
    playlist_id = catalogue.user_playlist_ids[0]
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(429, path=f"{playlist_id}/items", retry_after=5, after=1, times=1))
        summary = extract_playlists(
            config_for(server, max_concurrency=4),
            [playlist_id],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(60),
        )
    assert summary["playlists_ok"] == [playlist_id]
    assert clock.sleeps and max(clock.sleeps) <= 5
    assert sum(clock.sleeps) >= 5


def test_429_longer_than_the_deadline_stops_the_run_without_sleeping(catalogue, tmp_path, caplog):
    first, second, third = catalogue.user_playlist_ids
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(429, path=f"{second}/items", retry_after=3600, times=None))
        summary = extract_playlists(
            config_for(server),
            [first, second, third],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(120),
        )
        second_calls = _page_requests(server, second)
        third_calls = [r for r in server.requests if third in r.path]
    assert clock.sleeps == [], "never sleeps past the deadline"
    assert summary["playlists_ok"] == [first]
    assert _failures(summary) == {second: "rate_limited", third: "not_attempted"}
    assert summary["stopped"]["reason"] == "rate_limited"
    assert "3600s" in summary["stopped"]["message"]
    assert len(second_calls) == 1 and third_calls == []
    assert "extraction stopped (rate_limited)" in caplog.text


def test_quota_exceeded_stops_the_run_at_once(catalogue, tmp_path, caplog):
    first, second, _ = catalogue.user_playlist_ids
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(
            Fault(429, path="/items", retry_after=10, reason="QUOTA_EXCEEDED", times=None)
        )
        summary = extract_playlists(
            config_for(server),
            [first, second],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(600),
        )
        page_calls = [r for r in server.requests if r.path.endswith("/items")]
    assert len(page_calls) == 1 and clock.sleeps == []
    assert _failures(summary) == {first: "quota_exceeded", second: "not_attempted"}
    assert summary["stopped"]["reason"] == "quota_exceeded"
    assert "QUOTA_EXCEEDED" in caplog.text and "quota" in summary["stopped"]["message"]


def test_5xx_gets_jittered_exponential_backoff_then_succeeds(catalogue, tmp_path):
    playlist_id = catalogue.user_playlist_ids[1]
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(503, path=f"{playlist_id}/items", times=3))
        summary = extract_playlists(
            config_for(server, backoff_base_s=1.0, backoff_max_s=3.0),
            [playlist_id],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(300),
            rng=random.Random(4),
        )
        statuses = [r.status for r in _page_requests(server, playlist_id)]
    assert summary["playlists_ok"] == [playlist_id]
    assert statuses == [503, 503, 503, 200]
    assert len(clock.sleeps) == 3
    # Full jitter under a doubling, capped ceiling: 1, 2, then 3 (cap).
    for sleep, ceiling in zip(clock.sleeps, (1.0, 2.0, 3.0), strict=True):
        assert 0 <= sleep <= ceiling
    assert len(set(clock.sleeps)) == 3


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (503, b'{"error": "server_error"}', "ok"),  # OAuth-style error, transient
        (502, b'["bad gateway"]', "ok"),  # a gateway's JSON
        (404, b'{"error": "not found"}', "not_found"),  # still permanent, not retried
    ],
)
def test_error_bodies_spotipy_cannot_read_keep_their_status(
    catalogue, tmp_path, status, body, outcome
):
    """spotipy raises AttributeError on an error body that is not {"error": {...}}; the
    status decides what happens, as for any other error."""
    playlist_id = catalogue.user_playlist_ids[1]
    with fake_server(catalogue) as server:
        server.add_fault(Fault(status, path=f"{playlist_id}/items", times=1, body=body))
        summary = extract_playlists(
            config_for(server),
            [playlist_id],
            LocalDirectorySink(tmp_path),
            deadline=FakeClock().deadline(300),
        )
        statuses = [r.status for r in _page_requests(server, playlist_id)]
    if outcome == "ok":
        assert summary["playlists_ok"] == [playlist_id]
        assert statuses[:2] == [status, 200]
    else:
        assert _failures(summary) == {playlist_id: outcome}
        assert statuses == [status]
        assert f"HTTP {status}" in summary["playlists_failed"][0]["message"]


def test_persistent_5xx_fails_that_playlist_after_bounded_attempts(catalogue, tmp_path):
    first, second, _ = catalogue.user_playlist_ids
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(500, path=f"{first}/items", times=None))
        summary = extract_playlists(
            config_for(server, max_attempts=4),
            [first, second],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(600),
        )
        first_calls = _page_requests(server, first)
    assert len(first_calls) == 4 and len(clock.sleeps) == 3
    assert _failures(summary) == {first: "server_error"}
    assert "gave up after 4 attempts" in summary["playlists_failed"][0]["message"]
    assert summary["playlists_ok"] == [second]


def test_backoff_never_sleeps_past_the_deadline(catalogue, tmp_path):
    playlist_id = catalogue.user_playlist_ids[2]
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(502, path=f"{playlist_id}/items", times=None))
        summary = extract_playlists(
            config_for(server, backoff_base_s=8.0, backoff_max_s=8.0),
            [playlist_id],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(10),
            rng=random.Random(0),
        )
    assert sum(clock.sleeps) <= 10
    assert _failures(summary)[playlist_id] in ("server_error", "deadline")


@pytest.mark.parametrize(
    ("fault", "logged"),
    [
        (Fault(delay_s=1.0), "timed out while reading items"),
        (Fault(disconnect=True), "connection failed while reading items"),
        (Fault(200, body=b'{"href": "x", "items": [{"added_at"'), "a response that is not JSON"),
    ],
)
def test_timeouts_dropped_connections_and_broken_bodies_are_retried(
    catalogue, tmp_path, fault, logged, caplog
):
    playlist_id = catalogue.user_playlist_ids[2]
    fault.path = f"{playlist_id}/items"
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(fault)
        summary = extract_playlists(
            config_for(server, request_timeout_s=0.3),
            [playlist_id],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(60),
        )
    assert summary["playlists_ok"] == [playlist_id]
    assert summary["retries"] == 1 and len(clock.sleeps) == 1
    assert logged in caplog.text


def test_spotipy_does_not_retry_or_sleep_on_its_own(catalogue, tmp_path):
    """With spotipy's default session a 429 would be retried 3 times, sleeping Retry-After."""
    playlist_id = catalogue.user_playlist_ids[2]
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(Fault(429, path=f"{playlist_id}/items", retry_after=2, times=None))
        started = time.monotonic()
        summary = extract_playlists(
            config_for(server, max_attempts=1),
            [playlist_id],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(60),
        )
        elapsed = time.monotonic() - started
        calls = _page_requests(server, playlist_id)
    assert len(calls) == 1
    assert elapsed < 1.9, "no hidden real sleep of Retry-After"
    assert summary["stopped"]["reason"] == "rate_limited"


def test_wrong_refresh_token_stops_the_run_before_any_playlist(catalogue, tmp_path):
    clock = FakeClock()
    with fake_server(catalogue) as server:
        config = config_for(server)
        server.refresh_token = "another-refresh-token"  # revoked / issued to another app
        summary = extract_playlists(
            config,
            catalogue.user_playlist_ids[:2],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(60),
        )
        api_calls = [r for r in server.requests if r.path.startswith("/v1/")]
    assert api_calls == []
    assert summary["stopped"]["reason"] == "auth_failed"
    assert "invalid_grant" in summary["stopped"]["message"]
    assert "make spotify-auth" in summary["stopped"]["message"]
    assert set(_failures(summary).values()) == {"auth_failed", "not_attempted"}


def test_expired_token_mid_run_is_refreshed_once(catalogue, tmp_path):
    first, second, _ = catalogue.user_playlist_ids
    with fake_server(catalogue) as server:
        server.add_fault(Fault(path=f"{second}/items", action=server.expire_tokens))
        summary = extract_playlists(
            config_for(server), [first, second], LocalDirectorySink(tmp_path)
        )
        token_calls = [r for r in server.requests if r.path == "/api/token"]
        statuses = [r.status for r in _page_requests(server, second)]
    assert summary["playlists_ok"] == [first, second]
    assert len(token_calls) == 2 and statuses[0] == 401


def _first_playlist_with_a_token_fault(catalogue, tmp_path, fault):
    """Extract one playlist while the token endpoint misbehaves; (summary, clock)."""
    clock = FakeClock()
    with fake_server(catalogue) as server:
        server.add_fault(fault)
        summary = extract_playlists(
            config_for(server),
            catalogue.user_playlist_ids[:1],
            LocalDirectorySink(tmp_path),
            deadline=clock.deadline(60),
        )
    return summary, clock


def test_token_endpoint_5xx_is_retried(catalogue, tmp_path):
    fault = Fault(503, path="/api/token", times=2)
    summary, clock = _first_playlist_with_a_token_fault(catalogue, tmp_path, fault)
    assert summary["playlists_ok"] == catalogue.user_playlist_ids[:1]
    assert len(clock.sleeps) == 2


def test_token_endpoint_429_waits_as_long_as_retry_after_asks(catalogue, tmp_path):
    # Review finding: a 429 from the token endpoint got the plain backoff (well under a
    # second) whatever its Retry-After said, and failed as auth_error after max_attempts.
    fault = Fault(429, path="/api/token", times=1, retry_after=7)
    summary, clock = _first_playlist_with_a_token_fault(catalogue, tmp_path, fault)
    assert summary["playlists_ok"] == catalogue.user_playlist_ids[:1]
    assert clock.sleeps == [7]


def test_token_endpoint_429_longer_than_the_run_can_wait_stops_it_clearly(catalogue, tmp_path):
    fault = Fault(429, path="/api/token", times=1, retry_after=3600)
    summary, clock = _first_playlist_with_a_token_fault(catalogue, tmp_path, fault)
    assert summary["stopped"]["reason"] == "rate_limited"
    assert "token endpoint" in summary["stopped"]["message"]
    assert "3600s (Retry-After)" in summary["stopped"]["message"]
    assert clock.sleeps == []


def test_no_time_left_means_nothing_is_attempted(catalogue, tmp_path):
    with fake_server(catalogue) as server:
        summary = extract_playlists(
            config_for(server),
            catalogue.user_playlist_ids,
            LocalDirectorySink(tmp_path),
            deadline=FakeClock().deadline(0),
        )
        requests = server.requests
    assert requests == []
    assert summary["stopped"]["reason"] == "deadline"
    assert summary["playlists_ok"] == [] and len(summary["playlists_failed"]) == 3


def test_client_credentials_in_development_mode_cannot_read_items(catalogue, tmp_path):
    """No user behind an app token: development mode refuses every playlist's items."""
    with fake_server(catalogue, mode="development") as server:
        summary = extract_playlists(
            config_for(server, refresh_token=False, api_shape="items"),
            catalogue.user_playlist_ids[:1],
            LocalDirectorySink(tmp_path),
        )
    assert _failures(summary) == {catalogue.user_playlist_ids[0]: "forbidden"}
    # No authorising user: the message names the refresh token, not playlist ownership.
    message = summary["playlists_failed"][0]["message"]
    assert "make spotify-auth" in message and "not owned" not in message
