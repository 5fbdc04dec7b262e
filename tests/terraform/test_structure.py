"""terraform/ as `terraform validate` and review would see it: every reference declared,
typed and described variables, described outputs, the module layout and the pins."""

from __future__ import annotations

from tools.tf_check import checks, example_files
from tools.tf_check.hcl import Tree, attributes, literal_string, nested_blocks

MODULES = {"storage", "extract", "glue", "athena", "snowflake", "monitoring"}


def _report(problems) -> str:
    return "\n".join(str(p) for p in problems)


def test_every_file_parses(tree: Tree) -> None:
    assert tree.problems == [], _report(tree.problems)
    assert len(list(tree.base.rglob("*.tf"))) >= 40


def test_every_reference_is_declared(tree: Tree) -> None:
    problems = checks.check_references(tree)
    assert problems == [], _report(problems)


def test_every_variable_and_local_is_used(tree: Tree) -> None:
    problems = checks.check_unused(tree)
    assert problems == [], _report(problems)


def test_variables_are_typed_and_described_and_outputs_described(tree: Tree) -> None:
    problems = checks.check_variables(tree) + checks.check_outputs(tree)
    assert problems == [], _report(problems)
    assert sum(1 for _ in tree.all_blocks("variable")) > 80
    assert sum(1 for _ in tree.all_blocks("output")) > 30


def test_module_calls_match_the_modules_variables(tree: Tree) -> None:
    problems = checks.check_module_calls(tree)
    assert problems == [], _report(problems)


def test_layout_is_root_plus_one_module_per_concern(tree: Tree) -> None:
    problems = checks.check_layout(tree)
    assert problems == [], _report(problems)
    modules = {p.name for p in (tree.base / "modules").iterdir() if p.is_dir()}
    assert modules == MODULES
    roots = {m.path.relative_to(tree.base).as_posix() for m in tree.roots}
    assert roots == {".", "snowflake"}
    for name in MODULES:
        for required in checks.REQUIRED_FILES:
            assert (tree.base / "modules" / name / required).is_file(), f"modules/{name}/{required}"


def test_roots_pin_aws_6_and_snowflake_2_and_modules_set_floors(tree: Tree) -> None:
    problems = checks.check_versions(tree)
    assert problems == [], _report(problems)
    pins = {}
    for module in tree.roots:
        for block in module.of_kind("terraform"):
            for required in nested_blocks(block.body, "required_providers"):
                for name, spec in attributes(required).items():
                    pins[(module.path.name, name)] = (
                        literal_string(spec["source"]),
                        literal_string(spec["version"]),
                    )
    assert pins[("terraform", "aws")] == ("hashicorp/aws", "~> 6.0")
    assert pins[("snowflake", "aws")] == ("hashicorp/aws", "~> 6.0")
    assert pins[("snowflake", "snowflake")][0] == "snowflakedb/snowflake"
    assert pins[("snowflake", "snowflake")][1].startswith("~> 2.")


def test_house_style(tree: Tree) -> None:
    problems = checks.check_style(tree)
    assert problems == [], _report(problems)


def test_every_checkov_skip_says_why(tree: Tree) -> None:
    problems = checks.check_skips(tree)
    assert problems == [], _report(problems)
    skips = [s for m in tree.modules.values() for s in checks.skip_comments(m)]
    assert skips, "the configuration is expected to carry a few justified skips"


def test_no_secret_can_reach_terraform(tree: Tree) -> None:
    from tools.tf_check import REPO_ROOT

    problems = checks.check_no_secrets(tree, example_files(REPO_ROOT))
    assert problems == [], _report(problems)
    secrets = [b for _m, b in tree.all_resources("aws_secretsmanager_secret")]
    assert len(secrets) == 1
    assert not tree.all_resources("aws_secretsmanager_secret_version")
