"""The chart job on a real SparkSession: real samples, every rejection, latest wins, re-runs,
crash safety. Each test builds a drop zone of a few tiny files."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from extract_lambda.enrich_state import LocalRawStore, parse_track_reference, read_work_list
from glue_jobs import chart_files as C
from glue_jobs.charts_pipeline import CHART_BOOKS, enrichment_todo_dir, run_chart_job
from glue_jobs.publish import InjectedFailure
from glue_jobs.schemas import TABLE_SCHEMAS
from tests.unit.charts.support import (
    CURRENT_DAILY_HEADER,
    CURRENT_SAMPLE,
    CURRENT_WEEKLY_HEADER,
    LATEST_SAMPLE,
    SAMPLES,
    archive_file,
    archive_line,
    current_chart,
    current_file,
    current_line,
    older_file,
    older_line,
    track_id,
)

FACT, DIM = "fact_chart_entry", "dim_chart"
SHA = "0" * 63


def key(chart: str, day: str, added: str, n: int = 1) -> str:
    """A canonical drop-zone key as charts-add writes it."""
    kind, region, period = chart.split("-")
    return f"{kind}/{region}/{period}/chart_date={day}/{added}_{SHA}{n}.csv"


def write(root: Path, relative: str, data: bytes, mtime: float | None = None) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_first_week(drop: Path) -> Path:
    """The global weekly chart of 2022-01-13, tracks 1 to 3, as charts-add keys it."""
    return write(
        drop,
        key("regional-global-weekly", "2022-01-13", "20260101T000000000000Z"),
        current_chart(range(1, 4)),
    )


def table(spark, curated: Path, name: str) -> list[dict]:
    folder = curated / name
    if not folder.exists():
        return []
    df = spark.read.schema(TABLE_SCHEMAS[name]).parquet(str(folder))
    rows = [r.asDict() for r in df.collect()]
    return sorted(rows, key=lambda r: (r["chart_date"], r["chart_id"], r.get("rank") or 0))


def tables(spark, curated: Path) -> dict[str, list[dict]]:
    return {name: table(spark, curated, name) for name in (FACT, DIM)}


# ---------------------------------------------------------------------------------------
# Real samples, values worked out by hand from the CSV
# ---------------------------------------------------------------------------------------


def test_real_samples(spark, tmp_path):
    if not CURRENT_SAMPLE.is_file() or not LATEST_SAMPLE.is_file():
        pytest.skip(f"{SAMPLES} is absent")
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    # Dropped under the site's (here a copier's) own name, in any folder.
    shutil.copy(CURRENT_SAMPLE, write(drop, "downloads/x.csv", b"").parent / CURRENT_SAMPLE.name)
    (drop / "downloads" / "x.csv").unlink()
    # The -latest file, stored by charts-add with its chart date (docs/charts.md).
    write(
        drop,
        key("regional-global-weekly", "2020-02-13", "20260101T000000000000Z"),
        LATEST_SAMPLE.read_bytes(),
    )
    summary = run_chart_job(spark, str(drop), str(curated), run_id="samples")

    assert summary["status"] == "ok"
    assert (summary["files_read"], summary["files_accepted"], summary["files_quarantined"]) == (
        2,
        2,
        0,
    )
    assert summary["rows_read"] == 400
    assert summary["rows_written"] == {FACT: 400, DIM: 2}
    assert summary["chart_dates"] == ["2020-02-13", "2022-01-13"]
    assert summary["data_quality"]["rules_failed"] == 0

    fact = table(spark, curated, FACT)
    by_key = {(r["chart_date"], r["rank"]): r for r in fact}
    current = by_key[(date(2022, 1, 13), 1)]
    source = f"file:{drop / 'downloads' / CURRENT_SAMPLE.name}"
    # 1,"spotify:track:4fouWK6XVHhzl78KzQ1UjL","GAYLE","abcdefu","Atlantic/Arthouse Records",
    # 1,2,9,"32267898"
    assert current == {
        "chart_id": "regional-global-weekly",
        "chart_type": "regional",
        "region": "global",
        "period": "weekly",
        "rank": 1,
        "track_id": "4fouWK6XVHhzl78KzQ1UjL",
        "streams": 32267898,
        "peak_rank": 1,
        "previous_rank": 2,
        "weeks_on_chart": 9,
        "days_on_chart": None,
        "label": "Atlantic/Arthouse Records",
        "artist_names": "GAYLE",
        "track_name": "abcdefu",
        "trend": None,
        "added_at": datetime.utcfromtimestamp(
            int(os.stat(source.removeprefix("file:")).st_mtime * 1000) / 1000
        ),
        "source_file": source,
        "chart_date": date(2022, 1, 13),
    }
    # 199,"spotify:track:4xkOaSrkexMciUUogZKVTS","Eminem, Nate Dogg","'Till I Collapse",
    # "Aftermath",144,-1,29,"5281784": -1 is a re-entry, null.
    re_entry = by_key[(date(2022, 1, 13), 199)]
    assert (re_entry["artist_names"], re_entry["previous_rank"], re_entry["peak_rank"]) == (
        "Eminem, Nate Dogg",
        None,
        144,
    )
    assert (re_entry["weeks_on_chart"], re_entry["streams"]) == (29, 5281784)
    # 1,"The Box","Roddy Ricch",46164667,https://open.spotify.com/track/0nbXyq5TXYPCO7pr3N8S4I
    older = by_key[(date(2020, 2, 13), 1)]
    assert (older["track_name"], older["artist_names"], older["streams"]) == (
        "The Box",
        "Roddy Ricch",
        46164667,
    )
    assert older["track_id"] == "0nbXyq5TXYPCO7pr3N8S4I"
    assert (older["peak_rank"], older["previous_rank"], older["label"]) == (None, None, None)
    assert older["added_at"] == datetime(2026, 1, 1)
    # 200,"A Gente Fez Amor - Ao Vivo","Gusttavo Lima",4793221,...
    assert by_key[(date(2020, 2, 13), 200)]["streams"] == 4793221

    dim = {r["chart_date"]: r for r in table(spark, curated, DIM)}
    assert dim[date(2022, 1, 13)]["entries"] == 200
    assert dim[date(2022, 1, 13)]["total_streams"] == sum(
        r["streams"] for r in fact if r["chart_date"] == date(2022, 1, 13)
    )
    assert dim[date(2020, 2, 13)]["chart_id"] == "regional-global-weekly"


# ---------------------------------------------------------------------------------------
# Every rejection, produced and counted
# ---------------------------------------------------------------------------------------

WEEKLY = "regional-global-weekly-2022-01-13.csv"
GOOD = current_chart(range(1, 4))
VIRAL_ROWS = "\n".join(
    ["rank,uri,artist_names,track_name,source,peak_rank,previous_rank,weeks_on_chart"]
    + [f'{r},"spotify:track:{track_id(r)}","A","S","L",1,1,1' for r in range(1, 52)]
)

# One bad chart file per file-level reason: (name, bytes).
BAD_FILES: dict[str, tuple[str, bytes]] = {
    "empty_file": (WEEKLY, b""),
    "html_page": (WEEKLY, b"<!DOCTYPE html><html><body>Log in</body></html>"),
    "not_utf8": (WEEKLY, current_chart([1]).replace(b"Song 1", "Caf\xe9".encode("cp1252"))),
    "malformed_csv": (WEEKLY, current_file(['1,"spotify:track:x" oops,a,b,c,1,1,1,"5"'])),
    "semicolon_separated": (
        WEEKLY,
        current_file(
            [],
            header="rank;uri;artist_names;track_name;"
            "source;peak_rank;previous_rank;weeks_on_chart;streams",
        ),
    ),
    "doubled_quoting": (
        WEEKLY,
        current_file(
            [current_line(1)],
            header=",".join(f'"""{c}"""' for c in CURRENT_WEEKLY_HEADER.split(",")),
        ),
    ),
    "missing_header": (WEEKLY, current_line(1).encode() + b"\n"),
    "wrong_columns": (WEEKLY, current_file([current_line(1)], header=CURRENT_DAILY_HEADER)),
    "unknown_file_name": ("chart.csv", GOOD),
    "chart_date_required": ("regional-global-weekly-latest.csv", older_file([older_line(1)])),
    "bad_chart_date": ("regional-global-weekly-2022-01-14.csv", GOOD),
    "bad_row_shape": (WEEKLY, current_file([current_line(1), "2,x"])),
    "bad_rank": (WEEKLY, current_file([current_line(1).replace("1,", "one,", 1)])),
    "repeated_rank": (WEEKLY, current_chart([1, 2, 2])),
    "missing_rank": (WEEKLY, current_chart([1, 3])),
    "rank_out_of_range": ("viral-global-weekly-2022-01-13.csv", VIRAL_ROWS.encode()),
    "bad_streams": (WEEKLY, current_file([current_line(1, streams='"3.2E+07"')])),
    "bad_number": (WEEKLY, current_file([current_line(1, previous="n/a")])),
    "bad_track_uri": (WEEKLY, current_file([current_line(1).replace("spotify:track:", "x:")])),
    "repeated_track": (
        WEEKLY,
        current_file([current_line(1), current_line(2).replace(track_id(2), track_id(1))]),
    ),
}

# An archive: Argentina top200, Peru viral50 and Italy top200 are good; the rest rejected.
ARCHIVE_LINES = [
    *(archive_line(r) for r in (1, 2, 3)),  # good
    archive_line(1, region="Atlantis"),  # unknown_region, a row alone
    archive_line(1, chart="top50"),  # unknown_chart, a row alone
    archive_line(1, date="2017/01/01"),  # bad_date, a row alone
    "only,three,fields",  # bad_row_shape, a row alone
    *(archive_line(r, chart="viral50", region="Peru") for r in (1, 2)),  # good
    *(archive_line(r, region="Chile") for r in (1, 2, 2)),  # repeated_rank
    *(archive_line(r, region="Brazil") for r in (1, 3)),  # missing_rank
    archive_line(1, region="Mexico", streams="12,5"),  # bad_row_shape: 10 fields
    *(archive_line(r, region="Spain") for r in (1, 2)),
    archive_line(1, region="Italy"),  # good: one run
    archive_line(3, region="Spain"),  # chart_not_contiguous: Spain split by Italy
    *(archive_line(r, region="France", streams="1e6" if r == 2 else "") for r in (1, 2)),
    *(archive_line(r, region="Japan").replace("open.spotify", "x.spotify") for r in (1,)),
    archive_line(201, region="Germany"),  # rank_out_of_range
    archive_line(0, region="Greece"),  # bad_rank
    archive_line(1, region="Poland", date="2017-01-02", chart="viral50", streams="5"),
    # repeated_track: Colombia's rank 2 names rank 1's track
    archive_line(1, region="Colombia"),
    archive_line(2, region="Colombia").replace(track_id(2), track_id(1)),
]
ARCHIVE = archive_file(ARCHIVE_LINES)


def python_archive(data: bytes) -> tuple[list[tuple], C.ArchiveReport]:
    source = C.open_chart_file("a.csv", lambda: io.BytesIO(data))
    entries = [tuple(e) for chart in source.charts() for e in chart.entries]
    return entries, source.report


def test_every_rejection_is_quarantined_and_counted(spark, tmp_path):
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    for reason, (name, data) in BAD_FILES.items():
        # The fixtures are what they claim: chart_files rejects each for its reason.
        with pytest.raises(C.ChartFileError) as error:
            C.parse_chart_bytes(name, data)
        assert error.value.reason == reason, (reason, error.value)
        write(drop, f"{reason}/{name}", data)
    write(drop, "archive/20260101T000000000000Z_" + SHA + "a.csv", ARCHIVE)
    # An archive with a non-UTF-8 row far after its head (its head reads well): the whole
    # file is rejected, as chart_files rejects it.
    good_days = [archive_line(r, date=f"2016-{m:02d}-01") for m in range(1, 13) for r in (1, 2)]
    latin = archive_file([*good_days * 20, archive_line(2).replace("Song 2", "Caf\xe9")])
    latin = latin.decode("utf-8").encode("cp1252")
    C.open_chart_file("archive.csv", lambda: io.BytesIO(latin))  # the head is fine
    with pytest.raises(C.ChartFileError, match="not_utf8"):
        python_archive(latin)
    write(drop, "late/archive.csv", latin)

    summary = run_chart_job(spark, str(drop), str(curated), run_id="bad")

    expected_files = Counter(list(BAD_FILES))
    expected_files["not_utf8"] += 1  # the archive
    assert summary["rejections"]["files"] == {
        r: expected_files.get(r, 0) for r in C.REJECTION_REASONS
    }
    assert summary["files_read"] == len(BAD_FILES) + 2
    assert summary["files_quarantined"] == len(BAD_FILES) + 1
    assert summary["files_accepted"] == 1

    records = [
        json.loads(line)
        for line in (curated / CHART_BOOKS.quarantine / "run_id=bad" / "part-00000.json")
        .read_text()
        .splitlines()
    ]
    by_path = {r["path"]: r for r in records}
    for reason, (name, _data) in BAD_FILES.items():
        record = by_path[f"file:{drop / reason / name}"]
        assert record["reason"] == reason and record["detail"] and record["run_id"] == "bad"
    assert by_path[f"file:{drop / 'late' / 'archive.csv'}"]["reason"] == "not_utf8"

    # The archive: Spark's reader agrees with chart_files row for row and reason for reason.
    entries, report = python_archive(ARCHIVE)
    assert summary["rejections"]["archive_rows"] == dict(report.rows_rejected)
    # chart_files counts a split chart once per run of its rows (Spain: 2); the job counts
    # charts.
    assert report.charts_rejected["chart_not_contiguous"] == 2
    assert summary["rejections"]["archive_charts"] == {
        **report.charts_rejected,
        "chart_not_contiguous": 1,
    }
    assert summary["rows_read"] == report.rows_read
    fact = table(spark, curated, FACT)
    fields = C.ENTRY_FIELDS
    assert sorted(tuple(r[f] for f in fields) for r in fact) == sorted(entries)
    assert summary["rows_written"][FACT] == report.rows_accepted == 6
    assert {r["chart_id"] for r in fact} == {
        "regional-ar-daily",
        "viral-pe-daily",
        "regional-it-daily",
    }
    # Every row and chart reason but bad_number (archives have no such column).
    row_reasons = C.REJECTION_REASONS[C.REJECTION_REASONS.index("bad_row_shape") :]
    assert set(report.rows_rejected) == set(row_reasons) - {"bad_number"}
    assert report.charts_rejected["repeated_track"] == 1
    assert report.rows_rejected["repeated_track"] == 2
    # Nothing lost: rows read = written + rejected (+ superseded, none here).
    assert summary["rows_read"] == 6 + sum(report.rows_rejected.values())


def test_archive_expressions_follow_chart_files_on_tricky_values(spark, tmp_path):
    """Streams written by pandas ("253019.0"), quoted names with commas and quotes, blank
    lines, padded keys, 2-letter codes, URLs with a query, a viral row's empty streams."""
    lines = [
        '"Song, with ""quotes""",1,2017-01-01,"Artist, The",'
        f"https://open.spotify.com/track/{track_id(1)}?si=abc,Argentina,top200,,253019.0",
        "",
        f"Song 2, 2 , 2017-01-01 ,A,https://open.spotify.com/track/{track_id(2)}, argentina ,"
        "top200,MOVE_UP,7",
        f"V,1,2017-01-01,B,https://open.spotify.com/track/{track_id(3)},DE,viral50,NEW_ENTRY,",
        f"W,1,2017-01-01,B,https://open.spotify.com/track/{track_id(3)},Uk,top200,,12.5",
    ]
    data = archive_file(lines)
    entries, report = python_archive(data)
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    write(drop, "a.csv", data)
    summary = run_chart_job(spark, str(drop), str(curated))
    fact = table(spark, curated, FACT)
    assert sorted(tuple(r[f] for f in C.ENTRY_FIELDS) for r in fact) == sorted(entries)
    assert summary["rejections"]["archive_charts"] == dict(report.charts_rejected)
    assert summary["rejections"]["archive_rows"] == dict(report.rows_rejected)
    assert len(entries) == 3
    first = next(r for r in fact if r["rank"] == 1 and r["region"] == "ar")
    assert (first["track_name"], first["artist_names"], first["streams"]) == (
        'Song, with "quotes"',
        "Artist, The",
        253019,
    )


