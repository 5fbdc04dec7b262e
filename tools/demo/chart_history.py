"""A generated multi-year Spotify Charts history: weekly Top 200 files as charts.spotify.com
writes them, for the demo's charts stage and its tests.

The model is a market of songs, each with a weekly stream curve; a week's chart is the
``size`` songs with the most streams that week, in order. Curves follow the shapes real
charts show:

- **singles** debut near their peak (the release-week spike) or climb for a few weeks, then
  decay with a half-life of a few weeks;
- **album cycles**: an artist's lead single, a second single weeks later, then the album
  drop, which puts several of its tracks on the chart at once for a week or two: artists
  have several songs, and some artists come back with a second album years later;
- **sleepers** start low, climb for months, peak and settle on a long plateau: the songs
  that run for a year or more;
- **catalogue songs** hover at the bottom of the chart for one to three years;
- **seasonal songs** come back every December, and a few hits are **revived** a year or so
  after release: both are re-entries (``previous_rank`` -1, ``weeks_on_chart`` counting
  every week on the chart, not consecutive ones, as the site does);
- a small weekly noise on every curve makes songs near the bottom drop out and come back.

Country charts (``regions`` other than ``global``) take the international songs at a
country's scale, each with its own affinity, plus local songs that never chart globally.

A few songs are **re-released** (:data:`RERELEASES` per history): a song that charts for
weeks under its id goes on charting under a second id from one week on (a re-release, a
relinked version), the same recording with the same ISRC. The chart treats the second id
as a new track (a new entry, its own weeks on chart and peak), as the site does; the views
follow the song across both ids by its ISRC once the enrichment describes them.

Every song is a real track of the fake Spotify catalogue (:mod:`tools.fake_spotify`) of the
same seed (a re-release: its original's track, served under the second id): its id, name and artists are the fake's, so that a later enrichment through the
fake API finds them. Albums are taken in catalogue order from album 0, so the first ones are
the fake's catalogue-wide hit albums, which its playlists carry too.

Everything is a pure function of :class:`HistorySpec`. A warm-up of ``warmup_weeks`` is
simulated before the first written week so that the first file already looks like a chart
in mid-life (songs with weeks on the chart, previous ranks) rather than a chart's launch.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from glue_jobs.chart_files import MAX_RANK, current_header
from tools.fake_spotify import Catalogue
from tools.fake_spotify.catalogue import spotify_id

BOM = b"\xef\xbb\xbf"
HEADER = current_header("regional", "weekly")
_THURSDAY = 3
# Global weekly streams, for the scale of the curves: a big hit peaks at tens of millions a
# week and the Top 200 ends at a few million, as on the real global chart (the sample of
# 2022-01-13 in ../shared/spotify-charts: 32,267,898 at rank 1, 4,801,429 at rank 200).
# The curves' unit, calibrated so that the global Top 200 ends at 3 to 5 million streams.
_M = 1_700_000
# A curve below this (global scale) is over: the song is no longer a candidate.
_END_LEVEL = 0.2 * _M
# Weeks of releases simulated before the warm-up, so that the warm-up starts full.
_PRE_WEEKS = 60
# How strongly a country streams the international songs, relative to the globe.
_COUNTRY_SCALE = 0.085
# Songs re-released under a second id per history (fewer when fewer songs qualify).
RERELEASES = 3
# Weeks a re-released song charts in a row under each id at least (in the first region's
# written charts, so that both ids are in the files).
REREL_MIN_WEEKS = 2

LABELS = (
    "Northern Lights Records",
    "Halcyon / Meridian",
    "Blue Fjord Music",
    "Velvet Static",
    "Paper Moon Recordings",
    "Sunday Signal Records",
    "Crystal Avenue, Inc.",
    'Echo "Live" Music',
    "Øresund Sound",
    "Café Ritmo",
    "Neon Harbour / Interlude",
    "Golden Ghost Records",
)


def chart_thursday(day: date) -> date:
    """The chart date of the last weekly chart published by `day`: the Thursday on or before."""
    return day - timedelta(days=(day.weekday() - _THURSDAY) % 7)


@dataclass(frozen=True)
class HistorySpec:
    """What to generate.

    Attributes:
        last_chart_date: the newest chart's date, a Thursday (the end of a chart week).
        weeks: weekly charts written per region, ending on `last_chart_date`.
        regions: ``global`` and/or lower-case country codes.
        seed: the seed of the market and of the fake catalogue the tracks come from.
        size: entries per chart (200 for the Top 200).
        warmup_weeks: weeks simulated before the first written one (not written).
    """

    last_chart_date: date
    weeks: int = 104
    regions: tuple[str, ...] = ("global", "gb")
    seed: int = 7
    size: int = 200
    warmup_weeks: int = 26

    def __post_init__(self) -> None:
        if self.last_chart_date.weekday() != _THURSDAY:
            raise ValueError(
                f"last_chart_date {self.last_chart_date} is a "
                f"{self.last_chart_date.strftime('%A')}: weekly charts end on a Thursday"
            )
        if self.weeks < 1 or self.warmup_weeks < 0:
            raise ValueError("weeks must be at least 1 and warmup_weeks not negative")
        if not 1 <= self.size <= MAX_RANK["regional"]:
            raise ValueError(f"size must be 1..{MAX_RANK['regional']}")
        if not self.regions or len(set(self.regions)) != len(self.regions):
            raise ValueError("regions must be distinct and not empty")
        for region in self.regions:
            if region != "global" and not (len(region) == 2 and region.isalpha()):
                raise ValueError(f"region {region!r} is neither global nor a 2-letter code")

    def chart_date(self, week: int) -> date:
        """The date of week `week` (0 is the first written week, negative the warm-up)."""
        return self.last_chart_date - timedelta(weeks=self.weeks - 1 - week)

    @property
    def first_chart_date(self) -> date:
        return self.chart_date(0)


@dataclass(frozen=True)
class Song:
    """One track and its weekly stream curve (global scale, before a region's affinity).

    The curve: from `release`, `climb` weeks rising from ``start * peak`` to `peak`, then
    halving every `half_life` weeks; held up at `floor` until `floor_weeks` after release,
    then fading; plus, for revivals, a second bump of `revival_peak` at `revival_age`.
    Seasonal songs instead stream only in the weeks around Christmas.
    """

    index: int
    kind: str  # single, lead_single, album_track, sleeper, catalogue, seasonal, local, rerelease
    track_id: str
    track_name: str
    artist_names: str
    primary_artist: str
    label: str
    # This track is Catalogue(seed).track(album, position) of the fake (a re-release: its
    # original's track, under another id).
    album: int
    position: int
    release: int
    peak: float
    climb: int = 0
    start: float = 1.0
    half_life: float = 4.0
    floor: float = 0.0
    floor_weeks: int = 0
    revival_age: int | None = None
    revival_peak: float = 0.0
    affinity: tuple[tuple[str, float], ...] = ()
    isrc: str | None = None  # the recording's ISRC: the catalogue track's
    rerelease_of: int | None = None  # a re-release: the index of the song it re-releases

    def weight(self, region: str) -> float:
        return dict(self.affinity).get(region, 0.0)

    def level(self, week: int, day: date) -> float:
        """Streams this week at global scale (before affinity and noise); 0 when silent."""
        age = week - self.release
        if age < 0:
            return 0.0
        if self.kind == "seasonal":
            return self.peak * _christmas(day)
        if age < self.climb:
            level = self.peak * (self.start + (1 - self.start) * (age / self.climb) ** 1.4)
        else:
            level = self.peak * 0.5 ** ((age - self.climb) / self.half_life)
        if self.floor:
            if age < self.floor_weeks:
                level = max(level, self.floor)
            else:
                level = max(level, self.floor * 0.5 ** ((age - self.floor_weeks) / 3))
        if self.revival_age is not None and 0 <= age - self.revival_age < 10:
            bump = age - self.revival_age
            level += self.revival_peak * (bump / 3 if bump < 3 else 0.6 ** (bump - 3))
        return level if level >= _END_LEVEL else 0.0

    @property
    def last_age(self) -> float:
        """An age after which the curve stays below the end level (seasonal: never)."""
        if self.kind == "seasonal":
            return math.inf
        ages = [self.climb + self.half_life * math.log2(max(self.peak / _END_LEVEL, 1))]
        if self.floor:
            ages.append(self.floor_weeks + 3 * math.log2(max(self.floor / _END_LEVEL, 1)))
        if self.revival_age is not None:
            ages.append(self.revival_age + 10)
        return max(ages) + 1


def _christmas(day: date) -> float:
    """0..1: how much of the Christmas season the chart week ending `day` is in."""
    nearest = min(abs((day - date(year, 12, 25)).days) for year in (day.year - 1, day.year))
    return max(0.0, 1 - nearest / 35) ** 1.5


class ChartRow(NamedTuple):
    """One entry of a chart; `song` is the index in :attr:`ChartHistory.songs`."""

    rank: int
    song: int
    streams: int
    peak_rank: int
    previous_rank: int | None  # None for a new entry or a re-entry (the file's -1)
    weeks_on_chart: int


@dataclass(frozen=True)
class WeeklyChart:
    """One region's chart of one week."""

    region: str
    week: int
    chart_date: date
    rows: tuple[ChartRow, ...]

    @property
    def file_name(self) -> str:
        return f"regional-{self.region}-weekly-{self.chart_date.isoformat()}.csv"


class Rerelease(NamedTuple):
    """Song `original` charts under `rerelease`'s id from `week` on (the same recording)."""

    original: int
    rerelease: int
    week: int


@dataclass
class ChartHistory:
    """The generated songs and every simulated chart (warm-up included, oldest first)."""

    spec: HistorySpec
    songs: list[Song]
    all_charts: list[WeeklyChart] = field(default_factory=list)
    rereleases: list[Rerelease] = field(default_factory=list)

    @property
    def charts(self) -> list[WeeklyChart]:
        """The charts that are written: weeks 0 .. weeks - 1 of every region."""
        return [chart for chart in self.all_charts if chart.week >= 0]

    def csv_bytes(self, chart: WeeklyChart) -> bytes:
        return chart_csv(chart, self.songs)


# ---------------------------------------------------------------------------------------
# The songs
# ---------------------------------------------------------------------------------------


class _Albums:
    """The fake catalogue's albums in order, handed out once each, by artist on request."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._next = 0
        self._by_artist: dict[str, list[int]] = {}
        self._spare: list[int] = []

    def _scan(self) -> int:
        number = self._next
        self._next += 1
        return number

    def take(self, kinds: tuple[str, ...]) -> int:
        """The next unused album of one of `kinds` (``album``, ``single``)."""
        for position, number in enumerate(self._spare):
            if self.catalogue.album(number)["album_type"] in kinds:
                return self._spare.pop(position)
        while True:
            number = self._scan()
            album = self.catalogue.album(number)
            if album["album_type"] == "compilation":
                continue
            if album["album_type"] in kinds:
                return number
            self._spare.append(number)
            artist = album["artists"][0]["id"]
            self._by_artist.setdefault(artist, []).append(number)

    def take_by(self, artist_id: str) -> int | None:
        """An unused full album of `artist_id` among those scanned so far, if any."""
        for number in self._by_artist.get(artist_id, []):
            if number in self._spare and self.catalogue.album(number)["album_type"] == "album":
                self._spare.remove(number)
                return number
        return None

    def scan_ahead(self, count: int) -> None:
        """Look at `count` more albums (so that returning artists can be found)."""
        for _ in range(count):
            number = self._scan()
            album = self.catalogue.album(number)
            if album["album_type"] != "compilation":
                self._spare.append(number)
                self._by_artist.setdefault(album["artists"][0]["id"], []).append(number)


class _Market:
    """Builds the songs of a history, in release order, from one seeded generator."""

    def __init__(self, spec: HistorySpec) -> None:
        self.spec = spec
        self.rng = random.Random(f"chart-history:{spec.seed}")
        self.catalogue = Catalogue(seed=spec.seed, playlists=0, weeks=1, editorial=0, not_owned=0)
        self.albums = _Albums(self.catalogue)
        self.songs: list[Song] = []
        self._labels: dict[int, str] = {}
        self._used: set[str] = set()
        self.countries = tuple(r for r in spec.regions if r != "global")

    def _lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(self.rng.gauss(0, sigma))

    def _international(self) -> tuple[tuple[str, float], ...]:
        weights = [("global", 1.0)] if "global" in self.spec.regions else []
        weights += [(c, _COUNTRY_SCALE * self._lognormal(1, 0.5)) for c in self.countries]
        return tuple(weights)

    def _add(self, kind: str, album: int, position: int, release: int, **curve) -> Song:
        track = self.catalogue.track(album, position)
        if track["id"] in self._used:
            raise AssertionError(f"track {track['id']} drawn twice")
        self._used.add(track["id"])
        if album not in self._labels:
            self._labels[album] = self.rng.choice(LABELS)
        curve.setdefault("affinity", self._international())
        song = Song(
            index=len(self.songs),
            kind=kind,
            track_id=track["id"],
            track_name=track["name"],
            artist_names=", ".join(a["name"] for a in track["artists"]),
            primary_artist=track["artists"][0]["name"],
            label=self._labels[album],
            album=album,
            position=position,
            release=release,
            isrc=track["external_ids"].get("isrc"),
            **curve,
        )
        self.songs.append(song)
        return song

    def _maybe_revival(self) -> dict:
        if self.rng.random() < 0.06:
            return {
                "revival_age": self.rng.randint(35, 80),
                "revival_peak": self._lognormal(9 * _M, 0.35),
            }
        return {}

    def single(self, week: int) -> None:
        climb = self.rng.choices((0, 1, 2, 3, 5, 8), weights=(50, 12, 10, 10, 10, 8))[0]
        long_runner = self.rng.random() < 0.04
        self._add(
            "single",
            self.albums.take(("single",)),
            0,
            week,
            peak=self._lognormal(9 * _M, 0.55),
            climb=climb,
            start=self.rng.uniform(0.3, 0.7),
            half_life=self.rng.uniform(2.5, 9.0),
            floor=self.rng.uniform(4.5, 7.5) * _M if long_runner else 0.0,
            floor_weeks=self.rng.randint(30, 70) if long_runner else 0,
            **self._maybe_revival(),
        )

    def album_cycle(self, week: int) -> None:
        """Lead single, second single, album drop: one artist's several songs."""
        number = None
        if self.songs and self.rng.random() < 0.3:
            # A returning artist: an earlier album cycle's artist, with a new album.
            earlier = [s for s in self.songs if s.kind == "lead_single"]
            if earlier:
                artist = self.catalogue.track(*self._album_of[self.rng.choice(earlier).index])
                number = self.albums.take_by(artist["artists"][0]["id"])
        if number is None:
            number = self.albums.take(("album",))
        total = self.catalogue.album(number)["total_tracks"]
        lead = self._add(
            "lead_single",
            number,
            0,
            week,
            peak=self._lognormal(20 * _M, 0.45),
            climb=self.rng.choices((0, 1, 2), weights=(6, 3, 1))[0],
            start=0.6,
            half_life=self.rng.uniform(4.0, 10.0),
            floor=self.rng.uniform(5.0, 8.0) * _M if self.rng.random() < 0.25 else 0.0,
            floor_weeks=self.rng.randint(40, 70),
            **self._maybe_revival(),
        )
        self._album_of[lead.index] = (number, 0)
        second = week + self.rng.randint(5, 8)
        self._add(
            "single",
            number,
            1,
            second,
            peak=self._lognormal(11 * _M, 0.4),
            climb=self.rng.choice((0, 1)),
            start=0.6,
            half_life=self.rng.uniform(2.5, 6.0),
        )
        drop = second + self.rng.randint(4, 6)
        for position in range(2, min(total, 2 + self.rng.randint(3, 6))):
            self._add(
                "album_track",
                number,
                position,
                drop,
                peak=self._lognormal(8 * _M, 0.3),
                half_life=self.rng.uniform(0.7, 1.5),
            )

    def sleeper(self, week: int) -> None:
        self._add(
            "sleeper",
            self.albums.take(("single", "album")),
            0,
            week,
            peak=self._lognormal(15 * _M, 0.35),
            climb=self.rng.randint(6, 16),
            start=self.rng.uniform(0.25, 0.45),
            half_life=self.rng.uniform(10.0, 30.0),
            floor=self.rng.uniform(5.5, 9.0) * _M if self.rng.random() < 0.5 else 0.0,
            floor_weeks=self.rng.randint(45, 85),
        )

    def catalogue_song(self, week: int) -> None:
        level = self.rng.uniform(3.0, 7.0) * _M
        self._add(
            "catalogue",
            self.albums.take(("album",)),
            0,
            week,
            peak=level * 1.1,
            climb=3,
            start=0.5,
            half_life=3.0,
            floor=level,
            floor_weeks=self.rng.randint(20, 100),
        )

    def seasonal(self, week: int) -> None:
        self._add("seasonal", self.albums.take(("album", "single")), 0, week,
                  peak=self._lognormal(14 * _M, 0.4))  # fmt: skip

    def local(self, week: int, country: str) -> None:
        self._add(
            "local",
            self.albums.take(("single", "album")),
            0,
            week,
            peak=self._lognormal(6 * _M, 0.5),
            climb=self.rng.choice((0, 0, 1, 3)),
            start=0.5,
            half_life=self.rng.uniform(2.0, 9.0),
            affinity=((country, _COUNTRY_SCALE * self._lognormal(1.4, 0.3)),),
        )

    def build(self) -> list[Song]:
        self._album_of: dict[int, tuple[int, int]] = {}
        self.albums.scan_ahead(300)
        first = -self.spec.warmup_weeks - _PRE_WEEKS
        for _ in range(5):
            self.seasonal(first)
        for _ in range(100):  # the catalogue the chart starts with
            self.catalogue_song(first + self.rng.randint(-40, 0))
        for week in range(first, self.spec.weeks):
            for _ in range(self.rng.randint(7, 12)):
                self.single(week)
            if self.rng.random() < 0.28:
                self.album_cycle(week)
            if self.rng.random() < 0.12:
                self.sleeper(week)
            if self.rng.random() < 0.45:
                self.catalogue_song(week)
            for country in self.countries:
                for _ in range(self.rng.randint(1, 3)):
                    self.local(week, country)
        return self.songs


# ---------------------------------------------------------------------------------------
# The charts
# ---------------------------------------------------------------------------------------


def _week_streams(
    songs: list[Song], region: str, week: int, day: date, seed: int
) -> Iterator[tuple[int, int]]:
    """(streams, song index) of every song streaming in `region` that week."""
    noise = random.Random(f"chart-history:{seed}:{region}:{week}")
    for song in songs:
        weight = song.weight(region)
        if not weight:
            continue
        level = song.level(week, day)
        if level:
            yield round(level * weight * math.exp(noise.gauss(0, 0.06))), song.index


def generate_history(spec: HistorySpec) -> ChartHistory:
    """The songs and every weekly chart of every region, warm-up included.

    The streams are simulated first; the re-releases (:func:`_choose_rereleases`) then move
    their songs' entries from the chosen week on to the second id, so a re-release changes
    no streams and no order, only the id a song charts under."""
    songs = _Market(spec).build()
    by_release = sorted(songs, key=lambda s: s.release)
    ranked: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for region in spec.regions:
        for week in range(-spec.warmup_weeks, spec.weeks):
            day = spec.chart_date(week)
            alive = [s for s in by_release if s.release <= week and week - s.release <= s.last_age]
            streams = sorted(_week_streams(alive, region, week, day, spec.seed), key=_order)
            if len(streams) < spec.size:
                raise ValueError(
                    f"{region} {day}: only {len(streams)} songs stream, the chart needs {spec.size}"
                )
            ranked[region, week] = streams[: spec.size]
    history = ChartHistory(spec=spec, songs=songs)
    history.rereleases = _choose_rereleases(spec, songs, ranked)
    moved = {r.original: r for r in history.rereleases}
    for region in spec.regions:
        weeks_on: dict[int, int] = {}
        peak: dict[int, int] = {}
        previous: dict[int, int] = {}
        for week in range(-spec.warmup_weeks, spec.weeks):
            rows = []
            now: dict[int, int] = {}
            for rank, (streams, index) in enumerate(ranked[region, week], start=1):
                if index in moved and week >= moved[index].week:
                    index = moved[index].rerelease
                weeks_on[index] = weeks_on.get(index, 0) + 1
                peak[index] = min(peak.get(index, rank), rank)
                rows.append(
                    ChartRow(rank, index, streams, peak[index], previous.get(index),
                             weeks_on[index])
                )  # fmt: skip
                now[index] = rank
            previous = now
            history.all_charts.append(WeeklyChart(region, week, spec.chart_date(week), tuple(rows)))
    history.all_charts.sort(key=lambda c: (c.chart_date, spec.regions.index(c.region)))
    return history


def _choose_rereleases(
    spec: HistorySpec, songs: list[Song], ranked: dict[tuple[str, int], list[tuple[int, int]]]
) -> list[Rerelease]:
    """Up to :data:`RERELEASES` songs re-released under a second id, appended to `songs`.

    A candidate is on the first region's written charts for at least 2 x
    :data:`REREL_MIN_WEEKS` weeks in a row (its first such run); the week of the second id
    leaves at least :data:`REREL_MIN_WEEKS` of that run to each id. Drawn with a generator
    of their own, so the market and the streams are those of a history without them."""
    region = spec.regions[0]
    runs: dict[int, tuple[int, int]] = {}
    current: dict[int, int] = {}
    for week in range(spec.weeks + 1):
        on = {index for _, index in ranked[region, week]} if week < spec.weeks else set()
        for index in list(current):
            if index not in on:
                first = current.pop(index)
                if week - first >= 2 * REREL_MIN_WEEKS and index not in runs:
                    runs[index] = (first, week - 1)
        for index in on:
            current.setdefault(index, week)
    rng = random.Random(f"chart-history:{spec.seed}:rereleases")
    candidates = sorted(runs)
    chosen = sorted(rng.sample(candidates, min(RERELEASES, len(candidates))))
    rereleases = []
    for original in chosen:
        first, last = runs[original]
        week = rng.randint(first + REREL_MIN_WEEKS, last - REREL_MIN_WEEKS + 1)
        song = songs[original]
        second = replace(
            song,
            index=len(songs),
            kind="rerelease",
            track_id=spotify_id(spec.seed, "rerelease", song.track_id),
            rerelease_of=original,
        )
        songs.append(second)
        rereleases.append(Rerelease(original, second.index, week))
    return rereleases


def _order(item: tuple[int, int]) -> tuple[int, int]:
    streams, index = item
    return -streams, index


# ---------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def chart_csv(chart: WeeklyChart, songs: list[Song]) -> bytes:
    """The chart as charts.spotify.com writes it: UTF-8 with a byte-order mark, LF, the
    header bare, text and streams double-quoted, integers bare, -1 for no previous rank."""
    lines = [",".join(HEADER)]
    for row in chart.rows:
        song = songs[row.song]
        lines.append(
            ",".join(
                (
                    str(row.rank),
                    _quoted(f"spotify:track:{song.track_id}"),
                    _quoted(song.artist_names),
                    _quoted(song.track_name),
                    _quoted(song.label),
                    str(row.peak_rank),
                    str(row.previous_rank if row.previous_rank is not None else -1),
                    str(row.weeks_on_chart),
                    _quoted(str(row.streams)),
                )
            )
        )
    return BOM + ("\n".join(lines) + "\n").encode("utf-8")


def write_history(history: ChartHistory, folder: Path) -> list[Path]:
    """Write every chart of the history (warm-up excluded) into `folder`, as a browser
    downloads them; returns the paths, oldest chart first. Existing files are replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for chart in history.charts:
        path = folder / chart.file_name
        temporary = path.with_name("." + path.name + ".tmp")
        temporary.write_bytes(history.csv_bytes(chart))
        temporary.replace(path)
        paths.append(path)
    return paths
