"""Every .sql file of snowflake_sql/ and athena_sql/ parses with sqlfluff in its folder's
dialect (the folder's .sqlfluff), with no unparsable section and no file skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

ROOT = Path(__file__).resolve().parents[2]
SQL_DIRS = {"snowflake_sql": "snowflake", "athena_sql": "athena"}
SQL_FILES = sorted(p.relative_to(ROOT) for d in SQL_DIRS for p in (ROOT / d).rglob("*.sql"))


@pytest.fixture(scope="module")
def linters() -> dict[str, Linter]:
    return {d: Linter(config=FluffConfig.from_path(str(ROOT / d))) for d in SQL_DIRS}


@pytest.mark.parametrize("folder, dialect", sorted(SQL_DIRS.items()))
def test_folder_config_sets_the_dialect(linters, folder, dialect):
    assert linters[folder].config.get("dialect") == dialect


def test_both_folders_have_sql():
    assert {p.parts[0] for p in SQL_FILES} == set(SQL_DIRS)


@pytest.mark.slow
@pytest.mark.parametrize("path", SQL_FILES, ids=str)
def test_file_parses_without_unparsable_sections(linters, path):
    (parsed,) = linters[path.parts[0]].parse_path(str(ROOT / path))
    assert parsed.tree is not None, f"{path} was not parsed (skipped or empty)"
    assert not parsed.violations, [v.desc() for v in parsed.violations]
    unparsable = [
        f"line {s.pos_marker.line_no}: {s.raw[:60]!r}"
        for s in parsed.tree.recursive_crawl("unparsable")
    ]
    assert not unparsable, unparsable
    assert parsed.tree.raw == (ROOT / path).read_text(encoding="utf-8")
