"""Career goals, their actions and one-on-one notes (coaching.one_on_one.plans) on a real DuckDB file: what is kept,
who may read and write it, edit conflicts, history, audit, and exact round trips of typed text."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.editing import EditConflict
from coaching.core.needs import Need
from coaching.db.errors import RowMissing
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.measurement.scoring import Profile
from coaching.one_on_one import plans
from coaching.one_on_one.plan_rows import PlanRows, goals_of, notes_of
from coaching.one_on_one.plans import ChangedMeanwhile, GoalStatus, PlanRejected
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.privacy import requests as privacy
from tests.conftest import make_manager

GOAL = {"title": "Lead the storage design review", "need": "expertise", "option_key": "staff",
        "target_date": dt.date(2027, 3, 31), "success_measure": "The review is held and its decisions written up"}
NOTE = {"held_on": dt.date(2026, 11, 2), "body": "Talked about the storage work.\nShe wants more depth.",
        "agreed": ["Ana drafts the proposal", "Morgan books the room"]}


@pytest.fixture
def org(prepared):
    aspire, facts = prepared(_org)
    return {"aspire": aspire, **facts}


def _org(aspire):
    a = make_manager(aspire, "a@example.com", "Manager A")
    b = make_manager(aspire, "b@example.com", "Manager B")
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    team = teams.create_team(aspire, a, "Platform")
    team_b = teams.create_team(aspire, b, "Sales")
    ana = teams.add_member(aspire, a, team.id, {"name": "Ana", "email": "ana@example.com"})
    ben = teams.add_member(aspire, a, team.id, {"name": "Ben", "email": "ben@example.com"})
    return {"a": a, "b": b, "admin": admin, "team": team, "team_b": team_b, "ana": ana.id, "ben": ben.id}


def labels(aspire, member_id: int) -> list[str]:
    events = aspire.audit.events(SYSTEM, AuditFilter(action=Action.CHANGED, subject_kind=Subject.MEMBER,
                                                     subject_id=member_id))
    return [e.detail for e in reversed(events) if e.detail != "added"]   # "added": the member joined the team


# ---- goals and actions ----------------------------------------------------------------------------------


def test_a_goal_is_kept_with_the_need_it_serves_and_its_actions(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]

    goal = plans.add_goal(aspire, a, ana, GOAL)
    action = plans.add_action(aspire, a, goal.id, {"what": "Write the proposal", "who": "Ana",
                                                   "due_on": dt.date(2027, 1, 15)})

    (stored,) = plans.list_goals(aspire, a, ana)
    assert (stored.title, stored.need, stored.option_key, stored.target_date, stored.success_measure) == (
        GOAL["title"], Need.EXPERTISE, "staff", GOAL["target_date"], GOAL["success_measure"])
    assert stored.status is GoalStatus.PLANNED and stored.is_open and stored.version == 1
    assert stored.actions == (action,)
    assert (action.what, action.who, action.due_on, action.done) == ("Write the proposal", "Ana",
                                                                     dt.date(2027, 1, 15), False)
    assert plans.list_goals(aspire, a, org["ben"]) == [], "Ben's goals are his own"
    assert labels(aspire, ana) == ["goal added", "action added"]


def test_edits_name_the_version_they_read_and_a_stale_one_changes_nothing(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    goal = plans.add_goal(aspire, a, ana, GOAL)
    started = plans.edit_goal(aspire, a, goal.id, goal.version, {**GOAL, "status": "in_progress"})
    assert started.version == 2 and started.status is GoalStatus.IN_PROGRESS

    with pytest.raises(ChangedMeanwhile, match="Someone else changed this goal") as caught:
        plans.edit_goal(aspire, a, goal.id, goal.version, {**GOAL, "title": "Overwrite with an old form"})

    assert isinstance(caught.value, EditConflict)
    assert caught.value.current == started, "the conflict carries the goal as it stands now"
    assert plans.get_goal(aspire, a, goal.id) == started
    assert [v.version for v in plans.goal_history(aspire, a, goal.id)] == [1, 2]
    assert labels(aspire, ana) == ["goal added", "goal edited"]


def test_an_action_is_marked_done_naming_its_version(org):
    aspire, a = org["aspire"], org["a"]
    goal = plans.add_goal(aspire, a, org["ana"], GOAL)
    action = plans.add_action(aspire, a, goal.id, {"what": "Write the proposal"})

    done = plans.edit_action(aspire, a, action.id, action.version, {**action.as_input().model_dump(), "done": True})

    assert done.done and done.version == 2
    with pytest.raises(ChangedMeanwhile) as caught:
        plans.edit_action(aspire, a, action.id, action.version, {"what": "Something else"})
    assert caught.value.current == done
    assert plans.get_goal(aspire, a, goal.id).actions == (done,)


def test_every_version_of_a_goal_is_kept_with_who_saved_it(org):
    aspire, a = org["aspire"], org["a"]
    goal = plans.add_goal(aspire, a, org["ana"], GOAL)
    plans.edit_goal(aspire, a, goal.id, 1, {**GOAL, "title": "Lead two design reviews"})

    first, second = plans.goal_history(aspire, a, goal.id)

    assert (first.event, first.title, first.changed_by) == ("added", GOAL["title"], "Manager A")
    assert (second.event, second.title, second.review_answer) == ("edited", "Lead two design reviews", None)
    assert first.changed_at <= second.changed_at


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"need": "expertise"}, "Title is missing"),
        ({"title": "   ", "need": "expertise"}, "Title is empty"),
        ({"title": "x" * 201, "need": "expertise"}, "Title is too long: at most 200 characters"),
        ({"title": "Grow"}, "Need is missing"),
        ({"title": "Grow", "need": "money"}, "Need: choose one of"),
        ({"title": "Grow", "need": "status", "option_key": "astronaut"}, "Path option 'astronaut' is not among"),
        ({"title": "Grow", "need": "status", "target_date": "next spring"}, "Target date: give a date"),
        ({"title": "Grow", "need": "status", "status": "someday"}, "Status: choose one of"),
        ({"title": "Bad\x00title", "need": "status"}, "Title: contains a NUL character"),
        ({"title": "Grow", "need": "status", "colour": "red"}, "colour is not a field here"),
    ],
)
def test_a_goal_that_cannot_be_kept_is_refused_in_plain_words_and_nothing_is_written(org, fields, problem):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    with pytest.raises(PlanRejected) as caught:
        plans.add_goal(aspire, a, ana, fields)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    assert plans.list_goals(aspire, a, ana) == [] and labels(aspire, ana) == []


def test_an_action_needs_what_is_to_be_done(org):
    goal = plans.add_goal(org["aspire"], org["a"], org["ana"], GOAL)
    with pytest.raises(PlanRejected, match="What is empty"):
        plans.add_action(org["aspire"], org["a"], goal.id, {"what": "  ", "who": "Ana"})
    with pytest.raises(PlanRejected, match="Due date: give a date"):
        plans.add_action(org["aspire"], org["a"], goal.id, {"what": "Write", "due_on": "soon"})
    assert plans.get_goal(org["aspire"], org["a"], goal.id).actions == ()


def test_a_goal_keeps_a_path_option_the_catalogue_no_longer_offers(org):
    aspire, a = org["aspire"], org["a"]
    goal = plans.add_goal(aspire, a, org["ana"], GOAL)
    aspire.db.write(lambda tx: tx.execute(
        "UPDATE path_option SET valid_to = current_timestamp WHERE key = 'staff' AND valid_to IS NULL"))

    edited = plans.edit_goal(aspire, a, goal.id, 1, {**GOAL, "title": "Lead the review"})

    assert edited.option_key == "staff", "fixing a title must not fail on an option retired since"
    with pytest.raises(PlanRejected, match="'staff' is not among the paths on offer"):
        plans.add_goal(aspire, a, org["ana"], GOAL)


# ---- who may see and change them ------------------------------------------------------------------------


def _outsider(org, who: str) -> Actor | None:
    return {"other manager": org["b"], "admin": org["admin"], "the member": Actor(Role.RESPONDENT, org["ana"], "Ana"),
            "the system": SYSTEM, "nobody": None}[who]


@pytest.mark.parametrize("who", ["other manager", "admin", "the member", "nobody"])
def test_only_the_members_current_manager_and_the_system_reach_goals(org, who):
    aspire, ana = org["aspire"], org["ana"]
    goal = plans.add_goal(aspire, org["a"], ana, GOAL)
    outsider = _outsider(org, who)
    for call in (lambda: plans.list_goals(aspire, outsider, ana),
                 lambda: plans.get_goal(aspire, outsider, goal.id),
                 lambda: plans.goal_history(aspire, outsider, goal.id),
                 lambda: plans.add_goal(aspire, outsider, ana, GOAL),
                 lambda: plans.edit_goal(aspire, outsider, goal.id, 1, GOAL),
                 lambda: plans.add_action(aspire, outsider, goal.id, {"what": "x"})):
        with pytest.raises(PermissionDenied, match="^no "):
            call()
    assert plans.list_goals(aspire, org["a"], ana) == [goal] and labels(aspire, ana) == ["goal added"]


def test_the_system_reaches_goals_too(org):
    aspire, ana = org["aspire"], org["ana"]
    goal = plans.add_goal(aspire, org["a"], ana, GOAL)
    assert plans.list_goals(aspire, SYSTEM, ana) == [goal]
    seeded = plans.add_goal(aspire, SYSTEM, ana, {"title": "Seeded", "need": "balance"})
    assert [v.changed_by for v in plans.goal_history(aspire, SYSTEM, seeded.id)] == [None]


def test_a_moved_member_takes_goals_and_notes_to_the_new_manager(org):
    aspire, a, b, ana = org["aspire"], org["a"], org["b"], org["ana"]
    goal = plans.add_goal(aspire, a, ana, GOAL)
    note = plans.add_note(aspire, a, ana, NOTE)

    teams.move_member(aspire, org["admin"], ana, org["team_b"].id)

    assert plans.list_goals(aspire, b, ana) == [goal]
    assert plans.list_notes(aspire, b, ana) == [note]
    assert [v.written_by for v in plans.note_history(aspire, b, note.id)] == ["Manager A"]
    for call in (lambda: plans.list_goals(aspire, a, ana), lambda: plans.list_notes(aspire, a, ana),
                 lambda: plans.edit_goal(aspire, a, goal.id, 1, GOAL)):
        with pytest.raises(PermissionDenied):
            call()


def test_an_archived_members_plans_leave_every_screen(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    plans.add_goal(aspire, a, ana, GOAL)
    teams.archive_member(aspire, a, ana)
    with pytest.raises(PermissionDenied):
        plans.list_goals(aspire, a, ana)
    with pytest.raises(PermissionDenied):
        plans.add_note(aspire, a, ana, NOTE)


def test_a_write_rechecks_the_manager_inside_its_transaction(org):
    """A member moved away between the permission check and the write is refused, not changed."""
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    goal = plans.add_goal(aspire, a, ana, GOAL)
    rows = PlanRows(aspire.db)
    teams.move_member(aspire, org["admin"], ana, org["team_b"].id)
    fields = plans.GoalInput.of(GOAL)
    with pytest.raises(RowMissing):
        rows.insert_goal(ana, a.id, fields, a.id)
    with pytest.raises(RowMissing):
        rows.update_goal(goal.id, a.id, 1, fields, a.id)
    with pytest.raises(RowMissing):
        rows.insert_note(ana, a.id, plans.NoteInput.of(NOTE))
    assert len(goals_of(aspire.db.query, [ana])) == 1 and notes_of(aspire.db.query, [ana]) == []


def test_the_member_sees_the_goals_agreed_with_them_and_never_the_notes(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    goal = plans.add_goal(aspire, a, ana, GOAL)
    plans.add_action(aspire, a, goal.id, {"what": "Write the proposal"})
    plans.add_goal(aspire, a, org["ben"], {"title": "Ben's goal", "need": "status"})
    plans.add_note(aspire, a, ana, NOTE)
    ana_herself = Actor(Role.RESPONDENT, ana, "Ana")

    (own,) = plans.own_goals(aspire, ana_herself)

    assert own.title == GOAL["title"] and [x.what for x in own.actions] == ["Write the proposal"]
    assert NOTE["body"] not in repr(own)
    with pytest.raises(PermissionDenied):
        plans.list_notes(aspire, ana_herself, ana)
    with pytest.raises(PermissionDenied):
        plans.own_goals(aspire, a)


# ---- notes --------------------------------------------------------------------------------------------


def test_a_note_is_edited_with_every_earlier_text_kept(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    note = plans.add_note(aspire, a, ana, NOTE)
    assert note.agreed == ("Ana drafts the proposal", "Morgan books the room") and note.body == NOTE["body"]

    edited = plans.edit_note(aspire, a, note.id, note.version, {**NOTE, "body": "Corrected text", "agreed": []})

    assert (edited.body, edited.agreed, edited.version) == ("Corrected text", (), 2)
    first, second = plans.note_history(aspire, a, note.id)
    assert (first.version, first.body, first.agreed, first.written_by) == (1, NOTE["body"], note.agreed, "Manager A")
    assert (second.body, second.agreed) == ("Corrected text", ())
    with pytest.raises(ChangedMeanwhile) as caught:
        plans.edit_note(aspire, a, note.id, note.version, {**NOTE, "body": "From a stale form"})
    assert caught.value.current == edited
    assert len(plans.note_history(aspire, a, note.id)) == 2
    assert labels(aspire, ana) == ["note added", "note edited"]


def test_a_goal_and_a_note_read_the_same_on_the_screen_and_in_the_data_export(org):
    """One record, one shape: the export shows the very goal, actions, note and history the manager sees."""
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    goal = plans.add_goal(aspire, a, ana, GOAL)
    plans.add_action(aspire, a, goal.id, {"what": "Write the proposal", "who": "Ana"})
    plans.review_goal(aspire, a, goal.id, 1, "keep", dt.date(2026, 12, 1))
    note = plans.add_note(aspire, a, ana, NOTE)
    (seen,) = plans.list_goals(aspire, a, ana)

    assert (seen.created_by, note.author) == ("Manager A", "Manager A")
    (member,) = privacy.export_document(aspire, org["admin"], "ana@example.com")["members"]
    (exported,) = member["goals"]
    assert (exported["title"], exported["need"], exported["status"], exported["created_by"], exported["version"]) == (
        seen.title, seen.need, seen.status, seen.created_by, seen.version)
    assert [x["what"] for x in exported["actions"]] == [x.what for x in seen.actions] == ["Write the proposal"]
    assert [(h["event"], h["review_answer"]) for h in exported["history"]] == [
        (v.event, v.review_answer) for v in plans.goal_history(aspire, a, goal.id)] == [
        ("added", None), ("reviewed", "keep")]
    (exported_note,) = member["notes"]
    assert (exported_note["author"], exported_note["agreed"]) == (note.author, list(note.agreed))


def test_saving_the_same_note_twice_at_once_stores_it_once(org):
    """A double click on a busy server submits the note twice, also from two threads at the same moment."""
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda _: plans.add_note(aspire, a, ana, NOTE), range(2))
    assert first.id == second.id
    assert [n.body for n in plans.list_notes(aspire, a, ana)] == [NOTE["body"]]
    plans.add_note(aspire, a, ana, {**NOTE, "body": "Another note the same day"})
    assert len(plans.list_notes(aspire, a, ana)) == 2, "a different note on the same day is a note of its own"


def test_notes_are_listed_newest_meeting_first(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    for day in (3, 17, 10):
        plans.add_note(aspire, a, ana, {**NOTE, "held_on": dt.date(2026, 10, day)})
    assert [n.held_on.day for n in plans.list_notes(aspire, a, ana)] == [17, 10, 3]


@pytest.mark.parametrize("who", ["other manager", "admin", "the member", "the system", "nobody"])
def test_notes_are_the_managers_alone(org, who):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    note = plans.add_note(aspire, a, ana, NOTE)
    outsider = _outsider(org, who)
    for call in (lambda: plans.list_notes(aspire, outsider, ana),
                 lambda: plans.note_history(aspire, outsider, note.id),
                 lambda: plans.add_note(aspire, outsider, ana, NOTE),
                 lambda: plans.edit_note(aspire, outsider, note.id, 1, NOTE)):
        with pytest.raises(PermissionDenied):
            call()
    assert plans.list_notes(aspire, a, ana) == [note]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"body": "x"}, "Date held is missing"),
        ({**NOTE, "held_on": "yesterday"}, "Date held: give a date"),
        ({**NOTE, "body": " \n\t "}, "Note is empty"),
        ({**NOTE, "body": "x" * 20_001}, "Note is too long: at most 20000 characters"),
        ({**NOTE, "agreed": [f"step {i}" for i in range(21)]}, "Agreed actions: at most 20 items"),
        ({**NOTE, "agreed": ["x" * 301]}, "Agreed actions: each is at most 300 characters"),
        ({**NOTE, "body": "broken \ud800 text"}, "Note: contains a broken character"),
    ],
)
def test_a_note_that_cannot_be_kept_is_refused(org, fields, problem):
    with pytest.raises(PlanRejected) as caught:
        plans.add_note(org["aspire"], org["a"], org["ana"], fields)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    assert plans.list_notes(org["aspire"], org["a"], org["ana"]) == []


def test_blank_agreed_actions_are_dropped_and_the_rest_trimmed(org):
    note = plans.add_note(org["aspire"], org["a"], org["ana"], {**NOTE, "agreed": ["  Ana writes  ", "", "   "]})
    assert note.agreed == ("Ana writes",)


def test_agreed_actions_typed_one_per_line_become_a_list(org):
    typed = "Ana drafts the proposal\r\n\n  Morgan books the room \n"
    note = plans.add_note(org["aspire"], org["a"], org["ana"], {**NOTE, "agreed": typed})
    assert note.agreed == ("Ana drafts the proposal", "Morgan books the room")


def test_the_audit_log_names_the_change_never_its_text(org):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    goal = plans.add_goal(aspire, a, ana, GOAL)
    note = plans.add_note(aspire, a, ana, NOTE)
    plans.edit_note(aspire, a, note.id, 1, NOTE)
    plans.add_action(aspire, a, goal.id, {"what": "Write the proposal"})
    texts = [GOAL["title"], NOTE["body"], "Write the proposal", "storage"]
    details = [e.detail for e in aspire.audit.events(SYSTEM)]
    assert not [d for d in details if any(t.lower() in d.lower() for t in texts)]
    assert labels(aspire, ana) == ["goal added", "note added", "note edited", "action added"]


# ---- typed text round-trips exactly, or is refused with a reason ----------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)   # surrogates and NUL included


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=ANY_TEXT, body=ANY_TEXT)
def test_typed_text_round_trips_exactly_or_is_refused_with_a_reason(org, title, body):
    aspire, a, ana = org["aspire"], org["a"], org["ana"]
    try:
        goal = plans.add_goal(aspire, a, ana, {"title": title, "need": "autonomy"})
    except PlanRejected as exc:
        assert exc.problems and all(p.startswith("Title") for p in exc.problems), exc.problems
        assert "\x00" in title or any("\ud800" <= ch <= "\udfff" for ch in title) or not title.strip()
    else:
        assert plans.get_goal(aspire, a, goal.id).title == title.strip() == goal.title
    try:
        note = plans.add_note(aspire, a, ana, {"held_on": dt.date(2026, 1, 5), "body": body})
    except PlanRejected as exc:
        assert exc.problems and all(p.startswith("Note") for p in exc.problems), exc.problems
        assert "\x00" in body or any("\ud800" <= ch <= "\udfff" for ch in body) or not body.strip()
    else:
        (stored,) = [n for n in plans.list_notes(aspire, a, ana) if n.id == note.id]
        assert stored.body == body, "a note is kept exactly as typed, blanks and all"


# ---- the warning when no open goal serves the top need --------------------------------------------------


def _profile(primary: Need | None, close: tuple[Need, ...] = ()) -> Profile:
    scores = {"status": 40.0, "security": 50.0, "expertise": 60.0, "autonomy": 85.0, "balance": 80.0}
    return Profile(scores=scores, choice=(Need.AUTONOMY, Need.BALANCE, Need.EXPERTISE), primary=primary,
                   close_needs=close, disagreement=False, flags=(), clear_lead=primary is not None)


def _goal(need: Need, status: GoalStatus, goal_id: int = 1) -> plans.Goal:
    return plans.Goal(goal_id, 1, "A goal", need, None, None, None, status, 1, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_open_goals_serving_a_need_leave_out_reached_and_dropped_ones():
    goals = [_goal(Need.AUTONOMY, s, i) for i, s in enumerate(GoalStatus)] + [_goal(Need.BALANCE, GoalStatus.PLANNED)]
    assert [g.status for g in plans.open_goals_serving(goals, Need.AUTONOMY)] == [GoalStatus.PLANNED,
                                                                                  GoalStatus.IN_PROGRESS]


@pytest.mark.parametrize(
    ("goals", "expected"),
    [
        ([], (Need.AUTONOMY,)),
        ([_goal(Need.AUTONOMY, GoalStatus.IN_PROGRESS)], ()),
        ([_goal(Need.AUTONOMY, GoalStatus.REACHED), _goal(Need.AUTONOMY, GoalStatus.DROPPED)], (Need.AUTONOMY,)),
        ([_goal(Need.BALANCE, GoalStatus.PLANNED)], (Need.AUTONOMY,)),
    ],
)
def test_the_page_warns_when_no_open_goal_serves_the_primary_aspiration(goals, expected):
    assert plans.uncovered_needs(goals, _profile(Need.AUTONOMY)) == expected


def test_without_a_primary_aspiration_a_goal_serving_any_close_need_covers_them_and_the_warning_names_all():
    close = _profile(None, (Need.AUTONOMY, Need.BALANCE))
    assert plans.uncovered_needs([_goal(Need.BALANCE, GoalStatus.PLANNED)], close) == ()
    assert plans.uncovered_needs([_goal(Need.STATUS, GoalStatus.PLANNED)], close) == (Need.AUTONOMY, Need.BALANCE)
