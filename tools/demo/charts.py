"""The report's charts: matplotlib figures rendered to SVG strings for inlining in HTML.

Each chart function returns a :class:`Chart`: the SVG markup and the number of data marks
it drew. Every data mark (a bar, or one point of a line) is its own SVG element whose id is
``<chart id>-pt-<n>``, so a browser test can count in the rendered DOM that the chart
really drew its data, and compare with the figure's ``data-points`` attribute.

Matplotlib's object API is used (``Figure``, not ``pyplot``): no global state and no GUI
backend is touched (``savefig(format="svg")`` picks the SVG canvas itself), so it is safe
in a test process that runs other things. Text stays text in the SVG
(``svg.fonttype = none``): the file is smaller, names with any script render with the
browser's fonts, and the names can be found in the DOM.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

# A palette with enough contrast on white, colour-blind friendly (Okabe-Ito, plus two).
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#8C6D31",
    "#000000",
    "#F0E442",
    "#7F7F7F",
)
ACCENT = "#1DB954"  # Spotify green, for the main series
MUTED = "#9AA5B1"
WARN = "#D55E00"

_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.edgecolor": "#555555",
    "axes.grid": True,
    "grid.color": "#E5E8EB",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
}


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its id, inline SVG and how many data marks it drew."""

    chart_id: str
    svg: str
    points: int


def _mark(artist, chart_id: str, n: int) -> None:
    artist.set_gid(f"{chart_id}-pt-{n}")


