"""The extractor as a command (the same code as the Lambda):

    python -m extract_lambda --out <dir or s3://bucket/prefix> <playlist_id>...

Credentials come from SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and, for a development-mode
app, SPOTIFY_REFRESH_TOKEN; endpoints and tuning from the same variables as the Lambda
(SPOTIFY_API_URL, SPOTIFY_AUTH_URL, SPOTIFY_MARKET, MAX_CONCURRENCY, SPOTIFY_API_SHAPE).
Without ids on the command line, PLAYLIST_IDS is used.

``python -m extract_lambda enrich ...`` runs the second task instead, the enrichment of
charted tracks (``python -m extract_lambda.enrich``; docs/track-documents.md).

Prints the run summary (JSON) on stdout, logs on stderr. Exit status: 0 when at least one
playlist was landed (like the Lambda; ``--strict``: only when all were), 1 when none was,
2 for a usage or configuration error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from extract_lambda.config import ConfigError, ExtractConfig, split_playlist_ids
from extract_lambda.extract import extract_playlists
from extract_lambda.logsafe import log_to_stderr
from extract_lambda.storage import sink_from_uri


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m extract_lambda",
        description="Land complete snapshots of Spotify playlists (see docs/extractor.md).",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="raw root: a directory, or s3://bucket/prefix (e.g. s3://raw/playlist_snapshots)",
    )
    parser.add_argument("--kms-key-id", default=None, help="SSE-KMS key for s3:// (else AES256)")
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every playlist landed")
    parser.add_argument("playlist_ids", nargs="*", help="ids, spotify:playlist: URIs or URLs")
    return parser


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["enrich"]:
        from extract_lambda.enrich import main as enrich_main

        return enrich_main(arguments[1:], environ)
    args = build_parser().parse_args(argv)
    environ = dict(os.environ if environ is None else environ)
    log_to_stderr()
    playlist_ids = args.playlist_ids or split_playlist_ids(environ.get("PLAYLIST_IDS"))
    if not playlist_ids:
        print("error: give playlist ids (or set PLAYLIST_IDS)", file=sys.stderr)
        return 2
    try:
        config = ExtractConfig.from_env(environ)
        sink = sink_from_uri(
            args.out, kms_key_id=args.kms_key_id or environ.get("RAW_KMS_KEY_ID") or None
        )
    except (ConfigError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    summary = extract_playlists(config, playlist_ids, sink)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not summary["playlists_ok"]:
        return 1
    if args.strict and summary["playlists_failed"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
