"""The current tables: every dimension and bridge at its latest observation, written by the
job at each run (data contract, section 3).

``dim_track_current`` holds, for every ``track_id``, the row of ``dim_track`` of its latest
``snapshot_date``; ``bridge_track_artist_current`` the credits of every track as its latest
observation gave them; and so on for every table with ``observed`` set in
``glue_jobs.tables``. They were views that ranked every observation of the whole history at
every query, so each query on Athena scanned, and was billed for, all the years. Written by
the job they are tables of one row (or one credit list) per id, whatever the history.

Each run computes them before publishing, from what it stages:

- **incremental**, the usual case (a run adds dates the lake does not have yet): the latest
  rows of the current table as published and of the run's staged dates;
- **rebuilt** when the run rewrites a date the lake already holds (a re-extraction, a
  correction, a rebuild), because the rewritten date may drop a key's latest row and only
  the history has the row that is then latest; also when the current table is missing (a
  lake written before current tables, or a folder deleted on purpose): the latest rows of
  every date of the table, the staged ones in place of the lake's.

The result is staged beside the run's partitions and listed in the run's manifest
(``current``), so it is published with them, or rolled forward with them after a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from glue_jobs import schemas as S
from glue_jobs.lakefs import LakeFS, join
from glue_jobs.publish import part_files, partition_dates, read_partitions
from glue_jobs.tables import Table

INCREMENTAL = "incremental"
REBUILT = "rebuilt"


def current_rows(table: Table) -> Callable[[DataFrame], DataFrame]:
    """The rows of each id's latest observation: greatest partition date, then greatest
    lineage (``extracted_at`` / ``added_at``, ``source_file``). A dimension has one such row
    per id; a bridge keeps every row of that observation (its credit list)."""
    order = [F.col(table.partition.name).desc(), *(F.col(c).desc() for c in table.order)]
    window = Window.partitionBy(table.id_column).orderBy(*order)

    def _latest(df: DataFrame) -> DataFrame:
        ranked = df.withColumn("_observation", F.dense_rank().over(window))
        return ranked.filter("_observation = 1").drop("_observation")

    return _latest


def plan(
    fs: LakeFS, curated: str, table: Table, write_days: Sequence[str], lake_days: Iterable[str]
) -> str:
    """:data:`INCREMENTAL` or :data:`REBUILT` for one table (see the module docstring)."""
    if set(write_days) & set(lake_days):
        return REBUILT
    return INCREMENTAL if part_files(fs, join(curated, table.current)) else REBUILT


def stage_current(
    spark: SparkSession,
    fs: LakeFS,
    curated: str,
    staging: str,
    table: Table,
    write_days: Sequence[str],
    lake_days: Sequence[str],
) -> tuple[list[str], str]:
    """Stage ``table``'s current table under ``staging``; returns its file names (for the
    manifest) and how it was computed."""
    how = plan(fs, curated, table, write_days, lake_days)
    schema = S.TABLE_SCHEMAS[table.name]
    parts = [read_partitions(spark, fs, staging, table.name, write_days)]
    if how == INCREMENTAL:
        parts.append(spark.read.schema(schema).parquet(join(curated, table.current)))
    else:
        parts.append(
            read_partitions(
                spark, fs, curated, table.name, [d for d in lake_days if d not in write_days]
            )
        )
    rows = [p.select(*schema.fieldNames()) for p in parts if p is not None]
    out = join(staging, table.current)
    if rows:
        union = rows[0]
        for part in rows[1:]:
            union = union.unionByName(part)
        (
            union.transform(current_rows(table))
            .sortWithinPartitions(*table.grain)
            .write.mode("overwrite")
            .parquet(out)
        )
    return (part_files(fs, out) if rows else []), how


def stage_all(
    spark: SparkSession,
    fs: LakeFS,
    curated: str,
    staging: str,
    tables: Sequence[Table],
    write_days: Sequence[str],
    threads: int,
    run: Callable[..., list],
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Stage the current table of every table of ``tables`` that has one, ``threads`` at a
    time through ``run`` (``pipeline.run_concurrently``). Returns the manifest's ``current``
    block (name -> files) and, for the run summary, name -> ``incremental`` / ``rebuilt``."""
    observed = [t for t in tables if t.current]
    lake_days = {
        t.name: [d.isoformat() for d in partition_dates(fs, curated, t.name)] for t in observed
    }
    results = run(
        *(
            partial(stage_current, spark, fs, curated, staging, t, write_days, lake_days[t.name])
            for t in observed
        ),
        threads=threads,
    )
    files = {t.current: names for t, (names, _how) in zip(observed, results, strict=True)}
    modes = {t.current: how for t, (_names, how) in zip(observed, results, strict=True)}
    return files, modes
