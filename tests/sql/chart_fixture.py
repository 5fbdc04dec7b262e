"""A small chart history made by hand, for the chart views (athena_sql/views/50_chart_*.sql).

Four charts, written as the chart job writes them (``<curated>/fact_chart_entry/
chart_date=YYYY-MM-DD/*.parquet`` and ``dim_chart`` alike, the columns of
glue_jobs/tables.py):

- ``regional-global-weekly``, four weeks in a row (Thursdays 2026-01-01 to 2026-01-22),
  6 songs each: climbers, fallers, a song that stays put, two new entries, two re-entries
  and exits;
- ``regional-us-weekly``, weeks 1, 2 and 4: the lake misses week 3, so week 4 has nothing to
  compare with;
- ``regional-global-daily``, three days (2026-01-20 to 2026-01-22), 3 songs each: its
  previous chart is the day before, not the week before;
- ``viral-global-weekly``, one week, 2 songs, no streams.

Eight songs; the files give their artists as ``artist_names``: two songs of several
artists, and "Tyler, The Creator", whom splitting at ", " turns into two artists (the
documented caveat). Aurora charts under two track ids: ``trkAurora``, and in the global
weekly chart of week 3 ``trkAuroraSingle`` (its single, the same recording).

The enrichment, as the playlist job writes it from track documents (``dim_track``,
``bridge_track_artist``, ``dim_artist`` under ``snapshot_date=2026-01-23``,
:data:`DESCRIBED`): Aurora's two ids (one ISRC, so one song_key), Blaze, Cascade (no ISRC:
its own id is its song) and Glow are described, with their Spotify artists ("Tyler, The
Creator" one artist); Drift, Ember, Flare and Halo are not (not enriched yet), so the views
fall back to their own ids and the file's names. ``write_chart_lake(enriched=False)``
leaves the enrichment out: a lake of charts only. tests/sql/expected.py works out every
chart view's result for the enriched history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from glue_jobs.tables import (
    BRIDGE_TRACK_ARTIST,
    BY_NAME,
    CHART_TABLES,
    DIM_ARTIST,
    DIM_CHART,
    DIM_TRACK,
    FACT_CHART_ENTRY,
    Table,
)
from tools.bench.baseline_duckdb import current_rows_sql
from tools.tf_check.snowflake_sql import statements

SNOWFLAKE_SQL = Path(__file__).resolve().parents[2] / "snowflake_sql"

GLOBAL_WEEKLY = "regional-global-weekly"
US_WEEKLY = "regional-us-weekly"
GLOBAL_DAILY = "regional-global-daily"
VIRAL_WEEKLY = "viral-global-weekly"

W1, W2, W3, W4 = date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15), date(2026, 1, 22)
D1, D2, D3 = date(2026, 1, 20), date(2026, 1, 21), W4

# song: (track_id, track_name, artist_names as the file gives them)
SONGS = {
    "A": ("trkAurora", "Aurora", "Nova"),
    "B": ("trkBlaze", "Blaze", "Nova, Rex"),
    "C": ("trkCascade", "Cascade", "Tyler, The Creator"),
    "D": ("trkDrift", "Drift", "Rex"),
    "E": ("trkEmber", "Ember", "Luna"),
    "F": ("trkFlare", "Flare", "Luna, Nova"),
    "G": ("trkGlow", "Glow", "Kai"),
    "H": ("trkHalo", "Halo", "Rex"),
    # Aurora's single: another id of the same recording (the same ISRC below).
    "A2": ("trkAuroraSingle", "Aurora - Single", "Nova"),
}

# chart_id -> chart_date -> [(song, streams)] in rank order (rank 1 first).
CHARTS: dict[str, dict[date, list[tuple[str, int | None]]]] = {
    GLOBAL_WEEKLY: {
        W1: [("A", 1000), ("B", 900), ("C", 800), ("D", 700), ("E", 600), ("F", 500)],
        W2: [("B", 950), ("A", 920), ("G", 850), ("C", 700), ("F", 650), ("D", 600)],
        W3: [("G", 1000), ("B", 900), ("E", 800), ("A2", 700), ("F", 600), ("H", 500)],
        W4: [("G", 950), ("E", 900), ("H", 850), ("B", 810), ("A", 700), ("C", 600)],
    },
    US_WEEKLY: {
        W1: [("D", 500), ("A", 400), ("E", 300), ("B", 200)],
        W2: [("A", 450), ("D", 420), ("B", 300), ("G", 250)],
        W4: [("G", 600), ("A", 500), ("E", 400), ("H", 300)],
    },
    GLOBAL_DAILY: {
        D1: [("G", 300), ("B", 200), ("A", 100)],
        D2: [("G", 310), ("A", 210), ("E", 150)],
        D3: [("E", 320), ("G", 300), ("B", 250)],
    },
    VIRAL_WEEKLY: {
        W4: [("H", None), ("C", None)],
    },
}

# The enrichment: the tracks the lake describes, each with its ISRC (None: none), song_key
# (the job's rule: isrc:<ISRC>, else track:<own id>) and Spotify artists in credit order.
ENRICHED_ON = date(2026, 1, 23)
ARTISTS = {
    "artNova": "Nova",
    "artRex": "Rex",
    "artTylerTheCreator": "Tyler, The Creator",
    "artKai": "Kai",
}
DESCRIBED = {
    "trkAurora": ("QZAUR2600001", "isrc:QZAUR2600001", ["artNova"]),
    "trkAuroraSingle": ("QZAUR2600001", "isrc:QZAUR2600001", ["artNova"]),
    "trkBlaze": ("QZBLZ2600002", "isrc:QZBLZ2600002", ["artNova", "artRex"]),
    "trkCascade": (None, "track:trkCascade", ["artTylerTheCreator"]),
    "trkGlow": ("QZGLW2600003", "isrc:QZGLW2600003", ["artKai"]),
}

_ARROW = {
    "string": pa.string(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def _schema(table) -> pa.Schema:
    return pa.schema([(c.name, _ARROW[c.type]) for c in table.file_columns])


def _added_at(chart_date: date) -> datetime:
    """When the file was added (any time will do: no view reads it): 09:00 UTC that day."""
    return datetime(chart_date.year, chart_date.month, chart_date.day, 9, tzinfo=UTC)


def _source_file(chart_id: str, chart_date: date) -> str:
    return f"charts/{chart_id}/{chart_id}-{chart_date.isoformat()}.csv"


def chart_dates(charts: dict[str, dict[date, list]]) -> Iterator[tuple[dict, list]]:
    """Per chart and date of `charts` (chart_id -> chart_date -> entries in rank order): the
    columns that say which (chart_id, chart_type, region, period, chart_date), and its
    entries."""
    for chart_id, dates in charts.items():
        chart_type, region, period = chart_id.split("-")
        for chart_date, entries in dates.items():
            chart = {"chart_id": chart_id, "chart_type": chart_type, "region": region}
            yield {**chart, "period": period, "chart_date": chart_date}, entries


def chart_entries(charts: dict[str, dict[date, list]]) -> Iterator[tuple[dict, tuple]]:
    """Every entry of `charts`, in rank order: the columns that say which chart and date,
    with its rank, and the entry."""
    for chart, entries in chart_dates(charts):
        for rank, entry in enumerate(entries, start=1):
            yield {**chart, "rank": rank}, entry


def _file_columns(chart: dict) -> dict:
    """When and from which file a chart's rows were added."""
    return {
        "added_at": _added_at(chart["chart_date"]),
        "source_file": _source_file(chart["chart_id"], chart["chart_date"]),
    }


