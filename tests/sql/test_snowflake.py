"""The Snowflake scripts of snowflake_sql/ on fakesnow (Snowflake SQL on DuckDB).

What runs on the engine: the database, schemas and landing tables as Terraform creates them
(terraform/modules/snowflake, evaluated by tools/tf_check), and, exactly as written in the
scripts, the CORE tables, the MERGE of every CORE.MERGE_* task and every view. What fakesnow
cannot run (streams, tasks, ALTER TASK, the monitoring queries) is parsed by sqlfluff in
test_sql_parse.py, and Terraform's pipes' COPY is checked against its landing tables here.

Two stand-ins, both documented in docs/sql.md:
- the pipes' COPY: the rows of every Parquet file the Glue jobs wrote are inserted into the
  landing table, with the table's partition column (snapshot_date, or chart_date for the
  chart tables: glue_jobs/tables.py) computed by the pipe's own expression over the file's
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

from glue_jobs.tables import BY_NAME, CHART_TABLES, PLAYLIST_TABLES
from tests.sql.compare import rows_as_expected, sorted_rows
from tests.sql.expected import CHART_EXPECTED, D02, D09, D16, EXPECTED
from tools.query import CURATED_TABLES
from tools.tf_check import REPO_ROOT, consistency
from tools.tf_check.hcl import load_tree
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
# A child task of a merge task: Snowflake runs it after each run of its root.
TASK_AFTER = re.compile(
    r"^create\s+or\s+replace\s+task\s+core\.(\w+)\s.*?\bafter\s+core\.merge_(\w+)\s+"
    r"as\s+(delete\s+from\b.*)$",
    re.I | re.S,
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
def tasks_after() -> dict[str, list[tuple[str, str]]]:
    """The (task name, statement) of every child task, by the table of its root's merge."""
    children: dict[str, list[tuple[str, str]]] = {}
    for statement in script("06"):
        match = TASK_AFTER.match(statement)
        if match:
            children.setdefault(match.group(2).lower(), []).append(
                (match.group(1).lower(), match.group(3))
            )
    return children


@functools.cache
def terraform_snowflake():
    """The Snowflake objects Terraform creates (landing tables, pipes...), evaluated."""
    model, problems = consistency.terraform_snowflake(load_tree(REPO_ROOT / "terraform"))
    assert model is not None, problems
    return model


def terraform_copies() -> dict[str, object]:
    """Terraform's pipe COPY statements, parsed, by table."""
    return {
        name.rsplit(".", 1)[1].removesuffix("_PIPE").lower(): parse_copy(statement)
        for name, statement in terraform_snowflake().pipes.items()
    }


def partition_of(table: str) -> str:
    """The table's partition column (glue_jobs/tables.py): its files' folders are
    ``<table>/<partition>=YYYY-MM-DD/``."""
    return BY_NAME[table].partition.name


@functools.cache
def pipe_partition_expression(table: str) -> str:
    """The expression ``table``'s pipe computes its partition column with, from the file's
    path (METADATA$FILENAME)."""
    copy = terraform_copies()[table]
    return copy.expressions[copy.columns.index(partition_of(table))].replace(
        "spotify_lakehouse.landing.", "landing."
    )


def lake_files(curated: Path, table: str) -> list[Path]:
    """The Parquet files of ``table`` under ``curated``, as its pipe finds them."""
    return sorted((curated / table).glob(f"{partition_of(table)}=*/*.parquet"))


