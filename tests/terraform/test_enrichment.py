"""The enrichment in Terraform (issue 20): the schedule that sends {"task": "enrich"}, the
function's settings against the code's defaults, its S3 grants against what the code does,
the alarms on its metrics, and the checks of tools/tf_check failing when any of it drifts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from extract_lambda.enrich import EnrichSettings
from glue_jobs import metric_names
from tools.tf_check import consistency, properties
from tools.tf_check.consistency import Repo
from tools.tf_check.contract import Contract, load_task_settings
from tools.tf_check.hcl import (
    Scope,
    Tree,
    argument_text,
    evaluate,
    generated_blocks,
    load_tree,
    nested_blocks,
)

RAW = "<aws_s3_bucket.raw.arn>"


def _module(tree: Tree, name: str):
    return next(m for m in tree.modules.values() if m.path.name == name)


def _lambda_environment(tree: Tree) -> dict:
    module = _module(tree, "extract")
    function = module.resources[("aws_lambda_function", "this")]
    environment = nested_blocks(function.body, "environment")[0]
    return evaluate(environment["variables"], Scope(tree, module))


def _lambda_s3_statements(tree: Tree) -> dict[str, tuple[list[str], list[str], list]]:
    """sid -> (actions, resources, conditions) of the function's S3 statements, evaluated."""
    module = _module(tree, "extract")
    document = module.data_sources[("aws_iam_policy_document", "lambda")]
    scope = Scope(tree, module)
    found = {}
    for statement in nested_blocks(document.body, "statement"):
        actions = evaluate(statement["actions"], scope)
        if any(a.startswith("s3:") for a in actions):
            resources = [str(r) for r in evaluate(statement["resources"], scope)]
            conditions = [evaluate(c, scope) for c in nested_blocks(statement, "condition")]
            found[evaluate(statement["sid"], scope)] = (actions, resources, conditions)
    return found


def test_the_enrichment_schedule_invokes_the_function_with_the_enrich_task(tree: Tree) -> None:
    module = _module(tree, "extract")
    # The function's schedules are one for_each resource: its instances by key.
    schedule = module.resources[("aws_scheduler_schedule", "this")]
    scopes = {s.each["key"]: s for s in properties._instances(tree, module, schedule)}
    assert sorted(scopes) == ["enrich", "weekly"]
    scope = scopes["enrich"]
    target = nested_blocks(schedule.body, "target")[0]
    assert json.loads(evaluate(target["input"], scope)) == {"task": "enrich"}
    assert (
        argument_text(module, schedule, target["arn"], "enrich") == "aws_lambda_function.this.arn"
    )
    assert evaluate(schedule.body["schedule_expression"], scope) == "cron(30 * * * ? *)"
    assert evaluate(schedule.body["state"], scope) == "ENABLED"
    assert nested_blocks(target, "dead_letter_config")
    # The Scheduler role decrypts each schedule's payload, bound to that schedule's ARN.
    policy = module.resources[("aws_iam_role_policy", "scheduler")]
    _document, statements = properties._document_statements(tree, module, policy.body["policy"])
    ((decrypt, its_scope),) = [
        (s, s_scope)
        for s, s_scope in statements
        if evaluate(s["sid"], s_scope) == "DecryptThisSchedulesPayload"
    ]
    (condition,) = nested_blocks(decrypt, "condition")
    assert [str(v) for v in evaluate(condition["values"], its_scope)] == [
        '<aws_scheduler_schedule.this["weekly"].arn>',
        '<aws_scheduler_schedule.this["enrich"].arn>',
    ]
    # The playlist schedule still sends the empty event, on its own expression.
    assert evaluate(target["input"], scopes["weekly"]) == "{}"
    assert evaluate(schedule.body["schedule_expression"], scopes["weekly"]) == "cron(0 6 ? * MON *)"


def test_the_functions_enrichment_settings_are_the_codes_defaults(tree: Tree, repo: Repo) -> None:
    environment = _lambda_environment(tree)
    defaults = EnrichSettings()
    assert {k: environment[k] for k in load_task_settings(repo.track_documents)} == {
        "TRACKS_PREFIX": defaults.tracks_prefix,
        "ENRICH_PREFIX": defaults.enrich_prefix,
        "ENRICH_MAX_TRACKS": str(defaults.max_tracks),
        "ENRICH_CONCURRENCY": str(defaults.concurrency),
    }
    assert EnrichSettings.from_env(environment) == defaults


