"""The team's needs person by person: a clickable grid of members against the five needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import plotly.graph_objects as go

from coaching import i18n
from coaching.core.needs import NEEDS
from coaching.measurement.scoring import Profile, joined
from coaching.views.view import (
    MAX_HEIGHT,
    OPENINGS_COLOUR,
    View,
    base_layout,
    empty_view,
    highest_rated,
    safe,
)

#: Colour-blind-safe and readable in greyscale: low scores dark blue, high scores yellow.
#: Scores in five steps of 20 points, viridis from dark (low) to light (high): a smooth scale's middle
#: greys blur into each other, while each step here is a clearly different colour and lightness, also
#: with the common colour-vision deficiencies.
SCORE_STEPS = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")

#: Tall enough for the colour bar's six ticks to stay apart when only one or two people have answered.
MIN_HEIGHT = 250


def team_heatmap_view(rows: Sequence[tuple[int, str, Profile]]) -> View:
    """Members x the five needs as square markers coloured by score; each point carries its member id.

    Drawn as a scatter, not a go.Heatmap, because only scatter points can be selected in Streamlit.
    Rows are grouped by each member's primary aspiration as the scoring names it (in the usual need order),
    strongest first within a group; then the members whose answers leave two or three needs close, and last
    those whose answers are flagged. People who need the same thing sit together and the clusters show
    without a clustering step the manager would have to take on trust, and the reading counts only what the
    scoring claims: a tie or a straight line is never counted as a need.
    """
    title = "The team's needs, person by person"
    rows = [row for row in rows if any(need in row[2].scores for need in NEEDS)]
    if not rows:
        return empty_view(title, "No one in this team has answered yet: open a round to see their needs here.")
    ordered = sorted(rows, key=_cluster_key)
    xs, ys, colours, ids, hover = [], [], [], [], []
    for position, (member_id, name, profile) in enumerate(ordered):
        for need in NEEDS:
            if need in profile.scores:
                xs.append(need.label)
                ys.append(position)
                colours.append(profile.scores[need])
                ids.append(member_id)
                hover.append(f"{safe(name)}<br>{need.label}: {profile.scores[need]:.0f} of 100")
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
    # Each need's name over two lines (the radar's spoke labels): level where they fit, turned upright by plotly
    # on a phone, where the one-line names, slanted, ran into each other.
    spokes = i18n.texts(i18n.DEFAULT)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[n.label for n in NEEDS],
                     tickmode="array", tickvals=[n.label for n in NEEDS],
                     ticktext=[spokes(f"spoke.{n}") for n in NEEDS], side="top", showgrid=False)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(ordered))),
                     ticktext=[safe(name) for _, name, _ in ordered], autorange="reversed",
                     showgrid=False, zeroline=False, automargin=True)
    base_layout(fig, height=height)
    fig.update_layout(margin={"t": 60}, clickmode="event+select", dragmode=False)
    table = [{"Member": name, "Primary aspiration": _judged(profile)}
             | {need.label: None if need not in profile.scores else round(profile.scores[need]) for need in NEEDS}
             for _, name, profile in ordered]
    return View(title=title, figure=fig, reading=_clusters_reading([p for _, _, p in ordered]), table=table)


def _stepped(colours: Sequence[str]) -> list[tuple[float, str]]:
    """A plotly colour scale with hard edges: each colour fills an equal share of 0-1, no blending."""
    edges = [i / len(colours) for i in range(len(colours) + 1)]
    return [(edge, colour) for i, colour in enumerate(colours) for edge in (edges[i], edges[i + 1])]


#: Said after the judgement of a member whose answers carry a quality flag: the members table says which flag.
CHECK_FIRST = "answers to check first"


def _judged(profile: Profile) -> str:
    """The scoring's judgement as the members table words it (Profile.label), and whether to check it first."""
    return f"{profile.label} ({CHECK_FIRST})" if profile.flags else profile.label


def _clusters_reading(profiles: Sequence[Profile]) -> str:
    """'Of 8 members, 3 need autonomy most and 2 expertise and acclaim. For 2 the answers leave two or three
    needs close; 1 gave answers to check first.'"""
    named = Counter(p.counted_primary for p in profiles if p.counted_primary is not None)
    flagged = sum(1 for p in profiles if p.flags)
    close = len(profiles) - sum(named.values()) - flagged
    members = f"{len(profiles)} member{'s' if len(profiles) != 1 else ''}"
    if named:
        counts = sorted(named.items(), key=lambda item: (-item[1], NEEDS.index(item[0])))
        (first, most), rest = counts[0], counts[1:]
        groups = [f"{most} need{'s' if most == 1 else ''} {first.label.lower()} most",
                  *(f"{count} {need.label.lower()}" for need, count in rest)]
        sentences = [f"Of {members}, {joined(groups)}."]
    else:
        sentences = [f"Of {members}, none has one need named."]
    unnamed = [*([f"for {close} the answers leave two or three needs close"] if close else []),
               *([f"{flagged} gave answers to check first"] if flagged else [])]
    if unnamed:
        text = "; ".join(unnamed)
        sentences.append(f"{text[0].upper()}{text[1:]}.")
    return " ".join(sentences)


def _cluster_key(row: tuple[int, str, Profile]) -> tuple[int, int, float, str]:
    """Named needs in the usual order, then close needs, then flagged answers; the group's lead need first."""
    _, name, profile = row
    named = profile.counted_primary
    group = NEEDS.index(named) if named is not None else len(NEEDS) + bool(profile.flags)
    lead = named if named is not None else highest_rated(profile.scores)[0]
    return group, NEEDS.index(lead), -profile.scores[lead], name
