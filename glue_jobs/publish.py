"""Staging, publishing and crash recovery: a run's output appears whole or not at all.

A run writes everything it will change under ``<curated>/_staging/<run_id>/``: every
affected partition of every table, the quarantine records, then ``_MANIFEST.json`` which
lists, per table and date, the exact data files to publish, the run summary, and the raw
files to add to the bookmark. The manifest is the commit point of the staging:

- no manifest: the run died while staging; the next run deletes the staging;
- a manifest: the staging is complete; publishing it is *idempotent*, so the next run
  rolls it forward (publishes again, writes the summary, commits the bookmark).

Publishing a partition first deletes every target file the manifest does not list, then
moves the listed files that are still in staging. Repeating it after a crash at any point
(even halfway through a partition, even on S3 where a rename is copy + delete) converges to
the same result. Only then is the bookmark committed (``pipeline``), and the staging
deleted last.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from glue_jobs import schemas as S
from glue_jobs.lakefs import FileInfo, LakeFS, join
from glue_jobs.quality import partition_of as partition_column

log = logging.getLogger(__name__)

MANIFEST = "_MANIFEST.json"
QUARANTINE_FILE = "part-00000.json"

# Where a failure can be injected (tests, and GLUE_JOB_FAIL_AFTER for a manual check).
FAIL_POINTS = ("parse", "stage", "manifest", "publish_partial", "publish")


@dataclass(frozen=True)
class Bookkeeping:
    """Where one job keeps its bookkeeping under the curated root (relative folders).

    Two jobs share a curated root (the playlist job and the chart job): each has its own
    staging root, run summaries, quarantine records and bookmark, so that neither recovers,
    publishes or commits the other's runs.
    """

    staging: str
    runs: str
    quarantine: str
    bookmark: str

    def quarantine_dir(self, curated: str, run_id: str) -> str:
        return join(curated, self.quarantine, f"run_id={run_id}")


PLAYLIST_BOOKS = Bookkeeping(
    staging=S.STAGING_DIR,
    runs=S.RUNS_DIR,
    quarantine=S.QUARANTINE_DIR,
    bookmark=f"{S.STATE_DIR}/{S.BOOKMARK_FILE}",
)


class InjectedFailure(RuntimeError):
    """Raised on purpose between two stages to prove crash safety."""


def check_fail_point(fail_after: str | None) -> None:
    """Refuse an unknown fail point up front (a typo must not silently run to the end)."""
    if fail_after is not None and fail_after not in FAIL_POINTS:
        raise ValueError(f"unknown fail point {fail_after!r}; choose from {FAIL_POINTS}")


def maybe_fail(point: str, fail_after: str | None) -> None:
    if fail_after == point:
        raise InjectedFailure(f"injected failure after stage {point!r}")


def partition_dir(root: str, table: str, day: str) -> str:
    return join(root, table, f"{partition_column(table)}={day}")


def partition_dates(fs: LakeFS, root: str, table: str) -> list[date]:
    """The dates of a table's partitions under ``root`` (a listing: metadata only)."""
    prefix = f"{partition_column(table)}="
    return sorted(
        date.fromisoformat(name.removeprefix(prefix))
        for name, is_dir in fs.list_dir(join(root, table))
        if is_dir and name.startswith(prefix)
    )


def read_partitions(
    spark: SparkSession, fs: LakeFS, root: str, table: str, days: Iterable[date | str]
) -> DataFrame | None:
    """The partitions of ``days`` (dates or ISO strings) of one table under ``root`` (the
    lake, or a staging), only those that exist; None when none does."""
    paths = [partition_dir(root, table, str(d)) for d in days]
    paths = [p for p in paths if fs.exists(p)]
    if not paths:
        return None
    return (
        spark.read.schema(S.TABLE_SCHEMAS[table])
        .option("basePath", join(root, table))
        .parquet(*paths)
    )


def part_files(fs: LakeFS, folder: str) -> list[str]:
    """The names of the data files Spark wrote into ``folder`` (``part-*``), sorted."""
    return sorted(n for n, is_dir in fs.list_dir(folder) if not is_dir and n.startswith("part-"))


def staged_files(fs: LakeFS, staging: str, table: str, days: Iterable[str]) -> dict[str, list]:
    """The data files Spark wrote for each date of a staged table (empty list: no rows)."""
    return {day: part_files(fs, partition_dir(staging, table, day)) for day in days}


def write_manifest(fs: LakeFS, staging: str, manifest: dict[str, Any]) -> None:
    fs.write_text(join(staging, MANIFEST), json.dumps(manifest, indent=1, default=str))


def read_manifest(fs: LakeFS, staging: str) -> dict[str, Any] | None:
    text = fs.read_text(join(staging, MANIFEST))
    return None if text is None else json.loads(text)


def write_quarantine(fs: LakeFS, staging: str, records: Sequence[dict[str, Any]]) -> list[str]:
    """Quarantine records as JSON lines in the staging; returns the file names."""
    if not records:
        return []
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    fs.write_text(join(staging, S.QUARANTINE_DIR, QUARANTINE_FILE), text)
    return [QUARANTINE_FILE]


