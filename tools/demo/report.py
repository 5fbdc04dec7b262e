"""The demo report: one self-contained HTML page of charts over the curated lake.

Inputs, all read from the lake itself so that the report can be rebuilt at any time
(``python -m tools.demo --report-only --dir build/demo``):

- the curated tables and the Athena views, on DuckDB through :mod:`tools.query`;
- the Glue job's run summaries (``<curated>/_runs/*.json``: counts, rejections and the
  data-quality rules' results) and quarantine records
  (``<curated>/_quarantine/run_id=*/part-*.json``), for the data-quality section;
- ``<lake>/demo.json``, written by the demo: where the data came from, what the extractor
  landed and failed, which faults the demo injected on purpose, and which chart files the
  charts stage added (generated and real).

The charts section reads ``fact_chart_entry`` and ``dim_chart`` with its own DuckDB SQL
(``query_chart_*`` below), and follows songs and artists as the chart views define them:
a song is ``chart_entry_songs.song_key`` (one song across the track ids it charted under),
and artists are ``chart_artist_credits``' (the Spotify artists of the enrichment where the
lake describes the track, the file's names where it does not).

The page needs no network to open: the charts are inline SVG (:mod:`tools.demo.charts`),
the style is one inline ``<style>`` block, and there is no script, font, image or link to
fetch. Each chart sits in ``<figure class="chart" id="chart-..." data-points="N">``;
``N`` is the number of data marks drawn, each an SVG element with id ``chart-...-pt-<n>``.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from glue_jobs.tables import TABLE_NAMES
from tools.demo import charts
from tools.demo.charts import Chart

# The curated tables, in the order the contract lists them (glue_jobs/tables.py).
TABLES = TABLE_NAMES

CHART_IDS = (
    "chart-top-artists",
    "chart-rank-trajectories",
    "chart-new-entries",
    "chart-popularity",
    "chart-bump",
    "chart-weeks-on-chart",
    "chart-artist-share",
    "chart-climbers",
    "chart-data-quality",
)

TOP_ARTISTS = 15
TOP_SONGS = 8
CHART_DEPTH = 50  # a playlist's top 50 earns chart points; the chart shows ranks 1..50

# Why a playlist was not landed, in words (the extractor's failure reasons).
EXTRACTION_REASONS = {
    "not_found": "HTTP 404: editorial playlist, not readable in development mode",
    "forbidden": "HTTP 403: not owned by the authorising user",
}


# What each rejection means for the data (docs/data-contract.md, section 4).
ENTRY_REASONS = {
    "superseded_snapshot": "a later extraction of the same playlist on the same day wins",
    "null_item": "the entry's track or episode is null: no row anywhere",
    "missing_id": "a track without an id: no row anywhere",
    "unsupported_type": "neither a track nor an episode (an audiobook chapter, say): no row anywhere",
    "local_file": "a local file: a fact row, but no track, album or artist rows",
    "episode": "a podcast episode: a fact row, but no track, album or artist rows",
    "malformed_entry": (
        "an element of a page's entry array that is null, not an object, or an object with "
        "none of the entry fields: the extractor lands it as sent, the job counts it and "
        "builds no row"
    ),
}

# The Spotify Charts section.
FOCUS_CHART = "regional-global-weekly"  # the chart the figures follow when the lake has it
BUMP_SONGS = 10
BUMP_WEEKS = 20
LEADERS = 15
SHARE_ARTISTS = 6
SHARE_WEEKS = 52
CLIMBERS = 10
MULTI_ID_SONGS = 10
FILE_NAMES = "chart_file_names"  # chart_artist_credits.artist_source of the file's names


@dataclass
class Section:
    """One chart of the page with its heading and the sentences that explain it."""

    chart: Chart
    title: str
    explain: str
    note: str = ""
    extra_html: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Reading the lake
# ---------------------------------------------------------------------------------------


def read_run_summaries(curated: Path) -> list[dict[str, Any]]:
    """Every Glue job run summary in the lake, oldest first."""
    runs = [json.loads(p.read_text()) for p in sorted((curated / "_runs").glob("*.json"))]
    return sorted(runs, key=lambda r: (r.get("started_at") or "", r.get("run_id") or ""))


def read_quarantine(curated: Path) -> list[dict[str, Any]]:
    """Every quarantine record (one JSON object per line) written by any run."""
    records = []
    for path in sorted((curated / "_quarantine").glob("run_id=*/*.json")):
        for line in path.read_text().splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


def read_demo_meta(lake: Path) -> dict[str, Any]:
    path = lake / "demo.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def aggregate_runs(runs: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Totals over run summaries: files, documents, entries, rows and rejections by reason."""
    totals: dict[str, Any] = {
        "runs": 0,
        "files_read": 0,
        "files_quarantined": 0,
        "documents_read": 0,
        "entries_read": 0,
        "rows_written": Counter(),
        "rejections": {},
        "unreadable_values": Counter(),
        "track_documents": Counter(),  # the playlist job's reading of the enrichment's
    }
    for run in runs:
        totals["runs"] += 1
        totals["track_documents"].update(
            {k: int(v or 0) for k, v in (run.get("track_documents") or {}).items()}
        )
        for key in ("files_read", "files_quarantined", "documents_read", "entries_read"):
            totals[key] += int(run.get(key) or 0)
        totals["rows_written"].update(run.get("rows_written") or {})
        for level, reasons in (run.get("rejections") or {}).items():
            bucket = totals["rejections"].setdefault(level, Counter())
            bucket.update({k: int(v or 0) for k, v in (reasons or {}).items()})
        for table, columns in (run.get("unreadable_values") or {}).items():
            totals["unreadable_values"].update(
                {f"{table}.{c}": int(n or 0) for c, n in (columns or {}).items()}
            )
    return totals


# ---------------------------------------------------------------------------------------
# Queries (DuckDB, over the tables and Athena views that tools.query registers)
# ---------------------------------------------------------------------------------------

# Each playlist's latest snapshot: "what the playlists hold now".
_LATEST = """
latest as (
    select playlist_id, max(cast(snapshot_date as date)) as snapshot_date
    from fact_playlist_item
    group by playlist_id
)
"""


def query_table_rows(con) -> dict[str, int]:
    return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def query_overview(con) -> dict[str, Any]:
    row = con.execute(
        """
        select
            count(distinct playlist_id),
            count(distinct cast(snapshot_date as date)),
            min(cast(snapshot_date as date)),
            max(cast(snapshot_date as date)),
            count(distinct (playlist_id, snapshot_date)),
            count(distinct track_id)
        from fact_playlist_item
        """
    ).fetchone()
    artists = con.execute("select count(*) from dim_artist_current").fetchone()[0]
    albums = con.execute("select count(*) from dim_album_current").fetchone()[0]
    keys = ("playlists", "weeks", "first_date", "last_date", "snapshots", "tracks")
    return {**dict(zip(keys, row, strict=True)), "artists": artists, "albums": albums}


