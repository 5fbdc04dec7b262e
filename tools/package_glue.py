"""Build dist/glue_jobs.zip: the ``glue_jobs`` package, for ``--extra-py-files`` / ``--py-files``.

    python -m tools.package_glue [--output dist/glue_jobs.zip]

(``make package-glue``.) The job needs nothing beyond the Glue 5.0 runtime (Spark 3.5.4,
Python 3.11), so the zip holds only the package's ``.py`` files, at ``glue_jobs/...``. It is
deterministic (sorted entries, every timestamp 1980-01-01, fixed permissions, no
``__pycache__``), so Terraform's etag/hash of the uploaded object only changes with the code.
The entry script ``glue_jobs/star_schema_job.py`` is inside too (harmless) and is also
uploaded on its own as the job's ``ScriptLocation``.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from tools.untracked import refuse_untracked

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "glue_jobs"
DEFAULT_OUTPUT = PROJECT_ROOT / "dist" / "glue_jobs.zip"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def package_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """The package's source files, relative to ``root``, sorted."""
    package_dir = root / PACKAGE
    if not (package_dir / "__init__.py").is_file():
        raise FileNotFoundError(f"{package_dir} is not a Python package")
    refuse_untracked(package_dir)
    return sorted(
        p.relative_to(root) for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts
    )


def build(output: Path = DEFAULT_OUTPUT, root: Path = PROJECT_ROOT) -> Path:
    """Write the zip (atomically: a reader never sees half of it) and return its path."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in package_files(root):
            info = zipfile.ZipInfo(rel.as_posix(), date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (root / rel).read_bytes())
    tmp.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        path = build(args.output)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as zf:
        count = len(zf.namelist())
    print(f"wrote {path} ({count} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
