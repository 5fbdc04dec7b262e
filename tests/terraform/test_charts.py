"""The charts in Terraform: the drop zone, the chart job against its entry point, its
triggers, the crawlers per job, the Snowflake pipes per partition, and the evaluator features
these checks rely on (``for ... if``, ``==``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from glue_jobs.tables import CHART_TABLES, PLAYLIST_TABLES, TABLES
from tools.tf_check import REPO_ROOT, consistency, properties
from tools.tf_check.consistency import Repo
from tools.tf_check.contract import Contract
from tools.tf_check.hcl import (
    Problem,
    Scope,
    Tree,
    dynamic_blocks,
    evaluate,
    evaluate_expression,
    generated_blocks,
    load_tree,
    nested_blocks,
)


def _messages(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems]


def _glue(tree: Tree):
    return next(m for m in tree.modules.values() if m.path.name == "glue")


# ---------------------------------------------------------------------------------------
# tables.json: each table's partition and job, from glue_jobs/tables.py
# ---------------------------------------------------------------------------------------


def test_tables_json_carries_each_tables_partition_and_job() -> None:
    document = json.loads((REPO_ROOT / "terraform" / "tables.json").read_text(encoding="utf-8"))
    assert document["partitions"]["fact_playlist_item"] == {"name": "snapshot_date", "type": "DATE"}
    assert document["partitions"]["fact_chart_entry"] == {"name": "chart_date", "type": "DATE"}
    assert document["sources"] == {t.name: t.source for t in TABLES}
    assert list(document["partitions"]) == list(document["tables"]) == [t.name for t in TABLES]


def test_each_jobs_crawlers_follow_that_job(tree: Tree) -> None:
    module = _glue(tree)
    started = {}
    for trigger in module.resources_of_type("aws_glue_trigger"):
        # One conditional trigger per job: the instances of one for_each trigger, by source.
        for scope in properties._instances(tree, module, trigger):
            for dynamic in dynamic_blocks(trigger.body, "actions"):
                started[scope.each["key"]] = sorted(evaluate(dynamic["for_each"], scope))
    assert started == {
        "playlists": _crawled(PLAYLIST_TABLES),
        "charts": _crawled(CHART_TABLES),
    }


def _crawled(tables) -> list[str]:
    """A job's tables and the current tables it writes beside them."""
    return sorted([t.name for t in tables] + [t.current for t in tables if t.current])


def _edited_tree(tmp_path: Path, relative: str, old: str, new: str) -> Tree:
    shutil.copytree(
        REPO_ROOT / "terraform",
        tmp_path / "terraform",
        ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"),
    )
    path = tmp_path / "terraform" / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_tree((tmp_path / "terraform").resolve())


def test_chart_crawlers_started_after_the_wrong_job_are_reported(
    tree: Tree, contract: Contract, repo: Repo, tmp_path: Path
) -> None:
    assert consistency.check_glue(tree, contract, repo) == []
    # The playlist tables' crawl trigger waiting for the chart job.
    drifted = _edited_tree(
        tmp_path,
        "modules/glue/crawlers.tf",
        '      job         = aws_glue_job.this["playlists"].name',
        '      job         = aws_glue_job.this["charts"].name',
    )
    playlists, charts = _crawled(PLAYLIST_TABLES), _crawled(CHART_TABLES)
    assert _messages(consistency.check_glue(drifted, contract, repo)) == [
        f'starts the crawlers of {playlists} after aws_glue_job.this["charts"], which writes '
        f"{charts} "
        "(source 'charts')"
    ]