def query_top_artists(con, limit: int = TOP_ARTISTS) -> list[tuple[str, int, int]]:
    """Artists by entries crediting them on the latest snapshots (view artist_playlist_share)."""
    return con.execute(
        f"""
        with {_LATEST}
        select
            share.artist_name,
            sum(share.artist_entry_count) as entries,
            count(distinct share.playlist_id) as playlists
        from artist_playlist_share as share
        inner join latest
            on share.playlist_id = latest.playlist_id
            and cast(share.snapshot_date as date) = latest.snapshot_date
        group by share.artist_id, share.artist_name
        order by entries desc, playlists desc, share.artist_name
        limit {int(limit)}
        """
    ).fetchall()


def query_rank_trajectories(
    con, top: int = TOP_SONGS, depth: int = CHART_DEPTH
) -> tuple[list[date], list[tuple[str, list[int | None]]]]:
    """The combined weekly chart, and the week-by-week ranks of its biggest songs.

    Every playlist entry in the top `depth` positions of its playlist earns
    ``depth + 1 - position`` points; a song's weekly score is the sum over the playlists,
    and its rank the order of that score (ties by track id, so ranks are unique). The
    biggest songs are those with the most points over all weeks: the hits of the period,
    whichever week they peaked in.
    """
    con.execute(
        f"""
        create or replace temp table combined_chart as
        with scored as (
            select
                cast(snapshot_date as date) as week,
                track_id,
                sum({depth + 1} - position) as points
            from fact_playlist_item
            where track_id is not null and position <= {depth}
            group by all
        )
        select
            week,
            track_id,
            points,
            row_number() over (partition by week order by points desc, track_id) as chart_rank
        from scored
        """
    )
    weeks = [
        r[0] for r in con.execute("select distinct week from combined_chart order by 1").fetchall()
    ]
    if not weeks:
        return [], []
    rows = con.execute(
        f"""
        with top_songs as (
            select track_id, row_number() over (order by sum(points) desc, track_id) as overall
            from combined_chart
            group by track_id
            qualify overall <= {int(top)}
        ),
        primary_artist as (
            select bridge.track_id, artist.artist_name
            from bridge_track_artist_current as bridge
            inner join dim_artist_current as artist on bridge.artist_id = artist.artist_id
            where bridge.artist_position = 1
        )
        select
            top_songs.track_id,
            top_songs.overall,
            track.track_name,
            primary_artist.artist_name,
            chart.week,
            chart.chart_rank
        from top_songs
        inner join combined_chart as chart on top_songs.track_id = chart.track_id
        left join dim_track_current as track on top_songs.track_id = track.track_id
        left join primary_artist on top_songs.track_id = primary_artist.track_id
        where chart.chart_rank <= {int(depth)}
        order by top_songs.overall, chart.week
        """
    ).fetchall()
    position = {week: i for i, week in enumerate(weeks)}
    series: dict[str, tuple[str, list[int | None]]] = {}
    for track_id, _overall, name, artist, week, rank in rows:
        if track_id not in series:
            label = (name or track_id) + (f" \u2014 {artist}" if artist else "")
            series[track_id] = (label, [None] * len(weeks))
        series[track_id][1][position[week]] = int(rank)
    return weeks, list(series.values())


def query_new_entries(con) -> list[tuple[date, int, int]]:
    """Per snapshot date: new entries and exits over playlists with a previous snapshot."""
    return con.execute(
        """
        select
            cast(snapshot_date as date) as week,
            cast(sum(new_entry_count) as bigint),
            cast(sum(exit_count) as bigint)
        from snapshot_entries_exits
        where new_entry_count is not null
        group by 1
        order by 1
        """
    ).fetchall()


def query_popularity(con) -> list[dict[str, Any]]:
    cursor = con.execute("select * from release_recency_popularity order by release_period")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def query_release_years(con) -> list[tuple[int, int]]:
    return [
        (int(year), int(count))
        for year, count in con.execute(
            """
            select release_year, playlist_track_count
            from album_release_trends
            where release_year is not null and playlist_track_count > 0
            order by release_year
            """
        ).fetchall()
    ]


# ---------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------


def _top_artists_section(con) -> Section:
    rows = query_top_artists(con)
    return Section(
        chart=charts.top_artists("chart-top-artists", rows),
        title="Top artists",
        explain=(
            "Entries crediting each artist on every playlist's latest snapshot, "
            "featured artists included (view <code>artist_playlist_share</code>)."
        ),
    )


def _trajectories_section(con) -> Section:
    weeks, series = query_rank_trajectories(con)
    return Section(
        chart=charts.rank_trajectories("chart-rank-trajectories", weeks, series, CHART_DEPTH),
        title="Rank trajectories of the top songs",
        explain=(
            f"A combined weekly chart over all playlists: an entry at position <i>p</i> in "
            f"the top {CHART_DEPTH} of its playlist earns {CHART_DEPTH + 1} &minus; <i>p</i> "
            f"points, and songs are ranked by their points. The lines follow the {TOP_SONGS} "
            f"songs with the most points over the whole period, week by week; a gap means "
            f"outside the top {CHART_DEPTH}. The legend lists them from the biggest down."
        ),
    )


def _new_entries_section(con) -> Section:
    rows = query_new_entries(con)
    return Section(
        chart=charts.new_entries("chart-new-entries", rows),
        title="New entries per week",
        explain=(
            "Songs, episodes and local files that entered (above the line) or left (below) "
            "the playlists since each playlist's previous snapshot "
            "(view <code>snapshot_entries_exits</code>). A playlist's first snapshot is not "
            "counted: there is nothing to compare it with."
        ),
    )


def _popularity_section(con) -> Section:
    rows = query_popularity(con)
    with_popularity = [r for r in rows if r["avg_popularity"] is not None]
    reference = next((r["reference_date"] for r in rows), None)
    explain_period = (
        f"'last quarter' means released in the three months up to {reference}, the latest "
        "snapshot date (view <code>release_recency_popularity</code>)."
        if reference
        else ""
    )
    if with_popularity:
        order = {"last quarter": 0, "older": 1, "unknown": 2}
        data = sorted(
            (
                (r["release_period"], float(r["avg_popularity"]), int(r["popularity_track_count"]))
                for r in with_popularity
            ),
            key=lambda row: order.get(row[0], 3),
        )
        partial = any(r["popularity_status"] != "available" for r in rows)
        return Section(
            chart=charts.popularity_by_period("chart-popularity", data),
            title="Popularity: recent releases against older ones",
            explain=f"Average Spotify popularity (0-100) of the songs by release period; "
            f"{explain_period}",
            note="Some songs have no popularity and are left out of the averages."
            if partial
            else "",
            attributes={"data-popularity": "partial" if partial else "available"},
        )
    years = query_release_years(con)
    recent_from = reference.year if reference else None
    return Section(
        chart=charts.songs_by_release_year("chart-popularity", years, recent_from),
        title="Popularity: recent releases against older ones",
        explain=(
            "Songs on the playlists by the release year of their album "
            f"(view <code>album_release_trends</code>); {reference.year if reference else ''} "
            "releases highlighted."
        ),
        note=(
            "Popularity unavailable: development-mode API. Since March 2026 Spotify no "
            "longer sends <code>popularity</code> to apps without extended quota, so no song "
            "in this lake has one and no average is shown rather than an average of nothing. "
            "Below, what can be said without it: how recent the songs on the playlists are."
        ),
        attributes={"data-popularity": "unavailable"},
    )


