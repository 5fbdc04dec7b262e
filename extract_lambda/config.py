"""Extractor configuration, parsed once into frozen dataclasses.

The names are the shared ones of docs/data-contract.md section 6. Secrets are wrapped in
:class:`Secret`, whose ``repr``/``str`` never show the value, so a config object can be
logged or end up in a traceback without leaking anything.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.spotify.com/v1"
DEFAULT_AUTH_URL = "https://accounts.spotify.com/api/token"
DEFAULT_MARKET = "US"
DEFAULT_MAX_CONCURRENCY = 16
MAX_MAX_CONCURRENCY = 64
API_SHAPES = ("auto", "items", "tracks")

_BASE62_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")
_PLAYLIST_URI = re.compile(r"^spotify:(?:user:[^:]+:)?playlist:([0-9A-Za-z]+)$")
_PLAYLIST_URL = re.compile(
    r"^(?:https?://)?open\.spotify\.com/(?:intl-[a-z]{2}/)?playlist/([0-9A-Za-z]+)/?(?:\?.*)?$"
)
_MARKET = re.compile(r"^[A-Z]{2}$")


class ConfigError(ValueError):
    """The configuration is missing or invalid; the message says which setting and why."""


class InvalidPlaylistId(ValueError):
    """A playlist reference that is neither an id, a spotify: URI nor an open.spotify.com URL."""


class Secret:
    """A string that must not be shown: ``repr`` and ``str`` give ``'***'``.

    Call :meth:`reveal` exactly where the value is handed to the library that needs it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a Secret wraps a string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple:
        # Pickles end up in caches and on disk; a secret must not travel that way.
        raise TypeError("a Secret is not picklable")

    def __copy__(self) -> Secret:
        return self  # immutable: copies (dataclasses.replace/asdict, deepcopy) share it

    def __deepcopy__(self, memo: dict) -> Secret:
        return self