def test_archive_keys_padded_with_any_whitespace_python_strips(spark, tmp_path):
    """chart_files strips values with str.strip(): every Unicode space, and the separators
    U+001C..U+001F that Python counts as whitespace and Java's \\s does not."""
    pads = ["\u00a0", "\u3000", "\t", "\x1c", "\x1f", "\u2003", " "]
    lines = []
    for rank in range(1, 8):
        left, right = pads[rank % len(pads)], pads[(rank + 3) % len(pads)]
        lines.append(
            f"Song {rank},{left}{rank}{right},{right}2017-01-01{left},A,"
            f"{left}https://open.spotify.com/track/{track_id(rank)}{right},"
            f"{left}Argentina{right},{right}top200{left},{left}MOVE_UP{right},"
            f"{right}{1000 - rank}.0{left}"
        )
    data = archive_file(lines)
    entries, report = python_archive(data)
    assert len(entries) == 7 and not report.rows_rejected  # Python strips every pad
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    write(drop, "a.csv", data)
    summary = run_chart_job(spark, str(drop), str(curated))
    fact = table(spark, curated, FACT)
    assert sorted(tuple(r[f] for f in C.ENTRY_FIELDS) for r in fact) == sorted(entries)
    assert summary["rejections"]["archive_rows"] == {}


