"""Latest wins over document metadata: winners, superseded documents, dates to rebuild."""

from __future__ import annotations

from datetime import date, datetime

from glue_jobs.planning import LAKE, NEW, REREAD, Document, plan_rereads, plan_run

D1 = date(2026, 1, 5)
D2 = date(2026, 1, 12)


def doc(pid, hour, file, origin=NEW, day=D1, line=1, n=3):
    return Document(
        source_file=file,
        line_no=None if origin == LAKE else line,
        playlist_id=pid,
        snapshot_date=day,
        extracted_at=datetime(day.year, day.month, day.day, hour),
        n_entries=n,
        origin=origin,
    )


def test_new_week_touches_nothing_in_the_lake():
    new = [doc("p1", 6, "f_new", day=D2)]
    lake = []  # the lake has no document for D2
    rereads = plan_rereads(new, lake, ["f_new"])
    assert rereads.rebuild_dates == frozenset() and rereads.reread_files == frozenset()
    plan = plan_run(new, [], lake, ["f_new"], rereads.rebuild_dates)
    assert plan.winners == tuple(new)
    assert plan.superseded == ()
    assert plan.merge_dates == (D2,) and plan.rebuild_dates == ()


def test_later_extraction_the_same_day_wins_and_the_earlier_is_superseded():
    early, late = doc("p1", 6, "f_a"), doc("p1", 7, "f_b", n=5)
    plan = plan_run([early, late], [], [], ["f_a", "f_b"], [])
    assert plan.winners == (late,)
    assert plan.superseded == (early,)


def test_equal_extracted_at_is_broken_by_the_greater_source_file():
    a, b = doc("p1", 6, "raw/a.json"), doc("p1", 6, "raw/b.json")
    plan = plan_run([b, a], [], [], ["raw/a.json", "raw/b.json"], [])
    assert plan.winners == (b,)


def test_an_older_late_arrival_loses_to_the_lake_and_rewrites_nothing():
    lake = [doc("p1", 7, "f_lake", origin=LAKE)]
    late_but_older = doc("p1", 6, "f_old")
    rereads = plan_rereads([late_but_older], lake, ["f_old"])
    assert rereads.rebuild_dates == frozenset()
    plan = plan_run([late_but_older], [], lake, ["f_old"], rereads.rebuild_dates)
    assert plan.superseded == (late_but_older,)
    assert plan.winners == ()
    assert plan.write_dates == ()  # the date's partitions are left alone


def test_replacing_a_lake_document_rebuilds_the_date_from_its_other_documents():
    lake = [doc("p1", 6, "f_p1_old", origin=LAKE), doc("p2", 6, "f_p2", origin=LAKE)]
    newer = doc("p1", 8, "f_p1_new")
    rereads = plan_rereads([newer], lake, ["f_p1_new"])
    assert rereads.rebuild_dates == frozenset({D1})
    assert rereads.reread_files == frozenset({"f_p2"})  # not the displaced one
    reread = [doc("p2", 6, "f_p2", origin=REREAD)]
    plan = plan_run([newer], reread, lake, ["f_p1_new"], rereads.rebuild_dates)
    assert set(plan.winners) == {newer, reread[0]}
    assert plan.rebuild_dates == (D1,) and plan.merge_dates == ()
    assert plan.superseded == ()


def test_reading_a_file_again_rebuilds_its_date_without_rereading_it_twice():
    lake = [doc("p1", 6, "f1", origin=LAKE), doc("p2", 6, "f2", origin=LAKE)]
    again = doc("p1", 6, "f1")  # bookmark reset: the same file is new again
    rereads = plan_rereads([again], lake, ["f1"])
    assert rereads.rebuild_dates == frozenset({D1})
    assert rereads.reread_files == frozenset({"f2"})
    plan = plan_run(
        [again], [doc("p2", 6, "f2", origin=REREAD)], lake, ["f1"], rereads.rebuild_dates
    )
    assert {d.source_file for d in plan.winners} == {"f1", "f2"}
    assert plan.superseded == ()


def test_reread_documents_of_other_dates_are_ignored():
    reread_other_day = doc("p9", 6, "f_multi", origin=REREAD, day=D2)
    plan = plan_run([doc("p1", 7, "f_new")], [reread_other_day], [], ["f_new"], [D1])
    assert reread_other_day not in plan.winners
    assert plan.write_dates == (D1,)
