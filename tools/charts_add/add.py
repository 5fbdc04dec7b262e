"""Check chart files locally, then add the good ones to the drop zone (a folder or S3).

Keys (docs/charts-contract.md), built by ``glue_jobs.chart_files.drop_key``, the one layout the
chart job parses back with ``chart_files.parse_drop_key``:

- a chart file: ``<drop>/<chart_type>/<region>/<period>/chart_date=YYYY-MM-DD/<added>_<sha256>.csv``
- an archive: ``<drop>/archive/<added>_<sha256>.csv``

``<added>`` is the UTC time the file was added, ``YYYYMMDDTHHMMSSffffffZ`` (strictly increasing
within one run, in the order the files were given), so that "added last wins" can be read from
a listing: neither S3's LastModified (whole seconds) nor a folder's mtimes (changed by copies)
are needed. ``<sha256>`` is the file's content hash: a file whose bytes are already stored for
the same chart (or as an archive) is not stored again. One listing per chart series
(``<chart_type>/<region>/<period>/``) finds what is there, not one request per file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from glue_jobs.chart_files import (
    ARCHIVE_PREFIX,
    ArchiveReport,
    ChartFileError,
    ChartIdentity,
    drop_folder,
    drop_key,
    format_added,
    iso_date,
    open_chart_file,
    parse_drop_key,
    series_prefix,
)

__all__ = [
    "ARCHIVE_PREFIX",
    "AddedClock",
    "Checked",
    "LocalDrop",
    "Outcome",
    "S3Drop",
    "add_files",
    "check_file",
    "key_hash",
    "main",
    "sha256_of",
]

CONTENT_TYPE = "text/csv"
_CHUNK = 1 << 20


@dataclass
class Checked:
    """One file after its local check: what it is and, if bad, why."""

    path: Path
    sha256: str
    identity: ChartIdentity | None = None
    source_format: str | None = None
    error: ChartFileError | None = None
    report: ArchiveReport | None = None

    @property
    def series(self) -> str:
        """The prefix whose listing says whether this file is already stored."""
        return series_prefix(self.identity)

    def folder(self) -> str:
        return drop_folder(self.identity)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(path: Path, chart_date: date | None = None) -> Checked:
    """Read the whole file as the Glue job will; never raises for a bad file."""
    checked = Checked(path, sha256_of(path))
    try:
        source = open_chart_file(path.name, lambda: path.open("rb"), chart_date=chart_date)
        checked.identity, checked.source_format = source.identity, source.source_format
        for _chart in source.charts():
            pass
        checked.report = source.report
    except ChartFileError as error:
        checked.error = error
    return checked


def key_hash(key: str) -> str | None:
    """The content hash of a canonical key (relative to the drop root); None for any other."""
    parsed = parse_drop_key(key)
    return None if parsed is None else parsed.sha256


class AddedClock:
    """UTC instants for keys, strictly increasing even when the clock is not."""

    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._now = now
        self._last: datetime | None = None

    def next(self) -> str:
        instant = self._now()
        if self._last is not None and instant <= self._last:
            instant = self._last + timedelta(microseconds=1)
        self._last = instant
        return format_added(instant)


class LocalDrop:
    """A folder. Files are written under ``_incoming/`` and renamed into place whole."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def location(self, key: str) -> str:
        return str(self.root / key)

    def list_keys(self, prefix: str) -> list[str]:
        base = self.root / prefix
        if not base.is_dir():
            return []
        return [p.relative_to(self.root).as_posix() for p in base.rglob("*.csv") if p.is_file()]

    def put(self, key: str, path: Path) -> None:
        target = self.root / key
        if target.exists():
            raise FileExistsError(f"{target} exists: a stored chart file is never replaced")
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = self.root / "_incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        partial = incoming / f"{uuid.uuid4().hex}.part"
        with path.open("rb") as source, partial.open("xb") as sink:
            while chunk := source.read(_CHUNK):
                sink.write(chunk)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(partial, target)


