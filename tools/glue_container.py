"""Run the Glue job script in AWS's Glue 5.0 image: ``public.ecr.aws/glue/aws-glue-libs:5``.

    python -m tools.glue_container --raw <dir> --curated <dir> [--print] [--bookmark-store ...]

(``make glue-container RAW=... CURATED=...``, after ``make package-glue``.) The command is
the one AWS documents for the image (``docker run ... spark-submit <script>``, the project
mounted at ``/home/hadoop/workspace``), with the raw and curated directories mounted at
``/data/raw`` (read-only) and ``/data/curated``, and the same script and zip as on Glue:

    spark-submit --py-files dist/glue_jobs.zip glue_jobs/star_schema_job.py
        --JOB_NAME star_schema_container --raw_path file:///data/raw
        --curated_path file:///data/curated

Inside the image the Glue runtime is present, so the script takes its Glue branch
(``GlueContext``, ``Job.init``/``commit``, the bookmarked DynamicFrame). Glue's bookmark
service is an AWS service: without it the container reads every raw file each run (the
merge makes that idempotent). ``--bookmark-store local`` keeps the on-disk bookmark instead,
for incremental runs in the container.

``--print`` prints the command without running it. Without Docker, without a running
daemon or without the image, the tool says which and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
IMAGE = "public.ecr.aws/glue/aws-glue-libs:5"
WORKSPACE = "/home/hadoop/workspace"
RAW_MOUNT = "/data/raw"
CURATED_MOUNT = "/data/curated"
SCRIPT = "glue_jobs/star_schema_job.py"
LIBRARY = "dist/glue_jobs.zip"
JOB_NAME = "star_schema_container"


def docker_command(
    raw: Path,
    curated: Path,
    *,
    image: str = IMAGE,
    project: Path = PROJECT_ROOT,
    bookmark_store: str = "auto",
    fail_after: str | None = None,
) -> list[str]:
    """The ``docker run`` argv that runs the job script in the Glue image."""
    argv = [
        "docker",
        "run",
        "--rm",
        "-v",
        f"{project.resolve()}:{WORKSPACE}",
        "-v",
        f"{raw.resolve()}:{RAW_MOUNT}:ro",
        "-v",
        f"{curated.resolve()}:{CURATED_MOUNT}",
    ]
    if fail_after:
        argv += ["-e", f"GLUE_JOB_FAIL_AFTER={fail_after}"]
    argv += [
        image,
        "spark-submit",
        "--py-files",
        f"{WORKSPACE}/{LIBRARY}",
        f"{WORKSPACE}/{SCRIPT}",
        "--JOB_NAME",
        JOB_NAME,
        "--raw_path",
        f"file://{RAW_MOUNT}",
        "--curated_path",
        f"file://{CURATED_MOUNT}",
    ]
    if bookmark_store != "auto":
        argv += ["--bookmark_store", bookmark_store]
    return argv


Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


def _quiet(cmd: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=False)


def docker_problem(image: str = IMAGE, run: Runner = _quiet) -> str | None:
    """Why the command cannot run here (None when Docker, its daemon and the image are ok)."""
    if shutil.which("docker") is None:
        return "docker is not installed (https://docs.docker.com/engine/install/)"
    info = run(["docker", "info", "--format", "{{.ServerVersion}}"])
    if info.returncode != 0:
        detail = (info.stderr or info.stdout).strip().splitlines()
        return "the Docker daemon is not reachable: " + (
            detail[-1] if detail else "docker info failed"
        )
    inspect = run(["docker", "image", "inspect", image, "--format", "{{.Id}}"])
    if inspect.returncode != 0:
        return f"the image {image} is not present; pull it first: docker pull {image}"
    return None


def main(argv: list[str] | None = None, *, run: Runner = _quiet) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="raw root (local directory)")
    parser.add_argument("--curated", type=Path, required=True, help="curated root (directory)")
    parser.add_argument("--image", default=IMAGE)
    parser.add_argument("--bookmark-store", choices=("auto", "glue", "local"), default="auto")
    parser.add_argument("--print", action="store_true", help="print the command, do not run")
    args = parser.parse_args(argv)

    command = docker_command(
        args.raw,
        args.curated,
        image=args.image,
        bookmark_store=args.bookmark_store,
        fail_after=os.environ.get("GLUE_JOB_FAIL_AFTER"),
    )
    if args.print:
        print(shlex.join(command))
        return 0
    if not args.raw.is_dir():
        print(f"glue-container: raw directory {args.raw} does not exist", file=sys.stderr)
        return 2
    if not (PROJECT_ROOT / LIBRARY).is_file():
        print(f"glue-container: {LIBRARY} is missing; run `make package-glue`", file=sys.stderr)
        return 2
    problem = docker_problem(args.image, run)
    if problem is not None:
        print(f"glue-container: cannot run: {problem}", file=sys.stderr)
        print(f"glue-container: the command would be:\n  {shlex.join(command)}", file=sys.stderr)
        return 2
    args.curated.mkdir(parents=True, exist_ok=True)
    print(f"glue-container: {shlex.join(command)}", flush=True)
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
