"""The Snowflake analytics views are translations of the Athena views (tools/generate/views.py):
each hand-written Athena view appears once, in its schema, reading only qualified names, with
the Snowflake forms of what differs between the engines. Their results are checked on fakesnow
against the hand-worked numbers in tests/sql/test_snowflake.py; whether the checked-in scripts
are today's translation, in tests/unit/test_generated.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from tools.generate import views
from tools.tf_check.snowflake_sql import statements

CREATE = re.compile(r"^create\s+or\s+replace\s+view\s+(\w+)\.(\w+)", re.I)


@pytest.fixture(scope="module")
def scripts() -> dict[str, str]:
    return views.scripts()


@pytest.fixture(scope="module")
def created(scripts) -> dict[str, tuple[str, str, str]]:
    """(script, schema, statement) of every view the scripts create, by view name."""
    found: dict[str, tuple[str, str, str]] = {}
    for name, text in scripts.items():
        for statement in statements(text):
            match = CREATE.match(statement)
            if match:
                assert match.group(2) not in found, f"{match.group(2)} is created twice"
                found[match.group(2)] = (name, match.group(1), statement)
    return found


def test_each_hand_written_athena_view_is_created_once_in_its_schema(created):
    expected = {v.name: v.schema for v in views.hand_written_views()}
    assert {name: schema for name, (_, schema, _) in created.items()} == expected
    assert expected["playlist_snapshot_dates"] == "core"
    assert {s for n, s in expected.items() if n != "playlist_snapshot_dates"} == {"analytics"}


def test_the_generated_athena_views_are_not_translated_again(created):
    assert not [name for name in created if name.endswith("_current")]


def test_scripts_follow_the_athena_file_prefixes(created):
    scripts_of = {v.name: v.prefix for v in views.hand_written_views()}
    for name, (script, _, _) in created.items():
        assert script == views.SCRIPTS[scripts_of[name]][0], name


def test_playlist_snapshot_dates_comes_before_every_view_that_reads_it(scripts, created):
    order = [
        CREATE.match(s).group(2)
        for name in sorted(scripts)
        for s in statements(scripts[name])
        if CREATE.match(s)
    ]
    assert order[0] == "playlist_snapshot_dates"
    assert order.index("artist_metrics") < order.index("top_artists_by_popularity")


def test_every_name_read_is_qualified_or_a_cte(created):
    for name, (_, _, statement) in created.items():
        tree = sqlglot.parse_one(statement, read="snowflake")
        ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
        for table in tree.expression.find_all(exp.Table):
            assert table.db in ("core", "analytics") or table.name in ctes, (name, table.sql())
            if table.db == "analytics":
                assert table.name in created, (name, table.name)


def test_the_snowflake_forms_of_what_differs(created):
    def sql(view: str) -> str:
        return created[view][2]

    everything = "\n".join(statement for _, _, statement in created.values())
    # snapshot_date: a string partition key in Athena, a date in Snowflake.
    assert "cast(snapshot_date as date)" not in everything
    assert "snapshot_date as snapshot_date" not in everything
    # Months of added_at are UTC months, whatever the session's time zone.
    assert "date_trunc('MONTH', convert_timezone('UTC', added_at))" in sql(
        "monthly_playlist_additions"
    )
    assert "dateadd(month, -3, reference.reference_date)" in sql("release_recency_popularity")
    assert (
        "listagg(artists.artist_name, ', ') within group (order by track_artists.artist_position)"
        in sql("current_top_songs")
    )
    # Trino sorts nulls last in a descending order, Snowflake first: the translation says so.
    assert "order by song_counts.song_count desc nulls last" in sql("top_artists_by_song_count")
    assert "is not null" in everything and "not track_id is null" not in everything


def test_each_view_keeps_its_header_and_gets_a_comment(scripts):
    for view in views.hand_written_views():
        (name,) = [n for n, text in scripts.items() if f"view {view.schema}.{view.name}\n" in text]
        text = scripts[name]
        assert (
            "\n".join(view.header) + f"\ncreate or replace view {view.schema}.{view.name}\n" in text
        )
        comment = re.search(
            rf"view {view.schema}\.{view.name}\ncomment = '([^']*)'\nas\n", text
        ).group(1)
        assert comment and comment[0].isupper() and view.name not in comment.split()[0], comment


def test_scripts_are_in_the_house_layout(scripts):
    for name, text in scripts.items():
        lines = text.splitlines()
        assert lines[0] == views.GENERATED.strip(), name
        assert lines[1].startswith(f"-- {name.removesuffix('.sql')}: "), name
        assert "use database spotify_lakehouse;" in lines, name
        code = re.sub(r"'[^']*'", "''", "\n".join(x for x in lines if not x.startswith("--")))
        assert code == code.lower(), name
        assert all(len(line) <= 100 for line in lines if not line.startswith("comment")), name
        assert text.count("select * from final;") == text.count("create or replace view"), name


def _write(root: Path, name: str, text: str) -> None:
    path = root / views.VIEWS_DIR / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_view_reading_an_unknown_name_is_refused(tmp_path):
    _write(tmp_path, "20_a.sql", "-- a: one.\ncreate or replace view a as select * from nowhere\n")
    with pytest.raises(ValueError, match="reads nowhere"):
        views.scripts(tmp_path)


def test_a_view_reading_a_view_created_after_it_is_refused(tmp_path):
    _write(tmp_path, "20_a.sql", "-- a: one.\ncreate or replace view a as select * from b\n")
    _write(tmp_path, "20_b.sql", "-- b: two.\ncreate or replace view b as select 1 as x\n")
    with pytest.raises(ValueError, match="reads b, which is created after it"):
        views.scripts(tmp_path)


def test_a_new_view_is_one_athena_file(tmp_path):
    _write(
        tmp_path,
        "30_longest_tracks.sql",
        "-- longest_tracks: the longest track of every album. One row per album.\n"
        "create or replace view longest_tracks as\n\nwith\n\ntracks as (\n\n"
        "    select album_id, duration_ms, cast(snapshot_date as date) as snapshot_date\n"
        "    from dim_track_current\n\n),\n\nfinal as (\n\n"
        "    select album_id, max(duration_ms) as duration_ms\n    from tracks\n"
        "    group by album_id\n\n)\n\nselect * from final\n",
    )
    (text,) = views.scripts(tmp_path).values()
    assert "create or replace view analytics.longest_tracks\n" in text
    assert "comment = 'The longest track of every album'\n" in text
    assert "    from core.dim_track_current\n" in text
    assert "        snapshot_date\n" in text
    assert "    group by album_id\n" in text


def test_the_chart_views_go_into_their_own_script(created):
    charts = {name: script for name, (script, _, _) in created.items() if name.startswith("chart_")}
    assert set(charts.values()) == {"11_views_charts.sql"}
    assert "chart_movements" in charts and "chart_artist_credits" in charts


def test_the_snowflake_forms_of_the_chart_views(created):
    everything = "\n".join(statement for _, _, statement in created.values())
    # chart_date: a string partition key in Athena, a date in Snowflake, like snapshot_date.
    assert "cast(chart_date as date)" not in everything
    assert "chart_date as chart_date" not in everything
    # Athena's unnest of split gives strings; Snowflake's flatten gives variants, read as
    # strings by name (`value`, flatten's own column).
    credits = created["chart_artist_credits"][2]
    assert "cast(artist_credits.value as varchar) as artist_name" in credits
    assert (
        "cross join table(flatten(input => split(chart_entries.artist_names, ', '))) "
        "as artist_credits\n" in credits
    )
    assert "artist_credits.artist_name" not in credits
    # The previous chart: a week or a day before, by the period.
    assert (
        "dateadd(day, case when period = 'daily' then 1 else 7 end, chart_date)"
        in created["chart_movements"][2]
    )


def test_an_unnest_with_ordinality_is_refused(tmp_path):
    # Snowflake's flatten counts from 0 where Athena's ordinality counts from 1: not
    # translated until a view needs it.
    _write(
        tmp_path,
        "50_chart_a.sql",
        "-- chart_a: one.\ncreate or replace view chart_a as\n"
        "select t.name, t.n from fact_chart_entry\n"
        "cross join unnest(split(artist_names, ', ')) with ordinality as t (name, n)\n",
    )
    with pytest.raises(ValueError, match="no ordinality"):
        views.scripts(tmp_path)
