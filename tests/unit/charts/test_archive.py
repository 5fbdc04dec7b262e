"""glue_jobs.chart_files on multi-chart archives: one bad chart or row costs only itself.

Rows are built by tests/unit/charts/support.py: rank r has track ``T`` + r on 21 digits,
``Song r`` by ``Artist r``, and (top200) streams 300000 - r.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest

from glue_jobs.chart_files import (
    ArchiveReport,
    ChartEntry,
    ChartFileError,
    ChartIdentity,
    iter_archive,
    open_chart_file,
)
from tests.unit.charts.support import archive_file, archive_line


def read(data: bytes, name: str = "charts.csv"):
    source = open_chart_file(name, lambda: io.BytesIO(data))
    charts = list(source.charts())
    return source, charts


def test_an_archive_is_recognised_by_its_header_whatever_its_name():
    data = archive_file([archive_line(1)])
    for name in (
        "charts.csv",
        "spotify-charts-2017-2021.csv",
        "regional-global-weekly-2022-01-13.csv",
    ):
        assert open_chart_file(name, lambda: io.BytesIO(data)).source_format == "archive"


def test_archive_rows_become_daily_charts_with_iso_regions():
    data = archive_file(
        [
            "Chantaje (feat. Maluma),1,2017-01-01,Shakira,https://open.spotify.com/track/6mICuAdrwEjh6Y6lroV2Kg,Argentina,top200,SAME_POSITION,253019",
            'Safari,2,2017-01-01,"J Balvin, Pharrell Williams, BIA, Sky",https://open.spotify.com/track/6rQSrBHf7HlZjtcMZ4S4bO,Argentina,top200,MOVE_UP,173865.0',
            "Viral one,1,2017-01-01,Someone,https://open.spotify.com/track/T000000000000000000001,Global,viral50,NEW_ENTRY,",
            "Viral two,1,2017-01-02,Someone,https://open.spotify.com/track/T000000000000000000002,United States,viral50,,",
        ]
    )  # fmt: skip
    source, charts = read(data)
    day, day2 = date(2017, 1, 1), date(2017, 1, 2)
    assert [chart.identity for chart in charts] == [
        ChartIdentity("regional", "ar", "daily", day),
        ChartIdentity("viral", "global", "daily", day),
        ChartIdentity("viral", "us", "daily", day2),
    ]
    assert charts[0].entries == (
        ChartEntry("regional", "ar", "daily", day, 1, "6mICuAdrwEjh6Y6lroV2Kg", 253019, None,
                   None, None, None, None, "Shakira", "Chantaje (feat. Maluma)", "SAME_POSITION"),
        ChartEntry("regional", "ar", "daily", day, 2, "6rQSrBHf7HlZjtcMZ4S4bO", 173865, None,
                   None, None, None, None, "J Balvin, Pharrell Williams, BIA, Sky", "Safari",
                   "MOVE_UP"),
    )  # fmt: skip
    assert charts[1].entries[0].streams is None
    assert charts[1].entries[0].trend == "NEW_ENTRY"
    assert charts[2].entries[0].trend is None
    report = source.report
    assert (report.rows_read, report.rows_accepted, report.charts_accepted) == (4, 4, 3)
    assert report.rows_rejected == Counter() and report.charts_rejected == Counter()


def test_one_bad_chart_costs_only_itself_and_bad_rows_only_themselves():
    good_ar = [archive_line(r) for r in (1, 2, 3)]
    bad_pl = [archive_line(1, region="Poland"), archive_line(3, region="Poland")]  # no rank 2
    bad_streams = [archive_line(1, region="Chile", streams="1.5"), archive_line(2, region="Chile")]
    viral_with_streams = [archive_line(1, region="Chile", chart="viral50", streams="10")]
    loose_rows = [
        archive_line(1, region="Atlantis"),
        archive_line(1, chart="top50"),
        archive_line(1, date="01/01/2017"),
        archive_line(1) + ",extra",
    ]
    good_de = [archive_line(r, region="Germany", date="2017-01-02") for r in (1, 2)]
    data = archive_file(good_ar + bad_pl + bad_streams + viral_with_streams + loose_rows + good_de)
    source, charts = read(data)
    assert [(c.identity.region, len(c.entries)) for c in charts] == [("ar", 3), ("de", 2)]
    report = source.report
    assert report.rows_read == 14
    assert report.rows_accepted == 5
    assert report.charts_accepted == 2
    assert report.charts_rejected == Counter({"missing_rank": 1, "bad_streams": 2})
    assert report.rows_rejected == Counter(
        {"missing_rank": 2, "bad_streams": 3, "unknown_region": 1, "unknown_chart": 1,
         "bad_date": 1, "bad_row_shape": 1}
    )  # fmt: skip
    assert report.rows_read == report.rows_accepted + sum(report.rows_rejected.values())
    assert [(i.region, i.chart_type, reason) for i, reason, _ in report.chart_rejections] == [
        ("pl", "regional", "missing_rank"),
        ("cl", "regional", "bad_streams"),
        ("cl", "viral", "bad_streams"),
    ]
    assert report.row_rejections[0] == (
        10,
        "unknown_region",
        "line 10: region 'Atlantis' is not known",
    )


def test_a_chart_split_by_other_charts_is_rejected_whole():
    data = archive_file(
        [
            archive_line(1),
            archive_line(1, region="Chile"),
            archive_line(2),  # Argentina again, after Chile
            archive_line(2, region="Chile"),  # and Chile again
            archive_line(1, region="Peru"),
        ]
    )
    source, charts = read(data)
    assert [c.identity.region for c in charts] == ["pe"]
    assert source.report.charts_rejected == Counter({"chart_not_contiguous": 4})
    assert source.report.rows_rejected == Counter({"chart_not_contiguous": 4})


def test_viral_ranks_stop_at_50_and_regional_at_200():
    viral = [archive_line(r, chart="viral50") for r in range(1, 52)]
    regional = [archive_line(r, region="Peru") for r in range(1, 201)]
    source, charts = read(archive_file(viral + regional))
    assert [(c.identity.region, len(c.entries)) for c in charts] == [("pe", 200)]
    assert source.report.charts_rejected == Counter({"rank_out_of_range": 1})


class CountingStream(io.BytesIO):
    """Counts how far the parser has read."""

    def __init__(self, data: bytes, log: list[int]) -> None:
        super().__init__(data)
        self.log = log

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.log.append(self.tell())
        return chunk


def test_an_archive_is_streamed_chart_by_chart():
    days = [f"2017-{month:02d}-{day:02d}" for month in range(1, 13) for day in range(1, 29)]
    lines = [archive_line(r, date=d) for d in days for r in range(1, 201)]
    data = archive_file(lines)
    assert len(data) > 4 * (1 << 20)  # four times the parser's 1 MiB read buffer
    passes: list[list[int]] = []

    def opener() -> CountingStream:
        passes.append([])
        return CountingStream(data, passes[-1])

    report = ArchiveReport()
    charts = iter_archive(opener, report)
    first = next(charts)
    assert first.identity.chart_date == date(2017, 1, 1)
    # The first pass read everything; the second has read a few buffers, not the file.
    assert len(passes) == 2
    assert max(passes[0]) == len(data)
    assert max(passes[1]) < len(data) // 4
    assert sum(1 for _ in charts) == len(days) - 1
    assert report.rows_accepted == len(lines)


def test_a_file_level_problem_rejects_the_archive():
    with pytest.raises(ChartFileError) as caught:
        open_chart_file(
            "charts.csv",
            lambda: io.BytesIO(b"title;rank;date;artist;url;region;chart;trend;streams\n"),
        )
    assert caught.value.reason == "semicolon_separated"


@pytest.mark.parametrize("data", [archive_file([]), archive_file(["", ",,,,,,,,", ""])])
def test_an_archive_of_no_rows_is_an_empty_file(data):
    with pytest.raises(ChartFileError) as caught:
        read(data)
    assert (caught.value.reason, caught.value.detail) == ("empty_file", "a header and no rows")


@pytest.mark.parametrize("field", ['"line one\nline two"', '"line one\r\nline two"', '"a\rb"'])
def test_an_archive_field_holding_a_line_break_rejects_the_archive(field):
    """The csv module reads it as one field; Spark's CSV reader, splitting the archive by
    lines, cannot: the archive is malformed_csv for both."""
    data = archive_file([archive_line(1).replace("Song 1", field, 1), archive_line(2)])
    with pytest.raises(ChartFileError) as caught:
        read(data)
    assert caught.value.reason == "malformed_csv"
