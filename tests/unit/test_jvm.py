"""The test session's JVM really runs with tools/jvm.py's options: C1 only, and a code cache
large enough that the compiler is not disabled halfway through a long session."""

from __future__ import annotations

MIB = 1024 * 1024


def _vm_option(spark, name: str) -> str:
    jvm = spark.sparkContext._jvm
    bean_class = jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    bean = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(bean_class)
    return bean.getVMOption(name).getValue()


def test_the_jit_keeps_a_tiered_jvms_code_cache(spark) -> None:
    assert _vm_option(spark, "TieredStopAtLevel") == "1"
    # Without -XX:ReservedCodeCacheSize the C1-only JVM would reserve 48 MiB.
    assert int(_vm_option(spark, "ReservedCodeCacheSize")) >= 240 * MIB
    assert _vm_option(spark, "UseCodeCacheFlushing") == "true"


def _make_dry_run(*args: str) -> str:
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_local_job_runs_use_the_same_options_and_can_drop_them() -> None:
    from tools.jvm import local_jvm_options

    wanted = f"--driver-java-options '{' '.join(local_jvm_options())}'"
    for target, paths in (("glue-local", "RAW=r"), ("charts-local", "DROP=d")):
        assert wanted in _make_dry_run(target, paths, "CURATED=c")
        assert "--driver-java-options" not in _make_dry_run(
            target, paths, "CURATED=c", "JVM_OPTIONS="
        )


def test_the_session_jvm_maps_the_class_archive(spark) -> None:
    # Once `make class-archive` has built it (tools/class_archive.py), every local session
    # is given it; a JVM that could not use it would only warn and load every class from
    # the jars, so the mapping itself is what is checked.
    import pytest

    from tools.class_archive import archive_path

    path = archive_path()
    if path is None or not path.is_file():
        pytest.skip("no class archive in this environment (make class-archive builds it)")
    assert f"-XX:SharedArchiveFile={path}" in _input_arguments(spark)
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    with open(f"/proc/{pid}/maps") as maps:
        assert str(path) in maps.read()


def _input_arguments(spark) -> list[str]:
    jvm = spark.sparkContext._jvm
    return list(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
