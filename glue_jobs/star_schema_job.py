"""Entry point of the star-schema job: the one script for Glue, the Glue container and PySpark.

The only module of the project that imports ``awsglue``. It parses the arguments, picks the
bookmark, and calls the same core function, ``pipeline.process_files``, everywhere:

- **On Glue 5.0** (and in ``public.ecr.aws/glue/aws-glue-libs:5``): ``getResolvedOptions``,
  ``Job.init``; the raw files to process come from Glue's job bookmark through
  ``create_dynamic_frame.from_options(..., transformation_ctx="raw_playlist_snapshots")``
  with file grouping off; ``Job.commit()`` is called only after the output is published.
- **On plain PySpark** (spark-submit here, ``make glue-local``, where the Glue runtime is
  absent): the same arguments are parsed with argparse and the local bookmark in
  ``<curated>/_state/bookmark.json`` selects new or modified files (``pipeline.run_job``).

``--bookmark_store {auto,glue,local}`` (optional, default ``auto``) overrides the choice;
``local`` on Glue keeps the bookmark as a file under the curated root (S3 works too).

``--tracks_path <raw>/tracks`` (optional) also reads the track documents of the enrichment
(docs/track-documents.md) into the dimensions and bridges, under the same bookmark (on
Glue: ``transformation_ctx="raw_track_documents"``). A root that does not exist yet holds
no document.

Usage (spark-submit)::

    spark-submit --py-files dist/glue_jobs.zip glue_jobs/star_schema_job.py \\
        --JOB_NAME star_schema_local --raw_path <raw root> --curated_path <curated root>
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from glue_jobs import schemas as S
from glue_jobs.lakefs import FileInfo, LakeFS
from glue_jobs.pipeline import (
    SwappedRoots,
    configure_session,
    fail_point_from_env,
    new_run_id,
    process_files,
    run_job,
)
from glue_jobs.publish import recover_staging

# A literal list, passed as is: tools/tf_check reads it to compare with Terraform's arguments.
REQUIRED_ARGS = ["JOB_NAME", "raw_path", "curated_path"]
BOOKMARK_STORES = ("auto", "glue", "local")
GLUE_CONTEXT_CLASS = "com.amazonaws.services.glue.GlueContext"
# Glue groups small files on its own once a read has more than 50,000 of them, and Glue
# documents nothing about input_file_name() on grouped splits: "none" keeps one split per
# file, so every row names its file (docs/glue-job.md, "Bookmarks: local vs Glue").
GROUP_FILES = "none"


@dataclass(frozen=True)
class GlueApi:
    """The three Glue entry points the job uses (the real ones, or a test's stand-in)."""

    GlueContext: Any
    Job: Any
    getResolvedOptions: Any


@dataclass(frozen=True)
class Options:
    job_name: str
    raw_path: str
    curated_path: str
    bookmark_store: str
    reset_bookmark: bool
    raw_args: dict[str, Any]
    # The CloudWatch namespace of the run's metrics (glue_jobs/metrics.py); none: no metrics.
    metrics_namespace: str | None = None
    # The root of the track documents (--tracks_path); none: the job reads snapshots only.
    tracks_path: str | None = None


def load_glue_api(spark: SparkSession) -> GlueApi | None:
    """The Glue API when the Glue *runtime* is here, else None.

    Importable ``awsglue`` Python sources are not enough (``awsglue-dev`` installs them
    anywhere): the JVM side, ``com.amazonaws.services.glue.GlueContext``, must be on the
    classpath too, as it is on Glue and in the Glue container image.
    """
    try:
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from awsglue.utils import getResolvedOptions
    except ImportError:
        return None
    jvm = spark.sparkContext._jvm
    try:
        loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
        jvm.java.lang.Class.forName(GLUE_CONTEXT_CLASS, False, loader)
    except Exception:  # py4j raises Py4JJavaError(ClassNotFoundException)
        return None
    return GlueApi(GlueContext, Job, getResolvedOptions)


def _optional(argv: Sequence[str], name: str) -> str | None:
    flag = f"--{name}"
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def parse_options(
    argv: Sequence[str],
    glue_api: GlueApi | None,
    required: Sequence[str] = REQUIRED_ARGS,
    source_arg: str = "raw_path",
    prog: str = "star_schema_job",
) -> Options:
    """The job arguments, parsed the Glue way when Glue is here, with argparse otherwise.

    ``argv`` is ``sys.argv`` (the script name first). ``required`` and ``source_arg`` (the
    argument naming the root the job reads, ``Options.raw_path``) are the job's own: the
    chart job (``chart_job.py``) reads ``--drop_path``.
    """
    store = _optional(argv, "bookmark_store") or "auto"
    if store not in BOOKMARK_STORES:
        raise SystemExit(f"--bookmark_store must be one of {BOOKMARK_STORES}, not {store!r}")
    if glue_api is not None:
        args = glue_api.getResolvedOptions(list(argv), list(required))
        bookmark_option = args.get("job_bookmark_option")
    else:
        parser = argparse.ArgumentParser(prog=prog, description=__doc__)
        for name in required:
            parser.add_argument(f"--{name}", required=True)
        parser.add_argument("--bookmark_store", choices=BOOKMARK_STORES, default="auto")
        parser.add_argument(
            "--job-bookmark-option",
            dest="job_bookmark_option",
            choices=("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"),
            default="job-bookmark-enable",
        )
        # Glue passes more arguments (--TempDir, --enable-metrics ...): accept and ignore.
        parsed, _unknown = parser.parse_known_args(list(argv[1:]))
        args = vars(parsed)
        bookmark_option = args["job_bookmark_option"]
    return Options(
        job_name=args["JOB_NAME"],
        raw_path=args[source_arg],
        curated_path=args["curated_path"],
        bookmark_store=store,
        # Glue's "disable" means: process everything every run. Locally that is a reset.
        reset_bookmark=bookmark_option == "job-bookmark-disable",
        raw_args=dict(args),
        metrics_namespace=_optional(argv, "metrics_namespace"),
        tracks_path=_optional(argv, "tracks_path") or None,
    )


def bookmarked_new_files(
    glue_context: Any, raw_path: str, *, fmt: str = "json", ctx: str = S.BOOKMARK_CTX
) -> list[str]:
    """The raw files Glue's job bookmark has not seen yet, as a sorted list of paths.

    The DynamicFrame read is what makes Glue's bookmark select (and later commit) the new
    files; its rows are only used for ``input_file_name()``. One path per file reaches the
    driver (per-file metadata); the documents themselves are read again by the core with
    binaryFile, which is what lets a truncated gzip be quarantined instead of failing.
    """
    frame = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={
            "paths": [raw_path],
            "recurse": True,
            "groupFiles": GROUP_FILES,
        },
        format=fmt,
        transformation_ctx=ctx,
    )
    rows = frame.toDF().select(F.input_file_name().alias("path")).distinct().collect()
    paths = {r["path"] for r in rows}
    if paths & {None, ""}:
        # Spark leaves input_file_name() empty for splits that are not plain file splits;
        # skipping those rows would let job.commit() bookmark their files unprocessed.
        raise RuntimeError(
            "Glue's bookmarked reader returned rows without a file name "
            "(input_file_name() is empty): stopping before the bookmark moves past files "
            "this run cannot name. The reader's groupFiles must stay 'none'."
        )
    return sorted(paths)


