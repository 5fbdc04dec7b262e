"""Terraform against the rest of the repository: the data contract, the Lambda and Glue
code it deploys, the Athena SQL it registers and the Snowflake SQL that describes the
same objects as its Snowflake resources. Values are evaluated from the HCL (through
module calls and locals), so a name changed anywhere on either side is caught.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glue_jobs.tables import CURRENT_TABLES
from glue_jobs.tables import TABLES as TABLE_DEFINITIONS

from .contract import Contract, load_task_settings
from .hcl import (
    Block,
    Instance,
    Module,
    Problem,
    Scope,
    Tree,
    argument_text,
    dynamic_blocks,
    evaluate,
    for_each_keys,
    instance_scopes,
    nested_blocks,
    resource_instances,
)
from .snowflake_sql import load_objects


@dataclass
class Repo:
    """Where the other stages of the pipeline live."""

    root: Path

    @property
    def contract(self) -> Path:
        return self.root / "docs" / "data-contract.md"

    @property
    def snowflake_sql(self) -> Path:
        return self.root / "snowflake_sql"

    @property
    def track_documents(self) -> Path:
        """The enrichment's contract: its Lambda settings and their defaults."""
        return self.root / "docs" / "track-documents.md"

    @property
    def lambda_packager(self) -> Path:
        return self.root / "tools" / "package_lambda.py"

    @property
    def athena_sql(self) -> Path:
        return self.root / "athena_sql"


def _where(block: Block) -> str:
    return f"{block.where} ({block.address})"


def _placeholders(text: str) -> str:
    """``s3://<raw-bucket>/x/`` and ``s3://<aws_s3_bucket.raw.id>/x/`` compare equal."""
    return re.sub(r"<[^<>]*>", "<>", text)


# The lake's buckets as the contract names them (``<raw-bucket>``, ``<curated-bucket>``).
_BUCKET_WORDS = frozenset({"raw", "curated"})


def _same_location(actual: str, contract_location: str) -> bool:
    """``actual`` (evaluated Terraform) is the contract's location, in the same bucket.

    Beyond the shape (``_placeholders``), the reference standing for each bucket must name
    the contract's bucket and no other: ``<var.raw_bucket_name>`` or
    ``<aws_s3_bucket.raw.id>`` for ``<raw-bucket>``, never ``<var.curated_bucket_name>``.
    """
    if _placeholders(actual) != _placeholders(contract_location):
        return False
    pairs = zip(
        re.findall(r"<([^<>]*)>", actual),
        re.findall(r"<([^<>]*)>", contract_location),
        strict=True,
    )
    for reference, placeholder in pairs:
        wanted = set(re.split(r"[^a-z0-9]+", placeholder.lower())) & _BUCKET_WORDS
        named = set(re.split(r"[^a-z0-9]+", reference.lower())) & _BUCKET_WORDS
        if wanted and named != wanted:
            return False
    return True


def _single(tree: Tree, resource_type: str) -> tuple[Module, Block] | None:
    found = tree.all_resources(resource_type)
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------------------------------
# Lambda
# ---------------------------------------------------------------------------------------


