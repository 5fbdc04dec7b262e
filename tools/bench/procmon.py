"""Run a command and measure it from outside: wall time, peak memory and CPU of its process tree.

Every engine runs in its own fresh ``python`` process so that nothing warm is shared and
the memory of *everything* it starts is counted: for Spark that is the Python driver, the
JVM that PySpark launches and any Python workers. The tree is sampled with psutil every
``interval`` seconds, and every ``settled_interval`` seconds once the run is
``settle_after_s`` old. Sampling is not free: reading a process's PSS walks its page
tables, and on 2 cores the monitor competes with the run it measures: sampling at a fixed
short interval costs the monitor several times the CPU of settling to a longer one
(docs/benchmarks.md, Method). The monitor's own CPU time is reported (``monitor_cpu_s``).

Memory is the proportional set size (PSS) summed over the tree: a page shared by n
processes counts 1/n in each, so the sum is what the tree really holds. Summed RSS is kept
too, for reference, but it overstates: it counts shared pages once per process, and the JVM
forks short-lived children (Hadoop's local file system runs shell commands) that share all
of the JVM's pages for a moment; one sample catching two of them can make summed RSS
several times what the JVM holds (docs/benchmarks.md, Method). The peak is the largest sum in one sample; the same rule
applies to every engine.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Measurement:
    """What one measured command cost."""

    wall_s: float
    peak_pss_bytes: int  # the memory figure: shared pages split between their processes
    peak_rss_bytes: int  # for reference only: counts shared pages once per process
    cpu_s: float
    returncode: int
    samples: int
    # PSS per kind of process ("java", "python", ...) in the sample where the sum peaked.
    peak_breakdown: dict[str, int]
    monitor_cpu_s: float  # what sampling cost this process (it competes with the run)


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def run_measured(
    command: list[str],
    *,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.1,
    settled_interval: float = 0.5,
    settle_after_s: float = 5.0,
    timeout: float | None = None,
) -> Measurement:
    """Run `command` to completion, its output to `log`; sample its tree until it exits.

    Every `interval` seconds for the first `settle_after_s` (short runs and start-up
    peaks are seen), then every `settled_interval` (a JVM's heap grows over seconds).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = 0
    peak_rss = 0
    samples = 0
    # Last CPU time seen per process: a process that exits between two samples keeps
    # what it had used at the previous one (at most one sampling interval of CPU is missed:
    # `interval`, or `settled_interval` once settled).
    cpu_seen: dict[tuple[int, float], float] = {}
    monitor_started = time.process_time()
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        root = psutil.Process(process.pid)
        breakdown: dict[str, int] = {}
        while True:
            pss = rss = 0
            kinds: dict[str, int] = {}
            for member in _tree(root):
                try:
                    with member.oneshot():
                        memory = member.memory_full_info()  # smaps_rollup: rss and pss
                        member_pss = getattr(memory, "pss", memory.rss)
                        pss += member_pss
                        rss += memory.rss
                        kind = member.name()
                        kinds[kind] = kinds.get(kind, 0) + member_pss
                        times = member.cpu_times()
                        cpu_seen[(member.pid, member.create_time())] = times.user + times.system
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            samples += 1
            peak_rss = max(peak_rss, rss)
            if pss > peak:
                peak, breakdown = pss, kinds
            settled = time.perf_counter() - started >= settle_after_s
            try:
                returncode = process.wait(timeout=settled_interval if settled else interval)
                break
            except subprocess.TimeoutExpired:
                if timeout is not None and time.perf_counter() - started > timeout:
                    # The whole tree: a JVM left behind would skew every later run.
                    for member in reversed(_tree(root)):
                        with contextlib.suppress(psutil.NoSuchProcess):
                            member.kill()
                    returncode = process.wait()
                    break
        wall = time.perf_counter() - started
    return Measurement(
        wall_s=round(wall, 3),
        peak_pss_bytes=peak,
        peak_rss_bytes=peak_rss,
        cpu_s=round(sum(cpu_seen.values()), 2),
        returncode=returncode,
        samples=samples,
        peak_breakdown=breakdown,
        monitor_cpu_s=round(time.process_time() - monitor_started, 2),
    )


def python_command(module: str, *args: str) -> list[str]:
    """`python -m module args...` with the interpreter running this code (the venv's)."""
    import sys

    return [sys.executable, "-m", module, *args]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a measured child: ours, with no bytecode writing, plus `extra`."""
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env
