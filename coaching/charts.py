"""Chart builders: pure functions from domain models to plotly figures (tested on the figure's data).

Colours are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies, and
every figure leaves its background transparent so it reads in the light and the dark theme.
"""

from __future__ import annotations

import plotly.graph_objects as go

from coaching.needs import NEEDS, Facet, Need, scale_label
from coaching.profiles import ScaleSummary
from coaching.scoring import Profile

NEED_COLOURS: dict[str, str] = {
    Need.STATUS: "#E69F00",
    Need.SECURITY: "#56B4E9",
    Need.EXPERTISE: "#009E73",
    Need.AUTONOMY: "#CC79A7",
    Need.BALANCE: "#0072B2",
    Facet.STABILITY.scale: "#56B4E9",
    Facet.PAY.scale: "#56B4E9",
}


def _base_layout(fig: go.Figure, *, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
    )
    return fig


def needs_overview(summaries: list[ScaleSummary]) -> go.Figure:
    """Average score per need over a group, security's two facets indented under it, hover shows range."""
    ordered = sorted(summaries, key=_display_order)[::-1]   # plotly draws horizontal bars bottom-up
    labels = [("\u00a0\u00a0· " if "." in s.scale else "") + scale_label(s.scale) for s in ordered]
    fig = go.Figure(
        go.Bar(
            x=[s.mean for s in ordered],
            y=labels,
            orientation="h",
            marker={
                "color": [NEED_COLOURS[s.scale] for s in ordered],
                "pattern": {"shape": ["/" if "." in s.scale else "" for s in ordered]},
            },
            text=[f"{s.mean:.0f}" for s in ordered],
            textposition="outside",
            hovertext=[_hover(s) for s in ordered],
            hoverinfo="text",
        )
    )
    fig.update_xaxes(range=[0, 108], title_text="Average score (0-100)", showgrid=True)
    fig.update_yaxes(automargin=True)
    return _base_layout(fig, height=320)


def _hover(s: ScaleSummary) -> str:
    text = f"{scale_label(s.scale)}: average {s.mean:.0f} of 100 over {s.n} people"
    if s.low is not None and s.high is not None:
        text += f"<br>from {s.low:.0f} to {s.high:.0f}"
    return text


def _display_order(summary: ScaleSummary) -> int:
    """Needs in their usual order, each security facet right after security."""
    need = Need(summary.scale.split(".")[0])
    facet_rank = 0 if "." not in summary.scale else 1 + list(Facet).index(Facet(summary.scale.split(".")[1]))
    return NEEDS.index(need) * 3 + facet_rank


# ---- one person's profile -------------------------------------------------------------------------

#: Need labels broken over two lines, so the radar's spokes stay readable on a 375 px phone.
SPOKE_LABELS: dict[Need, str] = {
    Need.STATUS: "Status and<br>responsibility",
    Need.SECURITY: "Financial<br>security",
    Need.EXPERTISE: "Expertise<br>and acclaim",
    Need.AUTONOMY: "Autonomy",
    Need.BALANCE: "Work-life<br>balance",
}
#: Security's facets sit either side of its spoke, each with its own marker shape (never colour alone).
FACET_OFFSET_DEGREES = 14.0
FACET_SYMBOLS: dict[Facet, str] = {Facet.STABILITY: "diamond", Facet.PAY: "triangle-up"}
_OUTLINE = "#333333"
#: Plotly's own angle (counter-clockwise from east) half-way between the balance and status spokes.
_RADIAL_ANGLE = 90 + 360 / len(NEEDS) / 2


def _spoke(need: Need) -> float:
    """The angle of a need's spoke in degrees: status at the top, then clockwise in NEEDS order."""
    return NEEDS.index(need) * 360.0 / len(NEEDS)


def profile_chart(profile: Profile) -> go.Figure:
    """One person's scores as a radar: the five needs joined up, security's two facets as thin spokes beside it.

    A need or facet the instrument did not measure is left out, never drawn as 0.
    """
    scores = profile.scores
    needs = [need for need in NEEDS if need in scores]
    fig = go.Figure()
    if needs:
        closed = [*needs, needs[0]]
        fig.add_trace(go.Scatterpolar(
            name="Your needs",
            r=[scores[n] for n in closed],
            theta=[_spoke(n) for n in closed],
            mode="lines+markers",
            line={"color": _OUTLINE, "width": 2},
            fill="toself",
            showlegend=False,
            fillcolor="rgba(0, 114, 178, 0.12)",
            marker={"size": 11, "color": [NEED_COLOURS[n] for n in closed], "line": {"color": _OUTLINE, "width": 1}},
            hovertext=[f"{n.label}: {scores[n]:.0f} of 100" for n in closed],
            hoverinfo="text",
        ))
    for side, facet in zip((-1, 1), Facet, strict=True):
        if facet.scale not in scores:
            continue
        angle = _spoke(Need.SECURITY) + side * FACET_OFFSET_DEGREES
        value = scores[facet.scale]
        fig.add_trace(go.Scatterpolar(
            name=f"{Need.SECURITY.label}: {facet.label.lower()}",
            r=[0, value],
            theta=[angle, angle],
            mode="lines+markers",
            line={"color": NEED_COLOURS[facet.scale], "width": 1.5, "dash": "dot"},
            marker={"size": [0, 11], "symbol": FACET_SYMBOLS[facet], "color": NEED_COLOURS[facet.scale],
                    "line": {"color": _OUTLINE, "width": 1}},
            hovertext=["", f"{Need.SECURITY.label}, {facet.label.lower()}: {value:.0f} of 100"],
            hoverinfo="text",
            showlegend=True,
        ))
    fig.update_polars(
        bgcolor="rgba(0,0,0,0)",
        # The 0-100 ticks run up between balance and status, clear of every spoke and of the facets.
        radialaxis={"range": [0, 100], "tickvals": [25, 50, 75, 100], "tickfont": {"size": 9},
                    "angle": _RADIAL_ANGLE, "tickangle": _RADIAL_ANGLE, "showline": False},   # level labels
        angularaxis={"rotation": 90, "direction": "clockwise", "tickmode": "array",
                     "tickvals": [_spoke(n) for n in NEEDS], "ticktext": [SPOKE_LABELS[n] for n in NEEDS],
                     "tickfont": {"size": 12}},
    )
    _base_layout(fig, height=400)
    fig.update_layout(
        margin={"l": 60, "r": 60, "t": 40, "b": 10}, dragmode=False, showlegend=True,
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.05, "yanchor": "top",
                "font": {"size": 11}, "itemclick": False, "itemdoubleclick": False},
    )
    return fig
