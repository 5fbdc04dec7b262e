"""The command line (`python -m extract_lambda`, `make extract-local`) and the auth setup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import requests

from extract_lambda import auth_setup
from extract_lambda.__main__ import main
from extract_lambda.config import Credentials
from tests.aws import mocked_aws
from tests.fixtures.extract.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    fake_server,
    landed_files,
    read_document,
)
from tools.fake_spotify import Catalogue

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue(seed=51, playlists=2, sizes=(55, 12), editorial=1)


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY_", "PLAYLIST_IDS"))}
    env.update(extra)
    return env


def _run_against_fake(catalogue, command: list[str]) -> subprocess.CompletedProcess:
    """Run `command` in the project with the fake's settings in an otherwise clean env."""
    with fake_server(catalogue) as server:
        return subprocess.run(
            command,
            env=_clean_env(server.env()),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=PROJECT_ROOT,
        )


def test_command_line_writes_the_local_layout_and_prints_the_summary(catalogue, tmp_path):
    out = tmp_path / "raw" / "playlist_snapshots"
    result = _run_against_fake(
        catalogue,
        [sys.executable, "-m", "extract_lambda", "--out", str(out), *catalogue.user_playlist_ids],
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["playlists_ok"] == catalogue.user_playlist_ids
    files = landed_files(out)
    assert [str(f.relative_to(out)) for f in files] == sorted(summary["keys"])
    assert {read_document(f)["playlist_id"] for f in files} == set(catalogue.user_playlist_ids)
    assert "playlist " in result.stderr and CLIENT_SECRET not in result.stderr + result.stdout


def test_make_extract_local(catalogue, tmp_path):
    if not (PROJECT_ROOT / ".venv" / ".installed").exists():
        pytest.skip("make extract-local needs the project's .venv")
    out = tmp_path / "out"
    result = _run_against_fake(
        catalogue,
        [
            "make",
            "--no-print-directory",
            # Never let the test rebuild the virtual environment it runs in.
            "--old-file=.venv/.installed",
            "extract-local",
            f"OUT={out}",
            f"PLAYLISTS={' '.join(catalogue.user_playlist_ids)}",
        ],
    )
    assert result.returncode == 0, result.stderr
    assert len(landed_files(out)) == 2


def test_exit_codes(catalogue, tmp_path, capsys):
    with fake_server(catalogue) as server:
        env = _clean_env(server.env())
        (editorial,) = catalogue.editorial_ids
        ok = catalogue.user_playlist_ids[1]
        assert main(["--out", str(tmp_path / "a"), ok, editorial], env) == 0  # like the Lambda
        assert main(["--strict", "--out", str(tmp_path / "b"), ok, editorial], env) == 1
        assert main(["--out", str(tmp_path / "c"), editorial], env) == 1
        assert main(["--out", str(tmp_path / "d")], env) == 2  # no ids
        assert main(["--out", str(tmp_path / "e"), ok], {**env, "SPOTIFY_MARKET": "xx"}) == 2
        assert main(["--out", str(tmp_path / "f")], {**env, "PLAYLIST_IDS": ok}) == 0
    assert "SPOTIFY_MARKET" in capsys.readouterr().err


def test_command_line_writes_to_s3(catalogue, monkeypatch):
    with mocked_aws(monkeypatch, "raw-cli") as s3, fake_server(catalogue) as server:
        env = _clean_env(server.env())
        code = main(
            ["--out", "s3://raw-cli/playlist_snapshots", catalogue.user_playlist_ids[1]], env
        )
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="raw-cli")["Contents"]]
    assert code == 0
    assert len(keys) == 1 and keys[0].startswith("playlist_snapshots/snapshot_date=")


# -- make spotify-auth: python -m extract_lambda.auth_setup ---------------------------------


def _follow(url: str) -> None:
    """Play the browser: the fake approves at once and redirects to the loopback callback."""
    requests.get(url, timeout=10)


