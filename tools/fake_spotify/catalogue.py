"""A deterministic, generated Spotify catalogue whose playlists evolve week by week like charts.

Everything is a pure function of the seed, so two processes with the same seed serve the same
ids, names and weekly contents, and tests can assert on them.

How a playlist evolves: every week a batch of songs *arrives* in the playlist's pool; each
song lives for a few weeks with a popularity curve that rises, peaks and falls (a half sine).
A week's playlist is the top ``size`` songs of that week by score, in chart order. So songs
enter, climb, peak and fall off; the week-to-week overlap is high but never total.

On top of the chart, some playlists carry the awkward entries real playlists have: local
files (null ids, ``spotify:local:`` URIs), podcast episodes (no album, no artists), a null
track (as in a real capture, with an ``added_by`` whose id is empty) and the same track
twice. Playlist 0 of every catalogue carries all of them, so tests can rely on it.

Names mix commas, quotes, apostrophes and non-ASCII; tracks often have several artists that
differ from their album's artists (features, compilations by "Various Artists"); releases
have ``year``, ``month`` and ``day`` precision.

Objects are built in their full legacy shape (what an extended-quota app gets); the server
removes what development-mode apps no longer receive.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
OPEN_URL = "https://open.spotify.com"
API_URL = "https://api.spotify.com/v1"
IMAGE_URL = "https://i.scdn.co/image"

# A subset of real market codes: enough to look like the real arrays without making every
# unfiltered response megabytes long.
_MARKET_CODES = (
    "AD AE AR AT AU BE BG BO BR CA CH CL CO CR CY CZ DE DK DO EC EE ES FI FR GB GR GT HK HN HU "
    "ID IE IL IN IS IT JP KR LT LU LV MT MX MY NI NL NO NZ PA PE PH PL PT PY RO SE SG SK SV TH "
    "TR TW US UY VN ZA"
)
MARKETS = tuple(_MARKET_CODES.split())

OWNER_ID = "fakeuser"
OWNER_NAME = "Fake Üser"
COLLABORATOR_ID = "collab_ana"
OTHER_OWNER_ID = "someone_else"
SPOTIFY_OWNER_ID = "spotify"

_ADJECTIVES = [
    "Midnight", "Golden", "Electric", "Broken", "Silver", "Velvet", "Neon", "Quiet", "Wild",
    "Paper", "Crystal", "Lonely", "Summer", "Northern", "Café", "Naïve", "Über", "Dancing",
    "Señorita", "Blåbær", "Hollow", "Restless", "Sunday", "Frozen",
]  # fmt: skip
_NOUNS = [
    "Heart", "City", "River", "Dream", "Fire", "Rain", "Highway", "Echo", "Garden", "Signal",
    "Ghost", "Mirror", "Ocean", "Moon", "Corazón", "Straße", "Fjörd", "東京", "Île", "Øresund",
    "Satellite", "Avenue", "Thunder", "Lullaby",
]  # fmt: skip
_VERBS = ["Stop", "Look Back", "Let Go", "Wake Me", "Forget", "Say Goodbye", "Run", "Call"]
_FIRST = [
    "Ada", "Björn", "Chloé", "Dmitri", "Émile", "Farah", "Günther", "Hana", "Iñigo", "Jae-won",
    "Kofi", "Léa", "Mårten", "Nneka", "Oğuz", "Priya", "Quentin", "Rúna", "Søren", "Tomás",
    "Ume", "Zoë", "Malik", "Aroha",
]  # fmt: skip
_LAST = [
    "Okafor", "Lindqvist", "Moreau", "Petrov", "Nakamura", "García", "Schröder", "O'Neill",
    "Kowalski", "Haddad", "Dubois", "Ng", "Andersson", "Costa", "Yilmaz", "Fernández",
]  # fmt: skip
_BAND_NOUNS = ["Wolves", "Satellites", "Lanterns", "Strangers", "Comets", "Tigers", "Ravens"]
_SHOWS = [
    "The Daily Groove", "Ciencia, Café y Charla", 'Talk "Data" to Me', "Économie en 10 min",
    "Weekend Longreads", "Kōhī Break",
]  # fmt: skip


def spotify_id(*parts: object) -> str:
    """A deterministic 22-character base62 id (the shape of real Spotify ids) for `parts`."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=22).digest()
    return "".join(BASE62[byte % 62] for byte in digest)


class Draw:
    """Deterministic pseudo-random draws from a hash of a key.

    Seeding ``random.Random`` per generated object cost ~8 s for a 10,000-entry playlist;
    one BLAKE2 digest per object is an order of magnitude cheaper and just as deterministic.
    """

    __slots__ = ("_data", "_pos")

    def __init__(self, *parts: object) -> None:
        self._data = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=64).digest()
        self._pos = 0

    def _next(self) -> int:
        if self._pos + 4 > len(self._data):
            self._data = hashlib.blake2b(self._data, digest_size=64).digest()
            self._pos = 0
        value = int.from_bytes(self._data[self._pos : self._pos + 4], "big")
        self._pos += 4
        return value

    def random(self) -> float:
        """A float in [0, 1)."""
        return self._next() / 4_294_967_296

    def below(self, n: int) -> int:
        """An int in [0, n) for n <= 2**32."""
        return (self._next() * n) >> 32

    def between(self, low: int, high: int) -> int:
        """An int in [low, high], both included."""
        return low + self.below(high - low + 1)

    def choice(self, options: list[Any] | tuple[Any, ...]) -> Any:
        return options[self.below(len(options))]

    def weighted(self, options: list[Any], weights: list[int]) -> Any:
        point = self.below(sum(weights))
        for option, weight in zip(options, weights, strict=True):
            if point < weight:
                return option
            point -= weight
        raise AssertionError("unreachable")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _images(kind: str, ident: str) -> list[dict[str, Any]]:
    return [
        {"height": size, "url": f"{IMAGE_URL}/{kind}{size}{ident}", "width": size}
        for size in (640, 300, 64)
    ]


