"""An in-process fake of the Spotify Web API (and its token endpoint) on loopback.

Built on the standard library's ``ThreadingHTTPServer`` so that it runs anywhere the project
runs (tests, the offline demo, benchmarks, CI) with no extra dependency and starts in
milliseconds; see docs/fake-spotify.md.

Two behaviours (``mode``):

- ``development``: the API since 2026-03-09 for apps without extended quota. Playlist items
  only through ``GET /playlists/{id}/items`` (limit <= 50) and only for playlists the
  authorising user owns or collaborates on (a user token: refresh-token flow); other
  playlists give 403 there and their ``GET /playlists/{id}`` has no ``items``; editorial
  playlists give 404; ``/tracks`` gives 403. Entries carry ``item`` and the deprecated
  ``track``; tracks have no ``popularity``, ``available_markets`` or ``linked_from``.
- ``extended``: the legacy behaviour extended-quota apps keep: ``/tracks`` (limit <= 100)
  with ``track`` entries, every public playlist readable with any token, ``popularity``
  present. ``/items`` works too.

Both modes serve ``GET /tracks/{id}`` for any 22-character base62 id (``Catalogue.track_by_id``);
``GET /tracks?ids=`` is 403 in development mode, as for real development-mode apps.

Faults (429 with ``Retry-After``, ``QUOTA_EXCEEDED``, 5xx, delays, dropped connections,
broken bodies) are injected with :class:`Fault`; every request is recorded in
``server.requests`` so tests can check what the client sent.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from tools.fake_spotify.catalogue import OWNER_ID, Catalogue, PlaylistSpec
from tools.fake_spotify.fields import FieldsSyntaxError, apply_fields, parse_fields

MODES = ("development", "extended")
DEFAULT_CLIENT_ID = "fake-client-id"
DEFAULT_CLIENT_SECRET = "fake-client-secret"
DEFAULT_REFRESH_TOKEN = "fake-refresh-token"
SCOPES = "playlist-read-private playlist-read-collaborative"
PREWARM_SIZE = 1000

# What development-mode apps no longer receive on tracks (README of ../shared/spotify).
_DEV_REMOVED_TRACK_FIELDS = frozenset({"popularity", "available_markets", "linked_from"})
_LIMIT_MAX = {"items": 50, "tracks": 100}
_MARKET = re.compile(r"^[A-Z]{2}$")
_PLAYLIST_PATH = re.compile(r"^/v1/playlists/([^/]+)(?:/(items|tracks))?$")
_TRACK_PATH = re.compile(r"^/v1/tracks/([^/]+)$")
_TRACK_ID = re.compile(r"^[0-9A-Za-z]{22}$")
# Keys the legacy playlist entries' tracks carry that a track of GET /tracks/{id} does not.
_PLAYLIST_ONLY_TRACK_FIELDS = frozenset({"episode", "track"})
_SEVERAL_TRACKS_MAX = 50


# Entries the extractor must land as sent and the Glue job count as ``malformed_entry``: a
# null, a string, a number, a list, an empty object and an object without an entry's keys.
ODD_ENTRIES: tuple[Any, ...] = (None, "not an entry", 42, ["a", "list"], {}, {"unexpected": 1})


@dataclass
class Fault:
    """A fault to inject into matching requests.

    Attributes:
        status: HTTP status to answer instead of the real response (None: answer normally
            after ``delay_s``, or drop the connection with ``disconnect``).
        path: only requests whose path contains this string (``/items``, a playlist id,
            ``/api/token``); empty matches every request.
        times: how many matching requests it hits (None: all of them).
        after: let this many matching requests through first.
        retry_after: the ``Retry-After`` header, in seconds (429).
        reason: ``error.reason`` in the body, e.g. ``QUOTA_EXCEEDED``.
        delay_s: sleep before answering (a client with a shorter timeout sees a timeout).
        body: raw bytes to send instead of the normal body (e.g. truncated JSON).
        disconnect: close the connection without answering.
        action: called (in the server thread) when the fault hits, before answering; tests
            use it to change the world mid-run, e.g. ``action=lambda: server.set_week(1)``.
        odd_entries: answer normally, but with these elements of the page's ``items``
            replaced (index in the page -> value): entries that are null, not objects, or
            objects without an entry's keys (``ODD_ENTRIES``). Only successful page
            responses are changed; ``total``, ``offset`` and ``next`` stay true.
    """

    status: int | None = None
    path: str = ""
    times: int | None = 1
    after: int = 0
    retry_after: int | None = None
    reason: str | None = None
    delay_s: float = 0.0
    body: bytes | None = None
    disconnect: bool = False
    action: Callable[[], Any] | None = None
    odd_entries: dict[int, Any] | None = None
    seen: int = field(default=0, init=False)
    hits: int = field(default=0, init=False)

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Parse the command-line form: ``STATUS|delay|disconnect[:key=value]...``.

        Examples: ``429:retry_after=2:times=3:path=/items``, ``503:times=2``,
        ``429:reason=QUOTA_EXCEEDED:times=0`` (``times=0`` means every request),
        ``delay:delay_s=3:path=/items``, ``odd_entries:path=/items`` (the first entries of
        the page replaced by ``ODD_ENTRIES``).
        """
        head, *pairs = text.split(":")
        fault = cls()
        if head == "disconnect":
            fault.disconnect = True
        elif head == "odd_entries":
            fault.odd_entries = dict(enumerate(ODD_ENTRIES))
        elif head != "delay":
            fault.status = int(head)
        for pair in pairs:
            key, _, value = pair.partition("=")
            if key == "path":
                fault.path = value
            elif key == "times":
                fault.times = int(value) or None
            elif key == "after":
                fault.after = int(value)
            elif key == "retry_after":
                fault.retry_after = int(value)
            elif key == "reason":
                fault.reason = value
            elif key == "delay_s":
                fault.delay_s = float(value)
            else:
                raise ValueError(f"unknown fault option {key!r} in {text!r}")
        return fault


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    token_kind: str | None  # "user", "app" or None (no or unknown token)
    authorization: str | None  # the raw header, so tests can check what was (not) sent


