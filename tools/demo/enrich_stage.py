"""The demo's enrichment stage: the charted tracks described through ``GET /tracks/{id}``.

After the charts stage, the chart job has left its work list of charted track ids in
``<lake>/raw/enrichment/todo/charts-<run_id>.txt``. This stage

1. tells the fake Spotify API (:mod:`tools.fake_spotify`) the generated chart tracks' names
   and artists (``Catalogue.describe_tracks``), one list of artist names per track, so that
   the API describes each charted track as its chart file names it and every artist is one
   Spotify artist with one id (a name is never split at a comma); the history's
   re-releases are told as the same recording under two ids (one ISRC for both,
   ``describe_tracks(isrcs=...)``), so the playlist job gives them one ``song_key``;
2. removes a few charted tracks from the fake's catalogue (``removed_tracks``: 404) and
   queues a work list of references that are no track id (a local file, a malformed line):
   the failure modes the enrichment counts with a reason and never retries. The tracks of
   the real sample charts are no tracks of the fake's catalogue, which would otherwise make
   up a track for any id: they are removed too (404, "unknown to the fake"), so the views
   name them as their files do;
3. runs the extractor's enrichment task in-process
   (:func:`extract_lambda.enrich.enrich_tracks`, client credentials, the raw root
   ``<lake>/raw``) as many times as its queue needs (``max_tracks`` per run, as the hourly
   schedule would), landing the track documents under ``<lake>/raw/tracks/``.

The playlist job then reads those documents (``tracks_path``) into ``dim_track``,
``dim_album``, ``dim_artist`` and the bridges, so the chart views and the report find the
charted tracks described. Everything is a pure function of the history and the seed.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tools.demo.chart_history import ChartHistory

RAW_ROOT = "raw"
TRACKS_DIR = "raw/tracks"
FAULTS_WORK_LIST = "enrichment/todo/demo-faults.txt"
# How many charted tracks the demo removes from the fake's catalogue (404 each).
REMOVED_TRACKS = 3
# The ranks of the newest global (else first region's) chart whose songs are removed: one
# in the top 10, so the report's bump chart shows a song the lake cannot describe. A rank
# held by a song of a re-release (either id) moves down to the next rank that is not: a
# removed id would hide the song's second id from the views.
REMOVED_RANKS = (7, 60, 150)
# References of the faults work list that are no track id: counted, never queued.
FAULT_REFERENCES = (
    "spotify:local:Demo+Artist:Demo+Album:A+local+file:215",
    "not-a-track-id",
)
# Ids fetched at most per enrichment run (the Lambda's ENRICH_MAX_TRACKS is 1000): a history
# of more charted tracks than that takes several runs, each resuming from the saved queue.
MAX_TRACKS_PER_RUN = 1000
# Requests in flight: the fake answers on loopback.
CONCURRENCY = 8
# Runs at most, so that a queue that never empties cannot hold the demo.
MAX_RUNS = 20


@dataclass
class EnrichStageResult:
    """What the stage asked for and what the enrichment runs did."""

    described: int = 0
    same_recording: int = 0
    removed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def total(self, key: str) -> int:
        return sum(int(run.get(key) or 0) for run in self.runs)

    @property
    def failed_by_reason(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for run in self.runs:
            counts.update(run.get("failed_by_reason") or {})
        return dict(sorted(counts.items()))


def charted_songs(history: ChartHistory) -> list[int]:
    """The indexes of the history's songs that are on at least one written chart, in order."""
    return sorted({row.song for chart in history.charts for row in chart.rows})


def rerelease_songs(history: ChartHistory) -> set[int]:
    """The indexes of the songs of the history's re-releases, both ids of each."""
    return {index for r in history.rereleases for index in (r.original, r.rerelease)}


def describe_chart_tracks(catalogue, history: ChartHistory) -> tuple[int, int]:
    """Name every charted track on the fake as its chart files do: the track name, and its
    artists one by one (the catalogue track the song was made from), never the joined
    ``artist_names`` split again; and give both ids of every charted re-release the
    recording's ISRC. Returns (tracks described, ids given a shared ISRC)."""
    tracks = {}
    for index in charted_songs(history):
        song = history.songs[index]
        made_from = song if song.rerelease_of is None else history.songs[song.rerelease_of]
        track = catalogue.track(song.album, song.position)
        artists = [artist["name"] for artist in track["artists"]]
        if ", ".join(artists) != song.artist_names or track["id"] != made_from.track_id:
            raise ValueError(
                f"song {song.track_id}: the fake's track {track['id']} by {artists} is not the "
                "chart's (history and catalogue of different seeds?)"
            )
        tracks[song.track_id] = (song.track_name, artists)
    isrcs = {}
    for rerelease in history.rereleases:
        pair = (history.songs[rerelease.original], history.songs[rerelease.rerelease])
        if all(song.track_id in tracks for song in pair):
            isrc = pair[0].isrc
            if not isrc:
                raise ValueError(f"re-release of {pair[0].track_id}: the original has no ISRC")
            isrcs.update({song.track_id: isrc for song in pair})
    catalogue.describe_tracks(tracks, isrcs=isrcs)
    return len(tracks), len(isrcs)


def removed_track_ids(history: ChartHistory) -> list[str]:
    """The charted tracks the demo removes from the fake's catalogue: the songs at
    :data:`REMOVED_RANKS` of the newest chart of the first region (global by default), each
    moved down past the songs of re-releases."""
    region = history.spec.regions[0]
    latest = [c for c in history.charts if c.region == region][-1]
    paired = rerelease_songs(history)
    ids: list[str] = []
    for rank in REMOVED_RANKS[:REMOVED_TRACKS]:
        for row in latest.rows[rank - 1 :]:
            track_id = history.songs[row.song].track_id
            if row.song not in paired and track_id not in ids:
                ids.append(track_id)
                break
    return ids


