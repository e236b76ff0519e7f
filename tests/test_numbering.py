"""Gaps in a series' numbering, found and written once for `check` and the timelines."""

from __future__ import annotations

import pytest

from graph_builder.loading.numbering import missing_numbers, number_ranges


@pytest.mark.parametrize("known,missing,written", [
    ([28, 30], [29], "29"),
    ([12, 24], list(range(13, 24)), "13–23"),
    ([1, 2, 3], [], ""),
    ([5], [], ""),
    ([], [], ""),
    ([30, 1, 28, 1], [*range(2, 28), 29], "2–27, 29"),
])
def test_missing_numbers_and_how_they_are_written(known, missing, written):
    assert missing_numbers(known) == missing
    assert number_ranges(missing) == written
