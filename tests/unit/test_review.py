"""The yearly review (coaching.one_on_one.review, coaching.one_on_one.plans.review_goal): review dates, the
manager's overview on a real DuckDB file, the question asked goal by goal, and the answer kept in the goal's history."""

from __future__ import annotations

import datetime as dt

import pytest

from coaching.core.actors import SYSTEM, PermissionDenied, Role
from coaching.core.needs import Need
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.scoring import Change, Profile
from coaching.one_on_one import plans
from coaching.one_on_one.plans import ChangedMeanwhile, GoalStatus, PlanRejected, ReviewAnswer
from coaching.one_on_one.review import (
    DUE_SOON_DAYS,
    ReviewState,
    goal_review,
    next_review_date,
    review_overview,
    review_state,
)
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.rounds import rounds
from tests.conftest import make_manager

TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (None, None),
        (dt.date(2025, 3, 10), dt.date(2026, 3, 10)),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        (dt.date(2025, 12, 31), dt.date(2026, 12, 31)),
    ],
)
def test_the_next_review_is_twelve_calendar_months_after_the_last_answers(last, expected):
    assert next_review_date(last) == expected


@pytest.mark.parametrize(
    ("next_review", "state"),
    [
        (None, ReviewState.NEVER_ANSWERED),
        (TODAY - dt.timedelta(days=1), ReviewState.OVERDUE),
        (TODAY, ReviewState.DUE),
        (TODAY + dt.timedelta(days=DUE_SOON_DAYS), ReviewState.DUE),
        (TODAY + dt.timedelta(days=DUE_SOON_DAYS + 1), ReviewState.NOT_YET),
    ],
)
def test_a_review_is_due_a_month_ahead_and_overdue_once_its_day_has_passed(next_review, state):
    assert review_state(next_review, TODAY) is state


# ---- the manager's overview ------------------------------------------------------------------------------


@pytest.fixture
def team(aspire, instrument):
    manager = make_manager(aspire)
    team = teams.create_team(aspire, manager, "Platform")
    ids = {name: teams.add_member(aspire, manager, team.id, {"name": name, "email": f"{name.lower()}@example.com"}).id
           for name in ("Ana", "Ben", "Cleo", "Dan")}
    raw = {"ratings": {i.id: 4 for i in instrument.items}, "top_three": ["status", "balance", "autonomy"]}
    answered = {"Ana": dt.date(2025, 5, 1), "Ben": dt.date(2025, 7, 1), "Cleo": dt.date(2026, 3, 10)}
    for name, day in answered.items():
        wave = ensure_wave(aspire, str(day.year), dt.date(day.year, 1, 1))
        when = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        submit(aspire, SYSTEM, [Submission(member_id=ids[name], wave_id=wave, raw=raw, submitted_at=when)])
    return {"aspire": aspire, "manager": manager, "team": team, "ids": ids}


def test_the_overview_lists_the_most_urgent_reviews_first(team):
    rows = review_overview(team["aspire"], team["manager"], team["team"].id, TODAY)

    assert [(r.name, r.state, r.last_answered, r.next_review) for r in rows] == [
        ("Ana", ReviewState.OVERDUE, dt.date(2025, 5, 1), dt.date(2026, 5, 1)),
        ("Ben", ReviewState.DUE, dt.date(2025, 7, 1), dt.date(2026, 7, 1)),
        ("Dan", ReviewState.NEVER_ANSWERED, None, None),
        ("Cleo", ReviewState.NOT_YET, dt.date(2026, 3, 10), dt.date(2027, 3, 10)),
    ]


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 5, 1), dt.date(2026, 4, 30), dt.date(2027, 3, 10)])
def test_everyone_the_rounds_screen_counts_as_due_is_listed_as_due_here(team, today):
    aspire, manager, team_id = team["aspire"], team["manager"], team["team"].id
    states = {r.member_id: r.state for r in review_overview(aspire, manager, team_id, today)}
    for member_id in rounds.due_for_review(aspire, manager, team_id, today):
        assert states[member_id] in (ReviewState.OVERDUE, ReviewState.DUE, ReviewState.NEVER_ANSWERED)


