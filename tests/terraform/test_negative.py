"""The checker fails when it should: small broken configurations in tmp_path, each with
one defect, and the problem the checker must report for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.tf_check import REPO_ROOT, check_examples, checks, consistency, properties
from tools.tf_check.consistency import Repo
from tools.tf_check.contract import load_contract
from tools.tf_check.hcl import (
    Problem,
    Scope,
    Tree,
    Unknown,
    evaluate,
    load_tree,
    module_source_dirs,
    resource_instances,
)


def _messages(problems: list[Problem], check: str | None = None) -> list[str]:
    return [p.message for p in problems if check is None or p.check == check]


def test_undeclared_variable_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": 'locals {\n  name = var.missing\n}\noutput "o" {\n  value = local.name\n  description = "d"\n}\n'
        }
    )
    assert "var.missing is not declared in terraform/" in _messages(
        checks.check_references(tree), "reference"
    )


def test_undeclared_local_resource_and_data_source_are_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            output "a" {
              value       = local.nothing
              description = "d"
            }
            output "b" {
              value       = aws_s3_bucket.ghost.arn
              description = "d"
            }
            output "c" {
              value       = data.aws_region.nowhere.region
              description = "d"
            }
            """
        }
    )
    messages = _messages(checks.check_references(tree), "reference")
    assert "local.nothing is not declared in terraform/" in messages
    assert "aws_s3_bucket.ghost is not declared" in messages
    assert "data.aws_region.nowhere is not declared" in messages


def test_references_inside_strings_and_nested_blocks_are_found(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            data "aws_iam_policy_document" "p" {
              statement {
                actions   = ["s3:GetObject"]
                resources = ["${var.bucket_arn}/prefix/*"]
              }
            }
            """
        }
    )
    assert "var.bucket_arn is not declared in terraform/" in _messages(
        checks.check_references(tree)
    )


def test_literal_text_that_looks_like_a_reference_is_not_one(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            locals {
              note = "var.not_a_reference and aws_s3_bucket.neither"
            }
            output "o" {
              value       = local.note
              description = "d"
            }
            """
        }
    )
    assert checks.check_references(tree) == []


def _edited_copy(tree: Tree, tmp_path: Path, relative: str, edits: list[tuple[str, str]]) -> Tree:
    """A copy of the real terraform/ with each (old, new) applied once to ``relative``."""
    copy = tmp_path / "terraform"
    shutil.copytree(tree.base, copy)
    path = copy / relative
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"{relative} no longer contains {old!r}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return load_tree(copy)


def test_moved_blocks_name_an_old_address_and_a_declared_instance(
    tree: Tree, tmp_path: Path
) -> None:
    assert checks.check_moved(tree) == []
    edited = _edited_copy(
        tree,
        tmp_path,
        "modules/monitoring/alarms.tf",
        [
            (
                "from = aws_cloudwatch_metric_alarm.lambda_errors",
                "from = aws_cloudwatch_metric_alarm.no_successful_run",
            ),
            ('above_zero["dead_letters"]', 'above_zero["dead_letter"]'),
            (
                'to   = aws_cloudwatch_metric_alarm.above_zero["extract_errors"]',
                "to   = aws_cloudwatch_metric_alarm.gone",
            ),
        ],
    )
    # The old address of a move is no reference to something undeclared; the new one is.
    assert _messages(checks.check_references(edited), "reference") == [
        "aws_cloudwatch_metric_alarm.gone is not declared"
    ]
    messages = _messages(checks.check_moved(edited), "moved")
    assert messages[0] == "aws_cloudwatch_metric_alarm.no_successful_run is still declared"
    assert messages[1].startswith("'dead_letter' is not a for_each key of ")
    assert messages[2:] == ["aws_cloudwatch_metric_alarm.gone is not declared"]


def test_untyped_and_undescribed_variables_are_reported(write_config) -> None:
    tree = write_config(
        {
            "variables.tf": """
            variable "untyped" {
              description = "has no type"
            }
            variable "undescribed" {
              type = string
            }
            """,
            "main.tf": """
            output "o" {
              value       = [var.untyped, var.undescribed]
              description = "d"
            }
            """,
        }
    )
    messages = _messages(checks.check_variables(tree), "variable")
    assert "variable 'untyped' has no type" in messages
    assert "variable 'undescribed' has no description" in messages


def test_undescribed_output_is_reported(write_config) -> None:
    tree = write_config({"outputs.tf": 'output "bare" {\n  value = 1\n}\n'})
    assert "output 'bare' has no description" in _messages(checks.check_outputs(tree))


