"""Pay bands of the dual ladder (coaching.views.pay), read on the figure's data."""

from __future__ import annotations

import plotly.graph_objects as go

from coaching.paths.catalogue import Catalogue
from coaching.views.pay import pay_ladder_view

from .views_data import CATALOGUE, MANAGER, SENIOR, TEAM_LEAD


def test_pay_ladder_sets_both_tracks_bands_side_by_side_per_level_with_midpoints() -> None:
    view = pay_ladder_view(CATALOGUE)
    bars = [t for t in view.figure.data if isinstance(t, go.Bar)]
    mids = [t for t in view.figure.data if isinstance(t, go.Scatter)]

    assert [b.name for b in bars] == ["Management track", "Expert track"]
    assert view.figure.layout.barmode == "group"
    management, expert = bars
    assert list(management.x) == [1, 2] and list(management.base) == [50000, 60000]
    assert list(management.y) == [20000, 24000], "a bar spans minimum to maximum"
    assert list(expert.y) == [20000, 24000]
    assert [list(m.y) for m in mids] == [[60000, 72000], [60000, 70000]]
    assert [m.offsetgroup for m in mids] == [b.offsetgroup for b in bars], "each midpoint sits on its own bar"
    assert "EUR" in view.figure.layout.yaxis.title.text
    first_rung = view.figure.layout.xaxis.ticktext[0]
    assert "Team lead" in first_rung and "Senior specialist" in first_rung
    assert "Manager has a midpoint of 72,000 EUR, Staff specialist 70,000 EUR" in view.reading


def test_pay_ladder_with_equal_bands_says_the_tracks_pay_alike() -> None:
    equal = Catalogue(options=[TEAM_LEAD, SENIOR])
    view = pay_ladder_view(equal)

    assert view.reading == "Both tracks pay the same band at their one level."
    assert {(r["Track"], r["Minimum"], r["Maximum"]) for r in view.table} == {
        ("Management track", 50000.0, 70000.0), ("Expert track", 50000.0, 70000.0)}


def test_pay_ladder_shows_a_level_that_only_one_track_has() -> None:
    view = pay_ladder_view(Catalogue(options=[TEAM_LEAD, MANAGER, SENIOR]))
    expert = view.figure.data[2]

    assert list(expert.base) == [50000, None]
    assert "level 2 exists on one track only" in view.reading
