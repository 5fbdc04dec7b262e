"""Static checks of terraform/ for machines without Terraform providers (`make tf-check`).

No provider plugin can be installed here, so `terraform validate` cannot run. Instead every
.tf file is parsed with python-hcl2 and checked for what validate and review would catch:

- structure (:mod:`.checks`): every var., local., module.<name>.<output>, data. and
  resource reference is declared (a ``moved`` block moves from an address no longer
  declared to a declared one, with one of its for_each keys); module arguments are the child's variables (a source
  chosen by a bool const variable is checked both ways, and its alternatives must have the
  same interface); variables
  are typed and described, outputs described; each module has main.tf, variables.tf and
  outputs.tf, a root also versions.tf; versions live in the root only: it pins with ~>
  (AWS 6.x, Snowflake 2.x) every provider any of its modules uses, and a called module sets
  no version, declaring only the source of a provider outside the hashicorp namespace; house style (``this``, count/for_each first, tags last); every
  checkov skip carries a reason; no secret can reach variables, outputs, tfvars or state;
- properties (:mod:`.properties`): bucket protection, the Lambda's safety nets and least
  privilege, the Glue job's settings and trigger chain, the S3 grants of the Lambda and of
  the Glue role in the raw bucket worked out from the code, encryption, schedules, alarms;
- consistency (:mod:`.consistency`): Terraform against docs/data-contract.md, the
  extract_lambda and glue_jobs code, athena_sql/ and snowflake_sql/;
- provider schemas (:mod:`.provider_schema`, with ``--provider-schemas DIR``): every
  resource, data source, argument, nested block and attribute reference against the AWS
  and Snowflake providers' published schemas, the part of validate that needs the plugins.

``python -m tools.tf_check`` runs all of them, then ``terraform fmt -check`` (when a
terraform binary is on PATH) and checkov (``--checkov <path>``), and exits non-zero on any
problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import checks, consistency, properties, provider_schema
from .contract import load_contract
from .hcl import Problem, Tree, load_tree, parse_text

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def structure_problems(
    tree: Tree, tfvars_examples: list[tuple[Path, Path]] | None = None
) -> list[Problem]:
    """Everything :mod:`.checks` finds in ``tree``."""
    problems: list[Problem] = []
    problems += checks.check_parse(tree)
    problems += checks.check_references(tree)
    problems += checks.check_moved(tree)
    problems += checks.check_unused(tree)
    problems += checks.check_variables(tree)
    problems += checks.check_outputs(tree)
    problems += checks.check_module_calls(tree)
    problems += checks.check_layout(tree)
    problems += checks.check_versions(tree)
    problems += checks.check_style(tree)
    problems += checks.check_skips(tree)
    problems += checks.check_no_secrets(tree, tfvars_examples or [])
    return problems


def example_files(repo_root: Path) -> list[tuple[Path, Path]]:
    """(example tfvars, root module it is for) pairs of terraform/environments/example."""
    examples = repo_root / "terraform" / "environments" / "example"
    return [(examples / "terraform.tfvars.example", repo_root / "terraform")]


def check_examples(repo_root: Path) -> list[Problem]:
    """The example environment exists and its backend example is an encrypted, locked S3 backend."""
    problems = []
    for example, _root in example_files(repo_root):
        if not example.is_file():
            problems.append(Problem("example", str(example), "missing"))
    backend = repo_root / "terraform" / "environments" / "example" / "backend.tf.example"
    if not backend.is_file():
        return [*problems, Problem("example", str(backend), "missing")]
    try:
        parsed = parse_text(backend.read_text(encoding="utf-8"))
    except Exception as exc:
        return [
            *problems,
            Problem("example", str(backend), f"not valid HCL: {exc}".splitlines()[0]),
        ]
    # A labelled nested block is a list of {label: body} dicts (no __is_block__ marker).
    s3 = [
        body
        for block in parsed.get("terraform", [])
        for backend_block in block.get("backend", [])
        for label, body in backend_block.items()
        if label == '"s3"'
    ]
    if not s3:
        problems.append(Problem("example", str(backend), 'no terraform { backend "s3" { ... } }'))
    elif s3[0].get("encrypt") is not True or s3[0].get("use_lockfile") is not True:
        problems.append(
            Problem(
                "example",
                str(backend),
                "the S3 backend should set encrypt = true and use_lockfile = true",
            )
        )
    return problems


def check_repository(repo_root: Path = REPO_ROOT, schemas_dir: Path | None = None) -> Report:
    """All HCL checks of ``repo_root``/terraform (no terraform binary, no checkov); with
    ``schemas_dir``, also against the provider schemas found there."""
    report = Report()
    tree = load_tree((repo_root / "terraform").resolve())
    repo = consistency.Repo(repo_root.resolve())
    report.problems += structure_problems(tree, example_files(repo_root))
    report.problems += check_examples(repo_root)
    report.problems += properties.run(tree)
    contract = load_contract(repo.contract)
    report.problems += consistency.check_lambda(tree, contract, repo)
    report.problems += consistency.check_glue(tree, contract, repo)
    report.problems += consistency.check_chart_job(tree, contract, repo)
    report.problems += consistency.check_tables(tree, contract, repo)
    report.problems += consistency.check_athena(tree, repo)
    report.problems += consistency.check_snowflake_contract(tree, contract)
    sql_problems, skipped = consistency.check_snowflake_sql(tree, repo)
    report.problems += sql_problems
    if skipped:
        report.notes.append(skipped)
    if schemas_dir is not None:
        schemas = provider_schema.load_schemas(schemas_dir)
        missing = sorted({"aws", "snowflake"} - set(schemas))
        if missing:
            report.problems.append(
                Problem(
                    "schema",
                    str(schemas_dir),
                    f"no provider schema for {', '.join(missing)} (make .cache/provider-schemas/.downloaded)",
                )
            )
        schema_problems, schema_notes = provider_schema.check(tree, schemas)
        report.problems += schema_problems
        report.notes += schema_notes
    return report


__all__ = [
    "REPO_ROOT",
    "Problem",
    "Report",
    "Tree",
    "check_repository",
    "load_tree",
    "structure_problems",
]
