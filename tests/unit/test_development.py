"""Agreed routes on a real DuckDB file (coaching.one_on_one.development): saved as goals in one go, replaced with or
without closing the earlier goals, read back by the member, exported, erased; a team's directions as counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.needs import Need
from coaching.measurement.responses import Submission, ensure_wave, list_waves, submit
from coaching.one_on_one import development, member_data, plans
from coaching.one_on_one.brief import ChartRenderer, member_brief
from coaching.one_on_one.plans import GoalStatus
from coaching.one_on_one.route_rows import RouteRows
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import Thresholds
from coaching.paths.routes import RouteRejected, StepKind
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.people.teams import MemberArrangement
from coaching.privacy import requests as privacy
from tests.conftest import make_manager

TODAY = dt.date(2026, 5, 1)
EXPERT = {"status": 30.0, "security": 50.0, "expertise": 88.0, "autonomy": 55.0, "balance": 72.0}
THRESHOLDS = Thresholds()


@pytest.fixture
def org(aspire):
    a = make_manager(aspire, "a@example.com", "Manager A")
    b = make_manager(aspire, "b@example.com", "Manager B")
    team = teams.create_team(aspire, a, "Platform")
    ana = teams.add_member(aspire, a, team.id, {"name": "Ana", "email": "ana@example.com", "track": "expert",
                                                "level": "senior"})
    return {"aspire": aspire, "a": a, "b": b, "team": team, "ana": ana.id}


def agree(org, picks, close_earlier=False, actor=None):
    aspire, ana = org["aspire"], org["ana"]
    return development.save_route(aspire, actor or org["a"], ana, EXPERT, picks, close_earlier=close_earlier,
                                  today=TODAY, thresholds=THRESHOLDS)


def test_each_step_of_an_agreed_route_becomes_a_goal_tied_to_its_need_and_option(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    agreed = agree(org, [("staff", dt.date(2027, 3, 31)), ("compressed_week", dt.date(2027, 6, 30))])

    goals = plans.list_goals(aspire, a, ana)
    assert [(g.title, g.need, g.option_key, g.target_date, g.status) for g in goals] == [
        ("Move up to Staff specialist", Need.EXPERTISE, "staff", dt.date(2027, 3, 31), GoalStatus.PLANNED),
        ("Take up Compressed week", Need.BALANCE, "compressed_week", dt.date(2027, 6, 30), GoalStatus.PLANNED)]
    assert goals[0].success_measure.startswith("Sets technical direction across several teams")
    assert [(s.kind, s.goal.id) for s in agreed.steps] == [(StepKind.UP, goals[0].id),
                                                           (StepKind.ALONGSIDE, goals[1].id)]
    assert plans.goal_history(aspire, a, goals[0].id)[0].event == "added"
    assert development.own_route(aspire, Actor(Role.RESPONDENT, ana, "Ana")).id == agreed.id


def test_a_route_that_cannot_be_followed_writes_nothing(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    with pytest.raises(RouteRejected, match="Step 2: Distinguished specialist cannot be reached"):
        agree(org, [("staff", dt.date(2027, 3, 31)), ("distinguished", dt.date(2027, 6, 30))])
    assert plans.list_goals(aspire, a, ana) == []
    assert development.agreed_route(aspire, a, ana) is None


def test_a_new_route_can_close_the_open_goals_of_the_earlier_one_or_keep_them(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    first = agree(org, [("staff", dt.date(2027, 3, 31))])
    agree(org, [("team_lead", dt.date(2027, 3, 31))], close_earlier=False)
    kept = {g.title: g.status for g in plans.list_goals(aspire, a, ana)}
    assert kept == {"Move up to Staff specialist": GoalStatus.PLANNED, "Move across to Team lead": GoalStatus.PLANNED}

    third = agree(org, [("remote_days", dt.date(2026, 9, 1))], close_earlier=True)
    statuses = {g.title: g.status for g in plans.list_goals(aspire, a, ana)}
    assert statuses["Move across to Team lead"] is GoalStatus.DROPPED, "the earlier route's open goal is closed"
    assert statuses["Move up to Staff specialist"] is GoalStatus.PLANNED, "goals of older routes are left alone"
    assert development.agreed_route(aspire, a, ana).id == third.id != first.id
    assert [r.replaced_at is None for r in RouteRows(aspire.db).routes_of([ana])] == [False, False, True]


def test_only_the_members_manager_agrees_a_route(org):
    with pytest.raises(PermissionDenied):
        agree(org, [("staff", dt.date(2027, 3, 31))], actor=org["b"])
    with pytest.raises(PermissionDenied):
        development.agreed_route(org["aspire"], org["b"], org["ana"])


def test_a_member_without_a_recorded_track_is_asked_for_one(org):
    aspire = org["aspire"]
    assert development.start_position(MemberArrangement(track=None, level=None), catalogue_at(aspire)) is None
    bo = teams.add_member(aspire, org["a"], org["team"].id, {"name": "Bo", "email": "bo@example.com"})
    with pytest.raises(RouteRejected, match="Record their current track"):
        development.save_route(aspire, org["a"], bo.id, EXPERT, [("senior", TODAY)], close_earlier=False,
                               today=TODAY, thresholds=THRESHOLDS)


def test_the_export_holds_the_route_and_an_erasure_removes_it(org):
    aspire = org["aspire"]
    agree(org, [("staff", dt.date(2027, 3, 31))])
    document = privacy.export_document(aspire, SYSTEM, "ana@example.com")
    (route,) = document["members"][0]["routes"]
    assert route["steps"][0]["option_key"] == "staff" and route["steps"][0]["target_date"] == "2027-03-31"
    assert ("route_step", "option_key", "staff") in {(r[0], r[2], r[3]) for r in member_data.csv_rows(document)}

    privacy.erase_member(aspire, SYSTEM, "ana@example.com")
    assert aspire.db.scalar("SELECT count(*) FROM route") == 0
    assert aspire.db.scalar("SELECT count(*) FROM route_step") == 0


def _answer(aspire, instrument, member_ids):
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    ratings = {i.id: ((1 if i.reverse else 5) if i.need == "expertise" else 2) for i in instrument.items}
    raw = {"ratings": ratings, "top_three": ["expertise", "autonomy", "balance"]}
    submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=raw) for m in member_ids])
    return next(w for w in list_waves(aspire) if w.id == wave)


def test_team_directions_count_people_never_name_them_and_admins_see_only_large_teams(org, instrument):
    aspire, a, team = org["aspire"], org["a"], org["team"]
    others = [teams.add_member(aspire, a, team.id, {"name": f"P{i}", "email": f"p{i}@example.com",
                                                    "track": "expert", "level": "senior"}).id for i in range(3)]
    wave = _answer(aspire, instrument, [org["ana"], *others])
    catalogue = catalogue_at(aspire)

    found = development.team_directions(aspire, a, team.id, wave, catalogue, THRESHOLDS)
    assert (found.answered, found.placed) == (4, 4)
    assert sum(d.people for d in found.directions) == 4
    assert {d.option.key for d in found.directions} == {"staff"}
    assert not any(hasattr(d, "members") or hasattr(d, "names") for d in found.directions)

    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    assert development.team_directions(aspire, admin, team.id, wave, catalogue, THRESHOLDS) is None, \
        "four answers are below the group-size rule of five"
    fifth = teams.add_member(aspire, a, team.id, {"name": "P5", "email": "p5@example.com", "track": "expert",
                                                  "level": "senior"}).id
    _answer(aspire, instrument, [fifth])
    seen = development.team_directions(aspire, admin, team.id, wave, catalogue, THRESHOLDS)
    assert [(d.option.key, d.people) for d in seen.directions] == [("staff", 5)] and seen.together == 0
    teams.edit_member(aspire, a, fifth, 1, {"name": "P5", "email": "p5@example.com", "track": "management",
                                            "level": "director"})
    seen = development.team_directions(aspire, admin, team.id, wave, catalogue, THRESHOLDS)
    assert (seen.directions, seen.together) == ([], 5), "4 and 1 are each below five: shown only together"
    assert [d.people for d in development.team_directions(aspire, a, team.id, wave, catalogue,
                                                          THRESHOLDS).directions] == [4, 1], "the manager sees all"
    with pytest.raises(PermissionDenied):
        development.team_directions(aspire, org["b"], team.id, wave, catalogue, THRESHOLDS)


def test_team_directions_leave_out_answers_with_a_quality_flag(org, instrument):
    """A straight line rates every need alike: the step its flat scores fit best is no direction of the team."""
    aspire, a, team = org["aspire"], org["a"], org["team"]
    flat = teams.add_member(aspire, a, team.id, {"name": "Flat", "email": "flat@example.com", "track": "expert",
                                                 "level": "senior"}).id
    wave = _answer(aspire, instrument, [org["ana"]])
    submit(aspire, SYSTEM, [Submission(member_id=flat, wave_id=wave.id, raw={
        "ratings": {i.id: 3 for i in instrument.items}, "top_three": ["status", "security", "autonomy"]})])

    found = development.team_directions(aspire, a, team.id, wave, catalogue_at(aspire), THRESHOLDS)

    assert (found.answered, found.placed) == (2, 1)
    assert sum(d.people for d in found.directions) == 1


def test_the_brief_names_the_steps_within_reach_and_the_agreed_route(org, instrument):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    _answer(aspire, instrument, [ana])
    agree(org, [("staff", dt.date(2027, 3, 31))])
    with ChartRenderer() as renderer:
        reader = PdfReader(io.BytesIO(member_brief(aspire, a, ana, THRESHOLDS, made_on=TODAY, renderer=renderer)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Development path: within reach now" in text
    assert "Staff specialist (next level up): band change +14,000 EUR" in text
    within = text.split("Development path: within reach now")[1].split("Agreed route")[0]
    assert "Team lead (across to the other ladder)" in within
    assert "Distinguished specialist" not in within and "Director" not in within, "distant levels are no next step"
    assert "1. Staff specialist (next level up) by 2027-03-31, goal planned" in text
    assert sum(len(page.images) for page in reader.pages) == 3, "profile, fit and the agreed route"
