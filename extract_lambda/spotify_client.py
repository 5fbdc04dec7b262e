"""The Spotify Web API as the extractor uses it: spotipy for the calls and auth, our own retries.

spotipy's built-in retrying (a urllib3 ``Retry`` on its session) sleeps for the whole
``Retry-After`` however long, then raises a 429 without headers; in a Lambda that can hang
the function until it is killed. So the client gets a plain ``requests.Session`` whose
adapter has ``max_retries=0`` (spotipy only builds its retrying session when it is *not*
given one), spotipy's own ``retries``/``status_retries`` are 0 as well, and
:meth:`SpotifyClient._call` does the retrying: bounded attempts, exponential backoff with
jitter, ``Retry-After`` honoured only while the deadline allows, one shared pause for all
threads after a 429.

Tokens live in spotipy's ``MemoryCacheHandler`` (a Lambda's filesystem is read-only except
/tmp, and a token cache file would be a secret on disk). Both auth managers are pointed at
the configured token URL (``OAUTH_TOKEN_URL``) and the API client at the configured base URL
(``prefix``).
"""

from __future__ import annotations

import logging
import os
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import spotipy
from requests.adapters import HTTPAdapter
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.exceptions import SpotifyException, SpotifyOauthError

from extract_lambda.config import ExtractConfig
from extract_lambda.logsafe import redact
from extract_lambda.retry import Backoff, Deadline, parse_retry_after

log = logging.getLogger(__name__)

# OAuth errors that retrying cannot fix (RFC 6749 section 5.2).
_PERMANENT_OAUTH_ERRORS = frozenset(
    {
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_request",
        "invalid_scope",
    }
)
# Never used: spotipy's SpotifyOAuth insists on a redirect URI even for the refresh flow.
_UNUSED_REDIRECT_URI = "http://127.0.0.1:8888/callback"

# What the tables need of each entry (docs/data-contract.md section 3), nothing heavy:
# no available_markets, images, preview URLs or show descriptions. The same list serves a
# TrackObject and an EpisodeObject (fields absent from one are simply absent).
PAYLOAD_FIELDS = (
    "type,id,uri,name,duration_ms,explicit,is_local,disc_number,track_number,popularity,"
    "external_ids(isrc),linked_from(id),"
    "album(id,name,uri,album_type,release_date,release_date_precision,total_tracks,"
    "artists(id,name,uri)),"
    "artists(id,name,uri),release_date,release_date_precision,show(id,name,uri,publisher)"
)
PLAYLIST_FIELDS = (
    "id,name,description,public,collaborative,snapshot_id,uri,"
    "owner(id,display_name),followers(total),external_urls(spotify)"
)


@dataclass(frozen=True)
class ApiShape:
    """One of the two ways to read a playlist's entries."""

    name: str  # "items" or "tracks": the document's api_shape
    path: str  # endpoint below the playlist
    limit: int  # page size (the endpoint's maximum)
    payload_key: str  # "item" or "track"

    @property
    def endpoint(self) -> str:
        return f"/playlists/{{playlist_id}}/{self.path}"

    @property
    def container(self) -> str:
        """The key of the entry container in the landed ``playlist`` object."""
        return self.name

    @property
    def page_fields(self) -> str:
        entry = f"added_at,added_by(id),is_local,{self.payload_key}({PAYLOAD_FIELDS})"
        return f"href,limit,offset,next,previous,total,items({entry})"


ITEMS = ApiShape("items", "items", 50, "item")
TRACKS = ApiShape("tracks", "tracks", 100, "track")


class ExtractError(Exception):
    """An extraction problem with a machine reason and a message fit for logs and summaries."""

    def __init__(self, reason: str, message: str, status: int | None = None) -> None:
        super().__init__(redact(message))
        self.reason = reason
        self.message = redact(message)
        self.status = status


class PlaylistFailed(ExtractError):
    """This playlist cannot be extracted now; the others go on."""


class RunStopped(ExtractError):
    """Nothing more can be extracted in this run (quota spent, rate limited past the deadline,
    credentials refused, time up)."""


