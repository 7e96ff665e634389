"""Reachable steps and routes on the two ladders (coaching.paths.routes): pure, with property tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.core.needs import NEEDS, Need
from coaching.core.settings import SHIPPED_DIR
from coaching.paths.catalogue import Catalogue, PathKind, load_catalogue
from coaching.paths.routes import (
    LADDERS,
    Position,
    RouteRejected,
    StepKind,
    after,
    compare,
    moves,
    plan_route,
    reachable,
)

SHIPPED = load_catalogue(SHIPPED_DIR / "catalogue.toml")
TODAY = dt.date(2026, 5, 1)
EXPERT_SCORES = {"status": 30.0, "security": 50.0, "expertise": 88.0, "autonomy": 55.0, "balance": 40.0}
LEADER_SCORES = {"status": 86.0, "security": 50.0, "expertise": 40.0, "autonomy": 45.0, "balance": 30.0}


def _ranked(kind: PathKind) -> dict[str, int]:
    return {o.key: o.rank for o in SHIPPED.of_kind(kind)}


def _without(catalogue: Catalogue, key: str) -> Catalogue:
    return Catalogue(options=[o for o in catalogue.options if o.key != key])


def test_a_staff_specialist_steps_up_to_principal_or_across_to_manager():
    steps = {(s.kind, s.option.key) for s in reachable(SHIPPED, Position(level="staff"), EXPERT_SCORES)}
    assert (StepKind.UP, "principal") in steps
    assert (StepKind.ACROSS, "manager") in steps
    assert not {k for _, k in steps} & {"distinguished", "director", "senior_manager"}


def test_a_step_reports_its_band_change_openings_fit_and_needs():
    steps = {s.option.key: s for s in reachable(SHIPPED, Position(level="senior"), EXPERT_SCORES)}
    staff = steps["staff"]
    assert staff.change == Decimal(14000) and staff.change_text == "+14,000 EUR"
    assert staff.option.openings == 1
    assert Need.EXPERTISE in staff.serves and Need.EXPERTISE not in staff.starves
    assert staff.option.expectations
    team_lead = steps["team_lead"]
    assert team_lead.change == 0 and Need.EXPERTISE in team_lead.starves


def test_a_person_not_on_a_ladder_starts_at_each_entry_rung():
    found = {(k, o.key) for k, o in moves(SHIPPED, Position())}
    assert {(StepKind.ENTRY, "team_lead"), (StepKind.ENTRY, "senior")} <= found
    assert not any(k in (StepKind.UP, StepKind.ACROSS) for k, _ in found)


def test_the_catalogue_can_name_another_entry_rung():
    options = [o.model_copy(update={"entry": o.key == "manager"}) for o in SHIPPED.options]
    entries = [o.key for k, o in moves(Catalogue(options=options), Position()) if k is StepKind.ENTRY]
    assert "manager" in entries and "team_lead" not in entries


def test_a_level_the_catalogue_no_longer_has_counts_as_not_known():
    position = Position.of("expert", "staff", (), _without(SHIPPED, "staff"))
    assert position.level is None


def test_no_step_up_from_the_top_rung():
    assert not [o for k, o in moves(SHIPPED, Position(level="director")) if k is StepKind.UP]


@settings(max_examples=60, deadline=None)
@given(level=st.sampled_from([o.key for kind in LADDERS for o in SHIPPED.of_kind(kind)] + [None]),
       in_use=st.sets(st.sampled_from(["remote_days", "part_time", "own_project_time"])),
       retired=st.sampled_from([None, "staff", "manager", "principal", "remote_days"]))
def test_a_step_never_skips_a_rung_and_never_reaches_a_retired_option(level, in_use, retired):
    catalogue = SHIPPED if retired is None else _without(SHIPPED, retired)
    position = Position.of("expert" if level else None, level, tuple(in_use), catalogue)
    ranks = {o.key: (o.kind, o.rank) for o in catalogue.options}
    for kind, option in moves(catalogue, position):
        assert option.key != retired
        if kind is StepKind.UP:
            here_kind, here_rank = ranks[position.level]
            assert option.kind is here_kind
            between = [o for o in catalogue.of_kind(here_kind) if here_rank < o.rank < option.rank]
            assert not between, "a step up skipped a rung"
        if kind is StepKind.ACROSS:
            assert option.rank == ranks[position.level][1] and option.kind is not ranks[position.level][0]
        if kind is StepKind.ALONGSIDE:
            assert option.key not in position.options and not option.kind.is_track


@settings(max_examples=60, deadline=None)
@given(level=st.sampled_from(["senior", "staff", "team_lead", None]),
       scores=st.fixed_dictionaries({n.value: st.floats(0, 100) for n in NEEDS}))
def test_band_change_is_zero_for_flexible_and_self_directed_options(level, scores):
    for step in reachable(SHIPPED, Position(level=level), scores):
        if step.option.kind in (PathKind.FLEXIBLE, PathKind.SELF_DIRECTED):
            assert step.change == 0


@settings(max_examples=40, deadline=None)
@given(data=st.data(), level=st.sampled_from(["senior", "team_lead", None]),
       retired=st.sampled_from([None, "staff", "manager", "principal"]))
def test_a_built_route_moves_one_rung_at_a_time_and_stays_on_offer(data, level, retired):
    catalogue = SHIPPED if retired is None else _without(SHIPPED, retired)
    start = Position(level=level)
    position, picks = start, []
    for _ in range(data.draw(st.integers(1, 3))):
        options = moves(catalogue, position)
        kind, option = data.draw(st.sampled_from(options))
        picks.append((option.key, TODAY + dt.timedelta(days=30 * (len(picks) + 1))))
        position = after(position, kind, option)
    route = plan_route(catalogue, start, picks, EXPERT_SCORES, TODAY)
    assert len(route.steps) == len(picks) and route.end == position
    assert all(s.step.option.key != retired for s in route.steps)
    assert 0 <= route.fit <= 100


def test_a_route_that_skips_a_rung_is_refused_with_the_step_named():
    with pytest.raises(RouteRejected) as refused:
        plan_route(SHIPPED, Position(level="senior"), [("principal", TODAY)], EXPERT_SCORES, TODAY)
    assert refused.value.problems[0].startswith("Step 1: Principal specialist cannot be reached")


def test_a_route_to_a_retired_level_is_refused():
    with pytest.raises(RouteRejected) as refused:
        plan_route(_without(SHIPPED, "staff"), Position(level="senior"), [("staff", TODAY)], EXPERT_SCORES, TODAY)
    assert "not on offer" in refused.value.problems[0]


def test_route_dates_must_not_go_backwards_and_steps_are_one_to_three():
    picks = [("staff", TODAY + dt.timedelta(days=90)), ("remote_days", TODAY + dt.timedelta(days=10))]
    with pytest.raises(RouteRejected) as refused:
        plan_route(SHIPPED, Position(level="senior"), picks, EXPERT_SCORES, TODAY)
    assert refused.value.problems == ["Step 2: the target date 11 May 2026 is before the step before it"]
    with pytest.raises(RouteRejected):
        plan_route(SHIPPED, Position(level="senior"), [], EXPERT_SCORES, TODAY)
    four = [("staff", TODAY), ("principal", TODAY), ("distinguished", TODAY), ("remote_days", TODAY)]
    with pytest.raises(RouteRejected):
        plan_route(SHIPPED, Position(level="senior"), four, EXPERT_SCORES, TODAY)


def test_two_routes_compared_in_one_sentence():
    start = Position(level="senior")
    expert = plan_route(SHIPPED, start, [("staff", TODAY), ("principal", TODAY + dt.timedelta(days=365))],
                        LEADER_SCORES, TODAY)
    leader = plan_route(SHIPPED, start, [("team_lead", TODAY), ("manager", TODAY + dt.timedelta(days=365))],
                        LEADER_SCORES, TODAY)
    sentence = compare(expert, leader, (Need.STATUS,))
    assert sentence.startswith("Route B serves status and responsibility, their top need, better (0.84 against 0.4)")
    assert "expertise and acclaim (0.2 against 0.95)" in sentence
    assert leader.change == Decimal(14000) and expert.change == Decimal(32000)
    assert "18,000 EUR lower" in sentence


def test_two_routes_compared_on_needs_too_close_to_call_weigh_them_alike():
    start = Position(level="senior")
    expert = plan_route(SHIPPED, start, [("staff", TODAY)], LEADER_SCORES, TODAY)
    leader = plan_route(SHIPPED, start, [("team_lead", TODAY)], LEADER_SCORES, TODAY)
    a, b = (round((route.support[Need.STATUS] + route.support[Need.EXPERTISE]) / 2, 2) for route in (expert, leader))
    sentence = compare(expert, leader, (Need.STATUS, Need.EXPERTISE))
    assert a != b
    assert sentence.startswith(f"{'Route A' if a > b else 'Route B'} serves status and responsibility or expertise "
                               f"and acclaim, too close to call, better on average ({max(a, b):g} against "
                               f"{min(a, b):g})"), sentence
    assert "it gives less to status and responsibility (" in sentence, "better on average, less on one of them"


@settings(max_examples=40, deadline=None)
@given(level=st.sampled_from(["senior", "manager", "director", None]),
       picks=st.lists(st.sampled_from(["remote_days", "part_time", "own_project_time", "internal_venture"]),
                      min_size=1, max_size=3, unique=True))
def test_a_route_only_of_flexible_and_self_directed_steps_leaves_the_band_unchanged(level, picks):
    dates = [(key, TODAY + dt.timedelta(days=10 * i)) for i, key in enumerate(picks)]
    route = plan_route(SHIPPED, Position(level=level), dates, EXPERT_SCORES, TODAY)
    assert route.change == 0 and all(s.step.change == 0 for s in route.steps)
    assert route.end.level == level
