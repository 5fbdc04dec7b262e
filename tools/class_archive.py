"""A class-data-sharing archive for the local Spark runs: the JVM maps the classes a run
loads from one file instead of reading, parsing and verifying them from Spark's jars at
every start.

A local run (a test session, the demo, `make glue-local`, the benchmark smoke test's Glue
runs) starts a new JVM, which loads tens of thousands of classes before the job's first query. The JVM can
record the classes it loaded into an archive when it exits
(``-XX:ArchiveClassesAtExit``, "dynamic AppCDS", JDK 13 and later) and map them from that
archive in later JVMs (``-XX:SharedArchiveFile``). The results do not change; only the
start does (docs/benchmarks.md has the measurements).

An archive is valid only for the JVM that wrote it and the exact jars it read: the JVM
refuses it (with a warning) after any change to either. So the archive's file name carries
a key of the JDK (its launcher, JVM library and base archive) and of PySpark's jars (names,
sizes, times), and it lives in the virtual environment, next to the jars it describes: a new
JDK or a new PySpark gives a new name, the old file is not used, and the next build deletes
it. Glue's own JVM never sees it.

``python -m tools.class_archive`` (``make class-archive``, opt-in) builds the archive for
this environment if it is missing: one small offline run of both jobs in a JVM that writes
the archive at exit. :func:`tools.jvm.local_jvm_options` uses it from then on. A failed
build is reported and leaves no archive; the runs then start without one, as before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Where the archives live: in the environment whose PySpark jars they describe.
ARCHIVE_DIR = Path(sys.prefix) / "share" / "spark-class-archive"


def _java() -> Path | None:
    """The java executable spark-submit starts: $JAVA_HOME/bin/java, else java on PATH."""
    home = os.environ.get("JAVA_HOME")
    found = os.path.join(home, "bin", "java") if home else shutil.which("java")
    return Path(found).resolve() if found and os.path.exists(found) else None


def _jars() -> Path | None:
    try:
        import pyspark
    except ImportError:
        return None
    jars = Path(pyspark.__file__).parent / "jars"
    return jars if jars.is_dir() else None


def archive_key() -> str | None:
    """A key of the JDK (its launcher, JVM library and base archive) and of PySpark's jars;
    None when either is missing."""
    java, jars = _java(), _jars()
    if java is None or jars is None:
        return None
    # The JVM library and its own base archive change with the JDK, even where an update
    # leaves the launcher alone.
    jdk = [java.parents[1] / "lib" / "server" / name for name in ("libjvm.so", "classes.jsa")]
    digest = hashlib.sha256()
    for path in [java, *(p for p in jdk if p.is_file()), *sorted(jars.iterdir())]:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def archive_path() -> Path | None:
    """This environment's archive file (which may not exist yet); None without a key."""
    key = archive_key()
    return ARCHIVE_DIR / f"spark-{key}.jsa" if key else None


def archive_options() -> tuple[str, ...]:
    """The JVM option that maps this environment's archive, when it has been built."""
    path = archive_path()
    return (f"-XX:SharedArchiveFile={path}",) if path is not None and path.is_file() else ()


def build(path: Path, *, timeout: float = 600) -> None:
    """Write the archive to ``path``: a training run (:func:`train`) in a child process
    whose JVM records its classes when it exits. Raises RuntimeError when no archive came
    out; ``path`` then does not exist (the JVM writes to a temporary name first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="class-archive-") as work:
        done = subprocess.run(
            [sys.executable, "-m", "tools.class_archive", "--train", work, str(partial)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"the training run wrote no archive (exit {done.returncode}):\n{tail}")
    partial.replace(path)


def train(work: Path, dump_to: Path) -> None:
    """The training run: both jobs over a small generated data set and their tables read
    back, then the playlist job again without Spark's generated code (as the test session
    runs), in a session of :mod:`tools.jvm` whose JVM writes ``dump_to`` at exit."""
    from glue_jobs.charts_pipeline import run_chart_job
    from glue_jobs.pipeline import run_job
    from tools.bench import charts_generate, generate
    from tools.jvm import LOCAL_JVM_OPTIONS, local_session_builder

    raw = generate.generate(generate.plan_layout(300), work / "playlists")["raw"]
    charts = work / "charts"
    charts_generate.generate(charts_generate.plan_chart_layout(days=3, regions=2, files=2), charts)
    spark = local_session_builder(
        "class-archive", "1g", (*LOCAL_JVM_OPTIONS, f"-XX:ArchiveClassesAtExit={dump_to}")
    ).getOrCreate()
    jvm = spark.sparkContext._gateway.proc
    playlists, chart_tables = work / "curated", work / "chart-tables"
    run_job(spark, str(raw), str(playlists))
    run_chart_job(spark, str(charts / "drop"), str(chart_tables))
    for lake in (playlists, chart_tables):
        for table in lake.iterdir():
            if not table.name.startswith("_"):
                spark.read.parquet(str(table)).collect()
    # Spark's interpreted expressions, as the test session runs them.
    spark.conf.set("spark.sql.codegen.wholeStage", "false")
    spark.conf.set("spark.sql.codegen.factoryMode", "NO_CODEGEN")
    run_job(spark, str(raw), str(playlists), reset_bookmark=True)
    spark.stop()
    # The JVM writes the archive when it exits, which it does once its stdin closes.
    jvm.stdin.close()
    jvm.wait(timeout=300)


def remove_stale(keep: Path) -> None:
    """Delete the archives of this environment's earlier JDKs or jars: no JVM can use them."""
    for stale in keep.parent.glob("spark-*.jsa"):
        if stale != keep:
            stale.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--train"]:
        train(Path(args[1]), Path(args[2]))
        return 0
    path = archive_path()
    if path is None:
        print("class archive: no java or no pyspark here, nothing to build", file=sys.stderr)
        return 0
    if path.is_file():
        return 0
    print(f"class archive: building {path} (one small run of both jobs) ...", file=sys.stderr)
    try:
        build(path)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        # Not fatal: the local runs start without an archive, only more slowly.
        print(f"class archive: not built, the runs start without it: {error}", file=sys.stderr)
        return 0
    remove_stale(path)
    print(f"class archive: {path.stat().st_size / 2**20:,.0f} MiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
