"""The star-schema job's core: raw snapshot files (and track documents) in, curated tables
and a run summary out.

``process_files`` is the one core function; both entry points call it with the list of
raw files to process:

- ``run_job`` (plain PySpark, ``make glue-local``, the tests): the files come from the local
  bookmark in ``<curated>/_state/bookmark.json``;
- ``star_schema_job`` on Glue: the files come from Glue's bookmarked DynamicFrame.

Stages of a run (``_staging/<run_id>/`` holds everything until publish):

1. parse: read the files (binaryFile), decode, split lines, ``from_json`` with the explicit
   schema, classify each document -> ``parsed`` (Parquet, written once: the raw bytes are
   read and parsed exactly once);
2. plan: per-document metadata to the driver; winners, superseded documents, dates to
   merge or rebuild (``planning``); files with a bad document -> quarantine records;
3. stage: entries of the winning documents -> ``entries``; every table's rows for the
   affected dates, merged with the lake's rows of those dates -> ``<table>/``;
4. check the staged partitions against the data-quality rules (``quality``: reported in
   the summary, never blocking), count;
5. manifest, publish, run summary, bookmark commit, staging deleted (``publish``).

Track documents (``tracks/fetched_date=.../<id>.json.gz``, docs/track-documents.md), when the
run has any, go through the same stages beside the snapshots: parsed into
``tracks_parsed``, judged file by file with the same reasons, and turned into entries of
kind ``track`` (``T.track_document_entries``) that join the playlist entries for the
dimensions and bridges only. A rebuilt date reads its track documents again
(``tracks_reread``).

Counts come from aggregations; nothing item-level is collected to the driver.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType
from pyspark.util import inheritable_thread_target

from glue_jobs import current as C
from glue_jobs import jvm_lookups
from glue_jobs import quality as Q
from glue_jobs import schemas as S
from glue_jobs import transforms as T
from glue_jobs.bookmarks import LocalBookmark
from glue_jobs.lakefs import FileInfo, LakeFS, join, qualify
from glue_jobs.planning import LAKE, NEW, REREAD, Document, plan_rereads, plan_run
from glue_jobs.publish import (
    PLAYLIST_BOOKS,
    Bookkeeping,
    InjectedFailure,
    check_fail_point,
    maybe_fail,
    partition_column,
    partition_dates,
    publish,
    read_partitions,
    recover_staging,
    staged_files,
    write_manifest,
    write_quarantine,
    write_run_summary,
)
from glue_jobs.tables import PLAYLIST_TABLES, Table

__all__ = [
    "InjectedFailure",
    "SwappedRoots",
    "configure_session",
    "fail_point_from_env",
    "new_run_id",
    "process_files",
    "reset_bookmark",
    "run_job",
]

# What the parse keeps of every raw line (its file, its verdict), and of a snapshot document.
_LINE_COLUMNS = ("source_file", "size", "line_no", "reason", "detail")
_DOCUMENT_COLUMNS = (*_LINE_COLUMNS, "playlist_id", "extracted_at", "snapshot_date")
_PARSED_COLUMNS = (*_DOCUMENT_COLUMNS, "api_shape", "n_entries", "playlist_meta", "entries")
# Intermediate Parquet of a run, under ``_staging/<run_id>/`` (itself hidden from the lake's
# readers). No leading underscore: Spark reads such a path but logs "All paths were
# ignored" for it, a false alarm in every run's log.
PARSED_DIR = "parsed"
REREAD_DIR = "reread"
ENTRIES_DIR = "entries"
TRACKS_PARSED_DIR = "tracks_parsed"
TRACKS_REREAD_DIR = "tracks_reread"

# A track document's parse result and its per-document metadata (docs/track-documents.md).
_TRACK_META_COLUMNS = (*_LINE_COLUMNS, "track_id", "extracted_at", "snapshot_date")
_TRACK_PARSED_COLUMNS = (*_TRACK_META_COLUMNS, "track")

_META_COLUMNS = (*_DOCUMENT_COLUMNS, "n_entries")


def new_run_id() -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: sortable, unique, only ``[A-Za-z0-9-]``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def configure_session(spark: SparkSession) -> None:
    """The SQL semantics the job relies on, set explicitly rather than assumed.

    UTC (``snapshot_date`` is the UTC date of ``extracted_at``), non-ANSI casts (an odd
    date in one album is a null, not a failed job), old dates written as they are (no
    calendar rebase, which raises for dates before 1582), Parquet timestamps as
    ``TIMESTAMP_MICROS`` (read as UTC instants by Athena, Snowflake and DuckDB alike), no
    ``_SUCCESS`` markers (the manifest is the commit marker). And the JVM's classes and
    static methods looked up once per name, not at every column expression
    (``glue_jobs.jvm_lookups``).
    """
    jvm_lookups.install()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    spark.conf.set("spark.sql.parquet.compression.codec", "snappy")
    # Dates before 1582-10-15 and timestamps before 1900 (an album released in "1500", an
    # old added_at) are written as they are, in the proleptic Gregorian calendar Athena,
    # Snowflake and DuckDB read; Spark's default raises, failing the run on every retry.
    for mode in ("datetimeRebaseModeInWrite", "int96RebaseModeInWrite"):
        spark.conf.set(f"spark.sql.parquet.{mode}", "CORRECTED")
    for mode in ("datetimeRebaseModeInRead", "int96RebaseModeInRead"):
        spark.conf.set(f"spark.sql.parquet.{mode}", "CORRECTED")
    spark.sparkContext._jsc.hadoopConfiguration().set(
        "mapreduce.fileoutputcommitter.marksuccessfuljobs", "false"
    )


# ---------------------------------------------------------------------------------------
# Local entry: the bookmark on disk
# ---------------------------------------------------------------------------------------


def reset_bookmark(spark: SparkSession, curated_path: str) -> None:
    """Forget the local bookmark: the next ``run_job`` reads every raw file again."""
    LocalBookmark(LakeFS(spark, curated_path)).reset()


def run_job(
    spark: SparkSession,
    raw_path: str,
    curated_path: str,
    *,
    run_id: str | None = None,
    reset_bookmark: bool = False,
    fail_after: str | None = None,
    tracks_path: str | None = None,
) -> dict[str, Any]:
    """One incremental local run; returns (and prints, and writes) the run summary.

    Only raw files that are new or modified since the last committed run are read. With
    ``reset_bookmark=True`` every raw file is read again; the tables come out identical.
    ``fail_after`` injects a failure after a stage (see ``publish.FAIL_POINTS``).
    ``tracks_path``: the root of the track documents (``<raw>/tracks``), read beside the
    snapshots under the same bookmark; a root that does not exist yet holds no document.
    """
    configure_session(spark)
    run_id = run_id or new_run_id()
    fs = LakeFS(spark, curated_path)
    raw_fs = LakeFS(spark, raw_path)
    _refuse_swapped_roots(raw_fs, fs)
    tracks_fs = LakeFS(spark, tracks_path) if tracks_path else None
    if tracks_fs is not None:
        _refuse_swapped_roots(tracks_fs, fs)
        _refuse_overlapping_roots(raw_fs.root, tracks_fs.root)
    bookmark = LocalBookmark(fs)
    # Recover first: a roll-forward commits its files, and a reset must forget those too.
    rolled = recover_staging(fs, fs.root, bookmark.commit)
    if reset_bookmark:
        bookmark.reset()
    listing = raw_fs.list_files(raw_fs.root)
    new_files = bookmark.select_new(listing)
    new_track_files: list[FileInfo] = []
    if tracks_fs is not None and tracks_fs.exists(tracks_fs.root):
        new_track_files = bookmark.select_new(tracks_fs.list_files(tracks_fs.root))
    return process_files(
        spark,
        new_files,
        curated_path,
        mode="local",
        commit=bookmark.commit,
        run_id=run_id,
        fail_after=fail_after,
        rolled_forward=rolled,
        track_files=new_track_files,
        tracks_root=tracks_fs.root if tracks_fs is not None else None,
    )


class SwappedRoots(ValueError):
    """The raw and curated roots look the wrong way round."""


def _refuse_swapped_roots(raw_fs: LakeFS, curated_fs: LakeFS) -> None:
    """Stop before writing anything when the raw and curated roots look swapped.

    Run the other way round, the job would read the curated Parquet as raw snapshots
    (quarantining every file) and write its staging and bookmark into the raw folder.
    """
    raw_children = {name for name, is_dir in raw_fs.list_dir(raw_fs.root) if is_dir}
    curated_like = sorted(raw_children & {*S.TABLES, S.STATE_DIR})
    if curated_like:
        raise SwappedRoots(
            f"raw path {raw_fs.root} looks like a curated root (it holds "
            f"{', '.join(name + '/' for name in curated_like)}): are RAW and CURATED swapped?"
        )
    dated = sorted(
        name
        for name, is_dir in curated_fs.list_dir(curated_fs.root)
        if is_dir and name.startswith("snapshot_date=")
    )
    if dated:
        raise SwappedRoots(
            f"curated path {curated_fs.root} looks like a raw root (it holds {dated[0]}/): "
            "are RAW and CURATED swapped?"
        )


def _refuse_overlapping_roots(raw_root: str, tracks_root: str) -> None:
    """Stop when one raw root holds the other: its files would be read twice, as
    snapshots and as track documents."""
    a, b = raw_root.rstrip("/") + "/", tracks_root.rstrip("/") + "/"
    if a.startswith(b) or b.startswith(a):
        raise SwappedRoots(
            f"the snapshots' root {raw_root} and the track documents' root {tracks_root} "
            "overlap: pass <raw>/playlist_snapshots and <raw>/tracks"
        )


# ---------------------------------------------------------------------------------------
# The core
# ---------------------------------------------------------------------------------------


def process_files(
    spark: SparkSession,
    files: Sequence[FileInfo],
    curated_path: str,
    *,
    mode: str,
    commit: Callable[[Sequence[FileInfo]], None],
    run_id: str | None = None,
    fail_after: str | None = None,
    rolled_forward: Sequence[str] = (),
    track_files: Sequence[FileInfo] = (),
    tracks_root: str | None = None,
) -> dict[str, Any]:
    """Process exactly ``files`` (playlist snapshots) and ``track_files`` (track documents)
    into the curated tables (see the module docstring).

    ``commit(files)`` is called once the output is published: it records the files in the
    local bookmark, or calls ``job.commit()`` on Glue. ``tracks_root``: where the track
    documents live, to read a rebuilt date's documents again (None: there are none).
    """
    configure_session(spark)
    check_fail_point(fail_after)
    run_id = run_id or new_run_id()
    started_at = _now()
    fs = LakeFS(spark, curated_path)
    curated = fs.root
    files = sorted({FileInfo(qualify(f.path), f.size, f.mtime) for f in files})
    track_files = sorted({FileInfo(qualify(f.path), f.size, f.mtime) for f in track_files})
    both = {f.path for f in files} & {f.path for f in track_files}
    if both:
        raise ValueError(f"{len(both)} file(s) given as snapshots and as track documents")
    base = run_base(run_id, mode, started_at)
    if not files and not track_files:
        summary = {**base, **_empty_counts(), "status": "no_new_files"}
        summary["data_quality"] = Q.empty_block()
        summary["current_tables"] = {}
        return finish_idle_run(fs, curated, summary, rolled_forward)

    staging = join(curated, S.STAGING_DIR, run_id)
    fs.delete(staging)
    paths = [f.path for f in files]
    track_paths = [f.path for f in track_files]

    # 1. parse ------------------------------------------------------------------------
    parsed_path = join(staging, PARSED_DIR)
    parsed_schema = _parse(spark, paths, parsed_path)
    tracks_parsed_path = join(staging, TRACKS_PARSED_DIR)
    track_schema = _track_documents(spark, []).schema
    if track_paths:
        _parse_tracks(spark, track_paths, tracks_parsed_path)
    maybe_fail("parse", fail_after)

    # 2. plan -------------------------------------------------------------------------
    meta = _collect_meta(spark, parsed_path, parsed_schema)
    meta += _unseen_empty_files(fs, paths, meta)
    track_meta: list[dict[str, Any]] = []
    if track_paths:
        track_meta = _collect_meta(spark, tracks_parsed_path, track_schema, _TRACK_META_COLUMNS)
        track_meta += _unseen_empty_files(fs, track_paths, track_meta)
    file_reasons = _file_reasons([*meta, *track_meta])
    good_lines = [m for m in meta if m["source_file"] not in file_reasons]
    new_docs = [_document(m, NEW) for m in good_lines]
    new_tracks = [m for m in track_meta if m["source_file"] not in file_reasons]
    touched = sorted({d.snapshot_date for d in new_docs})
    lake_docs = _lake_documents(spark, fs, curated, touched)
    rereads = plan_rereads(new_docs, lake_docs, paths)
    reread_docs: list[Document] = []
    reread_path = join(staging, REREAD_DIR)
    if rereads.reread_files:
        reread_docs = _reread(spark, sorted(rereads.reread_files), reread_path)
    plan = plan_run(new_docs, reread_docs, lake_docs, paths, rereads.rebuild_dates)
    # A rebuilt date is recomputed from raw: its track documents are read again too.
    tracks_reread_path = join(staging, TRACKS_REREAD_DIR)
    reread_tracks: list[dict[str, Any]] = []
    if tracks_root and plan.rebuild_dates:
        reread_tracks = _reread_tracks(
            spark, tracks_root, plan.rebuild_dates, set(track_paths), tracks_reread_path
        )
    track_dates = {m["snapshot_date"] for m in new_tracks}
    write_dates = tuple(sorted({*plan.write_dates, *track_dates}))
    merge_dates = tuple(d for d in write_dates if d not in plan.rebuild_dates)

    # 3. stage ------------------------------------------------------------------------
    parsed = spark.read.schema(parsed_schema).parquet(parsed_path)
    if rereads.reread_files:
        parsed = parsed.unionByName(spark.read.schema(parsed_schema).parquet(reread_path))
    winners = spark.createDataFrame(
        [(d.source_file, d.line_no, d.origin == NEW) for d in plan.winners],
        "source_file string, line_no int, _is_new boolean",
    )
    docs = parsed.join(F.broadcast(winners), ["source_file", "line_no"])
    entries_path = join(staging, ENTRIES_DIR)
    entries_df = docs.transform(T.explode_entries).transform(T.classify_entries)
    entries_df.write.mode("overwrite").parquet(entries_path)
    entries = spark.read.schema(entries_df.schema).parquet(entries_path)
    track_entries = None
    if new_tracks or reread_tracks:
        track_entries = _track_entries(
            spark,
            track_schema,
            [
                *([tracks_parsed_path] if track_paths else []),
                *([tracks_reread_path] if reread_tracks else []),
            ],
            {m["source_file"] for m in new_tracks},
            {m["source_file"] for m in reread_tracks},
            plan.rebuild_dates,
        )

    write_days = [d.isoformat() for d in write_dates]
    entries_per_date: Counter[date] = Counter()
    for d in plan.winners:
        entries_per_date[d.snapshot_date] += d.n_entries
    for m in [*new_tracks, *reread_tracks]:
        entries_per_date[m["snapshot_date"]] += 1
    layout = OutputLayout.for_run(entries_per_date, spark.sparkContext.defaultParallelism)

    def lake(table: str) -> DataFrame | None:
        return read_partitions(spark, fs, curated, table, merge_dates)

    tables = build_tables(docs, entries, lake, layout, track_entries)
    threads = action_threads(spark)
    staged, current, current_modes = stage_tables(
        spark, fs, curated, staging, tables, PLAYLIST_TABLES, write_days, threads
    )
    maybe_fail("stage", fail_after)

    # 4. check, count, manifest, publish, commit ----------------------------------------
    # The checks read what will be published (the staged partitions are whole dates) and
    # their result goes into the manifest's summary, so a roll-forward reports the same.
    observations = entries if track_entries is None else entries.unionByName(track_entries)
    data_quality, counts, rows_written = run_concurrently(
        partial(_check_quality, spark, fs, curated, staging, write_dates),
        lambda: observations.transform(T.entry_counts).collect()[0].asDict(),
        partial(_rows_written, spark, fs, staging, [*paths, *track_paths]),
        threads=threads,
    )
    tracks_block = _track_documents_block(
        spark, fs, staging, track_entries, write_dates, track_paths, file_reasons
    )
    quarantine = [
        {
            "path": path,
            "reason": reason,
            "detail": detail,
            "size": size,
            "run_id": run_id,
        }
        for path, (reason, detail, size) in sorted(file_reasons.items())
    ]
    summary = {
        **base,
        "files_read": len(paths) + len(track_paths),
        "files_quarantined": len(file_reasons),
        "documents_read": len(new_docs),
        "entries_read": sum(d.n_entries for d in new_docs),
        "snapshot_dates": [d.isoformat() for d in sorted({*touched, *track_dates})],
        "rows_written": rows_written,
        "rejections": _rejections(file_reasons, plan.superseded, counts),
        "unreadable_values": _unreadable_values(counts),
        "files_reread": len(rereads.reread_files) + len({m["source_file"] for m in reread_tracks}),
        "track_documents": tracks_block,
        "rolled_forward_runs": list(rolled_forward),
        "data_quality": data_quality,
        "current_tables": current_modes,
    }
    _check_accounting(summary)
    return publish_run(
        fs,
        curated,
        staging,
        summary,
        staged=staged,
        current=current,
        quarantine=quarantine,
        files=sorted([*files, *track_files]),
        commit=commit,
        fail_after=fail_after,
    )


# ---------------------------------------------------------------------------------------
# The steps both jobs' cores share (charts_pipeline.process_chart_files too)
# ---------------------------------------------------------------------------------------


def run_base(run_id: str, mode: str, started_at: str) -> dict[str, Any]:
    """The first keys of a run summary, in order; ``finished_at`` is set when it ends."""
    return {
        "run_id": run_id,
        "mode": mode,
        "started_at": started_at,
        "finished_at": None,
        "status": "ok",
    }


def finish_idle_run(
    fs: LakeFS,
    curated: str,
    summary: dict[str, Any],
    rolled_forward: Sequence[str],
    books: Bookkeeping = PLAYLIST_BOOKS,
) -> dict[str, Any]:
    """Write (and print) the summary of a run with no new file; nothing is staged."""
    summary["rolled_forward_runs"] = list(rolled_forward)
    summary["finished_at"] = _now()
    write_run_summary(fs, curated, summary, books)
    _print(summary)
    return summary


def stage_tables(
    spark: SparkSession,
    fs: LakeFS,
    curated: str,
    staging: str,
    tables: Mapping[str, DataFrame],
    definitions: Sequence[Table],
    write_days: Sequence[str],
    threads: int,
) -> tuple[dict[str, dict[str, list]], dict[str, list[str]], dict[str, str]]:
    """Stage the ``write_days`` partitions of ``tables`` (name -> rows), then the current
    tables of ``definitions``, ``threads`` Spark actions at a time. Returns the manifest's
    ``tables`` and ``current`` blocks and the summary's ``current_tables``."""
    run_concurrently(
        *(partial(_stage_table, df, table, join(staging, table)) for table, df in tables.items()),
        threads=threads,
    )
    staged = {table: staged_files(fs, staging, table, write_days) for table in tables}
    current, current_modes = C.stage_all(
        spark, fs, curated, staging, definitions, write_days, threads, run_concurrently
    )
    return staged, current, current_modes


