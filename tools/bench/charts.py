"""The charts run of `make bench`: a chart backfill through the chart job, next to DuckDB.

``python -m tools.bench --charts`` (or ``--charts-only``) adds it; issue 19, point 8. On the
same generated drop zone (:mod:`tools.bench.charts_generate`: by default ten years of daily
Top 200 charts for the globe and 70 countries, in the public-archive shape), each in a fresh
process measured from outside (:mod:`tools.bench.procmon`):

* ``charts-job``: the chart job, ``glue_jobs.charts_pipeline.run_chart_job``, into an empty
  curated root (:mod:`tools.bench.run_glue_charts`, the session of ``make glue-local``);
* ``charts-duckdb``: the same work in DuckDB SQL (:mod:`tools.bench.baseline_duckdb_charts`).

``items`` is the rows of the drop zone's files (every row read, the corrections and the bad
rows included); rows/s and the ratio use the wall time of the whole process. Both engines'
tables are fingerprinted (:func:`tools.bench.runner.fingerprints` over
``glue_jobs.tables.CHART_TABLES``) and compared with each other and with the row counts the
generator says a correct engine writes. The target (issue 19): the job's wall time at most
2x DuckDB's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from glue_jobs.tables import CHART_TABLES
from tools.bench import charts_generate
from tools.bench.procmon import python_command
from tools.bench.runner import (
    MIB,
    Options,
    Row,
    fingerprints,
    fresh,
    measure,
    measure_spark_job,
)

TARGET_CHARTS_VS_DUCKDB = 2.0  # the chart job's time at most 2x DuckDB's (issue 19)
JOB = "charts-job"
DUCKDB = "charts-duckdb"
TABLES = tuple(t.name for t in CHART_TABLES)


def layout_of(options: Options) -> charts_generate.ChartLayout:
    return charts_generate.layout_from_args(options, options.seed)


def data_dir(options: Options, layout: charts_generate.ChartLayout) -> Path:
    return (
        options.out
        / "data"
        / f"charts-{layout.days}d-{layout.regions}r-{layout.files}f-seed-{layout.seed}"
    )


def run_job(drop: Path, curated: Path, *, manifest: dict, work: Path, options: Options) -> Row:
    """The chart job on the whole drop zone, in its own process (its own JVM)."""
    row = Row(JOB, "glue", manifest["rows"], len(manifest["files"]), dataset_items=manifest["rows"])

    def read(summary: dict) -> None:
        row.details["status"] = summary.get("status")
        for key in ("files_read", "rows_read", "charts_read"):
            row.details[key] = summary.get(key)
        row.details["rejections"] = {
            key: (summary.get("rejections") or {}).get(key)
            for key in ("archive_charts", "archive_rows", *TABLES)
        }
        if summary.get("rows_read") != manifest["rows"]:
            row.details["note"] = (
                f"the job read {summary.get('rows_read')} rows, the files hold {manifest['rows']}"
            )
        row.details["fingerprints"] = fingerprints(curated, CHART_TABLES)

    measure_spark_job(
        row, "tools.bench.run_glue_charts", ["--drop", str(drop)], curated, work, options, read
    )
    return row


def run_duckdb(drop: Path, out: Path, *, manifest: dict, work: Path, options: Options) -> Row:
    """The DuckDB baseline on the same drop zone, in its own process."""
    row = Row(
        DUCKDB, "duckdb", manifest["rows"], len(manifest["files"]), dataset_items=manifest["rows"]
    )
    result_file = work / f"{DUCKDB}.result.json"
    command = python_command(
        "tools.bench.baseline_duckdb_charts",
        "--drop",
        str(drop),
        "--out",
        str(out),
        "--result",
        str(result_file),
        "--variant",
        options.chart_duckdb_variant,
    )
    result = measure(row, command, work=work, result_file=result_file, options=options)
    if result:
        row.inside_s = result.get("seconds_inside")
        row.rows_written = dict(result.get("rows_written") or {})
        for key in ("variant", "files_read", "charts_read", "charts_rejected", "charts_superseded"):
            row.details[key] = result.get(key)
        row.details["fingerprints"] = fingerprints(out, CHART_TABLES)
    return row


def cross_check(rows: list[Row], manifest: dict) -> dict:
    """Per chart table: each engine's rows and the generator's count; values compared."""
    engines = {r.name: r for r in rows if r.ok}
    check = {}
    for table in TABLES:
        counts = {name: r.rows_written.get(table) for name, r in engines.items()}
        prints = {
            name: (r.details.get("fingerprints") or {}).get(table) for name, r in engines.items()
        }
        expected = manifest["expected_rows"][table]
        check[table] = {
            **counts,
            "expected": expected,
            "agree": len(engines) == 2 and set(counts.values()) == {expected},
            "values_agree": len(engines) == 2
            and len(set(prints.values())) == 1
            and None not in prints.values(),
            "fingerprints": prints,
        }
    return check


def target(rows: list[Row]) -> dict:
    """The issue's target: the chart job's wall time at most 2x DuckDB's in the same run."""
    job = next((r for r in rows if r.name == JOB and r.ok), None)
    ratio = job.ratios.get(f"vs {DUCKDB}") if job else None
    met = None if ratio is None else ratio <= TARGET_CHARTS_VS_DUCKDB
    return {
        "target": f"chart job time <= {TARGET_CHARTS_VS_DUCKDB}x DuckDB's on the chart backfill",
        "measured": ratio,
        "limit": TARGET_CHARTS_VS_DUCKDB,
        "met": met,
        "by": None if ratio is None else round(ratio / TARGET_CHARTS_VS_DUCKDB, 2),
        "unit": "time ratio (x of limit)",
        "verdict": "n/a" if met is None else ("MET" if met else "MISSED"),
    }


