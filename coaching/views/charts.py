"""Chart builders: pure functions from domain models to plotly figures (tested on the figure's data).

Colours are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies, and
every figure leaves its background transparent so it reads in the light and the dark theme.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go

from coaching import i18n
from coaching.core.needs import NEEDS, SCALES, Facet, Need, scale_label
from coaching.i18n import Texts
from coaching.measurement.profiles import ScaleSummary
from coaching.measurement.scoring import Change, Profile
from coaching.paths.catalogue import Catalogue, PathKind, PathOption
from coaching.paths.fit import Demand, OptionFit

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

#: Spoke labels (the catalogue's `spoke.*`) break over two lines, so they stay readable on a 375 px phone.
#: Security's facets sit either side of its spoke, each with its own marker shape (never colour alone).
FACET_OFFSET_DEGREES = 14.0
FACET_SYMBOLS: dict[Facet, str] = {Facet.STABILITY: "diamond", Facet.PAY: "triangle-up"}
_OUTLINE = "#333333"
#: Plotly's own angle (counter-clockwise from east) half-way between the balance and status spokes.
_RADIAL_ANGLE = 90 + 360 / len(NEEDS) / 2


def _spoke(need: Need) -> float:
    """The angle of a need's spoke in degrees: status at the top, then clockwise in NEEDS order."""
    return NEEDS.index(need) * 360.0 / len(NEEDS)


def profile_chart(profile: Profile, texts: Texts | None = None) -> go.Figure:
    """One person's scores as a radar: the five needs joined up, security's two facets as thin spokes beside it.

    A need or facet the instrument did not measure is left out, never drawn as 0. Words in `texts`' language.
    """
    texts = texts or i18n.texts(i18n.DEFAULT)
    scores = profile.scores
    needs = [need for need in NEEDS if need in scores]
    fig = go.Figure()
    if needs:
        closed = [*needs, needs[0]]
        fig.add_trace(go.Scatterpolar(
            name=texts("profile.your_needs"),
            r=[scores[n] for n in closed],
            theta=[_spoke(n) for n in closed],
            mode="lines+markers",
            line={"color": _OUTLINE, "width": 2},
            fill="toself",
            showlegend=False,
            fillcolor="rgba(0, 114, 178, 0.12)",
            marker={"size": 11, "color": [NEED_COLOURS[n] for n in closed], "line": {"color": _OUTLINE, "width": 1}},
            hovertext=[texts("profile.of_100", label=texts.label(n), score=texts.number(scores[n])) for n in closed],
            hoverinfo="text",
        ))
    for side, facet in zip((-1, 1), Facet, strict=True):
        if facet.scale not in scores:
            continue
        angle = _spoke(Need.SECURITY) + side * FACET_OFFSET_DEGREES
        value = scores[facet.scale]
        fig.add_trace(go.Scatterpolar(
            name=f"{texts.label(Need.SECURITY)}: {texts.named(facet.scale)}",
            r=[0, value],
            theta=[angle, angle],
            mode="lines+markers",
            line={"color": NEED_COLOURS[facet.scale], "width": 1.5, "dash": "dot"},
            marker={"size": [0, 11], "symbol": FACET_SYMBOLS[facet], "color": NEED_COLOURS[facet.scale],
                    "line": {"color": _OUTLINE, "width": 1}},
            hovertext=["", texts("profile.of_100", label=f"{texts.label(Need.SECURITY)}, "
                                 f"{texts.named(facet.scale)}", score=texts.number(value))],
            hoverinfo="text",
            showlegend=True,
        ))
    fig.update_polars(
        bgcolor="rgba(0,0,0,0)",
        # The 0-100 ticks run up between balance and status, clear of every spoke and of the facets.
        radialaxis={"range": [0, 100], "tickvals": [25, 50, 75, 100], "tickfont": {"size": 9},
                    "angle": _RADIAL_ANGLE, "tickangle": _RADIAL_ANGLE, "showline": False},   # level labels
        angularaxis={"rotation": 90, "direction": "clockwise", "tickmode": "array",
                     "tickvals": [_spoke(n) for n in NEEDS], "ticktext": [texts(f"spoke.{n}") for n in NEEDS],
                     "tickfont": {"size": 12}},
    )
    _base_layout(fig, height=400)
    fig.update_layout(
        margin={"l": 60, "r": 60, "t": 40, "b": 10}, dragmode=False, showlegend=True,
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.05, "yanchor": "top",
                "font": {"size": 11}, "itemclick": False, "itemdoubleclick": False},
    )
    return fig


