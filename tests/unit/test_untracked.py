"""tools.untracked: the deployment zips refuse Python files git does not track (review)."""

from __future__ import annotations

import subprocess

import pytest

from tools import package_glue
from tools.untracked import refuse_untracked, untracked_python_files


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path):
    package = tmp_path / "glue_jobs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "job.py").write_text("X = 1\n")
    (tmp_path / ".gitignore").write_text("*.local.py\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "package")
    return tmp_path


def test_a_scratch_module_stops_packaging_and_is_named(repo, tmp_path):
    (repo / "glue_jobs" / "scratch.py").write_text("TOKEN = 'x'\n")
    (repo / "glue_jobs" / "mine.local.py").write_text("")  # ignored by .gitignore: not asked
    (repo / "glue_jobs" / "notes.txt").write_text("")  # not Python: never packaged
    assert untracked_python_files(repo / "glue_jobs") == ["scratch.py"]
    with pytest.raises(
        RuntimeError, match=r"untracked files would go into the zip: glue_jobs/scratch\.py"
    ):
        package_glue.build(tmp_path / "out.zip", root=repo)
    assert not (tmp_path / "out.zip").exists()
    _git(repo, "add", "glue_jobs/scratch.py")
    assert package_glue.build(tmp_path / "out.zip", root=repo).is_file()


def test_outside_a_git_work_tree_nothing_is_checked(tmp_path):
    package = tmp_path / "glue_jobs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "scratch.py").write_text("")
    refuse_untracked(package)  # a source tarball: nothing to compare with
    assert package_glue.build(tmp_path / "out.zip", root=tmp_path).is_file()
