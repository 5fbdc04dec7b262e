"""Plain-text progress for the demo: what is running, how far along, how long it took.

Every line starts with the elapsed time since the demo began, so a slow stage stands out
without any extra tooling:

    [   0.4s] fake Spotify API on http://127.0.0.1:40123 (development mode): 20 playlists + 2 ...
    [  12.9s] week  3/26  2026-06-01  extract 20/22 landed (0.6s)  glue 20 files, 2,101 rows (3.9s)

On a terminal a transient status line (``week 3/26: glue job...``) shows what is running
between two lines; when stdout is a file or a pipe (CI, tests) only the lines are written,
so logs stay clean. No dependency beyond the standard library.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO


def format_duration(seconds: float) -> str:
    """``0.4s``, ``12.9s``, ``3m 07s``: short and unambiguous."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"


@dataclass
class Timer:
    """The elapsed time of one timed block, readable while it runs and after."""

    started: float
    clock: Callable[[], float]
    stopped: float | None = None

    @property
    def elapsed(self) -> float:
        end = self.stopped if self.stopped is not None else self.clock()
        return end - self.started


@dataclass
class Progress:
    """Progress lines on `stream`, and the total time spent per stage name.

    Attributes:
        stream: where the lines go (stdout by default).
        live: also draw a transient status line (default: when `stream` is a terminal).
        totals: seconds spent per stage name, summed over every :meth:`timed` block.
    """

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    live: bool | None = None
    clock: Callable[[], float] = time.monotonic
    totals: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.started = self.clock()
        if self.live is None:
            isatty = getattr(self.stream, "isatty", None)
            self.live = bool(isatty and isatty())
        self._status_shown = False

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def line(self, text: str) -> None:
        """One permanent line, stamped with the elapsed time."""
        self._clear_status()
        self.stream.write(f"[{self.elapsed:7.1f}s] {text}\n")
        self.stream.flush()

    def plain(self, text: str = "") -> None:
        """A line without a time stamp (the final summary)."""
        self._clear_status()
        self.stream.write(text + "\n")
        self.stream.flush()

    def status(self, text: str) -> None:
        """What is running right now; replaced by the next status or line (terminals only)."""
        if not self.live:
            return
        self.stream.write(f"\r\033[K[{self.elapsed:7.1f}s] {text}...")
        self.stream.flush()
        self._status_shown = True

    @contextmanager
    def timed(self, name: str, status: str | None = None) -> Iterator[Timer]:
        """Time a block and add it to ``totals[name]``; show `status` while it runs."""
        if status:
            self.status(status)
        timer = Timer(started=self.clock(), clock=self.clock)
        try:
            yield timer
        finally:
            timer.stopped = self.clock()
            self.totals[name] = self.totals.get(name, 0.0) + timer.elapsed

    @contextmanager
    def stage(self, name: str, doing: str) -> Iterator[StageReport]:
        """A one-off stage: a status while it runs, then one line ``name: result (time)``."""
        report = StageReport()
        with self.timed(name, status=f"{name}: {doing}") as timer:
            yield report
        result = report.result or "done"
        self.line(f"{name}: {result} ({format_duration(timer.elapsed)})")

    def _clear_status(self) -> None:
        if self._status_shown:
            self.stream.write("\r\033[K")
            self._status_shown = False


@dataclass
class StageReport:
    """What a stage says when it ends (set ``result`` inside the ``with`` block)."""

    result: str = ""
