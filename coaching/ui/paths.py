"""Development paths on screen: the steps within reach, two routes built and compared, agreeing one as goals.

Also the read-only route on the member's own page, a team's directions (counts only), and the career
framework import on the catalogue screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.core.editing import EditConflict
from coaching.core.needs import NEEDS, Need
from coaching.core.tabular import ImportRejected
from coaching.measurement.responses import list_waves
from coaching.one_on_one import development
from coaching.paths import editing as paths
from coaching.paths.catalogue import Catalogue, PathOption
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import Thresholds
from coaching.paths.routes import (
    MAX_STEPS,
    Position,
    Route,
    RouteRejected,
    Step,
    StepKind,
    after,
    compare,
    moves,
    plan_route,
    reachable,
)
from coaching.people.teams import MemberArrangement
from coaching.ui.context import flash
from coaching.ui.format import plain
from coaching.ui.state import FrameworkImport, RouteBuilder
from coaching.ui.tables import show_rejected_import, show_table
from coaching.ui.views import show_view
from coaching.views.ladder import ladder_route_view
from coaching.views.view import openings_text

ROUTES = ("A", "B")
COACHING_ONLY = ("These results are for coaching and development, never for selection, promotion or pay decisions: "
                 "they count where people's needs point, never who fits an opening best.")


def _needs(needs: tuple[Need, ...]) -> str:
    return ", ".join(n.label.lower() for n in needs) or "none"


def step_rows(steps: list[Step]) -> list[dict[str, object]]:
    """The reachable steps as table rows: band, change, openings, fit, needs served and starved, expectations."""
    return [{"Step": s.kind.label, "Option": s.option.name, "Band": paths.band_text(s.band) if s.band else "none",
             "Band change": s.change_text, "Openings": openings_text(s.option.openings),
             "Fit": round(s.fit.fit), "Serves well": _needs(s.serves), "Strong needs left unmet": _needs(s.starves),
             "Expectations": "; ".join(s.option.expectations)} for s in steps]


def show_next_steps(aspire: Aspire, arrangement: MemberArrangement, scores: Mapping[str, float],
                    thresholds: Thresholds) -> None:
    """Under the fit of every option: which of them are a next step, so distant levels read as a longer route."""
    catalogue = catalogue_at(aspire)
    start = development.start_position(arrangement, catalogue)
    if start is None:
        return
    ladder = [s for s in reachable(catalogue, start, scores, thresholds) if s.option.kind.is_track]
    if ladder:
        st.caption("Next steps within reach: " + "; ".join(
            f"{plain(s.option.name)} ({s.kind.label}, fit {s.fit.fit:.0f})" for s in ladder)
            + ". Other levels are a longer route: build it under Development path.")


def show_development(aspire: Aspire, actor: Actor, member_id: int, name: str, arrangement: MemberArrangement,
                     scores: Mapping[str, float], leading: Sequence[Need], thresholds: Thresholds,
                     today: dt.date) -> None:
    """The one-on-one page's development path: where they stand, what is in reach, two routes, agree one."""
    catalogue = catalogue_at(aspire)
    start = development.start_position(arrangement, catalogue)
    if start is None:
        st.info(f"No current track is recorded for {plain(name)}, so there is no ladder to start from. Record their "
                "track and level (or the track alone, for someone not yet on a rung) on the Members screen.",
                icon=":material/edit_location_alt:")
        st.page_link("screens/members.py", label="Record it on Members", icon=":material/badge:")
        return
    agreed = development.agreed_route(aspire, actor, member_id)
    if agreed is not None:
        _show_agreed(agreed, "Agreed route")
    steps = reachable(catalogue, start, scores, thresholds)
    st.markdown("##### Within reach now")
    st.caption("One rung up their ladder, the same rung across on the other ladder (or each ladder's entry rung), "
               "and what goes with any level. Levels further away are a longer route: build it step by step below.")
    show_table(step_rows(steps), f"steps-in-reach-{member_id}")
    columns = st.columns(len(ROUTES))
    built = {label: _builder(label, catalogue, start, today, column) for label, column in zip(ROUTES, columns,
                                                                                            strict=True)}
    planned: dict[str, Route] = {}
    for label, picks in built.items():
        if not picks:
            continue
        try:
            planned[label] = plan_route(catalogue, start, picks, scores, today, thresholds)
        except RouteRejected as exc:
            columns[ROUTES.index(label)].error("; ".join(plain(p) for p in exc.problems), icon=":material/error:")
    drawn = [(f"Route {label}", [(s.step.kind, s.step.option, s.target_date) for s in route.steps])
             for label, route in planned.items()]
    if not drawn and agreed is not None:
        offered = {o.key: o for o in catalogue.options}
        drawn = [("Agreed", [(s.kind, offered[s.option_key], s.target_date) for s in agreed.steps
                             if s.option_key in offered])]
    show_view(ladder_route_view(name, catalogue, start.level, drawn), key="member_ladder")
    if len(planned) == len(ROUTES):
        _compare(planned, leading)
    for label in planned:
        if columns[ROUTES.index(label)].button(f"Agree route {label} as goals", key=f"route_{label}_agree",
                                               icon=":material/flag:", type="primary"):
            agreement = _Agreement(member_id, scores, built[label], today, thresholds, label)
            if agreed is not None and agreed.open_goals:
                _confirm_replace(aspire, actor, agreement, len(agreed.open_goals))
            else:
                _agree(aspire, actor, agreement, False)