def check_lambda(tree: Tree, contract: Contract, repo: Repo) -> list[Problem]:
    """Handler, runtime, package, environment names and RAW_PREFIX as in the contract,
    and a handler and environment names the extract_lambda code actually has."""
    found = _single(tree, "aws_lambda_function")
    if found is None:
        return [
            Problem(
                "contract",
                str(tree.base),
                "expected exactly one aws_lambda_function (the extract Lambda)",
            )
        ]
    module, function = found
    scope = Scope(tree, module)
    where = _where(function)
    problems = []
    handler = evaluate(function.body.get("handler"), scope)
    if handler != contract.handler:
        problems.append(
            Problem(
                "contract", where, f"handler {handler!r} is not the contract's {contract.handler!r}"
            )
        )
    runtime = evaluate(function.body.get("runtime"), scope)
    if runtime != contract.runtime:
        problems.append(
            Problem(
                "contract", where, f"runtime {runtime!r} is not the contract's {contract.runtime!r}"
            )
        )
    package = evaluate(function.body.get("filename"), scope)
    if not (isinstance(package, str) and package.endswith("/" + contract.lambda_package)):
        problems.append(
            Problem(
                "contract",
                where,
                f"filename {package!r} is not the contract's {contract.lambda_package}",
            )
        )

    environments = nested_blocks(function.body, "environment")
    variables = evaluate(environments[0].get("variables"), scope) if environments else {}
    names = set(variables) if isinstance(variables, dict) else set()
    # The enrichment's settings are optional and documented with their defaults in its own
    # contract (docs/track-documents.md), not in section 6.
    task_settings = load_task_settings(repo.track_documents)
    for missing in sorted(set(contract.environment) - names):
        problems.append(
            Problem("contract", where, f"environment lacks {missing} (data contract section 6)")
        )
    for extra in sorted(names - set(contract.environment) - set(task_settings)):
        problems.append(
            Problem(
                "contract", where, f"environment sets {extra}, which the contract does not name"
            )
        )
    for name, expected in contract.environment_values.items():
        actual = variables.get(name) if isinstance(variables, dict) else None
        if actual != expected:
            problems.append(
                Problem("contract", where, f"{name} is {actual!r}, the contract says {expected!r}")
            )

    module_path, _, function_name = contract.handler.rpartition(".")
    source = repo.root / (module_path.replace(".", "/") + ".py")
    if not source.is_file():
        problems.append(
            Problem("code", str(source), f"the handler module of {contract.handler} does not exist")
        )
    elif not re.search(
        rf"^def {re.escape(function_name)}\(", source.read_text(encoding="utf-8"), re.MULTILINE
    ):
        problems.append(Problem("code", str(source), f"defines no top-level {function_name}()"))
    problems.extend(_packaged_for(runtime, repo.lambda_packager))
    package_dir = repo.root / module_path.split(".")[0]
    problems.extend(
        _check_task_defaults(where, variables, task_settings, package_dir, repo.track_documents)
    )
    code = "\n".join(p.read_text(encoding="utf-8") for p in sorted(package_dir.glob("*.py")))
    for name in sorted(names):
        if not re.search(rf"[\"']{re.escape(name)}[\"']", code):
            problems.append(
                Problem(
                    "code",
                    str(package_dir),
                    f"Terraform sets {name} but no {package_dir.name}/*.py reads it",
                )
            )
    return problems


def code_defaults(package_dir: Path) -> dict[str, str]:
    """The default the code gives each environment variable it reads with one: a keyword
    argument whose expression names exactly one variable (a quoted ``UPPER_CASE`` string)
    and exactly one module-level constant, e.g. ``max_tracks=number("ENRICH_MAX_TRACKS",
    DEFAULT_MAX_TRACKS)`` or ``tracks_prefix=(environ.get("TRACKS_PREFIX") or "").strip() or
    DEFAULT_TRACKS_PREFIX``; read with ``ast``, as the constant's value in words."""
    defaults: dict[str, str] = {}
    for path in sorted(package_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.keyword):
                continue
            inner = list(ast.walk(node.value))
            names = {
                n.value
                for n in inner
                if isinstance(n, ast.Constant)
                and isinstance(n.value, str)
                and re.fullmatch(r"[A-Z][A-Z0-9_]+", n.value)
            }
            used = {n.id for n in inner if isinstance(n, ast.Name) and n.id in constants}
            if len(names) == 1 and len(used) == 1:
                defaults[names.pop()] = str(constants[used.pop()])
    return defaults


def _check_task_defaults(
    where: str,
    variables: Any,
    task_settings: dict[str, str],
    package_dir: Path,
    document: Path,
) -> list[Problem]:
    """Each task setting Terraform sets is, with the root's defaults, the value the task's
    contract documents, and that is the code's own default: a deployment that changes
    nothing behaves as documented, and the documentation says what the code does."""
    if not isinstance(variables, dict):
        return []
    problems = []
    in_code = code_defaults(package_dir)
    for name in sorted(set(variables) & set(task_settings)):
        documented = task_settings[name]
        actual = variables[name]
        if actual != documented:
            problems.append(
                Problem(
                    "contract",
                    where,
                    f"{name} is {actual!r} with the default variables, "
                    f"{document.name} documents {documented!r}",
                )
            )
        if in_code.get(name) != documented:
            problems.append(
                Problem(
                    "code",
                    str(package_dir),
                    f"{document.name} documents {name} = {documented!r}, the code's default "
                    f"is {in_code.get(name)!r}",
                )
            )
    return problems


