"""Comparing query results from DuckDB and fakesnow with the hand-worked expectations."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from typing import Any


def normalize(value: Any) -> Any:
    """One value in a form both engines agree on: integral decimals as int, other numbers
    as floats rounded to 4 places, timestamps in UTC."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else round(float(value), 4)
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    return value


def _sort_key(row: Sequence[Any]) -> tuple:
    return tuple((1, "") if v is None else (0, v) for v in row)


def rows_as_expected(
    columns: Sequence[str], actual_columns: Sequence[str], actual_rows: Iterable[Sequence[Any]]
) -> list[tuple]:
    """The actual rows in the order of ``columns`` (matched case-insensitively), normalized
    and sorted, ready to compare with the expected rows sorted the same way.

    ``columns`` must name every column the query returns: a column left out of the
    expectation would never be compared."""
    index = {name.lower(): i for i, name in enumerate(actual_columns)}
    missing = [c for c in columns if c not in index]
    assert not missing, f"columns {missing} not in {list(actual_columns)}"
    unchecked = [c for c in actual_columns if c.lower() not in columns]
    assert not unchecked, f"columns {unchecked} are returned but not in the expectation"
    rows = [tuple(normalize(row[index[c]]) for c in columns) for row in actual_rows]
    return sorted(rows, key=_sort_key)


def sorted_rows(rows: Iterable[Sequence[Any]]) -> list[tuple]:
    return sorted((tuple(normalize(v) for v in row) for row in rows), key=_sort_key)
