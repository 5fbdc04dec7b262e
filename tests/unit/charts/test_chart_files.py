"""glue_jobs.chart_files on single-chart files: the values of good files, the reason of bad ones.

Every expected value is written out from the hand-made bytes (tests/unit/charts/support.py):
rank r has track id ``T`` + r on 21 digits, artist ``Artist r``, song ``Song r``, label
``Label r``, peak r, and streams 1000 - r (current) or 5000 - r (older).
"""

from __future__ import annotations

from datetime import date

import pytest

from glue_jobs.chart_files import (
    ENTRY_FIELDS,
    REJECTION_REASONS,
    ChartEntry,
    ChartFileError,
    ChartIdentity,
    parse_chart_bytes,
)
from tests.unit.charts.support import (
    BOM,
    CURRENT_DAILY_HEADER,
    CURRENT_WEEKLY_HEADER,
    OLDER_HEADER,
    VIRAL_WEEKLY_HEADER,
    current_chart,
    current_file,
    current_line,
    older_file,
    older_line,
)

WEEKLY = "regional-global-weekly-2022-01-13.csv"


def reason_of(name: str, data: bytes, chart_date: date | None = None) -> ChartFileError:
    with pytest.raises(ChartFileError) as caught:
        parse_chart_bytes(name, data, chart_date=chart_date)
    assert caught.value.reason in REJECTION_REASONS
    return caught.value


def test_entry_fields_are_the_fact_table_columns():
    assert ChartEntry._fields == ENTRY_FIELDS
    assert ENTRY_FIELDS == (
        "chart_type", "region", "period", "chart_date", "rank", "track_id", "streams",
        "peak_rank", "previous_rank", "weeks_on_chart", "days_on_chart", "label",
        "artist_names", "track_name", "trend",
    )  # fmt: skip


def test_current_weekly_file():
    data = current_file(
        [
            '1,"spotify:track:4fouWK6XVHhzl78KzQ1UjL","GAYLE","abcdefu","Atlantic/Arthouse Records",1,2,9,"32267898"',
            '2,"spotify:track:5PjdY0CKGZdEuoNab3yDmX","The Kid LAROI, Justin Bieber","STAY (with Justin Bieber)","Columbia",1,1,27,"30097622"',
            '3,"spotify:track:1nH2PkJL1XoUq8oE6tBZoU","The Weeknd","Say ""hi""","",3,-1,1,"29522371"',
        ]
    )  # fmt: skip
    chart = parse_chart_bytes(WEEKLY, data)
    day = date(2022, 1, 13)
    assert chart.identity == ChartIdentity("regional", "global", "weekly", day)
    assert chart.source_format == "current"
    assert chart.entries == (
        ChartEntry("regional", "global", "weekly", day, 1, "4fouWK6XVHhzl78KzQ1UjL", 32267898,
                   1, 2, 9, None, "Atlantic/Arthouse Records", "GAYLE", "abcdefu", None),
        ChartEntry("regional", "global", "weekly", day, 2, "5PjdY0CKGZdEuoNab3yDmX", 30097622,
                   1, 1, 27, None, "Columbia", "The Kid LAROI, Justin Bieber",
                   "STAY (with Justin Bieber)", None),
        ChartEntry("regional", "global", "weekly", day, 3, "1nH2PkJL1XoUq8oE6tBZoU", 29522371,
                   3, None, 1, None, None, "The Weeknd", 'Say "hi"', None),
    )  # fmt: skip


def test_current_daily_file_counts_days_and_crlf_is_read():
    lines = [current_line(1, previous="4"), current_line(2)]
    data = BOM + ("\r\n".join([CURRENT_DAILY_HEADER, *lines]) + "\r\n").encode()
    chart = parse_chart_bytes("regional-us-daily-2023-01-21.csv", data)
    day = date(2023, 1, 21)
    assert chart.identity == ChartIdentity("regional", "us", "daily", day)
    assert [(e.rank, e.previous_rank, e.weeks_on_chart, e.days_on_chart, e.streams)
            for e in chart.entries] == [(1, 4, None, 1, 999), (2, None, None, 1, 998)]  # fmt: skip


def test_viral_weekly_file_has_no_streams():
    lines = [f'{r},"spotify:track:T{r:021d}","A","S","L",{r},-1,2' for r in range(1, 51)]
    chart = parse_chart_bytes(
        "viral-gb-weekly-2023-01-19.csv", current_file(lines, VIRAL_WEEKLY_HEADER)
    )
    assert chart.identity == ChartIdentity("viral", "gb", "weekly", date(2023, 1, 19))
    assert len(chart.entries) == 50
    assert {e.streams for e in chart.entries} == {None}
    assert chart.entries[49].rank == 50 and chart.entries[49].weeks_on_chart == 2


