"""Running the benchmark as `make bench` does, for its smoke tests (test_bench_*.py)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import JVM_OPTIONS, PROJECT_ROOT


def run_bench(arguments: list[str], out: Path, timeout: float) -> dict[str, Any]:
    """``python -m tools.bench <arguments> --out <out>`` in a subprocess (which starts its
    own: one JVM per Glue run, the fake Spotify API); it must succeed. Its results.json."""
    # PySpark hands PYSPARK_SUBMIT_ARGS to spark-submit: every Glue run's JVM gets the flag.
    env = {
        **os.environ,
        "PYSPARK_SUBMIT_ARGS": f"--driver-java-options {shlex.quote(JVM_OPTIONS)} pyspark-shell",
    }
    command = [sys.executable, "-m", "tools.bench", *arguments, "--out", str(out)]
    # The timeout only stops a hung run from hanging the suite; it is not a speed check.
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return json.loads((out / "results.json").read_text())
