"""One measured extractor run in a fresh process, against a fake Spotify API already running.

The runner starts the fake (``python -m tools.fake_spotify``) in a process of its own, so
that serving pages never competes with the extractor for this interpreter's GIL, and
passes its address in the ``SPOTIFY_*`` environment variables, exactly as a local run of
the product gets them. This module calls the product's ``extract_playlists`` with the
product's configuration (only ``MAX_CONCURRENCY`` varies) and writes the timing and the
run summary as JSON.

Run as ``python -m tools.bench.run_extract --playlists ID[,ID] --out DIR --result R.json
[--concurrency N] [--deadline S]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", required=True, help="comma-separated ids")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, help="default: the product's")
    parser.add_argument("--deadline", type=float, help="seconds the run may take")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    from extract_lambda.config import ExtractConfig
    from extract_lambda.extract import extract_playlists
    from extract_lambda.retry import Deadline
    from extract_lambda.storage import LocalDirectorySink

    config = ExtractConfig.from_env(os.environ)
    if args.concurrency:
        config = dataclasses.replace(config, max_concurrency=args.concurrency)
    deadline = Deadline(args.deadline) if args.deadline else Deadline()
    started = time.perf_counter()
    summary = extract_playlists(
        config, args.playlists.split(","), LocalDirectorySink(args.out), deadline=deadline
    )
    elapsed = time.perf_counter() - started
    result = {
        "elapsed_s": round(elapsed, 3),
        "max_concurrency": config.max_concurrency,
        "deadline_s": args.deadline,
        "summary": {
            key: summary.get(key)
            for key in (
                "playlists_requested",
                "playlists_ok",
                "playlists_failed",
                "items",
                "bytes",
                "requests",
                "retries",
                "waited_s",
                "stopped",
            )
        },
    }
    args.result.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
