"""pipeline.run_concurrently: independent Spark actions from driver threads, their results
in order, every call finished before a failure is raised, the caller's job group kept."""

from __future__ import annotations

import threading

import pytest

from glue_jobs.pipeline import run_concurrently


def test_results_come_back_in_the_order_of_the_calls(spark) -> None:
    counts = run_concurrently(
        *(lambda n=n: spark.range(n).count() for n in (5, 1, 3, 8)), threads=2
    )
    assert counts == [5, 1, 3, 8]


def test_a_failure_is_raised_after_every_call_has_ended(spark) -> None:
    finished = []

    def slow_ok() -> None:
        spark.range(1000).selectExpr("sum(id)").collect()
        finished.append("slow")

    def fails() -> None:
        raise ValueError("bad table")

    with pytest.raises(ValueError, match="bad table"):
        run_concurrently(fails, slow_ok, slow_ok, threads=2)
    assert finished == ["slow", "slow"]


def test_the_threads_run_the_callers_job_group(spark) -> None:
    sc = spark.sparkContext
    sc.setJobGroup("run-under-test", "a run of the job")
    try:
        groups = run_concurrently(
            *(lambda: sc.getLocalProperty("spark.jobGroup.id") for _ in range(3)), threads=2
        )
        names = run_concurrently(
            *(lambda: threading.current_thread().name for _ in range(2)), threads=1
        )
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
        sc.setLocalProperty("spark.job.description", None)
    assert groups == ["run-under-test"] * 3
    assert len(set(names)) == 1  # one thread: one after the other


def test_the_threads_follow_the_setting_else_the_sessions_cores(spark) -> None:
    from glue_jobs.pipeline import CONCURRENT_ACTIONS_CONF, action_threads

    assert spark.conf.get(CONCURRENT_ACTIONS_CONF) == "1"  # the test session's (conftest)
    assert action_threads(spark) == 1
    spark.conf.unset(CONCURRENT_ACTIONS_CONF)
    try:
        assert action_threads(spark) == spark.sparkContext.defaultParallelism == 2
    finally:
        spark.conf.set(CONCURRENT_ACTIONS_CONF, "1")
