"""The extractor's second task: describe charted tracks through ``GET /tracks/{id}``.

Chart files name a track by its id and give its artists as one string of names; the Web
API describes it fully (album, release date, every artist with an id, ISRC, duration). This
task takes the ids the lake does not describe yet from a persistent queue
(``extract_lambda.enrich_state``), fetches each with ``GET /tracks/{id}``, **one id per
request** (the several-tracks endpoint answers 403 to development-mode apps, and spotipy's
``tracks()`` calls it), and lands each answer raw and immutable as a track document
(docs/track-documents.md).

Catalogue look-ups need no user, so the task always uses a client-credentials token: it
keeps working when the user's refresh token (playlists) has expired. Everything else is the
playlist task's: the same client with bounded, deadline-aware retries, 429 and quota
handling, a concurrency limit, secrets never logged, and the same run summary style.

Entry points: :func:`enrich_tracks` (Python), ``python -m extract_lambda.enrich`` (command
line, below), and the Lambda handler with the event ``{"task": "enrich"}``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import random
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from extract_lambda.config import ConfigError, Credentials, ExtractConfig
from extract_lambda.enrich_state import (
    Delta,
    LocalRawStore,
    RawStore,
    S3RawStore,
    State,
    StateConflict,
    landed_ids,
    parse_track_reference,
    read_work_list,
)
from extract_lambda.logsafe import log_to_stderr, protect_logs, redact
from extract_lambda.retry import Deadline
from extract_lambda.spotify_client import (
    ExtractError,
    PlaylistFailed,
    RunStopped,
    SpotifyClient,
    Stats,
)
from extract_lambda.storage import (
    S3_WRITE_BOUND_S,
    LocalDirectorySink,
    S3Sink,
    Sink,
    SnapshotExists,
    WriteConflict,
    as_utc,
    encode_document,
    iso_timestamp,
    utc_now,
)

log = logging.getLogger("extract_lambda.enrich")

CONTRACT_VERSION = 1
ENDPOINT = "/tracks/{id}"
DEFAULT_TRACKS_PREFIX = "tracks"
DEFAULT_ENRICH_PREFIX = "enrichment"
DEFAULT_MAX_TRACKS = 1000
DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_ATTEMPTS_PER_ID = 5
DEFAULT_CHECKPOINT_EVERY = 100
# Kept free at the end of a Lambda invocation (handler): a request in flight (connect and
# read timeouts), the last track document's write and the state's write (each bounded by
# S3_WRITE_BOUND_S), then the summary.
ENRICH_RESERVE_S = 2 * ExtractConfig.request_timeout_s + 2 * S3_WRITE_BOUND_S + 2.0
# Failure lists in the summary stop at this length (the counts by reason are complete).
SUMMARY_LIST_MAX = 200

# Answers that will not change however often the id is asked again: the id is given up at
# once. Everything else an id can fail with (5xx, timeouts, dropped connections, bodies that
# are no track) counts one attempt, and the id is given up after max_attempts_per_id runs.
FINAL_REASONS = frozenset({"not_found", "bad_request"})


@dataclass(frozen=True)
class EnrichSettings:
    """The task's own settings (the API, retries and credentials are the ExtractConfig's).

    Attributes:
        tracks_prefix: where track documents land, under the raw root (TRACKS_PREFIX).
        enrich_prefix: the state object and the work-list folder ``todo/`` (ENRICH_PREFIX).
        max_tracks: ids fetched at most per run (ENRICH_MAX_TRACKS); the deadline may stop
            a run sooner. A backfill spreads over as many runs as it needs.
        concurrency: requests in flight at once (ENRICH_CONCURRENCY); a 429 pauses them all.
        max_attempts_per_id: runs in which an id may fail for a passing reason before it is
            given up (never retried forever).
        checkpoint_every: the state is saved after this many ids are settled, so a run that
            is killed loses little (its landed documents are found in place next time).
    """

    tracks_prefix: str = DEFAULT_TRACKS_PREFIX
    enrich_prefix: str = DEFAULT_ENRICH_PREFIX
    max_tracks: int = DEFAULT_MAX_TRACKS
    concurrency: int = DEFAULT_CONCURRENCY
    max_attempts_per_id: int = DEFAULT_MAX_ATTEMPTS_PER_ID
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY

    def __post_init__(self) -> None:
        for name in ("tracks_prefix", "enrich_prefix"):
            value = getattr(self, name).strip("/")
            if not value or not all(part.isidentifier() for part in value.split("/")):
                raise ConfigError(f"{name} must be a plain key prefix like 'tracks'")
            object.__setattr__(self, name, value)
        if self.max_tracks < 0 or not 1 <= self.concurrency <= 64:
            raise ConfigError("ENRICH_MAX_TRACKS must be >= 0, ENRICH_CONCURRENCY 1..64")
        if self.max_attempts_per_id < 1 or self.checkpoint_every < 1:
            raise ConfigError("max_attempts_per_id and checkpoint_every must be >= 1")

    @property
    def state_key(self) -> str:
        return f"{self.enrich_prefix}/state.json.gz"

    @property
    def todo_prefix(self) -> str:
        return f"{self.enrich_prefix}/todo/"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EnrichSettings:
        def number(name: str, default: int) -> int:
            text = (environ.get(name) or "").strip()
            try:
                return int(text) if text else default
            except ValueError:
                raise ConfigError(f"{name} must be an integer, not {text!r}") from None

        return cls(
            tracks_prefix=(environ.get("TRACKS_PREFIX") or "").strip() or DEFAULT_TRACKS_PREFIX,
            enrich_prefix=(environ.get("ENRICH_PREFIX") or "").strip() or DEFAULT_ENRICH_PREFIX,
            max_tracks=number("ENRICH_MAX_TRACKS", DEFAULT_MAX_TRACKS),
            concurrency=number("ENRICH_CONCURRENCY", DEFAULT_CONCURRENCY),
        )


def app_only(config: ExtractConfig) -> ExtractConfig:
    """The same configuration with client credentials only: catalogue look-ups need no user,
    so an expired refresh token (6 months after consent) cannot stop them."""
    credentials = config.credentials
    return dataclasses.replace(
        config, credentials=Credentials(credentials.client_id, credentials.client_secret, None)
    )


class TrackClient(SpotifyClient):
    """The extractor's client with one more call: ``GET /tracks/{id}`` via spotipy's
    ``track()`` (never ``tracks()``: it calls the several-tracks endpoint)."""

    def track(self, track_id: str) -> dict[str, Any]:
        return self._call(
            f"reading track {track_id}",
            lambda: self._sp.track(track_id, market=self.config.market),
        )


def track_key(prefix: str, track_id: str, fetched_at: datetime) -> str:
    """``<prefix>/fetched_date=YYYY-MM-DD/<track_id>.json.gz``: one document per id and day."""
    moment = as_utc(fetched_at)
    parts = [prefix.strip("/"), f"fetched_date={moment.date().isoformat()}", f"{track_id}.json.gz"]
    return "/".join(part for part in parts if part)


def build_track_document(
    config: ExtractConfig, track_id: str, body: dict[str, Any], extracted_at: datetime, run_id: str
) -> dict[str, Any]:
    """The raw track document of docs/track-documents.md: the API's body as it was sent."""
    moment = as_utc(extracted_at)
    return {
        "contract_version": CONTRACT_VERSION,
        "track_id": track_id,
        "extracted_at": iso_timestamp(moment),
        "fetched_date": moment.date().isoformat(),
        "request": {
            "api_url": config.api_url,
            "endpoint": ENDPOINT,
            "market": config.market,
            "auth_mode": config.auth_mode,
            "run_id": run_id,
        },
        "track": body,
    }