@dataclass(frozen=True)
class Credentials:
    """Spotify app credentials; with a refresh token the user (authorization-code) flow is used.

    ``refresh_token`` set: ``auth_mode == "refresh_token"`` (development-mode apps, which can
    only read playlists the authorising user owns or collaborates on). Unset:
    ``"client_credentials"`` (extended-quota apps).
    """

    client_id: Secret
    client_secret: Secret
    refresh_token: Secret | None = None

    def __post_init__(self) -> None:
        if not self.client_id or not self.client_secret:
            raise ConfigError("Spotify client id and client secret must both be set")
        if self.refresh_token is not None and not self.refresh_token:
            object.__setattr__(self, "refresh_token", None)

    @property
    def auth_mode(self) -> str:
        return "refresh_token" if self.refresh_token else "client_credentials"

    def secret_values(self) -> list[str]:
        """The raw values, for log redaction only."""
        values = [self.client_id.reveal(), self.client_secret.reveal()]
        if self.refresh_token:
            values.append(self.refresh_token.reveal())
        return values

    @classmethod
    def from_values(
        cls, client_id: str | None, client_secret: str | None, refresh_token: str | None = None
    ) -> Credentials:
        return cls(
            Secret((client_id or "").strip()),
            Secret((client_secret or "").strip()),
            Secret(refresh_token.strip()) if refresh_token and refresh_token.strip() else None,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Credentials:
        """Local runs: SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and optional SPOTIFY_REFRESH_TOKEN."""
        missing = [n for n in ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET") if not environ.get(n)]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} not set: export the app's credentials "
                "(and SPOTIFY_REFRESH_TOKEN for a development-mode app; see docs/extractor.md)"
            )
        return cls.from_values(
            environ["SPOTIFY_CLIENT_ID"],
            environ["SPOTIFY_CLIENT_SECRET"],
            environ.get("SPOTIFY_REFRESH_TOKEN"),
        )

    @classmethod
    def from_secret_string(cls, text: str, *, secret_id: str = "the secret") -> Credentials:
        """The Secrets Manager value: ``{"client_id", "client_secret", "refresh_token"?}``."""
        try:
            value = json.loads(text)
        except ValueError:
            # Never echo the text: it is the secret.
            raise ConfigError(f"{secret_id} is not a JSON object") from None
        if not isinstance(value, dict):
            raise ConfigError(f"{secret_id} is not a JSON object")
        missing = [k for k in ("client_id", "client_secret") if not value.get(k)]
        if missing:
            raise ConfigError(f"{secret_id} lacks {' and '.join(missing)}")
        for key in ("client_id", "client_secret", "refresh_token"):
            if value.get(key) is not None and not isinstance(value[key], str):
                raise ConfigError(f"{secret_id}: {key} must be a string")
        return cls.from_values(
            value["client_id"], value["client_secret"], value.get("refresh_token")
        )


@dataclass(frozen=True)
class ExtractConfig:
    """Everything an extraction needs except the playlist ids, the sink and the clock.

    Attributes:
        credentials: the app's credentials (see :class:`Credentials`).
        api_url: Web API base (SPOTIFY_API_URL), e.g. the fake's ``server.api_url``.
        auth_url: token endpoint (SPOTIFY_AUTH_URL).
        market: ISO country sent as ``market`` on every request (SPOTIFY_MARKET).
        max_concurrency: pages of one playlist fetched at once (MAX_CONCURRENCY); 1 follows
            ``next`` links one by one.
        api_shape: ``items`` (2026 API), ``tracks`` (legacy, extended-quota apps; falls back
            to ``items`` where ``/tracks`` is refused) or ``auto`` (``tracks`` with client
            credentials, ``items`` with a refresh token) (SPOTIFY_API_SHAPE).
        request_timeout_s: connect/read timeout of one HTTP request.
        max_attempts: attempts per request for 5xx, timeouts and 429 before giving up.
        backoff_base_s, backoff_max_s: exponential backoff with full jitter,
            ``uniform(0, min(max, base * 2**(attempt-1)))``.
        max_retry_after_s: longest ``Retry-After`` honoured even when the deadline allows
            more (a local run has no deadline; Spotify's can be hours).
        verify_snapshot: re-read ``snapshot_id`` after the pages and retry the playlist once
            when it changed mid-read, so a landed snapshot is one consistent version.
    """

    credentials: Credentials = field(repr=False)
    api_url: str = DEFAULT_API_URL
    auth_url: str = DEFAULT_AUTH_URL
    market: str = DEFAULT_MARKET
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    api_shape: str = "auto"
    request_timeout_s: float = 10.0
    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    max_retry_after_s: float = 300.0
    verify_snapshot: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_url", check_url("SPOTIFY_API_URL", self.api_url))
        object.__setattr__(self, "auth_url", check_url("SPOTIFY_AUTH_URL", self.auth_url))
        if not _MARKET.match(self.market or ""):
            raise ConfigError(
                f"SPOTIFY_MARKET must be an ISO 3166-1 alpha-2 code like US, not {self.market!r}"
            )
        if not 1 <= self.max_concurrency <= MAX_MAX_CONCURRENCY:
            raise ConfigError(f"MAX_CONCURRENCY must be between 1 and {MAX_MAX_CONCURRENCY}")
        if self.api_shape not in API_SHAPES:
            raise ConfigError(f"SPOTIFY_API_SHAPE must be one of {', '.join(API_SHAPES)}")
        if self.request_timeout_s <= 0 or self.max_attempts < 1:
            raise ConfigError("request_timeout_s must be > 0 and max_attempts >= 1")
        if self.backoff_base_s < 0 or self.backoff_max_s < self.backoff_base_s:
            raise ConfigError("backoff_max_s must be >= backoff_base_s >= 0")

    @property
    def auth_mode(self) -> str:
        return self.credentials.auth_mode

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], credentials: Credentials | None = None
    ) -> ExtractConfig:
        """Read the shared environment variables; credentials default to the local SPOTIFY_* ones.

        Empty values count as unset (Terraform passes "" for optional settings).
        """

        def get(name: str, default: str) -> str:
            value = environ.get(name, "")
            return value.strip() if value and value.strip() else default

        concurrency = get("MAX_CONCURRENCY", str(DEFAULT_MAX_CONCURRENCY))
        try:
            max_concurrency = int(concurrency)
        except ValueError:
            raise ConfigError(f"MAX_CONCURRENCY must be an integer, not {concurrency!r}") from None
        return cls(
            credentials=credentials if credentials is not None else Credentials.from_env(environ),
            api_url=get("SPOTIFY_API_URL", DEFAULT_API_URL),
            auth_url=get("SPOTIFY_AUTH_URL", DEFAULT_AUTH_URL),
            market=get("SPOTIFY_MARKET", DEFAULT_MARKET),
            max_concurrency=max_concurrency,
            api_shape=get("SPOTIFY_API_SHAPE", "auto"),
        )


def check_url(name: str, url: str) -> str:
    """An https URL, or http on loopback only: a bearer token must not cross a network in clear."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL, not {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(f"{name} may use plain http only on loopback (127.0.0.1), not {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{name} must not carry a query, fragment or user info")
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_playlist_id(reference: str) -> str:
    """The bare id of a playlist id, ``spotify:playlist:`` URI or open.spotify.com URL."""
    text = (reference or "").strip()
    for pattern in (_PLAYLIST_URI, _PLAYLIST_URL):
        match = pattern.match(text)
        if match:
            return match.group(1)
    if _BASE62_ID.match(text):
        return text
    raise InvalidPlaylistId(
        f"{text[:80]!r} is not a playlist id (base62), spotify:playlist: URI or playlist URL"
    )


def split_playlist_ids(value: str | None) -> list[str]:
    """PLAYLIST_IDS: comma- (or whitespace-) separated references, blanks ignored."""
    return [part for part in re.split(r"[,\s]+", value or "") if part]
