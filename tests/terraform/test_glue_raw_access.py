"""The Glue jobs' last inputs and outputs in Terraform (issues 19, 20): the star-schema job
reads the track documents (--tracks_path, the role reading tracks/ through
raw_read_prefixes), the chart job writes its enrichment work lists (the role writing
enrichment/todo/); what the role may do in the raw bucket is worked out from the code
(tools/tf_check: check_glue_raw_access), and each drift is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.tf_check import REPO_ROOT, consistency, properties
from tools.tf_check.consistency import Repo
from tools.tf_check.contract import Contract
from tools.tf_check.hcl import Scope, Tree, evaluate, load_tree, nested_blocks, resource_instances

RAW_ARN = "<aws_s3_bucket.raw.arn>"
RAW = "<aws_s3_bucket.raw>"  # the raw bucket, whichever attribute names it
EXTRA = (
    "which no Glue job of the role needs (they read their raw roots and write only the "
    "chart job's enrichment work lists)"
)
FOLDER_FORMS = ("/*", "", "_$folder$")  # a folder's keys, its own key and its EMRFS marker
WORK_LIST_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload")


def _work_list_grants_beyond_use(folder: str) -> list[str]:
    """The report of WriteEnrichmentWorkLists granting its actions on ``folder`` in every
    folder form, which no job uses."""
    return [
        f"statement WriteEnrichmentWorkLists grants {action} on {RAW_ARN}/{folder}{suffix}, {EXTRA}"
        for suffix in FOLDER_FORMS
        for action in WORK_LIST_ACTIONS
    ]


def _work_list_actions(*actions: str) -> dict[str, tuple[str, str]]:
    """The edit of terraform/ that makes WriteEnrichmentWorkLists grant ``actions``."""

    def statement(granted: tuple[str, ...]) -> str:
        listed = ", ".join(f'"{action}"' for action in granted)
        return (
            f"actions = [{listed}]\n"
            "    resources = [\n"
            '      "${var.raw_bucket_arn}/${local.work_list_prefix}/*",'
        )

    return {"modules/glue/iam.tf": (statement(WORK_LIST_ACTIONS), statement(actions))}


def _work_list_grants_missing(folder: str) -> list[str]:
    """The report of the role not letting the chart job probe and write its work lists in
    ``folder``."""
    return [
        f"the role lacks {action} on {RAW}/{key}, which its Glue jobs use"
        for action, key in (
            ("s3:GetObject", folder),
            ("s3:GetObject", f"{folder}/*"),
            ("s3:GetObject", f"{folder}_$folder$"),
            ("s3:PutObject", f"{folder}/*"),
        )
    ]


def _glue(tree: Tree):
    return next(m for m in tree.modules.values() if m.path.name == "glue")


def _arguments(tree: Tree, job: str) -> dict:
    """The evaluated default_arguments of the Glue job ``job`` (its key in local.jobs)."""
    instance = next(j for j in resource_instances(tree, "aws_glue_job") if j.key == job)
    return instance.evaluate("default_arguments")


def _raw_statements(tree: Tree) -> dict[str, tuple[list[str], list[str]]]:
    """sid -> (actions, resources) of the job role's statements in the raw bucket."""
    module = _glue(tree)
    scope = Scope(tree, module)
    document = module.data_sources[("aws_iam_policy_document", "job")]
    found = {}
    for statement in nested_blocks(document.body, "statement"):
        resources = [str(r) for r in evaluate(statement["resources"], scope)]
        if any(r.startswith(RAW_ARN + "/") for r in resources):
            found[evaluate(statement["sid"], scope)] = (
                evaluate(statement["actions"], scope),
                resources,
            )
    return found


