"""terraform/ against the AWS and Snowflake providers' published schemas, and the checker
failing on each kind of mistake that `terraform validate` would reject.

The schemas come from the pinned provider bindings that `make tf-check` (run by `make test`
before pytest) downloads into .cache/provider-schemas."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.tf_check import REPO_ROOT, check_repository, provider_schema
from tools.tf_check.hcl import Problem
from tools.tf_check.provider_schema import Schema, check, load_schema, load_schemas

SCHEMAS_DIR = REPO_ROOT / ".cache" / "provider-schemas"


@pytest.fixture(scope="module")
def schemas() -> dict[str, Schema]:
    found = load_schemas(SCHEMAS_DIR) if SCHEMAS_DIR.is_dir() else {}
    if set(found) != {"aws", "snowflake"}:
        pytest.fail(
            f"the provider schemas are not in {SCHEMAS_DIR}: run `make tf-check` (or `make test`)"
        )
    return found


def _messages(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.check == "schema"]


@pytest.fixture
def schema_messages(write_config, schemas) -> Callable[[str], list[str]]:
    """The schema problems found in a configuration whose main.tf is the given HCL."""

    def messages(main_tf: str) -> list[str]:
        return _messages(check(write_config({"main.tf": main_tf}), schemas)[0])

    return messages


def test_the_bindings_are_the_pinned_provider_versions(schemas) -> None:
    assert schemas["aws"].label == "hashicorp/aws 6.25.0"
    assert schemas["snowflake"].label == "snowflakedb/snowflake 2.11.0"


def test_schema_has_what_the_provider_documents(schemas) -> None:
    """Facts from the providers' registry docs, read back from the extracted schema."""
    aws = schemas["aws"]
    job = aws.structs[aws.resources["aws_glue_job"]["config"]]
    assert job["role_arn"] == [True, None]  # required, a plain argument
    assert job["glue_version"][0] is False
    command = aws.structs[job["command"][1]]  # a nested block
    assert command["script_location"][0] is True
    assert "arn" in aws.resources["aws_s3_bucket"]["attributes"]
    assert "json" in aws.data_sources["aws_iam_policy_document"]["attributes"]
    assert "region" in aws.structs[aws.provider]
    snowflake = schemas["snowflake"]
    pipe = snowflake.structs[snowflake.resources["snowflake_pipe"]["config"]]
    assert {"database", "schema", "name", "copy_statement"} <= {
        name for name, (required, _) in pipe.items() if required
    }


def test_repository_matches_the_provider_schemas(schemas) -> None:
    report = check_repository(REPO_ROOT, SCHEMAS_DIR)
    assert _messages(report.problems) == []
    # The only resources left unchecked are the ones newer than the Snowflake binding,
    # and each of them is in use (otherwise the list is stale).
    unchecked = next(n for n in report.notes if "arguments unchecked" in n)
    assert unchecked.rsplit(": ", 1)[1].split(", ") == sorted(provider_schema.NEWER_THAN_SCHEMA)


def test_unknown_types_arguments_and_blocks_are_reported(schema_messages) -> None:
    messages = schema_messages(
        """
        provider "aws" {
          regionx = "eu-west-1"
          default_tags {
            tagz = {}
          }
        }
        resource "aws_s3_bucket" "this" {
          bucket       = "b"
          acceleration = true
        }
        resource "aws_s3_bucket_lifecycle_configuration" "this" {
          bucket = aws_s3_bucket.this.id
          rule {
            id     = "archive"
            status = "Enabled"
            filter {}
            transitionz {
              days = 30
            }
          }
        }
        resource "aws_nonexistent_thing" "this" {}
        data "aws_regionz" "this" {}
        """
    )
    assert messages == [
        "provider.aws: unsupported argument or block 'regionx' (hashicorp/aws 6.25.0)",
        "provider.aws.default_tags: unsupported argument or block 'tagz' (hashicorp/aws 6.25.0)",
        "aws_s3_bucket.this: unsupported argument or block 'acceleration' (hashicorp/aws 6.25.0)",
        "aws_s3_bucket_lifecycle_configuration.this.rule: unsupported argument or block "
        "'transitionz' (hashicorp/aws 6.25.0)",
        "aws_nonexistent_thing is not a resource type of hashicorp/aws 6.25.0",
        "aws_regionz is not a data source type of hashicorp/aws 6.25.0",
    ]


