"""terraform/tables.json: the curated tables and their landing columns, which the root
module reads with ``jsondecode(file(...))`` for the Glue crawlers and the Snowflake landing
tables and pipes."""

from __future__ import annotations

import json

from glue_jobs.tables import TABLES

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
    }


def outputs() -> dict[str, str]:
    return {PATH: json.dumps(document(), indent=2, ensure_ascii=False) + "\n"}
