"""The scheduled Lambda: ``extract_lambda.handler.lambda_handler`` (runtime python3.11).

Environment (docs/data-contract.md section 6): RAW_BUCKET, RAW_PREFIX (default
``playlist_snapshots``), RAW_KMS_KEY_ID, SPOTIFY_SECRET_ID, PLAYLIST_IDS, SPOTIFY_MARKET,
SPOTIFY_API_URL, SPOTIFY_AUTH_URL, MAX_CONCURRENCY (and the optional SPOTIFY_API_SHAPE).
The event may override the playlists: ``{"playlist_ids": ["..."]}``.

``{"task": "enrich"}`` runs the second task instead, the enrichment of charted tracks
(``extract_lambda.enrich``, docs/track-documents.md), with client credentials only; it reads
TRACKS_PREFIX, ENRICH_PREFIX, ENRICH_MAX_TRACKS and ENRICH_CONCURRENCY too, and the event may
queue more ids: ``{"task": "enrich", "track_ids": ["..."]}``.

The secret is read from Secrets Manager once per container (module-level cache) and dropped
when Spotify refuses it, so a rotated refresh token is picked up by the next invocation.
Logs are JSON lines and the run's metrics EMF documents, both on stdout
(``observability``; POWERTOOLS_METRICS_NAMESPACE must be set, POWERTOOLS_SERVICE_NAME
defaults to ``extract``). The handler returns the run summary, and raises :class:`ExtractionFailed` when no playlist
succeeded so that the asynchronous invocation counts as failed and the failure destination
receives it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any

from extract_lambda.config import ConfigError, Credentials, ExtractConfig, split_playlist_ids
from extract_lambda.extract import extract_playlists
from extract_lambda.logsafe import protect_logs
from extract_lambda.observability import emit_run_metrics, invocation_settings, structured_logs
from extract_lambda.retry import Deadline
from extract_lambda.storage import S3_WRITE_BOUND_S, S3Sink, s3_client_config

log = logging.getLogger("extract_lambda")
log.setLevel(logging.INFO)

DEFAULT_RAW_PREFIX = "playlist_snapshots"
# Kept free at the end of the invocation: the retries and waits stop this long before the
# Lambda's end, which leaves room for a Spotify request already in flight (connect and read
# timeouts), then the last snapshot's write (S3_WRITE_BOUND_S, retry included, for a write
# that stalls), then building that document and logging the summary: 44 s with the
# defaults (2 x 10 + 22 + 2). Timeouts bound stalls, not slow transfers that keep moving.
FINISH_S = 2.0
RESERVE_S = 2 * ExtractConfig.request_timeout_s + S3_WRITE_BOUND_S + FINISH_S

_secret_cache: dict[str, Credentials] = {}
_secret_lock = threading.Lock()
_clients: dict[str, Any] = {}


class ExtractionFailed(RuntimeError):
    """No playlist was extracted; the message lists the reasons (never a secret)."""

    def __init__(self, summary: dict[str, Any]) -> None:
        reasons = sorted({f["reason"] for f in summary["playlists_failed"]})
        stopped = summary.get("stopped")
        detail = f"; stopped: {stopped['message']}" if stopped else ""
        super().__init__(
            f"no playlist extracted ({len(summary['playlists_failed'])} failed: "
            f"{', '.join(reasons) or 'none requested'}){detail}"
        )
        self.summary = summary


def _client(service: str) -> Any:
    # Created lazily and reused by later invocations of the same container.
    if service not in _clients:
        import boto3

        config = s3_client_config() if service == "s3" else None
        _clients[service] = boto3.client(service, config=config)
    return _clients[service]


def load_credentials(secret_id: str, client: Any = None) -> Credentials:
    """The app credentials from the secret, read once per container."""
    with _secret_lock:
        if secret_id not in _secret_cache:
            response = (client or _client("secretsmanager")).get_secret_value(SecretId=secret_id)
            text = response.get("SecretString")
            if text is None:
                raise ConfigError(
                    f"secret {secret_id} has no SecretString (binary secrets are not supported)"
                )
            _secret_cache[secret_id] = Credentials.from_secret_string(
                text, secret_id=f"secret {secret_id}"
            )
        return _secret_cache[secret_id]


def forget_credentials(secret_id: str | None = None) -> None:
    """Drop the cached secret (all of them without an id)."""
    with _secret_lock:
        if secret_id is None:
            _secret_cache.clear()
        else:
            _secret_cache.pop(secret_id, None)


def playlist_ids_for(event: Any, environ: Mapping[str, str]) -> list[str]:
    """The event's ``playlist_ids`` when given, else PLAYLIST_IDS."""
    if isinstance(event, Mapping) and event.get("playlist_ids") is not None:
        ids = event["playlist_ids"]
        if isinstance(ids, str):
            ids = split_playlist_ids(ids)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ConfigError("event playlist_ids must be a list of playlist id strings")
        return ids
    ids = split_playlist_ids(environ.get("PLAYLIST_IDS"))
    if not ids:
        raise ConfigError('no playlists: set PLAYLIST_IDS or pass {"playlist_ids": [...]}')
    return ids


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    environ = os.environ
    protect_logs()
    namespace, service = invocation_settings(environ)
    with structured_logs(service, context):
        if _task(event) == "enrich":
            return _handle_enrich(event, context, environ, namespace=namespace, service=service)
        return _handle(event, context, environ, namespace=namespace, service=service)


