"""The class archive's name follows the JVM and the jars it was written for, it is only used
once it exists, and a failed build leaves nothing behind (tools/class_archive.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools import class_archive
from tools.jvm import LOCAL_JVM_OPTIONS, local_jvm_options


@pytest.fixture
def fake_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A java executable and a jars folder of our own, and an empty archive folder."""
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\n")
    jars = tmp_path / "jars"
    jars.mkdir()
    for name in ("spark-core.jar", "spark-sql.jar"):
        (jars / name).write_bytes(b"jar")
    monkeypatch.setattr(class_archive, "_java", lambda: java)
    monkeypatch.setattr(class_archive, "_jars", lambda: jars)
    monkeypatch.setattr(class_archive, "ARCHIVE_DIR", tmp_path / "archives")
    return java, jars


def test_the_name_changes_with_the_jvm_or_any_jar(fake_environment) -> None:
    java, jars = fake_environment
    first = class_archive.archive_path()
    assert first is not None and first.parent == class_archive.ARCHIVE_DIR
    assert class_archive.archive_path() == first  # stable while nothing changes
    seen = {first}
    (jars / "spark-sql.jar").write_bytes(b"a newer jar")  # another size
    seen.add(class_archive.archive_path())
    stat = java.stat()
    os.utime(java, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # another JVM build
    seen.add(class_archive.archive_path())
    libjvm = java.parents[1] / "lib" / "server" / "libjvm.so"
    libjvm.parent.mkdir(parents=True)
    libjvm.write_bytes(b"a JVM updated without its launcher")
    seen.add(class_archive.archive_path())
    (jars / "extra.jar").write_bytes(b"jar")
    seen.add(class_archive.archive_path())
    assert len(seen) == 5


def test_the_option_is_given_only_once_the_archive_exists(fake_environment) -> None:
    path = class_archive.archive_path()
    assert class_archive.archive_options() == ()
    assert local_jvm_options() == LOCAL_JVM_OPTIONS
    path.parent.mkdir(parents=True)
    path.write_bytes(b"archive")
    assert local_jvm_options() == (*LOCAL_JVM_OPTIONS, f"-XX:SharedArchiveFile={path}")


def test_no_java_or_no_pyspark_means_no_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(class_archive, "_java", lambda: None)
    assert class_archive.archive_path() is None
    assert class_archive.archive_options() == ()


def test_a_failed_training_run_leaves_no_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # A real failure: the training run's spark-submit finds no java where JAVA_HOME points.
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    target = tmp_path / "archives" / "spark-x.jsa"
    with pytest.raises(RuntimeError, match="wrote no archive"):
        class_archive.build(target, timeout=300)
    assert list(target.parent.iterdir()) == []
    # The command line reports it and goes on: the runs start without an archive.
    monkeypatch.setattr(class_archive, "archive_path", lambda: target)
    assert class_archive.main([]) == 0
    assert "not built, the runs start without it" in capsys.readouterr().err
    assert not target.exists()


def test_a_new_archive_replaces_the_ones_no_jvm_can_use(fake_environment) -> None:
    current = class_archive.archive_path()
    current.parent.mkdir(parents=True)
    for name in ("spark-0123456789abcdef.jsa", current.name, "notes.txt"):
        (current.parent / name).write_bytes(b"x")
    class_archive.remove_stale(current)
    assert sorted(p.name for p in current.parent.iterdir()) == sorted([current.name, "notes.txt"])