def test_the_role_grants_exactly_what_the_code_does_in_s3(tree: Tree) -> None:
    # Worked out from extract_lambda (storage.S3Sink, enrich_state.S3RawStore, enrich.py).
    assert _lambda_s3_statements(tree) == {
        "WriteRawSnapshots": (["s3:PutObject"], [f"{RAW}/playlist_snapshots/*"], []),
        "WriteTrackDocumentsAndEnrichmentState": (
            ["s3:PutObject"],
            [f"{RAW}/tracks/*", f"{RAW}/enrichment/state.json.gz"],
            [],
        ),
        "ReadEnrichmentStateAndWorkLists": (
            ["s3:GetObject"],
            [f"{RAW}/enrichment/state.json.gz", f"{RAW}/enrichment/todo/*"],
            [],
        ),
        "ListTrackDocumentsAndEnrichment": (
            ["s3:ListBucket"],
            [RAW],
            [
                {
                    "test": "StringLike",
                    "variable": "s3:prefix",
                    "values": ["tracks/*", "enrichment/*"],
                }
            ],
        ),
    }
    assert properties.check_lambda(tree) == []


def _drifted_extract(tree: Tree, tmp_path: Path, old: str, new: str) -> Tree:
    copy = tmp_path / "terraform"
    shutil.copytree(tree.base, copy)
    path = copy / "modules" / "extract" / "iam.tf"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in modules/extract/iam.tf: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_tree(copy)


def _iam_messages(tree: Tree) -> list[str]:
    return [p.message for p in properties.check_lambda(tree) if p.check == "iam"]


def test_a_missing_or_extra_s3_grant_is_reported(tree: Tree, tmp_path: Path) -> None:
    # The state's GetObject gone (its ETag is the If-Match of every write).
    missing = _drifted_extract(
        tree,
        tmp_path / "a",
        '"${var.raw_bucket_arn}/${local.enrich_state_key}",\n      "${var.raw_bucket_arn}/${local.enrich_todo_prefix}*"',
        '"${var.raw_bucket_arn}/${local.enrich_todo_prefix}*"',
    )
    assert _iam_messages(missing) == [
        "the role lacks s3:GetObject on <raw bucket>/enrichment/state.json.gz, which "
        "extract_lambda uses"
    ]
    # Reading the track documents: the code never does.
    extra = _drifted_extract(
        tree,
        tmp_path / "b",
        '${local.enrich_todo_prefix}*",',
        '${local.enrich_todo_prefix}*", "${var.raw_bucket_arn}/${var.tracks_prefix}/*",',
    )
    assert _iam_messages(extra) == [
        f"statement ReadEnrichmentStateAndWorkLists grants s3:GetObject on {RAW}/tracks/*, "
        "which the code does not use"
    ]
    # Listing without a prefix condition, or beyond the prefixes the code lists.
    condition = """
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.tracks_prefix}/*", "${var.enrich_prefix}/*"]
    }
"""
    whole = _drifted_extract(tree, tmp_path / "c", condition, "")
    assert _iam_messages(whole) == [
        "statement ListTrackDocumentsAndEnrichment lets the role list the whole raw bucket: "
        "limit it with an s3:prefix condition"
    ]
    wider = _drifted_extract(
        tree, tmp_path / "d", '"${var.enrich_prefix}/*"]', '"${var.enrich_prefix}/*", "*"]'
    )
    assert _iam_messages(wider) == [
        "statement ListTrackDocumentsAndEnrichment lets the role list '*', which the code "
        "does not list (only under ['enrichment/', 'tracks/'])"
    ]
    narrow = _drifted_extract(
        tree, tmp_path / "e", '"${var.enrich_prefix}/*"]', '"${var.enrich_prefix}/todo/*"]'
    )
    assert _iam_messages(narrow) == [
        "the role cannot list the raw bucket with prefix 'enrichment/state.json.gz', which "
        "extract_lambda does (or needs for a 404 on an absent state)"
    ]