def test_missing_required_arguments_are_reported_at_every_depth(schema_messages) -> None:
    messages = schema_messages(
        """
        resource "aws_iam_role" "this" {
          name = "r"
        }
        data "aws_iam_policy_document" "this" {
          statement {
            actions   = ["s3:GetObject"]
            resources = ["*"]
            principals {
              type = "AWS"
            }
          }
        }
        """
    )
    assert messages == [
        "aws_iam_role.this: required argument 'assume_role_policy' is not set (hashicorp/aws 6.25.0)",
        "data.aws_iam_policy_document.this.statement.principals: required argument "
        "'identifiers' is not set (hashicorp/aws 6.25.0)",
    ]


def test_dynamic_blocks_are_checked_as_the_block_they_generate(schema_messages) -> None:
    messages = schema_messages(
        """
        resource "aws_s3_bucket_lifecycle_configuration" "this" {
          bucket = "b"
          dynamic "rule" {
            for_each = toset(["a"])
            content {
              id     = rule.value
              status = "Enabled"
              expirationz {
                days = 1
              }
            }
          }
          dynamic "rules" {
            for_each = []
            content {}
          }
        }
        """
    )
    assert messages == [
        "aws_s3_bucket_lifecycle_configuration.this.rule: unsupported argument or block "
        "'expirationz' (hashicorp/aws 6.25.0)",
        "aws_s3_bucket_lifecycle_configuration.this: 'rules' is not a nested block "
        "(hashicorp/aws 6.25.0)",
    ]


def test_references_to_missing_attributes_are_reported(schema_messages) -> None:
    messages = schema_messages(
        """
        resource "aws_sqs_queue" "this" {}
        data "aws_caller_identity" "this" {}
        output "ok" {
          value       = "${aws_sqs_queue.this.arn} ${data.aws_caller_identity.this.account_id}"
          description = "d"
        }
        output "bad" {
          value       = [aws_sqs_queue.this.queue_arn, data.aws_caller_identity.this.account]
          description = "d"
        }
        """
    )
    assert messages == [
        "aws_sqs_queue.this.queue_arn: aws_sqs_queue has no attribute 'queue_arn' "
        "(hashicorp/aws 6.25.0)",
        "data.aws_caller_identity.this.account: aws_caller_identity has no attribute "
        "'account' (hashicorp/aws 6.25.0)",
    ]


def test_meta_arguments_are_not_arguments(schema_messages) -> None:
    messages = schema_messages(
        """
        resource "aws_sqs_queue" "this" {
          count      = 1
          provider   = aws
          depends_on = []
          lifecycle {
            prevent_destroy = true
          }
        }
        data "aws_region" "this" {
          for_each = toset([])
        }
        """
    )
    assert messages == []


def test_a_type_the_binding_has_caught_up_with_must_leave_the_unchecked_list(
    schema_messages, monkeypatch
) -> None:
    monkeypatch.setitem(provider_schema.NEWER_THAN_SCHEMA, "snowflake_warehouse", "x")
    assert schema_messages('resource "snowflake_warehouse" "this" {\n  name = "W"\n}\n') == [
        "snowflake_warehouse is in the snowflakedb/snowflake 2.11.0 schema now: remove it "
        "from NEWER_THAN_SCHEMA in tools/tf_check/provider_schema.py"
    ]


def test_schema_cache_is_written_once_and_rebuilt_when_stale(tmp_path, schemas) -> None:
    wheel = tmp_path / "cdktf_cdktf_provider_snowflake-15.9.1-py3-none-any.whl"
    shutil.copy(next(SCHEMAS_DIR.glob("cdktf_cdktf_provider_snowflake-*.whl")), wheel)
    first = load_schema(wheel)
    cache = tmp_path / (wheel.name + ".schema.json")
    assert first == schemas["snowflake"]
    assert json.loads(cache.read_text())["format"] == provider_schema.CACHE_FORMAT
    # A cache of another format is not trusted: it is rebuilt from the wheel.
    cache.write_text(json.dumps({"format": -1, "schema": {}}))
    assert load_schema(wheel) == first
    assert json.loads(cache.read_text())["format"] == provider_schema.CACHE_FORMAT


def test_a_file_that_is_not_a_binding_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "cdktf_cdktf_provider_bogus-1.0.0-py3-none-any.whl"
    shutil.make_archive(str(bogus.with_suffix("")), "zip", tmp_path)
    bogus.with_suffix(".zip").rename(bogus)
    with pytest.raises(ValueError, match=r"expected one \*\.jsii\.tgz, found 0"):
        load_schema(bogus)