# One bad character per archive: in a field with a rule (region, URL: the row breaks the
# rule too) or in free text (title, artist).
BAD_CHARACTERS = {
    "b": ("region", "Per\xfa", "not_utf8"),  # Latin-1 "Perú": no UTF-8
    "c": ("url", "\x00", "malformed_csv"),
    "d": ("title", "Caf\xe9", "not_utf8"),
    "e": ("artist", "A\x00", "malformed_csv"),
}


def test_a_bad_character_in_any_field_rejects_its_whole_archive_alone(spark, tmp_path):
    """Far after a head that reads well, in any field: the whole archive is rejected, as
    chart_files rejects it, and only that archive (a good one in the same run is written)."""
    good = [archive_line(r, date=f"2016-{m:02d}-01") for m in range(1, 13) for r in (1, 2)]
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    name = "archive/20260101T000000000000Z_" + SHA + "{}.csv"
    for suffix, (field, bad, reason) in BAD_CHARACTERS.items():
        fields = [f.encode("utf-8") for f in archive_line(2).split(",")]
        fields[{"title": 0, "artist": 3, "url": 4, "region": 5}[field]] += bad.encode("latin-1")
        data = archive_file(good * 20) + b",".join(fields) + b"\n"
        with pytest.raises(C.ChartFileError, match=reason):
            python_archive(data)
        write(drop, name.format(suffix), data)
    write(drop, name.format("a"), archive_file(good))
    summary = run_chart_job(spark, str(drop), str(curated), run_id="bad")
    assert summary["rejections"]["files"] == {
        r: sum(reason == r for _f, _b, reason in BAD_CHARACTERS.values())
        for r in C.REJECTION_REASONS
    }
    records = (curated / CHART_BOOKS.quarantine / "run_id=bad" / "part-00000.json").read_text()
    reasons = {
        json.loads(line)["path"]: json.loads(line)["reason"] for line in records.splitlines()
    }
    assert reasons == {
        f"file:{drop / name.format(suffix)}": reason
        for suffix, (_f, _b, reason) in BAD_CHARACTERS.items()
    }
    assert summary["rows_written"][FACT] == len(good)  # the good archive, whole


