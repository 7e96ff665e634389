"""The View every chart builder returns, and what the builders share: colours, layout, words.

Chart builders are pure functions from domain models to a View, tested on the figure's data. Colours
are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies, and every figure
leaves its background transparent so it reads in the light and the dark theme.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go

from coaching.core.needs import NEEDS, Facet, Need, scale_label
from coaching.measurement.profiles import ScaleSummary
from coaching.paths.catalogue import PathKind

NEED_COLOURS: dict[str, str] = {
    Need.STATUS: "#E69F00",
    Need.SECURITY: "#56B4E9",
    Need.EXPERTISE: "#009E73",
    Need.AUTONOMY: "#CC79A7",
    Need.BALANCE: "#0072B2",
    Facet.STABILITY.scale: "#56B4E9",
    Facet.PAY.scale: "#56B4E9",
}
#: Security's facets each have their own marker shape, so they are told apart without colour.
FACET_SYMBOLS: dict[Facet, str] = {Facet.STABILITY: "diamond", Facet.PAY: "triangle-up"}
#: Okabe-Ito colours left over once the needs have theirs, for what is not a need.
OFFER_COLOUR = "#D55E00"      # an option's claimed support, a team's demand
OPENINGS_COLOUR = "#999999"   # a mid grey: readable on a light and on a dark background
OUTLINE = "#333333"
MAX_HEIGHT = 460

#: The two tracks of the dual ladder, in the order they are drawn, each in the colour of the need it serves most.
LADDER = (PathKind.MANAGEMENT, PathKind.EXPERT)
LADDER_COLOURS = {PathKind.MANAGEMENT: NEED_COLOURS[Need.STATUS], PathKind.EXPERT: NEED_COLOURS[Need.EXPERTISE]}

NOT_LIMITED = "not limited"


@dataclass(frozen=True)
class View:
    """A chart ready to show: what it is, what it says about this data in words, and the same data as rows.

    The reading is the chart's alt text and the caption under its title; the table is the alternative
    for anyone who cannot or would rather not read a chart.
    """

    title: str
    figure: go.Figure
    reading: str
    table: Sequence[Mapping[str, object]] = field(default_factory=list)


def base_layout(fig: go.Figure, *, height: int) -> go.Figure:
    """Sized by its container but for its height, transparent, no legend unless the builder adds one."""
    fig.update_layout(**base_layout_values(height))
    return fig


def base_layout_values(height: int) -> dict[str, object]:
    """base_layout's settings, for a builder that makes its figure in one go (each update_* call costs
    plotly a validation pass: milliseconds on a page drawn at every respondent's Send)."""
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)", "showlegend": False}


def empty_view(title: str, reading: str) -> View:
    """What a builder gives when there is nothing to draw: no traces, hidden axes, the reason in words."""
    fig = base_layout(go.Figure(), height=160)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return View(title=title, figure=fig, reading=reading, table=[])


def safe(text: str) -> str:
    """Text typed by people, shown as typed inside a figure (plotly reads a few HTML tags)."""
    return html.escape(text, quote=False)


def highest_rated(scores: Mapping[str, float]) -> list[Need]:
    """The needs measured that share the highest score, in the usual order: more than one on a tie."""
    return _sharing(scores, max)


def lowest_rated(scores: Mapping[str, float]) -> list[Need]:
    """The needs measured that share the lowest score, in the usual order: more than one on a tie."""
    return _sharing(scores, min)


def _sharing(scores: Mapping[str, float], extreme: Callable[[list[float]], float]) -> list[Need]:
    measured = [n for n in NEEDS if n in scores]
    score = extreme([scores[n] for n in measured])
    return [n for n in measured if scores[n] == score]


def display_order(summary: ScaleSummary) -> int:
    """Needs in their usual order, each security facet right after security."""
    need = Need(summary.scale.split(".")[0])
    facet_rank = 0 if "." not in summary.scale else 1 + list(Facet).index(Facet(summary.scale.split(".")[1]))
    return NEEDS.index(need) * 3 + facet_rank


def row_label(scale: str) -> str:
    """A need's name on a chart's row; a security facet's indented under it."""
    return ("\u00a0\u00a0· " if "." in scale else "") + scale_label(scale)


def openings_text(openings: int | None) -> str:
    """Openings in the one wording every screen uses: no limit is "not limited", never 0 or blank."""
    if openings is None:
        return NOT_LIMITED
    return "none open" if openings == 0 else str(openings)
