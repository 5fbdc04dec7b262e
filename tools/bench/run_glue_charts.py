"""One measured chart-job run in a fresh process: a local SparkSession, then ``run_chart_job``.

The chart job's counterpart of :mod:`tools.bench.run_glue`, with the same arguments and
session (:func:`tools.bench.run_glue.measure`: ``local[2]``, a fixed driver heap, UTC, as
``make glue-local``); the job's own settings are the job's business. The curated root is
expected empty, so the run reads every file of the drop zone (the backfill).

Run as ``python -m tools.bench.run_glue_charts --drop D --curated C --result result.json``.
"""

from __future__ import annotations

import sys
from typing import Any

from tools.bench.run_glue import build_parser, measure


def main(argv: list[str] | None = None) -> int:
    args = build_parser(__doc__.splitlines()[0], "drop").parse_args(argv)

    def job(spark: Any) -> dict:
        from glue_jobs.charts_pipeline import run_chart_job

        return run_chart_job(spark, args.drop, args.curated)

    return measure(args, job)


if __name__ == "__main__":
    sys.exit(main())