def test_each_job_instance_needs_its_own_start_trigger(tree: Tree, tmp_path: Path) -> None:
    # The jobs are one for_each resource: a trigger names an instance, and the playlist
    # workflow's trigger starting the chart job leaves the star-schema job unstarted.
    assert properties.check_glue(tree) == []
    drifted = _edited_tree(
        tmp_path,
        "modules/glue/workflow.tf",
        'job_name = aws_glue_job.this["playlists"].name',
        'job_name = aws_glue_job.this["charts"].name',
    )
    problems = {(p.where.split(" ")[-1], p.message) for p in properties.check_glue(drifted)}
    assert problems == {
        ('(aws_glue_job.this["playlists"])', "no workflow trigger starts the job"),
        (
            '(aws_glue_job.this["charts"])',
            "the job's start trigger and the crawlers' conditional trigger are not in the same "
            "workflow",
        ),
    }


# ---------------------------------------------------------------------------------------
# The chart job against its entry point (glue_jobs/chart_job.py)
# ---------------------------------------------------------------------------------------

ENTRY_POINT = """
import sys

REQUIRED_ARGS = ["JOB_NAME", "drop_path", "curated_path"]


def _optional(argv, name):
    return None


def main(argv=sys.argv):
    namespace = _optional(argv, "metrics_namespace")
    return namespace
"""


def _repo_with_chart_job(tmp_path: Path, text: str | None) -> Repo:
    (tmp_path / "glue_jobs").mkdir(parents=True)
    if text is not None:
        (tmp_path / "glue_jobs" / "chart_job.py").write_text(text, encoding="utf-8")
    return Repo(tmp_path)


def test_a_chart_job_reading_what_terraform_passes_has_no_problems(
    tree: Tree, contract: Contract, tmp_path: Path
) -> None:
    repo = _repo_with_chart_job(tmp_path, ENTRY_POINT)
    assert consistency.check_chart_job(tree, contract, repo) == []


