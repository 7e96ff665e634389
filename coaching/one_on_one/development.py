"""Agreed development routes: saved as goals, read back by the manager and the member, counted for a team.

Rules:
- a route is agreed by the manager of the member's current team (or the system), like a goal. It is
  checked whole against today's catalogue and the member's recorded arrangement (coaching.paths.routes)
  before anything is written, then its steps become goals (need: the one the step serves most for this
  person; path: the step's option) in one transaction with the route itself;
- saving a new route replaces the earlier one; `close_earlier` drops the earlier route's open goals in
  the same transaction (their history says so), otherwise they stay as they are;
- the member reads their agreed route through their own link, read-only (`own_route`);
- a team's directions are counts only: how many people's best reachable step is each option, against its
  openings, never who. An admin sees them only for a team with at least COACHING_MIN_GROUP answers;
- every agreement is audited on the member as "route agreed", never with its content.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.needs import NEEDS, Need
from coaching.db.errors import RowMissing
from coaching.db.subjects import reads
from coaching.governance.aggregates import disclosable
from coaching.governance.audit import Action, Subject
from coaching.governance.scope import require_team
from coaching.measurement.profiles import profiles
from coaching.measurement.response_rows import Wave
from coaching.one_on_one import plans
from coaching.one_on_one.plan_models import MAX_MEASURE, Goal, GoalInput, GoalStatus
from coaching.one_on_one.route_rows import RouteRow, RouteRows, StepFields, StepRow
from coaching.paths.catalogue import Catalogue, PathOption
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import Thresholds
from coaching.paths.routes import Position, Route, RouteRejected, Step, StepKind, plan_route, reachable
from coaching.people.team_rows import Team
from coaching.people.teams import MemberArrangement, arrangement_for, arrangements_of, list_teams

_TITLES = {StepKind.UP: "Move up to", StepKind.ACROSS: "Move across to", StepKind.ENTRY: "Start as",
           StepKind.ALONGSIDE: "Take up"}


def start_position(arrangement: MemberArrangement, catalogue: Catalogue) -> Position | None:
    """Where a route starts; None when no track is recorded for the member (ask for it first)."""
    if arrangement.track is None:
        return None
    return Position.of(arrangement.track, arrangement.level, arrangement.options, catalogue)


def step_need(step: Step) -> Need:
    """The need a step's goal serves: the one with the largest part in the step's fit for this person."""
    return max(NEEDS, key=lambda n: (step.fit.shares[n], step.option.support[n]))


def goal_fields(route: Route) -> list[StepFields]:
    """Each step as the goal it becomes: title, need, option, target date, what the level expects."""
    found = []
    for planned in route.steps:
        step = planned.step
        measure = "; ".join(step.option.expectations)[:MAX_MEASURE] or None
        goal = GoalInput(title=f"{_TITLES[step.kind]} {step.option.name}", need=step_need(step),
                         option_key=step.option.key, target_date=planned.target_date, success_measure=measure,
                         status=GoalStatus.PLANNED)
        found.append(StepFields(step.kind.value, step.option.key, planned.target_date, goal))
    return found


def _coach(aspire: Aspire, actor: Actor, member_id: int) -> int | None:
    if isinstance(actor, Actor) and actor.role is Role.SYSTEM:
        return None
    if isinstance(actor, Actor) and actor.role is Role.MANAGER and actor.id is not None:
        plans.list_goals(aspire, actor, member_id)     # PermissionDenied unless they coach the member
        return actor.id
    raise PermissionDenied(f"no member {member_id}")


def save_route(aspire: Aspire, actor: Actor, member_id: int, scores: Mapping[str, float],
               picks: Sequence[tuple[str, dt.date | None]], *, close_earlier: bool, today: dt.date,
               thresholds: Thresholds) -> AgreedRoute:
    """Agree a route with a member, from their recorded arrangement: its steps become goals.

    RouteRejected names every problem before anything is written.
    """
    coach = _coach(aspire, actor, member_id)
    arrangement = arrangement_for(aspire, actor, member_id)
    catalogue = catalogue_at(aspire)
    start = start_position(arrangement, catalogue)
    if start is None:
        raise RouteRejected(["Record their current track and level on the Members screen first"])
    route = plan_route(catalogue, start, picks, scores, today, thresholds)
    try:
        RouteRows(aspire.db).save(member_id, coach, (arrangement.track, arrangement.level),
                                        goal_fields(route), actor.id, close_earlier, dt.datetime.now(dt.UTC))
    except RowMissing:
        raise PermissionDenied(f"no member {member_id}") from None
    aspire.audit.record(actor, Action.CHANGED, Subject.MEMBER, [member_id], "route agreed")
    agreed = agreed_route(aspire, actor, member_id)
    assert agreed is not None
    return agreed


@dataclass(frozen=True)
class AgreedStep:
    position: int
    kind: StepKind
    option_key: str
    name: str                   # the option's name now (its key when it is no longer on offer)
    target_date: dt.date
    goal: Goal | None           # None when the goal was erased


@dataclass(frozen=True)
class AgreedRoute:
    id: int
    agreed_at: dt.datetime
    agreed_by: str | None
    start: tuple[str | None, str | None]
    steps: tuple[AgreedStep, ...]

    @property
    def open_goals(self) -> list[Goal]:
        return [s.goal for s in self.steps if s.goal is not None and s.goal.is_open]


def _agreed(row: RouteRow, steps: Sequence[StepRow], goals: Sequence[Goal], catalogue: Catalogue) -> AgreedRoute:
    names = {o.key: o.name for o in catalogue.options}
    by_id = {g.id: g for g in goals}
    return AgreedRoute(row.id, row.agreed_at, row.agreed_by, (row.start_track, row.start_level), tuple(
        AgreedStep(s.position, StepKind(s.kind), s.option_key, names.get(s.option_key, s.option_key), s.target_date,
                   by_id.get(s.goal_id))
        for s in steps if s.route_id == row.id))


def _current(aspire: Aspire, member_id: int, goals: Sequence[Goal]) -> AgreedRoute | None:
    rows = RouteRows(aspire.db)
    current = [r for r in rows.routes_of([member_id]) if r.replaced_at is None]
    if not current:
        return None
    return _agreed(current[-1], rows.steps_of([current[-1].id]), goals, catalogue_at(aspire))


def agreed_route(aspire: Aspire, actor: Actor, member_id: int) -> AgreedRoute | None:
    """The member's current agreed route, for their manager (None when none was agreed)."""
    return aspire.remembered(actor, _agreed_route, member_id)


