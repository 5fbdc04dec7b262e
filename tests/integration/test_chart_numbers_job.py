"""The chart job on a number beyond its column: the file is quarantined with chart_files'
reason, and the good file of the same run is written (the run once failed whole when it
built the bad file's rows)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from glue_jobs.chart_files import iso_date
from glue_jobs.charts_pipeline import (
    _ARCHIVE_READ_SCHEMA,
    CHART_BOOKS,
    archive_row_checks,
    run_chart_job,
)
from tests.unit.charts.support import (
    archive_file,
    archive_line,
    current_chart,
    current_file,
    current_line,
)

SHA = "0" * 63


def write(drop: Path, day: str, n: int, data: bytes) -> Path:
    """A global weekly chart under its canonical drop-zone key."""
    path = drop / f"regional/global/weekly/chart_date={day}/20260101T000000000000Z_{SHA}{n}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_archive(drop: Path, n: int, data: bytes) -> Path:
    """An archive under its canonical drop-zone key."""
    path = drop / "archive" / f"20260101T000000000000Z_{SHA}{n}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_peak_rank_beyond_32_bits_is_quarantined_and_the_good_file_written(spark, tmp_path):
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    good = write(drop, "2022-01-13", 1, current_chart(range(1, 4)))
    # peak_rank (the sixth field) 99999999999 does not fit the int column.
    bad_line = current_line(1).replace(",1,-1,1,", ",99999999999,-1,1,")
    bad = write(drop, "2022-01-20", 2, current_file([bad_line]))

    summary = run_chart_job(spark, str(drop), str(curated), run_id="numbers")

    assert summary["status"] == "ok"
    assert (summary["files_accepted"], summary["files_quarantined"]) == (1, 1)
    records = (curated / CHART_BOOKS.quarantine / "run_id=numbers" / "part-00000.json").read_text()
    assert [(json.loads(r)["path"], json.loads(r)["reason"]) for r in records.splitlines()] == [
        (f"file:{bad}", "bad_number")
    ]
    facts = spark.read.parquet(str(curated / "fact_chart_entry")).collect()
    assert sorted((r["source_file"], r["rank"]) for r in facts) == [
        (f"file:{good}", rank) for rank in (1, 2, 3)
    ]


def test_streams_of_16_digits_are_summed_and_17_digits_rejected_in_one_run(spark, tmp_path):
    """A full chart of 16-digit streams is written with its total (200 of them fit a bigint);
    17 digits reject a chart file and an archive's chart as bad_streams, as chart_files has
    it (a total of 18-digit streams once failed the whole run)."""
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    most, too_many = "9" * 16, "1" + "0" * 16
    full = write(
        drop, "2022-01-13", 1, current_file([current_line(r, most) for r in range(1, 201)])
    )
    long = write(drop, "2022-01-20", 2, current_file([current_line(r, too_many) for r in (1, 2)]))
    lines = [
        archive_line(1, region="Chile", streams=most),
        archive_line(2, region="Chile", streams=f"{most}.0"),
        archive_line(1, region="Peru", streams=too_many),
    ]
    archive = write_archive(drop, 3, archive_file(lines))

    summary = run_chart_job(spark, str(drop), str(curated), run_id="streams")

    assert summary["status"] == "ok"
    assert (summary["files_accepted"], summary["files_quarantined"]) == (2, 1)
    assert summary["rejections"]["files"]["bad_streams"] == 1
    assert summary["rejections"]["archive_charts"] == {"bad_streams": 1}
    records = (curated / CHART_BOOKS.quarantine / "run_id=streams" / "part-00000.json").read_text()
    assert [json.loads(r)["path"] for r in records.splitlines()] == [f"file:{long}"]
    dim = spark.read.parquet(str(curated / "dim_chart")).collect()
    assert sorted((r["source_file"], r["entries"], r["total_streams"]) for r in dim) == [
        (f"file:{archive}", 2, 2 * int(most)),
        (f"file:{full}", 200, 200 * int(most)),
    ]


DAYS = (
    "2021-01-04",
    " 2021-01-04 ",
    "0001-01-01",
    "9999-12-31",
    "0000-01-01",
    "2021-02-29",
    "2021-13-01",
    "\uff12\uff10\uff12\uff11-01-04",  # fullwidth digits: Unicode, not ASCII
    "2021-W01-1",
    "20210104",
    "2021-1-4",
)


def test_the_archive_reader_reads_a_date_as_chart_files_does(spark):
    """archive_row_checks' date rule is chart_files.iso_date's: the same texts are dates, as
    the same days (a year 0, which Spark's to_date reads, is no date)."""
    url = "https://open.spotify.com/track/" + "A" * 22
    rows = [("t", "1", day, "a", url, "Chile", "top200", "", "5", None) for day in DAYS]
    checked = archive_row_checks(spark.createDataFrame(rows, _ARCHIVE_READ_SCHEMA))
    read = {r["raw_date"]: (r["key_reason"], r["chart_date"]) for r in checked.collect()}

    def chart_files_reads(day: str) -> tuple[str | None, date | None]:
        try:
            return None, iso_date(day.strip())
        except ValueError:
            return "bad_date", None

    assert read == {day: chart_files_reads(day) for day in DAYS}


def test_archives_rejected_whole_are_quarantined_in_one_run(spark, tmp_path):
    """An archive of a header and no rows (or only blank rows after it) is an empty_file, one
    with a quoted field holding a line break malformed_csv, as chart_files has them (the job
    had accepted the first and read the second's broken row in two); the good file of the
    run is written."""
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    good = write(drop, "2022-01-13", 1, current_chart(range(1, 4)))
    title_break = archive_line(1).replace("Song 1", '"line one\nline two"', 1)
    streams_break = archive_line(2, streams='"299\n998"')
    bad = {
        write_archive(drop, 2, archive_file([])): "empty_file",
        write_archive(drop, 3, archive_file(["", ",,,,,,,,"])): "empty_file",
        # A quoted field holding a line break, in the first field and in the last one.
        write_archive(drop, 4, archive_file([title_break, archive_line(2)])): "malformed_csv",
        write_archive(drop, 5, archive_file([archive_line(1), streams_break])): "malformed_csv",
    }

    summary = run_chart_job(spark, str(drop), str(curated), run_id="whole")

    assert summary["status"] == "ok"
    assert (summary["files_accepted"], summary["files_quarantined"]) == (1, len(bad))
    assert summary["archives_accepted"] == 0
    records = (curated / CHART_BOOKS.quarantine / "run_id=whole" / "part-00000.json").read_text()
    assert [(json.loads(r)["path"], json.loads(r)["reason"]) for r in records.splitlines()] == [
        (f"file:{path}", reason) for path, reason in sorted(bad.items())
    ]
    facts = spark.read.parquet(str(curated / "fact_chart_entry")).collect()
    assert sorted((r["source_file"], r["rank"]) for r in facts) == [
        (f"file:{good}", rank) for rank in (1, 2, 3)
    ]