def fact_rows() -> list[dict]:
    """Every fact_chart_entry row of the history (the partition column included)."""
    return [
        {
            **entry,
            "track_id": SONGS[song][0],
            "streams": streams,
            # What a file says of history the lake may not hold; no view reads it.
            "peak_rank": None,
            "previous_rank": None,
            "weeks_on_chart": None,
            "days_on_chart": None,
            "label": "Hand Made Records",
            "artist_names": SONGS[song][2],
            "track_name": SONGS[song][1],
            "trend": None,
            **_file_columns(entry),
        }
        for entry, (song, streams) in chart_entries(CHARTS)
    ]


def dim_rows() -> list[dict]:
    """One dim_chart row per chart and date: its entries and total streams."""
    rows = []
    for chart, entries in chart_dates(CHARTS):
        streams = [s for _, s in entries if s is not None]
        rows.append(
            {
                **chart,
                "entries": len(entries),
                "total_streams": sum(streams) if streams else None,
                **_file_columns(chart),
            }
        )
    return rows


def _lineage(track_id: str) -> dict:
    extracted = datetime(2026, 1, 23, 6, tzinfo=UTC)
    source = f"tracks/fetched_date={ENRICHED_ON.isoformat()}/{track_id}.json.gz"
    return {"extracted_at": extracted, "source_file": source, "snapshot_date": ENRICHED_ON}


