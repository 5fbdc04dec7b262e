"""The table sections of docs/data-contract.md (section 3), from glue_jobs/tables.py.

Only the region between the two markers below is generated; the rest of the contract is
written by hand.
"""

from __future__ import annotations

from glue_jobs.tables import CURRENT_TABLES, TABLES, Table
from tools.generate import ROOT

CONTRACT = "docs/data-contract.md"
BEGIN = (
    "<!-- BEGIN GENERATED: the tables of glue_jobs/tables.py, by `make generate`; "
    "edit them there -->"
)
END = "<!-- END GENERATED -->"


def table_section(table: Table) -> str:
    lines = [f"### `{table.name}` — {table.title}", ""]
    if table.intro:
        lines += [table.intro, ""]
    key = ", ".join(f"`{c}`" for c in (*table.grain, table.partition.name))
    lines += [f"One row per {key}.", ""]
    lines += ["| column | type | meaning |", "|---|---|---|"]
    lines += [
        f"| `{c.name}` | {c.type} | {c.meaning} |".replace("|  |", "| |") for c in table.columns
    ]
    lineage = ", ".join(f"`{c.name}`" for c in (*table.lineage, table.partition))
    lines.append(f"| {lineage} | | lineage and partition |")
    return "\n".join(lines) + "\n"


def current_section() -> str:
    lines = ["### The current tables", "", "| table | one row per | the latest observation of |"]
    lines.append("|---|---|---|")
    for name, table in CURRENT_TABLES.items():
        grain = ", ".join(f"`{c}`" for c in table.grain)
        lines.append(f"| `{name}` | {grain} | `{table.name}`, same columns |")
    return "\n".join(lines) + "\n"


def region() -> str:
    sections = [*(table_section(t) for t in TABLES), current_section()]
    return BEGIN + "\n\n" + "\n".join(sections) + "\n" + END


def outputs() -> dict[str, str]:
    text = (ROOT / CONTRACT).read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{CONTRACT} lacks the generated region's markers")
    return {CONTRACT: text[:start] + region() + text[end + len(END) :]}
