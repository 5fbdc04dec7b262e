"""tools.package_glue (the zip Glue imports) and tools.glue_container (the docker command).

Docker cannot run here, so the container tool is tested on the command it builds and on
how it reports a missing Docker: ``docker_problem`` takes the command runner as a
parameter, and the tests hand it recorded answers of ``docker info`` / ``image inspect``.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile

from tools import glue_container, package_glue


def test_the_zip_holds_the_package_and_is_reproducible(tmp_path):
    first = package_glue.build(tmp_path / "a.zip")
    second = package_glue.build(tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
    assert "glue_jobs/__init__.py" in names
    assert "glue_jobs/pipeline.py" in names
    assert "glue_jobs/star_schema_job.py" in names
    assert all(n.startswith("glue_jobs/") and n.endswith(".py") for n in names)


def test_every_module_imports_from_the_zip(tmp_path):
    zip_path = package_glue.build(tmp_path / "glue_jobs.zip")
    code = (
        f"import sys; sys.path.insert(0, {str(zip_path)!r}); "
        "import glue_jobs.pipeline, glue_jobs.star_schema_job as job; "
        "print(job.__file__); print(glue_jobs.pipeline.__file__)"
    )
    # The zip first on the path, as --py-files / --extra-py-files put it; run from an empty
    # directory so that the project's own glue_jobs/ cannot be what gets imported.
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert all(line.startswith(str(zip_path)) for line in out.stdout.split())


def test_container_command_runs_the_same_script_with_the_same_arguments(tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "cur"
    argv = glue_container.docker_command(raw, curated, project=tmp_path)
    assert argv[:3] == ["docker", "run", "--rm"]
    assert f"{tmp_path}:/home/hadoop/workspace" in argv
    assert f"{raw}:/data/raw:ro" in argv
    assert f"{curated}:/data/curated" in argv
    i = argv.index("public.ecr.aws/glue/aws-glue-libs:5")
    assert argv[i + 1 :] == [
        "spark-submit",
        "--py-files",
        "/home/hadoop/workspace/dist/glue_jobs.zip",
        "/home/hadoop/workspace/glue_jobs/star_schema_job.py",
        "--JOB_NAME",
        "star_schema_container",
        "--raw_path",
        "file:///data/raw",
        "--curated_path",
        "file:///data/curated",
    ]
    local = glue_container.docker_command(raw, curated, bookmark_store="local")
    assert local[-2:] == ["--bookmark_store", "local"]


def test_print_shows_the_command_without_running_it(tmp_path, capsys):
    assert glue_container.main(["--raw", str(tmp_path), "--curated", str(tmp_path), "--print"]) == 0
    assert capsys.readouterr().out.startswith("docker run --rm ")


def _answers(info_rc, inspect_rc):
    def run(cmd):
        rc = info_rc if cmd[1] == "info" else inspect_rc
        return subprocess.CompletedProcess(cmd, rc, stdout="", stderr="Cannot connect to daemon")

    return run


def test_docker_problems_are_named(monkeypatch):
    monkeypatch.setattr(glue_container.shutil, "which", lambda _name: None)
    assert "not installed" in glue_container.docker_problem()
    monkeypatch.setattr(glue_container.shutil, "which", lambda _name: "/usr/bin/docker")
    assert "daemon is not reachable" in glue_container.docker_problem(run=_answers(1, 0))
    assert "docker pull" in glue_container.docker_problem(run=_answers(0, 1))
    assert glue_container.docker_problem(run=_answers(0, 0)) is None


def test_without_docker_the_tool_says_so_and_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(glue_container.shutil, "which", lambda _name: "/usr/bin/docker")
    package_glue.build()  # the tool checks that dist/glue_jobs.zip exists first
    rc = glue_container.main(
        ["--raw", str(tmp_path), "--curated", str(tmp_path / "c")], run=_answers(1, 0)
    )
    err = capsys.readouterr().err
    assert rc == 2
    assert "cannot run: the Docker daemon is not reachable" in err
    assert "spark-submit" in err  # the command it would have run