def _step_label(reach: Mapping[str, tuple[StepKind, PathOption]]) -> Callable[[str | None], str]:
    """How a step's choice reads in its list: the option and the kind of move, or a dash for no further step."""
    return lambda key: "—" if key is None else f"{reach[key][1].name} ({reach[key][0].label})"


def _builder(label: str, catalogue: Catalogue, start: Position, today: dt.date,
             column: st.delta_generator.DeltaGenerator) -> list[tuple[str, dt.date | None]]:
    """One route's steps as chosen so far: each step offers what is one move from the step before it."""
    picks: list[tuple[str, dt.date | None]] = []
    position = start
    with column:
        st.markdown(f"**Route {label}**")
        for number in range(1, MAX_STEPS + 1):
            reach = {o.key: (kind, o) for kind, o in moves(catalogue, position)}
            step = RouteBuilder.option(label, number)
            if step.get() not in (None, *reach):
                step.pop()      # the step before changed: this choice is no longer in reach
            choices: list[str | None] = [None, *reach]
            chosen = st.selectbox(f"Step {number}", choices, key=step.key, format_func=_step_label(reach))
            if chosen is None:
                break
            target = st.date_input(f"Target date of step {number}", value=today + dt.timedelta(days=180 * number),
                                   min_value=today, key=f"route_{label}_{number}_date")
            picks.append((chosen, target))
            position = after(position, *reach[chosen])
    return picks


def _compare(planned: Mapping[str, Route], leading: Sequence[Need]) -> None:
    """The two routes side by side: what each gives every need at its end, fit and band change, in one sentence."""
    a, b = (planned[label] for label in ROUTES)
    st.markdown("##### Route A against route B")
    st.caption(plain(compare(a, b, leading)))
    mark = " (top need)" if len(leading) == 1 else " (too close to call)"
    rows = [{"": n.label + (mark if n in leading else ""), "Route A": a.support[n], "Route B": b.support[n]}
            for n in NEEDS]
    rows += [{"": "Fit (0-100)", "Route A": round(a.fit), "Route B": round(b.fit)},
             {"": "Band change", "Route A": a.change_text, "Route B": b.change_text}]
    show_table(rows, "route-a-against-b")


@dataclass(frozen=True)
class _Agreement:
    """A route about to be agreed: whose, which picks, and what it is weighed against."""

    member_id: int
    scores: Mapping[str, float]
    picks: list[tuple[str, dt.date | None]]
    today: dt.date
    thresholds: Thresholds
    label: str


def _agree(aspire: Aspire, actor: Actor, agreement: _Agreement, close_earlier: bool) -> None:
    a = agreement
    try:
        agreed = development.save_route(aspire, actor, a.member_id, a.scores, a.picks, close_earlier=close_earlier,
                                        today=a.today, thresholds=a.thresholds)
    except RouteRejected as exc:
        st.error("Not saved: " + "; ".join(plain(p) for p in exc.problems), icon=":material/error:")
        return
    RouteBuilder.steps.clear()
    closed = " The earlier route's open goals are closed." if close_earlier else ""
    flash(f"Agreed route {a.label}: {len(agreed.steps)} goal{'s' if len(agreed.steps) > 1 else ''} added, one per "
          f"step; find them under Goals.{closed}")


@st.dialog("Replace the agreed route")
def _confirm_replace(aspire: Aspire, actor: Actor, agreement: _Agreement, open_goals: int) -> None:
    st.markdown(f"The route agreed earlier still has {open_goals} open goal{'s' if open_goals > 1 else ''}. "
                "Close them (they are marked dropped, with their history kept), or keep them open beside the new "
                "route's goals?")
    close, keep = st.columns(2)
    if close.button("Close them and save", type="primary", key="route_close_earlier"):
        _agree(aspire, actor, agreement, True)
    if keep.button("Keep them open and save", key="route_keep_earlier"):
        _agree(aspire, actor, agreement, False)


