"""The chart job's entry point (glue_jobs/chart_job.py): its Glue branch, driven with the
recording stand-in of the Glue runtime (glue_standin.py), and its local branch; both through
``chart_job.main`` as Glue and ``make charts-local`` call it."""

from __future__ import annotations

from pathlib import Path

import pytest

from glue_jobs import chart_job
from tests.unit.charts.support import current_chart
from tests.unit.glue_jobs.glue_standin import RecordingGlue

pytestmark = pytest.mark.spark

SCRIPT = "glue_jobs/chart_job.py"
FACT = "fact_chart_entry"
# A drop-zone key as charts-add writes it (docs/charts.md).
KEY = f"regional/global/weekly/chart_date=2022-01-13/20260101T000000000000Z_{'0' * 64}.csv"


def _argv(drop: Path, curated: Path, *more: str) -> list[str]:
    return [
        SCRIPT,
        "--JOB_NAME",
        "charts",
        "--drop_path",
        str(drop),
        "--curated_path",
        str(curated),
        *more,
    ]


def _drop_one_chart(drop: Path) -> Path:
    path = drop / KEY
    path.parent.mkdir(parents=True)
    path.write_bytes(current_chart(range(1, 4)))
    return path


def test_glue_branch_processes_what_the_bookmark_hands_over_and_commits_last(spark, tmp_path):
    drop, curated = tmp_path / "charts", tmp_path / "curated"
    chart = _drop_one_chart(drop)
    glue = RecordingGlue(spark, [chart], curated, published_table=FACT)
    glue.frame = spark.read.text(str(chart))  # Glue's CSV reader: only the file names count
    argv = _argv(drop, curated, "--bookmark_store", "glue")

    summary = chart_job.main(argv, spark=spark, glue_api=glue.api)

    assert [c[0] for c in glue.calls] == ["GlueContext", "init", "from_options", "commit"]
    assert glue.calls[1][1:] == ("charts", str(drop))
    read = glue.calls[2][1]
    assert (read["format"], read["transformation_ctx"]) == ("csv", chart_job.BOOKMARK_CTX)
    assert glue.calls[3][2] is True  # committed once the fact table was published
    assert (summary["mode"], summary["status"], summary["files_read"]) == ("glue", "ok", 1)
    assert summary["rows_written"][FACT] == 3
    assert not (curated / "_state" / "charts_bookmark.json").exists()  # Glue's bookmark


def test_glue_branch_with_nothing_new_still_commits(spark, tmp_path):
    drop, curated = tmp_path / "charts", tmp_path / "curated"
    drop.mkdir()
    glue = RecordingGlue(spark, [], curated, published_table=FACT)
    summary = chart_job.main(
        _argv(drop, curated, "--bookmark_store", "glue"), spark=spark, glue_api=glue.api
    )
    assert summary["status"] == "no_new_files"
    assert [c[0] for c in glue.calls] == ["GlueContext", "init", "from_options", "commit"]


def test_auto_is_the_local_bookmark_even_on_glue(spark, tmp_path):
    drop, curated = tmp_path / "charts", tmp_path / "curated"
    _drop_one_chart(drop)
    glue = RecordingGlue(spark, [], curated, published_table=FACT)
    summary = chart_job.main(_argv(drop, curated), spark=spark, glue_api=glue.api)
    assert glue.calls == []  # no GlueContext, no Job, no bookmarked read
    assert (summary["mode"], summary["files_read"], summary["rows_written"][FACT]) == (
        "local",
        1,
        3,
    )
    assert (curated / "_state" / "charts_bookmark.json").is_file()


def test_local_run_with_a_missing_drop_zone_says_so_in_one_line(spark, tmp_path):
    with pytest.raises(SystemExit) as missing:
        chart_job.main(_argv(tmp_path / "nowhere" / "charts", tmp_path / "curated"), spark=spark)
    assert str(missing.value).startswith("error: raw path ")
    assert "does not exist" in str(missing.value)