def test_unknown_module_output_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            module "child" {
              source = "./modules/child"
            }
            output "o" {
              value       = module.child.not_an_output
              description = "d"
            }
            """,
            "modules/child/outputs.tf": """
            output "real" {
              value       = 1
              description = "the only output"
            }
            """,
        }
    )
    messages = _messages(checks.check_references(tree), "reference")
    assert "module.child has no output 'not_an_output' in child/ (outputs: real)" in messages


def test_module_arguments_must_be_the_childs_variables(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            module "child" {
              source  = "./modules/child"
              unknown = 1
            }
            """,
            "modules/child/variables.tf": """
            variable "required" {
              type        = string
              description = "no default"
            }
            """,
            "modules/child/main.tf": """
            output "o" {
              value       = var.required
              description = "d"
            }
            """,
        }
    )
    messages = _messages(checks.check_module_calls(tree), "module")
    assert "argument 'unknown' is not a variable of child/" in messages
    assert "required variable 'required' of child/ is not passed" in messages


def test_unused_variable_is_reported(write_config) -> None:
    tree = write_config(
        {"variables.tf": 'variable "orphan" {\n  type = string\n  description = "d"\n}\n'}
    )
    assert "variable 'orphan' is never used" in _messages(checks.check_unused(tree))


def test_missing_standard_file_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": 'module "child" {\n  source = "./modules/child"\n}\n',
            "modules/child/main.tf": "",
        },
        standard_files=False,
    )
    missing = {(Path(p.where).name, p.message) for p in checks.check_layout(tree)}
    assert missing == {
        ("child", "missing outputs.tf"),
        ("child", "missing variables.tf"),
        ("terraform", "missing outputs.tf"),
        ("terraform", "missing variables.tf"),
        # Only a root needs versions.tf.
        ("terraform", "missing versions.tf"),
    }


def test_unpinned_or_wrong_major_providers_are_reported(write_config) -> None:
    tree = write_config(
        {
            "versions.tf": """
            terraform {
              required_version = "~> 1.10"
              required_providers {
                aws = {
                  source  = "hashicorp/aws"
                  version = ">= 6.0"
                }
                snowflake = {
                  source  = "snowflakedb/snowflake"
                  version = "~> 1.0"
                }
              }
            }
            """,
            "main.tf": 'module "child" {\n  source = "./modules/child"\n}\n',
            "modules/child/main.tf": 'resource "random_id" "this" {\n  byte_length = 4\n}\n',
        }
    )
    messages = _messages(checks.check_versions(tree), "versions")
    assert sorted(messages) == sorted(
        [
            "root module pins aws with '>= 6.0'; use ~> (pessimistic pin)",
            "aws is pinned to '>= 6.0', not the 6.x major",
            "snowflake is pinned to '~> 1.0', not the 2.x major",
            "provider 'random' is used (by modules/child/) but not in the root's required_providers",
        ]
    )


def test_a_module_setting_versions_or_missing_a_source_is_reported(write_config) -> None:
    # The repository's own root pins (AWS and Snowflake), under a module that gets them wrong.
    root_versions = (REPO_ROOT / "terraform" / "versions.tf").read_text(encoding="utf-8")
    child = 'module "child" {\n  source = "./modules/child"\n}\n'
    uses_snowflake = 'resource "snowflake_database" "this" {\n  name = "D"\n}\n'
    tree = write_config(
        {
            "versions.tf": root_versions,
            "main.tf": child,
            "modules/child/main.tf": uses_snowflake,
            "modules/child/versions.tf": """
            terraform {
              required_version = ">= 1.6"
              required_providers {
                aws = {
                  source  = "hashicorp/aws"
                  version = ">= 6.0"
                }
              }
            }
            """,
        }
    )
    assert _messages(checks.check_versions(tree), "versions") == [
        "a called module sets no required_version (the root's versions.tf does)",
        "module sets a version for aws; versions are pinned in the root only",
        "snowflake has no declared source (so hashicorp/snowflake) here but from "
        "'snowflakedb/snowflake' in the root terraform/",
    ]
    (tree.base / "modules/child/versions.tf").write_text(
        'terraform {\n  required_providers {\n    snowflake = {\n      source = "someone/snowflake"\n    }\n  }\n}\n'
    )
    assert _messages(checks.check_versions(load_tree(tree.base)), "versions") == [
        "snowflake comes from 'someone/snowflake' here but from 'snowflakedb/snowflake' in the root terraform/"
    ]
    (tree.base / "modules/child/versions.tf").write_text(
        'terraform {\n  required_providers {\n    snowflake = {\n      source = "snowflakedb/snowflake"\n    }\n  }\n}\n'
    )
    assert _messages(checks.check_versions(load_tree(tree.base))) == []


