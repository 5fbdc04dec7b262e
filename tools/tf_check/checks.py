"""Checks on the shape of the configuration: what `terraform validate` would catch about
names (every reference declared), plus the house style (module layout, typed and
described variables, described outputs, version pins, `this`, justified checkov skips).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from .hcl import (
    META_KEYS,
    Block,
    Module,
    Problem,
    Scope,
    Tree,
    attributes,
    const_variables,
    expression_text,
    expressions_in,
    for_each_keys,
    literal_string,
    module_source_dirs,
    nested_blocks,
    parse_text,
)

REQUIRED_FILES = ("main.tf", "variables.tf", "outputs.tf")
# A root also has versions.tf (required_version and the provider pins).
ROOT_FILES = (*REQUIRED_FILES, "versions.tf")
MODULE_META_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on"}
# Meta-arguments that may follow `tags` (house style: count/for_each first, tags last).
TRAILING_META = {"depends_on", "lifecycle", "provider", "provisioner", "connection"}
SECRET_NAME = re.compile(
    r"(password|passphrase|token|private_key|client_secret|secret_value|secret_string|access_key)",
    re.I,
)
SKIP_COMMENT = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?$")
MIN_SKIP_REASON = 20


def _where(module: Module, block: Block) -> str:
    return f"{block.where} ({block.address})"


def provider_names(tree: Tree) -> set[str]:
    names = set()
    for _module, block in tree.all_blocks("terraform"):
        for required in nested_blocks(block.body, "required_providers"):
            names.update(k for k in attributes(required))
    return names or {"aws"}


def _reference_patterns(providers: set[str]) -> dict[str, re.Pattern[str]]:
    edge = r"(?<![\w.$])"
    name = r"([A-Za-z_][\w-]*)"
    index = r"(?:\[[^\]]*\])?"
    prefixes = "|".join(sorted(re.escape(p) for p in providers))
    return {
        "var": re.compile(edge + r"var\." + name),
        "local": re.compile(edge + r"local\." + name),
        "module": re.compile(edge + r"module\." + name + index + r"(?:\.([A-Za-z_][\w-]*))?"),
        "data": re.compile(edge + r"data\." + name + r"\." + name),
        "resource": re.compile(edge + r"((?:" + prefixes + r")_[a-z0-9_]+)\." + name),
        "each": re.compile(edge + r"each\.(key|value)\b"),
        "count": re.compile(edge + r"count\.index\b"),
    }


def block_code(block: Block) -> list[str]:
    return list(expressions_in(block.body))


def module_code(module: Module) -> list[str]:
    code: list[str] = []
    for block in module.blocks:
        code.extend(block_code(block))
    return code


def check_parse(tree: Tree) -> list[Problem]:
    return list(tree.problems)


def check_references(tree: Tree) -> list[Problem]:
    """Every var., local., module., data. and resource reference names something declared."""
    problems: list[Problem] = []
    patterns = _reference_patterns(provider_names(tree))
    for module in tree.modules.values():
        variables = module.variables
        locals_ = module.locals
        resources = module.resources
        data = module.data_sources
        calls = module.module_calls
        for block in module.blocks:
            where = _where(module, block)
            has_for_each = "for_each" in block.body
            has_count = "count" in block.body
            # A moved block's `from` is, by design, no longer declared (check_moved).
            codes = (
                list(expressions_in(block.body.get("to")))
                if block.kind == "moved"
                else block_code(block)
            )
            for code in codes:
                for match in patterns["var"].finditer(code):
                    if match.group(1) not in variables:
                        problems.append(
                            Problem(
                                "reference",
                                where,
                                f"var.{match.group(1)} is not declared in {module.path.name}/",
                            )
                        )
                for match in patterns["local"].finditer(code):
                    if match.group(1) not in locals_:
                        problems.append(
                            Problem(
                                "reference",
                                where,
                                f"local.{match.group(1)} is not declared in {module.path.name}/",
                            )
                        )
                for match in patterns["data"].finditer(code):
                    if (match.group(1), match.group(2)) not in data:
                        problems.append(
                            Problem(
                                "reference",
                                where,
                                f"data.{match.group(1)}.{match.group(2)} is not declared",
                            )
                        )
                for match in patterns["resource"].finditer(code):
                    if (match.group(1), match.group(2)) not in resources:
                        problems.append(
                            Problem(
                                "reference",
                                where,
                                f"{match.group(1)}.{match.group(2)} is not declared",
                            )
                        )
                for match in patterns["module"].finditer(code):
                    problems.extend(_check_module_reference(tree, module, calls, match, where))
                if (
                    block.kind in ("resource", "data", "module")
                    and not has_for_each
                    and patterns["each"].search(code)
                ):
                    problems.append(
                        Problem("reference", where, "each.* used in a block without for_each")
                    )
                if (
                    block.kind in ("resource", "data", "module")
                    and not has_count
                    and patterns["count"].search(code)
                ):
                    problems.append(
                        Problem("reference", where, "count.index used in a block without count")
                    )
    return problems


MOVED_ADDRESS = re.compile(r'([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(?:\["([^"]*)"\])?')


def check_moved(tree: Tree) -> list[Problem]:
    """Each ``moved`` block (a resource renamed without destroying it): ``from`` is a
    resource address no longer declared (Terraform refuses to move a live one) unless ``to``
    is one instance of it (a resource given for_each keeps its state under a key), ``to`` one
    that is declared, and a key of ``to`` is one of its for_each keys."""
    problems: list[Problem] = []
    for module in tree.modules.values():
        for block in module.of_kind("moved"):
            where = _where(module, block)
            ends = {}
            for end in ("from", "to"):
                match = MOVED_ADDRESS.fullmatch(expression_text(block.body.get(end)) or "")
                if match is None:
                    problems.append(Problem("moved", where, f"{end} is not a resource address"))
                else:
                    ends[end] = match
            if len(ends) < 2:
                continue
            source, target = ends["from"], ends["to"]
            becomes_an_instance = (
                source.group(1, 2) == target.group(1, 2)
                and source.group(3) is None
                and target.group(3) is not None
            )
            if source.group(1, 2) in module.resources and not becomes_an_instance:
                problems.append(Problem("moved", where, f"{source.group(0)} is still declared"))
            resource = module.resources.get((target.group(1), target.group(2)))
            if resource is None:
                problems.append(Problem("moved", where, f"{target.group(0)} is not declared"))
                continue
            if target.group(3) is not None:
                keys = for_each_keys(resource, Scope(tree, module))
                if keys is None or target.group(3) not in keys:
                    problems.append(
                        Problem(
                            "moved",
                            where,
                            f"{target.group(3)!r} is not a for_each key of {target.group(1)}."
                            f"{target.group(2)} ({keys})",
                        )
                    )
    return problems


def _check_module_reference(
    tree: Tree, module: Module, calls: dict[str, Block], match: re.Match[str], where: str
) -> list[Problem]:
    name, output = match.group(1), match.group(2)
    call = calls.get(name)
    if call is None:
        return [
            Problem("reference", where, f"module.{name} is not declared in {module.path.name}/")
        ]
    if output is None:
        return []
    children = [tree.modules.get(d) for d in module_source_dirs(tree, module, call)]
    if not children or None in children:
        return [
            Problem(
                "reference",
                where,
                f"module.{name}'s source {_source_text(call)} has no .tf files",
            )
        ]
    return [
        Problem(
            "reference",
            where,
            f"module.{name} has no output {output!r} in {child.path.name}/ (outputs: {', '.join(sorted(child.outputs)) or 'none'})",
        )
        for child in children
        if child is not None and output not in child.outputs
    ]


def _source_text(call: Block) -> str:
    source = call.body.get("source")
    return literal_string(source) or expression_text(source) or str(source)


def check_unused(tree: Tree) -> list[Problem]:
    """Variables and locals nobody reads are dead configuration (often a typo's twin)."""
    problems: list[Problem] = []
    stand_ins = _stand_ins(tree)
    for module in tree.modules.values():
        code = "\n".join(module_code(module))
        for name, block in module.variables.items():
            if module.path in stand_ins:
                continue
            if not re.search(r"(?<![\w.$])var\." + re.escape(name) + r"\b", code):
                problems.append(
                    Problem("unused", _where(module, block), f"variable {name!r} is never used")
                )
        for name in module.locals:
            if not re.search(r"(?<![\w.$])local\." + re.escape(name) + r"\b", code):
                locals_block = module.of_kind("locals")[0]
                problems.append(
                    Problem("unused", locals_block.where, f"local {name!r} is never used")
                )
    return problems


def _stand_ins(tree: Tree) -> set[Path]:
    """Modules that are one of the alternatives of a switched source and declare nothing
    (no resource, data source or module call): they take their alternative's variables
    only so that the call is valid whichever way the switch is set."""
    found = set()
    for module, call in tree.all_blocks("module"):
        dirs = module_source_dirs(tree, module, call)
        if len(dirs) < 2:
            continue
        for path in dirs:
            child = tree.modules.get(path)
            if child is not None and not any(
                child.of_kind(kind) for kind in ("resource", "data", "module")
            ):
                found.add(path)
    return found


def check_variables(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    for module, block in tree.all_blocks("variable"):
        name = block.labels[0]
        body = attributes(block.body)
        if "type" not in body:
            problems.append(
                Problem("variable", _where(module, block), f"variable {name!r} has no type")
            )
        description = literal_string(body.get("description"))
        if not description or not description.strip():
            problems.append(
                Problem("variable", _where(module, block), f"variable {name!r} has no description")
            )
    return problems


def check_outputs(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    for module, block in tree.all_blocks("output"):
        description = literal_string(attributes(block.body).get("description"))
        if not description or not description.strip():
            problems.append(
                Problem(
                    "output",
                    _where(module, block),
                    f"output {block.labels[0]!r} has no description",
                )
            )
    return problems


def check_module_calls(tree: Tree) -> list[Problem]:
    """Module arguments are the child's variables, and every required variable is passed."""
    problems: list[Problem] = []
    for module, call in tree.all_blocks("module"):
        where = _where(module, call)
        dirs = module_source_dirs(tree, module, call)
        children = [tree.modules.get(d) for d in dirs]
        if not children or None in children:
            problems.append(
                Problem(
                    "module",
                    where,
                    f"source {_source_text(call)!r} is not a local module with .tf files"
                    " (a computed source may use only bool variables with const = true)",
                )
            )
            continue
        modules = [child for child in children if child is not None]
        arguments = {k for k in attributes(call.body) if k not in MODULE_META_ARGUMENTS}
        for child in modules:
            declared = child.variables
            for argument in sorted(arguments - set(declared)):
                problems.append(
                    Problem(
                        "module",
                        where,
                        f"argument {argument!r} is not a variable of {child.path.name}/",
                    )
                )
            for name, variable in sorted(declared.items()):
                if "default" not in variable.body and name not in arguments:
                    problems.append(
                        Problem(
                            "module",
                            where,
                            f"required variable {name!r} of {child.path.name}/ is not passed",
                        )
                    )
        problems += _alternatives_differ(modules, where)
    return problems


def _interface(module: Module) -> dict[str, dict[str, str]]:
    """A module's variables (name: type) and outputs (name: type and sensitivity), types
    without their spacing."""

    def text(value: Any) -> str:
        return re.sub(r"\s+", "", str(value))

    outputs = {}
    for name, block in module.outputs.items():
        body = attributes(block.body)
        outputs[name] = f"type={text(body.get('type'))} sensitive={body.get('sensitive') is True}"
    return {
        "variable": {
            name: text(attributes(b.body).get("type")) for name, b in module.variables.items()
        },
        "output": outputs,
    }


def _alternatives_differ(children: list[Module], where: str) -> list[Problem]:
    """The directories a const variable chooses between are interchangeable: the same
    variables, of the same types, and the same outputs (a caller or an output that reads
    one of them would otherwise break only when the switch is flipped)."""
    problems = []
    first = children[0]
    for other in children[1:]:
        a, b = _interface(first), _interface(other)
        for kind in ("variable", "output"):
            for name in sorted(set(a[kind]) | set(b[kind])):
                if a[kind].get(name) != b[kind].get(name):
                    problems.append(
                        Problem(
                            "module",
                            where,
                            f"{kind} {name!r}: {first.path.name}/ has {a[kind].get(name, 'none')!r}, "
                            f"{other.path.name}/ has {b[kind].get(name, 'none')!r}; the alternatives "
                            "of a switched source must have the same interface",
                        )
                    )
    return problems


def check_layout(tree: Tree) -> list[Problem]:
    """Each module has main.tf, variables.tf and outputs.tf, a root also versions.tf;
    modules configure no providers."""
    problems: list[Problem] = []
    roots = {m.path for m in tree.roots}
    modules_dir = tree.base / "modules"
    for path, module in sorted(tree.modules.items()):
        for required in ROOT_FILES if path in roots else REQUIRED_FILES:
            if not (path / required).is_file():
                problems.append(Problem("layout", str(path), f"missing {required}"))
        if path not in roots:
            for block in module.of_kind("provider"):
                problems.append(
                    Problem(
                        "layout",
                        block.where,
                        "a called module must not configure a provider (pass providers from the root)",
                    )
                )
        elif modules_dir in path.parents:
            problems.append(
                Problem("layout", str(path), "module under modules/ is not called by any root")
            )
    return problems


def _required_providers(module: Module) -> tuple[dict[str, dict], list[Block]]:
    providers: dict[str, dict] = {}
    terraform_blocks = module.of_kind("terraform")
    for block in terraform_blocks:
        for required in nested_blocks(block.body, "required_providers"):
            for name, spec in attributes(required).items():
                if isinstance(spec, dict):
                    providers[name] = {
                        k: literal_string(v) for k, v in spec.items() if k not in META_KEYS
                    }
    return providers, terraform_blocks


def _reached(tree: Tree, root: Module) -> list[Module]:
    """``root`` and every module it calls, directly or not (both sides of a switched source)."""
    seen: dict[Path, Module] = {}
    pending = [root]
    while pending:
        module = pending.pop()
        if module.path in seen:
            continue
        seen[module.path] = module
        for call in module.module_calls.values():
            pending += [
                tree.modules[d] for d in module_source_dirs(tree, module, call) if d in tree.modules
            ]
    return list(seen.values())


def _providers_used(module: Module) -> set[str]:
    used = {b.labels[0].split("_")[0] for b in module.of_kind("resource") + module.of_kind("data")}
    return used | {b.labels[0] for b in module.of_kind("provider")}


def check_versions(tree: Tree) -> list[Problem]:
    """One place for versions: a root sets required_version and pins (~>) every provider that
    it or any module it calls uses (AWS 6.x, Snowflake 2.x). A called module sets no version
    and declares only what Terraform cannot infer: the source of a provider that the root
    takes from outside the hashicorp namespace (undeclared, a name means hashicorp/<name>)."""
    problems: list[Problem] = []
    roots = {m.path for m in tree.roots}
    for path, module in sorted(tree.modules.items()):
        providers, terraform_blocks = _required_providers(module)
        where = str(path / "versions.tf")
        if path in roots:
            problems += _root_pins(tree, module, providers, terraform_blocks, where)
        else:
            problems += _module_declarations(module, providers, terraform_blocks, where)
            for root in tree.roots:
                if module in _reached(tree, root):
                    problems += _sources_differ(module, providers, root, where)
        problems += _const_needs_1_15(tree, module, terraform_blocks, where)
    return problems


def _sources_differ(
    module: Module, providers: dict[str, dict], root: Module, where: str
) -> list[Problem]:
    """Each provider ``module`` uses or declares resolves to the root's provider of that name."""
    root_providers, _ = _required_providers(root)
    problems = []
    for name in sorted(_providers_used(module) | set(providers)):
        theirs = (root_providers.get(name) or {}).get("source")
        ours = (providers.get(name) or {}).get("source")
        if theirs is None or (ours or f"hashicorp/{name}") == theirs:
            continue
        said = f"comes from {ours!r}" if ours else f"has no declared source (so hashicorp/{name})"
        problems.append(
            Problem(
                "versions",
                where,
                f"{name} {said} here but from {theirs!r} in the root {root.path.name}/",
            )
        )
    return problems


def _root_pins(
    tree: Tree, root: Module, providers: dict[str, dict], blocks: list[Block], where: str
) -> list[Problem]:
    problems: list[Problem] = []
    if not any("required_version" in b.body for b in blocks):
        problems.append(Problem("versions", where, "no required_version"))
    for module in _reached(tree, root):
        for provider in sorted(_providers_used(module) - set(providers)):
            user = "" if module is root else f" (by {module.path.relative_to(tree.base)}/)"
            problems.append(
                Problem(
                    "versions",
                    where,
                    f"provider {provider!r} is used{user} but not in the root's required_providers",
                )
            )
    for name, spec in sorted(providers.items()):
        version = spec.get("version") or ""
        if not version.startswith("~>"):
            problems.append(
                Problem(
                    "versions",
                    where,
                    f"root module pins {name} with {version!r}; use ~> (pessimistic pin)",
                )
            )
        majors = {"aws": ("hashicorp/aws", "6"), "snowflake": ("snowflakedb/snowflake", "2")}
        if name in majors:
            source, major = majors[name]
            if spec.get("source") != source:
                problems.append(Problem("versions", where, f"{name} must come from {source}"))
            if not re.match(rf"~>\s*{major}\.", version):
                problems.append(
                    Problem(
                        "versions",
                        where,
                        f"{name} is pinned to {version!r}, not the {major}.x major",
                    )
                )
    return problems


def _module_declarations(
    module: Module, providers: dict[str, dict], blocks: list[Block], where: str
) -> list[Problem]:
    problems: list[Problem] = []
    if any("required_version" in b.body for b in blocks):
        problems.append(
            Problem(
                "versions",
                where,
                "a called module sets no required_version (the root's versions.tf does)",
            )
        )
    for name, spec in sorted(providers.items()):
        if spec.get("version") is not None:
            problems.append(
                Problem(
                    "versions",
                    where,
                    f"module sets a version for {name}; versions are pinned in the root only",
                )
            )
        if not spec.get("source"):
            problems.append(Problem("versions", where, f"{name} is declared without a source"))
    return problems


def _const_needs_1_15(
    tree: Tree, module: Module, terraform_blocks: list[Block], where: str
) -> list[Problem]:
    """``const = true`` variables and computed module sources exist from Terraform 1.15: a
    module using either must not admit an older Terraform (some part of its own or its
    roots' ``required_version`` must set a floor of 1.15 or later)."""
    computed = [
        call
        for call in module.module_calls.values()
        if literal_string(call.body.get("source")) is None
    ]
    if not const_variables(module) and not computed:
        return []
    for root in tree.roots:
        if root is not module and module in _reached(tree, root):
            terraform_blocks = terraform_blocks + root.of_kind("terraform")
    for block in terraform_blocks:
        version = literal_string(block.body.get("required_version")) or ""
        for constraint in version.split(","):
            match = re.fullmatch(r"(~>|>=|=)?\s*(\d+)\.(\d+)(?:\.\d+)?", constraint.strip())
            if match and (int(match.group(2)), int(match.group(3))) >= (1, 15):
                return []
    return [
        Problem(
            "versions",
            where,
            'const variables and computed module sources need Terraform 1.15: set required_version to "~> 1.15" or later',
        )
    ]


def check_style(tree: Tree) -> list[Problem]:
    """`this` for a resource alone of its type; count/for_each first and tags last."""
    problems: list[Problem] = []
    for module in tree.modules.values():
        by_type = Counter(b.labels[0] for b in module.of_kind("resource"))
        for block in module.of_kind("resource"):
            if by_type[block.labels[0]] == 1 and block.labels[1] != "this":
                problems.append(
                    Problem(
                        "style",
                        _where(module, block),
                        f"the only {block.labels[0]} of the module should be named 'this'",
                    )
                )
        for block in module.of_kind("resource") + module.of_kind("data") + module.of_kind("module"):
            keys = [k for k in block.body if k not in META_KEYS]
            for meta in ("count", "for_each"):
                if meta in keys and keys[0] != meta:
                    problems.append(
                        Problem(
                            "style", _where(module, block), f"{meta} must be the first argument"
                        )
                    )
            if "tags" in keys:
                after = [k for k in keys[keys.index("tags") + 1 :] if k not in TRAILING_META]
                if after:
                    problems.append(
                        Problem(
                            "style",
                            _where(module, block),
                            f"tags must be the last argument (followed by {', '.join(after)})",
                        )
                    )
    return problems


def skip_comments(module: Module) -> list[tuple[Path, int, str, str]]:
    found = []
    for path, text in module.texts.items():
        for number, line in enumerate(text.splitlines(), start=1):
            match = SKIP_COMMENT.search(line.strip())
            if match:
                found.append((path, number, match.group(1), (match.group(2) or "").strip()))
    return found


def check_skips(tree: Tree) -> list[Problem]:
    """Every checkov skip names a check and says why (a sentence, not a word)."""
    problems: list[Problem] = []
    for module in tree.modules.values():
        for path, line, check_id, reason in skip_comments(module):
            if not re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+", check_id):
                problems.append(
                    Problem("skip", f"{path}:{line}", f"{check_id!r} is not a checkov check id")
                )
            if len(reason) < MIN_SKIP_REASON:
                problems.append(
                    Problem(
                        "skip",
                        f"{path}:{line}",
                        f"skip of {check_id} needs a reason (#checkov:skip={check_id}:<why>)",
                    )
                )
    return problems


def check_no_secrets(tree: Tree, tfvars_examples: list[tuple[Path, Path]]) -> list[Problem]:
    """No secret value can reach Terraform: no secret versions, no secret-named variables
    or outputs, and example tfvars that only set declared, non-secret variables."""
    problems: list[Problem] = []
    for module, block in tree.all_blocks("resource"):
        if block.labels[0] == "aws_secretsmanager_secret_version":
            problems.append(
                Problem(
                    "secrets",
                    _where(module, block),
                    "secret values are set out of band, never by Terraform (they would be stored in state)",
                )
            )
        if "secret_string" in block.body or "secret_binary" in block.body:
            problems.append(
                Problem(
                    "secrets",
                    _where(module, block),
                    "secret_string/secret_binary puts a secret in state",
                )
            )
    for kind in ("variable", "output"):
        for module, block in tree.all_blocks(kind):
            if SECRET_NAME.search(block.labels[0]):
                problems.append(
                    Problem(
                        "secrets",
                        _where(module, block),
                        f"{kind} {block.labels[0]!r} looks like it carries a secret",
                    )
                )
    for module, block in tree.all_blocks("output"):
        for code in block_code(block):
            if re.search(r"\.(secret_string|secret_binary|password|private_key)\b", code):
                problems.append(
                    Problem("secrets", _where(module, block), "output exposes a secret attribute")
                )
    for example, root_dir in tfvars_examples:
        root = tree.modules.get(root_dir.resolve())
        if root is None:
            problems.append(
                Problem("tfvars", str(example), f"{root_dir} is not a module with .tf files")
            )
            continue
        problems.extend(_check_tfvars_example(example, root.variables))
    return problems


def _check_tfvars_example(path: Path, variables: dict[str, Block]) -> list[Problem]:
    try:
        parsed = parse_text(path.read_text(encoding="utf-8"))
    except Exception as exc:
        return [Problem("tfvars", str(path), f"not valid HCL: {exc}".splitlines()[0])]
    problems = []
    for name in parsed:
        if name in META_KEYS:
            continue
        if name not in variables:
            problems.append(
                Problem(
                    "tfvars", str(path), f"{name!r} is not a variable of the root module it is for"
                )
            )
        if SECRET_NAME.search(name):
            problems.append(
                Problem(
                    "tfvars", str(path), f"{name!r} looks like a secret; secrets never go in tfvars"
                )
            )
    return problems
