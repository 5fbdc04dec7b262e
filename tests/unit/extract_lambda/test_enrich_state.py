"""The enrichment's queue: references, applying a run's changes, saving under contention,
resuming, and the deadline (no network: the deadline is spent before any request)."""

from __future__ import annotations

import gzip

import pytest

from extract_lambda.config import Credentials, ExtractConfig
from extract_lambda.enrich import EnrichSettings, _Ledger, _Run, enrich_tracks, raw_root
from extract_lambda.enrich_state import (
    Delta,
    LocalRawStore,
    S3RawStore,
    State,
    StateConflict,
    StateUnreadable,
    parse_track_reference,
    read_work_list,
    track_id_of_key,
)
from extract_lambda.retry import Deadline
from tests.aws import mocked_aws

A, B, C, D, E = (letter * 22 for letter in "ABCDE")


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("0VjIjW4GlUZAMYd2vXMi3b", ("0VjIjW4GlUZAMYd2vXMi3b", None)),
        ("  0VjIjW4GlUZAMYd2vXMi3b\t", ("0VjIjW4GlUZAMYd2vXMi3b", None)),
        ("spotify:track:0VjIjW4GlUZAMYd2vXMi3b", ("0VjIjW4GlUZAMYd2vXMi3b", None)),
        ("https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b", ("0VjIjW4GlUZAMYd2vXMi3b", None)),
        (
            "https://open.spotify.com/intl-de/track/0VjIjW4GlUZAMYd2vXMi3b?si=abc",
            ("0VjIjW4GlUZAMYd2vXMi3b", None),
        ),
        ("spotify:local:Artist:Album:Song:215", (None, "local_file")),
        ("spotify:local:::Song:215", (None, "local_file")),
        ("0VjIjW4GlUZAMYd2vXMi3", (None, "invalid_id")),  # 21 characters
        ("0VjIjW4GlUZAMYd2vXMi3bX", (None, "invalid_id")),  # 23
        ("0VjIjW4GlUZAMYd2vXMi3-", (None, "invalid_id")),
        ("spotify:album:0VjIjW4GlUZAMYd2vXMi3b", (None, "invalid_id")),
        ("https://evil.example/track/0VjIjW4GlUZAMYd2vXMi3b", (None, "invalid_id")),
        ("", (None, "invalid_id")),
        (None, (None, "invalid_id")),
        (42, (None, "invalid_id")),
    ],
)
def test_track_references(reference, expected):
    assert parse_track_reference(reference) == expected


def test_work_list_lines_comments_bom_and_gzip():
    text = "\ufeff# chart run 7\n\nAAAAAAAAAAAAAAAAAAAAAA\r\n  spotify:track:BBBBBBBBBBBBBBBBBBBBBB  \n"
    expected = ["AAAAAAAAAAAAAAAAAAAAAA", "spotify:track:BBBBBBBBBBBBBBBBBBBBBB"]
    assert read_work_list(text.encode(), "todo/a.txt") == expected
    assert read_work_list(gzip.compress(text.encode()), "todo/a.txt.gz") == expected


def test_track_id_of_key():
    assert track_id_of_key(f"tracks/fetched_date=2026-11-16/{A}.json.gz") == A
    assert track_id_of_key(f"root/tracks/fetched_date=2026-11-16/{A}.json") == A
    assert track_id_of_key(f"tracks/{A}.json.gz") is None
    assert track_id_of_key("tracks/fetched_date=2026-11-16/short.json.gz") is None


def test_apply_worked_by_hand():
    # Queue A, B, C. The run lands A, gives C up (404), fails B for a passing reason, and
    # reads a work list adding D, B (already queued) and E.
    state = State(pending=[A, B, C], attempts={C: 2})
    delta = Delta(
        added=[D, B, E],
        landed={A},
        gone={C: {"reason": "not_found"}},
        failed_attempts={B: 1},
        consumed={"enrichment/todo/1.txt"},
    )
    new = state.apply(delta)
    assert new.pending == [D, E, B]  # B moved to the end: it never blocks the others
    assert new.attempts == {B: 1}  # C's attempts leave with it
    assert new.landed == {A}
    assert new.gone == {C: {"reason": "not_found"}}
    assert new.todo_consumed == {"enrichment/todo/1.txt"}
    assert state.pending == [A, B, C]  # the old state is unchanged
    # Applied twice (a save retried after a conflict with its own write): the same queue.
    assert new.apply(Delta(added=[D, B, E], landed={A})).pending == [D, E, B]


def test_an_id_landed_by_another_run_leaves_the_queue_and_its_failure_is_forgotten():
    state = State(pending=[A, B], landed={C})
    new = state.apply(Delta(added=[C], gone={A: {"reason": "not_found"}}, landed={A}))
    assert new.pending == [B]
    assert A not in new.gone  # landed wins over a failure recorded by a slower run
    assert new.landed == {A, C}


def test_state_round_trip_and_unreadable_states():
    state = State(
        pending=[B, A],
        attempts={B: 2},
        landed={C},
        gone={D: {"reason": "not_found", "status": 404}},
        todo_consumed={"enrichment/todo/x.txt"},
    )
    again = State.from_bytes(state.to_bytes("2026-11-16T06:00:00.000000Z"), "s")
    assert (again.pending, again.attempts, again.landed, again.gone, again.todo_consumed) == (
        [B, A],
        {B: 2},
        {C},
        {D: {"reason": "not_found", "status": 404}},
        {"enrichment/todo/x.txt"},
    )
    assert again.updated_at == "2026-11-16T06:00:00.000000Z"
    with pytest.raises(StateUnreadable):
        State.from_bytes(b"not gzip", "s")
    with pytest.raises(StateUnreadable):
        State.from_bytes(gzip.compress(b'{"version": 2}'), "s")
    with pytest.raises(StateUnreadable):
        State.from_bytes(gzip.compress(b'{"version": 1, "pending": 3}'), "s")