def render_markdown(rows: list[Row], manifest: dict, check: dict) -> str:
    """The charts run as a Markdown table, for docs/benchmarks.md."""
    layout = manifest["layout"]
    lines = [
        f"Chart backfill: {layout['days']:,} days x {layout['regions']} regions "
        f"({manifest['first_day']} to {manifest['last_day']}), {len(manifest['files'])} files, "
        f"{manifest['rows']:,} rows, {manifest['bytes'] / MIB:,.0f} MiB of CSV.",
        "",
        "| run | rows | wall s | inside s | rows/s | peak PSS MiB | CPU s | vs DuckDB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if not r.ok:
            lines.append(f"| `{r.name}` | {r.items:,} | failed | | | | | |")
            continue
        ratio = r.ratios.get(f"vs {DUCKDB}")
        lines.append(
            f"| `{r.name}` | {r.items:,} | {r.wall_s:.1f} | "
            f"{'-' if r.inside_s is None else f'{r.inside_s:.1f}'} | {r.items_per_s:,.0f} | "
            f"{r.peak_pss_mib:,.0f} | {r.cpu_s:.1f} | {'-' if ratio is None else ratio} |"
        )
    lines.append("")
    for table, verdict in check.items():
        lines.append(
            f"- `{table}`: rows {'agree' if verdict['agree'] else 'DIFFER'} "
            f"(expected {verdict['expected']:,}), values "
            f"{'agree' if verdict['values_agree'] else 'DIFFER'}"
        )
    return "\n".join(lines) + "\n"


def run_charts(options: Options, log) -> dict:
    """Generate (or reuse) the backfill, run both engines, compare; everything for results."""
    layout = layout_of(options)
    log(
        f"charts: {layout.days:,} days x {layout.regions} regions of daily Top 200 "
        f"({layout.charts * charts_generate.ENTRIES:,} chart rows) ..."
    )
    manifest = charts_generate.generate(layout, data_dir(options, layout))
    how = "reused" if manifest.get("reused") else f"generated in {manifest['seconds']} s"
    log(
        f"  {len(manifest['files'])} files, {manifest['rows']:,} rows, "
        f"{manifest['bytes'] / MIB:,.0f} MiB CSV, {how}"
    )
    drop = Path(manifest["drop"])
    work = fresh(options.out / "work" / "charts")
    rows: list[Row] = []
    for row in (
        run_job(drop, fresh(work / "curated"), manifest=manifest, work=work, options=options),
        run_duckdb(drop, fresh(work / "out-duckdb"), manifest=manifest, work=work, options=options),
    ):
        rows.append(row)
        state = "ok" if row.ok else f"FAILED: {row.error}"
        log(
            f"  {row.name:<20} {row.items:>11,} rows {row.wall_s:>9.1f} s "
            f"{row.peak_pss_mib:>8.0f} MiB  {state}"
        )
    job, duck = rows
    if job.ok and duck.ok and duck.wall_s:
        job.ratios[f"vs {DUCKDB}"] = round(job.wall_s / duck.wall_s, 2)
        duck.ratios[f"vs {JOB}"] = round(duck.wall_s / job.wall_s, 2)
    check = cross_check(rows, manifest)
    markdown = render_markdown(rows, manifest, check)
    (options.out / "charts.md").write_text(markdown)
    if not options.keep_outputs:
        for folder in (work / "curated", work / "out-duckdb"):
            shutil.rmtree(folder, ignore_errors=True)
    return {
        "rows": rows,
        "dataset": {k: v for k, v in manifest.items() if k not in ("bad_charts", "bad_rows")},
        "cross_check": check,
        "target": target(rows),
        "markdown": markdown,
    }