def test_a_drifted_enrichment_default_is_reported(
    tree: Tree, repo: Repo, contract: Contract, tmp_path: Path
) -> None:
    assert [p.message for p in consistency.check_lambda(tree, contract, repo)] == []
    # Terraform's default differs from the documented one.
    copy = tmp_path / "terraform"
    shutil.copytree(tree.base, copy)
    variables = copy / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    old = "default     = 1000\n\n  validation {\n    condition     = var.enrich_max_tracks"
    assert old in text
    variables.write_text(text.replace(old, old.replace("1000", "500")), encoding="utf-8")
    assert [p.message for p in consistency.check_lambda(load_tree(copy), contract, repo)] == [
        "ENRICH_MAX_TRACKS is '500' with the default variables, track-documents.md documents '1000'"
    ]
    # The documentation differs from the code's default.
    (tmp_path / "repo" / "docs").mkdir(parents=True)
    (tmp_path / "repo" / "extract_lambda").symlink_to(repo.root / "extract_lambda")
    (tmp_path / "repo" / "tools").symlink_to(repo.root / "tools")
    docs = repo.track_documents.read_text(encoding="utf-8")
    assert "| `ENRICH_CONCURRENCY` | `4` |" in docs
    drifted = Repo(tmp_path / "repo")
    drifted.track_documents.write_text(
        docs.replace("| `ENRICH_CONCURRENCY` | `4` |", "| `ENRICH_CONCURRENCY` | `8` |"),
        encoding="utf-8",
    )
    assert sorted(p.message for p in consistency.check_lambda(tree, contract, drifted)) == [
        "ENRICH_CONCURRENCY is '4' with the default variables, track-documents.md documents '8'",
        "track-documents.md documents ENRICH_CONCURRENCY = '8', the code's default is '4'",
    ]


def test_the_enrichment_alarms_select_what_the_code_publishes(tree: Tree, tmp_path: Path) -> None:
    alarms = {key: values for _a, key, values in properties.alarm_instances(tree)}
    service = {metric_names.LAMBDA_SERVICE_DIMENSION: metric_names.LAMBDA_SERVICE}
    failed, pending = alarms["tracks_failed"], alarms["tracks_pending"]
    assert (failed["metric_name"], failed["dimensions"], failed["statistic"]) == (
        metric_names.TRACKS_FAILED,
        service,
        "Sum",
    )
    assert (failed["comparison_operator"], failed["threshold"]) == ("GreaterThanThreshold", 0)
    # The backlog: the daily minimum of the ids still queued, above 0 three days running.
    assert (pending["metric_name"], pending["dimensions"], pending["statistic"]) == (
        metric_names.TRACKS_PENDING,
        service,
        "Minimum",
    )
    assert (pending["period"], pending["evaluation_periods"], pending["datapoints_to_alarm"]) == (
        86400,
        3,
        3,
    )
    assert properties.check_metric_alarms(tree) == []
    # Without the TracksFailed alarm, tf-check says so.
    copy = tmp_path / "terraform"
    shutil.copytree(tree.base, copy)
    (tmp_path / "glue_jobs").symlink_to(tree.base.parent / "glue_jobs")  # the metric names
    path = copy / "modules" / "monitoring" / "alarms.tf"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('metric_name       = "TracksFailed"', 'metric_name       = "TracksLanded"'),
        encoding="utf-8",
    )
    assert [p.message for p in properties.check_metric_alarms(load_tree(copy))] == [
        "no alarm with actions on TracksFailed > 0"
    ]


def test_track_documents_and_old_states_have_lifecycle_rules(tree: Tree) -> None:
    module = _module(tree, "storage")
    scope = Scope(tree, module)
    lifecycle = module.resources[("aws_s3_bucket_lifecycle_configuration", "raw")]
    rules = {
        evaluate(r["id"], s): evaluate(r, s)
        for r, s in generated_blocks(lifecycle.body, "rule", scope)
    }
    assert rules["age-track-documents"]["filter"] == [{"prefix": "tracks/"}]
    assert rules["expire-old-enrichment-states"]["filter"] == [{"prefix": "enrichment/"}]
    assert "transition" not in rules["expire-old-enrichment-states"]  # read by every run
    assert rules["expire-old-enrichment-states"]["noncurrent_version_expiration"] == [
        {"noncurrent_days": 90}
    ]
