"""Every resource, data source and provider block against the providers' own schemas.

``terraform validate`` needs the provider plugins, which cannot be installed here. The
providers' schemas can: HashiCorp published, for every provider version up to their
archiving on 2025-12-10, "prebuilt CDKTF bindings" on PyPI that are generated from the
provider's schema (``terraform providers schema -json``). Each wheel carries a jsii assembly
(``_jsii/*.jsii.tgz``) in which every resource and data source has a ``...Config`` struct
with one property per argument (optional or required, and the struct of a nested block),
every property documented with its Terraform name, and a class whose getters are the
attributes a reference can read. The wheels are only read as zip files, never imported (they
would start a Node.js runtime), and are pinned by hash in requirements/provider-schemas.txt:

- ``cdktf-cdktf-provider-aws`` 21.22.1 = hashicorp/aws 6.25.0 (the root pins ``~> 6.0``);
- ``cdktf-cdktf-provider-snowflake`` 15.9.1 = snowflakedb/snowflake 2.11.0, the last
  binding; the root pins ``~> 2.21``, so the three resources added since (listed in
  :data:`NEWER_THAN_SCHEMA`) are reported as unchecked, not checked.

What is checked (:func:`check`): every resource and data source type exists; every argument
and nested block, at every depth and inside ``dynamic`` blocks, is one the schema has; every
required argument is set; every ``<type>.<name>.<attribute>`` reference reads an attribute
the type has. Not checked: value types, conflicting or ``ExactlyOneOf`` arguments, and
whether a nested struct is written as a block or as an attribute (the bindings do not say).

Reading an assembly is slow (the AWS one is large), so the compact
schema is cached next to the wheel as ``<wheel>.schema.json``.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checks import block_code
from .hcl import META_KEYS, Block, Problem, Tree, unquote_label

# Bump when the compact format changes, so stale caches are rebuilt.
CACHE_FORMAT = 1

# Resource types the configuration uses that appeared after the newest binding's provider version.
# Each is documented in the provider's repository (docs/resources/<name>.md); the check
# notes them as unchecked, and fails if a binding that has them is installed (then this
# list must shrink).
NEWER_THAN_SCHEMA = {
    "snowflake_storage_integration_aws": "snowflakedb/snowflake",
    "snowflake_stage_external_s3": "snowflakedb/snowflake",
    "snowflake_file_format_parquet": "snowflakedb/snowflake",
}

RESOURCE_META = {
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "connection",
    "provisioner",
}
DATA_META = {"count", "for_each", "provider", "depends_on", "lifecycle"}
PROVIDER_META = {"alias"}

_LINK = re.compile(
    r"\{@link https://registry\.terraform\.io/providers/([^/\s]+/[^/\s]+)/([^/\s]+)/docs"
    r"(?:/(resources|data-sources)/\S+)? (\S+)\}"
)
_ANCHOR = re.compile(r"registry\.terraform\.io/\S+#(\w+) ")


# ---------------------------------------------------------------------------------------
# The compact schema
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """One provider version's schema, as much of it as the checks need.

    ``structs`` maps a struct id to ``{argument: [required, nested struct id or None]}``;
    ``resources`` and ``data_sources`` map a type to ``{"config": struct id, "attributes":
    [getter names, camelCase]}``; ``provider`` is the provider block's struct id.
    """

    source: str
    version: str
    provider: str
    resources: dict[str, dict[str, Any]]
    data_sources: dict[str, dict[str, Any]]
    structs: dict[str, dict[str, list[Any]]]

    @property
    def label(self) -> str:
        return f"{self.source} {self.version}"

    @property
    def prefix(self) -> str:
        """The resource type prefix: ``aws`` for hashicorp/aws."""
        return self.source.split("/")[1]


def _struct_fqns(type_ref: dict[str, Any]) -> Iterator[str]:
    if "fqn" in type_ref:
        yield type_ref["fqn"]
    for inner in type_ref.get("union", {}).get("types", []):
        yield from _struct_fqns(inner)
    if "collection" in type_ref:
        yield from _struct_fqns(type_ref["collection"]["elementtype"])


def _argument_name(prop: dict[str, Any]) -> str:
    docs = prop.get("docs", {})
    found = _ANCHOR.search(f"{docs.get('remarks', '')} {docs.get('summary', '')} ")
    if found:
        return found.group(1)
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", prop["name"]).lower()


def schema_from_assembly(assembly: dict[str, Any]) -> Schema:
    """The compact :class:`Schema` of one provider binding's jsii assembly."""
    types: dict[str, dict[str, Any]] = assembly["types"]
    structs: dict[str, dict[str, list[Any]]] = {}

    def struct(fqn: str) -> str:
        if fqn in structs:
            return fqn
        structs[fqn] = {}  # placeholder first: nested structs may refer back
        arguments: dict[str, list[Any]] = {}
        for prop in types[fqn].get("properties", []):
            nested = next(
                (f for f in _struct_fqns(prop["type"]) if f in types and types[f].get("datatype")),
                None,
            )
            arguments[_argument_name(prop)] = [
                not prop.get("optional", False),
                struct(nested) if nested else None,
            ]
        structs[fqn] = arguments
        return fqn

    source = version = provider = ""
    resources: dict[str, dict[str, Any]] = {}
    data_sources: dict[str, dict[str, Any]] = {}
    for fqn, entry in types.items():
        if entry.get("kind") != "class":
            continue
        link = _LINK.search(entry.get("docs", {}).get("summary", ""))
        if link is None or f"{fqn}Config" not in types:
            continue
        source, version = link.group(1), link.group(2)
        config = struct(f"{fqn}Config")
        if link.group(3) is None:
            provider = config
            continue
        record = {
            "config": config,
            "attributes": sorted(
                p["name"] for p in entry.get("properties", []) if not p.get("static")
            ),
        }
        target = resources if link.group(3) == "resources" else data_sources
        target[link.group(4)] = record
    if not provider or not resources:
        raise ValueError("not a CDKTF provider binding: no provider or resource classes found")
    return Schema(source, version, provider, resources, data_sources, structs)