# ---- views: a figure with its title, a one-sentence reading and the same data as a table -----------

#: Okabe-Ito colours left over once the needs have theirs, for what is not a need.
OFFER_COLOUR = "#D55E00"      # an option's claimed support, a team's demand
OPENINGS_COLOUR = "#999999"   # a mid grey: readable on a light and on a dark background
MAX_HEIGHT = 460
#: Colour-blind-safe and readable in greyscale: low scores dark blue, high scores yellow.
#: Scores in five steps of 20 points, viridis from dark (low) to light (high): a smooth scale's middle
#: greys blur into each other, while each step here is a clearly different colour and lightness, also
#: with the common colour-vision deficiencies.
SCORE_STEPS = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")


def _stepped(colours: Sequence[str]) -> list[tuple[float, str]]:
    """A plotly colour scale with hard edges: each colour fills an equal share of 0-1, no blending."""
    edges = [i / len(colours) for i in range(len(colours) + 1)]
    return [(edge, colour) for i, colour in enumerate(colours) for edge in (edges[i], edges[i + 1])]


@dataclass(frozen=True)
class View:
    """A chart ready to show: what it is, what it says about this data in words, and the same data as rows.

    The reading is the chart's alt text and the caption under its title; the table is the alternative
    for anyone who cannot or would rather not read a chart.
    """

    title: str
    figure: go.Figure
    reading: str
    table: list[dict[str, object]] = field(default_factory=list)


def _empty_view(title: str, reading: str) -> View:
    """What a builder gives when there is nothing to draw: no traces, hidden axes, the reason in words."""
    fig = _base_layout(go.Figure(), height=160)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return View(title=title, figure=fig, reading=reading, table=[])


def _safe(text: str) -> str:
    """Text typed by people, shown as typed inside a figure (plotly reads a few HTML tags)."""
    return html.escape(text, quote=False)


