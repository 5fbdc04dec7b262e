"""The charts run of `make bench` at a tiny size: generator, DuckDB baseline, chart job.

No timing is checked (timings on a shared runner mean nothing). What is checked:

* the generator writes archives that ``glue_jobs.chart_files`` reads, under the drop-zone
  keys of ``tools.charts_add``, with exactly the faults it plans, deterministically;
* the DuckDB baseline writes the row counts worked out by hand below, and the same values
  as the parser (the one definition of a valid chart) with "added last wins" applied;
* the chart job and DuckDB, run by ``python -m tools.bench --charts-only`` as `make bench`
  runs them, write the same tables, value for value.

The size: 6 days x 3 regions (the globe and two countries) = 18 charts of 200 rows, in one
backfill file; the last day's 3 charts again in a corrections file added last; 6 charts
with one fault each (every kind once) and 3 rows naming no chart (every kind once).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest

from glue_jobs.chart_files import ARCHIVE_HEADER, FORMAT_ARCHIVE, open_chart_file
from glue_jobs.tables import CHART_TABLES
from tests.bench.support import run_bench
from tools.bench import baseline_duckdb_charts, charts_generate
from tools.bench.charts_generate import BAD_CHART_KINDS, BAD_ROW_KINDS, ChartLayout
from tools.charts_add.add import ARCHIVE_PREFIX, key_hash

DAYS, REGIONS = 6, 3
SIZE = {
    "days": DAYS,
    "regions": REGIONS,
    "files": 1,
    "correction_days": 1,
    "bad_charts": len(BAD_CHART_KINDS),  # 6: each fault once
    "bad_rows": len(BAD_ROW_KINDS),  # 3: each once
    "seed": 7,
}
# Worked out by hand from SIZE:
CHARTS = DAYS * REGIONS  # 18 charts in the backfill file
GOOD_CHARTS = CHARTS - 6  # 12: the faulty ones are rejected whole
BACKFILL_ROWS = CHARTS * 200 - 1 + 3  # 3,602: missing_rank has 199 rows; 3 rows name no chart
CORRECTION_ROWS = REGIONS * 200  # 600: the last day's charts again
FACT_ROWS = GOOD_CHARTS * 200  # 2,400: a corrected chart replaces its original, whole
# The rows of the faulty charts, by reason, and the rows naming no chart.
REJECTED_ROWS = {
    "repeated_rank": 200,
    "missing_rank": 199,
    "rank_out_of_range": 200,
    "bad_rank": 200,
    "bad_streams": 200,
    "bad_track_uri": 200,
    "unknown_region": 1,
    "bad_date": 1,
    "unknown_chart": 1,
}


@pytest.fixture(scope="module")
def backfill(tmp_path_factory: pytest.TempPathFactory) -> dict:
    layout = charts_generate.plan_chart_layout(**SIZE)
    return charts_generate.generate(layout, tmp_path_factory.mktemp("charts") / "data")


def _archives(manifest: dict) -> list[Path]:
    return [Path(f["path"]) for f in manifest["files"]]


def test_size_options_scale_the_layout() -> None:
    assert charts_generate.plan_chart_layout() == ChartLayout()  # the full benchmark
    full = ChartLayout()
    assert (full.days, full.regions) == (3652, 71)  # ten years, the globe and 70 countries
    assert full.charts * 200 == 51_858_400
    assert charts_generate.plan_chart_layout(years=1).days == 365
    tiny = charts_generate.plan_chart_layout(years=10, days=3, regions=2)
    # Left out, corrections and faults shrink with the size: 1 of 3 days corrected, and of
    # the other 4 charts one faulty and one with a bad row.
    assert (tiny.days, tiny.correction_days, tiny.bad_charts, tiny.bad_rows) == (3, 1, 1, 1)
    assert len(charts_generate.region_names()) >= 71
    with pytest.raises(ValueError, match="distinct charts"):
        charts_generate.plan_chart_layout(days=2, regions=2, correction_days=1, bad_charts=3)
    with pytest.raises(ValueError, match="regions"):
        charts_generate.plan_chart_layout(regions=0)


def test_files_are_in_the_drop_zone_under_charts_add_keys(backfill: dict) -> None:
    drop = Path(backfill["drop"])
    stored = sorted(p.relative_to(drop).as_posix() for p in drop.rglob("*") if p.is_file())
    keys = [f["key"] for f in backfill["files"]]
    assert stored == sorted(keys)  # nothing else (no _incoming leftovers)
    assert [f["kind"] for f in backfill["files"]] == ["backfill", "corrections"]
    for entry in backfill["files"]:
        key = entry["key"]
        assert key.startswith(ARCHIVE_PREFIX)
        data = (drop / key).read_bytes()
        assert key_hash(key) == hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    # <added> from the fixed instant (noon UTC, the day after the last chart), 1 us apart,
    # in the order written: the corrections file is added last.
    added = [k[len(ARCHIVE_PREFIX) :].split("_")[0] for k in keys]
    assert added == ["20170107T120000000000Z", "20170107T120000000001Z"]


def test_generator_output_parses_with_chart_files(backfill: dict) -> None:
    backfill_file, corrections_file = _archives(backfill)
    for path in (backfill_file, corrections_file):
        assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(ARCHIVE_HEADER)
    source = open_chart_file(backfill_file.name, lambda: backfill_file.open("rb"))
    assert source.source_format == FORMAT_ARCHIVE
    charts = list(source.charts())
    report = source.report
    assert report.rows_read == BACKFILL_ROWS == backfill["files"][0]["rows"]
    assert len(charts) == report.charts_accepted == GOOD_CHARTS
    assert report.rows_accepted == GOOD_CHARTS * 200
    assert dict(report.charts_rejected) == {kind: 1 for kind in BAD_CHART_KINDS}
    assert dict(report.rows_rejected) == REJECTED_ROWS == backfill["rows_rejected"]
    identities = Counter((c.identity.region, c.identity.chart_date) for c in charts)
    assert set(identities.values()) == {1}
    assert {region for region, _ in identities} == {"global", "ad", "ar"}
    for chart in charts:
        assert [e.rank for e in chart.entries] == list(range(1, 201))
        assert all(e.trend in charts_generate.TRENDS for e in chart.entries)
        streams = [e.streams for e in chart.entries]
        assert streams == sorted(streams, reverse=True)  # streams fall with rank
    first = {e.track_id: e.rank for e in charts[0].entries}
    assert all(e.trend == "NEW_ENTRY" for e in charts[0].entries)  # the first day
    assert len(first) == 200

    corrections = open_chart_file(corrections_file.name, lambda: corrections_file.open("rb"))
    corrected = list(corrections.charts())
    assert corrections.report.rows_read == CORRECTION_ROWS
    assert corrections.report.rows_rejected == Counter()
    assert {c.identity.chart_date for c in corrected} == {date(2017, 1, 6)}
    originals = {c.identity: c for c in charts if c.identity.chart_date == date(2017, 1, 6)}
    assert len(originals) == len(corrected) == REGIONS  # no fault falls on the corrected day
    for chart in corrected:
        original = originals[chart.identity]
        # Each row gets 1 + rank % 10 more streams: 200 + 20 x (0 + 1 + ... + 9) = 1,100.
        assert charts_generate.CORRECTION_TOTAL == 1_100
        assert (
            sum(e.streams for e in chart.entries)
            == sum(e.streams for e in original.entries) + 1_100
        )
        assert [e.track_id for e in chart.entries] == [e.track_id for e in original.entries]


def test_generator_is_deterministic_and_files_do_not_change_rows(tmp_path: Path) -> None:
    one = charts_generate.generate(charts_generate.plan_chart_layout(**SIZE), tmp_path / "a")
    again = charts_generate.generate(charts_generate.plan_chart_layout(**SIZE), tmp_path / "b")
    assert [f["key"] for f in one["files"]] == [f["key"] for f in again["files"]]
    reused = charts_generate.generate(charts_generate.plan_chart_layout(**SIZE), tmp_path / "a")
    assert reused["reused"] and reused["files"] == one["files"]
    split = charts_generate.generate(
        charts_generate.plan_chart_layout(**{**SIZE, "files": 3}), tmp_path / "c"
    )
    assert [f["kind"] for f in split["files"]] == ["backfill"] * 3 + ["corrections"]

    def rows(manifest: dict) -> list[str]:
        return [
            line
            for path in _archives(manifest)
            for line in path.read_text(encoding="utf-8").splitlines()[1:]
        ]

    assert rows(split) == rows(one)


def _parser_tables(manifest: dict) -> dict[str, set[tuple]]:
    """What a correct engine writes, from chart_files itself: every good chart, the one of
    the file added last (greatest key) where two give the same chart and date."""
    won: dict[tuple, tuple[str, object]] = {}
    for entry in sorted(manifest["files"], key=lambda f: f["key"]):
        path = Path(entry["path"])
        for chart in open_chart_file(path.name, lambda path=path: path.open("rb")).charts():
            i = chart.identity
            won[(i.chart_type, i.region, i.period, i.chart_date)] = (entry["key"], chart)
    facts, dims = set(), set()
    for (chart_type, region, period, day), (key, chart) in won.items():
        added = key[len(ARCHIVE_PREFIX) : len(ARCHIVE_PREFIX) + 22]
        chart_id = f"{chart_type}-{region}-{period}"
        for e in chart.entries:
            facts.add((chart_id, *e, added))
        total = sum(e.streams for e in chart.entries)
        dims.add((chart_id, chart_type, region, period, day, len(chart.entries), total, added))
    return {"fact_chart_entry": facts, "dim_chart": dims}


def _written(root: Path, table: str) -> set[tuple]:
    """A written table's rows in the parser's terms (ChartEntry order, then added_at)."""
    con = duckdb.connect()
    source = f"read_parquet('{root / table}/**/*.parquet', hive_partitioning = true)"
    added = "strftime(added_at, '%Y%m%dT%H%M%S%fZ')"
    if table == "fact_chart_entry":
        columns = (
            "chart_id, chart_type, region, period, chart_date, rank, track_id, streams, "
            "peak_rank, previous_rank, weeks_on_chart, days_on_chart, label, artist_names, "
            f"track_name, trend, {added}"
        )
    else:
        columns = (
            f"chart_id, chart_type, region, period, chart_date, entries, total_streams, {added}"
        )
    rows = con.execute(f"select {columns} from {source}").fetchall()
    con.close()
    assert len(rows) == len(set(rows)), table
    return set(rows)


def test_duckdb_baseline_writes_the_hand_counted_rows_and_the_parsers_values(
    backfill: dict, tmp_path: Path
) -> None:
    summary = baseline_duckdb_charts.run(Path(backfill["drop"]), tmp_path / "out")
    assert summary["rows_written"] == {"fact_chart_entry": FACT_ROWS, "dim_chart": GOOD_CHARTS}
    assert summary["rows_written"] == backfill["expected_rows"]
    assert summary["files_read"] == 2
    assert summary["charts_read"] == CHARTS + REGIONS  # 21: the corrected ones twice
    assert summary["charts_rejected"] == 6
    assert summary["charts_superseded"] == REGIONS
    # Partitioned by chart_date, with the tables' columns in their order.
    for table in CHART_TABLES:
        folders = sorted(p.name for p in (tmp_path / "out" / table.name).iterdir())
        assert folders == [f"chart_date=2017-01-0{d}" for d in range(1, 7)]
        con = duckdb.connect()
        described = con.execute(
            f"describe select * from read_parquet('{tmp_path / 'out' / table.name}/**/*.parquet',"
            " hive_partitioning = true)"
        ).fetchall()
        con.close()
        assert [r[0] for r in described] == [c.name for c in table.all_columns]
    expected = _parser_tables(backfill)
    for table in ("fact_chart_entry", "dim_chart"):
        assert _written(tmp_path / "out", table) == expected[table], table
    # The corrected day's charts come from the corrections file.
    totals = {r[0]: r[6] for r in expected["dim_chart"] if r[4] == date(2017, 1, 6)}
    assert len(totals) == REGIONS


def test_duckdb_table_variant_writes_the_same(backfill: dict, tmp_path: Path) -> None:
    drop = Path(backfill["drop"])
    streamed = baseline_duckdb_charts.run(drop, tmp_path / "a", variant="stream")
    tabled = baseline_duckdb_charts.run(drop, tmp_path / "b")  # the default
    assert tabled["rows_read"] == BACKFILL_ROWS + CORRECTION_ROWS
    assert tabled["rows_written"] == streamed["rows_written"]
    for table in ("fact_chart_entry", "dim_chart"):
        assert _written(tmp_path / "a", table) == _written(tmp_path / "b", table)


@pytest.mark.slow
def test_chart_job_and_duckdb_agree_value_for_value(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    arguments = [
        "--charts-only",
        "--chart-days",
        str(DAYS),
        "--chart-regions",
        str(REGIONS),
        "--chart-files",
        "1",
        "--chart-correction-days",
        "1",
        "--chart-bad-charts",
        str(SIZE["bad_charts"]),
        "--chart-bad-rows",
        str(SIZE["bad_rows"]),
        "--driver-memory",
        "1g",
        "--no-event-log",
    ]
    results = run_bench(arguments, out, timeout=1200)
    rows = {row["name"]: row for row in results["rows"]}
    assert set(rows) == {"charts-job", "charts-duckdb"}
    for row in rows.values():
        assert row["ok"], row["error"]
        assert row["items"] == BACKFILL_ROWS + CORRECTION_ROWS
        assert row["wall_s"] > 0 and row["items_per_s"] > 0 and row["peak_pss_mib"] > 0
    job = rows["charts-job"]
    assert job["details"]["rows_read"] == BACKFILL_ROWS + CORRECTION_ROWS
    assert job["details"]["rejections"]["archive_rows"] == REJECTED_ROWS
    assert job["details"]["rejections"]["fact_chart_entry"]["superseded"] == CORRECTION_ROWS
    assert job["rows_written"] == {"fact_chart_entry": FACT_ROWS, "dim_chart": GOOD_CHARTS}
    assert job["ratios"]["vs charts-duckdb"] == pytest.approx(
        job["wall_s"] / rows["charts-duckdb"]["wall_s"], abs=0.01
    )
    for table in ("fact_chart_entry", "dim_chart"):
        check = results["cross_check"][table]
        assert check["agree"] and check["values_agree"], (table, check)
        prints = check["fingerprints"]
        assert prints["charts-job"] == prints["charts-duckdb"] != "missing"
    target = next(t for t in results["targets"] if t["target"].startswith("chart job"))
    assert target["measured"] == job["ratios"]["vs charts-duckdb"]
    assert target["verdict"] in ("MET", "MISSED")
    assert (out / "charts.md").read_text().count("| `charts-") == 2
    assert results["datasets"]["charts"]["expected_rows"] == job["rows_written"]