def publish_run(
    fs: LakeFS,
    curated: str,
    staging: str,
    summary: dict[str, Any],
    *,
    staged: dict[str, dict[str, list]],
    current: dict[str, list[str]],
    quarantine: Sequence[dict[str, Any]],
    files: Sequence[FileInfo],
    commit: Callable[[Sequence[FileInfo]], None],
    fail_after: str | None,
    books: Bookkeeping = PLAYLIST_BOOKS,
    extra: Mapping[str, Any] | None = None,
    before_commit: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Finish a staged run: write the quarantine records and the manifest (the staging's
    commit point: the ``staged`` and ``current`` files, the quarantine files, the raw
    ``files``, ``extra``'s keys, the ``summary``), publish the staging, write the run
    summary, then ``before_commit(manifest)``, ``commit(files)`` and delete the staging.
    Returns (and prints) the summary."""
    manifest = {
        "run_id": summary["run_id"],
        "mode": summary["mode"],
        "tables": staged,
        "current": current,
        "quarantine_files": write_quarantine(fs, staging, quarantine),
        "files": [f.__dict__ for f in files],
        **(extra or {}),
        "summary": summary,
    }
    write_manifest(fs, staging, manifest)
    maybe_fail("manifest", fail_after)
    publish(fs, curated, staging, manifest, fail_after=fail_after, books=books)
    summary["finished_at"] = _now()
    write_manifest(fs, staging, manifest)  # a roll-forward then writes the same summary
    write_run_summary(fs, curated, summary, books)
    maybe_fail("publish", fail_after)
    if before_commit is not None:
        before_commit(manifest)
    commit(files)
    fs.delete(staging)
    _print(summary)
    return summary


# ---------------------------------------------------------------------------------------
# Stage helpers
# ---------------------------------------------------------------------------------------


#: Spark setting: how many driver threads submit a run's independent actions at once
#: (unset: the session's cores). The test suite sets 1: its parallel workers already keep
#: every core busy, and concurrent submission there only adds CPU (docs/benchmarks.md).
CONCURRENT_ACTIONS_CONF = "spark.lakehouse.concurrentActions"


def action_threads(spark: SparkSession) -> int:
    """The driver threads of :func:`run_concurrently` for this session."""
    configured = spark.conf.get(CONCURRENT_ACTIONS_CONF, None)
    return int(configured) if configured else spark.sparkContext.defaultParallelism


def run_concurrently(*calls: Callable[[], Any], threads: int) -> list[Any]:
    """Run independent Spark actions (writes of different tables, checks that only read)
    from at most ``threads`` threads of the driver; their results in order.

    Spark runs the jobs of several threads at once: while one job's tasks run, the next
    is planned, and its commit's file operations overlap the next one's tasks, where one
    after the other every job would wait for the previous one's driver work. Every call
    finishes before this returns; the first failure is raised, after all have ended. Each
    thread inherits the caller's Spark local properties (job group, descriptions), so
    cancelling the caller's jobs cancels these. The callers pass :func:`action_threads`:
    more threads than cores only add CPU.
    """
    if len(calls) <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=max(1, min(len(calls), threads))) as pool:
        futures = [pool.submit(inheritable_thread_target(call)) for call in calls]
    # leaving the pool waited for every call
    for future in futures:
        error = future.exception()
        if error is not None:
            raise error
    return [future.result() for future in futures]


def _raw_files(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    from glue_jobs.raw_io import empty_raw_files, read_raw_files  # the UDF module, used here

    return read_raw_files(spark, paths) if paths else empty_raw_files(spark)


def _parse(spark: SparkSession, paths: Sequence[str], out: str) -> StructType:
    """Stage 1, the only pass over the raw bytes; returns the schema of what it wrote
    (read back with it, Spark needs no job to infer it)."""
    good = F.col("reason").isNull()
    parsed = (
        _raw_files(spark, paths)
        .transform(T.split_lines)
        .transform(T.parse_documents)
        .transform(T.classify_documents)
        # Bad lines keep their metadata for the quarantine record, not their entries.
        .withColumn("entries", F.when(good, F.col("entries")))
        .withColumn("playlist_meta", F.when(good, F.col("playlist_meta")))
        .select(*_PARSED_COLUMNS)
    )
    parsed.write.mode("overwrite").parquet(out)
    return parsed.schema


def _track_documents(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """Stage 1 for track documents (lazy): the same reader, line split and JSON checks,
    the track document's schema and rules (``T.parse_track_documents``,
    ``T.classify_track_documents``). Of no path: the schema, without a Spark job."""
    good = F.col("reason").isNull()
    return (
        _raw_files(spark, paths)
        .transform(T.split_lines)
        .transform(T.parse_track_documents)
        .transform(T.classify_track_documents)
        .withColumn("track", F.when(good, F.col("track")))
        .select(*_TRACK_PARSED_COLUMNS)
    )


def _parse_tracks(spark: SparkSession, paths: Sequence[str], out: str) -> StructType:
    parsed = _track_documents(spark, paths)
    parsed.write.mode("overwrite").parquet(out)
    return parsed.schema


def _collect_meta(
    spark: SparkSession,
    parsed_path: str,
    schema: StructType,
    columns: Sequence[str] = _META_COLUMNS,
) -> list[dict[str, Any]]:
    """One small record per line (document) of the parsed files: per-file metadata."""
    rows = spark.read.schema(schema).parquet(parsed_path).select(*columns).collect()
    return [r.asDict() for r in rows]


def _unseen_empty_files(
    fs: LakeFS, paths: Sequence[str], meta: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Metadata records for files the reader returned nothing for.

    Spark's file sources skip zero-byte files, so an empty raw file yields no row; it is
    recorded here as ``empty_file``. Any other file without a record stops the run: it
    would otherwise be marked processed without being read.
    """
    seen = {m["source_file"] for m in meta}
    records, unexplained = [], []
    for path in sorted(set(paths) - seen):
        size = fs.size(path)
        if size == 0:
            records.append(
                {
                    "source_file": path,
                    "size": 0,
                    "line_no": None,
                    "reason": "empty_file",
                    "detail": "the file has zero bytes",
                    "playlist_id": None,
                    "extracted_at": None,
                    "snapshot_date": None,
                    "n_entries": 0,
                }
            )
        else:
            unexplained.append(path)
    if unexplained:
        raise RuntimeError(
            f"{len(unexplained)} raw file(s) produced no record at all, e.g. "
            f"{unexplained[:3]}; refusing to mark them processed"
        )
    return records


def _file_reasons(meta: Iterable[dict[str, Any]]) -> dict[str, tuple[str, str, int]]:
    """``{path: (reason, detail, size)}`` of every file that goes to quarantine.

    A file is judged whole: one bad document quarantines the file, with the reason that
    comes first in the contract's table (then the first line).
    """
    worst: dict[str, tuple[int, int, str, str, int]] = {}
    for m in meta:
        if m["reason"] is None:
            continue
        rank = S.FILE_REASONS.index(m["reason"])
        candidate = (rank, m["line_no"] or 0, m["reason"], m["detail"] or "", m["size"])
        current = worst.get(m["source_file"])
        if current is None or candidate < current:
            worst[m["source_file"]] = candidate
    return {path: (v[2], v[3], v[4]) for path, v in worst.items()}


def _document(m: dict[str, Any], origin: str) -> Document:
    return Document(
        source_file=m["source_file"],
        line_no=m["line_no"],
        playlist_id=m["playlist_id"],
        snapshot_date=m["snapshot_date"],
        extracted_at=m["extracted_at"],
        n_entries=int(m["n_entries"]),
        origin=origin,
    )


def _check_quality(
    spark: SparkSession,
    fs: LakeFS,
    curated: str,
    staging: str,
    days: Sequence[date],
    table_names: Sequence[str] = S.TABLES,
    rules: Sequence[Q.Rule] = Q.RULES,
) -> dict[str, Any]:
    """Every rule of ``rules`` on the staged partitions of ``days``: one Spark job.

    Only what the run writes is read, plus, for the snapshot-drop rules, the lake's rows of
    the few dates before (``dim_playlist``, ``dim_chart``: one row per key and date).
    """
    staged = {}
    for table in table_names:
        df = read_partitions(spark, fs, staging, table, days)
        staged[table] = df if df is not None else spark.createDataFrame([], S.TABLE_SCHEMAS[table])
    history = {
        table: read_partitions(
            spark, fs, curated, table, Q.earlier_dates(partition_dates(fs, curated, table), days)
        )
        for table in Q.history_tables(rules)
    }
    rows = Q.evaluate(staged, history, rules).collect()
    return Q.summary_block(rows, days, rules)


def _lake_documents(
    spark: SparkSession, fs: LakeFS, curated: str, days: Sequence[date]
) -> list[Document]:
    """The documents the lake holds for ``days``, from ``dim_playlist`` (one row each)."""
    df = read_partitions(spark, fs, curated, S.DIM_PLAYLIST, days)
    if df is None:
        return []
    rows = df.select(
        "source_file", "playlist_id", "snapshot_date", "extracted_at", "total_items"
    ).collect()
    return [
        Document(
            source_file=r["source_file"],
            line_no=None,
            playlist_id=r["playlist_id"],
            snapshot_date=r["snapshot_date"],
            extracted_at=r["extracted_at"],
            n_entries=int(r["total_items"] or 0),
            origin=LAKE,
        )
        for r in rows
    ]


def _reread(spark: SparkSession, paths: Sequence[str], out: str) -> list[Document]:
    """Parse raw files again to rebuild a date; they were good once and must still be."""
    missing = [p for p in paths if not LakeFS(spark, p).exists(p)]
    if missing:
        raise RuntimeError(
            f"cannot rebuild: raw file(s) {missing[:3]} named in dim_playlist.source_file "
            "no longer exist; restore them or rerun with the bookmark reset"
        )
    schema = _parse(spark, paths, out)
    meta = _collect_meta(spark, out, schema)
    bad = _file_reasons(meta)
    if bad:
        raise RuntimeError(f"cannot rebuild: raw file(s) turned bad since processed: {bad}")
    return [_document(m, REREAD) for m in meta]


def _reread_tracks(
    spark: SparkSession,
    tracks_root: str,
    days: Sequence[date],
    read_now: set[str],
    out: str,
) -> list[dict[str, Any]]:
    """The good track documents of ``days`` other than this run's, parsed again into
    ``out``: a rebuilt date is recomputed from every raw document of that date.

    Track documents land under ``fetched_date=<day>/`` and the lake keeps no list of them
    (a document whose observation lost to a later one leaves no row), so the folders of the
    rebuilt days are listed. A file that is bad now was quarantined when it was read, or
    will be when the bookmark reaches it: either way it contributes nothing, here neither.
    """
    tracks_fs = LakeFS(spark, tracks_root)
    found: list[str] = []
    for day in days:
        folder = join(tracks_fs.root, f"fetched_date={day.isoformat()}")
        if tracks_fs.exists(folder):
            found += [f.path for f in tracks_fs.list_files(folder) if f.path not in read_now]
    if not found:
        return []
    schema = _parse_tracks(spark, found, out)
    meta = _collect_meta(spark, out, schema, _TRACK_META_COLUMNS)
    bad = _file_reasons([*meta, *_unseen_empty_files(tracks_fs, found, meta)])
    wanted = set(days)
    return [m for m in meta if m["source_file"] not in bad and m["snapshot_date"] in wanted]


def _track_entries(
    spark: SparkSession,
    schema: StructType,
    parsed_paths: Sequence[str],
    new_files: set[str],
    reread_files: set[str],
    rebuild_dates: Sequence[date],
) -> DataFrame:
    """The good track documents of the run as entries (``T.track_document_entries``): this
    run's (``_is_new``), and those read again for a rebuilt date."""
    parsed = spark.read.schema(schema).parquet(*parsed_paths)
    chosen = spark.createDataFrame(
        [(p, True) for p in sorted(new_files)] + [(p, False) for p in sorted(reread_files)],
        "source_file string, _is_new boolean",
    )
    docs = parsed.join(F.broadcast(chosen), "source_file").filter(
        F.col("_is_new") | F.col("snapshot_date").isin(*rebuild_dates)
    )
    return docs.transform(T.track_document_entries)


def _track_documents_block(
    spark: SparkSession,
    fs: LakeFS,
    staging: str,
    track_entries: DataFrame | None,
    days: Sequence[date],
    track_paths: Sequence[str],
    file_reasons: Mapping[str, tuple[str, str, int]],
) -> dict[str, int]:
    """The summary's ``track_documents``: files, documents, and what became of each
    document's observation, counted on the staged ``dim_track`` (one Spark job).

    A good document is one observation of its track on its date: it is ``kept`` (the
    ``dim_track`` row of that track and date comes from its file) or ``outvoted`` (a later
    observation of the same day, a playlist's or another document's, won: latest wins).
    A document whose track and date have no staged row at all stops the run.
    """
    block = {
        "files_read": len(track_paths),
        "files_quarantined": len(set(track_paths) & set(file_reasons)),
        "documents_read": 0,
        "observations_kept": 0,
        "observations_outvoted": 0,
    }
    if track_entries is None:
        return block
    staged = read_partitions(spark, fs, staging, S.DIM_TRACK, days)
    if staged is None:
        staged = spark.createDataFrame([], S.TABLE_SCHEMAS[S.DIM_TRACK])
    won = staged.select(
        F.col("track_id").alias("item_id"), "snapshot_date", F.col("source_file").alias("_won")
    )
    new = track_entries.filter(F.col("_is_new")).select("item_id", "snapshot_date", "source_file")
    row = (
        new.join(won, ["item_id", "snapshot_date"], "left")
        .agg(
            F.count(F.lit(1)).alias("documents"),
            F.sum(F.when(F.col("_won") == F.col("source_file"), 1).otherwise(0)).alias("kept"),
            F.sum(F.when(F.col("_won").isNull(), 1).otherwise(0)).alias("lost"),
        )
        .collect()[0]
    )
    documents, kept, lost = int(row["documents"]), int(row["kept"] or 0), int(row["lost"] or 0)
    if lost:
        raise RuntimeError(
            f"accounting mismatch: {lost} track document(s) left no dim_track row for their "
            "track and date; nothing was published"
        )
    block.update(
        documents_read=documents,
        observations_kept=kept,
        observations_outvoted=documents - kept,
    )
    return block


@dataclass(frozen=True)
class OutputLayout:
    """How a run's rows are spread over tasks, and so over files.

    Each table is shuffled once, into ``partitions`` tasks; the latest-wins window and the
    bridges' semi-join reuse that partitioning. A task writes one file per date it holds,
    so the columns it is hashed on decide the file count:

    - by date alone (the usual case: every date of the run has at most
      ``ENTRIES_PER_TASK`` entries): each date is whole in one task, so each date gets
      exactly one file per table, whatever the number of dates;
    - by date and key (a date larger than that): such a date spreads over several tasks,
      and so does every date, one file per date and task.

    Hashing by (date, key) for every run spread each date over all tasks: the 10M-entry
    benchmark (100 dates, 100 tasks) wrote 10,000 files of a few kB per table.
    """

    partitions: int
    by_key: bool = False

    @classmethod
    def for_run(cls, entries_per_date: Mapping[date, int], parallelism: int) -> OutputLayout:
        n_dates = len(entries_per_date)
        cores = max(1, parallelism)
        if max(entries_per_date.values(), default=0) <= ENTRIES_PER_TASK:
            # More tasks than dates when there are few dates, so that two dates rarely
            # hash into one task while a core idles; an empty task costs nothing.
            return cls(max(1, n_dates, cores))
        by_size = math.ceil(sum(entries_per_date.values()) / ENTRIES_PER_TASK)
        return cls(max(1, n_dates, min(cores, by_size)), by_key=True)

    def columns(self, key: str, partition: str = S.PARTITION_COLUMN) -> list[str]:
        return [partition, key] if self.by_key else [partition]


# A date with more entries than this is spread over several tasks (and files).
ENTRIES_PER_TASK = 500_000


def build_tables(
    docs: DataFrame,
    entries: DataFrame,
    lake: Callable[[str], DataFrame | None],
    layout: OutputLayout,
    track_entries: DataFrame | None = None,
) -> dict[str, DataFrame]:
    """Every table's rows for the dates this run writes (lazy DataFrames).

    New observations (this run's winning documents) are unioned with the lake's rows of
    the merge dates (``lake(table)``, None when there are none) and the latest observation
    per key and date is kept; facts and bridges keep the rows of the winning parent.
    ``track_entries`` (track documents as entries, ``T.track_document_entries``) join the
    playlist entries for the dimensions and bridges, never the fact: one latest-wins among
    all the observations of a track on a date, whichever source they come from.
    """
    n = layout.partitions

    def with_lake(table: str, new: DataFrame, key: str) -> DataFrame:
        new = new.transform(T.with_priority(0))
        lake_rows = lake(table)
        if lake_rows is not None:
            new = new.unionByName(lake_rows.transform(T.lake_rows), allowMissingColumns=True)
        return new.repartition(n, *layout.columns(key))

    def latest(table: str, new: DataFrame, key: str) -> DataFrame:
        return with_lake(table, new, key).transform(T.latest_observation([key]))

    def bridge(table: str, winners: DataFrame, key: str) -> DataFrame:
        new_rows = winners.filter("_priority = 0").transform(T.artist_bridge(key))
        return T.rows_of_winners([key])(with_lake(table, new_rows, key), winners)

    dim_playlist = latest(S.DIM_PLAYLIST, docs.transform(T.playlist_rows), "playlist_id")
    facts = entries.transform(T.fact_rows)
    fact = T.rows_of_winners(["playlist_id"])(
        with_lake(S.FACT_PLAYLIST_ITEM, facts, "playlist_id"), F.broadcast(dim_playlist)
    )
    observed = entries if track_entries is None else entries.unionByName(track_entries)
    tracks = latest(S.DIM_TRACK, observed.transform(T.track_observations), "track_id").transform(
        T.with_song_key
    )
    albums = latest(S.DIM_ALBUM, observed.transform(T.album_observations), "album_id")
    artists = latest(S.DIM_ARTIST, observed.transform(T.artist_observations), "artist_id")
    return {
        S.FACT_PLAYLIST_ITEM: fact,
        S.DIM_TRACK: tracks,
        S.DIM_ALBUM: albums,
        S.DIM_ARTIST: artists,
        S.DIM_PLAYLIST: dim_playlist,
        S.BRIDGE_TRACK_ARTIST: bridge(S.BRIDGE_TRACK_ARTIST, tracks, "track_id"),
        S.BRIDGE_ALBUM_ARTIST: bridge(S.BRIDGE_ALBUM_ARTIST, albums, "album_id"),
    }


def _stage_table(df: DataFrame, table: str, out: str) -> None:
    keys = Q.TABLE_GRAIN[table]  # rows in key order within each date's file
    partition = partition_column(table)
    (
        df.transform(T.table_columns(table))
        .sortWithinPartitions(partition, *keys)
        .write.mode("overwrite")
        .partitionBy(partition)
        .parquet(out)
    )


def _rows_written(
    spark: SparkSession, fs: LakeFS, staging: str, paths: Sequence[str]
) -> dict[str, int]:
    """Rows of each staged table that come from this run's files (not the lake's rows),
    counted in one Spark job over the staged output itself.

    This run's files are joined in as a relation, not written into the plan
    as an ``isin`` list: with 101,013 files that list made every plan string tens of MB
    and the 4 GB driver ran out of heap explaining the plan (the 10M-entry benchmark).
    """
    parts = [
        spark.read.schema(S.file_schema(table))
        .parquet(join(staging, table))
        .select(F.lit(table).alias("table"), "source_file")
        for table in S.TABLES
        if fs.exists(join(staging, table))
    ]
    counts = dict.fromkeys(S.TABLES, 0)
    if parts:
        union = parts[0]
        for part in parts[1:]:
            union = union.unionByName(part)
        # Rows per (table, file) first: partial aggregation shrinks the staged rows
        # (23M at 10M entries) to one row per table and file before anything is shuffled.
        per_file = union.groupBy("table", "source_file").count()
        run_files = spark.createDataFrame(
            [(p, True) for p in paths], "source_file string, _from_run boolean"
        )
        per_file = per_file.join(run_files, "source_file", "left")  # paths are unique
        run_rows = F.when(F.col("_from_run").isNotNull(), F.col("count")).otherwise(0)
        row = per_file.agg(
            *(F.sum(F.when(F.col("table") == t, run_rows).otherwise(0)).alias(t) for t in S.TABLES)
        ).collect()[0]
        counts.update({t: int(row[t] or 0) for t in S.TABLES})
    return counts


# ---------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------


def _rejections(
    file_reasons: dict[str, tuple[str, str, int]],
    superseded: Sequence[Document],
    counts: dict[str, int | None],
) -> dict[str, dict[str, int]]:
    c = {k: int(v or 0) for k, v in counts.items()}
    sup_entries = sum(d.n_entries for d in superseded)
    by_file = Counter(reason for reason, _detail, _size in file_reasons.values())

    def entry_level(*reasons: str, **extra: int) -> dict[str, int]:
        out = {S.SUPERSEDED: sup_entries}
        out.update({r: c[r] for r in reasons})
        out.update(extra)
        return out

    no_track = (
        S.ENTRY_MALFORMED,
        S.ENTRY_NULL_ITEM,
        S.ENTRY_UNSUPPORTED_TYPE,
        S.ENTRY_LOCAL_FILE,
        S.ENTRY_EPISODE,
    )
    missing_album = c[S.ENTRY_MISSING_ID] + c["track_without_album_id"]
    return {
        "files": {r: by_file.get(r, 0) for r in S.FILE_REASONS},
        "documents": {S.SUPERSEDED: len(superseded)},
        S.FACT_PLAYLIST_ITEM: entry_level(
            S.ENTRY_MALFORMED, S.ENTRY_NULL_ITEM, S.ENTRY_UNSUPPORTED_TYPE, S.ENTRY_MISSING_ID
        ),
        S.DIM_TRACK: entry_level(*no_track, S.ENTRY_MISSING_ID),
        S.DIM_ALBUM: entry_level(*no_track, missing_id=missing_album),
        S.DIM_ARTIST: entry_level(
            *no_track,
            S.ENTRY_MISSING_ID,
            missing_artist_id=c["track_artist_without_id"] + c["album_artist_without_id"],
        ),
        S.DIM_PLAYLIST: {S.SUPERSEDED: len(superseded)},
        S.BRIDGE_TRACK_ARTIST: entry_level(
            *no_track, S.ENTRY_MISSING_ID, missing_artist_id=c["track_artist_without_id"]
        ),
        S.BRIDGE_ALBUM_ARTIST: entry_level(
            *no_track, missing_id=missing_album, missing_artist_id=c["album_artist_without_id"]
        ),
    }


def _unreadable_values(counts: dict[str, int | None]) -> dict[str, dict[str, int]]:
    return {
        table: {c: int(counts[T.unreadable_count_name(table, c)] or 0) for c in columns}
        for table, columns in T.UNREADABLE_VALUES.items()
    }


def _empty_counts() -> dict[str, Any]:
    zeros: dict[str, int | None] = dict.fromkeys(T.COUNT_NAMES, 0)
    return {
        "files_read": 0,
        "files_quarantined": 0,
        "documents_read": 0,
        "entries_read": 0,
        "snapshot_dates": [],
        "rows_written": dict.fromkeys(S.TABLES, 0),
        "rejections": _rejections({}, (), zeros),
        "unreadable_values": _unreadable_values(zeros),
        "files_reread": 0,
        "track_documents": dict.fromkeys(_TRACK_BLOCK_KEYS, 0),
    }


_TRACK_BLOCK_KEYS = (
    "files_read",
    "files_quarantined",
    "documents_read",
    "observations_kept",
    "observations_outvoted",
)


def _check_accounting(summary: dict[str, Any]) -> None:
    """``entries_read = fact rows written + fact rejections``, and every good track
    document kept or outvoted, or the run stops here."""
    fact = S.FACT_PLAYLIST_ITEM
    accounted = summary["rows_written"][fact] + sum(summary["rejections"][fact].values())
    if accounted != summary["entries_read"]:
        raise RuntimeError(
            f"accounting mismatch: {summary['entries_read']} entries read, "
            f"{accounted} written or rejected; nothing was published"
        )
    t = summary["track_documents"]
    if t["observations_kept"] + t["observations_outvoted"] != t["documents_read"]:
        raise RuntimeError(
            f"accounting mismatch: {t['documents_read']} track documents read, "
            f"{t['observations_kept']} kept and {t['observations_outvoted']} outvoted; "
            "nothing was published"
        )


def _print(summary: dict[str, Any]) -> None:
    print(json.dumps(summary, indent=2, default=str), flush=True)


def fail_point_from_env() -> str | None:
    """``GLUE_JOB_FAIL_AFTER``: inject a failure in a spark-submit run (manual checks)."""
    return os.environ.get("GLUE_JOB_FAIL_AFTER") or None