def test_older_weekly_range_maps_to_the_thursday_before_the_second_friday():
    data = older_file(
        [
            '1,"The Box","Roddy Ricch",46164667,https://open.spotify.com/track/0nbXyq5TXYPCO7pr3N8S4I',
            "2,Tusa,KAROL G,32155090,https://open.spotify.com/track/7k4t7uLgtOxPwTpFmtJNTY",
        ]
    )  # fmt: skip
    chart = parse_chart_bytes("regional-global-weekly-2020-02-07--2020-02-14.csv", data)
    day = date(2020, 2, 13)
    assert chart.source_format == "older"
    assert chart.entries == (
        ChartEntry("regional", "global", "weekly", day, 1, "0nbXyq5TXYPCO7pr3N8S4I", 46164667,
                   None, None, None, None, None, "Roddy Ricch", "The Box", None),
        ChartEntry("regional", "global", "weekly", day, 2, "7k4t7uLgtOxPwTpFmtJNTY", 32155090,
                   None, None, None, None, None, "KAROL G", "Tusa", None),
    )  # fmt: skip


def test_older_file_without_note_line_and_older_viral_without_streams():
    plain = parse_chart_bytes(
        "regional-de-daily-2019-05-03.csv", older_file([older_line(1)], note=False)
    )
    assert plain.entries[0].streams == 4999
    assert plain.identity == ChartIdentity("regional", "de", "daily", date(2019, 5, 3))
    viral = older_file(
        ["1,Song,Artist,https://open.spotify.com/track/T000000000000000000001"],
        note=False,
        header="Position,Track Name,Artist,URL",
    )
    chart = parse_chart_bytes("viral-global-daily-2019-05-03.csv", viral)
    assert chart.entries[0].streams is None
    assert chart.entries[0].track_id == "T000000000000000000001"


def test_latest_needs_a_chart_date_and_takes_it():
    data = older_file([older_line(1)])
    error = reason_of("regional-global-weekly-latest.csv", data)
    assert error.reason == "chart_date_required"
    chart = parse_chart_bytes(
        "regional-global-weekly-latest.csv", data, chart_date=date(2020, 2, 13)
    )
    assert chart.identity.chart_date == date(2020, 2, 13)


def test_renamed_copies_still_name_their_chart():
    data = current_chart(range(1, 3))
    for name in (
        "regional-global-weekly-2022-01-13 (1).csv",
        "someone__repo__regional-global-weekly-2022-01-13.csv",
        "REGIONAL-GLOBAL-WEEKLY-2022-01-13.CSV",
    ):
        assert parse_chart_bytes(name, data).identity.chart_date == date(2022, 1, 13)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (BOM + b"\r\n \n", "empty_file"),
        (current_file([]), "empty_file"),
        (b"<!DOCTYPE html>\n<html><head><title>Spotify Charts</title>", "html_page"),
        (BOM + b"  <html>", "html_page"),
        (current_file([current_line(1)]).replace(b"Artist 1", b"Beyonc\xe9"), "not_utf8"),
        (current_file([current_line(1)]).replace(b"Song 1", b"So\x00ng"), "malformed_csv"),
        ("rank,uri\n".encode("utf-16"), "malformed_csv"),
        (current_file([current_line(1)]).replace(b'"Song 1"', b'"Song" 1'), "malformed_csv"),
        (current_file([current_line(1)]).replace(b'"999"', b'"999'), "malformed_csv"),
        (current_file([current_line(1)]).replace(b",", b";"), "semicolon_separated"),
        (
            current_file(
                [current_line(1)],
                header='"""rank""","""uri""","""artist_names""","""track_name""","""source""",'
                '"""peak_rank""","""previous_rank""","""weeks_on_chart""","""streams"""',
            ),
            "doubled_quoting",
        ),
        (
            current_file(['"1,""spotify:track:T000000000000000000001"",""A"""']),
            "bad_row_shape",
        ),
        (
            current_file(['1,"""spotify:track:T000000000000000000001""",A,S,L,1,-1,1,"5"']),
            "doubled_quoting",
        ),
        (BOM + (current_line(1) + "\n" + current_line(2)).encode(), "missing_header"),
        (current_file([current_line(1)], header=CURRENT_WEEKLY_HEADER + ",extra"), "wrong_columns"),
        (current_file([current_line(1)], header=CURRENT_DAILY_HEADER), "wrong_columns"),
        (current_file([current_line(1) + ",7"]), "bad_row_shape"),
        (current_file([current_line(1).replace("1,", "x,", 1)]), "bad_rank"),
        (current_file([current_line(1).replace("1,", "0,", 1)]), "bad_rank"),
        (current_file([current_line(1), current_line(2), current_line(2)]), "repeated_rank"),
        (current_file([current_line(1), current_line(3)]), "missing_rank"),
        (current_chart(range(1, 202)), "rank_out_of_range"),
        (current_file([current_line(1, streams='"3.2E+07"')]), "bad_streams"),
        (current_file([current_line(1, streams='"32,267,898"')]), "bad_streams"),
        (current_file([current_line(1, streams="")]), "bad_streams"),
        (current_file([current_line(1, streams='"-5"')]), "bad_streams"),
        (current_file([current_line(1, previous="n/a")]), "bad_number"),
        (current_file([current_line(1).replace("spotify:track:", "spotify:album:")]), "bad_track_uri"),
        (current_file([current_line(1).replace("T000", "T00")]), "bad_track_uri"),
    ],
)  # fmt: skip
def test_bad_current_weekly_files_are_rejected_with_their_reason(data, reason):
    assert reason_of(WEEKLY, data).reason == reason


