"""Fixtures of the Terraform checks: the parsed terraform/ tree (parsed once per run), the
data contract, and a writer of small throw-away configurations for negative tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.tf_check import REPO_ROOT
from tools.tf_check.consistency import Repo
from tools.tf_check.contract import Contract, load_contract
from tools.tf_check.hcl import Tree, load_tree


@pytest.fixture(scope="session")
def tree() -> Tree:
    return load_tree((REPO_ROOT / "terraform").resolve())


@pytest.fixture(scope="session")
def repo() -> Repo:
    return Repo(REPO_ROOT)


@pytest.fixture(scope="session")
def contract(repo: Repo) -> Contract:
    return load_contract(repo.contract)


VERSIONS_ROOT = """
terraform {
  required_version = "~> 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
"""


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[dict[str, str]], Tree]:
    """Write ``{relative path: HCL}`` under tmp_path/terraform and parse it. Every module
    directory gets the standard files (a root also versions.tf, with the pins) unless the
    test provides (or omits) them."""

    def write(files: dict[str, str], *, standard_files: bool = True) -> Tree:
        base = tmp_path / "terraform"
        for relative, text in files.items():
            path = base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        if standard_files:
            for directory in {(base / r).parent for r in files}:
                is_root = directory == base or directory.parent != base / "modules"
                defaults = {"main.tf": "", "variables.tf": "", "outputs.tf": ""}
                if is_root:
                    defaults["versions.tf"] = VERSIONS_ROOT
                for name, text in defaults.items():
                    if not (directory / name).exists():
                        (directory / name).write_text(text, encoding="utf-8")
        return load_tree(base.resolve())

    return write
