"""The demo's orchestration: every stage of the pipeline, in-process, on this machine.

Simulated (``make demo``):

0. charts: write a generated multi-year history of weekly chart files (global and one
   country, :mod:`tools.demo.chart_history`), add them and the real samples of
   ``../shared/spotify-charts/`` (when present) to the drop zone ``<lake>/raw/charts/``
   with ``tools.charts_add``, and run the chart job over it (:mod:`tools.demo.chart_stage`);
1. start the fake Spotify API (:mod:`tools.fake_spotify`) on loopback with a generated
   catalogue of ``playlists`` user-owned playlists over ``weeks`` weekly snapshots, plus
   one editorial and one not-owned playlist that a development-mode app cannot read (the
   extractor reports them, as it would for real ones);
1b. enrichment: describe the charted tracks through the fake's ``GET /tracks/{id}``
   (:mod:`tools.demo.enrich_stage`: the chart job's work list, the extractor's enrichment
   task in-process, a few removed tracks and bad references on purpose), landing track
   documents under ``<lake>/raw/tracks/``;
2. for every simulated week: switch the fake to that week, run the extractor
   (:func:`extract_lambda.extract.extract_playlists`) against it into
   ``<lake>/raw/playlist_snapshots/`` with ``extracted_at`` stamped on that week's Monday,
   then run the Glue job (:func:`glue_jobs.pipeline.run_job`) incrementally on the new
   files, the track documents included (``tracks_path``), with its local bookmark: the same path a weekly schedule takes (every week, or
   every few weeks when weekly runs would not fit the time budget: :func:`glue_interval`);
3. run the Athena views on DuckDB (:mod:`tools.query`) and write ``<lake>/report.html``.

Live (``make demo-live PLAYLISTS="..."``): the same, once, against the real Spotify API
with the credentials in the environment; the lake is kept between runs so that each run
adds today's snapshots to the history. Its charts are the files the user added to
``<lake>/raw/charts/`` (``make charts-add DROP=<lake>/raw/charts``), if any.

The simulated demo starts from an empty lake every time (a rerun is a clean, repeatable
run); it only wipes a directory that it created itself (marked by ``.spotify-demo-lake``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from glue_jobs.tables import PLAYLIST_TABLES
from tools.demo.progress import Progress, format_duration
from tools.jvm import local_jvm_options, local_session_builder

MARKER = ".spotify-demo-lake"
RAW_DIR = "raw/playlist_snapshots"
# The enrichment's track documents, which the playlist job reads beside the snapshots.
TRACKS_DIR = "raw/tracks"
CURATED_DIR = "curated"
DEFAULT_PLAYLISTS = 20
DEFAULT_WEEKS = 26
DEFAULT_SEED = 7
# The generated chart history: two years of weekly Top 200 charts, global and one country
# (the chart job's time grows with the files; docs/demo.md has the measured sizes).
DEFAULT_CHART_WEEKS = 104
DEFAULT_CHART_REGIONS = ("global", "gb")
# `make demo` must finish in under 5 minutes on 2 cores; this leaves room for the summary
# and for a machine slower than the estimate made from the first weeks.
DEFAULT_TIME_BUDGET_S = 270.0
# Analytics and report at the end, reserved out of the budget.
_FINISH_RESERVE_S = 25.0
INJECTED_PLAYLIST = "injectedfault"
# The playlist job's tables, as the summary names them, in contract order.
TABLES = tuple(t.name for t in PLAYLIST_TABLES)


class DemoError(Exception):
    """A stage failed in a way the message explains (no traceback needed)."""


class UsageError(DemoError):
    """The demo cannot run as asked (options, credentials, --dir); nothing was run."""


@dataclass(frozen=True)
class DemoOptions:
    """What the simulated demo runs.

    Attributes:
        lake: the demo directory (raw, curated, report, log).
        playlists: user-owned playlists in the generated catalogue.
        weeks: weekly snapshots to simulate.
        seed: the catalogue's seed (same seed, same data).
        api_mode: ``development`` (the API since March 2026: ``/items``, no popularity,
            editorial 404 and not-owned 403) or ``extended`` (legacy ``/tracks`` with
            popularity, every playlist readable).
        glue_every: run the Glue job after every this many weeks (and after the last);
            None (the default) runs it every week as long as the demo is on course to
            finish within `time_budget_s`, and every few weeks when it is not (see
            :func:`glue_interval`).
        time_budget_s: the time the automatic cadence aims to finish in.
        inject_fault: land one truncated gzip file, clearly named, in the middle week so
            the data-quality section shows the quarantine at work.
        unreadable: also request one editorial and one not-owned playlist every week.
        last_week: the date of the last simulated week (default: the latest Monday).
        chart_weeks: weekly charts generated per region, ending on the Thursday before
            `last_week` (0: no generated charts).
        chart_regions: the regions of the generated charts (``global``, country codes).
        chart_samples: also add the real chart files of ``../shared/spotify-charts/``
            when that folder exists.
        chart_samples_dir: where the real samples are (tests point it elsewhere).
        enrich: describe the charted tracks through the fake API and let the playlist job
            read the track documents (the enrichment stage).
    """

    lake: Path
    playlists: int = DEFAULT_PLAYLISTS
    weeks: int = DEFAULT_WEEKS
    seed: int = DEFAULT_SEED
    api_mode: str = "development"
    glue_every: int | None = None
    time_budget_s: float = DEFAULT_TIME_BUDGET_S
    inject_fault: bool = True
    unreadable: bool = True
    last_week: date | None = None
    chart_weeks: int = DEFAULT_CHART_WEEKS
    chart_regions: tuple[str, ...] = DEFAULT_CHART_REGIONS
    chart_samples: bool = True
    chart_samples_dir: Path | None = None
    enrich: bool = True

    def __post_init__(self) -> None:
        if (
            self.playlists < 1
            or self.weeks < 1
            or (self.glue_every is not None and self.glue_every < 1)
        ):
            raise UsageError("--playlists, --weeks and --glue-every must be at least 1")
        if self.chart_weeks < 0:
            raise UsageError("--chart-weeks must be 0 or more")
        from tools.demo.chart_history import HistorySpec

        try:
            HistorySpec(last_chart_date=date(2026, 11, 12), regions=tuple(self.chart_regions))
        except ValueError as error:
            raise UsageError(f"--chart-regions: {error}") from None
        if self.api_mode not in ("development", "extended"):
            raise UsageError("--api-mode must be development or extended")


@dataclass
class DemoResult:
    """What a demo run did; the tests check it against the lake."""

    lake: Path
    report: Path
    requested: int = 0
    landed: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    injected_faults: list[dict[str, Any]] = field(default_factory=list)
    chart_points: dict[str, int] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)  # the charts stage (demo.json)
    enrichment: dict[str, Any] = field(default_factory=dict)  # the enrichment stage
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def raw(self) -> Path:
        return self.lake / RAW_DIR

    @property
    def curated(self) -> Path:
        return self.lake / CURATED_DIR


# ---------------------------------------------------------------------------------------
# The lake directory
# ---------------------------------------------------------------------------------------


def prepare_lake(lake: Path, kind: str, *, fresh: bool) -> None:
    """Create (or, with `fresh`, empty) the demo directory, refusing any foreign directory.

    `kind` (``simulated`` / ``live``) is kept in the marker so that fake and real data are
    never mixed in one lake.
    """
    marker = lake / MARKER
    if lake.exists() and not lake.is_dir():
        raise UsageError(f"{lake} exists and is not a directory")
    if lake.is_dir() and any(lake.iterdir()):
        if not marker.is_file():
            raise UsageError(
                f"{lake} is not empty and was not created by the demo; "
                "choose another --dir (or delete it yourself)"
            )
        existing = json.loads(marker.read_text()).get("kind")
        # Checked before emptying anything: a simulated run must never wipe a live lake,
        # whose weeks of real snapshots cannot be extracted again.
        if existing != kind:
            raise UsageError(
                f"{lake} holds a {existing} demo lake; the {kind} demo needs its own --dir"
            )
        if fresh:
            shutil.rmtree(lake)
    lake.mkdir(parents=True, exist_ok=True)
    if not marker.is_file():
        marker.write_text(json.dumps({"kind": kind}) + "\n")
    (lake / RAW_DIR).mkdir(parents=True, exist_ok=True)


def write_meta(lake: Path, meta: Mapping[str, Any]) -> None:
    """``<lake>/demo.json``: what the report needs to know about how the lake was filled."""
    (lake / "demo.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")


def latest_monday(today: date | None = None) -> date:
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


# ---------------------------------------------------------------------------------------
# Spark and logs
# ---------------------------------------------------------------------------------------


# Spark's own console logging, quietened: the demo's progress lines are its output. The
# JVM reads this file at start-up, so it has to exist before the session is created.
_LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
# Errors only on the console. The root level stays WARN because Spark resets a PySpark
# driver's console to WARN, announcing it on stderr, whenever the root level differs.
appender.console.filter.threshold.type = ThresholdFilter
appender.console.filter.threshold.level = error
"""


