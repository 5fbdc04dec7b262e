"""JVM options for the short local Spark runs of the tests and the demo.

- ``-XX:TieredStopAtLevel=1``: C1 only. These runs are short, so C2's optimising compiles
  cost more CPU than they pay back (docs/benchmarks.md).
- ``-XX:ReservedCodeCacheSize=240m``: with tiered compilation stopped at level 1 the JVM
  sizes the code cache as for a non-tiered VM (48 MiB instead of 240 MiB). Spark's generated
  code fills that within a minute of a long session; the JVM then prints "CodeCache is
  full. Compiler has been disabled" and interprets everything from there on. 240 MiB is
  the tiered default, which the other runs (``make glue-local``, Glue itself) have anyway.

Glue and ``make glue-local`` set none of these: they run the JVM's defaults.
"""

from __future__ import annotations

LOCAL_JVM_OPTIONS: tuple[str, ...] = (
    "-XX:TieredStopAtLevel=1",
    "-XX:ReservedCodeCacheSize=240m",
)
