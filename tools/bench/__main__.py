"""`make bench`: the Glue job against pandas and DuckDB, and the extractor against the fake API.

    python -m tools.bench                       # 1M comparison, 10M memory run, extractor
    python -m tools.bench --items 100000 --sizes 100000 --skip-extract   # a quick look
    python -m tools.bench --sizes 1000000       # without the long 10M run
    python -m tools.bench --charts              # and the chart backfill (job vs DuckDB)
    python -m tools.bench --charts-only --chart-years 1 --chart-regions 10   # charts alone

Prints a table (items/s, wall time, peak memory (PSS) of the process tree, time ratios) and the
targets met or missed, and writes everything to ``<out>/results.json``. See
docs/benchmarks.md for the recorded results and what they mean.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.bench.charts_generate import add_arguments as add_chart_arguments
from tools.bench.runner import Options, run


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--items",
        type=lambda t: int(t.replace("_", "")),
        default=defaults.items,
        help="entries of the comparison data set (every engine runs on it)",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=defaults.sizes,
        help="data set sizes for the Glue job's memory-flatness runs (comma-separated)",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=Path, default=defaults.out)
    parser.add_argument("--skip-extract", action="store_true", help="no extractor benchmarks")
    parser.add_argument("--skip-baselines", action="store_true", help="no pandas or DuckDB")
    parser.add_argument(
        "--skip-incremental",
        action="store_true",
        help="no incremental and one-day Glue runs (e.g. a memory-flatness run alone)",
    )
    parser.add_argument(
        "--engines",
        type=lambda t: tuple(x.strip() for x in t.split(",") if x.strip() not in ("", "none")),
        default=defaults.engines,
        help="subset of glue,pandas,duckdb ('none': extractor benchmarks only)",
    )
    parser.add_argument("--driver-memory", default=defaults.driver_memory)
    parser.add_argument("--extract-items", type=int, default=defaults.extract_items)
    parser.add_argument(
        "--latency", type=float, default=defaults.latency_s, help="seconds per fake request"
    )
    parser.add_argument("--storm-retry-after", type=int, default=defaults.storm_retry_after_s)
    parser.add_argument("--storm-deadline", type=float, default=defaults.storm_deadline_s)
    parser.add_argument("--no-event-log", action="store_true", help="no Spark event logs")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the written tables")
    parser.add_argument("--timeout", type=float, help="kill any single run after this many s")
    charts = parser.add_argument_group(
        "charts run",
        "a chart backfill through the chart job next to DuckDB (tools/bench/charts.py)",
    )
    charts.add_argument("--charts", action="store_true", help="add the charts run")
    charts.add_argument(
        "--charts-only",
        action="store_true",
        help="the charts run alone (= --charts --engines none --skip-extract)",
    )
    add_chart_arguments(charts)
    charts.add_argument(
        "--chart-duckdb-variant",
        choices=("stream", "table"),
        default=defaults.chart_duckdb_variant,
        help="DuckDB reads the CSV twice (stream) or once into a table",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.charts_only:
        args.charts, args.engines, args.skip_extract = True, (), True
    options = Options(
        items=args.items,
        sizes=args.sizes,
        seed=args.seed,
        out=args.out,
        skip_extract=args.skip_extract,
        skip_baselines=args.skip_baselines,
        skip_incremental=args.skip_incremental,
        engines=args.engines,
        driver_memory=args.driver_memory,
        extract_items=args.extract_items,
        latency_s=args.latency,
        storm_retry_after_s=args.storm_retry_after,
        storm_deadline_s=args.storm_deadline,
        event_log=not args.no_event_log,
        keep_outputs=args.keep_outputs,
        timeout_s=args.timeout,
        charts=args.charts,
        chart_years=args.chart_years,
        chart_days=args.chart_days,
        chart_regions=args.chart_regions,
        chart_files=args.chart_files,
        chart_correction_days=args.chart_correction_days,
        chart_bad_charts=args.chart_bad_charts,
        chart_bad_rows=args.chart_bad_rows,
        chart_duckdb_variant=args.chart_duckdb_variant,
    )
    if options.charts:
        from tools.bench.charts import layout_of

        try:
            layout_of(options)  # a size that does not fit is said now, not after the rest
        except ValueError as error:
            parser.error(str(error))
    results = run(options, log=lambda line: print(line, flush=True))
    failed = [row["name"] for row in results["rows"] if not row["ok"]]
    if failed:
        print(f"runs that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
