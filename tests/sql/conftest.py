"""The SQL tests' lake: the raw fixture of tests/sql/fixtures, through the real Glue job, once.

``curated`` is the curated root that ``glue_jobs.pipeline.run_job`` writes from the five
documents of tests/sql/fixtures/raw; every Athena and Snowflake test reads it.
"""

from __future__ import annotations

import gzip
import json
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


@pytest.fixture(scope="session")
def glue_run(spark, tmp_path_factory) -> tuple[Path, dict]:
    """One run of the Glue job over the fixture: (curated root, run summary)."""
    from glue_jobs.pipeline import run_job

    base = tmp_path_factory.mktemp("sql_lake")
    raw_root = base / "raw" / "playlist_snapshots"
    write_raw_lake(raw_root)
    curated = base / "curated"
    summary = run_job(spark, str(raw_root), str(curated), run_id="sql-fixture")
    return curated, summary


@pytest.fixture(scope="session")
def curated(glue_run) -> Path:
    return glue_run[0]
