"""terraform/tables.json: the curated tables as Terraform needs them, read by the root module
with ``jsondecode(file(...))``:

- ``tables``: each table's file columns, in order, with their Snowflake types (the Snowflake
  landing tables and pipes);
- ``partitions``: each table's partition column (the Hive ``<name>=<value>`` directory of its
  files) and its Snowflake type: the pipes read it from the file's path;
- ``sources``: the job that writes each table (``playlists``: the star-schema job;
  ``charts``: the chart job): each job's crawlers run after that job;
- ``current``: the current tables each job writes beside its tables (``glue_jobs.current``),
  one folder each, no partition: crawled after their job, never loaded into Snowflake (it
  has its own ``*_current`` views over CORE).
"""

from __future__ import annotations

import json

from glue_jobs.tables import CURRENT_TABLES, TABLES

PATH = "terraform/tables.json"


def document() -> dict:
    return {
        "generated": "by `make generate` from glue_jobs/tables.py: do not edit",
        # The columns stored in each table's files, in order (the partition is in the path).
        "tables": {
            t.name: [
                {"name": c.name.upper(), "type": c.snowflake_type.upper()} for c in t.file_columns
            ]
            for t in TABLES
        },
        "partitions": {
            t.name: {"name": t.partition.name, "type": t.partition.snowflake_type.upper()}
            for t in TABLES
        },
        "sources": {t.name: t.source for t in TABLES},
        "current": {name: {"source": t.source} for name, t in CURRENT_TABLES.items()},
    }


def outputs() -> dict[str, str]:
    return {PATH: json.dumps(document(), indent=2, ensure_ascii=False) + "\n"}
