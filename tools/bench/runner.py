"""The benchmark: generate data, run every engine on the same files, report and check targets.

For the comparison size (``--items``, default 1M entries) it measures, each in a fresh
process whose whole tree is sampled (:mod:`tools.bench.procmon`):

* ``glue-full``: the Glue job (``glue_jobs.pipeline.run_job``) over every landed day;
* ``glue-incremental``: the job on one new day after the previous days were processed by
  an earlier run (the bookmark under ``<curated>/_state`` says what is done);
* ``glue-one-day-alone``: the job on that day alone into an empty curated root, which is
  the cost the incremental run is held to (at most 1.2x);
* ``pandas``: the seed-style transform (:mod:`tools.bench.baseline_pandas`);
* ``duckdb``: DuckDB SQL over the same files (:mod:`tools.bench.baseline_duckdb`).

Every further size in ``--sizes`` gets a ``glue-full`` run (the memory-flatness check).
Then the extractor against the fake API with injected latency: a 10,000-entry playlist
sequentially and with the product's concurrency, and a run under a 429 storm.

The incremental and one-day inputs are hard links to the generated files (the same
bytes, no copies); only their paths differ.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from glue_jobs.tables import PLAYLIST_TABLES as TABLE_DEFINITIONS
from tools.bench import generate
from tools.bench.procmon import child_env, python_command, run_measured

MIB = 1024 * 1024
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The targets of issue 7 (docs/benchmarks.md explains each).
TARGET_ITEMS_PER_MIN = 1_000_000
TARGET_VS_DUCKDB = 2.0  # the Glue job's time at most 2x DuckDB's
TARGET_VS_PANDAS = 0.5  # and at most half the seed-style pandas time
TARGET_INCREMENTAL = 1.2  # the incremental run at most 1.2x the one day alone
TARGET_MEMORY_FLAT = 1.25  # peak PSS at the largest size at most 1.25x the smallest
TARGET_EXTRACT_S = 2.0  # the 10,000-entry playlist, concurrently, at 50 ms per request


@dataclass
class Options:
    """What to run; the defaults are `make bench`'s."""

    items: int = 1_000_000
    sizes: tuple[int, ...] = (1_000_000, 10_000_000)
    seed: int = 7
    out: Path = Path("build/bench")
    skip_extract: bool = False
    skip_baselines: bool = False
    skip_incremental: bool = False
    driver_memory: str = "4g"
    cores: int = 2
    extract_items: int = 10_000
    latency_s: float = 0.05
    storm_retry_after_s: int = 5
    storm_deadline_s: float = 15.0
    storm_playlists: int = 3
    event_log: bool = True
    keep_outputs: bool = False
    timeout_s: float | None = None
    engines: tuple[str, ...] = ("glue", "pandas", "duckdb")
    # The charts run (tools/bench/charts.py): a chart backfill through the chart job and
    # DuckDB. Off unless asked for; the sizes are tools/bench/charts_generate.py's.
    charts: bool = False
    chart_years: float = 10.0
    chart_days: int | None = None
    chart_regions: int = 71
    chart_files: int = 10
    chart_correction_days: int | None = None  # None: the generator's (7, fewer when small)
    chart_bad_charts: int | None = None  # None: 24, fewer when small
    chart_bad_rows: int | None = None  # None: 30, fewer when small
    # DuckDB's faster formulation of the ten-year backfill (docs/benchmarks.md), so that the
    # chart job is measured against the best yardstick, not the kinder one.
    chart_duckdb_variant: str = "table"


@dataclass
class Row:
    """One measured run, as it appears in the table and in results.json."""

    name: str
    engine: str
    items: int
    files: int
    wall_s: float = 0.0
    items_per_s: float = 0.0
    items_per_min: float = 0.0
    peak_pss_mib: float = 0.0  # the memory figure (procmon: shared pages split)
    peak_rss_mib: float = 0.0  # reference only: overstates (shared pages counted per process)
    cpu_s: float = 0.0
    inside_s: float | None = None
    ok: bool = True
    error: str | None = None
    load_before: float = 0.0
    dataset_items: int = 0
    rows_written: dict[str, int] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    log: str = ""


# --------------------------------------------------------------------------- machine


