"""glue_jobs.chart_files against two real chart files, read by path from ../shared/spotify-charts/.

The expected values were read off the files by eye (the line is given with each); the counts
with grep (``grep -c ',-1,'`` on the current-format file gives the 32 new entries and
re-entries). The files are third-party and stay outside the repository: without the folder
the tests skip and say so.
"""

from __future__ import annotations

from datetime import date

import pytest

from glue_jobs.chart_files import ChartEntry, ChartFileError, parse_chart_bytes
from tests.unit.charts.support import CURRENT_SAMPLE, LATEST_SAMPLE, SAMPLES

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the real chart samples are not here: {SAMPLES} is absent"
)

WEEK_2022_01_13 = ("regional", "global", "weekly", date(2022, 1, 13))
# The 'latest' file is the chart of Friday 2020-02-07 to Thursday 2020-02-13 (docs/charts.md).
WEEK_2020_02_13 = ("regional", "global", "weekly", date(2020, 2, 13))


def test_current_format_file():
    chart = parse_chart_bytes(CURRENT_SAMPLE.name, CURRENT_SAMPLE.read_bytes())
    assert chart.source_format == "current"
    assert (chart.identity.chart_type, chart.identity.region, chart.identity.period,
            chart.identity.chart_date) == WEEK_2022_01_13  # fmt: skip
    assert len(chart.entries) == 200
    assert [entry.rank for entry in chart.entries] == list(range(1, 201))
    # line 3
    assert chart.entries[1] == ChartEntry(
        *WEEK_2022_01_13, 2, "5PjdY0CKGZdEuoNab3yDmX", 30097622, 1, 1, 27, None, "Columbia",
        "The Kid LAROI, Justin Bieber", "STAY (with Justin Bieber)", None,
    )  # fmt: skip
    # line 4: a new entry (previous_rank -1)
    assert chart.entries[2] == ChartEntry(
        *WEEK_2022_01_13, 3, "1nH2PkJL1XoUq8oE6tBZoU", 29522371, 3, None, 1, None,
        "XO / Republic Records", "The Weeknd", "Sacrifice", None,
    )  # fmt: skip
    # line 201
    assert chart.entries[199] == ChartEntry(
        *WEEK_2022_01_13, 200, "7yq4Qj7cqayVTp3FF9CWbm", 5265901, 122, 193, 54, None,
        "Atlantic Records", "Vance Joy", "Riptide", None,
    )  # fmt: skip
    assert sum(entry.previous_rank is None for entry in chart.entries) == 32
    assert {entry.days_on_chart for entry in chart.entries} == {None}


def test_older_format_latest_file_needs_its_chart_date():
    with pytest.raises(ChartFileError) as caught:
        parse_chart_bytes(LATEST_SAMPLE.name, LATEST_SAMPLE.read_bytes())
    assert caught.value.reason == "chart_date_required"


def test_older_format_latest_file():
    chart = parse_chart_bytes(
        LATEST_SAMPLE.name, LATEST_SAMPLE.read_bytes(), chart_date=date(2020, 2, 13)
    )
    assert chart.source_format == "older"
    assert len(chart.entries) == 200
    by_rank = {entry.rank: entry for entry in chart.entries}
    assert sorted(by_rank) == list(range(1, 201))

    def older(rank, track_id, streams, artist, title):
        return ChartEntry(*WEEK_2020_02_13, rank, track_id, streams, None, None, None, None,
                          None, artist, title, None)  # fmt: skip

    # line 3 (after the note line and the header)
    assert by_rank[1] == older(1, "0nbXyq5TXYPCO7pr3N8S4I", 46164667, "Roddy Ricch", "The Box")
    # line 7: the title unquoted
    assert by_rank[5] == older(5, "7k4t7uLgtOxPwTpFmtJNTY", 32155090, "KAROL G", "Tusa")
    # line 131: quotes inside a quoted title
    assert by_rank[129] == older(
        129, "1v7L65Lzy0j0vdpRjJewt1", 5937997, "Eminem",
        'Lose Yourself - From "8 Mile" Soundtrack',
    )  # fmt: skip
    # line 176: this copy has the commas taken out of names ("Tyler, The Creator" elsewhere);
    # the parser keeps what the file says.
    assert by_rank[174] == older(
        174, "5hVghJ4KaYES3BFUATCYn0", 5079657, "Tyler The Creator", "EARFQUAKE"
    )
    # line 202, the last, with no newline after it
    assert by_rank[200] == older(
        200, "3tv697PZNnaQN0Mn2zGhS5", 4793221, "Gusttavo Lima", "A Gente Fez Amor - Ao Vivo"
    )
    assert {entry.label for entry in chart.entries} == {None}
