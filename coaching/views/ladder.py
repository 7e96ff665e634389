"""A development route on the two ladders: the rungs, today's position and each route's steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from coaching.paths.catalogue import Catalogue, PathKind, PathOption
from coaching.views.view import (
    LADDER,
    LADDER_COLOURS,
    OPENINGS_COLOUR,
    OUTLINE,
    View,
    base_layout,
    empty_view,
    openings_text,
    safe,
)

#: Where each column of the two-ladder picture sits: the ladders, then what goes with any level.
_LADDER_X = {PathKind.MANAGEMENT: 0.0, PathKind.EXPERT: 1.0}
_ALONGSIDE_X = 2.0
ROUTE_COLOURS = ("#D55E00", "#0072B2")   # Okabe-Ito vermillion and blue: route A and route B
_RUNG_GAP = "\u2003\u2003"              # the rung's name starts clear of the rung itself


def ladder_route_view(name: str, catalogue: Catalogue, today_level: str | None,
                      routes: Sequence[tuple[str, Sequence[tuple[str, PathOption, object]]]]) -> View:
    """The two ladders as rungs, today's position, and each route's steps as numbered arrows.

    `routes` holds (label, steps) with each step as (step kind, option, target date); a flexible or
    self-directed step points to its place beside the ladders and the next step starts from the level.
    Bands, openings and expectations show on hover; the table lists every rung and each route step.
    """
    title = f"Development path for {name} on the two ladders"
    rungs = {kind: catalogue.of_kind(kind) for kind in LADDER}
    if not any(rungs.values()):
        return empty_view(title, "The catalogue has no levels on a track yet, so there are no ladders to draw.")
    taken = {o.key for _, steps in routes for _, o, _ in steps if not o.kind.is_track}
    alongside = [o for o in catalogue.options if o.key in taken]
    places = {o.key: (_LADDER_X[kind], float(o.rank or 0)) for kind in LADDER for o in rungs[kind]}
    places |= {o.key: (_ALONGSIDE_X, float(i + 1)) for i, o in enumerate(alongside)}
    fig = go.Figure()
    for kind in LADDER:
        fig.add_trace(go.Scatter(
            name=kind.label, x=[_LADDER_X[kind]] * len(rungs[kind]), y=[float(o.rank or 0) for o in rungs[kind]],
            mode="markers+text", text=[safe(o.name) for o in rungs[kind]], textposition="middle right",
            texttemplate=_RUNG_GAP + "%{text}",
            marker={"symbol": "line-ew", "size": 40, "color": LADDER_COLOURS[kind],
                    "line": {"width": 5, "color": LADDER_COLOURS[kind]}},
            hovertext=[_rung_hover(o) for o in rungs[kind]], hoverinfo="text",
        ))
    if alongside:
        fig.add_trace(go.Scatter(
            name="Alongside any level", x=[_ALONGSIDE_X] * len(alongside), y=[places[o.key][1] for o in alongside],
            mode="markers+text", text=[safe(o.name) for o in alongside], textposition="middle right",
            marker={"symbol": "diamond", "size": 14, "color": OPENINGS_COLOUR},
            hovertext=[_rung_hover(o) for o in alongside], hoverinfo="text",
        ))
    start = places.get(today_level) if today_level else None
    origin = start or (0.5, 0.0)
    fig.add_trace(go.Scatter(
        name="Today", x=[origin[0]], y=[origin[1]], mode="markers+text", text=["Today"],
        textposition="bottom center", marker={"symbol": "star", "size": 20, "color": OUTLINE},
        hovertext=[f"{safe(name)} today" + ("" if start else ": not on a ladder yet")], hoverinfo="text",
    ))
    table = [{"Track": o.kind.label, "Level": o.name, "Rank": o.rank, "Band": _band_words(o),
              "Openings": openings_text(o.openings), "Today": "here" if o.key == today_level else "",
              "Route steps": ""} for kind in LADDER for o in rungs[kind]]
    rows = {(r["Track"], r["Level"]): r for r in table}
    marks: dict[tuple[str, str], list[str]] = {}
    for index, (label, steps) in enumerate(routes):
        _draw_route(fig, places, origin, steps, ROUTE_COLOURS[index % len(ROUTE_COLOURS)], label)
        for number, (_, option, target) in enumerate(steps, start=1):
            key = (option.kind.label, option.name)
            if key not in rows:
                rows[key] = {"Track": option.kind.label, "Level": option.name, "Rank": None, "Band": "",
                             "Openings": openings_text(option.openings), "Today": "", "Route steps": ""}
                table.append(rows[key])
            marks.setdefault(key, []).append(f"{label} step {number} by {target:%d %b %Y}")
    for key, steps_here in marks.items():
        rows[key]["Route steps"] = "; ".join(steps_here)
    top = max((o.rank or 0 for kind in LADDER for o in rungs[kind]), default=1)
    fig.update_xaxes(range=[-0.3, 3.2], tickmode="array", tickvals=[0, 1, 2],
                     ticktext=["Management track", "Expert track", "Alongside any level" if alongside else ""],
                     showgrid=False, zeroline=False, side="top")
    fig.update_yaxes(range=[-0.6, top + 0.6], tickmode="array", tickvals=list(range(1, top + 1)),
                     ticktext=[f"Level {r}" for r in range(1, top + 1)], showgrid=False, zeroline=False)
    base_layout(fig, height=120 + 70 * top)
    return View(title=title, figure=fig, reading=_route_reading(name, catalogue, today_level, routes), table=table)


def _draw_route(fig: go.Figure, places: Mapping[str, tuple[float, float]], origin: tuple[float, float],
                steps: Sequence[tuple[str, PathOption, object]], colour: str, label: str) -> None:
    """Numbered arrows, one per step; a step beside the ladders leaves the next one starting from the level."""
    here = origin
    for number, (_, option, target) in enumerate(steps, start=1):
        there = places.get(option.key)
        if there is None:
            continue
        fig.add_annotation(x=there[0], y=there[1], ax=here[0], ay=here[1], xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowsize=1.4, arrowwidth=2.5, arrowcolor=colour,
                           standoff=8, startstandoff=8, text="")
        upright = here[0] == there[0]   # beside an upright arrow, above a sideways one
        fig.add_annotation(x=(here[0] + there[0]) / 2, y=(here[1] + there[1]) / 2, xref="x", yref="y",
                           text=f"{safe(label)} {number}: {target:%b %Y}", showarrow=False,
                           xanchor="right" if upright else "center", xshift=-8 if upright else 0,
                           yshift=0 if upright else 12, font={"color": colour}, bgcolor="rgba(0,0,0,0)")
        if option.kind.is_track:
            here = there


def _rung_hover(option: PathOption) -> str:
    lines = [f"<b>{safe(option.name)}</b>", f"Band: {_band_words(option)}" if option.kind.is_track else "",
             f"Openings: {openings_text(option.openings)}", *(f"· {safe(e)}" for e in option.expectations[:3])]
    return "<br>".join(line for line in lines if line)


def _band_words(option: PathOption) -> str:
    band = option.band
    if band is None:
        return "none"
    return f"{band.minimum:,.0f} – {band.midpoint:,.0f} – {band.maximum:,.0f} {band.currency}"


def _route_reading(name: str, catalogue: Catalogue, today_level: str | None,
                   routes: Sequence[tuple[str, Sequence[tuple[str, PathOption, object]]]]) -> str:
    names = {o.key: o.name for o in catalogue.options}
    where = f"{name} is {names[today_level]} today" if today_level in names else f"{name} is not on a ladder yet"
    drawn = [f"{label}: " + ", then ".join(f"{o.name} by {t:%b %Y}" for _, o, t in steps)
             for label, steps in routes if steps]
    if not drawn:
        return f"{where}; no route drawn yet."
    return f"{where}. " + ". ".join(drawn) + "."
