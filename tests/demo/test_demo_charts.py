"""The demo's charts stage and the report's charts section.

- The report's chart figures, on a lake holding a generated history as the chart job lays it
  out (Parquet per ``chart_date``, the columns of glue_jobs/tables.py, written here from the
  files as glue_jobs.chart_files reads them): every number is worked out again here from
  the generated history itself, never from the report's SQL. Twice: without the
  enrichment (every artist a file name), and with one as the playlist job leaves it
  (``dim_track``, ``bridge_track_artist``, ``dim_artist`` written here): every charted track
  described with one artist id per name and its recording's ISRC, but three removed from the
  catalogue; the history's re-releases (two ids, one ISRC) are one song each, and so,
  made up here, are the latest chart's number 1 and the number 1 of 19 weeks before.
- The enrichment stage against the fake API (no Spark): what it lands, counts and refuses.
- The stage itself (drop zone keys as ``tools.charts_add`` writes them, the real samples
  only when their folder exists) and, with Spark, the chart job over what it landed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from glue_jobs.chart_files import parse_chart_bytes
from glue_jobs.tables import (
    BRIDGE_TRACK_ARTIST,
    DIM_ARTIST,
    DIM_CHART,
    DIM_TRACK,
    FACT_CHART_ENTRY,
)
from tests.sql.chart_fixture import write_tables
from tools.charts_add.add import key_hash, sha256_of
from tools.demo import chart_stage, enrich_stage, report, runner
from tools.demo.chart_history import HistorySpec, generate_history
from tools.query import connect

LAST = date(2026, 11, 12)
SPEC = HistorySpec(last_chart_date=LAST, weeks=30, regions=("global", "gb"), seed=5)
FOCUS = "regional-global-weekly"

ENRICHED_ON = date(2026, 11, 16)


@pytest.fixture(scope="module")
def history():
    return generate_history(SPEC)


@pytest.fixture(scope="module")
def chart_lake(history, tmp_path_factory) -> Path:
    return write_chart_tables(history, tmp_path_factory.mktemp("charts") / "curated")


def write_chart_tables(history, curated: Path) -> Path:
    """The history's files, parsed by glue_jobs.chart_files, as the chart job's tables."""
    fact, dim = [], []
    added = datetime(2026, 11, 16, 6, tzinfo=UTC)
    for chart in history.charts:
        parsed = parse_chart_bytes(chart.file_name, history.csv_bytes(chart))
        chart_id = f"regional-{chart.region}-weekly"
        lineage = {"added_at": added, "source_file": f"drop/{chart.file_name}"}
        for entry in parsed.entries:
            row = entry._asdict()
            del row["chart_date"]
            fact.append({"chart_id": chart_id, **row, **lineage, "chart_date": chart.chart_date})
        dim.append(
            {
                "chart_id": chart_id,
                "chart_type": "regional",
                "region": chart.region,
                "period": "weekly",
                "entries": len(parsed.entries),
                "total_streams": sum(e.streams for e in parsed.entries),
                **lineage,
                "chart_date": chart.chart_date,
            }
        )
    write_tables(curated, [(FACT_CHART_ENTRY, fact), (DIM_CHART, dim)])
    return curated


@pytest.fixture
def con(chart_lake):
    with connect(chart_lake) as connection:
        yield connection


def _charted(history) -> list[int]:
    return sorted({row.song for chart in history.charts for row in chart.rows})


def _paired(history) -> set[int]:
    """The songs of the history's re-releases, both ids of each."""
    seconds = [s for s in history.songs if s.rerelease_of is not None]
    return {s.index for s in seconds} | {s.rerelease_of for s in seconds}


def _removed(history) -> set[int]:
    """Three songs the enriched lake does not describe: ranks 7, 60, 150 of the latest global
    chart, each moved down past the songs of re-releases (as if removed from the
    catalogue)."""
    latest = _global(history)[-1]
    paired, removed = _paired(history), []
    for rank in (7, 60, 150):
        removed.append(
            next(r.song for r in latest.rows[rank - 1 :] if r.song not in {*paired, *removed})
        )
    return set(removed)


def _twin(history) -> tuple[int, int]:
    """(the latest global number 1, the number 1 of 19 weeks before): one song, two ids."""
    charts = _global(history)
    return charts[-1].rows[0].song, charts[-20].rows[0].song


