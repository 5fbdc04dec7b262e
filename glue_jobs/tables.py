"""The curated tables, each defined once: name, columns with types and meanings, partition,
keys and the latest-wins order.

Everything else that lists tables or columns is derived from :data:`TABLES` here: the Spark
schemas the job writes with (``glue_jobs.schemas``), the current tables the jobs write
(``glue_jobs.current``), and, through ``python -m tools.generate`` (``make generate``), the
data contract's table sections, the Snowflake CORE tables, merge tasks and ``*_current``
views, and the table list Terraform reads (``terraform/tables.json``). A test regenerates them all and fails on any difference,
so adding a column is one edit here, one ``make generate``, and the transform that fills it.

Types are logical (``string``, ``int``, ``bigint``, ``boolean``, ``date``, ``timestamp``);
:data:`TYPES` maps each to the engines' own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Logical type -> (Spark simpleString, Athena/Glue catalog type, Snowflake type).
TYPES: dict[str, tuple[str, str, str]] = {
    "string": ("string", "string", "varchar"),
    "int": ("int", "int", "integer"),
    "bigint": ("bigint", "bigint", "bigint"),
    "boolean": ("boolean", "boolean", "boolean"),
    "date": ("date", "date", "date"),
    # Timestamps in the lake are UTC instants (Parquet TIMESTAMP_MICROS, adjusted to UTC).
    "timestamp": ("timestamp", "timestamp", "timestamp_tz"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")

    @property
    def snowflake_type(self) -> str:
        return TYPES[self.type][2]


@dataclass(frozen=True)
class Table:
    """One curated table.

    - ``key``: the columns that identify what a source document contributes within one
      partition; "latest wins" keeps, per key, the rows of the greatest ``order``.
    - ``grain``: the columns that identify one row within one partition (the merges' match).
    - ``observed``: a dimension (one observation per id per partition) or a bridge (a list
      per id per partition); both are read at their latest observation in
      ``<table>_current``, a table the job writes at each run (``glue_jobs.current``).
      ``None`` for facts.
    - ``entity``: what one id names, for the generated descriptions.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    grain: tuple[str, ...]
    observed: str | None = None
    entity: str = ""
    intro: str = ""
    lineage: tuple[Column, ...] = field(default=())
    partition: Column = field(default=None)  # type: ignore[assignment]
    # The job that writes the table: ``playlists`` (glue_jobs.star_schema_job, from raw
    # playlist snapshots) or ``charts`` (the chart job, from the charts drop zone).
    source: str = "playlists"

    def __post_init__(self) -> None:
        if self.partition is None:
            object.__setattr__(self, "partition", PARTITION)
        if not self.lineage:
            object.__setattr__(self, "lineage", LINEAGE)
        names = [c.name for c in self.all_columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column is defined twice")
        for name in (*self.key, *self.grain):
            if name not in names:
                raise ValueError(f"{self.name}: key column {name} is not a column")
        if self.observed not in (None, "dimension", "bridge"):
            raise ValueError(f"{self.name}: observed must be dimension, bridge or None")
        if self.source not in SOURCES:
            raise ValueError(f"{self.name}: source must be one of {SOURCES}")

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Every column in contract order: the table's own, lineage, then the partition."""
        return (*self.columns, *self.lineage, self.partition)

    @property
    def file_columns(self) -> tuple[Column, ...]:
        """The columns stored in the Parquet files (the partition is in the path)."""
        return (*self.columns, *self.lineage)

    @property
    def order(self) -> tuple[str, ...]:
        """The latest-wins order within a key and partition, greatest first: the lineage."""
        return tuple(c.name for c in self.lineage)

    @property
    def current(self) -> str | None:
        """The table of every id's latest observation that the job writes at each run
        (``glue_jobs.current``), for a dimension or a bridge; None for a fact."""
        return f"{self.name}_current" if self.observed else None

    @property
    def id_column(self) -> str:
        """The id a ``*_current`` view partitions by (the first key column)."""
        return self.key[0]


SOURCES = ("playlists", "charts")
PARTITION = Column("snapshot_date", "date", "partition")
LINEAGE = (
    Column("extracted_at", "timestamp", "the raw document's `extracted_at`"),
    Column("source_file", "string", "the raw object's path"),
)

FACT_PLAYLIST_ITEM = Table(
    name="fact_playlist_item",
    title="one row per playlist entry per snapshot",
    key=("playlist_id",),
    grain=("playlist_id", "position"),
    columns=(
        Column("playlist_id", "string", "playlist"),
        Column(
            "snapshot_id",
            "string",
            "the playlist's `snapshot_id` at extraction (Spotify's version tag)",
        ),
        Column(
            "position",
            "int",
            "1-based position of the entry in the playlist. Entries left out (see rejections) "
            "leave a gap.",
        ),
        Column("item_type", "string", "`track` or `episode`"),
        Column("track_id", "string", "track id; null for episodes and local files"),
        Column("episode_id", "string", "episode id; null for tracks"),
        Column("album_id", "string", "the track's album id; null for episodes and local files"),
        Column("item_uri", "string", "`spotify:track:…`, `spotify:episode:…` or `spotify:local:…`"),
        Column(
            "item_name",
            "string",
            "the track's or episode's name as seen in this snapshot (the only name a local "
            "file has)",
        ),
        Column(
            "added_at",
            "timestamp",
            "when the entry was added (UTC); null when Spotify sends none, or sends something "
            "that is not an ISO date-time (counted, section 5)",
        ),
        Column(
            "added_by_id",
            "string",
            "user who added it; null when `added_by` is null or its id is empty",
        ),
        Column(
            "popularity",
            "int",
            "0–100; null when the API did not send it (development-mode apps since 2026)",  # noqa: RUF001
        ),
        Column("duration_ms", "bigint", "the item's duration"),
        Column("is_local", "boolean", "a local file"),
    ),
)

DIM_TRACK = Table(
    name="dim_track",
    title="one row per track per `snapshot_date`",
    key=("track_id",),
    grain=("track_id",),
    observed="dimension",
    entity="track",
    columns=(
        Column("track_id", "string", "key"),
        Column("track_name", "string"),
        Column("track_uri", "string"),
        Column("album_id", "string"),
        Column("duration_ms", "bigint"),
        Column("explicit", "boolean"),
        Column("disc_number", "int"),
        Column("track_number", "int"),
        Column("isrc", "string", "`external_ids.isrc` where present"),
        Column("popularity", "int", "null when not sent"),
        Column(
            "linked_from_track_id",
            "string",
            "the id the track was relinked from (`linked_from.id`), where present",
        ),
        Column(
            "song_key",
            "string",
            "the song this track id is one of, to follow a song across its ids (re-releases, "
            "relinking): `isrc:<ISRC>` when the track has an ISRC of the ISO 3901 shape "
            "(upper case, hyphens and spaces removed; an ISRC names one recording whatever id "
            "it is sold under); else `track:<linked_from_track_id>` when Spotify relinked it "
            "(the id asked for is the catalogue's id of the song); else `track:<track_id>`. "
            "For a track document `track_id` is the id requested (the chart's). Two ids of one "
            "recording without an ISRC stay two songs",
        ),
    ),
)

DIM_ALBUM = Table(
    name="dim_album",
    title="one row per album per `snapshot_date`",
    key=("album_id",),
    grain=("album_id",),
    observed="dimension",
    entity="album",
    columns=(
        Column("album_id", "string", "key"),
        Column("album_name", "string"),
        Column("album_uri", "string"),
        Column(
            "album_type", "string", "`album`, `single`, `compilation` (null for some local files)"
        ),
        Column(
            "release_date",
            "date",
            "the release date as a real date: precision `year` → `YYYY-01-01`, `month` → "
            "`YYYY-MM-01`, `day` → itself; null when absent or unparseable, and for year `0000` "
            '(Spotify\'s "unknown")',
        ),
        Column(
            "release_date_precision",
            "string",
            "`year`, `month`, `day`, or null (any other value Spotify might send is null)",
        ),
        Column(
            "release_date_raw",
            "string",
            "the string Spotify sent (`1998`, `1998-07`, `1998-07-14`)",
        ),
        Column("release_year", "int", "year of `release_date`"),
        Column("total_tracks", "int"),
    ),
)

DIM_ARTIST = Table(
    name="dim_artist",
    title="one row per artist per `snapshot_date`",
    intro="Artists of tracks and artists of albums.",
    key=("artist_id",),
    grain=("artist_id",),
    observed="dimension",
    entity="artist",
    columns=(
        Column("artist_id", "string", "key"),
        Column("artist_name", "string"),
        Column("artist_uri", "string"),
    ),
)

DIM_PLAYLIST = Table(
    name="dim_playlist",
    title="one row per playlist per `snapshot_date`",
    key=("playlist_id",),
    grain=("playlist_id",),
    observed="dimension",
    entity="playlist",
    columns=(
        Column("playlist_id", "string", "key"),
        Column("playlist_name", "string"),
        Column("description", "string"),
        Column("owner_id", "string"),
        Column("owner_display_name", "string"),
        Column("is_public", "boolean"),
        Column("is_collaborative", "boolean"),
        Column("snapshot_id", "string", "Spotify's version tag of the playlist"),
        Column("followers_total", "bigint", "null when not sent"),
        Column("total_items", "int", "entries in the snapshot"),
        Column("api_shape", "string", "`items` or `tracks`"),
    ),
)

BRIDGE_TRACK_ARTIST = Table(
    name="bridge_track_artist",
    title="every artist of a track, in order",
    key=("track_id",),
    grain=("track_id", "artist_position"),
    observed="bridge",
    entity="track",
    columns=(
        Column("track_id", "string"),
        Column("artist_id", "string"),
        Column("artist_position", "int", "1-based order of the artist on the track (1 = primary)"),
    ),
)

BRIDGE_ALBUM_ARTIST = Table(
    name="bridge_album_artist",
    title="every artist of an album, in order",
    key=("album_id",),
    grain=("album_id", "artist_position"),
    observed="bridge",
    entity="album",
    columns=(
        Column("album_id", "string"),
        Column("artist_id", "string"),
        Column("artist_position", "int", "1-based"),
    ),
)

# ---------------------------------------------------------------------------------------
# Spotify Charts (docs/charts.md): written by the chart job from the charts drop zone.
# ---------------------------------------------------------------------------------------

CHART_PARTITION = Column(
    "chart_date",
    "date",
    "partition: the chart's date as charts.spotify.com names it (a weekly chart's Thursday, "
    "a daily chart's day)",
)
CHART_LINEAGE = (
    Column(
        "added_at",
        "timestamp",
        "when the file was added to the drop zone (the `<added>` part of its key, UTC)",
    ),
    Column("source_file", "string", "the chart file's path in the drop zone"),
)
_CHART_IDENTITY = (
    Column(
        "chart_id",
        "string",
        "`<chart_type>-<region>-<period>`, e.g. `regional-global-weekly`",
    ),
    Column("chart_type", "string", "`regional` (Top 200, with streams) or `viral` (Viral 50)"),
    Column("region", "string", "`global` or the lower-case ISO 3166-1 alpha-2 code (`us`)"),
    Column("period", "string", "`weekly` or `daily`"),
)

FACT_CHART_ENTRY = Table(
    name="fact_chart_entry",
    title="one row per chart, chart date and rank",
    intro=(
        "When two files give the same chart and date, the one added last wins, whole: its "
        "rows replace the other's."
    ),
    key=("chart_id",),
    grain=("chart_id", "rank"),
    source="charts",
    partition=CHART_PARTITION,
    lineage=CHART_LINEAGE,
    columns=(
        *_CHART_IDENTITY,
        Column("rank", "int", "1-based position in the chart"),
        Column("track_id", "string", "from the file's `uri` or URL"),
        Column("streams", "bigint", "streams in the chart's period; null for viral charts"),
        Column("peak_rank", "int", "best rank so far, as the file says; null where it says none"),
        Column(
            "previous_rank",
            "int",
            "rank in the previous chart; null for new entries and re-entries (the file's -1) "
            "and where the file says nothing",
        ),
        Column("weeks_on_chart", "int", "weekly charts: as the file says; null otherwise"),
        Column("days_on_chart", "int", "daily charts: as the file says; null otherwise"),
        Column("label", "string", "the file's `source` (the label); null where it has none"),
        Column("artist_names", "string", "the artists exactly as the file gives them"),
        Column("track_name", "string", "the track name exactly as the file gives it"),
        Column(
            "trend", "string", "archives only: `SAME_POSITION`, `MOVE_UP`, `MOVE_DOWN`, `NEW_ENTRY`"
        ),
    ),
)

DIM_CHART = Table(
    name="dim_chart",
    title="one row per chart per `chart_date`",
    intro="What one chart was on one date: its size and total streams.",
    key=("chart_id",),
    grain=("chart_id",),
    observed="dimension",
    entity="chart",
    source="charts",
    partition=CHART_PARTITION,
    lineage=CHART_LINEAGE,
    columns=(
        *_CHART_IDENTITY,
        Column("entries", "int", "rows in the chart (200 for a full Top 200)"),
        Column("total_streams", "bigint", "sum of the chart's streams; null for viral charts"),
    ),
)

# Every curated table, in the order the job, the SQL and the docs list them.
TABLES: tuple[Table, ...] = (
    FACT_PLAYLIST_ITEM,
    DIM_TRACK,
    DIM_ALBUM,
    DIM_ARTIST,
    DIM_PLAYLIST,
    BRIDGE_TRACK_ARTIST,
    BRIDGE_ALBUM_ARTIST,
    FACT_CHART_ENTRY,
    DIM_CHART,
)
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
# The current tables (glue_jobs.current): name -> the table whose latest rows it holds.
CURRENT_TABLES: dict[str, Table] = {t.current: t for t in TABLES if t.current}
# The tables each job writes.
PLAYLIST_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.source == "playlists")
CHART_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.source == "charts")
