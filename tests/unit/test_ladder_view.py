"""The two-ladder picture of a development route (coaching.views.ladder), read from the figure's data."""

from __future__ import annotations

import datetime as dt

from coaching.core.settings import SHIPPED_DIR
from coaching.paths.catalogue import Catalogue, load_catalogue
from coaching.paths.routes import StepKind
from coaching.views.ladder import ladder_route_view

SHIPPED = load_catalogue(SHIPPED_DIR / "catalogue.toml")
OFFER = {o.key: o for o in SHIPPED.options}
MAY, NOV = dt.date(2027, 5, 31), dt.date(2027, 11, 30)


def test_rungs_today_and_each_route_as_numbered_arrows_with_bands_on_hover():
    routes = [("Route A", [(StepKind.UP, OFFER["staff"], MAY), (StepKind.ALONGSIDE, OFFER["remote_days"], NOV)]),
              ("Route B", [(StepKind.ACROSS, OFFER["team_lead"], MAY)])]
    view = ladder_route_view("Aiko", SHIPPED, "senior", routes)
    traces = {t.name: t for t in view.figure.data}
    assert list(traces["Expert track"].text) == ["Senior specialist", "Staff specialist", "Principal specialist",
                                                 "Distinguished specialist"]
    assert "Band: 64,000 – 74,000 – 84,000 EUR" in traces["Expert track"].hovertext[1]
    assert "Openings: 1" in traces["Expert track"].hovertext[1]
    assert (traces["Today"].x[0], traces["Today"].y[0]) == (1.0, 1.0), "today on the expert ladder's first rung"
    assert list(traces["Alongside any level"].text) == ["Remote days"]
    arrows = [(a.ax, a.ay, a.x, a.y) for a in view.figure.layout.annotations if a.showarrow]
    assert arrows == [(1.0, 1.0, 1.0, 2.0), (1.0, 2.0, 2.0, 1.0), (1.0, 1.0, 0.0, 1.0)], \
        "A: up a rung, then remote days from the new level; B: across"
    assert view.reading == ("Aiko is Senior specialist today. Route A: Staff specialist by May 2027, then Remote days "
                            "by Nov 2027. Route B: Team lead by May 2027.")
    staff = next(r for r in view.table if r["Level"] == "Staff specialist")
    assert staff["Route steps"] == "Route A step 1 by 31 May 2027"


def test_someone_not_on_a_ladder_starts_between_them_and_no_route_is_drawn_yet():
    view = ladder_route_view("José", SHIPPED, None, [])
    today = next(t for t in view.figure.data if t.name == "Today")
    assert (today.x[0], today.y[0]) == (0.5, 0.0)
    assert view.reading == "José is not on a ladder yet; no route drawn yet."
    assert not [a for a in view.figure.layout.annotations if a.showarrow]


def test_a_catalogue_without_levels_says_so_instead_of_an_empty_chart():
    view = ladder_route_view("Ana", Catalogue(options=[o for o in SHIPPED.options if not o.kind.is_track]), None, [])
    assert view.table == [] and "no levels on a track" in view.reading
