"""The Lambda's structured logs and CloudWatch metrics (aws-lambda-powertools).

Logs: while an invocation runs, the ``extract_lambda`` loggers write JSON lines to stdout
through powertools' ``Logger`` (service, level, timestamp, message, the Lambda context's
fields, and each record's structured fields: ``playlist_id``, ``reason``, ``items``,
``pages``, ``duration_s``...), with the secret-redacting filter of ``logsafe`` on its
handler. The command line keeps its human-readable lines (``logsafe.HumanFormatter``).

Metrics: one EMF document per invocation that finished (printed to stdout, which Lambda
sends to CloudWatch Logs, which turns it into metrics), names from
``glue_jobs.metric_names`` (shared with the Terraform alarms), namespace from
``POWERTOOLS_METRICS_NAMESPACE``, dimension ``service`` (``POWERTOOLS_SERVICE_NAME``,
default ``extract``); the failures by reason as one extra EMF document per reason, with the
dimension ``Reason`` as well. docs/extractor.md lists them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from extract_lambda.config import ConfigError
from extract_lambda.logsafe import RedactingFilter, protect_logs
from glue_jobs import metric_names as M

PACKAGE_LOGGER = "extract_lambda"
NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"
SERVICE_ENV = "POWERTOOLS_SERVICE_NAME"


class _CurrentStdout:
    """sys.stdout as it is when a line is written (Lambda reads stdout; tests replace it)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def service_name(environ: Mapping[str, str]) -> str:
    return environ.get(SERVICE_ENV, "").strip() or M.LAMBDA_SERVICE


def metrics_namespace(environ: Mapping[str, str]) -> str:
    """The namespace, or a ConfigError before anything is extracted."""
    namespace = environ.get(NAMESPACE_ENV, "").strip()
    if not namespace:
        raise ConfigError(f"{NAMESPACE_ENV} must be set (the namespace of the run's metrics)")
    return namespace


_loggers: dict[str, Logger] = {}


def powertools_logger(service: str) -> Logger:
    """One powertools Logger per service and process, its handler redacting secrets."""
    if service not in _loggers:
        logger = Logger(service=service, stream=_CurrentStdout(), utc=True)
        handler = logger.registered_handler
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(protect_logs()))
        _loggers[service] = logger
    return _loggers[service]


@contextmanager
def structured_logs(service: str, context: Any = None) -> Iterator[Logger]:
    """JSON logs for the ``extract_lambda`` loggers while the block runs.

    The package logger gets powertools' handler and stops propagating (Lambda's own root
    handler would print every line a second time, in text); both are undone on exit, so a
    process that also runs the extractor otherwise (tests, the CLI) keeps its logging.
    """
    logger = powertools_logger(service)
    fields = _context_fields(context)
    logger.append_keys(**fields)
    package = logging.getLogger(PACKAGE_LOGGER)
    handler = logger.registered_handler
    propagate = package.propagate
    package.addHandler(handler)
    package.propagate = False
    try:
        yield logger
    finally:
        package.removeHandler(handler)
        package.propagate = propagate
        logger.remove_keys(list(fields))


def _context_fields(context: Any) -> dict[str, Any]:
    if not hasattr(context, "aws_request_id"):
        return {}
    return {
        "function_request_id": getattr(context, "aws_request_id", None),
        "function_name": getattr(context, "function_name", None),
        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
    }


def emit_run_metrics(summary: Mapping[str, Any], *, namespace: str, service: str) -> None:
    """The run's metrics as EMF on stdout: one document with the run's totals, one per
    failure reason (dimension ``Reason``)."""
    failed = summary["playlists_failed"]
    emit_counts(
        {
            M.PLAYLISTS_SUCCEEDED: len(summary["playlists_ok"]),
            M.PLAYLISTS_FAILED: len(failed),
            M.ITEMS_LANDED: summary["items"],
            M.ENTRIES_MALFORMED: summary["entries_malformed"],
            M.EXTRACT_RUNS: 1,
        },
        (M.PLAYLISTS_FAILED_BY_REASON, M.PLAYLISTS_FAILED_REASON_DIMENSION),
        Counter(f["reason"] for f in failed),
        namespace=namespace,
        service=service,
    )


def emit_counts(
    totals: Mapping[str, int],
    by_reason_metric: tuple[str, str],
    by_reason: Mapping[str, int],
    *,
    namespace: str,
    service: str,
) -> None:
    """Counts as EMF on stdout: ``totals`` (name -> value) in one document, then one document
    per reason of ``by_reason`` (reason -> value) with the metric and dimension names of
    ``by_reason_metric``; all with the dimension ``service``."""
    metrics = Metrics(namespace=namespace, service=service)
    count = MetricUnit.Count
    for name, value in totals.items():
        metrics.add_metric(name=name, unit=count, value=value)
    metrics.flush_metrics()
    name, dimension = by_reason_metric
    for reason, n in sorted(by_reason.items()):
        with single_metric(
            name=name,
            unit=count,
            value=n,
            namespace=namespace,
            default_dimensions={M.LAMBDA_SERVICE_DIMENSION: service},
        ) as metric:
            metric.add_dimension(name=dimension, value=reason)


def invocation_settings(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """``(namespace, service)`` from the environment."""
    environ = os.environ if environ is None else environ
    return metrics_namespace(environ), service_name(environ)
