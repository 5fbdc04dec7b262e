"""Refuse to package Python files that git does not track.

Both deployment zips take every ``*.py`` under their package directory. A scratch module
(``glue_jobs/scratch.py``, an ``extract_lambda/local_settings.py`` with a token in it) would
otherwise ship to AWS unnoticed; excluding it silently instead would ship a zip without a
module someone forgot to ``git add``. So packaging stops and names the files. Outside a git
work tree (a source tarball) there is nothing to compare with, and nothing is checked.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def untracked_python_files(package_dir: Path) -> list[str]:
    """The ``*.py`` files under `package_dir` that git does not track (and does not ignore)."""
    try:
        result = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "--", "."],
            cwd=package_dir,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:  # no git on this machine
        return []
    if result.returncode != 0:  # not a git work tree
        return []
    return sorted(name for name in result.stdout.splitlines() if name.endswith(".py"))


def refuse_untracked(package_dir: Path) -> None:
    """Raise ``RuntimeError`` naming the untracked ``*.py`` files under `package_dir`."""
    untracked = untracked_python_files(package_dir)
    if untracked:
        names = ", ".join(f"{package_dir.name}/{name}" for name in untracked)
        raise RuntimeError(
            f"untracked files would go into the zip: {names}; `git add` them if they belong "
            "to the package, or move them out of it"
        )