def test_a_missing_chart_job_script_is_reported(
    tree: Tree, contract: Contract, tmp_path: Path
) -> None:
    repo = _repo_with_chart_job(tmp_path, None)
    assert _messages(consistency.check_chart_job(tree, contract, repo)) == [
        "the chart job script does not exist (Terraform uploads it: plan would fail)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            '"drop_path", "curated_path"]',
            '"drop_path", "curated_path", "chart_region"]',
            "requires --chart_region, which Terraform does not pass",
            id="required-but-not-passed",
        ),
        pytest.param(
            '_optional(argv, "metrics_namespace")',
            "None",
            "never reads --metrics_namespace, which Terraform passes",
            id="passed-but-not-read",
        ),
        pytest.param(
            '"drop_path", ',
            "",
            "never reads --drop_path, which Terraform passes",
            id="drop-path-not-read",
        ),
        pytest.param(
            'REQUIRED_ARGS = ["JOB_NAME", "drop_path", "curated_path"]',
            "REQUIRED_ARGS = names()",
            "no REQUIRED_ARGS (or getResolvedOptions call) with literal argument names",
            id="no-literal-list",
        ),
    ],
)
def test_chart_job_argument_drift_is_reported(
    tree: Tree, contract: Contract, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in ENTRY_POINT
    repo = _repo_with_chart_job(tmp_path, ENTRY_POINT.replace(old, new, 1))
    assert _messages(consistency.check_chart_job(tree, contract, repo)) == [expected]


def test_the_getresolvedoptions_call_counts_as_the_required_list(
    tree: Tree, contract: Contract, tmp_path: Path
) -> None:
    text = ENTRY_POINT + (
        "\n\ndef resolve(glue):\n"
        '    return glue.getResolvedOptions(sys.argv, ["JOB_NAME", "drop_path", "curated_path"])\n'
    )
    assert consistency.check_chart_job(tree, contract, _repo_with_chart_job(tmp_path, text)) == []


def test_a_chart_job_reading_the_wrong_place_is_reported(
    contract: Contract, tmp_path: Path
) -> None:
    drifted = _edited_tree(
        tmp_path / "tf",
        "modules/glue/main.tf",
        'drop_path    = "s3://${var.raw_bucket_name}/${var.charts_prefix}/"',
        'drop_path    = "s3://${var.curated_bucket_name}/${var.charts_prefix}/"',
    )
    repo = _repo_with_chart_job(tmp_path / "repo", ENTRY_POINT)
    assert _messages(consistency.check_chart_job(drifted, contract, repo)) == [
        "--drop_path is 's3://<aws_s3_bucket.curated.id>/charts/', the drop zone/root is "
        "s3://<raw-bucket>/charts/"
    ]


@pytest.mark.skipif(
    not (REPO_ROOT / consistency.CHART_SCRIPT).is_file(),
    reason="glue_jobs/chart_job.py is not written yet (make tf-check reports it)",
)
def test_the_chart_job_matches_its_entry_point(tree: Tree, contract: Contract, repo: Repo) -> None:
    problems = consistency.check_chart_job(tree, contract, repo)
    assert problems == [], "\n".join(str(p) for p in problems)


# ---------------------------------------------------------------------------------------
# Drop zone and triggers
# ---------------------------------------------------------------------------------------


def test_new_chart_files_and_the_weekly_event_reach_the_chart_workflow(tree: Tree) -> None:
    module = _glue(tree)
    scope = Scope(tree, module)
    rules = {r.labels[1]: r for r in module.resources_of_type("aws_cloudwatch_event_rule")}
    files = json.loads(evaluate(rules["chart_files"].body["event_pattern"], scope))
    assert files == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {
            "bucket": {"name": ["<aws_s3_bucket.raw.id>"]},
            "object": {"key": [{"prefix": "charts/"}]},
        },
    }
    weekly = json.loads(evaluate(rules["chart_weekly"].body["event_pattern"], scope))
    schedule = module.resources[("aws_scheduler_schedule", "this")]
    (weekly_scope,) = [
        s for s in properties._instances(tree, module, schedule) if s.each["key"] == "charts-weekly"
    ]
    target = nested_blocks(schedule.body, "target")[0]
    ((parameters, its_scope),) = generated_blocks(target, "eventbridge_parameters", weekly_scope)
    sent = evaluate(parameters, its_scope)
    assert weekly == {"source": [sent["source"]], "detail-type": [sent["detail_type"]]}
    for target in module.resources_of_type("aws_cloudwatch_event_target"):
        assert (
            evaluate(target.body["arn"], scope)
            == evaluate("${aws_glue_workflow.charts.arn}", scope)
            or target.body["arn"] == "${aws_glue_workflow.charts.arn}"
        )
    trigger = module.resources[("aws_glue_trigger", "start_chart_job")]
    assert trigger.body["type"] == '"EVENT"' or evaluate(trigger.body["type"], scope) == "EVENT"
    assert trigger.body["enabled"] is True  # an EVENT trigger that is not active never fires


def test_the_raw_bucket_sends_its_events_to_eventbridge(tree: Tree) -> None:
    (_module, notification), *others = [
        (m, b)
        for m, b in tree.all_resources("aws_s3_bucket_notification")
        if b.body.get("bucket") == "${aws_s3_bucket.raw.id}"
    ]
    assert others == []
    assert notification.body["eventbridge"] is True
    assert properties.check_bucket_notifications(tree) == []


# ---------------------------------------------------------------------------------------
# Snowflake: the pipes read each table's own partition and path
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_each_pipe_reads_its_tables_partition_and_path(tree: Tree, table) -> None:
    model, problems = consistency.terraform_snowflake(tree)
    assert problems == []
    name = table.name
    statement = model.pipes[f"SPOTIFY_LAKEHOUSE.LANDING.{name.upper()}_PIPE"]
    partition = table.partition.name
    assert (
        f"to_date(substr(split_part(metadata$filename, '{partition}=', 2), 1, 10)) as {partition}"
    ) in statement
    assert statement.count("split_part(") == 1
    assert f"from @spotify_lakehouse.landing.curated_stage/{name}/)" in statement
    columns = model.tables[f"SPOTIFY_LAKEHOUSE.LANDING.{name.upper()}"]
    assert columns[-3:] == [
        (partition.upper(), "DATE"),
        ("SOURCE_FILE_NAME", "VARCHAR"),
        ("LOADED_AT", "TIMESTAMP_LTZ"),
    ]