def _read_assembly(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".jsii.tgz")]
        if len(names) != 1:
            raise ValueError(f"{wheel.name}: expected one *.jsii.tgz, found {len(names)}")
        packed = archive.read(names[0])
    with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as tar:
        member = tar.extractfile("package/.jsii")
        if member is None:
            raise ValueError(f"{wheel.name}: no package/.jsii in {names[0]}")
        return json.load(member)


def load_schema(wheel: Path) -> Schema:
    """The schema of one binding wheel, from its cache when the cache is current."""
    cache = wheel.with_name(wheel.name + ".schema.json")
    if cache.is_file() and cache.stat().st_mtime >= wheel.stat().st_mtime:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("format") == CACHE_FORMAT:
            return Schema(**data["schema"])
    schema = schema_from_assembly(_read_assembly(wheel))
    payload = {"format": CACHE_FORMAT, "schema": schema.__dict__}
    temporary = cache.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    temporary.replace(cache)
    return schema


def load_schemas(directory: Path) -> dict[str, Schema]:
    """Every binding wheel in ``directory``, by resource type prefix (``aws``, ``snowflake``)."""
    schemas = {}
    for wheel in sorted(directory.glob("cdktf_cdktf_provider_*.whl")):
        schema = load_schema(wheel)
        schemas[schema.prefix] = schema
    return schemas