@dataclass
class Stats:
    """Counters of one run (thread-safe)."""

    requests: int = 0
    retries: int = 0
    slept_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, requests: int = 0, retries: int = 0, slept_s: float = 0.0) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries
            self.slept_s += slept_s

    def as_summary(self) -> dict[str, Any]:
        """The counters as a run summary gives them (the extract's and the enrichment's)."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "waited_s": round(self.slept_s, 3),
        }


class _Session(requests.Session):
    """A session whose own ``verify`` (the CA bundle) wins over a request's ``verify=True``.

    spotipy's client-credentials token request passes ``verify=True`` explicitly
    (spotipy 2.26, ``SpotifyClientCredentials._request_access_token``), and requests lets a
    request's setting override the session's: behind a TLS-inspecting proxy that one request
    would be checked against certifi's CAs instead of REQUESTS_CA_BUNDLE and fail. ``True``
    is requests' default, so treating it as "not set" changes nothing else; an explicit
    ``False`` or path still wins.
    """

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # type: ignore[no-untyped-def]
        if verify is True:
            verify = None
        return super().merge_environment_settings(url, proxies, stream, verify, cert)


def build_session(max_concurrency: int, urls: tuple[str, ...] = ()) -> requests.Session:
    """A session without urllib3 retries, with a pool big enough for the page workers.

    Proxy and CA-bundle settings are read from the environment once, here: with
    ``trust_env`` on, requests rescans the whole environment on every request, which was a
    tenth of the client's CPU time on a 200-page playlist. The bundle applies to every
    request, spotipy's token requests included (``_Session``).
    """
    session = _Session()
    adapter = HTTPAdapter(
        pool_connections=4, pool_maxsize=max(10, max_concurrency + 2), max_retries=0
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    for url in urls:
        # Per host, as requests would decide per request (NO_PROXY included).
        parts = urlsplit(url)
        proxies = requests.utils.get_environ_proxies(url)
        proxy = proxies.get(parts.scheme) or proxies.get("all")
        if proxy:
            session.proxies[f"{parts.scheme}://{parts.hostname}"] = proxy
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


def build_auth_manager(
    config: ExtractConfig, session: requests.Session
) -> spotipy.SpotifyOAuth | spotipy.SpotifyClientCredentials:
    """spotipy's auth manager for the configured mode, token URL and an in-memory token cache."""
    credentials = config.credentials
    if credentials.refresh_token:
        manager: Any = spotipy.SpotifyOAuth(
            client_id=credentials.client_id.reveal(),
            client_secret=credentials.client_secret.reveal(),
            redirect_uri=_UNUSED_REDIRECT_URI,
            # An expired token holding only the refresh token: the first call refreshes it.
            cache_handler=MemoryCacheHandler(
                {
                    "access_token": "",
                    "token_type": "Bearer",
                    "expires_at": 0,
                    "scope": None,
                    "refresh_token": credentials.refresh_token.reveal(),
                }
            ),
            open_browser=False,
            requests_session=session,
            requests_timeout=config.request_timeout_s,
        )
    else:
        manager = spotipy.SpotifyClientCredentials(
            client_id=credentials.client_id.reveal(),
            client_secret=credentials.client_secret.reveal(),
            cache_handler=MemoryCacheHandler(),
            requests_session=session,
            requests_timeout=config.request_timeout_s,
        )
    manager.OAUTH_TOKEN_URL = config.auth_url  # the instance attribute shadows the class's
    return manager


