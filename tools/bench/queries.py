"""The views as history accumulates (issue 22, point 7): every view of `make query`, timed on
DuckDB over a lake of N snapshots and over the same lake cut to its first half.

    python -m tools.bench.queries                          # 52 snapshots x 1,000 playlists
    python -m tools.bench.queries --snapshots 8 --playlists 50   # a quick look

The lake is the benchmark's own: raw snapshots from tools/bench/generate.py (100 entries a
playlist, one snapshot a day), turned into the curated tables by the DuckDB baseline
(tools/bench/baseline_duckdb.py, the same rows as the Glue job). Each view is timed inside
DuckDB as ``create temp table ... as select * from <view>``: the query and nothing else
(no rows travel to Python), the best of ``--repeat`` runs. The half lake holds the first half
of every table's partitions (links, not copies): a view whose time doubles with the history
costs, on Athena, a scan that grows with the years too. Results go to
``<out>/queries.json`` and, as a Markdown table for docs/benchmarks.md, ``<out>/queries.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from glue_jobs.tables import PLAYLIST_TABLES
from tools import query
from tools.bench import baseline_duckdb
from tools.bench.generate import generate, plan_layout

#: The issue's bound for one view over a year of weekly history.
TARGET_SECONDS = 1.0


def build_lake(out: Path, *, snapshots: int, playlists: int, seed: int = 7) -> Path:
    """Raw data of ``snapshots`` days of ``playlists`` playlists, and its curated tables
    (reused when already built for the same size); returns the curated root."""
    layout = plan_layout(playlists * snapshots * 100, seed=seed, playlists=playlists)
    if layout.days != snapshots:
        raise ValueError(f"{snapshots} snapshots of {playlists} playlists: got {layout.days}")
    data = out / f"data-{playlists}x{snapshots}"
    generate(layout, data)
    curated = data / "curated"
    done = data / "curated.json"
    if not done.exists():
        summary = baseline_duckdb.run(data / "raw", curated)
        done.write_text(json.dumps(summary, indent=1, default=str) + "\n")
    if any(t.current and not (curated / t.current).exists() for t in PLAYLIST_TABLES):
        _write_current_tables(curated)  # a lake built before the current tables
    return curated


def _write_current_tables(root: Path) -> None:
    """The current tables of the playlist tables' partitions under ``root``, as the job
    writes them."""
    with duckdb.connect() as con:
        baseline_duckdb.copy_current_tables(
            con,
            root,
            PLAYLIST_TABLES,
            lambda t: f"read_parquet('{root}/{t.name}/*/*.parquet', hive_partitioning = true)",
        )


def half_lake(curated: Path, target: Path) -> Path:
    """``target`` with the first half of every table's partitions of ``curated`` (links),
    and the current tables of that half, as the job would have written them."""
    for table in query.CURATED_TABLES:
        source = curated / table
        partitions = sorted(p for p in source.glob("*=*") if p.is_dir()) if source.exists() else []
        keep = partitions[: max(1, len(partitions) // 2)] if partitions else []
        for partition in keep:
            for file in sorted(partition.rglob("*.parquet")):
                link = target / table / file.relative_to(source)
                link.parent.mkdir(parents=True, exist_ok=True)
                if not link.exists():
                    os.link(file, link)
    _write_current_tables(target)
    return target


def time_views(
    curated: Path,
    names: Sequence[str],
    *,
    repeat: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, dict]:
    """``{view: {"seconds": best of repeat, "rows": n}}`` over ``curated``."""
    con = query.connect(curated)
    con.execute("set preserve_insertion_order = false")
    results = {}
    for name in names:
        best = None
        for _ in range(repeat):
            started = clock()
            con.execute(f"create or replace temp table bench_view as select * from {name}")
            elapsed = clock() - started
            best = elapsed if best is None else min(best, elapsed)
        rows = con.execute("select count(*) from bench_view").fetchone()[0]
        results[name] = {"seconds": round(best, 3), "rows": rows}
    con.close()
    return results


def view_names() -> list[str]:
    """The analytics views, then the current tables they read."""
    return [*query.analytics_view_names(), *query.CURRENT_TABLES]


def markdown(results: dict) -> str:
    full, half = results["full"], results["half"]
    lines = [
        f"| view | {results['half_snapshots']} snapshots (s) | "
        f"{results['snapshots']} snapshots (s) | growth | rows |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in results["views"]:
        a, b = half[name]["seconds"], full[name]["seconds"]
        growth = f"{b / a:.2f}x" if a else "n/a"
        lines.append(f"| `{name}` | {a:.3f} | {b:.3f} | {growth} | {full[name]['rows']:,} |")
    return "\n".join(lines) + "\n"


def run_queries(out: Path, *, snapshots: int, playlists: int, repeat: int = 3, log=print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    log(f"queries: building a lake of {snapshots} snapshots x {playlists} playlists")
    curated = build_lake(out, snapshots=snapshots, playlists=playlists)
    half = half_lake(curated, out / f"half-{playlists}x{snapshots}")
    names = view_names()
    results = {
        "snapshots": snapshots,
        "half_snapshots": max(1, snapshots // 2),
        "playlists": playlists,
        "entries": snapshots * playlists * 100,
        "views": names,
        "half": time_views(half, names, repeat=repeat),
        "full": time_views(curated, names, repeat=repeat),
    }
    slowest = max(names, key=lambda n: results["full"][n]["seconds"])
    results["slowest"] = {"view": slowest, **results["full"][slowest]}
    results["target_met"] = results["full"][slowest]["seconds"] < TARGET_SECONDS
    (out / "queries.json").write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results)
    (out / "queries.md").write_text(table)
    log(table)
    verdict = "met" if results["target_met"] else "missed"
    log(f"queries: slowest {slowest} {results['slowest']['seconds']:.3f} s ({verdict}: < 1 s)")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench.queries", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--snapshots", type=int, default=52)
    parser.add_argument("--playlists", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("build/bench/queries"))
    args = parser.parse_args(argv)
    run_queries(args.out, snapshots=args.snapshots, playlists=args.playlists, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
