"""How the paths on offer fit one person (coaching.views.fit), read on the figure's data."""

from __future__ import annotations

import plotly.graph_objects as go

from coaching.core.needs import NEEDS, Need
from coaching.paths.fit import fits
from coaching.views.fit import member_fit_view
from coaching.views.view import NEED_COLOURS

from .views_data import ANA, CATALOGUE


def test_fit_view_stacks_each_options_need_shares_best_on_top() -> None:
    found = fits(ANA, CATALOGUE)
    view = member_fit_view("Ana", found, [])
    bars = [t for t in view.figure.data if isinstance(t, go.Bar)]

    assert [b.name for b in bars] == [n.label for n in NEEDS]
    assert [b.marker.color for b in bars] == [NEED_COLOURS[n] for n in NEEDS]
    assert view.figure.layout.barmode == "stack"
    assert list(bars[0].y) == [f.option.key for f in found]
    assert view.figure.layout.yaxis.autorange == "reversed", "the first (best) option is drawn on top"
    assert list(view.figure.layout.yaxis.ticktext) == [f.option.name for f in found]
    for need, bar in zip(NEEDS, bars, strict=True):
        assert list(bar.x) == [f.shares[need] for f in found]
    assert found[0].option.key == "senior"
    assert view.reading == f"Ana fits Senior specialist best ({found[0].fit:.0f}); no strong need is left unmet."


def test_fit_view_calls_out_unmet_needs_on_the_chart_and_in_the_reading() -> None:
    view = member_fit_view("Ana", fits(ANA, CATALOGUE), [Need.AUTONOMY, Need.BALANCE])

    assert "autonomy and work-life balance are unmet needs" in view.reading
    assert any("autonomy and work-life balance" in a.text for a in view.figure.layout.annotations)


def test_fit_view_table_gives_each_options_fit_and_shares() -> None:
    found = fits(ANA, CATALOGUE)
    rows = member_fit_view("Ana", found, []).table

    assert [r["Path"] for r in rows] == [f.option.name for f in found]
    assert rows[0]["Fit (0-100)"] == round(found[0].fit), "a whole number, as the chart writes it"
    assert rows[0]["From expertise and acclaim"] == found[0].shares[Need.EXPERTISE]