def test_checkov_skip_without_reason_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            resource "aws_sqs_queue" "this" {
              #checkov:skip=CKV_AWS_27
              name = "q"
            }
            """
        }
    )
    assert "skip of CKV_AWS_27 needs a reason (#checkov:skip=CKV_AWS_27:<why>)" in _messages(
        checks.check_skips(tree)
    )


def test_style_rules_are_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            resource "aws_sqs_queue" "queue" {
              name     = "q"
              for_each = toset(["a"])
              tags     = {}
              delay_seconds = 0
            }
            """
        }
    )
    messages = _messages(checks.check_style(tree), "style")
    assert "the only aws_sqs_queue of the module should be named 'this'" in messages
    assert "for_each must be the first argument" in messages
    assert "tags must be the last argument (followed by delay_seconds)" in messages


def test_secret_values_are_rejected(write_config, tmp_path: Path) -> None:
    tree = write_config(
        {
            "main.tf": """
            resource "aws_secretsmanager_secret_version" "this" {
              secret_id     = "x"
              secret_string = var.client_secret
            }
            """,
            "variables.tf": 'variable "client_secret" {\n  type = string\n  description = "d"\n}\n',
        }
    )
    example = tmp_path / "terraform.tfvars.example"
    example.write_text('client_secret = "abc"\nnot_a_variable = 1\n', encoding="utf-8")
    problems = checks.check_no_secrets(tree, [(example, tmp_path / "terraform")])
    messages = _messages(problems)
    assert any("set out of band" in m for m in messages)
    assert any("secret_string/secret_binary" in m for m in messages)
    assert "variable 'client_secret' looks like it carries a secret" in messages
    assert "'client_secret' looks like a secret; secrets never go in tfvars" in messages
    assert "'not_a_variable' is not a variable of the root module it is for" in messages


def test_backend_example_must_lock_and_encrypt(tmp_path: Path) -> None:
    example = tmp_path / "terraform" / "environments" / "example"
    example.mkdir(parents=True)
    (example / "terraform.tfvars.example").write_text("", encoding="utf-8")
    (example / "backend.tf.example").write_text(
        'terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n', encoding="utf-8"
    )
    assert _messages(check_examples(tmp_path)) == [
        "the S3 backend should set encrypt = true and use_lockfile = true"
    ]


def test_unprotected_bucket_is_reported(write_config) -> None:
    tree = write_config({"main.tf": 'resource "aws_s3_bucket" "raw" {\n  bucket = "b"\n}\n'})
    messages = _messages(properties.check_buckets(tree), "s3")
    assert "no aws_s3_bucket_public_access_block" in messages
    assert "no default encryption" in messages
    assert "no bucket policy built from an aws_iam_policy_document" in messages
    assert "no lifecycle rule aborting incomplete multipart uploads" in messages
    assert "raw bucket is not versioned" in _messages(properties.check_raw_bucket(tree))


