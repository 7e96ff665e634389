"""Chart builders: pure functions from domain models to plotly figures (tested on the figure's data).

Colours are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies, and
every figure leaves its background transparent so it reads in the light and the dark theme.
"""

from __future__ import annotations

import plotly.graph_objects as go

from coaching.needs import NEEDS, Facet, Need, scale_label
from coaching.profiles import ScaleSummary

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
