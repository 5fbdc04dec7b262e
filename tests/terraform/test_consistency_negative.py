"""The consistency checks report drift: for each comparison of tools/tf_check/consistency.py,
one drifted input (a copy of docs/data-contract.md edited in tmp_path, or a small
configuration from write_config) and the exact problem the checker must report for it.
Without these, test_consistency.py's "no problems" would also pass for a checker that
compares nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from glue_jobs.tables import CURRENT_TABLES, TABLE_NAMES
from tools.tf_check import consistency
from tools.tf_check.consistency import Repo
from tools.tf_check.contract import Contract, load_contract
from tools.tf_check.hcl import Problem, Tree


def _messages(problems: list[Problem], check: str | None = None) -> list[str]:
    return [p.message for p in problems if check is None or p.check == check]


CRAWLED = [*TABLE_NAMES, *CURRENT_TABLES]


def _drifted_contract(repo: Repo, tmp_path: Path, old: str, new: str) -> Contract:
    """docs/data-contract.md with ``old`` replaced by ``new`` once, read as a Contract. The
    code the checks read stays the repository's (pass ``repo``, not tmp_path)."""
    text = repo.contract.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in docs/data-contract.md; update this test"
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "data-contract.md"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_contract(path)


# ---------------------------------------------------------------------------------------
# The contract changes, terraform/ does not
# ---------------------------------------------------------------------------------------

CURATED_ROOT = ("`s3://<curated-bucket>/curated/`", "`s3://<curated-bucket>/serving/`")


def test_contract_curated_root_change_is_reported_by_glue_and_snowflake(
    tree: Tree, repo: Repo, tmp_path: Path
) -> None:
    contract = _drifted_contract(repo, tmp_path, *CURATED_ROOT)
    glue = _messages(consistency.check_glue(tree, contract, repo))
    assert (
        "--curated_path is 's3://<aws_s3_bucket.curated.id>/curated/', "
        "the contract's root is s3://<curated-bucket>/serving/" in glue
    )
    for table in contract.tables:
        assert (
            f"crawler of {table} reads s3://<aws_s3_bucket.curated.id>/curated/{table}/, "
            f"not s3://<curated-bucket>/serving/{table}/" in glue
        )
    assert _messages(consistency.check_snowflake_contract(tree, contract)) == [
        "stage URL s3://<aws_s3_bucket.curated.id>/curated/ "
        "is not the curated root s3://<curated-bucket>/serving/"
    ]


def test_contract_raw_root_change_is_reported(tree: Tree, repo: Repo, tmp_path: Path) -> None:
    contract = _drifted_contract(
        repo,
        tmp_path,
        "`s3://<raw-bucket>/playlist_snapshots/`",
        "`s3://<raw-bucket>/snapshots/`",
    )
    assert _messages(consistency.check_glue(tree, contract, repo)) == [
        "--raw_path is 's3://<aws_s3_bucket.raw.id>/playlist_snapshots/', "
        "the contract's root is s3://<raw-bucket>/snapshots/"
    ]


def test_contract_job_argument_changes_are_reported(tree: Tree, repo: Repo, tmp_path: Path) -> None:
    value = _drifted_contract(
        repo,
        tmp_path / "value",
        "`--job-bookmark-option job-bookmark-enable`",
        "`--job-bookmark-option job-bookmark-pause`",
    )
    assert _messages(consistency.check_glue(tree, value, repo)) == [
        "--job-bookmark-option is 'job-bookmark-enable', the contract says 'job-bookmark-pause'"
    ]
    added = _drifted_contract(
        repo,
        tmp_path / "added",
        "`--curated_path` (curated root),",
        "`--curated_path` (curated root), `--run_label`,",
    )
    assert _messages(consistency.check_glue(tree, added, repo), "contract") == [
        "default_arguments lack --run_label"
    ]


def test_contract_handler_and_runtime_change_is_reported(
    tree: Tree, repo: Repo, tmp_path: Path
) -> None:
    contract = _drifted_contract(
        repo,
        tmp_path,
        "`extract_lambda.handler.lambda_handler` (runtime `python3.11`)",
        "`extract_lambda.handler.handle` (runtime `python3.12`)",
    )
    problems = consistency.check_lambda(tree, contract, repo)
    assert _messages(problems, "contract") == [
        "handler 'extract_lambda.handler.lambda_handler' is not the contract's "
        "'extract_lambda.handler.handle'",
        "runtime 'python3.11' is not the contract's 'python3.12'",
    ]
    assert _messages(problems, "code") == ["defines no top-level handle()"]