def test_bucket_policy_without_tls_deny_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            resource "aws_s3_bucket" "this" {
              bucket = "b"
            }
            data "aws_iam_policy_document" "this" {
              statement {
                actions   = ["s3:GetObject"]
                resources = ["${aws_s3_bucket.this.arn}/*"]
              }
            }
            resource "aws_s3_bucket_policy" "this" {
              bucket = aws_s3_bucket.this.id
              policy = data.aws_iam_policy_document.this.json
            }
            """
        }
    )
    messages = _messages(properties.check_buckets(tree), "s3")
    assert "no statement denying non-TLS requests to aws_s3_bucket.this and its objects" in messages


def test_bucket_settings_are_found_per_for_each_instance(tree: Tree, tmp_path: Path) -> None:
    # The settings every bucket shares are for_each resources over local.buckets; a bucket
    # left out of the map has none of them, and the others keep theirs.
    edited = _edited_copy(
        tree,
        tmp_path,
        "modules/storage/main.tf",
        [("    curated        = aws_s3_bucket.curated\n", "")],
    )
    problems = [p for p in properties.check_buckets(edited) if p.check == "s3"]
    assert {p.where.rsplit("(", 1)[1] for p in problems} == {"aws_s3_bucket.curated)"}
    assert sorted(p.message for p in problems) == [
        "ACLs not disabled (ownership controls BucketOwnerEnforced)",
        "no access logging (and no justified CKV_AWS_18 skip)",
        "no aws_s3_bucket_public_access_block",
        "no bucket policy built from an aws_iam_policy_document",
        "no default encryption",
    ]


def test_tls_deny_is_found_through_for_each_and_source_documents(
    tree: Tree, tmp_path: Path
) -> None:
    tls = "no statement denying non-TLS requests to aws_s3_bucket.{} and its objects"
    assert not {tls.format("raw"), tls.format("access_logs")} & set(
        _messages(properties.check_buckets(tree))
    )
    # The raw bucket's instance of the for_each document, and the log bucket's source
    # document, name another bucket.
    edited = _edited_copy(
        tree,
        tmp_path,
        "modules/storage/policies.tf",
        [
            (
                "for_each = local.buckets",
                "for_each = merge(local.buckets, { raw = aws_s3_bucket.curated })",
            ),
            ('tls_only["access_logs"]', 'tls_only["glue_assets"]'),
        ],
    )
    messages = _messages(properties.check_buckets(edited), "s3")
    assert tls.format("raw") in messages
    assert tls.format("access_logs") in messages
    assert tls.format("curated") not in messages


def test_weak_glue_job_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            resource "aws_glue_job" "this" {
              name              = "j"
              role_arn          = "arn"
              glue_version      = "4.0"
              worker_type       = "G.1X"
              number_of_workers = 2
              default_arguments = {
                "--job-bookmark-option" = "job-bookmark-disable"
              }
              execution_property {
                max_concurrent_runs = 2
              }
              command {
                script_location = "s3://b/k"
              }
            }
            resource "aws_glue_trigger" "this" {
              name = "t"
              type = "CONDITIONAL"
              actions {
                crawler_name = "c"
              }
              predicate {
                conditions {
                  job_name = aws_glue_job.this.name
                  state    = "SUCCEEDED"
                }
              }
            }
            """
        }
    )
    messages = _messages(properties.check_glue(tree), "glue")
    assert 'glue_version is not "5.0"' in messages
    assert "--job-bookmark-option is not job-bookmark-enable" in messages
    assert "execution_property max_concurrent_runs is not 1" in messages
    assert "no security_configuration" in messages
    assert "worker_type is not set from a variable" in messages
    assert "no workflow trigger starts the job" in messages
    assert any("trigger outside a workflow" in m for m in messages)


def test_encrypted_crawler_logs_need_a_declared_log_group_with_retention(write_config) -> None:
    crawler = """
        resource "aws_iam_role" "crawler" {
          name               = "r"
          assume_role_policy = "{}"
        }
        resource "aws_glue_security_configuration" "this" {
          name = "s"
        }
        resource "aws_glue_crawler" "this" {
          name                   = "c"
          database_name          = "d"
          role                   = aws_iam_role.crawler.arn
          security_configuration = aws_glue_security_configuration.this.name
        }
    """
    group = """
        resource "aws_cloudwatch_log_group" "crawlers" {
          name = "/aws-glue/crawlers-role/${aws_iam_role.crawler.name}-${aws_glue_security_configuration.this.name}"
          %s
        }
    """
    # Logs to /aws-glue/crawlers are not where an encrypted crawler writes.
    wrong_group = 'resource "aws_cloudwatch_log_group" "c" {\n name = "/aws-glue/crawlers"\n}'
    with_path = crawler.replace(
        'name               = "r"', 'name               = "r"\n path = "/service/"'
    )
    assert with_path != crawler
    cases = {
        crawler + wrong_group: "no aws_cloudwatch_log_group named",
        crawler + group % "": "crawler log group has no retention_in_days",
        crawler + group % "retention_in_days = 30": None,
        # Glue would log to /aws-glue/crawlers-role/service/r-s: not the declared group.
        with_path + group % "retention_in_days = 30": "crawler role has a path other than /",
    }
    for config, expected in cases.items():
        messages = _messages(properties.check_glue(write_config({"main.tf": config})), "glue")
        crawler_messages = [m for m in messages if "crawler" in m and "trigger" not in m]
        if expected is None:
            assert crawler_messages == [], crawler_messages
        else:
            assert any(expected in m for m in crawler_messages), crawler_messages


def test_lambda_without_safety_nets_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            resource "aws_lambda_function" "this" {
              function_name = "f"
              role          = "arn:aws:iam::1:role/r"
              handler       = "h.h"
              runtime       = "python3.11"
              filename      = "f.zip"
            }
            """
        }
    )
    messages = _messages(properties.check_lambda(tree), "lambda")
    assert "no reserved_concurrent_executions" in messages
    assert "tracing_config mode is not Active" in messages
    assert "no dead_letter_config and no on_failure destination" in messages
    assert (
        "source_code_hash must be filebase64sha256(<filename>) so a new zip redeploys" in messages
    )


def test_over_broad_lambda_role_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            resource "aws_iam_role" "this" {
              name               = "r"
              assume_role_policy = "{}"
            }
            data "aws_iam_policy_document" "this" {
              statement {
                actions   = ["s3:*"]
                resources = ["arn:aws:s3:::bucket/*"]
              }
            }
            resource "aws_iam_role_policy" "this" {
              role   = aws_iam_role.this.id
              policy = data.aws_iam_policy_document.this.json
            }
            resource "aws_lambda_function" "this" {
              function_name = "f"
              role          = aws_iam_role.this.arn
              filename      = "f.zip"
            }
            """
        }
    )
    messages = _messages(properties.check_lambda(tree), "iam")
    assert (
        "the extract role may only s3:PutObject, s3:GetObject, s3:ListBucket, not ['s3:*']"
        in messages
    )
    assert "S3 access arn:aws:s3:::bucket/* is not in the raw bucket" in messages
    assert "Allow of ['s3:*']" in _messages(properties.check_no_wildcard_permissions(tree))


