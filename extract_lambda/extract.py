"""Extract playlists into complete raw snapshot documents and land them: the extractor's core.

The Lambda handler, the command line, the demo and the benchmark all call
:func:`extract_playlists`. One playlist at a time: its metadata, then every page of its
entries (concurrently by offset once the first page gives the total, or by following
``next`` when ``max_concurrency`` is 1), then a check that the snapshot is complete and
consistent, then one write. A playlist that cannot be read completely is reported with a
reason and nothing is landed for it; the other playlists go on unless the whole run has to
stop (quota spent, rate limited past the deadline, credentials refused, out of time).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from extract_lambda.config import ExtractConfig, InvalidPlaylistId, normalize_playlist_id
from extract_lambda.logsafe import protect_logs, redact
from extract_lambda.retry import Deadline
from extract_lambda.spotify_client import (
    ITEMS,
    PLAYLIST_FIELDS,
    TRACKS,
    ApiShape,
    ExtractError,
    PlaylistFailed,
    RunStopped,
    SpotifyClient,
    Stats,
)
from extract_lambda.storage import (
    Sink,
    SnapshotExists,
    WriteConflict,
    as_utc,
    encode_document,
    iso_timestamp,
    snapshot_key,
    utc_now,
)

log = logging.getLogger(__name__)

CONTRACT_VERSION = 1

# The fields of a PlaylistTrackObject the contract names (docs/data-contract.md section 2;
# the same tuple as glue_jobs.schemas.ENTRY_FIELDS, which imports Spark: a test keeps them
# equal). An element of a page's ``items`` with none of them is no entry.
ENTRY_FIELDS = ("added_at", "added_by", "is_local", "item", "track")


def is_malformed_entry(entry: Any) -> bool:
    """True for an element of a page's ``items`` that is no PlaylistTrackObject: null, not an
    object (a string, a number, a list), or an object with none of ``ENTRY_FIELDS``. It is
    landed as sent; the Glue job counts it as ``malformed_entry``."""
    return not isinstance(entry, dict) or all(entry.get(f) is None for f in ENTRY_FIELDS)


# What a user should check for each permanent failure (the log line and the summary say it).
LIKELY_CAUSE = {
    "not_found": (
        "likely a Spotify-owned editorial or algorithmic playlist (apps without extended "
        "quota get 404 for those since 2024-11-27), or a wrong id"
    ),
    "forbidden": (
        "likely not owned by the authorising user: development-mode apps read the items of "
        "playlists the user owns or collaborates on only (since 2026-03-09)"
    ),
}
# With an app token there is no authorising user: a 403 means the app lacks extended quota.
LIKELY_CAUSE_APP_TOKEN = {
    "forbidden": (
        "likely a development-mode app without a user: with client credentials only apps "
        "with extended quota read playlist items (since 2026-03-09); store a user's refresh "
        "token in the secret (`make spotify-auth`)"
    ),
}


@dataclass
class Snapshot:
    """One playlist read completely."""

    playlist_id: str
    shape: ApiShape
    metadata: dict[str, Any]
    entries: list[Any]
    pages: int

    @property
    def malformed(self) -> int:
        """How many entries are landed as sent but are no PlaylistTrackObject."""
        return sum(1 for entry in self.entries if is_malformed_entry(entry))


@dataclass
class RunSummary:
    """What a run did; :meth:`as_dict` is the handler's return value."""

    auth_mode: str
    destination: str
    started_at: str
    requested: int = 0
    ok: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    stopped: dict[str, str] | None = None

    def as_dict(self, client: SpotifyClient | None, finished_at: str) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "finished_at": finished_at,
            "auth_mode": self.auth_mode,
            "destination": self.destination,
            "playlists_requested": self.requested,
            "playlists_ok": [item["playlist_id"] for item in self.ok],
            "playlists_failed": list(self.failed),
            "items": sum(item["items"] for item in self.ok),
            "entries_malformed": sum(item["entries_malformed"] for item in self.ok),
            "bytes": sum(item["bytes"] for item in self.ok),
            "keys": [item["key"] for item in self.ok],
            "snapshots": list(self.ok),
            **(client.stats if client else Stats()).as_summary(),
            "stopped": self.stopped,
        }

    def fail(self, playlist_id: str, reason: str, message: str, status: int | None = None) -> None:
        self.failed.append(
            {"playlist_id": playlist_id, "reason": reason, "status": status, "message": message}
        )