def isrc_of(body: Mapping[str, Any]) -> str | None:
    external = body.get("external_ids")
    isrc = external.get("isrc") if isinstance(external, dict) else None
    return isrc if isinstance(isrc, str) and isrc.strip() else None


@dataclass
class _Outcome:
    track_id: str
    kind: str  # "landed", "already_landed", "failed", "stopped"
    key: str | None = None
    location: str | None = None
    bytes: int = 0
    has_isrc: bool = True
    reason: str | None = None
    status: int | None = None
    message: str = ""
    error: ExtractError | None = None


@dataclass
class _Run:
    """Counters and lists of one run (only the coordinating thread touches them)."""

    run_id: str
    started_at: str
    destination: str
    state_location: str
    todo_objects: int = 0
    references: int = 0
    added: int = 0
    already_known: int = 0
    pending_before: int = 0
    pending_after: int = 0
    attempted: int = 0
    landed: int = 0
    without_isrc: int = 0
    already_landed: int = 0
    given_up: int = 0
    bytes: int = 0
    checkpoints: int = 0
    keys: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    by_reason: Counter = field(default_factory=Counter)
    stopped: dict[str, str] | None = None

    def fail(
        self,
        reference: str,
        reason: str,
        message: str,
        *,
        status: int | None = None,
        final: bool,
    ) -> None:
        self.by_reason[reason] += 1
        if len(self.failures) < SUMMARY_LIST_MAX:
            self.failures.append(
                {
                    "track_id": reference,
                    "reason": reason,
                    "status": status,
                    "final": final,
                    "message": message,
                }
            )

    def as_dict(self, client: SpotifyClient | None, auth_mode: str) -> dict[str, Any]:
        return {
            "task": "enrich",
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": iso_timestamp(utc_now()),
            "auth_mode": auth_mode,
            "destination": self.destination,
            "state": self.state_location,
            "intake": {
                "todo_objects": self.todo_objects,
                "references": self.references,
                "added": self.added,
                "already_known": self.already_known,
            },
            "pending_before": self.pending_before,
            "pending_after": self.pending_after,
            "tracks_attempted": self.attempted,
            "tracks_landed": self.landed,
            "tracks_without_isrc": self.without_isrc,
            "tracks_already_landed": self.already_landed,
            "tracks_failed": sum(self.by_reason.values()),
            "tracks_given_up": self.given_up,
            "failed_by_reason": dict(sorted(self.by_reason.items())),
            "failures": list(self.failures),
            "failures_truncated": sum(self.by_reason.values()) > len(self.failures),
            "bytes": self.bytes,
            "keys": list(self.keys),
            "keys_truncated": self.landed > len(self.keys),
            "checkpoints": self.checkpoints,
            **(client.stats if client else Stats()).as_summary(),
            "stopped": self.stopped,
        }


