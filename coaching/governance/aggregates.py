"""The group-size rule for organisation-wide views: no cell, and no difference of cells, under the minimum.

A breakdown (e.g. by team) may show a cell only when it covers at least `min_group` people, and the
people left out of the shown cells must number 0 or at least `min_group` too: otherwise the total
minus the shown cells would reveal a small group. Small cells are hidden first; if what they leave
is still too small, the smallest shown cells are hidden as well (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

LOWEST_MIN_GROUP = 3


def disclosable(counts: Mapping[K, int], min_group: int) -> set[K]:
    """The cells of a breakdown that may be shown, given how many people each covers."""
    if min_group < LOWEST_MIN_GROUP:
        raise ValueError(f"the minimum group is never below {LOWEST_MIN_GROUP}, got {min_group}")
    if sum(counts.values()) < min_group:
        return set()
    shown = {key for key, n in counts.items() if n >= min_group}
    hidden = sum(counts.values()) - sum(counts[key] for key in shown)
    while 0 < hidden < min_group:
        smallest = min(shown, key=lambda key: (counts[key], repr(key)))
        shown.remove(smallest)
        hidden += counts[smallest]
    return shown
