"""The data-quality rules (glue_jobs/quality.py): measured on Spark, rendered as DQDL.

The tables here are small and built by hand, one defect each, so the expected numbers come
from how the data was made, not from the code under test. The DQDL files are checked
against a fresh rendering, and the DQDL's own Spark SQL (CustomSql) is run on the same
tables and must measure what the job measures.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from glue_jobs import quality as Q
from glue_jobs import schemas as S
from tests.lake import read_table
from tests.unit.glue_jobs.quality_support import dqdl_rules, table_row

D1, D2, D3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)
AT = datetime(2026, 11, 16, 6, 0)
PROJECT = Path(__file__).resolve().parents[3]
TF_DIR = PROJECT / "terraform" / "modules" / "glue"


def _row(table: str, day: date, **values) -> tuple:
    """A full row of ``table`` in schema order: the given values, lineage, the rest null."""
    return table_row(
        table, day, {"extracted_at": AT, "source_file": f"file:/raw/{day}.json.gz", **values}
    )


def _fact(
    day, playlist, position, track=None, album=None, *, item_type="track", local=False, episode=None
):
    return _row(
        S.FACT_PLAYLIST_ITEM,
        day,
        playlist_id=playlist,
        position=position,
        track_id=track,
        album_id=album,
        item_type=item_type,
        is_local=local,
        episode_id=episode,
    )


def _clean_rows() -> dict[str, list[tuple]]:
    """Two dates of two playlists: every rule holds (a local file and an episode included)."""
    rows: dict[str, list[tuple]] = {t: [] for t in S.TABLES}
    for day in (D2, D3):
        rows[S.FACT_PLAYLIST_ITEM] += [
            _fact(day, "p1", 1, "t1", "a1"),
            _fact(day, "p1", 2, "t2", "a1"),
            _fact(day, "p1", 3, local=True),
            _fact(day, "p2", 1, "t1", "a1"),
            _fact(day, "p2", 2, item_type="episode", episode="e1"),
        ]
        rows[S.DIM_TRACK] += [
            _row(S.DIM_TRACK, day, track_id="t1", album_id="a1"),
            _row(S.DIM_TRACK, day, track_id="t2", album_id="a1"),
        ]
        rows[S.DIM_ALBUM] += [_row(S.DIM_ALBUM, day, album_id="a1")]
        rows[S.DIM_ARTIST] += [_row(S.DIM_ARTIST, day, artist_id=a) for a in ("r1", "r2")]
        rows[S.DIM_PLAYLIST] += [
            _row(S.DIM_PLAYLIST, day, playlist_id="p1", total_items=3),
            _row(S.DIM_PLAYLIST, day, playlist_id="p2", total_items=2),
        ]
        rows[S.BRIDGE_TRACK_ARTIST] += [
            _row(S.BRIDGE_TRACK_ARTIST, day, track_id="t1", artist_id="r1", artist_position=1),
            _row(S.BRIDGE_TRACK_ARTIST, day, track_id="t1", artist_id="r2", artist_position=2),
            _row(S.BRIDGE_TRACK_ARTIST, day, track_id="t2", artist_id="r2", artist_position=1),
        ]
        rows[S.BRIDGE_ALBUM_ARTIST] += [
            _row(S.BRIDGE_ALBUM_ARTIST, day, album_id="a1", artist_id="r1", artist_position=1)
        ]
    return rows


HISTORY = [  # dim_playlist of an earlier date: p1 had 4 entries, p2 had 8
    _row(S.DIM_PLAYLIST, D1, playlist_id="p1", total_items=4),
    _row(S.DIM_PLAYLIST, D1, playlist_id="p2", total_items=8),
]


def _frames(spark, rows):
    return {t: spark.createDataFrame(rows[t], S.TABLE_SCHEMAS[t]) for t in S.TABLES}


def _measure(spark, rows, history=None) -> dict[str, dict]:
    hist = None
    if history is not None:
        hist = {S.DIM_PLAYLIST: spark.createDataFrame(history, S.TABLE_SCHEMAS[S.DIM_PLAYLIST])}
    collected = Q.evaluate(_frames(spark, rows), hist).collect()
    return Q.summary_block(collected, [D2, D3])


def test_clean_tables_pass_every_rule_and_every_rule_is_measured(spark):
    block = _measure(spark, _clean_rows())
    assert block["rules_checked"] == len(Q.RULES) == len(block["rules"])
    assert block["rules_failed"] == 0 and block["failed_rules"] == []
    assert block["dates_checked"] == ["2026-11-09", "2026-11-16"]
    fact = block["rules"]["fact_playlist_item.key_unique"]
    assert (fact["observed"], fact["rows_checked"], fact["passed"]) == (0, 10, True)
    # The local file and the episode are not track entries: 3 rows a date are checked.
    track = block["rules"]["fact_playlist_item.track_id_not_null"]
    assert (track["rows_checked"], track["observed"]) == (6, 0)
    # p2's second date is compared with its first (2 -> 2); the first dates with nothing.
    drop = block["rules"]["dim_playlist.total_items_drop"]
    assert (drop["rows_checked"], drop["observed"], drop["passed"]) == (2, 0, True)


def test_each_defect_fails_its_rule_with_the_observed_value(spark):
    rows = _clean_rows()
    # A second row at p1's position 2 on D3: one row beyond the first of its key.
    rows[S.FACT_PLAYLIST_ITEM].append(_fact(D3, "p1", 2, "t1", "a1"))
    # A track entry without its track id on D2 (the local file's null id is no defect).
    rows[S.FACT_PLAYLIST_ITEM].append(_fact(D2, "p2", 3, None, "a1"))
    # t9 is in no dim_track; t2 leaves D2's dim_track, so its D2 references (a fact row,
    # a bridge row) dangle although t2 is in D3's (integrity is per date).
    rows[S.FACT_PLAYLIST_ITEM].append(_fact(D3, "p2", 4, "t9", "a1"))
    rows[S.DIM_TRACK] = [r for r in rows[S.DIM_TRACK] if not (r[0] == "t2" and r[-1] == D2)]
    # A dimension id that is null, and an artist twice on D2.
    rows[S.DIM_ALBUM].append(_row(S.DIM_ALBUM, D3, album_id=None))
    rows[S.DIM_ARTIST].append(_row(S.DIM_ARTIST, D2, artist_id="r1"))
    block = _measure(spark, rows)
    results = block["rules"]
    failed = {
        "fact_playlist_item.key_unique": 1,
        "fact_playlist_item.track_id_not_null": 1 / 9,  # 1 of D2's 4 + D3's 5 track rows
        "fact_playlist_item.track_id_in_dim_track": 2,  # t2 on D2, t9 on D3
        "bridge_track_artist.track_id_in_dim_track": 1,  # t2 on D2
        "dim_album.album_id_not_null": 1 / 3,  # a1 twice, the null once
        "dim_artist.key_unique": 1,
    }
    assert sorted(block["failed_rules"]) == sorted(failed)
    assert block["rules_failed"] == len(failed)
    for name, observed in failed.items():
        assert results[name]["passed"] is False, name
        assert results[name]["observed"] == pytest.approx(observed, abs=1e-6), name
    assert results["fact_playlist_item.track_id_not_null"]["failing_rows"] == 1
    assert results["fact_playlist_item.track_id_in_dim_track"]["failing_rows"] == 2
    # The null album id is not a dangling reference of the tracks.
    assert results["dim_track.album_id_in_dim_album"]["passed"] is True


def test_a_playlist_that_lost_more_than_half_of_its_entries_fails_the_drop_rule(spark):
    rows = _clean_rows()
    # History: p1 had 4 entries on D1 (now 3: a quarter less), p2 had 8 (now 2: 75 % less).
    block = _measure(spark, rows, HISTORY)
    drop = block["rules"]["dim_playlist.total_items_drop"]
    assert drop["passed"] is False
    assert drop["observed"] == pytest.approx(0.75)
    assert drop["failing_rows"] == 1  # p2 on D2; D3 compares with D2 (2 -> 2)
    assert drop["rows_checked"] == 4  # both playlists on both checked dates
    assert block["failed_rules"] == ["dim_playlist.total_items_drop"]


def test_earlier_dates_are_the_few_partitions_before_each_checked_date():
    weeks = [date(2026, 1, 5) + timedelta(weeks=i) for i in range(12)]
    checked = [weeks[11]]
    assert Q.earlier_dates(weeks, checked) == weeks[11 - Q.PREVIOUS_DATES : 11]
    # A checked date's own partition is read from the run's output, never from history.
    assert Q.earlier_dates(weeks, [weeks[0], weeks[1]]) == []
    assert Q.earlier_dates(weeks, [weeks[2]]) == weeks[:2]


def test_rule_names_are_unique_and_every_table_has_its_key_rules():
    names = [r.name for r in Q.RULES]
    assert len(names) == len(set(names))
    for table in S.TABLES:
        kinds = {r.kind for r in Q.rules_of(table)}
        assert {Q.UNIQUE, Q.NOT_NULL} <= kinds, table
        assert set(Q.TABLE_GRAIN[table]) <= {f.name for f in S.TABLE_SCHEMAS[table].fields}
    for rule in Q.RULES:
        columns = {f.name for f in S.TABLE_SCHEMAS[rule.table].fields}
        assert set(rule.columns) <= columns, rule.name
        assert rule.kind in Q.KINDS


def test_a_result_missing_for_a_rule_is_an_error_not_a_pass():
    rows = [{"rule": r.name, "observed": 0.0, "failing": 0, "checked": 1} for r in Q.RULES]
    with pytest.raises(RuntimeError, match="without a result"):
        Q.summary_block(rows[1:], [D3])


# ---------------------------------------------------------------------------------------
# DQDL
# ---------------------------------------------------------------------------------------


def test_the_dqdl_files_are_generated_from_the_rules():
    expected = Q.dqdl_files()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in Q.DQDL_DIR.glob("*.dqdl")}
    assert on_disk == expected, "run: python -m glue_jobs.quality --write-dqdl"
    for text in on_disk.values():
        assert text.startswith("# generated by `python -m glue_jobs.quality --write-dqdl`")


def test_every_rule_has_its_dqdl_counterpart_and_nothing_else():
    for table in S.TABLES:
        text = (Q.DQDL_DIR / f"{table}.dqdl").read_text(encoding="utf-8")
        assert dqdl_rules(text) == [Q.dqdl_rule(r) for r in Q.rules_of(table)]
    kinds = {
        "fact_playlist_item.key_unique": 'IsPrimaryKey "snapshot_date" "playlist_id" "position"',
        "dim_track.track_id_not_null": 'IsComplete "track_id"',
    }
    by_name = {r.name: r for r in Q.RULES}
    for name, text in kinds.items():
        assert Q.dqdl_rule(by_name[name]) == text


def test_quality_tf_deploys_one_ruleset_per_table_from_the_generated_files():
    text = (TF_DIR / "quality.tf").read_text(encoding="utf-8")
    assert 'resource "aws_glue_data_quality_ruleset" "this"' in text
    # One ruleset per generated file: the tables with rules, and no other.
    assert 'fileset("${path.module}/data_quality", "*.dqdl")' in text
    assert 'trimsuffix(file, ".dqdl")' in text
    assert '"${path.module}/data_quality/${each.key}.dqdl"' in text
    assert "database = aws_glue_catalog_database.this.name" in text


def _custom_sql(rule: Q.Rule) -> str | None:
    match = re.fullmatch(r'CustomSql "(.*)" <= (\S+)', Q.dqdl_rule(rule))
    return match.group(1) if match else None


def test_the_dqdl_sql_measures_what_the_job_measures(spark):
    """Every CustomSql rule, run by Spark SQL (Glue Data Quality's engine) on a table that
    breaks it, gives the job's observed value; ``${database}`` is Spark's global_temp."""
    rows = _clean_rows()
    rows[S.FACT_PLAYLIST_ITEM].append(_fact(D2, "p2", 3, None, "a9"))  # null track, album a9
    rows[S.FACT_PLAYLIST_ITEM].append(_fact(D3, "p2", 4, "t9", "a1"))  # t9: no such track
    rows[S.BRIDGE_ALBUM_ARTIST].append(
        _row(S.BRIDGE_ALBUM_ARTIST, D3, album_id="a1", artist_id="r7", artist_position=2)
    )
    rows[S.DIM_PLAYLIST] += HISTORY  # Glue reads the whole table: history included
    frames = _frames(spark, rows)
    for table, df in frames.items():
        df.createOrReplaceGlobalTempView(table)
    job = Q.summary_block(Q.evaluate(frames).collect(), [D1, D2, D3])["rules"]
    checked = 0
    for rule in Q.RULES:
        sql = _custom_sql(rule)
        if sql is None:
            continue
        frames[rule.table].createOrReplaceTempView("primary")
        sql = sql.replace(Q.DATABASE_PLACEHOLDER, "global_temp")
        value = spark.sql(sql).collect()[0][0]
        assert float(value) == pytest.approx(float(job[rule.name]["observed"])), rule.name
        checked += 1
    assert checked >= 10
    # The defects above are seen by both sides.
    assert job["fact_playlist_item.track_id_in_dim_track"]["observed"] == 1
    assert job["fact_playlist_item.album_id_in_dim_album"]["observed"] == 1
    assert job["bridge_album_artist.artist_id_in_dim_artist"]["observed"] == 1
    assert job["dim_playlist.total_items_drop"]["observed"] == pytest.approx(0.75)


def test_the_checks_cost_a_few_spark_jobs_whatever_the_number_of_rules(spark):
    frames = _frames(spark, _clean_rows())
    for df in frames.values():
        df.cache().count()
    sc = spark.sparkContext
    sc.setJobGroup("quality-jobs", "data-quality checks")
    try:
        Q.evaluate(frames).collect()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    jobs = sc.statusTracker().getJobIdsForGroup("quality-jobs")
    # One aggregation per rule was 48 jobs for these 31 rules.
    assert 0 < len(jobs) <= 6


# ---------------------------------------------------------------------------------------
# In the job: every run's summary, on what it published
# ---------------------------------------------------------------------------------------


def _playlist_doc(playlist_id: str, day: str, n_tracks: int, second: int = 0) -> dict:
    from tests.unit.glue_jobs import builders as B

    singer = B.artist("ar1", "Singer")
    disc = B.album("al1", "Disc", artists=[singer])
    entries = [
        B.entry(B.track(f"tr{i}", f"Song {i}", album_obj=disc, artists=[singer]))
        for i in range(n_tracks)
    ]
    entries.append(B.entry(B.episode("ep1", "Talk")))
    return B.document(playlist_id, f"{day}T06:00:{second:02d}.000000Z", entries)


def test_every_run_reports_the_rules_on_what_it_published_and_a_drop_does_not_block(
    spark, tmp_path
):
    import json

    from glue_jobs.pipeline import run_job
    from tests.unit.glue_jobs import builders as B

    raw, curated = tmp_path / "raw", tmp_path / "curated"
    for doc in (_playlist_doc("pa", "2026-11-09", 6), _playlist_doc("pb", "2026-11-09", 4, 1)):
        B.write_raw(raw, B.raw_key(doc), [doc])
    first = run_job(spark, str(raw), str(curated))
    quality = first["data_quality"]
    assert quality["dates_checked"] == ["2026-11-09"]
    assert quality["rules_checked"] == len(Q.RULES) and quality["rules_failed"] == 0
    fact_key = quality["rules"]["fact_playlist_item.key_unique"]
    assert fact_key["rows_checked"] == 12  # 6 + 1 and 4 + 1 entries, the episodes included
    assert quality["rules"]["fact_playlist_item.episode_id_not_null"]["rows_checked"] == 2
    written = json.loads((curated / "_runs" / f"{first['run_id']}.json").read_text())
    assert written["data_quality"] == quality

    # A week later pa has 2 of its 7 entries left (a 71 % fall), pb all of its 5.
    for doc in (_playlist_doc("pa", "2026-11-16", 1), _playlist_doc("pb", "2026-11-16", 4, 1)):
        B.write_raw(raw, B.raw_key(doc), [doc])
    second = run_job(spark, str(raw), str(curated))
    quality = second["data_quality"]
    assert quality["dates_checked"] == ["2026-11-16"]  # the new week only
    drop = quality["rules"]["dim_playlist.total_items_drop"]
    assert drop["passed"] is False and drop["failing_rows"] == 1
    assert drop["observed"] == pytest.approx(5 / 7, abs=1e-6)
    assert quality["failed_rules"] == ["dim_playlist.total_items_drop"]
    # Not blocking: the run is ok and the shrunken snapshot is published.
    assert second["status"] == "ok" and quality["blocks_publishing"] is False
    published = read_table(spark, curated, "fact_playlist_item")
    assert published.filter("snapshot_date = '2026-11-16' and playlist_id = 'pa'").count() == 2

    nothing = run_job(spark, str(raw), str(curated))
    assert nothing["status"] == "no_new_files"
    assert nothing["data_quality"] == Q.empty_block()
