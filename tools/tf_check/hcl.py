"""Terraform configuration as python-hcl2 8.x reads it, and a small evaluator over it.

python-hcl2 8.x (``SerializationOptions`` defaults) represents a configuration as:

- blocks as dicts with ``"__is_block__": True``; a block's labels are nested dict keys that
  keep their quotes (``resource -> '"aws_s3_bucket"' -> '"raw"' -> body``);
- a quoted string (literal or template) as the text *with* its quotes: ``'"us-east-1"'``,
  ``'"s3://${var.bucket}/"'``;
- any other expression as ``'${...}'``: ``'${var.x}'``, ``'${toset(var.tables)}'``;
- numbers and booleans as Python values, object and tuple literals as dicts and lists;
- comments under ``__comments__`` (not used here: skip comments are read from the text).

``Tree`` groups the parsed files by directory (one Terraform module per directory). The
evaluator (:func:`evaluate`) follows ``var.``, ``local.``, ``module.``, ``each.`` and
resource references as far as the configuration alone allows; what it cannot know (an
attribute computed by AWS, a variable without a default) becomes an :class:`Unknown`,
rendered as ``<...>`` inside strings, so callers can still compare the known parts.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.api import SerializationOptions

OPTIONS = SerializationOptions(with_comments=False, preserve_heredocs=False)

META_KEYS = {
    "__is_block__",
    "__comments__",
    "__inline_comments__",
    "__start_line__",
    "__end_line__",
}
LABELLED_BLOCKS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1}


@dataclass(frozen=True)
class Problem:
    """One finding: which check, where (file:line or address), and what is wrong."""

    check: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.message}"


@dataclass
class Block:
    """A top-level block of a .tf file."""

    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def address(self) -> str:
        if self.kind == "resource":
            return ".".join(self.labels)
        return ".".join((self.kind, *self.labels))


@dataclass
class Module:
    """The .tf files of one directory."""

    path: Path
    texts: dict[Path, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    @cached_property
    def variables(self) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.of_kind("variable")}

    @cached_property
    def outputs(self) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.of_kind("output")}

    @cached_property
    def locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for block in self.of_kind("locals"):
            merged.update(attributes(block.body))
        return merged

    @cached_property
    def resources(self) -> dict[tuple[str, str], Block]:
        return {(b.labels[0], b.labels[1]): b for b in self.of_kind("resource")}

    @cached_property
    def data_sources(self) -> dict[tuple[str, str], Block]:
        return {(b.labels[0], b.labels[1]): b for b in self.of_kind("data")}

    @cached_property
    def module_calls(self) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.of_kind("module")}

    def resources_of_type(self, resource_type: str) -> list[Block]:
        return [b for b in self.of_kind("resource") if b.labels[0] == resource_type]


@dataclass
class Tree:
    """Every module under one directory, and how they call each other."""

    base: Path
    modules: dict[Path, Module]
    problems: list[Problem]
    _callers: dict[Path | None, list[tuple[Module, Block]]] | None = field(default=None, repr=False)

    def called_dirs(self) -> set[Path]:
        called = set()
        for module in self.modules.values():
            for call in module.module_calls.values():
                called.update(module_source_dirs(self, module, call))
        return called

    @property
    def roots(self) -> list[Module]:
        """Modules no other module calls: the directories `terraform apply` runs in."""
        called = self.called_dirs()
        return [m for path, m in sorted(self.modules.items()) if path not in called]

    def callers(self, module: Module) -> list[tuple[Module, Block]]:
        if self._callers is None:
            self._callers = {}
            for parent in self.modules.values():
                for call in parent.module_calls.values():
                    for target in module_source_dirs(self, parent, call):
                        self._callers.setdefault(target, []).append((parent, call))
        return self._callers.get(module.path, [])

    def all_blocks(self, kind: str) -> Iterator[tuple[Module, Block]]:
        for module in self.modules.values():
            for block in module.of_kind(kind):
                yield module, block

    def all_resources(self, resource_type: str) -> list[tuple[Module, Block]]:
        return [(m, b) for m, b in self.all_blocks("resource") if b.labels[0] == resource_type]


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def unquote_label(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def attributes(body: dict[str, Any]) -> dict[str, Any]:
    """The attributes of a block body (no nested blocks, no metadata)."""
    return {
        unquote_label(k): v
        for k, v in body.items()
        if k not in META_KEYS and k != "dynamic" and not is_block_list(v)
    }


def is_block_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
    )


def nested_blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Nested blocks ``name { ... }`` of a body, in order (empty when there are none)."""
    value = body.get(name)
    return list(value) if is_block_list(value) else []


