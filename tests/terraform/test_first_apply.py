"""A first apply that does what the guide says, and alarms on the metrics the code publishes:
each check of tools/tf_check for it, shown to fail on the real configuration with one defect
(a copy of terraform/ edited in tmp_path) and to pass on the real one."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.tf_check import REPO_ROOT, properties
from tools.tf_check.hcl import Problem, Scope, Tree, evaluate, load_tree, nested_blocks


def _edited(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Tree:
    """terraform/ and glue_jobs/metric_names.py copied to tmp_path, each ``{path: (old,
    new)}`` applied once (the old text must be there)."""
    shutil.copytree(
        REPO_ROOT / "terraform",
        tmp_path / "terraform",
        ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"),
    )
    (tmp_path / "glue_jobs").mkdir()
    shutil.copy(REPO_ROOT / properties.METRIC_NAMES_FILE, tmp_path / properties.METRIC_NAMES_FILE)
    for relative, (old, new) in edits.items():
        path = tmp_path / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{relative} no longer contains {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_tree((tmp_path / "terraform").resolve())


def _messages(problems: list[Problem]) -> str:
    return "\n".join(p.message for p in problems)


CASES: list[tuple[str, Callable[[Tree], list[Problem]], dict[str, tuple[str, str]], str]] = [
    (
        "raw bucket without EventBridge notifications",
        properties.check_bucket_notifications,
        {
            "terraform/modules/storage/main.tf": (
                "  eventbridge = true\n",
                "  eventbridge = false\n",
            )
        },
        "the raw bucket does not send its events to EventBridge (eventbridge = true)",
    ),
    (
        "chart rule's alarm outside the key policy's alarm names",
        properties.check_key_policy_service_grants,
        {
            "terraform/modules/monitoring/alarms.tf": (
                'alarm_name          = "${each.key}-failed-invocations"',
                'alarm_name          = "charts-${each.key}-failed-invocations"',
            )
        },
        "alarm charts-spotify-lakehouse-dev-chart-files-failed-invocations does not match",
    ),
    (
        "on-demand trigger enabled",
        properties.check_on_demand_triggers,
        {"terraform/modules/glue/workflow.tf": ("  enabled = false\n", "")},
        "ON_DEMAND trigger without enabled = false",
    ),
    (
        "job log group under another name",
        properties.check_glue_job_log_groups,
        {
            "terraform/modules/glue/main.tf": (
                '"${local.job_log_group_prefix}/error"',
                '"/aws-glue/jobs/${var.name_prefix}/error"',
            )
        },
        "-lake-role/spotify-lakehouse-dev-star-schema-job/error",
    ),
    (
        "custom log group prefix",
        properties.check_glue_job_log_groups,
        {
            "terraform/modules/glue/main.tf": (
                '"--metrics_namespace"            = var.metrics_namespace',
                '"--metrics_namespace" = var.metrics_namespace\n'
                '    "--custom-logGroup-prefix" = "/aws-glue/jobs/x"',
            )
        },
        "--custom-logGroup-prefix with a log-encrypting security configuration",
    ),
    (
        "raw read without the folder marker",
        properties.check_glue_prefix_grants,
        {
            "terraform/modules/glue/iam.tf": (
                '        "${var.raw_bucket_arn}/${prefix}_$folder$",\n',
                "",
            )
        },
        "playlist_snapshots_$folder$",
    ),
    (
        "raw read without the prefix's own key",
        properties.check_glue_prefix_grants,
        {"terraform/modules/glue/iam.tf": ('        "${var.raw_bucket_arn}/${prefix}",\n', "")},
        "grants <aws_s3_bucket.raw.arn>/playlist_snapshots/* but not",
    ),
    (
        "event rules may use the key for any topic",
        properties.check_key_policy_service_grants,
        {
            "terraform/modules/storage/kms.tf": (
                '      identifiers = ["events.amazonaws.com"]\n    }\n\n    condition {\n'
                '      test     = "StringEquals"\n'
                '      variable = "kms:EncryptionContext:aws:sns:topicArn"',
                '      identifiers = ["events.amazonaws.com"]\n    }\n\n    condition {\n'
                '      test     = "StringEquals"\n'
                '      variable = "aws:SourceAccount"',
            )
        },
        "lets ['events.amazonaws.com'] use the key for any topic",
    ),
    (
        "alarms without a source account",
        properties.check_key_policy_service_grants,
        {
            "terraform/modules/storage/kms.tf": (
                'variable = "aws:SourceAccount"',
                'variable = "kms:CallerAccount"',
            )
        },
        "CloudWatch grant without aws:SourceAccount",
    ),
    (
        "an alarm outside the key policy's alarm pattern",
        properties.check_key_policy_service_grants,
        {
            "terraform/modules/storage/kms.tf": (
                ":alarm:${var.name_prefix}-*",
                ":alarm:${var.name_prefix}-extract-*",
            )
        },
        "alarm spotify-lakehouse-dev-star-schema-no-successful-run does not match",
    ),
    (
        "Scheduler role decrypts without the schedule's encryption context",
        properties.check_scheduler_key_grants,
        {
            "terraform/modules/glue/scheduler_key.tf": (
                'variable = "kms:EncryptionContext:aws:scheduler:schedule:arn"',
                'variable = "aws:SourceAccount"',
            )
        },
        "DecryptThisSchedulesPayload of the Scheduler role uses the key without",
    ),
    (
        "an eight-day alarm window",
        properties.check_alarm_windows,
        {
            "terraform/modules/monitoring/main.tf": (
                "no_success_evaluation_periods = 7",
                "no_success_evaluation_periods = 8",
            )
        },
        "691200 s exceeds CloudWatch's 604800 s",
    ),
    (
        "a day of five-minute periods and more",
        properties.check_alarm_windows,
        {
            "terraform/modules/monitoring/alarms.tf": (
                "      period            = 300\n",
                "      period            = 300\n      evaluation_periods = 289\n",
            )
        },
        "exceeds CloudWatch's 86400 s",
    ),
    (
        "an alarm on a metric nobody publishes",
        properties.check_metric_alarms,
        {
            "terraform/modules/monitoring/alarms.tf": (
                'metric_name       = "FilesQuarantined"',
                'metric_name       = "FilesQuarantine"',
            )
        },
        "the code publishes no metric 'FilesQuarantine'",
    ),
    (
        "a metric renamed in the code",
        properties.check_metric_alarms,
        {"glue_jobs/metric_names.py": ('"DataQualityFailures"', '"DataQualityRuleFailures"')},
        "no metric 'DataQualityFailures'",
    ),
    (
        "the Lambda alarm on another service",
        properties.check_metric_alarms,
        {
            "glue_jobs/metric_names.py": (
                'LAMBDA_SERVICE = "extract"',
                'LAMBDA_SERVICE = "extractor"',
            )
        },
        "POWERTOOLS_SERVICE_NAME is not 'extractor'",
    ),
    (
        "the no-success alarm not breaching on missing data",
        properties.check_metric_alarms,
        {
            "terraform/modules/monitoring/alarms.tf": (
                'treat_missing_data  = "breaching"',
                'treat_missing_data  = "notBreaching"',
            )
        },
        "no alarm with actions on missing SuccessfulRuns",
    ),
    (
        "the job publishing to another namespace",
        properties.check_metric_alarms,
        {
            "terraform/modules/glue/main.tf": (
                '"--metrics_namespace"            = var.metrics_namespace',
                '"--metrics_namespace"            = "Glue"',
            )
        },
        "--metrics_namespace is not the alarms' namespace",
    ),
]


@pytest.mark.parametrize(("label", "check", "edits", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_defect_is_reported(tmp_path, label, check, edits, expected) -> None:
    assert check(_edited(tmp_path, {})) == [], "the unedited copy must pass"
    problems = check(_edited(tmp_path / "broken", edits))
    assert expected in _messages(problems), _messages(problems)


def test_a_metric_name_written_again_in_the_emitting_code_is_reported(tmp_path) -> None:
    tree = _edited(tmp_path, {})
    (tmp_path / "extract_lambda").mkdir()
    emitter = tmp_path / "extract_lambda" / "metrics.py"
    emitter.write_text("from glue_jobs import metric_names as M\nX = M.PLAYLISTS_FAILED\n")
    assert properties.check_metric_sources(tree) == []
    emitter.write_text('metrics.add_metric(name="PlaylistsFailed", unit="Count", value=1)\n')
    assert "writes the metric name 'PlaylistsFailed' itself" in _messages(
        properties.check_metric_sources(tree)
    )


def _read_raw_resources(tree: Tree) -> list[str]:
    module = next(m for m in tree.modules.values() if m.path.name == "glue")
    document = module.data_sources[("aws_iam_policy_document", "job")]
    (statement,) = [
        s for s in nested_blocks(document.body, "statement") if "ReadRawSnapshots" in s["sid"]
    ]
    return evaluate(statement["resources"], Scope(tree, module))


def test_a_new_raw_prefix_is_one_edit_and_gets_the_same_grants(tree: Tree, tmp_path) -> None:
    raw = "<aws_s3_bucket.raw.arn>"
    # The job role reads the playlist snapshots, the charts drop zone and the track documents
    # (raw_read_prefixes).
    assert _read_raw_resources(tree) == [
        f"{raw}/playlist_snapshots/*",
        f"{raw}/playlist_snapshots",
        f"{raw}/playlist_snapshots_$folder$",
        f"{raw}/charts/*",
        f"{raw}/charts",
        f"{raw}/charts_$folder$",
        f"{raw}/tracks/*",
        f"{raw}/tracks",
        f"{raw}/tracks_$folder$",
    ]
    wider = _edited(
        tmp_path,
        {
            "terraform/main.tf": (
                "= [local.raw_prefix, local.charts_prefix, local.tracks_prefix]\n",
                '= [local.raw_prefix, local.charts_prefix, local.tracks_prefix, "archive"]\n',
            )
        },
    )
    assert _read_raw_resources(wider)[9:] == [
        f"{raw}/archive/*",
        f"{raw}/archive",
        f"{raw}/archive_$folder$",
    ]
    assert properties.check_glue_prefix_grants(wider) == []
    # No job reads archive/ yet: until one does, the grant is one too many.
    assert [p.message for p in properties.check_glue_raw_access(wider)] == [
        f"statement ReadRawSnapshots grants s3:GetObject on {raw}/archive{suffix}, which no "
        "Glue job of the role needs (they read their raw roots and write only the chart "
        "job's enrichment work lists)"
        for suffix in ("/*", "", "_$folder$")
    ]