def machine_info() -> dict:
    """What the numbers were measured on."""
    import psutil

    cpu_model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        java = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, timeout=30
        ).stderr.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        java = "unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    import duckdb
    import pandas
    import pyspark

    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "java": java,
        "pyspark": pyspark.__version__,
        "pandas": pandas.__version__,
        "duckdb": duckdb.__version__,
        "git_commit": commit,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "command": " ".join([Path(sys.executable).name, "-m", "tools.bench", *sys.argv[1:]]),
    }


# --------------------------------------------------------------------------- helpers


def link_days(raw: Path, target: Path, days: list[str]) -> int:
    """Hard-link the raw files of `days` under `target` (same layout); return the count."""
    count = 0
    for day in days:
        for source in sorted((raw / f"snapshot_date={day}").rglob("*.json*")):
            destination = target / source.relative_to(raw)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, destination)
            except OSError:
                shutil.copy2(source, destination)
            count += 1
    return count


def fresh(path: Path) -> Path:
    """`path` emptied (outputs of an earlier run would change what a run does)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def measure(
    row: Row,
    command: list[str],
    *,
    work: Path,
    result_file: Path,
    options: Options,
    env: dict[str, str] | None = None,
) -> dict:
    """Run `command`, fill `row` with the measurement; return the child's result JSON."""
    log = work / f"{row.name}.log"
    row.log = str(log)
    row.load_before = round(os.getloadavg()[0], 2)
    result_file.unlink(missing_ok=True)
    measured = run_measured(
        command, log=log, env=child_env(env), cwd=PROJECT_ROOT, timeout=options.timeout_s
    )
    row.wall_s = measured.wall_s
    row.peak_pss_mib = round(measured.peak_pss_bytes / MIB, 1)
    row.peak_rss_mib = round(measured.peak_rss_bytes / MIB, 1)
    row.cpu_s = measured.cpu_s
    row.details["samples"] = measured.samples
    row.details["monitor_cpu_s"] = measured.monitor_cpu_s
    row.details["peak_pss_mib_by_process"] = {
        name: round(pss / MIB, 1) for name, pss in measured.peak_breakdown.items()
    }
    if row.items and measured.wall_s:
        row.items_per_s = round(row.items / measured.wall_s, 1)
        row.items_per_min = round(row.items / measured.wall_s * 60, 1)
    result: dict = {}
    if measured.returncode != 0 or not result_file.exists():
        row.ok = False
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        row.error = f"exit code {measured.returncode}: " + " | ".join(tail)[-2000:]
    else:
        result = json.loads(result_file.read_text())
    return result


_WRITE_TARGET = re.compile(
    r"Execute InsertIntoHadoopFsRelationCommand\s*\n.*?Arguments: (\S+?),", re.S
)
_READ_LOCATION = re.compile(r"Location: \w+ \[(\S+?)[,\]]")


def _execution_label(event: dict) -> str:
    """What a SQL execution did, in words: its call and the table it wrote or read."""
    plan = event.get("physicalPlanDescription") or ""
    call = (event.get("description") or "").split(" at ")[0]
    if "/glue_jobs/" in (event.get("description") or ""):
        call = event["description"].split("/glue_jobs/")[-1].join([f"{call} (", ")"])
    written = _WRITE_TARGET.search(plan)
    if written:
        return f"write {Path(written.group(1)).name}"
    read = _READ_LOCATION.search(plan)
    if read:
        return f"{call} of {Path(read.group(1)).name}"
    return call