class _Ledger:
    """The state as last read or written, and the run's changes since (thread-confined)."""

    def __init__(self, store: RawStore, settings: EnrichSettings, run: _Run) -> None:
        self.store = store
        self.settings = settings
        self.run = run
        self.delta = Delta()
        self.state, self.version = self._read()

    def _read(self) -> tuple[State, str | None]:
        found = self.store.get(self.settings.state_key)
        if found is None:
            # First run, or the state was removed: what is landed is what the lake holds.
            landed = landed_ids(self.store, self.settings.tracks_prefix)
            if landed:
                log.info(
                    "no enrichment state: rebuilt from %d landed track documents",
                    len(landed),
                    extra={"landed": len(landed)},
                )
            return State(landed=landed), None
        body, version = found
        return State.from_bytes(body, self.store.describe(self.settings.state_key)), version

    def save(self, *, attempts: int = 5) -> None:
        """Apply the run's changes to the state as it is now and write it conditionally."""
        if not self.delta and self.version is not None:
            return
        for _ in range(attempts):
            new = self.state.apply(self.delta)
            body = new.to_bytes(iso_timestamp(utc_now()))
            try:
                version = self.store.put_if(self.settings.state_key, body, self.version)
            except StateConflict:
                log.warning("enrichment state changed by another run; merging and saving again")
                self.state, self.version = self._read()
                continue
            self.state, self.version = new, version
            self.delta = Delta()
            self.run.checkpoints += 1
            return
        raise StateConflict(f"could not save {self.settings.state_key}: {attempts} conflicts")