def _joined(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _needs_phrase(needs: Sequence[Need]) -> str:
    return _joined([n.label.lower() for n in needs])


def _measured(scores: Mapping[str, float]) -> list[str]:
    """The scales these scores hold, in the usual order (needs, then security's facets)."""
    return [scale for scale in SCALES if scale in scores]


# member profile -----------------------------------------------------------------------------------

def member_profile_view(name: str, profile: Profile, overlay: PathOption | None = None) -> View:
    """One person's radar, with a path option's claimed support (0-1, drawn x100) over it when given."""
    title = f"What {name} needs"
    needs = [need for need in NEEDS if need in profile.scores]
    if not needs:
        return _empty_view(title, f"{name} has no scores to draw yet: they appear once {name} has answered.")
    scores = profile.scores
    fig = profile_chart(profile)
    if overlay is not None:
        closed = [*needs, needs[0]]
        fig.add_trace(go.Scatterpolar(
            name=f"{_safe(overlay.name)}: what it offers",
            r=[100 * overlay.support[n] for n in closed],
            theta=[_spoke(n) for n in closed],
            mode="lines+markers",
            line={"color": OFFER_COLOUR, "width": 2, "dash": "dash"},
            marker={"size": 7, "color": OFFER_COLOUR, "symbol": "square"},
            hovertext=[f"{_safe(overlay.name)} serves {n.label.lower()} at {100 * overlay.support[n]:.0f} of 100"
                       for n in closed],
            hoverinfo="text",
            showlegend=True,
        ))
    highest = _top(scores)
    lowest = min(needs, key=lambda n: (scores[n], NEEDS.index(n)))
    reading = (f"{name} needs {highest.label.lower()} most ({scores[highest]:.0f} of 100) and "
               f"{lowest.label.lower()} least ({scores[lowest]:.0f})")
    if overlay is not None:
        reading += f"; {overlay.name} claims to serve {highest.label.lower()} at {100 * overlay.support[highest]:.0f}"
    table = [
        {"Need": scale_label(scale), "Score (0-100)": scores[scale]}
        | ({f"{overlay.name} offers (0-100)": _offer(overlay, scale)} if overlay is not None else {})
        for scale in _measured(scores)
    ]
    return View(title=title, figure=fig, reading=reading + ".", table=table)


def _offer(option: PathOption, scale: str) -> float | None:
    """An option's claimed support on a 0-100 scale; facets have no claim of their own."""
    return None if "." in scale else round(100 * option.support[Need(scale)], 1)


# member fit ---------------------------------------------------------------------------------------

def member_fit_view(name: str, fits: list[OptionFit], unmet: list[Need]) -> View:
    """Each option's fit as a bar made of its needs' shares, best on top; unmet needs called out above."""
    title = f"How the paths on offer fit {name}"
    unmet_text = _unmet_phrase(unmet)
    if not fits:
        return _empty_view(title, f"There are no paths on offer to compare {name} with ({unmet_text}): "
                                  "add options to the catalogue.")
    keys = [f.option.key for f in fits]
    fig = go.Figure()
    for need in NEEDS:
        shares = [f.shares.get(need, 0.0) for f in fits]
        fig.add_trace(go.Bar(
            name=need.label, x=shares, y=keys, orientation="h",
            marker={"color": NEED_COLOURS[need]},
            hovertext=[f"{_safe(f.option.name)}: {need.label.lower()} adds {s:.1f} of its fit {f.fit:.0f}"
                       for f, s in zip(fits, shares, strict=True)],
            hoverinfo="text",
        ))
    fig.add_trace(go.Scatter(
        name="Fit", x=[f.fit for f in fits], y=keys, mode="text", text=[f"{f.fit:.0f}" for f in fits],
        textposition="middle right", hoverinfo="skip", showlegend=False,
    ))
    fig.update_xaxes(range=[0, 108], title_text="Fit (0-100), split by what each need adds", title_standoff=4)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=keys,
                     ticktext=[_safe(f.option.name) for f in fits], automargin=True)
    _base_layout(fig, height=min(MAX_HEIGHT, 120 + 20 * len(fits)))
    fig.update_layout(barmode="stack", showlegend=True, margin={"t": 60 if unmet else 30},
                      legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
    if unmet:
        fig.add_annotation(text=f"Unmet: {_safe(_needs_phrase(unmet))}: nothing on offer serves it well",
                           xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="bottom",
                           showarrow=False, font={"color": OFFER_COLOUR})
    best = fits[0]
    reading = f"{name} fits {best.option.name} best ({best.fit:.0f}); {unmet_text}."
    table = [
        {"Path": f.option.name, "Kind": f.option.kind.label, "Fit (0-100)": f.fit}
        | {f"From {need.label.lower()}": f.shares.get(need, 0.0) for need in NEEDS}
        for f in fits
    ]
    return View(title=title, figure=fig, reading=reading, table=table)


def _unmet_phrase(unmet: Sequence[Need]) -> str:
    if not unmet:
        return "no strong need is left unmet"
    return f"{_needs_phrase(unmet)} {'is an unmet need' if len(unmet) == 1 else 'are unmet needs'}"


# team heatmap -------------------------------------------------------------------------------------

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
        return _empty_view(title, "No one in this team has answered yet: open a round to see their needs here.")
    ordered = sorted(rows, key=_cluster_key)
    xs, ys, colours, ids, hover = [], [], [], [], []
    for position, (member_id, name, scores) in enumerate(ordered):
        for need in NEEDS:
            if need in scores:
                xs.append(need.label)
                ys.append(position)
                colours.append(scores[need])
                ids.append(member_id)
                hover.append(f"{_safe(name)}<br>{need.label}: {scores[need]:.0f} of 100")
    height = min(MAX_HEIGHT, 110 + 30 * len(ordered))
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
                     ticktext=[_safe(name) for _, name, _ in ordered], autorange="reversed",
                     showgrid=False, zeroline=False, automargin=True)
    _base_layout(fig, height=height)
    fig.update_layout(margin={"t": 50}, clickmode="event+select", dragmode=False)
    reading = _clusters_reading([_top(scores) for _, _, scores in ordered])
    table = [{"Member": name} | {need.label: None if need not in scores else round(scores[need]) for need in NEEDS}
             for _, name, scores in ordered]
    return View(title=title, figure=fig, reading=reading, table=table)


