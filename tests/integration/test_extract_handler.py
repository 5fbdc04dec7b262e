"""The Lambda handler with moto (S3, Secrets Manager) and the fake Spotify API on loopback."""

from __future__ import annotations

import gzip
import json
import logging

import boto3
import pytest
from moto import mock_aws

from extract_lambda import handler, logsafe
from tests.fixtures.extract.support import CLIENT_SECRET, REFRESH_TOKEN, fake_server
from tools.fake_spotify import Catalogue

BUCKET = "raw-bucket-test"
SECRET_ID = "spotify-lakehouse/extractor"
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


class Context:
    """The part of the Lambda context the handler uses."""

    def __init__(self, millis: int = 300_000) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


class CountingSecrets:
    """Wraps the moto client to count reads of the secret."""

    def __init__(self, client) -> None:
        self.client = client
        self.reads = 0

    def get_secret_value(self, **kwargs):
        self.reads += 1
        return self.client.get_secret_value(**kwargs)


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue(seed=41, playlists=3, sizes=(60, 10, 5), editorial=1)


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        secrets = CountingSecrets(boto3.client("secretsmanager"))
        handler.forget_credentials()
        handler._clients.clear()
        handler._clients["s3"] = s3
        handler._clients["secretsmanager"] = secrets
        yield s3, secrets
        handler.forget_credentials()
        handler._clients.clear()