def test_files_whose_names_hold_glob_characters_are_read_as_themselves(spark, tmp_path):
    """Spark globs the paths it reads: a file named ``notes [draft].csv`` once failed every
    run, and ``a[1].csv`` would have read ``a1.csv``. Each is read as itself: the bad name is
    quarantined with chart_files' reason, the archive and the chart beside it are written."""
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    notes = write(drop, "notes [draft].csv", current_chart(range(1, 4)))
    with pytest.raises(C.ChartFileError) as error:
        C.parse_chart_bytes(notes.name, notes.read_bytes())
    archive = write(drop, "backfill {2017} [1].csv", archive_file([archive_line(1)]))
    other_day = [archive_line(r, date="2016-02-01") for r in (1, 2)]  # another chart
    write(drop, "backfill {2017} 1.csv", archive_file(other_day))
    write_first_week(drop)
    summary = run_chart_job(spark, str(drop), str(curated), run_id="globs")
    assert summary["status"] == "ok"
    assert (summary["files_read"], summary["files_quarantined"]) == (4, 1)
    records = (curated / CHART_BOOKS.quarantine / "run_id=globs" / "part-00000.json").read_text()
    assert [(json.loads(r)["path"], json.loads(r)["reason"]) for r in records.splitlines()] == [
        (f"file:{notes}", error.value.reason)
    ]
    rows = Counter(r["source_file"] for r in table(spark, curated, FACT))
    assert rows[f"file:{archive}"] == 1  # its own row, not its neighbour's two
    assert sum(rows.values()) == 3 + 1 + 2


