"""Run the Athena analytics of athena_sql/ locally, on DuckDB over curated Parquet.

`make query CURATED=<dir>` (that is, `python -m tools.query --curated <dir>`) prints every
analytics view as a plain-text table. The same functions are importable, for the demo report
and the tests:

    from tools.query import connect, run_analytics, run_named_query
    results = run_analytics("build/lake/curated")          # {view name: QueryResult}
    results["artist_metrics"].records()                    # [{"artist_name": ..., ...}, ...]
    results["artist_metrics"].to_dataframe()               # pandas.DataFrame

The views are written in Athena (Trino) SQL because that is where they are deployed. To run
them on DuckDB this module does three things, and nothing else:

1. it registers each curated table as a DuckDB view over
   `read_parquet('<curated>/<table>/**/*.parquet', hive_partitioning = true)`, typing the
   partition key (`snapshot_date`, `chart_date`) as VARCHAR, which is what the Glue crawler
   gives Athena for a Hive-style `snapshot_date=YYYY-MM-DD` folder, and each current table
   the jobs write (`dim_track_current`, ...: glue_jobs/current.py) as a view over its one
   folder; a table with no Parquet yet (a lake of playlists only, or of charts only) is an
   empty view with the table's columns, from glue_jobs/tables.py;
2. it translates each statement with `sqlglot.transpile(sql, read="athena", write="duckdb")`;
3. it sets the session time zone to UTC, as Athena's is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import itertools
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from glue_jobs.tables import BY_NAME, CURRENT_TABLES, TABLE_NAMES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ATHENA_SQL = PROJECT_ROOT / "athena_sql"
VIEWS_DIR = ATHENA_SQL / "views"
NAMED_QUERIES_DIR = ATHENA_SQL / "named_queries"

# The curated tables (glue_jobs/tables.py).
CURATED_TABLES = TABLE_NAMES

# The tables' logical types (glue_jobs.tables.TYPES) in DuckDB, for a table with no Parquet
# yet: what DuckDB reads from the Glue jobs' Parquet (timestamps are adjusted to UTC).
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
}

_VIEW_NAME = re.compile(r"create\s+or\s+replace\s+view\s+(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class QueryResult:
    """The rows of one view or named query, with its column names."""

    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_dataframe(self):
        """The rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame.from_records(self.rows, columns=self.columns)


def athena_to_duckdb(sql: str) -> str:
    """One Athena (Trino) statement, translated to DuckDB SQL by sqlglot."""
    # Imported here: the DuckDB chart baseline imports this module for DUCKDB_TYPES only, and
    # is timed and measured as a yardstick.
    import sqlglot

    statements = sqlglot.transpile(sql, read="athena", write="duckdb")
    if len(statements) != 1:
        raise ValueError(f"expected one statement, got {len(statements)}")
    return statements[0]


def view_files() -> list[Path]:
    """athena_sql/views/*.sql in creation order (the numeric prefix orders dependencies)."""
    return sorted(VIEWS_DIR.glob("*.sql"))


def view_name(path: Path) -> str:
    """The name a view file creates (`create or replace view <name>`)."""
    match = _VIEW_NAME.search(path.read_text())
    if match is None:
        raise ValueError(f"{path} has no `create or replace view <name>`")
    return match.group(1).lower()


# Views the analytics read, not analytics themselves (one row per snapshot, or per chart
# entry and artist): run them with --view.
HELPER_VIEWS = frozenset(
    {"playlist_snapshot_dates", "playlist_snapshot_sequence", "chart_artist_credits"}
)


def analytics_view_names() -> list[str]:
    """Every view but the helpers: `playlist_snapshot_dates`, `playlist_snapshot_sequence`
    and `chart_artist_credits`."""
    return [name for name in map(view_name, view_files()) if name not in HELPER_VIEWS]


def named_query_names() -> list[str]:
    """athena_sql/named_queries/*.sql, by name."""
    return sorted(path.stem for path in NAMED_QUERIES_DIR.glob("*.sql"))


def describe(name: str) -> str:
    """The first comment sentence of a view or named query file, for headings."""
    if table := CURRENT_TABLES.get(name):
        return f"the latest observation of every {table.entity} (a table the Glue jobs write)"
    paths = [p for p in view_files() if view_name(p) == name] or [NAMED_QUERIES_DIR / f"{name}.sql"]
    comment = []
    for line in paths[0].read_text().splitlines():
        if not line.startswith("--"):
            break
        comment.append(line.removeprefix("--").strip())
    text = " ".join(comment).removeprefix(f"{name}:").strip()
    return text.split(". ")[0].rstrip(".") if text else ""


def empty_tables(curated: str | Path) -> list[str]:
    """The curated tables with no Parquet file under ``curated`` (yet)."""
    curated = Path(curated)
    return [t for t in CURATED_TABLES if not any((curated / t).glob("**/*.parquet"))]


def _empty_table_sql(table: str) -> str:
    """A view with the table's columns (glue_jobs.tables) and no rows; the partition key is
    VARCHAR, as the crawler registers it, but a current table's is the DATE its files hold."""
    definition = CURRENT_TABLES.get(table) or BY_NAME[table]
    key = "DATE" if table in CURRENT_TABLES else "VARCHAR"
    columns = [f"cast(null as {DUCKDB_TYPES[c.type]}) as {c.name}" for c in definition.file_columns]
    columns.append(f"cast(null as {key}) as {definition.partition.name}")
    return f"create view {table} as select {', '.join(columns)} where false"


def _parquet(curated: Path, table: str, pattern: str) -> str:
    return (curated / table / pattern).as_posix().replace("'", "''")


