"""How the paths on offer fit one person: each option's fit split by what each need adds."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from coaching.core.needs import NEEDS, Need
from coaching.measurement.scoring import joined
from coaching.paths.fit import OptionFit
from coaching.views.view import (
    MAX_HEIGHT,
    NEED_COLOURS,
    OFFER_COLOUR,
    View,
    base_layout,
    empty_view,
    safe,
)


def member_fit_view(name: str, fits: list[OptionFit], unmet: list[Need]) -> View:
    """Each option's fit as a bar made of its needs' shares, best on top; unmet needs called out above."""
    title = f"How the paths on offer fit {name}"
    unmet_text = _unmet_phrase(unmet)
    if not fits:
        return empty_view(title, f"There are no paths on offer to compare {name} with ({unmet_text}): "
                                 "add options to the catalogue.")
    keys = [f.option.key for f in fits]
    fig = go.Figure()
    for need in NEEDS:
        shares = [f.shares.get(need, 0.0) for f in fits]
        fig.add_trace(go.Bar(
            name=need.label, x=shares, y=keys, orientation="h",
            marker={"color": NEED_COLOURS[need]},
            hovertext=[f"{safe(f.option.name)}: {need.label.lower()} adds {s:.1f} of its fit {f.fit:.0f}"
                       for f, s in zip(fits, shares, strict=True)],
            hoverinfo="text",
        ))
    fig.add_trace(go.Scatter(
        name="Fit", x=[f.fit for f in fits], y=keys, mode="text", text=[f"{f.fit:.0f}" for f in fits],
        textposition="middle right", hoverinfo="skip", showlegend=False,
    ))
    fig.update_xaxes(range=[0, 108], title_text="Fit (0-100), split by need", title_standoff=4)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=keys,
                     ticktext=[safe(f.option.name) for f in fits], automargin=True)
    base_layout(fig, height=min(MAX_HEIGHT, 120 + 20 * len(fits)))
    fig.update_layout(barmode="stack", showlegend=True, margin={"t": 75 if unmet else 30},
                      legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
    if unmet:
        # Two short lines: the plot starts right of the paths' names, so one long line ran off a half-width column.
        fig.add_annotation(text=f"Unmet: {safe(_needs_phrase(unmet))}<br>no path on offer serves "
                                f"{'it' if len(unmet) == 1 else 'them'} well",
                           xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="bottom",
                           showarrow=False, font={"color": OFFER_COLOUR})
    best = fits[0]
    reading = f"{name} fits {best.option.name} best ({best.fit:.0f}); {unmet_text}."
    table = [
        {"Path": f.option.name, "Kind": f.option.kind.label, "Fit (0-100)": round(f.fit)}
        | {f"From {need.label.lower()}": f.shares.get(need, 0.0) for need in NEEDS}
        for f in fits
    ]
    return View(title=title, figure=fig, reading=reading, table=table)


def _needs_phrase(needs: Sequence[Need]) -> str:
    return joined([n.label.lower() for n in needs])


def _unmet_phrase(unmet: Sequence[Need]) -> str:
    if not unmet:
        return "no strong need is left unmet"
    return f"{_needs_phrase(unmet)} {'is an unmet need' if len(unmet) == 1 else 'are unmet needs'}"
