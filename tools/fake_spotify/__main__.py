"""Run the fake Spotify Web API on loopback until interrupted.

    python -m tools.fake_spotify --port 8765 --playlists 20 --weeks 26 --seed 7

It prints the environment variables that point the extractor at it, and the playlist ids
of each kind. ``POST /_fake/week/<n>`` switches the week while it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from datetime import date

from tools.fake_spotify.catalogue import Catalogue
from tools.fake_spotify.server import MODES, FakeSpotifyServer, Fault


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.fake_spotify", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--playlists", type=int, default=20, help="user-owned playlists")
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--week", type=int, default=0, help="week served at start")
    parser.add_argument("--mode", choices=MODES, default="development")
    parser.add_argument("--large", type=int, default=None, help="add one playlist this large")
    parser.add_argument("--start-date", type=date.fromisoformat, default=date(2026, 5, 4))
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument(
        "--removed-track",
        action="append",
        default=[],
        metavar="ID",
        help="GET /tracks/{id} answers 404 for this id (repeatable)",
    )
    parser.add_argument(
        "--no-isrc-track",
        action="append",
        default=[],
        metavar="ID",
        help="GET /tracks/{id} serves this id without an ISRC (repeatable)",
    )
    parser.add_argument(
        "--same-recording",
        action="append",
        default=[],
        metavar="ID,ID[,ID...]",
        type=_id_list,
        help="GET /tracks/{id} serves these ids as one recording: one ISRC (repeatable)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        type=Fault.parse,
        help="e.g. 429:retry_after=2:times=3:path=/items (repeatable; see docs/fake-spotify.md)",
    )
    return parser


def _id_list(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if len(set(ids)) < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give two distinct track ids or more")
    return ids


def main(argv: list[str] | None = None, *, ready: threading.Event | None = None) -> int:
    args = build_parser().parse_args(argv)
    catalogue = Catalogue(
        seed=args.seed,
        playlists=args.playlists,
        weeks=args.weeks,
        large_playlist_items=args.large,
        start_date=args.start_date,
        removed_tracks=frozenset(args.removed_track),
        tracks_without_isrc=frozenset(args.no_isrc_track),
    )
    for track_ids in args.same_recording:
        catalogue.same_recording(track_ids)
    server = FakeSpotifyServer(
        catalogue,
        mode=args.mode,
        latency_s=args.latency,
        faults=args.fault,
        week=args.week,
        port=args.port,
    )
    with server:
        for name, value in server.env().items():
            print(f"export {name}={value}")
        print(
            json.dumps(
                {
                    "mode": server.mode,
                    "week": server.week,
                    "user_playlists": catalogue.user_playlist_ids,
                    "large_playlist": catalogue.large_playlist_id,
                    "editorial_404": catalogue.editorial_ids,
                    "not_owned_403": catalogue.not_owned_ids,
                },
                indent=2,
            )
        )
        sys.stdout.flush()
        if ready is not None:
            ready.set()
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
