"""The suite's longest-first list (tests/conftest.py) names files that exist."""

from __future__ import annotations

from tests.conftest import LONGEST_FIRST, PROJECT_ROOT


def test_every_file_of_the_longest_first_list_exists():
    # A renamed or deleted file would silently fall back to collection order.
    assert [name for name in LONGEST_FIRST if not (PROJECT_ROOT / name).is_file()] == []
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