def summarize_event_log(folder: Path, top: int = 10) -> dict:
    """Where a Spark run's time went, from its event log: per query (SQL execution),
    labelled by what it wrote or read, and the time outside any query (driver work:
    listing, planning, Python, bookkeeping)."""
    files = sorted(p for p in folder.glob("*") if p.is_file())
    if not files:
        return {}
    app_start = app_end = None
    executions: dict[int, dict] = {}
    stages: dict[int, dict] = {}
    with files[0].open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # the last line of a log still being written
            if event.get("Event") == "SparkListenerTaskEnd":
                metrics = event.get("Task Metrics") or {}
                stage = stages.setdefault(event["Stage ID"], {"run_ms": 0, "gc_ms": 0})
                stage["run_ms"] += metrics.get("Executor Run Time", 0)
                stage["gc_ms"] += metrics.get("JVM GC Time", 0)
                continue
            kind = event.get("Event", "")
            if kind == "SparkListenerApplicationStart":
                app_start = event.get("Timestamp")
            elif kind == "SparkListenerApplicationEnd":
                app_end = event.get("Timestamp")
            elif kind.endswith("SparkListenerSQLExecutionStart"):
                executions[event["executionId"]] = {
                    "label": _execution_label(event),
                    "start": event.get("time"),
                    "stages": [],
                }
            elif kind.endswith("SparkListenerSQLExecutionEnd"):
                if event["executionId"] in executions:
                    executions[event["executionId"]]["end"] = event.get("time")
            elif kind == "SparkListenerJobStart":
                execution = (event.get("Properties") or {}).get("spark.sql.execution.id")
                if execution is not None and int(execution) in executions:
                    executions[int(execution)]["stages"].extend(event.get("Stage IDs") or [])
    rows = []
    for execution_id, execution in executions.items():
        if execution.get("start") is None or execution.get("end") is None:
            continue
        run_ms = sum(stages.get(s, {}).get("run_ms", 0) for s in execution["stages"])
        gc_ms = sum(stages.get(s, {}).get("gc_ms", 0) for s in execution["stages"])
        rows.append(
            {
                "query": execution_id,
                "what": execution["label"],
                "wall_s": round((execution["end"] - execution["start"]) / 1000, 2),
                "task_s": round(run_ms / 1000, 2),
                "gc_s": round(gc_ms / 1000, 2),
            }
        )
    in_queries = sum(r["wall_s"] for r in rows)
    app_s = (app_end - app_start) / 1000 if app_start and app_end else None
    by_time = sorted(rows, key=lambda r: r["wall_s"], reverse=True)
    return {
        "spark_app_s": None if app_s is None else round(app_s, 2),
        "in_queries_s": round(in_queries, 2),
        "outside_queries_s": None if app_s is None else round(app_s - in_queries, 2),
        "queries": len(rows),
        "spark_jobs_stages": len(stages),
        "task_s": round(sum(s["run_ms"] for s in stages.values()) / 1000, 2),
        "gc_s": round(sum(s["gc_ms"] for s in stages.values()) / 1000, 2),
        "slowest_queries": by_time[:top],
    }


# --------------------------------------------------------------------------- cross-check


def contract_columns(tables=TABLE_DEFINITIONS) -> dict[str, str]:
    """Per table of ``tables`` (the playlist job's by default; the chart job's are
    ``glue_jobs.tables.CHART_TABLES``): the contract's columns (glue_jobs/tables.py) that every
    engine must agree on, value for value; ``source_file`` differs by design (Spark writes
    ``file:`` URIs)."""
    return {
        t.name: " ".join(c.name for c in (*t.columns, *t.lineage) if c.name != "source_file")
        for t in tables
    }


def fingerprints(root: Path, tables=None) -> dict[str, str]:
    """Per table: row count and an order-free hash of every contract column's values.

    Values are compared as text (timestamps as microseconds since the epoch), so Parquet
    type details that differ between writers (INT32 or INT64, timestamps with or without
    a zone) do not count as differences; the values do. `tables` (default: the playlist
    job's) are ``glue_jobs.tables.Table`` definitions; each is hashed with its partition.
    """
    import duckdb

    tables = TABLE_DEFINITIONS if tables is None else tables
    partitions = {t.name: t.partition.name for t in tables}
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")  # naive timestamps are UTC in every engine
    out: dict[str, str] = {}
    for table, names in contract_columns(tables).items():
        files = root / table
        if not any(files.rglob("*.parquet")):
            out[table] = "missing"
            continue
        source = (
            f"read_parquet('{files}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
        )
        columns = {r[0]: r[1] for r in con.execute(f"describe select * from {source}").fetchall()}
        parts = []
        for name in [*names.split(), partitions[table]]:
            if name not in columns:
                parts.append("'<no column>'")
            elif "TIMESTAMP" in columns[name]:
                parts.append(
                    f"coalesce(cast(epoch_us(cast({name} as timestamptz)) as varchar), '<null>')"
                )
            else:
                parts.append(f"coalesce(cast({name} as varchar), '<null>')")
        count, digest = con.execute(
            f"select count(*), sum(hash(concat_ws('|', {', '.join(parts)}))) from {source}"
        ).fetchone()
        out[table] = f"{count} rows, hash {digest}"
    con.close()
    return out


# --------------------------------------------------------------------------- engines


