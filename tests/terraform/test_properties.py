"""The properties the issue asks of the deployment, asserted on the real configuration."""

from __future__ import annotations

import re

import pytest

from tools.tf_check import consistency, properties
from tools.tf_check.hcl import (
    Scope,
    Tree,
    evaluate,
    expression_text,
    literal_string,
    nested_blocks,
    resource_instances,
)


def _report(problems) -> str:
    return "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("check", properties.ALL, ids=lambda c: c.__name__)
def test_property_holds(tree: Tree, check) -> None:
    problems = check(tree)
    assert problems == [], _report(problems)


def test_five_buckets_all_protected(tree: Tree) -> None:
    buckets = {b.labels[1]: m for m, b in tree.all_resources("aws_s3_bucket")}
    assert set(buckets) == {"raw", "curated", "athena_results", "glue_assets", "access_logs"}
    for companion in (
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_lifecycle_configuration",
    ):
        for name, module in buckets.items():
            # One instance each: its own resource, or its key of a for_each resource.
            found = properties._bucket_companions(tree, module, companion, f"aws_s3_bucket.{name}")
            assert len(found) == 1, (companion, name)


def test_glue_job_settings(tree: Tree) -> None:
    jobs = {job.key: job for job in resource_instances(tree, "aws_glue_job")}
    assert sorted(jobs) == ["charts", "playlists"]  # the chart job, the star-schema job
    for job in jobs.values():
        body = job.block.body
        assert literal_string(body["glue_version"]) == "5.0"
        assert nested_blocks(body, "execution_property")[0]["max_concurrent_runs"] == 1
        arguments = job.evaluate("default_arguments")
        assert arguments["--job-bookmark-option"] == "job-bookmark-enable"
        assert arguments["--extra-py-files"].endswith("/glue/libs/glue_jobs.zip")
        for setting in ("worker_type", "number_of_workers", "execution_class", "timeout"):
            assert expression_text(body[setting]).startswith("var."), setting
        assert (
            expression_text(body["security_configuration"])
            == "aws_glue_security_configuration.this.name"
        )


def test_the_chart_job_gets_exactly_its_arguments(tree: Tree) -> None:
    job = next(j for j in resource_instances(tree, "aws_glue_job") if j.key == "charts")
    arguments = job.evaluate("default_arguments")
    # --JOB_NAME is Glue's own; the rest of these are Glue's special parameters.
    script_arguments = {
        name: value
        for name, value in arguments.items()
        if name not in consistency.GLUE_SPECIAL_ARGUMENTS or name == "--job-bookmark-option"
    }
    assert script_arguments == {
        "--drop_path": "s3://<aws_s3_bucket.raw.id>/charts/",
        "--curated_path": "s3://<aws_s3_bucket.curated.id>/curated/",
        "--metrics_namespace": "SpotifyLakehouse/spotify-lakehouse-dev",
        "--job-bookmark-option": "job-bookmark-enable",
    }


def test_flex_is_the_default_execution_class(tree: Tree) -> None:
    root = next(m for m in tree.roots if m.path == tree.base)
    assert literal_string(root.variables["glue_execution_class"].body["default"]) == "FLEX"


def test_lambda_settings(tree: Tree) -> None:
    ((module, function),) = tree.all_resources("aws_lambda_function")
    body = function.body
    # One execution reserved by default; null (-1 to the provider) reserves none.
    assert (
        expression_text(body["reserved_concurrent_executions"])
        == "var.reserved_concurrency == null ? -1 : var.reserved_concurrency"
    )
    assert tree.modules[tree.base].variables["extract_reserved_concurrency"].body["default"] == 1
    assert literal_string(nested_blocks(body, "tracing_config")[0]["mode"]) == "Active"
    assert (
        expression_text(nested_blocks(body, "dead_letter_config")[0]["target_arn"])
        == "aws_sqs_queue.this.arn"
    )
    assert expression_text(body["source_code_hash"]) == "filebase64sha256(var.package_path)"
    package = evaluate(body["filename"], Scope(tree, module))
    assert package.endswith("/dist/extract_lambda.zip")


def test_schedules_default_to_weekly_extract_then_glue(tree: Tree) -> None:
    root = next(m for m in tree.roots if m.path == tree.base)
    extract = literal_string(root.variables["extract_schedule_expression"].body["default"])
    glue = literal_string(root.variables["glue_schedule_expression"].body["default"])
    assert extract == "cron(0 6 ? * MON *)"
    assert glue == "cron(0 9 ? * MON *)"


def _longest_match(pattern: str) -> int:
    """The longest string a ``^x[...]{m,n}$`` style validation regex admits."""
    body = pattern.strip("^$")
    length = 0
    for _token, repeat in re.findall(r"(\[[^\]]*\]|\\.|[^\[{])(\{\d+,\d+\})?", body):
        length += int(repeat.strip("{}").split(",")[1]) if repeat else 1
    return length


def test_the_longest_bucket_names_fit_s3s_63_characters(tree: Tree) -> None:
    """Bucket names are <project>-<environment>-<purpose>-<account id>-<region>: with the
    longest project and environment the root's validations admit, a 12-digit account id
    and the longest region names (14 characters, ap-southeast-1), every name fits."""
    root = tree.modules[tree.base]
    limits = {}
    for name in ("project", "environment"):
        (validation,) = nested_blocks(root.variables[name].body, "validation")
        pattern = re.search(r'regex\("([^"]+)"', validation["condition"]).group(1)
        limits[name] = _longest_match(pattern)
    assert limits == {"project": 17, "environment": 8}
    prefix = limits["project"] + 1 + limits["environment"]
    storage = tree.modules[tree.base / "modules" / "storage"]
    (validation,) = nested_blocks(storage.variables["name_prefix"].body, "validation")
    assert f"length(var.name_prefix) <= {prefix}" in validation["condition"]
    suffix = "1" * 12 + "-" + "ap-southeast-1"
    for block in storage.resources_of_type("aws_s3_bucket"):
        name = (
            block.body["bucket"]
            .strip('"')
            .replace("${var.name_prefix}", "p" * prefix)
            .replace("${local.bucket_suffix}", suffix)
        )
        assert "${" not in name and len(name) <= 63, (block.labels[1], name, len(name))
