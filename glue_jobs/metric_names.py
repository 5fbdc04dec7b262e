"""The names of the pipeline's CloudWatch metrics: the one list the code that emits them, the
Terraform alarms (terraform/modules/monitoring) and docs/operations.md agree on.

Plain constants and no import, so that both the extract Lambda and the Glue job can use it and
tools/tf_check can read it without running anything (it parses this file with ``ast``).

Namespace: ``SpotifyLakehouse/<name_prefix>`` (``local.metric_namespace`` in
terraform/modules/monitoring/main.tf). The Lambda receives it in the environment variable
``POWERTOOLS_METRICS_NAMESPACE``; the Glue job as the job argument ``--metrics_namespace``.
"""

from __future__ import annotations

# --- extract Lambda (aws-lambda-powertools Metrics, EMF) ---------------------------------
#: Value of POWERTOOLS_SERVICE_NAME, and of the ``service`` dimension of every Lambda metric.
LAMBDA_SERVICE = "extract"
#: Dimension every Lambda metric carries (powertools adds it from the service name).
LAMBDA_SERVICE_DIMENSION = "service"

PLAYLISTS_SUCCEEDED = "PlaylistsSucceeded"
#: Playlists of the run that failed, all reasons together (the alarm's metric).
PLAYLISTS_FAILED = "PlaylistsFailed"
#: The same failures by reason (extra dimension ``Reason``).
PLAYLISTS_FAILED_BY_REASON = "PlaylistsFailedByReason"
PLAYLISTS_FAILED_REASON_DIMENSION = "Reason"
ITEMS_LANDED = "ItemsLanded"
#: Entries landed as the API sent them but odd (null, not an object, missing keys).
ENTRIES_MALFORMED = "EntriesMalformed"
#: 1 per invocation that finished.
EXTRACT_RUNS = "ExtractRuns"

LAMBDA_METRICS = (
    PLAYLISTS_SUCCEEDED,
    PLAYLISTS_FAILED,
    PLAYLISTS_FAILED_BY_REASON,
    ITEMS_LANDED,
    ENTRIES_MALFORMED,
    EXTRACT_RUNS,
)

# --- extract Lambda, enrichment task (extract_lambda/enrich.py; docs/track-documents.md) ---
# Same namespace and ``service`` dimension as the playlist task's metrics.
#: Track documents landed by the run.
TRACKS_LANDED = "TracksLanded"
#: Of those, tracks without an ISRC (landed all the same: they still describe the track).
TRACKS_WITHOUT_ISRC = "TracksWithoutIsrc"
#: Track references of the run that failed, every reason (rejected at intake included).
TRACKS_FAILED = "TracksFailed"
#: The same failures by reason (extra dimension ``Reason``).
TRACKS_FAILED_BY_REASON = "TracksFailedByReason"
TRACKS_FAILED_REASON_DIMENSION = "Reason"
#: Track ids still to do when the run ended (a backfill's progress; should fall to 0).
TRACKS_PENDING = "TracksPending"
#: 1 per enrichment invocation that finished.
ENRICH_RUNS = "EnrichRuns"

ENRICH_METRICS = (
    TRACKS_LANDED,
    TRACKS_WITHOUT_ISRC,
    TRACKS_FAILED,
    TRACKS_FAILED_BY_REASON,
    TRACKS_PENDING,
    ENRICH_RUNS,
)

# --- Glue job (boto3 cloudwatch put_metric_data) -----------------------------------------
#: Dimension every Glue metric carries; its value is the job's name.
GLUE_JOB_DIMENSION = "Job"
#: 1 per run whose status is ok or no_new_files.
SUCCESSFUL_RUNS = "SuccessfulRuns"
FILES_QUARANTINED = "FilesQuarantined"
#: One datum per table (extra dimension ``Table``).
ROWS_WRITTEN = "RowsWritten"
ROWS_WRITTEN_TABLE_DIMENSION = "Table"
#: Rows read that did not become rows of the job's fact table, every reason together.
ENTRIES_REJECTED = "EntriesRejected"
#: The same by reason (extra dimension ``Reason``; only reasons with a count this run).
ENTRIES_REJECTED_BY_REASON = "EntriesRejectedByReason"
#: Files quarantined by reason (extra dimension ``Reason``; only reasons with files this run).
FILES_QUARANTINED_BY_REASON = "FilesQuarantinedByReason"
GLUE_REASON_DIMENSION = "Reason"
#: Failed data-quality rules of the run.
DATA_QUALITY_FAILURES = "DataQualityFailures"
DATA_QUALITY_RULES_CHECKED = "DataQualityRulesChecked"

GLUE_METRICS = (
    SUCCESSFUL_RUNS,
    FILES_QUARANTINED,
    ROWS_WRITTEN,
    ENTRIES_REJECTED,
    DATA_QUALITY_FAILURES,
    DATA_QUALITY_RULES_CHECKED,
    ENTRIES_REJECTED_BY_REASON,
    FILES_QUARANTINED_BY_REASON,
)