# ---------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class _Checker:
    def __init__(self, schemas: dict[str, Schema]) -> None:
        self.schemas = schemas
        self.problems: list[Problem] = []
        self.unchecked: set[str] = set()

    def schema_of(self, type_name: str) -> Schema | None:
        return self.schemas.get(type_name.split("_", 1)[0])

    def lookup(self, kind: str, type_name: str, where: str) -> tuple[Schema, str] | None:
        schema = self.schema_of(type_name)
        if schema is None:
            return None  # a provider without a binding here (terraform_data is built in)
        table = schema.resources if kind == "resource" else schema.data_sources
        if type_name in table:
            if type_name in NEWER_THAN_SCHEMA:
                self.problems.append(
                    Problem(
                        "schema",
                        where,
                        f"{type_name} is in the {schema.label} schema now: remove it from "
                        "NEWER_THAN_SCHEMA in tools/tf_check/provider_schema.py",
                    )
                )
            return schema, table[type_name]["config"]
        if kind == "resource" and type_name in NEWER_THAN_SCHEMA:
            self.unchecked.add(type_name)
            return None
        noun = "resource" if kind == "resource" else "data source"
        self.problems.append(
            Problem("schema", where, f"{type_name} is not a {noun} type of {schema.label}")
        )
        return None

    def body(
        self,
        body: dict[str, Any],
        schema: Schema,
        struct_id: str,
        context: str,
        where: str,
        meta: set[str],
    ) -> None:
        arguments = schema.structs[struct_id]
        present = set()
        for raw_key, value in body.items():
            if raw_key in META_KEYS:
                continue
            key = unquote_label(raw_key)
            if key == "dynamic":
                for name, content in _dynamic_contents(value):
                    present.add(name)
                    self.nested(name, [content], schema, arguments, context, where)
                continue
            if key in meta:
                continue
            present.add(key)
            if key not in arguments:
                self.problems.append(
                    Problem(
                        "schema",
                        where,
                        f"{context}: unsupported argument or block {key!r} ({schema.label})",
                    )
                )
                continue
            nested_id = arguments[key][1]
            if nested_id is not None:
                self.nested(key, _bodies(value), schema, arguments, context, where)
        for name, (required, _nested) in sorted(arguments.items()):
            if required and name not in present:
                self.problems.append(
                    Problem(
                        "schema",
                        where,
                        f"{context}: required argument {name!r} is not set ({schema.label})",
                    )
                )

    def nested(
        self,
        name: str,
        bodies: list[dict[str, Any]],
        schema: Schema,
        arguments: dict[str, list[Any]],
        context: str,
        where: str,
    ) -> None:
        if name not in arguments or arguments[name][1] is None:
            self.problems.append(
                Problem(
                    "schema",
                    where,
                    f"{context}: {name!r} is not a nested block ({schema.label})",
                )
            )
            return
        for inner in bodies:
            self.body(inner, schema, arguments[name][1], f"{context}.{name}", where, set())

    def block(self, block: Block) -> None:
        where = block.where
        if block.kind == "provider":
            schema = self.schemas.get(unquote_label(block.labels[0]))
            if schema is not None:
                self.body(block.body, schema, schema.provider, block.address, where, PROVIDER_META)
            return
        if block.kind not in ("resource", "data"):
            return
        type_name = unquote_label(block.labels[0])
        found = self.lookup(block.kind, type_name, where)
        if found is None:
            return
        schema, config = found
        meta = RESOURCE_META if block.kind == "resource" else DATA_META
        self.body(block.body, schema, config, block.address, where, meta)

    def references(self, tree: Tree) -> None:
        pattern = re.compile(
            r"(?<![\w.$])(data\.)?((?:"
            + "|".join(re.escape(p) for p in sorted(self.schemas))
            + r")_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(?:\[[^\[\]]*\])?\.([A-Za-z_]\w*)"
        )
        for module in tree.modules.values():
            for block in module.blocks:
                for code in block_code(block):
                    for match in pattern.finditer(code):
                        self.reference(match, block.where)

    def reference(self, match: re.Match[str], where: str) -> None:
        is_data, type_name, _name, attribute = match.groups()
        schema = self.schema_of(type_name)
        if schema is None:
            return
        table = schema.data_sources if is_data else schema.resources
        if type_name not in table:
            return  # reported by the block check (or one of NEWER_THAN_SCHEMA)
        getters = set(table[type_name]["attributes"])
        camel = _camel(attribute)
        if camel not in getters and f"{camel}Attribute" not in getters:
            self.problems.append(
                Problem(
                    "schema",
                    where,
                    f"{match.group(0)}: {type_name} has no attribute {attribute!r} "
                    f"({schema.label})",
                )
            )


def _bodies(value: Any) -> list[dict[str, Any]]:
    """The bodies of a nested block (a list of block dicts) or of an object attribute."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []  # an expression (a variable, a for): nothing to check statically


def _dynamic_contents(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for entry in value if isinstance(value, list) else [value]:
        if not isinstance(entry, dict):
            continue
        for label, spec in entry.items():
            if label in META_KEYS or not isinstance(spec, dict):
                continue
            for content in spec.get("content", []):
                if isinstance(content, dict):
                    yield unquote_label(label), content


def check(tree: Tree, schemas: dict[str, Schema]) -> tuple[list[Problem], list[str]]:
    """Problems of every block and reference of ``tree`` against ``schemas``, and notes
    (which schemas were used, what could not be checked)."""
    checker = _Checker(schemas)
    for module in tree.modules.values():
        for block in module.blocks:
            checker.block(block)
    checker.references(tree)
    notes = ["provider schemas: " + ", ".join(s.label for _, s in sorted(schemas.items()))]
    if checker.unchecked:
        notes.append(
            "provider schemas: not in the newest binding, arguments unchecked: "
            + ", ".join(sorted(checker.unchecked))
        )
    return checker.problems, notes
