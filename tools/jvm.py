"""JVM options for the short local Spark runs: the tests, the demo, and `make glue-local` /
`make charts-local` (which read them with ``python -m tools.jvm``).

- ``-XX:TieredStopAtLevel=1``: C1 only. These runs are short, so C2's optimising compiles
  cost more CPU than they pay back (docs/benchmarks.md).
- ``-XX:ReservedCodeCacheSize=240m``: with tiered compilation stopped at level 1 the JVM
  sizes the code cache as for a non-tiered VM (48 MiB instead of 240 MiB). Spark's generated
  code fills that within a minute of a long session; the JVM then prints "CodeCache is
  full. Compiler has been disabled" and interprets everything from there on. 240 MiB is
  the tiered default, which Glue itself has anyway.

Glue sets none of these: it runs the JVM's defaults. A long local backfill may prefer them
too: ``make glue-local JVM_OPTIONS=`` (docs/glue-job.md).
"""

from __future__ import annotations

LOCAL_JVM_OPTIONS: tuple[str, ...] = (
    "-XX:TieredStopAtLevel=1",
    "-XX:ReservedCodeCacheSize=240m",
)


if __name__ == "__main__":
    print(" ".join(LOCAL_JVM_OPTIONS))
