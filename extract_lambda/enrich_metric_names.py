"""The names of the enrichment task's CloudWatch metrics (``extract_lambda.enrich``).

Plain constants and no import, in the style of ``glue_jobs/metric_names.py``, so that they can
move there unchanged (where the Terraform alarms and tools/tf_check read the names). Same
namespace (``POWERTOOLS_METRICS_NAMESPACE``) and ``service`` dimension as the playlist
task's metrics. docs/track-documents.md lists them.
"""

from __future__ import annotations

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
