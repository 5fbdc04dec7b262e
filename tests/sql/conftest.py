"""The SQL tests' lake: the raw fixture of tests/sql/fixtures, through the real Glue job, once.

``curated`` is the curated root that ``glue_jobs.pipeline.run_job`` writes from the ten
documents of tests/sql/fixtures/raw; every Athena and Snowflake test reads it. "Once" holds
across xdist workers too: test_athena.py and test_snowflake.py may run on different
workers, and the second one reads the lake the first one wrote.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
from pathlib import Path

import pytest

RAW_FIXTURES = Path(__file__).parent / "fixtures" / "raw"


def write_raw_lake(raw_root: Path) -> list[Path]:
    """The fixture documents as the extractor writes them (data contract, section 1):
    ``snapshot_date=<date>/playlist_id=<id>/<id>_<extracted_at>.json.gz``, one JSON line."""
    written = []
    for source in sorted(RAW_FIXTURES.glob("*.json")):
        document = json.loads(source.read_text(encoding="utf-8"))
        folder = (
            raw_root
            / f"snapshot_date={document['snapshot_date']}"
            / f"playlist_id={document['playlist_id']}"
        )
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
        target = folder / f"{source.stem}.json.gz"
        target.write_bytes(gzip.compress(line.encode("utf-8")))
        written.append(target)
    return written


def run_glue_job(spark, base: Path) -> dict:
    """The Glue job over the fixture, landed under `base`; the run summary, as JSON."""
    from glue_jobs.pipeline import run_job

    raw_root = base / "raw" / "playlist_snapshots"
    write_raw_lake(raw_root)
    summary = run_job(spark, str(raw_root), str(base / "curated"), run_id="sql-fixture")
    # Through JSON, as the job writes it to _runs/: the same types on every worker.
    return json.loads(json.dumps(summary, default=str))


@pytest.fixture(scope="session")
def glue_run(request, tmp_path_factory) -> tuple[Path, dict]:
    """One run of the Glue job over the fixture: (curated root, run summary).

    Under xdist, a file lock in the directory the workers' temporary directories share
    makes the first worker that needs the lake run the job, while the other waits and then
    reads what it wrote; the Spark session is started only by the one that runs the job.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        base = tmp_path_factory.mktemp("sql_lake")
        return base / "curated", run_glue_job(request.getfixturevalue("spark"), base)
    shared = tmp_path_factory.getbasetemp().parent
    with open(shared / "sql_lake.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        done = shared / "sql_lake.json"  # written only once the run has succeeded
        if not done.exists():
            base = tmp_path_factory.mktemp("sql_lake")
            summary = run_glue_job(request.getfixturevalue("spark"), base)
            done.write_text(json.dumps({"curated": str(base / "curated"), "summary": summary}))
        lake = json.loads(done.read_text())
    return Path(lake["curated"]), lake["summary"]


@pytest.fixture(scope="session")
def curated(glue_run) -> Path:
    return glue_run[0]


@pytest.fixture(scope="session")
def chart_curated(tmp_path_factory) -> Path:
    """A curated root holding the hand-made chart history of tests/sql/chart_fixture.py and
    nothing else (no playlist table): written as the chart job lays it out, no Spark."""
    from tests.sql.chart_fixture import write_chart_lake

    curated = tmp_path_factory.mktemp("chart_lake") / "curated"
    write_chart_lake(curated)
    return curated
