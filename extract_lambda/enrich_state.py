"""The enrichment's work list: track references, the persistent queue, and where it is kept.

The queue is one small object, ``<raw root>/enrichment/state.json.gz`` (docs/track-documents.md):
the ids still to fetch in order (``pending``), the ids landed (``landed``), the ids given up
with their reason (``gone``), failed attempts per pending id (``attempts``) and the work-list
objects already read (``todo_consumed``). A run never edits it in place: it records what it
did in a :class:`Delta`, then reads the current state, applies the delta and writes the
result conditionally (S3 ``If-Match`` on the ETag it read; a lock file locally). When another
run wrote in between, the write is refused and it reads, applies and writes again, so two
runs at once lose nothing and a crash loses at most the work since the last checkpoint (whose
documents are then found in place and counted as already landed).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from extract_lambda.storage import temporary_file

STATE_VERSION = 1

_TRACK_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
_TRACK_URL = re.compile(
    r"^(?:https?://)?open\.spotify\.com/(?:intl-[a-z]{2}/)?(?:embed/)?track/"
    r"([0-9A-Za-z]{22})/?(?:\?.*)?$"
)
# A landed track document's key: <prefix>/fetched_date=YYYY-MM-DD/<id>.json.gz
_TRACK_KEY = re.compile(r"(?:^|/)fetched_date=\d{4}-\d{2}-\d{2}/([0-9A-Za-z]{22})\.json(?:\.gz)?$")


def parse_track_reference(reference: Any) -> tuple[str | None, str | None]:
    """``(track_id, None)`` for a bare id, ``spotify:track:`` URI or open.spotify.com track
    URL; ``(None, reason)`` otherwise: ``local_file`` for a ``spotify:local:`` URI (a file on
    someone's computer: the API has nothing to say about it), ``invalid_id`` for anything
    else (Spotify ids are 22 base62 characters)."""
    text = reference.strip() if isinstance(reference, str) else ""
    if text.startswith("spotify:local:"):
        return None, "local_file"
    if _TRACK_ID.match(text):
        return text, None
    for pattern in (_TRACK_URI, _TRACK_URL):
        match = pattern.match(text)
        if match:
            return match.group(1), None
    return None, "invalid_id"


def track_id_of_key(key: str) -> str | None:
    """The track id a landed document's key names, or None for any other key."""
    match = _TRACK_KEY.search(key)
    return match.group(1) if match else None


def read_work_list(body: bytes, key: str) -> list[str]:
    """The references of a work-list object: UTF-8 text (gzip when the key ends in ``.gz``),
    one reference per line; blank lines and lines starting with ``#`` are ignored."""
    if key.endswith(".gz"):
        body = gzip.decompress(body)
    text = body.decode("utf-8-sig")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@dataclass
class Delta:
    """What one run did, to be applied to the state as it is when the run saves."""

    added: list[str] = field(default_factory=list)  # new ids, in arrival order
    landed: set[str] = field(default_factory=set)
    gone: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed_attempts: dict[str, int] = field(default_factory=dict)  # transient, per id
    consumed: set[str] = field(default_factory=set)  # work-list keys read

    def __bool__(self) -> bool:
        return bool(self.added or self.landed or self.gone or self.failed_attempts or self.consumed)


@dataclass
class State:
    """The persistent queue (see the module docstring)."""

    pending: list[str] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    landed: set[str] = field(default_factory=set)
    gone: dict[str, dict[str, Any]] = field(default_factory=dict)
    todo_consumed: set[str] = field(default_factory=set)
    updated_at: str | None = None

    def known_ids(self) -> set[str]:
        """Landed, given up or queued: adding one of these again would change nothing."""
        return self.landed | self.gone.keys() | set(self.pending)

    def apply(self, delta: Delta) -> State:
        """A new state: this one with `delta` applied. Ids that failed for a passing reason go
        to the end of the queue, so one bad id never blocks the others."""
        landed = self.landed | delta.landed
        gone = {k: v for k, v in {**self.gone, **delta.gone}.items() if k not in landed}
        done = landed
        retry = [i for i in delta.failed_attempts if i not in done and i not in gone]
        seen: set[str] = set()
        pending: list[str] = []
        for track_id in [*self.pending, *delta.added]:
            if track_id in seen or track_id in done or track_id in gone:
                continue
            seen.add(track_id)
            pending.append(track_id)
        moved = set(retry) & seen
        pending = [i for i in pending if i not in moved] + [i for i in retry if i in moved]
        attempts = {i: n for i, n in self.attempts.items() if i in seen}
        for track_id, n in delta.failed_attempts.items():
            if track_id in seen:
                attempts[track_id] = attempts.get(track_id, 0) + n
        return State(
            pending=pending,
            attempts=attempts,
            landed=set(landed),
            gone=gone,
            todo_consumed=self.todo_consumed | delta.consumed,
            updated_at=self.updated_at,
        )

    def to_bytes(self, updated_at: str) -> bytes:
        document = {
            "version": STATE_VERSION,
            "updated_at": updated_at,
            "pending": self.pending,
            "attempts": dict(sorted(self.attempts.items())),
            "landed": sorted(self.landed),
            "gone": dict(sorted(self.gone.items())),
            "todo_consumed": sorted(self.todo_consumed),
        }
        line = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return gzip.compress((line + "\n").encode(), compresslevel=6, mtime=0)

    @classmethod
    def from_bytes(cls, body: bytes, where: str) -> State:
        try:
            document = json.loads(gzip.decompress(body))
        except (OSError, EOFError, ValueError) as error:
            raise StateUnreadable(f"{where} is not a gzip JSON state: {error}") from None
        if not isinstance(document, dict) or document.get("version") != STATE_VERSION:
            raise StateUnreadable(f"{where}: unsupported state version")
        try:
            return cls(
                pending=[str(i) for i in document["pending"]],
                attempts={str(k): int(v) for k, v in document["attempts"].items()},
                landed={str(i) for i in document["landed"]},
                gone={str(k): dict(v) for k, v in document["gone"].items()},
                todo_consumed={str(k) for k in document["todo_consumed"]},
                updated_at=document.get("updated_at"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise StateUnreadable(f"{where}: malformed state ({error!r})") from None


class StateUnreadable(RuntimeError):
    """The state object exists but cannot be read; the run stops rather than start over."""


class StateConflict(RuntimeError):
    """Another run wrote the state since it was read (the conditional write was refused)."""


class RawStore(Protocol):
    """The raw root the enrichment reads and keeps its state in (keys relative to it)."""

    def list_keys(self, prefix: str) -> Iterator[str]: ...

    def get(self, key: str) -> tuple[bytes, str] | None:
        """(body, version) or None when absent."""
        ...

    def put_if(self, key: str, body: bytes, version: str | None) -> str:
        """Write `body` only if the object's version is still `version` (None: absent) and
        return the new version; raise :class:`StateConflict` otherwise."""
        ...

    def describe(self, key: str = "") -> str: ...


class LocalRawStore:
    """A local raw root (``<lake>/raw``). The conditional write holds an exclusive lock on a
    lock file next to the object while it compares and replaces."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def describe(self, key: str = "") -> str:
        return str(self.root / key) if key else str(self.root)

    def list_keys(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.root).as_posix()

    def get(self, key: str) -> tuple[bytes, str] | None:
        try:
            body = (self.root / key).read_bytes()
        except FileNotFoundError:
            return None
        return body, hashlib.sha256(body).hexdigest()

    def put_if(self, key: str, body: bytes, version: str | None) -> str:
        import fcntl

        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.with_name(f".{target.name}.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self.get(key)
            if (current[1] if current else None) != version:
                raise StateConflict(f"{target} changed since it was read")
            with temporary_file(target, body) as temporary:
                os.replace(temporary, target)
        return hashlib.sha256(body).hexdigest()


class S3RawStore:
    """The raw bucket (under an optional root prefix). The state is written with ``If-Match``
    on the ETag read (``If-None-Match: *`` when there was none): S3 refuses the write with
    412 (or 409 while another conditional write is in flight) when another run got there
    first."""

    def __init__(
        self, bucket: str, root: str = "", *, client: Any, kms_key_id: str | None = None
    ) -> None:
        self.bucket = bucket
        self.root = root.strip("/")
        self.client = client
        self.kms_key_id = kms_key_id or None

    def _key(self, key: str) -> str:
        return f"{self.root}/{key}" if self.root else key

    def describe(self, key: str = "") -> str:
        path = self._key(key) if key else self.root
        return f"s3://{self.bucket}/{path}" if path else f"s3://{self.bucket}"

    def check_client(self) -> None:
        """Fail in words when the runtime's botocore cannot send ``If-Match`` on PutObject."""
        members = self.client.meta.service_model.operation_model("PutObject").input_shape.members
        if "IfMatch" not in members or "IfNoneMatch" not in members:
            import botocore

            raise RuntimeError(
                f"botocore {botocore.__version__} cannot send If-Match on PutObject, which "
                "keeps the enrichment's state safe from two runs at once: update the Lambda "
                "runtime, or add boto3 to the zip"
            )

    def list_keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        strip = len(self.root) + 1 if self.root else 0
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
            for item in page.get("Contents", ()):
                yield item["Key"][strip:]

    def get(self, key: str) -> tuple[bytes, str] | None:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return response["Body"].read(), response["ETag"]

    def put_if(self, key: str, body: bytes, version: str | None) -> str:
        from botocore.exceptions import ClientError

        arguments: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "Body": body,
            "ContentType": "application/gzip",
        }
        if version is None:
            arguments["IfNoneMatch"] = "*"
        else:
            arguments["IfMatch"] = version
        if self.kms_key_id:
            arguments["ServerSideEncryption"] = "aws:kms"
            arguments["SSEKMSKeyId"] = self.kms_key_id
        else:
            arguments["ServerSideEncryption"] = "AES256"
        try:
            response = self.client.put_object(**arguments)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"):
                raise StateConflict(f"{self.describe(key)} changed since it was read") from None
            raise
        return response["ETag"]


def landed_ids(store: RawStore, tracks_prefix: str) -> set[str]:
    """The ids of the documents under the tracks prefix: the state's ``landed`` when it has
    to be rebuilt (first run, or the state object was removed)."""
    ids: set[str] = set()
    for key in store.list_keys(tracks_prefix.strip("/") + "/"):
        track_id = track_id_of_key(key)
        if track_id:
            ids.add(track_id)
    return ids
