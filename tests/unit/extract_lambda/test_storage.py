"""Landing: key layout, one-line gzip encoding, atomic never-overwriting sinks (local and S3)."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from moto import mock_aws
from moto.core.models import botocore_stubber

from extract_lambda.storage import (
    S3_MAX_ATTEMPTS,
    S3_WRITE_BOUND_S,
    LocalDirectorySink,
    S3Sink,
    SnapshotExists,
    WriteConflict,
    encode_document,
    iso_timestamp,
    s3_client_config,
    sink_from_uri,
    snapshot_key,
)

MOMENT = datetime(2026, 11, 16, 6, 0, 3, 123456, tzinfo=UTC)


def test_key_layout_of_the_contract():
    key = snapshot_key("playlist_snapshots", "3cEYpjA9oz9GiPac4AsH4n", MOMENT)
    assert key == (
        "playlist_snapshots/snapshot_date=2026-11-16/playlist_id=3cEYpjA9oz9GiPac4AsH4n/"
        "3cEYpjA9oz9GiPac4AsH4n_20261116T060003123456Z.json.gz"
    )
    assert re.fullmatch(r"[A-Za-z0-9_=./-]+", key)
    assert snapshot_key("", "abc", MOMENT).startswith("snapshot_date=2026-11-16/")
    assert snapshot_key("/a/b/", "abc", MOMENT).startswith("a/b/snapshot_date=")


def test_snapshot_date_is_the_utc_date_of_extracted_at():
    # 01:30 in UTC+3 on the 17th is 22:30 UTC on the 16th.
    local = datetime(2026, 11, 17, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    assert "snapshot_date=2026-11-16/" in snapshot_key("p", "abc", local)
    assert iso_timestamp(local) == "2026-11-16T22:30:00.000000Z"


def test_naive_times_and_unsafe_keys_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        snapshot_key("p", "abc", datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="unsafe"):
        snapshot_key("my prefix", "abc", MOMENT)


def test_encoding_is_one_gzip_json_line_and_deterministic():
    document = {"name": 'Café, "quoted"', "n": 1, "nested": {"list": [1, None]}}
    body = encode_document(document)
    text = gzip.decompress(body).decode("utf-8")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert json.loads(text) == document
    assert "Café" in text  # UTF-8, not \u escapes
    assert encode_document(document) == body  # mtime=0: same document, same bytes
    with pytest.raises(ValueError):
        encode_document({"x": float("nan")})


def test_local_sink_writes_atomically_and_never_overwrites(tmp_path):
    sink = LocalDirectorySink(tmp_path)
    key = snapshot_key(sink.prefix, "abc", MOMENT)
    location = sink.write(key, b"first")
    assert location == str(tmp_path / key)
    with pytest.raises(SnapshotExists):
        sink.write(key, b"second")
    assert (tmp_path / key).read_bytes() == b"first"
    leftovers = [p.name for p in tmp_path.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    assert leftovers == []


def test_local_sink_without_hard_links_still_refuses_to_overwrite(tmp_path, monkeypatch):
    def no_links(source, target):
        raise PermissionError("hard links not supported here")

    monkeypatch.setattr("extract_lambda.storage.os.link", no_links)
    sink = LocalDirectorySink(tmp_path)
    key = snapshot_key(sink.prefix, "abc", MOMENT)
    sink.write(key, b"first")
    with pytest.raises(SnapshotExists):
        sink.write(key, b"second")
    assert (tmp_path / key).read_bytes() == b"first"
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


@mock_aws
def test_s3_sink_uses_sse_kms_when_a_key_is_given_and_refuses_to_overwrite():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="raw-bucket")
    kms_key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    sink = S3Sink("raw-bucket", "playlist_snapshots", kms_key_id=kms_key, client=s3)
    key = snapshot_key(sink.prefix, "abc", MOMENT)
    assert sink.write(key, b"body") == f"s3://raw-bucket/{key}"
    head = s3.head_object(Bucket="raw-bucket", Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == kms_key
    assert head["ContentType"] == "application/gzip"
    with pytest.raises(SnapshotExists):
        sink.write(key, b"other")
    assert s3.get_object(Bucket="raw-bucket", Key=key)["Body"].read() == b"body"


@mock_aws
def test_s3_sink_defaults_to_aes256():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="raw-bucket")
    sink = S3Sink("raw-bucket", client=s3)
    key = snapshot_key(sink.prefix, "abc", MOMENT)
    sink.write(key, b"body")
    head = s3.head_object(Bucket="raw-bucket", Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    # A .gz file, not JSON with Content-Encoding: gzip, which tools that honour the header
    # would decompress behind the reader's back (docs/extractor.md).
    assert head["ContentType"] == "application/gzip"
    assert "ContentEncoding" not in head
    assert key.startswith("playlist_snapshots/")


def test_sink_from_uri(tmp_path):
    s3 = sink_from_uri("s3://bucket-a/raw/playlist_snapshots", kms_key_id="k", s3_client=object())
    assert isinstance(s3, S3Sink)
    assert (s3.bucket, s3.prefix, s3.kms_key_id) == ("bucket-a", "raw/playlist_snapshots", "k")
    local = sink_from_uri(str(tmp_path))
    assert isinstance(local, LocalDirectorySink) and local.prefix == ""
    with pytest.raises(ValueError):
        sink_from_uri("gs://bucket/x")


def test_s3_sink_refuses_a_botocore_without_conditional_writes():
    client = boto3.client("s3", region_name="us-east-1")
    S3Sink("bucket", client=client).check_client()  # the pinned botocore has IfNoneMatch
    # What a botocore before 1.35 loads: PutObject without the IfNoneMatch member.
    members = client.meta.service_model.operation_model("PutObject").input_shape.members
    del members["IfNoneMatch"]
    with pytest.raises(RuntimeError, match=r"cannot send If-None-Match on PutObject"):
        S3Sink("bucket", client=client).check_client()


def _landing_bucket() -> Any:
    s3 = boto3.client("s3", region_name="us-east-1", config=s3_client_config())
    s3.create_bucket(Bucket="raw-bucket")
    return s3


def _xml_error(status: int, code: str) -> AWSResponse:
    body = f"<Error><Code>{code}</Code><Message>{code}</Message></Error>".encode()
    return AWSResponse("https://raw-bucket.s3.amazonaws.com/k", status, {}, _RawBody(body))


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


@mock_aws
def test_s3_sink_reports_landed_when_a_retry_finds_its_own_earlier_attempt(caplog):
    # The first PutObject reaches S3 (moto stores the object) and its response is lost on the
    # way back; botocore retries, and S3 answers 412 because the object is there. The key
    # names this extraction's microsecond, so that object is this write's: it landed.
    s3 = _landing_bucket()
    attempts = []

    def lose_the_first_response(request: Any, **kwargs: Any) -> Any:
        attempts.append(request.url)
        if len(attempts) == 1:
            botocore_stubber(request=request, **kwargs)  # S3 does it
            raise ConnectionClosedError(endpoint_url=request.url)  # the answer never comes
        return None  # moto answers the retry

    s3.meta.events.register_first("before-send.s3.PutObject", lose_the_first_response)
    sink = S3Sink("raw-bucket", client=s3)
    key = snapshot_key(sink.prefix, "abc", MOMENT)
    with caplog.at_level("WARNING", logger="extract_lambda"):
        assert sink.write(key, b"body") == f"s3://raw-bucket/{key}"
    assert len(attempts) == 2
    assert "landed by an earlier attempt whose response was lost" in caplog.text
    assert s3.get_object(Bucket="raw-bucket", Key=key)["Body"].read() == b"body"
    # Without a retry, an existing key is still somebody else's snapshot: not replaced.
    with pytest.raises(SnapshotExists):
        sink.write(key, b"other")
    assert s3.get_object(Bucket="raw-bucket", Key=key)["Body"].read() == b"body"


@mock_aws
def test_s3_sink_reports_a_conditional_write_conflict_as_not_landed():
    s3 = _landing_bucket()
    calls = []

    def conflict(request: Any, **_: Any) -> Any:
        calls.append(request.url)
        return _xml_error(409, "ConditionalRequestConflict")

    s3.meta.events.register_first("before-send.s3.PutObject", conflict)
    sink = S3Sink("raw-bucket", client=s3)
    with pytest.raises(WriteConflict, match=r"may or may not have landed"):
        sink.write(snapshot_key(sink.prefix, "abc", MOMENT), b"body")
    assert not isinstance(WriteConflict("x"), SnapshotExists)  # never `already_exists`


@mock_aws
def test_s3_client_of_the_lambda_bounds_one_write():
    # Every attempt times out at once: the write gives up after the configured attempts,
    # and the bound the handler's reserve is built on follows from the client's own config.
    from extract_lambda import handler

    handler._clients.clear()
    try:
        s3 = handler._client("s3")
    finally:
        handler._clients.clear()
    s3.create_bucket(Bucket="raw-bucket")
    config = s3.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS}
    # Per attempt: connect, read, and up to 1 s waiting for "100 Continue"; then botocore's
    # longest backoff before its one retry, 6 s.
    attempts_s = config.connect_timeout + config.read_timeout + 1.0
    assert config.retries["total_max_attempts"] * attempts_s + 6.0 <= S3_WRITE_BOUND_S
    assert 2 * handler.ExtractConfig.request_timeout_s + S3_WRITE_BOUND_S <= handler.RESERVE_S
    # Both sides above move together; the values operators read are docs/extractor.md's.
    doc = (Path(__file__).resolve().parents[3] / "docs" / "extractor.md").read_text()
    assert re.search(rf"gives up within {S3_WRITE_BOUND_S:g} s \(`S3_WRITE_BOUND_S`", doc)
    assert re.search(rf"`RESERVE_S`, {handler.RESERVE_S:g} s:", doc)
    attempts = []

    def time_out(request: Any, **_: Any) -> Any:
        attempts.append(request.url)
        raise ReadTimeoutError(endpoint_url=request.url)

    s3.meta.events.register_first("before-send.s3.PutObject", time_out)
    with pytest.raises(ReadTimeoutError):
        S3Sink("raw-bucket", client=s3).write("k/abc.json.gz", b"body")
    assert len(attempts) == S3_MAX_ATTEMPTS
