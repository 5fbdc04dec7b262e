"""Every .sql file of snowflake_sql/ and athena_sql/ parses with sqlfluff in its folder's
dialect (the folder's .sqlfluff), with no unparsable section and no file skipped."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

ROOT = Path(__file__).resolve().parents[2]
SQL_DIRS = {"snowflake_sql": "snowflake", "athena_sql": "athena"}
SQL_FILES = sorted(p.relative_to(ROOT) for d in SQL_DIRS for p in (ROOT / d).rglob("*.sql"))


def parse_problems(path: Path, config_dir: Path | None = None) -> list[str]:
    """What is wrong with parsing one file (relative to the project, or absolute with the
    folder whose .sqlfluff applies): skipped, parse errors, unparsable sections."""
    config_dir = config_dir or ROOT / path.parts[0]
    linter = Linter(config=FluffConfig.from_path(str(config_dir)))
    (parsed,) = linter.parse_path(str(ROOT / path))
    if parsed.tree is None:
        return ["not parsed (skipped or empty)"]
    problems = [v.desc() for v in parsed.violations]
    problems += [
        f"unparsable at line {s.pos_marker.line_no}: {s.raw[:60]!r}"
        for s in parsed.tree.recursive_crawl("unparsable")
    ]
    if parsed.tree.raw != (ROOT / path).read_text(encoding="utf-8"):
        problems.append("the parse tree does not cover the whole file")
    return problems


@pytest.fixture(scope="module")
def problems() -> dict[Path, list[str]]:
    """Every file parsed once, two at a time (parsing is CPU-bound and the big scripts
    take seconds each)."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip(SQL_FILES, pool.map(parse_problems, SQL_FILES), strict=True))


@pytest.mark.parametrize("folder, dialect", sorted(SQL_DIRS.items()))
def test_folder_config_sets_the_dialect(folder, dialect):
    assert FluffConfig.from_path(str(ROOT / folder)).get("dialect") == dialect


def test_both_folders_have_sql():
    assert {p.parts[0] for p in SQL_FILES} == set(SQL_DIRS)


@pytest.mark.slow
@pytest.mark.parametrize("path", SQL_FILES, ids=str)
def test_file_parses_without_unparsable_sections(problems, path):
    assert problems[path] == []


def test_an_unparsable_statement_is_reported(tmp_path):
    # The check itself, on a file sqlfluff cannot parse, with the Snowflake folder's config.
    (tmp_path / ".sqlfluff").write_bytes((ROOT / "snowflake_sql" / ".sqlfluff").read_bytes())
    bad = tmp_path / "unparsable.sql"
    bad.write_text("select 1;\ncreate frobnicate widget x with garbage;\n", encoding="utf-8")
    found = parse_problems(bad, config_dir=tmp_path)
    assert any("unparsable" in p for p in found), found