# ---------------------------------------------------------------------------------------
# Monitoring of the chart job
# ---------------------------------------------------------------------------------------


def test_the_chart_job_is_monitored(tree: Tree) -> None:
    module = next(m for m in tree.modules.values() if m.path.name == "monitoring")
    rule = module.resources[("aws_cloudwatch_event_rule", "this")]
    (scope,) = [
        s for s in properties._instances(tree, module, rule) if s.each["key"] == "glue-job-failed"
    ]
    pattern = json.loads(evaluate(rule.body["event_pattern"], scope))
    assert pattern["detail"]["jobName"] == [
        "spotify-lakehouse-dev-star-schema",
        "spotify-lakehouse-dev-charts",
    ]
    alarms = {key: values for _a, key, values in properties.alarm_instances(tree)}
    assert alarms["chart_files_quarantined"]["dimensions"] == {
        "Job": "spotify-lakehouse-dev-charts"
    }
    failed = module.resources[("aws_cloudwatch_metric_alarm", "chart_rule_failed_invocations")]
    names = properties._names(tree, module, failed)
    assert names == [
        "spotify-lakehouse-dev-chart-files-failed-invocations",
        "spotify-lakehouse-dev-chart-weekly-failed-invocations",
    ]


# ---------------------------------------------------------------------------------------
# The evaluator: for ... if, ==, !=, maps with commas in strings
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('[for t, s in {a = "x", b = "y", c = "x"} : t if s == "x"]', ["a", "c"]),
        ('{for t, s in {a = "x", b = "y"} : t => s if s != "x"}', {"b": "y"}),
        ('"a" == "a"', True),
        ('"a" != "a"', False),
        ('{ name = "N", expression = "f(a, b)" }', {"name": "N", "expression": "f(a, b)"}),
    ],
)
def test_the_evaluator_filters_and_compares(tree: Tree, expression: str, expected) -> None:
    assert evaluate_expression(expression, Scope(tree, tree.modules[tree.base])) == expected


def test_an_unknown_filter_makes_the_whole_for_unknown(tree: Tree) -> None:
    value = evaluate_expression(
        "[for t in [1, 2] : t if var.nothing == 1]", Scope(tree, tree.modules[tree.base])
    )
    assert not isinstance(value, list)


def test_the_evaluator_expands_for_each_resources_and_dynamic_blocks(write_config) -> None:
    tree = write_config(
        {
            "main.tf": """
            locals {
              things = { a = "x", b = "y" }
            }
            resource "aws_sqs_queue" "this" {
              for_each = local.things
              name     = "q-${each.value}"
            }
            resource "aws_s3_bucket_lifecycle_configuration" "this" {
              bucket = "b"
              rule {
                id     = "static"
                status = "Enabled"
              }
              dynamic "rule" {
                for_each = local.things
                content {
                  id     = rule.key
                  status = rule.value
                }
              }
            }
            """
        }
    )
    module = tree.modules[tree.base]
    scope = Scope(tree, module)
    # A for_each resource is a map of its instances; an instance's each.value is its entry.
    assert evaluate_expression("[for q in aws_sqs_queue.this : q.name]", scope) == ["q-x", "q-y"]
    assert evaluate_expression('aws_sqs_queue.this["b"].name', scope) == "q-y"
    # A dynamic block generates one block per element, its iterator bound.
    lifecycle = module.resources[("aws_s3_bucket_lifecycle_configuration", "this")]
    assert [evaluate(r, s) for r, s in generated_blocks(lifecycle.body, "rule", scope)] == [
        {"id": "static", "status": "Enabled"},
        {"id": "a", "status": "x"},
        {"id": "b", "status": "y"},
    ]