def test_second_bucket_notification_is_reported(write_config) -> None:
    notification = 'resource "aws_s3_bucket_notification" "{name}" {{\n  bucket = var.curated_bucket_name\n}}\n'
    tree = write_config({"main.tf": notification.format(name="a") + notification.format(name="b")})
    assert _messages(properties.check_bucket_notifications(tree)) == [
        "expected exactly one aws_s3_bucket_notification of the curated bucket, found 2",
        "expected exactly one aws_s3_bucket_notification of the raw bucket, found 0",
        "the notification does not target the pipes' notification channel",
    ]


# ---------------------------------------------------------------------------------------
# Drift between Terraform and the contract, the code and the SQL
# ---------------------------------------------------------------------------------------


def _copy_repo_part(repo: Repo, tmp_path: Path, *parts: str) -> Repo:
    for part in parts:
        source = repo.root / part
        target = tmp_path / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return Repo(tmp_path)


def test_a_drifted_table_definition_is_reported(tree: Tree, contract, tmp_path: Path) -> None:
    # terraform/tables.json is generated from glue_jobs/tables.py; a hand edit that renames a
    # table there must show up as Terraform's curated tables differing from the definition.
    copy = tmp_path / "terraform"
    shutil.copytree(tree.base, copy)
    definition = copy / "tables.json"
    text = definition.read_text(encoding="utf-8")
    assert '"dim_album"' in text, "tables.json changed shape: update this test"
    definition.write_text(text.replace('"dim_album"', '"dim_albums"'), encoding="utf-8")
    messages = _messages(consistency.check_tables(load_tree(copy), contract, Repo(tmp_path)))
    assert any("local.curated_tables" in m and "dim_albums" in m for m in messages)
    assert not _messages(consistency.check_tables(tree, contract, Repo(tmp_path)))


def test_contract_environment_change_is_reported(tree: Tree, repo: Repo, tmp_path: Path) -> None:
    drifted = _copy_repo_part(repo, tmp_path, "docs/data-contract.md", "extract_lambda")
    original = drifted.contract.read_text(encoding="utf-8")
    text = original.replace("`SPOTIFY_AUTH_URL`, ", "`SPOTIFY_AUTH_URL`, `EXTRA_SETTING`, ", 1)
    assert text != original, "the contract's environment row changed: update this test"
    drifted.contract.write_text(text, encoding="utf-8")
    messages = _messages(consistency.check_lambda(tree, load_contract(drifted.contract), drifted))
    assert "environment lacks EXTRA_SETTING (data contract section 6)" in messages


def test_lambda_code_not_reading_a_variable_is_reported(
    tree: Tree, repo: Repo, contract, tmp_path: Path
) -> None:
    drifted = _copy_repo_part(repo, tmp_path, "extract_lambda")
    for path in (tmp_path / "extract_lambda").glob("*.py"):
        path.write_text(
            path.read_text(encoding="utf-8").replace('"MAX_CONCURRENCY"', '"MAX_WORKERS"'),
            encoding="utf-8",
        )
    messages = _messages(consistency.check_lambda(tree, contract, drifted), "code")
    assert "Terraform sets MAX_CONCURRENCY but no extract_lambda/*.py reads it" in messages


def _drifted_sql(repo: Repo, tmp_path: Path, replacements: dict[str, tuple[str, str]]) -> Repo:
    drifted = _copy_repo_part(repo, tmp_path, "snowflake_sql")
    for name, (old, new) in replacements.items():
        path = tmp_path / "snowflake_sql" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is no longer in snowflake_sql/{name}; update this test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return drifted


@pytest.fixture
def sql_present(repo: Repo) -> None:
    if not any(repo.snowflake_sql.glob("*.sql")):
        pytest.skip("snowflake_sql/ has no .sql files yet")


