"""The package metadata is honest: the wheel ships what the product is, and every
third-party module the code imports is declared in pyproject.toml.

The wheel is built offline from a copy of the sources (setuptools writes ``build/`` and
``*.egg-info`` beside the sources; the work tree stays untouched) with the environment's
own setuptools, the dev extra's pin, not an isolated build that would download one.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())

# What the distribution is: the Glue job and the extract Lambda.
SHIPPED = ("glue_jobs", "extract_lambda")
# In the repository, never in the wheel: the developer tools and the tests.
NOT_SHIPPED = ("tools", "tests")
# The extras a package's imports must be declared in.
EXTRAS_OF = {
    "extract_lambda": ("lambda",),
    "glue_jobs": ("glue",),
    "tools": ("lambda", "glue", "dev"),
}
# Modules a runtime provides and no extra can: the Glue runtime's awsglue (locally,
# awsglue-dev in the dev extra stands in for it).
RUNTIME_PROVIDED = {"glue_jobs": {"awsglue"}}
# Left out of the copy the wheel is built from: version control, environments, caches and
# build outputs.
NOT_COPIED = (
    ".git",
    ".venv*",
    ".cache",
    ".*_cache",
    ".terraform",
    "__pycache__",
    "build",
    "dist",
    "*.egg-info",
)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0))


def declared(extras: tuple[str, ...]) -> set[str]:
    """Canonical distribution names pyproject.toml declares: dependencies and these extras."""
    optional = PYPROJECT["project"]["optional-dependencies"]
    requirements = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        requirements += optional[extra]
    return {_requirement_name(r) for r in requirements}


def third_party_imports(package: str) -> dict[str, list[str]]:
    """Top-level module -> the files of ``package`` that import it (stdlib and our own
    packages left out); every import, at any depth, guarded or not."""
    ours = set(SHIPPED) | set(NOT_SHIPPED)
    found: dict[str, list[str]] = {}
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ours:
                    found.setdefault(top, []).append(str(path.relative_to(PROJECT_ROOT)))
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Iterator[zipfile.ZipFile]:
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED))
    out = work / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "-w", str(out), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def test_the_wheel_ships_the_glue_job_and_the_extract_lambda_only(wheel):
    top_level = {
        name.split("/")[0]
        for name in wheel.namelist()
        if not name.split("/")[0].endswith((".dist-info", ".data"))
    }
    assert top_level == set(SHIPPED), f"top-level entries of the wheel: {sorted(top_level)}"
    for package in SHIPPED:
        assert f"{package}/__init__.py" in wheel.namelist()


@pytest.mark.parametrize("package", [*SHIPPED, "tools"])
def test_every_third_party_import_is_declared(package):
    providers = importlib.metadata.packages_distributions()
    allowed = declared(EXTRAS_OF[package])
    undeclared = {}
    for module, files in third_party_imports(package).items():
        distributions = {_canonical(d) for d in providers.get(module, [])}
        if module not in RUNTIME_PROVIDED.get(package, ()) and not distributions & allowed:
            undeclared[module] = (sorted(distributions) or "no installed distribution", files[0])
    assert not undeclared, (
        f"imported by {package} but not declared in pyproject.toml's "
        f"{' / '.join(EXTRAS_OF[package])} extras (module: distributions, first importer): "
        f"{undeclared}"
    )