def dynamic_blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The bodies of ``dynamic "name" { ... }`` blocks."""
    found = []
    entries = body.get("dynamic")
    for dyn in entries if isinstance(entries, list) else []:
        if not isinstance(dyn, dict):
            continue
        for label, inner in dyn.items():
            if label not in META_KEYS and unquote_label(label) == name:
                found.append(inner)
    return found


def _split_labels(
    kind: str, entry: dict[str, Any], depth: int
) -> Iterator[tuple[tuple[str, ...], dict]]:
    if depth == 0:
        yield (), entry
        return
    for label, inner in entry.items():
        if label in META_KEYS:
            continue
        for rest, body in _split_labels(kind, inner, depth - 1):
            yield (unquote_label(label), *rest), body


def _block_line(text: str, kind: str, labels: tuple[str, ...]) -> int:
    pattern = (
        r"^[ \t]*"
        + re.escape(kind)
        + "".join(r'\s+"' + re.escape(label) + '"' for label in labels)
        + r"\s*\{"
    )
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def parse_text(text: str) -> dict[str, Any]:
    return hcl2.loads(text, serialization_options=OPTIONS)


def load_module(directory: Path, problems: list[Problem]) -> Module:
    module = Module(path=directory)
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        module.texts[path] = text
        try:
            parsed = parse_text(text)
        except Exception as exc:  # python-hcl2 raises lark errors of several types
            problems.append(Problem("parse", str(path), f"not valid HCL: {exc}".splitlines()[0]))
            continue
        for kind, entries in parsed.items():
            if kind in META_KEYS:
                continue
            depth = LABELLED_BLOCKS.get(kind, 0)
            for entry in entries:
                for labels, body in _split_labels(kind, entry, depth):
                    line = _block_line(text, kind, labels)
                    module.blocks.append(Block(kind, labels, body, path, line))
    return module


def load_tree(base: Path) -> Tree:
    """Parse every .tf file under ``base`` (skipping .terraform), one module per directory."""
    problems: list[Problem] = []
    directories = sorted({p.parent for p in base.rglob("*.tf") if ".terraform" not in p.parts})
    modules = {d: load_module(d, problems) for d in directories}
    return Tree(base=base, modules=modules, problems=problems)


def const_variables(module: Module) -> dict[str, Block]:
    """The variables of ``module`` declared ``const = true`` (Terraform >= 1.15): known at
    ``terraform init``, so they may choose a module's source."""
    return {
        name: block
        for name, block in module.variables.items()
        if attributes(block.body).get("const") is True
    }


def module_source_dirs(tree: Tree, module: Module, call: Block) -> list[Path]:
    """Every local directory a module call can read.

    A literal ``./`` or ``../`` source is one directory. A source computed from the calling
    module's const variables is one directory per value they can take; only ``bool`` const
    variables are enumerated (true and false), which is what a switch needs. Anything else
    (a registry source, a non-const variable, a string const) gives no directory: the
    callers report it as a source they cannot check.
    """
    source = call.body.get("source")
    literal = literal_string(source)
    if literal is not None:
        return [(module.path / literal).resolve()] if literal.startswith(("./", "../")) else []
    consts = const_variables(module)
    used = _variables_reached(source, module)
    if not used <= set(consts):
        return []  # Terraform refuses a non-const variable in a source
    for name in used:
        declared = attributes(consts[name].body).get("type")
        if (expression_text(declared) or declared) != "bool":
            return []
    names = sorted(used)
    found: set[Path] = set()
    for values in itertools.product((True, False), repeat=len(names)):
        scope = Scope(tree, module, consts={module.path: dict(zip(names, values, strict=True))})
        value = evaluate(source, scope)
        if not isinstance(value, str) or "<" in value or not value.startswith(("./", "../")):
            return []
        found.add((module.path / value).resolve())
    return sorted(found)


def _variables_reached(value: Any, module: Module, seen: frozenset[str] = frozenset()) -> set[str]:
    """The ``var.`` names an attribute value reads, directly or through ``local.`` values."""
    text = str(value)
    names = set(re.findall(r"(?<![\w.])var\.([A-Za-z_][\w-]*)", text))
    for local in set(re.findall(r"(?<![\w.])local\.([A-Za-z_][\w-]*)", text)) - seen:
        if local in module.locals:
            names |= _variables_reached(module.locals[local], module, seen | {local})
    return names


# ---------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------


