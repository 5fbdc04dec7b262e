"""tools.fingerprint: the same rows in two lakes give the same fingerprints wherever the
lakes are; one changed value is named, with the views that show it."""

from __future__ import annotations

import json
from pathlib import Path

from glue_jobs.tables import DIM_CHART, FACT_CHART_ENTRY
from tests.sql.chart_fixture import dim_rows, fact_rows, write_tables
from tools import fingerprint


def _lake(folder: Path, *, change_rank: bool = False, added_at_shift: int = 0) -> Path:
    curated = folder / "lake" / "curated"
    facts = fact_rows()
    for i, row in enumerate(facts):
        # as the chart job writes it: the absolute location of the drop file
        row["source_file"] = f"file://{curated.parent.as_posix()}/drop/{row['source_file']}"
        if added_at_shift:
            row["added_at"] = row["added_at"].replace(second=added_at_shift)
        if change_rank and i == 0:
            row["streams"] = (row["streams"] or 0) + 1
    write_tables(curated, [(FACT_CHART_ENTRY, facts), (DIM_CHART, dim_rows())])
    return curated


def test_two_lakes_with_the_same_rows_in_different_folders_compare_equal(tmp_path) -> None:
    first = fingerprint.fingerprints(_lake(tmp_path / "a"))
    second = fingerprint.fingerprints(_lake(tmp_path / "b" / "deeper"))
    assert first == second
    assert first["table:fact_chart_entry"]["rows"] == len(fact_rows())
    assert any(name.startswith("view:chart_") for name in first)


def test_one_changed_value_names_its_table_and_the_views_that_show_it(tmp_path) -> None:
    before = fingerprint.fingerprints(_lake(tmp_path / "a"))
    after = fingerprint.fingerprints(_lake(tmp_path / "b", change_rank=True))
    changed = fingerprint.differences(before, after)
    names = {line.split(":")[0] + ":" + line.split(":")[1] for line in changed}
    assert "table:fact_chart_entry" in names
    assert "view:chart_entry_songs" in names
    assert "table:dim_chart" not in names
    assert all("sha256" in line for line in changed)


def test_an_ignored_column_does_not_count_and_the_command_says_so(tmp_path, capsys) -> None:
    before = tmp_path / "before.json"
    assert fingerprint.main([str(_lake(tmp_path / "a")), "--out", str(before)]) == 0
    assert json.loads(before.read_text())["table:dim_chart"]["rows"] == len(dim_rows())
    shifted = _lake(tmp_path / "b", added_at_shift=7)
    assert fingerprint.main([str(shifted), "--compare", str(before)]) == 1
    assert "table:fact_chart_entry" in capsys.readouterr().out
    ignore = ["--ignore", "fact_chart_entry.added_at"]
    assert fingerprint.main([str(_lake(tmp_path / "a")), "--out", str(before), *ignore]) == 0
    assert fingerprint.main([str(shifted), "--compare", str(before), *ignore]) == 0
    assert "are the same" in capsys.readouterr().out