def _packaged_for(runtime: Any, packager: Path) -> list[Problem]:
    """The zip's wheels are downloaded for the Python of the function's runtime.

    ``tools/package_lambda.py`` passes ``--python-version X.Y`` to pip in the constant
    ``PLATFORM_ARGS``; wheels with compiled code for another Python do not import on the
    runtime, so a runtime changed in Terraform alone would deploy a zip that fails on its
    first import. Both spellings pip takes (``--python-version X.Y`` and
    ``--python-version=X.Y``) are read, and the last one counts, as for pip.
    """
    if not packager.is_file():
        return [Problem("code", str(packager), "the Lambda packager does not exist")]
    version = None
    for node in ast.walk(ast.parse(packager.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == "PLATFORM_ARGS" for t in targets):
            continue
        if not isinstance(node.value, ast.Tuple | ast.List):
            continue
        args = [e.value if isinstance(e, ast.Constant) else None for e in node.value.elts]
        for i, arg in enumerate(args):
            if arg == "--python-version" and i + 1 < len(args):
                version = args[i + 1]
            elif isinstance(arg, str) and arg.startswith("--python-version="):
                version = arg.split("=", 1)[1]
    if version is None:
        return [Problem("code", str(packager), "PLATFORM_ARGS names no --python-version for pip")]
    if runtime != f"python{version}":
        return [
            Problem(
                "code",
                str(packager),
                f"builds the zip for Python {version}, the function's runtime is {runtime!r}",
            )
        ]
    return []


# ---------------------------------------------------------------------------------------
# Glue
# ---------------------------------------------------------------------------------------


def check_glue(tree: Tree, contract: Contract, repo: Repo) -> list[Problem]:
    """Script and library paths, job arguments, bookmark context and table list as in the
    contract and the glue_jobs code; crawlers over exactly the curated table prefixes."""
    jobs = _jobs_running(tree, contract.glue_script)
    if not jobs and len(resource_instances(tree, "aws_glue_job")) == 1:
        jobs = resource_instances(tree, "aws_glue_job")  # reported below: runs another script
    if len(jobs) != 1:
        return [
            Problem(
                "contract",
                str(tree.base),
                f"expected exactly one aws_glue_job running {contract.glue_script}, found {len(jobs)}",
            )
        ]
    job = jobs[0]
    module, where = job.module, job.where
    scope = Scope(tree, module)
    problems = _script_problems(tree, job, contract.glue_script)
    library = _uploaded_keys(tree, module, contract.glue_library)
    if not library:
        problems.append(
            Problem("contract", where, f"no aws_s3_object uploads {contract.glue_library}")
        )

    arguments = job.evaluate("default_arguments", {})
    arguments = arguments if isinstance(arguments, dict) else {}
    for name, value in contract.job_arguments.items():
        if name not in arguments:
            problems.append(Problem("contract", where, f"default_arguments lack {name}"))
        elif value is not None and arguments[name] != value:
            problems.append(
                Problem(
                    "contract", where, f"{name} is {arguments[name]!r}, the contract says {value!r}"
                )
            )
    roots = {"--raw_path": contract.raw_root, "--curated_path": contract.curated_root}
    if "--tracks_path" in arguments:
        roots["--tracks_path"] = tracks_root(contract)
    for name, root in roots.items():
        if name in arguments and not _same_location(str(arguments[name]), root):
            problems.append(
                Problem(
                    "contract",
                    where,
                    f"{name} is {arguments[name]!r}, the contract's root is {root}",
                )
            )
    if library and not str(arguments.get("--extra-py-files", "")).endswith("/" + str(library[0])):
        problems.append(
            Problem("contract", where, "--extra-py-files is not the uploaded library zip")
        )

    script_path = repo.root / contract.glue_script
    if not script_path.is_file():
        problems.append(Problem("code", str(script_path), "the Glue job script does not exist"))
    else:
        resolved = _required_args(script_path.read_text(encoding="utf-8"))
        expected = {
            n.removeprefix("--") for n in contract.job_arguments if n != "--job-bookmark-option"
        }
        if resolved is None:
            problems.append(
                Problem(
                    "code",
                    str(script_path),
                    "no REQUIRED_ARGS (or getResolvedOptions call) with literal argument names",
                )
            )
        else:
            for missing in sorted(expected - resolved):
                problems.append(
                    Problem(
                        "code",
                        str(script_path),
                        f"does not resolve --{missing}, which Terraform passes",
                    )
                )
            for extra in sorted(
                resolved - expected - {"JOB_NAME"} - {a.removeprefix("--") for a in arguments}
            ):
                problems.append(
                    Problem(
                        "code",
                        str(script_path),
                        f"resolves --{extra}, which Terraform does not pass",
                    )
                )
            # The optional ones (--tracks_path, --bookmark_store, --metrics_namespace): what
            # Terraform passes beyond the required names, the script must read.
            problems.extend(
                _unread_arguments(
                    arguments, resolved, script_path.read_text(encoding="utf-8"), script_path
                )
            )
    glue_code = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((repo.root / "glue_jobs").glob("*.py"))
    )
    if (
        f'"{contract.transformation_ctx}"' not in glue_code
        and f"'{contract.transformation_ctx}'" not in glue_code
    ):
        problems.append(
            Problem(
                "code",
                str(repo.root / "glue_jobs"),
                f"no transformation_ctx {contract.transformation_ctx!r} (the bookmark would not track the raw source)",
            )
        )

    crawlers = module.resources_of_type("aws_glue_crawler")  # each over contract.crawled
    for crawler in crawlers:
        tables = for_each_keys(crawler, scope)
        if tables is None:
            problems.append(
                Problem(
                    "contract",
                    _where(crawler),
                    "crawler for_each does not evaluate to the table list",
                )
            )
            continue
        crawled = sorted(contract.crawled)
        if sorted(tables) != crawled:
            problems.append(
                Problem(
                    "contract",
                    _where(crawler),
                    f"crawlers cover {sorted(tables)}, the contract's tables and the current "
                    f"tables are {crawled}",
                )
            )
        if not nested_blocks(crawler.body, "s3_target"):
            problems.append(
                Problem("contract", _where(crawler), "crawler has no s3_target: it reads nothing")
            )
        for table in tables:
            each = Scope(tree, module, {"key": table, "value": table})
            for target in nested_blocks(crawler.body, "s3_target"):
                path = str(evaluate(target.get("path"), each))
                expected = contract.curated_root + table + "/"
                if not _same_location(path, expected):
                    problems.append(
                        Problem(
                            "contract",
                            _where(crawler),
                            f"crawler of {table} reads {path}, not {expected}",
                        )
                    )
    if not crawlers:
        problems.append(Problem("contract", where, "no crawlers"))
    problems.extend(_check_crawl_triggers(tree, module, contract))
    return problems


