"""Smoke test of `make bench`: the whole benchmark runs at a tiny size and reports sensibly.

This is not a timing check and asserts nothing about speed: timings on a shared CI runner
mean nothing. It checks that every run of the benchmark happens and succeeds, that the
JSON has every row with positive measurements, and, as a real correctness cross-check,
that the Glue job, the pandas baseline and DuckDB write the same number of fact rows
from the same files.

It runs the benchmark as `make bench` does, in a subprocess (which starts its own
subprocesses: one JVM per Glue run, the fake Spotify API), so it shares nothing with the
test session's SparkSession. Those JVMs get the same C1-only JIT flag as the test session
(see tests/conftest.py): on runs this short the C2 compiler costs more CPU than it saves.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from glue_jobs.schemas import TABLES
from tests.bench.support import run_bench
from tests.oracle import FACT_KINDS, entry_kind
from tools.fake_spotify import Catalogue

EXPECTED_ROWS = {
    "glue-full",
    "glue-incremental",
    "glue-one-day-alone",
    "pandas",
    "duckdb",
    "extract-sequential",
    "extract-concurrent",
    "extract-429-storm",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    arguments = [
        "--items",
        "2000",
        "--sizes",
        "2000",
        "--driver-memory",
        "1g",
        "--no-event-log",
        "--extract-items",
        "300",
        "--latency",
        "0.002",
        "--storm-retry-after",
        "1",
        "--storm-deadline",
        "3",
    ]
    return run_bench(arguments, tmp_path_factory.mktemp("bench"), timeout=1800)


@pytest.mark.slow
def test_every_run_is_reported_with_positive_measurements(results: dict) -> None:
    rows = {row["name"]: row for row in results["rows"]}
    assert set(rows) >= EXPECTED_ROWS
    for name in EXPECTED_ROWS:
        row = rows[name]
        assert row["ok"], (name, row["error"])
        assert row["wall_s"] > 0, name
        assert row["peak_rss_mib"] > 0, name
        if name != "extract-429-storm":  # a storm lands nothing, by design
            assert row["items"] > 0, name
            assert row["items_per_s"] > 0, name
            assert row["items_per_min"] > 0, name


@pytest.mark.slow
def test_engines_agree_on_fact_rows(results: dict) -> None:
    rows = {row["name"]: row for row in results["rows"]}
    facts = {
        name: rows[name]["rows_written"]["fact_playlist_item"]
        for name in ("glue-full", "pandas", "duckdb")
    }
    assert len(set(facts.values())) == 1, facts
    # Worked out from the landed files themselves (the engines' input): every entry of a
    # playlist's latest document of a day becomes a fact row, except what the contract
    # rejects (null payloads, audiobook chapters, tracks without an id); earlier documents
    # of that day are superseded.
    documents = _landed_documents(
        Path(results["datasets"][str(results["options"]["items"])]["raw"])
    )
    latest: dict[tuple[str, str], dict] = {}
    for document in documents:
        key = (document["playlist_id"], document["snapshot_date"])
        if key not in latest or document["extracted_at"] > latest[key]["extracted_at"]:
            latest[key] = document
    entries = [e for d in latest.values() for e in d["playlist"][d["api_shape"]]["items"]]
    kinds = Counter(entry_kind(e) for e in entries)
    # The generator lands each rejected kind at this size (so each rule is cross-checked).
    assert set(kinds) == FACT_KINDS | {"null_item", "unsupported_type", "missing_id"}, kinds
    # What the job itself says it read (the row's `items` is the generator's count).
    assert rows["glue-full"]["details"]["entries_read"] == sum(
        len(d["playlist"][d["api_shape"]]["items"]) for d in documents
    )
    assert facts["glue-full"] == sum(kinds[kind] for kind in FACT_KINDS)
    assert results["cross_check"]["fact_playlist_item"]["agree"]


@pytest.mark.slow
def test_engines_agree_on_every_value_of_every_table(results: dict) -> None:
    # The runner fingerprints every contract column of every table each engine wrote (an
    # order-independent hash of the rows' values): equal counts are not enough, a wrong
    # value in one engine's output must fail here.
    check = results["cross_check"]
    assert set(check) == set(TABLES), sorted(check)
    for table, verdict in check.items():
        prints = verdict["fingerprints"]
        assert set(prints) == {"glue-full", "pandas", "duckdb"}, (table, prints)
        assert all(prints.values()), (table, prints)
        assert len(set(prints.values())) == 1, (table, prints)
        assert verdict["agree"] and verdict["values_agree"], (table, verdict)


def _landed_documents(raw: Path) -> list[dict]:
    """Every snapshot document under a raw root (one per gzip file, one JSON line)."""
    files = sorted(raw.rglob("*.json.gz"))
    assert files, raw
    return [json.loads(gzip.decompress(f.read_bytes())) for f in files]


@pytest.mark.slow
def test_incremental_run_reads_only_the_new_day(results: dict) -> None:
    rows = {row["name"]: row for row in results["rows"]}
    incremental, alone = rows["glue-incremental"], rows["glue-one-day-alone"]
    assert incremental["items"] == alone["items"] < rows["glue-full"]["items"]
    assert incremental["details"]["entries_read"] == incremental["items"]


@pytest.mark.slow
def test_storm_ends_with_a_reason(results: dict) -> None:
    # Whether it ended before its deadline is reported (targets), not asserted: that is
    # a matter of time, and this test checks no timings.
    storm = {row["name"]: row for row in results["rows"]}["extract-429-storm"]
    details = storm["details"]
    # A 429 on every API request stops the run on the first playlist, either because
    # Retry-After no longer fits in the time left or because the deadline came first.
    reason = details["stopped"]["reason"]
    assert reason in {"rate_limited", "deadline"}
    # The fake serves the user playlists of its seed, and the run asks for them in order.
    options = results["options"]
    first, *rest = Catalogue(
        seed=options["seed"], playlists=options["storm_playlists"]
    ).user_playlist_ids
    failed = [(f["playlist_id"], f["reason"]) for f in details["playlists_failed"]]
    assert failed == [(first, reason)] + [(p, "not_attempted") for p in rest]
    assert (details["playlists_ok"], storm["items"]) == (0, 0)


@pytest.mark.slow
def test_targets_are_evaluated(results: dict) -> None:
    verdicts = {t["verdict"] for t in results["targets"]}
    assert verdicts <= {"MET", "MISSED", "n/a"}
    assert len(results["targets"]) >= 6
    assert results["machine"]["nproc"] >= 1
