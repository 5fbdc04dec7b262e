"""Everything derived from the table definitions of ``glue_jobs/tables.py``.

``python -m tools.generate`` (``make generate``) writes every derived file;
``--check`` writes nothing and fails, naming the files, when one differs from what the
definitions give. ``tests/unit/test_generated.py`` runs the check, so a definition and its
derived files cannot drift apart.

Each generator is a function returning ``{path relative to the repository: text}``; a
Markdown file gets only a marked region replaced (see :mod:`tools.generate.contract`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

Generator = Callable[[], dict[str, str]]


def generators() -> list[Generator]:
    from tools.generate import contract, monitoring, sql, terraform

    found: list[Generator] = [contract.outputs, sql.outputs, monitoring.outputs, terraform.outputs]
    try:  # the analytics views, written once in Athena SQL and translated per dialect
        from tools.generate import views
    except ImportError:
        return found
    return [*found, views.outputs]


def outputs() -> dict[str, str]:
    """Every generated file's expected text, by path relative to the repository."""
    result: dict[str, str] = {}
    for generate in generators():
        for path, text in generate().items():
            if path in result:
                raise ValueError(f"{path} is generated twice")
            result[path] = text
    return result


def stale(root: Path = ROOT) -> list[str]:
    """The generated files whose text differs from what the definitions give."""
    return sorted(
        path
        for path, text in outputs().items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    )


def write(root: Path = ROOT) -> list[str]:
    """Write every generated file that differs; returns the paths written."""
    written = []
    for path, text in outputs().items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(path)
    return sorted(written)