# The job writing each source's tables (glue_jobs/tables.py Table.source), by its entry point.
CHART_SCRIPT = "glue_jobs/chart_job.py"

# Job parameters Glue itself reads (AWS Glue, "Using job parameters in AWS Glue jobs"): not
# the script's arguments.
GLUE_SPECIAL_ARGUMENTS = frozenset(
    {
        "--job-bookmark-option",
        "--extra-py-files",
        "--extra-jars",
        "--extra-files",
        "--job-language",
        "--TempDir",
        "--enable-metrics",
        "--enable-observability-metrics",
        "--enable-continuous-cloudwatch-log",
        "--enable-continuous-log-filter",
        "--enable-spark-ui",
        "--spark-event-logs-path",
        "--enable-job-insights",
        "--enable-glue-datacatalog",
        "--enable-auto-scaling",
        "--additional-python-modules",
        "--python-modules-installer-option",
        "--conf",
        "--datalake-formats",
    }
)


def _script_location(job: Instance) -> Any:
    command = nested_blocks(job.block.body, "command")
    return evaluate(command[0].get("script_location"), job.scope) if command else None


def _jobs_running(tree: Tree, script: str) -> list[Instance]:
    """The aws_glue_job instances whose script_location is a file named like ``script``."""
    name = "/" + Path(script).name
    return [
        job
        for job in resource_instances(tree, "aws_glue_job")
        if str(_script_location(job)).endswith(name)
    ]


def _uploaded_keys(tree: Tree, module: Module, path: str) -> list[Any]:
    """The keys of the aws_s3_object instances of ``module`` that upload the file ``path``
    (their source ends with it)."""
    return [
        upload.evaluate("key")
        for upload in resource_instances(tree, "aws_s3_object", module)
        if str(upload.evaluate("source")).endswith("/" + path)
    ]


def _script_problems(tree: Tree, job: Instance, script: str) -> list[Problem]:
    """The job runs the uploaded ``script``: an aws_s3_object of its module uploads it, and
    the job's script_location is that object's key."""
    keys = _uploaded_keys(tree, job.module, script)
    if not keys:
        return [Problem("contract", job.where, f"no aws_s3_object uploads {script}")]
    location = _script_location(job)
    if not str(location).endswith("/" + str(keys[0])):
        return [
            Problem(
                "contract",
                job.where,
                f"script_location {location!r} is not the uploaded {script}",
            )
        ]
    return []


def _sources_by_job(tree: Tree, module: Module, contract: Contract) -> dict[str, str]:
    """The address of each job of ``module`` (``aws_glue_job.<name>``, or an instance's
    ``aws_glue_job.<name>["<key>"]``) -> the source whose tables it writes."""
    scripts = {"playlists": contract.glue_script, "charts": CHART_SCRIPT}
    return {
        job.address: source
        for source, script in scripts.items()
        for job in _jobs_running(tree, script)
        if job.module is module
    }


def _check_crawl_triggers(tree: Tree, module: Module, contract: Contract) -> list[Problem]:
    """Each conditional trigger on a job's success starts the crawlers of exactly the tables
    that job writes (glue_jobs/tables.py ``source``), so no table is crawled before its job
    wrote it and none is left out."""
    sources = _sources_by_job(tree, module, contract)
    problems = []
    for trigger in module.resources_of_type("aws_glue_trigger"):
        conditions = [
            c
            for p in nested_blocks(trigger.body, "predicate")
            for c in nested_blocks(p, "conditions")
        ]
        # One trigger per job, or one instance each of a for_each trigger.
        for scope in instance_scopes(tree, module, trigger):
            problems.extend(_check_crawl_trigger(trigger, conditions, scope, sources))
    return problems


