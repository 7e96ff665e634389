"""Demand against offer: per path, the members whose primary aspiration it serves well beside its openings."""

from __future__ import annotations

import plotly.graph_objects as go

from coaching.measurement.scoring import joined
from coaching.paths.fit import Demand
from coaching.views.view import (
    NOT_LIMITED,
    OFFER_COLOUR,
    OPENINGS_COLOUR,
    View,
    base_layout,
    empty_view,
    openings_text,
    safe,
)

#: The demand bar's name and table column.
SERVED = "Members whose primary aspiration it serves"
#: Height of one option's row in the demand chart: room for its two bars and their labels beside them.
DEMAND_ROW_PX = 40


def demand_offer_view(demands: list[Demand], *, not_counted: int) -> View:
    """Per option, the members whose primary aspiration it serves well beside its openings; no limit is not 0.

    `not_counted` members (no primary aspiration named, or answers to check first) are in no bar; the reading
    says how many, so a short bar is not read as a team that wants nothing.

    Every bar is labelled at its end (a count, "none open"), a path without a limit says "not limited"
    in place of a bar, and the chart grows with the number of options so labels never sit on bars.
    """
    title = "Demand for each path against its openings"
    if not demands:
        return empty_view(title, "There are no paths on offer yet: add options to the catalogue.")
    keys = [d.option.key for d in demands]
    names = [safe(d.option.name) for d in demands]
    unlimited = [d.option.key for d in demands if d.openings is None]
    fig = go.Figure([
        go.Bar(name=SERVED, x=[d.demand for d in demands], y=keys, orientation="h",
               offsetgroup="demand", marker={"color": OFFER_COLOUR},
               text=[str(d.demand) for d in demands], textposition="outside", cliponaxis=False,
               hovertext=[f"{n}: serves the primary aspiration of {d.demand}"
                          for n, d in zip(names, demands, strict=True)],
               hoverinfo="text"),
        go.Bar(name="Openings", x=[d.openings for d in demands], y=keys, orientation="h", offsetgroup="openings",
               marker={"color": OPENINGS_COLOUR, "pattern": {"shape": "/"}},
               text=[None if d.openings is None else openings_text(d.openings) for d in demands],
               textposition="outside", cliponaxis=False,
               hovertext=[f"{n}, openings: {openings_text(d.openings)}" for n, d in zip(names, demands, strict=True)],
               hoverinfo="text"),
        go.Scatter(name="Openings not limited", x=[0] * len(unlimited), y=unlimited, mode="text",
                   offsetgroup="openings", orientation="h", text=[NOT_LIMITED] * len(unlimited),
                   textposition="middle right", textfont={"size": 10}, hoverinfo="skip", showlegend=False),
    ])
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=keys, ticktext=names, automargin=True)
    most = _most(demands)
    fig.update_xaxes(title_text="People", range=[0, most * 1.15 + 1], dtick=1 if most <= 10 else None)
    base_layout(fig, height=120 + DEMAND_ROW_PX * len(demands))
    fig.update_layout(barmode="group", scattermode="group", bargap=0.3, showlegend=True, margin={"t": 60},
                      legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"})
    table = [{"Path": d.option.name, "Kind": d.option.kind.label, SERVED: d.demand,
              "Openings": openings_text(d.openings)} for d in demands]
    return View(title=title, figure=fig, reading=_demand_reading(demands) + _not_counted_reading(not_counted),
                table=table)


def _most(demands: list[Demand]) -> int:
    return max(max(d.demand, d.openings or 0) for d in demands)


def _demand_reading(demands: list[Demand]) -> str:
    """The biggest shortfall of openings, naming every other path short of them; else the path most in demand."""
    short = sorted((d for d in demands if d.openings is not None and d.demand > d.openings),
                   key=lambda d: -(d.demand - (d.openings or 0)))   # openings never None in `short`
    if short:
        worst, others = short[0], [d.option.name for d in short[1:]]
        offer = "no openings" if worst.openings == 0 else \
            f"only {worst.openings} opening{'s' if worst.openings != 1 else ''}"
        also = f" Also short of openings: {joined(others)}." if others else ""
        return (f"{worst.option.name} serves the primary aspiration of {worst.demand} "
                f"member{'s' if worst.demand != 1 else ''} but has {offer}.{also}")
    wanted = max(demands, key=lambda d: d.demand)
    if wanted.demand == 0:
        return "No path on offer serves any member's primary aspiration well."
    return (f"{wanted.option.name} serves the most primary aspirations ({wanted.demand}), and no path has fewer "
            "openings than people it serves.")


def _not_counted_reading(count: int) -> str:
    """' 3 members are not counted: ...', or nothing when everyone is counted.

    Not 'count for no path': a counted member whose primary aspiration no path serves well is in no bar either.
    """
    if not count:
        return ""
    return (f" {count} member{'s are' if count != 1 else ' is'} not counted: their answers name no single primary "
            "aspiration, or need checking first.")
