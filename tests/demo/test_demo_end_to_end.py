"""The whole demo at a small size, checked against the raw files it landed, and its report
as headless Chromium renders it.

Every expectation is computed here from the fake's catalogue or from the raw documents
(decoded with gzip and json, not with the job's code), never copied from the demo's
own output. The browser test lives in this module too: `make test` spreads test files over
xdist workers, and the demo run they share is a session fixture, built once per worker.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from itertools import pairwise

import duckdb
import numpy as np
import pytest
from PIL import Image

from glue_jobs import quality as Q
from tests.demo.conftest import (
    SMALL_LAST_WEEK,
    SMALL_PLAYLISTS,
    SMALL_SEED,
    SMALL_WEEKS,
    raw_documents,
)
from tests.demo.test_demo_charts import FOCUS, _charted, _global, _Page
from tests.demo.test_report_quality import _parse
from tests.oracle import FACT_KINDS, entry_kind
from tools.demo import report
from tools.demo.chart_history import HistorySpec, generate_history
from tools.fake_spotify import Catalogue
from tools.query import connect

pytestmark = [pytest.mark.spark, pytest.mark.slow]

DEPTH = report.CHART_DEPTH


def _catalogue() -> Catalogue:
    first = SMALL_LAST_WEEK - timedelta(weeks=SMALL_WEEKS - 1)
    return Catalogue(
        seed=SMALL_SEED,
        playlists=SMALL_PLAYLISTS,
        weeks=SMALL_WEEKS,
        editorial=1,
        not_owned=1,
        start_date=first,
    )


def _entries(document: dict) -> list[dict]:
    playlist = document["playlist"]
    container = playlist["items"] if document["api_shape"] == "items" else playlist["tracks"]
    return container["items"]


def _payload(entry: dict) -> dict | None:
    return entry["item"] if entry.get("item") is not None else entry.get("track")


def _fact_entries(document: dict) -> list[tuple[int, dict, dict]]:
    """(position, entry, payload) of the entries the contract turns into fact rows."""
    rows = []
    for position, entry in enumerate(_entries(document), start=1):
        payload = _payload(entry)
        if payload is None:
            continue  # null_item
        if not entry.get("is_local") and payload.get("type") == "track" and not payload.get("id"):
            continue  # missing_id
        rows.append((position, entry, payload))
    return rows


def _track_id(entry: dict, payload: dict) -> str | None:
    if entry.get("is_local") or payload.get("type") != "track":
        return None
    return payload["id"]


@pytest.fixture(scope="module")
def documents(small_demo) -> list[dict]:
    return raw_documents(small_demo.result.raw)


@pytest.fixture(scope="module")
def curated_fact(small_demo) -> list[tuple]:
    """Fact rows read straight from the Parquet files (not through tools.query)."""
    pattern = str(small_demo.result.curated / "fact_playlist_item" / "**" / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(
            "select playlist_id, cast(snapshot_date as varchar), position "
            f"from read_parquet('{pattern}', hive_partitioning = true)"
        ).fetchall()


def test_landed_snapshots_are_the_readable_playlists_every_week(small_demo, documents):
    catalogue = _catalogue()
    result = small_demo.result
    # The fake's development mode: editorial playlists 404, not-owned ones 403 on /items.
    assert result.requested == (SMALL_PLAYLISTS + 2) * SMALL_WEEKS
    assert result.landed == SMALL_PLAYLISTS * SMALL_WEEKS
    failed = Counter((f["playlist_id"], f["reason"]) for f in result.failed)
    assert failed == {
        (catalogue.editorial_ids[0], "not_found"): SMALL_WEEKS,
        (catalogue.not_owned_ids[0], "forbidden"): SMALL_WEEKS,
    }
    # One landed document per user playlist per week, stamped on that week's Monday.
    mondays = {(SMALL_LAST_WEEK - timedelta(weeks=w)).isoformat() for w in range(SMALL_WEEKS)}
    keys = Counter((d["playlist_id"], d["snapshot_date"]) for d in documents)
    assert set(keys) == {(p, day) for p in catalogue.user_playlist_ids for day in mondays}
    assert set(keys.values()) == {1}
    for document in documents:
        assert document["extracted_at"].startswith(document["snapshot_date"] + "T06:00:")
        assert f"snapshot_date={document['snapshot_date']}" in document["_path"]
        assert document["api_shape"] == "items"
        assert len(_entries(document)) == document["playlist"]["items"]["total"]


def test_fact_rows_match_the_raw_entries(documents, curated_fact):
    expected = Counter()
    for document in documents:
        for position, _, _ in _fact_entries(document):
            expected[(document["playlist_id"], document["snapshot_date"], position)] += 1
    assert sum(expected.values()) > 0
    assert Counter(curated_fact) == expected


def test_the_injected_corrupt_file_is_quarantined_and_everything_is_accounted(small_demo):
    result = small_demo.result
    assert [f["reason"] for f in result.injected_faults] == ["corrupt_gzip"]
    totals = report.aggregate_runs(result.runs)
    assert totals["runs"] == SMALL_WEEKS
    # The snapshots landed, the injected file, and the enrichment's track documents (read
    # by the first run; none is bad).
    documents = totals["track_documents"]
    assert documents["files_read"] == result.enrichment["landed"] > 0
    assert documents["files_quarantined"] == 0
    assert (
        documents["observations_kept"] + documents["observations_outvoted"]
        == (documents["documents_read"])
    )
    assert totals["files_read"] == result.landed + 1 + result.enrichment["landed"]
    assert totals["files_quarantined"] == 1
    files = {reason: n for reason, n in totals["rejections"]["files"].items() if n}
    assert files == {"corrupt_gzip": 1}
    quarantined = report.read_quarantine(result.curated)
    assert len(quarantined) == 1
    assert "playlist_id=injectedfault/" in quarantined[0]["path"]
    assert quarantined[0]["reason"] == "corrupt_gzip"


def test_rejections_count_the_awkward_entries_of_the_catalogue(small_demo, documents):
    # Every landed entry through the contract's oracle (tests/oracle.py, independent of the
    # job): each kind's count must be the job's, rejections and rows alike. Playlist 0 of
    # every catalogue carries a null item, local files and episodes.
    kinds = Counter(entry_kind(entry) for document in documents for entry in _entries(document))
    assert kinds["null_item"] and kinds["local_file"] and kinds["episode"] and kinds["track"]
    totals = report.aggregate_runs(small_demo.result.runs)
    assert totals["entries_read"] == sum(kinds.values())
    assert totals["rows_written"]["fact_playlist_item"] == sum(kinds[k] for k in FACT_KINDS)
    # One document per playlist and day here, so nothing is superseded.
    assert dict(totals["rejections"]["fact_playlist_item"]) == {
        "superseded_snapshot": 0,
        "malformed_entry": kinds["malformed_entry"],
        "null_item": kinds["null_item"],
        "unsupported_type": kinds["unsupported_type"],
        "missing_id": kinds["missing_id"],
    }
    dim_track = totals["rejections"]["dim_track"]
    assert dim_track["local_file"] == kinds["local_file"]
    assert dim_track["episode"] == kinds["episode"]
    assert dim_track["missing_id"] == kinds["missing_id"]
    assert dim_track["unsupported_type"] == kinds["unsupported_type"]
    # The fake's catalogue is Spotify-shaped: nothing in it is unreadable.
    assert +totals["unreadable_values"] == Counter()


def _expected_chart(documents: list[dict]) -> tuple[list[str], dict[str, dict[str, int]]]:
    """The combined chart recomputed from the raw documents: top songs and weekly ranks."""
    points: dict[str, Counter[str]] = defaultdict(Counter)
    for document in documents:
        for position, entry, payload in _fact_entries(document):
            track_id = _track_id(entry, payload)
            if track_id and position <= DEPTH:
                points[document["snapshot_date"]][track_id] += DEPTH + 1 - position
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    overall: Counter[str] = Counter()
    for week, scores in points.items():
        ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        for rank, (track_id, score) in enumerate(ordered, start=1):
            ranks[track_id][week] = rank
            overall[track_id] += score
    top = sorted(overall, key=lambda t: (-overall[t], t))[: report.TOP_SONGS]
    return top, ranks


def test_report_charts_agree_with_the_raw_documents(small_demo, documents):
    result = small_demo.result
    page = result.report.read_text(encoding="utf-8")
    points = report.chart_points(page)
    assert set(points) == set(report.CHART_IDS)
    for chart_id, n in points.items():
        assert n > 0, f"{chart_id} drew no data"
        assert len(re.findall(rf'id="{chart_id}-pt-\d+"', page)) == n, chart_id

    # Rank trajectories: one mark per (top song, week in the top DEPTH).
    top, ranks = _expected_chart(documents)
    expected_marks = sum(1 for t in top for rank in ranks[t].values() if rank <= DEPTH)
    assert points["chart-rank-trajectories"] == expected_marks

    # New entries: two bars (entries, exits) per week after the first.
    by_playlist: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for document in documents:
        uris = {payload["uri"] for _, _, payload in _fact_entries(document)}
        by_playlist[document["playlist_id"]][document["snapshot_date"]] = uris
    moves: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for snapshots in by_playlist.values():
        days = sorted(snapshots)
        for before, after in pairwise(days):
            moves[after][0] += len(snapshots[after] - snapshots[before])
            moves[after][1] += len(snapshots[before] - snapshots[after])
    assert points["chart-new-entries"] == 2 * (SMALL_WEEKS - 1)

    con = connect(result.curated)
    try:
        assert [(d.isoformat(), n, x) for d, n, x in report.query_new_entries(con)] == sorted(
            (day, n, x) for day, (n, x) in moves.items()
        )
        # Top artists: entries crediting each artist on every playlist's latest snapshot.
        latest = {}
        for document in documents:
            current = latest.get(document["playlist_id"])
            if current is None or document["snapshot_date"] > current["snapshot_date"]:
                latest[document["playlist_id"]] = document
        entries: Counter[tuple[str, str]] = Counter()
        playlists: dict[tuple[str, str], set[str]] = defaultdict(set)
        for document in latest.values():
            for _, entry, payload in _fact_entries(document):
                if _track_id(entry, payload):
                    for artist in {(a["id"], a["name"]) for a in payload["artists"]}:
                        entries[artist] += 1
                        playlists[artist].add(document["playlist_id"])
        expected_artists = sorted(
            ((name, n, len(playlists[(aid, name)])) for (aid, name), n in entries.items()),
            key=lambda row: (-row[1], -row[2], row[0]),
        )[: report.TOP_ARTISTS]
        assert report.query_top_artists(con) == expected_artists
    finally:
        con.close()
    assert points["chart-top-artists"] == len(expected_artists)
    artists_section = page[page.index('id="chart-top-artists"') : page.index('id="rank-')]
    for name, _, _ in expected_artists:
        if len(name) <= 32:
            assert html.escape(name, quote=False) in artists_section

    # Development mode: no popularity anywhere, and the report says so.
    assert 'data-popularity="unavailable"' in page
    assert "Popularity unavailable: development-mode API" in page


def test_report_is_self_contained(small_demo):
    page = small_demo.result.report.read_text(encoding="utf-8")
    assert page.count("<svg") == len(report.CHART_IDS)
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert "@import" not in page
    # url(#id) references inside the SVGs (clip paths) are fine; nothing else may be a url().
    assert re.findall(r"url\((?!#)", page) == []
    # Only XML namespace names may look like URLs; nothing is fetched from them.
    fetched = re.findall(r'(?:src|href)="(?!#)([^"]+)"', page)
    assert fetched == []


def test_progress_and_summary_lines(small_demo):
    output = small_demo.output
    result = small_demo.result
    for week in range(1, SMALL_WEEKS + 1):
        assert re.search(rf"^\[ *[\d.]+s\] week {week}/{SMALL_WEEKS} ", output, re.M)
    assert output.count(f"extract {SMALL_PLAYLISTS}/{SMALL_PLAYLISTS + 2} landed") == SMALL_WEEKS
    assert "+ 1 injected corrupt file" in output
    expected = f"snapshots landed  {result.landed} of {result.requested} requested"
    assert expected in output
    for table, rows in result.table_rows.items():
        assert re.search(rf"^    {table} +{rows:,}$", output, re.M), table
    assert re.search(r"^    corrupt_gzip +1  \(injected on purpose\)$", output, re.M)
    assert f"report            {result.report}" in output
    assert re.search(
        r"^  total time +.+? \(spark .*extract .*glue .*analytics .*report ", output, re.M
    )
    # Rows per table in the summary are the rows in the lake.
    pattern = str(result.curated / "{}" / "**" / "*.parquet")
    with duckdb.connect() as con:
        for table, rows in result.table_rows.items():
            count = con.execute(
                f"select count(*) from read_parquet('{pattern.format(table)}')"
            ).fetchone()[0]
            assert count == rows, table


def test_report_only_rebuilds_the_same_charts_from_the_lake(small_demo, capsys):
    from tools.demo.__main__ import main

    report_path = small_demo.result.report
    before = report.chart_points(report_path.read_text(encoding="utf-8"))
    report_path.unlink()
    assert main(["--dir", str(small_demo.result.lake), "--report-only"]) == 0
    assert report.chart_points(report_path.read_text(encoding="utf-8")) == before
    assert "report: " in capsys.readouterr().out


# ---------------------------------------------------------------------------------------
# The report in a browser: headless Chromium screenshots it and dumps its rendered DOM
# ---------------------------------------------------------------------------------------

ACCENT = (0x1D, 0xB9, 0x54)  # the bars' colour (tools.demo.charts.ACCENT)


# HTML elements that never have an end tag: they must not be pushed on the element stack.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _DomCharts(HTMLParser):
    """Collects, per chart figure, its data-points and the ids of elements inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict] = {}
        self._open: list[str | None] = []  # the chart each open element belongs to

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attributes = dict(attrs)
        current = self._open[-1] if self._open else None
        if tag == "figure" and "chart" in (attributes.get("class") or "").split():
            current = attributes["id"]
            self.figures[current] = {
                "points": int(attributes["data-points"]),
                "ids": [],
                "svg": 0,
            }
        elif current is not None:
            if tag == "svg":
                self.figures[current]["svg"] += 1
            if attributes.get("id"):
                self.figures[current]["ids"].append(attributes["id"])
        self._open.append(current)

    def handle_startendtag(self, tag, attrs):
        if tag not in _VOID:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in _VOID and self._open:
            self._open.pop()