@reads(subjects.TEAMS, subjects.MEMBERS, subjects.PLANS, subjects.CATALOGUE)
def _agreed_route(aspire: Aspire, actor: Actor, member_id: int) -> AgreedRoute | None:
    return _current(aspire, member_id, plans.list_goals(aspire, actor, member_id))


def own_route(aspire: Aspire, actor: Actor) -> AgreedRoute | None:
    """The route agreed with the person behind a link, read-only."""
    return _current(aspire, actor.id, plans.own_goals(aspire, actor)) if actor.id is not None else None


def all_routes(aspire: Aspire, member_ids: list[int], goals: Sequence[Goal], catalogue: Catalogue) -> list[AgreedRoute]:
    """Every route agreed with these members, oldest first (for their data export)."""
    rows = RouteRows(aspire.db)
    routes = rows.routes_of(member_ids)
    steps = rows.steps_of([r.id for r in routes])
    return [_agreed(r, steps, goals, catalogue) for r in routes]


# ---- a team's directions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Direction:
    """One next step for a team: how many people's needs point to it first, against its openings."""

    option: PathOption
    kind: StepKind
    people: int
    openings: int | None


@dataclass(frozen=True)
class TeamDirections:
    answered: int               # people who answered in the wave
    placed: int                 # of them, counted: a recorded track and answers with no quality flag
    directions: list[Direction]
    together: int = 0           # for an admin: people whose step is shown only together, as too few alone


def team_directions(aspire: Aspire, actor: Actor, team_id: int, wave: Wave, catalogue: Catalogue,
                    thresholds: Thresholds) -> TeamDirections | None:
    """For each next step, how many people's best reachable step it is. Counts only, never who.

    A manager sees their own teams. An admin sees a team only with at least COACHING_MIN_GROUP people counted
    (None below), and a step only when it counts that many (coaching.governance.aggregates.disclosable): the
    smaller ones
    are shown together, so no one person's direction can be read off.
    """
    if actor.role is Role.ADMIN:
        scope = SYSTEM
    elif actor.role is Role.MANAGER:
        scope = actor
        require_team(aspire.db, actor, team_id)
    else:
        raise PermissionDenied("team directions are for managers and admins")
    answered = profiles(aspire, scope, wave.id, [team_id])
    if actor.role is Role.ADMIN and len(answered) < aspire.settings.min_group:
        return None
    arrangements = _arrangements(aspire, team_id)
    counts: Counter[str] = Counter()
    kinds: dict[str, StepKind] = {}
    placed = 0
    for person in answered:
        start = start_position(arrangements[person.member_id], catalogue) if person.member_id in arrangements else None
        if start is None or person.profile.flags:    # flagged answers are for the one-on-one, not for a count
            continue
        placed += 1
        steps = reachable(catalogue, start, person.profile.scores, thresholds)
        if steps:
            best = max(steps, key=lambda s: s.fit.fit)
            counts[best.option.key] += 1
            kinds[best.option.key] = best.kind
    hidden = 0
    if actor.role is Role.ADMIN:
        if placed < aspire.settings.min_group:
            return None
        shown = disclosable(counts, aspire.settings.min_group)
        hidden = sum(n for k, n in counts.items() if k not in shown)
        counts = Counter({k: n for k, n in counts.items() if k in shown})
    offered = {o.key: o for o in catalogue.options}
    directions = [Direction(offered[k], kinds[k], n, offered[k].openings) for k, n in counts.most_common()]
    return TeamDirections(len(answered), placed, directions, hidden)


def countable_teams(aspire: Aspire, actor: Actor, wave: Wave) -> list[Team]:
    """For an admin: the teams with at least COACHING_MIN_GROUP answers in the wave, whose directions may show."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("organisation-wide figures are for admins")
    return [t for t in list_teams(aspire, SYSTEM)
            if len(profiles(aspire, SYSTEM, wave.id, [t.id])) >= aspire.settings.min_group]


def _arrangements(aspire: Aspire, team_id: int) -> dict[int, MemberArrangement]:
    """Each active member's arrangement in the team, read with the system's scope (only counts leave)."""
    return arrangements_of(aspire, SYSTEM, team_id)
