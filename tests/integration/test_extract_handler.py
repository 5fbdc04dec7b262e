"""The Lambda handler with moto (S3, Secrets Manager) and the fake Spotify API on loopback."""

from __future__ import annotations

import gzip
import json
import logging

import boto3
import pytest

from extract_lambda import handler, logsafe, observability
from tests.aws import mocked_aws
from tests.fixtures.extract.support import (
    BUCKET,
    CLIENT_SECRET,
    NAMESPACE,
    REFRESH_TOKEN,
    SECRET_ID,
    fake_server,
    handler_clients,
    lambda_environment,
)
from tools.fake_spotify import ODD_ENTRIES, Catalogue, Fault

KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


class Context:
    """The part of the Lambda context the handler uses."""

    aws_request_id = "req-0001"
    function_name = "spotify-extract"
    memory_limit_in_mb = 512

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
    with mocked_aws(monkeypatch, BUCKET) as s3:
        secrets = CountingSecrets(boto3.client("secretsmanager"))
        with handler_clients(s3=s3, secretsmanager=secrets):
            yield s3, secrets


@pytest.fixture
def server(catalogue, aws, monkeypatch):
    _, secrets = aws
    with fake_server(catalogue) as fake:
        secrets.client.create_secret(Name=SECRET_ID, SecretString=json.dumps(fake.credentials))
        lambda_environment(
            monkeypatch,
            fake,
            RAW_PREFIX="playlist_snapshots",
            RAW_KMS_KEY_ID=KMS_KEY,
            PLAYLIST_IDS=",".join(catalogue.user_playlist_ids),
            SPOTIFY_MARKET="SE",
            MAX_CONCURRENCY="4",
        )
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


def test_a_debug_run_of_the_handler_leaks_no_secret(
    server, aws, catalogue, caplog, capsys, monkeypatch
):
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
    # The extractor's own lines are JSON on stdout; the libraries' go through the root.
    stdout = capsys.readouterr().out
    assert json_logs(stdout), "the extractor logged"
    assert caplog.records, "the libraries' records were captured"
    for text in (caplog.text, stdout):
        assert CLIENT_SECRET not in text
        assert REFRESH_TOKEN not in text


def test_every_failed_playlist_is_an_error_line_and_a_clean_run_has_none(
    server, aws, catalogue, capsys
):
    """A partly failed run is a successful invocation: each failure must log one ERROR
    line (JSON, with the playlist and the reason as fields), a clean run none."""
    handler.lambda_handler({}, Context())
    assert [r for r in json_logs(capsys.readouterr().out) if r["level"] == "ERROR"] == []
    (editorial,) = catalogue.editorial_ids
    summary = handler.lambda_handler(
        {"playlist_ids": [catalogue.user_playlist_ids[0], editorial]}, Context()
    )
    errors = [r for r in json_logs(capsys.readouterr().out) if r["level"] == "ERROR"]
    assert summary["playlists_failed"][0]["playlist_id"] == editorial
    assert len(errors) == 1
    assert (errors[0]["playlist_id"], errors[0]["reason"]) == (editorial, "not_found")
    assert errors[0]["status"] == 404 and "editorial" in errors[0]["message"]


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
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE)
    with pytest.raises(handler.ConfigError, match="SPOTIFY_SECRET_ID"):
        handler.lambda_handler({}, Context())


# -- structured logs and metrics (aws-lambda-powertools) -------------------------------------


def json_logs(stdout: str) -> list[dict]:
    """The JSON log lines of stdout (EMF documents, which carry ``_aws``, left out)."""
    records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return [r for r in records if "_aws" not in r]


def emf_documents(stdout: str) -> list[dict]:
    records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return [r for r in records if "_aws" in r]


def metric_values(document: dict) -> dict[str, float]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    names = [m["Name"] for m in directive["Metrics"]]
    assert all(m["Unit"] == "Count" for m in directive["Metrics"])
    # EMF allows a list of values per metric (powertools writes one); CloudWatch adds them.
    values = {name: document[name] for name in names}
    return {k: sum(v) if isinstance(v, list) else v for k, v in values.items()}


def dimensions(document: dict) -> list[list[str]]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    return directive["Dimensions"]