@contextlib.contextmanager
def spark_session(spark=None, *, workdir: Path | None = None) -> Iterator[Any]:
    """The caller's SparkSession, or one local[2] session for the whole demo (stopped after).

    One session for all weekly runs: starting a JVM per run would cost more than the runs.
    """
    if spark is not None:
        yield spark
        return
    # Everything is on this machine; binding to loopback also avoids Spark's warning about
    # a hostname that resolves to it.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # C1 only, with the code cache of a tiered JVM and the class archive: tools/jvm.py.
    java_options = list(local_jvm_options())
    if workdir is not None:
        log4j = workdir / ".spark-log4j2.properties"
        log4j.write_text(_LOG4J2)
        java_options.append(f"-Dlog4j2.configurationFile={log4j.resolve().as_uri()}")
    session = local_session_builder("spotify-demo", "3g", java_options).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    note_interrupts()  # after Spark installed its own SIGINT handler, which it chains to
    try:
        yield session
    finally:
        if INTERRUPTED.is_set():
            # Stopping aborts the cancelled jobs, which Spark logs with Java stack traces.
            with contextlib.suppress(Exception):
                session.sparkContext.setLogLevel("OFF")
        session.stop()


#: Set when Ctrl-C (SIGINT) arrives while the demo's SparkSession runs.
INTERRUPTED = threading.Event()