@dataclass
class _Token:
    kind: str  # "user" (refresh token / authorization code) or "app" (client credentials)
    expires_at: float


class FakeSpotifyServer:
    """The fake Web API on ``127.0.0.1``; use as a context manager.

    ``with FakeSpotifyServer(Catalogue(seed=7), mode="development") as server:`` then point a
    client at ``server.api_url`` / ``server.auth_url`` with ``server.credentials``.
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        mode: str = "development",
        latency_s: float = 0.0,
        faults: list[Fault] | tuple[Fault, ...] = (),
        week: int = 0,
        port: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str = DEFAULT_REFRESH_TOKEN,
        token_ttl_s: int = 3600,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.catalogue = catalogue if catalogue is not None else Catalogue()
        self.catalogue.check_week(week)
        self.mode = mode
        self.latency_s = latency_s
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.token_ttl_s = token_ttl_s
        self._week = week
        self._faults = list(faults)
        self._requests: list[RecordedRequest] = []
        self._tokens: dict[str, _Token] = {}
        self._codes: dict[str, str] = {}  # authorization code -> redirect_uri
        self._lock = threading.Lock()
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._bound_port: int | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSpotifyServer:
        self._prewarm()
        self._httpd = _HTTPServer(("127.0.0.1", self._port), _Handler)
        self._httpd.fake = self
        self._bound_port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-spotify",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSpotifyServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- addresses and credentials ---------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (still known after stop(), so URLs stay printable)."""
        if self._bound_port is None:
            raise RuntimeError("the fake server has not been started")
        return self._bound_port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base, the fake's ``https://api.spotify.com/v1``."""
        return f"{self.base_url}/v1"

    @property
    def auth_url(self) -> str:
        """The token endpoint, the fake's ``https://accounts.spotify.com/api/token``."""
        return f"{self.base_url}/api/token"

    @property
    def authorize_url(self) -> str:
        """The authorization page, the fake's ``https://accounts.spotify.com/authorize``."""
        return f"{self.base_url}/authorize"

    @property
    def credentials(self) -> dict[str, str]:
        """The secret JSON of docs/data-contract.md for this fake (refresh-token mode)."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
        }

    def env(self, *, refresh_token: bool = True) -> dict[str, str]:
        """Environment variables that point the extractor at this fake."""
        env = {
            "SPOTIFY_API_URL": self.api_url,
            "SPOTIFY_AUTH_URL": self.auth_url,
            "SPOTIFY_CLIENT_ID": self.client_id,
            "SPOTIFY_CLIENT_SECRET": self.client_secret,
        }
        if refresh_token:
            env["SPOTIFY_REFRESH_TOKEN"] = self.refresh_token
        return env

    # -- control ---------------------------------------------------------------------------

    @property
    def week(self) -> int:
        return self._week

    def set_week(self, week: int) -> None:
        """Serve the catalogue as it is in `week` (0 .. weeks - 1)."""
        self.catalogue.check_week(week)
        self._prewarm(week)
        self._week = week

    def _prewarm(self, week: int | None = None) -> None:
        """Generate the big playlists' week up front, so serving them is only slicing.

        A 10,000-entry week takes seconds to generate; doing it here keeps that out of the
        first requests (and out of benchmark timings).
        """
        for spec in self.catalogue.specs.values():
            if spec.size >= PREWARM_SIZE:
                self.catalogue.entries(spec.id, self._week if week is None else week)

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests seen so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def expire_tokens(self) -> None:
        """Make every issued access token invalid (the next API call answers 401)."""
        with self._lock:
            self._tokens.clear()

    # -- internals used by the handler -----------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _matching_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path and fault.path not in path:
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                return fault
        return None

    def _issue_token(self, kind: str) -> str:
        token = f"fake-{kind}-{secrets.token_urlsafe(18)}"
        with self._lock:
            self._tokens[token] = _Token(kind, time.monotonic() + self.token_ttl_s)
        return token

    def _token_kind(self, authorization: str | None) -> tuple[str | None, str | None]:
        """(kind, error message) for an Authorization header."""
        if not authorization or not authorization.startswith("Bearer "):
            return None, "No token provided"
        with self._lock:
            token = self._tokens.get(authorization[len("Bearer ") :])
        if token is None:
            return None, "Invalid access token"
        if token.expires_at < time.monotonic():
            return None, "The access token expired"
        return token.kind, None

    def _issue_code(self, redirect_uri: str) -> str:
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = redirect_uri
        return code

    def _take_code(self, code: str) -> str | None:
        with self._lock:
            return self._codes.pop(code, None)

    def _can_read_items(self, spec: PlaylistSpec, token_kind: str) -> bool:
        if self.mode == "extended":
            return True
        return token_kind == "user" and spec.owner_id == OWNER_ID

    def _track_object(self, track_id: str, market: str | None) -> dict[str, Any] | None:
        """The track as this mode serves it by id (None: removed, 404). Tracks are relinked
        only in extended mode with a market (development mode has no ``linked_from``)."""
        relink = self.mode == "extended" and market is not None
        track = self.catalogue.track_by_id(track_id, relink=relink)
        if track is None:
            return None
        track = {k: v for k, v in track.items() if k not in _PLAYLIST_ONLY_TRACK_FIELDS}
        if self.mode == "development":
            # As on playlist pages. The album keeps `available_markets`: the 2026 spec still
            # requires it of SimplifiedAlbumObject.
            track = {k: v for k, v in track.items() if k not in _DEV_REMOVED_TRACK_FIELDS}
        return track

    def _visible(self, spec: PlaylistSpec) -> bool:
        return not (self.mode == "development" and spec.kind == "editorial")

    @lru_cache(maxsize=4096)  # noqa: B019 - bounded; the server lives as long as its catalogue
    def _page_bytes(
        self,
        api_url: str,
        week: int,
        playlist_id: str,
        endpoint: str,
        offset: int,
        limit: int,
        fields: str | None,
        echo: tuple[tuple[str, str], ...],
        version: str,
    ) -> bytes:
        """One page, cached per playlist version (``version``: its snapshot_id, which an
        edit of a fixed playlist changes within a week)."""
        page = self._page(api_url, week, playlist_id, endpoint, offset, limit, echo)
        if fields:
            page = apply_fields(page, parse_fields(fields))
        return _dumps(page)

    def _page(
        self,
        api_url: str,
        week: int,
        playlist_id: str,
        endpoint: str,
        offset: int,
        limit: int,
        echo: tuple[tuple[str, str], ...],
    ) -> dict[str, Any]:
        entries = self.catalogue.entries(playlist_id, week)
        total = len(entries)
        base = f"{api_url}/playlists/{playlist_id}/{endpoint}"

        def link(at: int) -> str:
            return f"{base}?{urlencode([('offset', at), ('limit', limit), *echo])}"

        return {
            "href": link(offset),
            "items": [self._entry(e, endpoint) for e in entries[offset : offset + limit]],
            "limit": limit,
            "next": link(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }

    def _entry(self, entry: dict[str, Any], endpoint: str) -> dict[str, Any]:
        payload = entry["track"]
        if self.mode == "development" and payload and payload.get("type") == "track":
            payload = {k: v for k, v in payload.items() if k not in _DEV_REMOVED_TRACK_FIELDS}
        shaped = dict(entry)
        shaped["track"] = payload
        if endpoint == "items":
            shaped = {"item": payload, **shaped}
        return shaped

    def _playlist_bytes(
        self, playlist_id: str, token_kind: str, fields: str | None, market: str | None
    ) -> bytes:
        spec = self.catalogue.specs[playlist_id]
        week = self._week
        playlist = self.catalogue.playlist_object(playlist_id, week)
        selection = parse_fields(fields) if fields else None
        endpoint = "items" if self.mode == "development" else "tracks"
        # Building the embedded first page is the costly part; skip it when the filter
        # drops it anyway (the extractor's metadata filter does).
        wanted = selection is None or not selection.include or endpoint in selection.include
        if wanted and self._can_read_items(spec, token_kind):
            echo = (("market", market),) if market else ()
            playlist[endpoint] = self._page(self.api_url, week, playlist_id, endpoint, 0, 100, echo)
        if selection is not None:
            playlist = apply_fields(playlist, selection)
        return _dumps(playlist)


def _with_odd_entries(payload: bytes, odd: dict[int, Any]) -> bytes:
    """The page (or playlist object) with some elements of its entry array replaced."""
    body = json.loads(payload)
    entries = body.get("items")
    if isinstance(entries, dict):  # a playlist object: its container holds the entries
        entries = entries.get("items")
    if not isinstance(entries, list):
        return payload
    for index, value in odd.items():
        if 0 <= index < len(entries):
            entries[index] = value
    return _dumps(body)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _error(status: int, message: str, reason: str | None = None) -> bytes:
    error: dict[str, Any] = {"status": status, "message": message}
    if reason:
        error["reason"] = reason
    return _dumps({"error": error})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # concurrent clients open many connections at once
    fake: FakeSpotifyServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (its timeout, an injected delay) is expected, not an error."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client's connection pool is reused
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK of the headers: ~40 ms per request on Linux.
    disable_nagle_algorithm = True
    server: _HTTPServer
    timeout = 30  # idle keep-alive connections close eventually

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line; requests are recorded on the server instead."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # -- plumbing --------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if fake.latency_s:
            time.sleep(fake.latency_s)
        authorization = self.headers.get("Authorization")
        token_kind, _ = fake._token_kind(authorization)
        fault = fake._matching_fault(parts.path)
        if fault is not None:
            if fault.action is not None:
                fault.action()
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.disconnect:
                fake._record(
                    RecordedRequest(method, parts.path, query, 0, token_kind, authorization)
                )
                self.close_connection = True
                return
            if fault.odd_entries is not None and fault.status is None and fault.body is None:
                status, payload, headers = self._route(
                    method, parts.path, query, body, authorization
                )
                if status == 200:
                    payload = _with_odd_entries(payload, fault.odd_entries)
                fake._record(
                    RecordedRequest(method, parts.path, query, status, token_kind, authorization)
                )
                self._send(status, payload, headers)
                return
            if fault.status is not None or fault.body is not None:
                status = fault.status or 200
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                payload = fault.body
                if payload is None:
                    message = "API rate limit exceeded" if status == 429 else "Server error"
                    payload = _error(status, message, fault.reason)
                fake._record(
                    RecordedRequest(method, parts.path, query, status, token_kind, authorization)
                )
                self._send(status, payload, headers)
                return
        status, payload, headers = self._route(method, parts.path, query, body, authorization)
        fake._record(RecordedRequest(method, parts.path, query, status, token_kind, authorization))
        self._send(status, payload, headers)

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        content_type = "application/json; charset=utf-8"
        for name, value in (headers or {}).items():
            if name == "Content-Type":
                content_type = value
            else:
                self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        authorization: str | None,
    ) -> tuple[int, bytes, dict[str, str]]:
        if method == "POST" and path == "/api/token":
            return self._token(body, authorization)
        if method == "GET" and path == "/authorize":
            return self._authorize(query)
        if method == "POST" and path.startswith("/_fake/week/"):
            try:
                self.server.fake.set_week(int(path.rsplit("/", 1)[1]))
            except ValueError as error:
                return 400, _error(400, str(error)), {}
            return 200, _dumps({"week": self.server.fake.week}), {}
        match = _PLAYLIST_PATH.match(path)
        if method == "GET" and match:
            return self._playlist(match.group(1), match.group(2), query, authorization)
        match = _TRACK_PATH.match(path)
        if method == "GET" and match:
            return self._track(match.group(1), query, authorization)
        if method == "GET" and path == "/v1/tracks":
            return self._several_tracks(query, authorization)
        return 404, _error(404, "Service not found"), {}

    # -- accounts service ------------------------------------------------------------------

    def _client_ok(self, form: dict[str, str], authorization: str | None) -> bool:
        fake = self.server.fake
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            try:
                decoded = base64.b64decode(authorization[len("Basic ") :]).decode()
            except ValueError:
                return False
            client_id, _, client_secret = decoded.partition(":")
        return client_id == fake.client_id and client_secret == fake.client_secret

    def _token(self, body: bytes, authorization: str | None) -> tuple[int, bytes, dict[str, str]]:
        fake = self.server.fake
        form = dict(parse_qsl(body.decode()))
        if not self._client_ok(form, authorization):
            return (
                400,
                _dumps({"error": "invalid_client", "error_description": "Invalid client"}),
                {},
            )
        grant = form.get("grant_type")
        token: dict[str, Any] = {"token_type": "Bearer", "expires_in": fake.token_ttl_s}
        if grant == "client_credentials":
            token["access_token"] = fake._issue_token("app")
        elif grant == "refresh_token":
            if form.get("refresh_token") != fake.refresh_token:
                error = {"error": "invalid_grant", "error_description": "Invalid refresh token"}
                return 400, _dumps(error), {}
            token["access_token"] = fake._issue_token("user")
            token["scope"] = SCOPES
        elif grant == "authorization_code":
            redirect_uri = fake._take_code(form.get("code", ""))
            if redirect_uri is None or redirect_uri != form.get("redirect_uri"):
                error = {
                    "error": "invalid_grant",
                    "error_description": "Invalid authorization code",
                }
                return 400, _dumps(error), {}
            token["access_token"] = fake._issue_token("user")
            token["refresh_token"] = fake.refresh_token
            token["scope"] = SCOPES
        else:
            error = {"error": "unsupported_grant_type", "error_description": f"grant_type {grant}"}
            return 400, _dumps(error), {}
        return 200, _dumps(token), {}

    def _authorize(self, query: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        """Approve at once (no login page) and redirect to the loopback callback."""
        fake = self.server.fake
        redirect_uri = query.get("redirect_uri", "")
        loopback = re.match(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/", redirect_uri)
        if query.get("client_id") != fake.client_id:
            return 400, _error(400, "INVALID_CLIENT: Invalid client"), {}
        if query.get("response_type") != "code" or not loopback:
            return 400, _error(400, "Invalid response_type or redirect_uri"), {}
        params = {"code": fake._issue_code(redirect_uri)}
        if "state" in query:
            params["state"] = query["state"]
        location = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(params)}"
        return 302, b"", {"Location": location, "Content-Type": "text/plain"}

    # -- web api ---------------------------------------------------------------------------

    def _playlist(
        self,
        playlist_id: str,
        endpoint: str | None,
        query: dict[str, str],
        authorization: str | None,
    ) -> tuple[int, bytes, dict[str, str]]:
        fake = self.server.fake
        token_kind, token_error = fake._token_kind(authorization)
        if token_kind is None:
            return 401, _error(401, token_error or "Invalid access token"), {}
        spec = fake.catalogue.specs.get(playlist_id)
        if spec is None or not fake._visible(spec):
            return 404, _error(404, "Resource not found"), {}
        market = query.get("market")
        if market is not None and market != "from_token" and not _MARKET.match(market):
            return 400, _error(400, "Invalid market code"), {}
        fields = query.get("fields") or None
        if fields:
            try:
                parse_fields(fields)
            except FieldsSyntaxError:
                return 400, _error(400, "Invalid fields parameter"), {}
        if endpoint is None:
            return 200, fake._playlist_bytes(playlist_id, token_kind, fields, market), {}
        if endpoint == "tracks" and fake.mode == "development":
            return 403, _error(403, "Forbidden"), {}
        if not fake._can_read_items(spec, token_kind):
            return 403, _error(403, "Forbidden"), {}
        try:
            limit = int(query.get("limit", "20"))
            offset = int(query.get("offset", "0"))
        except ValueError:
            return 400, _error(400, "Invalid limit or offset"), {}
        if not 1 <= limit <= _LIMIT_MAX[endpoint]:
            return 400, _error(400, "Invalid limit"), {}
        if offset < 0:
            return 400, _error(400, "Invalid offset"), {}
        # Parameters the real API repeats in `href`/`next`, so a client following `next`
        # keeps its market and filter.
        echo = tuple(
            (name, query[name])
            for name in ("market", "fields", "additional_types")
            if name in query
        )
        payload = fake._page_bytes(
            fake.api_url,
            fake.week,
            playlist_id,
            endpoint,
            offset,
            limit,
            fields,
            echo,
            fake.catalogue.snapshot_id(playlist_id, fake.week),
        )
        return 200, payload, {}

    def _track(
        self, track_id: str, query: dict[str, str], authorization: str | None
    ) -> tuple[int, bytes, dict[str, str]]:
        """``GET /tracks/{id}``: any token (a client-credentials one is enough), both modes."""
        fake = self.server.fake
        token_kind, token_error = fake._token_kind(authorization)
        if token_kind is None:
            return 401, _error(401, token_error or "Invalid access token"), {}
        market = query.get("market")
        if market is not None and market != "from_token" and not _MARKET.match(market):
            return 400, _error(400, "Invalid market code"), {}
        if not _TRACK_ID.match(track_id):
            return 400, _error(400, "Invalid base62 id"), {}
        track = fake._track_object(track_id, market)
        if track is None:
            return 404, _error(404, "Resource not found"), {}
        return 200, _dumps(track), {}

    def _several_tracks(
        self, query: dict[str, str], authorization: str | None
    ) -> tuple[int, bytes, dict[str, str]]:
        """``GET /tracks?ids=``: removed for development-mode apps (403, what spotipy's
        ``tracks()`` runs into); extended mode serves it, null for removed ids."""
        fake = self.server.fake
        token_kind, token_error = fake._token_kind(authorization)
        if token_kind is None:
            return 401, _error(401, token_error or "Invalid access token"), {}
        if fake.mode == "development":
            return 403, _error(403, "Forbidden"), {}
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not ids or len(ids) > _SEVERAL_TRACKS_MAX or not all(_TRACK_ID.match(i) for i in ids):
            return 400, _error(400, "Invalid ids"), {}
        market = query.get("market")
        tracks = [fake._track_object(i, market) for i in ids]
        return 200, _dumps({"tracks": tracks}), {}