def enrich_tracks(
    config: ExtractConfig,
    store: RawStore,
    sink: Sink,
    *,
    settings: EnrichSettings | None = None,
    references: Iterable[str] = (),
    clock: Callable[[], datetime] | None = None,
    deadline: Deadline | None = None,
    rng: random.Random | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """One enrichment run; returns its summary (docs/track-documents.md).

    Args:
        config: the API, retries and credentials; only the client id and secret are used
            (client credentials), whatever refresh token it holds.
        store: the raw root holding the state and the work lists (:class:`LocalRawStore`,
            :class:`S3RawStore`).
        sink: where track documents land; its ``prefix`` is ``settings.tracks_prefix``
            (S3) or its root is ``<raw root>/<tracks_prefix>`` (a directory).
        references: more track ids, URIs or URLs to queue (the event's ``track_ids``, the
            command line's, the curated chart's).
        clock: stamps ``extracted_at`` (default: now, UTC).
        deadline: bounds every wait and request (the handler's keeps time for the writes).
        rng: jitter source (tests pass a seeded one).
        run_id: recorded in every document's ``request.run_id`` (default: a new uuid; the
            handler passes the Lambda request id).
    """
    settings = settings or EnrichSettings()
    clock = clock or utc_now
    deadline = deadline or Deadline()
    protect_logs(config.credentials.secret_values())
    config = app_only(config)
    run = _Run(
        run_id=run_id or uuid.uuid4().hex,
        started_at=iso_timestamp(utc_now()),
        destination=sink.describe(),
        state_location=store.describe(settings.state_key),
    )
    ledger = _Ledger(store, settings, run)
    _intake(ledger, references)
    ledger.save()  # the work lists read and the ids they add, in one write
    run.pending_before = len(ledger.state.pending)
    batch = ledger.state.pending[: settings.max_tracks]
    client: TrackClient | None = None
    if batch:
        with TrackClient(config, deadline, rng=rng) as client:
            try:
                _fetch_all(config, client, batch, sink, clock, ledger)
            finally:
                ledger.save()
    run.pending_after = len(ledger.state.pending)
    summary = run.as_dict(client, config.auth_mode)
    log.info(
        "enrichment finished",
        extra={
            "tracks_landed": run.landed,
            "tracks_without_isrc": run.without_isrc,
            "tracks_failed": summary["tracks_failed"],
            "pending_after": run.pending_after,
            "requests": summary["requests"],
            "stopped": run.stopped["reason"] if run.stopped else None,
        },
    )
    return summary


def _intake(ledger: _Ledger, references: Iterable[str]) -> None:
    """Queue the new ids of the unread work-list objects and of `references`; count and log
    what is no track id (never queued, so never retried)."""
    run, settings = ledger.run, ledger.settings
    known = ledger.state.known_ids()
    sources: list[tuple[str, Iterable[str]]] = []
    for key in ledger.store.list_keys(settings.todo_prefix):
        if key in ledger.state.todo_consumed or key.endswith("/"):
            continue
        found = ledger.store.get(key)
        if found is None:
            continue
        try:
            lines = read_work_list(found[0], key)
        except (OSError, EOFError, UnicodeDecodeError) as error:
            run.fail(key, "unreadable_work_list", f"{key}: {error}", final=True)
            log.error("work list %s unreadable: %s", key, error, extra={"key": key})
            lines = []
        run.todo_objects += 1
        ledger.delta.consumed.add(key)
        sources.append((key, lines))
    sources.append(("the request", references))
    for source, lines in sources:
        for reference in lines:
            run.references += 1
            track_id, reason = parse_track_reference(reference)
            if track_id is None:
                shown = str(reference)[:80]
                message = (
                    f"{shown!r} from {source} is a local file: the API does not know it"
                    if reason == "local_file"
                    else f"{shown!r} from {source} is not a track id, spotify:track: URI or URL"
                )
                run.fail(shown, reason, message, final=True)
                log.warning(message, extra={"track_id": shown, "reason": reason})
                continue
            if track_id in known:
                run.already_known += 1
                continue
            known.add(track_id)
            ledger.delta.added.append(track_id)
            run.added += 1


def _fetch_all(
    config: ExtractConfig,
    client: TrackClient,
    batch: list[str],
    sink: Sink,
    clock: Callable[[], datetime],
    ledger: _Ledger,
) -> None:
    run, settings = ledger.run, ledger.settings
    try:
        client.authenticate()
    except ExtractError as error:
        _stop(run, error)
        return
    attempts = ledger.state.attempts
    settled = 0
    work = iter(batch)
    stop = threading.Event()
    with ThreadPoolExecutor(settings.concurrency, thread_name_prefix="track") as pool:
        running: dict[Future, str] = {}

        def submit_next() -> None:
            if stop.is_set():
                return
            track_id = next(work, None)
            if track_id is not None:
                running[
                    pool.submit(_fetch_one, config, client, track_id, sink, clock, run.run_id)
                ] = track_id

        for _ in range(settings.concurrency):
            submit_next()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                track_id = running.pop(future)
                outcome = future.result()
                if outcome.kind == "stopped":
                    stop.set()
                    if run.stopped is None and outcome.error is not None:
                        _stop(run, outcome.error)
                    continue
                run.attempted += 1
                _settle(run, ledger, outcome, attempts.get(track_id, 0))
                settled += 1
                if settled % settings.checkpoint_every == 0:
                    ledger.save()
                submit_next()


def _fetch_one(
    config: ExtractConfig,
    client: TrackClient,
    track_id: str,
    sink: Sink,
    clock: Callable[[], datetime],
    run_id: str,
) -> _Outcome:
    """Fetch and land one track; never raises (every end is an outcome)."""
    try:
        body = client.track(track_id)
        if body.get("type", "track") != "track" or not isinstance(body.get("id"), str):
            raise PlaylistFailed("bad_response", f"the answer for track {track_id} is no track")
        extracted_at = as_utc(clock())
        key = track_key(sink.prefix, track_id, extracted_at)
        document = build_track_document(config, track_id, body, extracted_at, run_id)
        encoded = encode_document(document)
        location = sink.write(key, encoded)
    except RunStopped as error:
        return _Outcome(track_id, "stopped", error=error, reason=error.reason)
    except PlaylistFailed as error:
        if error.reason == "forbidden":
            # One track id cannot be forbidden: the app is (a revoked or restricted app).
            stopped = RunStopped("forbidden", error.message, error.status)
            return _Outcome(track_id, "stopped", error=stopped, reason="forbidden")
        return _Outcome(
            track_id, "failed", reason=error.reason, status=error.status, message=error.message
        )
    except SnapshotExists:
        return _Outcome(track_id, "already_landed")
    except WriteConflict as error:
        return _Outcome(track_id, "failed", reason="write_failed", message=str(error))
    except Exception as error:  # a sink or encoding failure must not hide the others
        log.exception("track %s not landed: unexpected error", track_id)
        return _Outcome(
            track_id,
            "failed",
            reason="write_failed",
            message=redact(f"{type(error).__name__}: {error}"),
        )
    return _Outcome(
        track_id,
        "landed",
        key=key,
        location=location,
        bytes=len(encoded),
        has_isrc=isrc_of(body) is not None,
    )


def _settle(run: _Run, ledger: _Ledger, outcome: _Outcome, attempts_before: int) -> None:
    track_id = outcome.track_id
    if outcome.kind in ("landed", "already_landed"):
        ledger.delta.landed.add(track_id)
        if outcome.kind == "already_landed":
            run.already_landed += 1
            log.info(
                "track %s was already landed today: not replaced",
                track_id,
                extra={"track_id": track_id},
            )
            return
        run.landed += 1
        run.bytes += outcome.bytes
        if len(run.keys) < SUMMARY_LIST_MAX:
            run.keys.append(outcome.key or "")
        fields = {"track_id": track_id, "key": outcome.key, "bytes": outcome.bytes}
        if not outcome.has_isrc:
            run.without_isrc += 1
            log.warning(
                "track %s landed without an ISRC (it still describes the track)",
                track_id,
                extra={**fields, "reason": "no_isrc"},
            )
        else:
            log.info("track landed", extra=fields)
        return
    reason = outcome.reason or "failed"
    tries = attempts_before + 1
    final = reason in FINAL_REASONS or tries >= ledger.settings.max_attempts_per_id
    if final:
        ledger.delta.gone[track_id] = {
            "reason": reason,
            "status": outcome.status,
            "attempts": tries,
            "at": iso_timestamp(utc_now()),
        }
        run.given_up += 1
    else:
        ledger.delta.failed_attempts[track_id] = 1
    message = outcome.message
    if reason == "not_found":
        message = f"{message} - removed from the catalogue, or an id that never existed"
    run.fail(track_id, reason, message, status=outcome.status, final=final)
    log.error(
        "track %s %s (%s): %s",
        track_id,
        "given up" if final else f"failed, attempt {tries}",
        reason,
        message,
        extra={"track_id": track_id, "reason": reason, "status": outcome.status, "final": final},
    )


def _stop(run: _Run, error: ExtractError) -> None:
    run.stopped = {"reason": error.reason, "message": error.message}
    log.error(
        "enrichment stopped (%s): %s",
        error.reason,
        error.message,
        extra={"reason": error.reason, "status": error.status},
    )


# -- metrics ---------------------------------------------------------------------------------


def emit_enrich_metrics(summary: Mapping[str, Any], *, namespace: str, service: str) -> None:
    """The run's metrics as EMF on stdout (names: ``glue_jobs.metric_names``): one document with
    the totals, one per failure reason (dimension ``Reason``)."""
    from extract_lambda.observability import emit_counts
    from glue_jobs import metric_names as E

    emit_counts(
        {
            E.TRACKS_LANDED: summary["tracks_landed"],
            E.TRACKS_WITHOUT_ISRC: summary["tracks_without_isrc"],
            E.TRACKS_FAILED: summary["tracks_failed"],
            E.TRACKS_PENDING: summary["pending_after"],
            E.ENRICH_RUNS: 1,
        },
        (E.TRACKS_FAILED_BY_REASON, E.TRACKS_FAILED_REASON_DIMENSION),
        summary["failed_by_reason"],
        namespace=namespace,
        service=service,
    )


def made_progress(summary: Mapping[str, Any]) -> bool:
    """False when there was work and the run settled none of it (the handler then raises)."""
    if not summary["pending_before"]:
        return True
    settled = (
        summary["tracks_landed"] + summary["tracks_already_landed"] + summary["tracks_given_up"]
    )
    return settled > 0


# -- command line ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m extract_lambda.enrich",
        description="Describe charted tracks through GET /tracks/{id} (docs/track-documents.md).",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--lake",
        help="a local lake folder: raw root <lake>/raw (work lists in its enrichment/todo/)",
    )
    where.add_argument("--raw", help="the raw root: a directory, or s3://bucket[/prefix]")
    parser.add_argument("--todo", action="append", default=[], help="a work-list file to queue")
    parser.add_argument("--max-tracks", type=int, default=None, help="ids fetched at most")
    parser.add_argument("--concurrency", type=int, default=None, help="requests in flight")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds the run may take")
    parser.add_argument("--kms-key-id", default=None, help="SSE-KMS key for s3:// (else AES256)")
    parser.add_argument("track_ids", nargs="*", help="more ids, spotify:track: URIs or URLs")
    return parser


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Exit status: 0 when the run made progress (or had nothing to do), 1 when it had work
    and settled none of it, 2 for a usage or configuration error."""
    args = build_parser().parse_args(argv)
    environ = dict(os.environ if environ is None else environ)
    log_to_stderr()
    try:
        config = ExtractConfig.from_env(environ)
        settings = EnrichSettings.from_env(environ)
        overrides = {
            name: value
            for name, value in (
                ("max_tracks", args.max_tracks),
                ("concurrency", args.concurrency),
            )
            if value is not None
        }
        settings = dataclasses.replace(settings, **overrides)
        kms = args.kms_key_id or environ.get("RAW_KMS_KEY_ID") or None
        store, sink = raw_root(args.raw or str(Path(args.lake) / "raw"), settings, kms_key_id=kms)
        references: list[str] = list(args.track_ids)
        for path in args.todo:
            references.extend(read_work_list(Path(path).read_bytes(), path))
    except (ConfigError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    deadline = Deadline(args.time_limit) if args.time_limit else Deadline()
    summary = enrich_tracks(
        config, store, sink, settings=settings, references=references, deadline=deadline
    )
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0 if made_progress(summary) else 1


def raw_root(
    raw: str, settings: EnrichSettings, *, kms_key_id: str | None = None, s3_client: Any = None
) -> tuple[RawStore, Sink]:
    """The store and the track sink of a raw root: a directory or ``s3://bucket[/prefix]``."""
    if raw.startswith("s3://"):
        bucket, _, root = raw[len("s3://") :].partition("/")
        if s3_client is None:
            import boto3

            s3_client = boto3.client("s3")
        root = root.strip("/")
        prefix = f"{root}/{settings.tracks_prefix}" if root else settings.tracks_prefix
        store = S3RawStore(bucket, root, client=s3_client, kms_key_id=kms_key_id)
        return store, S3Sink(bucket, prefix, kms_key_id=kms_key_id, client=s3_client)
    if "://" in raw:
        raise ValueError(f"the raw root must be a directory or s3://bucket/prefix, not {raw!r}")
    return LocalRawStore(raw), LocalDirectorySink(Path(raw) / settings.tracks_prefix)


if __name__ == "__main__":
    sys.exit(main())