def track_rows() -> list[dict]:
    """dim_track: one observation of every described track."""
    names = {track_id: name for track_id, name, _ in SONGS.values()}
    return [
        {
            **dict.fromkeys(c.name for c in DIM_TRACK.all_columns),
            "track_id": track_id,
            "track_name": names[track_id],
            "track_uri": f"spotify:track:{track_id}",
            "isrc": isrc,
            "song_key": song_key,
            **_lineage(track_id),
        }
        for track_id, (isrc, song_key, _) in DESCRIBED.items()
    ]


def bridge_rows() -> list[dict]:
    """bridge_track_artist: the described tracks' artists, in credit order."""
    return [
        {
            "track_id": track_id,
            "artist_id": artist_id,
            "artist_position": position,
            **_lineage(track_id),
        }
        for track_id, (_, _, artists) in DESCRIBED.items()
        for position, artist_id in enumerate(artists, start=1)
    ]


def artist_rows() -> list[dict]:
    """dim_artist: the described tracks' artists."""
    return [
        {
            "artist_id": artist_id,
            "artist_name": name,
            "artist_uri": f"spotify:artist:{artist_id}",
            **_lineage("trkAurora"),
        }
        for artist_id, name in ARTISTS.items()
    ]


ENRICHMENT = (
    (DIM_TRACK, track_rows),
    (BRIDGE_TRACK_ARTIST, bridge_rows),
    (DIM_ARTIST, artist_rows),
)


def write_chart_lake(curated: Path, *, enriched: bool = True) -> list[Path]:
    """The history as the chart job's Parquet under ``curated`` and, when `enriched`, the
    described tracks as the playlist job's; returns the files."""
    tables = [(FACT_CHART_ENTRY, fact_rows()), (DIM_CHART, dim_rows())]
    if enriched:
        tables += [(table, rows()) for table, rows in ENRICHMENT]
    assert {t.name for t in CHART_TABLES} == {FACT_CHART_ENTRY.name, DIM_CHART.name}
    return write_tables(curated, tables)


def write_tables(curated: Path, tables: Iterable[tuple[Table, list[dict]]]) -> list[Path]:
    """Each table's rows (the partition column included) as a job writes them: one Parquet
    file per partition under ``curated``, and the table's current table (one file) when it
    has one; returns the files."""
    written = []
    for table, rows in tables:
        key = table.partition.name
        for day in sorted({r[key] for r in rows}):
            folder = curated / table.name / f"{key}={day.isoformat()}"
            folder.mkdir(parents=True, exist_ok=True)
            part = [{c: v for c, v in r.items() if c != key} for r in rows if r[key] == day]
            target = folder / "part-00000-handmade-c000.snappy.parquet"
            pq.write_table(pa.Table.from_pylist(part, schema=_schema(table)), target)
            written.append(target)
        if table.current:
            written.append(write_current_table(curated, table))
    return written


def latest_rows_sql(curated: Path, table: Table) -> str:
    """DuckDB: the rows of every id's latest observation in ``table``'s partitions under
    ``curated``, by the rule the DuckDB baseline writes the current tables with."""
    relation = f"read_parquet('{curated}/{table.name}/*/*.parquet', hive_partitioning = true)"
    return current_rows_sql(relation, table)


def write_current_table(curated: Path, table: Table) -> Path:
    """``table``'s current table as the jobs write it (glue_jobs/current.py): one folder,
    no partition, the partition column stored as a date."""
    folder = curated / table.current
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "part-00000-handmade-c000.snappy.parquet"
    duckdb.sql(latest_rows_sql(curated, table)).write_parquet(str(target))
    return target


def create_snowflake(cursor, scripts: Sequence[str], wanted: Callable[[str, str], bool]) -> None:
    """On a fakesnow cursor: the database and its schemas, then the statements of the
    snowflake_sql scripts numbered `scripts`, in order, that ``wanted(script number,
    statement in lower case)`` keeps."""
    cursor.execute("create database spotify_lakehouse")
    for schema in ("landing", "core", "analytics"):
        cursor.execute(f"create schema spotify_lakehouse.{schema}")
    for name in scripts:
        (path,) = SNOWFLAKE_SQL.glob(f"{name}_*.sql")
        for statement in statements(path.read_text(encoding="utf-8")):
            if wanted(name, statement.lower()):
                cursor.execute(statement)


def insert_core(cursor, table: str, rows: list[dict]) -> None:
    """The rows into CORE's `table` as its merge leaves them, in one statement."""
    columns = [c.name for c in BY_NAME[table].all_columns]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    cursor.execute(
        f"insert into core.{table} ({', '.join(columns)}) "
        f"values {', '.join([placeholders] * len(rows))}",
        [row[c] for row in rows for c in columns],
    )
