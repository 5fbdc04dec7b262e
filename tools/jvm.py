"""JVM options for the short local Spark runs: the tests, the demo, and `make glue-local` /
`make charts-local` (which read them with ``python -m tools.jvm``); and the SparkSession
settings the tests and the demo share (:func:`local_session_builder`).

- ``-XX:TieredStopAtLevel=1``: C1 only. These runs are short, so C2's optimising compiles
  cost more CPU than they pay back (docs/benchmarks.md).
- ``-XX:ReservedCodeCacheSize=240m``: with tiered compilation stopped at level 1 the JVM
  sizes the code cache as for a non-tiered VM (48 MiB instead of 240 MiB). Spark's generated
  code fills that within a minute of a long session; the JVM then prints "CodeCache is
  full. Compiler has been disabled" and interprets everything from there on. 240 MiB is
  the tiered default, which Glue itself has anyway.

- ``-XX:SharedArchiveFile``: the environment's class archive (:mod:`tools.class_archive`),
  once built: the JVM maps the classes a run loads instead of loading them from the jars.

Glue sets none of these: it runs the JVM's defaults. A long local backfill may prefer them
too: ``make glue-local JVM_OPTIONS=`` (docs/glue-job.md).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

LOCAL_JVM_OPTIONS: tuple[str, ...] = (
    "-XX:TieredStopAtLevel=1",
    "-XX:ReservedCodeCacheSize=240m",
)


def local_jvm_options() -> tuple[str, ...]:
    """:data:`LOCAL_JVM_OPTIONS`, and the class archive's option when it has been built."""
    from tools.class_archive import archive_options

    return (*LOCAL_JVM_OPTIONS, *archive_options())


def local_session_builder(
    app_name: str, driver_memory: str, java_options: Sequence[str] | None = None
):
    """A SparkSession builder for a short run on this machine (the tests, the demo):
    local[2], UTC, no UI or progress bars, two shuffle partitions, the Python workers on this
    interpreter, the driver JVM with `java_options` (default :func:`local_jvm_options`). The
    caller adds its own settings."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", driver_memory)
        .config(
            "spark.driver.extraJavaOptions",
            " ".join(local_jvm_options() if java_options is None else java_options),
        )
    )


if __name__ == "__main__":
    print(" ".join(local_jvm_options()))
