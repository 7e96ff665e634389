"""Needs over a group: the people a manager coaches, and the organisation (counts and means over groups the
caller already cleared, never a person)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from coaching.core.needs import NEEDS, Need, scale_label
from coaching.measurement.profiles import ScaleSummary
from coaching.views.view import NEED_COLOURS, View, base_layout, display_order, empty_view, row_label


def people_needs_view(summaries: list[ScaleSummary]) -> View:
    """The average per need over the people a manager coaches, with each need's range on hover and in the table."""
    title = "Average score per need"
    if not summaries:
        return empty_view(title, "No answers yet from the people you coach: their needs appear here once they "
                                 "have answered the questionnaire.")
    top = max(_needs_only(summaries), key=lambda s: s.mean)
    reading = (f"Averages over the {_people(summaries)} people who answered: {scale_label(top.scale).lower()} is "
               f"the strongest need ({top.mean:.0f} of 100), and security's two facets are shown under it.")
    return View(title=title, figure=_bars(summaries), reading=reading, table=_table(summaries))


def org_needs_view(summaries: list[ScaleSummary]) -> View:
    """Organisation-wide average per need, with its strongest and weakest need in words."""
    title = "Average score per need across the organisation"
    if not summaries:
        return empty_view(title, "Too few people have answered to show organisation-wide needs without "
                                 "singling anyone out: this view fills in as more answer.")
    needs = _needs_only(summaries)
    top = max(needs, key=lambda s: s.mean)
    low = min(needs, key=lambda s: s.mean)
    reading = (f"Across {_people(summaries)} people, {scale_label(top.scale).lower()} is the strongest need on "
               f"average ({top.mean:.0f} of 100) and {scale_label(low.scale).lower()} the weakest ({low.mean:.0f}).")
    return View(title=title, figure=_bars(summaries), reading=reading, table=_table(summaries))


def _needs_only(summaries: list[ScaleSummary]) -> list[ScaleSummary]:
    """The needs themselves, leaving out security's facets unless nothing else was measured."""
    return [s for s in summaries if "." not in s.scale] or summaries


def _people(summaries: list[ScaleSummary]) -> int:
    return max(s.n for s in summaries)


def _bars(summaries: list[ScaleSummary]) -> go.Figure:
    """Average score per need over a group, security's two facets indented under it, hover shows range."""
    ordered = sorted(summaries, key=display_order)[::-1]   # plotly draws horizontal bars bottom-up
    fig = go.Figure(
        go.Bar(
            x=[s.mean for s in ordered],
            y=[row_label(s.scale) for s in ordered],
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
    return base_layout(fig, height=320)


def _hover(s: ScaleSummary) -> str:
    text = f"{scale_label(s.scale)}: average {s.mean:.0f} of 100 over {s.n} people"
    if s.low is not None and s.high is not None:
        text += f"<br>from {s.low:.0f} to {s.high:.0f}"
    return text


def _table(summaries: list[ScaleSummary]) -> list[dict[str, object]]:
    """One row per scale; the lowest and highest score only where known (an aggregate has none: it would be
    one person's)."""
    return [{"Need": scale_label(s.scale), "Average": s.mean, "People": s.n}
            | ({"Lowest": s.low, "Highest": s.high} if s.low is not None else {})
            for s in sorted(summaries, key=display_order)]


def org_unmet_view(counts: Mapping[Need, int], n: int) -> View:
    """How many of n people hold each need strongly with no path on offer serving it well."""
    title = "Unmet needs across the organisation"
    if n <= 0:
        return empty_view(title, "Too few people have answered to count unmet needs without singling anyone "
                                 "out: this view fills in as more answer.")
    values = [counts.get(need, 0) for need in NEEDS]
    fig = go.Figure(go.Bar(
        x=values, y=[need.label for need in NEEDS], orientation="h",
        marker={"color": [NEED_COLOURS[need] for need in NEEDS]},
        text=[f"{v} of {n}" for v in values], textposition="outside",
        hovertext=[f"{need.label}: unmet for {v} of {n} people" for need, v in zip(NEEDS, values, strict=True)],
        hoverinfo="text",
    ))
    fig.update_xaxes(range=[0, n * 1.15], title_text="People with the need unmet", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    base_layout(fig, height=300)
    if not any(values):
        reading = f"None of the {n} people has an unmet need: every strong need has a path that serves it well."
    else:
        worst = max(NEEDS, key=lambda need: (counts.get(need, 0), -NEEDS.index(need)))
        reading = (f"{worst.label} is the need most often unmet: {counts[worst]} of {n} people hold it strongly "
                   "and no path on offer serves it well.")
    table = [{"Need": need.label, "People with it unmet": v, "Share of people (%)": round(100 * v / n, 1)}
             for need, v in zip(NEEDS, values, strict=True)]
    return View(title=title, figure=fig, reading=reading, table=table)