class S3Drop:
    """``s3://bucket/prefix``: one PUT per file, never over an existing key (IfNoneMatch)."""

    def __init__(self, uri: str, kms_key_id: str | None = None, client: Any = None) -> None:
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        if not bucket:
            raise ValueError(f"{uri}: no bucket")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.kms_key_id = kms_key_id
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def list_keys(self, prefix: str) -> list[str]:
        keys = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            keys.extend(item["Key"][len(self.prefix) :] for item in page.get("Contents", []))
        return keys

    def put(self, key: str, path: Path) -> None:
        arguments: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self.prefix + key,
            "ContentType": CONTENT_TYPE,
            "IfNoneMatch": "*",
        }
        # Without a key id the bucket's default encryption applies: the raw bucket's KMS key
        # where Terraform set one. With it, the object names the key itself.
        if self.kms_key_id:
            arguments["ServerSideEncryption"] = "aws:kms"
            arguments["SSEKMSKeyId"] = self.kms_key_id
        with path.open("rb") as body:
            self.client.put_object(Body=body, **arguments)


def open_drop(drop: str, kms_key_id: str | None = None) -> LocalDrop | S3Drop:
    if drop.startswith("s3://"):
        return S3Drop(drop, kms_key_id)
    if kms_key_id:
        raise ValueError("--kms-key-id is for an s3:// drop")
    return LocalDrop(Path(drop))


@dataclass
class Outcome:
    path: Path
    status: str  # 'added', 'already', 'rejected'
    message: str


def add_files(
    paths: Iterable[Path],
    drop: LocalDrop | S3Drop,
    chart_date: date | None = None,
    clock: AddedClock | None = None,
) -> list[Outcome]:
    """Check every file, then store the good ones not stored yet, in the order given."""
    clock = clock or AddedClock()
    checked: list[Checked | Outcome] = []
    for path in paths:
        try:
            checked.append(check_file(path, chart_date))
        except OSError as error:
            checked.append(Outcome(path, "rejected", f"unreadable: {error}"))
    stored: dict[str, dict[tuple[str, str], str]] = {}  # series -> (folder, sha) -> key
    outcomes = []
    for item in checked:
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        if item.error is not None:
            outcomes.append(
                Outcome(item.path, "rejected", f"{item.error.reason}: {item.error.detail}")
            )
            continue
        if item.series not in stored:
            stored[item.series] = {
                (drop_folder(parsed.identity), parsed.sha256): key
                for key in drop.list_keys(item.series)
                if (parsed := parse_drop_key(key)) is not None
            }
        known = stored[item.series]
        existing = known.get((item.folder(), item.sha256))
        if existing is not None:
            outcomes.append(
                Outcome(
                    item.path, "already", f"the same bytes are stored: {drop.location(existing)}"
                )
            )
            continue
        key = drop_key(item.identity, clock.next(), item.sha256)
        drop.put(key, item.path)
        known[(item.folder(), item.sha256)] = key
        outcomes.append(Outcome(item.path, "added", f"{describe(item)} -> {drop.location(key)}"))
    return outcomes


def describe(item: Checked) -> str:
    if item.identity is not None:
        i = item.identity
        return f"{i.chart_type} {i.region} {i.period} {i.chart_date.isoformat()} ({item.source_format})"
    report = item.report or ArchiveReport()
    text = f"archive: {report.charts_accepted} charts, {report.rows_accepted} rows"
    if report.rows_rejected:
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(report.rows_rejected.items()))
        charts = sum(report.charts_rejected.values())
        text += f"; rejected {charts} charts and rows by reason: {reasons}"
    return text


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.charts_add",
        description="Check Spotify Charts CSV files and add the good ones to the drop zone.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--drop", required=True, help="a folder or s3://bucket/prefix")
    parser.add_argument(
        "--chart-date",
        type=iso_date,  # YYYY-MM-DD only, as chart_files reads every date
        help="the chart date of '-latest' files (weekly: the Thursday that ends the week)",
    )
    parser.add_argument("--kms-key-id", help="KMS key for S3 server-side encryption")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    drop = open_drop(args.drop, args.kms_key_id)
    outcomes = add_files(args.files, drop, args.chart_date)
    for outcome in outcomes:
        stream = sys.stderr if outcome.status == "rejected" else sys.stdout
        print(f"{outcome.status:<8} {outcome.path}: {outcome.message}", file=stream)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("added", "already", "rejected")}
    print(
        f"{counts['added']} added, {counts['already']} already stored, "
        f"{counts['rejected']} rejected (docs/charts.md lists the reasons)"
    )
    return 1 if counts["rejected"] else 0