def test_repeated_tracks_are_settled_by_the_ids_when_their_hashes_collide(
    spark, tmp_path, monkeypatch
):
    """A chart's tracks are compared by 64-bit hashes first; a chart whose hashes repeat is
    judged again by its ids. With every id given the same hash (every chart with two rows
    looks repeated), only the chart that really repeats a track is rejected."""
    import glue_jobs.charts_pipeline as P

    monkeypatch.setattr(P, "track_hash", lambda track_id: F.when(track_id.isNotNull(), F.lit(7)))
    lines = [archive_line(r, date="2017-01-01") for r in (1, 2, 3)]
    repeat = [archive_line(r, date="2017-01-02") for r in (1, 2, 3)]
    repeat[2] = repeat[2].replace(track_id(3), track_id(1))
    data = archive_file(lines + repeat)
    entries, report = python_archive(data)
    assert dict(report.charts_rejected) == {"repeated_track": 1}  # chart_files agrees
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    write(drop, "archive/20260101T000000000000Z_" + SHA + "a.csv", data)
    summary = run_chart_job(spark, str(drop), str(curated))
    assert summary["rejections"]["archive_charts"] == {"repeated_track": 1}
    assert summary["rejections"]["archive_rows"] == {"repeated_track": 3}
    fact = table(spark, curated, FACT)
    assert sorted(tuple(r[f] for f in C.ENTRY_FIELDS) for r in fact) == sorted(entries)
    assert [r["chart_date"] for r in fact] == [date(2017, 1, 1)] * 3


