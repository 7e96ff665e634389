"""Pay bands of the dual ladder: per level, both tracks' bands side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import plotly.graph_objects as go

from coaching.measurement.scoring import joined
from coaching.paths.catalogue import Catalogue, PathKind, PayBand
from coaching.views.view import (
    LADDER,
    LADDER_COLOURS,
    OPENINGS_COLOUR,
    View,
    base_layout,
    empty_view,
    safe,
)


class _Rung(NamedTuple):
    """A level with a pay band, as the chart draws it (a level on a track always has a rank)."""

    name: str
    band: PayBand


def pay_ladder_view(catalogue: Catalogue) -> View:
    """The dual ladder: per level rank, both tracks' bands side by side (minimum to maximum, midpoint marked)."""
    title = "Pay bands of the two tracks, level by level"
    levels = {kind: {o.rank: _Rung(o.name, o.band) for o in catalogue.of_kind(kind)
                     if o.rank is not None and o.band is not None} for kind in LADDER}
    ranks = sorted({rank for by_rank in levels.values() for rank in by_rank})
    if not ranks:
        return empty_view(title, "The catalogue has no pay bands yet: an admin adds them to the track levels.")
    fig = go.Figure()
    for kind in LADDER:
        bands = [levels[kind][r].band if r in levels[kind] else None for r in ranks]
        names = [safe(levels[kind][r].name) if r in levels[kind] else "" for r in ranks]
        fig.add_trace(go.Bar(
            name=kind.label, x=ranks, offsetgroup=kind.value,
            base=[float(b.minimum) if b else None for b in bands],
            y=[float(b.maximum - b.minimum) if b else None for b in bands],
            marker={"color": LADDER_COLOURS[kind]},
            hovertext=[f"{n}: {b.minimum:,.0f} to {b.maximum:,.0f} {b.currency}" if b else ""
                       for n, b in zip(names, bands, strict=True)],
            hoverinfo="text",
        ))
        fig.add_trace(go.Scatter(
            name=f"{kind.label} midpoint", x=ranks, offsetgroup=kind.value,
            y=[float(b.midpoint) if b else None for b in bands], mode="markers",
            marker={"symbol": "line-ew", "size": 28, "line": {"width": 3, "color": OPENINGS_COLOUR}},
            hovertext=[f"{n}: midpoint {b.midpoint:,.0f} {b.currency}" if b else ""
                       for n, b in zip(names, bands, strict=True)],
            hoverinfo="text", showlegend=False,
        ))
    currencies = sorted({o.band.currency for by_rank in levels.values() for o in by_rank.values()})
    fig.update_xaxes(tickmode="array", tickvals=ranks, ticktext=[_rung(levels, r) for r in ranks])
    fig.update_yaxes(title_text=f"Pay band ({', '.join(currencies)})", tickformat=",.0f", rangemode="tozero")
    base_layout(fig, height=400)
    fig.update_layout(barmode="group", scattermode="group", showlegend=True,
                      legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})
    table = [
        {"Level": rank, "Track": kind.label, "Position": o.name, "Minimum": float(o.band.minimum),
         "Midpoint": float(o.band.midpoint), "Maximum": float(o.band.maximum), "Currency": o.band.currency}
        for rank in ranks for kind in LADDER if (o := levels[kind].get(rank)) is not None
    ]
    return View(title=title, figure=fig, reading=_parity_reading(levels, ranks), table=table)


def _rung(levels: Mapping[PathKind, Mapping[int, _Rung]], rank: int) -> str:
    """A level's tick: its rank and each track's position there, one per line."""
    names = [safe(levels[kind][rank].name) for kind in LADDER if rank in levels[kind]]
    return "<br>".join([f"Level {rank}", *names])


def _parity_reading(levels: Mapping[PathKind, Mapping[int, _Rung]], ranks: list[int]) -> str:
    """Whether the two tracks pay alike level by level: the promise of a dual ladder."""
    paired = [r for r in ranks if all(r in levels[kind] for kind in LADDER)]
    differ = [r for r in paired if len({levels[kind][r].band for kind in LADDER}) > 1]
    if differ:
        r = differ[0]
        manager, expert = (levels[kind][r] for kind in LADDER)
        return (f"The tracks pay differently at level {r}: {manager.name} has a midpoint of "
                f"{manager.band.midpoint:,.0f} {manager.band.currency}, {expert.name} "
                f"{expert.band.midpoint:,.0f} {expert.band.currency}.")
    if not paired:
        return "Only one track has pay bands, so the two ladders cannot be compared yet."
    alone = [r for r in ranks if r not in paired]
    if not alone:
        where = f"all {len(paired)} levels" if len(paired) > 1 else "their one level"
        return f"Both tracks pay the same band at {where}."
    return (f"Both tracks pay the same band at the {len(paired)} levels they share; level "
            f"{joined([str(r) for r in alone])} exists on one track only.")
