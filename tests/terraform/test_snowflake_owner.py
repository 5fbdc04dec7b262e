"""One owner per Snowflake object: what Terraform creates (database, schemas, warehouse,
integration, file format, stage, landing tables, pipes) is not also scripted in
snowflake_sql/, and the CORE tables the generated merges fill have the landing tables'
columns exactly, as Terraform creates them from terraform/tables.json."""

from __future__ import annotations

import shutil
from pathlib import Path

from tools.tf_check import consistency
from tools.tf_check.consistency import Repo
from tools.tf_check.hcl import Tree


def _sql_copy(repo: Repo, tmp_path: Path) -> Repo:
    shutil.copytree(repo.snowflake_sql, tmp_path / "snowflake_sql")
    return Repo(tmp_path)


def _messages(problems) -> list[str]:
    return [p.message for p in problems]


def test_a_script_creating_a_terraform_object_is_reported(tree: Tree, repo: Repo, tmp_path):
    copy = _sql_copy(repo, tmp_path)
    (tmp_path / "snowflake_sql" / "01_setup.sql").write_text(
        "create warehouse if not exists spotify_wh warehouse_size = xsmall;\n"
        "use database spotify_lakehouse;\n"
        "create pipe if not exists landing.dim_track_pipe as copy into landing.dim_track "
        "from @landing.curated_stage/dim_track/;\n",
        encoding="utf-8",
    )
    problems, skipped = consistency.check_snowflake_sql(tree, copy)
    assert skipped is None
    messages = _messages(problems)
    assert any("creates warehouse SPOTIFY_WH, which Terraform creates" in m for m in messages)
    assert any(
        "creates pipe SPOTIFY_LAKEHOUSE.LANDING.DIM_TRACK_PIPE, which Terraform creates" in m
        for m in messages
    )


def test_a_core_table_that_drifts_from_its_landing_table_is_reported(
    tree: Tree, repo: Repo, tmp_path
):
    copy = _sql_copy(repo, tmp_path)
    path = tmp_path / "snowflake_sql" / "05_core_tables.sql"
    text = path.read_text(encoding="utf-8")
    assert " artist_name varchar," in text  # in dim_artist's wrapped column list
    path.write_text(text.replace(" artist_name varchar,", " artist_name varchar(200),", 1))
    problems, _ = consistency.check_snowflake_sql(tree, copy)
    assert any(
        "SPOTIFY_LAKEHOUSE.CORE.DIM_ARTIST: columns" in m and "(Terraform)" in m
        for m in _messages(problems)
    )


def test_a_missing_core_table_is_reported(tree: Tree, repo: Repo, tmp_path):
    copy = _sql_copy(repo, tmp_path)
    path = tmp_path / "snowflake_sql" / "05_core_tables.sql"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "create table if not exists core.dim_album (",
            "create table if not exists core.dim_albums (",
            1,
        )
    )
    problems, _ = consistency.check_snowflake_sql(tree, copy)
    assert any(
        "landing table SPOTIFY_LAKEHOUSE.LANDING.DIM_ALBUM; snowflake_sql/ has no" in m
        for m in _messages(problems)
    )