def _render(fig: Figure, chart_id: str) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no metadata), ready to inline."""
    buffer = io.StringIO()
    # A per-chart hash salt keeps the ids matplotlib generates for clip paths and markers
    # distinct between the charts of one page (they share one id namespace once inlined).
    with rc_context({**_RC, "svg.hashsalt": chart_id}), warnings.catch_warnings():
        # Matplotlib measures text with its own font (DejaVu Sans, no CJK); the browser draws
        # it with the system's fonts, so a glyph missing here is not missing on the page.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    # Scale down with the page, never up: a narrow chart keeps its own size.
    text = re.sub(
        r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"',
        r'<svg\1 width="100%" style="max-width: \2pt" preserveAspectRatio="xMidYMid meet"',
        text,
        count=1,
    )
    return text


def _figure(width: float, height: float) -> Figure:
    with rc_context(_RC):
        return Figure(figsize=(width, height), layout="constrained")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _empty(fig: Figure, chart_id: str, message: str) -> Chart:
    """The chart of no data: the figure says why, and has no data marks."""
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#555555", wrap=True)
    return Chart(chart_id, _render(fig, chart_id), 0)


def _hbars(
    chart_id: str,
    bars_of: Sequence[tuple[str, int, str]],
    *,
    tall: tuple[float, float, float],
    empty: str,
    color: str | Sequence[str],
    height: float,
    headroom: float,
    xlabel: str,
    note_color: str | None = None,
) -> Chart:
    """Horizontal bars, first on top: (tick label, value, note written after the bar). The
    figure is `max(least, per_bar * bars + extra)` inches tall for `tall` = (least, per_bar,
    extra); with no bars it says `empty`."""
    least, per_bar, extra = tall
    with rc_context(_RC):
        fig = _figure(11, max(least, per_bar * len(bars_of) + extra))
        if not bars_of:
            return _empty(fig, chart_id, empty)
        ax = fig.add_subplot()
        y = list(range(len(bars_of)))
        values = [value for _, value, _ in bars_of]
        bars = ax.barh(y, values, color=color, height=height)
        for n, bar in enumerate(bars):
            _mark(bar, chart_id, n)
        for n, (_, value, note) in enumerate(bars_of):
            ax.text(value, n, "  " + note, va="center", fontsize=8.5, color=note_color)
        ax.set_yticks(y, [label for label, _, _ in bars_of])
        ax.invert_yaxis()
        ax.set_xlim(0, max(values) * headroom)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(xlabel)
        return Chart(chart_id, _render(fig, chart_id), len(bars))


def top_artists(chart_id: str, rows: Sequence[tuple[str, int, int]]) -> Chart:
    """Horizontal bars: (artist name, entries, playlists), largest first."""
    bars_of = [
        (
            _short(name or "(unnamed)", 32),
            entries,
            f"{entries:,}  ({playlists} playlist{'s' if playlists != 1 else ''})",
        )
        for name, entries, playlists in rows
    ]
    return _hbars(
        chart_id,
        bars_of,
        tall=(2.2, 0.34, 0.9),
        empty="No artists yet: no track entries in the lake.",
        color=ACCENT,
        height=0.7,
        headroom=1.28,
        xlabel="entries on the playlists' latest snapshots",
        note_color="#333333",
    )


def _week_ticks(ax, weeks: Sequence[date]) -> None:
    """At most about 10 date labels, so they never overlap."""
    x = list(range(len(weeks)))
    step = max(1, math.ceil(len(weeks) / 10))
    ax.set_xticks(x[::step], [w.strftime("%d %b") for w in weeks][::step])


def _week_lines(
    ax,
    chart_id: str,
    weeks: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    linewidth: float,
    label_limit: int,
    markersize: float,
    scale: float = 1,
    label_last: bool = False,
    right: float = 0.5,
) -> int:
    """One line per series over the weeks, a dot per week with a value (None: no dot); with
    `label_last`, the last week's value written beside its dot. Returns the dots drawn."""
    x = list(range(len(weeks)))
    points = 0
    for n, (label, values) in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        ys = [math.nan if v is None else scale * v for v in values]
        ax.plot(
            x, ys, color=color, linewidth=linewidth, label=_short(label, label_limit), alpha=0.9
        )
        for xi, value in zip(x, values, strict=True):
            if value is None:
                continue
            (dot,) = ax.plot([xi], [scale * value], "o", color=color, markersize=markersize)
            _mark(dot, chart_id, points)
            points += 1
        if label_last and values[-1] is not None:
            ax.annotate(
                f"#{values[-1]}",
                (x[-1], values[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=color,
            )
    _week_ticks(ax, weeks)
    ax.set_xlim(-0.5, len(weeks) - right)
    ax.grid(axis="x", visible=False)
    return points


def rank_trajectories(
    chart_id: str,
    weeks: Sequence[date],
    series: Sequence[tuple[str, Sequence[int | None]]],
    depth: int,
) -> Chart:
    """One line per song: its rank each week (None: outside the top `depth`), rank 1 on top."""
    with rc_context(_RC):
        fig = _figure(11, 6.2)
        if not series or not weeks:
            return _empty(fig, chart_id, "No ranked songs yet.")
        ax = fig.add_subplot()
        points = _week_lines(
            ax, chart_id, weeks, series, linewidth=2.4, label_limit=60, markersize=5
        )
        ax.set_ylim(depth + 0.5, 0.5)  # rank 1 at the top
        ax.set_yticks([1, *range(5, depth + 1, 5)])
        ax.set_ylabel(f"rank in the combined chart (top {depth})")
        # Below the plot, so the weeks get the whole width.
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(0, -0.09),
            ncols=2,
            frameon=False,
            fontsize=9,
        )
        return Chart(chart_id, _render(fig, chart_id), points)


def new_entries(chart_id: str, rows: Sequence[tuple[date, int, int]]) -> Chart:
    """Per week: new entries (bars up) and exits (bars down), summed over the playlists."""
    with rc_context(_RC):
        fig = _figure(11, 3.8)
        if not rows:
            return _empty(
                fig, chart_id, "New entries need two snapshots of a playlist: only one so far."
            )
        ax = fig.add_subplot()
        x = list(range(len(rows)))
        new = [r[1] for r in rows]
        exits = [-r[2] for r in rows]
        up = ax.bar(x, new, color=ACCENT, width=0.72, label="new entries")
        down = ax.bar(x, exits, color=MUTED, width=0.72, label="exits")
        points = 0
        for bar in [*up, *down]:
            _mark(bar, chart_id, points)
            points += 1
        if len(rows) <= 12:  # with more weeks the numbers would crowd each other
            for xi, value in zip(x, new, strict=True):
                ax.text(xi, value, f"{value:,}", ha="center", va="bottom", fontsize=8)
        ax.axhline(0, color="#555555", linewidth=0.8)
        _week_ticks(ax, [r[0] for r in rows])
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{abs(int(v)):,}")
        ax.set_ylabel("entries (exits below the line)")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, ncols=2)
        return Chart(chart_id, _render(fig, chart_id), points)


def popularity_by_period(chart_id: str, rows: Sequence[tuple[str, float, int]]) -> Chart:
    """Average popularity per release period: (period, average, songs with a popularity)."""
    with rc_context(_RC):
        fig = _figure(7, 3.2)
        ax = fig.add_subplot()
        labels = [r[0] for r in rows]
        values = [r[1] for r in rows]
        colors = [ACCENT if label == "last quarter" else MUTED for label in labels]
        bars = ax.bar(labels, values, color=colors, width=0.6)
        for n, (bar, row) in enumerate(zip(bars, rows, strict=True)):
            _mark(bar, chart_id, n)
            ax.text(
                bar.get_x() + bar.get_width() / 2,
                row[1],
                f"{row[1]:.1f}\n({row[2]:,} songs)",
                ha="center",
                va="bottom",
                fontsize=8.5,
            )
        ax.set_ylim(0, 100)
        ax.set_ylabel("average popularity (0-100)")
        ax.grid(axis="x", visible=False)
        return Chart(chart_id, _render(fig, chart_id), len(bars))


