"""Shared fixtures: one SparkSession for the whole run, and the path to ../shared/spotify."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_SPOTIFY = PROJECT_ROOT.parent / "shared" / "spotify"
# Options of every test JVM (the session's, and those the benchmark smoke test starts).
# The tests' Spark runs are short: compiling hot code with C2 costs more CPU than it saves,
# and C1 alone (tiered level 1) cuts a run's CPU time by about a third. No effect on results.
JVM_OPTIONS = "-XX:TieredStopAtLevel=1"


@pytest.fixture(scope="session")
def spark() -> Iterator:
    """The one SparkSession of the test run (local[2], UTC, no UI, few shuffle partitions,
    C1-only JIT)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .config("spark.driver.extraJavaOptions", JVM_OPTIONS)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def shared_spotify() -> Path:
    """../shared/spotify (real API captures and specs); tests skip only when it is absent."""
    if not SHARED_SPOTIFY.is_dir():
        pytest.skip(f"{SHARED_SPOTIFY} is absent")
    return SHARED_SPOTIFY