def test_a_full_200_chart_is_accepted_and_a_viral_chart_stops_at_50():
    assert len(parse_chart_bytes(WEEKLY, current_chart(range(1, 201))).entries) == 200
    lines = [f'{r},"spotify:track:T{r:021d}","A","S","L",{r},-1,2' for r in range(1, 52)]
    error = reason_of("viral-gb-weekly-2023-01-19.csv", current_file(lines, VIRAL_WEEKLY_HEADER))
    assert error.reason == "rank_out_of_range"
    assert error.detail == "line 52: rank 51 is beyond this chart's 50"


def test_viral_name_with_a_regional_header_is_wrong_columns():
    error = reason_of("viral-gb-weekly-2023-01-19.csv", current_chart(range(1, 3)))
    assert error.reason == "wrong_columns"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("top-songs.csv", "unknown_file_name"),
        ("regional-global-monthly-2022-01-13.csv", "unknown_file_name"),
        ("regional-global-weekly-2022-01-13.csv.txt", "unknown_file_name"),
        ("citytoplist-london-weekly-2022-01-13.csv", "unknown_file_name"),
        # Letters and digits that only Unicode case-folding or \d read as ASCII ones.
        ("regional-\u017fe-weekly-2022-01-13.csv", "unknown_file_name"),  # long s
        ("regional-\u0131t-weekly-2022-01-13.csv", "unknown_file_name"),  # dotless i
        ("regional-global-wee\u212aly-2022-01-13.csv", "unknown_file_name"),  # Kelvin sign
        ("regional-global-weekly-\uff12022-01-13.csv", "unknown_file_name"),  # fullwidth 2
        ("regional-global-weekly-2022-01-12.csv", "bad_chart_date"),  # a Wednesday
        ("regional-global-weekly-2022-02-30.csv", "bad_chart_date"),
        ("regional-global-weekly-2020-02-07--2020-02-21.csv", "bad_chart_date"),  # 14 days
        ("regional-global-weekly-2020-02-06--2020-02-13.csv", "bad_chart_date"),  # Thursdays
        ("regional-global-daily-2020-02-06--2020-02-07.csv", "bad_chart_date"),
    ],
)
def test_names_that_name_no_chart(name, reason):
    assert reason_of(name, current_chart(range(1, 3))).reason == reason


def test_a_chart_date_for_a_dated_name_and_a_wednesday_for_latest_are_refused():
    data = older_file([older_line(1)])
    error = reason_of(WEEKLY, current_chart(range(1, 3)), chart_date=date(2022, 1, 13))
    assert error.reason == "bad_chart_date"
    error = reason_of("regional-global-weekly-latest.csv", data, chart_date=date(2020, 2, 12))
    assert error.reason == "bad_chart_date"


def test_rejection_details_say_where():
    error = reason_of(WEEKLY, current_file([current_line(1), current_line(2, streams='"12.5"')]))
    assert error.detail == "line 3: streams '12.5' is not a non-negative integer"
    error = reason_of(WEEKLY, current_file([current_line(1), current_line(3), current_line(4)]))
    assert error.detail == "3 rows but rank 2 is missing (1 missing in all)"


def test_older_header_quoting_variants_are_the_same_header():
    for header in (OLDER_HEADER, "Position,Track Name,Artist,Streams,URL",
                   '"Position","Track Name","Artist","Streams","URL"'):  # fmt: skip
        chart = parse_chart_bytes(
            "regional-global-weekly-2020-02-07--2020-02-14.csv",
            older_file([older_line(1)], header=header),
        )
        assert chart.entries[0].streams == 4999


def test_the_module_imports_neither_spark_nor_boto3():
    # It ships in the Glue library and runs in the drop-zone tool on a laptop.
    import subprocess
    import sys

    code = (
        "import sys, glue_jobs.chart_files; "
        "print(sorted(m for m in ('pyspark', 'boto3', 'botocore') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