def test_chromium_renders_the_report_with_its_charts(small_demo, chromium, tmp_path):
    page = small_demo.result.report.as_uri()
    shot = tmp_path / "report.png"
    # Tall enough to reach the playlist charts' green bars below the charts section (which
    # grew with the enrichment's lines and the table of songs under several ids).
    chromium.run(tmp_path / "profile-shot", "--window-size=1280,3600", f"--screenshot={shot}", page)
    dom = chromium.run(tmp_path / "profile-dom", "--dump-dom", page)

    # The screenshot: a page with content, not a blank or an error page.
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    assert pixels.shape == (3600, 1280, 3)
    flat = pixels.reshape(-1, 3)
    colours = len(np.unique(flat, axis=0))
    inked = float((flat.sum(axis=1) < 3 * 235).mean())
    green = int((np.abs(flat - np.array(ACCENT)).max(axis=1) <= 12).sum())
    assert colours > 200, f"only {colours} distinct colours: blank page?"
    assert inked > 0.05, f"only {inked:.1%} of the page is drawn on"
    assert green > 5_000, f"only {green} pixels of the bars' green: charts not drawn?"

    # The rendered DOM: every chart is an SVG with its data marks.
    parser = _DomCharts()
    parser.feed(dom)
    assert set(parser.figures) == set(report.CHART_IDS)
    for chart_id, figure in parser.figures.items():
        assert figure["svg"] == 1, chart_id
        marks = [i for i in figure["ids"] if i.startswith(f"{chart_id}-pt-")]
        assert figure["points"] > 0, f"{chart_id} has no data"
        assert len(marks) == figure["points"], chart_id


