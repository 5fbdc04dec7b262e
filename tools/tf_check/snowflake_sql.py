"""The objects the snowflake_sql/ scripts create, read with regular expressions: enough
of Snowflake's CREATE syntax to name every object, list a table's columns, and take a
pipe's COPY apart (target, column list, SELECT expressions, stage path, pattern).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

KINDS = (
    "storage integration",
    "file format",
    "materialized view",
    "dynamic table",
    "database",
    "schema",
    "warehouse",
    "stage",
    "table",
    "pipe",
    "stream",
    "task",
    "view",
)
_CREATE = re.compile(
    r"^create\s+(?:or\s+replace\s+|or\s+alter\s+)?"
    r"(?:(?:transient|temporary|temp|secure|recursive|volatile)\s+)*"
    r"(" + "|".join(k.replace(" ", r"\s+") for k in KINDS) + r")\s+"
    r"(?:if\s+not\s+exists\s+)?"
    r"((?:\"[^\"]+\"|[\w$]+)(?:\.(?:\"[^\"]+\"|[\w$]+)){0,2})",
    re.IGNORECASE | re.DOTALL,
)
_USE = re.compile(r"^use\s+(database|schema)\s+([\w$.\"]+)\s*$", re.IGNORECASE)


@dataclass
class SqlObject:
    kind: str
    name: str  # fully qualified where the kind lives in a schema, upper-case
    statement: str
    path: Path
    columns: list[tuple[str, str]] = field(default_factory=list)


def _strip_comments(text: str) -> str:
    out: list[str] = []
    i = 0
    quote = False
    while i < len(text):
        char = text[i]
        if char == "'":
            quote = not quote
            out.append(char)
        elif not quote and text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif not quote and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


def statements(text: str) -> list[str]:
    """Statements of a script, split on semicolons outside string literals."""
    parts: list[str] = []
    current: list[str] = []
    quote = False
    for char in _strip_comments(text):
        if char == "'":
            quote = not quote
        if char == ";" and not quote:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _identifier(name: str) -> str:
    return name[1:-1] if name.startswith('"') else name.upper()


def _qualify(name: str, kind: str, database: str | None, schema: str | None) -> str:
    parts = [_identifier(p) for p in re.findall(r"\"[^\"]+\"|[\w$]+", name)]
    if kind in ("database", "warehouse", "storage integration"):
        return parts[-1]
    if kind == "schema":
        return ".".join(([database] if len(parts) == 1 and database else []) + parts)
    if len(parts) == 1 and schema:
        parts = [schema, *parts]
    if len(parts) == 2 and database:
        parts = [database, *parts]
    return ".".join(parts)


def _columns(statement: str, name_end: int) -> list[tuple[str, str]]:
    rest = statement[name_end:].lstrip()
    if not rest.startswith("("):
        return []
    depth = 0
    for i, char in enumerate(rest):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            body = rest[1:i]
            break
    else:
        return []
    columns = []
    for definition in split_top_level(body):
        tokens = definition.split()
        if not tokens or tokens[0].lower() in ("constraint", "primary", "unique", "foreign"):
            continue
        column_type = re.split(
            r"\s+(?:not\s+null|null|default|comment|constraint|primary|unique|collate)\b",
            " ".join(tokens[1:]),
            flags=re.IGNORECASE,
        )[0]
        columns.append((_identifier(tokens[0]), column_type.strip().upper()))
    return columns


def split_top_level(text: str) -> list[str]:
    pieces, depth, current, quote = [], 0, [], False
    for char in text:
        if char == "'":
            quote = not quote
        if not quote:
            depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0 and not quote:
            pieces.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    pieces.append("".join(current).strip())
    return [p for p in pieces if p]


def load_objects(directory: Path) -> list[SqlObject]:
    """Every object created by the .sql files of ``directory``, in file order."""
    objects: list[SqlObject] = []
    for path in sorted(directory.glob("*.sql")):
        database: str | None = None
        schema: str | None = None
        for statement in statements(path.read_text(encoding="utf-8")):
            use = _USE.match(statement)
            if use:
                target = [_identifier(p) for p in use.group(2).split(".")]
                if use.group(1).lower() == "database":
                    database, schema = target[-1], None
                else:
                    database = target[0] if len(target) == 2 else database
                    schema = target[-1]
                continue
            create = _CREATE.match(statement)
            if not create:
                continue
            kind = re.sub(r"\s+", " ", create.group(1).lower())
            name = _qualify(create.group(2), kind, database, schema)
            columns = _columns(statement, create.end()) if kind == "table" else []
            objects.append(SqlObject(kind, name, statement, path, columns))
    return objects


@dataclass
class Copy:
    """The parts of a pipe's COPY INTO that must match Terraform's."""

    target: str
    columns: list[str]
    expressions: list[str]
    stage_path: str
    pattern: str | None


def normalize(sql: str) -> str:
    """Lower-case with whitespace collapsed and none around punctuation."""
    text = re.sub(r"\s+", " ", sql.strip().lower())
    return re.sub(r"\s*([(),=:])\s*", r"\1", text)


def parse_copy(statement: str) -> Copy | None:
    """The COPY of ``create pipe ... as copy into t (cols) from (select ... from @stage/path/)``."""
    match = re.search(
        r"copy\s+into\s+([\w$.\"]+)\s*\((.*?)\)\s*from\s*\(\s*select\s+(.*)\s+from\s+@([\w$.\"/]+)\s*\)\s*(.*)$",
        statement,
        re.IGNORECASE | re.DOTALL,
    )
    if not match:
        return None
    pattern = re.search(r"pattern\s*=\s*'([^']*)'", match.group(5), re.IGNORECASE)
    expressions = [
        normalize(re.sub(r"\s+as\s+[\w$]+\s*$", "", e, flags=re.IGNORECASE))
        for e in split_top_level(match.group(3))
    ]
    return Copy(
        target=match.group(1).lower(),
        columns=[c.strip().lower() for c in match.group(2).split(",") if c.strip()],
        expressions=expressions,
        stage_path=match.group(4).lower(),
        pattern=pattern.group(1) if pattern else None,
    )