def test_empty_snowflake_sql_skips_with_a_reason(tree: Tree, tmp_path: Path) -> None:
    (tmp_path / "snowflake_sql").mkdir()
    problems, skipped = consistency.check_snowflake_sql(tree, Repo(tmp_path))
    assert problems == []
    assert skipped is not None and "has no .sql files yet" in skipped


def _glue_repo(repo: Repo, tmp_path: Path, script: str) -> Repo:
    drifted = _copy_repo_part(repo, tmp_path, "glue_jobs")
    (tmp_path / "glue_jobs" / "star_schema_job.py").write_text(script, encoding="utf-8")
    (tmp_path / "glue_jobs" / "_ctx.py").write_text(
        'CTX = "raw_playlist_snapshots"\n', encoding="utf-8"
    )
    return drifted


# What star_schema_job.py reads beyond REQUIRED_ARGS (its parse_options).
_OPTIONAL_READS = (
    'store = _optional(sys.argv, "bookmark_store")\n'
    'namespace = _optional(sys.argv, "metrics_namespace")\n'
    'tracks = _optional(sys.argv, "tracks_path")\n'
)


def test_glue_script_arguments_are_compared_with_terraform(
    tree: Tree, repo: Repo, contract, tmp_path: Path
) -> None:
    matching = _glue_repo(
        repo,
        tmp_path / "ok",
        'import sys\nNAMES = ["JOB_NAME", "raw_path", "curated_path"]\n'
        "args = getResolvedOptions(sys.argv, NAMES)\n" + _OPTIONAL_READS,
    )
    assert _messages(consistency.check_glue(tree, contract, matching), "code") == []

    drifted = _glue_repo(
        repo,
        tmp_path / "drift",
        'import sys\nargs = getResolvedOptions(sys.argv, ["JOB_NAME", "raw_root", "curated_path"])\n'
        + _OPTIONAL_READS,
    )
    messages = _messages(consistency.check_glue(tree, contract, drifted), "code")
    assert "does not resolve --raw_path, which Terraform passes" in messages
    assert "resolves --raw_root, which Terraform does not pass" in messages


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        pytest.param(
            _OPTIONAL_READS.replace('_optional(sys.argv, "tracks_path")', "None"),
            ["never reads --tracks_path, which Terraform passes"],
            id="tracks_path-not-read",
        ),
        pytest.param(
            # Named in a docstring and a comment only: not read.
            '"""--tracks_path <raw>/tracks"""\n# "tracks_path"\n'
            + _OPTIONAL_READS.replace('_optional(sys.argv, "tracks_path")', "None"),
            ["never reads --tracks_path, which Terraform passes"],
            id="tracks_path-only-mentioned",
        ),
        pytest.param(
            # argparse counts as reading it, as OPTIONAL_ARGS does.
            _OPTIONAL_READS.replace(
                '_optional(sys.argv, "tracks_path")', 'parser.add_argument("--tracks_path")'
            ),
            [],
            id="tracks_path-from-argparse",
        ),
        pytest.param(
            'OPTIONAL_ARGS = ("bookmark_store", "metrics_namespace", "tracks_path")\n',
            [],
            id="optional-args-constant",
        ),
        pytest.param(
            "",
            [
                "never reads --bookmark_store, which Terraform passes",
                "never reads --metrics_namespace, which Terraform passes",
                "never reads --tracks_path, which Terraform passes",
            ],
            id="no-optional-reads",
        ),
    ],
)
def test_an_argument_terraform_passes_must_be_read_by_the_script(
    tree: Tree, repo: Repo, contract, tmp_path: Path, reads: str, expected: list[str]
) -> None:
    script = _glue_repo(
        repo,
        tmp_path,
        'import sys\nREQUIRED_ARGS = ["JOB_NAME", "raw_path", "curated_path"]\n' + reads,
    )
    assert _messages(consistency.check_glue(tree, contract, script), "code") == expected


def test_the_real_playlist_job_reads_the_track_documents_terraform_passes(
    tree: Tree, contract, repo: Repo
) -> None:
    job = next(j for j in resource_instances(tree, "aws_glue_job") if j.key == "playlists")
    arguments = job.evaluate("default_arguments")
    assert arguments["--tracks_path"] == "s3://<aws_s3_bucket.raw.id>/tracks/"
    text = (repo.root / contract.glue_script).read_text(encoding="utf-8")
    assert {"tracks_path", "bookmark_store", "metrics_namespace"} <= consistency.optional_args(text)
    assert consistency.check_glue(tree, contract, repo) == []


_ALARM = """
resource "aws_cloudwatch_metric_alarm" "{name}" {{
  alarm_name          = "{name}"
  namespace           = "{namespace}"
  metric_name         = {metric}
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  alarm_actions       = ["arn:aws:sns:us-east-1:123456789012:t"]
}}
"""

