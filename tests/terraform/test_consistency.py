"""Terraform against the contract, the Lambda and Glue code, athena_sql/ and snowflake_sql/."""

from __future__ import annotations

from tools.tf_check import consistency
from tools.tf_check.consistency import Repo
from tools.tf_check.contract import Contract
from tools.tf_check.hcl import Tree


def _report(problems) -> str:
    return "\n".join(str(p) for p in problems)


def test_contract_is_read(contract: Contract) -> None:
    assert contract.handler == "extract_lambda.handler.lambda_handler"
    assert contract.runtime == "python3.11"
    assert contract.raw_prefix == "playlist_snapshots"
    assert contract.curated_prefix == "curated"
    assert contract.tables[:7] == [
        "fact_playlist_item",
        "dim_track",
        "dim_album",
        "dim_artist",
        "dim_playlist",
        "bridge_track_artist",
        "bridge_album_artist",
    ]
    assert contract.tables[7:] == ["fact_chart_entry", "dim_chart"]
    assert contract.job_arguments["--job-bookmark-option"] == "job-bookmark-enable"
    assert contract.columns["dim_artist"][0] == ("artist_id", "string")
    assert contract.snowflake["storage integration"] == "SPOTIFY_CURATED_S3"


def test_lambda_matches_contract_and_code(tree: Tree, contract: Contract, repo: Repo) -> None:
    problems = consistency.check_lambda(tree, contract, repo)
    assert problems == [], _report(problems)


def test_glue_matches_contract_and_code(tree: Tree, contract: Contract, repo: Repo) -> None:
    problems = consistency.check_glue(tree, contract, repo)
    assert problems == [], _report(problems)


def test_tables_and_prefixes_match_contract_and_glue_jobs(
    tree: Tree, contract: Contract, repo: Repo
) -> None:
    # Terraform reads the tables from the generated tables.json: evaluated here through
    # jsondecode(file(...)), they are glue_jobs/tables.py's.
    problems = consistency.check_tables(tree, contract, repo)
    assert problems == [], _report(problems)


def test_athena_named_queries_come_from_athena_sql(tree: Tree, repo: Repo) -> None:
    problems = consistency.check_athena(tree, repo)
    assert problems == [], _report(problems)


def test_snowflake_objects_carry_the_contracts_names(tree: Tree, contract: Contract) -> None:
    problems = consistency.check_snowflake_contract(tree, contract)
    assert problems == [], _report(problems)


def test_snowflake_objects_have_one_owner_and_core_matches_landing(tree: Tree, repo: Repo) -> None:
    problems, skipped = consistency.check_snowflake_sql(tree, repo)
    # snowflake_sql/ is part of the repository: an emptied or moved directory must fail
    # here, not skip (the skip itself is tested in test_negative.py).
    assert skipped is None, skipped
    assert problems == [], _report(problems)
