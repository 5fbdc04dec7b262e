"""glue_jobs.chart_files: a number is accepted only if it fits its table column, a date only
as ``YYYY-MM-DD``.

The int columns (rank, peak_rank, previous_rank, weeks/days_on_chart) are 32-bit, streams of at
most 16 digits (the Spark job's archive reader has the same rule), so that a chart's
total_streams, a bigint summing at most 200 of them, cannot overflow: a file the drop-zone tool
accepts cannot fail the chart job when its rows are built. A number of over
4300 digits, which Python's int() refuses, is a rejection like any other.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest

from glue_jobs.chart_files import (
    MAX_RANK,
    STREAMS_MAX_DIGITS,
    ChartFileError,
    open_chart_file,
    parse_chart_bytes,
)
from tests.unit.charts.support import (
    archive_file,
    archive_line,
    current_file,
    current_line,
    older_file,
    older_line,
)

WEEKLY = "regional-global-weekly-2022-01-13.csv"
HUGE = "9" * 5000  # past Python's 4300-digit limit for int()
PEAK, PREVIOUS, WEEKS = 5, 6, 7  # field positions in a current-format row


def current_with(field: int, value: str) -> bytes:
    """A one-row current-format chart with ``value`` in the row's ``field``."""
    fields = current_line(1).split(",")
    fields[field] = value
    return current_file([",".join(fields)])


def rejection(data: bytes, name: str = WEEKLY) -> str:
    with pytest.raises(ChartFileError) as caught:
        parse_chart_bytes(name, data)
    return caught.value.reason


def archive_outcome(lines: list[str]) -> tuple[list, Counter]:
    """The archive's accepted charts (region, ranks, streams) and its rejected rows' reasons."""
    data = archive_file(lines)
    source = open_chart_file("charts.csv", lambda: io.BytesIO(data))
    charts = [
        (c.identity.region, [(e.rank, e.streams) for e in c.entries]) for c in source.charts()
    ]
    return charts, source.report.rows_rejected


def test_the_int_columns_take_every_32_bit_value():
    entry = parse_chart_bytes(
        WEEKLY,
        current_file([current_line(1).replace(",1,-1,1,", ",2147483647,-2147483648,2147483647,")]),
    ).entries[0]
    assert (entry.peak_rank, entry.previous_rank, entry.weeks_on_chart) == (
        2147483647,
        -2147483648,
        2147483647,
    )


@pytest.mark.parametrize(
    "field, value",
    [
        (PEAK, "2147483648"),
        (PEAK, "99999999999"),
        (PEAK, HUGE),
        (PREVIOUS, "-2147483649"),
        (PREVIOUS, "-" + HUGE),
        (WEEKS, "99999999999"),
    ],
)
def test_an_int_beyond_32_bits_is_a_bad_number(field, value):
    assert rejection(current_with(field, value)) == "bad_number"


def test_no_chart_total_of_streams_can_overflow_a_bigint():
    assert max(MAX_RANK.values()) * (10**STREAMS_MAX_DIGITS - 1) < 2**63


def test_streams_take_16_digits_and_not_17():
    most = "9999999999999999"
    entry = parse_chart_bytes(WEEKLY, current_file([current_line(1, streams=most)])).entries[0]
    assert entry.streams == 9999999999999999
    for streams in ("10000000000000000", "999999999999999999", "99999999999999999999", HUGE):
        assert rejection(current_file([current_line(1, streams=streams)])) == "bad_streams"
        older = "regional-us-weekly-2020-02-07--2020-02-14.csv"
        assert rejection(older_file([older_line(1, streams=streams)]), older) == "bad_streams"


@pytest.mark.parametrize("rank, reason", [(HUGE, "rank_out_of_range"), ("-" + HUGE, "bad_rank")])
def test_a_rank_of_any_length_is_judged(rank, reason):
    data = current_file([current_line(1).replace("1,", f"{rank},", 1)])
    assert rejection(data) == reason


def test_archive_streams_take_16_digits_and_ranks_any_length():
    charts, rejected = archive_outcome(
        [
            archive_line(1, region="Chile", streams="9999999999999999"),
            archive_line(2, region="Chile", streams="9999999999999999.0"),
            archive_line(1, region="Peru", streams="10000000000000000"),
            archive_line(1, region="Japan", streams="10000000000000000.0"),
            archive_line(1, region="Spain", streams=HUGE),
            archive_line(1, region="Italy").replace(",1,", f",{HUGE},", 1),
            archive_line(1, region="France").replace(",1,", f",{'0' * 5000}1,", 1),
        ]
    )
    assert charts == [
        ("cl", [(1, 9999999999999999), (2, 9999999999999999)]),
        ("fr", [(1, 299999)]),
    ]
    assert rejected == Counter({"bad_streams": 3, "rank_out_of_range": 1})


@pytest.mark.parametrize("day", ["2021-W01-1", "2021-W011 ", "20210104", "2021-1-4"])
def test_an_archive_date_is_yyyy_mm_dd_only(day):
    charts, rejected = archive_outcome([archive_line(1, date=day)])
    assert (charts, rejected) == ([], Counter({"bad_date": 1}))


def test_an_archive_date_in_yyyy_mm_dd_is_read():
    charts, rejected = archive_outcome([archive_line(1, date="2021-01-04")])
    assert charts == [("ar", [(1, 299999)])] and not rejected
    data = archive_file([archive_line(1, date="2021-01-04")])
    source = open_chart_file("charts.csv", lambda: io.BytesIO(data))
    assert next(source.charts()).identity.chart_date == date(2021, 1, 4)