def _repo_with_packager(repo: Repo, tmp_path: Path, old: str, new: str) -> Repo:
    """A repository whose tools/package_lambda.py has ``old`` replaced by ``new`` once; the
    Lambda package and the docs (the enrichment's settings) the checks also read are the
    real ones (symlinks)."""
    text = repo.lambda_packager.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in tools/package_lambda.py; update this test"
    (tmp_path / "tools").mkdir(parents=True)
    (tmp_path / "tools" / "package_lambda.py").write_text(
        text.replace(old, new, 1), encoding="utf-8"
    )
    (tmp_path / "extract_lambda").symlink_to(repo.root / "extract_lambda")
    (tmp_path / "docs").symlink_to(repo.root / "docs")
    return Repo(tmp_path)


def test_a_zip_built_for_another_python_than_the_runtime_is_reported(
    tree: Tree, repo: Repo, contract: Contract, tmp_path: Path
) -> None:
    assert _messages(consistency.check_lambda(tree, contract, repo)) == []
    other = _repo_with_packager(repo, tmp_path / "other", '"3.11",', '"3.13",')
    assert _messages(consistency.check_lambda(tree, contract, other)) == [
        "builds the zip for Python 3.13, the function's runtime is 'python3.11'"
    ]
    unnamed = _repo_with_packager(repo, tmp_path / "unnamed", '"--python-version",', "")
    assert _messages(consistency.check_lambda(tree, contract, unnamed)) == [
        "PLATFORM_ARGS names no --python-version for pip"
    ]
    annotated = _repo_with_packager(
        repo, tmp_path / "annotated", "PLATFORM_ARGS = (", "PLATFORM_ARGS: tuple[str, ...] = ("
    )
    assert _messages(consistency.check_lambda(tree, contract, annotated)) == []
    joined = _repo_with_packager(
        repo, tmp_path / "joined", '"--python-version",\n    "3.11",', '"--python-version=3.12",'
    )
    assert _messages(consistency.check_lambda(tree, contract, joined)) == [
        "builds the zip for Python 3.12, the function's runtime is 'python3.11'"
    ]


def test_contract_lambda_package_change_is_reported(tree: Tree, repo: Repo, tmp_path: Path) -> None:
    contract = _drifted_contract(repo, tmp_path, "`dist/extract_lambda.zip`", "`dist/extract.zip`")
    messages = _messages(consistency.check_lambda(tree, contract, repo))
    assert len(messages) == 1, messages
    assert messages[0].startswith("filename '")
    assert messages[0].endswith(
        "/dist/extract_lambda.zip' is not the contract's dist/extract.zip"
    ), messages


def test_contract_environment_value_change_is_reported(
    tree: Tree, repo: Repo, tmp_path: Path
) -> None:
    contract = _drifted_contract(
        repo, tmp_path, "`RAW_PREFIX` (`playlist_snapshots`)", "`RAW_PREFIX` (`snapshots`)"
    )
    assert contract.environment_values["RAW_PREFIX"] == "snapshots"
    assert _messages(consistency.check_lambda(tree, contract, repo)) == [
        "RAW_PREFIX is 'playlist_snapshots', the contract says 'snapshots'"
    ]


