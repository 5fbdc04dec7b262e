"""A chart ranks tracks: one track id at two ranks of one chart is ``repeated_track``.

The evidence that it cannot happen in a real download (docs/charts.md, "One track, one
rank"): both real samples in ../shared/spotify-charts have 200 rows and 200 distinct track
ids; the test below checks it on the files themselves.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest

from glue_jobs.chart_files import REJECTION_REASONS, ChartFileError, open_chart_file
from tests.unit.charts.support import (
    CURRENT_SAMPLE,
    LATEST_SAMPLE,
    SAMPLES,
    archive_file,
    archive_line,
    current_file,
    current_line,
    older_file,
    older_line,
    track_id,
)

WEEKLY = "regional-global-weekly-2022-01-13.csv"
OLDER = "regional-global-weekly-2020-02-07--2020-02-14.csv"


def parse(name: str, data: bytes):
    source = open_chart_file(name, lambda: io.BytesIO(data))
    return source, list(source.charts())


def test_it_is_a_rejection_reason():
    assert "repeated_track" in REJECTION_REASONS


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        (
            WEEKLY,
            # rank 3 names rank 1's track
            current_file(
                [
                    current_line(1),
                    current_line(2),
                    current_line(3).replace(track_id(3), track_id(1)),
                ]
            ),
            f"track {track_id(1)} appears twice",
        ),
        (
            OLDER,
            older_file([older_line(1), older_line(2).replace(track_id(2), track_id(1))]),
            f"track {track_id(1)} appears twice",
        ),
    ],
)
def test_a_chart_file_with_one_track_twice_is_rejected(name, data, detail):
    with pytest.raises(ChartFileError) as caught:
        parse(name, data)
    assert caught.value.reason == "repeated_track"
    assert caught.value.detail == detail


def test_rank_problems_are_reported_before_a_repeated_track():
    # rank 2 missing and rank 3 repeating rank 1's track: the ranks are checked first.
    data = current_file([current_line(1), current_line(3).replace(track_id(3), track_id(1))])
    with pytest.raises(ChartFileError, match="missing_rank"):
        parse(WEEKLY, data)


def test_an_archive_rejects_only_the_chart_with_a_repeated_track():
    lines = [
        archive_line(1),
        archive_line(2).replace(track_id(2), track_id(1)),  # Argentina: rank 2 = rank 1's track
        archive_line(3),
        *(archive_line(r, region="Chile") for r in (1, 2)),
    ]
    source, charts = parse("charts.csv", archive_file(lines))
    assert [(c.identity.region, len(c.entries)) for c in charts] == [("cl", 2)]
    assert source.report.charts_rejected == Counter({"repeated_track": 1})
    assert source.report.rows_rejected == Counter({"repeated_track": 3})
    [(identity, reason, detail)] = source.report.chart_rejections
    assert (identity.region, reason) == ("ar", "repeated_track")
    assert detail == f"regional ar 2017-01-01: track {track_id(1)} appears twice"


def test_the_same_track_on_two_charts_or_two_dates_is_fine():
    lines = [
        archive_line(1),
        archive_line(1, region="Chile"),
        archive_line(1, date="2017-01-02"),
        archive_line(1, chart="viral50", streams=""),
    ]
    _source, charts = parse("charts.csv", archive_file(lines))
    assert len(charts) == 4
    assert {e.track_id for c in charts for e in c.entries} == {track_id(1)}


@pytest.mark.parametrize(
    "name",
    [CURRENT_SAMPLE.name, LATEST_SAMPLE.name],
)
def test_real_charts_never_repeat_a_track(name):
    """The evidence: each real chart has 200 rows and 200 distinct track ids."""
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{SAMPLES} is absent")
    # The -latest sample is the chart of 2020-02-13 (docs/charts.md, "-latest files").
    chart_date = date(2020, 2, 13) if "latest" in name else None
    source = open_chart_file(name, lambda: path.open("rb"), chart_date=chart_date)
    [chart] = list(source.charts())
    ids = [e.track_id for e in chart.entries]
    assert (len(ids), len(set(ids))) == (200, 200)
