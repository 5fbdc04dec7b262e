"""The Snowflake scripts of snowflake_sql/ on fakesnow (Snowflake SQL on DuckDB).

What runs on the engine, exactly as written in the scripts: the database and schemas, the
landing and CORE tables, the MERGE of every CORE.MERGE_* task and every view. What fakesnow
cannot run (warehouse, storage integration, file format, stage, pipes, streams, tasks,
ALTER TASK, the monitoring queries) is parsed by sqlfluff in test_sql_parse.py, and the
pipes' COPY is checked against the landing tables here.

Two stand-ins, both documented in docs/sql.md:
- the pipes' COPY: the rows of every Parquet file the Glue job wrote are inserted into the
  landing table, with snapshot_date computed by the pipe's own expression over the file's
  path (METADATA$FILENAME), the path as source_file_name and one loaded_at per load;
- each stream LANDING.<TABLE>_STREAM is a view over its landing table, i.e. a stream that
  was never consumed and shows every row ever landed: the harshest input for the merges,
  which must be idempotent anyway.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.sql.compare import rows_as_expected, sorted_rows
from tests.sql.expected import D02, D09, D16, EXPECTED
from tools.query import CURATED_TABLES
from tools.tf_check.snowflake_sql import load_objects, parse_copy, statements

pytestmark = pytest.mark.spark

SNOWFLAKE_SQL = Path(__file__).resolve().parents[2] / "snowflake_sql"

# How each statement of the scripts is tested.
RUN_AS_WRITTEN = re.compile(
    r"^(use\s+database|create\s+(database|schema|table)|create\s+or\s+replace\s+view)\b", re.I
)
TASK_MERGE = re.compile(
    r"^create\s+or\s+replace\s+task\s+.*?\bas\s+(merge\s+into\b.*)$", re.I | re.S
)
PARSE_ONLY = re.compile(
    r"^(create\s+(warehouse|storage\s+integration|file\s+format|stage|pipe|stream)"
    r"|alter\s+task|with)\b",
    re.I,
)


@functools.cache
def script(name: str) -> list[str]:
    (path,) = SNOWFLAKE_SQL.glob(f"{name}_*.sql")
    return statements(path.read_text(encoding="utf-8"))


@functools.cache
def task_merges() -> dict[str, str]:
    """The MERGE of every CORE.MERGE_<TABLE> task, by table."""
    merges = {}
    for statement in script("06"):
        match = TASK_MERGE.match(statement)
        if match:
            table = re.search(r"task\s+core\.merge_(\w+)", statement, re.I).group(1).lower()
            merges[table] = match.group(1)
    return merges


@functools.cache
def pipe_snapshot_date_expression() -> str:
    """The expression the pipes use for snapshot_date (the same in every pipe)."""
    expressions = set()
    for statement in script("04"):
        copy = parse_copy(statement)
        if copy:
            expressions.add(copy.expressions[copy.columns.index("snapshot_date")])
    (expression,) = expressions
    return expression


class Warehouse:
    """A fakesnow connection with the scripts applied."""

    def __init__(self, connection):
        self.connection = connection
        self.cursor = connection.cursor()

    def execute(self, sql: str, params=None) -> list[tuple]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        rows = self.execute(sql)
        return [d.name.lower() for d in self.cursor.description], rows

    def create_objects(self) -> None:
        for name in ("01", "03", "05"):
            for statement in script(name):
                if RUN_AS_WRITTEN.match(statement):
                    self.execute(statement)
        for table in CURATED_TABLES:
            self.execute(f"create view landing.{table}_stream as select * from landing.{table}")

    def create_views(self) -> None:
        for name in ("07", "08", "09"):
            for statement in script(name):
                assert RUN_AS_WRITTEN.match(statement), statement[:80]
                self.execute(statement)

    def land(self, curated: Path, loaded_at: dt.datetime) -> int:
        """What the pipes do with every Parquet file under ``curated``; returns rows landed."""
        expression = pipe_snapshot_date_expression()
        landed = 0
        for table in CURATED_TABLES:
            for path in sorted((curated / table).glob("snapshot_date=*/*.parquet")):
                file_name = path.relative_to(curated).as_posix()  # METADATA$FILENAME
                literal = "'" + file_name.replace("'", "''") + "'"
                (snapshot_date,) = self.execute(
                    "select " + expression.replace("metadata$filename", literal)
                )[0]
                rows = pq.ParquetFile(path).read().to_pylist()  # the file alone, as COPY reads it
                if not rows:
                    continue
                columns = [*rows[0], "snapshot_date", "source_file_name", "loaded_at"]
                placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
                self.execute(
                    f"insert into landing.{table} ({', '.join(columns)}) "
                    f"values {', '.join([placeholders] * len(rows))}",
                    [
                        v
                        for row in rows
                        for v in [*row.values(), snapshot_date, file_name, loaded_at]
                    ],
                )
                landed += len(rows)
        return landed

    def merge(self, table: str) -> tuple[int, int, int]:
        """Run the task's MERGE; (rows inserted, updated, deleted). Like Snowflake, fakesnow
        reports a count only for the kinds of action the MERGE has."""
        (row,) = self.execute(task_merges()[table])
        counts = {d.name.lower(): int(v) for d, v in zip(self.cursor.description, row, strict=True)}
        return tuple(counts.get(f"number of rows {action}", 0) for action in ACTIONS)

    def merge_all(self) -> dict[str, tuple[int, int, int]]:
        return {table: self.merge(table) for table in CURATED_TABLES}

    def core_contents(self) -> dict[str, list[tuple]]:
        return {t: sorted_rows(self.execute(f"select * from core.{t}")) for t in CURATED_TABLES}


ACTIONS = ("inserted", "updated", "deleted")
LOADED_AT = dt.datetime(2026, 11, 16, 7, 0, tzinfo=dt.UTC)


LANDING_AND_CORE = [
    f"{schema}.{table}" for schema in ("landing", "core") for table in CURATED_TABLES
]


class Account:
    """One fakesnow account for the module: the scripts' objects and views, the fixture
    landed and merged once, and a copy of that state to go back to. ``pristine()`` restores
    the copy whenever a test has changed the tables."""

    def __init__(self, connection, curated: Path):
        wh = Warehouse(connection)
        wh.create_objects()
        wh.create_views()
        wh.landed = wh.land(curated, LOADED_AT)
        wh.first_merge = wh.merge_all()
        for table in LANDING_AND_CORE:
            wh.execute(f"create table {table}_pristine as select * from {table}")
        self.warehouse = wh
        self.dirty = False

    def pristine(self) -> Warehouse:
        if self.dirty:
            for table in LANDING_AND_CORE:
                self.warehouse.execute(f"truncate table {table}")
                self.warehouse.execute(f"insert into {table} select * from {table}_pristine")
            self.dirty = False
        return self.warehouse


@pytest.fixture(scope="module")
def account(curated) -> Iterator[Account]:
    import fakesnow
    import snowflake.connector

    with fakesnow.patch():
        yield Account(snowflake.connector.connect(), curated)


@pytest.fixture
def loaded(account) -> Warehouse:
    """The pristine account, for tests that only read."""
    return account.pristine()


@pytest.fixture
def warehouse(account) -> Warehouse:
    """The pristine account, for a test that changes it (rebuilt for the next test)."""
    wh = account.pristine()
    account.dirty = True
    return wh


def test_every_statement_is_engine_run_or_parse_only():
    for path in sorted(SNOWFLAKE_SQL.glob("*.sql")):
        for statement in statements(path.read_text(encoding="utf-8")):
            kinds = [bool(p.match(statement)) for p in (RUN_AS_WRITTEN, TASK_MERGE, PARSE_ONLY)]
            assert sum(kinds) == 1, f"{path.name}: {statement[:80]!r} is {kinds}"


def test_first_merge_inserts_every_landed_row_once(loaded):
    # Rows per table (the Glue job's partitions, fixture README): fact 5 + 9 + 10,
    # dim_track 4 + 7 + 8, dim_album 3 + 5 + 4, dim_artist 3 + 6 + 7, dim_playlist 1 + 2 + 2,
    # bridge_track_artist 5 + 10 + 11, bridge_album_artist 3 + 5 + 4 = 114 landed.
    assert loaded.landed == 114
    # CORE: 24 fact rows; one row per track (9), album (5), artist (7), playlist (2); the
    # credits of the 9 tracks (1+2+1+2+1+1+2+1+1 = 12) and of the 5 albums.
    assert loaded.first_merge == {
        "fact_playlist_item": (24, 0, 0),
        "dim_track": (9, 0, 0),
        "dim_album": (5, 0, 0),
        "dim_artist": (7, 0, 0),
        "dim_playlist": (2, 0, 0),
        "bridge_track_artist": (12, 0, 0),
        "bridge_album_artist": (5, 0, 0),
    }


def test_pipe_expression_takes_snapshot_date_from_the_path(loaded):
    rows = loaded.execute(
        "select distinct snapshot_date, source_file_name from landing.fact_playlist_item"
    )
    assert {r[0] for r in rows} == {D02, D09, D16}
    for snapshot_date, file_name in rows:
        assert file_name.startswith(f"fact_playlist_item/snapshot_date={snapshot_date}/")


def test_core_dimensions_hold_the_latest_observation(loaded):
    assert loaded.execute(
        "select playlist_id, snapshot_id, snapshot_date from core.dim_playlist order by 1"
    ) == [("devModeMix", "snapDev2", D16), ("legacyMix", "snapLegacy3", D16)]
    # Leaver was last seen on 2026-11-09, and keeps that observation.
    assert loaded.execute(
        "select snapshot_date, popularity from core.dim_track where track_id = 'trkLeaver'"
    ) == [(D09, 30)]


@pytest.mark.parametrize("view", sorted(EXPECTED))
def test_view_returns_the_hand_worked_result(loaded, view):
    columns, expected = EXPECTED[view]
    actual_columns, rows = loaded.query(f"select * from analytics.{view}")
    assert rows_as_expected(columns, actual_columns, rows) == sorted_rows(expected)


def test_loading_the_same_files_again_changes_nothing(warehouse, curated):
    before = warehouse.core_contents()
    # The pipes load every file a second time (a re-sent notification, a recreated pipe):
    # every landing row is now there twice, with a later loaded_at.
    assert warehouse.land(curated, LOADED_AT + dt.timedelta(hours=1)) == 114
    assert warehouse.merge_all() == dict.fromkeys(CURATED_TABLES, (0, 0, 0))
    assert warehouse.core_contents() == before
    # And merging with nothing new changes nothing either.
    assert warehouse.merge_all() == dict.fromkeys(CURATED_TABLES, (0, 0, 0))
    assert warehouse.core_contents() == before


def test_a_later_extraction_replaces_its_snapshot_as_a_whole(warehouse):
    wh = warehouse
    # A second extraction of legacyMix on 2026-11-16, an hour later: one entry shorter
    # (the local file at position 6 is gone) and Climber's popularity now 65.
    wh.execute(
        """
        insert into landing.fact_playlist_item
        select
            playlist_id, snapshot_id, position, item_type, track_id, episode_id, album_id,
            item_uri, item_name, added_at, added_by_id,
            iff(track_id = 'trkClimber', 65, popularity), duration_ms, is_local,
            dateadd(hour, 1, extracted_at), 'later.json.gz', snapshot_date,
            'fact_playlist_item/snapshot_date=2026-11-16/part-later.parquet', loaded_at
        from landing.fact_playlist_item
        where playlist_id = 'legacyMix' and snapshot_date = '2026-11-16' and position <= 5
        """
    )
    # And an older extraction of 2026-11-09 arriving late, with an extra entry: ignored.
    wh.execute(
        """
        insert into landing.fact_playlist_item
        select
            playlist_id, snapshot_id, position + 1, item_type, track_id, episode_id,
            album_id, item_uri, item_name, added_at, added_by_id, popularity, duration_ms,
            is_local, dateadd(hour, -1, extracted_at), 'earlier.json.gz', snapshot_date,
            'fact_playlist_item/snapshot_date=2026-11-09/part-earlier.parquet', loaded_at
        from landing.fact_playlist_item
        where playlist_id = 'legacyMix' and snapshot_date = '2026-11-09'
        """
    )
    # Positions 1-5 of 2026-11-16 updated, position 6 deleted; 2026-11-09 untouched.
    assert wh.merge("fact_playlist_item") == (0, 5, 1)
    assert wh.execute(
        """
        select snapshot_date, count(*), max(position), min(extracted_at), max(extracted_at)
        from core.fact_playlist_item
        where playlist_id = 'legacyMix'
        group by snapshot_date
        order by snapshot_date
        """
    ) == [
        (D02, 5, 6, *[dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC)] * 2),
        (D09, 6, 6, *[dt.datetime(2026, 11, 9, 6, tzinfo=dt.UTC)] * 2),
        (D16, 5, 5, *[dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC)] * 2),
    ]
    assert wh.execute(
        "select popularity from core.fact_playlist_item "
        "where track_id = 'trkClimber' and snapshot_date = '2026-11-16'"
    ) == [(65,)]
    assert wh.merge("fact_playlist_item") == (0, 0, 0)
    # The trend views see the shorter snapshot: Garage Demo left on 2026-11-16.
    assert wh.execute(
        "select item_count, new_entry_count, exit_count from analytics.snapshot_entries_exits "
        "where playlist_id = 'legacyMix' and snapshot_date = '2026-11-16'"
    ) == [(5, 1, 2)]


def test_a_newer_credit_list_replaces_the_old_one(warehouse):
    wh = warehouse
    # Together observed on 2026-11-23 credited to Alpha alone: Bravo's credit goes.
    wh.execute(
        """
        insert into landing.bridge_track_artist
        select
            track_id, artist_id, artist_position, dateadd(day, 7, extracted_at), source_file,
            '2026-11-23', source_file_name, loaded_at
        from landing.bridge_track_artist
        where track_id = 'trkTogether' and artist_id = 'artAlpha' and snapshot_date = '2026-11-16'
        """
    )
    assert wh.merge("bridge_track_artist") == (0, 1, 1)
    assert wh.execute(
        "select artist_id, snapshot_date from core.bridge_track_artist where track_id = 'trkTogether'"
    ) == [("artAlpha", dt.date(2026, 11, 23))]
    songs = dict(
        wh.execute("select artist_name, song_count from analytics.top_artists_by_song_count")
    )
    assert songs["Bravo"] == 1  # Yesterday Once only


def test_a_dimension_keeps_its_latest_observation(warehouse):
    wh = warehouse

    def land_sunrise(snapshot_date: str, days: int, popularity: int) -> None:
        wh.execute(
            f"""
            insert into landing.dim_track
            select
                track_id, track_name, track_uri, album_id, duration_ms, explicit, disc_number,
                track_number, isrc, {popularity}, linked_from_track_id,
                dateadd(day, {days}, extracted_at), source_file, '{snapshot_date}',
                source_file_name, loaded_at
            from landing.dim_track
            where track_id = 'trkSunrise' and snapshot_date = '2026-11-16'
            """
        )

    land_sunrise("2026-11-01", -15, 10)  # an older observation, arriving late: ignored
    assert wh.merge("dim_track") == (0, 0, 0)
    assert wh.execute("select popularity from core.dim_track where track_id = 'trkSunrise'") == [
        (80,)
    ]
    land_sunrise("2026-11-23", 7, 85)  # a newer one replaces it
    assert wh.merge("dim_track") == (0, 1, 0)
    assert wh.execute(
        "select popularity, snapshot_date from core.dim_track where track_id = 'trkSunrise'"
    ) == [(85, dt.date(2026, 11, 23))]


def test_every_table_has_landing_pipe_stream_task_and_core_table():
    # Names of the data contract, section 6.
    objects = {(o.kind, o.name) for o in load_objects(SNOWFLAKE_SQL)}
    for table in CURATED_TABLES:
        t = table.upper()
        for kind, name in [
            ("table", f"SPOTIFY_LAKEHOUSE.LANDING.{t}"),
            ("pipe", f"SPOTIFY_LAKEHOUSE.LANDING.{t}_PIPE"),
            ("stream", f"SPOTIFY_LAKEHOUSE.LANDING.{t}_STREAM"),
            ("task", f"SPOTIFY_LAKEHOUSE.CORE.MERGE_{t}"),
            ("table", f"SPOTIFY_LAKEHOUSE.CORE.{t}"),
        ]:
            assert (kind, name) in objects
    for kind, name in [
        ("database", "SPOTIFY_LAKEHOUSE"),
        ("schema", "SPOTIFY_LAKEHOUSE.LANDING"),
        ("schema", "SPOTIFY_LAKEHOUSE.CORE"),
        ("schema", "SPOTIFY_LAKEHOUSE.ANALYTICS"),
        ("warehouse", "SPOTIFY_WH"),
        ("storage integration", "SPOTIFY_CURATED_S3"),
        ("stage", "SPOTIFY_LAKEHOUSE.LANDING.CURATED_STAGE"),
        ("file format", "SPOTIFY_LAKEHOUSE.LANDING.PARQUET_FORMAT"),
    ]:
        assert (kind, name) in objects
    assert set(task_merges()) == set(CURATED_TABLES)


def test_every_pipe_copies_its_table_column_for_column(curated):
    tables = {o.name: o for o in load_objects(SNOWFLAKE_SQL) if o.kind == "table"}
    pipes = {
        o.name: parse_copy(o.statement) for o in load_objects(SNOWFLAKE_SQL) if o.kind == "pipe"
    }
    for table in CURATED_TABLES:
        landing = tables[f"SPOTIFY_LAKEHOUSE.LANDING.{table.upper()}"]
        copy = pipes[f"SPOTIFY_LAKEHOUSE.LANDING.{table.upper()}_PIPE"]
        assert copy.target == f"landing.{table}"
        assert copy.stage_path == f"landing.curated_stage/{table}/"
        assert copy.pattern == ".*[.]parquet"
        assert copy.columns == [name.lower() for name, _ in landing.columns]
        # Every column of the Glue job's files is read by name and cast to its landing type;
        # the last three come from the file's metadata.
        parquet_columns = pq.read_schema(next((curated / table).glob("*/*.parquet"))).names
        assert copy.columns[: len(parquet_columns)] == parquet_columns
        assert copy.columns[len(parquet_columns) :] == [
            "snapshot_date",
            "source_file_name",
            "loaded_at",
        ]
        for expression, (name, column_type) in zip(copy.expressions, landing.columns, strict=False):
            if name.lower() in parquet_columns:
                assert expression == f"$1:{name.lower()}::{column_type.lower()}"
        assert copy.expressions[-2:] == ["metadata$filename", "metadata$start_scan_time"]


def test_snowflake_and_athena_views_have_the_same_columns(loaded, curated):
    from tools import query

    athena = query.connect(curated)
    try:
        for view in query.analytics_view_names():
            athena_columns = query.run_view(athena, view).columns
            snowflake_columns, _ = loaded.query(f"select * from analytics.{view} limit 0")
            assert (view, snowflake_columns) == (view, athena_columns)
    finally:
        athena.close()