class MissingCurrentTable(FileNotFoundError):
    """A lake whose table has rows but whose current table is missing."""


def connect(curated: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the curated tables and every Athena view of athena_sql/.

    A table with no Parquet yet (:func:`empty_tables`: the chart tables of a lake that holds
    playlists only, or the playlist tables of one that holds charts only) is an empty view
    with its columns; a root with no Parquet for any table is refused."""
    curated = Path(curated)
    empty = empty_tables(curated)
    if len(empty) == len(CURATED_TABLES):
        raise FileNotFoundError(
            f"no Parquet files under {curated} for {', '.join(empty)}: "
            "CURATED must be a curated root written by the Glue jobs (e.g. build/lake/curated)"
        )
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for table in CURATED_TABLES:
        if table in empty:
            con.execute(_empty_table_sql(table))
            continue
        key = BY_NAME[table].partition.name
        con.execute(
            f"create view {table} as select * from read_parquet("
            f"'{_parquet(curated, table, '**/*.parquet')}', "
            f"hive_partitioning = true, hive_types = {{'{key}': varchar}})"
        )
    for current, table in CURRENT_TABLES.items():
        if any((curated / current).glob("*.parquet")):
            con.execute(
                f"create view {current} as select * from "
                f"read_parquet('{_parquet(curated, current, '*.parquet')}')"
            )
        elif table.name in empty:
            con.execute(_empty_table_sql(current))
        else:
            raise MissingCurrentTable(
                f"{curated / current} is missing, though {table.name} has rows: the Glue jobs "
                "write it at each run that adds data (a lake written before they did has "
                "none); run the job once more with new files, or with its bookmark reset"
            )
    for path in view_files():
        con.execute(athena_to_duckdb(path.read_text()))
    return con


def _fetch(con: duckdb.DuckDBPyConnection, name: str, sql: str, params=None) -> QueryResult:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return QueryResult(name=name, columns=columns, rows=cursor.fetchall())


def run_view(con: duckdb.DuckDBPyConnection, name: str) -> QueryResult:
    """All rows of one view, ordered by all its columns left to right (views have no order)."""
    if not re.fullmatch(r"\w+", name):
        raise ValueError(f"not a view name: {name!r}")
    return _fetch(con, name, f"select * from {name} order by all")


def run_named_query(
    con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] = ()
) -> QueryResult:
    """One named query of athena_sql/named_queries/, its `?` parameters bound in order."""
    path = NAMED_QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise ValueError(f"no named query {name!r}; known: {', '.join(named_query_names())}")
    sql = path.read_text()
    try:
        return _fetch(con, name, athena_to_duckdb(sql), list(params))
    except duckdb.InvalidInputException as error:
        if "parameter" not in str(error).lower():
            raise
        # The file's header comment says what the parameters are.
        header = " ".join(
            line.removeprefix("--").strip()
            for line in itertools.takewhile(lambda x: x.startswith("--"), sql.splitlines())
        )
        raise ValueError(
            f"{name} got {len(params)} parameter(s) (one --param per value, in order): {header}"
        ) from None


def run_analytics(
    curated: str | Path, names: Sequence[str] | None = None
) -> dict[str, QueryResult]:
    """Every analytics view (or the ones named) over the curated root, by view name."""
    con = connect(curated)
    try:
        return {name: run_view(con, name) for name in (names or analytics_view_names())}
    finally:
        con.close()


def _cell(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | decimal.Decimal):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def format_table(result: QueryResult) -> str:
    """A plain-text table: a header, a rule, one line per row; numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in result.rows]
    numeric = [
        all(
            isinstance(row[i], int | float | decimal.Decimal) and not isinstance(row[i], bool)
            for row in result.rows
            if row[i] is not None
        )
        and any(row[i] is not None for row in result.rows)
        for i in range(len(result.columns))
    ]
    widths = [
        max([len(col), *(len(row[i]) for row in cells)]) for i, col in enumerate(result.columns)
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    lines = [line(result.columns), "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in cells]
    lines.append(f"({len(result.rows)} row{'' if len(result.rows) == 1 else 's'})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.query",
        description="Run the Athena analytics views locally on DuckDB over curated Parquet.",
    )
    parser.add_argument("--curated", required=True, help="curated root (e.g. build/lake/curated)")
    parser.add_argument(
        "--view",
        action="append",
        dest="views",
        metavar="NAME",
        help="print only this view (repeatable; the *_current tables too); default: every "
        "analytics view",
    )
    parser.add_argument(
        "--named-query",
        metavar="NAME",
        help=f"run one named query instead ({', '.join(named_query_names())})",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="VALUE",
        help="a parameter of the named query, in order (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        con = connect(args.curated)
        if empty := empty_tables(args.curated):
            print(f"note: no Parquet yet for {', '.join(empty)}: read as empty", file=sys.stderr)
        if args.named_query:
            results = [run_named_query(con, args.named_query, args.param)]
        else:
            known = analytics_view_names()
            # --view also takes the current tables (the documented way to read a
            # dimension); without --view only the analytics are printed.
            every = [view_name(path) for path in view_files()] + list(CURRENT_TABLES)
            unknown = sorted(set(args.views or ()) - set(every))
            if unknown:
                parser.error(f"unknown view(s) {', '.join(unknown)}; known: {', '.join(every)}")
            results = [run_view(con, name) for name in args.views or known]
    except (FileNotFoundError, ValueError, duckdb.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for result in results:
        heading = f"== {result.name}"
        if description := describe(result.name):
            heading += f": {description}"
        print(heading)
        print(format_table(result))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