def test_the_overview_is_for_the_teams_manager_only(team):
    aspire = team["aspire"]
    other = make_manager(aspire, "other@example.com", "Other")
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    for outsider in (other, admin):
        with pytest.raises(PermissionDenied):
            review_overview(aspire, outsider, team["team"].id, TODAY)


# ---- goal by goal ----------------------------------------------------------------------------------------


def _profile(scores: dict[str, float]) -> Profile:
    return Profile(scores=scores, choice=(Need.AUTONOMY, Need.BALANCE, Need.EXPERTISE), primary=None,
                   close_needs=(), disagreement=False, flags=(), clear_lead=False)


AFTER = _profile({"autonomy": 80.0, "balance": 70.0, "expertise": 60.0, "security": 50.0, "status": 40.0})
BEFORE = _profile({"autonomy": 55.0, "balance": 70.0, "expertise": 60.0, "security": 50.0, "status": 75.0})


def _goal(goal_id: int, need: Need, status: GoalStatus = GoalStatus.PLANNED) -> plans.Goal:
    return plans.Goal(goal_id, 1, f"Goal {goal_id}", need, None, None, None, status, 1,
                      dt.datetime(2025, 6, 1, tzinfo=dt.UTC))


def test_each_open_goal_gets_a_question_from_its_need_now_and_its_change():
    goals = [_goal(1, Need.AUTONOMY), _goal(2, Need.STATUS, GoalStatus.IN_PROGRESS),
             _goal(3, Need.EXPERTISE, GoalStatus.REACHED), _goal(4, Need.BALANCE)]
    changes = [Change("autonomy", 55.0, 80.0, 2.9, True), Change("status", 75.0, 40.0, -4.1, True),
               Change("balance", 68.0, 70.0, 0.2, False)]

    checks = goal_review(goals, BEFORE, AFTER, changes)

    assert [c.goal.id for c in checks] == [1, 2, 4], "a reached goal is not reviewed"
    autonomy, status, balance = checks
    assert (autonomy.rank, autonomy.rank_before, autonomy.ranks_high, autonomy.suggested) == (1, 4, True,
                                                                                               ReviewAnswer.KEEP)
    assert autonomy.question == "Still serves autonomy, which rose reliably (55 to 80): keep?"
    assert autonomy.change == changes[0]
    assert (status.rank, status.rank_before, status.ranks_high, status.suggested) == (5, 1, False, ReviewAnswer.DROP)
    assert status.question == ("Serves status and responsibility, which fell reliably (75 to 40) and now ranks "
                               "5th of 5: adjust, or drop?")
    assert balance.change is None, "a wiggle within measurement error is not news"
    assert balance.question == "Still serves work-life balance, which ranks 2nd of 5: keep?"


@pytest.mark.parametrize(
    ("need", "change", "suggested", "question"),
    [
        (Need.SECURITY, None, ReviewAnswer.ADJUST,
         "Serves financial security, which now ranks only 4th of 5: does it still serve what matters?"),
        (Need.AUTONOMY, Change("autonomy", 95.0, 80.0, -2.5, True), ReviewAnswer.KEEP,
         "Serves autonomy, which still ranks 1st of 5 but fell reliably (95 to 80): keep, or adjust?"),
        (Need.STATUS, Change("status", 20.0, 40.0, 2.4, True), ReviewAnswer.ADJUST,
         "Serves status and responsibility, which rose reliably (20 to 40) but ranks only 5th of 5: keep, or adjust?"),
    ],
)
def test_the_question_follows_the_rank_and_the_direction_of_change(need, change, suggested, question):
    (check,) = goal_review([_goal(1, need)], None, AFTER, [change] if change else None)
    assert (check.suggested, check.question, check.rank_before) == (suggested, question, None)