def test_authorize_url_asks_for_the_playlist_scopes_with_a_loopback_redirect():
    credentials = Credentials.from_values(CLIENT_ID, CLIENT_SECRET)
    oauth = auth_setup.build_oauth(credentials, "http://127.0.0.1:8888/callback", state="s-1")
    url = oauth.get_authorize_url()
    assert url.startswith("https://accounts.spotify.com/authorize?")
    assert f"client_id={CLIENT_ID}" in url
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback" in url
    assert "scope=playlist-read-private+playlist-read-collaborative" in url
    assert "state=s-1" in url and CLIENT_SECRET not in url
    assert (
        auth_setup.authorize_url_for("http://127.0.0.1:9/api/token")
        == "http://127.0.0.1:9/authorize"
    )


def test_code_exchange_against_the_fake_returns_the_refresh_token(catalogue):
    with fake_server(catalogue) as server:
        token = auth_setup.obtain_refresh_token(
            Credentials.from_values(CLIENT_ID, CLIENT_SECRET),
            auth_url=server.auth_url,
            port=0,
            open_url=_follow,
            timeout_s=20,
        )
        exchange = [r for r in server.requests if r.path == "/api/token"]
    assert token == REFRESH_TOKEN
    assert len(exchange) == 1 and exchange[0].status == 200


def test_print_mode_puts_only_the_token_on_stdout(catalogue, capsys):
    with fake_server(catalogue) as server:
        code = auth_setup.main(
            ["--port", "0", "--timeout", "20"],
            environ=server.env(refresh_token=False),
            open_url=_follow,
        )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out == f"{REFRESH_TOKEN}\n"
    assert "authorize" in captured.err and REFRESH_TOKEN not in captured.err


def test_secret_mode_stores_the_token_and_prints_nothing_secret(catalogue, capsys, monkeypatch):
    with mocked_aws(monkeypatch), fake_server(catalogue) as server:
        client = boto3.client("secretsmanager")
        # As Terraform leaves it: app credentials filled in, no refresh token yet.
        client.create_secret(
            Name="spotify/extractor",
            SecretString=json.dumps(
                {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "note": "kept"}
            ),
        )
        environ = {"SPOTIFY_AUTH_URL": server.auth_url}  # credentials come from the secret
        code = auth_setup.main(
            ["--port", "0", "--secret-id", "spotify/extractor", "--timeout", "20"],
            environ=environ,
            open_url=_follow,
            secret_client=client,
        )
        stored = json.loads(client.get_secret_value(SecretId="spotify/extractor")["SecretString"])
    captured = capsys.readouterr()
    assert code == 0
    assert stored == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        "note": "kept",
    }
    for value in (CLIENT_SECRET, REFRESH_TOKEN):
        assert value not in captured.out + captured.err


def test_a_redirect_with_the_wrong_state_is_refused(catalogue):
    def forged(url: str) -> None:
        redirect = requests.utils.unquote(url.split("redirect_uri=")[1].split("&")[0])
        requests.get(f"{redirect}?code=stolen&state=not-ours", timeout=10)

    with fake_server(catalogue) as server, pytest.raises(auth_setup.AuthSetupError, match="state"):
        auth_setup.obtain_refresh_token(
            Credentials.from_values(CLIENT_ID, CLIENT_SECRET),
            auth_url=server.auth_url,
            port=0,
            open_url=forged,
            timeout_s=20,
        )


def test_wrong_client_secret_fails_with_a_clear_message(catalogue, capsys):
    with fake_server(catalogue) as server:
        environ = {**server.env(refresh_token=False), "SPOTIFY_CLIENT_SECRET": "wrong-secret-value"}
        code = auth_setup.main(
            ["--port", "0", "--timeout", "20"], environ=environ, open_url=_follow
        )
    captured = capsys.readouterr()
    assert code == 1 and "invalid_client" in captured.err
    assert "wrong-secret-value" not in captured.err + captured.out
