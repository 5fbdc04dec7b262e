"""The `fields` query parameter of the Spotify Web API: parse it and apply it to a response.

Supported subset of Spotify's syntax (enough for the extractor's filter and the examples in
the OpenAPI spec):

- a comma-separated list of field names: ``total,limit``;
- dotted paths for non-recurring objects: ``added_by.id`` (same as ``added_by(id)``);
- parentheses to select inside an object or inside every element of an array:
  ``items(added_at,item(name,album(name,href)))``;
- ``!name`` to exclude a field: ``album(!available_markets,!images)`` keeps everything but
  those; when a group mixes plain and ``!`` names, the plain names are kept and the ``!``
  names removed.

Names are ``[A-Za-z0-9_]+``. Anything else (empty names, unbalanced parentheses, ``!`` on a
dotted path) is a syntax error: the fake answers 400 like the real API does for a bad
filter. A selected field that is absent stays absent; a selected field that is null stays
null; selecting inside a null or a scalar returns it unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_NAME = re.compile(r"[A-Za-z0-9_]+")


class FieldsSyntaxError(ValueError):
    """The `fields` parameter is not in the supported syntax."""


@dataclass
class Selection:
    """What to keep of one object: included names (with their sub-selection) and exclusions.

    ``include[name] is None`` keeps the whole value of ``name``.
    """

    include: dict[str, Selection | None] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=set)

    def add(self, path: list[str], sub: Selection | None) -> None:
        head, rest = path[0], path[1:]
        if rest:
            child = Selection()
            child.add(rest, sub)
            sub = child
        self.include[head] = _merge(self.include.get(head, _ABSENT), sub)


_ABSENT = Selection()  # sentinel: "not selected yet"


def _merge(old: Selection | None, new: Selection | None) -> Selection | None:
    if old is _ABSENT:
        return new
    if old is None or new is None:  # the whole value was asked for once: keep it whole
        return None
    merged = Selection(dict(old.include), set(old.exclude) | new.exclude)
    for name, sub in new.include.items():
        merged.include[name] = _merge(merged.include.get(name, _ABSENT), sub)
    return merged


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, what: str) -> FieldsSyntaxError:
        return FieldsSyntaxError(f"invalid fields filter at position {self.pos}: {what}")

    def parse(self) -> Selection:
        selection = self.group()
        if self.pos != len(self.text):
            raise self.error(f"unexpected {self.text[self.pos]!r}")
        return selection

    def group(self) -> Selection:
        selection = Selection()
        while True:
            self.field_into(selection)
            if self.peek() == ",":
                self.pos += 1
                continue
            return selection

    def field_into(self, selection: Selection) -> None:
        negated = self.peek() == "!"
        if negated:
            self.pos += 1
        path = [self.name()]
        while self.peek() == ".":
            self.pos += 1
            path.append(self.name())
        sub: Selection | None = None
        if self.peek() == "(":
            self.pos += 1
            sub = self.group()
            if self.peek() != ")":
                raise self.error("missing ')'")
            self.pos += 1
        if negated:
            if len(path) > 1 or sub is not None:
                raise self.error("'!' applies to a single field name only")
            selection.exclude.add(path[0])
        else:
            selection.add(path, sub)

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.error("expected a field name")
        self.pos = match.end()
        return match.group()

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""


@lru_cache(maxsize=256)
def parse_fields(text: str) -> Selection:
    """Parse a `fields` value (cached: the extractor sends the same filter on every page)."""
    if not text:
        raise FieldsSyntaxError("empty fields filter")
    return _Parser(text.replace(" ", "")).parse()


def apply_fields(value: Any, selection: Selection | None) -> Any:
    """The part of `value` that `selection` keeps (arrays are filtered element by element)."""
    if selection is None:
        return value
    return _compiled(selection)(value)


_COMPILED: dict[int, tuple[Selection, Callable[[Any], Any]]] = {}


def _compiled(selection: Selection) -> Callable[[Any], Any]:
    # parse_fields caches Selection objects, so compiling once per object is enough; the
    # compiled closure visits only the selected names (pages are filtered on every request).
    cached = _COMPILED.get(id(selection))
    if cached is None or cached[0] is not selection:
        cached = (selection, _compile(selection))
        _COMPILED[id(selection)] = cached
    return cached[1]


def _compile(selection: Selection) -> Callable[[Any], Any]:
    excluded = selection.exclude
    if not selection.include:

        def drop(value: Any) -> Any:
            if isinstance(value, list):
                return [drop(element) for element in value]
            if not isinstance(value, dict):
                return value
            return {k: v for k, v in value.items() if k not in excluded}

        return drop

    plain = [n for n, sub in selection.include.items() if sub is None and n not in excluded]
    nested = [
        (n, _compile(sub))
        for n, sub in selection.include.items()
        if sub is not None and n not in excluded
    ]

    def keep(value: Any) -> Any:
        if isinstance(value, list):
            return [keep(element) for element in value]
        if not isinstance(value, dict):
            return value
        kept = {n: value[n] for n in plain if n in value}
        for name, sub in nested:
            if name in value:
                kept[name] = sub(value[name])
        return kept

    return keep
