"""The demo's generated chart history (tools/demo/chart_history.py): files the parser reads
back exactly, and a history whose ranks, previous ranks, peaks and weeks on chart are those
a chart would publish, recomputed here from the charts alone."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import pairwise

import pytest

from glue_jobs.chart_files import ChartEntry, ChartIdentity, open_chart_file
from tools.demo.chart_history import HistorySpec, chart_thursday, generate_history, write_history
from tools.fake_spotify import Catalogue

SPEC = HistorySpec(
    last_chart_date=date(2026, 11, 12), weeks=60, regions=("global", "gb"), seed=3,
    warmup_weeks=10,
)  # fmt: skip


@pytest.fixture(scope="module")
def history():
    return generate_history(SPEC)


def _tracks(history, chart) -> list[str]:
    return [history.songs[row.song].track_id for row in chart.rows]


def test_written_files_are_read_back_exactly_by_the_chart_parser(history, tmp_path):
    paths = write_history(history, tmp_path)
    assert len(paths) == SPEC.weeks * len(SPEC.regions)
    assert [p.name for p in paths[:2]] == [
        "regional-global-weekly-2025-09-25.csv",  # 59 weeks before 2026-11-12
        "regional-gb-weekly-2025-09-25.csv",
    ]
    assert paths[-1].name == "regional-gb-weekly-2026-11-12.csv"
    for path, chart in zip(paths, history.charts, strict=True):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbfrank,uri,artist_names,track_name,source,")
        source = open_chart_file(path.name, lambda p=path: p.open("rb"))
        assert source.source_format == "current"
        identity = ChartIdentity("regional", chart.region, "weekly", chart.chart_date)
        assert source.identity == identity
        (parsed,) = list(source.charts())
        expected = tuple(
            ChartEntry(
                "regional", chart.region, "weekly", chart.chart_date, row.rank,
                history.songs[row.song].track_id, row.streams, row.peak_rank,
                row.previous_rank, row.weeks_on_chart, None, history.songs[row.song].label,
                history.songs[row.song].artist_names, history.songs[row.song].track_name, None,
            )
            for row in chart.rows
        )  # fmt: skip
        assert parsed.entries == expected


def test_a_line_is_written_as_the_site_writes_it(history):
    chart = history.charts[-1]
    row = chart.rows[0]
    song = history.songs[row.song]
    line = history.csv_bytes(chart).decode("utf-8-sig").split("\n")[1]
    previous = -1 if row.previous_rank is None else row.previous_rank
    name = song.track_name.replace('"', '""')
    artists = song.artist_names.replace('"', '""')
    label = song.label.replace('"', '""')
    assert line == (
        f'1,"spotify:track:{song.track_id}","{artists}","{name}","{label}",'
        f'{row.peak_rank},{previous},{row.weeks_on_chart},"{row.streams}"'
    )
    assert history.csv_bytes(chart).endswith(b'"\n')


def test_every_chart_is_ranks_1_to_n_ordered_by_streams_of_distinct_tracks(history):
    assert len(history.all_charts) == (SPEC.weeks + SPEC.warmup_weeks) * len(SPEC.regions)
    for chart in history.all_charts:
        assert [row.rank for row in chart.rows] == list(range(1, SPEC.size + 1))
        assert len(set(_tracks(history, chart))) == SPEC.size
        streams = [row.streams for row in chart.rows]
        assert streams == sorted(streams, reverse=True)
        assert streams[-1] > 0


def test_dates_are_consecutive_thursdays_ending_on_the_last_chart_date(history):
    for region in SPEC.regions:
        dates = [c.chart_date for c in history.charts if c.region == region]
        assert dates[-1] == SPEC.last_chart_date
        assert dates[0] == SPEC.last_chart_date - timedelta(weeks=SPEC.weeks - 1)
        assert all(b - a == timedelta(weeks=1) for a, b in pairwise(dates))
        assert {d.weekday() for d in dates} == {3}


def test_previous_rank_peak_and_weeks_on_chart_follow_from_the_charts(history):
    """Recomputed from the sequence of charts, from the first simulated week."""
    reentries = 0
    for region in SPEC.regions:
        charts = [c for c in history.all_charts if c.region == region]
        weeks: Counter[str] = Counter()
        best: dict[str, int] = {}
        last: dict[str, int] = {}
        for chart in charts:
            now = {}
            for row, track in zip(chart.rows, _tracks(history, chart), strict=True):
                weeks[track] += 1
                best[track] = min(best.get(track, row.rank), row.rank)
                assert row.previous_rank == last.get(track)
                assert row.weeks_on_chart == weeks[track]
                assert row.peak_rank == best[track]
                if row.previous_rank is None and row.weeks_on_chart > 1:
                    reentries += 1
                now[track] = row.rank
            last = now
    assert reentries > 0


def test_the_movement_looks_like_a_chart(history):
    global_charts = [c for c in history.charts if c.region == "global"]
    first, newest = global_charts[0], global_charts[-1]
    # The warm-up: the first written chart is in mid-life, not a launch.
    assert sum(row.previous_rank is not None for row in first.rows) > SPEC.size // 2
    assert max(row.weeks_on_chart for row in first.rows) > 1
    # New entries every week, but most of the chart stays.
    for chart in global_charts:
        new = sum(row.previous_rank is None for row in chart.rows)
        assert 0 < new < SPEC.size // 4
    # A few songs run for a year; songs climb to their peak after their debut.
    longest = max(row.weeks_on_chart for c in global_charts for row in c.rows)
    assert longest >= 52
    debut: dict[int, int] = {}
    climbed = set()
    for chart in history.all_charts:
        if chart.region != "global":
            continue
        for row in chart.rows:
            debut.setdefault(row.song, row.rank)
            if row.rank < debut[row.song] - 20:
                climbed.add(row.song)
    assert len(climbed) >= 5
    # Artists have several songs on the chart.
    songs_by_artist = defaultdict(set)
    for chart in global_charts:
        for row in chart.rows:
            songs_by_artist[history.songs[row.song].primary_artist].add(row.song)
    assert max(len(s) for s in songs_by_artist.values()) >= 4
    # Streams on the scale of the global Top 200 (millions a week).
    assert 10_000_000 < newest.rows[0].streams < 200_000_000
    assert 1_000_000 < newest.rows[-1].streams < 10_000_000


def test_country_charts_mix_international_and_local_songs(history):
    gb = {row.song for c in history.charts if c.region == "gb" for row in c.rows}
    world = {row.song for c in history.charts if c.region == "global" for row in c.rows}
    local = {i for i in gb if history.songs[i].kind == "local"}
    assert local and not local & world
    assert len(gb & world) > len(gb) // 2
    newest_gb = [c for c in history.charts if c.region == "gb"][-1]
    newest_world = [c for c in history.charts if c.region == "global"][-1]
    assert newest_gb.rows[0].streams < newest_world.rows[0].streams


def test_tracks_are_the_fake_catalogues(history):
    catalogue = Catalogue(seed=SPEC.seed, playlists=0, weeks=1, editorial=0, not_owned=0)
    ids = [song.track_id for song in history.songs]
    assert len(set(ids)) == len(ids)
    for song in history.songs:
        assert re.fullmatch(r"[0-9A-Za-z]{22}", song.track_id)
        track = catalogue.track(song.album, song.position)
        # A re-release is its original's track under another id.
        made_from = song if song.rerelease_of is None else history.songs[song.rerelease_of]
        assert track["id"] == made_from.track_id
        assert track["name"] == song.track_name
        assert song.artist_names == ", ".join(a["name"] for a in track["artists"])
        assert song.isrc == track["external_ids"]["isrc"]


def test_a_few_songs_chart_under_a_second_id_with_the_same_recording(history):
    """Worked out from the written charts: a re-released song's original id charts in the
    first region for at least two weeks in a row, then never again, and from the next week
    on the second id charts in its place (a new entry), with the same name, artists and
    ISRC; nowhere are both ids on one chart."""
    songs = history.songs
    pairs = [(s.rerelease_of, s.index) for s in songs if s.rerelease_of is not None]
    assert len(pairs) == 3
    assert len({songs[i].track_id for pair in pairs for i in pair}) == 6
    weeks_of = defaultdict(list)  # (region, song) -> written weeks on the chart
    for chart in history.charts:
        for row in chart.rows:
            weeks_of[chart.region, row.song].append(chart.week)
    for original, second in pairs:
        a, b = songs[original], songs[second]
        assert b.kind == "rerelease" and a.kind != "rerelease"
        assert (b.track_name, b.artist_names, b.isrc) == (a.track_name, a.artist_names, a.isrc)
        assert b.track_id != a.track_id
        first_weeks, second_weeks = weeks_of["global", original], weeks_of["global", second]
        switch = second_weeks[0]
        assert max(first_weeks) == switch - 1  # handed over from one week to the next
        assert first_weeks[-2:] == [switch - 2, switch - 1]
        assert second_weeks[:2] == [switch, switch + 1]
        for region in SPEC.regions:
            assert all(w < switch for w in weeks_of[region, original])
            assert all(w >= switch for w in weeks_of[region, second])
        # The second id is a new track to the chart: a new entry at the switch.
        chart = next(c for c in history.charts if c.region == "global" and c.week == switch)
        (row,) = [r for r in chart.rows if r.song == second]
        assert (row.previous_rank, row.weeks_on_chart, row.peak_rank) == (None, 1, row.rank)
        # The history records the same switch.
        assert (original, second, switch) in history.rereleases
    # The ids of the re-releases never share a chart.
    for chart in history.all_charts:
        on = {row.song for row in chart.rows}
        assert all(not {o, s} <= on for o, s in pairs)


def test_a_short_history_has_no_room_for_a_rerelease():
    short = generate_history(
        HistorySpec(last_chart_date=SPEC.last_chart_date, weeks=3, regions=("global",), seed=3,
                    warmup_weeks=4)
    )  # fmt: skip
    assert short.rereleases == []
    assert all(song.rerelease_of is None for song in short.songs)


def test_the_same_spec_gives_the_same_bytes_and_another_seed_other_charts(history):
    again = generate_history(SPEC)
    assert [again.csv_bytes(c) for c in again.charts[-4:]] == [
        history.csv_bytes(c) for c in history.charts[-4:]
    ]
    other = generate_history(
        HistorySpec(last_chart_date=SPEC.last_chart_date, weeks=2, regions=("global",), seed=4)
    )
    assert other.csv_bytes(other.charts[-1]) != history.csv_bytes(history.charts[-2])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"last_chart_date": date(2026, 11, 13)}, "is a Friday"),
        ({"last_chart_date": date(2026, 11, 12), "weeks": 0}, "weeks must be"),
        ({"last_chart_date": date(2026, 11, 12), "size": 201}, "size must be"),
        ({"last_chart_date": date(2026, 11, 12), "regions": ("usa",)}, "2-letter"),
        ({"last_chart_date": date(2026, 11, 12), "regions": ()}, "not empty"),
    ],
)
def test_a_bad_spec_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        HistorySpec(**arguments)


def test_chart_thursday_is_the_latest_thursday_on_or_before():
    assert chart_thursday(date(2026, 11, 16)) == date(2026, 11, 12)  # a Monday
    assert chart_thursday(date(2026, 11, 12)) == date(2026, 11, 12)
    assert chart_thursday(date(2026, 11, 11)) == date(2026, 11, 5)