@pytest.fixture
def server(catalogue, aws, monkeypatch):
    _, secrets = aws
    with fake_server(catalogue) as fake:
        secrets.client.create_secret(Name=SECRET_ID, SecretString=json.dumps(fake.credentials))
        for name, value in {
            "RAW_BUCKET": BUCKET,
            "RAW_PREFIX": "playlist_snapshots",
            "RAW_KMS_KEY_ID": KMS_KEY,
            "SPOTIFY_SECRET_ID": SECRET_ID,
            "PLAYLIST_IDS": ",".join(catalogue.user_playlist_ids),
            "SPOTIFY_MARKET": "SE",
            "SPOTIFY_API_URL": fake.api_url,
            "SPOTIFY_AUTH_URL": fake.auth_url,
            "MAX_CONCURRENCY": "4",
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        yield fake


def test_scheduled_run_lands_encrypted_snapshots_and_returns_the_summary(server, aws, catalogue):
    s3, secrets = aws
    summary = handler.lambda_handler(
        {"source": "aws.events", "detail-type": "Scheduled Event"}, Context()
    )
    assert summary["playlists_ok"] == catalogue.user_playlist_ids
    assert summary["auth_mode"] == "refresh_token"
    assert summary["destination"] == f"s3://{BUCKET}/playlist_snapshots"
    listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(summary["keys"])
    assert summary["bytes"] == sum(o["Size"] for o in listed)
    for key in summary["keys"]:
        assert key.startswith("playlist_snapshots/snapshot_date=")
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == KMS_KEY
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        document = json.loads(gzip.decompress(body))
        assert document["request"]["market"] == "SE"
        assert key.split("/")[2] == f"playlist_id={document['playlist_id']}"
    requests = [r for r in server.requests if r.path.startswith("/v1/")]
    assert all(r.query["market"] == "SE" for r in requests)
    assert secrets.reads == 1


def test_secret_is_read_once_per_container_and_the_event_overrides_playlists(
    server, aws, catalogue
):
    _, secrets = aws
    first, second, third = catalogue.user_playlist_ids
    one = handler.lambda_handler({"playlist_ids": [second]}, Context())
    two = handler.lambda_handler({"playlist_ids": [third, first]}, Context())
    assert one["playlists_ok"] == [second]
    assert two["playlists_ok"] == [third, first]
    assert secrets.reads == 1


def test_aes256_when_no_kms_key(server, aws, catalogue, monkeypatch):
    s3, _ = aws
    monkeypatch.setenv("RAW_KMS_KEY_ID", "")
    summary = handler.lambda_handler({"playlist_ids": catalogue.user_playlist_ids[:1]}, Context())
    (key,) = summary["keys"]
    assert s3.head_object(Bucket=BUCKET, Key=key)["ServerSideEncryption"] == "AES256"


def test_partial_failure_returns_and_total_failure_raises(server, aws, catalogue):
    (editorial,) = catalogue.editorial_ids
    partial = handler.lambda_handler(
        {"playlist_ids": [editorial, catalogue.user_playlist_ids[1]]}, Context()
    )
    assert partial["playlists_ok"] == [catalogue.user_playlist_ids[1]]
    assert partial["playlists_failed"][0]["reason"] == "not_found"
    with pytest.raises(handler.ExtractionFailed, match="not_found") as raised:
        handler.lambda_handler({"playlist_ids": [editorial]}, Context())
    assert raised.value.summary["playlists_ok"] == []
    assert CLIENT_SECRET not in str(raised.value) and REFRESH_TOKEN not in str(raised.value)


def test_a_debug_run_of_the_handler_leaks_no_secret(server, aws, catalogue, caplog, monkeypatch):
    """Lambda's application log level set to DEBUG: botocore would log the whole
    GetSecretValue response (the secret string) before the redactor knows its values."""
    # A fresh container's redactor: earlier tests taught the shared one these values, and
    # its filters sit on pytest's session-long handlers (they rewrite records in place).
    monkeypatch.setattr(logsafe, "_REDACTOR", logsafe.Redactor())
    removed = [
        (h, f)
        for h in logging.getLogger().handlers
        for f in h.filters
        if isinstance(f, logsafe.RedactingFilter)
    ]
    for h, f in removed:
        h.removeFilter(f)
    caplog.set_level(logging.DEBUG)
    try:
        summary = handler.lambda_handler({}, Context())
    finally:
        for h in logging.getLogger().handlers:
            for f in [f for f in h.filters if isinstance(f, logsafe.RedactingFilter)]:
                h.removeFilter(f)
        for h, f in removed:
            h.addFilter(f)
    assert summary["playlists_ok"] == catalogue.user_playlist_ids
    assert any(r.name.startswith("extract_lambda") for r in caplog.records)
    assert CLIENT_SECRET not in caplog.text
    assert REFRESH_TOKEN not in caplog.text


def test_every_failed_playlist_is_an_error_line_and_a_clean_run_has_none(
    server, aws, catalogue, caplog
):
    """The monitoring module alarms on the Lambda's ERROR log lines (a partly failed run
    is a successful invocation): each failure must log one, a clean run none."""
    caplog.set_level(logging.INFO)
    handler.lambda_handler({}, Context())
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    caplog.clear()
    (editorial,) = catalogue.editorial_ids
    summary = handler.lambda_handler(
        {"playlist_ids": [catalogue.user_playlist_ids[0], editorial]}, Context()
    )
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert summary["playlists_failed"][0]["playlist_id"] == editorial
    assert len(errors) == 1 and editorial in errors[0] and "not_found" in errors[0]


def test_refused_secret_is_read_again_next_time(server, aws, catalogue):
    _, secrets = aws
    secrets.client.put_secret_value(
        SecretId=SECRET_ID,
        SecretString=json.dumps({**server.credentials, "refresh_token": "revoked-token"}),
    )
    with pytest.raises(handler.ExtractionFailed, match="auth_failed"):
        handler.lambda_handler({}, Context())
    # The secret is fixed (e.g. `make spotify-auth --secret-id`): the next run picks it up.
    secrets.client.put_secret_value(SecretId=SECRET_ID, SecretString=json.dumps(server.credentials))
    summary = handler.lambda_handler({}, Context())
    assert summary["playlists_ok"] == catalogue.user_playlist_ids
    assert secrets.reads == 2


def test_a_local_invocation_without_context_has_no_deadline(server, aws, catalogue):
    summary = handler.lambda_handler({"playlist_ids": catalogue.user_playlist_ids[2:]}, None)
    assert summary["playlists_ok"] == catalogue.user_playlist_ids[2:]


def test_a_nearly_finished_lambda_attempts_nothing(server, aws, catalogue):
    with pytest.raises(handler.ExtractionFailed, match="deadline"):
        handler.lambda_handler({}, Context(millis=handler.RESERVE_S * 1000 - 1))
    assert [r for r in server.requests if r.path.startswith("/v1/")] == []


def test_event_playlist_ids_may_be_a_comma_separated_string(server, aws):
    ids = server.catalogue.user_playlist_ids[:2]
    summary = handler.lambda_handler({"playlist_ids": ",".join(ids)}, Context())
    assert summary["playlists_ok"] == ids


def test_event_playlist_ids_must_be_strings(server, aws):
    with pytest.raises(handler.ConfigError, match="list of playlist id"):
        handler.lambda_handler({"playlist_ids": [1, 2]}, Context())


def test_missing_settings_are_named(monkeypatch, aws):
    monkeypatch.delenv("SPOTIFY_SECRET_ID", raising=False)
    monkeypatch.setenv("RAW_BUCKET", BUCKET)
    with pytest.raises(handler.ConfigError, match="SPOTIFY_SECRET_ID"):
        handler.lambda_handler({}, Context())