def _clusters_reading(tops: list[Need]) -> str:
    """'Of 8 members, 3 need autonomy most, 2 expertise and acclaim and 1 balance.'"""
    counts = sorted(Counter(tops).items(), key=lambda item: (-item[1], NEEDS.index(item[0])))
    (first, most), rest = counts[0], counts[1:]
    groups = [f"{most} need{'s' if most == 1 else ''} {first.label.lower()} most",
              *(f"{count} {need.label.lower()}" for need, count in rest)]
    return f"Of {len(tops)} member{'s' if len(tops) != 1 else ''}, {_joined(groups)}."


def _top(scores: Mapping[str, float]) -> Need:
    """The highest-scored need among those measured; a tie goes to the need earlier in the usual order."""
    return max((n for n in NEEDS if n in scores), key=lambda n: (scores[n], -NEEDS.index(n)))


def _cluster_key(row: tuple[int, str, Mapping[str, float]]) -> tuple[int, float, str]:
    _, name, scores = row
    top = _top(scores)
    return NEEDS.index(top), -scores[top], name


# demand vs offer ----------------------------------------------------------------------------------

NOT_LIMITED = "not limited"


#: Height of one option's row in the demand chart: room for its two bars and their labels beside them.
DEMAND_ROW_PX = 40


def demand_offer_view(demands: list[Demand]) -> View:
    """Per option, the members whose top need it serves well beside its openings; no limit is not 0.

    Every bar is labelled at its end (a count, "none open"), a path without a limit says "not limited"
    in place of a bar, and the chart grows with the number of options so labels never sit on bars.
    """
    title = "Demand for each path against its openings"
    if not demands:
        return _empty_view(title, "There are no paths on offer yet: add options to the catalogue.")
    keys = [d.option.key for d in demands]
    names = [_safe(d.option.name) for d in demands]
    unlimited = [d.option.key for d in demands if d.openings is None]
    fig = go.Figure([
        go.Bar(name="Members whose top need it serves", x=[d.demand for d in demands], y=keys, orientation="h",
               offsetgroup="demand", marker={"color": OFFER_COLOUR},
               text=[str(d.demand) for d in demands], textposition="outside", cliponaxis=False,
               hovertext=[f"{n}: serves the top need of {d.demand}" for n, d in zip(names, demands, strict=True)],
               hoverinfo="text"),
        go.Bar(name="Openings", x=[d.openings for d in demands], y=keys, orientation="h", offsetgroup="openings",
               marker={"color": OPENINGS_COLOUR, "pattern": {"shape": "/"}},
               text=[None if d.openings is None else openings_text(d.openings) for d in demands],
               textposition="outside", cliponaxis=False,
               hovertext=[f"{n}, openings: {openings_text(d.openings)}" for n, d in zip(names, demands, strict=True)],
               hoverinfo="text"),
        go.Scatter(name="Openings not limited", x=[0] * len(unlimited), y=unlimited, mode="text",
                   offsetgroup="openings", orientation="h", text=[NOT_LIMITED] * len(unlimited),
                   textposition="middle right", textfont={"size": 10}, hoverinfo="skip", showlegend=False),
    ])
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=keys, ticktext=names, automargin=True)
    most = _most(demands)
    fig.update_xaxes(title_text="People", range=[0, most * 1.15 + 1], dtick=1 if most <= 10 else None)
    _base_layout(fig, height=120 + DEMAND_ROW_PX * len(demands))
    fig.update_layout(barmode="group", scattermode="group", bargap=0.3, showlegend=True, margin={"t": 60},
                      legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"})
    table = [{"Path": d.option.name, "Kind": d.option.kind.label, "Members whose top need it serves": d.demand,
              "Openings": openings_text(d.openings)} for d in demands]
    return View(title=title, figure=fig, reading=_demand_reading(demands), table=table)


def openings_text(openings: int | None) -> str:
    """Openings in the one wording every screen uses: no limit is "not limited", never 0 or blank."""
    if openings is None:
        return NOT_LIMITED
    return "none open" if openings == 0 else str(openings)


def _most(demands: list[Demand]) -> int:
    return max(max(d.demand, d.openings or 0) for d in demands)


def _demand_reading(demands: list[Demand]) -> str:
    """The biggest shortfall of openings if there is one, else the path most in demand."""
    short = [d for d in demands if d.openings is not None and d.demand > d.openings]
    if short:
        worst = max(short, key=lambda d: d.demand - d.openings)
        offer = "no openings" if worst.openings == 0 else \
            f"only {worst.openings} opening{'s' if worst.openings != 1 else ''}"
        return (f"{worst.option.name} serves the top need of {worst.demand} "
                f"member{'s' if worst.demand != 1 else ''} but has {offer}.")
    wanted = max(demands, key=lambda d: d.demand)
    if wanted.demand == 0:
        return "No path on offer serves any member's top need well."
    return (f"{wanted.option.name} serves the most top needs ({wanted.demand}), and no path has fewer "
            "openings than people it serves.")


# pay bands ----------------------------------------------------------------------------------------

LADDER = (PathKind.MANAGEMENT, PathKind.EXPERT)
LADDER_COLOURS = {PathKind.MANAGEMENT: NEED_COLOURS[Need.STATUS], PathKind.EXPERT: NEED_COLOURS[Need.EXPERTISE]}


def pay_ladder_view(catalogue: Catalogue) -> View:
    """The dual ladder: per level rank, both tracks' bands side by side (minimum to maximum, midpoint marked)."""
    title = "Pay bands of the two tracks, level by level"
    levels = {kind: {o.rank: o for o in catalogue.of_kind(kind) if o.band is not None} for kind in LADDER}
    ranks = sorted({rank for by_rank in levels.values() for rank in by_rank})
    if not ranks:
        return _empty_view(title, "The catalogue has no pay bands yet: an admin adds them to the track levels.")
    fig = go.Figure()
    for kind in LADDER:
        bands = [levels[kind][r].band if r in levels[kind] else None for r in ranks]
        names = [_safe(levels[kind][r].name) if r in levels[kind] else "" for r in ranks]
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
    _base_layout(fig, height=400)
    fig.update_layout(barmode="group", scattermode="group", showlegend=True,
                      legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})
    table = [
        {"Level": rank, "Track": kind.label, "Position": o.name, "Minimum": float(o.band.minimum),
         "Midpoint": float(o.band.midpoint), "Maximum": float(o.band.maximum), "Currency": o.band.currency}
        for rank in ranks for kind in LADDER if (o := levels[kind].get(rank)) is not None
    ]
    return View(title=title, figure=fig, reading=_parity_reading(levels, ranks), table=table)