def measure_spark_job(
    row: Row,
    module: str,
    source: list[str],
    curated: Path,
    work: Path,
    options: Options,
    read: Callable[[dict], None],
) -> None:
    """A Spark job measured in its own process (its own JVM): `module` (a run_glue* module)
    with its input options `source`, into `curated`. Fills `row`: the job's own time, the
    session's, the rows written, what `read` takes from the run summary, and the event log's
    stages."""
    result_file = work / f"{row.name}.result.json"
    command = python_command(
        module,
        *source,
        "--curated",
        str(curated),
        "--result",
        str(result_file),
        "--driver-memory",
        options.driver_memory,
        "--cores",
        str(options.cores),
    )
    events = work / f"{row.name}.events"
    if options.event_log:
        fresh(events)
        command += ["--event-log", str(events)]
    result = measure(row, command, work=work, result_file=result_file, options=options)
    if result:
        summary = result.get("summary") or {}
        row.inside_s = result.get("job_s")
        row.details["session_s"] = result.get("session_s")
        row.rows_written = dict(summary.get("rows_written") or {})
        read(summary)
    if options.event_log:
        row.details["spark"] = summarize_event_log(events)


def run_glue(
    name: str,
    raw: Path,
    curated: Path,
    *,
    items: int,
    files: int,
    dataset_items: int,
    work: Path,
    options: Options,
) -> Row:
    """One Glue-job run in its own process (its own JVM)."""
    row = Row(name, "glue", items, files, dataset_items=dataset_items)

    def read(summary: dict) -> None:
        row.details["entries_read"] = summary.get("entries_read")
        row.details["files_read"] = summary.get("files_read")
        row.details["rejections"] = summary.get("rejections")
        if summary.get("entries_read") not in (None, items):
            row.details["note"] = f"job read {summary.get('entries_read')} entries"

    measure_spark_job(
        row, "tools.bench.run_glue", ["--raw", str(raw)], curated, work, options, read
    )
    if row.ok and name == "glue-full":
        row.details["fingerprints"] = fingerprints(curated)
    return row


def run_baseline(
    engine: str, raw: Path, out: Path, *, items: int, files: int, work: Path, options: Options
) -> Row:
    """The pandas or DuckDB baseline in its own process."""
    row = Row(engine, engine, items, files, dataset_items=items)
    result_file = work / f"{engine}.result.json"
    command = python_command(
        f"tools.bench.baseline_{engine}",
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--result",
        str(result_file),
    )
    result = measure(row, command, work=work, result_file=result_file, options=options)
    if result:
        row.inside_s = result.get("seconds_inside")
        row.rows_written = dict(result.get("rows_written") or {})
        row.details["fingerprints"] = fingerprints(out)
    return row


def comparison(size: int, options: Options, log) -> tuple[list[Row], dict]:
    """Every engine on the data set of `size` entries."""
    layout = generate.plan_layout(size, seed=options.seed)
    data_dir = options.out / "data" / f"items-{size}-seed-{options.seed}"
    log(f"data set {size:,} entries: {layout.playlists} playlists x {layout.days} days ...")
    manifest = generate.generate(layout, data_dir)
    how = "reused" if manifest.get("reused") else f"generated in {manifest['seconds']} s"
    log(
        f"  {manifest['files']:,} files, {manifest['entries']:,} entries, "
        f"{manifest['gzip_bytes'] / MIB:,.0f} MiB gzip ({manifest['json_bytes'] / MIB:,.0f} MiB "
        f"JSON), {how}"
    )
    raw = Path(manifest["raw"])
    work = fresh(options.out / "work" / f"items-{size}")
    entries, files = manifest["entries"], manifest["files"]
    rows: list[Row] = []

    def done(row: Row) -> Row:
        rows.append(row)
        state = "ok" if row.ok else f"FAILED: {row.error}"
        log(
            f"  {row.name:<20} {row.items:>11,} items {row.wall_s:>9.1f} s "
            f"{row.peak_pss_mib:>8.0f} MiB  {state}"
        )
        return row

    if "glue" in options.engines:
        full = done(
            run_glue(
                "glue-full",
                raw,
                fresh(work / "curated-full"),
                items=entries,
                files=files,
                dataset_items=entries,
                work=work,
                options=options,
            )
        )
        full.details["primary"] = size == options.items
    if size == options.items and "glue" in options.engines and not options.skip_incremental:
        days = manifest["days"]
        last = days[-1]
        last_day = manifest["by_day"][last]
        raw_incremental = fresh(work / "raw-incremental")
        link_days(raw, raw_incremental, days[:-1])
        curated_incremental = fresh(work / "curated-incremental")
        before = manifest["entries"] - last_day["entries"]
        setup = run_glue(
            "glue-incremental-setup",
            raw_incremental,
            curated_incremental,
            items=before,
            files=files - last_day["files"],
            dataset_items=entries,
            work=work,
            options=options,
        )
        log(f"  (setup: the first {len(days) - 1} days processed in {setup.wall_s:.1f} s)")
        link_days(raw, raw_incremental, [last])
        incremental = done(
            run_glue(
                "glue-incremental",
                raw_incremental,
                curated_incremental,
                items=last_day["entries"],
                files=last_day["files"],
                dataset_items=entries,
                work=work,
                options=options,
            )
        )
        incremental.details["setup"] = asdict(setup)
        raw_one_day = fresh(work / "raw-one-day")
        link_days(raw, raw_one_day, [last])
        done(
            run_glue(
                "glue-one-day-alone",
                raw_one_day,
                fresh(work / "curated-one-day"),
                items=last_day["entries"],
                files=last_day["files"],
                dataset_items=entries,
                work=work,
                options=options,
            )
        )
    if size == options.items and not options.skip_baselines:
        for engine in ("pandas", "duckdb"):
            if engine in options.engines:
                done(
                    run_baseline(
                        engine,
                        raw,
                        fresh(work / f"out-{engine}"),
                        items=entries,
                        files=files,
                        work=work,
                        options=options,
                    )
                )
    if not options.keep_outputs:
        for folder in work.glob("*"):
            if folder.is_dir() and not folder.name.endswith(".events"):
                shutil.rmtree(folder, ignore_errors=True)
    return rows, {key: manifest[key] for key in manifest if key != "by_day"}