def _edited(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Tree:
    """A copy of terraform/ with each ``{path: (old, new)}`` applied once."""
    shutil.copytree(
        REPO_ROOT / "terraform",
        tmp_path / "terraform",
        ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"),
    )
    for relative, (old, new) in edits.items():
        path = tmp_path / "terraform" / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{relative} no longer contains {old!r}: update this test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_tree((tmp_path / "terraform").resolve())


def _raw_messages(tree: Tree) -> list[str]:
    return [p.message for p in properties.check_glue_raw_access(tree)]


# ---------------------------------------------------------------------------------------
# The configuration as it is
# ---------------------------------------------------------------------------------------


def test_the_playlist_job_reads_the_track_documents(tree: Tree) -> None:
    arguments = _arguments(tree, "playlists")
    assert arguments["--tracks_path"] == "s3://<aws_s3_bucket.raw.id>/tracks/"
    assert arguments["--raw_path"] == "s3://<aws_s3_bucket.raw.id>/playlist_snapshots/"
    # The chart job reads its drop zone only; the script would never read --tracks_path.
    assert "--tracks_path" not in _arguments(tree, "charts")


def test_the_role_reads_its_raw_roots_and_writes_only_the_work_lists(tree: Tree) -> None:
    # Worked out by hand from glue_jobs (star_schema_job: --raw_path, --tracks_path;
    # chart_job: --drop_path; charts_pipeline.work_list_path: enrichment/todo/charts-*.txt).
    assert _raw_statements(tree) == {
        "ReadRawSnapshots": (
            ["s3:GetObject"],
            [
                f"{RAW_ARN}/{prefix}{suffix}"
                for prefix in ("playlist_snapshots", "charts", "tracks")
                for suffix in FOLDER_FORMS
            ],
        ),
        "WriteEnrichmentWorkLists": (
            ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            [
                f"{RAW_ARN}/enrichment/todo/*",
                f"{RAW_ARN}/enrichment/todo",
                f"{RAW_ARN}/enrichment/todo_$folder$",
            ],
        ),
    }
    assert properties.check_glue_raw_access(tree) == []
    assert properties.check_glue_prefix_grants(tree) == []


def test_the_needs_are_the_codes(tree: Tree) -> None:
    # Literal buckets, worked out by hand: what each job needs and may have.
    needed, allowed, unknown = properties.glue_raw_needs(
        {
            "--raw_path": "s3://lake-raw/playlist_snapshots/",
            "--tracks_path": "s3://lake-raw/tracks/",
            "--curated_path": "s3://lake-curated/curated/",
        }
    )
    assert unknown == []
    assert (
        needed
        == allowed
        == {
            ("s3:GetObject", "lake-raw", key)
            for key in (
                "playlist_snapshots/*",
                "playlist_snapshots",
                "playlist_snapshots_$folder$",
                "tracks/*",
                "tracks",
                "tracks_$folder$",
            )
        }
    )
    needed, allowed, unknown = properties.glue_raw_needs(
        {"--drop_path": "s3://lake-raw/charts/", "--curated_path": "s3://lake-curated/curated/"}
    )
    todo = ("enrichment/todo/*", "enrichment/todo", "enrichment/todo_$folder$")
    assert unknown == []
    assert needed == {
        ("s3:GetObject", "lake-raw", "charts/*"),
        ("s3:GetObject", "lake-raw", "charts"),
        ("s3:GetObject", "lake-raw", "charts_$folder$"),
        *(("s3:GetObject", "lake-raw", key) for key in todo),
        ("s3:PutObject", "lake-raw", "enrichment/todo/*"),
    }
    assert allowed - needed == {
        ("s3:PutObject", "lake-raw", "enrichment/todo"),
        ("s3:PutObject", "lake-raw", "enrichment/todo_$folder$"),
        *(("s3:AbortMultipartUpload", "lake-raw", key) for key in todo),
    }
    # A drop zone one folder deeper has its work lists one folder deeper (its parent's).
    needed, _allowed, _unknown = properties.glue_raw_needs({"--drop_path": "s3://b/lake/charts"})
    assert ("s3:PutObject", "b", "lake/enrichment/todo/*") in needed
    # Not an S3 folder: reported, not guessed.
    assert properties.glue_raw_needs({"--tracks_path": "tracks"})[2] == ["--tracks_path"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<aws_s3_bucket.raw.arn>/tracks/*", ("<aws_s3_bucket.raw>", "tracks/*")),
        ("s3://<aws_s3_bucket.raw.id>/tracks/", ("<aws_s3_bucket.raw>", "tracks")),
        ("<var.raw_bucket_arn>/enrichment/todo", ("<var.raw_bucket>", "enrichment/todo")),
        ("s3://<var.raw_bucket_name>/charts/", ("<var.raw_bucket>", "charts")),
        ("arn:aws:s3:::lake-raw/a/b_$folder$", ("lake-raw", "a/b_$folder$")),
        ("arn:<data.aws_partition.current.partition>:s3:::lake-raw", ("lake-raw", None)),
        ("<aws_s3_bucket.raw.arn>", ("<aws_s3_bucket.raw>", None)),
        ("*", None),
        ("tracks/", None),
    ],
)
def test_s3_locations_name_one_bucket_whatever_attribute(value: str, expected) -> None:
    assert properties._s3_location(value) == expected


def test_the_playlist_job_matches_its_entry_point(
    tree: Tree, contract: Contract, repo: Repo
) -> None:
    problems = consistency.check_glue(tree, contract, repo)
    assert problems == [], "\n".join(str(p) for p in problems)
    text = (repo.root / contract.glue_script).read_text(encoding="utf-8")
    assert "tracks_path" in consistency.optional_args(text)


# ---------------------------------------------------------------------------------------
# One prefix, derived everywhere
# ---------------------------------------------------------------------------------------


def test_the_tracks_prefix_is_one_local(tmp_path: Path) -> None:
    # Renamed once: the Lambda writes, the job reads and the role may read the new folder.
    renamed = _edited(
        tmp_path,
        {"main.tf": ('tracks_prefix = "tracks"', 'tracks_prefix = "track_documents"')},
    )
    assert _arguments(renamed, "playlists")["--tracks_path"] == (
        "s3://<aws_s3_bucket.raw.id>/track_documents/"
    )
    assert f"{RAW_ARN}/track_documents/*" in _raw_statements(renamed)["ReadRawSnapshots"][1]
    assert _raw_messages(renamed) == []


def test_an_enrichment_prefix_the_chart_job_does_not_write_is_reported(tmp_path: Path) -> None:
    # glue_jobs/charts_pipeline.py writes enrichment/todo/ whatever Terraform says: renamed
    # in Terraform alone, the Lambda would wait for work lists under enrich/todo/ forever.
    renamed = _edited(
        tmp_path,
        {"main.tf": ('enrich_prefix = "enrichment"', 'enrich_prefix = "enrich"')},
    )
    messages = _raw_messages(renamed)
    assert f"the role lacks s3:PutObject on {RAW}/enrichment/todo/*, which its Glue jobs use" in (
        messages
    )
    assert (
        f"statement WriteEnrichmentWorkLists grants s3:PutObject on {RAW_ARN}/enrich/todo/*, "
        f"{EXTRA}" in messages
    )
    assert messages[-1] == (
        f"the job writes enrichment work lists to {RAW}/enrichment/todo/, the extract Lambda "
        f"reads them from {RAW}/enrich/todo/ (ENRICH_PREFIX)"
    )


# ---------------------------------------------------------------------------------------
# Drift, one defect at a time
# ---------------------------------------------------------------------------------------

CASES = [
    pytest.param(
        {
            "main.tf": (
                "[local.raw_prefix, local.charts_prefix, local.tracks_prefix]",
                "[local.raw_prefix, local.charts_prefix]",
            )
        },
        [
            f"the role lacks s3:GetObject on {RAW}/{key}, which its Glue jobs use"
            for key in ("tracks", "tracks/*", "tracks_$folder$")
        ],
        id="tracks-not-readable",
    ),
    pytest.param(
        {
            "modules/glue/main.tf": (
                '    "--tracks_path"    = local.tracks_path\n',
                "",
            )
        },
        [
            f"statement ReadRawSnapshots grants s3:GetObject on {RAW_ARN}/tracks{suffix}, {EXTRA}"
            for suffix in FOLDER_FORMS
        ],
        id="tracks-read-by-no-job",
    ),
    pytest.param(
        _work_list_actions("s3:GetObject", "s3:AbortMultipartUpload"),
        [f"the role lacks s3:PutObject on {RAW}/enrichment/todo/*, which its Glue jobs use"],
        id="work-list-not-writable",
    ),
    pytest.param(
        _work_list_actions("s3:PutObject", "s3:AbortMultipartUpload"),
        [
            f"the role lacks s3:GetObject on {RAW}/{key}, which its Glue jobs use"
            for key in ("enrichment/todo", "enrichment/todo/*", "enrichment/todo_$folder$")
        ],
        id="work-list-probe-denied",
    ),
    pytest.param(
        _work_list_actions(*WORK_LIST_ACTIONS, "s3:DeleteObject"),
        [
            f"statement WriteEnrichmentWorkLists grants s3:DeleteObject on "
            f"{RAW_ARN}/enrichment/todo{suffix}, {EXTRA}"
            for suffix in FOLDER_FORMS
        ],
        id="work-lists-deletable",
    ),
    pytest.param(
        {
            "modules/glue/iam.tf": (
                'sid     = "ReadRawSnapshots"\n    actions = ["s3:GetObject"]',
                'sid     = "ReadRawSnapshots"\n    actions = ["s3:GetObject", "s3:PutObject"]',
            )
        },
        [
            f"statement ReadRawSnapshots grants s3:PutObject on {RAW_ARN}/{prefix}{suffix}, {EXTRA}"
            for prefix in ("playlist_snapshots", "charts", "tracks")
            for suffix in FOLDER_FORMS
        ],
        id="raw-roots-writable",
    ),
    pytest.param(
        {
            "modules/glue/main.tf": (
                'work_list_prefix = "${var.enrich_prefix}/todo"',
                'work_list_prefix = "${var.enrich_prefix}"',
            )
        },
        [
            *_work_list_grants_beyond_use("enrichment"),
            *_work_list_grants_missing("enrichment/todo"),
        ],
        id="work-list-grant-wider-than-the-folder",
    ),
    pytest.param(
        {
            "modules/glue/main.tf": (
                'drop_path    = "s3://${var.raw_bucket_name}/${var.charts_prefix}/"',
                'drop_path    = "s3://${var.raw_bucket_name}/drops/${var.charts_prefix}/"',
            ),
            "main.tf": (
                "raw_read_prefixes                = [local.raw_prefix, local.charts_prefix,",
                'raw_read_prefixes                = [local.raw_prefix, "drops/charts",',
            ),
        },
        [
            *_work_list_grants_beyond_use("enrichment/todo"),
            *_work_list_grants_missing("drops/enrichment/todo"),
            f"the job writes enrichment work lists to {RAW}/drops/enrichment/todo/, the "
            f"extract Lambda reads them from {RAW}/enrichment/todo/ (ENRICH_PREFIX)",
        ],
        id="drop-zone-moved-work-lists-follow-the-code",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_each_raw_access_defect_is_reported(
    tmp_path: Path, edits: dict[str, tuple[str, str]], expected: list[str]
) -> None:
    assert _raw_messages(_edited(tmp_path, edits)) == expected


# The star-schema job reading its track documents from the curated bucket, and the chart job
# given --tracks_path: chart_job.py parses its arguments with star_schema_job.parse_options
# (which reads --tracks_path) but never uses the track documents, so passing it would be a
# dead setting.
TRACKS_PATH_IN_CURATED = {
    "modules/glue/main.tf": (
        'tracks_path  = "s3://${var.raw_bucket_name}/${var.tracks_prefix}/"',
        'tracks_path  = "s3://${var.curated_bucket_name}/${var.tracks_prefix}/"',
    )
}
CHART_JOB_GIVEN_TRACKS_PATH = {
    "modules/glue/main.tf": (
        '    "--drop_path" = local.drop_path\n',
        '    "--drop_path" = local.drop_path\n    "--tracks_path" = local.tracks_path\n',
    )
}


@pytest.mark.parametrize(
    ("check", "edits", "expected"),
    [
        pytest.param(
            consistency.check_glue,
            TRACKS_PATH_IN_CURATED,
            "--tracks_path is 's3://<aws_s3_bucket.curated.id>/tracks/', the contract's root is "
            "s3://<raw-bucket>/tracks/",
            id="tracks-path-outside-the-track-documents",
        ),
        pytest.param(
            consistency.check_chart_job,
            CHART_JOB_GIVEN_TRACKS_PATH,
            "never reads --tracks_path, which Terraform passes",
            id="chart-job-given-tracks-path",
        ),
    ],
)
def test_a_job_argument_drift_is_reported(
    tmp_path: Path, contract: Contract, repo: Repo, check, edits, expected: str
) -> None:
    drifted = _edited(tmp_path, edits)
    assert [p.message for p in check(drifted, contract, repo)] == [expected]


def test_the_role_check_sees_a_tracks_path_outside_the_track_documents(tmp_path: Path) -> None:
    # tracks/ in the raw bucket is read by no job any more, the role may not read what the
    # job would (only the raw bucket's grants are judged), and the job no longer reads where
    # the Lambda writes.
    assert _raw_messages(_edited(tmp_path, TRACKS_PATH_IN_CURATED)) == [
        *(
            f"statement ReadRawSnapshots grants s3:GetObject on {RAW_ARN}/tracks{suffix}, {EXTRA}"
            for suffix in FOLDER_FORMS
        ),
        *(
            f"the role lacks s3:GetObject on <aws_s3_bucket.curated>/{key}, which its Glue jobs use"
            for key in ("tracks", "tracks/*", "tracks_$folder$")
        ),
        "the job reads track documents from <aws_s3_bucket.curated>/tracks/, the extract "
        f"Lambda writes them to {RAW}/tracks/ (TRACKS_PREFIX)",
    ]