def _rung(levels: Mapping[PathKind, Mapping[int, PathOption]], rank: int) -> str:
    """A level's tick: its rank and each track's position there, one per line."""
    names = [_safe(levels[kind][rank].name) for kind in LADDER if rank in levels[kind]]
    return "<br>".join([f"Level {rank}", *names])


def _parity_reading(levels: Mapping[PathKind, Mapping[int, PathOption]], ranks: list[int]) -> str:
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
            f"{_joined([str(r) for r in alone])} exists on one track only.")


# change over time ---------------------------------------------------------------------------------

def member_trend_view(name: str, waves: Sequence[tuple[str, Mapping[str, float]]], changes: list[Change]) -> View:
    """One person's needs across waves as lines; only changes beyond measurement error are marked.

    ``changes`` compare the last two waves (coaching.measurement.scoring.changes_between); the others are ignored.
    """
    title = f"How {name}'s needs changed"
    if not waves:
        return _empty_view(title, f"{name} has not answered yet: change over time shows after two waves.")
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
    _base_layout(fig, height=420)
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
    return f"{span}, {name}'s {_joined(moves)}, beyond measurement error; other moves are small wiggles."


def _trend_table(waves: Sequence[tuple[str, Mapping[str, float]]], clear: list[Change]) -> list[dict[str, object]]:
    moved = {c.scale: f"{c.after - c.before:+.0f}" for c in clear}
    scales = [s for s in SCALES if any(s in scores for _, scores in waves)]
    return [{"Need": scale_label(s)} | {wave: scores.get(s) for wave, scores in waves}
            | {"Clear change": moved.get(s, "")} for s in scales]


