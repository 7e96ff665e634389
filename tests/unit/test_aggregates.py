"""The group-size rule: no shown cell, and no total minus shown cells, smaller than the minimum group."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.governance.aggregates import disclosable

counts_strategy = st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=40), max_size=12)


@settings(max_examples=300)
@given(counts=counts_strategy, min_group=st.integers(min_value=3, max_value=10))
def test_no_small_group_is_recoverable_by_subtraction(counts, min_group):
    shown = disclosable(counts, min_group)
    total = sum(counts.values())
    remainder = total - sum(counts[k] for k in shown)
    assert all(counts[k] >= min_group for k in shown)
    if total < min_group:
        assert not shown, "a view whose total is under the minimum shows nothing, not even the total"
    else:
        assert remainder == 0 or remainder >= min_group


@settings(max_examples=200)
@given(counts=counts_strategy, min_group=st.integers(min_value=3, max_value=10), data=st.data())
def test_every_filtered_view_obeys_the_rule_too(counts, min_group, data):
    """A filter (a subset of the cells, e.g. one department) is a breakdown of its own."""
    kept = data.draw(st.sets(st.sampled_from(sorted(counts)))) if counts else set()
    subset = {k: counts[k] for k in kept}
    shown = disclosable(subset, min_group)
    remainder = sum(subset.values()) - sum(subset[k] for k in shown)
    assert remainder == 0 or remainder >= min_group or sum(subset.values()) < min_group


def test_large_cells_are_shown_and_a_lone_small_cell_takes_the_smallest_large_one_with_it():
    assert disclosable({"a": 9, "b": 7, "c": 6}, 5) == {"a", "b", "c"}
    # c alone (2) could be worked out from the total; hiding b as well leaves 2 + 7 = 9 hidden.
    assert disclosable({"a": 9, "b": 7, "c": 2}, 5) == {"a"}
    assert disclosable({"a": 9, "b": 7, "c": 2, "d": 3}, 5) == {"a", "b"}


def test_a_total_under_the_minimum_shows_nothing():
    assert disclosable({"a": 2, "b": 1}, 5) == set()


def test_minimum_group_below_three_is_refused():
    with pytest.raises(ValueError, match="never below 3"):
        disclosable({"a": 10}, 2)
