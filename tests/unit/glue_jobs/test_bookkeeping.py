"""Local bookmark, publishing and crash recovery, on a real local FileSystem (no Spark job).

The ``spark`` fixture is only the py4j gateway to Hadoop's FileSystem here.
"""

from __future__ import annotations

import json
import os

import pytest

from glue_jobs.bookmarks import LocalBookmark
from glue_jobs.lakefs import FileInfo, LakeFS, qualify
from glue_jobs.publish import (
    FAIL_POINTS,
    InjectedFailure,
    StagingIncomplete,
    check_fail_point,
    maybe_fail,
    publish_partition,
    recover_staging,
    write_manifest,
)

pytestmark = pytest.mark.spark


@pytest.fixture
def fs(spark, tmp_path):
    return LakeFS(spark, str(tmp_path / "curated"))


def test_bookmark_selects_new_and_modified_files_only(fs):
    bookmark = LocalBookmark(fs)
    a, b = FileInfo("file:/raw/a", 10, 1000), FileInfo("file:/raw/b", 20, 2000)
    assert bookmark.select_new([a, b]) == [a, b]
    bookmark.commit([a, b])
    c = FileInfo("file:/raw/c", 5, 3000)
    b_touched = FileInfo("file:/raw/b", 20, 2500)  # same size, new modification time
    a_grown = FileInfo("file:/raw/a", 11, 1000)
    assert bookmark.select_new([a, b, c]) == [c]
    assert bookmark.select_new([a_grown, b_touched]) == [a_grown, b_touched]
    bookmark.reset()
    assert bookmark.select_new([a, b]) == [a, b]


def test_bookmark_is_written_atomically_as_json(fs, tmp_path):
    LocalBookmark(fs).commit([FileInfo("file:/raw/a", 1, 2)])
    state_dir = tmp_path / "curated" / "_state"
    assert sorted(os.listdir(state_dir)) == ["bookmark.json"]  # no temp file, no .crc
    state = json.loads((state_dir / "bookmark.json").read_text())
    assert state["files"] == {"file:/raw/a": [1, 2]}


def test_an_unreadable_bookmark_stops_the_run_instead_of_guessing(fs, tmp_path):
    path = tmp_path / "curated" / "_state" / "bookmark.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="unreadable local bookmark"):
        LocalBookmark(fs).select_new([])


def test_listing_skips_hidden_files_and_qualifies_paths(spark, tmp_path):
    raw = tmp_path / "raw"
    (raw / "snapshot_date=2026-01-05").mkdir(parents=True)
    (raw / "snapshot_date=2026-01-05" / "a.json.gz").write_bytes(b"x")
    (raw / "_tmp").mkdir()
    (raw / "_tmp" / "b.json").write_bytes(b"y")
    (raw / ".c.json.crc").write_bytes(b"z")
    listing = LakeFS(spark, str(raw)).list_files(str(raw))
    assert [(f.path, f.size) for f in listing] == [
        (f"file:{raw}/snapshot_date=2026-01-05/a.json.gz", 1)
    ]
    assert qualify(f"file://{raw}/") == f"file:{raw}"