def work_list_ids(lake: Path) -> set[str]:
    """The track ids of the chart job's work lists (``charts-*.txt``) under ``<lake>/raw``."""
    from extract_lambda.enrich_state import parse_track_reference, read_work_list

    ids = set()
    for path in sorted((lake / RAW_ROOT / "enrichment" / "todo").glob("charts-*.txt")):
        for line in read_work_list(path.read_bytes(), path.name):
            track_id, _ = parse_track_reference(line)
            if track_id is not None:
                ids.add(track_id)
    return ids


def write_faults_work_list(lake: Path) -> Path:
    """A work list of references that are no track id, beside the chart job's."""
    path = lake / RAW_ROOT / FAULTS_WORK_LIST
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Queued by the demo on purpose: a local file and a malformed reference, which the",
        "# enrichment counts (local_file, invalid_id) and never requests.",
        *FAULT_REFERENCES,
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_enrichment(
    config,
    lake: Path,
    clock: Callable[[], datetime],
    *,
    max_tracks: int = MAX_TRACKS_PER_RUN,
    concurrency: int = CONCURRENCY,
) -> list[dict[str, Any]]:
    """Enrichment runs over ``<lake>/raw`` until the queue is empty (or a run settles nothing);
    returns each run's summary."""
    from extract_lambda.enrich import EnrichSettings, enrich_tracks, made_progress, raw_root

    settings = EnrichSettings(max_tracks=max_tracks, concurrency=concurrency)
    store, sink = raw_root(str(lake / RAW_ROOT), settings)
    runs = []
    for number in range(1, MAX_RUNS + 1):
        summary = enrich_tracks(
            config, store, sink, settings=settings, clock=clock, run_id=f"demo-enrich-{number}"
        )
        runs.append(summary)
        if summary.get("stopped") or not summary["pending_after"] or not made_progress(summary):
            break
    return runs


def run_enrich_stage(
    catalogue,
    server,
    history: ChartHistory | None,
    lake: Path,
    clock: Callable[[], datetime],
    *,
    max_tracks: int = MAX_TRACKS_PER_RUN,
) -> EnrichStageResult:
    """Describe the charted tracks on the fake, queue the faults, and run the enrichment.

    `catalogue` must be the one `server` serves, and the removed tracks are set on it before
    the first request (``Catalogue.removed_tracks``)."""
    from extract_lambda.config import Credentials, ExtractConfig

    result = EnrichStageResult()
    generated: set[str] = set()
    if history is not None:
        result.described, result.same_recording = describe_chart_tracks(catalogue, history)
        result.removed = removed_track_ids(history)
        generated = {history.songs[i].track_id for i in charted_songs(history)}
    result.unknown = sorted(work_list_ids(lake) - generated)
    gone = set(result.removed) | set(result.unknown)
    catalogue.removed_tracks = frozenset(catalogue.removed_tracks | gone)
    write_faults_work_list(lake)
    # Catalogue look-ups need no user: client credentials only, as the Lambda's task does.
    config = ExtractConfig(
        credentials=Credentials.from_values(server.client_id, server.client_secret, None),
        api_url=server.api_url,
        auth_url=server.auth_url,
        backoff_base_s=0.05,
    )
    started = time.monotonic()
    result.runs = run_enrichment(config, lake, clock, max_tracks=max_tracks)
    result.seconds = time.monotonic() - started
    return result


def meta_of(result: EnrichStageResult) -> dict[str, Any]:
    """The stage's part of ``demo.json`` (the report and the summary read it)."""
    runs = result.runs
    return {
        "tracks_dir": TRACKS_DIR,
        "described_on_fake": result.described,
        "same_recording_ids": result.same_recording,
        "removed_on_purpose": list(result.removed),
        "unknown_to_fake": len(result.unknown),
        "fault_references": list(FAULT_REFERENCES),
        "runs": len(runs),
        "work_lists": sum(int((r.get("intake") or {}).get("todo_objects") or 0) for r in runs),
        "queued": sum(int((r.get("intake") or {}).get("added") or 0) for r in runs),
        "landed": result.total("tracks_landed"),
        "without_isrc": result.total("tracks_without_isrc"),
        "failed": result.total("tracks_failed"),
        "given_up": result.total("tracks_given_up"),
        "failed_by_reason": result.failed_by_reason,
        "pending_after": int(runs[-1]["pending_after"]) if runs else 0,
        "requests": result.total("requests"),
        "stopped": next((r["stopped"] for r in runs if r.get("stopped")), None),
        "seconds": round(result.seconds, 3),
    }


def describe_enrichment(meta: Mapping[str, Any]) -> str:
    """One line on the enrichment: ids queued, landed, failed by reason, runs, time."""
    failed = meta.get("failed_by_reason") or {}
    text = (
        f"{meta.get('queued', 0):,} charted ids queued -> {meta.get('landed', 0):,} track "
        f"documents ({meta.get('without_isrc', 0):,} without ISRC)"
    )
    if failed:
        text += ", not landed: " + ", ".join(f"{r} {n}" for r, n in failed.items())
        removed, unknown = len(meta.get("removed_on_purpose") or []), meta.get("unknown_to_fake")
        if removed or unknown:
            text += f" ({removed} removed on purpose"
            text += f", {unknown} real sample tracks unknown to the fake)" if unknown else ")"
    runs = int(meta.get("runs") or 0)
    text += f"; {runs} run{'s' if runs != 1 else ''}, {meta.get('requests', 0):,} requests"
    if meta.get("pending_after"):
        text += f", {meta['pending_after']:,} still queued"
    if meta.get("stopped"):
        text += f", stopped: {meta['stopped'].get('reason')}"
    return text