class SpotifyClient:
    """Playlist reads with bounded, deadline-aware retries. Safe to share between threads."""

    def __init__(
        self,
        config: ExtractConfig,
        deadline: Deadline,
        *,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self.deadline = deadline
        self.stats = Stats()
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._backoff = Backoff(config.backoff_base_s, config.backoff_max_s)
        self._session = session or build_session(
            config.max_concurrency, (config.api_url, config.auth_url)
        )
        self._auth = build_auth_manager(config, self._session)
        self._sp = spotipy.Spotify(
            auth_manager=self._auth,
            requests_session=self._session,
            requests_timeout=config.request_timeout_s,
            retries=0,
            status_retries=0,
            backoff_factor=0,
        )
        self._sp.prefix = config.api_url + "/"
        api = urlsplit(config.api_url)
        self._api_origin = (api.scheme, api.netloc)
        self._api_path = api.path.rstrip("/") + "/"
        self._pause_lock = threading.Lock()
        self._not_before = 0.0  # monotonic time before which nobody sends (after a 429)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the calls the extractor makes -------------------------------------------------------

    def authenticate(self) -> None:
        """Get a token now, so bad credentials stop the run before any playlist is tried."""

        def fetch() -> dict[str, Any]:
            token = self._auth.get_access_token(as_dict=False)
            return {"ok": bool(token)}

        self._call("getting an access token", fetch)

    def playlist(self, playlist_id: str, fields: str = PLAYLIST_FIELDS) -> dict[str, Any]:
        return self._call(
            f"reading playlist {playlist_id}",
            lambda: self._sp.playlist(
                playlist_id,
                fields=fields,
                market=self.config.market,
                additional_types=("track", "episode"),
            ),
        )

    def page(self, playlist_id: str, shape: ApiShape, offset: int) -> dict[str, Any]:
        """One page of entries at `offset` (``/items`` via spotipy, legacy ``/tracks`` directly:
        spotipy >= 2.26 sends ``playlist_tracks`` to ``/items`` too)."""
        what = f"reading {shape.path} of playlist {playlist_id} at offset {offset}"
        if shape is ITEMS:
            return self._call(
                what,
                lambda: self._sp.playlist_items(
                    playlist_id,
                    fields=shape.page_fields,
                    limit=shape.limit,
                    offset=offset,
                    market=self.config.market,
                    additional_types=("track", "episode"),
                ),
            )
        return self._call(
            what,
            lambda: self._sp._get(
                f"playlists/{playlist_id}/tracks",
                limit=shape.limit,
                offset=offset,
                fields=shape.page_fields,
                market=self.config.market,
                additional_types="track,episode",
            ),
        )

    def follow(self, next_url: str, shape: ApiShape) -> dict[str, Any]:
        """The page a ``next`` link points to, after checking it stays on the configured API
        (the bearer token goes wherever the link says) and keeps our market and filter."""
        parts = urlsplit(next_url)
        if (parts.scheme, parts.netloc) != self._api_origin or not parts.path.startswith(
            self._api_path
        ):
            raise PlaylistFailed(
                "bad_response", f"a next link leaves the configured API ({parts.netloc})"
            )
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.setdefault("market", self.config.market)
        query.setdefault("fields", shape.page_fields)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
        return self._call(
            f"following next to offset {query.get('offset')}", lambda: self._sp._get(url)
        )

    # -- retrying ----------------------------------------------------------------------------

    def _call(self, what: str, request: Any) -> dict[str, Any]:
        attempt = 0
        refreshed = False
        while True:
            self._wait_for_pause(what)
            if self.deadline.expired():
                raise RunStopped("deadline", f"out of time before {what}")
            attempt += 1
            self.stats.add(requests=1, retries=1 if attempt > 1 else 0)
            try:
                result = _send(request)
            except SpotifyException as error:
                status = error.http_status
                if status == 401 and not refreshed:
                    refreshed = True  # the token expired or was revoked: get a new one, once
                    self._drop_token()
                    continue
                failure = self._classify(error, what)
            except SpotifyOauthError as error:
                if isinstance(error.error, str) and error.error in _PERMANENT_OAUTH_ERRORS:
                    raise RunStopped(
                        "auth_failed",
                        f"the token endpoint refused the credentials ({error.error}: "
                        f"{error.error_description}); check the client id/secret and, for "
                        "refresh_token mode, that the refresh token belongs to this app and "
                        "is less than 6 months old (Spotify's limit since 2026-07-20): run "
                        "`make spotify-auth` again",
                    ) from None
                failure = _token_endpoint_failure(error, what)
            except requests.Timeout:
                failure = PlaylistFailed("timeout", f"timed out while {what}")
            except requests.ConnectionError:
                failure = PlaylistFailed("connection_error", f"connection failed while {what}")
            except requests.RequestException as error:
                # e.g. a body cut off mid-stream (ChunkedEncodingError): transient as well.
                failure = PlaylistFailed("connection_error", f"{type(error).__name__} while {what}")
            else:
                if isinstance(result, dict):
                    return result
                # spotipy returns None when a 2xx body is not JSON (e.g. cut short).
                failure = PlaylistFailed(
                    "bad_response", f"a response that is not JSON while {what}"
                )
            self._before_retry(failure, attempt, what)

    def _classify(self, error: SpotifyException, what: str) -> ExtractError:
        status = error.http_status
        api_message = _api_message(error)
        if status == 404:
            return _Permanent("not_found", f"HTTP 404 while {what}: {api_message}", status)
        if status == 403:
            return _Permanent("forbidden", f"HTTP 403 while {what}: {api_message}", status)
        if status == 401:
            return RunStopped("auth_failed", f"HTTP 401 twice while {what}: {api_message}", status)
        if status == 429:
            if (error.reason or "").upper() == "QUOTA_EXCEEDED" or "QUOTA_EXCEEDED" in api_message:
                return RunStopped(
                    "quota_exceeded",
                    f"Spotify says the app's quota is spent (429 QUOTA_EXCEEDED) while {what}; "
                    "the run stops: retrying cannot help until the quota resets",
                    status,
                )
            retry_after = parse_retry_after((error.headers or {}).get("Retry-After"))
            return _RateLimited(f"HTTP 429 while {what}", status, retry_after)
        if status is not None and status >= 500:
            return PlaylistFailed(
                "server_error", f"HTTP {status} while {what}: {api_message}", status
            )
        return _Permanent("bad_request", f"HTTP {status} while {what}: {api_message}", status)

    def _before_retry(self, failure: ExtractError, attempt: int, what: str) -> None:
        """Raise `failure` when it is final; otherwise wait (bounded) before the next attempt."""
        if isinstance(failure, RunStopped | _Permanent):
            raise failure
        if isinstance(failure, _RateLimited):
            wait = failure.retry_after
            if wait is None:
                wait = self._jittered(attempt)
            limit = min(self.deadline.remaining(), self.config.max_retry_after_s)
            if wait > limit:
                raise RunStopped(
                    "rate_limited",
                    f"{failure.message}: Spotify asks to wait {wait:.0f}s (Retry-After), more "
                    f"than the {limit:.0f}s this run can wait",
                    429,
                )
            if attempt >= self.config.max_attempts:
                raise RunStopped(
                    "rate_limited", f"{failure.message}, {attempt} times in a row", 429
                )
            self._pause_everyone(wait)
            log.warning("%s; waiting %.1fs as Retry-After asks", failure.message, wait)
            return
        if attempt >= self.config.max_attempts:
            raise PlaylistFailed(
                failure.reason,
                f"{failure.message} (gave up after {attempt} attempts)",
                failure.status,
            )
        wait = self._jittered(attempt)
        if wait >= self.deadline.remaining():
            raise PlaylistFailed(
                failure.reason, f"{failure.message} (no time left to retry)", failure.status
            )
        log.warning("%s; retry %d in %.2fs", failure.message, attempt, wait)
        self.stats.add(slept_s=wait)
        self.deadline.sleep(wait)

    def _jittered(self, attempt: int) -> float:
        with self._rng_lock:
            return self._backoff.delay(attempt, self._rng)

    def _pause_everyone(self, seconds: float) -> None:
        with self._pause_lock:
            self._not_before = max(self._not_before, self.deadline.now() + seconds)

    def _wait_for_pause(self, what: str) -> None:
        with self._pause_lock:
            wait = self._not_before - self.deadline.now()
        if wait <= 0:
            return
        if wait > self.deadline.remaining():
            raise RunStopped("rate_limited", f"rate limited, and out of time before {what}", 429)
        self.stats.add(slept_s=wait)
        self.deadline.sleep(wait)

    def _drop_token(self) -> None:
        cached = self._auth.cache_handler.get_cached_token() or {}
        if cached:
            self._auth.cache_handler.save_token_to_cache({**cached, "expires_at": 0})


def _token_endpoint_failure(error: SpotifyOauthError, what: str) -> ExtractError:
    """A token-endpoint error that is not a refusal of the credentials: retried like the API's.

    spotipy raises SpotifyOauthError from inside its ``except HTTPError`` (``oauth2.py``,
    ``_handle_oauth_error``), so the HTTP response, with its status and ``Retry-After``, is
    the exception's context: a 429 waits as long as the endpoint asks (within the deadline),
    like the Web API's, instead of the plain backoff.
    """
    context = error.__context__
    response = getattr(context, "response", None)
    status = getattr(response, "status_code", None)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return _RateLimited(f"HTTP 429 from the token endpoint while {what}", status, retry_after)
    detail = f"HTTP {status} " if status else ""
    return PlaylistFailed("auth_error", f"token endpoint error {detail}while {what}", status)


class _Permanent(PlaylistFailed):
    """404, 403 and other 4xx: retrying gives the same answer."""


class _RateLimited(PlaylistFailed):
    def __init__(self, message: str, status: int | None, retry_after: float | None) -> None:
        super().__init__("rate_limited", message, status)
        self.retry_after = retry_after


def _api_message(error: SpotifyException) -> str:
    # spotipy's msg is "<url>:\n <API message>"; the URL repeats what we already say.
    text = str(error.msg or "")
    return text.rsplit(":\n", 1)[-1].strip() or "no message"


def _send(request: Any) -> Any:
    """``request()``, with an HTTP error whose body spotipy cannot read turned into the
    SpotifyException it would have raised.

    spotipy reads an error body as ``{"error": {"message": ..., "reason": ...}}``; any other
    JSON (``{"error": "server_error"}``, a gateway's list) makes it raise AttributeError
    while handling the HTTPError, which would lose the status (a 503 is retried, a 404 is
    not). The HTTPError is that exception's context: classify its status instead.
    """
    try:
        return request()
    except (AttributeError, TypeError) as error:
        http = error.__context__
        if not isinstance(http, requests.HTTPError) or http.response is None:
            raise
        response = http.response
        raise SpotifyException(
            response.status_code,
            -1,
            f"{response.url}:\n an error body that is not a Spotify error object",
            headers=response.headers,
        ) from None