def team_drift_view(before_name: str, before: list[ScaleSummary], after_name: str, after: list[ScaleSummary]) -> View:
    """The team's mean per need in two waves as a dumbbell: a hollow dot then, a filled dot now."""
    title = f"The team's needs, {before_name} against {after_name}"
    if not before or not after:
        missing = before_name if not before else after_name
        return _empty_view(title, f"Drift needs answers in two waves: nobody in the team answered in {missing}.")
    was = {s.scale: s for s in before}
    shared = sorted((s for s in after if s.scale in was), key=_display_order)
    if not shared:
        return _empty_view(title, f"{before_name} and {after_name} measured no need in common, so they cannot "
                                  "be compared.")
    labels = [("\u00a0\u00a0· " if "." in s.scale else "") + scale_label(s.scale) for s in shared]
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
    _base_layout(fig, height=320)
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


# the organisation, for admins (counts and means over groups the caller already cleared) ----------

def org_needs_view(summaries: list[ScaleSummary]) -> View:
    """Organisation-wide average per need: the needs overview with its reading and table."""
    title = "What the organisation needs"
    if not summaries:
        return _empty_view(title, "Too few people have answered to show organisation-wide needs without "
                                  "singling anyone out: this view fills in as more answer.")
    needs = [s for s in summaries if "." not in s.scale] or summaries
    top = max(needs, key=lambda s: s.mean)
    low = min(needs, key=lambda s: s.mean)
    people = max(s.n for s in summaries)
    reading = (f"Across {people} people, {scale_label(top.scale).lower()} is the strongest need on average "
               f"({top.mean:.0f} of 100) and {scale_label(low.scale).lower()} the weakest ({low.mean:.0f}).")
    table = [{"Need": scale_label(s.scale), "Average (0-100)": s.mean, "People": s.n}
             for s in sorted(summaries, key=_display_order)]
    return View(title=title, figure=needs_overview(summaries), reading=reading, table=table)