def _artist_id(name: str) -> str:
    return "art-" + name.replace(" ", "-")


def _song_key(history, index: int) -> str:
    """The enriched lake's song_key of a charted song: ``isrc:`` its recording's ISRC (a
    re-release shares its original's); the twin is given the number 1's; a removed song is
    not described, so its own id."""
    if index in _removed(history):
        return f"track:{history.songs[index].track_id}"
    top, twin = _twin(history)
    return f"isrc:{history.songs[top if index == twin else index].isrc}"


def _multi_id_songs(history) -> list[dict]:
    """The global chart's songs under more than one id, worked out from the charts: weeks =
    chart dates with any of the ids, peak = best rank, ids by first chart date (then id),
    the name of the best entry of the last date; the longest-running first."""
    entries = defaultdict(list)  # song_key -> (chart_date, rank, song)
    for chart in _global(history):
        for row in chart.rows:
            entries[_song_key(history, row.song)].append((chart.chart_date, row.rank, row.song))
    songs = []
    for key, rows in entries.items():
        first = {}
        for day, _, song in sorted(rows):
            first.setdefault(song, day)
        if len(first) < 2:
            continue
        order = sorted(first, key=lambda s: (first[s], history.songs[s].track_id))
        latest = min(rows, key=lambda r: (-r[0].toordinal(), r[1]))
        songs.append(
            {
                "song_key": key,
                "track_name": history.songs[latest[2]].track_name,
                "weeks_on_chart": len({day for day, _, _ in rows}),
                "peak_rank": min(rank for _, rank, _ in rows),
                "track_id_count": len(first),
                "track_ids": ", ".join(history.songs[s].track_id for s in order),
            }
        )
    songs.sort(key=lambda x: (-x["weeks_on_chart"], x["peak_rank"], x["song_key"]))
    return songs[: report.MULTI_ID_SONGS]


@pytest.fixture(scope="module")
def enriched_lake(history, tmp_path_factory) -> Path:
    """The chart tables and the enrichment as the playlist job writes it: every charted song
    but the removed ones described (its artists one id per name, in credit order, its
    song_key its recording's ISRC), the twin sharing the number 1's song_key."""
    curated = write_chart_tables(history, tmp_path_factory.mktemp("enriched") / "curated")
    stamp = datetime(2026, 11, 16, 5, tzinfo=UTC)
    tracks, bridges, artists = [], [], {}
    for index in _charted(history):
        if index in _removed(history):
            continue
        song = history.songs[index]
        lineage = {
            "extracted_at": stamp,
            "source_file": f"tracks/fetched_date=2026-11-16/{song.track_id}.json.gz",
            "snapshot_date": ENRICHED_ON,
        }
        tracks.append(
            {
                **dict.fromkeys(c.name for c in DIM_TRACK.all_columns),
                "track_id": song.track_id,
                "track_name": song.track_name,
                "song_key": _song_key(history, index),
                **lineage,
            }
        )
        for position, name in enumerate(song.artist_names.split(", "), start=1):
            bridges.append(
                {"track_id": song.track_id, "artist_id": _artist_id(name),
                 "artist_position": position, **lineage}
            )  # fmt: skip
            artists[name] = {
                "artist_id": _artist_id(name),
                "artist_name": name,
                "artist_uri": None,
                **lineage,
            }
    write_tables(
        curated,
        [(DIM_TRACK, tracks), (BRIDGE_TRACK_ARTIST, bridges), (DIM_ARTIST, list(artists.values()))],
    )
    return curated


@pytest.fixture
def enriched(enriched_lake):
    with connect(enriched_lake) as connection:
        yield connection


def _global(history):
    return [c for c in history.charts if c.region == "global"]


def _label(history, index: int) -> str:
    song = history.songs[index]
    return f"{song.track_name} \u2014 {song.artist_names}"


def test_bump_chart_follows_the_latest_top_10_back_20_weeks(history, con):
    charts = _global(history)[-report.BUMP_WEEKS :]
    top = [row.song for row in charts[-1].rows[: report.BUMP_SONGS]]
    expected = [
        (
            _label(history, song),
            [next((r.rank for r in c.rows if r.song == song), None) for c in charts],
        )
        for song in top
    ]
    weeks, series = report.query_chart_bump(con, FOCUS)
    assert weeks == [c.chart_date for c in charts]
    assert series == expected
    assert len(series) == report.BUMP_SONGS


