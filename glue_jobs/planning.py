"""Which documents win, which are superseded, which dates must be rebuilt.

Pure Python over *document metadata* (one small record per raw document: playlist, date,
``extracted_at``, file, entry count). This is the per-file metadata the job may collect to
the driver; nothing item-level passes through here.

"Latest wins" (docs/data-contract.md section 3): per ``(playlist_id, snapshot_date)`` the
document with the greatest ``(extracted_at, source_file)`` wins, whether it was read in
this run or is already in the lake. New documents that lose are counted as
``superseded_snapshot``.

Merging a run into the lake is cheap when the run only *adds* to a date (a new week, a
playlist not seen that day): the lake's partitions of that date are unioned with the new
rows and the latest observation per key is kept. When a run *replaces* a document the lake
already holds (a later extraction of the same playlist and date, or the same raw file read
again after a bookmark reset), the dimensions of that date can no longer be merged row by
row: the replaced document may have been the latest observation of a track that another
document of that date also saw. Such a date is *rebuilt*: its surviving documents are read
again from their raw files (named in ``dim_playlist.source_file``) and the date is
recomputed from raw. The cost is bounded by one date's documents, never by the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

NEW = "new"  # read from a file selected by the bookmark in this run
REREAD = "reread"  # read again from raw to rebuild a date
LAKE = "lake"  # known only from dim_playlist

_ORIGIN_RANK = {LAKE: 0, REREAD: 1, NEW: 2}


@dataclass(frozen=True)
class Document:
    """Metadata of one raw snapshot document."""

    source_file: str
    line_no: int | None
    playlist_id: str
    snapshot_date: date
    extracted_at: datetime
    n_entries: int
    origin: str = NEW

    @property
    def key(self) -> tuple[str, date]:
        return (self.playlist_id, self.snapshot_date)

    def order(self) -> tuple:
        """Greatest wins: extracted_at, then source_file (the contract's rule); then, among
        documents of one file, the later line; a document read in this run beats the lake's
        record of the same file."""
        return (
            self.extracted_at,
            self.source_file,
            self.line_no or 0,
            _ORIGIN_RANK[self.origin],
        )


def latest_documents(docs: Iterable[Document]) -> dict[tuple[str, date], Document]:
    """The winning document per ``(playlist_id, snapshot_date)``."""
    best: dict[tuple[str, date], Document] = {}
    for doc in docs:
        current = best.get(doc.key)
        if current is None or doc.order() > current.order():
            best[doc.key] = doc
    return best


@dataclass(frozen=True)
class RereadPlan:
    """First pass: which dates need a rebuild and which raw files to read again."""

    rebuild_dates: frozenset[date]
    reread_files: frozenset[str]


def plan_rereads(
    new_docs: Iterable[Document], lake_docs: Iterable[Document], read_files: Iterable[str]
) -> RereadPlan:
    """Dates whose lake content is replaced in part, and the raw files that rebuild them.

    ``lake_docs`` are the lake's documents of the dates the new documents touch.
    """
    new_docs = list(new_docs)
    read = set(read_files)
    lake_docs = list(lake_docs)
    redelivered = [d for d in lake_docs if d.source_file in read]
    others = [d for d in lake_docs if d.source_file not in read]
    winners = latest_documents([*new_docs, *others])
    displaced = [d for d in others if winners[d.key] is not d]
    rebuild = {d.snapshot_date for d in redelivered} | {d.snapshot_date for d in displaced}
    reread = {d.source_file for d in others if d.snapshot_date in rebuild and winners[d.key] is d}
    return RereadPlan(frozenset(rebuild), frozenset(reread))


@dataclass(frozen=True)
class RunPlan:
    """What the run writes."""

    winners: tuple[Document, ...]  # documents read in this run (new or reread) that win
    superseded: tuple[Document, ...]  # new documents that lose
    write_dates: tuple[date, ...]  # partitions the run rewrites
    merge_dates: tuple[date, ...]  # ... of which the lake's rows are merged in
    rebuild_dates: tuple[date, ...]  # ... of which recomputed from raw
    touched_dates: tuple[date, ...] = field(default=())  # dates of the new documents


def plan_run(
    new_docs: Iterable[Document],
    reread_docs: Iterable[Document],
    lake_docs: Iterable[Document],
    read_files: Iterable[str],
    rebuild_dates: Iterable[date],
) -> RunPlan:
    """Second pass: the winners over new, re-read and lake documents."""
    new_docs = list(new_docs)
    rebuild = set(rebuild_dates)
    read = set(read_files)
    candidates = [
        *new_docs,
        *(d for d in reread_docs if d.snapshot_date in rebuild),
        *(d for d in lake_docs if d.snapshot_date not in rebuild and d.source_file not in read),
    ]
    best = latest_documents(candidates)
    winners = tuple(sorted((d for d in best.values() if d.origin != LAKE), key=lambda d: d.order()))
    superseded = tuple(d for d in new_docs if best[d.key] is not d)
    write_dates = sorted({d.snapshot_date for d in winners})
    return RunPlan(
        winners=winners,
        superseded=superseded,
        write_dates=tuple(write_dates),
        merge_dates=tuple(d for d in write_dates if d not in rebuild),
        rebuild_dates=tuple(d for d in write_dates if d in rebuild),
        touched_dates=tuple(sorted({d.snapshot_date for d in new_docs})),
    )
