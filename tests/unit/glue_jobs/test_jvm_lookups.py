"""glue_jobs.jvm_lookups: a column expression costs one JVM round trip, not three, and
only lookups that cannot change are remembered."""

from __future__ import annotations

import contextlib

import pytest
from py4j.clientserver import ClientServerConnection
from py4j.java_gateway import JavaClass, JavaPackage
from pyspark.sql import functions as F

from glue_jobs import jvm_lookups


@contextlib.contextmanager
def round_trips():
    """Count the commands py4j sends to the JVM inside the block."""
    sent = [0]
    original = ClientServerConnection.send_command

    def counting(self, command, *args, **kwargs):
        sent[0] += 1
        return original(self, command, *args, **kwargs)

    ClientServerConnection.send_command = counting
    try:
        yield sent
    finally:
        ClientServerConnection.send_command = original


@pytest.fixture()
def installed(spark):
    jvm_lookups.install()
    assert jvm_lookups.installed()
    return spark


def test_a_column_expression_is_one_round_trip(installed) -> None:
    F.col("warm_up")  # the first lookup of each name still asks the JVM
    with round_trips() as sent:
        for _ in range(10):
            F.col("a")
    assert sent[0] == 10


def test_the_expressions_still_mean_what_they_say(installed) -> None:
    df = installed.createDataFrame([(1, "x"), (None, "y")], "a int, b string")
    rows = df.select(
        (F.col("a") + F.lit(1)).alias("a1"),
        F.when(F.col("a").isNull(), F.lit("none")).otherwise(F.col("b")).alias("c"),
        F.upper("b").alias("u"),
    ).collect()
    assert [tuple(r) for r in rows] == [(2, "x", "X"), (None, "none", "Y")]


def test_packages_and_static_fields_are_asked_every_time(installed) -> None:
    jvm = installed.sparkContext._jvm
    assert isinstance(jvm.java, JavaPackage)
    with round_trips() as sent:
        package = jvm.java  # a package until an import makes the name a class: asked again
        values = [jvm.java.lang.Integer.MAX_VALUE for _ in range(2)]  # a field: read again
    assert "java" not in jvm.__dict__.get("_lookups", {})
    # the package walk (java, lang) and the class (Integer) are resolved each time; the
    # field is read each time
    assert sent[0] >= 4
    assert isinstance(package, JavaPackage)
    assert values == [2**31 - 1] * 2


def test_a_class_and_its_methods_are_remembered_per_view(installed) -> None:
    jvm = installed.sparkContext._jvm
    functions = jvm.functions
    assert isinstance(functions, JavaClass)
    assert jvm.functions is functions
    assert functions.col is functions.col
    with round_trips() as sent:
        jvm.functions.col("a")
    assert sent[0] == 1