_ERROR_FILTER = """
variable "lambda_log_group_name" {
  type        = string
  description = "d"
}
resource "aws_cloudwatch_log_metric_filter" "errors" {
  name           = "errors"
  log_group_name = var.lambda_log_group_name
  pattern        = "{ $.level = \\"ERROR\\" }"
  metric_transformation {
    name      = "ExtractErrorLines"
    namespace = "SpotifyLakehouse/x"
    value     = "1"
  }
}
"""

_NO_ERROR_ALARM = (
    "no alarm with actions on the extract Lambda's ERROR log lines (a metric filter "
    '{ $.level = "ERROR" } on its log group): failed playlists would go unnoticed'
)


def test_failed_playlists_need_an_alarm_on_the_extractors_error_lines(write_config) -> None:
    base = _ALARM.format(name="lambda", namespace="AWS/Lambda", metric='"Errors"') + _ALARM.format(
        name="dlq", namespace="AWS/SQS", metric='"ApproximateNumberOfMessagesVisible"'
    )
    without = write_config({"a/main.tf": base})
    assert _NO_ERROR_ALARM in _messages(properties.check_monitoring(without), "monitoring")
    # A filter alone is not enough: an alarm with actions must read its metric.
    filter_only = write_config({"b/main.tf": base + _ERROR_FILTER})
    assert _NO_ERROR_ALARM in _messages(properties.check_monitoring(filter_only), "monitoring")
    alarmed = write_config(
        {
            "c/main.tf": base
            + _ERROR_FILTER
            + _ALARM.format(
                name="errors",
                namespace="SpotifyLakehouse/x",
                metric="aws_cloudwatch_log_metric_filter.errors.metric_transformation[0].name",
            )
        }
    )
    assert _NO_ERROR_ALARM not in _messages(properties.check_monitoring(alarmed), "monitoring")


SWITCHED = """
variable "on" {
  type        = bool
  description = "the switch"
  default     = false
  const       = true
}

locals {
  dir = var.on ? "child" : "stand_in"
}

module "child" {
  source = "./modules/${local.dir}"
  size   = 1
}

output "o" {
  value       = module.child.out
  description = "d"
}
"""

CHILD = {
    "modules/child/variables.tf": """
    variable "size" {
      type        = number
      description = "d"
    }
    """,
    "modules/child/main.tf": 'resource "random_id" "this" {\n  byte_length = var.size\n}\n',
    "modules/child/outputs.tf": """
    output "out" {
      value       = random_id.this.hex
      description = "d"
    }
    """,
}


def test_a_switched_source_resolves_to_both_alternatives(write_config) -> None:
    tree = write_config(
        {
            "main.tf": SWITCHED,
            **CHILD,
            "modules/stand_in/variables.tf": """
            variable "size" {
              type        = number
              description = "d"
            }
            """,
            "modules/stand_in/outputs.tf": 'output "out" {\n  value = null\n  description = "d"\n}\n',
        }
    )
    root = tree.modules[tree.base]
    dirs = module_source_dirs(tree, root, root.module_calls["child"])
    assert [d.name for d in dirs] == ["child", "stand_in"]
    assert checks.check_module_calls(tree) == []
    assert checks.check_references(tree) == []
    # The stand-in takes its alternative's variables without using them; the real module's
    # unused variables would still be reported.
    assert _messages(checks.check_unused(tree)) == []
    assert {m.path.name for m in tree.roots} == {"terraform"}


def test_switched_alternatives_must_have_the_same_interface(write_config) -> None:
    tree = write_config(
        {
            "main.tf": SWITCHED,
            **CHILD,
            "modules/stand_in/variables.tf": """
            variable "size" {
              type        = string
              description = "d"
            }
            """,
            "modules/stand_in/outputs.tf": """
            output "other" {
              value       = null
              description = "d"
            }
            output "out" {
              value       = null
              description = "d"
              sensitive   = true
            }
            """,
        }
    )
    messages = _messages(checks.check_module_calls(tree), "module")
    assert any(
        m.startswith("variable 'size': child/ has 'number', stand_in/ has 'string'")
        for m in messages
    )
    plain = "type=None sensitive=False"
    assert any(
        m.startswith(f"output 'other': child/ has 'none', stand_in/ has '{plain}'")
        for m in messages
    )
    # Sensitive on one side only: a root output reading it would break on one side only.
    assert any(
        m.startswith(
            f"output 'out': child/ has '{plain}', stand_in/ has 'type=None sensitive=True'"
        )
        for m in messages
    )