def extract_playlists(
    config: ExtractConfig,
    playlist_ids: Iterable[str],
    sink: Sink,
    *,
    clock: Callable[[], datetime] | None = None,
    deadline: Deadline | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Extract each playlist to one complete snapshot in `sink`; return the run summary.

    Args:
        config: API URLs, credentials, market, concurrency, retry settings.
        playlist_ids: ids, ``spotify:playlist:`` URIs or open.spotify.com URLs; duplicates
            are extracted once; invalid ones are reported as failed (``invalid_id``).
        sink: :class:`~extract_lambda.storage.S3Sink` or
            :class:`~extract_lambda.storage.LocalDirectorySink` (or anything with ``prefix``,
            ``write(key, body)`` and ``describe()``).
        clock: returns the aware datetime stamped as ``extracted_at`` when a playlist has been
            read (default: now in UTC); the demo passes simulated times.
        deadline: bounds every retry and wait (default: unbounded); the handler builds it from
            the Lambda context.
        rng: the jitter source (tests pass a seeded one).

    Returns:
        The summary: ``playlists_ok`` (ids), ``playlists_failed`` (``playlist_id``, ``reason``,
        ``status``, ``message``), ``items``, ``bytes``, ``keys``, ``snapshots`` (per playlist:
        ``playlist_id``, ``key``, ``location``, ``items``, ``pages``, ``bytes``,
        ``api_shape``, ``snapshot_id``, ``extracted_at``), ``requests``, ``retries``,
        ``waited_s``, ``stopped`` (None, or the reason and message that ended the run
        early), ``auth_mode``, ``destination``, ``started_at``, ``finished_at``,
        ``playlists_requested``.
    """
    clock = clock or utc_now
    deadline = deadline or Deadline()
    protect_logs(config.credentials.secret_values())
    summary = RunSummary(
        auth_mode=config.auth_mode,
        destination=sink.describe(),
        started_at=iso_timestamp(utc_now()),
    )
    ids = _unique_ids(playlist_ids, summary)
    client: SpotifyClient | None = None
    if ids:
        with SpotifyClient(config, deadline, rng=rng) as client:
            _run(config, client, ids, sink, clock, summary)
    result = summary.as_dict(client, iso_timestamp(utc_now()))
    log.info(
        "extraction finished",
        extra={
            "playlists_ok": len(result["playlists_ok"]),
            "playlists_failed": len(result["playlists_failed"]),
            "items": result["items"],
            "entries_malformed": result["entries_malformed"],
            "bytes": result["bytes"],
            "requests": result["requests"],
            "retries": result["retries"],
            "stopped": summary.stopped["reason"] if summary.stopped else None,
        },
    )
    return result


def _unique_ids(references: Iterable[str], summary: RunSummary) -> list[str]:
    ids: list[str] = []
    for reference in references:
        summary.requested += 1
        try:
            playlist_id = normalize_playlist_id(reference)
        except InvalidPlaylistId as error:
            log.error(
                "playlist %r skipped: %s",
                str(reference)[:80],
                error,
                extra={"playlist_id": str(reference)[:80], "reason": "invalid_id"},
            )
            summary.fail(str(reference)[:80], "invalid_id", str(error))
            continue
        if playlist_id in ids:
            log.info(
                "playlist %s requested twice: extracted once",
                playlist_id,
                extra={"playlist_id": playlist_id},
            )
            summary.requested -= 1
            continue
        ids.append(playlist_id)
    return ids


def _run(
    config: ExtractConfig,
    client: SpotifyClient,
    ids: list[str],
    sink: Sink,
    clock: Callable[[], datetime],
    summary: RunSummary,
) -> None:
    try:
        client.authenticate()
    except ExtractError as error:
        _stop(summary, ids, error)
        return
    shape = _initial_shape(config)
    with ThreadPoolExecutor(config.max_concurrency, thread_name_prefix="page") as pool:
        for index, playlist_id in enumerate(ids):
            started = time.monotonic()
            try:
                snapshot, shape = _read_playlist(config, client, pool, playlist_id, shape)
                extracted_at = as_utc(clock())
                document = build_document(config, snapshot, extracted_at)
                body = encode_document(document)
                key = snapshot_key(sink.prefix, playlist_id, extracted_at)
                location = sink.write(key, body)
            except RunStopped as error:
                _stop(summary, ids[index:], error)
                return
            except ExtractError as error:
                _report_failure(summary, playlist_id, error)
                continue
            except (SnapshotExists, WriteConflict) as error:
                reason = "already_exists" if isinstance(error, SnapshotExists) else "write_failed"
                log.error(
                    "playlist %s not landed: %s",
                    playlist_id,
                    error,
                    extra={"playlist_id": playlist_id, "reason": reason},
                )
                summary.fail(playlist_id, reason, str(error))
                continue
            except Exception as error:  # a sink or encoding failure must not hide the others
                log.exception(
                    "playlist %s not landed: unexpected error",
                    playlist_id,
                    extra={"playlist_id": playlist_id, "reason": "write_failed"},
                )
                summary.fail(
                    playlist_id, "write_failed", redact(f"{type(error).__name__}: {error}")
                )
                continue
            malformed = snapshot.malformed
            summary.ok.append(
                {
                    "playlist_id": playlist_id,
                    "key": key,
                    "location": location,
                    "items": len(snapshot.entries),
                    "entries_malformed": malformed,
                    "pages": snapshot.pages,
                    "bytes": len(body),
                    "api_shape": snapshot.shape.name,
                    "snapshot_id": snapshot.metadata.get("snapshot_id"),
                    "extracted_at": document["extracted_at"],
                }
            )
            fields = {
                "playlist_id": playlist_id,
                "items": len(snapshot.entries),
                "entries_malformed": malformed,
                "pages": snapshot.pages,
                "endpoint": snapshot.shape.endpoint,
                "bytes": len(body),
                "key": key,  # not "location": powertools' own field (module:line)
                "duration_s": round(time.monotonic() - started, 3),
            }
            log.info("playlist landed", extra=fields)
            if malformed:
                # Landed as the API sent them; the Glue job counts them as malformed_entry.
                log.warning(
                    "playlist %s landed with %d malformed entries (null, not an object, or "
                    "without any entry field)",
                    playlist_id,
                    malformed,
                    extra=fields,
                )


def _initial_shape(config: ExtractConfig) -> ApiShape:
    if config.api_shape == "tracks":
        return TRACKS
    if config.api_shape == "auto" and config.auth_mode == "client_credentials":
        return TRACKS  # client credentials means an extended-quota app: pages of 100
    return ITEMS


def _report_failure(summary: RunSummary, playlist_id: str, error: ExtractError) -> None:
    causes = LIKELY_CAUSE_APP_TOKEN if summary.auth_mode == "client_credentials" else {}
    cause = causes.get(error.reason) or LIKELY_CAUSE.get(error.reason)
    message = f"{error.message} - {cause}" if cause else error.message
    log.error(
        "playlist %s skipped (%s): %s",
        playlist_id,
        error.reason,
        message,
        extra={"playlist_id": playlist_id, "reason": error.reason, "status": error.status},
    )
    summary.fail(playlist_id, error.reason, message, error.status)


def _stop(summary: RunSummary, remaining: list[str], error: ExtractError) -> None:
    log.error(
        "extraction stopped (%s): %s",
        error.reason,
        error.message,
        extra={
            "reason": error.reason,
            "status": error.status,
            "playlist_id": remaining[0],
            "not_attempted": len(remaining) - 1,
        },
    )
    summary.stopped = {"reason": error.reason, "message": error.message}
    first, *rest = remaining
    summary.fail(first, error.reason, error.message, error.status)
    for playlist_id in rest:
        summary.fail(playlist_id, "not_attempted", f"run stopped early ({error.reason})")


def _read_playlist(
    config: ExtractConfig,
    client: SpotifyClient,
    pool: ThreadPoolExecutor,
    playlist_id: str,
    shape: ApiShape,
) -> tuple[Snapshot, ApiShape]:
    """Read one playlist completely; read again once if it changed while being read (its
    snapshot_id moved, or its pages disagree: an edit that adds or removes entries changes
    the total between pages)."""
    for attempt in (1, 2):
        metadata = client.playlist(playlist_id)
        try:
            try:
                entries, pages = _read_entries(config, client, pool, playlist_id, shape)
            except PlaylistFailed as error:
                if shape is not TRACKS or error.reason not in ("forbidden", "not_found"):
                    raise
                # The playlist exists (its metadata came back) but /tracks is refused: this
                # app only has the 2026 API. Use /items from now on.
                log.warning(
                    "legacy /tracks refused (%s) for %s; switching to /items for this run",
                    error.status,
                    playlist_id,
                    extra={"playlist_id": playlist_id, "status": error.status},
                )
                shape = ITEMS
                entries, pages = _read_entries(config, client, pool, playlist_id, shape)
        except PlaylistFailed as error:
            if attempt == 1 and error.reason in ("changed_during_read", "incomplete"):
                log.warning(
                    "playlist %s changed while it was read (%s); reading it again",
                    playlist_id,
                    error.message,
                    extra={"playlist_id": playlist_id, "reason": error.reason},
                )
                continue
            raise
        if not config.verify_snapshot:
            break
        current = client.playlist(playlist_id, fields="snapshot_id").get("snapshot_id")
        if current == metadata.get("snapshot_id"):
            break
        if attempt == 2:
            raise PlaylistFailed(
                "changed_during_read",
                f"playlist {playlist_id} changed while it was read, twice "
                f"(snapshot_id {metadata.get('snapshot_id')} -> {current})",
            )
        log.warning(
            "playlist %s changed while it was read; reading it again",
            playlist_id,
            extra={"playlist_id": playlist_id, "reason": "changed_during_read"},
        )
    return Snapshot(playlist_id, shape, metadata, entries, pages), shape


def _read_entries(
    config: ExtractConfig,
    client: SpotifyClient,
    pool: ThreadPoolExecutor,
    playlist_id: str,
    shape: ApiShape,
) -> tuple[list[Any], int]:
    first = _checked_page(client.page(playlist_id, shape, 0), playlist_id, 0, None)
    total = first["total"]
    pages = [first]
    if config.max_concurrency == 1 or not first.get("next"):
        pages.extend(_follow_next(client, shape, playlist_id, first))
    else:
        # The total is known: fetch the remaining pages by offset, several at a time. The
        # `next` chain is still checked (every page but the last has one).
        step = len(first["items"]) or shape.limit
        offsets = list(range(step, total, step))
        futures = [pool.submit(client.page, playlist_id, shape, offset) for offset in offsets]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in done if f.exception() is not None]
        if failed:
            for future in pending:
                future.cancel()
            wait(pending)
            raise _first_error(failed)
        for offset, future in zip(offsets, futures, strict=True):
            pages.append(_checked_page(future.result(), playlist_id, offset, total))
        for page in pages[:-1]:
            if not page.get("next"):
                raise PlaylistFailed(
                    "incomplete", f"page at offset {page['offset']} of {playlist_id} has no next"
                )
    if pages[-1].get("next"):
        raise PlaylistFailed("incomplete", f"the last page of {playlist_id} still has a next link")
    entries = [entry for page in pages for entry in page["items"]]
    if len(entries) != total:
        raise PlaylistFailed(
            "incomplete",
            f"playlist {playlist_id}: read {len(entries)} entries but the API reports {total}",
        )
    return entries, len(pages)


def _first_error(failed: list[Future]) -> BaseException:
    errors = [f.exception() for f in failed]
    # A run-stopping error matters more than a page failure.
    for error in errors:
        if isinstance(error, RunStopped):
            return error
    return errors[0]


def _follow_next(
    client: SpotifyClient, shape: ApiShape, playlist_id: str, first: dict[str, Any]
) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    page = first
    limit_pages = first["total"] // max(1, len(first["items"]) or 1) + 2
    while page.get("next"):
        if len(pages) > limit_pages:
            raise PlaylistFailed("bad_response", f"next links of {playlist_id} do not end")
        expected = page["offset"] + len(page["items"])
        page = _checked_page(
            client.follow(page["next"], shape), playlist_id, expected, first["total"]
        )
        pages.append(page)
    return pages


def _checked_page(
    page: dict[str, Any], playlist_id: str, offset: int, total: int | None
) -> dict[str, Any]:
    """The page, after checking it is the page asked for, of the same playlist version."""
    items = page.get("items")
    if not isinstance(items, list) or not isinstance(page.get("total"), int):
        raise PlaylistFailed("bad_response", f"a page of {playlist_id} lacks items or total")
    page.setdefault("offset", offset)
    if page["offset"] != offset:
        raise PlaylistFailed(
            "bad_response", f"asked {playlist_id} for offset {offset}, got {page['offset']}"
        )
    if total is not None and page["total"] != total:
        raise PlaylistFailed(
            "changed_during_read",
            f"playlist {playlist_id} total changed from {total} to {page['total']} between pages",
        )
    # Entries that are null, not objects or without an entry's fields are kept as sent: one
    # odd entry must not cost the playlist its snapshot (the Glue job counts them).
    return page


def build_document(
    config: ExtractConfig, snapshot: Snapshot, extracted_at: datetime
) -> dict[str, Any]:
    """The raw snapshot document of docs/data-contract.md section 2."""
    playlist = {k: v for k, v in snapshot.metadata.items() if k not in ("items", "tracks")}
    playlist[snapshot.shape.container] = {
        "total": len(snapshot.entries),
        "items": snapshot.entries,
    }
    moment = as_utc(extracted_at)
    return {
        "contract_version": CONTRACT_VERSION,
        "playlist_id": snapshot.playlist_id,
        "extracted_at": iso_timestamp(moment),
        "snapshot_date": moment.date().isoformat(),
        "api_shape": snapshot.shape.name,
        "request": {
            "api_url": config.api_url,
            "endpoint": snapshot.shape.endpoint,
            "market": config.market,
            "limit": snapshot.shape.limit,
            "fields": snapshot.shape.page_fields,
            "playlist_fields": PLAYLIST_FIELDS,
            "pages": snapshot.pages,
            "auth_mode": config.auth_mode,
        },
        "playlist": playlist,
    }