class Warehouse:
    """A fakesnow connection with the scripts applied."""

    def __init__(self, connection):
        self.connection = connection
        self.cursor = connection.cursor()
        self.deleted_by: dict[str, int] = {}  # rows each child task deleted, last run

    def execute(self, sql: str, params=None) -> list[tuple]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        rows = self.execute(sql)
        return [d.name.lower() for d in self.cursor.description], rows

    def create_objects(self) -> None:
        model = terraform_snowflake()
        self.execute(f"create database {model.database}")
        for schema in model.schemas:
            self.execute(f"create schema {schema}")
        self.execute(f"use database {model.database}")
        for name, columns in model.tables.items():
            self.execute(f"create table {name} ({', '.join(f'{n} {t}' for n, t in columns)})")
        for statement in script("05"):
            if RUN_AS_WRITTEN.match(statement):
                self.execute(statement)
        for table in CURATED_TABLES:
            self.execute(f"create view landing.{table}_stream as select * from landing.{table}")

    def create_views(self) -> None:
        for name in ("07", "08", "09", "11"):
            for statement in script(name):
                assert RUN_AS_WRITTEN.match(statement), statement[:80]
                self.execute(statement)

    def land(self, curated: Path, loaded_at: dt.datetime) -> int:
        """What the pipes do with every Parquet file under ``curated``; returns rows landed."""
        landed = 0
        for table in CURATED_TABLES:
            expression = pipe_partition_expression(table)
            for path in lake_files(curated, table):
                file_name = path.relative_to(curated).as_posix()  # METADATA$FILENAME
                literal = "'" + file_name.replace("'", "''") + "'"
                (partition_value,) = self.execute(
                    "select " + expression.replace("metadata$filename", literal)
                )[0]
                rows = pq.ParquetFile(path).read().to_pylist()  # the file alone, as COPY reads it
                if not rows:
                    continue
                columns = [*rows[0], partition_of(table), "source_file_name", "loaded_at"]
                placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
                self.execute(
                    f"insert into landing.{table} ({', '.join(columns)}) "
                    f"values {', '.join([placeholders] * len(rows))}",
                    [
                        v
                        for row in rows
                        for v in [*row.values(), partition_value, file_name, loaded_at]
                    ],
                )
                landed += len(rows)
        return landed

    def merge(self, table: str) -> tuple[int, int, int]:
        """Run the task's MERGE; (rows inserted, updated, deleted). Like Snowflake, fakesnow
        reports a count only for the kinds of action the MERGE has."""
        (row,) = self.execute(task_merges()[table])
        counts = {d.name.lower(): int(v) for d, v in zip(self.cursor.description, row, strict=True)}
        for task, statement in tasks_after().get(table, []):  # the task graph runs them next
            ((deleted,),) = self.execute(statement)
            self.deleted_by[task] = int(deleted)
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
            kinds = [
                bool(p.match(statement))
                for p in (RUN_AS_WRITTEN, TASK_MERGE, TASK_AFTER, PARSE_ONLY)
            ]
            assert sum(kinds) == 1, f"{path.name}: {statement[:80]!r} is {kinds}"


def lake_rows(curated: Path, table: str) -> tuple[list[str], list[tuple]]:
    """The rows of ``table``'s Parquet files under ``curated``, each file read alone (as the
    pipe's COPY reads it) with the partition value of its folder: (columns, rows), the
    columns being the table's file columns then its partition (glue_jobs/tables.py)."""
    columns = [c.name for c in BY_NAME[table].file_columns]
    rows = []
    for path in lake_files(curated, table):
        day = dt.date.fromisoformat(path.parent.name.split("=", 1)[1])
        written = pq.ParquetFile(path).read()
        assert written.column_names == columns, path
        rows += [(*row.values(), day) for row in written.to_pylist()]
    return [*columns, partition_of(table)], rows


def assert_core_holds_the_lake(wh: Warehouse, curated: Path, tables) -> None:
    """CORE holds the lake's rows of ``tables``, value for value."""
    for table in tables:
        columns, lake = lake_rows(curated, table)
        held = wh.execute(f"select {', '.join(columns)} from core.{table}")
        assert sorted_rows(held) == sorted_rows(lake), table