class StagingIncomplete(RuntimeError):
    """A staged file the manifest lists is neither staged nor published any more."""


def missing_files(
    fs: LakeFS,
    curated: str,
    staging: str,
    manifest: dict[str, Any],
    books: Bookkeeping = PLAYLIST_BOOKS,
) -> list[str]:
    """The files ``manifest`` lists that are in neither the staging nor their destination
    (e.g. expired by a lifecycle rule): publishing it would lose their rows."""
    missing = []
    for table, days in manifest["tables"].items():
        for day, names in days.items():
            staged = partition_dir(staging, table, day)
            target = partition_dir(curated, table, day)
            for name in names:
                if not fs.exists(join(staged, name)) and not fs.exists(join(target, name)):
                    missing.append(join(staged, name))
    for table, names in manifest.get("current", {}).items():
        staged, target = join(staging, table), join(curated, table)
        for name in names:
            if not fs.exists(join(staged, name)) and not fs.exists(join(target, name)):
                missing.append(join(staged, name))
    quarantine = books.quarantine_dir(curated, manifest["run_id"])
    for name in manifest.get("quarantine_files", []):
        staged = join(staging, S.QUARANTINE_DIR, name)
        if not fs.exists(staged) and not fs.exists(join(quarantine, name)):
            missing.append(staged)
    return missing


def publish_partition(fs: LakeFS, target: str, staged: str, names: Sequence[str]) -> None:
    """Make ``target`` hold exactly ``names`` (idempotent, resumable). Raises
    :class:`StagingIncomplete`, before changing anything, if a name is in neither place."""
    keep = set(names)
    if not keep:
        fs.delete(target)
        return
    to_move = [n for n in names if fs.exists(join(staged, n))]
    lost = [n for n in names if n not in to_move and not fs.exists(join(target, n))]
    if lost:
        raise StagingIncomplete(f"{staged}: staged files gone before publishing: {lost}")
    for name, _is_dir in fs.list_dir(target):
        if name not in keep:
            fs.delete(join(target, name))
    for name in to_move:
        fs.rename(join(staged, name), join(target, name))


def publish(
    fs: LakeFS,
    curated: str,
    staging: str,
    manifest: dict[str, Any],
    fail_after: str | None = None,
    books: Bookkeeping = PLAYLIST_BOOKS,
) -> None:
    """Move the staged partitions, current tables and quarantine records into place."""
    for i, (table, days) in enumerate(manifest["tables"].items()):
        for day, names in days.items():
            publish_partition(
                fs,
                partition_dir(curated, table, day),
                partition_dir(staging, table, day),
                names,
            )
        if i == 0:
            maybe_fail("publish_partial", fail_after)
    # The current tables (glue_jobs.current): one folder each, no partitions.
    for table, names in manifest.get("current", {}).items():
        publish_partition(fs, join(curated, table), join(staging, table), names)
    quarantine = books.quarantine_dir(curated, manifest["run_id"])
    for name in manifest.get("quarantine_files", []):
        src = join(staging, S.QUARANTINE_DIR, name)
        if fs.exists(src):
            fs.rename(src, join(quarantine, name))


def write_run_summary(
    fs: LakeFS, curated: str, summary: dict[str, Any], books: Bookkeeping = PLAYLIST_BOOKS
) -> None:
    fs.write_text(
        join(curated, books.runs, f"{summary['run_id']}.json"),
        json.dumps(summary, indent=2, sort_keys=False, default=str) + "\n",
    )


def recover_staging(
    fs: LakeFS,
    curated: str,
    commit: Callable[[Sequence[FileInfo]], None],
    books: Bookkeeping = PLAYLIST_BOOKS,
) -> list[str]:
    """Finish or discard what earlier runs left in ``_staging``; returns rolled-forward ids.

    A staging with a manifest is published and its raw files committed; one without a
    manifest (the run died while staging), or one that lost staged files since, is deleted
    uncommitted, so its raw files count as new and are processed again.

    ``commit`` records the rolled-forward run's raw files in the bookmark (local mode); on
    Glue it does nothing, because Glue's bookmark was not committed and Glue hands the same
    files to this run again, which re-processes them idempotently.
    """
    rolled = []
    root = join(curated, books.staging)
    for name, is_dir in sorted(fs.list_dir(root)):
        staging = join(root, name)
        manifest = read_manifest(fs, staging) if is_dir else None
        if manifest is None:
            fs.delete(staging)
            continue
        missing = missing_files(fs, curated, staging, manifest, books)
        if missing:
            # Rolling forward would publish the run without these rows and bookmark its raw
            # files. Drop it uncommitted instead: its raw files are still new to the bookmark,
            # so this run processes them again and rebuilds every date they touch.
            log.warning(
                "staging %s lost %d staged file(s) (e.g. %s): discarded, its raw files are "
                "processed again",
                name,
                len(missing),
                missing[0],
            )
            fs.delete(staging)
            continue
        publish(fs, curated, staging, manifest, books=books)
        summary = dict(manifest["summary"])
        summary["rolled_forward"] = True
        write_run_summary(fs, curated, summary, books)
        commit([FileInfo(**f) for f in manifest["files"]])
        fs.delete(staging)
        rolled.append(name)
    return rolled
