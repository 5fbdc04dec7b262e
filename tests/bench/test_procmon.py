"""procmon measures memory as the process tree really holds it (PSS), not summed RSS.

A process that allocates 200 MiB and then forks shares every page with its child: summed
RSS counts them twice, PSS once. The JVM does exactly this when Hadoop runs a shell
command, which once made one run look three times its size.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tools.bench.procmon import run_measured

MIB = 2**20
FORKER = """
import os, time
block = bytearray(200 * 2**20)          # touched: zero-filled by the allocator
for i in range(0, len(block), 4096):
    block[i] = 1
pid = os.fork()
time.sleep(1.5)                          # both alive while the monitor samples
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PSS is read from /proc")
def test_pages_shared_by_a_fork_are_counted_once(tmp_path: Path) -> None:
    measured = run_measured([sys.executable, "-c", FORKER], log=tmp_path / "log")
    assert measured.returncode == 0
    assert measured.peak_rss_bytes > 380 * MIB  # both processes' RSS: the block twice
    assert 200 * MIB < measured.peak_pss_bytes < 290 * MIB  # the block once, plus Python
    assert sum(measured.peak_breakdown.values()) == measured.peak_pss_bytes


def test_sampling_slows_down_once_the_run_has_settled(tmp_path: Path) -> None:
    # 3 s of sleep: sampled every 0.05 s for the first 0.5 s (about 10 samples), then once a
    # second (about 3 more). A fixed 0.05 s interval would take about 60.
    measured = run_measured(
        [sys.executable, "-c", "import time; time.sleep(3)"],
        log=tmp_path / "log",
        interval=0.05,
        settled_interval=1.0,
        settle_after_s=0.5,
    )
    assert measured.returncode == 0
    assert 5 <= measured.samples <= 20, measured.samples
    assert measured.wall_s >= 3
    assert 0 <= measured.monitor_cpu_s < measured.wall_s