def _check_crawl_trigger(
    trigger: Block, conditions: list[dict], scope: Scope, sources: dict[str, str]
) -> list[Problem]:
    """One conditional trigger (or one instance of a for_each trigger, ``scope``)."""
    problems = []
    key = scope.each.get("key")
    jobs = set()
    for condition in conditions:
        text = argument_text(scope.module, trigger, condition.get("job_name"), key)
        jobs.add(re.sub(r"\.name$", "", text))
    known = sorted(j for j in jobs if j in sources)
    for dynamic in dynamic_blocks(trigger.body, "actions"):
        if not any("crawler_name" in c for c in nested_blocks(dynamic, "content")):
            continue
        if len(known) != 1:
            problems.append(
                Problem(
                    "contract",
                    _where(trigger),
                    f"crawlers started after {sorted(jobs)}: not exactly one job of a known source",
                )
            )
            continue
        source = sources[known[0]]
        started = evaluate(dynamic.get("for_each"), scope)
        expected = sorted(
            [t.name for t in TABLE_DEFINITIONS if t.source == source]
            + [name for name, t in CURRENT_TABLES.items() if t.source == source]
        )
        if not isinstance(started, dict | list):
            problems.append(
                Problem(
                    "contract",
                    _where(trigger),
                    "the crawlers it starts cannot be evaluated",
                )
            )
        elif sorted(started) != expected:
            problems.append(
                Problem(
                    "contract",
                    _where(trigger),
                    f"starts the crawlers of {sorted(started)} after {known[0]}, which "
                    f"writes {expected} (source {source!r})",
                )
            )
    return problems


def check_chart_job(tree: Tree, contract: Contract, repo: Repo) -> list[Problem]:
    """The chart job: one aws_glue_job runs the uploaded glue_jobs/chart_job.py, reads the
    charts drop zone of the raw bucket, writes the curated root, and passes exactly the
    arguments the entry point reads (its REQUIRED_ARGS, plus optional ones it names)."""
    chart_tables = [t.name for t in TABLE_DEFINITIONS if t.source == "charts"]
    jobs = _jobs_running(tree, CHART_SCRIPT)
    if len(jobs) != 1:
        if not chart_tables and not jobs:
            return []
        return [
            Problem(
                "contract",
                str(tree.base),
                f"expected exactly one aws_glue_job running {CHART_SCRIPT} (it writes "
                f"{chart_tables}), found {len(jobs)}",
            )
        ]
    job = jobs[0]
    where = job.where
    problems = _script_problems(tree, job, CHART_SCRIPT)
    arguments = job.evaluate("default_arguments", {})
    arguments = arguments if isinstance(arguments, dict) else {}
    drop_zone = contract.raw_root.replace(f"/{contract.raw_prefix}/", "/charts/")
    for name, root in {"--drop_path": drop_zone, "--curated_path": contract.curated_root}.items():
        if name in arguments and not _same_location(str(arguments[name]), root):
            problems.append(
                Problem(
                    "contract",
                    where,
                    f"{name} is {arguments[name]!r}, the drop zone/root is {root}",
                )
            )

    script_path = repo.root / CHART_SCRIPT
    if not script_path.is_file():
        return [
            *problems,
            Problem(
                "code",
                str(script_path),
                "the chart job script does not exist (Terraform uploads it: plan would fail)",
            ),
        ]
    text = script_path.read_text(encoding="utf-8")
    required = _required_args(text)
    if required is None:
        return [
            *problems,
            Problem(
                "code",
                str(script_path),
                "no REQUIRED_ARGS (or getResolvedOptions call) with literal argument names",
            ),
        ]
    passed = {a.removeprefix("--") for a in arguments if a not in GLUE_SPECIAL_ARGUMENTS}
    for missing in sorted(required - {"JOB_NAME"} - passed):
        problems.append(
            Problem(
                "code",
                str(script_path),
                f"requires --{missing}, which Terraform does not pass",
            )
        )
    problems.extend(_unread_arguments(arguments, required, text, script_path))
    return problems


def tracks_root(contract: Contract) -> str:
    """``s3://<raw-bucket>/tracks/``: the raw bucket's folder the extract Lambda writes track
    documents to (``extract_lambda.enrich.EnrichSettings``'s default ``tracks_prefix``, which
    :func:`check_lambda` holds the function's TRACKS_PREFIX to), where the star-schema job's
    ``--tracks_path`` reads them."""
    from extract_lambda.enrich import EnrichSettings

    return contract.raw_root.replace(
        f"/{contract.raw_prefix}/", f"/{EnrichSettings().tracks_prefix}/"
    )


