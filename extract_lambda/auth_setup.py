"""One-time authorization-code flow on a laptop: get a refresh token for the extractor.

    python -m extract_lambda.auth_setup [--port 8888] [--secret-id NAME] [--no-browser]

(``make spotify-auth``.) It listens on ``http://127.0.0.1:<port>/callback`` (register that
exact redirect URI in the Spotify app's settings), opens the authorization page, waits for
Spotify to redirect back with a code, exchanges the code for tokens with spotipy, and then
either prints the refresh token on stdout (nothing else goes to stdout) or, with
``--secret-id``, writes it into that Secrets Manager secret next to the client id and
secret (``{"client_id", "client_secret", "refresh_token"}``, other keys kept) and prints
nothing secret.

Client id and secret come from SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET, or from the
existing secret when ``--secret-id`` is given. The token URL is SPOTIFY_AUTH_URL; the
authorization page is SPOTIFY_AUTHORIZE_URL, by default derived from it
(``.../api/token`` -> ``.../authorize``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import spotipy
from spotipy.cache_handler import MemoryCacheHandler

from extract_lambda.config import DEFAULT_AUTH_URL, ConfigError, Credentials, check_url
from extract_lambda.logsafe import protect_logs

log = logging.getLogger(__name__)

SCOPES = "playlist-read-private playlist-read-collaborative"
DEFAULT_PORT = 8888


class AuthSetupError(RuntimeError):
    """The flow did not produce a refresh token; the message says why."""


@dataclass
class _Callback:
    code: str | None = None
    state: str | None = None
    error: str | None = None


def authorize_url_for(auth_url: str) -> str:
    """The authorization page next to a token endpoint (``/api/token`` -> ``/authorize``)."""
    if auth_url.endswith("/api/token"):
        return auth_url[: -len("/api/token")] + "/authorize"
    raise ConfigError("set SPOTIFY_AUTHORIZE_URL: it cannot be derived from SPOTIFY_AUTH_URL")


def build_oauth(
    credentials: Credentials,
    redirect_uri: str,
    *,
    auth_url: str = DEFAULT_AUTH_URL,
    authorize_url: str | None = None,
    state: str | None = None,
) -> spotipy.SpotifyOAuth:
    oauth = spotipy.SpotifyOAuth(
        client_id=credentials.client_id.reveal(),
        client_secret=credentials.client_secret.reveal(),
        redirect_uri=redirect_uri,
        scope=SCOPES,
        state=state,
        open_browser=False,
        cache_handler=MemoryCacheHandler(),  # no .cache file with tokens on the laptop
        requests_timeout=30,
    )
    oauth.OAUTH_TOKEN_URL = auth_url
    oauth.OAUTH_AUTHORIZE_URL = authorize_url or authorize_url_for(auth_url)
    return oauth


def _callback_server(port: int, result: _Callback, received: threading.Event) -> HTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/callback":
                self.send_error(404)
                return
            query = dict(parse_qsl(parts.query))
            result.code, result.state, result.error = (
                query.get("code"),
                query.get("state"),
                query.get("error"),
            )
            body = (
                b"Authorization received. You can close this tab."
                if result.code
                else b"Authorization failed: see the terminal."
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            received.set()

        def log_message(self, format: str, *args: Any) -> None:
            """The request line carries the code: never print it."""

    return HTTPServer(("127.0.0.1", port), Handler)


def obtain_refresh_token(
    credentials: Credentials,
    *,
    auth_url: str = DEFAULT_AUTH_URL,
    authorize_url: str | None = None,
    port: int = DEFAULT_PORT,
    open_url: Callable[[str], Any] | None = None,
    timeout_s: float = 300.0,
) -> str:
    """Run the flow once and return the refresh token.

    `open_url` shows the authorization page (default: the web browser, and the URL printed
    on stderr); tests pass a function that follows the fake's redirect.
    """
    state = secrets.token_urlsafe(16)
    result, received = _Callback(), threading.Event()
    server = _callback_server(port, result, received)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
    oauth = build_oauth(
        credentials, redirect_uri, auth_url=auth_url, authorize_url=authorize_url, state=state
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        url = oauth.get_authorize_url()
        print(
            f"Open this URL to authorize the app (redirect URI {redirect_uri}):\n{url}",
            file=sys.stderr,
        )
        (open_url or webbrowser.open)(url)
        if not received.wait(timeout_s):
            raise AuthSetupError(f"no redirect to {redirect_uri} within {timeout_s:.0f}s")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    if result.error:
        raise AuthSetupError(f"authorization refused: {result.error}")
    if result.state != state:
        raise AuthSetupError("the redirect's state does not match (another browser tab?)")
    if not result.code:
        raise AuthSetupError("the redirect carried no code")
    # as_dict=False (the dict form is deprecated): the full token info lands in the cache.
    oauth.get_access_token(result.code, as_dict=False, check_cache=False)
    refresh_token = (oauth.cache_handler.get_cached_token() or {}).get("refresh_token")
    if not refresh_token:
        raise AuthSetupError("the token endpoint returned no refresh token")
    return refresh_token


def store_refresh_token(
    client: Any, secret_id: str, credentials: Credentials, refresh_token: str
) -> None:
    """Write the contract's secret JSON, keeping any other keys already in the secret."""
    current: dict[str, Any] = {}
    try:
        text = client.get_secret_value(SecretId=secret_id).get("SecretString")
        if text:
            loaded = json.loads(text)
            current = loaded if isinstance(loaded, dict) else {}
    except client.exceptions.ResourceNotFoundException:
        raise AuthSetupError(f"secret {secret_id} does not exist (Terraform creates it)") from None
    except ValueError:
        current = {}
    current.update(
        {
            "client_id": credentials.client_id.reveal(),
            "client_secret": credentials.client_secret.reveal(),
            "refresh_token": refresh_token,
        }
    )
    client.put_secret_value(SecretId=secret_id, SecretString=json.dumps(current))


