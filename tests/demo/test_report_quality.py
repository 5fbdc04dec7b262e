"""The report's data-quality rules table (tools/demo/report.py).

Rendered from run summaries given here (one rule failing in one run of two). The table of
the real small demo's report is checked in test_demo_end_to_end.py, beside the other
checks of that run (its session fixture is built once per xdist worker, and a file's
tests stay on one worker).
"""

from __future__ import annotations

from html.parser import HTMLParser

from tools.demo import report


def _result(table, kind, columns, observed, threshold=0, **extra):
    return {
        "table": table,
        "kind": kind,
        "columns": columns,
        "threshold": threshold,
        "observed": observed,
        "passed": observed <= threshold,
        "failing_rows": 1 if observed > threshold else 0,
        "rows_checked": 10,
        **extra,
    }


def _run(drop: float, dangling: int) -> dict:
    rules = {
        "dim_playlist.total_items_drop": _result(
            "dim_playlist", "snapshot_drop", ["playlist_id", "total_items"], drop, 0.5
        ),
        "fact_playlist_item.track_id_in_dim_track": _result(
            "fact_playlist_item", "references", ["track_id"], dangling, reference="dim_track"
        ),
    }
    failed = [name for name, r in rules.items() if not r["passed"]]
    return {
        "status": "ok",
        "data_quality": {
            "rules_checked": 2,
            "rules_failed": len(failed),
            "failed_rules": failed,
            "rules": rules,
        },
    }


class _Rows(HTMLParser):
    """The cells of each row of the rules table, by the row's data-rule."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.classes: dict[str, str] = {}
        self._row: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-rule" in attrs:
            self._row = attrs["data-rule"]
            self.rows[self._row] = []
            self.classes[self._row] = attrs.get("class", "")
        elif tag == "td" and self._row:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[self._row].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: str) -> _Rows:
    parser = _Rows()
    parser.feed(page)
    return parser


def test_a_rule_that_failed_in_one_run_shows_its_failure_and_latest_value():
    runs = [_run(drop=0.75, dangling=0), {"status": "no_new_files"}, _run(drop=0.1, dangling=3)]
    page = report.quality_rules_html(runs)
    rows = _parse(page)
    drop = rows.rows["dim_playlist.total_items_drop"]
    # threshold, observed in the latest run, verdict of the latest run, runs failed
    assert drop[2:] == ["50.00%", "10.00%", "passed", "1 of 2"]
    assert rows.classes["dim_playlist.total_items_drop"] == "passed"
    dangling = rows.rows["fact_playlist_item.track_id_in_dim_track"]
    assert dangling[2:] == ["0", "3", "FAILED", "1 of 2"]
    assert "dim_track" in dangling[1]
    assert rows.classes["fact_playlist_item.track_id_in_dim_track"] == "failed"
    assert 'data-rules="2" data-failures="2"' in page
    assert "2 failed checks" in page and "each of the 2 runs" in page


def test_without_checks_the_report_says_so():
    page = report.quality_rules_html([{"status": "ok"}, {"status": "no_new_files"}])
    assert "No run summary reports data-quality checks" in page
    assert _parse(page).rows == {}
