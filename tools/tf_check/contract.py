"""The names docs/data-contract.md fixes, read from the document itself so that a change
there (the place the contract says to change first) is checked against Terraform at once.

The tables and their columns come from their one definition, glue_jobs/tables.py (which
section 3 is generated from); the rest is read from section 1 (lake layout: raw and curated
roots) and section 6 (names shared by the code, the SQL and Terraform).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from glue_jobs.tables import CURRENT_TABLES, TABLE_NAMES
from glue_jobs.tables import TABLES as TABLE_DEFINITIONS

TICKED = re.compile(r"`([^`]+)`")


@dataclass
class Contract:
    raw_root: str = ""
    curated_root: str = ""
    handler: str = ""
    runtime: str = ""
    lambda_package: str = ""
    environment: list[str] = field(default_factory=list)
    environment_values: dict[str, str] = field(default_factory=dict)
    glue_script: str = ""
    glue_library: str = ""
    job_arguments: dict[str, str | None] = field(default_factory=dict)
    transformation_ctx: str = ""
    tables: list[str] = field(default_factory=list)
    # What the crawlers catalog: the tables, and the current tables the jobs write.
    crawled: list[str] = field(default_factory=list)
    columns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    snowflake: dict[str, str] = field(default_factory=dict)

    @property
    def raw_prefix(self) -> str:
        """``playlist_snapshots`` from ``s3://<raw-bucket>/playlist_snapshots/``."""
        return _key_prefix(self.raw_root)

    @property
    def curated_prefix(self) -> str:
        return _key_prefix(self.curated_root)


def _key_prefix(uri: str) -> str:
    match = re.match(r"s3://[^/]+/(.+?)/?$", uri)
    return match.group(1) if match else ""


def _sections(text: str) -> dict[str, str]:
    """``## N. Title`` sections by number."""
    parts = re.split(r"^## (\d+)\.", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        line = line.strip()
        if not line.startswith("|") or re.fullmatch(r"\|[\s|:-]+\|", line):
            continue
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _row(rows: list[list[str]], first_cell: str) -> str:
    """The second cell of the row whose first cell (backticks removed) is ``first_cell``."""
    for cells in rows:
        if len(cells) >= 2 and cells[0].replace("`", "").strip() == first_cell:
            return cells[1]
    raise ValueError(f"docs/data-contract.md has no row {first_cell!r}")


def _without_parentheses(cell: str) -> str:
    return re.sub(r"\([^)]*\)", "", cell)


def load_contract(path: Path) -> Contract:
    text = path.read_text(encoding="utf-8")
    sections = _sections(text)
    contract = Contract()

    layout = _rows(sections.get("1", ""))
    contract.raw_root = TICKED.findall(_row(layout, "raw root"))[0]
    contract.curated_root = TICKED.findall(_row(layout, "curated root"))[0]

    names = _rows(sections.get("6", ""))
    handler_cell = _row(names, "handler")
    contract.handler = TICKED.findall(handler_cell)[0]
    runtime = re.search(r"runtime `([^`]+)`", handler_cell)
    contract.runtime = runtime.group(1) if runtime else ""
    contract.lambda_package = TICKED.findall(_row(names, "package"))[0]
    environment = _row(names, "environment")
    contract.environment = [
        name
        for name in TICKED.findall(_without_parentheses(environment))
        if re.fullmatch(r"[A-Z][A-Z0-9_]+", name)
    ]
    contract.environment_values = dict(
        re.findall(r"`([A-Z][A-Z0-9_]+)` \(`([^`]+)`\)", environment)
    )
    contract.glue_script = TICKED.findall(_row(names, "script"))[0]
    contract.glue_library = TICKED.findall(_row(names, "library"))[0]
    for token in TICKED.findall(_row(names, "job arguments")):
        name, _, value = token.partition(" ")
        contract.job_arguments[name] = value or None
    contract.transformation_ctx = TICKED.findall(_row(names, "bookmark transformation_ctx"))[0]
    # The tables and their columns are defined once, in glue_jobs/tables.py; section 3 of
    # the contract is generated from there (`make generate`, checked by a test).
    contract.tables = list(TABLE_NAMES)
    contract.crawled = [*TABLE_NAMES, *CURRENT_TABLES]
    for what in (
        "database",
        "warehouse",
        "storage integration",
        "landing tables",
        "pipes",
        "streams",
        "tasks",
        "serving tables",
    ):
        contract.snowflake[what] = TICKED.findall(_row(names, what))[0]
    contract.snowflake["schemas"] = ",".join(TICKED.findall(_row(names, "schemas")))
    stage, file_format = TICKED.findall(_row(names, "stage, file format"))[:2]
    contract.snowflake["stage"] = stage
    contract.snowflake["file format"] = file_format

    contract.columns = {
        t.name: [(c.name, c.type) for c in t.all_columns] for t in TABLE_DEFINITIONS
    }
    return contract


def load_task_settings(path: Path) -> dict[str, str]:
    """The Lambda settings a task documents beyond section 6 of the data contract, with their
    defaults: the ``| variable | default | meaning |`` table of ``path`` (the enrichment's,
    docs/track-documents.md). ``{}`` when the document has no such table."""
    if not path.is_file():
        return {}
    settings: dict[str, str] = {}
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if [c.lower() for c in cells[:2]] == ["variable", "default"]:
            in_table = True
            continue
        if not in_table:
            continue
        if not cells:
            in_table = False
        elif not re.fullmatch(r"[\s|:-]+", line.strip()):
            name, default = (TICKED.findall(c) for c in cells[:2])
            if name and re.fullmatch(r"[A-Z][A-Z0-9_]+", name[0]):
                settings[name[0]] = default[0] if default else ""
    return settings