def _scan_string(text: str, start: int) -> tuple[int, list[str]]:
    """Scan the string literal opening at ``start``; return its end and its interpolations."""
    i = start + 1
    inner: list[str] = []
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            return i + 1, inner
        if text.startswith(("$${", "%%{"), i):
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            end = _matching_brace(text, i + 1)
            inner.append(text[i + 2 : end])
            i = end + 1
            continue
        i += 1
    return len(text), inner


def _matching_brace(text: str, open_index: int) -> int:
    depth = 0
    i = open_index
    while i < len(text):
        char = text[i]
        if char == '"':
            i, _ = _scan_string(text, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text) - 1


def code_of(expression: str) -> str:
    """The expression with string literals blanked out, their interpolations kept."""
    out: list[str] = []
    i = 0
    while i < len(expression):
        if expression[i] == '"':
            end, inner = _scan_string(expression, i)
            out.append(" " + " ".join(code_of(e) for e in inner) + " ")
            i = end
        else:
            out.append(expression[i])
            i += 1
    return "".join(out)


def expressions_in(value: Any) -> Iterator[str]:
    """Every expression (as code, literals blanked) inside an attribute value."""
    if isinstance(value, str):
        if value.startswith('"'):
            yield code_of(value)
        elif value.startswith("${") and value.endswith("}"):
            yield code_of(value[2:-1])
    elif isinstance(value, list):
        for item in value:
            yield from expressions_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in META_KEYS:
                continue
            if key.startswith("${"):
                yield from expressions_in(key)
            yield from expressions_in(item)


def literal_string(value: Any) -> str | None:
    """The text of a quoted string without interpolation, else None."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        if "${" in inner.replace("$${", "") or "%{" in inner.replace("%%{", ""):
            return None
        return _unescape(inner)
    return None


def _unescape(text: str) -> str:
    return (
        text.replace('\\"', '"')
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\\\", "\\")
        .replace("$${", "${")
        .replace("%%{", "%{")
    )


def expression_text(value: Any) -> str | None:
    """The inside of a ``${...}`` value, else None."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1].strip()
    return None


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    """A value Terraform only knows at plan or apply time."""

    expression: str

    def __str__(self) -> str:
        return f"<{self.expression}>"


def _join(separator: Any, items: Any) -> Any:
    if (
        isinstance(separator, str)
        and isinstance(items, list)
        and all(isinstance(i, str) for i in items)
    ):
        return separator.join(items)
    return Unknown("join")


def _concat(*lists: Any) -> Any:
    if all(isinstance(v, list) for v in lists):
        return [item for v in lists for item in v]
    return Unknown("concat")


def _flatten(value: Any) -> Any:
    if not isinstance(value, list):
        return Unknown("flatten")
    flat: list[Any] = []
    for item in value:
        if isinstance(item, list):
            inner = _flatten(item)
            if isinstance(inner, Unknown):
                return inner
            flat.extend(inner)
        elif isinstance(item, Unknown):
            return Unknown("flatten")
        else:
            flat.append(item)
    return flat


def _coalesce(*values: Any) -> Any:
    """Terraform's coalesce: the first argument that is neither null nor an empty string
    (unknown as soon as an argument before it is)."""
    for value in values:
        if isinstance(value, Unknown):
            return Unknown("coalesce")
        if value is not None and value != "":
            return value
    return Unknown("coalesce")


def _lookup(collection: Any, key: Any, *default: Any) -> Any:
    """``lookup(map, key, default)``: the element, or the default when the key is absent
    (an object's attribute likewise); unknown when the map or the key is."""
    if not isinstance(collection, dict) or not isinstance(key, str):
        return Unknown("lookup")
    if key in collection:
        return collection[key]
    return default[0] if len(default) == 1 else Unknown("lookup")


def _merge(*maps: Any) -> Any:
    """``merge()``: later maps win; unknown when any argument is."""
    if not all(isinstance(m, dict) for m in maps):
        return Unknown("merge")
    return {k: v for m in maps for k, v in m.items()}


def _file(path: Any) -> Any:
    """``file()``: the text of a file the configuration ships (read-only, like Terraform)."""
    if isinstance(path, str) and Path(path).is_file():
        return Path(path).read_text(encoding="utf-8")
    return Unknown("file")


def _jsondecode(text: Any) -> Any:
    if not isinstance(text, str):
        return Unknown("jsondecode")
    try:
        return json.loads(text)
    except ValueError:
        return Unknown("jsondecode")


def _jsonencode(value: Any) -> Any:
    """``jsonencode()``; a value known only at apply time is written as its ``<expression>``
    placeholder, as templates write it."""
    if isinstance(value, Unknown):
        return Unknown("jsonencode")
    return json.dumps(value, default=str, separators=(",", ":"))


