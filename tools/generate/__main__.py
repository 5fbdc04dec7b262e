"""``python -m tools.generate [--check]``: see :mod:`tools.generate`."""

from __future__ import annotations

import argparse
import sys

from tools.generate import stale, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.generate",
        description="Regenerate the files derived from glue_jobs/tables.py and the views.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a generated file differs"
    )
    args = parser.parse_args(argv)
    if args.check:
        differing = stale()
        for path in differing:
            print(f"out of date: {path} (run `make generate`)", file=sys.stderr)
        return 1 if differing else 0
    for path in write():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
