"""The Glue job's CloudWatch metrics, sent once per run from its run summary.

``publish_run_metrics(summary, namespace, job_name, client)`` puts, in one
``put_metric_data`` call, under ``namespace`` (the job argument ``--metrics_namespace``)
and the dimension ``Job=<job name>`` (names: ``glue_jobs.metric_names``, which the
Terraform alarms read too):

| metric | value |
|---|---|
| ``SuccessfulRuns`` | 1 for a run whose status is ``ok`` or ``no_new_files``, else 0 |
| ``FilesQuarantined`` | ``files_quarantined`` |
| ``RowsWritten`` | ``rows_written`` of each table, one datum per table (extra dimension ``Table``) |
| ``EntriesRejected`` | entries read that did not become fact rows (``rejections.fact_playlist_item``, all reasons) |
| ``DataQualityFailures`` | ``data_quality.rules_failed`` |
| ``DataQualityRulesChecked`` | ``data_quality.rules_checked`` |

Nothing here imports ``awsglue``; the entry point passes a boto3 CloudWatch client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glue_jobs import metric_names as M
from glue_jobs import schemas as S

SUCCESSFUL_STATUSES = ("ok", "no_new_files")


def run_metric_data(summary: Mapping[str, Any], job_name: str) -> list[dict[str, Any]]:
    """The ``MetricData`` of one run summary (see the module docstring)."""
    job = [{"Name": M.GLUE_JOB_DIMENSION, "Value": job_name}]

    def datum(name: str, value: float, extra: list[dict[str, str]] = ()) -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": [*job, *extra], "Value": value, "Unit": "Count"}

    quality = summary.get("data_quality") or {}
    rejected = summary.get("rejections", {}).get(S.FACT_PLAYLIST_ITEM, {})
    data = [
        datum(M.SUCCESSFUL_RUNS, 1 if summary.get("status") in SUCCESSFUL_STATUSES else 0),
        datum(M.FILES_QUARANTINED, int(summary.get("files_quarantined") or 0)),
        datum(M.ENTRIES_REJECTED, sum(int(n or 0) for n in rejected.values())),
        datum(M.DATA_QUALITY_FAILURES, int(quality.get("rules_failed") or 0)),
        datum(M.DATA_QUALITY_RULES_CHECKED, int(quality.get("rules_checked") or 0)),
    ]
    for table, rows in (summary.get("rows_written") or {}).items():
        table_dimension = [{"Name": M.ROWS_WRITTEN_TABLE_DIMENSION, "Value": table}]
        data.append(datum(M.ROWS_WRITTEN, int(rows or 0), table_dimension))
    return data


def publish_run_metrics(
    summary: Mapping[str, Any], namespace: str, job_name: str, client: Any
) -> list[dict[str, Any]]:
    """Send the run's metrics with ``client.put_metric_data``; returns what was sent.

    One call: the 5 run metrics and one ``RowsWritten`` per table stay far below
    CloudWatch's 1,000 data points per request.
    """
    data = run_metric_data(summary, job_name)
    client.put_metric_data(Namespace=namespace, MetricData=data)
    return data