def test_an_archive_too_large_to_read_whole_gives_the_same_rows(spark, tmp_path, monkeypatch):
    """Above WHOLE_FILE_LIMIT only the head is read on the driver (LakeFS.read_head) to
    recognise the archive; its rows come from Spark's CSV reader as for a small one."""
    import glue_jobs.charts_pipeline as P

    lines = [
        f"Song {r},{r},2017-01-0{d},Artist {r},https://open.spotify.com/track/{track_id(r)},"
        f"Argentina,top200,SAME_POSITION,{1000 - r}"
        for d in (1, 2)
        for r in (1, 2, 3)
    ]
    data = archive_file(lines)
    entries, _report = python_archive(data)
    monkeypatch.setattr(P, "WHOLE_FILE_LIMIT", len(data) - 1)
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    write(drop, "big.csv", data)
    summary = run_chart_job(spark, str(drop), str(curated))
    assert summary["files_quarantined"] == 0
    assert summary["archives_accepted"] == 1
    fact = table(spark, curated, FACT)
    assert sorted(tuple(r[f] for f in C.ENTRY_FIELDS) for r in fact) == sorted(entries)
    assert len(entries) == 6


# ---------------------------------------------------------------------------------------
# Latest wins, re-runs, reset
# ---------------------------------------------------------------------------------------


def daily_ar(streams_base: int) -> bytes:
    """regional-ar-daily-2017-01-01 in today's format, ranks 1-3."""
    return current_file(
        [current_line(r, streams=f'"{streams_base + r}"') for r in (1, 2, 3)],
        header=CURRENT_DAILY_HEADER,
    )


def test_latest_wins_reruns_and_reset(spark, tmp_path):
    drop, curated = tmp_path / "drop", tmp_path / "curated"
    chart = "regional-global-weekly"
    # Run 1: a weekly chart, and an archive holding Argentina's daily chart of 2017-01-01.
    write(drop, key(chart, "2022-01-13", "20260101T000000000000Z", 1), current_chart(range(1, 4)))
    write(
        drop,
        "archive/20260101T000000000001Z_" + SHA + "2.csv",
        archive_file([archive_line(r) for r in (1, 2)]),
        mtime=1_700_000_000,
    )
    first = run_chart_job(spark, str(drop), str(curated), run_id="r1")
    assert first["rows_written"] == {FACT: 5, DIM: 2}

    # Run 2: a corrected weekly download added later (2 rows) wins whole over run 1's; an
    # older one added earlier loses; a single daily file dropped later than the archive's
    # key wins over the archive's chart.
    write(
        drop,
        key(chart, "2022-01-13", "20260102T000000000000Z", 3),
        current_chart(range(1, 3)).replace(b'"999"', b'"5"'),
    )
    write(drop, key(chart, "2022-01-13", "20251231T000000000000Z", 4), current_chart(range(1, 5)))
    write(drop, "mine/regional-ar-daily-2017-01-01.csv", daily_ar(100), mtime=1_800_000_000)
    second = run_chart_job(spark, str(drop), str(curated), run_id="r2")
    assert second["files_read"] == 3
    # The old download (4 rows) loses to the lake's later one, then both lose to run 2's
    # newest: superseded counts this run's rows only.
    assert second["rejections"][FACT]["superseded"] == 4
    assert second["rejections"][DIM]["superseded"] == 1
    assert second["rows_written"] == {FACT: 5, DIM: 2}

    after = tables(spark, curated)
    weekly = [r for r in after[FACT] if r["chart_id"] == chart]
    assert [r["rank"] for r in weekly] == [1, 2]
    assert {r["source_file"] for r in weekly} == {
        f"file:{drop / key(chart, '2022-01-13', '20260102T000000000000Z', 3)}"
    }
    assert weekly[0]["streams"] == 5  # current_line(1)'s "999" replaced
    assert weekly[0]["added_at"] == datetime(2026, 1, 2)
    ar = [r for r in after[FACT] if r["chart_id"] == "regional-ar-daily"]
    assert [(r["rank"], r["streams"], r["days_on_chart"]) for r in ar] == [
        (1, 101, 1),
        (2, 102, 1),
        (3, 103, 1),
    ]
    dim = {r["chart_id"]: r for r in after[DIM]}
    assert (dim[chart]["entries"], dim[chart]["total_streams"]) == (2, 5 + 998)
    assert (dim["regional-ar-daily"]["entries"], dim["regional-ar-daily"]["total_streams"]) == (
        3,
        306,
    )

    # Re-running changes nothing; a reset reads everything again, to the same tables.
    again = run_chart_job(spark, str(drop), str(curated), run_id="r3")
    assert again["status"] == "no_new_files" and again["files_read"] == 0
    assert tables(spark, curated) == after
    reset = run_chart_job(spark, str(drop), str(curated), run_id="r4", reset_bookmark=True)
    assert reset["files_read"] == 5
    assert tables(spark, curated) == after
    runs = sorted(p.name for p in (curated / CHART_BOOKS.runs).glob("*.json"))
    assert runs == ["r1.json", "r2.json", "r3.json", "r4.json"]
    assert not list((curated / "_runs").glob("*.json"))  # the playlist job's summaries


