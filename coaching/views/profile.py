"""One person's profile as a radar: their own, in their language, and as their manager sees it, with a path
option's claimed support over it."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from coaching import i18n
from coaching.core.needs import NEEDS, SCALES, Facet, Need, scale_label
from coaching.i18n import Texts
from coaching.measurement.scoring import Profile, joined
from coaching.paths.catalogue import PathOption
from coaching.views.view import (
    FACET_SYMBOLS,
    NEED_COLOURS,
    OFFER_COLOUR,
    OUTLINE,
    View,
    base_layout_values,
    empty_view,
    highest_rated,
    lowest_rated,
    safe,
)

#: Spoke labels (the catalogue's `spoke.*`) break over two lines, so they stay readable on a 375 px phone.
#: Security's facets sit either side of its spoke, each with its own marker shape (never colour alone).
FACET_OFFSET_DEGREES = 14.0
#: Plotly's own angle (counter-clockwise from east) half-way between the balance and status spokes.
_RADIAL_ANGLE = 90 + 360 / len(NEEDS) / 2


def own_profile_view(profile: Profile, texts: Texts | None = None) -> View:
    """The profile a person sees after answering, every word in `texts`' language (English by default).

    The table marks the person's own top three; the reading gives every score, for a screen reader.
    """
    texts = texts or i18n.texts(i18n.DEFAULT)
    parts = [texts("profile.alt_score", label=texts.label(s), score=texts.number(v)) for s, v in profile.scores.items()]
    return View(title=texts("results.title"), figure=_radar(profile, texts),
                reading=texts("profile.alt", scores=", ".join(parts)), table=_own_rows(profile, texts))


def _own_rows(profile: Profile, texts: Texts) -> list[dict[str, object]]:
    """Needs in their usual order, each security facet right under security, the person's picks marked."""
    rows: list[dict[str, object]] = []
    for need in NEEDS:
        scales = [str(need)] + ([f.scale for f in Facet] if need is Need.SECURITY else [])
        for scale in scales:
            if scale in profile.scores:
                rows.append({
                    texts("profile.need"): ("· " if "." in scale else "") + texts.label(scale),
                    texts("profile.score"): round(profile.scores[scale]),
                    texts("profile.pick"): (texts(f"profile.pick_{profile.choice.index(need) + 1}")
                                            if "." not in scale and need in profile.choice else ""),
                })
    return rows


def member_profile_view(name: str, profile: Profile, overlay: PathOption | None = None) -> View:
    """One person's radar, with a path option's claimed support (0-1, drawn x100) over it when given."""
    title = f"What {name} needs"
    needs = [need for need in NEEDS if need in profile.scores]
    if not needs:
        return empty_view(title, f"{name} has no scores to draw yet: they appear once {name} has answered.")
    scores = profile.scores
    fig = _radar(profile, i18n.texts(i18n.DEFAULT))
    if overlay is not None:
        closed = [*needs, needs[0]]
        fig.add_trace(go.Scatterpolar(
            name=f"{safe(overlay.name)}: what it offers",
            r=[100 * overlay.support[n] for n in closed],
            theta=[_spoke(n) for n in closed],
            mode="lines+markers",
            line={"color": OFFER_COLOUR, "width": 2, "dash": "dash"},
            marker={"size": 7, "color": OFFER_COLOUR, "symbol": "square"},
            hovertext=[f"{safe(overlay.name)} serves {n.label.lower()} at {100 * overlay.support[n]:.0f} of 100"
                       for n in closed],
            hoverinfo="text",
            showlegend=True,
        ))
    highest = highest_rated(scores)
    reading = _ratings_reading(name, scores)
    if overlay is not None:
        served = [f"{n.label.lower()} at {100 * overlay.support[n]:.0f}" for n in highest]
        reading += f"; {overlay.name} claims to serve {joined(served)}"
    table = [
        {"Need": scale_label(scale), "Score (0-100)": scores[scale]}
        | ({f"{overlay.name} offers (0-100)": _offer(overlay, scale)} if overlay is not None else {})
        for scale in _measured(scores)
    ]
    return View(title=title, figure=fig, reading=reading + ".", table=table)