def _quality_rows(
    totals: Mapping[str, Any], meta: Mapping[str, Any]
) -> list[tuple[str, str, int, bool, str]]:
    """(level, reason, count, injected, what it means) for every reason that can occur."""
    rejections = totals["rejections"]
    injected = meta.get("injected_faults") or []
    injected_reasons = Counter(f["reason"] for f in injected)
    rows: list[tuple[str, str, int, bool, str]] = []
    extraction = meta.get("extraction") or {}
    for reason, count in sorted((extraction.get("failed_by_reason") or {}).items()):
        rows.append(
            ("extraction", reason, int(count), False, EXTRACTION_REASONS.get(reason, reason))
        )
    files = rejections.get("files") or {}
    for reason in sorted(set(files) | set(injected_reasons)):
        count = int(files.get(reason, 0))
        label = "raw file quarantined"
        if injected_reasons.get(reason):
            label += f" ({injected_reasons[reason]} injected on purpose by the demo)"
        rows.append(("file", reason, count, bool(injected_reasons.get(reason)), label))
    for reason, count in sorted((rejections.get("documents") or {}).items()):
        rows.append(("snapshot", reason, int(count), False, ENTRY_REASONS.get(reason, reason)))
    fact = rejections.get("fact_playlist_item") or {}
    for reason, count in sorted(fact.items()):
        meaning = ENTRY_REASONS.get(reason, "entry without a fact row")
        if reason == "superseded_snapshot":
            meaning = "entries of the superseded snapshots"
        rows.append(("entry", reason, int(count), False, meaning))
    dims = rejections.get("dim_track") or {}
    for reason, count in sorted(dims.items()):
        if reason in fact:
            continue  # already counted as an entry without a fact row
        meaning = ENTRY_REASONS.get(reason, "a fact row, but not a track")
        rows.append(("entry", reason, int(count), False, meaning))
    for column, count in sorted(totals["unreadable_values"].items()):
        if count:
            meaning = "a value its column cannot read: stored as null, the row is kept"
            rows.append(("value", column, int(count), False, meaning))
    return rows


def _quality_section(
    lake: Path,
    runs: list[dict[str, Any]],
    meta: Mapping[str, Any],
    table_rows: Mapping[str, int],
) -> Section:
    totals = aggregate_runs(runs)
    rows = _quality_rows(totals, meta)
    chart_rows = [
        (f"{level}: {reason}" + (" (injected)" if injected else ""), count, injected)
        for level, reason, count, injected, _ in rows
        if count
    ]
    extraction = meta.get("extraction") or {}
    counts = [
        ("playlist snapshots requested", extraction.get("requested")),
        ("snapshots landed", extraction.get("landed")),
        ("Glue job runs", totals["runs"]),
        ("raw files read", totals["files_read"]),
        ("raw files quarantined", totals["files_quarantined"]),
        ("snapshot documents read", totals["documents_read"]),
        ("entries read", totals["entries_read"]),
        ("fact rows written", totals["rows_written"].get("fact_playlist_item", 0)),
    ]
    counts_html = "".join(
        f"<tr><td>{html.escape(name)}</td><td class='num'>{value:,}</td></tr>"
        for name, value in counts
        if value is not None
    )
    reasons_html = "".join(
        f"<tr{' class=injected' if injected else ''}><td>{level}</td><td><code>{reason}"
        f"</code></td><td class='num'>{count:,}</td><td>{html.escape(meaning)}</td></tr>"
        for level, reason, count, injected, meaning in rows
    )
    quarantine = read_quarantine(lake / "curated")
    injected_paths = {f["path"] for f in meta.get("injected_faults") or []}
    quarantine_html = "".join(
        f"<tr><td><code>{html.escape(_relative(q.get('path', ''), lake))}</code></td>"
        f"<td><code>{html.escape(q.get('reason') or '')}</code></td>"
        f"<td>{'injected by the demo' if _is_injected(q.get('path', ''), injected_paths) else ''}"
        "</td></tr>"
        for q in quarantine
    )
    tables_html = "".join(
        f"<tr><td><code>{t}</code></td><td class='num'>{n:,}</td></tr>"
        for t, n in table_rows.items()
    )
    accounting = all(
        int(run.get("entries_read") or 0)
        == int((run.get("rows_written") or {}).get("fact_playlist_item", 0))
        + sum((run.get("rejections") or {}).get("fact_playlist_item", {}).values())
        for run in runs
    )
    extra = f"""
<div class="tables">
  <table><caption>The run in numbers</caption>{counts_html}</table>
  <table><caption>Rows per curated table</caption>{tables_html}</table>
</div>
<table class="wide"><caption>Rejections by reason (nothing is dropped silently)</caption>
<tr><th>level</th><th>reason</th><th>count</th><th>meaning</th></tr>{reasons_html}</table>
{
        f'''<table class="wide"><caption>Quarantined raw files</caption>
<tr><th>file</th><th>reason</th><th></th></tr>{quarantine_html}</table>'''
        if quarantine_html
        else ""
    }
<p class="check">Accounting check, every run: entries read = fact rows written + entries
rejected: <b>{"holds" if accounting else "DOES NOT HOLD"}</b>.</p>
{quality_rules_html(runs)}"""
    note = ""
    if meta.get("injected_faults"):
        note = (
            "The demo deliberately landed a truncated gzip file (marked <i>injected</i>) "
            "to show the quarantine at work; run with <code>--no-fault</code> to leave it out."
        )
    return Section(
        chart=charts.data_quality("chart-data-quality", chart_rows),
        title="Data quality",
        explain=(
            "What did not reach the tables, and why: playlists the API refused, raw files "
            "quarantined, superseded snapshots, and entries that are not tracks."
        ),
        note=note,
        extra_html=extra,
    )


