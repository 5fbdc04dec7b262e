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

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import JVM_OPTIONS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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
    out = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable,
        "-m",
        "tools.bench",
        "--items",
        "2000",
        "--sizes",
        "2000",
        "--out",
        str(out),
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
    # PySpark hands PYSPARK_SUBMIT_ARGS to spark-submit: every Glue run's JVM gets the flag.
    env = {
        **os.environ,
        "PYSPARK_SUBMIT_ARGS": f"--driver-java-options {shlex.quote(JVM_OPTIONS)} pyspark-shell",
    }
    # The timeout only stops a hung run from hanging the suite; it is not a speed check.
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return json.loads((out / "results.json").read_text())


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
    # Every entry but the null payloads becomes a fact row (the generator lands no
    # missing ids), so the count is close to the entries read.
    assert 0 < facts["glue-full"] <= rows["glue-full"]["items"]
    assert results["cross_check"]["fact_playlist_item"]["agree"]


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
    assert storm["details"]["stopped"]["reason"]
    assert storm["details"]["playlists_failed"]
    assert storm["details"]["playlists_ok"] == 0


@pytest.mark.slow
def test_targets_are_evaluated(results: dict) -> None:
    verdicts = {t["verdict"] for t in results["targets"]}
    assert verdicts <= {"MET", "MISSED", "n/a"}
    assert len(results["targets"]) >= 6
    assert results["machine"]["nproc"] >= 1
