"""Secrets never reach logs, exceptions, summaries or landed data, even with DEBUG logging."""

from __future__ import annotations

import base64
import gzip
import json
import logging

from extract_lambda.extract import extract_playlists
from extract_lambda.logsafe import protect_logs
from extract_lambda.retry import Deadline
from extract_lambda.spotify_client import ITEMS, SpotifyClient
from extract_lambda.storage import LocalDirectorySink
from tests.fixtures.extract.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    FakeClock,
    config_for,
    fake_server,
    landed_files,
)
from tools.fake_spotify import Catalogue, Fault


def _forbidden(server) -> list[str]:
    """The credentials, their Basic-auth form, and every access token the fake issued."""
    values = [CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN]
    values.append(base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode())
    tokens = {
        r.authorization.split(" ", 1)[1]
        for r in server.requests
        if r.authorization and r.authorization.startswith("Bearer ")
    }
    assert tokens, "the run used access tokens"
    return values + sorted(tokens)


def test_a_debug_run_with_failures_leaks_nothing(tmp_path, caplog):
    catalogue = Catalogue(seed=31, playlists=2, sizes=(70, 20), editorial=1, not_owned=1)
    ids = [*catalogue.user_playlist_ids, *catalogue.editorial_ids, *catalogue.not_owned_ids]
    caplog.set_level(logging.DEBUG)  # the root logger at DEBUG: everything is emitted
    with fake_server(catalogue) as server:
        first = catalogue.user_playlist_ids[0]
        server.add_fault(Fault(429, path=f"{first}/items", retry_after=1, times=1))
        server.add_fault(Fault(503, path="/api/token", times=1))
        summary = extract_playlists(
            config_for(server),
            ids,
            LocalDirectorySink(tmp_path),
            deadline=FakeClock().deadline(60),
        )
        forbidden = _forbidden(server)
    assert summary["playlists_ok"] == catalogue.user_playlist_ids
    (editorial,) = catalogue.editorial_ids
    (not_owned,) = catalogue.not_owned_ids
    failures = {f["playlist_id"]: f["reason"] for f in summary["playlists_failed"]}
    assert failures == {editorial: "not_found", not_owned: "forbidden"}
    assert caplog.records, "logs were captured"
    texts = {
        "logs": caplog.text,
        "summary": json.dumps(summary),
        "landed": "".join(gzip.decompress(p.read_bytes()).decode() for p in landed_files(tmp_path)),
    }
    for where, text in texts.items():
        for value in forbidden:
            assert value not in text, f"a secret appears in the {where}"


def test_redaction_catches_spotipy_debug_lines_if_its_logger_is_turned_up(caplog):
    """The second layer: even with spotipy's logger forced to DEBUG (it logs request headers
    and token request bodies there), the redacting filter masks them."""
    catalogue = Catalogue(seed=31, playlists=1, sizes=(5,))
    caplog.set_level(logging.DEBUG)
    with fake_server(catalogue) as server:
        config = config_for(server)
        protect_logs(config.credentials.secret_values())
        spotipy_logger = logging.getLogger("spotipy")
        previous = spotipy_logger.level
        spotipy_logger.setLevel(logging.DEBUG)
        try:
            client = SpotifyClient(config, Deadline())
            client.authenticate()
            client.page(catalogue.user_playlist_ids[0], ITEMS, 0)
            client.close()
        finally:
            spotipy_logger.setLevel(previous)
        forbidden = _forbidden(server)
    spotipy_lines = [r.getMessage() for r in caplog.records if r.name.startswith("spotipy")]
    assert any("Bearer ***" in line for line in spotipy_lines), "spotipy's debug lines were seen"
    assert any("refresh_token" in line for line in spotipy_lines)
    for value in forbidden:
        assert value not in caplog.text


def test_exceptions_and_reprs_carry_no_secret():
    catalogue = Catalogue(seed=31, playlists=1, sizes=(5,))
    with fake_server(catalogue) as server:
        config = config_for(server)
        server.refresh_token = "rotated-elsewhere"
        client = SpotifyClient(config, Deadline())
        try:
            client.authenticate()
        except Exception as error:
            text = f"{error!r} {error}"
        else:
            raise AssertionError("authentication should have failed")
        finally:
            client.close()
    for value in (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN):
        assert value not in text
        assert value not in repr(config)