# Every curated table, as glue_jobs/tables.py defines them (sorted, upper case).
_TABLES = sorted(t.upper() for t in TABLE_NAMES)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "`SPOTIFY_LAKEHOUSE`",
            "`SPOTIFY_LAKE`",
            "Snowflake database is 'SPOTIFY_LAKEHOUSE', the contract says 'SPOTIFY_LAKE'",
            id="database",
        ),
        pytest.param(
            "`ANALYTICS` (views)",
            "`REPORTING` (views)",
            "Snowflake schemas is ['SPOTIFY_LAKEHOUSE.ANALYTICS', 'SPOTIFY_LAKEHOUSE.CORE', "
            "'SPOTIFY_LAKEHOUSE.LANDING'], the contract says ['SPOTIFY_LAKEHOUSE.CORE', "
            "'SPOTIFY_LAKEHOUSE.LANDING', 'SPOTIFY_LAKEHOUSE.REPORTING']",
            id="schemas",
        ),
        pytest.param(
            "`SPOTIFY_WH`",
            "`SPOTIFY_XS_WH`",
            "Snowflake warehouse is 'SPOTIFY_WH', the contract says 'SPOTIFY_XS_WH'",
            id="warehouse",
        ),
        pytest.param(
            "| storage integration | `SPOTIFY_CURATED_S3` |",
            "| storage integration | `SPOTIFY_LAKE_S3` |",
            "Snowflake storage integration is 'SPOTIFY_CURATED_S3', the contract says 'SPOTIFY_LAKE_S3'",
            id="storage-integration",
        ),
        pytest.param(
            "| storage integration | `SPOTIFY_CURATED_S3` |",
            "| storage integration | `SPOTIFY_LAKE_S3` |",
            "Snowflake stage's storage integration is 'SPOTIFY_CURATED_S3', "
            "the contract says 'SPOTIFY_LAKE_S3'",
            id="stage-storage-integration",
        ),
        pytest.param(
            "`LANDING.CURATED_STAGE`",
            "`LANDING.LAKE_STAGE`",
            "Snowflake stage is 'SPOTIFY_LAKEHOUSE.LANDING.CURATED_STAGE', "
            "the contract says 'SPOTIFY_LAKEHOUSE.LANDING.LAKE_STAGE'",
            id="stage",
        ),
        pytest.param(
            "`LANDING.PARQUET_FORMAT`",
            "`LANDING.PQ_FORMAT`",
            "Snowflake file format is 'SPOTIFY_LAKEHOUSE.LANDING.PARQUET_FORMAT', "
            "the contract says 'SPOTIFY_LAKEHOUSE.LANDING.PQ_FORMAT'",
            id="file-format",
        ),
        pytest.param(
            "`LANDING.<TABLE>` for each",
            "`RAW.<TABLE>` for each",
            f"Snowflake landing tables is {[f'SPOTIFY_LAKEHOUSE.LANDING.{t}' for t in _TABLES]}, "
            f"the contract says {[f'SPOTIFY_LAKEHOUSE.RAW.{t}' for t in _TABLES]}",
            id="landing-tables",
        ),
        pytest.param(
            "`LANDING.<TABLE>_PIPE`",
            "`LANDING.<TABLE>_INGEST`",
            f"Snowflake pipes is {[f'SPOTIFY_LAKEHOUSE.LANDING.{t}_PIPE' for t in _TABLES]}, "
            f"the contract says {[f'SPOTIFY_LAKEHOUSE.LANDING.{t}_INGEST' for t in _TABLES]}",
            id="pipes",
        ),
    ],
)
def test_contract_snowflake_name_change_is_reported(
    tree: Tree, repo: Repo, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    contract = _drifted_contract(repo, tmp_path, old, new)
    assert expected in _messages(consistency.check_snowflake_contract(tree, contract))


# ---------------------------------------------------------------------------------------
# Terraform changes, the contract does not
# ---------------------------------------------------------------------------------------

_ATHENA = {
    "main.tf": """
        module "athena" {
          source  = "./modules/athena"
          sql_dir = "${path.root}/%s"
        }
    """,
    "modules/athena/variables.tf": """
        variable "sql_dir" {
          type        = string
          description = "d"
        }
    """,
    "modules/athena/main.tf": """
        resource "aws_athena_named_query" "this" {
          for_each = fileset(var.sql_dir, "**/*.sql")

          name     = trimsuffix(each.value, ".sql")
          database = "d"
          query    = file("${var.sql_dir}/${each.value}")
        }
    """,
}


def test_athena_queries_from_another_directory_are_reported(write_config, tmp_path: Path) -> None:
    for directory in ("athena_sql", "elsewhere"):
        (tmp_path / directory).mkdir()
        (tmp_path / directory / "q.sql").write_text("select 1\n", encoding="utf-8")
    repo = Repo(tmp_path)
    files = dict(_ATHENA)

    files["main.tf"] = _ATHENA["main.tf"] % "../athena_sql"
    assert consistency.check_athena(write_config(files), repo) == []

    files["main.tf"] = _ATHENA["main.tf"] % "../elsewhere"
    assert _messages(consistency.check_athena(write_config(files), repo)) == [
        f"named queries are read from {(tmp_path / 'elsewhere').resolve()}, not {repo.athena_sql}"
    ]


_GLUE = """
variable "raw_bucket" {
  type        = string
  description = "d"
}
variable "curated_bucket" {
  type        = string
  description = "d"
}
locals {
  curated_path = "s3://${var.curated_bucket}/curated/"
  tables       = [TABLES]
}
resource "aws_s3_object" "script" {
  bucket = "assets"
  key    = "glue/scripts/star_schema_job.py"
  source = "${path.module}/../glue_jobs/star_schema_job.py"
}
resource "aws_s3_object" "library" {
  bucket = "assets"
  key    = "glue/libs/glue_jobs.zip"
  source = "${path.module}/../dist/glue_jobs.zip"
}
resource "aws_glue_job" "this" {
  name     = "j"
  role_arn = "arn"
  command {
    script_location = "s3://assets/${aws_s3_object.script.key}"
  }
  default_arguments = {
    "--raw_path"            = "s3://${var.raw_bucket}/playlist_snapshots/"
    "--curated_path"        = local.curated_path
    "--job-bookmark-option" = "job-bookmark-enable"
    "--extra-py-files"      = "s3://assets/${aws_s3_object.library.key}"
  }
}
resource "aws_glue_crawler" "this" {
  for_each = toset(local.tables)

  name          = each.key
  database_name = "d"
  role          = "arn"
  s3_target {
    path = "${local.curated_path}${each.key}/"
  }
}
"""


def _glue_config(contract: Contract, old: str = "", new: str = "") -> str:
    text = _GLUE.replace("TABLES", ", ".join(f'"{t}"' for t in contract.crawled))
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_glue_configuration_matching_the_contract_has_no_problems(
    write_config, contract: Contract, repo: Repo
) -> None:
    # The baseline of the drift tests below: each of them changes one line of it.
    tree = write_config({"main.tf": _glue_config(contract)})
    assert consistency.check_glue(tree, contract, repo) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            '"s3://assets/${aws_s3_object.script.key}"',
            '"s3://assets/glue/scripts/old_job.py"',
            "script_location 's3://assets/glue/scripts/old_job.py' is not the uploaded "
            "glue_jobs/star_schema_job.py",
            id="script_location",
        ),
        pytest.param(
            '"s3://assets/${aws_s3_object.library.key}"',
            '"s3://assets/glue/libs/old.zip"',
            "--extra-py-files is not the uploaded library zip",
            id="extra-py-files",
        ),
        pytest.param(
            '"${path.module}/../glue_jobs/star_schema_job.py"',
            '"${path.module}/../glue_jobs/old_job.py"',
            "no aws_s3_object uploads glue_jobs/star_schema_job.py",
            id="script-upload",
        ),
        pytest.param(
            '"${path.module}/../dist/glue_jobs.zip"',
            '"${path.module}/../dist/glue_lib.zip"',
            "no aws_s3_object uploads dist/glue_jobs.zip",
            id="library-upload",
        ),
        pytest.param(
            '"job-bookmark-enable"',
            '"job-bookmark-disable"',
            "--job-bookmark-option is 'job-bookmark-disable', "
            "the contract says 'job-bookmark-enable'",
            id="argument-value",
        ),
        pytest.param(
            '"--job-bookmark-option" = "job-bookmark-enable"',
            "",
            "default_arguments lack --job-bookmark-option",
            id="argument-missing",
        ),
        pytest.param(
            '"s3://${var.raw_bucket}/playlist_snapshots/"',
            '"s3://${var.raw_bucket}/snapshots/"',
            "--raw_path is 's3://<var.raw_bucket>/snapshots/', "
            "the contract's root is s3://<raw-bucket>/playlist_snapshots/",
            id="raw_path",
        ),
        pytest.param(
            '"--curated_path"        = local.curated_path',
            '"--curated_path"        = "s3://${var.curated_bucket}/serving/"',
            "--curated_path is 's3://<var.curated_bucket>/serving/', "
            "the contract's root is s3://<curated-bucket>/curated/",
            id="curated_path",
        ),
        pytest.param(
            '"s3://${var.raw_bucket}/playlist_snapshots/"',
            '"s3://${var.curated_bucket}/playlist_snapshots/"',
            "--raw_path is 's3://<var.curated_bucket>/playlist_snapshots/', "
            "the contract's root is s3://<raw-bucket>/playlist_snapshots/",
            id="raw_path-in-the-curated-bucket",
        ),
        pytest.param(
            '"${local.curated_path}${each.key}/"',
            '"s3://${var.raw_bucket}/curated/${each.key}/"',
            "crawler of {table} reads s3://<var.raw_bucket>/curated/{table}/, "
            "not s3://<curated-bucket>/curated/{table}/",
            id="crawler-target-in-the-raw-bucket",
        ),
        pytest.param(
            '"${local.curated_path}${each.key}/"',
            '"${local.curated_path}tables/${each.key}/"',
            "crawler of {table} reads s3://<var.curated_bucket>/curated/tables/{table}/, "
            "not s3://<curated-bucket>/curated/{table}/",
            id="crawler-target",
        ),
        pytest.param(
            '  s3_target {\n    path = "${local.curated_path}${each.key}/"\n  }\n',
            "",
            "crawler has no s3_target: it reads nothing",
            id="crawler-without-target",
        ),
        pytest.param(
            '"dim_album", ',
            "",
            f"crawlers cover {sorted(set(CRAWLED) - {'dim_album'})}, the contract's tables and "
            f"the current tables are {sorted(CRAWLED)}",
            id="crawler-tables",
        ),
    ],
)
def test_glue_configuration_drift_is_reported(
    write_config, contract: Contract, repo: Repo, old: str, new: str, expected: str
) -> None:
    tree = write_config({"main.tf": _glue_config(contract, old, new)})
    # Exactly one message per drift; a crawler target drifts once per table.
    wanted = (
        [expected.format(table=t) for t in contract.crawled]
        if "{table}" in expected
        else [expected]
    )
    assert _messages(consistency.check_glue(tree, contract, repo)) == wanted