def songs_by_release_year(
    chart_id: str, rows: Sequence[tuple[int, int]], recent_from: int | None
) -> Chart:
    """Songs on the playlists per release year; years from `recent_from` on highlighted."""
    with rc_context(_RC):
        fig = _figure(11, 3.4)
        if not rows:
            return _empty(fig, chart_id, "No release dates in the lake.")
        ax = fig.add_subplot()
        years = [r[0] for r in rows]
        counts = [r[1] for r in rows]
        colors = [ACCENT if recent_from and y >= recent_from else MUTED for y in years]
        bars = ax.bar(years, counts, color=colors, width=0.8)
        for n, bar in enumerate(bars):
            _mark(bar, chart_id, n)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=14))
        ax.set_ylabel("songs on the playlists")
        ax.grid(axis="x", visible=False)
        return Chart(chart_id, _render(fig, chart_id), len(bars))


def data_quality(chart_id: str, rows: Sequence[tuple[str, int, bool]]) -> Chart:
    """Horizontal bars of rejection counts: (label, count, injected on purpose)."""
    return _hbars(
        chart_id,
        [(label, value, f"{value:,}") for label, value, _ in rows],
        tall=(2.0, 0.4, 0.9),
        empty="Nothing was rejected.",
        color=[WARN if r[2] else PALETTE[0] for r in rows],
        height=0.65,
        headroom=1.18,
        xlabel="count over all runs",
    )


# ---------------------------------------------------------------------------------------
# Spotify Charts
# ---------------------------------------------------------------------------------------

_RANK_TICKS = (1, 2, 3, 5, 10, 20, 50, 100, 200)


def chart_bump(
    chart_id: str,
    weeks: Sequence[date],
    series: Sequence[tuple[str, Sequence[int | None]]],
    max_rank: int,
) -> Chart:
    """A bump chart: one line per song, its rank each week (None: not on the chart), rank 1
    on top, on a log scale so that the top ranks get the room and the whole chart still fits."""
    with rc_context(_RC):
        fig = _figure(11, 6.4)
        if not series or not weeks:
            return _empty(fig, chart_id, "No chart files in this lake yet.")
        ax = fig.add_subplot()
        ax.set_yscale("log")
        points = _week_lines(
            ax,
            chart_id,
            weeks,
            series,
            linewidth=2.2,
            label_limit=60,
            markersize=4.5,
            label_last=True,
            right=0.2,
        )
        ticks = [t for t in _RANK_TICKS if t <= max_rank]
        ax.set_yticks(ticks, [str(t) for t in ticks])
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylim(max_rank * 1.08, 0.85)  # rank 1 at the top
        ax.set_ylabel(f"rank (log scale, 1 to {max_rank})")
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.09), ncols=2, frameon=False, fontsize=9)
        return Chart(chart_id, _render(fig, chart_id), points)


def weeks_on_chart_leaders(chart_id: str, rows: Sequence[tuple[str, int, int, bool]]) -> Chart:
    """Horizontal bars: (song label, weeks on chart, peak rank, still on the latest chart)."""
    bars_of = [
        (
            _short(label, 48),
            weeks,
            f"{weeks:,} weeks, peak #{peak}" + ("" if current else ", off the chart now"),
        )
        for label, weeks, peak, current in rows
    ]
    return _hbars(
        chart_id,
        bars_of,
        tall=(2.2, 0.34, 1.0),
        empty="No chart files in this lake yet.",
        color=[ACCENT if current else MUTED for *_, current in rows],
        height=0.7,
        headroom=1.32,
        xlabel="weeks on the chart (green: on the latest chart)",
        note_color="#333333",
    )


def artist_share(
    chart_id: str, weeks: Sequence[date], series: Sequence[tuple[str, Sequence[float | None]]]
) -> Chart:
    """One line per artist: the share (0..1) of the chart's streams on songs crediting them."""
    with rc_context(_RC):
        fig = _figure(11, 4.6)
        if not series or not weeks:
            return _empty(fig, chart_id, "No chart files in this lake yet.")
        ax = fig.add_subplot()
        points = _week_lines(
            ax, chart_id, weeks, series, linewidth=2.0, label_limit=40, markersize=3, scale=100
        )
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}%")
        ax.set_ylabel("share of the chart's streams")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
        return Chart(chart_id, _render(fig, chart_id), points)


def chart_climbers(chart_id: str, rows: Sequence[tuple[str, int, int]]) -> Chart:
    """Horizontal bars of places gained: (song label, previous rank, rank), biggest first."""
    bars_of = [
        (_short(label, 48), previous - rank, f"+{previous - rank}  (#{previous} \u2192 #{rank})")
        for label, previous, rank in rows
    ]
    return _hbars(
        chart_id,
        bars_of,
        tall=(2.0, 0.36, 0.9),
        empty="No song climbed on the latest chart (or there is only one week).",
        color=ACCENT,
        height=0.65,
        headroom=1.35,
        xlabel="places gained since the previous week",
    )