def _files(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_publish_partition_is_idempotent_and_resumable(fs, tmp_path):
    target, staged = tmp_path / "t", tmp_path / "s"
    target.mkdir()
    staged.mkdir()
    for name in ("part-old-1.parquet", "part-old-2.parquet"):
        (target / name).write_text("old")
    for name in ("part-new-1.parquet", "part-new-2.parquet"):
        (staged / name).write_text("new")
    names = ["part-new-1.parquet", "part-new-2.parquet"]
    # A crash halfway: one old file deleted, one new file moved.
    (target / "part-old-1.parquet").unlink()
    os.replace(staged / "part-new-1.parquet", target / "part-new-1.parquet")
    publish_partition(fs, qualify(str(target)), qualify(str(staged)), names)
    assert _files(target) == names
    publish_partition(fs, qualify(str(target)), qualify(str(staged)), names)  # again: same
    assert _files(target) == names
    assert all((target / n).read_text() == "new" for n in names)


def test_publishing_an_empty_partition_removes_it(fs, tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    (target / "part-0.parquet").write_text("old")
    publish_partition(fs, qualify(str(target)), qualify(str(tmp_path / "none")), [])
    assert not target.exists()


def test_recovery_rolls_forward_a_complete_staging_and_drops_an_incomplete_one(fs, tmp_path):
    curated = tmp_path / "curated"
    done = curated / "_staging" / "run-done"
    broken = curated / "_staging" / "run-broken"
    part = done / "dim_track" / "snapshot_date=2026-01-05"
    part.mkdir(parents=True)
    (part / "part-1.parquet").write_text("new")
    (broken / "dim_track").mkdir(parents=True)
    old = curated / "dim_track" / "snapshot_date=2026-01-05"
    old.mkdir(parents=True)
    (old / "part-0.parquet").write_text("old")
    manifest = {
        "run_id": "run-done",
        "tables": {"dim_track": {"2026-01-05": ["part-1.parquet"]}},
        "quarantine_files": [],
        "files": [{"path": "file:/raw/a", "size": 1, "mtime": 2}],
        "summary": {"run_id": "run-done", "files_read": 1},
    }
    write_manifest(fs, qualify(str(done)), manifest)
    committed = []
    rolled = recover_staging(fs, fs.root, committed.extend)
    assert rolled == ["run-done"]
    assert _files(old) == ["part-1.parquet"]
    assert committed == [FileInfo("file:/raw/a", 1, 2)]
    assert _files(curated / "_staging") == []
    summary = json.loads((curated / "_runs" / "run-done.json").read_text())
    assert summary["rolled_forward"] is True


def test_recovery_discards_a_staging_that_lost_files_without_committing(fs, tmp_path):
    """A staged file gone (the bucket's lifecycle rule expires old stagings object by
    object): rolling forward would publish the run without its rows and bookmark its raw
    files. The staging is dropped uncommitted, the published partition left as it was."""
    curated = tmp_path / "curated"
    staging = curated / "_staging" / "run-old"
    kept = staging / "dim_track" / "snapshot_date=2026-01-05"
    kept.mkdir(parents=True)
    (kept / "part-1.parquet").write_text("new")  # fact_playlist_item's file is gone
    old = curated / "fact_playlist_item" / "snapshot_date=2026-01-05"
    old.mkdir(parents=True)
    (old / "part-0.parquet").write_text("old")
    manifest = {
        "run_id": "run-old",
        "tables": {
            "dim_track": {"2026-01-05": ["part-1.parquet"]},
            "fact_playlist_item": {"2026-01-05": ["part-2.parquet"]},
        },
        "quarantine_files": [],
        "files": [{"path": "file:/raw/a", "size": 1, "mtime": 2}],
        "summary": {"run_id": "run-old", "files_read": 1},
    }
    write_manifest(fs, qualify(str(staging)), manifest)
    committed = []
    assert recover_staging(fs, fs.root, committed.extend) == []
    assert committed == []
    assert _files(old) == ["part-0.parquet"]
    assert not (curated / "dim_track").exists()
    assert _files(curated / "_staging") == []
    assert not (curated / "_runs").exists()


def test_publishing_refuses_a_listed_file_that_is_nowhere(fs, tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    (target / "part-0.parquet").write_text("old")
    staged = tmp_path / "s"
    staged.mkdir()
    (staged / "part-1.parquet").write_text("new")
    with pytest.raises(StagingIncomplete, match=r"part-2\.parquet"):
        publish_partition(
            fs, qualify(str(target)), qualify(str(staged)), ["part-1.parquet", "part-2.parquet"]
        )
    assert _files(target) == ["part-0.parquet"]  # nothing changed
    # Resuming a half-done publish is fine: a name already moved counts as there.
    (target / "part-2.parquet").write_text("moved earlier")
    publish_partition(
        fs, qualify(str(target)), qualify(str(staged)), ["part-1.parquet", "part-2.parquet"]
    )
    assert _files(target) == ["part-1.parquet", "part-2.parquet"]


def test_fail_points_are_checked_up_front():
    check_fail_point(None)
    for point in FAIL_POINTS:
        check_fail_point(point)
        with pytest.raises(InjectedFailure):
            maybe_fail(point, point)
    maybe_fail("parse", "stage")  # another point: no failure
    with pytest.raises(ValueError, match="unknown fail point"):
        check_fail_point("halfway")


def test_staging_dirs_are_names_spark_reads_without_a_warning(spark):
    """Spark reads a path named ``_x`` but logs "All paths were ignored" for it: a false
    alarm in every run's log. The intermediate Parquet of a run is named so Spark's own
    filter (``HadoopFSUtils.shouldFilterOutPathName``) keeps it."""
    from glue_jobs.pipeline import ENTRIES_DIR, PARSED_DIR, REREAD_DIR

    spark_filter = spark._jvm.org.apache.spark.util.HadoopFSUtils.shouldFilterOutPathName
    assert spark_filter("_parsed")  # the rule this guards against, as Spark applies it
    for name in (PARSED_DIR, REREAD_DIR, ENTRIES_DIR):
        assert not spark_filter(name), name


def test_rows_written_counts_this_runs_rows_with_a_plan_that_does_not_grow_with_its_files(
    spark, fs
):
    """The run summary's ``rows_written`` counts staged rows whose ``source_file`` is one of
    this run's files. It once wrote every path into the plan as an ``isin`` list: at 101,013
    files the 4 GB driver ran out of heap explaining that plan. The files are now a joined
    relation, so the plan's size does not depend on how many files the run read."""
    from pyspark.sql import functions as F

    from glue_jobs import schemas as S
    from glue_jobs.lakefs import join
    from glue_jobs.pipeline import _rows_written

    staging = join(fs.root, "_staging", "run")
    sources = ["file:/raw/a.json.gz"] * 2 + ["file:/raw/b.json.gz", "file:/lake/old.json.gz"]
    schema = S.file_schema(S.DIM_PLAYLIST)
    spark.createDataFrame([(s,) for s in sources], "source_file string").select(
        *(
            (F.col(f.name) if f.name == "source_file" else F.lit(None).cast(f.dataType)).alias(
                f.name
            )
            for f in schema.fields
        )
    ).write.parquet(join(staging, S.DIM_PLAYLIST))
    others = [f"s3://raw-bucket/playlist_snapshots/x/{i:06d}.json.gz" for i in range(20_000)]

    counts = _rows_written(
        spark, fs, staging, ["file:/raw/a.json.gz", "file:/raw/b.json.gz", *others]
    )

    assert counts == {t: (3 if t == S.DIM_PLAYLIST else 0) for t in S.TABLES}
    spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty()
    last = spark._jsparkSession.sharedState().statusStore().executionsList().last()
    # 20,000 paths of ~50 characters in the plan would make it megabytes long.
    assert len(last.physicalPlanDescription()) < 100_000


class _RaisingOnOverwrite:
    """The job's FileSystem as Hadoop's specification allows it to be: rename onto an
    existing file raises instead of returning false (object-store clients may)."""

    def __init__(self, fs):
        self._fs = fs

    def __getattr__(self, name):
        return getattr(self._fs, name)

    def rename(self, src, dst):
        if self._fs.exists(dst):
            raise RuntimeError("FileAlreadyExistsException: rename destination exists")
        return self._fs.rename(src, dst)


def test_rename_replaces_a_file_when_the_filesystem_raises_on_overwrite(fs, tmp_path):
    fs._fs = _RaisingOnOverwrite(fs._fs)
    target = qualify(str(tmp_path / "curated" / "_runs" / "r.json"))
    fs.write_text(target, "first")
    fs.write_text(target, "second")  # write_text renames a temporary file onto the target
    assert (tmp_path / "curated" / "_runs" / "r.json").read_text() == "second"
    with pytest.raises(Exception, match=r"absent does not exist"):  # a missing source fails
        fs.rename(qualify(str(tmp_path / "absent")), qualify(str(tmp_path / "elsewhere")))