def _unread_arguments(
    arguments: dict, required: set[str], text: str, script_path: Path
) -> list[Problem]:
    """One problem per argument Terraform passes that the entry point neither requires nor
    reads as an optional one (:func:`optional_args`); Glue's own job parameters aside."""
    passed = {a.removeprefix("--") for a in arguments if a not in GLUE_SPECIAL_ARGUMENTS}
    optional = optional_args(text)
    return [
        Problem("code", str(script_path), f"never reads --{extra}, which Terraform passes")
        for extra in sorted(passed - required - optional)
    ]


# Calls that read one optional argument by its literal name: star_schema_job._optional(argv,
# "tracks_path"), argparse's add_argument("--bookmark_store", ...).
_OPTIONAL_READERS = frozenset({"_optional", "add_argument"})


def optional_args(text: str) -> set[str]:
    """The optional arguments an entry point reads, without their ``--``: the literal names
    it passes to ``_optional`` or ``add_argument``, and those of a module-level
    ``OPTIONAL_ARGS`` literal (the chart job's, read through star_schema_job.parse_options).
    A name only in a comment or a docstring does not count: the script would not read it."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
            getattr(node.func, "attr", getattr(node.func, "id", "")) in _OPTIONAL_READERS
        ):
            names |= _strings(node.args)
    for value in _assigned(tree, "OPTIONAL_ARGS"):
        if isinstance(value, ast.List | ast.Tuple | ast.Set):
            names |= _strings(value.elts)
    return {n.removeprefix("--") for n in names}


def _strings(nodes: list[ast.expr]) -> set[str]:
    """The string literals among `nodes`."""
    return {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _assigned(tree: ast.Module, name: str) -> Iterator[ast.expr | None]:
    """The values the module's top-level assignments (annotated or not) give `name`."""
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            yield node.value


def _required_args(text: str) -> set[str] | None:
    """The names the entry point resolves: its getResolvedOptions call's literal list, or
    else its module-level REQUIRED_ARGS constant."""
    resolved = _resolved_options(text)
    if resolved is not None:
        return resolved
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for value in _assigned(tree, "REQUIRED_ARGS"):
        if isinstance(value, ast.List | ast.Tuple):
            return _strings(value.elts)
    return None


