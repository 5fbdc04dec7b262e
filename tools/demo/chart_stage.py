"""The demo's charts stage: chart files into the lake's drop zone, then the chart job.

1. A generated multi-year history (:mod:`tools.demo.chart_history`) is written as a browser
   downloads it, one ``regional-<region>-weekly-<date>.csv`` per chart, into
   ``<lake>/downloads/charts/``;
2. those files, and the real samples of ``../shared/spotify-charts/`` when that folder
   exists, are added to the drop zone ``<lake>/raw/charts/`` by ``tools.charts_add`` (the
   same checks and keys as ``make charts-add``);
3. the chart job (``glue_jobs.charts_pipeline.run_chart_job``) reads the drop zone and
   writes ``fact_chart_entry`` and ``dim_chart`` under ``<lake>/curated/``.

The real samples are never needed: without the folder the stage goes on with the generated
history alone. A sample whose chart date falls inside the generated history is left out
(the generated chart of that date is the one the history's later weeks continue from), and
so is a ``-latest`` sample whose chart date is not known here; both are said, not hidden.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from tools.charts_add.add import AddedClock, LocalDrop, Outcome, add_files, check_file
from tools.demo.chart_history import ChartHistory, write_history

CHARTS_DROP_DIR = "raw/charts"
DOWNLOADS_DIR = "downloads/charts"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = PROJECT_ROOT.parent / "shared" / "spotify-charts"
# The chart date of each '-latest' sample, which its name does not say (docs/charts.md,
# "-latest files", has the evidence).
SAMPLE_CHART_DATES = {
    "anastasiya-c__Assignment-1---Top-Streaming-Artists__regional-global-weekly-latest.csv": (
        date(2020, 2, 13)
    ),
}


@dataclass
class ChartStageResult:
    """What the stage landed and what the chart job made of it."""

    generated: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    run: dict[str, Any] | None = None

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def land_history(
    history: ChartHistory, lake: Path, clock: AddedClock | None = None
) -> tuple[list[Path], list[Outcome]]:
    """Write the history's files into the downloads folder and add them to the drop zone."""
    paths = write_history(history, lake / DOWNLOADS_DIR)
    return paths, add_files(paths, LocalDrop(lake / CHARTS_DROP_DIR), clock=clock)


def land_samples(
    lake: Path,
    samples_dir: Path,
    generated_dates: Iterable[tuple[str, date]] = (),
    clock: AddedClock | None = None,
) -> tuple[list[dict[str, Any]], list[Outcome]]:
    """Add the real samples that do not overlap the generated charts; say what was done with
    each (``added``/``already``/``rejected`` by ``tools.charts_add``, or ``left out``)."""
    if not samples_dir.is_dir():
        return [], []
    taken = set(generated_dates)
    drop = LocalDrop(lake / CHARTS_DROP_DIR)
    notes: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    for path in sorted(samples_dir.glob("*.csv")):
        chart_date = SAMPLE_CHART_DATES.get(path.name)
        checked = check_file(path, chart_date)
        note: dict[str, Any] = {"file": path.name}
        if checked.error is not None and checked.error.reason == "chart_date_required":
            notes.append({**note, "status": "left out", "why": "a -latest file of unknown date"})
            continue
        identity = checked.identity
        if identity is not None:
            note.update(
                chart=f"{identity.chart_type}-{identity.region}-{identity.period}",
                chart_date=identity.chart_date.isoformat(),
                format=checked.source_format,
            )
            if (identity.region, identity.chart_date) in taken and identity.period == "weekly":
                notes.append({**note, "status": "left out", "why": "inside the generated history"})
                continue
        (outcome,) = add_files([path], drop, chart_date=chart_date, clock=clock)
        outcomes.append(outcome)
        notes.append({**note, "status": outcome.status, "why": outcome.message})
    return notes, outcomes


def run_chart_job(spark, lake: Path, log: TextIO) -> dict[str, Any]:
    """One run of the chart job over the drop zone; its printed output goes to `log`."""
    from glue_jobs.charts_pipeline import run_chart_job as run

    with contextlib.redirect_stdout(log):
        summary = run(spark, str(lake / CHARTS_DROP_DIR), str(lake / "curated"))
    log.flush()
    return summary


def has_chart_files(lake: Path) -> bool:
    drop = lake / CHARTS_DROP_DIR
    return drop.is_dir() and any(p.is_file() for p in drop.rglob("*.csv"))


def run_chart_stage(
    spark,
    lake: Path,
    history: ChartHistory | None,
    log: TextIO,
    *,
    samples_dir: Path | None = SAMPLES_DIR,
    clock: AddedClock | None = None,
) -> ChartStageResult:
    """Land the history (and the samples) in the drop zone, then run the chart job once."""
    clock = clock or AddedClock()
    result = ChartStageResult()
    generated: list[tuple[str, date]] = []
    if history is not None:
        paths, outcomes = land_history(history, lake, clock)
        result.generated = len(paths)
        result.outcomes.extend(outcomes)
        generated = [(c.region, c.chart_date) for c in history.charts]
    if samples_dir is not None:
        result.samples, outcomes = land_samples(lake, samples_dir, generated, clock)
        result.outcomes.extend(outcomes)
    if has_chart_files(lake):
        result.run = run_chart_job(spark, lake, log)
    return result


def meta_of(result: ChartStageResult, history: ChartHistory | None) -> dict[str, Any]:
    """The stage's part of ``demo.json``: what the report says about where charts came from."""
    meta: dict[str, Any] = {
        "drop": CHARTS_DROP_DIR,
        "added": result.count("added"),
        "already": result.count("already"),
        "rejected": [
            {"file": o.path.name, "why": o.message}
            for o in result.outcomes
            if o.status == "rejected"
        ],
        "samples": result.samples,
    }
    if history is not None:
        spec = history.spec
        meta["generated"] = {
            "files": result.generated,
            "regions": list(spec.regions),
            "weeks": spec.weeks,
            "first_chart_date": spec.first_chart_date.isoformat(),
            "last_chart_date": spec.last_chart_date.isoformat(),
            "seed": spec.seed,
            "folder": DOWNLOADS_DIR,
        }
    if result.run is not None:
        meta["run"] = {
            key: result.run.get(key)
            for key in ("run_id", "status", "files_read", "files_quarantined", "rows_written")
            if key in result.run
        }
    return meta
