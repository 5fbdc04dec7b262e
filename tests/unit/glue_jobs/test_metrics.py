"""The Glue job's CloudWatch metrics (glue_jobs/metrics.py), sent to moto's CloudWatch and
read back with get_metric_statistics and list_metrics."""

from __future__ import annotations

from glue_jobs import metric_names as M
from glue_jobs.metrics import publish_run_metrics
from tests.unit.glue_jobs.metrics_support import NAMESPACE, metric_sum

JOB = "spotify-test-star-schema"


def _summary(**overrides):
    """A run summary as the job writes it (docs/data-contract.md section 5), abridged."""
    summary = {
        "run_id": "20261116T070000Z-1a2b3c",
        "status": "ok",
        "files_read": 5,
        "files_quarantined": 2,
        "rows_written": {"fact_playlist_item": 480, "dim_track": 300, "dim_playlist": 5},
        "rejections": {
            "files": {"corrupt_gzip": 2},
            "documents": {"superseded_snapshot": 1},
            "fact_playlist_item": {"superseded_snapshot": 7, "null_item": 3, "missing_id": 1},
            "dim_track": {"local_file": 4, "episode": 2},
        },
        "data_quality": {"rules_checked": 31, "rules_failed": 2},
    }
    summary.update(overrides)
    return summary


def _sum(client, name: str, **dimensions: str) -> float | None:
    return metric_sum(client, JOB, name, **dimensions)


def test_a_run_sends_every_metric_under_its_job_and_namespace(cloudwatch):
    publish_run_metrics(_summary(), NAMESPACE, JOB, cloudwatch)
    assert _sum(cloudwatch, M.SUCCESSFUL_RUNS) == 1
    assert _sum(cloudwatch, M.FILES_QUARANTINED) == 2
    assert _sum(cloudwatch, M.ENTRIES_REJECTED) == 11  # 7 + 3 + 1: fact rejections only
    assert _sum(cloudwatch, M.DATA_QUALITY_FAILURES) == 2
    assert _sum(cloudwatch, M.DATA_QUALITY_RULES_CHECKED) == 31
    assert _sum(cloudwatch, M.ROWS_WRITTEN, Table="fact_playlist_item") == 480
    assert _sum(cloudwatch, M.ROWS_WRITTEN, Table="dim_playlist") == 5
    listed = cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]
    assert {m["MetricName"] for m in listed} == set(M.GLUE_METRICS)
    rows = [m for m in listed if m["MetricName"] == M.ROWS_WRITTEN]
    assert sorted(
        next(d["Value"] for d in m["Dimensions"] if d["Name"] == "Table") for m in rows
    ) == ["dim_playlist", "dim_track", "fact_playlist_item"]
    for metric in listed:
        assert {"Name": "Job", "Value": JOB} in metric["Dimensions"]
    assert cloudwatch.list_metrics(Namespace="SpotifyLakehouse/other")["Metrics"] == []


def test_successful_runs_counts_ok_and_no_new_files_runs_only(cloudwatch):
    publish_run_metrics(_summary(), NAMESPACE, JOB, cloudwatch)
    publish_run_metrics(
        _summary(
            status="no_new_files",
            files_quarantined=0,
            rows_written={},
            rejections={},
            data_quality={"rules_checked": 0, "rules_failed": 0},
        ),
        NAMESPACE,
        JOB,
        cloudwatch,
    )
    publish_run_metrics(_summary(status="failed"), NAMESPACE, JOB, cloudwatch)
    assert _sum(cloudwatch, M.SUCCESSFUL_RUNS) == 2
    assert _sum(cloudwatch, M.DATA_QUALITY_FAILURES) == 4  # 2 + 0 + 2