def _drop_py4j_records(record: logging.LogRecord) -> bool:
    return "py4j" not in record.pathname and not record.name.startswith("py4j")


def note_interrupts() -> None:
    """Remember a Ctrl-C, then let the handler in place (Spark's) do its work.

    Spark's handler cancels the running jobs through Py4J; when the signal lands while
    Python waits on Py4J, that call fails with a ``Py4JError`` and no ``KeyboardInterrupt``
    reaches the demo, which then reported a failure with pages of Py4J tracebacks (review).
    With the flag the demo says "interrupted" and exits 130, and Py4J's own error logging
    is silenced from that moment.
    """
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: Any) -> None:
        INTERRUPTED.set()
        # Py4J logs its failed calls through the root logger (``logging.exception``).
        logging.getLogger().addFilter(_drop_py4j_records)
        logging.getLogger("py4j").setLevel(logging.CRITICAL + 1)
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)


def start_spark(stack: contextlib.ExitStack, spark, lake: Path, progress: Progress):
    """Enter :func:`spark_session` on `stack` as a timed stage (a JVM start takes a while)."""
    with progress.stage("spark", "starting a local[2] SparkSession") as stage:
        session = stack.enter_context(spark_session(spark, workdir=lake))
        stage.result = (
            "using the caller's SparkSession" if spark is not None else "local[2] SparkSession"
        )
    return session


@contextlib.contextmanager
def logs_to_file(path: Path) -> Iterator[TextIO]:
    """Send the stages' own log lines (and the job's printed summaries) to `path`.

    The progress lines are the demo's output; the extractor's per-playlist log and the
    job's JSON summaries are detail for ``demo.log``. Handlers are restored afterwards, so
    a test process is left as it was.
    """
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = []
    for name in ("extract_lambda", "glue_jobs", "tools.fake_spotify", "tools.query"):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        with open(path, "a", encoding="utf-8") as stream:
            yield stream
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        handler.close()


# ---------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------


class WeekClock:
    """``extracted_at`` for a simulated week: 06:00 UTC on its date, a second per playlist.

    Distinct, increasing stamps keep every landed key unique, as real extraction times are.
    """

    def __init__(self, day: date) -> None:
        self._next = datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        moment = self._next
        self._next += timedelta(seconds=1, microseconds=123)
        return moment


