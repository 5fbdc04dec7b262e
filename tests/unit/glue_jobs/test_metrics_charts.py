"""The chart job's CloudWatch metrics (glue_jobs/metrics.py): its own tables and rejections,
sent to moto's CloudWatch and read back; once from a hand-written summary, once from a real
chart run on Spark."""

from __future__ import annotations

from glue_jobs import metric_names as M
from glue_jobs.charts_pipeline import run_chart_job
from glue_jobs.metrics import entries_rejected, job_fact_tables, publish_run_metrics
from tests.unit.charts.support import archive_file, archive_line
from tests.unit.glue_jobs.metrics_support import NAMESPACE, metric_sum

JOB = "spotify-test-charts"
FACT, DIM = "fact_chart_entry", "dim_chart"


def _chart_summary(**overrides):
    """A chart run summary as charts_pipeline writes it (docs/charts.md), abridged."""
    summary = {
        "run_id": "20261116T070000Z-9f8e7d",
        "status": "ok",
        "files_read": 6,
        "files_quarantined": 3,
        "rows_read": 620,
        "rows_written": {FACT: 600, DIM: 3},
        "rejections": {
            "files": {"empty_file": 1, "html_page": 2, "not_utf8": 0, "repeated_track": 0},
            "archive_charts": {"missing_rank": 1},
            "archive_rows": {"missing_rank": 199, "unknown_region": 1},
            FACT: {"superseded": 0, "missing_rank": 199, "unknown_region": 1},
            DIM: {"superseded": 0},
        },
        "data_quality": {"rules_checked": 8, "rules_failed": 1},
    }
    summary.update(overrides)
    return summary


def _sum(client, name: str, **dimensions: str) -> float | None:
    return metric_sum(client, JOB, name, **dimensions)


def _reasons(client, name: str) -> list[str]:
    listed = client.list_metrics(Namespace=NAMESPACE, MetricName=name)["Metrics"]
    return sorted(
        d["Value"] for m in listed for d in m["Dimensions"] if d["Name"] == M.GLUE_REASON_DIMENSION
    )


def test_the_chart_job_is_measured_on_its_own_fact_table():
    summary = _chart_summary()
    assert job_fact_tables(summary) == [FACT]
    assert entries_rejected(summary) == {"superseded": 0, "missing_rank": 199, "unknown_region": 1}


def test_a_chart_run_sends_its_rejections_and_its_tables(cloudwatch):
    publish_run_metrics(_chart_summary(), NAMESPACE, JOB, cloudwatch)
    assert _sum(cloudwatch, M.ENTRIES_REJECTED) == 200  # 199 + 1: rows of the fact, not 0
    assert _sum(cloudwatch, M.ENTRIES_REJECTED_BY_REASON, Reason="missing_rank") == 199
    assert _sum(cloudwatch, M.ENTRIES_REJECTED_BY_REASON, Reason="unknown_region") == 1
    assert _reasons(cloudwatch, M.ENTRIES_REJECTED_BY_REASON) == ["missing_rank", "unknown_region"]
    assert _sum(cloudwatch, M.FILES_QUARANTINED) == 3
    assert _sum(cloudwatch, M.FILES_QUARANTINED_BY_REASON, Reason="html_page") == 2
    assert _sum(cloudwatch, M.FILES_QUARANTINED_BY_REASON, Reason="empty_file") == 1
    # Reasons with nothing are not sent (a metric each, billed); a Sum reads 0 without them.
    assert _reasons(cloudwatch, M.FILES_QUARANTINED_BY_REASON) == ["empty_file", "html_page"]
    assert _sum(cloudwatch, M.ROWS_WRITTEN, Table=FACT) == 600
    assert _sum(cloudwatch, M.ROWS_WRITTEN, Table=DIM) == 3
    assert _sum(cloudwatch, M.ROWS_WRITTEN, Table="fact_playlist_item") is None
    assert _sum(cloudwatch, M.DATA_QUALITY_FAILURES) == 1
    assert _sum(cloudwatch, M.SUCCESSFUL_RUNS) == 1


def test_a_chart_run_with_nothing_new_sends_zeros_and_no_reasons(cloudwatch):
    summary = _chart_summary(
        status="no_new_files",
        files_quarantined=0,
        rows_written={FACT: 0, DIM: 0},
        rejections={"files": {"empty_file": 0}, FACT: {"superseded": 0}, DIM: {"superseded": 0}},
        data_quality={"rules_checked": 0, "rules_failed": 0},
    )
    publish_run_metrics(summary, NAMESPACE, JOB, cloudwatch)
    assert _sum(cloudwatch, M.SUCCESSFUL_RUNS) == 1
    assert _sum(cloudwatch, M.ENTRIES_REJECTED) == 0
    assert _reasons(cloudwatch, M.ENTRIES_REJECTED_BY_REASON) == []
    assert _reasons(cloudwatch, M.FILES_QUARANTINED_BY_REASON) == []


def test_a_real_chart_run_s_metrics_add_up_to_its_accounting(spark, tmp_path, cloudwatch):
    """An archive: Argentina ranks 1-3 good, an Atlantis row (unknown_region, alone), Chile
    with rank 2 twice (repeated_rank, its 3 rows); an HTML page and an empty chart file."""
    drop, curated = tmp_path / "raw" / "charts", tmp_path / "curated"
    drop.mkdir(parents=True)
    lines = [
        *(archive_line(r) for r in (1, 2, 3)),
        archive_line(1, region="Atlantis"),
        *(archive_line(r, region="Chile") for r in (1, 2, 2)),
    ]
    (drop / "archive.csv").write_bytes(archive_file(lines))
    (drop / "regional-global-weekly-2022-01-13.csv").write_bytes(b"<html><body>Log in</body>")
    (drop / "regional-global-weekly-2022-01-20.csv").write_bytes(b"")
    summary = run_chart_job(spark, str(drop), str(curated), run_id="m1")
    publish_run_metrics(summary, NAMESPACE, JOB, cloudwatch)

    assert _sum(cloudwatch, M.ENTRIES_REJECTED) == 4 == summary["rows_read"] - 3
    assert _sum(cloudwatch, M.ENTRIES_REJECTED_BY_REASON, Reason="repeated_rank") == 3
    assert _sum(cloudwatch, M.ENTRIES_REJECTED_BY_REASON, Reason="unknown_region") == 1
    assert _reasons(cloudwatch, M.ENTRIES_REJECTED_BY_REASON) == ["repeated_rank", "unknown_region"]
    assert _sum(cloudwatch, M.FILES_QUARANTINED) == 2
    assert _reasons(cloudwatch, M.FILES_QUARANTINED_BY_REASON) == ["empty_file", "html_page"]
    assert _sum(cloudwatch, M.ROWS_WRITTEN, Table=FACT) == 3
    assert _sum(cloudwatch, M.ROWS_WRITTEN, Table=DIM) == 1
