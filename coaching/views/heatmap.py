"""The team's needs person by person: a clickable grid of members against the five needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from coaching.core.needs import NEEDS, Need
from coaching.views.view import (
    MAX_HEIGHT,
    OPENINGS_COLOUR,
    View,
    base_layout,
    empty_view,
    joined,
    safe,
    strongest,
)

#: Colour-blind-safe and readable in greyscale: low scores dark blue, high scores yellow.
#: Scores in five steps of 20 points, viridis from dark (low) to light (high): a smooth scale's middle
#: greys blur into each other, while each step here is a clearly different colour and lightness, also
#: with the common colour-vision deficiencies.
SCORE_STEPS = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")

#: Tall enough for the colour bar's six ticks to stay apart when only one or two people have answered.
MIN_HEIGHT = 250


def team_heatmap_view(rows: Sequence[tuple[int, str, Mapping[str, float]]]) -> View:
    """Members x the five needs as square markers coloured by score; each point carries its member id.

    Drawn as a scatter, not a go.Heatmap, because only scatter points can be selected in Streamlit.
    Rows are grouped by each member's top need (in the usual need order), strongest first within a
    group, so people who need the same thing sit together and the clusters show without a
    clustering step the manager would have to take on trust.
    """
    title = "The team's needs, person by person"
    rows = [row for row in rows if any(need in row[2] for need in NEEDS)]
    if not rows:
        return empty_view(title, "No one in this team has answered yet: open a round to see their needs here.")
    ordered = sorted(rows, key=_cluster_key)
    xs, ys, colours, ids, hover = [], [], [], [], []
    for position, (member_id, name, scores) in enumerate(ordered):
        for need in NEEDS:
            if need in scores:
                xs.append(need.label)
                ys.append(position)
                colours.append(scores[need])
                ids.append(member_id)
                hover.append(f"{safe(name)}<br>{need.label}: {scores[need]:.0f} of 100")
    height = min(MAX_HEIGHT, max(MIN_HEIGHT, 110 + 30 * len(ordered)))
    row_px = (height - 110) / len(ordered)
    fig = go.Figure(go.Scatter(
        x=xs, y=ys, mode="markers", customdata=ids, hovertext=hover, hoverinfo="text",
        marker={"symbol": "square", "size": max(6.0, min(26.0, row_px * 0.85)), "color": colours,
                "colorscale": _stepped(SCORE_STEPS), "cmin": 0, "cmax": 100,
                "line": {"width": 1, "color": OPENINGS_COLOUR},
                "colorbar": {"title": {"text": "Score"}, "thickness": 12, "len": 0.9,
                             "tickvals": list(range(0, 101, 100 // len(SCORE_STEPS)))}},
    ))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[n.label for n in NEEDS],
                     side="top", showgrid=False)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(ordered))),
                     ticktext=[safe(name) for _, name, _ in ordered], autorange="reversed",
                     showgrid=False, zeroline=False, automargin=True)
    base_layout(fig, height=height)
    fig.update_layout(margin={"t": 50}, clickmode="event+select", dragmode=False)
    reading = _clusters_reading([strongest(scores) for _, _, scores in ordered])
    table = [{"Member": name} | {need.label: None if need not in scores else round(scores[need]) for need in NEEDS}
             for _, name, scores in ordered]
    return View(title=title, figure=fig, reading=reading, table=table)


def _stepped(colours: Sequence[str]) -> list[tuple[float, str]]:
    """A plotly colour scale with hard edges: each colour fills an equal share of 0-1, no blending."""
    edges = [i / len(colours) for i in range(len(colours) + 1)]
    return [(edge, colour) for i, colour in enumerate(colours) for edge in (edges[i], edges[i + 1])]


def _clusters_reading(tops: list[Need]) -> str:
    """'Of 8 members, 3 need autonomy most, 2 expertise and acclaim and 1 balance.'"""
    counts = sorted(Counter(tops).items(), key=lambda item: (-item[1], NEEDS.index(item[0])))
    (first, most), rest = counts[0], counts[1:]
    groups = [f"{most} need{'s' if most == 1 else ''} {first.label.lower()} most",
              *(f"{count} {need.label.lower()}" for need, count in rest)]
    return f"Of {len(tops)} member{'s' if len(tops) != 1 else ''}, {joined(groups)}."


def _cluster_key(row: tuple[int, str, Mapping[str, float]]) -> tuple[int, float, str]:
    _, name, scores = row
    top = strongest(scores)
    return NEEDS.index(top), -scores[top], name