TASKS = ("extract", "enrich")


def _task(event: Any) -> str:
    task = event.get("task") if isinstance(event, Mapping) else None
    task = task or "extract"
    if task not in TASKS:
        raise ConfigError(f"event task must be one of {', '.join(TASKS)}, not {task!r}")
    return task


class EnrichmentFailed(RuntimeError):
    """The enrichment had work and settled none of it; the message says why (never a secret)."""

    def __init__(self, summary: dict[str, Any]) -> None:
        stopped = summary.get("stopped")
        reasons = ", ".join(sorted(summary["failed_by_reason"])) or "none"
        detail = f"; stopped: {stopped['message']}" if stopped else ""
        super().__init__(
            f"no track settled of {summary['pending_before']} pending (failures: {reasons}){detail}"
        )
        self.summary = summary


def _handle_enrich(
    event: Any, context: Any, environ: Mapping[str, str], *, namespace: str, service: str
) -> dict[str, Any]:
    from extract_lambda.enrich import (
        ENRICH_RESERVE_S,
        EnrichSettings,
        emit_enrich_metrics,
        enrich_tracks,
        made_progress,
    )
    from extract_lambda.enrich_state import S3RawStore

    secret_id = environ.get("SPOTIFY_SECRET_ID", "").strip()
    bucket = environ.get("RAW_BUCKET", "").strip()
    if not secret_id or not bucket:
        raise ConfigError("SPOTIFY_SECRET_ID and RAW_BUCKET must be set")
    references = event.get("track_ids") or []
    if isinstance(references, str):
        references = split_playlist_ids(references)
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise ConfigError("event track_ids must be a list of track id strings")
    settings = EnrichSettings.from_env(environ)
    credentials = load_credentials(secret_id)
    config = ExtractConfig.from_env(environ, credentials=credentials)
    kms_key_id = environ.get("RAW_KMS_KEY_ID", "").strip() or None
    store = S3RawStore(bucket, client=_client("s3"), kms_key_id=kms_key_id)
    store.check_client()
    sink = S3Sink(bucket, settings.tracks_prefix, kms_key_id=kms_key_id, client=_client("s3"))
    if hasattr(context, "get_remaining_time_in_millis"):
        deadline = Deadline.from_lambda_context(context, reserve_s=ENRICH_RESERVE_S)
    else:
        deadline = Deadline()
    summary = enrich_tracks(
        config,
        store,
        sink,
        settings=settings,
        references=references,
        deadline=deadline,
        run_id=getattr(context, "aws_request_id", None),
    )
    if (summary.get("stopped") or {}).get("reason") == "auth_failed":
        forget_credentials(secret_id)
    emit_enrich_metrics(summary, namespace=namespace, service=service)
    log.info("summary", extra={"summary": summary})
    if not made_progress(summary):
        raise EnrichmentFailed(summary)
    return summary


def _handle(
    event: Any, context: Any, environ: Mapping[str, str], *, namespace: str, service: str
) -> dict[str, Any]:
    secret_id = environ.get("SPOTIFY_SECRET_ID", "").strip()
    bucket = environ.get("RAW_BUCKET", "").strip()
    if not secret_id or not bucket:
        raise ConfigError("SPOTIFY_SECRET_ID and RAW_BUCKET must be set")
    playlist_ids = playlist_ids_for(event, environ)
    credentials = load_credentials(secret_id)
    config = ExtractConfig.from_env(environ, credentials=credentials)
    sink = S3Sink(
        bucket,
        environ.get("RAW_PREFIX", "").strip() or DEFAULT_RAW_PREFIX,
        kms_key_id=environ.get("RAW_KMS_KEY_ID", "").strip() or None,
        client=_client("s3"),
    )
    sink.check_client()
    # Without a real context (a local invocation) there is no time limit to respect.
    if hasattr(context, "get_remaining_time_in_millis"):
        deadline = Deadline.from_lambda_context(context, reserve_s=RESERVE_S)
    else:
        deadline = Deadline()
    summary = extract_playlists(config, playlist_ids, sink, deadline=deadline)
    if (summary.get("stopped") or {}).get("reason") == "auth_failed":
        forget_credentials(secret_id)  # perhaps rotated: read it again next time
    emit_run_metrics(summary, namespace=namespace, service=service)
    log.info("summary", extra={"summary": summary})
    if not summary["playlists_ok"]:
        raise ExtractionFailed(summary)
    return summary