def test_first_merge_makes_core_hold_exactly_the_lakes_rows(loaded, curated):
    # Rows per table (the Glue job's partitions, fixture README): fact 6 + 10 + 11,
    # dim_track 4 + 8 + 8, dim_album 3 + 5 + 4, dim_artist 3 + 6 + 7, dim_playlist 2 + 4 + 4
    # (the empty snapshots have a playlist row and no other), bridge_track_artist
    # 5 + 11 + 11, bridge_album_artist 3 + 5 + 4 = 124 landed.
    assert loaded.landed == 124
    assert loaded.first_merge == {
        "fact_playlist_item": (27, 0, 0),
        "dim_track": (20, 0, 0),
        "dim_album": (12, 0, 0),
        "dim_artist": (16, 0, 0),
        "dim_playlist": (10, 0, 0),
        "bridge_track_artist": (27, 0, 0),
        "bridge_album_artist": (12, 0, 0),
        # The playlist fixture has no chart file: the chart tables' merges find nothing
        # (test_a_chart_run_lands_streams_and_merges lands one).
        "fact_chart_entry": (0, 0, 0),
        "dim_chart": (0, 0, 0),
    }
    # CORE holds the lake's rows, value for value (the Parquet files as the job wrote them).
    assert_core_holds_the_lake(loaded, curated, CURATED_TABLES)
    # The current views: one row per track (9), album (5), artist (7), playlist (4); the
    # credits of the 9 tracks (1+2+1+2+1+1+2+1+1 = 12) and of the 5 albums.
    expected = {
        "dim_track": 9,
        "dim_album": 5,
        "dim_artist": 7,
        "dim_playlist": 4,
        "bridge_track_artist": 12,
        "bridge_album_artist": 5,
    }
    counts = {
        view: loaded.execute(f"select count(*) from core.{view}_current")[0][0] for view in expected
    }
    assert counts == expected


def test_pipe_expression_takes_snapshot_date_from_the_path(loaded):
    rows = loaded.execute(
        "select distinct snapshot_date, source_file_name from landing.fact_playlist_item"
    )
    assert {r[0] for r in rows} == {D02, D09, D16}
    for snapshot_date, file_name in rows:
        assert file_name.startswith(f"fact_playlist_item/snapshot_date={snapshot_date}/")


