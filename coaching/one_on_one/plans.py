"""Coaching plans: career goals with their actions, and one-on-one notes.

An aspiration is a lasting need; a goal is a dated step that serves one (DOMAIN.md). So every goal
names the need it serves, and may name the path option (a level on a track, a flexible or
self-directed arrangement) it moves toward.

Rules:
- goals and their actions are read and written by the manager of the member's current team (and the
  system); notes by that manager alone: not an admin, not another manager, not the system. The
  member sees the goals agreed with them through their own link (`own_goals`), never the notes.
  Anything outside the actor's scope is PermissionDenied, worded like a missing record;
- a member who moves keeps their goals and notes: the new manager sees them, the old one no longer;
- edits name the version they read; a change made meanwhile raises ChangedMeanwhile (an EditConflict
  carrying the record as it now stands) and nothing is written;
- every saved version of a goal or note is kept in its history, with who saved it and when; a yearly
  review of a goal is an edit that also marks the history with the answer (keep, adjust, drop) and day;
- every change is audited on the member by a fixed label ("goal added", "note edited", ...), never
  by its text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.editing import EditConflict
from coaching.core.needs import Need
from coaching.db.errors import RowMissing
from coaching.db.subjects import reads
from coaching.db.versioned import versioned
from coaching.governance.audit import Action, Subject
from coaching.measurement.scoring import Profile
from coaching.one_on_one import plan_rows
from coaching.one_on_one.plan_models import (
    ActionInput,
    Goal,
    GoalAction,
    GoalInput,
    GoalStatus,
    GoalVersion,
    Note,
    NoteInput,
    NoteVersion,
    PlanRejected,
    ReviewAnswer,
)
from coaching.one_on_one.plan_rows import PlanRows, ReviewMark
from coaching.paths.catalogue import Catalogue
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import leading_needs

T = TypeVar("T")


class ChangedMeanwhile(EditConflict):
    """Someone saved the record after it was read; `current` is how it stands now. Nothing was written."""

    def __init__(self, what: str, current: Any) -> None:
        super().__init__(what)
        self.current = current


# ---- scope ----------------------------------------------------------------------------------------------


def _rows(aspire: Aspire) -> PlanRows:
    return PlanRows(aspire.db)


def _managed(aspire: Aspire, actor: Actor, member_id: int, record: str) -> int:
    """The actor's account id when they manage the member's current team; PermissionDenied otherwise,
    worded like a missing `record`."""
    if (isinstance(actor, Actor) and actor.role is Role.MANAGER and actor.id is not None
            and _rows(aspire).coach_of(member_id) == actor.id):
        return actor.id
    raise PermissionDenied(f"no {record}")


def _coach(aspire: Aspire, actor: Actor, member_id: int, record: str) -> int | None:
    """Like `_managed`, but the system may act too: then None (a write checks no manager)."""
    if isinstance(actor, Actor) and actor.role is Role.SYSTEM and _rows(aspire).coach_of(member_id) is not None:
        return None
    return _managed(aspire, actor, member_id, record)


def _found_goal(aspire: Aspire, actor: Actor, goal_id: int) -> tuple[Goal, int | None]:
    """The goal with its actions, and the coach a write names; PermissionDenied outside the actor's scope."""
    goal = _rows(aspire).goal(goal_id)
    if goal is None:
        raise PermissionDenied(f"no goal {goal_id}")
    return goal, _coach(aspire, actor, goal.member_id, f"goal {goal_id}")


def _found_note(aspire: Aspire, actor: Actor, note_id: int) -> tuple[Note, int]:
    note = _rows(aspire).note(note_id)
    if note is None:
        raise PermissionDenied(f"no note {note_id}")
    return note, _managed(aspire, actor, note.member_id, f"note {note_id}")


def _saved(write: Callable[[], T], what: str, current: Callable[[], Any]) -> T:
    """Run a store write, turning its refusals into what the caller sees."""
    try:
        with versioned(what, lambda what: ChangedMeanwhile(what, current())):
            return write()
    except RowMissing:
        raise PermissionDenied(f"no {what}") from None    # moved to another manager or archived meanwhile


def _audit(aspire: Aspire, actor: Actor, member_id: int, label: str) -> None:
    aspire.audit.record(actor, Action.CHANGED, Subject.MEMBER, [member_id], label)