def _resolved_options(text: str) -> set[str] | None:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    # The names may be a literal list or a module-level constant holding one.
    constants: dict[str, ast.expr] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            constants[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            constants[node.target.id] = node.value
    for node in ast.walk(tree):
        is_call = (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "getResolvedOptions"
        )
        if not is_call or len(node.args) < 2:
            continue
        names = node.args[1]
        if isinstance(names, ast.Name):
            names = constants.get(names.id, names)
        if isinstance(names, ast.List | ast.Tuple):
            return _strings(names.elts)
    return None


def check_tables(tree: Tree, contract: Contract, repo: Repo) -> list[Problem]:
    """Every root's curated_tables and prefixes are the contract's, and so is glue_jobs.TABLES."""
    problems = []
    for root in tree.roots:
        locals_ = root.locals
        scope = Scope(tree, root)
        if "curated_tables" in locals_:
            tables = evaluate(locals_["curated_tables"], scope)
            if tables != contract.tables:
                problems.append(
                    Problem(
                        "contract",
                        str(root.path),
                        f"local.curated_tables {tables} differs from the contract's {contract.tables}",
                    )
                )
        for name, prefix in (
            ("raw_prefix", contract.raw_prefix),
            ("curated_prefix", contract.curated_prefix),
        ):
            if name in locals_ and evaluate(locals_[name], scope) != prefix:
                problems.append(
                    Problem(
                        "contract", str(root.path), f"local.{name} is not the contract's {prefix!r}"
                    )
                )
    return problems


# ---------------------------------------------------------------------------------------
# Athena
# ---------------------------------------------------------------------------------------


def check_athena(tree: Tree, repo: Repo) -> list[Problem]:
    """The named queries come from athena_sql/, which has .sql files to register."""
    found = tree.all_resources("aws_athena_named_query")
    if not found:
        return [Problem("athena", str(tree.base), "no aws_athena_named_query")]
    module, query = found[0]
    pattern = re.fullmatch(r"\$\{fileset\((.+),\s*\"[^\"]*\"\)\}", str(query.body.get("for_each")))
    if pattern is None:
        return [Problem("athena", _where(query), "for_each is not fileset(<directory>, <pattern>)")]
    sql_dir = evaluate("${" + pattern.group(1) + "}", Scope(tree, module))
    if not isinstance(sql_dir, str):
        return [
            Problem(
                "athena",
                _where(query),
                f"the fileset directory {pattern.group(1)} does not evaluate to a path",
            )
        ]
    resolved = Path(sql_dir).resolve()
    if resolved != repo.athena_sql.resolve():
        return [
            Problem(
                "athena",
                str(module.path),
                f"named queries are read from {resolved}, not {repo.athena_sql}",
            )
        ]
    if not any(repo.athena_sql.rglob("*.sql")):
        return [
            Problem("athena", str(repo.athena_sql), "no .sql files to register as named queries")
        ]
    return []


# ---------------------------------------------------------------------------------------
# Snowflake
# ---------------------------------------------------------------------------------------


@dataclass
class TerraformSnowflake:
    database: str
    schemas: list[str]
    warehouse: dict[str, Any]
    integration: dict[str, Any]
    file_format: dict[str, Any]
    stage: dict[str, Any]
    tables: dict[str, list[tuple[str, str]]]  # fully qualified name -> columns
    pipes: dict[str, str]  # fully qualified name -> copy statement


def terraform_snowflake(tree: Tree) -> tuple[TerraformSnowflake | None, list[Problem]]:
    """The Snowflake objects the Terraform configuration creates, evaluated."""
    required = (
        "snowflake_database",
        "snowflake_schema",
        "snowflake_warehouse",
        "snowflake_storage_integration_aws",
        "snowflake_file_format_parquet",
        "snowflake_stage_external_s3",
        "snowflake_table",
        "snowflake_pipe",
    )
    blocks: dict[str, tuple[Module, Block]] = {}
    problems = []
    for resource_type in required:
        found = tree.all_resources(resource_type)
        if len(found) != 1:
            problems.append(
                Problem(
                    "snowflake",
                    str(tree.base),
                    f"expected one {resource_type} block, found {len(found)}",
                )
            )
        else:
            blocks[resource_type] = found[0]
    if problems:
        return None, problems

    def each_value(resource_type: str, each: str) -> Any:
        """each.value: the for_each map's value for ``each``, or the key of a set."""
        module, block = blocks[resource_type]
        expanded = evaluate(block.body.get("for_each"), Scope(tree, module))
        return expanded[each] if isinstance(expanded, dict) and each in expanded else each

    def value(resource_type: str, attribute: str, each: str | None = None) -> Any:
        module, block = blocks[resource_type]
        bound = {"key": each, "value": each_value(resource_type, each)} if each is not None else {}
        return evaluate(block.body.get(attribute), Scope(tree, module, bound))

    def instances(resource_type: str) -> list[str]:
        module, block = blocks[resource_type]
        return for_each_keys(block, Scope(tree, module)) or []

    database = value("snowflake_database", "name")
    schemas = [
        f"{database}.{value('snowflake_schema', 'name', k)}" for k in instances("snowflake_schema")
    ]

    def qualified(resource_type: str, each: str | None = None) -> str:
        return ".".join(str(value(resource_type, a, each)) for a in ("database", "schema", "name"))

    module, table_block = blocks["snowflake_table"]
    tables = {}
    for key in instances("snowflake_table"):
        column_blocks = dynamic_blocks(table_block.body, "column")
        bound = {"key": key, "value": each_value("snowflake_table", key)}
        columns = (
            evaluate(column_blocks[0].get("for_each"), Scope(tree, module, bound))
            if column_blocks
            else []
        )
        tables[qualified("snowflake_table", key)] = (
            [(str(c.get("name")), str(c.get("type"))) for c in columns]
            if isinstance(columns, list)
            else []
        )
    pipes = {
        qualified("snowflake_pipe", k): value("snowflake_pipe", "copy_statement", k)
        for k in instances("snowflake_pipe")
    }

    stage_module, stage_block = blocks["snowflake_stage_external_s3"]
    formats = nested_blocks(stage_block.body, "file_format")
    stage_format = (
        evaluate(formats[0].get("format_name"), Scope(tree, stage_module)) if formats else None
    )
    return (
        TerraformSnowflake(
            database=str(database),
            schemas=schemas,
            warehouse={
                a: value("snowflake_warehouse", a)
                for a in (
                    "name",
                    "warehouse_size",
                    "auto_suspend",
                    "auto_resume",
                    "initially_suspended",
                )
            },
            integration={
                a: value("snowflake_storage_integration_aws", a)
                for a in ("name", "enabled", "storage_provider", "storage_allowed_locations")
            },
            file_format={
                "name": qualified("snowflake_file_format_parquet"),
                "use_logical_type": value("snowflake_file_format_parquet", "use_logical_type"),
            },
            stage={
                "name": qualified("snowflake_stage_external_s3"),
                "url": value("snowflake_stage_external_s3", "url"),
                "storage_integration": value("snowflake_stage_external_s3", "storage_integration"),
                "file_format": stage_format,
            },
            tables=tables,
            pipes=pipes,
        ),
        [],
    )


def check_snowflake_contract(tree: Tree, contract: Contract) -> list[Problem]:
    """Terraform's Snowflake objects carry the contract's names and columns."""
    model, problems = terraform_snowflake(tree)
    if model is None:
        return problems
    names = contract.snowflake
    where = str(tree.base)
    database = names["database"]

    def expect(actual: Any, wanted: Any, what: str) -> None:
        if actual != wanted:
            problems.append(
                Problem(
                    "contract",
                    where,
                    f"Snowflake {what} is {actual!r}, the contract says {wanted!r}",
                )
            )

    expect(model.database, database, "database")
    expect(
        sorted(model.schemas),
        sorted(f"{database}.{s}" for s in names["schemas"].split(",")),
        "schemas",
    )
    expect(model.warehouse["name"], names["warehouse"], "warehouse")
    expect(model.integration["name"], names["storage integration"], "storage integration")
    expect(model.stage["name"], f"{database}.{names['stage']}", "stage")
    expect(model.file_format["name"], f"{database}.{names['file format']}", "file format")
    expect(
        model.stage["storage_integration"],
        names["storage integration"],
        "stage's storage integration",
    )
    expected_url = contract.curated_root
    if not _same_location(str(model.stage["url"]), expected_url):
        problems.append(
            Problem(
                "contract",
                where,
                f"stage URL {model.stage['url']} is not the curated root {expected_url}",
            )
        )
    expect(
        sorted(model.tables),
        sorted(
            f"{database}." + names["landing tables"].replace("<TABLE>", t.upper())
            for t in contract.tables
        ),
        "landing tables",
    )
    expect(
        sorted(model.pipes),
        sorted(
            f"{database}." + names["pipes"].replace("<TABLE>", t.upper()) for t in contract.tables
        ),
        "pipes",
    )
    for table in contract.tables:
        qualified = f"{database}." + names["landing tables"].replace("<TABLE>", table.upper())
        columns = [name.lower() for name, _type in model.tables.get(qualified, [])]
        expected = [name for name, _type in contract.columns.get(table, [])]
        if columns[: len(expected)] != expected:
            problems.append(
                Problem(
                    "contract",
                    where,
                    f"{qualified} starts with columns {columns[: len(expected)]}, the contract's {table} has {expected}",
                )
            )
    return problems


def check_snowflake_sql(tree: Tree, repo: Repo) -> tuple[list[Problem], str | None]:
    """One owner per Snowflake object: snowflake_sql/ creates nothing that Terraform creates
    (database, schemas, warehouse, integration, file format, stage, landing tables, pipes),
    and every CORE table the merges fill from a landing table has exactly the landing
    table's columns and types, as Terraform creates them. Returns (problems, reason the
    check was skipped)."""
    if not any(repo.snowflake_sql.glob("*.sql")):
        return (
            [],
            f"{repo.snowflake_sql} has no .sql files yet: Terraform's Snowflake objects were not compared with the SQL",
        )
    model, problems = terraform_snowflake(tree)
    if model is None:
        return problems, None
    objects = load_objects(repo.snowflake_sql)
    owned = {
        "database": {model.database},
        "schema": set(model.schemas),
        "warehouse": {str(model.warehouse["name"]).upper()},
        "storage integration": {str(model.integration["name"]).upper()},
        "file format": {model.file_format["name"]},
        "stage": {model.stage["name"]},
        "table": set(model.tables),
        "pipe": set(model.pipes),
    }
    for obj in objects:
        if obj.name.upper() in {n.upper() for n in owned.get(obj.kind, set())}:
            problems.append(
                Problem(
                    "snowflake-sql",
                    str(obj.path),
                    f"snowflake_sql/ creates {obj.kind} {obj.name}, which Terraform creates: "
                    "one owner per object",
                )
            )
    tables = {o.name: o for o in objects if o.kind == "table"}
    for name, columns in model.tables.items():
        core_name = re.sub(r"\.[^.]+\.", ".CORE.", name, count=1)
        core = tables.get(core_name)
        terraform_columns = [(n.upper(), t.upper()) for n, t in columns]
        if core is None:
            problems.append(
                Problem(
                    "snowflake-sql",
                    str(repo.snowflake_sql),
                    f"Terraform creates landing table {name}; snowflake_sql/ has no {core_name}",
                )
            )
        elif core.columns != terraform_columns:
            problems.append(
                Problem(
                    "snowflake-sql",
                    str(core.path),
                    f"{core_name}: columns {core.columns} differ from the landing table's "
                    f"{terraform_columns} (Terraform)",
                )
            )
    return problems, None