def test_weeks_on_chart_leaders_are_the_files_counts(history, con):
    charts = _global(history)
    weeks, peak, last = {}, {}, {}
    for chart in charts:
        for row in chart.rows:
            weeks[row.song] = max(weeks.get(row.song, 0), row.weeks_on_chart)
            peak[row.song] = min(peak.get(row.song, 999), row.peak_rank)
            last[row.song] = chart.chart_date
    key = lambda s: (-weeks[s], peak[s], history.songs[s].track_id)  # noqa: E731
    leaders = sorted(weeks, key=key)[: report.LEADERS]
    got = report.query_weeks_on_chart_leaders(con, FOCUS)
    assert [
        (r["track_id"], r["weeks"], r["peak"], r["last_date"], r["on_latest"]) for r in got
    ] == [(history.songs[s].track_id, weeks[s], peak[s], last[s], last[s] == LAST) for s in leaders]
    # The warm-up: the files count weeks before the first file of the lake.
    assert got[0]["weeks"] > len(charts)


@pytest.mark.parametrize("lake", ["plain", "enriched"])
def test_artist_share_is_the_credited_streams_over_the_chart_total(history, lake, request):
    con = request.getfixturevalue("con" if lake == "plain" else "enriched")
    removed = _removed(history) if lake == "enriched" else set(range(len(history.songs)))
    charts = _global(history)[-report.SHARE_WEEKS :]
    per_week: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    totals = {}
    for chart in charts:
        totals[chart.chart_date] = sum(r.streams for r in chart.rows)
        for row in chart.rows:
            # A described song credits its artists, a removed one the file's names: the
            # fake's names hold no ", ", so both are the names split, told apart by source.
            mark = " (file)" if row.song in removed else ""
            for artist in set(history.songs[row.song].artist_names.split(", ")):
                per_week[artist + mark][chart.chart_date] += row.streams
    overall = {a: sum(w.values()) for a, w in per_week.items()}
    leaders = sorted(overall, key=lambda a: (-overall[a], a))[: report.SHARE_ARTISTS]
    weeks, series = report.query_artist_share(con, FOCUS)
    assert weeks == [c.chart_date for c in charts]
    assert {artist for artist, _ in series} == set(leaders)
    for artist, shares in series:
        for day, share in zip(weeks, shares, strict=True):
            streams = per_week[artist].get(day)
            if streams is None:
                assert share is None
            else:
                assert share == pytest.approx(streams / totals[day], abs=1e-12)
    # The same numbers as the chart_artist_share view (rounded there to 4 places).
    view = dict(
        ((a + (" (file)" if s == "chart_file_names" else ""), d), x)
        for a, s, d, x in con.execute(
            "select artist_name, artist_source, cast(chart_date as date), stream_share "
            "from chart_artist_share where chart_id = ?",
            [FOCUS],
        ).fetchall()
    )
    for artist, shares in series:
        for day, share in zip(weeks, shares, strict=True):
            if share is not None:
                assert view[(artist, day)] == pytest.approx(share, abs=5e-5)


def test_the_bump_chart_follows_a_song_across_its_ids(history, enriched):
    charts = _global(history)[-report.BUMP_WEEKS :]
    top, twin = _twin(history)
    _, series = report.query_chart_bump(enriched, FOCUS)
    label, ranks = series[0]
    assert label == _label(history, top) + report.MULTI_ID_MARK
    # Each week the better of the two ids' ranks; the twin's weeks fill the song's line.
    expected = []
    for chart in charts:
        found = [r.rank for r in chart.rows if r.song in (top, twin)]
        expected.append(min(found) if found else None)
    assert ranks == expected
    assert ranks[0] == 1  # the twin was number 1 then
    # Every other line is marked when, and only when, its song is a re-release's.
    multi = {x["song_key"] for x in _multi_id_songs(history)}
    latest_top = [r.song for r in charts[-1].rows[: report.BUMP_SONGS]]
    assert [lbl.endswith(report.MULTI_ID_MARK) for lbl, _ in series[1:]] == [
        _song_key(history, s) in multi for s in latest_top[1:]
    ]
    # The table of songs under more than one id: the re-releases and the made-up twin.
    got = report.query_multi_id_songs(enriched, FOCUS)
    expected = _multi_id_songs(history)
    assert len(expected) == len(history.rereleases) + 1 == 4
    assert [{k: x[k] for k in expected[0]} for x in got] == expected
    (twin_song,) = [x for x in got if x["song_key"] == _song_key(history, top)]
    assert set(twin_song["track_ids"].split(", ")) == {
        history.songs[top].track_id,
        history.songs[twin].track_id,
    }


