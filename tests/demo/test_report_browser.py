"""The report as a browser shows it: headless Chromium screenshots it and dumps its DOM.

Checks that the page renders (a screenshot with real content, the charts' green bars among
it) and that every chart's SVG is in the rendered DOM with as many data marks as its
``data-points`` says.
"""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from tools.demo import report

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ACCENT = (0x1D, 0xB9, 0x54)  # the bars' colour (tools.demo.charts.ACCENT)


# HTML elements that never have an end tag: they must not be pushed on the element stack.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _DomCharts(HTMLParser):
    """Collects, per chart figure, its data-points and the ids of elements inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict] = {}
        self._open: list[str | None] = []  # the chart each open element belongs to

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attributes = dict(attrs)
        current = self._open[-1] if self._open else None
        if tag == "figure" and "chart" in (attributes.get("class") or "").split():
            current = attributes["id"]
            self.figures[current] = {
                "points": int(attributes["data-points"]),
                "ids": [],
                "svg": 0,
            }
        elif current is not None:
            if tag == "svg":
                self.figures[current]["svg"] += 1
            if attributes.get("id"):
                self.figures[current]["ids"].append(attributes["id"])
        self._open.append(current)

    def handle_startendtag(self, tag, attrs):
        if tag not in _VOID:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in _VOID and self._open:
            self._open.pop()


def test_chromium_renders_the_report_with_its_charts(small_demo, chromium, tmp_path):
    page = small_demo.result.report.as_uri()
    shot = tmp_path / "report.png"
    chromium.run(tmp_path / "profile-shot", "--window-size=1280,2400", f"--screenshot={shot}", page)
    dom = chromium.run(tmp_path / "profile-dom", "--dump-dom", page)

    # The screenshot: a page with content, not a blank or an error page.
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    assert pixels.shape == (2400, 1280, 3)
    flat = pixels.reshape(-1, 3)
    colours = len(np.unique(flat, axis=0))
    inked = float((flat.sum(axis=1) < 3 * 235).mean())
    green = int((np.abs(flat - np.array(ACCENT)).max(axis=1) <= 12).sum())
    assert colours > 200, f"only {colours} distinct colours: blank page?"
    assert inked > 0.05, f"only {inked:.1%} of the page is drawn on"
    assert green > 5_000, f"only {green} pixels of the bars' green: charts not drawn?"

    # The rendered DOM: every chart is an SVG with its data marks.
    parser = _DomCharts()
    parser.feed(dom)
    assert set(parser.figures) == set(report.CHART_IDS)
    for chart_id, figure in parser.figures.items():
        assert figure["svg"] == 1, chart_id
        marks = [i for i in figure["ids"] if i.startswith(f"{chart_id}-pt-")]
        assert figure["points"] > 0, f"{chart_id} has no data"
        assert len(marks) == figure["points"], chart_id
