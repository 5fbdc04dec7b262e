"""The Glue job's CloudWatch metrics, sent once per run from its run summary.

``publish_run_metrics(summary, namespace, job_name, client)`` puts, in one
``put_metric_data`` call, under ``namespace`` (the job argument ``--metrics_namespace``)
and the dimension ``Job=<job name>`` (names: ``glue_jobs.metric_names``, which the
Terraform alarms read too):

| metric | value |
|---|---|
| ``SuccessfulRuns`` | 1 for a run whose status is ``ok`` or ``no_new_files``, else 0 |
| ``FilesQuarantined`` | ``files_quarantined`` |
| ``FilesQuarantinedByReason`` | ``rejections.files``, one datum per reason with files (extra dimension ``Reason``) |
| ``RowsWritten`` | ``rows_written`` of each table, one datum per table (extra dimension ``Table``) |
| ``EntriesRejected`` | rows read that did not become rows of the job's fact table: ``rejections.<fact>``, all reasons |
| ``EntriesRejectedByReason`` | the same, one datum per reason with rows (extra dimension ``Reason``) |
| ``DataQualityFailures`` | ``data_quality.rules_failed`` |
| ``DataQualityRulesChecked`` | ``data_quality.rules_checked`` |

Both jobs' summaries have this shape. The job's tables are the ones its summary names (the
keys of ``rows_written`` and ``rejections`` that are tables of ``glue_jobs.tables``), and its
fact is the one of them without ``observed``: ``fact_playlist_item`` for the star-schema job
(``superseded_snapshot``, ``null_item``, ...), ``fact_chart_entry`` for the chart job (the
archives' rejected rows by reason, and ``superseded``). A reason is sent only when its count
is not 0: each (metric, dimensions) pair is a CloudWatch metric of its own, billed monthly,
and a missing datum of a ``Sum`` reads as 0 anyway.

Nothing here imports ``awsglue``; the entry point passes a boto3 CloudWatch client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glue_jobs import metric_names as M
from glue_jobs import tables

SUCCESSFUL_STATUSES = ("ok", "no_new_files")


def run_metric_data(summary: Mapping[str, Any], job_name: str) -> list[dict[str, Any]]:
    """The ``MetricData`` of one run summary (see the module docstring)."""
    job = [{"Name": M.GLUE_JOB_DIMENSION, "Value": job_name}]

    def datum(name: str, value: float, extra: list[dict[str, str]] = ()) -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": [*job, *extra], "Value": value, "Unit": "Count"}

    def reason(value: str) -> list[dict[str, str]]:
        return [{"Name": M.GLUE_REASON_DIMENSION, "Value": value}]

    quality = summary.get("data_quality") or {}
    rejections = summary.get("rejections") or {}
    rejected = entries_rejected(summary)
    data = [
        datum(M.SUCCESSFUL_RUNS, 1 if summary.get("status") in SUCCESSFUL_STATUSES else 0),
        datum(M.FILES_QUARANTINED, int(summary.get("files_quarantined") or 0)),
        datum(M.ENTRIES_REJECTED, sum(rejected.values())),
        datum(M.DATA_QUALITY_FAILURES, int(quality.get("rules_failed") or 0)),
        datum(M.DATA_QUALITY_RULES_CHECKED, int(quality.get("rules_checked") or 0)),
    ]
    for table, rows in (summary.get("rows_written") or {}).items():
        table_dimension = [{"Name": M.ROWS_WRITTEN_TABLE_DIMENSION, "Value": table}]
        data.append(datum(M.ROWS_WRITTEN, int(rows or 0), table_dimension))
    for name, n in sorted(rejected.items()):
        if n:
            data.append(datum(M.ENTRIES_REJECTED_BY_REASON, n, reason(name)))
    for name, n in sorted((rejections.get("files") or {}).items()):
        if int(n or 0):
            data.append(datum(M.FILES_QUARANTINED_BY_REASON, int(n), reason(name)))
    return data


def job_fact_tables(summary: Mapping[str, Any]) -> list[str]:
    """The fact tables among the tables a run summary names (see the module docstring)."""
    named = {*(summary.get("rows_written") or {}), *(summary.get("rejections") or {})}
    return sorted(
        name for name in named if name in tables.BY_NAME and tables.BY_NAME[name].observed is None
    )


def entries_rejected(summary: Mapping[str, Any]) -> dict[str, int]:
    """``{reason: rows}`` not written to the job's fact table (every fact it names)."""
    rejections = summary.get("rejections") or {}
    counts: dict[str, int] = {}
    for fact in job_fact_tables(summary):
        for name, n in (rejections.get(fact) or {}).items():
            counts[name] = counts.get(name, 0) + int(n or 0)
    return counts


def publish_run_metrics(
    summary: Mapping[str, Any], namespace: str, job_name: str, client: Any
) -> list[dict[str, Any]]:
    """Send the run's metrics with ``client.put_metric_data``; returns what was sent.

    One call: the 5 run metrics, one ``RowsWritten`` per table and one datum per reason with
    a count (at most the chart job's 24 file reasons and its fact's reasons) stay far below
    CloudWatch's 1,000 data points per request.
    """
    data = run_metric_data(summary, job_name)
    client.put_metric_data(Namespace=namespace, MetricData=data)
    return data
