"""Shared fixtures: one SparkSession for the whole run, and the path to ../shared/spotify."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.jvm import local_jvm_options, local_session_builder

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_SPOTIFY = PROJECT_ROOT.parent / "shared" / "spotify"
# Options of every test JVM (the session's, and those the benchmark smoke test starts):
# tools/jvm.py says why. No effect on results.
JVM_OPTIONS = " ".join(local_jvm_options())


# The files that take minutes, longest first (measured with `--durations`). `make test`
# hands whole files to its workers in collection order (xdist --dist loadfile, with
# --no-loadscope-reorder in pyproject.toml: xdist's default would order files by their
# number of tests instead), so a long file collected last would run alone at the end while
# the other workers sit idle; started first, the short files fill in around them. Only the
# order changes, never what runs.
LONGEST_FIRST = (
    "tests/integration/test_glue_tracks.py",
    "tests/integration/test_chart_job.py",
    "tests/bench/test_bench_smoke.py",
    "tests/integration/test_glue_job.py",
    "tests/demo/test_demo_end_to_end.py",
    "tests/integration/test_glue_accounting.py",
    "tests/unit/glue_jobs/test_hostile_input.py",
    "tests/bench/test_bench_charts.py",
    "tests/unit/glue_jobs/test_quality.py",
    "tests/unit/glue_jobs/test_properties.py",
    "tests/sql/test_snowflake.py",
    "tests/unit/glue_jobs/test_star_schema_job.py",
    "tests/demo/test_demo_cli.py",
    "tests/unit/glue_jobs/test_transforms.py",
    "tests/terraform/test_first_apply.py",
    "tests/sql/test_athena.py",
    "tests/contract/test_glue_captured_responses.py",
    "tests/terraform/test_consistency_negative.py",
    "tests/unit/glue_jobs/test_metrics_charts.py",
    "tests/demo/test_demo_charts.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {PROJECT_ROOT / name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))  # stable: the rest as before


@pytest.fixture(scope="session")
def spark() -> Iterator:
    """The one SparkSession of the test run (local[2], UTC, no UI, few shuffle partitions,
    C1-only JIT)."""
    session = (
        local_session_builder("tests", "2g")
        # The workers already keep both cores busy: a run's actions one at a time
        # (glue_jobs.pipeline.CONCURRENT_ACTIONS_CONF; tests/unit/glue_jobs/
        # test_run_concurrently.py runs them concurrently).
        .config("spark.lakehouse.concurrentActions", "1")
        # Expressions evaluated by Spark's interpreted path, not compiled to Java (Janino)
        # for every query: the tests' queries each run once over a few rows, so compiling
        # them costs most of a run's CPU. The same results by Spark's contract (it falls
        # back to this path itself when code generation fails). The generated-code path
        # still runs end to end in the benchmark smoke test (tests/bench/
        # test_bench_smoke.py: its Glue runs are separate JVMs with Spark's defaults, and
        # every value of every table is cross-checked against pandas and DuckDB).
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
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