def test_a_run_logs_json_with_fields_and_emits_its_metrics(server, aws, catalogue, capsys):
    first, second, third = catalogue.user_playlist_ids
    (editorial,) = catalogue.editorial_ids
    other = catalogue.not_owned_ids[0]
    # Odd entries on the second playlist's first page: landed as sent, counted.
    server.add_fault(Fault(path=f"{second}/items", odd_entries=dict(enumerate(ODD_ENTRIES))))
    summary = handler.lambda_handler(
        {"playlist_ids": [first, editorial, second, other, third, "not a playlist!"]}, Context()
    )
    stdout = capsys.readouterr().out
    assert summary["playlists_ok"] == [first, second, third]
    assert summary["entries_malformed"] == len(ODD_ENTRIES) == 6

    # Metrics: one document of the run's totals, one per failure reason.
    documents = emf_documents(stdout)
    totals = [d for d in documents if "ExtractRuns" in d]
    (run,) = totals
    assert metric_values(run) == {
        "PlaylistsSucceeded": 3,
        "PlaylistsFailed": 3,
        "ItemsLanded": summary["items"],
        "EntriesMalformed": 6,
        "ExtractRuns": 1,
    }
    assert summary["items"] == sum(len(catalogue.entries(p, 0)) for p in (first, second, third))
    assert run["service"] == "extract" and dimensions(run) == [["service"]]
    by_reason = {d["Reason"]: d for d in documents if d is not run}
    assert set(by_reason) == {"not_found", "forbidden", "invalid_id"}
    for document in by_reason.values():
        assert metric_values(document) == {"PlaylistsFailedByReason": 1}
        assert document["service"] == "extract"
        assert dimensions(document) == [["service", "Reason"]]

    # Logs: JSON lines whose data are fields, not words in the message.
    logs = json_logs(stdout)
    assert logs and all(r["service"] == "extract" for r in logs)
    assert all(r["function_request_id"] == "req-0001" for r in logs)
    landed = {r["playlist_id"]: r for r in logs if r["message"] == "playlist landed"}
    assert set(landed) == {first, second, third}
    for snapshot in summary["snapshots"]:
        line = landed[snapshot["playlist_id"]]
        for name in ("items", "pages", "bytes", "key", "entries_malformed"):
            assert line[name] == snapshot[name], name
        assert isinstance(line["duration_s"], float) and line["duration_s"] >= 0
    assert landed[second]["entries_malformed"] == 6 and landed[first]["entries_malformed"] == 0
    (warning,) = [r for r in logs if r["level"] == "WARNING" and r.get("playlist_id") == second]
    assert warning["entries_malformed"] == 6
    errors = {r["playlist_id"]: r for r in logs if r["level"] == "ERROR"}
    assert {p: e["reason"] for p, e in errors.items()} == {
        editorial: "not_found",
        other: "forbidden",
        "not a playlist!": "invalid_id",
    }
    (finished,) = [r for r in logs if r["message"] == "extraction finished"]
    assert (finished["playlists_ok"], finished["playlists_failed"]) == (3, 3)
    assert finished["items"] == summary["items"] and finished["entries_malformed"] == 6
    (last,) = [r for r in logs if r["message"] == "summary"]
    assert last["summary"]["keys"] == summary["keys"]


def test_a_run_that_lands_nothing_still_counts_as_a_run(server, aws, catalogue, capsys):
    (editorial,) = catalogue.editorial_ids
    with pytest.raises(handler.ExtractionFailed):
        handler.lambda_handler({"playlist_ids": [editorial]}, Context())
    documents = emf_documents(capsys.readouterr().out)
    (run,) = [d for d in documents if "ExtractRuns" in d]
    assert metric_values(run) == {
        "PlaylistsSucceeded": 0,
        "PlaylistsFailed": 1,
        "ItemsLanded": 0,
        "EntriesMalformed": 0,
        "ExtractRuns": 1,
    }
    (failed,) = [d for d in documents if d is not run]
    assert failed["Reason"] == "not_found"
    assert metric_values(failed) == {"PlaylistsFailedByReason": 1}


def test_the_metrics_namespace_is_required(server, aws, monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE")
    with pytest.raises(handler.ConfigError, match="POWERTOOLS_METRICS_NAMESPACE"):
        handler.lambda_handler({}, Context())
    assert [r for r in server.requests if r.path.startswith("/v1/")] == []


def test_structured_fields_are_redacted_too(server, aws, catalogue, capsys):
    """A secret passed as a field (not in the message) is masked on the JSON line."""
    log = logging.getLogger("extract_lambda.test")
    with observability.structured_logs("extract", Context()):
        logsafe.protect_logs([CLIENT_SECRET])
        log.warning(
            "credential check",
            extra={
                "detail": f"client_secret={CLIENT_SECRET}",
                "nested": {"header": "Bearer abc.def-123", "values": [CLIENT_SECRET]},
            },
        )
    (line,) = [r for r in json_logs(capsys.readouterr().out) if r["message"] == "credential check"]
    assert CLIENT_SECRET not in json.dumps(line)
    assert line["detail"] == "client_secret=***"
    assert line["nested"] == {"header": "Bearer ***", "values": ["***"]}
    # Outside an invocation the package logs through the root again (CLI, tests).
    assert logging.getLogger("extract_lambda").propagate
