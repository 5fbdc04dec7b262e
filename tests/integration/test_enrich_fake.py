"""The enrichment task against the fake Spotify API on loopback (moto for S3, the handler).

Every run here goes through real sockets: spotipy, the client-credentials token request,
the retries, the fake's faults; S3 is moto's.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
from datetime import UTC, datetime

import boto3
import pytest
import requests

from extract_lambda import handler
from extract_lambda.config import Credentials
from extract_lambda.enrich import EnrichSettings, enrich_tracks, main, raw_root
from extract_lambda.enrich_state import LocalRawStore, State
from glue_jobs import metric_names as E
from tests.aws import mocked_aws
from tests.fixtures.extract.support import (
    BUCKET,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SECRET_ID,
    FakeClock,
    access_token,
    config_for,
    fake_server,
    handler_clients,
    lambda_environment,
)
from tools.fake_spotify import Catalogue, Fault

REMOVED = "R" * 22
NO_ISRC = "N" * 22
IDS = [f"{n:02d}" + "x" * 20 for n in range(25)]  # 22 base62 characters each
AT = datetime(2026, 11, 16, 6, 0, 3, 123456, tzinfo=UTC)


def catalogue() -> Catalogue:
    return Catalogue(seed=7, playlists=2, removed_tracks={REMOVED}, tracks_without_isrc={NO_ISRC})


@pytest.fixture
def server():
    with fake_server(catalogue(), mode="development") as fake:
        yield fake


def settings(**overrides) -> EnrichSettings:
    values = {"concurrency": 4, "max_tracks": 100, **overrides}
    return EnrichSettings(**values)


def run(server, root, references=(), *, config=None, clock=None, **overrides):
    chosen = settings(**overrides)
    store, sink = raw_root(str(root), chosen)
    return enrich_tracks(
        config or config_for(server, backoff_base_s=0.01, backoff_max_s=0.05),
        store,
        sink,
        settings=chosen,
        references=references,
        clock=lambda: AT,
        deadline=(clock.deadline(None) if clock else None),
    )


def track_requests(server) -> list:
    return [r for r in server.requests if r.path.startswith("/v1/tracks")]


def state_of(root) -> State:
    body, _ = LocalRawStore(root).get("enrichment/state.json.gz")
    return State.from_bytes(body, "state")


def test_each_id_is_one_request_with_an_app_token_and_lands_as_sent(server, tmp_path):
    ids = IDS[:5]
    summary = run(server, tmp_path, ids)
    assert summary["tracks_landed"] == 5 and summary["tracks_failed"] == 0
    assert summary["auth_mode"] == "client_credentials"
    calls = track_requests(server)
    assert sorted(r.path for r in calls) == sorted(f"/v1/tracks/{i}" for i in ids)
    assert {r.token_kind for r in calls} == {"app"}  # the refresh token is never used
    assert not [r for r in server.requests if r.path == "/v1/tracks"]  # no several-tracks
    assert all(r.query == {"market": "US"} for r in calls)
    token = access_token(server, "client_credentials")
    for track_id in ids:
        path = tmp_path / "tracks" / "fetched_date=2026-11-16" / f"{track_id}.json.gz"
        raw = path.read_bytes()
        assert gzip.decompress(raw).count(b"\n") == 1  # one JSON line
        document = json.loads(gzip.decompress(raw))
        sent = requests.get(
            f"{server.api_url}/tracks/{track_id}",
            params={"market": "US"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        assert document == {
            "contract_version": 1,
            "track_id": track_id,
            "extracted_at": "2026-11-16T06:00:03.123456Z",
            "fetched_date": "2026-11-16",
            "request": {
                "api_url": server.api_url,
                "endpoint": "/tracks/{id}",
                "market": "US",
                "auth_mode": "client_credentials",
                "run_id": summary["run_id"],
            },
            "track": sent,
        }
    assert sorted(summary["keys"]) == sorted(f"fetched_date=2026-11-16/{i}.json.gz" for i in ids)
    assert state_of(tmp_path).landed == set(ids) and state_of(tmp_path).pending == []


def test_failure_modes_are_counted_and_never_block_the_others(server, tmp_path):
    references = [
        REMOVED,
        "spotify:local:Some+Artist:Home+Demos:Song:215",
        "spotify:track:tooShort",
        NO_ISRC,
        f"https://open.spotify.com/track/{IDS[0]}",
        IDS[1],
    ]
    summary = run(server, tmp_path, references)
    assert summary["tracks_landed"] == 3  # NO_ISRC, IDS[0], IDS[1]
    assert summary["tracks_without_isrc"] == 1
    assert summary["failed_by_reason"] == {"invalid_id": 1, "local_file": 1, "not_found": 1}
    assert summary["tracks_failed"] == 3 and summary["tracks_given_up"] == 1
    assert {f["reason"]: f["final"] for f in summary["failures"]} == {
        "invalid_id": True,
        "local_file": True,
        "not_found": True,
    }
    # The local file and the malformed URI are never sent; the removed id once.
    assert sorted(r.path for r in track_requests(server)) == sorted(
        f"/v1/tracks/{i}" for i in (REMOVED, NO_ISRC, IDS[0], IDS[1])
    )
    no_isrc = tmp_path / "tracks" / "fetched_date=2026-11-16" / f"{NO_ISRC}.json.gz"
    assert json.loads(gzip.decompress(no_isrc.read_bytes()))["track"]["external_ids"] == {}
    state = state_of(tmp_path)
    assert state.gone[REMOVED]["reason"] == "not_found" and state.pending == []
    # Run again with the same ids: nothing is fetched again.
    server.reset_requests()
    again = run(server, tmp_path, [REMOVED, NO_ISRC, IDS[0], IDS[1]])
    assert track_requests(server) == []
    assert again["intake"]["already_known"] == 4 and again["tracks_landed"] == 0


def test_a_backfill_spreads_over_runs_and_resumes_where_it_stopped(server, tmp_path):
    todo = tmp_path / "enrichment" / "todo"
    todo.mkdir(parents=True)
    (todo / "charts-run-1.txt").write_text("\n".join(f"spotify:track:{i}" for i in IDS) + "\n")
    landed_per_run = []
    for _ in range(4):
        summary = run(server, tmp_path, max_tracks=10)
        landed_per_run.append(summary["tracks_landed"])
    assert landed_per_run == [10, 10, 5, 0]
    assert summary["pending_after"] == 0 and summary["pending_before"] == 0
    paths = [r.path for r in track_requests(server)]
    assert sorted(paths) == sorted(f"/v1/tracks/{i}" for i in IDS)  # none fetched twice
    assert state_of(tmp_path).todo_consumed == {"enrichment/todo/charts-run-1.txt"}


def test_429_waits_retry_after_then_goes_on(server, tmp_path):
    server.add_fault(Fault(429, path="/v1/tracks/", retry_after=3, times=2))
    clock = FakeClock()
    summary = run(server, tmp_path, IDS[:4], clock=clock, concurrency=1)
    assert summary["tracks_landed"] == 4 and summary["retries"] == 2
    assert clock.sleeps == [3, 3]


def test_spent_quota_stops_the_run_and_charges_no_id(server, tmp_path):
    server.add_fault(Fault(429, path="/v1/tracks/", reason="QUOTA_EXCEEDED", times=None))
    summary = run(server, tmp_path, IDS[:6])
    assert summary["stopped"]["reason"] == "quota_exceeded"
    assert summary["tracks_landed"] == 0 and summary["tracks_failed"] == 0
    state = state_of(tmp_path)
    assert state.pending == IDS[:6] and state.attempts == {}
    server.clear_faults()
    assert run(server, tmp_path)["tracks_landed"] == 6  # the next run does them


def test_a_failing_id_is_retried_in_later_runs_then_given_up(server, tmp_path):
    bad = IDS[2]
    server.add_fault(Fault(503, path=f"/v1/tracks/{bad}", times=None))
    first = run(server, tmp_path, IDS[:5], max_attempts_per_id=2)
    assert first["tracks_landed"] == 4
    assert first["failed_by_reason"] == {"server_error": 1}
    assert first["failures"][0]["final"] is False
    state = state_of(tmp_path)
    assert state.pending == [bad] and state.attempts == {bad: 1}
    second = run(server, tmp_path, max_attempts_per_id=2)
    assert second["failures"][0]["final"] is True and second["tracks_given_up"] == 1
    state = state_of(tmp_path)
    assert state.pending == [] and state.gone[bad]["reason"] == "server_error"
    server.reset_requests()
    assert run(server, tmp_path, [bad])["tracks_attempted"] == 0  # never retried forever


def test_the_deadline_stops_between_requests_and_the_next_run_resumes(server, tmp_path):
    clock = FakeClock()

    def tick() -> None:  # every track request costs 10 s of the run's time
        clock.now += 10

    server.add_fault(Fault(path="/v1/tracks/", times=None, action=tick))
    chosen = settings(concurrency=1)
    store, sink = raw_root(str(tmp_path), chosen)
    summary = enrich_tracks(
        config_for(server),
        store,
        sink,
        settings=chosen,
        references=IDS[:8],
        clock=lambda: AT,
        deadline=clock.deadline(25),
    )
    assert summary["stopped"]["reason"] == "deadline"
    assert summary["tracks_landed"] == 3  # at 0, 10 and 20 s; none started after 25 s
    assert state_of(tmp_path).pending == IDS[3:8]
    assert run(server, tmp_path)["tracks_landed"] == 5


def test_an_expired_refresh_token_does_not_stop_the_enrichment(server, tmp_path):
    expired = Credentials.from_values(server.client_id, server.client_secret, "expired-rt")
    config = dataclasses.replace(config_for(server), credentials=expired)
    summary = run(server, tmp_path, IDS[:2], config=config)
    assert summary["tracks_landed"] == 2
    assert not [r for r in server.requests if r.path == "/api/token" and r.status != 200]


def test_secrets_stay_out_of_logs_summary_and_documents(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    server.add_fault(Fault(503, path="/v1/tracks/", times=1))
    summary = run(server, tmp_path, [*IDS[:3], REMOVED])
    issued = [
        r.authorization[len("Bearer ") :]
        for r in server.requests
        if r.authorization and r.authorization.startswith("Bearer ")
    ]
    assert issued
    landed = b"".join(
        gzip.decompress(p.read_bytes()) for p in (tmp_path / "tracks").rglob("*.json.gz")
    )
    texts = [caplog.text, json.dumps(summary), landed.decode()]
    for secret in [CLIENT_SECRET, REFRESH_TOKEN, *issued]:
        assert all(secret not in text for text in texts)


def test_command_line_with_a_lake_reads_its_work_lists(server, tmp_path, capsys):
    todo = tmp_path / "raw" / "enrichment" / "todo"
    todo.mkdir(parents=True)
    (todo / "charts-local-1.txt").write_text(f"spotify:track:{IDS[0]}\n{IDS[1]}\n{IDS[0]}\n")
    extra = tmp_path / "more.txt"
    extra.write_text(f"https://open.spotify.com/track/{IDS[3]}\n")
    status = main(["--lake", str(tmp_path), "--todo", str(extra), IDS[2]], environ=server.env())
    summary = json.loads(capsys.readouterr().out)
    assert status == 0
    assert summary["tracks_landed"] == 4 and summary["intake"]["added"] == 4
    landed = sorted(p.name for p in (tmp_path / "raw" / "tracks").rglob("*.json.gz"))
    assert landed == sorted(f"{i}.json.gz" for i in IDS[:4])
    assert main(["--lake", str(tmp_path)], environ=server.env()) == 0  # nothing left: ok
    capsys.readouterr()
    assert main(["--raw", "ftp://x"], environ=server.env()) == 2


# -- the Lambda handler ------------------------------------------------------------------------


class Context:
    aws_request_id = "req-enrich-0001"
    function_name = "spotify-extract"
    memory_limit_in_mb = 512

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@pytest.fixture
def aws(monkeypatch, server):
    with mocked_aws(monkeypatch, BUCKET) as s3:
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name=SECRET_ID, SecretString=json.dumps(server.credentials))
        with handler_clients(s3=s3, secretsmanager=secrets):
            lambda_environment(monkeypatch, server, ENRICH_MAX_TRACKS="4")
            yield s3


def test_handler_enrich_task_reads_the_work_list_and_emits_metrics(server, aws, capsys):
    s3 = aws
    work = "\n".join([*IDS[:5], REMOVED, "spotify:local:a:b:c:1"]) + "\n"
    s3.put_object(Bucket=BUCKET, Key="enrichment/todo/charts-run-1.txt", Body=work.encode())
    summary = handler.lambda_handler({"task": "enrich"}, Context())
    assert summary["tracks_attempted"] == 4 and summary["pending_after"] == 2
    assert summary["destination"] == f"s3://{BUCKET}/tracks"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="tracks/")["Contents"])
    assert keys == sorted(summary["keys"])
    document = json.loads(gzip.decompress(s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()))
    assert document["request"]["run_id"] == "req-enrich-0001"
    head = s3.head_object(Bucket=BUCKET, Key=keys[0])
    assert head["ServerSideEncryption"] == "AES256"
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = {m["Name"] for doc in emf for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {E.TRACKS_LANDED, E.TRACKS_FAILED, E.TRACKS_PENDING, E.ENRICH_RUNS} <= names
    by_reason = [d for d in emf if E.TRACKS_FAILED_REASON_DIMENSION in d]
    assert {d["Reason"]: d[E.TRACKS_FAILED_BY_REASON] for d in by_reason} == {"local_file": [1.0]}
    second = handler.lambda_handler({"task": "enrich", "track_ids": [IDS[7]]}, Context())
    assert second["tracks_landed"] == 2 and second["failed_by_reason"] == {"not_found": 1}
    assert second["pending_after"] == 0


def test_handler_raises_when_nothing_pending_could_be_settled(server, aws):
    server.add_fault(Fault(429, path="/v1/tracks/", reason="QUOTA_EXCEEDED", times=None))
    with pytest.raises(handler.EnrichmentFailed, match="quota"):
        handler.lambda_handler({"task": "enrich", "track_ids": IDS[:2]}, Context())
    with pytest.raises(Exception, match="task"):
        handler.lambda_handler({"task": "dance"}, Context())