# ---------------------------------------------------------------------------------------
# Crash safety
# ---------------------------------------------------------------------------------------


def crash_drop(drop: Path) -> Path:
    """The crash tests' drop zone: a weekly chart and an archive."""
    write_first_week(drop)
    write(
        drop,
        "archive/20260101T000000000001Z_" + SHA + "2.csv",
        archive_file([archive_line(r) for r in (1, 2)]),
    )
    return drop


def tables_below(spark, curated: Path, drop: Path) -> dict[str, list[dict]]:
    """:func:`tables` with each ``source_file`` relative to ``drop``."""
    prefix = f"file:{drop}/"
    return {
        name: [{**r, "source_file": r["source_file"].removeprefix(prefix)} for r in rows]
        for name, rows in tables(spark, curated).items()
    }


@pytest.fixture(scope="module")
def clean_crash_tables(spark, tmp_path_factory) -> dict[str, list[dict]]:
    """The tables of one clean run over :func:`crash_drop`: what every crash converges to."""
    root = tmp_path_factory.mktemp("clean")
    drop = crash_drop(root / "drop")
    run_chart_job(spark, str(drop), str(root / "curated"), run_id="clean")
    return tables_below(spark, root / "curated", drop)


@pytest.mark.parametrize("point", ["stage", "publish_partial", "publish"])
def test_a_crash_at_any_point_converges_and_never_loses_the_work_list(
    spark, clean_crash_tables, tmp_path, point
):
    """The next run after a crash leaves the tables of one clean run, and the enrichment's
    work list (docs/charts.md), which is written after publishing and before committing: by
    the roll-forward of the crashed run, or by the re-read of its files."""
    raw, crashed = tmp_path / "raw", tmp_path / "crashed"
    drop = crash_drop(raw / "charts")
    with pytest.raises(InjectedFailure):
        run_chart_job(spark, str(drop), str(crashed), run_id="crash", fail_after=point)
    assert work_lists(raw) == {}
    summary = run_chart_job(spark, str(drop), str(crashed), run_id="next")
    if point == "stage":  # no manifest: the staging is dropped, the files read again
        assert summary["files_read"] == 2 and summary["rolled_forward_runs"] == []
    else:  # a manifest: rolled forward, its files committed
        assert summary["status"] == "no_new_files"
        assert summary["rolled_forward_runs"] == ["crash"]
    assert tables_below(spark, crashed, drop) == clean_crash_tables
    assert clean_crash_tables[FACT]  # the comparison is over rows
    assert not any((crashed / CHART_BOOKS.staging).iterdir())
    owner = "next" if point == "stage" else "crash"  # re-read, or rolled forward
    assert work_lists(raw) == {
        f"enrichment/todo/charts-{owner}.txt": [track_id(1), track_id(2), track_id(3)]
    }


# ---------------------------------------------------------------------------------------
# The enrichment work list: <raw root>/enrichment/todo/charts-<run_id>.txt
# ---------------------------------------------------------------------------------------


def work_lists(raw: Path) -> dict[str, list[str]]:
    """Every work list as the enrichment reads them: its own listing, reader and parser."""
    store = LocalRawStore(raw)
    lists = {}
    for key in store.list_keys("enrichment/todo/"):
        body, _version = store.get(key)
        refs = read_work_list(body, key)
        ids = [parse_track_reference(r)[0] for r in refs]
        assert None not in ids, (key, refs)
        lists[key] = ids
    return lists