def org_unmet_view(counts: Mapping[Need, int], n: int) -> View:
    """How many of n people hold each need strongly with no path on offer serving it well."""
    title = "Unmet needs across the organisation"
    if n <= 0:
        return _empty_view(title, "Too few people have answered to count unmet needs without singling anyone "
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
    _base_layout(fig, height=300)
    if not any(values):
        reading = f"None of the {n} people has an unmet need: every strong need has a path that serves it well."
    else:
        worst = max(NEEDS, key=lambda need: (counts.get(need, 0), -NEEDS.index(need)))
        reading = (f"{worst.label} is the need most often unmet: {counts[worst]} of {n} people hold it strongly "
                   "and no path on offer serves it well.")
    table = [{"Need": need.label, "People with it unmet": v, "Share of people (%)": round(100 * v / n, 1)}
             for need, v in zip(NEEDS, values, strict=True)]
    return View(title=title, figure=fig, reading=reading, table=table)


# development paths --------------------------------------------------------------------------------

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
        return _empty_view(title, "The catalogue has no levels on a track yet, so there are no ladders to draw.")
    taken = {o.key for _, steps in routes for _, o, _ in steps if not o.kind.is_track}
    alongside = [o for o in catalogue.options if o.key in taken]
    places = {o.key: (_LADDER_X[kind], float(o.rank or 0)) for kind in LADDER for o in rungs[kind]}
    places |= {o.key: (_ALONGSIDE_X, float(i + 1)) for i, o in enumerate(alongside)}
    fig = go.Figure()
    for kind in LADDER:
        fig.add_trace(go.Scatter(
            name=kind.label, x=[_LADDER_X[kind]] * len(rungs[kind]), y=[float(o.rank or 0) for o in rungs[kind]],
            mode="markers+text", text=[_safe(o.name) for o in rungs[kind]], textposition="middle right",
            texttemplate=_RUNG_GAP + "%{text}",
            marker={"symbol": "line-ew", "size": 40, "color": LADDER_COLOURS[kind],
                    "line": {"width": 5, "color": LADDER_COLOURS[kind]}},
            hovertext=[_rung_hover(o) for o in rungs[kind]], hoverinfo="text",
        ))
    if alongside:
        fig.add_trace(go.Scatter(
            name="Alongside any level", x=[_ALONGSIDE_X] * len(alongside), y=[places[o.key][1] for o in alongside],
            mode="markers+text", text=[_safe(o.name) for o in alongside], textposition="middle right",
            marker={"symbol": "diamond", "size": 14, "color": OPENINGS_COLOUR},
            hovertext=[_rung_hover(o) for o in alongside], hoverinfo="text",
        ))
    start = places.get(today_level) if today_level else None
    origin = start or (0.5, 0.0)
    fig.add_trace(go.Scatter(
        name="Today", x=[origin[0]], y=[origin[1]], mode="markers+text", text=["Today"],
        textposition="bottom center", marker={"symbol": "star", "size": 20, "color": _OUTLINE},
        hovertext=[f"{_safe(name)} today" + ("" if start else ": not on a ladder yet")], hoverinfo="text",
    ))
    table = [{"Track": o.kind.label, "Level": o.name, "Rank": o.rank, "Band": _band_words(o),
              "Openings": openings_text(o.openings), "Today": "here" if o.key == today_level else "",
              "Route steps": ""} for kind in LADDER for o in rungs[kind]]
    rows = {(r["Track"], r["Level"]): r for r in table}
    for index, (label, steps) in enumerate(routes):
        _draw_route(fig, places, origin, steps, ROUTE_COLOURS[index % len(ROUTE_COLOURS)], label)
        for number, (_, option, target) in enumerate(steps, start=1):
            key = (option.kind.label, option.name)
            if key not in rows:
                rows[key] = {"Track": option.kind.label, "Level": option.name, "Rank": None, "Band": "",
                             "Openings": openings_text(option.openings), "Today": "", "Route steps": ""}
                table.append(rows[key])
            mark = f"{label} step {number} by {target:%d %b %Y}"
            rows[key]["Route steps"] = "; ".join(filter(None, [rows[key]["Route steps"], mark]))
    top = max((o.rank or 0 for kind in LADDER for o in rungs[kind]), default=1)
    fig.update_xaxes(range=[-0.3, 3.2], tickmode="array", tickvals=[0, 1, 2],
                     ticktext=["Management track", "Expert track", "Alongside any level" if alongside else ""],
                     showgrid=False, zeroline=False, side="top")
    fig.update_yaxes(range=[-0.6, top + 0.6], tickmode="array", tickvals=list(range(1, top + 1)),
                     ticktext=[f"Level {r}" for r in range(1, top + 1)], showgrid=False, zeroline=False)
    _base_layout(fig, height=120 + 70 * top)
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
                           text=f"{_safe(label)} {number}: {target:%b %Y}", showarrow=False,
                           xanchor="right" if upright else "center", xshift=-8 if upright else 0,
                           yshift=0 if upright else 12, font={"color": colour}, bgcolor="rgba(0,0,0,0)")
        if option.kind.is_track:
            here = there


def _rung_hover(option: PathOption) -> str:
    lines = [f"<b>{_safe(option.name)}</b>", f"Band: {_band_words(option)}" if option.kind.is_track else "",
             f"Openings: {openings_text(option.openings)}", *(f"· {_safe(e)}" for e in option.expectations[:3])]
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