_FUNCTIONS = {
    "file": _file,
    "jsondecode": _jsondecode,
    "jsonencode": _jsonencode,
    "upper": lambda v: v.upper() if isinstance(v, str) else Unknown("upper"),
    "lower": lambda v: v.lower() if isinstance(v, str) else Unknown("lower"),
    "toset": lambda v: v if isinstance(v, list) else Unknown("toset"),
    "tolist": lambda v: v if isinstance(v, list) else Unknown("tolist"),
    "tostring": lambda v: str(v) if isinstance(v, str | int | float) else Unknown("tostring"),
    "keys": lambda v: list(v) if isinstance(v, dict) else Unknown("keys"),
    "concat": _concat,
    "join": _join,
    "flatten": _flatten,
    "coalesce": _coalesce,
    "lookup": _lookup,
    "merge": _merge,
}

_NAME = r"[A-Za-z_][\w-]*"
_REFERENCE = re.compile(rf"^{_NAME}(?:\[[^\]]*\])*(?:\.{_NAME}(?:\[[^\]]*\])*)*$")


@dataclass
class Scope:
    """Where an expression is evaluated: its module, the tree, and each.key/each.value."""

    tree: Tree
    module: Module
    each: dict[str, Any] = field(default_factory=dict)
    depth: int = 0
    # Names bound by enclosing `for` expressions.
    bindings: dict[str, Any] = field(default_factory=dict)
    # Values given to const variables, by module directory (see module_source_dirs).
    consts: dict[Path, dict[str, Any]] = field(default_factory=dict)

    def deeper(
        self,
        module: Module | None = None,
        each: dict[str, Any] | None = None,
        bindings: dict[str, Any] | None = None,
    ) -> Scope:
        # A different module is a different namespace: for-bindings do not cross into it.
        inherited = self.bindings if module is None else {}
        return Scope(
            self.tree,
            module if module is not None else self.module,
            self.each if each is None else each,
            self.depth + 1,
            {**inherited, **(bindings or {})},
            self.consts,
        )


def evaluate(value: Any, scope: Scope) -> Any:
    """Evaluate an attribute value as far as the configuration alone determines it."""
    if scope.depth > 40:
        return Unknown("recursion")
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list):
        return [evaluate(v, scope) for v in value]
    if isinstance(value, dict):
        return {
            unquote_label(k): evaluate(v, scope) for k, v in value.items() if k not in META_KEYS
        }
    if isinstance(value, str):
        if value.startswith('"'):
            return _evaluate_template(value, scope)
        inner = expression_text(value)
        if inner is not None:
            return evaluate_expression(inner, scope)
    return Unknown(str(value))


