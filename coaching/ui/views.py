"""Showing a chart View the same way everywhere: title, its reading in words, and a table instead on request.

The screens' charts are built by the functions below, each from the domain's reads, so that a screen asks for
one with `aspire.remembered(actor, function, ...)` and a rerun with no write in between draws it again at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import streamlit as st
from streamlit.typing import PlotlyState

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import Actor, Role
from coaching.db.subjects import reads
from coaching.measurement.profiles import ScaleSummary
from coaching.measurement.response_rows import Wave
from coaching.one_on_one.portrait import member_portrait, member_subjects, team_picture, team_picture_subjects
from coaching.paths.editing import catalogue_for_wave
from coaching.paths.fit import Thresholds
from coaching.ui.format import plain
from coaching.ui.tables import show_table
from coaching.views.demand import demand_offer_view
from coaching.views.fit import member_fit_view
from coaching.views.heatmap import team_heatmap_view
from coaching.views.overview import org_needs_view, people_needs_view
from coaching.views.pay import pay_ladder_view
from coaching.views.profile import member_profile_view
from coaching.views.trend import member_trend_view, team_drift_view
from coaching.views.view import View

PLOTLY_CONFIG = {"displaylogo": False}


def show_view(
    view: View, *, key: str, on_select: Literal["rerun"] | Callable[[], None] | None = None
) -> PlotlyState | None:
    """Draw a view and return the chart's selection event when ``on_select`` is given, else None.

    A view with nothing to draw says why (its reading) in place of an empty chart. The table toggle
    is keyed per view, so each chart on a screen keeps its own choice across reruns; the table downloads as
    `<key>.csv`. Names inside the
    title and reading are typed by people, so they are shown as typed, never as Markdown.
    """
    heading, switch = st.columns([2, 1], vertical_alignment="bottom")
    heading.markdown(f"##### {plain(view.title)}")
    if not view.table:
        st.info(plain(view.reading), icon=":material/info:")
        return None
    as_table = switch.toggle("Show as table", key=f"{key}_as_table")
    st.caption(plain(view.reading))
    if as_table:
        show_table(view.table, key)
        return None
    if on_select is None:
        st.plotly_chart(view.figure, width="stretch", key=key, config=PLOTLY_CONFIG, alt=view.reading)
        return None
    return st.plotly_chart(view.figure, width="stretch", key=key, config=PLOTLY_CONFIG, alt=view.reading,
                           on_select=on_select, selection_mode="points")


@reads()     # drawn from its arguments alone
def needs_chart(aspire: Aspire, actor: Actor, summaries: tuple[ScaleSummary, ...]) -> View:
    """The home screen's bars: an admin's over the organisation, a manager's over their people."""
    view = org_needs_view if actor.role is Role.ADMIN else people_needs_view
    return view(list(summaries))


@reads(member_subjects)
def member_profile_chart(aspire: Aspire, actor: Actor, member_id: int, thresholds: Thresholds,
                         overlay: str | None) -> View:
    """A member's newest profile, with one path on offer (by key) drawn over it, or none."""
    portrait = member_portrait(aspire, actor, member_id, thresholds)
    options = {o.key: o for o in portrait.catalogue.options}
    assert portrait.current is not None, "drawn only for someone who answered"
    drawn = None if overlay is None else options.get(overlay)
    return member_profile_view(portrait.member.name, portrait.current.profile.profile, drawn)


@reads(member_subjects)
def member_fit_chart(aspire: Aspire, actor: Actor, member_id: int, thresholds: Thresholds) -> View:
    portrait = member_portrait(aspire, actor, member_id, thresholds)
    return member_fit_view(portrait.member.name, portrait.fits, portrait.unmet)


@reads(member_subjects)
def member_trend_chart(aspire: Aspire, actor: Actor, member_id: int, thresholds: Thresholds) -> View:
    portrait = member_portrait(aspire, actor, member_id, thresholds)
    waves = [(w.wave.name, w.profile.profile.scores) for w in portrait.history]
    return member_trend_view(portrait.member.name, waves, portrait.changes)


@reads(team_picture_subjects)
def team_heatmap_chart(aspire: Aspire, actor: Actor, team_id: int, wave: Wave, thresholds: Thresholds) -> View:
    return team_heatmap_view(team_picture(aspire, actor, team_id, wave, thresholds).heatmap_rows)


@reads(team_picture_subjects)
def team_demand_chart(aspire: Aspire, actor: Actor, team_id: int, wave: Wave, thresholds: Thresholds) -> View:
    picture = team_picture(aspire, actor, team_id, wave, thresholds)
    return demand_offer_view(picture.demands, not_counted=picture.not_counted)


@reads(team_picture_subjects)
def team_drift_chart(aspire: Aspire, actor: Actor, team_id: int, wave: Wave, thresholds: Thresholds) -> View:
    """The team's means in a wave against the newest earlier wave anyone in it answered."""
    picture = team_picture(aspire, actor, team_id, wave, thresholds)
    assert picture.earlier is not None, "drawn only when someone answered an earlier wave"
    earlier_wave, earlier = picture.earlier
    return team_drift_view(earlier_wave.name, earlier, wave.name, picture.summary)


@reads(subjects.WAVES, subjects.CATALOGUE)
def pay_ladder_chart(aspire: Aspire, actor: Actor, wave: Wave) -> View:
    """The pay bands on offer in a wave (the catalogue of its time): the same for everyone."""
    return pay_ladder_view(catalogue_for_wave(aspire, wave))