@dataclass(frozen=True)
class GlueRun:
    """One run under Glue's job bookmark, from ``Job.init`` to ``Job.commit`` (both jobs)."""

    context: Any  # the GlueContext
    spark: SparkSession  # the GlueContext's session, configured for the job
    job: Any
    fs: LakeFS  # the curated root

    @classmethod
    def start(cls, spark: SparkSession, glue_api: GlueApi, opts: Options) -> GlueRun:
        """``Job.init`` with the job's arguments, then the job's session settings."""
        glue_context = glue_api.GlueContext(spark.sparkContext)
        spark = glue_context.spark_session
        job = glue_api.Job(glue_context)
        job.init(opts.job_name, opts.raw_args)
        configure_session(spark)
        return cls(glue_context, spark, job, LakeFS(spark, opts.curated_path))

    def commit(self, _files: Sequence[FileInfo]) -> None:
        """The core's ``commit``: ``Job.commit()`` moves the bookmark past what Glue read."""
        self.job.commit()

    def process(
        self,
        core: Callable[..., dict[str, Any]],
        files: Sequence[FileInfo],
        *roots: str,
        rolled_forward: Sequence[str],
        **job_args: Any,
    ) -> dict[str, Any]:
        """The job's core (``process_files``, ``process_chart_files``) on ``files`` and the
        job's ``roots``, in Glue mode: this run's ``commit``, a new run id, the fail point of
        the environment. A run that found nothing new commits the bookmark too (the core
        commits only what it published). Returns the run's summary."""
        summary = core(
            self.spark,
            files,
            *roots,
            mode="glue",
            commit=self.commit,
            run_id=new_run_id(),
            fail_after=fail_point_from_env(),
            rolled_forward=rolled_forward,
            **job_args,
        )
        if summary["status"] == "no_new_files":
            self.job.commit()
        return summary