def _evaluate_template(value: str, scope: Scope) -> Any:
    text = value[1:-1]
    parts: list[str] = []
    i = 0
    literal: list[str] = []
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            literal.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text[i] == "\\" and i + 1 < len(text):
            literal.append(text[i : i + 2])
            i += 2
            continue
        if text.startswith("${", i):
            end = _matching_brace(text, i + 1)
            parts.append(_unescape("".join(literal)))
            literal = []
            result = evaluate_expression(text[i + 2 : end].strip(), scope)
            parts.append(result if isinstance(result, str) else str(result))
            i = end + 1
            continue
        literal.append(text[i])
        i += 1
    parts.append(_unescape("".join(literal)))
    return "".join(parts)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside brackets and string literals."""
    return list(_split_top_level_cached(text, separator))


# The scans below are pure functions of an expression's text, and the evaluator meets the
# same texts again and again (a local is evaluated at each reference, every expression is
# tried as a conditional and as a comparison first): each text is scanned once.
_SCAN_CACHE = 1 << 16


@lru_cache(maxsize=_SCAN_CACHE)
def _split_top_level_cached(text: str, separator: str) -> tuple[str, ...]:
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end, _ = _scan_string(text, i)
            current.append(text[i:end])
            i = end
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == separator and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return tuple(p.strip() for p in pieces if p.strip())


def _split_part(part: str) -> tuple[str, list[str]]:
    """``columns[each.key]`` -> (``columns``, [``each.key``])."""
    name, _, rest = part.partition("[")
    indexes = re.findall(r"\[([^\]]*)\]", "[" + rest) if rest else []
    return name, indexes


def evaluate_expression(expression: str, scope: Scope) -> Any:
    expr = expression.strip()
    nested = scope.deeper()
    if expr.startswith('"') and _scan_string(expr, 0)[0] == len(expr):
        return _evaluate_template(expr, nested)
    if re.fullmatch(r"-?\d+(\.\d+)?", expr):
        return float(expr) if "." in expr else int(expr)
    if expr in ("true", "false"):
        return expr == "true"
    if expr == "null":
        return None
    if expr.startswith("(") and expr.endswith(")") and _closes_at_end(expr):
        return evaluate_expression(expr[1:-1], nested)
    conditional = _split_conditional(expr)
    if conditional is not None:
        condition = evaluate_expression(conditional[0], nested)
        if isinstance(condition, bool):
            return evaluate_expression(conditional[1 if condition else 2], nested)
        return Unknown(expr)
    comparison = _comparison(expr, nested)
    if comparison is not None:
        return comparison
    if expr.startswith("[") and expr.endswith("]") and _closes_at_end(expr):
        return _evaluate_list(expr[1:-1].strip(), nested)
    if expr.startswith("{") and expr.endswith("}") and _closes_at_end(expr):
        return _evaluate_map(expr[1:-1].strip(), nested)
    call = re.fullmatch(r"(\w+)\((.*)\)", expr, re.DOTALL)
    if call and call.group(1) in _FUNCTIONS and _balanced(call.group(2)):
        arguments = [evaluate_expression(a, nested) for a in _split_top_level(call.group(2), ",")]
        try:
            return _FUNCTIONS[call.group(1)](*arguments)
        except TypeError:
            return Unknown(expr)
    if not _REFERENCE.match(expr):
        return Unknown(expr)
    parts = _split_top_level(expr, ".")
    head, head_indexes = _split_part(parts[0])
    if head in scope.bindings:
        value = _index(scope.bindings[head], head_indexes, nested)
        return _walk(value, parts[1:], expr, nested)
    if expr == "path.module":
        return str(scope.module.path)
    if expr == "path.root":
        roots = [m for m in scope.tree.roots if m.path == scope.module.path]
        return str(roots[0].path) if roots else Unknown(expr)
    if head_indexes or len(parts) < 2:
        return Unknown(expr)
    name, indexes = _split_part(parts[1])
    if len(parts) == 2 and not indexes:
        instances = _resource_instances(head, name, scope)
        if instances is not None:
            return instances
    if head == "each" and name in scope.each:
        return _walk(_index(scope.each[name], indexes, nested), parts[2:], expr, nested)
    if head == "local":
        locals_ = scope.module.locals
        if name not in locals_:
            return Unknown(expr)
        value = evaluate(locals_[name], nested)
        return _walk(_index(value, indexes, nested), parts[2:], expr, nested)
    if head == "var":
        value = _variable_value(name, nested)
        return _walk(_index(value, indexes, nested), parts[2:], expr, nested)
    if head == "module" and len(parts) >= 3 and not indexes:
        call_block = scope.module.module_calls.get(name)
        child = _called_module(call_block, scope) if call_block else None
        output = child.outputs.get(parts[2]) if child else None
        if output is None:
            return Unknown(expr)
        value = evaluate(output.body.get("value"), scope.deeper(module=child, each={}))
        return _walk(value, parts[3:], expr, nested)
    if len(parts) >= 3:
        return _resource_attribute(head, name, indexes, parts[2:], expr, scope)
    return Unknown(expr)


def _called_module(call: Block, scope: Scope) -> Module | None:
    """The module a call reads: its only candidate directory, or, for a source chosen by
    const variables, the one their values in ``scope`` pick (their defaults, unless the
    scope sets them)."""
    dirs = module_source_dirs(scope.tree, scope.module, call)
    if len(dirs) > 1:
        source = evaluate(call.body.get("source"), scope)
        dirs = (
            [(scope.module.path / source).resolve()]
            if isinstance(source, str) and "<" not in source
            else []
        )
    return scope.tree.modules.get(dirs[0]) if len(dirs) == 1 else None


@lru_cache(maxsize=_SCAN_CACHE)
def _split_conditional(expr: str) -> tuple[str, str, str] | None:
    """``cond ? a : b`` as its three parts, when the ``?`` is at the top level."""
    first = _split_first(expr, "?")
    if first is None:
        return None
    condition, rest = first
    pending = 0  # conditionals nested in the true branch, whose ":" come first
    for i in _top_level_indexes(rest):
        if rest[i] == "?":
            pending += 1
        elif rest[i] == ":":
            if pending == 0:
                return condition, rest[:i].strip(), rest[i + 1 :].strip()
            pending -= 1
    return None


@lru_cache(maxsize=_SCAN_CACHE)
def _closes_at_end(expr: str) -> bool:
    """Whether the bracket opening ``expr`` is the one closing it (not ``[a] + [b]``)."""
    depth = 0
    code = code_of(expr)
    for i, char in enumerate(code):
        depth += {"[": 1, "{": 1, "(": 1, "]": -1, "}": -1, ")": -1}.get(char, 0)
        if depth == 0 and i < len(code) - 1:
            return False
    return True


def _top_level(text: str) -> Iterator[int]:
    """The indexes of ``text``'s characters outside brackets and string literals (a
    ``provider::name::function`` separator is skipped, so no ``:`` of it is found)."""
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            i, _ = _scan_string(text, i)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith("::", i):
            i += 2
            continue
        elif depth == 0:
            yield i
        i += 1


@lru_cache(maxsize=_SCAN_CACHE)
def _top_level_indexes(text: str) -> tuple[int, ...]:
    return tuple(_top_level(text))


@lru_cache(maxsize=_SCAN_CACHE)
def _split_first(text: str, separator: str) -> tuple[str, str] | None:
    """``text`` split at the first top-level ``separator`` (outside brackets and strings)."""
    for i in _top_level_indexes(text):
        if text.startswith(separator, i):
            return text[:i].strip(), text[i + len(separator) :].strip()
    return None


_FOR = re.compile(r"^for\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\s+", re.DOTALL)


def _for_parts(inner: str) -> tuple[str, str | None, str, str] | None:
    match = _FOR.match(inner)
    if not match:
        return None
    split = _split_first(inner[match.end() :], ":")
    if split is None:
        return None
    return match.group(1), match.group(2), split[0], split[1]


def _iterate(collection: Any, first: str, second: str | None) -> list[dict[str, Any]] | None:
    if isinstance(collection, dict):
        pairs = list(collection.items())
    elif isinstance(collection, list):
        pairs = list(enumerate(collection))
    else:
        return None
    if second is None:
        return [{first: value} for _key, value in pairs]
    return [{first: key, second: value} for key, value in pairs]


def _for_filter(body: str) -> tuple[str, str | None]:
    """A ``for`` expression's body and its ``if`` condition (None without one)."""
    split = _split_first(body, " if ")
    return (body, None) if split is None else split