def test_described_counts_the_charted_ids_with_a_dim_track_row(history, enriched, con):
    ids = {history.songs[s].track_id for s in _charted(history)}
    removed = {history.songs[s].track_id for s in _removed(history)}
    entries = [(c, r) for c in history.charts for r in c.rows]
    gone = sum(history.songs[r.song].track_id in removed for _, r in entries)
    assert report.query_described(enriched) == {
        "track_ids": len(ids),
        "described_ids": len(ids) - 3,
        "entries": len(entries),
        "described_entries": len(entries) - gone,
        # The twin and the number 1 are one song, and each re-release is one.
        "songs": len(ids) - 1 - len(history.rereleases),
    }
    assert len({_song_key(history, s) for s in _charted(history)}) == len(ids) - 4
    assert report.query_described(con)["described_ids"] == 0


def test_climbers_and_moves_of_the_latest_week(history, con):
    previous, latest = _global(history)[-2:]
    climbers = sorted(
        (r for r in latest.rows if r.previous_rank is not None and r.previous_rank > r.rank),
        key=lambda r: (-(r.previous_rank - r.rank), r.rank),
    )[: report.CLIMBERS]
    got = report.query_chart_climbers(con, FOCUS)
    assert [(r["track_id"], r["previous_rank"], r["rank"]) for r in got] == [
        (history.songs[r.song].track_id, r.previous_rank, r.rank) for r in climbers
    ]
    moves = report.query_latest_moves(con, FOCUS)
    new = [r.rank for r in latest.rows if r.previous_rank is None and r.weeks_on_chart == 1]
    back = [r.rank for r in latest.rows if r.previous_rank is None and r.weeks_on_chart > 1]
    assert [r["rank"] for r in moves["new"]] == new
    assert [r["rank"] for r in moves["reentries"]] == back
    on_latest = {r.song for r in latest.rows}
    assert moves["exits"] == sum(r.song not in on_latest for r in previous.rows)
    assert moves["exits"] == len(new) + len(back)  # a full chart: as many in as out