# --------------------------------------------------------------------------- extractor


class FakeApi:
    """`python -m tools.fake_spotify` in a process of its own, for the extractor runs."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        self.log_path = log_path
        self.log_handle = log_path.open("w")
        self.process = subprocess.Popen(
            python_command("tools.fake_spotify", "--port", "0", *args),
            stdout=subprocess.PIPE,
            stderr=self.log_handle,
            text=True,
            cwd=PROJECT_ROOT,
            env=child_env(),
        )
        self.env: dict[str, str] = {}
        lines: list[str] = []
        deadline = time.monotonic() + 300
        # It prints `export NAME=value` lines, then a JSON object of playlist ids.
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            match = re.match(r"export (\w+)=(.*)", line.strip())
            if match:
                self.env[match.group(1)] = match.group(2)
                continue
            lines.append(line)
            try:
                self.info = json.loads("".join(lines))
                break
            except ValueError:
                continue
        else:
            self.close()
            raise RuntimeError("the fake Spotify API did not start in time")
        if not self.env or not hasattr(self, "info"):
            self.close()
            raise RuntimeError(f"the fake Spotify API did not start; see {log_path}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_handle.close()

    def __enter__(self) -> FakeApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_extract(
    name: str,
    api: FakeApi,
    playlists: list[str],
    *,
    work: Path,
    options: Options,
    concurrency: int | None = None,
    deadline_s: float | None = None,
    expected_items: int = 0,
) -> Row:
    row = Row(name, "extractor", expected_items, len(playlists), dataset_items=expected_items)
    result_file = work / f"{name}.result.json"
    command = python_command(
        "tools.bench.run_extract",
        "--playlists",
        ",".join(playlists),
        "--out",
        str(fresh(work / f"{name}-landed")),
        "--result",
        str(result_file),
    )
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    if deadline_s:
        command += ["--deadline", str(deadline_s)]
    result = measure(row, command, work=work, result_file=result_file, options=options, env=api.env)
    if result:
        summary = result["summary"]
        row.inside_s = result["elapsed_s"]
        row.items = summary.get("items") or 0
        # For the extractor the time that counts is the extraction itself (the process
        # start, spotipy's import, is not what a warm Lambda pays on every run).
        if row.items and row.inside_s:
            row.items_per_s = round(row.items / row.inside_s, 1)
            row.items_per_min = round(row.items / row.inside_s * 60, 1)
        row.details.update(
            {
                "max_concurrency": result["max_concurrency"],
                "deadline_s": result["deadline_s"],
                "requests": summary.get("requests"),
                "retries": summary.get("retries"),
                "waited_s": summary.get("waited_s"),
                "stopped": summary.get("stopped"),
                "playlists_ok": len(summary.get("playlists_ok") or []),
                "playlists_failed": [
                    {k: f.get(k) for k in ("playlist_id", "reason", "status", "message")}
                    for f in summary.get("playlists_failed") or []
                ],
            }
        )
    return row


def extractor_benchmarks(options: Options, log) -> list[Row]:
    """The 10,000-entry playlist sequentially and concurrently; a run in a 429 storm."""
    work = fresh(options.out / "work" / "extract")
    rows: list[Row] = []
    common = ["--playlists", str(options.storm_playlists), "--seed", str(options.seed)]
    log(
        f"extractor: a {options.extract_items:,}-entry playlist at "
        f"{options.latency_s * 1000:.0f} ms per request ..."
    )
    with FakeApi(
        [*common, "--large", str(options.extract_items), "--latency", str(options.latency_s)],
        work / "fake-api.log",
    ) as api:
        large = api.info["large_playlist"]
        # Untimed first pass: the fake builds and caches each page on first request; the
        # timed runs then see the injected latency, not the fake's own work.
        warmup = run_extract(
            "extract-warmup", api, [large], work=work, options=options, concurrency=8
        )
        if not warmup.ok:
            rows.append(warmup)
            return rows
        for name, concurrency in (("extract-sequential", 1), ("extract-concurrent", None)):
            row = run_extract(
                name,
                api,
                [large],
                work=work,
                options=options,
                concurrency=concurrency,
                expected_items=options.extract_items,
            )
            rows.append(row)
            log(
                f"  {name:<20} {row.items:>7,} items in {row.inside_s or 0:.2f} s "
                f"({row.details.get('requests')} requests, concurrency "
                f"{row.details.get('max_concurrency')})"
            )
    log(
        f"extractor: 429 storm (Retry-After {options.storm_retry_after_s} s on every API "
        f"request), deadline {options.storm_deadline_s:.0f} s ..."
    )
    storm_fault = f"429:retry_after={options.storm_retry_after_s}:times=0:path=/v1/"
    with FakeApi([*common, "--fault", storm_fault], work / "fake-api-storm.log") as api:
        playlists = list(api.info["user_playlists"])
        row = run_extract(
            "extract-429-storm",
            api,
            playlists,
            work=work,
            options=options,
            deadline_s=options.storm_deadline_s,
        )
        row.files = len(playlists)
        rows.append(row)
        stopped = row.details.get("stopped") or {}
        log(
            f"  extract-429-storm    ended after {row.inside_s or 0:.1f} s "
            f"(deadline {options.storm_deadline_s:.0f} s): {stopped.get('reason')}: "
            f"{stopped.get('message')}"
        )
    return rows


# --------------------------------------------------------------------------- report


def add_ratios(rows: list[Row]) -> None:
    """Each comparison row's wall time over the others' on the same data set."""
    by_name = {(r.name, r.dataset_items): r for r in rows if r.ok and r.engine != "extractor"}
    for row in rows:
        if not row.ok or row.engine == "extractor":
            continue
        for other in ("glue-full", "duckdb", "pandas"):
            peer = by_name.get((other, row.dataset_items))
            if peer is None or peer is row or peer.items != row.items or not peer.wall_s:
                continue
            row.ratios[f"vs {other}"] = round(row.wall_s / peer.wall_s, 2)
        if row.name == "glue-incremental":
            alone = by_name.get(("glue-one-day-alone", row.dataset_items))
            if alone and alone.wall_s:
                row.ratios["vs glue-one-day-alone"] = round(row.wall_s / alone.wall_s, 2)


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("MET" if met else "MISSED")


def _time_ratio_target(target: str, ratio: float | None, limit: float) -> dict:
    """A target met when a time ratio is at most ``limit``; n/a when it was not measured."""
    return {
        "target": target,
        "measured": ratio,
        "limit": limit,
        "met": None if ratio is None else ratio <= limit,
        "by": None if ratio is None else round(ratio / limit, 2),
        "unit": "time ratio (x of limit)",
    }


def evaluate_targets(rows: list[Row], options: Options) -> list[dict]:
    """Each target of the issue: measured value, limit, met or missed and by how much."""
    ok = [r for r in rows if r.ok]

    def find(name: str) -> Row | None:
        for r in ok:
            if r.name == name and (name != "glue-full" or r.details.get("primary")):
                return r
        return None

    targets = []
    full = find("glue-full")
    if full:
        targets.append(
            {
                "target": f"Glue job >= {TARGET_ITEMS_PER_MIN:,} items/min on 2 cores",
                "measured": full.items_per_min,
                "limit": TARGET_ITEMS_PER_MIN,
                "met": full.items_per_min >= TARGET_ITEMS_PER_MIN,
                "by": round(full.items_per_min / TARGET_ITEMS_PER_MIN, 2),
                "unit": "items/min (x of target)",
            }
        )
    for other, limit in (("duckdb", TARGET_VS_DUCKDB), ("pandas", TARGET_VS_PANDAS)):
        ratio = full.ratios.get(f"vs {other}") if full else None
        targets.append(_time_ratio_target(f"Glue job time <= {limit}x {other}'s", ratio, limit))
    incremental = find("glue-incremental")
    ratio = incremental.ratios.get("vs glue-one-day-alone") if incremental else None
    targets.append(
        _time_ratio_target(
            f"incremental day <= {TARGET_INCREMENTAL}x that day alone", ratio, TARGET_INCREMENTAL
        )
    )
    fulls = sorted((r for r in ok if r.name == "glue-full"), key=lambda r: r.items)
    if len(fulls) >= 2 and fulls[0].peak_pss_mib:
        growth = round(fulls[-1].peak_pss_mib / fulls[0].peak_pss_mib, 2)
        targets.append(
            {
                "target": (
                    f"memory flat from {fulls[0].items:,} to {fulls[-1].items:,} items "
                    f"(peak PSS <= {TARGET_MEMORY_FLAT}x)"
                ),
                "measured": growth,
                "limit": TARGET_MEMORY_FLAT,
                "met": growth <= TARGET_MEMORY_FLAT,
                "by": round(growth / TARGET_MEMORY_FLAT, 2),
                "unit": "peak PSS ratio",
            }
        )
    else:
        targets.append(
            {
                "target": "memory flat from 1M to 10M items",
                "measured": None,
                "limit": TARGET_MEMORY_FLAT,
                "met": None,
                "by": None,
                "unit": "needs --sizes with two sizes",
            }
        )
    concurrent = find("extract-concurrent")
    if concurrent:
        targets.append(
            {
                "target": (
                    f"{options.extract_items:,}-item playlist < {TARGET_EXTRACT_S} s at "
                    f"{options.latency_s * 1000:.0f} ms (product concurrency)"
                ),
                "measured": concurrent.inside_s,
                "limit": TARGET_EXTRACT_S,
                "met": (concurrent.inside_s or 0) < TARGET_EXTRACT_S
                and concurrent.items == options.extract_items,
                "by": round((concurrent.inside_s or 0) / TARGET_EXTRACT_S, 2),
                "unit": "seconds (x of limit)",
            }
        )
    storm = find("extract-429-storm")
    if storm:
        ended = storm.inside_s is not None and storm.inside_s < options.storm_deadline_s
        targets.append(
            {
                "target": "429 storm run ends before its deadline with a reason",
                "measured": storm.inside_s,
                "limit": options.storm_deadline_s,
                "met": ended and bool(storm.details.get("stopped")),
                "by": round((storm.inside_s or 0) / options.storm_deadline_s, 2),
                "unit": "seconds (x of deadline)",
            }
        )
    for target in targets:
        target["verdict"] = _verdict(target["met"])
    return targets


def cross_check(rows: list[Row], options: Options) -> dict:
    """Row counts per table of the three engines on the comparison data set."""
    comparison_set = next(
        (r.dataset_items for r in rows if r.name == "glue-full" and r.details.get("primary")),
        None,
    )
    engines = {
        r.name: r.rows_written
        for r in rows
        if r.ok
        and r.name in ("glue-full", "pandas", "duckdb")
        and (comparison_set is None or r.dataset_items == comparison_set)
    }
    prints = {
        r.name: r.details.get("fingerprints") or {}
        for r in rows
        if r.ok
        and r.name in engines
        and (comparison_set is None or r.dataset_items == comparison_set)
    }
    tables = sorted({t for counts in engines.values() for t in counts})
    check = {}
    for table in tables:
        counts = {name: counts.get(table) for name, counts in engines.items()}
        values = {v for v in counts.values() if v is not None}
        hashes = {name: p.get(table) for name, p in prints.items()}
        check[table] = {
            **counts,
            "agree": len(values) == 1 and len(counts) == len(engines),
            "values_agree": len(set(hashes.values())) == 1 and len(hashes) == len(engines),
            "fingerprints": hashes,
        }
    return check


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def render_table(rows: list[Row]) -> str:
    """The printed comparison: one line per run.

    `wall s` is the whole process (interpreter and JVM start included) and is what items/s
    and the ratios use; `inside s` is the work itself as the child timed it. For the
    extractor rows both columns show the extraction alone (see `run_extract`).
    """
    header = (
        f"{'run':<20} {'items':>11} {'wall s':>8} {'inside s':>8} {'items/s':>10} {'items/min':>12} "
        f"{'peak PSS MiB':>12} {'CPU s':>8} {'vs glue-full':>12} {'vs duckdb':>9} "
        f"{'vs pandas':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        if not r.ok:
            lines.append(f"{r.name:<20} {r.items:>11,} FAILED: {(r.error or '')[:120]}")
            continue
        wall = r.inside_s if r.engine == "extractor" else r.wall_s
        lines.append(
            f"{r.name:<20} {r.items:>11,} {wall:>8.2f} {_fmt(r.inside_s, '>8.2f'):>8} "
            f"{r.items_per_s:>10,.0f} "
            f"{r.items_per_min:>12,.0f} {r.peak_pss_mib:>12,.0f} {r.cpu_s:>8.1f} "
            f"{_fmt(r.ratios.get('vs glue-full'), '>12.2f'):>12} "
            f"{_fmt(r.ratios.get('vs duckdb'), '>9.2f'):>9} "
            f"{_fmt(r.ratios.get('vs pandas'), '>9.2f'):>9}"
        )
    return "\n".join(lines)


def render_targets(targets: list[dict]) -> str:
    lines = []
    for t in targets:
        measured = "-" if t["measured"] is None else f"{t['measured']:,}"
        lines.append(
            f"  [{t['verdict']:^6}] {t['target']}: measured {measured} {t['unit'].split(' ')[0]}"
            + ("" if t["by"] is None else f" ({t['by']}x of the limit)")
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def run(options: Options, log=print) -> dict:
    """Run everything `options` asks for; write results.json; return the results."""
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    machine = machine_info()
    log(
        f"machine: {machine['nproc']} cores ({machine['cpu_model']}), "
        f"{machine['memory_gib']} GiB, load {machine['load_average_at_start']}"
    )
    rows: list[Row] = []
    datasets = {}
    sizes = [options.items, *[s for s in options.sizes if s != options.items]]
    if not options.engines:
        sizes = []  # extractor benchmarks only
    for size in sizes:
        size_rows, manifest = comparison(size, options, log)
        rows.extend(size_rows)
        datasets[str(size)] = manifest
    if not options.skip_extract:
        rows.extend(extractor_benchmarks(options, log))
    add_ratios(rows)
    targets = evaluate_targets(rows, options)
    checks = cross_check(rows, options)
    if options.charts:
        from tools.bench.charts import run_charts  # it imports this module

        charts = run_charts(options, log)
        rows.extend(charts["rows"])
        targets.append(charts["target"])
        checks.update(charts["cross_check"])
        datasets["charts"] = charts["dataset"]
    results = {
        "machine": machine,
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()},
        "datasets": datasets,
        "rows": [asdict(r) for r in rows],
        "targets": targets,
        "cross_check": checks,
        "total_seconds": round(time.perf_counter() - started, 1),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    path = options.out / "results.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    log("")
    log(render_table(rows))
    log("")
    log("targets:")
    log(render_targets(targets))
    log("")
    log("cross-check on the same files (row counts; values of every contract column):")
    for table, check in results["cross_check"].items():
        engines = [k for k in check if k not in ("agree", "values_agree", "fingerprints")]
        log(
            f"  {table:<22} rows {'agree' if check['agree'] else 'DIFFER'}, values "
            f"{'agree' if check['values_agree'] else 'DIFFER'} "
            f"({', '.join(f'{e} {check[e]:,}' for e in engines if check[e] is not None)})"
        )
    if options.charts:
        log("")
        log(f"charts run (Markdown for docs/benchmarks.md: {options.out / 'charts.md'}):")
        log(charts["markdown"])
    log(f"results: {path} ({results['total_seconds']:.0f} s in all)")
    return results