def test_current_dimensions_are_the_latest_observation(loaded):
    assert loaded.execute(
        "select playlist_id, snapshot_id, snapshot_date from core.dim_playlist_current order by 1"
    ) == [
        ("devModeMix", "snapDev2", D16),
        ("emptiedMix", "snapEmptied3", D16),
        ("fadedMix", "snapFaded2", D16),  # an empty snapshot is the latest observation
        ("legacyMix", "snapLegacy3", D16),
    ]
    # Every snapshot once, the two empty ones included (as in Athena).
    assert loaded.execute(
        "select playlist_id, count(*) from core.playlist_snapshot_dates group by 1 order by 1"
    ) == [("devModeMix", 2), ("emptiedMix", 3), ("fadedMix", 2), ("legacyMix", 3)]
    # Leaver was last seen on 2026-11-09, and keeps that observation.
    assert loaded.execute(
        "select snapshot_date, popularity from core.dim_track_current where track_id = 'trkLeaver'"
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
    assert warehouse.land(curated, LOADED_AT + dt.timedelta(hours=1)) == 124
    assert warehouse.merge_all() == dict.fromkeys(CURATED_TABLES, (0, 0, 0))
    assert warehouse.core_contents() == before
    # And merging with nothing new changes nothing either.
    assert warehouse.merge_all() == dict.fromkeys(CURATED_TABLES, (0, 0, 0))
    assert warehouse.core_contents() == before


def _rewrite(
    wh,
    table: str,
    day: str,
    where: str,
    changes: dict[str, str] | None = None,
    hours_later: int = 1,
) -> None:
    """What the pipes land when a Glue job rewrites ``table``'s partition ``day`` in a new
    write: the landed rows of LANDING.<table> for which ``where`` holds, each column of
    ``changes`` replaced by its expression (the other columns as landed, so a test names
    only what it changes), as one new file loaded ``hours_later`` after the fixture."""
    file_name = (
        f"{table}/{partition_of(table)}={day}/part-00000-rewrite-{hours_later}-c000.snappy.parquet"
    )
    columns = [c for c in _columns(wh, table) if c not in ("source_file_name", "loaded_at")]
    replaced = ", ".join(
        f"{expression} as {column}" for column, expression in (changes or {}).items()
    )
    wh.execute(
        f"""
        insert into landing.{table}
        select {", ".join(columns)}, '{file_name}', dateadd(hour, {hours_later}, loaded_at)
        from (
            select *{f" replace ({replaced})" if replaced else ""}
            from landing.{table}
            where {where}
        ) as rewritten
        """
    )


def _rewrite_keeping(wh, table: str, day: str, condition: str) -> None:
    """A :func:`_rewrite` of ``table``'s ``day`` that keeps the landed rows of that day for
    which ``condition`` holds: the others are gone from the new write."""
    _rewrite(wh, table, day, f"{partition_of(table)} = '{day}' and {condition}")


def _columns(wh, table: str) -> list[str]:
    return wh.query(f"select * from landing.{table} limit 0")[0]


def test_a_rewritten_date_replaces_that_date_as_a_whole(warehouse):
    wh = warehouse
    # legacyMix extracted again on 2026-11-16, an hour later: one entry shorter (the local
    # file at position 6 is gone) and Climber's popularity now 65. The job rewrites the
    # date: the other playlists' 5 rows of that day come again, unchanged, in the same write.
    _rewrite(
        wh,
        "fact_playlist_item",
        "2026-11-16",
        "snapshot_date = '2026-11-16' and not (playlist_id = 'legacyMix' and position = 6)",
        {
            "popularity": "iff(track_id = 'trkClimber', 65, popularity)",
            "extracted_at": (
                "iff(playlist_id = 'legacyMix', dateadd(hour, 1, extracted_at), extracted_at)"
            ),
            "source_file": "iff(playlist_id = 'legacyMix', 'later.json.gz', source_file)",
        },
    )
    # The 10 rows of the new write replace the 11 of the old one.
    assert wh.merge("fact_playlist_item") == (0, 10, 1)
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
    assert wh.execute(
        "select count(*) from core.fact_playlist_item "
        "where playlist_id = 'devModeMix' and snapshot_date = '2026-11-16'"
    ) == [(4,)]
    assert wh.merge("fact_playlist_item") == (0, 0, 0)
    # The trend views see the shorter snapshot: Garage Demo left on 2026-11-16.
    assert wh.execute(
        "select item_count, new_entry_count, exit_count from analytics.snapshot_entries_exits "
        "where playlist_id = 'legacyMix' and snapshot_date = '2026-11-16'"
    ) == [(5, 1, 2)]


def test_a_write_loaded_before_the_held_one_changes_nothing(warehouse):
    wh = warehouse
    before = wh.core_contents()
    # An older write of 2026-11-09 (one entry more) whose file is loaded late: CORE holds a
    # later load of that date, so it stays as it is.
    _rewrite(
        wh,
        "fact_playlist_item",
        "2026-11-09",
        "snapshot_date = '2026-11-09'",
        {
            "position": "position + 1",
            "extracted_at": "dateadd(hour, -1, extracted_at)",
            "source_file": "'earlier.json.gz'",
        },
        hours_later=-1,
    )
    assert wh.merge("fact_playlist_item") == (0, 0, 0)
    assert wh.core_contents() == before


def test_a_re_extraction_with_no_rows_removes_the_superseded_ones(warehouse):
    """legacyMix extracted again on 2026-11-16 and found empty: the rewritten date has no
    row of it, so the older extraction's rows go (review finding: they used to stay)."""
    wh = warehouse
    _rewrite_keeping(wh, "fact_playlist_item", "2026-11-16", "playlist_id != 'legacyMix'")
    # The other playlists' 5 rows come again; legacyMix's 6 go.
    assert wh.merge("fact_playlist_item") == (0, 5, 6)
    assert wh.execute(
        "select playlist_id, count(*) from core.fact_playlist_item "
        "where snapshot_date = '2026-11-16' group by 1 order by 1"
    ) == [("devModeMix", 4), ("emptiedMix", 1)]


def test_a_date_re_extracted_empty_writes_no_fact_file_and_still_loses_its_facts(warehouse):
    """legacyMix and emptiedMix, the only playlists of 2026-11-02, extracted again an hour
    later and found empty: the Glue job rewrites the date's dim_playlist (two rows, total 0)
    but has no fact row of that date at all, so it writes no fact file and the fact merge
    never hears of it (documented as a gap until this session). The sweep task that runs
    after the dim_playlist merge deletes the superseded facts."""
    wh = warehouse
    _rewrite(
        wh,
        "dim_playlist",
        "2026-11-02",
        "snapshot_date = '2026-11-02'",
        {
            "snapshot_id": "snapshot_id || '-again'",
            "total_items": "0",
            "extracted_at": "dateadd(hour, 1, extracted_at)",
            "source_file": "'again.json.gz'",
        },
    )
    facts_per_date = (
        "select snapshot_date, count(*) from core.fact_playlist_item group by 1 order by 1"
    )
    assert wh.merge("fact_playlist_item") == (0, 0, 0)  # no fact file landed
    assert wh.execute(facts_per_date) == [(D02, 6), (D09, 10), (D16, 11)]
    assert wh.merge("dim_playlist") == (0, 2, 0)
    assert wh.deleted_by == {"sweep_superseded_facts": 6}
    assert wh.execute(facts_per_date) == [(D09, 10), (D16, 11)]
    # The views see two empty snapshots: everything on legacyMix's 2026-11-09 is new.
    assert wh.execute(
        "select snapshot_date, item_count, new_entry_count, exit_count "
        "from analytics.snapshot_entries_exits where playlist_id = 'legacyMix' "
        "and snapshot_date <= '2026-11-09' order by 1"
    ) == [(D02, 0, None, None), (D09, 6, 6, 0)]
    # Again: nothing more to delete.
    assert wh.merge("dim_playlist") == (0, 0, 0)
    assert wh.deleted_by == {"sweep_superseded_facts": 0}


def test_the_sweep_never_deletes_facts_newer_than_the_held_playlist_row(warehouse):
    """The fact write of a re-extraction can land before its dim_playlist write: the facts
    are then newer than the playlist row CORE holds, and stay."""
    wh = warehouse
    _rewrite(
        wh,
        "fact_playlist_item",
        "2026-11-09",
        "snapshot_date = '2026-11-09'",
        {"extracted_at": "dateadd(hour, 1, extracted_at)", "source_file": "'later.json.gz'"},
    )
    assert wh.merge("fact_playlist_item") == (0, 10, 0)
    assert wh.merge("dim_playlist") == (0, 0, 0)
    assert wh.deleted_by == {"sweep_superseded_facts": 0}
    assert wh.execute(
        "select count(*) from core.fact_playlist_item where snapshot_date = '2026-11-09'"
    ) == [(10,)]


def test_a_date_whose_facts_are_not_merged_yet_is_not_an_empty_snapshot(warehouse):
    """The pipes and tasks load the tables one by one: with 2026-11-16's playlist rows
    merged and its facts not yet, the views show the previous snapshot, not every playlist
    emptied (as in Athena)."""
    wh = warehouse
    wh.execute("delete from core.fact_playlist_item where snapshot_date = '2026-11-16'")
    assert wh.execute(
        "select playlist_id, snapshot_date from analytics.snapshot_entries_exits "
        "where exit_count > 0 order by 1, 2"
    ) == [("emptiedMix", D09), ("fadedMix", D16)]
    assert wh.execute(
        "select distinct playlist_id, snapshot_date from analytics.current_top_songs order by 1"
    ) == [("devModeMix", D09), ("legacyMix", D09)]


def test_a_rewritten_date_can_make_an_observation_older_or_drop_it(warehouse):
    """Review finding: the lake's observation of an id for a date can get *older* (a
    re-extraction no longer has it, another playlist's earlier extraction remains) or go;
    CORE follows the lake instead of keeping the superseded observation."""
    wh = warehouse
    # Together's 2026-11-16 observation now comes from an earlier extraction (popularity 11)
    # that credits Alpha alone; Bravo is not observed on 2026-11-16 any more.
    _rewrite(
        wh,
        "dim_track",
        "2026-11-16",
        "snapshot_date = '2026-11-16'",
        {
            "popularity": "iff(track_id = 'trkTogether', 11, popularity)",
            "extracted_at": (
                "iff(track_id = 'trkTogether', dateadd(hour, -2, extracted_at), extracted_at)"
            ),
        },
    )
    _rewrite_keeping(
        wh,
        "bridge_track_artist",
        "2026-11-16",
        "not (track_id = 'trkTogether' and artist_id <> 'artAlpha')",
    )
    _rewrite_keeping(wh, "dim_artist", "2026-11-16", "artist_id <> 'artBravo'")
    wh.merge_all()
    assert wh.execute(
        "select popularity from core.dim_track_current where track_id = 'trkTogether'"
    ) == [(11,)]
    assert wh.execute(
        "select artist_id from core.bridge_track_artist_current where track_id = 'trkTogether'"
    ) == [("artAlpha",)]
    # Bravo's latest observation is now an earlier date's: legacyMix credits Bravo on
    # 2026-11-09 (Together, Yesterday Once), and no later date does any more.
    assert wh.execute(
        "select snapshot_date from core.dim_artist_current where artist_id = 'artBravo'"
    ) == [(D09,)]
    assert wh.execute(
        "select count(*) from core.dim_artist "
        "where artist_id = 'artBravo' and snapshot_date = '2026-11-16'"
    ) == [(0,)]


def test_a_newer_credit_list_replaces_the_old_one(warehouse):
    wh = warehouse
    # Together observed on 2026-11-23 credited to Alpha alone: Bravo's credit goes.
    _rewrite(
        wh,
        "bridge_track_artist",
        "2026-11-23",
        "track_id = 'trkTogether' and artist_id = 'artAlpha' and snapshot_date = '2026-11-16'",
        {
            "extracted_at": "dateadd(day, 7, extracted_at)",
            "snapshot_date": "'2026-11-23'::date",
        },
    )
    assert wh.merge("bridge_track_artist") == (1, 0, 0)
    assert wh.execute(
        "select artist_id, snapshot_date from core.bridge_track_artist_current "
        "where track_id = 'trkTogether'"
    ) == [("artAlpha", dt.date(2026, 11, 23))]
    songs = dict(
        wh.execute("select artist_name, song_count from analytics.top_artists_by_song_count")
    )
    assert songs["Bravo"] == 1  # Yesterday Once only


def test_a_dimension_is_read_at_its_latest_observation(warehouse):
    wh = warehouse

    def land_sunrise(snapshot_date: str, days: int, popularity: int) -> None:
        _rewrite(
            wh,
            "dim_track",
            snapshot_date,
            "track_id = 'trkSunrise' and snapshot_date = '2026-11-16'",
            {
                "popularity": str(popularity),
                "extracted_at": f"dateadd(day, {days}, extracted_at)",
                "snapshot_date": f"'{snapshot_date}'::date",
            },
        )

    land_sunrise("2026-11-01", -15, 10)  # an earlier date: kept, but not the latest
    assert wh.merge("dim_track") == (1, 0, 0)
    assert wh.execute(
        "select popularity from core.dim_track_current where track_id = 'trkSunrise'"
    ) == [(80,)]
    land_sunrise("2026-11-23", 7, 85)  # a later date is the latest observation
    assert wh.merge("dim_track") == (1, 0, 0)
    assert wh.execute(
        "select popularity, snapshot_date from core.dim_track_current where track_id = 'trkSunrise'"
    ) == [(85, dt.date(2026, 11, 23))]


def test_every_table_has_landing_pipe_stream_task_and_core_table():
    # Names of the data contract, section 6: landing tables and pipes are Terraform's, the
    # rest the scripts'.
    objects = {(o.kind, o.name) for o in load_objects(SNOWFLAKE_SQL)}
    model = terraform_snowflake()
    for table in CURATED_TABLES:
        t = table.upper()
        assert f"SPOTIFY_LAKEHOUSE.LANDING.{t}" in model.tables
        assert f"SPOTIFY_LAKEHOUSE.LANDING.{t}_PIPE" in model.pipes
        for kind, name in [
            ("stream", f"SPOTIFY_LAKEHOUSE.LANDING.{t}_STREAM"),
            ("task", f"SPOTIFY_LAKEHOUSE.CORE.MERGE_{t}"),
            ("table", f"SPOTIFY_LAKEHOUSE.CORE.{t}"),
        ]:
            assert (kind, name) in objects
    assert model.database == "SPOTIFY_LAKEHOUSE"
    assert {"SPOTIFY_LAKEHOUSE.LANDING", "SPOTIFY_LAKEHOUSE.CORE"} <= set(model.schemas)
    assert "SPOTIFY_LAKEHOUSE.ANALYTICS" in model.schemas
    assert set(task_merges()) == set(CURATED_TABLES)


def test_every_pipe_copies_its_table_column_for_column(curated, chart_curated):
    model = terraform_snowflake()
    copies = terraform_copies()
    for table in CURATED_TABLES:
        landing = model.tables[f"SPOTIFY_LAKEHOUSE.LANDING.{table.upper()}"]
        copy = copies[table]
        assert copy.target == f"spotify_lakehouse.landing.{table}"
        assert copy.stage_path == f"spotify_lakehouse.landing.curated_stage/{table}/"
        assert copy.pattern == ".*[.]parquet"
        assert copy.columns == [name.lower() for name, _ in landing]
        # Every column of the jobs' files is read by name and cast to its landing type; the
        # last three come from the file's metadata: the table's own partition column (from
        # the path), the path, the load time.
        (written,) = [f for root in (curated, chart_curated) for f in lake_files(root, table)][:1]
        parquet_columns = pq.read_schema(written).names
        assert parquet_columns == [c.name for c in BY_NAME[table].file_columns]
        assert copy.columns[: len(parquet_columns)] == parquet_columns
        assert copy.columns[len(parquet_columns) :] == [
            partition_of(table),
            "source_file_name",
            "loaded_at",
        ]
        for expression, (name, column_type) in zip(copy.expressions, landing, strict=False):
            if name.lower() in parquet_columns:
                assert expression == f"$1:{name.lower()}::{column_type.lower()}"
        assert copy.expressions[-2:] == ["metadata$filename", "metadata$start_scan_time"]


# ---------------------------------------------------------------------------------------
# The chart tables: a chart job's run through the same landing, streams and merges
# ---------------------------------------------------------------------------------------

PLAYLIST_NAMES = [t.name for t in PLAYLIST_TABLES]
CHART_NAMES = [t.name for t in CHART_TABLES]
NOTHING_MERGED = dict.fromkeys(CURATED_TABLES, (0, 0, 0))
# What the chart fixture's enrichment (track documents, as the playlist job writes them)
# merges: inserts only, on a snapshot_date the playlist fixture does not have.
ENRICHED = {"dim_track": (5, 0, 0), "bridge_track_artist": (6, 0, 0), "dim_artist": (4, 0, 0)}


def test_a_chart_run_lands_streams_and_merges(warehouse, chart_curated):
    """The hand-made chart history (tests/sql/chart_fixture.py), as the chart job writes it,
    into a warehouse that holds the playlist fixture: landed by the pipes' COPY (chart_date
    from the path), merged by the chart tasks, read by the chart views."""
    wh = warehouse
    playlists_before = {t: rows for t, rows in wh.core_contents().items() if t in PLAYLIST_NAMES}
    # fact_chart_entry: global weekly 6 x 4 weeks + US weekly 4 x 3 + global daily 3 x 3 +
    # viral 2 = 47 rows; dim_chart: one per chart and date, 4 + 3 + 3 + 1 = 11. The
    # enrichment of five tracks (chart_fixture.DESCRIBED: Aurora's two ids, Blaze, Cascade,
    # Glow): dim_track 5, bridge_track_artist 6 (Blaze has two artists), dim_artist 4 (Nova,
    # Rex, Tyler, The Creator, Kai): 47 + 11 + 5 + 6 + 4 = 73 rows.
    assert wh.land(chart_curated, LOADED_AT) == 73
    assert wh.merge_all() == {
        **NOTHING_MERGED,
        "fact_chart_entry": (47, 0, 0),
        "dim_chart": (11, 0, 0),
        **ENRICHED,
    }
    # Six chart dates (four Thursdays, two more days of the daily chart), one file each.
    for table in CHART_NAMES:
        rows = wh.execute(f"select distinct chart_date, source_file_name from landing.{table}")
        assert len(rows) == 6, table
        for chart_date, file_name in rows:
            assert file_name.startswith(f"{table}/chart_date={chart_date.isoformat()}/")
    assert_core_holds_the_lake(wh, chart_curated, CHART_NAMES)
    # The chart views over CORE: the results worked out by hand (as on DuckDB in
    # test_charts.py, where the rows go into CORE directly).
    for view, (columns, expected) in sorted(CHART_EXPECTED.items()):
        actual_columns, rows = wh.query(f"select * from analytics.{view}")
        assert rows_as_expected(columns, actual_columns, rows) == sorted_rows(expected), view
    # Loading the same files again, and merging again, changes nothing; the playlist
    # tables never noticed.
    after = wh.core_contents()
    assert wh.land(chart_curated, LOADED_AT + dt.timedelta(hours=1)) == 73
    assert wh.merge_all() == NOTHING_MERGED
    assert wh.core_contents() == after
    # The playlist tables kept their rows; the enriched dimensions gained the track
    # documents' rows (another snapshot_date) and lost none.
    for table in PLAYLIST_NAMES:
        gained = len(after[table]) - len(playlists_before[table])
        assert set(playlists_before[table]) <= set(after[table]), table
        assert gained == ENRICHED.get(table, (0, 0, 0))[0], table


def test_a_rewritten_chart_date_replaces_that_date_as_a_whole(warehouse, chart_curated):
    wh = warehouse
    wh.land(chart_curated, LOADED_AT)
    wh.merge_all()
    # A corrected file for the viral chart of 2026-01-22 arrives later: its second entry
    # (Cascade) is gone. The chart job rewrites the date: the other 13 entries of that date
    # (global weekly 6, US weekly 4, global daily 3) come again in the same write.
    _rewrite_keeping(
        wh,
        "fact_chart_entry",
        "2026-01-22",
        "not (chart_id = 'viral-global-weekly' and rank = 2)",
    )
    # The 14 rows of the new write replace the 15 of the old one.
    assert wh.merge("fact_chart_entry") == (0, 14, 1)
    assert wh.execute(
        "select chart_id, count(*) from core.fact_chart_entry "
        "where chart_date = '2026-01-22' group by 1 order by 1"
    ) == [
        ("regional-global-daily", 3),
        ("regional-global-weekly", 6),
        ("regional-us-weekly", 4),
        ("viral-global-weekly", 1),
    ]
    assert wh.merge("fact_chart_entry") == (0, 0, 0)


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