def aggregate_quality(runs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every data-quality rule the runs checked (``data_quality`` of their summaries), in
    the order the job lists them: how many runs checked it and failed it, and its observed
    value in the latest run that checked it and at its worst."""
    rules: dict[str, dict[str, Any]] = {}
    for run in runs:
        for name, result in ((run.get("data_quality") or {}).get("rules") or {}).items():
            rule = rules.setdefault(
                name,
                {
                    "rule": name,
                    "table": result.get("table"),
                    "kind": result.get("kind"),
                    "columns": result.get("columns") or [],
                    "where": result.get("where"),
                    "reference": result.get("reference"),
                    "runs": 0,
                    "failed_runs": 0,
                    "worst": None,
                },
            )
            rule["threshold"] = result.get("threshold")
            rule["observed"] = result.get("observed")
            rule["passed"] = bool(result.get("passed"))
            rule["runs"] += 1
            rule["failed_runs"] += 0 if rule["passed"] else 1
            observed = result.get("observed")
            if observed is not None and (rule["worst"] is None or observed > rule["worst"]):
                rule["worst"] = observed
    return list(rules.values())


# What each kind of rule measures, for the report (docs/data-quality.md).
QUALITY_KINDS = {
    "unique": "rows beyond the first of each key, per date",
    "not_null": "share of the rows with no value",
    "references": "rows whose id is missing from {reference} on the same date",
    "snapshot_drop": "largest fall of a playlist's entries since its previous snapshot",
}


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2%}" if value < 1 else f"{value:g}"
    return f"{int(value):,}"


def quality_rules_html(runs: list[dict[str, Any]]) -> str:
    """The data-quality rules table of the report: one row per rule, over all runs."""
    rules = aggregate_quality(runs)
    checked_runs = sum(1 for run in runs if (run.get("data_quality") or {}).get("rules"))
    if not rules:
        return (
            '<p class="check" id="quality-rules">No run summary reports data-quality '
            "checks (runs before they existed, or runs with nothing new).</p>"
        )
    failures = sum(rule["failed_runs"] for rule in rules)
    rows = []
    for rule in rules:
        measures = QUALITY_KINDS.get(rule["kind"], rule["kind"] or "").format(
            reference=rule.get("reference") or "its dimension"
        )
        on = ", ".join(rule["columns"])
        if rule.get("where"):
            on += f" where {rule['where']}"
        verdict = "passed" if rule["passed"] else "FAILED"
        rows.append(
            f"<tr class='{'passed' if rule['passed'] else 'failed'}' "
            f"data-rule='{html.escape(rule['rule'])}'>"
            f"<td><code>{html.escape(rule['rule'])}</code></td>"
            f"<td>{html.escape(measures)} (<code>{html.escape(on)}</code>)</td>"
            f"<td class='num'>{_number(rule['threshold'])}</td>"
            f"<td class='num'>{_number(rule['observed'])}</td>"
            f"<td>{verdict}</td>"
            f"<td class='num'>{rule['failed_runs']:,} of {rule['runs']:,}</td></tr>"
        )
    summary = (
        f"{len(rules)} rules, checked on what each of the {checked_runs} run"
        f"{'s' if checked_runs != 1 else ''} that wrote data published: "
        + ("every rule passed every time." if not failures else f"{failures:,} failed checks.")
        + " A failed rule does not stop publishing: it is reported here, in the run summary "
        "and in the job's <code>DataQualityFailures</code> metric."
    )
    return f"""
<table class="wide" id="quality-rules" data-rules="{len(rules)}" data-failures="{failures}">
<caption>Data-quality rules (<code>glue_jobs/quality.py</code>), checked by every run</caption>
<tr><th>rule</th><th>measures</th><th>threshold</th><th>observed (latest run)</th>
<th>latest run</th><th>runs failed</th></tr>{"".join(rows)}</table>
<p class="check">{summary}</p>"""


def _relative(path: str, lake: Path) -> str:
    path = path.removeprefix("file:")
    root = str(lake.resolve())
    return path[len(root) + 1 :] if path.startswith(root + "/") else path


def _is_injected(path: str, injected: set[str]) -> bool:
    plain = path.removeprefix("file:")
    return any(plain.endswith(p) or p.endswith(plain) for p in injected)


# ---------------------------------------------------------------------------------------
# Spotify Charts (fact_chart_entry, dim_chart)
# ---------------------------------------------------------------------------------------


def _song_label(track_name: str | None, artist_names: str | None, track_id: str) -> str:
    return (track_name or track_id) + (f" \u2014 {artist_names}" if artist_names else "")


def _row_song(row: Mapping[str, Any]) -> str:
    """The song label of a query row with ``track_name``, ``artist_names`` and ``track_id``."""
    return _song_label(row["track_name"], row["artist_names"], row["track_id"])


def query_chart_overview(con) -> list[dict[str, Any]]:
    """Per chart in the lake: its dates, entries and streams (from ``dim_chart``)."""
    try:
        cursor = con.execute(
            """
            select
                chart_id,
                count(distinct cast(chart_date as date)) as dates,
                min(cast(chart_date as date)) as first_date,
                max(cast(chart_date as date)) as last_date,
                cast(sum(entries) as bigint) as entries,
                cast(sum(total_streams) as bigint) as streams
            from dim_chart
            group by chart_id
            order by dates desc, chart_id
            """
        )
    except Exception as error:  # duckdb.Error: a lake without chart tables
        if "dim_chart" not in str(error):
            raise
        return []
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def focus_chart(overview: list[dict[str, Any]]) -> str | None:
    """The chart the figures follow: the global weekly Top 200, else the longest weekly one."""
    ids = [row["chart_id"] for row in overview]
    if FOCUS_CHART in ids:
        return FOCUS_CHART
    weekly = [i for i in ids if i.endswith("-weekly")]
    return (weekly or ids or [None])[0]


def query_chart_dates(con, chart_id: str, limit: int) -> list[date]:
    """The chart's latest `limit` dates, oldest first."""
    rows = con.execute(
        """
        select distinct cast(chart_date as date) as chart_date
        from fact_chart_entry
        where chart_id = ?
        order by chart_date desc
        limit ?
        """,
        [chart_id, int(limit)],
    ).fetchall()
    return sorted(r[0] for r in rows)


MULTI_ID_MARK = " \u2020"  # a dagger after a song that charted under more than one id


def query_chart_bump(
    con, chart_id: str, songs: int = BUMP_SONGS, weeks: int = BUMP_WEEKS
) -> tuple[list[date], list[tuple[str, list[int | None]]]]:
    """The top `songs` of the latest chart, and their ranks over the last `weeks` charts.

    Songs are followed by ``song_key`` (``chart_entry_songs``): a song that charted under
    another id in an earlier week keeps its line, at its best entry's rank each week, and its
    label ends with :data:`MULTI_ID_MARK` when it charted under more than one id on this
    chart (:func:`query_multi_id_songs`)."""
    dates = query_chart_dates(con, chart_id, weeks)
    if not dates:
        return [], []
    rows = con.execute(
        """
        with latest as (
            select song_key, rank as latest_rank, track_name, artist_names, track_id
            from chart_entry_songs
            where chart_id = ? and chart_date = ? and rank <= ?
            qualify row_number() over (partition by song_key order by rank) = 1
        ),
        ids as (
            select song_key, count(distinct track_id) as track_ids
            from chart_entry_songs
            where chart_id = ?
            group by song_key
        )
        select
            latest.song_key,
            latest.track_name,
            latest.artist_names,
            latest.track_id,
            ids.track_ids,
            entry.chart_date,
            min(entry.rank) as rank
        from latest
        inner join ids on ids.song_key = latest.song_key
        inner join chart_entry_songs as entry
            on entry.song_key = latest.song_key
            and entry.chart_id = ?
            and entry.chart_date between ? and ?
        group by all
        order by min(latest.latest_rank), entry.chart_date
        """,
        [chart_id, dates[-1], int(songs), chart_id, chart_id, dates[0], dates[-1]],
    ).fetchall()
    position = {day: i for i, day in enumerate(dates)}
    series: dict[str, tuple[str, list[int | None]]] = {}
    for song_key, name, artists, track_id, track_ids, day, rank in rows:
        if song_key not in series:
            label = _song_label(name, artists, track_id)
            if track_ids > 1:
                label += MULTI_ID_MARK
            series[song_key] = (label, [None] * len(dates))
        series[song_key][1][position[day]] = int(rank)
    return dates, list(series.values())


def query_multi_id_songs(con, chart_id: str, limit: int = MULTI_ID_SONGS) -> list[dict[str, Any]]:
    """The chart's songs that charted under more than one track id (``chart_song_ids``), the
    longest-running first."""
    cursor = con.execute(
        """
        select
            song_key, track_name, artist_names, weeks_on_chart, peak_rank, track_id_count,
            track_ids
        from chart_song_ids
        where chart_id = ? and has_several_track_ids
        order by coalesce(weeks_on_chart, days_on_chart) desc, peak_rank, song_key
        limit ?
        """,
        [chart_id, int(limit)],
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def query_described(con) -> dict[str, int]:
    """How many of the charted track ids the lake describes (``chart_entry_songs``), and how
    many entries those are, over every chart in the lake."""
    row = con.execute(
        """
        select
            count(distinct track_id),
            count(distinct case when is_described then track_id end),
            count(*),
            count_if(is_described),
            count(distinct song_key)
        from chart_entry_songs
        """
    ).fetchone()
    keys = ("track_ids", "described_ids", "entries", "described_entries", "songs")
    return dict(zip(keys, (int(v or 0) for v in row), strict=True))


def query_weeks_on_chart_leaders(con, chart_id: str, limit: int = LEADERS) -> list[dict[str, Any]]:
    """The songs with the most weeks on the chart, as the files count them (every week on the
    chart, before this lake's first file too), their best peak, and whether they are on the
    latest chart. Files without the count (the older format) count the weeks in the lake."""
    cursor = con.execute(
        """
        with latest as (
            select max(cast(chart_date as date)) as chart_date
            from fact_chart_entry
            where chart_id = ?
        ),
        songs as (
            select
                track_id,
                coalesce(max(weeks_on_chart), count(*)) as weeks,
                coalesce(min(peak_rank), min(rank)) as peak,
                max(cast(chart_date as date)) as last_date,
                arg_max(track_name, cast(chart_date as date)) as track_name,
                arg_max(artist_names, cast(chart_date as date)) as artist_names
            from fact_chart_entry
            where chart_id = ?
            group by track_id
        )
        select
            songs.track_id,
            songs.track_name,
            songs.artist_names,
            songs.weeks,
            songs.peak,
            songs.last_date,
            songs.last_date = latest.chart_date as on_latest
        from songs
        cross join latest
        order by songs.weeks desc, songs.peak, songs.track_id
        limit ?
        """,
        [chart_id, chart_id, int(limit)],
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def query_artist_share(
    con, chart_id: str, artists: int = SHARE_ARTISTS, weeks: int = SHARE_WEEKS
) -> tuple[list[date], list[tuple[str, list[float | None]]]]:
    """Per week, each leading artist's share of the chart's streams (``dim_chart``'s total).

    Artists are ``chart_artist_credits``': the Spotify artists (one id each, so "Tyler, The
    Creator" is one artist and two artists of one name are two) where the lake describes the
    track, the file's names split at ", " where it does not; every artist a song credits
    gets its streams (so shares of one week can add up to more than 100%). A name that
    stands for two artists gets the end of its id, a file name the mark ``(file)``.
    """
    dates = query_chart_dates(con, chart_id, weeks)
    if not dates:
        return [], []
    rows = con.execute(
        """
        with weekly as (
            select
                chart_date,
                coalesce(artist_id, '') as artist_id,
                artist_name,
                artist_source,
                sum(streams) as streams
            from chart_artist_credits
            where chart_id = ? and chart_date between ? and ?
            group by all
        ),
        leaders as (
            select artist_id, artist_name, artist_source
            from weekly
            group by all
            order by sum(streams) desc, artist_name, artist_source desc, artist_id
            limit ?
        ),
        totals as (
            select cast(chart_date as date) as chart_date, total_streams
            from dim_chart
            where chart_id = ?
        )
        select
            weekly.artist_id,
            weekly.artist_name,
            weekly.artist_source,
            weekly.chart_date,
            weekly.streams / totals.total_streams
        from weekly
        inner join leaders
            on weekly.artist_id = leaders.artist_id
            and weekly.artist_name = leaders.artist_name
            and weekly.artist_source = leaders.artist_source
        inner join totals on weekly.chart_date = totals.chart_date
        where totals.total_streams > 0
        """,
        [chart_id, dates[0], dates[-1], int(artists), chart_id],
    ).fetchall()
    position = {day: i for i, day in enumerate(dates)}
    totals: dict[tuple[str, str, str], float] = {}
    series: dict[tuple[str, str, str], list[float | None]] = {}
    for artist_id, name, source, day, share in rows:
        key = (name, source, artist_id)
        series.setdefault(key, [None] * len(dates))[position[day]] = float(share)
        totals[key] = totals.get(key, 0.0) + float(share)
    order = sorted(series, key=lambda k: (-totals[k], k))
    names = Counter(name for name, _, _ in order)
    return dates, [(_artist_label(key, names), series[key]) for key in order]


def _artist_label(key: tuple[str, str, str], names: Counter) -> str:
    name, source, artist_id = key
    if source == FILE_NAMES:
        return f"{name} (file)"
    return f"{name} (\u2026{artist_id[-4:]})" if names[name] > 1 else name


def query_chart_climbers(con, chart_id: str, limit: int = CLIMBERS) -> list[dict[str, Any]]:
    """The latest chart's biggest climbers: places gained since the previous chart."""
    cursor = con.execute(
        """
        select track_id, track_name, artist_names, previous_rank, rank
        from fact_chart_entry
        where chart_id = ?
            and cast(chart_date as date) = (
                select max(cast(chart_date as date)) from fact_chart_entry where chart_id = ?
            )
            and previous_rank > rank
        order by previous_rank - rank desc, rank
        limit ?
        """,
        [chart_id, chart_id, int(limit)],
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def query_latest_moves(con, chart_id: str) -> dict[str, Any]:
    """The latest chart's new entries, re-entries and exits (songs of the chart before it
    that are not on it), with the new entries and re-entries listed by rank."""
    dates = query_chart_dates(con, chart_id, 2)
    if not dates:
        return {"chart_date": None, "new": [], "reentries": [], "exits": 0}
    entries = con.execute(
        """
        select rank, track_id, track_name, artist_names, weeks_on_chart, peak_rank
        from fact_chart_entry
        where chart_id = ? and cast(chart_date as date) = ? and previous_rank is null
        order by rank
        """,
        [chart_id, dates[-1]],
    ).fetchall()
    columns = ("rank", "track_id", "track_name", "artist_names", "weeks_on_chart", "peak_rank")
    rows = [dict(zip(columns, row, strict=True)) for row in entries]
    exits = 0
    if len(dates) == 2:
        exits = con.execute(
            """
            select count(*)
            from fact_chart_entry as before
            where before.chart_id = ? and cast(before.chart_date as date) = ?
                and before.track_id not in (
                    select track_id from fact_chart_entry
                    where chart_id = ? and cast(chart_date as date) = ?
                )
            """,
            [chart_id, dates[0], chart_id, dates[-1]],
        ).fetchone()[0]
    return {
        "chart_date": dates[-1],
        "previous_date": dates[0] if len(dates) == 2 else None,
        # A re-entry: not on the previous chart, but on the chart before (the file's count).
        "new": [r for r in rows if (r["weeks_on_chart"] or 1) <= 1],
        "reentries": [r for r in rows if (r["weeks_on_chart"] or 1) > 1],
        "exits": int(exits),
    }


def _chart_name(chart_id: str) -> str:
    kind, region, period = [*chart_id.split("-"), "", "", ""][:3]
    top = {"regional": "Top 200", "viral": "Viral 50"}.get(kind, kind)
    where = "global" if region == "global" else region.upper()
    return f"{period} {top} {where}".strip()


def _charts_provenance(meta: Mapping[str, Any]) -> str:
    charts_meta = meta.get("charts") or {}
    parts = []
    generated = charts_meta.get("generated")
    if generated:
        parts.append(
            f"a <b>generated</b> history of {generated['weeks']} weekly Top 200 charts per "
            f"region ({html.escape(', '.join(generated['regions']))}, "
            f"{generated['first_chart_date']} to {generated['last_chart_date']}, seed "
            f"{generated['seed']}): <code>tools/demo/chart_history.py</code> writes them as "
            "charts.spotify.com CSV files, and the demo adds them to the drop zone like "
            "downloaded files"
        )
    real = [s for s in charts_meta.get("samples") or [] if s.get("status") in ("added", "already")]
    if real:
        listed = "; ".join(
            f"{html.escape(s.get('chart', ''))} {s.get('chart_date', '')} "
            f"({html.escape(s.get('format') or '')} format)"
            for s in real
        )
        parts.append(f"{len(real)} <b>real</b> chart file{'s' if len(real) != 1 else ''} "
                     f"from <code>../shared/spotify-charts/</code>: {listed}")  # fmt: skip
    if not parts:
        return "the chart files added to the lake's drop zone (<code>raw/charts/</code>)"
    return " and ".join(parts)


def _enrichment_html(described: Mapping[str, int], meta: Mapping[str, Any]) -> str:
    """How many chart tracks the lake describes, and what the enrichment did (demo.json)."""
    ids, done = described.get("track_ids", 0), described.get("described_ids", 0)
    text = (
        f"<p class='check' id='chart-described' data-described='{done}' data-track-ids='{ids}'>"
        f"Described: <b>{done:,} of {ids:,}</b> charted track ids "
        f"({described.get('described_entries', 0):,} of {described.get('entries', 0):,} "
        "chart entries) have a <code>dim_track</code> row, from the enrichment's track "
        "documents (<code>GET /tracks/{id}</code>) or a playlist: their artists below are "
        "Spotify artists with ids; the others' are the names in the chart files."
    )
    enrichment = meta.get("enrichment") or {}
    if enrichment:
        failed = enrichment.get("failed_by_reason") or {}
        text += (
            f" The enrichment: {enrichment.get('queued', 0):,} ids queued from the chart job's "
            f"work list, {enrichment.get('landed', 0):,} track documents landed in "
            f"{enrichment.get('runs', 0)} run{'s' if enrichment.get('runs') != 1 else ''} "
            f"({enrichment.get('without_isrc', 0):,} without an ISRC)"
        )
        if failed:
            text += "; not landed, by reason: " + ", ".join(
                f"<code>{html.escape(r)}</code> {n:,}" for r, n in failed.items()
            )
            removed = len(enrichment.get("removed_on_purpose") or [])
            unknown = enrichment.get("unknown_to_fake") or 0
            if removed or unknown:
                text += (
                    f" ({removed} removed from the fake's catalogue on purpose"
                    + (
                        f", {unknown:,} real sample tracks the fake does not know"
                        if unknown
                        else ""
                    )
                    + "; the local file and the malformed line were queued on purpose too)"
                )
        text += "."
    return text + "</p>"


def _multi_id_html(songs: list[dict[str, Any]], described: Mapping[str, int]) -> str:
    """The songs of the focus chart that charted under more than one track id."""
    if not songs:
        return (
            "<p class='check' id='chart-multi-id-none'>No song of this chart charted under more "
            "than one track id"
            + (" among the described tracks" if described.get("described_ids") else "")
            + ": every song here is one track id (<code>chart_song_ids</code>).</p>"
        )
    rows = "".join(
        f"<tr data-song='{html.escape(r['song_key'])}'>"
        f"<td>{html.escape(r['track_name'] or '')}</td>"
        f"<td>{html.escape(r['artist_names'] or '')}</td>"
        f"<td class='num'>{r['weeks_on_chart'] if r['weeks_on_chart'] is not None else ''}</td>"
        f"<td class='num'>{r['peak_rank']}</td><td class='num'>{r['track_id_count']}</td>"
        f"<td><code>{html.escape(r['track_ids'])}</code></td></tr>"
        for r in songs
    )
    return f"""
    <table id="chart-multi-id-songs"><caption>Songs that charted under more than one track id
    (counted as one song: <code>song_key</code>; marked {MULTI_ID_MARK.strip()} in the bump
    chart)</caption>
    <tr><th>song</th><th>artists (as the file names them)</th><th>weeks</th><th>peak</th>
    <th>ids</th><th>track ids, first charted first</th></tr>{rows}</table>"""


def _chart_overview_html(
    overview: list[dict[str, Any]],
    chart_id: str | None,
    moves: Mapping[str, Any],
    meta: Mapping[str, Any],
    described: Mapping[str, int] | None = None,
    multi_id: list[dict[str, Any]] | None = None,
) -> str:
    if not overview or chart_id is None:
        return """
<section id="spotify-charts">
  <h2>Spotify Charts: the weekly top songs</h2>
  <p class="explain">No chart files in this lake yet. Add downloaded chart files with
  <code>make charts-add FILES="..." DROP=&lt;lake&gt;/raw/charts</code> and run the demo
  again (docs/charts.md).</p>
</section>"""
    focus = next(row for row in overview if row["chart_id"] == chart_id)
    tiles = [
        (f"{len(overview):,}", "charts" if len(overview) != 1 else "chart"),
        (f"{sum(r['dates'] for r in overview):,}", "chart files (chart, date)"),
        (f"{sum(r['entries'] or 0 for r in overview):,}", "chart entries"),
        (f"{len(moves['new']):,}", "new entries this week"),
        (f"{len(moves['reentries']):,}", "re-entries this week"),
        (f"{moves['exits']:,}", "exits this week"),
    ]
    described = described or {}
    if described:
        tiles.append(
            (
                f"{described.get('described_ids', 0):,} / {described.get('track_ids', 0):,}",
                "chart tracks described",
            )
        )
    kpis = "".join(f"<div class='kpi'><b>{v}</b><span>{k}</span></div>" for v, k in tiles)
    charts_rows = "".join(
        f"<tr><td><code>{html.escape(r['chart_id'])}</code></td>"
        f"<td class='num'>{r['dates']:,}</td><td>{r['first_date']}</td><td>{r['last_date']}</td>"
        f"<td class='num'>{r['entries'] or 0:,}</td>"
        f"<td class='num'>{_number(r['streams'])}</td></tr>"
        for r in overview
    )
    moved = "".join(
        f"<tr class='{kind}'><td class='num'>{r['rank']}</td><td>{kind_label}</td>"
        f"<td>{html.escape(r['track_name'] or '')}</td>"
        f"<td>{html.escape(r['artist_names'] or '')}</td>"
        f"<td class='num'>{r['weeks_on_chart'] if r['weeks_on_chart'] is not None else ''}</td></tr>"
        for kind, kind_label in (("new", "new"), ("reentries", "re-entry"))
        for r in moves[kind]
    )
    run = (meta.get("charts") or {}).get("run") or {}
    run_line = ""
    if run:
        rows_written = (run.get("rows_written") or {}).get("fact_chart_entry")
        run_line = (
            f"<p class='check'>Chart job: {run.get('files_read', 0) or 0:,} files read, "
            f"{run.get('files_quarantined', 0) or 0:,} quarantined"
            + (f", {rows_written:,} chart entries written" if rows_written is not None else "")
            + ".</p>"
        )
    rejected = (meta.get("charts") or {}).get("rejected") or []
    rejected_line = ""
    if rejected:
        rejected_line = "<p class='note'>Refused by the drop zone: " + "; ".join(
            f"<code>{html.escape(r['file'])}</code> ({html.escape(r['why'])})" for r in rejected
        ) + "</p>"  # fmt: skip
    return f"""
<section id="spotify-charts" data-chart="{html.escape(chart_id)}"
  data-latest="{moves["chart_date"]}">
  <h2>Spotify Charts: the weekly top songs</h2>
  <p class="explain">From {_charts_provenance(meta)}. The chart job reads the drop zone into
  <code>fact_chart_entry</code> and <code>dim_chart</code>; the figures below follow the
  {html.escape(_chart_name(chart_id))} chart (<code>{html.escape(chart_id)}</code>), latest
  chart {focus["last_date"]}, computed here with DuckDB over those two tables.</p>
  {rejected_line}
  <div class="kpis">{kpis}</div>
  <div class="tables">
    <table id="charts-in-lake"><caption>Charts in the lake</caption>
    <tr><th>chart</th><th>dates</th><th>first</th><th>latest</th><th>entries</th>
    <th>streams</th></tr>{charts_rows}</table>
    <table id="chart-latest-moves"><caption>New entries and re-entries of the latest chart
    ({moves["chart_date"]})</caption>
    <tr><th>rank</th><th></th><th>song</th><th>artists (as the file names them)</th>
    <th>weeks on chart</th></tr>{moved}</table>
    {_multi_id_html(multi_id or [], described)}
  </div>
  {run_line}
  {_enrichment_html(described, meta) if described else ""}
</section>"""


def _chart_sections(con, meta: Mapping[str, Any]) -> tuple[str, list[Section]]:
    """The charts overview (HTML) and the four chart figures' sections."""
    overview = query_chart_overview(con)
    chart_id = focus_chart(overview)
    described: dict[str, int] = {}
    multi_id: list[dict[str, Any]] = []
    if chart_id is None:
        moves: dict[str, Any] = {"chart_date": None, "new": [], "reentries": [], "exits": 0}
        weeks, bump, leaders, share_weeks, share, climbers = [], [], [], [], [], []
    else:
        described = query_described(con)
        multi_id = query_multi_id_songs(con, chart_id)
        moves = query_latest_moves(con, chart_id)
        weeks, bump = query_chart_bump(con, chart_id)
        leaders = query_weeks_on_chart_leaders(con, chart_id)
        share_weeks, share = query_artist_share(con, chart_id)
        climbers = query_chart_climbers(con, chart_id)
    name = _chart_name(chart_id) if chart_id else "chart"
    max_rank = 50 if chart_id and chart_id.startswith("viral") else 200
    sections = [
        Section(
            chart=charts.chart_bump("chart-bump", weeks, bump, max_rank),
            title=f"Charts: this week's top {BUMP_SONGS} over the last {len(weeks) or BUMP_WEEKS} weeks",
            explain=(
                f"The songs in the top {BUMP_SONGS} of the latest {html.escape(name)} chart and "
                "their rank each week before (a gap: not on the chart that week). Ranks on a "
                "log scale: the top of the chart gets the room, the whole chart still fits. "
                "A song is followed across the track ids it charted under "
                f"(<code>song_key</code>); {MULTI_ID_MARK.strip()} marks one that charted "
                "under more than one."
            ),
            attributes={"data-weeks": str(len(weeks)), "data-songs": str(len(bump))},
        ),
        Section(
            chart=charts.weeks_on_chart_leaders(
                "chart-weeks-on-chart",
                [
                    (_row_song(r), int(r["weeks"]), int(r["peak"]), bool(r["on_latest"]))
                    for r in leaders
                ],
            ),
            title="Charts: the longest-running songs",
            explain=(
                f"Weeks on the {html.escape(name)} chart as the chart files count them "
                "(<code>weeks_on_chart</code>: every week on the chart, not only consecutive "
                "ones, and weeks before this lake's first file), with each song's peak. Green: "
                "still on the latest chart."
            ),
            extra_html=_leaders_table(leaders),
        ),
        Section(
            chart=charts.artist_share("chart-artist-share", share_weeks, share),
            title="Charts: artists' share of the chart's streams",
            explain=(
                f"Each week, the streams of the songs crediting an artist as a share of all "
                f"streams of the {html.escape(name)} chart (<code>dim_chart.total_streams</code>),"
                f" for the {SHARE_ARTISTS} artists with the most streams over the last "
                f"{len(share_weeks) or SHARE_WEEKS} weeks. A song with several artists counts "
                "for each of them."
            ),
            note=(
                "Artists here are <b>Spotify artists</b> (<code>chart_artist_credits</code>): "
                "for a described track, the artists <code>GET /tracks/{id}</code> credits, one "
                "id each, so a name with a comma in it (&ldquo;Tyler, The Creator&rdquo;) stays "
                "one artist and two artists of one name stay two. For a track the lake does not "
                "describe (not enriched, or removed from the catalogue) they are the names in "
                "the chart file, split at &ldquo;, &rdquo; and marked <i>(file)</i>."
            ),
            attributes={"data-artist-source": "web-api, file-names"},
        ),
        Section(
            chart=charts.chart_climbers(
                "chart-climbers",
                [(_row_song(r), int(r["previous_rank"]), int(r["rank"])) for r in climbers],
            ),
            title="Charts: the biggest climbers of the latest week",
            explain=(
                f"Songs of the latest {html.escape(name)} chart ({moves['chart_date']}) by places "
                f"gained since the chart of {moves.get('previous_date')} "
                "(<code>previous_rank</code> &minus; <code>rank</code>); new entries and "
                "re-entries have no previous rank and are listed above."
            ),
        ),
    ]
    overview_html = _chart_overview_html(overview, chart_id, moves, meta, described, multi_id)
    return overview_html, sections


def _leaders_table(leaders: list[dict[str, Any]]) -> str:
    if not leaders:
        return ""
    rows = "".join(
        f"<tr data-track='{html.escape(r['track_id'])}'><td class='num'>{n}</td>"
        f"<td>{html.escape(r['track_name'] or '')}</td>"
        f"<td>{html.escape(r['artist_names'] or '')}</td>"
        f"<td class='num'>{int(r['weeks']):,}</td><td class='num'>{int(r['peak'])}</td>"
        f"<td>{r['last_date']}</td></tr>"
        for n, r in enumerate(leaders, start=1)
    )
    return f"""
<table class="wide" id="chart-leaders-table"><caption>Weeks on chart leaders</caption>
<tr><th></th><th>song</th><th>artists (as the file names them)</th><th>weeks on chart</th>
<th>peak</th><th>last on the chart</th></tr>{rows}</table>"""


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------

_STYLE = """
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #e5e8eb; --accent: #1db954; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { margin: 0 0 4px; font-size: 28px; }
header p { margin: 0; color: var(--muted); }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: 12px; margin: 22px 0 8px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.kpi b { display: block; font-size: 24px; }
.kpi span { color: var(--muted); font-size: 13px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 12px;
  padding: 18px 22px; margin: 18px 0; }
section h2 { margin: 0 0 4px; font-size: 20px; }
.explain { margin: 0 0 10px; color: var(--muted); max-width: 900px; }
.note { margin: 8px 0 12px; padding: 10px 14px; background: #fff8e6;
  border-left: 4px solid #e69f00; border-radius: 4px; }
figure.chart { margin: 0; }
figure.chart svg { display: block; height: auto; max-width: 100%; }
.tables { display: flex; flex-wrap: wrap; gap: 24px; margin-top: 14px; }
table { border-collapse: collapse; font-size: 13.5px; margin-top: 12px; }
table.wide { width: 100%; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.injected td { color: #b24500; }
tr.failed td { color: #b00020; font-weight: 600; }
.check { color: var(--muted); }
footer { color: var(--muted); font-size: 13px; margin-top: 24px; }
code { font-size: 12.5px; background: #f1f3f5; padding: 0 4px; border-radius: 3px; }
"""


def _kpis(overview: Mapping[str, Any], table_rows: Mapping[str, int]) -> str:
    tiles = [
        (f"{overview['snapshots']:,}", "playlist snapshots"),
        (f"{overview['playlists']:,}", "playlists"),
        (f"{overview['weeks']:,}", "weeks" if overview["weeks"] != 1 else "week"),
        (f"{table_rows['fact_playlist_item']:,}", "playlist entries (fact rows)"),
        (f"{overview['tracks']:,}", "distinct songs"),
        (f"{overview['artists']:,}", "artists"),
        (f"{overview['albums']:,}", "albums"),
    ]
    return "".join(
        f"<div class='kpi'><b>{value}</b><span>{label}</span></div>" for value, label in tiles
    )


def _section_html(section: Section) -> str:
    attributes = "".join(
        f' {name}="{html.escape(value)}"' for name, value in section.attributes.items()
    )
    chart = section.chart
    anchor = chart.chart_id.removeprefix("chart-")
    return f"""
<section id="{anchor}">
  <h2>{html.escape(section.title)}</h2>
  <p class="explain">{section.explain}</p>
  {f'<p class="note">{section.note}</p>' if section.note else ""}
  <figure class="chart" id="{chart.chart_id}" data-points="{chart.points}"{attributes}>
{chart.svg}
  </figure>{section.extra_html}
</section>"""


def render_report(
    con, lake: Path, *, meta: Mapping[str, Any] | None = None, now: datetime | None = None
) -> str:
    """The whole page as a string, from a :func:`tools.query.connect` connection."""
    meta = dict(meta if meta is not None else read_demo_meta(lake))
    runs = read_run_summaries(lake / "curated")
    table_rows = query_table_rows(con)
    overview = query_overview(con)
    sections = [
        _top_artists_section(con),
        _trajectories_section(con),
        _new_entries_section(con),
        _popularity_section(con),
    ]
    charts_overview, chart_sections = _chart_sections(con, meta)
    quality = _quality_section(lake, runs, meta, table_rows)
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    period = (
        f"{overview['first_date']} to {overview['last_date']}"
        if overview["first_date"] != overview["last_date"]
        else f"{overview['last_date']}"
    )
    source = html.escape(meta.get("source") or "curated lake")
    # The charts first: the weekly top songs are what the product is for.
    body = (
        charts_overview
        + "".join(_section_html(s) for s in chart_sections)
        + "".join(_section_html(s) for s in [*sections, quality])
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spotify trends lakehouse: demo report</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<header>
  <h1>Spotify trends lakehouse</h1>
  <p>{source} &middot; snapshots {period} &middot; generated {generated}</p>
</header>
<div class="kpis">{_kpis(overview, table_rows)}</div>
{body}
<footer>Built by <code>make demo</code>: extractor &rarr; raw snapshots &rarr; Glue job
(PySpark, local bookmark) &rarr; curated Parquet &rarr; Athena views on DuckDB &rarr; this page.
Lake: <code>{html.escape(str(lake))}</code>. Self-contained: no scripts, fonts or images to
fetch.</footer>
</main>
</body>
</html>
"""


def write_report(con, lake: Path, out: Path | None = None, **kwargs: Any) -> Path:
    """Render the report and write it to `out` (default ``<lake>/report.html``)."""
    out = out or lake / "report.html"
    text = render_report(con, lake, **kwargs)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(out)  # a reader never sees half a report
    return out


def chart_points(page: str) -> dict[str, int]:
    """``{chart id: data-points}`` of a report page (for the summary and the tests)."""
    found = re.findall(r'<figure class="chart" id="([\w-]+)" data-points="(\d+)"', page)
    return {chart_id: int(points) for chart_id, points in found}
