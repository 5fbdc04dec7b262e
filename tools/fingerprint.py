"""Fingerprints of every curated table and every view over a curated root, to prove that
a change of the code changes no row.

    python -m tools.fingerprint build/demo/curated --out /tmp/before.json
    ... change the code, run `make demo` again ...
    python -m tools.fingerprint build/demo/curated --compare /tmp/before.json

Each table's and view's rows are read with DuckDB (the tables as `make query` reads them,
the views from athena_sql/views/), sorted, and hashed together with the column names and
types: a fingerprint is ``{"rows": n, "columns": [...], "sha256": ...}``. The lake's own
location is replaced in every value (``source_file`` holds absolute paths), so two lakes
built in different folders compare. ``--ignore table.column`` leaves out values that differ
from run to run by design (e.g. ``fact_chart_entry.added_at``, a drop file's modification
time); give the same ``--ignore`` to both calls. ``--compare`` exits 1 and names what differs; 0 when everything is the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tools import query

_LAKE = "<lake>"


def _normalise(value: Any, roots: Sequence[str]) -> Any:
    if isinstance(value, str):
        for root in roots:
            value = value.replace(root, _LAKE)
        return value
    if isinstance(value, list | tuple):
        return [_normalise(v, roots) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v, roots) for k, v in value.items()}
    return value


def fingerprint(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], roots: Sequence[str]
) -> dict:
    lines = sorted(json.dumps(_normalise(list(r), roots), default=str) for r in rows)
    digest = hashlib.sha256(json.dumps([list(columns), lines]).encode()).hexdigest()
    return {"rows": len(lines), "columns": list(columns), "sha256": digest}


def _roots(curated: Path) -> list[str]:
    """The spellings of the lake's folder that values hold (its parent: raw and drop too)."""
    lake = curated.resolve().parent
    return [f"file://{lake.as_posix()}", f"file:{lake.as_posix()}", lake.as_posix()]


def fingerprints(curated: Path, ignore: Sequence[str] = ()) -> dict[str, dict]:
    """``{"table:<name>" | "current:<name>" | "view:<name>": fingerprint}`` of every table,
    current table (glue_jobs/current.py) and view."""
    con = query.connect(curated)
    roots = _roots(curated)
    dropped: dict[str, set[str]] = {}
    for item in ignore:
        table, _, column = item.partition(".")
        dropped.setdefault(table, set()).add(column)
    out = {}
    names = [("table", t) for t in query.CURATED_TABLES]
    names += [("current", t) for t in query.CURRENT_TABLES]
    names += [("view", query.view_name(p)) for p in query.view_files()]
    for kind, name in names:
        cursor = con.execute(f"select * from {name}")
        described = [(d[0], str(d[1])) for d in cursor.description]
        keep = [i for i, (c, _t) in enumerate(described) if c not in dropped.get(name, set())]
        columns = [f"{described[i][0]}:{described[i][1]}" for i in keep]
        rows = ([r[i] for i in keep] for r in cursor.fetchall())
        out[f"{kind}:{name}"] = fingerprint(columns, rows, roots)
    return out


def differences(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            lines.append(f"{name}: only {'after' if old is None else 'before'}")
        elif old != new:
            what = [k for k in ("columns", "rows", "sha256") if old[k] != new[k]]
            lines.append(f"{name}: {', '.join(what)} differ ({old['rows']} -> {new['rows']} rows)")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fingerprint", description=__doc__)
    parser.add_argument("curated", type=Path, help="a curated root written by the Glue jobs")
    parser.add_argument("--out", type=Path, help="write the fingerprints here (JSON)")
    parser.add_argument("--compare", type=Path, help="fingerprints written before (JSON)")
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="TABLE.COLUMN", help="leave a column out"
    )
    args = parser.parse_args(argv)
    prints = fingerprints(args.curated, args.ignore)
    if args.out:
        args.out.write_text(json.dumps(prints, indent=1, sort_keys=True) + "\n")
    if args.compare:
        diff = differences(json.loads(args.compare.read_text()), prints)
        print("\n".join(diff) or f"all {len(prints)} tables and views are the same")
        return 1 if diff else 0
    if not args.out:
        json.dump(prints, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