def _kept(
    rounds: list[dict[str, Any]], condition: str | None, scope: Scope
) -> list[dict[str, Any]] | None:
    """The rounds whose ``if`` condition holds; None when a condition is not a known bool."""
    if condition is None:
        return rounds
    kept = []
    for bound in rounds:
        verdict = evaluate_expression(condition, scope.deeper(bindings=bound))
        if not isinstance(verdict, bool):
            return None
        if verdict:
            kept.append(bound)
    return kept


def _comparison(expr: str, scope: Scope) -> Any:
    """``a == b`` or ``a != b`` at the top level: a bool, Unknown when a side is unknown, or
    None when ``expr`` is no comparison."""
    for operator in ("==", "!="):
        split = _split_first(expr, operator)
        if split is None:
            continue
        left = evaluate_expression(split[0], scope)
        right = evaluate_expression(split[1], scope)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown(expr)
        return (left == right) if operator == "==" else (left != right)
    return None


def _evaluate_list(inner: str, scope: Scope) -> Any:
    parts = _for_parts(inner)
    if parts is None:
        return [evaluate_expression(item, scope) for item in _split_top_level(inner, ",")]
    first, second, collection_expr, body = parts
    body, condition = _for_filter(body)
    rounds = _iterate(evaluate_expression(collection_expr, scope), first, second)
    if rounds is None:
        return Unknown(f"[for {first} in {collection_expr}]")
    kept = _kept(rounds, condition, scope)
    if kept is None:
        return Unknown(f"[for {first} in {collection_expr} if {condition}]")
    return [evaluate_expression(body, scope.deeper(bindings=bound)) for bound in kept]


def _evaluate_map(inner: str, scope: Scope) -> Any:
    parts = _for_parts(inner)
    if parts is None:
        result: dict[str, Any] = {}
        # Items are separated by commas or newlines outside brackets and strings.
        items = [
            line for piece in _split_top_level(inner, ",") for line in _split_top_level(piece, "\n")
        ]
        for item in items:
            pair = _split_first(item, "=")
            if pair is None:
                continue
            key = pair[0].strip().strip('"')
            result[key] = evaluate_expression(pair[1], scope)
        return result
    first, second, collection_expr, body = parts
    body, condition = _for_filter(body)
    pair = _split_first(body, "=>")
    rounds = _iterate(evaluate_expression(collection_expr, scope), first, second)
    if pair is None or rounds is None:
        return Unknown(f"{{for {first} in {collection_expr}}}")
    kept = _kept(rounds, condition, scope)
    if kept is None:
        return Unknown(f"{{for {first} in {collection_expr} if {condition}}}")
    result = {}
    for bound in kept:
        inner_scope = scope.deeper(bindings=bound)
        key = evaluate_expression(pair[0], inner_scope)
        result[str(key)] = evaluate_expression(pair[1], inner_scope)
    return result


