"""Build dist/extract_lambda.zip: the extract_lambda package plus spotipy and its dependencies.

    python -m tools.package_lambda [--output dist/extract_lambda.zip]

(``make package-lambda``.) Dependencies are the wheels pip resolves for spotipy at the
version pinned in requirements/dev.lock (used as constraints), for the Lambda runtime
(``python3.11`` on x86_64: ``--platform manylinux2014_x86_64 --only-binary=:all:
--python-version 3.11 --implementation cp``). boto3, botocore and their own dependencies are
left out: the runtime provides them.

The zip is deterministic, so Terraform's ``source_code_hash`` only changes when the content
does: files in sorted order, every timestamp 1980-01-01, fixed permissions, and none of the
install-time files that differ between machines (``bin/`` scripts with the builder's
interpreter in their shebang, ``RECORD``/``INSTALLER``/``REQUESTED``/``direct_url.json``,
``__pycache__``). Downloaded wheels are cached in build/lambda-wheels, so rebuilds work
offline.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tools.untracked import refuse_untracked

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOCK_FILE = PROJECT_ROOT / "requirements" / "dev.lock"
DEFAULT_OUTPUT = PROJECT_ROOT / "dist" / "extract_lambda.zip"
DEFAULT_CACHE = PROJECT_ROOT / "build" / "lambda-wheels"
PACKAGE = "extract_lambda"
TOP_LEVEL_REQUIREMENTS = ("spotipy", "aws-lambda-powertools")
# Modules of the glue_jobs package the Lambda imports (the metric names both stages share).
SHARED_MODULES = ("glue_jobs/__init__.py", "glue_jobs/metric_names.py")
PLATFORM_ARGS = (
    "--platform",
    "manylinux2014_x86_64",
    "--only-binary=:all:",
    "--python-version",
    "3.11",
    "--implementation",
    "cp",
)
# Provided by the Lambda runtime; never shipped (distribution names, normalised).
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python_dateutil", "six"}
)
_DROPPED_METADATA = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class PackagingError(RuntimeError):
    """The zip could not be built; the message says which step failed."""


@dataclass(frozen=True)
class BuildResult:
    path: Path
    sha256_base64: str  # the form of Terraform's filebase64sha256() / source_code_hash
    files: int
    size: int


def pinned(requirement: str, lock_file: Path = LOCK_FILE) -> str:
    """``name==version`` from the lock file."""
    pattern = re.compile(rf"^{re.escape(requirement)}==(\S+)$", re.IGNORECASE | re.MULTILINE)
    match = pattern.search(lock_file.read_text())
    if not match:
        raise PackagingError(f"{requirement} is not pinned in {lock_file}")
    return f"{requirement}=={match.group(1)}"


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def download_wheels(cache: Path, requirements: list[str], lock_file: Path = LOCK_FILE) -> None:
    """Make sure `cache` holds the Lambda-platform wheels of `requirement` and its dependencies.

    Tries offline first (a warm cache needs no network), then the package index.
    """
    cache.mkdir(parents=True, exist_ok=True)
    common = ("download", "--dest", str(cache), *PLATFORM_ARGS, "-c", str(lock_file), *requirements)
    offline = _pip(*common[:1], "--no-index", "--find-links", str(cache), *common[1:])
    if offline.returncode == 0:
        return
    online = _pip(*common)
    if online.returncode != 0:
        raise PackagingError(f"pip download failed:\n{online.stderr[-2000:]}")


def install_dependencies(
    cache: Path, target: Path, requirements: list[str], lock_file: Path = LOCK_FILE
) -> None:
    result = _pip(
        "install",
        "--quiet",
        "--no-index",
        "--find-links",
        str(cache),
        "--target",
        str(target),
        "--no-compile",
        *PLATFORM_ARGS,
        "-c",
        str(lock_file),
        *requirements,
    )
    if result.returncode != 0:
        raise PackagingError(f"pip install --target failed:\n{result.stderr[-2000:]}")


def _distribution_of(dist_info: Path) -> str:
    return re.sub(r"[-.]+", "_", dist_info.name.split("-")[0]).lower()


def drop_runtime_provided(target: Path) -> None:
    """Remove what the Lambda runtime provides, should a dependency have pulled it in."""
    for dist_info in target.glob("*.dist-info"):
        if _distribution_of(dist_info) not in RUNTIME_PROVIDED:
            continue
        top_level = dist_info / "top_level.txt"
        names = top_level.read_text().split() if top_level.exists() else []
        for name in names:
            for path in (target / name, target / f"{name}.py"):
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
        shutil.rmtree(dist_info)


def _wanted(relative: Path) -> bool:
    parts = relative.parts
    if parts[0] == "bin" or "__pycache__" in parts or relative.suffix in (".pyc", ".pyo"):
        return False
    return not (parts[0].endswith(".dist-info") and relative.name in _DROPPED_METADATA)


def collect_files(site: Path, package_dir: Path) -> dict[str, Path]:
    """Archive name -> file, for the dependencies and the extract_lambda package."""
    files: dict[str, Path] = {}
    for path in site.rglob("*"):
        relative = path.relative_to(site)
        if path.is_file() and _wanted(relative):
            files[relative.as_posix()] = path
    for path in package_dir.rglob("*.py"):
        relative = path.relative_to(package_dir.parent)
        if _wanted(relative):
            files[relative.as_posix()] = path
    for name in SHARED_MODULES:
        files[name] = package_dir.parent / name
    if f"{PACKAGE}/handler.py" not in files:
        raise PackagingError(f"{package_dir} has no handler.py")
    return files


def write_zip(files: dict[str, Path], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.tmp")
    with zipfile.ZipFile(temporary, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100644 & 0xFFFF) << 16  # a regular file, rw-r--r--
            info.create_system = 3  # Unix, whatever the builder's OS
            archive.writestr(info, files[name].read_bytes(), compresslevel=9)
    os.replace(temporary, output)


def build(
    output: Path = DEFAULT_OUTPUT,
    *,
    cache: Path = DEFAULT_CACHE,
    package_dir: Path = PROJECT_ROOT / PACKAGE,
    lock_file: Path = LOCK_FILE,
) -> BuildResult:
    """Build the zip at `output` and return its hash (Terraform's base64 SHA-256)."""
    try:
        refuse_untracked(package_dir)
    except RuntimeError as error:
        raise PackagingError(str(error)) from None
    requirements = [pinned(name, lock_file) for name in TOP_LEVEL_REQUIREMENTS]
    download_wheels(cache, requirements, lock_file)
    with tempfile.TemporaryDirectory(prefix="lambda-site-") as work:
        site = Path(work) / "site"
        install_dependencies(cache, site, requirements, lock_file)
        drop_runtime_provided(site)
        files = collect_files(site, package_dir)
        write_zip(files, output)
    digest = hashlib.sha256(output.read_bytes()).digest()
    return BuildResult(output, base64.b64encode(digest).decode(), len(files), output.stat().st_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.package_lambda", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="wheel cache")
    args = parser.parse_args(argv)
    try:
        result = build(args.output, cache=args.cache)
    except PackagingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{result.path} ({result.files} files, {result.size} bytes) source_code_hash={result.sha256_base64}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