def _show_agreed(agreed: development.AgreedRoute, heading: str) -> None:
    st.markdown(f"##### {heading}")
    st.caption(f"Agreed on {agreed.agreed_at:%d %b %Y}" + (f" by {plain(agreed.agreed_by)}" if agreed.agreed_by
                                                             else "") + "; each step is a goal.")
    st.markdown("\n".join(
        f"{s.position}. **{plain(s.name)}** ({s.kind.label}) by {s.target_date:%d %b %Y}"
        + (f" · goal {s.goal.status.label.lower()}" if s.goal is not None else "") for s in agreed.steps))


def show_own_route(aspire: Aspire, actor: Actor, name: str, catalogue: Catalogue) -> None:
    """The route agreed with the person, on their own page, read-only."""
    agreed = development.own_route(aspire, actor)
    if agreed is None:
        return
    st.subheader("The development route you agreed with your manager")
    _show_agreed(agreed, "Your steps")
    offered = {o.key: o for o in catalogue.options}
    level = agreed.start[1]
    steps = [(s.kind, offered[s.option_key], s.target_date) for s in agreed.steps if s.option_key in offered]
    show_view(ladder_route_view(name, catalogue, level, [("Agreed", steps)]), key="own_ladder")


# ---- a team's directions --------------------------------------------------------------------------------


def show_directions(found: development.TeamDirections | None, min_group: int) -> None:
    """How many people's needs point to each next step, against its openings: counts only, never who."""
    st.caption(COACHING_ONLY)
    if found is None:
        st.info(f"This team has fewer than {min_group} people counted in this wave, so its counts stay hidden.",
                icon=":material/visibility_off:")
        return
    if not found.directions and not found.together:
        st.info("No one who answered has a recorded track yet: record it on the Members screen.",
                icon=":material/info:")
        return
    st.caption(f"{found.placed} of {found.answered} people who answered are counted: those with a recorded track "
               "and answers with no quality flag to check first. For each, the reachable step that fits their needs "
               "best is counted once.")
    show_table([{"Next step": d.option.name, "Kind": d.kind.label, "People whose needs point here": d.people,
                 "Openings": openings_text(d.openings)} for d in found.directions]
               + ([{"Next step": "Other steps together", "Kind": "", "People whose needs point here": found.together,
                    "Openings": ""}] if found.together else []), "next-steps")


def show_admin_directions(aspire: Aspire, actor: Actor) -> None:
    """For an admin: a team's directions, only over teams with at least COACHING_MIN_GROUP answers."""
    waves = list_waves(aspire)
    teams = development.countable_teams(aspire, actor, waves[-1]) if waves else []
    if not teams:
        st.info(f"No team has at least {aspire.settings.min_group} answers in the newest wave, so no team's counts "
                "can be shown.", icon=":material/visibility_off:")
        return
    team = st.selectbox("Team", teams, format_func=lambda t: t.name, key="directions_team")
    wave = waves[-1]
    found = development.team_directions(aspire, actor, team.id, wave, catalogue_at(aspire),
                                        Thresholds.from_settings(aspire.settings))
    st.caption(f"Wave {wave.name}; counts only, and only for a team and a step with at least "
               f"{aspire.settings.min_group} people (smaller steps are shown together).")
    show_directions(found, aspire.settings.min_group)


# ---- the career framework ------------------------------------------------------------------------------


def show_framework_import(aspire: Aspire, actor: Actor) -> None:
    """Upload a career framework (CSV): every level's title, scope and expectations, all rows or none."""
    st.caption("A UTF-8 CSV file with the columns `track` (management or expert), `level` (a level key on that "
               "track), `title` and `expectation`, one row per expectation; `scope` is optional. The whole file is "
               "checked first: if any row is wrong, nothing is imported and every wrong row is listed. Each "
               "changed level keeps its earlier version in its history.")
    upload = st.file_uploader("Career framework (CSV)", type="csv",
                              key=f"framework_csv_{FrameworkImport.imports.count}")
    if st.button("Import the framework", icon=":material/upload_file:", disabled=upload is None) and upload is not None:
        try:
            saved = paths.import_framework(aspire, actor, upload.getvalue())
        except ImportRejected as exc:
            show_rejected_import(exc, "framework-problems")
        except EditConflict as exc:
            st.error(str(exc), icon=":material/sync_problem:")
        else:
            FrameworkImport.imports.bump()
            flash(f"Imported the framework: {len(saved)} level{'s' if len(saved) != 1 else ''} changed.")