def _writes_only_on_the_version_read(store) -> None:
    """A conditional write succeeds on the version it read (None: no object yet) and on no
    other; the store then lists the one object (no lock file)."""
    first = store.put_if("enrichment/state.json.gz", b"one", None)
    with pytest.raises(StateConflict):
        store.put_if("enrichment/state.json.gz", b"two", None)
    second = store.put_if("enrichment/state.json.gz", b"two", first)
    with pytest.raises(StateConflict):
        store.put_if("enrichment/state.json.gz", b"three", first)
    assert store.get("enrichment/state.json.gz") == (b"two", second)
    assert list(store.list_keys("enrichment/")) == ["enrichment/state.json.gz"]


def test_local_conditional_write(tmp_path):
    _writes_only_on_the_version_read(LocalRawStore(tmp_path))


@pytest.fixture
def s3(monkeypatch):
    with mocked_aws(monkeypatch, "raw-bucket-test") as client:
        yield client


def test_s3_conditional_write(s3):
    store = S3RawStore("raw-bucket-test", "root", client=s3)
    store.check_client()
    _writes_only_on_the_version_read(store)
    assert store.get("enrichment/absent") is None
    head = s3.head_object(Bucket="raw-bucket-test", Key="root/enrichment/state.json.gz")
    assert head["ServerSideEncryption"] == "AES256"


def _run(store) -> _Run:
    return _Run(run_id="r", started_at="t", destination="d", state_location="s")


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_two_runs_saving_at_once_lose_nothing(kind, tmp_path, s3):
    store = LocalRawStore(tmp_path) if kind == "local" else S3RawStore("raw-bucket-test", client=s3)
    settings = EnrichSettings()
    seed = _Ledger(store, settings, _run(store))
    seed.delta.added = [A, B, C, D]
    seed.save()
    first, second = (_Ledger(store, settings, _run(store)) for _ in range(2))
    first.delta.landed = {A}
    first.delta.added = [E]
    second.delta.landed = {B}
    second.delta.gone = {C: {"reason": "not_found"}}
    first.save()
    second.save()  # refused once (first wrote in between), then merged and saved
    final = _Ledger(store, settings, _run(store)).state
    assert final.pending == [D, E]
    assert final.landed == {A, B}
    assert set(final.gone) == {C}


def test_a_missing_state_is_rebuilt_from_the_landed_documents(tmp_path):
    (tmp_path / "tracks" / "fetched_date=2026-11-16").mkdir(parents=True)
    (tmp_path / "tracks" / "fetched_date=2026-11-16" / f"{A}.json.gz").write_bytes(b"x")
    (tmp_path / "enrichment" / "todo").mkdir(parents=True)
    (tmp_path / "enrichment" / "todo" / "charts-1.txt").write_text(f"{A}\n{B}\nspotify:local:x\n")
    ledger = _Ledger(LocalRawStore(tmp_path), EnrichSettings(), _run(None))
    assert ledger.state.landed == {A}
    from extract_lambda.enrich import _intake

    _intake(ledger, [f"spotify:track:{C}", B])
    assert ledger.delta.added == [B, C]  # A is landed already; B once
    assert ledger.delta.consumed == {"enrichment/todo/charts-1.txt"}
    assert ledger.run.already_known == 2 and ledger.run.by_reason == {"local_file": 1}
    ledger.save()
    again = _Ledger(LocalRawStore(tmp_path), EnrichSettings(), _run(None))
    _intake(again, [])
    assert again.run.todo_objects == 0 and again.delta.added == []  # read once only


def test_a_spent_deadline_sends_nothing_and_keeps_the_queue(tmp_path):
    # No server listens on port 9: a single request would fail the run another way.
    config = ExtractConfig(
        credentials=Credentials.from_values("cid-123456", "csecret-123456", "rtoken-123456"),
        api_url="http://127.0.0.1:9/v1",
        auth_url="http://127.0.0.1:9/api/token",
    )
    settings = EnrichSettings(max_tracks=2)
    store, sink = raw_root(str(tmp_path), settings)
    summary = enrich_tracks(
        config, store, sink, settings=settings, references=[A, B, C], deadline=Deadline(0)
    )
    assert summary["stopped"]["reason"] == "deadline"
    assert summary["requests"] == 0
    assert summary["auth_mode"] == "client_credentials"  # the refresh token is not used
    assert (summary["pending_before"], summary["pending_after"]) == (3, 3)
    assert summary["tracks_failed"] == 0 and summary["tracks_attempted"] == 0
    state = _Ledger(store, settings, _run(store)).state
    assert state.pending == [A, B, C] and state.attempts == {}  # nothing charged


def test_settings_from_the_environment():
    settings = EnrichSettings.from_env(
        {"ENRICH_MAX_TRACKS": "50", "ENRICH_CONCURRENCY": " 8 ", "TRACKS_PREFIX": "/t/"}
    )
    assert (settings.max_tracks, settings.concurrency, settings.tracks_prefix) == (50, 8, "t")
    assert settings.state_key == "enrichment/state.json.gz"
    with pytest.raises(ValueError, match="ENRICH_CONCURRENCY"):
        EnrichSettings.from_env({"ENRICH_CONCURRENCY": "0"})
    with pytest.raises(ValueError, match="integer"):
        EnrichSettings.from_env({"ENRICH_MAX_TRACKS": "many"})
    with pytest.raises(ValueError, match="prefix"):
        EnrichSettings(tracks_prefix="a b")
