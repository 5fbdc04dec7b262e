"""One measured chart-job run in a fresh process: a local SparkSession, then ``run_chart_job``.

The chart job's counterpart of :mod:`tools.bench.run_glue`, with the same session
(:func:`tools.bench.run_glue.build_session`: ``local[2]``, a fixed driver heap, UTC, as
``make glue-local``); the job's own settings are the job's business. The curated root is
expected empty, so the run reads every file of the drop zone (the backfill).

Run as ``python -m tools.bench.run_glue_charts --drop D --curated C --result result.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tools.bench.run_glue import build_session, write_result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drop", required=True)
    parser.add_argument("--curated", required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--event-log", type=Path)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    spark = build_session(args.driver_memory, args.event_log, args.cores)
    spark.sparkContext.setLogLevel("WARN")
    session_ready = time.perf_counter()
    from glue_jobs.charts_pipeline import run_chart_job

    summary = run_chart_job(spark, args.drop, args.curated)
    finished = time.perf_counter()
    spark.stop()
    write_result(args.result, summary, started, session_ready, finished)
    return 0


if __name__ == "__main__":
    sys.exit(main())