# ---- goals ----------------------------------------------------------------------------------------------


def _checked_goal(catalogue: Catalogue, fields: GoalInput | Mapping[str, Any], kept: str | None = None) -> GoalInput:
    """The goal's fields, its path option in the current catalogue (or the one the goal already had)."""
    goal = GoalInput.of(fields)
    offered = {o.key for o in catalogue.options}
    if goal.option_key is not None and goal.option_key != kept and goal.option_key not in offered:
        raise PlanRejected([f"Path option {goal.option_key!r} is not among the paths on offer"])
    return goal


def list_goals(aspire: Aspire, actor: Actor, member_id: int) -> list[Goal]:
    """The member's goals with their actions, oldest first (kept until a write touches what it reads)."""
    return list(aspire.remembered(actor, _coached_goals, member_id))


@reads(subjects.TEAMS, subjects.MEMBERS, subjects.PLANS, subjects.CATALOGUE)
def _coached_goals(aspire: Aspire, actor: Actor, member_id: int) -> tuple[Goal, ...]:
    _coach(aspire, actor, member_id, f"member {member_id}")
    return tuple(_goals_of(aspire, member_id))


def _goals_of(aspire: Aspire, member_id: int) -> list[Goal]:
    return plan_rows.goals_of(aspire.db.query, [member_id])


def get_goal(aspire: Aspire, actor: Actor, goal_id: int) -> Goal:
    return _found_goal(aspire, actor, goal_id)[0]


def add_goal(aspire: Aspire, actor: Actor, member_id: int, fields: GoalInput | Mapping[str, Any]) -> Goal:
    """Agree a new goal with a member."""
    coach = _coach(aspire, actor, member_id, f"member {member_id}")
    goal = _checked_goal(catalogue_at(aspire), fields)
    saved = _saved(lambda: _rows(aspire).insert_goal(member_id, coach, goal, actor.id), f"member {member_id}",
                   lambda: None)
    _audit(aspire, actor, member_id, "goal added")
    return saved


def edit_goal(aspire: Aspire, actor: Actor, goal_id: int, version: int, fields: GoalInput | Mapping[str, Any]) -> Goal:
    """Replace a goal's fields, naming the version read; ChangedMeanwhile when it changed since."""
    return _write_goal(aspire, actor, goal_id, version, fields, None, "goal edited")


def review_goal(aspire: Aspire, actor: Actor, goal_id: int, version: int, answer: ReviewAnswer | str,
                on: dt.date, fields: GoalInput | Mapping[str, Any] | None = None) -> Goal:
    """Record the yearly review's answer for one goal: a goal edit plus a dated mark in its history.

    keep: the goal stays as it is; adjust: `fields` replace it (required); drop: its status becomes
    dropped. The history keeps the answer and the day either way.
    """
    answer = ReviewAnswer(answer)
    goal, _ = _found_goal(aspire, actor, goal_id)
    if answer is ReviewAnswer.ADJUST and fields is None:
        raise PlanRejected(["Say how the goal changes when you adjust it"])
    if answer is not ReviewAnswer.ADJUST and fields is not None:
        raise PlanRejected([f"A goal you {answer} keeps its details; choose adjust to change them"])
    current = goal.as_input()
    if answer is ReviewAnswer.DROP:
        fields = current.model_copy(update={"status": GoalStatus.DROPPED})
    return _write_goal(aspire, actor, goal_id, version, current if fields is None else fields,
                       ReviewMark(answer.value, on),
                       "goal reviewed")


def _write_goal(aspire: Aspire, actor: Actor, goal_id: int, version: int, fields: GoalInput | Mapping[str, Any],
                review: ReviewMark | None, label: str) -> Goal:
    found, coach = _found_goal(aspire, actor, goal_id)
    goal = _checked_goal(catalogue_at(aspire), fields, kept=found.option_key)
    saved = _saved(lambda: _rows(aspire).update_goal(goal_id, coach, version, goal, actor.id, review),
                   f"goal {goal_id}", lambda: get_goal(aspire, actor, goal_id))
    _audit(aspire, actor, found.member_id, label)
    return saved