def _resource_attribute(
    resource_type: str, name: str, indexes: list[str], rest: list[str], expr: str, scope: Scope
) -> Any:
    block = scope.module.resources.get((resource_type, name))
    if block is None:
        return Unknown(expr)
    each: dict[str, Any] = {}
    if indexes:
        key = evaluate_expression(indexes[0], scope.deeper())
        if not isinstance(key, str):
            return Unknown(expr)
        # each.value: the for_each map's value for the key (a set's value is its key).
        expanded = evaluate(block.body.get("for_each"), scope.deeper())
        each = {"key": key, "value": expanded.get(key, key) if isinstance(expanded, dict) else key}
    attribute, attribute_indexes = _split_part(rest[0])
    if attribute == "fully_qualified_name" and resource_type.startswith("snowflake_"):
        # How the Snowflake provider renders it: quoted database, schema and name.
        parts = [
            evaluate(block.body.get(a), scope.deeper(each=each))
            for a in ("database", "schema", "name")
            if a in block.body
        ]
        if all(isinstance(p, str) for p in parts):
            return ".".join(f'"{p}"' for p in parts)
        return Unknown(expr)
    if attribute not in attributes(block.body):
        nested = nested_blocks(block.body, attribute)
        if not nested or not attribute_indexes:
            return Unknown(expr)
        # A nested block's attribute (metric_transformation[0].name): the block by its
        # position, then its attributes, evaluated as the resource's.
        value = _index(nested, attribute_indexes[:1], scope.deeper())
        if not isinstance(value, dict):
            return Unknown(expr)
        value = evaluate(value, scope.deeper(each=each))
        rest_indexes = attribute_indexes[1:]
        return _walk(_index(value, rest_indexes, scope.deeper()), rest[1:], expr, scope.deeper())
    value = evaluate(block.body[attribute], scope.deeper(each=each))
    return _walk(_index(value, attribute_indexes, scope.deeper()), rest[1:], expr, scope.deeper())


def _index(value: Any, indexes: list[str], scope: Scope) -> Any:
    for index in indexes:
        key = evaluate_expression(index, scope)
        in_dict = isinstance(value, dict) and isinstance(key, str) and key in value
        in_list = isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value)
        if not (in_dict or in_list):
            return Unknown(f"[{index}]")
        value = value[key]
    return value


def _balanced(text: str) -> bool:
    depth = 0
    for char in code_of(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# A whole resource of this module as a value (``aws_s3_bucket.raw``, e.g. in a for_each map),
# or one instance of a for_each resource (``aws_scheduler_schedule.this["weekly"]``):
# evaluated, it is an Unknown whose expression is the reference itself.
_RESOURCE_OBJECT = re.compile(rf'([a-z][a-z0-9]*_[\w-]+)\.({_NAME})(?:\["([^"]*)"\])?')


def _resource_instances(resource_type: str, name: str, scope: Scope) -> dict[str, Any] | None:
    """A for_each resource of this module as a value (``for s in aws_scheduler_schedule.this``):
    its instances by key, each the reference to it; None for another reference, or when the
    keys are not known."""
    block = scope.module.resources.get((resource_type, name))
    keys = for_each_keys(block, scope) if block is not None else None
    if keys is None:
        return None
    return {key: Unknown(f'{resource_type}.{name}["{key}"]') for key in keys}


def _walk(value: Any, rest: list[str], expr: str, scope: Scope) -> Any:
    for i, part in enumerate(rest):
        name, indexes = _split_part(part)
        if isinstance(value, dict) and name in value:
            value = _index(value[name], indexes, scope)
            continue
        resource = (
            _RESOURCE_OBJECT.fullmatch(value.expression) if isinstance(value, Unknown) else None
        )
        if resource is not None:
            # An attribute of a resource reached through a value (each.value.id with
            # for_each = { raw = aws_s3_bucket.raw }): what the direct reference gives.
            reference = ".".join((value.expression, *rest[i:]))
            key = resource.group(3)
            return _resource_attribute(
                resource.group(1),
                resource.group(2),
                [] if key is None else [f'"{key}"'],
                rest[i:],
                reference,
                scope,
            )
        return value if isinstance(value, Unknown) else Unknown(expr)
    return value


def _variable_value(name: str, scope: Scope) -> Any:
    """A module variable's value: a const value being enumerated, else what its caller
    passes, else its default."""
    consts = scope.consts.get(scope.module.path, {})
    if name in consts:
        return consts[name]
    for parent, call in scope.tree.callers(scope.module):
        if name in attributes(call.body):
            return evaluate(call.body[name], scope.deeper(module=parent, each={}))
    declared = scope.module.variables.get(name)
    if declared is not None and "default" in declared.body:
        return evaluate(declared.body["default"], scope)
    return Unknown(f"var.{name}")


def for_each_keys(block: Block, scope: Scope) -> list[str] | None:
    """The keys a ``for_each`` of a set or list of strings expands to, if known."""
    if "for_each" not in block.body:
        return None
    value = evaluate(block.body["for_each"], scope)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, dict):
        return list(value)
    return None


