"""Reading a curated lake back in the tests, with Spark.

Every read names the table's schema (``glue_jobs.schemas.TABLE_SCHEMAS``): without it, Spark
runs a job only to read a Parquet footer and find the schema the contract already gives.
The partition column comes back from the folder names, last, as in the contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from glue_jobs.schemas import TABLE_SCHEMAS, TABLES


def read_table(spark: SparkSession, curated: Path, table: str) -> DataFrame:
    """The rows of ``table`` under ``curated`` (lazy); the table's folder must exist."""
    return spark.read.schema(TABLE_SCHEMAS[table]).parquet(str(curated / table))


def rows(spark: SparkSession, curated: Path, table: str) -> list[dict[str, Any]]:
    """The rows of ``table`` as dicts, sorted; none when the table has no folder yet."""
    if not (curated / table).is_dir():
        return []
    return sorted((r.asDict() for r in read_table(spark, curated, table).collect()), key=repr)


def table_rows(spark: SparkSession, curated: Path, raw: Path) -> dict[str, list[tuple]]:
    """Every playlist table's rows as tuples, sorted, with ``source_file`` relative to the raw
    root, so that lakes fed from copies of the same files compare equal."""
    prefix = f"file:{raw}/"
    return {
        table: sorted(
            (
                tuple(v.removeprefix(prefix) if isinstance(v, str) else v for v in r.values())
                for r in rows(spark, curated, table)
            ),
            key=repr,
        )
        for table in TABLES
    }
