"""The entry point: argument parsing, runtime detection, and the Glue branch.

The Glue branch is driven with a *recording stand-in* for exactly the calls that need the
Glue runtime (tests/unit/glue_jobs/glue_standin.py): its DynamicFrame is a real Spark
DataFrame read from the files "Glue's bookmark" hands over, and everything after that
(``input_file_name``, the core ``process_files``, staging, publish) runs on real Spark.
``getResolvedOptions`` is the real one from the awsglue sources.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsglue.utils import getResolvedOptions

from glue_jobs import star_schema_job as job
from tests.lake import read_table
from tests.unit.glue_jobs import builders as B
from tests.unit.glue_jobs.glue_standin import RecordingGlue

pytestmark = pytest.mark.spark

SCRIPT = "glue_jobs/star_schema_job.py"


def test_plain_pyspark_is_not_mistaken_for_glue(spark):
    # awsglue's Python sources are installed here (awsglue-dev), its JVM side is not.
    assert job.load_glue_api(spark) is None


def test_arguments_without_glue_are_parsed_with_argparse():
    argv = [SCRIPT, "--JOB_NAME", "j", "--raw_path", "r", "--curated_path", "c", "--TempDir", "t"]
    opts = job.parse_options(argv, None)
    assert (opts.job_name, opts.raw_path, opts.curated_path) == ("j", "r", "c")
    assert (opts.bookmark_store, opts.reset_bookmark) == ("auto", False)
    disabled = job.parse_options([*argv, "--job-bookmark-option", "job-bookmark-disable"], None)
    assert disabled.reset_bookmark is True
    with pytest.raises(SystemExit):
        job.parse_options([SCRIPT, "--JOB_NAME", "j", "--raw_path", "r"], None)
    with pytest.raises(SystemExit, match="bookmark_store"):
        job.parse_options([*argv, "--bookmark_store", "s3"], None)


def test_arguments_on_glue_go_through_get_resolved_options():
    api = job.GlueApi(GlueContext=None, Job=None, getResolvedOptions=getResolvedOptions)
    argv = [
        SCRIPT,
        "--JOB_NAME",
        "star_schema",
        "--raw_path",
        "s3://raw/playlist_snapshots/",
        "--curated_path",
        "s3://cur/curated/",
        "--job-bookmark-option",
        "job-bookmark-enable",
        "--bookmark_store",
        "glue",
    ]
    opts = job.parse_options(argv, api)
    assert opts.raw_path == "s3://raw/playlist_snapshots/"
    assert opts.bookmark_store == "glue"
    assert opts.raw_args["job_bookmark_option"] == "job-bookmark-enable"


def _glue_argv(raw: Path, curated: Path) -> list[str]:
    return [
        SCRIPT,
        "--JOB_NAME",
        "star_schema",
        "--raw_path",
        str(raw),
        "--curated_path",
        str(curated),
        "--job-bookmark-option",
        "job-bookmark-enable",
    ]


def test_glue_branch_processes_what_the_bookmark_hands_over_and_commits_last(spark, tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    first = B.document("p1", "2026-01-05T06:00:00.000001Z", [B.entry(B.track("t1", "x"))])
    second = B.document("p2", "2026-01-05T07:00:00.000001Z", [B.entry(B.track("t2", "y"))])
    f1 = B.write_raw(raw, B.raw_key(first), [first])
    B.write_raw(raw, B.raw_key(second), [second])  # already processed, says the bookmark
    glue = RecordingGlue(spark, [f1], curated)

    summary = job.main(_glue_argv(raw, curated), spark=spark, glue_api=glue.api)

    names = [c[0] for c in glue.calls]
    assert names == ["GlueContext", "init", "from_options", "commit"]
    assert glue.calls[0][1] is True  # wraps the job's own SparkContext
    assert glue.calls[1][1:] == ("star_schema", str(raw))
    assert glue.calls[2][1] == {
        "connection_type": "s3",
        "connection_options": {
            "paths": [str(raw)],
            "recurse": True,
            "groupFiles": "none",
        },
        "format": "json",
        "transformation_ctx": "raw_playlist_snapshots",
    }
    # Committed only once the tables and the run summary were in place.
    assert glue.calls[3] == ("commit", [f"{summary['run_id']}.json"], True)
    assert summary["mode"] == "glue"
    assert summary["files_read"] == 1
    assert summary["rows_written"]["fact_playlist_item"] == 1
    playlists = {r["playlist_id"] for r in read_table(spark, curated, "dim_playlist").collect()}
    assert playlists == {"p1"}  # p2's file was not handed over, so it was not read
    assert not (curated / "_state" / "bookmark.json").exists()  # Glue's bookmark, not ours
    assert not any((curated / "_staging").iterdir())


def test_glue_branch_with_nothing_new_still_commits(spark, tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    glue = RecordingGlue(spark, [], curated)
    summary = job.main(_glue_argv(raw, curated), spark=spark, glue_api=glue.api)
    assert summary["status"] == "no_new_files"
    assert [c[0] for c in glue.calls] == ["GlueContext", "init", "from_options", "commit"]
    written = json.loads((curated / "_runs" / f"{summary['run_id']}.json").read_text())
    assert written["files_read"] == 0


def test_glue_branch_refuses_rows_without_a_file_name_and_does_not_commit(spark, tmp_path):
    """Rows whose input_file_name() is empty (a split that is not a plain file split) must
    stop the run: dropping them would let Job.commit bookmark files never processed."""
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    glue = RecordingGlue(spark, [], curated)
    glue.frame = spark.createDataFrame([("p1",)], "playlist_id string")  # no file behind it
    with pytest.raises(RuntimeError, match="without a file name"):
        job.main(_glue_argv(raw, curated), spark=spark, glue_api=glue.api)
    assert "commit" not in [c[0] for c in glue.calls]


def _local_argv(raw: Path, curated: Path) -> list[str]:
    return [SCRIPT, "--JOB_NAME", "local", "--raw_path", str(raw), "--curated_path", str(curated)]


def test_local_run_with_swapped_roots_stops_before_writing_anything(spark, tmp_path):
    # Review finding: `make glue-local` with RAW and CURATED swapped read the curated Parquet
    # as raw (quarantining all of it), wrote its staging into the raw folder, said "ok".
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    doc = B.document("p1", "2026-01-05T06:00:00.000001Z", [B.entry(B.track("t1", "x"))])
    B.write_raw(raw, B.raw_key(doc), [doc])
    assert job.main(_local_argv(raw, curated), spark=spark, glue_api=None)["files_read"] == 1
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    with pytest.raises(SystemExit) as swapped:
        job.main(_local_argv(curated, raw), spark=spark, glue_api=None)
    assert "looks like a curated root (it holds _state/, bridge_" in str(swapped.value)
    assert "are RAW and CURATED swapped?" in str(swapped.value)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SystemExit) as into_raw:
        job.main(_local_argv(empty, raw), spark=spark, glue_api=None)
    assert "looks like a raw root (it holds snapshot_date=2026-01-05/)" in str(into_raw.value)


def test_local_run_with_a_missing_raw_root_says_so_in_one_line(spark, tmp_path):
    with pytest.raises(SystemExit) as missing:
        job.main(
            _local_argv(tmp_path / "nowhere", tmp_path / "curated"), spark=spark, glue_api=None
        )
    assert str(missing.value).startswith("error: raw path ")
    assert "does not exist" in str(missing.value)


def test_the_glue_bookmark_store_without_the_glue_runtime_stops_before_anything(spark, tmp_path):
    # Terraform passes --bookmark_store glue: a script that failed to detect Glue must not
    # fall back to an empty local bookmark (it would reprocess every raw file).
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    doc = B.document("p1", "2026-01-05T06:00:00.000001Z", [B.entry(B.track("t1", "x"))])
    B.write_raw(raw, B.raw_key(doc), [doc])
    argv = [*_local_argv(raw, curated), "--bookmark_store", "glue"]
    with pytest.raises(SystemExit, match="--bookmark_store glue needs the Glue runtime"):
        job.main(argv, spark=spark, glue_api=None)
    assert not curated.exists()


def test_the_local_bookmark_store_on_glue_lists_files_itself(spark, tmp_path):
    # --bookmark_store local on Glue: Glue's bookmarked reader is not used; the listing
    # bookmark under the curated root selects the files, and quarantines exactly.
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    doc = B.document("p1", "2026-01-05T06:00:00.000001Z", [B.entry(B.track("t1", "x"))])
    good = B.write_raw(raw, B.raw_key(doc), [doc])
    empty = B.write_raw(raw, "bad/empty.json", b"")  # Glue's reader would never name it
    glue = RecordingGlue(spark, [good], curated)
    argv = [*_glue_argv(raw, curated), "--bookmark_store", "local"]
    summary = job.main(argv, spark=spark, glue_api=glue.api)
    assert [c[0] for c in glue.calls] == []  # no GlueContext, no Job, no bookmarked read
    assert (summary["mode"], summary["files_read"], summary["files_quarantined"]) == (
        "local",
        2,
        1,
    )
    assert summary["rejections"]["files"]["empty_file"] == 1
    bookmark = json.loads((curated / "_state" / "bookmark.json").read_text())
    assert sorted(bookmark["files"]) == sorted(f"file:{p}" for p in (good, empty))
