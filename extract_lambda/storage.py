"""Landing raw snapshots: the key layout, the encoding, and the S3 and local-directory sinks.

Layout and encoding are docs/data-contract.md sections 1-2: one gzip object per playlist
snapshot holding the document on one line, under
``<prefix>/snapshot_date=YYYY-MM-DD/playlist_id=<id>/<id>_<YYYYMMDDTHHMMSSffffffZ>.json.gz``.

Every write is all-or-nothing and never replaces an existing object: S3 gets one
``PutObject`` with ``If-None-Match: *`` (S3 conditional writes), a directory gets a temporary
file hard-linked into place (``link`` fails if the name exists). Re-running an extraction
therefore always adds a new immutable snapshot.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_=./-]+$")

log = logging.getLogger("extract_lambda")

# The Lambda's S3 client: a PutObject, botocore's retry included, stalls for at most
# S3_WRITE_BOUND_S, so the handler can keep enough time for the last write (handler.RESERVE_S
# is computed from it). botocore's defaults (60 s timeouts; 3 attempts in "standard" mode,
# 5 in the "legacy" mode of older botocores) could outlive the invocation. The timeouts are
# per socket operation: a slow upload that keeps moving is not cut, so this bounds a stalled
# write, not a slow one.
S3_CONNECT_TIMEOUT_S = 2.0
S3_READ_TIMEOUT_S = 5.0
S3_MAX_ATTEMPTS = 2  # the first call and one retry ("standard" mode)
# Each attempt may first wait up to 1 s for "100 Continue" (botocore sends PutObject bodies
# with "Expect: 100-continue"; botocore.awsrequest.AWSConnection), outside both timeouts.
_S3_EXPECT_CONTINUE_S = 1.0
# botocore's standard backoff before the one retry: at most 1 s (throttling scale) plus up to
# 5 s more when S3 sends x-amz-retry-after (botocore.retries.standard.ExponentialBackoff).
_S3_MAX_BACKOFF_S = 1.0 + 5.0
S3_WRITE_BOUND_S = (
    S3_MAX_ATTEMPTS * (S3_CONNECT_TIMEOUT_S + S3_READ_TIMEOUT_S + _S3_EXPECT_CONTINUE_S)
    + _S3_MAX_BACKOFF_S
)


def s3_client_config() -> Any:
    """The botocore ``Config`` of the Lambda's S3 client (bounded, see S3_WRITE_BOUND_S)."""
    from botocore.config import Config

    return Config(
        connect_timeout=S3_CONNECT_TIMEOUT_S,
        read_timeout=S3_READ_TIMEOUT_S,
        retries={"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS},
    )


class SnapshotExists(FileExistsError):
    """The snapshot object is already there (same playlist, same microsecond): not replaced."""


class WriteConflict(RuntimeError):
    """S3 answered 409 ConditionalRequestConflict: another conditional write of the same key
    was in progress. Only an earlier attempt of this very request can write this key, so the
    snapshot may or may not land; it is reported as not landed (``write_failed``), never as
    ``already_exists``."""


class Sink(Protocol):
    """Where snapshots land. ``prefix`` is prepended to every key ("" for a directory)."""

    prefix: str

    def write(self, key: str, body: bytes) -> str:
        """Store `body` under `key` in one step; return its location; never overwrite."""
        ...

    def describe(self) -> str: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the clock must return a timezone-aware datetime")
    return moment.astimezone(UTC)


def iso_timestamp(moment: datetime) -> str:
    """``2026-11-16T06:00:03.123456Z``: the document's ``extracted_at``."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def snapshot_key(prefix: str, playlist_id: str, extracted_at: datetime) -> str:
    """The raw object key of one snapshot (no spaces, no colons)."""
    moment = as_utc(extracted_at)
    name = f"{playlist_id}_{moment.strftime('%Y%m%dT%H%M%S%fZ')}.json.gz"
    parts = [
        prefix.strip("/"),
        f"snapshot_date={moment.date().isoformat()}",
        f"playlist_id={playlist_id}",
        name,
    ]
    key = "/".join(part for part in parts if part)
    if not _SAFE_KEY.match(key) or "//" in key or ".." in key.split("/"):
        raise ValueError(f"unsafe object key {key!r}: keys use only [A-Za-z0-9_=./-]")
    return key


def encode_document(document: dict[str, Any]) -> bytes:
    """gzip of the document as one UTF-8 JSON line ending in a newline.

    ``mtime=0`` makes the bytes a function of the document alone; ``allow_nan=False`` keeps
    them strict JSON.
    """
    line = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return gzip.compress((line + "\n").encode("utf-8"), compresslevel=6, mtime=0)


@contextmanager
def temporary_file(target: Path, body: bytes) -> Iterator[Path]:
    """``body`` in a new hidden file beside ``target``, flushed to disk, for the caller to
    link or rename into place; whatever is left of it is removed on leaving."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


class LocalDirectorySink:
    """The same layout under a local directory (``make extract-local``, the demo)."""

    prefix = ""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def write(self, key: str, body: bytes) -> str:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written under a hidden temporary name, then linked into place: readers never see a
        # partial file, and link() refuses to replace an existing snapshot.
        with temporary_file(target, body) as temporary:
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise SnapshotExists(f"{target} already exists; it was not replaced") from None
            except OSError:
                # A filesystem without hard links: check, then rename (atomic, but the
                # existence check and the rename are two steps).
                if target.exists():
                    raise SnapshotExists(f"{target} already exists; not replaced") from None
                os.replace(temporary, target)
        return str(target)


class S3Sink:
    """One ``PutObject`` per snapshot, server-side encrypted, refused if the key exists.

    Encryption is SSE-KMS with `kms_key_id` when given (RAW_KMS_KEY_ID), else SSE-S3
    (AES256).
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "playlist_snapshots",
        *,
        kms_key_id: str | None = None,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.kms_key_id = kms_key_id or None
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # the Lambda runtime provides it; local directory runs do not need it

            self._client = boto3.client("s3")
        return self._client

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def check_client(self) -> None:
        """Fail now, in words, if the S3 client cannot send ``If-None-Match`` on PutObject
        (S3 conditional writes, botocore 1.35 and later): the zip takes boto3 from the
        Lambda runtime, and an older one would fail every write with a validation error."""
        operation = self.client.meta.service_model.operation_model("PutObject")
        if "IfNoneMatch" not in operation.input_shape.members:
            import botocore

            raise RuntimeError(
                f"botocore {botocore.__version__} cannot send If-None-Match on PutObject, "
                "which keeps landed snapshots immutable (botocore 1.35 or later has it): "
                "update the Lambda runtime, or add boto3 to the zip "
                "(RUNTIME_PROVIDED in tools/package_lambda.py)"
            )

    def write(self, key: str, body: bytes) -> str:
        from botocore.exceptions import ClientError

        arguments: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": body,
            # The object is a .gz file, not JSON served with Content-Encoding: tools that
            # honour Content-Encoding would otherwise decompress it behind the reader's back.
            "ContentType": "application/gzip",
            "IfNoneMatch": "*",
        }
        if self.kms_key_id:
            arguments["ServerSideEncryption"] = "aws:kms"
            arguments["SSEKMSKeyId"] = self.kms_key_id
        else:
            arguments["ServerSideEncryption"] = "AES256"
        location = f"s3://{self.bucket}/{key}"
        try:
            self.client.put_object(**arguments)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            retried = error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            if code == "PreconditionFailed" and retried:
                # botocore retried (a timeout, a dropped connection, a 5xx) and S3 then found
                # the key taken. The key names this extraction's microsecond, and the body is
                # the same in every attempt: the object is the one an earlier attempt wrote
                # before its response was lost. It landed.
                log.warning(
                    "%s: landed by an earlier attempt whose response was lost "
                    "(the retry %d found the object in place)",
                    location,
                    retried,
                )
                return location
            if code == "PreconditionFailed":
                raise SnapshotExists(f"{location} already exists; not replaced") from None
            if code == "ConditionalRequestConflict":
                raise WriteConflict(
                    f"{location}: S3 reported a concurrent write of the key (409, an earlier "
                    "attempt of this request still in progress); the snapshot may or may not "
                    "have landed, and the next run extracts the playlist again"
                ) from None
            raise
        return location


def sink_from_uri(out: str, *, kms_key_id: str | None = None, s3_client: Any = None) -> Sink:
    """``s3://bucket/prefix`` gives an :class:`S3Sink`; anything else is a local directory."""
    if out.startswith("s3://"):
        bucket, _, prefix = out[len("s3://") :].partition("/")
        return S3Sink(bucket, prefix, kms_key_id=kms_key_id, client=s3_client)
    if "://" in out:
        raise ValueError(f"--out must be a directory or s3://bucket/prefix, not {out!r}")
    return LocalDirectorySink(out)
