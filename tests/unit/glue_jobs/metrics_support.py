"""Reading back the metrics a Glue job sent to moto's CloudWatch (test_metrics*.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NAMESPACE = "SpotifyLakehouse/test"


def metric_sum(client, job: str, name: str, **dimensions: str) -> float | None:
    """The Sum of metric `name` of `job` (with those other dimensions) over the last hour and
    the next; None when nothing was sent."""
    now = datetime.now(UTC)
    points = client.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=name,
        Dimensions=[{"Name": "Job", "Value": job}]
        + [{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(hours=1),
        Period=7200,
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(p["Sum"] for p in points) if points else None
