"""One measured Glue-job run in a fresh process: a local SparkSession, then ``run_job``.

The benchmark starts this module once per measurement (full run, incremental run, one day
alone) so that each has its own JVM and the process tree that the runner samples is
exactly one job's. The session is built the way ``make glue-local`` runs the job
(``local[2]``, a fixed driver heap, UTC); everything else is the job's own business, so
the numbers are the product's, not a tuned benchmark's.

With ``--event-log DIR`` Spark writes its event log there; the runner reads it to report
which stages the time went to.

Run as ``python -m tools.bench.run_glue --raw R --curated C --result result.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def build_session(driver_memory: str, event_log: Path | None, cores: int):
    """A local SparkSession like ``make glue-local``'s, optionally with an event log."""
    from pyspark.sql import SparkSession

    # The Python workers (the job's per-file decode UDF) run this interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("bench-glue-job")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if event_log is not None:
        event_log.mkdir(parents=True, exist_ok=True)
        builder = builder.config("spark.eventLog.enabled", "true").config(
            "spark.eventLog.dir", event_log.resolve().as_uri()
        )
    return builder.getOrCreate()


def build_parser(description: str, source: str) -> argparse.ArgumentParser:
    """A measured run's arguments: ``--<source>`` (the root the job reads), ``--curated``,
    ``--result`` and the session's."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(f"--{source}", required=True)
    parser.add_argument("--curated", required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--event-log", type=Path)
    return parser


def measure(args: argparse.Namespace, job: Callable[[Any], dict]) -> int:
    """Start the session, run ``job(spark)`` (it returns the run summary), stop the session
    and write the result file with the time of each."""
    started = time.perf_counter()
    spark = build_session(args.driver_memory, args.event_log, args.cores)
    spark.sparkContext.setLogLevel("WARN")
    session_ready = time.perf_counter()
    summary = job(spark)
    finished = time.perf_counter()
    spark.stop()
    write_result(args.result, summary, started, session_ready, finished)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(__doc__.splitlines()[0], "raw")
    parser.add_argument(
        "--profile", type=Path, help="cProfile the driver's Python into this .pstats file"
    )
    args = parser.parse_args(argv)

    def job(spark: Any) -> dict:
        from glue_jobs.pipeline import run_job

        if not args.profile:
            return run_job(spark, args.raw, args.curated)
        # The driver's own Python time (planning, bookkeeping, py4j calls) versus waiting
        # for Spark: `python -m pstats <file>` then `sort cumtime`, `stats 30`.
        import cProfile

        profiler = cProfile.Profile()
        summary = profiler.runcall(run_job, spark, args.raw, args.curated)
        profiler.dump_stats(str(args.profile))
        return summary

    return measure(args, job)


def write_result(
    path: Path, summary: dict, started: float, session_ready: float, finished: float
) -> None:
    """The measured process's result file: the job's run summary and where its time went."""
    result = {
        "summary": summary,
        "session_s": round(session_ready - started, 3),
        "job_s": round(finished - session_ready, 3),
    }
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main())