def test_a_source_from_a_non_const_variable_is_reported(write_config) -> None:
    tree = write_config(
        {
            "main.tf": SWITCHED.replace("  const       = true\n", ""),
            **CHILD,
            # Both alternatives exist: the source must still be refused, as Terraform does.
            "modules/stand_in/main.tf": "",
        }
    )
    root = tree.modules[tree.base]
    assert module_source_dirs(tree, root, root.module_calls["child"]) == []
    messages = _messages(checks.check_module_calls(tree), "module")
    assert messages == [
        "source '\"./modules/${local.dir}\"' is not a local module with .tf files"
        " (a computed source may use only bool variables with const = true)"
    ]


def test_const_variables_need_terraform_1_15(write_config) -> None:
    tree = write_config({"main.tf": SWITCHED, **CHILD, "modules/stand_in/main.tf": ""})
    assert (
        'const variables and computed module sources need Terraform 1.15: set required_version to "~> 1.15" or later'
        in (_messages(checks.check_versions(tree), "versions"))
    )
    (tree.base / "versions.tf").write_text(
        (tree.base / "versions.tf").read_text().replace('"~> 1.10"', '"~> 1.15"')
    )
    fixed = load_tree(tree.base)
    assert not [m for m in _messages(checks.check_versions(fixed)) if "1.15" in m]
    # A constraint list or an exact version sets the floor too; a 1.14 floor does not.
    versions = (tree.base / "versions.tf").read_text()
    for constraint, accepted in (
        (">= 1.15, < 2.0", True),
        ("1.15.2", True),
        ("~> 1.16.0", True),
        (">= 1.14, < 2.0", False),
    ):
        (tree.base / "versions.tf").write_text(versions.replace('"~> 1.15"', f'"{constraint}"'))
        found = [m for m in _messages(checks.check_versions(load_tree(tree.base))) if "1.15" in m]
        assert (found == []) == accepted, constraint


def test_a_source_computed_from_locals_alone_needs_terraform_1_15(write_config) -> None:
    tree = write_config(
        {
            "main.tf": 'locals {\n  dir = "child"\n}\nmodule "child" {\n  source = "./modules/${local.dir}"\n  size = 1\n}\n',
            **CHILD,
        }
    )
    root = tree.modules[tree.base]
    assert [d.name for d in module_source_dirs(tree, root, root.module_calls["child"])] == ["child"]
    assert any("need Terraform 1.15" in m for m in _messages(checks.check_versions(tree)))


def test_conditionals_are_evaluated_when_their_condition_is_known(write_config) -> None:
    tree = write_config(
        {
            "variables.tf": 'variable "flag" {\n  type = bool\n  description = "d"\n  default = true\n}\n',
            "main.tf": """
            locals {
              plain    = var.flag ? "yes" : "no"
              nested   = var.flag ? (false ? "a" : "b") : "c"
              chained  = false ? "a" : true ? "b" : "c"
              unknown  = var.missing ? "a" : "b"
              template = "x-${var.flag ? "on" : "off"}"
            }
            """,
        }
    )
    root = tree.modules[tree.base]
    values = {name: evaluate(value, Scope(tree, root)) for name, value in root.locals.items()}
    assert values["plain"] == "yes"
    assert values["nested"] == "b"
    assert values["chained"] == "b"
    assert isinstance(values["unknown"], Unknown)
    assert values["template"] == "x-on"


SCHEDULER_ROLE = """
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}
resource "aws_iam_role" "scheduler" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
data "aws_iam_policy_document" "key" {
  statement {
    sid       = "Decrypt"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    %s
  }
}
data "aws_iam_policy_document" "scheduler" {
  override_policy_documents = [data.aws_iam_policy_document.key.json]
  statement {
    sid       = "%s"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    %s
  }
}
resource "aws_iam_role_policy" "scheduler" {
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
"""
CONTEXT = """condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:scheduler:schedule:arn"
      values   = ["arn"]
    }"""


@pytest.mark.parametrize(
    ("override", "sid", "own", "unconditioned"),
    [
        # An override statement is appended unless its Sid is already in the policy.
        ("", "Own", CONTEXT, ["Decrypt"]),
        (CONTEXT, "Own", "", ["Own"]),
        # The same Sid: the override's statement replaces the policy's own.
        (CONTEXT, "Decrypt", "", []),
        ("", "Decrypt", CONTEXT, ["Decrypt"]),
    ],
)
def test_scheduler_key_grants_follow_override_policy_documents(
    write_config, override, sid, own, unconditioned
) -> None:
    tree = write_config({"main.tf": SCHEDULER_ROLE % (override, sid, own)})
    assert _messages(properties.check_scheduler_key_grants(tree), "kms") == [
        f"statement {s} of the Scheduler role uses the key without an encryption-context condition"
        for s in unconditioned
    ]