def _user(user_id: str, display_name: str | None = None) -> dict[str, Any]:
    user: dict[str, Any] = {
        "external_urls": {"spotify": f"{OPEN_URL}/user/{user_id}"},
        "href": f"{API_URL}/users/{user_id}",
        "id": user_id,
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }
    if display_name is not None:
        user = {"display_name": display_name, **user}
    return user


def artist_ref(artist_id: str, name: str) -> dict[str, Any]:
    """A simplified artist object, as tracks and albums embed it."""
    return {
        "external_urls": {"spotify": f"{OPEN_URL}/artist/{artist_id}"},
        "href": f"{API_URL}/artists/{artist_id}",
        "id": artist_id,
        "name": name,
        "type": "artist",
        "uri": f"spotify:artist:{artist_id}",
    }


def linked_track(track_id: str) -> dict[str, Any]:
    """The ``linked_from`` object of a relinked track: the id that was requested."""
    return {
        "external_urls": {"spotify": f"{OPEN_URL}/track/{track_id}"},
        "href": f"{API_URL}/tracks/{track_id}",
        "id": track_id,
        "type": "track",
        "uri": f"spotify:track:{track_id}",
    }


def local_file_track(name: str, artist: str, album: str, seconds: int, uri: str) -> dict[str, Any]:
    """A local file's track object, shaped exactly like the real capture (every id null);
    `uri` is the part of ``spotify:local:<uri>:<seconds>`` before the seconds."""
    return {
        "album": {
            "album_type": None,
            "artists": [],
            "available_markets": [],
            "external_urls": {},
            "href": None,
            "id": None,
            "images": [],
            "name": album,
            "release_date": None,
            "release_date_precision": None,
            "type": "album",
            "uri": None,
        },
        "artists": [
            {
                "external_urls": {},
                "href": None,
                "id": None,
                "name": artist,
                "type": "artist",
                "uri": None,
            }
        ],
        "available_markets": [],
        "disc_number": 0,
        "duration_ms": seconds * 1000,
        "explicit": False,
        "external_ids": {},
        "external_urls": {},
        "href": None,
        "id": None,
        "is_local": True,
        "name": name,
        "popularity": 0,
        "preview_url": None,
        "track_number": 0,
        "type": "track",
        "uri": f"spotify:local:{uri}:{seconds}",
    }


@dataclass(slots=True)
class Song:
    """One chart candidate: arrives in week `arrival`, lives `life` weeks, peaks at `peak`."""

    key: tuple[int, int]
    arrival: int
    life: int
    peak: float
    album: int
    disc_track: int
    added_offset_s: int

    def score(self, week: int) -> float:
        age = week - self.arrival
        if age < 0 or age >= self.life:
            return 0.0
        return self.peak * math.sin(math.pi * (age + 0.5) / self.life)


@dataclass(frozen=True)
class Extra:
    """A non-chart entry: a local file, an episode, a null track or a repeated chart track."""

    kind: str  # "local", "episode", "null", "duplicate"
    position: float  # where it sits, as a fraction of the chart length
    index: int  # which local file / episode, or which chart position is repeated


@dataclass(frozen=True)
class PlaylistSpec:
    """The generated facts of one playlist; its weekly entries come from the chart model."""

    index: int
    id: str
    name: str
    description: str
    owner_id: str
    owner_name: str
    kind: str  # "user", "editorial", "not_owned", "fixed"
    size: int
    collaborative: bool
    public: bool
    base_followers: int
    extras: tuple[Extra, ...] = ()
    share: float = 0.3  # how often a song comes from the catalogue-wide pool of hits