def run_cost_model(runs: Sequence[tuple[int, float]]) -> tuple[float, float]:
    """(seconds per run, seconds per raw file) of the Glue job, from (files, seconds) of runs.

    The first run is left out when there are others: it pays the JVM's warm-up. With runs
    of at least two sizes the line is fitted by least squares; with one size only, a
    quarter of a run is taken to be per-file work and the rest the fixed cost of Spark's
    jobs, which errs towards fewer, larger runs.
    """
    points = list(runs[1:]) or list(runs)
    if not points:
        raise ValueError("no Glue runs to estimate from")
    files = [f for f, _ in points]
    seconds = [t for _, t in points]
    mean_f, mean_t = sum(files) / len(files), sum(seconds) / len(seconds)
    if len(set(files)) >= 2:
        spread = sum((f - mean_f) ** 2 for f in files)
        per_file = max(0.0, sum((f - mean_f) * (t - mean_t) for f, t in points) / spread)
    else:
        per_file = 0.25 * mean_t / max(mean_f, 1)
    return max(0.0, mean_t - per_file * mean_f), per_file


def glue_interval(
    pending: int,
    remaining: int,
    time_left: float,
    *,
    run_s: float,
    file_s: float,
    files_per_week: float,
    extract_s: float,
) -> int:
    """How many weeks the Glue job should wait between runs to finish in `time_left` seconds.

    `pending` weeks are extracted but not yet processed, `remaining` weeks are still to be
    extracted. A run costs `run_s` plus `file_s` per raw file (:func:`run_cost_model`), a
    week's extraction `extract_s`. The per-file work is the same however it is batched;
    only the number of runs changes. Every week (1) when that fits, otherwise the smallest
    interval that fits, or one run at the end when nothing does. The curated tables come
    out the same whatever the interval: the job is incremental and processes what is new.
    """
    weeks = pending + remaining
    if weeks <= 0:
        return 1
    fixed = file_s * files_per_week * weeks + extract_s * remaining
    for interval in range(1, weeks + 1):
        if math.ceil(weeks / interval) * run_s + fixed <= time_left:
            return interval
    return weeks


def run_glue(spark, lake: Path, log: TextIO) -> dict[str, Any]:
    """One incremental run of the Glue job over the lake (the snapshots, and the track
    documents of the enrichment when there are any); its printed summary goes to `log`."""
    from glue_jobs.pipeline import run_job

    with contextlib.redirect_stdout(log):
        summary = run_job(
            spark,
            str(lake / RAW_DIR),
            str(lake / CURATED_DIR),
            tracks_path=str(lake / TRACKS_DIR),
        )
    log.flush()
    return summary


