"""Entry point of the chart job: chart files of the drop zone in, the chart tables out.

Like ``star_schema_job.py`` (whose argument parsing, Glue detection, run steps and metrics
it reuses), the only chart-job module that imports ``awsglue`` (through
``star_schema_job``'s ``load_glue_api``), and only when the Glue runtime is there. The work is
``charts_pipeline.process_chart_files`` everywhere.

Arguments: ``--JOB_NAME``, ``--drop_path`` (the drop zone, ``s3://<raw bucket>/charts/`` or
a folder), ``--curated_path``; optional ``--metrics_namespace`` (CloudWatch metrics of the
run), ``--bookmark_store {auto,glue,local}`` and Glue's ``--job-bookmark-option``
(``job-bookmark-disable`` reads every file again).

Each run that writes rows also writes the enrichment work list
``<raw root>/enrichment/todo/charts-<run_id>.txt`` (the raw root is the drop zone's parent:
``s3://<raw bucket>/``), after publishing and before committing; docs/charts-contract.md.

Which files are new is decided by the **local bookmark** (``<curated>/_state/
charts_bookmark.json``, on S3 too) unless ``--bookmark_store glue`` is given: Glue's job
bookmark only moves through a DynamicFrame read of the new files, which for a drop zone of
multi-GB archives would read them all a second time just to learn their names.

Usage (spark-submit)::

    spark-submit --py-files dist/glue_jobs.zip glue_jobs/chart_job.py \\
        --JOB_NAME charts_local --drop_path <drop zone> --curated_path <curated root>
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyspark.sql import SparkSession

from glue_jobs.charts_pipeline import (
    CHART_BOOKS,
    enrichment_todo_dir,
    process_chart_files,
    rolling_forward,
    run_chart_job,
)
from glue_jobs.lakefs import FileInfo, LakeFS
from glue_jobs.publish import recover_staging
from glue_jobs.star_schema_job import (
    EntryPoint,
    GlueApi,
    GlueRun,
    Options,
    bookmarked_new_files,
    parse_options,
    run_locally,
)

# A literal list, passed as is: tools/tf_check reads it to compare with Terraform's arguments.
REQUIRED_ARGS = ["JOB_NAME", "drop_path", "curated_path"]
# Optional arguments (read by star_schema_job.parse_options): "metrics_namespace",
# "bookmark_store", and Glue's "job-bookmark-option".
OPTIONAL_ARGS = ("metrics_namespace", "bookmark_store", "job-bookmark-option")
# Glue's bookmark of the drop zone (``--bookmark_store glue`` only).
BOOKMARK_CTX = "charts_drop_zone"


def options(argv: Sequence[str], glue_api: GlueApi | None) -> Options:
    """The chart job's arguments; ``Options.raw_path`` holds ``--drop_path``."""
    return parse_options(argv, glue_api, REQUIRED_ARGS, "drop_path", "chart_job")


def run_glue(spark: SparkSession, glue_api: GlueApi, opts: Options) -> dict[str, Any]:
    """One run with Glue's job bookmark: ``Job.init`` ... publish ... ``Job.commit``."""
    run = GlueRun.start(spark, glue_api, opts)
    enrichment_todo_dir(opts.raw_path)  # a drop zone without a parent fails before any work
    # Glue's bookmark was not committed: Glue hands the rolled-forward run's files to this
    # run again. Its enrichment work list is still delivered (the ids are the same).
    rolled = recover_staging(
        run.fs, run.fs.root, rolling_forward(run.spark, run.fs, lambda _files: None), CHART_BOOKS
    )
    paths = bookmarked_new_files(run.context, opts.raw_path, fmt="csv", ctx=BOOKMARK_CTX)
    drop_fs = LakeFS(run.spark, opts.raw_path)
    listed = {f.path: f for f in drop_fs.list_files(drop_fs.root)}
    return run.process(
        process_chart_files,
        [listed.get(p, FileInfo(p, 0, 0)) for p in paths],
        opts.raw_path,
        opts.curated_path,
        rolled_forward=rolled,
    )


def run_local(spark: SparkSession, opts: Options) -> dict[str, Any]:
    """One run with the local bookmark; a missing drop zone stops it with one line."""
    return run_locally(run_chart_job, spark, opts, (FileNotFoundError, ValueError))


# ``--bookmark_store auto`` is the local bookmark, on Glue too (the module docstring).
ENTRY_POINT = EntryPoint(
    app_name="chart_job",
    options=options,
    run_glue=run_glue,
    run_local=run_local,
    auto_store="local",
)
main = ENTRY_POINT.main

if __name__ == "__main__":
    main()
