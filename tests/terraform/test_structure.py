"""terraform/ as `terraform validate` and review would see it: every reference declared,
typed and described variables, described outputs, the module layout and the pins."""

from __future__ import annotations

import pytest

from tools.tf_check import checks, example_files
from tools.tf_check.hcl import (
    Scope,
    Tree,
    attributes,
    const_variables,
    evaluate,
    literal_string,
    module_source_dirs,
    nested_blocks,
)

MODULES = {"storage", "extract", "glue", "athena", "snowflake", "snowflake_disabled", "monitoring"}


def _report(problems) -> str:
    return "\n".join(str(p) for p in problems)


def test_every_file_parses(tree: Tree) -> None:
    assert tree.problems == [], _report(tree.problems)
    assert len(list(tree.base.rglob("*.tf"))) >= 40


@pytest.mark.parametrize(
    "check",
    [
        pytest.param(checks.check_references, id="every-reference-is-declared"),
        pytest.param(checks.check_unused, id="every-variable-and-local-is-used"),
        pytest.param(checks.check_module_calls, id="module-calls-match-the-modules-variables"),
        pytest.param(checks.check_style, id="house-style"),
    ],
)
def test_the_configuration_passes(tree: Tree, check) -> None:
    problems = check(tree)
    assert problems == [], _report(problems)


def test_variables_are_typed_and_described_and_outputs_described(tree: Tree) -> None:
    problems = checks.check_variables(tree) + checks.check_outputs(tree)
    assert problems == [], _report(problems)
    assert sum(1 for _ in tree.all_blocks("variable")) > 80
    assert sum(1 for _ in tree.all_blocks("output")) > 30


def test_layout_is_root_plus_one_module_per_concern(tree: Tree) -> None:
    problems = checks.check_layout(tree)
    assert problems == [], _report(problems)
    modules = {p.name for p in (tree.base / "modules").iterdir() if p.is_dir()}
    assert modules == MODULES
    roots = {m.path.relative_to(tree.base).as_posix() for m in tree.roots}
    assert roots == {"."}
    for name in MODULES:
        for required in checks.REQUIRED_FILES:
            assert (tree.base / "modules" / name / required).is_file(), f"modules/{name}/{required}"
    assert (tree.base / "versions.tf").is_file()


def test_the_root_pins_aws_6_and_snowflake_2_and_modules_set_no_version(tree: Tree) -> None:
    problems = checks.check_versions(tree)
    assert problems == [], _report(problems)
    # One place for versions: no called module sets required_version or a provider version;
    # the only declaration left in a module is the Snowflake provider's source.
    declared = {}
    for module, block in tree.all_blocks("terraform"):
        if module.path == tree.base:
            continue
        assert "required_version" not in block.body, module.path
        for required in nested_blocks(block.body, "required_providers"):
            for name, spec in attributes(required).items():
                assert "version" not in spec, (module.path, name)
                declared[(module.path.name, name)] = literal_string(spec["source"])
    assert declared == {("snowflake", "snowflake"): "snowflakedb/snowflake"}
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
    assert pins[("terraform", "snowflake")][0] == "snowflakedb/snowflake"
    assert pins[("terraform", "snowflake")][1].startswith("~> 2.")


def test_one_const_variable_switches_snowflake_on(tree: Tree) -> None:
    """Issue 5: one variable switches Snowflake on, and off it needs no Snowflake login.

    Terraform configures every provider that a resource in the configuration names, even at
    count = 0, and the Snowflake provider logs in while being configured; it prunes a
    provider no resource uses. So the switch chooses module.snowflake's source (a const
    variable, read at init): off, the configuration holds no Snowflake resource at all."""
    root = next(m for m in tree.roots if m.path == tree.base)
    switch = attributes(root.variables["snowflake_enabled"].body)
    assert (switch["type"], switch["const"], switch["default"]) == ("bool", True, False)
    assert const_variables(root) == {"snowflake_enabled": root.variables["snowflake_enabled"]}

    call = root.module_calls["snowflake"]
    modules = tree.base / "modules"
    assert module_source_dirs(tree, root, call) == [
        modules / "snowflake",
        modules / "snowflake_disabled",
    ]
    for enabled, directory in ((True, "snowflake"), (False, "snowflake_disabled")):
        scope = Scope(tree, root, consts={root.path: {"snowflake_enabled": enabled}})
        assert evaluate(call.body["source"], scope) == f"./modules/{directory}"

    # Every Snowflake resource and data source is in modules/snowflake, so with the switch
    # off no block of the configuration names the Snowflake provider.
    snowflake_blocks = {
        module.path.name
        for kind in ("resource", "data")
        for module, block in tree.all_blocks(kind)
        if block.labels[0].startswith("snowflake_")
    }
    assert snowflake_blocks == {"snowflake"}
    stand_in = tree.modules[modules / "snowflake_disabled"]
    assert [
        b.kind for b in stand_in.blocks if b.kind not in ("variable", "output", "terraform")
    ] == []
    # The provider block is the root's, so switching off can still destroy what was created.
    assert [b.labels for b in root.of_kind("provider")] == [("aws",), ("snowflake",)]
    # The interface check (same variables and outputs on both sides) holds.
    assert checks.check_module_calls(tree) == []


# Files two modules need word for word are written once, in the first module, and linked
# (under the same name) from the second: the stand-in's variables (its interface is the
# real module's), the trust policies (each module sets local.trusted_services), the
# Scheduler roles' key grants (each module sets local.scheduler_dead_letter_queue_arn) and
# the schedules (each module sets local.schedules), and the account, region and partition of
# storage and glue.
LINKED = {
    "variables.tf": ("snowflake", "snowflake_disabled"),
    "assume_role.tf": ("extract", "glue"),
    "scheduler_key.tf": ("extract", "glue"),
    "schedule.tf": ("extract", "glue"),
    "account.tf": ("storage", "glue"),
}


def test_shared_files_are_written_once(tree: Tree) -> None:
    modules = tree.base / "modules"
    for name, (written_in, linked_from) in LINKED.items():
        link, target = modules / linked_from / name, modules / written_in / name
        assert link.is_symlink(), link
        assert link.resolve() == target, link
        assert not target.is_symlink(), target
    # And no other file is a link.
    links = {p.relative_to(modules).as_posix() for p in tree.base.rglob("*.tf") if p.is_symlink()}
    assert links == {f"{linked_from}/{name}" for name, (_, linked_from) in LINKED.items()}


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