def inject_truncated_gzip(raw: Path, landed_key: str, day: date) -> dict[str, Any]:
    """Land a real snapshot cut to half its bytes, under an unmistakable playlist id.

    Written like the extractor writes (hidden temporary name, then a rename) so the job
    never sees a partial file for another reason than the one injected.
    """
    body = (raw / landed_key).read_bytes()
    name = f"{INJECTED_PLAYLIST}_{day.strftime('%Y%m%d')}T070000000000Z.json.gz"
    relative = f"snapshot_date={day.isoformat()}/playlist_id={INJECTED_PLAYLIST}/{name}"
    target = raw / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name("." + name + ".tmp")
    temporary.write_bytes(body[: len(body) // 2])
    temporary.replace(target)
    return {
        "path": f"{RAW_DIR}/{relative}",
        "reason": "corrupt_gzip",
        "what": "a real snapshot truncated to half its bytes, injected by the demo",
    }


def run_charts(
    session, lake: Path, options: DemoOptions, last: date, progress: Progress, log: TextIO
) -> tuple[dict[str, Any], Any]:
    """The charts stage (:mod:`tools.demo.chart_stage`) as one timed progress line; returns
    its part of ``demo.json`` and the generated history (None when none was generated)."""
    from tools.demo import chart_stage
    from tools.demo.chart_history import HistorySpec, chart_thursday, generate_history

    history = None
    samples = None
    if options.chart_samples:
        samples = options.chart_samples_dir or chart_stage.SAMPLES_DIR
    with progress.stage("charts", "generating chart files, chart job") as stage:
        if options.chart_weeks:
            spec = HistorySpec(
                # The newest chart published by the last simulated Monday.
                last_chart_date=chart_thursday(last),
                weeks=options.chart_weeks,
                regions=tuple(options.chart_regions),
                seed=options.seed,
            )
            history = generate_history(spec)
        staged = chart_stage.run_chart_stage(session, lake, history, log, samples_dir=samples)
        meta = chart_stage.meta_of(staged, history)
        stage.result = describe_charts(meta)
    return meta, history


def run_enrich(
    catalogue, server, history, lake: Path, day: date, progress: Progress
) -> dict[str, Any]:
    """The enrichment stage (:mod:`tools.demo.enrich_stage`) as one timed progress line;
    returns its part of ``demo.json``. The track documents are stamped 05:00 UTC on `day`
    (the first simulated Monday, before that week's extraction)."""
    from tools.demo import enrich_stage

    moment = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)
    with progress.stage("enrich", "describing the charted tracks (GET /tracks/{id})") as stage:
        staged = enrich_stage.run_enrich_stage(catalogue, server, history, lake, lambda: moment)
        meta = enrich_stage.meta_of(staged)
        stage.result = enrich_stage.describe_enrichment(meta)
    if meta.get("stopped"):
        raise DemoError(f"the enrichment stopped: {meta['stopped'].get('message')}")
    return meta


def describe_charts(meta: Mapping[str, Any]) -> str:
    """One line on the charts stage: the files added to the drop zone, the chart job's rows."""
    parts = []
    generated = meta.get("generated")
    if generated:
        parts.append(
            f"{generated['files']:,} generated files ({', '.join(generated['regions'])}: "
            f"{generated['weeks']} weeks, {generated['first_chart_date']} to "
            f"{generated['last_chart_date']})"
        )
    samples = [s for s in meta.get("samples") or [] if s.get("status") in ("added", "already")]
    if samples:
        parts.append(f"{len(samples)} real sample{'s' if len(samples) != 1 else ''}")
    text = " + ".join(parts) or "no chart files"
    text += f" -> {meta.get('drop', 'raw/charts')} ({meta.get('added', 0):,} added"
    if meta.get("rejected"):
        text += f", {len(meta['rejected'])} rejected"
    text += ")"
    run = meta.get("run")
    if run is not None:
        rows = (run.get("rows_written") or {}).get("fact_chart_entry", 0)
        text += f"; chart job: {run.get('files_read', 0):,} files -> {rows:,} chart entries"
        if run.get("files_quarantined"):
            text += f", {run['files_quarantined']} quarantined"
    return text


def analytics_and_report(
    lake: Path, meta: Mapping[str, Any], progress: Progress
) -> tuple[Path, dict[str, int], dict[str, int]]:
    """Run every Athena view on DuckDB, then write the report; returns path, rows, points."""
    from tools import query
    from tools.demo import report

    con = query.connect(lake / CURATED_DIR)
    try:
        with progress.stage("analytics", "Athena views on DuckDB") as stage:
            names = query.analytics_view_names()
            rows = sum(len(query.run_view(con, name).rows) for name in names)
            table_rows = report.query_table_rows(con)
            stage.result = f"{len(names)} Athena views on DuckDB, {rows:,} result rows"
        with progress.stage("report", "charts and HTML") as stage:
            path = report.write_report(con, lake, meta=meta)
            points = report.chart_points(path.read_text(encoding="utf-8"))
            charts = ", ".join(f"{k.removeprefix('chart-')} {v}" for k, v in points.items())
            stage.result = f"{path} ({path.stat().st_size / 1024:,.0f} KiB; data points: {charts})"
    finally:
        con.close()
    return path, table_rows, points


# ---------------------------------------------------------------------------------------
# The simulated demo
# ---------------------------------------------------------------------------------------


def run_simulated(options: DemoOptions, *, spark=None, out: TextIO | None = None) -> DemoResult:
    """The whole offline demo; see the module docstring."""
    from extract_lambda.config import Credentials, ExtractConfig
    from extract_lambda.extract import extract_playlists
    from extract_lambda.storage import LocalDirectorySink
    from tools.fake_spotify import Catalogue, FakeSpotifyServer

    progress = Progress(out) if out is not None else Progress()
    lake = options.lake
    prepare_lake(lake, "simulated", fresh=True)
    raw = lake / RAW_DIR
    last = options.last_week or latest_monday()
    first = last - timedelta(weeks=options.weeks - 1)
    extra = 1 if options.unreadable else 0
    catalogue = Catalogue(
        seed=options.seed,
        playlists=options.playlists,
        weeks=options.weeks,
        editorial=extra,
        not_owned=extra,
        start_date=first,
    )
    requested_ids = [
        *catalogue.user_playlist_ids,
        *catalogue.editorial_ids,
        *catalogue.not_owned_ids,
    ]
    fault_week = options.weeks // 2 if options.inject_fault else None
    result = DemoResult(lake=lake, report=lake / "report.html")
    source = (
        f"simulated: fake Spotify API ({options.api_mode} mode), {options.playlists} "
        f"playlists x {options.weeks} weekly snapshots, seed {options.seed}"
    )
    meta: dict[str, Any] = {
        "kind": "simulated",
        "source": source,
        "options": {k: str(v) for k, v in asdict(options).items()},
        "injected_faults": [],
    }
    failed_reasons: Counter[str] = Counter()

    with contextlib.ExitStack() as stack:
        log = stack.enter_context(logs_to_file(lake / "demo.log"))
        session = start_spark(stack, spark, lake, progress)
        # First, so that the Glue job's cadence below plans with the time it took.
        charts_meta, history = run_charts(session, lake, options, last, progress, log)
        result.charts = meta["charts"] = charts_meta
        server = stack.enter_context(FakeSpotifyServer(catalogue, mode=options.api_mode))
        progress.line(
            f"fake Spotify API on {server.api_url} ({options.api_mode} mode): "
            f"{options.playlists} playlists"
            + (" + 1 editorial and 1 not-owned playlist" if extra else "")
            + f", {options.weeks} weeks from {first} to {last}"
        )
        progress.line(f"lake: {lake}  (log: {lake / 'demo.log'})")
        if options.enrich:
            result.enrichment = meta["enrichment"] = run_enrich(
                catalogue, server, history, lake, first, progress
            )
        # Extended-quota apps use client credentials (the legacy /tracks path with
        # popularity); development-mode apps need the user's refresh token.
        refresh = server.refresh_token if options.api_mode == "development" else None
        config = ExtractConfig(
            credentials=Credentials.from_values(server.client_id, server.client_secret, refresh),
            api_url=server.api_url,
            auth_url=server.auth_url,
            max_concurrency=4,
            backoff_base_s=0.05,
        )
        sink = LocalDirectorySink(raw)
        pending = 0
        interval = options.glue_every or 1
        glue_runs: list[tuple[int, float]] = []  # (raw files read, seconds) per run
        for week in range(options.weeks):
            day = first + timedelta(weeks=week)
            label = f"week {week + 1:>{len(str(options.weeks))}}/{options.weeks}  {day}"
            server.set_week(week)
            with progress.timed("extract", f"{label}: extracting") as extract_timer:
                summary = extract_playlists(config, requested_ids, sink, clock=WeekClock(day))
            if summary.get("stopped"):
                raise DemoError(f"the extractor stopped in {label}: {summary['stopped']}")
            landed = summary["playlists_ok"]
            result.requested += summary["playlists_requested"]
            result.landed += len(landed)
            result.failed.extend(summary["playlists_failed"])
            failed_reasons.update(f["reason"] for f in summary["playlists_failed"])
            text = (
                f"{label}  extract {len(landed)}/{summary['playlists_requested']} landed, "
                f"{summary['items']:,} entries ({format_duration(extract_timer.elapsed)})"
            )
            if week == fault_week and summary["keys"]:
                fault = inject_truncated_gzip(raw, summary["keys"][0], day)
                meta["injected_faults"].append(fault)
                text += "  + 1 injected corrupt file"
            pending += 1
            remaining = options.weeks - week - 1
            # Automatic cadence: the first two runs are weekly, because the first pays the
            # JVM's warm-up and only the second tells what a run costs on this machine.
            if options.glue_every is None and len(glue_runs) >= 2 and remaining:
                run_s, file_s = run_cost_model(glue_runs)
                chosen = glue_interval(
                    pending,
                    remaining,
                    options.time_budget_s - progress.elapsed - _FINISH_RESERVE_S,
                    run_s=run_s,
                    file_s=file_s,
                    files_per_week=result.landed / (week + 1),
                    extract_s=progress.totals["extract"] / (week + 1),
                )
                if chosen != interval:
                    if chosen >= pending + remaining:
                        cadence = "once more, after the last week,"
                    else:
                        cadence = "every week" if chosen == 1 else f"every {chosen} weeks"
                        cadence += " from now on,"
                    progress.line(
                        f"Glue job: {cadence} to finish within "
                        f"{format_duration(options.time_budget_s)} on this machine "
                        "(--glue-every 1 forces weekly runs)"
                    )
                    interval = chosen
            if pending >= interval or not remaining:
                with progress.timed("glue", f"{label}: Glue job") as glue_timer:
                    run = run_glue(session, lake, log)
                glue_runs.append((int(run.get("files_read") or 0), glue_timer.elapsed))
                pending = 0
                result.runs.append(run)
                text += (
                    f"  glue {run.get('files_read', 0)} files -> "
                    f"{run.get('rows_written', {}).get('fact_playlist_item', 0):,} fact rows"
                    f"{', ' + str(run['files_quarantined']) + ' quarantined' if run.get('files_quarantined') else ''}"
                    f" ({format_duration(glue_timer.elapsed)})"
                )
            progress.line(text)

        meta["extraction"] = {
            "requested": result.requested,
            "landed": result.landed,
            "failed_by_reason": dict(failed_reasons),
        }
        result.injected_faults = meta["injected_faults"]
        write_meta(lake, meta)
        path, result.table_rows, result.chart_points = analytics_and_report(lake, meta, progress)
        result.report = path

    result.seconds = progress.elapsed
    result.timings = dict(progress.totals)
    meta["timings"] = {**result.timings, "total": result.seconds}
    write_meta(lake, meta)
    print_summary(progress, result, failed_reasons)
    return result


# ---------------------------------------------------------------------------------------
# The live demo
# ---------------------------------------------------------------------------------------


def live_config(environ: Mapping[str, str], playlist_ids: Sequence[str]):
    """The extractor configuration and the bare playlist ids for a live run, or DemoError.

    Checks everything before anything runs, and never puts a credential in a message.
    """
    from extract_lambda.config import (
        ConfigError,
        ExtractConfig,
        InvalidPlaylistId,
        normalize_playlist_id,
        split_playlist_ids,
    )

    references = [p for ref in playlist_ids for p in split_playlist_ids(ref)]
    if not references:
        raise UsageError(
            'no playlist ids: run make demo-live PLAYLISTS="<id> <id> ..." '
            "(ids, spotify:playlist: URIs or open.spotify.com links)"
        )
    try:
        ids = [normalize_playlist_id(ref) for ref in references]
    except InvalidPlaylistId as error:
        raise UsageError(str(error)) from None
    try:
        config = ExtractConfig.from_env(environ)
    except ConfigError as error:
        raise UsageError(
            f"{error}. The live demo needs SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and "
            "SPOTIFY_REFRESH_TOKEN in the environment (make spotify-auth gets the token)."
        ) from None
    return config, list(dict.fromkeys(ids))


def run_live(
    lake: Path,
    playlist_ids: Sequence[str],
    *,
    environ: Mapping[str, str] | None = None,
    spark=None,
    out: TextIO | None = None,
    clock: Callable[[], datetime] | None = None,
) -> DemoResult:
    """Extract the playlists once from the real API (today), then the same job and report."""
    from extract_lambda.extract import extract_playlists
    from extract_lambda.storage import LocalDirectorySink

    environ = os.environ if environ is None else environ
    config, ids = live_config(environ, playlist_ids)
    progress = Progress(out) if out is not None else Progress()
    prepare_lake(lake, "live", fresh=False)
    result = DemoResult(lake=lake, report=lake / "report.html")
    failed_reasons: Counter[str] = Counter()
    with logs_to_file(lake / "demo.log") as log:
        progress.line(
            f"live Spotify API {config.api_url} ({config.auth_mode} flow): "
            f"{len(ids)} playlist{'s' if len(ids) != 1 else ''} into {lake}"
        )
        with progress.stage("extract", f"{len(ids)} playlists") as stage:
            summary = extract_playlists(
                config, ids, LocalDirectorySink(lake / RAW_DIR), clock=clock
            )
            result.requested = summary["playlists_requested"]
            result.landed = len(summary["playlists_ok"])
            result.failed = summary["playlists_failed"]
            failed_reasons.update(f["reason"] for f in result.failed)
            stage.result = (
                f"{result.landed}/{result.requested} landed, {summary['items']:,} entries"
            )
        for failure in result.failed:
            progress.line(
                f"  not landed: {failure['playlist_id']}: {failure['reason']}"
                f" ({failure.get('message') or ''})"
            )
        if summary.get("stopped"):
            raise DemoError(f"the extractor stopped: {summary['stopped'].get('message')}")
        with contextlib.ExitStack() as stack:
            session = start_spark(stack, spark, lake, progress)
            with progress.stage("glue", "Glue job") as stage:
                run = run_glue(session, lake, log)
                result.runs.append(run)
                stage.result = (
                    f"{run.get('files_read', 0)} new files -> "
                    f"{run.get('rows_written', {}).get('fact_playlist_item', 0):,} fact rows"
                )
            # The user's own chart files, added with make charts-add DROP=<lake>/raw/charts.
            from tools.demo import chart_stage

            if chart_stage.has_chart_files(lake):
                with progress.stage("charts", "chart job") as stage:
                    staged = chart_stage.run_chart_stage(session, lake, None, log, samples_dir=None)
                    result.charts = chart_stage.meta_of(staged, None)
                    stage.result = describe_charts(result.charts)
        if not any((lake / CURATED_DIR / "fact_playlist_item").glob("**/*.parquet")):
            raise DemoError("nothing in the lake yet: no playlist was landed (see above)")
        meta = {
            "kind": "live",
            "source": f"live: Spotify Web API ({config.auth_mode} flow), {len(ids)} playlists",
            "extraction": {
                "requested": result.requested,
                "landed": result.landed,
                "failed_by_reason": dict(failed_reasons),
            },
            "injected_faults": [],
        }
        if result.charts:
            meta["charts"] = result.charts
        write_meta(lake, meta)
        path, result.table_rows, result.chart_points = analytics_and_report(lake, meta, progress)
        result.report = path
    result.seconds = progress.elapsed
    result.timings = dict(progress.totals)
    print_summary(progress, result, failed_reasons)
    return result


# ---------------------------------------------------------------------------------------
# The summary
# ---------------------------------------------------------------------------------------


def print_summary(progress: Progress, result: DemoResult, failed: Mapping[str, int]) -> None:
    """Snapshots landed, rows per table, rejections by reason, the report, the time."""
    from tools.demo.report import aggregate_runs, read_run_summaries

    totals = aggregate_runs(read_run_summaries(result.curated))
    rejections: Counter[str] = Counter()
    for level in ("files", "documents", "fact_playlist_item"):
        rejections.update(totals["rejections"].get(level) or {})
    for reason in ("local_file", "episode"):  # fact rows that are not tracks
        rejections[reason] += (totals["rejections"].get("dim_track") or {}).get(reason, 0)
    injected = Counter(f["reason"] for f in result.injected_faults)
    width = max(len(t) for t in (*TABLES, *result.table_rows))
    p = progress.plain
    p()
    p("Summary")
    not_landed = ", ".join(f"{r} {n}" for r, n in sorted(failed.items()))
    p(
        f"  snapshots landed  {result.landed:,} of {result.requested:,} requested"
        + (f" (not landed: {not_landed})" if not_landed else "")
    )
    p(
        f"  Glue job          {len(result.runs)} run{'s' if len(result.runs) != 1 else ''}, {totals['files_read']:,} raw files read, "
        f"{totals['files_quarantined']:,} quarantined"
    )
    if result.charts:
        p(f"  charts            {describe_charts(result.charts)}")
    if result.enrichment:
        from tools.demo.enrich_stage import describe_enrichment

        p(f"  enrichment        {describe_enrichment(result.enrichment)}")
        documents = totals.get("track_documents") or {}
        if documents.get("files_read"):
            p(
                f"  track documents   {documents['files_read']:,} read by the Glue job, "
                f"{documents.get('files_quarantined', 0):,} quarantined"
            )
    p("  rows per table")
    for table in dict.fromkeys((*TABLES, *result.table_rows)):
        p(f"    {table:<{width}}  {result.table_rows.get(table, 0):>10,}")
    p("  rejections by reason")
    for reason, count in sorted(rejections.items(), key=lambda kv: (-kv[1], kv[0])):
        if count:
            note = "  (injected on purpose)" if injected.get(reason) else ""
            p(f"    {reason:<{width}}  {count:>10,}{note}")
    unreadable = {c: n for c, n in sorted(totals["unreadable_values"].items()) if n}
    if unreadable:
        p("  unreadable values (stored as null, rows kept)")
        for column, count in unreadable.items():
            p(f"    {column}  {count:>10,}")
    p(f"  report            {result.report}")
    stages = ", ".join(f"{k} {format_duration(v)}" for k, v in progress.totals.items())
    p(f"  total time        {format_duration(progress.elapsed)} ({stages})")
