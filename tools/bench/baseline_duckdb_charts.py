"""DuckDB baseline of the chart job: the drop zone's archives in, the two chart tables out.

The same work as the chart job on the benchmark's backfill, in SQL:

1. ``read_csv`` over ``<drop>/archive/*.csv`` (every column as text, no sniffing), the
   file's key giving ``added_at`` (the ``<added>`` part of ``<added>_<sha256>.csv``);
2. each row's chart from ``chart``, ``region`` (``ARCHIVE_REGION_CODES``, or a 2-letter code)
   and ``date`` (``YYYY-MM-DD``); a row that names no chart is dropped alone;
3. the rules of ``glue_jobs.chart_files`` that decide what is written: a chart (its rows in
   one file) is kept only when every rank is an integer in 1..200 (50 for viral), the ranks
   are 1..N without a gap or a repeat, every ``streams`` is a non-negative integer (``.0``
   allowed, as pandas writes it; empty for viral), every ``url`` is
   ``https://open.spotify.com/track/<22 base62>``;
4. "added last wins" per chart and date: of the good charts, the one of the file with the
   greatest ``added_at``;
5. ``fact_chart_entry`` and ``dim_chart`` (columns in the order of ``glue_jobs.tables``)
   with ``COPY ... (FORMAT parquet, PARTITION_BY (chart_date))``.

Not checked, because the generator never produces them: rows with another number of fields
(DuckDB's CSV reader stops on them), a chart whose rows are split by other charts' rows in
one file (``chart_not_contiguous``: needs the rows' order, which a parallel CSV scan does
not keep), single-chart files (the backfill is archives only). It keeps no rejection
reasons, only counts.

Variants: ``stream`` (default) reads the CSV twice, first to judge the charts (a small
aggregate), then to write the winners' rows, so memory does not grow with the backfill;
``table`` reads it once into a temporary table and works from there.

Run as ``python -m tools.bench.baseline_duckdb_charts --drop D --out O --result result.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from glue_jobs.chart_files import ARCHIVE_CHARTS, ARCHIVE_HEADER, ARCHIVE_REGION_CODES, MAX_RANK
from glue_jobs.tables import CHART_TABLES, Table
from tools import query
from tools.bench.baseline_duckdb import baseline_main

# tools.query's types, but for the timestamps: naive UTC, as the lake's instants.
DUCKDB_TYPES = {**query.DUCKDB_TYPES, "timestamp": "TIMESTAMP"}
TABLES = tuple(t.name for t in CHART_TABLES)
PERIOD = "daily"  # archives hold daily charts


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _values(pairs: dict[str, str]) -> str:
    return ", ".join(f"({_literal(k)}, {_literal(v)})" for k, v in pairs.items())


def _parsed_sql(drop: Path) -> str:
    """One row per CSV row that names a chart, with every value the rules and tables need."""
    glob = str(drop / "archive" / "*.csv")
    columns = "{" + ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in ARCHIVE_HEADER) + "}"
    return f"""
        with raw as (
            select *
            from read_csv(
                {_literal(glob)},
                header = true,
                auto_detect = false,
                delim = ',',
                quote = '"',
                escape = '"',
                columns = {columns},
                filename = true
            )
        ),
        keyed as (
            select
                raw.*,
                (select chart_type from chart_kinds where chart_kinds.chart = trim(raw.chart))
                    as chart_type,
                coalesce(
                    (select code from region_codes where name = lower(trim(raw.region))),
                    case when regexp_full_match(trim(raw.region), '[A-Za-z]{{2}}')
                        then lower(trim(raw.region)) end
                ) as region_code,
                case when regexp_full_match(trim(raw.date), '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')
                    then try_cast(trim(raw.date) as date) end as chart_day,
                case when regexp_full_match(trim(raw.rank), '-?[0-9]+')
                    then try_cast(trim(raw.rank) as bigint) end as rank_value,
                regexp_extract(
                    trim(coalesce(raw.url, '')),
                    '^https?://open\\.spotify\\.com/track/([0-9A-Za-z]{{22}})(\\?\\S*)?$',
                    1
                ) as track,
                trim(coalesce(raw.streams, '')) as streams_text
            from raw
        )
        select
            filename as source_file,
            strptime(
                regexp_extract(filename, '([0-9]{{8}}T[0-9]{{12}})Z_[0-9a-f]{{64}}\\.csv$', 1),
                '%Y%m%dT%H%M%S%f'
            ) as added_at,
            chart_type,
            region_code as region,
            chart_day as chart_date,
            rank_value,
            track,
            case when chart_type = 'regional' and regexp_full_match(streams_text, '[0-9]+(\\.0)?')
                then try_cast(regexp_replace(streams_text, '\\.0$', '') as bigint) end
                as streams_value,
            coalesce(rank_value between 1 and
                    case chart_type when 'regional' then {MAX_RANK["regional"]}
                        else {MAX_RANK["viral"]} end, false)
                and track <> ''
                and case chart_type
                    when 'regional' then regexp_full_match(streams_text, '[0-9]+(\\.0)?')
                    else streams_text = '' end
                as row_ok,
            coalesce(artist, '') as artist_names,
            coalesce(title, '') as track_name,
            nullif(trim(coalesce(trend, '')), '') as trend_text
        from keyed
        """


# Each output column's SQL over `parsed` rows joined to their chart (`w`), by name. The
# column list and order come from glue_jobs.tables; a column missing here is an error.
FACT_EXPRESSIONS = {
    "chart_id": f"p.chart_type || '-' || p.region || '-{PERIOD}'",
    "chart_type": "p.chart_type",
    "region": "p.region",
    "period": f"'{PERIOD}'",
    "rank": "p.rank_value",
    "track_id": "p.track",
    "streams": "p.streams_value",
    "peak_rank": "null",
    "previous_rank": "null",
    "weeks_on_chart": "null",
    "days_on_chart": "null",
    "label": "null",
    "artist_names": "p.artist_names",
    "track_name": "p.track_name",
    "trend": "p.trend_text",
    "added_at": "p.added_at",
    "source_file": "p.source_file",
    "chart_date": "p.chart_date",
}
DIM_EXPRESSIONS = {
    "chart_id": f"chart_type || '-' || region || '-{PERIOD}'",
    "chart_type": "chart_type",
    "region": "region",
    "period": f"'{PERIOD}'",
    "entries": "entries",
    "total_streams": "total_streams",
    "added_at": "added_at",
    "source_file": "source_file",
    "chart_date": "chart_date",
}


def select_list(table: Table, expressions: dict[str, str]) -> str:
    """``expr::type AS column`` for every column of `table`, in its order (partition last)."""
    missing = [c.name for c in table.all_columns if c.name not in expressions]
    if missing:
        raise KeyError(f"{table.name}: no expression for {missing}")
    return ",\n            ".join(
        f"cast({expressions[c.name]} as {DUCKDB_TYPES[c.type]}) as {c.name}"
        for c in table.all_columns
    )


def run(drop: Path, out: Path, *, memory_limit: str | None = None, variant: str = "table") -> dict:
    """Judge every chart of the drop zone's archives and write the two tables under `out`."""
    tables = {t.name: t for t in CHART_TABLES}
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute("set TimeZone = 'UTC'")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(
        "create temp table region_codes as select * from (values "
        f"{_values(ARCHIVE_REGION_CODES)}) as t(name, code)"
    )
    con.execute(
        "create temp table chart_kinds as select * from (values "
        f"{_values(ARCHIVE_CHARTS)}) as t(chart, chart_type)"
    )
    parsed = _parsed_sql(drop)
    if variant == "table":
        con.execute(f"create temp table parsed as {parsed}")
    else:
        con.execute(f"create temp view parsed as {parsed}")
    # Pass 1: every chart of every file, judged (at most one row per chart and file).
    con.execute(
        """
        create temp table charts as
        select
            source_file,
            any_value(added_at) as added_at,
            chart_type,
            region,
            chart_date,
            count(*) as entries,
            bool_and(row_ok)
                and count(distinct rank_value) = count(*)
                and max(rank_value) = count(*) as ok,
            sum(streams_value) as total_streams
        from parsed
        where chart_type is not null and region is not null and chart_date is not null
        group by source_file, chart_type, region, chart_date
        """
    )
    # Added last wins, among the good charts.
    con.execute(
        """
        create temp table winners as
        select * from charts
        where ok
        qualify row_number() over (
            partition by chart_type, region, chart_date
            order by added_at desc, source_file desc
        ) = 1
        """
    )
    written = {}
    # Pass 2 (the `stream` variant reads the files again): the winners' rows.
    queries = {
        "fact_chart_entry": f"""
            select
            {select_list(tables["fact_chart_entry"], FACT_EXPRESSIONS)}
            from parsed as p
            semi join winners as w
                on p.source_file = w.source_file
                and p.chart_type = w.chart_type
                and p.region = w.region
                and p.chart_date = w.chart_date
            """,
        "dim_chart": f"""
            select
            {select_list(tables["dim_chart"], DIM_EXPRESSIONS)}
            from winners
            """,
    }
    for name in TABLES:
        target = out / name
        target.mkdir(parents=True, exist_ok=True)
        partition = tables[name].partition.name
        written[name] = con.execute(
            f"copy ({queries[name]}) to {_literal(str(target))} "
            f"(format parquet, compression snappy, partition_by ({partition}), "
            "overwrite_or_ignore true)"
        ).fetchone()[0]
    counts = con.execute(
        """
        select
            count(*),
            coalesce(sum(entries), 0),
            count(*) filter (where not ok),
            coalesce(sum(entries) filter (where not ok), 0)
        from charts
        """
    ).fetchone()
    files_read = con.execute(
        f"select count(*) from glob({_literal(str(drop / 'archive' / '*.csv'))})"
    ).fetchone()[0]
    rows_read = (
        con.execute("select count(*) from parsed").fetchone()[0] if variant == "table" else None
    )
    con.close()
    return {
        "files_read": files_read,
        "charts_read": counts[0],
        "rows_in_charts": counts[1],
        "charts_rejected": counts[2],
        "rows_in_rejected_charts": counts[3],
        "charts_superseded": counts[0] - counts[2] - written["dim_chart"],
        "rows_read": rows_read,
        "rows_written": written,
    }


def main(argv: list[str] | None = None) -> int:
    return baseline_main(argv, __doc__.splitlines()[0], run, "drop", ("table", "stream"))


if __name__ == "__main__":
    sys.exit(main())