def _ratings_reading(name: str, scores: Mapping[str, float]) -> str:
    """What the radar shows, in words: the highest and lowest rated needs, every need of a tie named.

    It speaks of ratings, not of what the person needs most: that judgement is the scoring's (Profile.label),
    which weighs the ratings' error and the forced choice, and may name no single need.
    """
    highest, lowest = highest_rated(scores), lowest_rated(scores)
    top, bottom = scores[highest[0]], scores[lowest[0]]
    if highest == lowest:
        return f"{name} rated all {len(highest)} needs the same ({top:.0f} of 100)"
    return (f"{name} rated {_rated(highest, 'highest', f'{top:.0f} of 100')} and "
            f"{_rated(lowest, 'lowest', f'{bottom:.0f}')}")


def _rated(needs: list[Need], word: str, score: str) -> str:
    """'autonomy highest (90 of 100)'; on a tie '2 needs highest (80 of 100: expertise and acclaim; autonomy)'."""
    if len(needs) == 1:
        return f"{needs[0].label.lower()} {word} ({score})"
    return f"{len(needs)} needs {word} ({score}: {'; '.join(n.label.lower() for n in needs)})"


def _offer(option: PathOption, scale: str) -> float | None:
    """An option's claimed support on a 0-100 scale; facets have no claim of their own."""
    return None if "." in scale else round(100 * option.support[Need(scale)], 1)


def _measured(scores: Mapping[str, float]) -> list[str]:
    """The scales these scores hold, in the usual order (needs, then security's facets)."""
    return [scale for scale in SCALES if scale in scores]


def _spoke(need: Need) -> float:
    """The angle of a need's spoke in degrees: status at the top, then clockwise in NEEDS order."""
    return NEEDS.index(need) * 360.0 / len(NEEDS)


def _radar(profile: Profile, texts: Texts) -> go.Figure:
    """One person's scores as a radar: the five needs joined up, security's two facets as thin spokes beside it.

    A need or facet the instrument did not measure is left out, never drawn as 0. Words in `texts`' language.
    Made in one go, traces and layout together: every person sees it right after Send.
    """
    scores = profile.scores
    needs = [need for need in NEEDS if need in scores]
    traces = []
    if needs:
        closed = [*needs, needs[0]]
        traces.append(go.Scatterpolar(
            name=texts("profile.your_needs"),
            r=[scores[n] for n in closed],
            theta=[_spoke(n) for n in closed],
            mode="lines+markers",
            line={"color": OUTLINE, "width": 2},
            fill="toself",
            showlegend=False,
            fillcolor="rgba(0, 114, 178, 0.12)",
            marker={"size": 11, "color": [NEED_COLOURS[n] for n in closed], "line": {"color": OUTLINE, "width": 1}},
            hovertext=[texts("profile.of_100", label=texts.label(n), score=texts.number(scores[n])) for n in closed],
            hoverinfo="text",
        ))
    for side, facet in zip((-1, 1), Facet, strict=True):
        if facet.scale not in scores:
            continue
        angle = _spoke(Need.SECURITY) + side * FACET_OFFSET_DEGREES
        value = scores[facet.scale]
        traces.append(go.Scatterpolar(
            name=f"{texts.label(Need.SECURITY)}: {texts.named(facet.scale)}",
            r=[0, value],
            theta=[angle, angle],
            mode="lines+markers",
            line={"color": NEED_COLOURS[facet.scale], "width": 1.5, "dash": "dot"},
            marker={"size": [0, 11], "symbol": FACET_SYMBOLS[facet], "color": NEED_COLOURS[facet.scale],
                    "line": {"color": OUTLINE, "width": 1}},
            hovertext=["", texts("profile.of_100", label=f"{texts.label(Need.SECURITY)}, "
                                 f"{texts.named(facet.scale)}", score=texts.number(value))],
            hoverinfo="text",
            showlegend=True,
        ))
    polar = {
        "bgcolor": "rgba(0,0,0,0)",
        # The 0-100 ticks run up between balance and status, clear of every spoke and of the facets.
        "radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "tickfont": {"size": 9},
                       "angle": _RADIAL_ANGLE, "tickangle": _RADIAL_ANGLE, "showline": False},   # level labels
        "angularaxis": {"rotation": 90, "direction": "clockwise", "tickmode": "array",
                        "tickvals": [_spoke(n) for n in NEEDS], "ticktext": [texts(f"spoke.{n}") for n in NEEDS],
                        "tickfont": {"size": 12}},
    }
    return go.Figure(data=traces, layout={
        **base_layout_values(400), "polar": polar,
        "margin": {"l": 60, "r": 60, "t": 40, "b": 10}, "dragmode": False, "showlegend": True,
        "legend": {"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.05, "yanchor": "top",
                   "font": {"size": 11}, "itemclick": False, "itemdoubleclick": False},
    })
