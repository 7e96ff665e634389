"""Change over time: one person's needs across waves, and the team's averages in two waves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from coaching.core.needs import SCALES, Facet, Need, scale_label
from coaching.measurement.profiles import ScaleSummary
from coaching.measurement.scoring import Change, joined
from coaching.views.view import (
    FACET_SYMBOLS,
    NEED_COLOURS,
    OFFER_COLOUR,
    OPENINGS_COLOUR,
    View,
    base_layout,
    display_order,
    empty_view,
    row_label,
)


def member_trend_view(name: str, waves: Sequence[tuple[str, Mapping[str, float]]], changes: list[Change]) -> View:
    """One person's needs across waves as lines; only changes beyond measurement error are marked.

    ``changes`` compare the last two waves (coaching.measurement.scoring.changes_between); the others are ignored.
    """
    title = f"How {name}'s needs changed"
    if not waves:
        return empty_view(title, f"{name} has not answered yet: change over time shows after two waves.")
    names = [wave for wave, _ in waves]
    fig = go.Figure()
    for scale in [s for s in SCALES if any(s in scores for _, scores in waves)]:
        facet = "." in scale
        fig.add_trace(go.Scatter(
            name=scale_label(scale) if not facet else f"{Need.SECURITY.label}: {scale_label(scale).lower()}",
            x=names, y=[scores.get(scale) for _, scores in waves], mode="lines+markers",
            line={"color": NEED_COLOURS[scale], "width": 1.5 if facet else 2.5, "dash": "dot" if facet else "solid"},
            marker={"symbol": FACET_SYMBOLS[Facet(scale.split(".")[1])] if facet else "circle", "size": 8},
            hovertemplate=f"{scale_label(scale)}: %{{y:.0f}} in %{{x}}<extra></extra>",
        ))
    clear = [c for c in changes if c.reliable] if len(waves) > 1 else []
    if clear:
        fig.add_trace(go.Scatter(
            name="Clear change", x=[names[-1]] * len(clear), y=[c.after for c in clear], mode="markers+text",
            marker={"symbol": "circle-open", "size": 20, "color": OFFER_COLOUR, "line": {"width": 2.5}},
            text=[f"{c.after - c.before:+.0f}" for c in clear], textposition="middle right",
            hovertext=[f"{scale_label(c.scale)}: {c.before:.0f} to {c.after:.0f}, beyond measurement error"
                       for c in clear],
            hoverinfo="text",
        ))
    fig.update_xaxes(type="category", title_text="Wave")
    fig.update_yaxes(range=[0, 105], title_text="Score (0-100)")
    base_layout(fig, height=420)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
    return View(title=title, figure=fig, reading=_trend_reading(name, names, clear), table=_trend_table(waves, clear))


def _trend_reading(name: str, names: list[str], clear: list[Change]) -> str:
    if len(names) == 1:
        return f"Only wave {names[0]} so far: change shows once {name} answers in a later wave."
    span = f"Between {names[-2]} and {names[-1]}"
    if not clear:
        return f"{span}, none of {name}'s needs moved by more than measurement error."
    moves = [f"{scale_label(c.scale).lower()} {'rose' if c.after > c.before else 'fell'} "
             f"({c.after - c.before:+.0f})" for c in clear]
    return f"{span}, {name}'s {joined(moves)}, beyond measurement error; other moves are small wiggles."


def _trend_table(waves: Sequence[tuple[str, Mapping[str, float]]], clear: list[Change]) -> list[Mapping[str, object]]:
    moved = {c.scale: f"{c.after - c.before:+.0f}" for c in clear}
    scales = [s for s in SCALES if any(s in scores for _, scores in waves)]
    return [{"Need": scale_label(s)} | {wave: scores.get(s) for wave, scores in waves}
            | {"Clear change": moved.get(s, "")} for s in scales]


def team_drift_view(before_name: str, before: list[ScaleSummary], after_name: str, after: list[ScaleSummary]) -> View:
    """The team's mean per need in two waves as a dumbbell: a hollow dot then, a filled dot now."""
    title = f"The team's needs, {before_name} against {after_name}"
    if not before or not after:
        missing = before_name if not before else after_name
        return empty_view(title, f"Drift needs answers in two waves: nobody in the team answered in {missing}.")
    was = {s.scale: s for s in before}
    shared = sorted((s for s in after if s.scale in was), key=display_order)
    if not shared:
        return empty_view(title, f"{before_name} and {after_name} measured no need in common, so they cannot "
                                 "be compared.")
    labels = [row_label(s.scale) for s in shared]
    colours = [NEED_COLOURS[s.scale] for s in shared]
    links_x: list[float | None] = []
    links_y: list[str | None] = []
    for s, label in zip(shared, labels, strict=True):
        links_x += [was[s.scale].mean, s.mean, None]
        links_y += [label, label, None]
    fig = go.Figure([
        go.Scatter(x=links_x, y=links_y, mode="lines", line={"color": OPENINGS_COLOUR, "width": 2},
                   hoverinfo="skip", showlegend=False),
        go.Scatter(name=before_name, x=[was[s.scale].mean for s in shared], y=labels, mode="markers",
                   marker={"symbol": "circle-open", "size": 12, "color": colours, "line": {"width": 2}},
                   hovertext=[f"{scale_label(s.scale)}: {was[s.scale].mean:.0f} in {before_name}" for s in shared],
                   hoverinfo="text"),
        go.Scatter(name=after_name, x=[s.mean for s in shared], y=labels, mode="markers",
                   marker={"symbol": "circle", "size": 12, "color": colours},
                   hovertext=[f"{scale_label(s.scale)}: {s.mean:.0f} in {after_name}" for s in shared],
                   hoverinfo="text"),
    ])
    fig.update_xaxes(range=[0, 105], title_text="Team average (0-100)")
    fig.update_yaxes(autorange="reversed", automargin=True)
    base_layout(fig, height=320)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})
    # Whole points, as the dots' labels show them; the change is taken between those shown figures, so a
    # sentence never reads "+4 points, 66 to 69".
    shown = {s.scale: (round(was[s.scale].mean), round(s.mean)) for s in shared}
    moved = max(shared, key=lambda s: abs(shown[s.scale][1] - shown[s.scale][0]))
    then, now = shown[moved.scale]
    reading = (f"From {before_name} to {after_name}, the team's average for {scale_label(moved.scale).lower()} "
               f"moved most ({now - then:+d} points, {then} to {now}).")
    if now == then:
        reading = f"From {before_name} to {after_name}, the team's averages stayed within a point of each other."
    table = [{"Need": scale_label(s.scale), before_name: shown[s.scale][0], after_name: shown[s.scale][1],
              "Change": shown[s.scale][1] - shown[s.scale][0]} for s in shared]
    return View(title=title, figure=fig, reading=reading, table=table)