class _Page(HTMLParser):
    """Figures' data-points, and the cells of the tables with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.points: dict[str, int] = {}
        self.tables: dict[str, list[list[str]]] = defaultdict(list)
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "figure":
            self.points[attributes["id"]] = int(attributes["data-points"])
        elif tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag == "td" and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "td" and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_the_report_shows_the_charts_section_with_the_tables_numbers(history, con, chart_lake):
    lake = chart_lake.parent
    meta = {
        "charts": chart_stage.meta_of(chart_stage.ChartStageResult(generated=60), history),
    }
    page = report.render_report(con, lake, meta=meta)
    parser = _Page()
    parser.feed(page)
    assert set(parser.points) == set(report.CHART_IDS)
    _, series = report.query_chart_bump(con, FOCUS)
    assert parser.points["chart-bump"] == sum(r is not None for _, s in series for r in s)
    assert parser.points["chart-bump"] >= report.BUMP_SONGS
    assert parser.points["chart-weeks-on-chart"] == report.LEADERS
    _, share = report.query_artist_share(con, FOCUS)
    assert parser.points["chart-artist-share"] == sum(x is not None for _, s in share for x in s)
    assert parser.points["chart-climbers"] == len(report.query_chart_climbers(con, FOCUS))
    for chart_id in ("chart-bump", "chart-weeks-on-chart", "chart-artist-share", "chart-climbers"):
        figure = page[page.index(f'id="{chart_id}"') :]
        figure = figure[: figure.index("</figure>")]
        assert len(re.findall(rf'id="{chart_id}-pt-\d+"', figure)) == parser.points[chart_id]
    # The leaders table: weeks and peaks as the files give them.
    rows = [r for r in parser.tables["chart-leaders-table"] if r]
    leaders = report.query_weeks_on_chart_leaders(con, FOCUS)
    assert [(r[1], int(r[3]), int(r[4])) for r in rows] == [
        (x["track_name"], x["weeks"], x["peak"]) for x in leaders
    ]
    # Charts in the lake: 30 weeks of each region, 200 entries each.
    in_lake = {r[0]: r[1:] for r in parser.tables["charts-in-lake"] if r}
    global_streams = sum(r.streams for c in _global(history) for r in c.rows)
    assert in_lake[FOCUS] == [
        "30", SPEC.first_chart_date.isoformat(), LAST.isoformat(), "6,000", f"{global_streams:,}"
    ]  # fmt: skip
    assert in_lake["regional-gb-weekly"][:2] == ["30", SPEC.first_chart_date.isoformat()]
    # New entries and re-entries of the latest chart, by rank.
    latest = _global(history)[-1]
    moved = [r for r in parser.tables["chart-latest-moves"] if r]
    assert [int(r[0]) for r in moved] == sorted(
        (r.rank for r in latest.rows if r.previous_rank is None),
        key=lambda rank: (latest.rows[rank - 1].weeks_on_chart > 1, rank),
    )
    # Where the charts came from, and where the artists come from.
    assert "generated</b> history of 30 weekly Top 200 charts" in page
    assert 'data-artist-source="web-api, file-names"' in page
    assert "split at &ldquo;, &rdquo;" in page
    # Nothing described in this lake: 0 of the charted ids, and no song under two ids.
    ids = len({history.songs[s].track_id for s in _charted(history)})
    assert f"data-described='0' data-track-ids='{ids}'" in page
    assert 'id="chart-multi-id-none"' in page.replace("'", '"')


def test_the_report_says_what_is_described_and_which_songs_have_two_ids(
    history, enriched, enriched_lake
):
    meta = {
        "charts": chart_stage.meta_of(chart_stage.ChartStageResult(generated=60), history),
        "enrichment": {"queued": 10, "landed": 7, "runs": 2, "without_isrc": 1,
                       "failed_by_reason": {"not_found": 3}, "removed_on_purpose": ["a", "b", "c"],
                       "unknown_to_fake": 0},
    }  # fmt: skip
    page = report.render_report(enriched, enriched_lake.parent, meta=meta)
    parser = _Page()
    parser.feed(page)
    ids = len({history.songs[s].track_id for s in _charted(history)})
    assert f"data-described='{ids - 3}' data-track-ids='{ids}'" in page
    assert "<code>not_found</code> 3 (3 removed from the fake" in page
    rows = [r for r in parser.tables["chart-multi-id-songs"] if r]
    expected = _multi_id_songs(history)
    assert [(r[0], r[4], r[5]) for r in rows] == [
        (x["track_name"], "2", x["track_ids"]) for x in expected
    ]


def test_malformed_entry_is_explained_with_the_other_entry_reasons():
    meaning = report.ENTRY_REASONS["malformed_entry"]
    assert "null, not an object, or an object with none of the entry fields" in meaning
    assert "lands it as sent" in meaning and "builds no row" in meaning
    totals = report.aggregate_runs(
        [{"rejections": {"fact_playlist_item": {"malformed_entry": 3, "null_item": 1}}}]
    )
    rows = report._quality_rows(totals, {})
    assert ("entry", "malformed_entry", 3, False, meaning) in rows


# ---------------------------------------------------------------------------------------
# The stage: drop zone and samples
# ---------------------------------------------------------------------------------------

SHORT = HistorySpec(last_chart_date=LAST, weeks=3, regions=("global",), seed=5, warmup_weeks=4)


def _sample_folder(tmp_path: Path, history) -> Path:
    """Samples: a dated file outside the history, one inside it, a -latest of known date,
    a -latest of unknown date."""
    folder = tmp_path / "samples"
    folder.mkdir()
    old = generate_history(HistorySpec(last_chart_date=date(2022, 1, 13), weeks=1,
                                       regions=("global",), seed=9, warmup_weeks=0))  # fmt: skip
    (folder / "someone__regional-global-weekly-2022-01-13.csv").write_bytes(
        old.csv_bytes(old.charts[0])
    )
    inside = history.charts[-1]
    (folder / f"copy__{inside.file_name}").write_bytes(history.csv_bytes(inside))
    latest = next(iter(chart_stage.SAMPLE_CHART_DATES))
    (folder / latest).write_bytes(old.csv_bytes(old.charts[0]))
    (folder / "other__regional-global-weekly-latest.csv").write_bytes(old.csv_bytes(old.charts[0]))
    return folder


def test_the_stage_lands_history_and_samples_in_the_drop_zone_once(tmp_path):
    history = generate_history(SHORT)
    lake = tmp_path / "lake"
    samples = _sample_folder(tmp_path, history)
    paths, outcomes = chart_stage.land_history(history, lake)
    assert [o.status for o in outcomes] == ["added"] * 3
    drop = lake / chart_stage.CHARTS_DROP_DIR
    keys = sorted(p.relative_to(drop).as_posix() for p in drop.rglob("*.csv"))
    assert [k.rsplit("/", 1)[0] for k in keys] == [
        f"regional/global/weekly/chart_date={c.chart_date.isoformat()}" for c in history.charts
    ]
    for key, path in zip(keys, paths, strict=True):
        assert key_hash(key) == sha256_of(path)
        assert (drop / key).read_bytes() == path.read_bytes()
    generated = [(c.region, c.chart_date) for c in history.charts]
    notes, outcomes = chart_stage.land_samples(lake, samples, generated)
    by_file = {n["file"]: n for n in notes}
    assert by_file["someone__regional-global-weekly-2022-01-13.csv"]["status"] == "added"
    assert by_file[f"copy__{history.charts[-1].file_name}"]["status"] == "left out"
    known = by_file[next(iter(chart_stage.SAMPLE_CHART_DATES))]
    assert (known["status"], known["chart_date"], known["format"]) == (
        "added", "2020-02-13", "current"
    )  # fmt: skip
    assert by_file["other__regional-global-weekly-latest.csv"]["status"] == "left out"
    assert (drop / "regional/global/weekly/chart_date=2020-02-13").is_dir()
    # Again: every file is already stored, nothing is written twice.
    count = len(list(drop.rglob("*.csv")))
    _, again = chart_stage.land_history(history, lake)
    assert {o.status for o in again} == {"already"}
    assert len(list(drop.rglob("*.csv"))) == count == 5


def test_without_the_samples_folder_the_stage_goes_on(tmp_path):
    assert chart_stage.land_samples(tmp_path / "lake", tmp_path / "absent") == ([], [])


def test_bad_chart_options_are_usage_errors(tmp_path):
    with pytest.raises(runner.UsageError, match="--chart-regions"):
        runner.DemoOptions(lake=tmp_path, chart_regions=("usa",))
    with pytest.raises(runner.UsageError, match="--chart-weeks"):
        runner.DemoOptions(lake=tmp_path, chart_weeks=-1)
    from tools.demo.__main__ import build_parser

    args = build_parser().parse_args(["--chart-weeks", "8", "--chart-regions", "global, US"])
    assert (args.chart_weeks, args.chart_regions) == (8, ("global", "us"))


def test_describe_charts_says_what_was_landed_and_written():
    meta = {
        "drop": "raw/charts",
        "added": 5,
        "rejected": [],
        "generated": {"files": 4, "regions": ["global", "gb"], "weeks": 2,
                      "first_chart_date": "2026-11-05", "last_chart_date": "2026-11-12"},
        "samples": [{"file": "x.csv", "status": "added"}, {"file": "y", "status": "left out"}],
        "run": {"files_read": 5, "rows_written": {"fact_chart_entry": 1000}},
    }  # fmt: skip
    assert runner.describe_charts(meta) == (
        "4 generated files (global, gb: 2 weeks, 2026-11-05 to 2026-11-12) + 1 real sample "
        "-> raw/charts (5 added); chart job: 5 files -> 1,000 chart entries"
    )


# ---------------------------------------------------------------------------------------
# The enrichment stage, against the fake API (no Spark)
# ---------------------------------------------------------------------------------------


def test_the_enrichment_stage_describes_the_charted_tracks_through_the_fake(tmp_path):
    import gzip
    import json

    from tools.fake_spotify import Catalogue, FakeSpotifyServer

    history = generate_history(SHORT)
    lake = tmp_path / "lake"
    charted = {history.songs[s].track_id: history.songs[s] for s in _charted(history)}
    # The chart job's work list, as it writes it (one id per line), plus a real sample's id.
    todo = lake / "raw" / "enrichment" / "todo"
    todo.mkdir(parents=True)
    sample_id = "0VjIjW4GlUZAMYd2vXMi3b"  # The Weeknd's Blinding Lights: not the fake's
    (todo / "charts-run1.txt").write_text("\n".join([*sorted(charted), sample_id]) + "\n")
    latest = [c for c in history.charts if c.region == "global"][-1]
    removed = {history.songs[latest.rows[rank - 1].song].track_id for rank in (7, 60, 150)}
    catalogue = Catalogue(seed=SHORT.seed, playlists=1, weeks=1, editorial=0, not_owned=0)
    moment = datetime(2026, 11, 16, 5, tzinfo=UTC)
    with FakeSpotifyServer(catalogue, mode="development") as server:
        staged = enrich_stage.run_enrich_stage(
            catalogue, server, history, lake, lambda: moment, max_tracks=250
        )
    meta = enrich_stage.meta_of(staged)
    landed = len(charted) - len(removed)
    # Every id of the list queued once (the faults list's two lines are no ids); 250 a run.
    assert meta["queued"] == len(charted) + 1
    assert meta["runs"] == -(-(len(charted) + 1) // 250)
    assert meta["landed"] == landed and meta["pending_after"] == 0
    assert meta["failed_by_reason"] == {"invalid_id": 1, "local_file": 1, "not_found": 4}
    assert set(meta["removed_on_purpose"]) == removed and meta["unknown_to_fake"] == 1
    # The documents: one per landed id, each the chart's track with its artists one by one,
    # and one id per artist name across tracks.
    documents = {}
    for path in (lake / "raw" / "tracks" / "fetched_date=2026-11-16").glob("*.json.gz"):
        document = json.loads(gzip.decompress(path.read_bytes()))
        documents[document["track_id"]] = document["track"]
    assert set(documents) == set(charted) - removed
    ids_by_name: dict[str, set[str]] = defaultdict(set)
    for track_id, track in documents.items():
        song = charted[track_id]
        assert track["name"] == song.track_name
        assert ", ".join(a["name"] for a in track["artists"]) == song.artist_names
        for artist in track["artists"]:
            ids_by_name[artist["name"]].add(artist["id"])
    assert all(len(ids) == 1 for ids in ids_by_name.values())
    assert enrich_stage.describe_enrichment(meta).startswith(
        f"{len(charted) + 1:,} charted ids queued -> {landed:,} track documents"
    )


def test_the_enrichment_stage_serves_each_rerelease_as_one_recording(tmp_path):
    import gzip
    import json

    from tools.fake_spotify import Catalogue, FakeSpotifyServer

    history = generate_history(
        HistorySpec(last_chart_date=LAST, weeks=4, regions=("global",), seed=5, warmup_weeks=4)
    )
    pairs = [(s.rerelease_of, s.index) for s in history.songs if s.rerelease_of is not None]
    assert len(pairs) == 3
    lake = tmp_path / "lake"
    charted = {history.songs[s].track_id for s in _charted(history)}
    todo = lake / "raw" / "enrichment" / "todo"
    todo.mkdir(parents=True)
    (todo / "charts-run1.txt").write_text("\n".join(sorted(charted)) + "\n")
    # Playlists of the hit albums the history's songs come from: described tracks win.
    catalogue = Catalogue(seed=5, playlists=3, weeks=1, editorial=0, not_owned=0)
    moment = datetime(2026, 11, 16, 5, tzinfo=UTC)
    with FakeSpotifyServer(catalogue, mode="development") as server:
        staged = enrich_stage.run_enrich_stage(catalogue, server, history, lake, lambda: moment)
    meta = enrich_stage.meta_of(staged)
    assert meta["same_recording_ids"] == 6
    removed = {history.songs[s].track_id for s in _removed(history)}
    assert set(meta["removed_on_purpose"]) == removed and len(removed) == 3
    documents = {}
    for path in (lake / "raw" / "tracks" / "fetched_date=2026-11-16").glob("*.json.gz"):
        document = json.loads(gzip.decompress(path.read_bytes()))
        documents[document["track_id"]] = document["track"]
    assert set(documents) == charted - removed
    isrc = {t: (d["external_ids"] or {}).get("isrc") for t, d in documents.items()}
    for original, second in pairs:
        a, b = history.songs[original].track_id, history.songs[second].track_id
        assert isrc[a] == isrc[b] == history.songs[original].isrc
        assert documents[b]["id"] == b and documents[b]["name"] == documents[a]["name"]
    # No other two documents share an ISRC: three songs under two ids, no more.
    shared = [i for i in isrc.values() if i and list(isrc.values()).count(i) > 1]
    assert len(shared) == 6
    # One id per artist name, the catalogue's first artist of that name.
    first_id: dict[str, str] = {}
    for number in range(2_501):
        artist = catalogue.artist(number)
        first_id.setdefault(artist["name"], artist["id"])
    for track in documents.values():
        for artist in track["artists"]:
            assert artist["id"] == first_id[artist["name"]]


# ---------------------------------------------------------------------------------------
# The stage with the chart job (Spark)
# ---------------------------------------------------------------------------------------


@pytest.mark.spark
@pytest.mark.slow
def test_the_stage_runs_the_chart_job_and_the_report_reads_its_tables(spark, tmp_path):
    import io

    import duckdb

    history = generate_history(SHORT)
    lake = tmp_path / "lake"
    samples = _sample_folder(tmp_path, history)
    log = io.StringIO()
    staged = chart_stage.run_chart_stage(spark, lake, history, log, samples_dir=samples)
    # 3 generated files, the dated sample and the -latest sample of known date.
    assert (staged.generated, staged.count("added")) == (3, 5)
    run = staged.run
    assert (run["files_read"], run["files_quarantined"]) == (5, 0)
    assert run["rows_written"] == {"fact_chart_entry": 5 * 200, "dim_chart": 5}
    # The tables hold exactly the rows of the files, as glue_jobs.chart_files reads them.
    expected = set()
    drop = lake / chart_stage.CHARTS_DROP_DIR
    for path in drop.rglob("*.csv"):
        day = date.fromisoformat(path.parent.name.removeprefix("chart_date="))
        name = f"regional-global-weekly-{day.isoformat()}.csv"
        for e in parse_chart_bytes(name, path.read_bytes()).entries:
            expected.add((day, e.rank, e.track_id, e.streams, e.peak_rank, e.previous_rank,
                           e.weeks_on_chart, e.label, e.artist_names, e.track_name))  # fmt: skip
    fact = str(lake / "curated" / "fact_chart_entry" / "**" / "*.parquet")
    with duckdb.connect() as db:
        rows = db.execute(
            "select cast(chart_date as date), rank, track_id, streams, peak_rank, previous_rank,"
            " weeks_on_chart, label, artist_names, track_name "
            f"from read_parquet('{fact}', hive_partitioning = true)"
        ).fetchall()
    assert len(rows) == 1000 and set(rows) == expected
    # Running the stage again adds nothing and the job reads nothing new.
    again = chart_stage.run_chart_stage(spark, lake, history, log, samples_dir=samples)
    assert again.count("added") == 0 and again.run["files_read"] == 0
    # The report over the job's tables: the latest chart's climbers as the history says.
    with connect(lake / "curated") as con:
        climbers = report.query_chart_climbers(con, FOCUS)
        overview = {r["chart_id"]: r for r in report.query_chart_overview(con)}
    latest = history.charts[-1]
    assert [(r["rank"], r["previous_rank"]) for r in climbers] == [
        (r.rank, r.previous_rank)
        for r in sorted(
            (r for r in latest.rows if r.previous_rank and r.previous_rank > r.rank),
            key=lambda r: (r.rank - r.previous_rank, r.rank),
        )[: report.CLIMBERS]
    ]
    assert overview[FOCUS]["dates"] == 5  # 3 generated weeks and the two real-sample dates
    assert overview[FOCUS]["first_date"] == date(2020, 2, 13)