def run_locally(
    run_job: Callable[..., dict[str, Any]],
    spark: SparkSession,
    opts: Options,
    errors: tuple[type[Exception], ...],
    **job_args: Any,
) -> dict[str, Any]:
    """One run with the local bookmark (plain PySpark): the job's ``run_job`` from
    ``opts.raw_path`` to ``opts.curated_path``, with the fail point of the environment.

    Any of the job's ``errors`` (a missing root, ...) stops it with one line, not a
    traceback.
    """
    try:
        return run_job(
            spark,
            opts.raw_path,
            opts.curated_path,
            reset_bookmark=opts.reset_bookmark,
            fail_after=fail_point_from_env(),
            **job_args,
        )
    except errors as error:
        raise SystemExit(f"error: {error}") from None


def run_glue(spark: SparkSession, glue_api: GlueApi, opts: Options) -> dict[str, Any]:
    """One run with Glue's job bookmark: ``Job.init`` ... publish ... ``Job.commit``."""
    run = GlueRun.start(spark, glue_api, opts)
    # A staging left complete by a crashed run is published again; its files need no
    # bookmark entry because Glue's bookmark was not committed and delivers them again.
    rolled = recover_staging(run.fs, run.fs.root, commit=lambda _files: None)
    paths = bookmarked_new_files(run.context, opts.raw_path)
    track_paths: list[str] = []
    tracks_root = None
    if opts.tracks_path:
        tracks_fs = LakeFS(run.spark, opts.tracks_path)
        tracks_root = tracks_fs.root
        # Before the enrichment's first document the prefix does not exist: nothing to read.
        if tracks_fs.exists(tracks_root):
            track_paths = bookmarked_new_files(
                run.context, opts.tracks_path, ctx=S.TRACKS_BOOKMARK_CTX
            )
    return run.process(
        process_files,
        [FileInfo(p, -1, -1) for p in paths],
        opts.curated_path,
        rolled_forward=rolled,
        track_files=[FileInfo(p, -1, -1) for p in track_paths],
        tracks_root=tracks_root,
    )


def run_local(spark: SparkSession, opts: Options) -> dict[str, Any]:
    """One run with the local bookmark; a missing raw root or swapped roots stop it with one
    line."""
    return run_locally(
        run_job, spark, opts, (FileNotFoundError, SwappedRoots), tracks_path=opts.tracks_path
    )


@dataclass(frozen=True)
class EntryPoint:
    """One job's entry point (this module's and ``chart_job.py``'s): its ``main`` is the
    session, the Glue API when the runtime is here, the job's ``options``, one run with the
    bookmark ``--bookmark_store`` picks, its metrics.

    ``auto_store``: the bookmark ``--bookmark_store auto`` picks when the Glue runtime is
    here (``"glue"`` or ``"local"``); without the runtime ``auto`` is always ``local``.
    """

    app_name: str
    options: Callable[[Sequence[str], GlueApi | None], Options]
    run_glue: Callable[[SparkSession, GlueApi, Options], dict[str, Any]]
    run_local: Callable[[SparkSession, Options], dict[str, Any]]
    auto_store: str

    def main(
        self,
        argv: Sequence[str] | None = None,
        *,
        spark: SparkSession | None = None,
        glue_api: GlueApi | None = None,
    ) -> dict[str, Any]:
        """Run the job; returns the run summary (also printed and written to the job's
        ``_runs/`` folder). ``argv`` is ``sys.argv`` unless given."""
        argv = list(sys.argv if argv is None else argv)
        if spark is None:
            spark = SparkSession.builder.appName(self.app_name).getOrCreate()
            # spark-submit's default INFO logging buries the run summary.
            spark.sparkContext.setLogLevel("WARN")
        if glue_api is None:
            glue_api = load_glue_api(spark)
        opts = self.options(argv, glue_api)
        store = opts.bookmark_store
        if store == "auto":
            store = self.auto_store if glue_api is not None else "local"
        if store == "glue":
            if glue_api is None:
                raise SystemExit("--bookmark_store glue needs the Glue runtime (Glue or its image)")
            summary = self.run_glue(spark, glue_api, opts)
        else:
            summary = self.run_local(spark, opts)
        send_metrics(opts, summary)
        return summary


def send_metrics(opts: Options, summary: dict[str, Any]) -> None:
    """The run's CloudWatch metrics, when ``--metrics_namespace`` names a namespace."""
    if opts.metrics_namespace:
        import boto3

        from glue_jobs.metrics import publish_run_metrics

        publish_run_metrics(
            summary, opts.metrics_namespace, opts.job_name, boto3.client("cloudwatch")
        )


ENTRY_POINT = EntryPoint(
    app_name="star_schema_job",
    options=parse_options,
    run_glue=run_glue,
    run_local=run_local,
    auto_store="glue",
)
main = ENTRY_POINT.main

if __name__ == "__main__":
    main()