def test_each_run_that_writes_rows_leaves_the_track_ids_it_wrote_for_the_enrichment(
    spark, tmp_path
):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    drop = raw / "charts"
    chart = "regional-global-weekly"
    # Ranks 1-3 (tracks T..1, T..2, T..3); an archive's Argentina chart, ranks 1-2 (the same
    # tracks 1 and 2); a bad file (quarantined: none of its tracks).
    write(drop, key(chart, "2022-01-13", "20260101T000000000000Z", 1), current_chart(range(1, 4)))
    write(drop, "archive/20260101T000000000001Z_" + SHA + "2.csv", archive_file(
        [archive_line(r) for r in (1, 2)]
    ))  # fmt: skip
    write(drop, "bad/" + WEEKLY, current_chart([1, 2, 2]))
    first = run_chart_job(spark, str(drop), str(curated), run_id="r1")
    target = raw / "enrichment" / "todo" / "charts-r1.txt"
    assert first["enrichment_todo"] == {"path": f"file:{target}", "track_ids": 3}
    assert target.read_text() == "".join(f"{track_id(r)}\n" for r in (1, 2, 3))
    assert work_lists(raw) == {
        "enrichment/todo/charts-r1.txt": [track_id(1), track_id(2), track_id(3)]
    }
    assert [p.name for p in target.parent.iterdir()] == ["charts-r1.txt"]  # no temporary left

    # Nothing new: nothing written.
    again = run_chart_job(spark, str(drop), str(curated), run_id="r2")
    assert again["status"] == "no_new_files" and again["enrichment_todo"] is None
    # Only a file that loses to the lake's later one (and a bad one): no rows, no list.
    write(drop, key(chart, "2022-01-13", "20251231T000000000000Z", 3), current_chart(range(1, 6)))
    write(drop, "bad/regional-global-weekly-2022-01-20.csv", b"")
    lost = run_chart_job(spark, str(drop), str(curated), run_id="r3")
    assert lost["rows_written"][FACT] == 0 and lost["rejections"][FACT]["superseded"] == 5
    assert lost["enrichment_todo"] is None
    # A new week with tracks 1 and 4: the list has this run's ids only, even those the lake
    # already has (the enrichment skips ids it knows).
    write(
        drop,
        key(chart, "2022-01-20", "20260102T000000000000Z", 4),
        current_file([current_line(1), current_line(2).replace(track_id(2), track_id(4))]),
    )
    run_chart_job(spark, str(drop), str(curated), run_id="r4")
    assert work_lists(raw) == {
        "enrichment/todo/charts-r1.txt": [track_id(1), track_id(2), track_id(3)],
        "enrichment/todo/charts-r4.txt": [track_id(1), track_id(4)],
    }


def test_a_rolled_forward_run_whose_staged_list_is_gone_rebuilds_it_from_the_lake(spark, tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    drop = raw / "charts"
    write_first_week(drop)
    # The lake already has another week with track 9: not this run's, not in its list.
    write(
        drop,
        key("regional-global-weekly", "2022-01-20", "20260101T000000000000Z"),
        current_file([current_line(9).replace("9,", "1,", 1)]),
    )
    run_chart_job(spark, str(drop), str(curated), run_id="before")
    write(
        drop,
        key("regional-global-weekly", "2022-01-13", "20260102T000000000000Z", 2),
        current_chart(range(1, 3)),
    )
    with pytest.raises(InjectedFailure):
        run_chart_job(spark, str(drop), str(curated), run_id="crash", fail_after="publish")
    staging = curated / CHART_BOOKS.staging / "crash"
    shutil.rmtree(staging / "enrichment_todo")
    summary = run_chart_job(spark, str(drop), str(curated), run_id="next")
    assert summary["rolled_forward_runs"] == ["crash"]
    assert work_lists(raw)["enrichment/todo/charts-crash.txt"] == [track_id(1), track_id(2)]


def test_the_work_list_folder_is_beside_the_drop_zone():
    assert enrichment_todo_dir("s3://raw-bucket/charts/") == "s3://raw-bucket/enrichment/todo"
    assert enrichment_todo_dir("s3://raw-bucket/a/charts") == "s3://raw-bucket/a/enrichment/todo"
    assert enrichment_todo_dir("/lake/raw/charts") == "file:/lake/raw/enrichment/todo"
    assert enrichment_todo_dir("file:///lake/raw/charts/") == "file:/lake/raw/enrichment/todo"
    with pytest.raises(ValueError, match="bucket's root"):
        enrichment_todo_dir("s3://raw-bucket/")
