"""What the data-quality tests (test_quality*.py) share: rows built in schema order, and the
rules of a DQDL file as Glue receives it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from glue_jobs import schemas as S
from glue_jobs import tables as T


def table_row(table: str, day: date, values: dict[str, Any]) -> tuple:
    """A full row of ``table`` in schema order: ``day`` in its partition column, the given
    values, the rest null."""
    partition = T.BY_NAME[table].partition.name
    return tuple(
        day if f.name == partition else values.get(f.name) for f in S.TABLE_SCHEMAS[table].fields
    )


def dqdl_rules(text: str) -> list[str]:
    """The rules of a DQDL file as Glue receives it (quality.tf drops the '#' lines)."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    match = re.fullmatch(r"Rules = \[\n(.*)\n\]", body.strip(), re.S)
    assert match, body
    return [line.strip().removesuffix(",") for line in match.group(1).split("\n")]
