"""``make demo`` and ``make demo-live``: the whole pipeline on this machine.

    python -m tools.demo --dir build/demo                       # simulated, offline
    python -m tools.demo --dir build/demo --playlists 5 --weeks 4
    python -m tools.demo --dir build/demo-live --live <id> ...  # real Spotify API
    python -m tools.demo --dir build/demo --report-only         # rebuild the report

Exit status: 0 when the report was written, 1 when a stage failed, 2 for a usage or
configuration error (missing credentials, no playlist ids, a foreign --dir). See
docs/demo.md.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from tools.demo import runner


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo",
        description="Fake (or real) Spotify API -> extractor -> Glue job -> DuckDB -> report.",
    )
    parser.add_argument("--dir", type=Path, default=Path("build/demo"), help="the demo lake")
    parser.add_argument(
        "--playlists", type=int, default=runner.DEFAULT_PLAYLISTS, help="generated playlists"
    )
    parser.add_argument(
        "--weeks", type=int, default=runner.DEFAULT_WEEKS, help="weekly snapshots to simulate"
    )
    parser.add_argument("--seed", type=int, default=runner.DEFAULT_SEED)
    parser.add_argument(
        "--api-mode",
        choices=("development", "extended"),
        default="development",
        help="development: the 2026 API (no popularity); extended: legacy, with popularity",
    )
    parser.add_argument(
        "--glue-every",
        type=int,
        default=None,
        help="run the Glue job every N weeks (default: every week while the demo is on "
        "course to finish within --time-budget, else every few weeks)",
    )
    parser.add_argument(
        "--time-budget",
        type=float,
        default=runner.DEFAULT_TIME_BUDGET_S,
        help="seconds the automatic Glue cadence aims to finish in (default %(default)s)",
    )
    parser.add_argument(
        "--no-fault",
        action="store_true",
        help="do not inject the deliberately truncated raw file",
    )
    parser.add_argument(
        "--chart-weeks",
        type=int,
        default=runner.DEFAULT_CHART_WEEKS,
        help="weekly charts to generate per region for the charts stage (0: none; "
        "default %(default)s)",
    )
    parser.add_argument(
        "--chart-regions",
        type=lambda text: tuple(r.strip().lower() for r in text.split(",") if r.strip()),
        default=runner.DEFAULT_CHART_REGIONS,
        metavar="REGION,...",
        help="regions of the generated charts: global and/or 2-letter country codes "
        f"(default {','.join(runner.DEFAULT_CHART_REGIONS)})",
    )
    parser.add_argument(
        "--no-chart-samples",
        action="store_true",
        help="do not add the real chart files of ../shared/spotify-charts/ (when present)",
    )
    parser.add_argument(
        "--no-enrich",
        action="store_true",
        help="skip the enrichment stage: chart tracks not described through GET /tracks/{id}",
    )
    parser.add_argument(
        "--live",
        nargs="*",
        metavar="PLAYLIST",
        default=None,
        help="extract these playlists from the real Spotify API (SPOTIFY_* credentials)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="only rebuild <dir>/report.html from the lake already there",
    )
    return parser


def report_only(lake: Path) -> Path:
    from tools.demo.progress import Progress
    from tools.demo.report import read_demo_meta

    if not (lake / runner.CURATED_DIR).is_dir():
        raise runner.DemoError(f"no curated lake under {lake}: run the demo first")
    path, _, _ = runner.analytics_and_report(lake, read_demo_meta(lake), Progress())
    return path


def _interrupted(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, KeyboardInterrupt):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.report_only:
            report_only(args.dir)
        elif args.live is not None:
            runner.run_live(args.dir, args.live)
        else:
            options = runner.DemoOptions(
                lake=args.dir,
                playlists=args.playlists,
                weeks=args.weeks,
                seed=args.seed,
                api_mode=args.api_mode,
                glue_every=args.glue_every,
                time_budget_s=args.time_budget,
                inject_fault=not args.no_fault,
                chart_weeks=args.chart_weeks,
                chart_regions=args.chart_regions,
                chart_samples=not args.no_chart_samples,
                enrich=not args.no_enrich,
            )
            runner.run_simulated(options)
    except runner.UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except runner.DemoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        # Ctrl-C inside a Spark call surfaces as a Py4J error, with or without the
        # KeyboardInterrupt in its chain.
        if runner.INTERRUPTED.is_set() or _interrupted(error):
            print("interrupted", file=sys.stderr)
            return 130
        traceback.print_exc()
        print(f"error: the demo failed; details in {args.dir / 'demo.log'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