def generated_blocks(body: dict[str, Any], name: str, scope: Scope) -> list[tuple[dict, Scope]]:
    """Every block ``name`` that ``body`` generates, with the scope its arguments are
    evaluated in: each nested block, in ``scope``; and the content of each dynamic block once
    per element of its for_each, with its iterator (``iterator``, else the block's name)
    bound to the element's key and value. A dynamic block whose for_each is not known here
    gives its content once, the iterator unbound."""
    found = [(block, scope) for block in nested_blocks(body, name)]
    for dynamic in dynamic_blocks(body, name):
        iterator = expression_text(dynamic.get("iterator")) or name
        elements = evaluate(dynamic.get("for_each"), scope)
        if isinstance(elements, list):
            elements = dict(enumerate(elements))
        for content in nested_blocks(dynamic, "content"):
            if not isinstance(elements, dict):
                found.append((content, scope))
                continue
            found.extend(
                (content, scope.deeper(bindings={iterator: {"key": key, "value": value}}))
                for key, value in elements.items()
            )
    return found


def instance_scopes(tree: Tree, module: Module, block: Block) -> list[Scope]:
    """The scope of every instance of ``block``: one per for_each key (each.key and
    each.value bound; a set's value is its key), or the block's own without for_each (or
    when its keys are not known)."""
    scope = Scope(tree, module)
    keys = for_each_keys(block, scope)
    if keys is None:
        return [scope]
    expanded = evaluate(block.body["for_each"], scope)
    return [
        Scope(tree, module, {"key": k, "value": expanded[k] if isinstance(expanded, dict) else k})
        for k in keys
    ]


def argument_texts(module: Module, block: Block, value: Any) -> dict[str | None, str]:
    """The expression text of an argument's ``value``, under the key None; or, for
    ``each.value.<field>`` of a block whose for_each is a map in a local, the text of that
    field in each entry, by the entry's key."""
    text = expression_text(value) or ""
    field = re.fullmatch(r"each\.value\.(\w+)", text)
    source = re.fullmatch(r"local\.(\w+)", expression_text(block.body.get("for_each")) or "")
    entries = module.locals.get(source.group(1)) if field and source else None
    if not isinstance(entries, dict):
        return {None: text}
    return {
        key: expression_text(entry.get(field.group(1))) or "" if isinstance(entry, dict) else ""
        for key, entry in entries.items()
    }


def argument_text(module: Module, block: Block, value: Any, key: str | None) -> str:
    """The expression text of an argument's ``value`` for the instance ``key`` of ``block``
    (see :func:`argument_texts`)."""
    texts = argument_texts(module, block, value)
    return texts.get(key, texts.get(None, ""))


@dataclass
class Instance:
    """One instance of a resource: the block itself, or one key of its for_each, with the
    scope its arguments are evaluated in (each.key and each.value bound)."""

    module: Module
    block: Block
    scope: Scope

    @property
    def key(self) -> str | None:
        return self.scope.each.get("key")

    @property
    def address(self) -> str:
        """``aws_glue_job.this``, or ``aws_glue_job.this["charts"]`` for an instance."""
        suffix = "" if self.key is None else f'["{self.key}"]'
        return self.block.address + suffix

    @property
    def where(self) -> str:
        return f"{self.block.where} ({self.address})"

    def evaluate(self, argument: str, default: Any = None) -> Any:
        """The instance's ``argument``, evaluated (``default`` where it is not set)."""
        return evaluate(self.block.body.get(argument, default), self.scope)


def resource_instances(
    tree: Tree, resource_type: str, module: Module | None = None
) -> list[Instance]:
    """Every instance of every ``resource_type`` resource (of ``module`` only, if given)."""
    return [
        Instance(m, block, scope)
        for m, block in tree.all_resources(resource_type)
        if module is None or m is module
        for scope in instance_scopes(tree, m, block)
    ]
