"""``python -m tools.tf_check [--checkov PATH] [--provider-schemas DIR]``: every check of terraform/, a list of the
problems found, and a non-zero exit status if there is any."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import REPO_ROOT, Problem, check_repository


def terraform_fmt(terraform_dir: Path) -> tuple[list[Problem], str | None]:
    """``terraform fmt -check -recursive``, when a terraform binary is on PATH (formatting
    needs no provider, unlike validate)."""
    binary = shutil.which("terraform")
    if binary is None:
        return (
            [],
            "terraform is not on PATH: skipped `terraform fmt -check` (install it to check formatting)",
        )
    result = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "-list=true", str(terraform_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return [], None
    files = [line for line in result.stdout.splitlines() if line.strip()]
    if not files:
        return [
            Problem("fmt", str(terraform_dir), result.stderr.strip() or "terraform fmt failed")
        ], None
    return [
        Problem("fmt", f, "not formatted: run `terraform fmt -recursive terraform/`") for f in files
    ], None


def run_checkov(checkov: Path, terraform_dir: Path) -> tuple[list[Problem], list[str]]:
    """checkov over terraform/; a problem per failed check and per parsing error, and the
    summary plus every (inline, reasoned) skip as notes."""
    if not checkov.exists():
        return [Problem("checkov", str(checkov), "not found (make .venv-checkov/bin/checkov)")], []
    command = [
        str(checkov),
        "--directory", str(terraform_dir),
        "--framework", "terraform",
        "--compact",
        "--skip-download",
        "--output", "json",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        return [
            Problem("checkov", str(terraform_dir), f"checkov did not produce a report: {detail[0]}")
        ], []
    if isinstance(reports, dict):
        reports = [reports]
    problems: list[Problem] = []
    notes: list[str] = []
    for report in reports:
        summary = report.get("summary", {})
        notes.append(
            "checkov {version}: {passed} passed, {failed} failed, {skipped} skipped, "
            "{parsing_errors} parsing errors".format(
                version=summary.get("checkov_version", "?"),
                passed=summary.get("passed", 0),
                failed=summary.get("failed", 0),
                skipped=summary.get("skipped", 0),
                parsing_errors=summary.get("parsing_errors", 0),
            )
        )
        results = report.get("results", {})
        for failed in results.get("failed_checks", []):
            lines = failed.get("file_line_range") or ["?", "?"]
            problems.append(
                Problem(
                    "checkov",
                    f"{terraform_dir}{failed.get('file_path', '')}:{lines[0]}",
                    f"{failed.get('check_id')} {failed.get('check_name')} ({failed.get('resource')})",
                )
            )
        for skipped in results.get("skipped_checks", []):
            reason = (skipped.get("check_result") or {}).get("suppress_comment", "")
            notes.append(
                f"  skipped {skipped.get('check_id')} on {skipped.get('resource')}: {reason}"
            )
        for path in (
            results.get("parsing_errors", []) or summary.get("parsing_errors_list", []) or []
        ):
            problems.append(Problem("checkov", str(path), "checkov could not parse this file"))
        if summary.get("parsing_errors", 0) and not any(p.check == "checkov" for p in problems):
            problems.append(
                Problem(
                    "checkov",
                    str(terraform_dir),
                    f"{summary['parsing_errors']} files checkov could not parse",
                )
            )
    return problems, notes


def _relative(text: str) -> str:
    return text.replace(str(REPO_ROOT) + "/", "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.tf_check", description=__doc__)
    parser.add_argument(
        "--checkov", type=Path, help="checkov executable; checkov is skipped without it"
    )
    parser.add_argument(
        "--provider-schemas",
        type=Path,
        help="directory of the provider binding wheels (requirements/provider-schemas.txt); "
        "the schema check is skipped without it",
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    terraform_dir = REPO_ROOT / "terraform"
    report = check_repository(REPO_ROOT, args.provider_schemas)
    problems = list(report.problems)
    notes = list(report.notes)
    hcl_seconds = time.monotonic() - started
    if args.provider_schemas is None:
        notes.append("no --provider-schemas given: skipped the provider schema check")

    fmt_problems, fmt_note = terraform_fmt(terraform_dir)
    problems += fmt_problems
    if fmt_note:
        notes.append(fmt_note)

    if args.checkov is not None:
        checkov_problems, checkov_notes = run_checkov(args.checkov, terraform_dir)
        problems += checkov_problems
        notes += checkov_notes
    else:
        notes.append("no --checkov given: skipped checkov")

    for note in notes:
        print(f"tf-check: {_relative(note)}")
    for problem in problems:
        print(_relative(str(problem)))
    total = time.monotonic() - started
    verdict = f"{len(problems)} problem(s)" if problems else "no problems"
    print(f"tf-check: {verdict} (HCL checks {hcl_seconds:.1f} s, total {total:.1f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