# ---- recording the manager's answer ----------------------------------------------------------------------

GOAL = {"title": "Own the billing service", "need": "autonomy", "option_key": "outcome_based_role"}
REVIEW_DAY = dt.date(2026, 6, 20)


@pytest.fixture
def goal(team):
    return plans.add_goal(team["aspire"], team["manager"], team["ids"]["Ana"], GOAL)


def test_keep_leaves_the_goal_as_it_is_and_marks_its_history(team, goal):
    aspire, manager = team["aspire"], team["manager"]

    kept = plans.review_goal(aspire, manager, goal.id, goal.version, "keep", REVIEW_DAY)

    assert kept.version == 2 and kept.as_input() == goal.as_input()
    last = plans.goal_history(aspire, manager, goal.id)[-1]
    assert (last.event, last.review_answer, last.reviewed_on, last.changed_by) == (
        "reviewed", ReviewAnswer.KEEP, REVIEW_DAY, "Morgan Manager")
    events = aspire.audit.events(SYSTEM, AuditFilter(action=Action.CHANGED, subject_kind=Subject.MEMBER,
                                                     subject_id=goal.member_id))
    assert events[0].detail == "goal reviewed"


def test_adjust_replaces_the_details_and_drop_closes_the_goal(team, goal):
    aspire, manager = team["aspire"], team["manager"]
    adjusted = plans.review_goal(aspire, manager, goal.id, 1, ReviewAnswer.ADJUST, REVIEW_DAY,
                                 {**GOAL, "title": "Own the billing and invoicing services", "status": "in_progress"})
    dropped = plans.review_goal(aspire, manager, goal.id, adjusted.version, ReviewAnswer.DROP, dt.date(2027, 6, 1))

    assert adjusted.title == "Own the billing and invoicing services"
    assert dropped.status is GoalStatus.DROPPED and dropped.title == adjusted.title and not dropped.is_open
    marks = [(v.version, v.event, v.review_answer, v.reviewed_on, v.status)
             for v in plans.goal_history(aspire, manager, goal.id)]
    assert marks == [
        (1, "added", None, None, GoalStatus.PLANNED),
        (2, "reviewed", ReviewAnswer.ADJUST, REVIEW_DAY, GoalStatus.IN_PROGRESS),
        (3, "reviewed", ReviewAnswer.DROP, dt.date(2027, 6, 1), GoalStatus.DROPPED),
    ]


def test_an_answer_that_does_not_fit_its_details_is_refused(team, goal):
    aspire, manager = team["aspire"], team["manager"]
    with pytest.raises(PlanRejected, match="Say how the goal changes"):
        plans.review_goal(aspire, manager, goal.id, 1, ReviewAnswer.ADJUST, REVIEW_DAY)
    with pytest.raises(PlanRejected, match="choose adjust to change them"):
        plans.review_goal(aspire, manager, goal.id, 1, ReviewAnswer.KEEP, REVIEW_DAY, {**GOAL, "title": "Other"})
    with pytest.raises(ValueError, match="'later' is not a valid ReviewAnswer"):
        plans.review_goal(aspire, manager, goal.id, 1, "later", REVIEW_DAY)
    assert len(plans.goal_history(aspire, manager, goal.id)) == 1


def test_a_review_from_a_stale_screen_changes_nothing(team, goal):
    aspire, manager = team["aspire"], team["manager"]
    edited = plans.edit_goal(aspire, manager, goal.id, 1, {**GOAL, "status": "in_progress"})
    with pytest.raises(ChangedMeanwhile) as caught:
        plans.review_goal(aspire, manager, goal.id, 1, ReviewAnswer.DROP, REVIEW_DAY)
    assert caught.value.current == edited
    assert plans.get_goal(aspire, manager, goal.id).status is GoalStatus.IN_PROGRESS
