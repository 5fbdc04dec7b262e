"""The views-over-history benchmark (tools/bench/queries.py) at a tiny size: it builds its
lake, cuts the half lake to the first half of the snapshots, and times every view of
`make query` on both. Nothing about speed is asserted: timings on a test runner mean nothing."""

from __future__ import annotations

import json

import duckdb

from tools import query
from tools.bench import queries


def test_every_view_is_timed_on_the_whole_lake_and_on_its_first_half(tmp_path) -> None:
    results = queries.run_queries(tmp_path, snapshots=4, playlists=3, repeat=1, log=lambda _: None)

    names = queries.view_names()
    assert set(query.analytics_view_names()) <= set(names)
    assert "dim_track_current" in names
    for lake in ("half", "full"):
        assert set(results[lake]) == set(names)
        assert all(r["seconds"] >= 0 for r in results[lake].values())
    assert "playlist_snapshot_dates" not in names  # a helper the views read, not timed
    # The lake's snapshots: the whole lake has 4 dates, the half lake the first 2.
    curated = tmp_path / "data-3x4" / "curated"
    half = tmp_path / "half-3x4"
    dates = {}
    for root in (curated, half):
        pattern = (root / "dim_playlist" / "**" / "*.parquet").as_posix()
        dates[root] = duckdb.sql(
            f"select distinct snapshot_date from read_parquet('{pattern}', hive_partitioning = true) "
            "order by 1"
        ).fetchall()
    assert len(dates[curated]) == 4
    assert dates[half] == dates[curated][:2]
    # The rows are the views' own: 3 playlists, and fewer snapshots' changes in the half lake.
    assert results["full"]["dim_playlist_current"]["rows"] == 3
    assert results["half"]["dim_playlist_current"]["rows"] == 3
    changes = results["full"]["position_changes"]["rows"]
    assert 0 < results["half"]["position_changes"]["rows"] < changes
    written = json.loads((tmp_path / "queries.json").read_text())
    assert written["slowest"]["view"] in names
    assert (tmp_path / "queries.md").read_text().count("\n") == len(names) + 2


def test_a_lake_already_built_is_reused(tmp_path) -> None:
    first = queries.build_lake(tmp_path, snapshots=2, playlists=2)
    marker = first.parent / "curated.json"
    stamp = marker.stat().st_mtime_ns
    again = queries.build_lake(tmp_path, snapshots=2, playlists=2)
    assert again == first and marker.stat().st_mtime_ns == stamp