# ---------------------------------------------------------------------------------------
# The enrichment end to end (here, not in test_demo_charts.py: xdist keeps a file's tests
# on one worker, and the session's small demo is then built once, not on two workers)
# ---------------------------------------------------------------------------------------


@pytest.mark.spark
@pytest.mark.slow
def test_the_demo_enriches_its_chart_tracks_and_the_lake_describes_them(small_demo):
    import duckdb

    from tests.demo.conftest import (
        SMALL_CHART_REGIONS,
        SMALL_CHART_WEEKS,
        SMALL_LAST_WEEK,
        SMALL_SEED,
    )
    from tools.demo.chart_history import chart_thursday

    history = generate_history(
        HistorySpec(
            last_chart_date=chart_thursday(SMALL_LAST_WEEK),
            weeks=SMALL_CHART_WEEKS,
            regions=SMALL_CHART_REGIONS,
            seed=SMALL_SEED,
        )
    )
    lake = small_demo.result.lake
    charted = {history.songs[s].track_id for s in _charted(history)}
    latest = _global(history)[-1]
    removed = {history.songs[latest.rows[rank - 1].song].track_id for rank in (7, 60, 150)}
    meta = small_demo.result.enrichment
    assert meta["queued"] == len(charted)  # no real samples in the small demo
    assert meta["landed"] == len(charted) - 3
    assert meta["failed_by_reason"] == {"invalid_id": 1, "local_file": 1, "not_found": 3}
    assert sorted(meta["removed_on_purpose"]) == sorted(removed)
    # The playlist job read every document: the charted tracks but the removed ones have a
    # dim_track row, whose artists are the chart's, one by one.
    curated = lake / "curated"
    with duckdb.connect() as db:
        described = {
            r[0]
            for r in db.execute(
                f"select distinct track_id from read_parquet('{curated}/dim_track/**/*.parquet')"
            ).fetchall()
        }
    assert charted & described == charted - removed
    with connect(curated) as con:
        assert report.query_described(con)["described_ids"] == len(charted) - 3
        sources = dict(
            con.execute(
                "select artist_source, count(distinct track_id) from chart_artist_credits "
                "group by all"
            ).fetchall()
        )
    assert sources == {"web_api": len(charted) - 3, "chart_file_names": 3}
    # The history's re-releases: each one song under its two ids, in the view and the report.
    pairs = {
        frozenset((history.songs[s.rerelease_of].track_id, s.track_id))
        for s in history.songs
        if s.rerelease_of is not None
    }
    assert len(pairs) == 3
    with connect(curated) as con:
        several = con.execute(
            "select track_ids, track_id_count from chart_song_ids "
            "where chart_id = ? and has_several_track_ids",
            [FOCUS],
        ).fetchall()
    assert {frozenset(ids.split(", ")) for ids, _ in several} == pairs
    assert {count for _, count in several} == {2}
    # The summary says it, and the report too.
    assert "  enrichment        " in small_demo.output
    assert "not_found 3 (3 removed on purpose)" in small_demo.output
    page = small_demo.result.report.read_text(encoding="utf-8")
    assert f"data-described='{len(charted) - 3}' data-track-ids='{len(charted)}'" in page
    parser = _Page()
    parser.feed(page)
    rows = [r for r in parser.tables["chart-multi-id-songs"] if r]
    assert {frozenset(r[5].split(", ")) for r in rows} == pairs


def test_the_demo_report_shows_every_rule_its_runs_checked(small_demo):
    page = small_demo.result.report.read_text(encoding="utf-8")
    rows = _parse(page)
    runs = report.read_run_summaries(small_demo.result.curated)
    written = [r for r in runs if r["status"] == "ok"]
    assert written and all(r["data_quality"]["rules_checked"] == len(Q.RULES) for r in written)
    assert list(rows.rows) == [rule.name for rule in Q.RULES]
    # The demo's data honours every rule (its one bad file is quarantined, not published).
    assert set(rows.classes.values()) == {"passed"}
    for cells in rows.rows.values():
        assert cells[4] == "passed" and cells[5] == f"0 of {len(written)}"
    match = re.search(r'id="quality-rules" data-rules="(\d+)" data-failures="(\d+)"', page)
    assert match and match.groups() == (str(len(Q.RULES)), "0")
    # The table sits in the data-quality section, which renders as before.
    section = page[page.index('<section id="data-quality">') :]
    assert 'id="quality-rules"' in section.split("</section>")[0]