@dataclass(eq=False)  # identity hash: the per-object caches below key on `self`
class Catalogue:
    """The generated catalogue. Construct with the same arguments to get the same data.

    Parameters:
        seed: everything derives from it.
        playlists: number of user-owned playlists (owned by the fake's authorising user).
        weeks: number of weeks the catalogue covers (``set_week(0 .. weeks - 1)``).
        editorial: Spotify-owned editorial playlists (404 for development-mode apps).
        not_owned: playlists of another user (403 on ``/items`` for development-mode apps).
        large_playlist_items: when set, one more user-owned playlist of that many entries
            (``large_playlist_id``), for benchmarks.
        sizes: explicit chart sizes of the user playlists (overrides the generated ones);
            a size of 0 gives an empty playlist.
        start_date: the date of week 0 (a Monday by default); week n is ``start_date + 7n``
            days, and every entry of week n was added before that date.
        removed_tracks: track ids ``GET /tracks/{id}`` answers 404 for (removed from the
            catalogue). Every other 22-character base62 id resolves (:meth:`track_by_id`).
        tracks_without_isrc: track ids served with an empty ``external_ids`` (no ISRC),
            whatever ISRC :meth:`describe_tracks` or :meth:`same_recording` gave them.
    """

    seed: int = 7
    playlists: int = 20
    weeks: int = 26
    editorial: int = 3
    not_owned: int = 3
    large_playlist_items: int | None = None
    sizes: tuple[int, ...] | None = None
    start_date: date = date(2026, 5, 4)
    removed_tracks: frozenset[str] = frozenset()
    tracks_without_isrc: frozenset[str] = frozenset()
    specs: dict[str, PlaylistSpec] = field(init=False, repr=False)
    _fixed: dict[str, list[dict[str, Any]]] = field(init=False, repr=False)
    _described: dict[str, tuple[str, tuple[str, ...]]] = field(init=False, repr=False)
    _isrcs: dict[str, str] = field(init=False, repr=False)
    _artist_ids_by_name: dict[str, str] | None = field(init=False, repr=False)
    _playlist_tracks: dict[str, tuple[int, int]] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise ValueError("weeks must be >= 1")
        if self.sizes is not None and len(self.sizes) != self.playlists:
            raise ValueError("sizes must give one size per user playlist")
        self.specs = {}
        self._fixed = {}
        self._described = {}
        self._isrcs = {}
        self._artist_ids_by_name = None
        self._playlist_tracks = None
        self.removed_tracks = frozenset(self.removed_tracks)
        self.tracks_without_isrc = frozenset(self.tracks_without_isrc)
        rng = random.Random(f"{self.seed}:catalogue")
        size_choices = (25, 40, 50, 51, 80, 100, 101, 150, 220, 300)
        for index in range(self.playlists):
            size = self.sizes[index] if self.sizes is not None else rng.choice(size_choices)
            self._add(index, "user", size, rng)
        if self.large_playlist_items:
            self._add(self.playlists, "user", self.large_playlist_items, rng, large=True)
        for offset in range(self.editorial):
            self._add(1000 + offset, "editorial", rng.choice((50, 100)), rng)
        for offset in range(self.not_owned):
            self._add(2000 + offset, "not_owned", rng.choice((30, 60)), rng)

    # -- playlists ---------------------------------------------------------------------------

    def _add(
        self, index: int, kind: str, size: int, rng: random.Random, large: bool = False
    ) -> None:
        if kind == "editorial":
            # Real editorial ids start with 37i9dQZF1 (for example 37i9dQZEVXbMDoHDwVN2tF).
            playlist_id = ("37i9dQZF1DX" + spotify_id(self.seed, "editorial", index))[:22]
            owner_id, owner_name = SPOTIFY_OWNER_ID, "Spotify"
        elif kind == "not_owned":
            playlist_id = spotify_id(self.seed, "playlist", index)
            owner_id, owner_name = OTHER_OWNER_ID, "Someone Élse"
        else:
            playlist_id = spotify_id(self.seed, "playlist", index)
            owner_id, owner_name = OWNER_ID, OWNER_NAME
        name = self._playlist_name(rng, index, kind, large)
        extras = self._extras(index, size, rng) if kind == "user" and size else ()
        self.specs[playlist_id] = PlaylistSpec(
            index=index,
            id=playlist_id,
            name=name,
            description=rng.choice(
                [
                    "Weekly chart, updated every Monday.",
                    'The "best" of the week, in order.',
                    "Nouveautés, classiques & pépites",
                    "",
                ]
            ),
            owner_id=owner_id,
            owner_name=owner_name,
            kind=kind,
            size=size,
            collaborative=kind == "user" and index % 8 == 5,
            public=index % 3 != 2,
            base_followers=rng.randint(0, 50_000),
            extras=extras,
            share=min(0.3, 200 / max(size, 1)),
        )

    def _playlist_name(self, rng: random.Random, index: int, kind: str, large: bool) -> str:
        if large:
            return f"Everything, Ever ({self.large_playlist_items} songs)"
        if kind == "editorial":
            return rng.choice(["Top 50 \u2013 Global", "Today's Top Hits", "Viral 50, Ísland"])
        pattern = rng.randrange(4)
        adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
        if pattern == 0:
            return f"{adjective} {noun}s, Vol. {index + 1}"
        if pattern == 1:
            return f'"{noun}" Radio #{index + 1}'
        if pattern == 2:
            return f"{noun} & {rng.choice(_NOUNS)} \u2013 Weekly {index + 1}"
        return f"My {adjective} Mix {index + 1} 🎧"

    def _extras(self, index: int, size: int, rng: random.Random) -> tuple[Extra, ...]:
        if index == 0:  # the playlist with every awkward case, for tests
            return (
                Extra("local", 0.3, 0),
                Extra("episode", 0.5, 0),
                Extra("null", 0.6, 0),
                Extra("local", 0.8, 1),
                Extra("episode", 0.9, 1),
                Extra("duplicate", 1.0, 0),
            )
        extras: list[Extra] = []
        if rng.random() < 0.25:
            extras.append(Extra("local", rng.random(), rng.randrange(6)))
        if rng.random() < 0.2:
            extras.append(Extra("episode", rng.random(), rng.randrange(12)))
        if rng.random() < 0.1:
            extras.append(Extra("null", rng.random(), 0))
        if rng.random() < 0.25:
            extras.append(Extra("duplicate", rng.random(), rng.randrange(min(size, 10))))
        return tuple(extras)

    def add_fixed_playlist(
        self,
        playlist_id: str,
        entries: list[dict[str, Any]],
        *,
        name: str = "Fixed playlist",
        owner_id: str = OWNER_ID,
    ) -> None:
        """Serve `entries` (legacy PlaylistTrackObjects, e.g. a real capture) as a playlist.

        The entries are the same every week. The server adds ``item`` next to ``track`` in
        the 2026 shape, and removes the fields development mode no longer sends.
        """
        self._fixed[playlist_id] = list(entries)
        self.specs[playlist_id] = PlaylistSpec(
            index=-1,
            id=playlist_id,
            name=name,
            description="",
            owner_id=owner_id,
            owner_name=OWNER_NAME if owner_id == OWNER_ID else owner_id,
            kind="fixed",
            size=len(entries),
            collaborative=False,
            public=True,
            base_followers=0,
        )

    @property
    def user_playlist_ids(self) -> list[str]:
        """Ids of the playlists the fake's authorising user owns, in generation order."""
        return [s.id for s in self.specs.values() if s.kind == "user" and s.index < self.playlists]

    @property
    def large_playlist_id(self) -> str | None:
        for spec in self.specs.values():
            if spec.kind == "user" and spec.index == self.playlists:
                return spec.id
        return None

    @property
    def editorial_ids(self) -> list[str]:
        return [s.id for s in self.specs.values() if s.kind == "editorial"]

    @property
    def not_owned_ids(self) -> list[str]:
        return [s.id for s in self.specs.values() if s.kind == "not_owned"]

    def week_start(self, week: int) -> datetime:
        """Midnight UTC of week `week`'s date: everything in that week was added before it."""
        return datetime.combine(self.start_date + timedelta(weeks=week), datetime.min.time(), UTC)

    def check_week(self, week: int) -> None:
        if not 0 <= week < self.weeks:
            raise ValueError(f"week must be in 0..{self.weeks - 1}, not {week}")

    # -- weekly contents -----------------------------------------------------------------------

    def entries(self, playlist_id: str, week: int) -> list[dict[str, Any]]:
        """All entries (legacy PlaylistTrackObjects, full shape) of a playlist in `week`."""
        self.check_week(week)
        if playlist_id in self._fixed:
            return self._fixed[playlist_id]
        return self._entries(playlist_id, week)

    @lru_cache(maxsize=512)  # noqa: B019 - the catalogue lives as long as its server
    def _entries(self, playlist_id: str, week: int) -> list[dict[str, Any]]:
        spec = self.specs[playlist_id]
        chart = self.chart(playlist_id, week)
        entries = [self._song_entry(spec, song) for song in chart]
        for extra in sorted(spec.extras, key=lambda e: e.position):
            position = min(len(entries), round(extra.position * len(entries)))
            entries.insert(position, self._extra_entry(spec, extra, chart))
        return entries

    @lru_cache(maxsize=512)  # noqa: B019
    def chart(self, playlist_id: str, week: int) -> list[Song]:
        """The week's top `size` songs of a playlist, in chart order."""
        spec = self.specs[playlist_id]
        if spec.size == 0:
            return []
        scored = []
        for arrival in range(week - _MAX_LIFE + 1, week + 1):
            for song in self._arrivals(playlist_id, arrival):
                score = song.score(week)
                if score > 0:
                    scored.append((-score, song.key, song))
        scored.sort(key=lambda row: row[:2])
        return [song for _, _, song in scored[: spec.size]]

    @lru_cache(maxsize=4096)  # noqa: B019
    def _arrivals(self, playlist_id: str, arrival: int) -> list[Song]:
        spec = self.specs[playlist_id]
        # One seeded generator per weekly batch, and only its C-level random(): this runs
        # for ~27,000 songs per week of a 10,000-entry playlist.
        draw = random.Random(f"{self.seed}:{playlist_id}:arrivals:{arrival}").random
        # Mean life is ~8.5 weeks, so ~1.6 x size songs are alive in any week: enough for a
        # full chart plus churn.
        count = max(2, math.ceil(spec.size * 0.19))
        own_albums = _HIT_ALBUMS + spec.index * 1_000_000 + (arrival + 100) * 5_000
        songs = []
        for number in range(count):
            hit = draw() < spec.share
            songs.append(
                Song(
                    key=(arrival, number),
                    arrival=arrival,
                    life=3 + int(draw() * (_MAX_LIFE - 2)),
                    peak=draw() ** 0.5,
                    album=int(draw() * _HIT_ALBUMS) if hit else own_albums + number,
                    disc_track=int(draw() * 1_000),
                    added_offset_s=int(draw() * 3 * 86_400),
                )
            )
        return songs

    def append_to_fixed_playlist(self, playlist_id: str, entry: dict[str, Any]) -> None:
        """A user adds an entry to a fixed playlist (its total and snapshot_id change): the
        commonest real edit, for tests of a playlist edited while it is read."""
        self._fixed[playlist_id].append(entry)
        self.snapshot_id.cache_clear()

    @lru_cache(maxsize=4096)  # noqa: B019 - hashing a 10,000-entry chart is not free
    def snapshot_id(self, playlist_id: str, week: int) -> str:
        """Spotify-like version tag: changes whenever the week's entries change."""
        spec = self.specs[playlist_id]
        if spec.kind == "fixed":
            signature = f"fixed:{playlist_id}:{len(self._fixed[playlist_id])}"
        else:
            keys = ",".join(f"{s.key[0]}.{s.key[1]}" for s in self.chart(playlist_id, week))
            signature = f"{playlist_id}:{keys}"
        digest = hashlib.sha1(signature.encode()).hexdigest()  # a version tag, not security
        return base64.b64encode(f"{week + 1},{digest}".encode()).decode()

    def followers(self, playlist_id: str, week: int) -> int:
        spec = self.specs[playlist_id]
        return spec.base_followers + week * (spec.index % 7 + 1) * 13

    # -- entries -------------------------------------------------------------------------------

    def _added_by(self, spec: PlaylistSpec, salt: int) -> dict[str, Any]:
        if spec.collaborative and salt % 3 == 0:
            return _user(COLLABORATOR_ID)
        return _user(spec.owner_id)

    def _song_entry(self, spec: PlaylistSpec, song: Song) -> dict[str, Any]:
        added = self.week_start(song.arrival) - timedelta(seconds=song.added_offset_s + 1)
        return {
            "added_at": _iso(added),
            "added_by": self._added_by(spec, song.key[1]),
            "is_local": False,
            "primary_color": None,
            "track": self.track(song.album, song.disc_track),
            "video_thumbnail": {"url": None},
        }

    def _extra_entry(self, spec: PlaylistSpec, extra: Extra, chart: list[Song]) -> dict[str, Any]:
        added = _iso(self.week_start(0) - timedelta(days=30 + extra.index))
        if extra.kind == "duplicate" and chart:
            song = chart[min(extra.index, len(chart) - 1)]
            entry = self._song_entry(spec, song)
            entry["added_at"] = added
            return entry
        if extra.kind in ("null", "duplicate"):
            # As in a real capture: the track was removed from Spotify, the adder is unknown.
            return {
                "added_at": added,
                "added_by": _user(""),
                "is_local": False,
                "primary_color": None,
                "track": None,
                "video_thumbnail": {"url": None},
            }
        payload = self.local_track(extra.index) if extra.kind == "local" else None
        if extra.kind == "episode":
            payload = self.episode(extra.index)
        return {
            "added_at": added,
            "added_by": _user(spec.owner_id),
            "is_local": extra.kind == "local",
            "primary_color": None,
            "track": payload,
            "video_thumbnail": {"url": None},
        }

    # -- objects -------------------------------------------------------------------------------

    @lru_cache(maxsize=20_000)  # noqa: B019
    def artist(self, number: int) -> dict[str, Any]:
        if number == 0:
            name = "Various Artists"
        else:
            rng = Draw(self.seed, "artist", number)
            pattern = rng.below(5)
            if pattern == 0:
                name = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_BAND_NOUNS)}"
            elif pattern == 1:
                name = f"{rng.choice(_FIRST)} & {rng.choice(_FIRST)}"
            else:
                name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        return artist_ref(spotify_id(self.seed, "artist", number), name)

    @lru_cache(maxsize=20_000)  # noqa: B019
    def album(self, number: int) -> dict[str, Any]:
        rng = Draw(self.seed, "album", number)
        album_type = rng.weighted(["album", "single", "compilation"], [6, 3, 1])
        if album_type == "compilation":
            artists = [0]
        else:
            artists = [1 + rng.below(_ARTISTS)]
            if rng.random() < 0.15:  # a duo album
                artists.append(1 + rng.below(_ARTISTS))
        total_tracks = rng.between(1, 3) if album_type == "single" else rng.between(8, 18)
        year = rng.between(1965, 2026)
        precision = rng.weighted(["day", "month", "year"], [75, 10, 15])
        if precision == "year":
            release_date = f"{year}"
        elif precision == "month":
            release_date = f"{year}-{rng.between(1, 12):02d}"
        else:
            release_date = f"{year}-{rng.between(1, 12):02d}-{rng.between(1, 28):02d}"
        album_id = spotify_id(self.seed, "album", number)
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        if rng.random() < 0.2:
            name = f"{name}, Pt. {rng.between(1, 3)}"
        return {
            "album_type": album_type,
            "artists": [self.artist(n) for n in dict.fromkeys(artists)],
            "available_markets": MARKETS,
            "external_urls": {"spotify": f"{OPEN_URL}/album/{album_id}"},
            "href": f"{API_URL}/albums/{album_id}",
            "id": album_id,
            "images": _images("ab67616d0000", album_id),
            "name": name,
            "release_date": release_date,
            "release_date_precision": precision,
            "total_tracks": total_tracks,
            "type": "album",
            "uri": f"spotify:album:{album_id}",
        }

    @lru_cache(maxsize=50_000)  # noqa: B019
    def track(self, album_number: int, disc_track: int) -> dict[str, Any]:
        album = self.album(album_number)
        position = disc_track % album["total_tracks"]
        rng = Draw(self.seed, "track", album_number, position)
        track_id = spotify_id(self.seed, "track", album_number, position)
        if album["album_type"] == "compilation":
            artists = [self.artist(1 + rng.below(_ARTISTS))]
        else:
            artists = list(album["artists"])
        featured = []
        if rng.random() < 0.35:  # features: track artists differ from the album's
            featured = [self.artist(1 + rng.below(_ARTISTS)) for _ in range(rng.between(1, 2))]
        artists = artists + [a for a in featured if a["id"] not in {x["id"] for x in artists}]
        name = self._track_name(rng, featured)
        track: dict[str, Any] = {
            "album": album,
            "artists": artists,
            "available_markets": MARKETS,
            "disc_number": 1 if position < 12 else 2,
            "duration_ms": rng.between(95_000, 420_000),
            "episode": False,
            "explicit": rng.random() < 0.2,
            "external_ids": {"isrc": f"QZ{rng.choice('ABCDEFGH')}{rng.between(10**8, 10**9 - 1)}"},
            "external_urls": {"spotify": f"{OPEN_URL}/track/{track_id}"},
            "href": f"{API_URL}/tracks/{track_id}",
            "id": track_id,
            "is_local": False,
            "name": name,
            "popularity": rng.between(0, 100),
            "preview_url": None,
            "track": True,
            "track_number": position + 1,
            "type": "track",
            "uri": f"spotify:track:{track_id}",
        }
        if rng.random() < 0.05:  # relinked for the market: the requested id was another one
            linked_id = spotify_id(self.seed, "linked", album_number, position)
            track["linked_from"] = linked_track(linked_id)
        return track

    @staticmethod
    def _track_name(rng: Draw, featured: list[dict[str, Any]]) -> str:
        adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
        pattern = rng.below(6)
        if pattern == 0:
            name = f"{noun}, {rng.choice(_NOUNS)}"
        elif pattern == 1:
            name = f'"{adjective}" {noun}'
        elif pattern == 2:
            name = f"Don't {rng.choice(_VERBS)}"
        elif pattern == 3:
            name = f"{noun} - {adjective} Remix"
        else:
            name = f"{adjective} {noun}"
        if featured:
            name += f" (feat. {', '.join(a['name'] for a in featured)})"
        return name

    @lru_cache(maxsize=64)  # noqa: B019
    def local_track(self, number: int) -> dict[str, Any]:
        """A local file, shaped exactly like the real capture (every id null)."""
        rng = Draw(self.seed, "local", number)
        artist = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} (demo, v{number + 1})"
        album = f"Home Recordings {2000 + number}"
        seconds = rng.between(90, 400)
        uri = ":".join(quote_plus(part) for part in (artist, album, name))
        return local_file_track(name, artist, album, seconds, uri)

    @lru_cache(maxsize=64)  # noqa: B019
    def episode(self, number: int) -> dict[str, Any]:
        """A podcast episode: no album, no artists; its show carries the heavy parts."""
        rng = Draw(self.seed, "episode", number)
        show_number = number % len(_SHOWS)
        show_id = spotify_id(self.seed, "show", show_number)
        episode_id = spotify_id(self.seed, "episode", number)
        release = date(2025, 1, 1) + timedelta(days=rng.below(480))
        description = f"Episode {number + 1}: {rng.choice(_NOUNS)}, {rng.choice(_NOUNS)} & more."
        return {
            "audio_preview_url": None,
            "description": description,
            "duration_ms": rng.between(600_000, 5_400_000),
            "episode": True,
            "explicit": False,
            "external_urls": {"spotify": f"{OPEN_URL}/episode/{episode_id}"},
            "href": f"{API_URL}/episodes/{episode_id}",
            "html_description": f"<p>{description}</p>",
            "id": episode_id,
            "images": _images("ab6765630000", episode_id),
            "is_externally_hosted": False,
            "is_playable": True,
            "language": "en",
            "languages": ["en"],
            "name": f"#{100 + number} \u2013 {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}",
            "release_date": release.isoformat(),
            "release_date_precision": "day",
            "resume_point": {"fully_played": False, "resume_position_ms": 0},
            "show": {
                "available_markets": MARKETS,
                "copyrights": [],
                "description": f"{_SHOWS[show_number]}: a weekly show.",
                "explicit": False,
                "external_urls": {"spotify": f"{OPEN_URL}/show/{show_id}"},
                "href": f"{API_URL}/shows/{show_id}",
                "html_description": f"<p>{_SHOWS[show_number]}: a weekly show.</p>",
                "id": show_id,
                "images": _images("ab6765630000", show_id),
                "is_externally_hosted": False,
                "languages": ["en"],
                "media_type": "audio",
                "name": _SHOWS[show_number],
                "publisher": "Fake Studios",
                "total_episodes": 100 + show_number,
                "type": "show",
                "uri": f"spotify:show:{show_id}",
            },
            "track": False,
            "type": "episode",
            "uri": f"spotify:episode:{episode_id}",
        }

    def playlist_object(self, playlist_id: str, week: int) -> dict[str, Any]:
        """The playlist's metadata (full shape, without its item container)."""
        spec = self.specs[playlist_id]
        return {
            "collaborative": spec.collaborative,
            "description": spec.description,
            "external_urls": {"spotify": f"{OPEN_URL}/playlist/{playlist_id}"},
            "followers": {"href": None, "total": self.followers(playlist_id, week)},
            "href": f"{API_URL}/playlists/{playlist_id}",
            "id": playlist_id,
            "images": _images("ab67706c0000", playlist_id),
            "name": spec.name,
            "owner": _user(spec.owner_id, spec.owner_name),
            "primary_color": None,
            "public": spec.public,
            "snapshot_id": self.snapshot_id(playlist_id, week),
            "type": "playlist",
            "uri": f"spotify:playlist:{playlist_id}",
        }

    # -- single tracks: GET /tracks/{id} -------------------------------------------------------

    def describe_tracks(
        self,
        tracks: Mapping[str, tuple[str, Sequence[str]]],
        *,
        isrcs: Mapping[str, str] | None = None,
    ) -> None:
        """Name tracks served by id: ``{track_id: (track name, [artist names])}``.

        A generated chart history can pass the names its chart files carry, so that the API
        and the charts agree. One artist name is one artist everywhere: the id of the
        catalogue's artist of that name where the catalogue has one (the lowest-numbered, as
        generated artists can share a name), else an id derived from the name. The album is
        the primary artist's, generated like any other.

        ``isrcs`` (``{track_id: ISRC}``, ids described or not) serves those ids with that
        ISRC in ``external_ids``: two ids given one ISRC are one recording under two ids (a
        re-release, a single and its album version), as :meth:`same_recording` does.
        """
        checked = {}
        for track_id, (name, artists) in tracks.items():
            if not artists:
                raise ValueError(f"track {track_id}: at least one artist name is needed")
            names = tuple(str(a) for a in artists)
            if any(not n.strip() for n in names):
                raise ValueError(f"track {track_id}: an artist name is empty")
            checked[track_id] = (str(name), names)
        recordings = {
            track_id: _checked_isrc(track_id, isrc) for track_id, isrc in (isrcs or {}).items()
        }
        self._described.update(checked)
        self._isrcs.update(recordings)

    def same_recording(self, track_ids: Sequence[str], isrc: str | None = None) -> str:
        """Serve every id of `track_ids` as one recording: the same ISRC in ``external_ids``
        (`isrc`, else the one the first id is served with, else one derived from it).
        Returns the ISRC. Two ids at least: one id is no re-release."""
        ids = list(dict.fromkeys(track_ids))
        if len(ids) < 2:
            raise ValueError("same_recording needs at least two distinct track ids")
        if isrc is None:
            isrc = self._isrcs.get(ids[0])
        if isrc is None:
            served = self.track_by_id(ids[0]) or {}
            isrc = (served.get("external_ids") or {}).get("isrc")
        if isrc is None:
            isrc = _derived_isrc(self.seed, ids[0])
        self.describe_tracks({}, isrcs=dict.fromkeys(ids, isrc))
        return _checked_isrc(ids[0], isrc)

    def isrc_of(self, track_id: str) -> str | None:
        """The ISRC given to `track_id` by :meth:`describe_tracks` or :meth:`same_recording`."""
        return self._isrcs.get(track_id)

    def track_by_id(self, track_id: str, *, relink: bool = False) -> dict[str, Any] | None:
        """The full (legacy-shape) TrackObject ``GET /tracks/{id}`` serves; None when the id
        is in ``removed_tracks`` (404).

        Any id resolves, deterministically: the track of a fixed playlist (a real capture)
        with that id, else the track named by :meth:`describe_tracks` (what the caller said
        comes before what the generated playlists happen to carry), else the track of a
        generated playlist (below ``PLAYLIST_INDEX_MAX`` entries, any week) with that id,
        else a track generated from the id itself (its album drawn from the catalogue-wide
        hit albums, so charted tracks share albums and artists). About 2% of generated
        tracks have no ISRC, as do the ids in ``tracks_without_isrc``; an id given an ISRC
        (``describe_tracks(isrcs=...)``, :meth:`same_recording`) is served with it.

        ``relink`` (the server passes it in extended mode when a market is given): about 3%
        of generated tracks are relinked, answered under another id with ``linked_from``
        naming the id asked for, as Spotify's track relinking does.
        """
        if track_id in self.removed_tracks:
            return None
        track = self._fixed_track(track_id)
        if track is None and track_id not in self._described:
            numbers = self._playlist_track_index().get(track_id)
            if numbers is not None:
                track = self.track(*numbers)
        if track is None:
            track = self._track_from_id(track_id, relink=relink)
        isrc = self._isrcs.get(track_id)
        if isrc is not None:
            track = {**track, "external_ids": {**(track.get("external_ids") or {}), "isrc": isrc}}
        if track_id in self.tracks_without_isrc:
            track = {**track, "external_ids": {}}
        return track

    def _fixed_track(self, track_id: str) -> dict[str, Any] | None:
        for entries in self._fixed.values():
            for entry in entries:
                payload = entry.get("track") if isinstance(entry, dict) else None
                if isinstance(payload, dict) and payload.get("id") == track_id:
                    return payload
        return None

    def _playlist_track_index(self) -> dict[str, tuple[int, int]]:
        """Track id -> (album, disc_track) of every song of the generated playlists."""
        index = self._playlist_tracks
        if index is None:
            index = {}
            for spec in list(self.specs.values()):
                if spec.kind == "fixed" or spec.size >= PLAYLIST_INDEX_MAX:
                    continue
                for arrival in range(-_MAX_LIFE + 1, self.weeks):
                    for song in self._arrivals(spec.id, arrival):
                        # The id track() gives, without building the whole track.
                        position = song.disc_track % self.album(song.album)["total_tracks"]
                        track_id = spotify_id(self.seed, "track", song.album, position)
                        index.setdefault(track_id, (song.album, song.disc_track))
            self._playlist_tracks = index  # built whole, then published (threads may race)
        return index

    def _track_from_id(self, track_id: str, *, relink: bool) -> dict[str, Any]:
        rng = Draw(self.seed, "track-by-id", track_id)
        described = self._described.get(track_id)
        if described is not None:
            name, artist_names = described
            artists = [self._named_artist(n) for n in artist_names]
            album = self._artist_album(artists[0], rng.below(3))
        else:
            album = self.album(rng.below(_HIT_ALBUMS))
            if album["album_type"] == "compilation":
                artists = [self.artist(1 + rng.below(_ARTISTS))]
            else:
                artists = list(album["artists"])
            featured = []
            if rng.random() < 0.3:
                featured = [self.artist(1 + rng.below(_ARTISTS)) for _ in range(rng.between(1, 2))]
            known = {a["id"] for a in artists}
            artists += [a for a in featured if a["id"] not in known]
            name = self._track_name(rng, featured)
        position = rng.below(album["total_tracks"])
        has_isrc = rng.random() >= 0.02
        isrc = f"QZ{rng.choice('ABCDEFGH')}{rng.between(10**8, 10**9 - 1)}"
        relinked = relink and rng.random() < 0.03
        served_id = spotify_id(self.seed, "relinked", track_id) if relinked else track_id
        track: dict[str, Any] = {
            "album": album,
            "artists": artists,
            "available_markets": MARKETS,
            "disc_number": 1,
            "duration_ms": rng.between(95_000, 420_000),
            "explicit": rng.random() < 0.2,
            "external_ids": {"isrc": isrc} if has_isrc else {},
            "external_urls": {"spotify": f"{OPEN_URL}/track/{served_id}"},
            "href": f"{API_URL}/tracks/{served_id}",
            "id": served_id,
            "is_local": False,
            "name": name,
            "popularity": rng.between(0, 100),
            "preview_url": None,
            "track_number": position + 1,
            "type": "track",
            "uri": f"spotify:track:{served_id}",
        }
        if relinked:
            track["linked_from"] = linked_track(track_id)
        return track

    def _catalogue_artist_ids(self) -> dict[str, str]:
        """Artist name -> the id of the lowest-numbered catalogue artist of that name."""
        index = self._artist_ids_by_name
        if index is None:
            index = {}
            for number in range(_ARTISTS + 1):
                artist = self.artist(number)
                index.setdefault(artist["name"], artist["id"])
            self._artist_ids_by_name = index  # built whole, then published
        return index

    def _named_artist(self, name: str) -> dict[str, Any]:
        artist_id = self._catalogue_artist_ids().get(name)
        if artist_id is None:
            artist_id = spotify_id(self.seed, "artist-named", name)
        return artist_ref(artist_id, name)

    def _artist_album(self, artist: dict[str, Any], number: int) -> dict[str, Any]:
        """Album `number` of a named artist: a generated album under that artist's name."""
        base = self.album(int.from_bytes(artist["id"].encode()[:4], "big") % _HIT_ALBUMS)
        album_id = spotify_id(self.seed, "album-of", artist["id"], number)
        return {
            **base,
            "artists": [artist],
            "external_urls": {"spotify": f"{OPEN_URL}/album/{album_id}"},
            "href": f"{API_URL}/albums/{album_id}",
            "id": album_id,
            "images": _images("ab67616d0000", album_id),
            "uri": f"spotify:album:{album_id}",
        }


_ISRC_SHAPE = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")


def _checked_isrc(track_id: str, isrc: object) -> str:
    """`isrc` if it has the ISO 3901 shape (12 characters: country, registrant, year,
    designation; no hyphens), else a ValueError naming the track."""
    if not isinstance(isrc, str) or not _ISRC_SHAPE.fullmatch(isrc):
        raise ValueError(
            f"track {track_id}: ISRC {isrc!r} is not 12 characters of the ISO 3901 shape "
            "(e.g. QZABC2600001)"
        )
    return isrc


def _derived_isrc(seed: int, track_id: str) -> str:
    """A deterministic ISRC of the fake's shape (``QZ`` + letter + 9 digits) for an id."""
    rng = Draw(seed, "isrc", track_id)
    return f"QZ{rng.choice('ABCDEFGH')}{rng.between(10**8, 10**9 - 1)}"


_MAX_LIFE = 14
_HIT_ALBUMS = 400
# Playlists at least this long (the benchmark's) are left out of the by-id track index:
# indexing them would generate every song of every week.
PLAYLIST_INDEX_MAX = 1_000
_ARTISTS = 2_500