def credentials_for(
    environ: Mapping[str, str], secret_client: Any = None, secret_id: str | None = None
) -> Credentials:
    """Client id/secret from the environment, else from the existing secret."""
    if environ.get("SPOTIFY_CLIENT_ID") and environ.get("SPOTIFY_CLIENT_SECRET"):
        return Credentials.from_values(
            environ["SPOTIFY_CLIENT_ID"], environ["SPOTIFY_CLIENT_SECRET"]
        )
    if secret_client is not None and secret_id:
        text = secret_client.get_secret_value(SecretId=secret_id).get("SecretString") or ""
        found = Credentials.from_secret_string(text, secret_id=f"secret {secret_id}")
        return Credentials(found.client_id, found.client_secret)
    raise ConfigError("set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (or pass --secret-id)")


def main(
    argv: list[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    open_url: Callable[[str], Any] | None = None,
    secret_client: Any = None,
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract_lambda.auth_setup", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="loopback callback port")
    parser.add_argument("--secret-id", default=None, help="store the token in this secret")
    parser.add_argument("--no-browser", action="store_true", help="only print the URL")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    protect_logs()
    try:
        auth_url = check_url(
            "SPOTIFY_AUTH_URL", environ.get("SPOTIFY_AUTH_URL") or DEFAULT_AUTH_URL
        )
        authorize_url = environ.get("SPOTIFY_AUTHORIZE_URL") or authorize_url_for(auth_url)
        if args.secret_id and secret_client is None:
            import boto3

            secret_client = boto3.client("secretsmanager")
        credentials = credentials_for(environ, secret_client, args.secret_id)
        opener = open_url
        if opener is None:
            opener = (lambda url: None) if args.no_browser else webbrowser.open
        refresh_token = obtain_refresh_token(
            credentials,
            auth_url=auth_url,
            authorize_url=authorize_url,
            port=args.port,
            open_url=opener,
            timeout_s=args.timeout,
        )
        if args.secret_id:
            store_refresh_token(secret_client, args.secret_id, credentials, refresh_token)
            print(f"Stored the refresh token in secret {args.secret_id}.", file=sys.stderr)
        else:
            print("Refresh token (keep it secret; set SPOTIFY_REFRESH_TOKEN):", file=sys.stderr)
            print(refresh_token)
    except (AuthSetupError, ConfigError, spotipy.SpotifyOauthError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