def goal_history(aspire: Aspire, actor: Actor, goal_id: int) -> list[GoalVersion]:
    """Every saved version of a goal, oldest first, with who saved it, when, and any review marks."""
    _found_goal(aspire, actor, goal_id)
    return plan_rows.goal_history(aspire.db.query, [goal_id])


def add_action(aspire: Aspire, actor: Actor, goal_id: int, fields: ActionInput | Mapping[str, Any]) -> GoalAction:
    """Add an agreed step to a goal."""
    goal, coach = _found_goal(aspire, actor, goal_id)
    action = ActionInput.of(fields)
    saved = _saved(lambda: _rows(aspire).insert_action(goal_id, coach, action), f"goal {goal_id}", lambda: None)
    _audit(aspire, actor, goal.member_id, "action added")
    return saved


def edit_action(aspire: Aspire, actor: Actor, action_id: int, version: int,
                fields: ActionInput | Mapping[str, Any]) -> GoalAction:
    """Replace an action's fields (e.g. mark it done), naming the version read."""
    found = _rows(aspire).action(action_id)
    if found is None:
        raise PermissionDenied(f"no action {action_id}")
    try:
        goal, coach = _found_goal(aspire, actor, found.goal_id)
    except PermissionDenied:
        raise PermissionDenied(f"no action {action_id}") from None
    action = ActionInput.of(fields)
    saved = _saved(lambda: _rows(aspire).update_action(action_id, coach, version, action), f"action {action_id}",
                   lambda: _rows(aspire).action(action_id))
    _audit(aspire, actor, goal.member_id, "action edited")
    return saved


def own_goals(aspire: Aspire, actor: Actor) -> list[Goal]:
    """The goals agreed with the person behind a link (`Invitation.actor`), read-only; never any notes."""
    if not isinstance(actor, Actor) or actor.role is not Role.RESPONDENT or actor.id is None:
        raise PermissionDenied("only the person themselves reads their goals this way")
    return _goals_of(aspire, actor.id)


def open_goals_serving(goals: Sequence[Goal], need: Need) -> list[Goal]:
    """The planned or in-progress goals that serve this need."""
    return [g for g in goals if g.is_open and g.need is need]


def uncovered_needs(goals: Sequence[Goal], profile: Profile) -> tuple[Need, ...]:
    """The member's leading needs when no open goal serves any of them (nothing to warn about: empty).

    Without a primary aspiration the close needs are too close to rank, so a goal serving any of them
    covers them all, and a warning names them all: naming one of a tie would mislead.
    """
    needs = leading_needs(profile)
    return () if any(open_goals_serving(goals, need) for need in needs) else needs


# ---- notes ----------------------------------------------------------------------------------------------


def list_notes(aspire: Aspire, actor: Actor, member_id: int) -> list[Note]:
    """The member's one-on-one notes, newest meeting first: their current manager alone reads them."""
    _managed(aspire, actor, member_id, f"member {member_id}")
    return plan_rows.notes_of(aspire.db.query, [member_id])


def add_note(aspire: Aspire, actor: Actor, member_id: int, fields: NoteInput | Mapping[str, Any]) -> Note:
    coach = _managed(aspire, actor, member_id, f"member {member_id}")
    note = NoteInput.of(fields)
    saved = _saved(lambda: _rows(aspire).insert_note(member_id, coach, note), f"member {member_id}", lambda: None)
    _audit(aspire, actor, member_id, "note added")
    return saved


def edit_note(aspire: Aspire, actor: Actor, note_id: int, version: int, fields: NoteInput | Mapping[str, Any]) -> Note:
    """Replace a note, naming the version read; the earlier text stays in its history."""
    found, coach = _found_note(aspire, actor, note_id)
    note = NoteInput.of(fields)
    saved = _saved(lambda: _rows(aspire).update_note(note_id, coach, version, note), f"note {note_id}",
                   lambda: _rows(aspire).note(note_id))
    _audit(aspire, actor, found.member_id, "note edited")
    return saved


def note_history(aspire: Aspire, actor: Actor, note_id: int) -> list[NoteVersion]:
    """Every saved version of a note, oldest first, with who wrote it and when."""
    _found_note(aspire, actor, note_id)
    return plan_rows.note_history(aspire.db.query, [note_id])

