"""Fixtures of the demo tests: one real small demo run, and a headless Chromium.

The demo run is the real pipeline (fake API, extractor, Glue job on the session's Spark,
DuckDB, report) at 4 playlists x 3 weeks; it is session-scoped so that the end-to-end
checks and the browser test look at the same lake without running it twice.
"""

from __future__ import annotations

import fcntl
import gzip
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tools.demo.runner import DemoOptions, DemoResult, run_simulated

SMALL_PLAYLISTS = 4
SMALL_WEEKS = 3
SMALL_SEED = 11
# A fixed last week, so the dates the tests expect do not depend on the day they run.
SMALL_LAST_WEEK = date(2026, 11, 16)
# The charts stage of the small demo: a few weeks of the global chart, no real samples (the
# stage's samples are tested in test_demo_charts.py), so the run is the same on any machine.
SMALL_CHART_WEEKS = 4
SMALL_CHART_REGIONS = ("global",)


@dataclass
class DemoRun:
    options: DemoOptions
    result: DemoResult
    output: str


@pytest.fixture(scope="session")
def small_demo(spark, tmp_path_factory) -> DemoRun:
    """The whole demo, run once in-process on the session's SparkSession."""
    options = DemoOptions(
        lake=tmp_path_factory.mktemp("demo") / "lake",
        playlists=SMALL_PLAYLISTS,
        weeks=SMALL_WEEKS,
        seed=SMALL_SEED,
        last_week=SMALL_LAST_WEEK,
        glue_every=1,  # every week: the incremental path, three runs
        chart_weeks=SMALL_CHART_WEEKS,
        chart_regions=SMALL_CHART_REGIONS,
        chart_samples=False,
    )
    out = io.StringIO()
    result = run_simulated(options, spark=spark, out=out)
    return DemoRun(options=options, result=result, output=out.getvalue())


def raw_documents(raw: Path, *, skip: str = "playlist_id=injectedfault") -> list[dict]:
    """Every landed raw document, decoded here independently of the Glue job."""
    documents = []
    for path in sorted(raw.rglob("*.json.gz")):
        if skip in str(path):
            continue
        for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
            if line.strip():
                document = json.loads(line)
                document["_path"] = str(path)
                documents.append(document)
    return documents


# ---------------------------------------------------------------------------------------
# Chromium
# ---------------------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _install_chromium() -> tuple[str | None, str]:
    """apt-get install chromium (Debian's package), once even with parallel workers."""
    if shutil.which("apt-get") is None:
        return None, "apt-get is not available on this machine"
    if os.geteuid() != 0:
        return None, "installing chromium with apt-get needs root"
    lock_path = Path("/tmp/spotify-lakehouse-chromium-install.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be installing it right now
        if shutil.which("chromium"):
            return shutil.which("chromium"), ""
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        log = []
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            done = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=1800, check=False
            )
            log.append(done.stdout[-2000:] + done.stderr[-2000:])
            if done.returncode != 0:
                return None, f"{' '.join(command)} failed: {log[-1].strip()[-600:]}"
    path = shutil.which("chromium")
    return path, "" if path else "apt-get install chromium left no chromium on PATH"


@dataclass
class Chromium:
    """Debian's chromium, run headless with no network chatter and a fresh profile."""

    path: str

    def run(self, profile: Path, *arguments: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [self.path, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """Chromium, installed by apt-get when missing; skips only if that is impossible."""
    path = shutil.which("chromium")
    if path is None:
        path, reason = _install_chromium()
        if path is None:
            pytest.skip(f"chromium is missing and cannot be installed: {reason}")
    yield Chromium(path)
