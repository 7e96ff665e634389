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
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from coaching.aspire import Aspire
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.editing import EditConflict
from coaching.core.needs import Need
from coaching.core.text import field_sentence, text_problems
from coaching.governance.audit import Action, Subject
from coaching.measurement.scoring import Profile
from coaching.one_on_one.plan_rows import (
    ActionFields,
    ActionRow,
    GoalFields,
    GoalHistoryRow,
    GoalRow,
    NoteFields,
    NoteHistoryRow,
    NoteRow,
    PlanRows,
    ReviewMark,
)
from coaching.paths.catalogue import Catalogue
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import top_need
from coaching.people.team_rows import RowMissing, VersionMismatch

MAX_TITLE = 200
MAX_MEASURE = 500
MAX_WHAT = 300
MAX_WHO = 120
MAX_BODY = 20_000
MAX_AGREED = 20

T = TypeVar("T")


class GoalStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    REACHED = "reached"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        """Planned or in progress: a goal still being worked toward."""
        return self in (GoalStatus.PLANNED, GoalStatus.IN_PROGRESS)


class ReviewAnswer(StrEnum):
    """The manager's answer when the yearly review asks whether a goal still serves the needs."""

    KEEP = "keep"
    ADJUST = "adjust"
    DROP = "drop"


class PlanRejected(ValueError):
    """Input that cannot be stored; `problems` says each reason in plain words, naming the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class ChangedMeanwhile(EditConflict):
    """Someone saved the record after it was read; `current` is how it stands now. Nothing was written."""

    def __init__(self, what: str, current: Any) -> None:
        super().__init__(what)
        self.current = current


# ---- input at the edge ----------------------------------------------------------------------------------

_LABELS = {
    "title": "Title", "need": "Need", "option_key": "Path option", "target_date": "Target date",
    "success_measure": "Success measure", "status": "Status", "what": "What", "who": "Who",
    "due_on": "Due date", "done": "Done", "held_on": "Date held", "body": "Note", "agreed": "Agreed actions",
}
_OPTIONAL_TEXT = ("option_key", "success_measure", "who")


def _clean(value: Any, field: str) -> Any:
    """Typed text: a NUL or broken character refused; edges trimmed; an empty optional field None."""
    if not isinstance(value, str):
        return value
    if problems := text_problems(value, limit=len(value)):    # the length is the field's own rule
        raise ValueError(problems[0])
    value = value.strip()
    return (value or None) if field in _OPTIONAL_TEXT else value


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def of(cls, fields: Self | Mapping[str, Any]) -> Self:
        """Validate typed fields; PlanRejected naming every problem in plain words."""
        if isinstance(fields, cls):
            return fields
        try:
            return cls.model_validate(dict(fields))
        except ValidationError as exc:
            raise PlanRejected([_plain(e) for e in exc.errors()]) from None


class GoalInput(_Input):
    """A goal as typed: what it is, the need it serves, where it leads, by when, how to tell it worked."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    need: Need
    option_key: str | None = None
    target_date: dt.date | None = None
    success_measure: str | None = Field(default=None, max_length=MAX_MEASURE)
    status: GoalStatus = GoalStatus.PLANNED

    @field_validator("title", "option_key", "success_measure", mode="before")
    @classmethod
    def _text(cls, value: Any, info: ValidationInfo) -> Any:
        return _clean(value, info.field_name)

    def stored(self) -> GoalFields:
        return GoalFields(self.title, self.need.value, self.option_key, self.target_date, self.success_measure,
                          self.status.value)


class ActionInput(_Input):
    """One agreed step toward a goal: what, who does it, by when, and whether it is done."""

    what: str = Field(min_length=1, max_length=MAX_WHAT)
    who: str | None = Field(default=None, max_length=MAX_WHO)
    due_on: dt.date | None = None
    done: bool = False

    @field_validator("what", "who", mode="before")
    @classmethod
    def _text(cls, value: Any, info: ValidationInfo) -> Any:
        return _clean(value, info.field_name)

    def stored(self) -> ActionFields:
        return ActionFields(self.what, self.who, self.due_on, self.done)


class NoteInput(_Input):
    """A one-on-one note: the day it was held, the text exactly as typed, the actions agreed (blank lines dropped)."""

    held_on: dt.date
    body: str = Field(min_length=1, max_length=MAX_BODY)
    agreed: tuple[str, ...] = Field(default=(), max_length=MAX_AGREED)

    @field_validator("body", mode="before")
    @classmethod
    def _body(cls, value: Any) -> Any:
        """Kept exactly as typed, blanks and all; refused when it holds nothing but blanks."""
        if not isinstance(value, str):
            return value
        if problems := text_problems(value, limit=len(value)):
            raise ValueError(problems[0])
        if not value.strip():
            raise PydanticCustomError("string_too_short", "only blanks")
        return value

    @field_validator("agreed", mode="before")
    @classmethod
    def _agreed(cls, value: Any) -> Any:
        """A list of texts, or one text with an action per line (a text area)."""
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, Iterable):
            return value
        cleaned = [_clean(item, "agreed") for item in value]
        return [item for item in cleaned if item != ""]

    @field_validator("agreed")
    @classmethod
    def _agreed_length(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(item) > MAX_WHAT for item in value):
            raise ValueError(f"each is at most {MAX_WHAT} characters")
        return value

    def stored(self) -> NoteFields:
        return NoteFields(self.held_on, self.body, json.dumps(list(self.agreed), ensure_ascii=False))


def _plain(error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence naming the field."""
    field = str(error["loc"][0]) if error["loc"] else ""
    return field_sentence(error, _LABELS.get(field, field or "The details"))


# ---- records --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalAction:
    id: int
    goal_id: int
    what: str
    who: str | None
    due_on: dt.date | None
    done: bool
    version: int

    def as_input(self) -> ActionInput:
        return ActionInput(what=self.what, who=self.who, due_on=self.due_on, done=self.done)


@dataclass(frozen=True)
class Goal:
    id: int
    member_id: int
    title: str
    need: Need
    option_key: str | None
    target_date: dt.date | None
    success_measure: str | None
    status: GoalStatus
    version: int
    created_at: dt.datetime
    actions: tuple[GoalAction, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def as_input(self) -> GoalInput:
        """The goal's fields as a form starts from them."""
        return GoalInput(title=self.title, need=self.need, option_key=self.option_key, target_date=self.target_date,
                         success_measure=self.success_measure, status=self.status)


@dataclass(frozen=True)
class GoalVersion:
    """One saved version of a goal; a review's version also carries the answer and the day of the review."""

    version: int
    event: str                          # added, edited or reviewed
    review_answer: ReviewAnswer | None
    reviewed_on: dt.date | None
    title: str
    need: Need
    option_key: str | None
    target_date: dt.date | None
    success_measure: str | None
    status: GoalStatus
    changed_by: str | None              # the account's name; None: the system
    changed_at: dt.datetime


@dataclass(frozen=True)
class Note:
    id: int
    member_id: int
    held_on: dt.date
    body: str
    agreed: tuple[str, ...]
    version: int
    created_at: dt.datetime

    def as_input(self) -> NoteInput:
        return NoteInput(held_on=self.held_on, body=self.body, agreed=self.agreed)


@dataclass(frozen=True)
class NoteVersion:
    version: int
    held_on: dt.date
    body: str
    agreed: tuple[str, ...]
    written_by: str | None
    written_at: dt.datetime


def _action(row: ActionRow) -> GoalAction:
    return GoalAction(row.id, row.goal_id, row.what, row.who, row.due_on, row.done, row.version)


def _goal(row: GoalRow, actions: Iterable[ActionRow] = ()) -> Goal:
    return Goal(row.id, row.member_id, row.title, Need(row.need), row.option_key, row.target_date,
                row.success_measure, GoalStatus(row.status), row.version, row.created_at,
                tuple(_action(a) for a in actions if a.goal_id == row.id))


def _goal_version(row: GoalHistoryRow) -> GoalVersion:
    return GoalVersion(
        row.version, row.event, None if row.review_answer is None else ReviewAnswer(row.review_answer),
        row.reviewed_on, row.title, Need(row.need), row.option_key, row.target_date, row.success_measure,
        GoalStatus(row.status), row.changed_by, row.changed_at)


def _note(row: NoteRow) -> Note:
    return Note(row.id, row.member_id, row.held_on, row.body, tuple(json.loads(row.agreed)), row.version,
                row.created_at)


def _note_version(row: NoteHistoryRow) -> NoteVersion:
    return NoteVersion(row.version, row.held_on, row.body, tuple(json.loads(row.agreed)), row.written_by,
                       row.written_at)


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


def _goal_row(aspire: Aspire, actor: Actor, goal_id: int) -> tuple[GoalRow, int | None]:
    row = _rows(aspire).goal(goal_id)
    if row is None:
        raise PermissionDenied(f"no goal {goal_id}")
    return row, _coach(aspire, actor, row.member_id, f"goal {goal_id}")


def _note_row(aspire: Aspire, actor: Actor, note_id: int) -> tuple[NoteRow, int]:
    row = _rows(aspire).note(note_id)
    if row is None:
        raise PermissionDenied(f"no note {note_id}")
    return row, _managed(aspire, actor, row.member_id, f"note {note_id}")


def _saved(write: Callable[[], T], what: str, current: Callable[[], Any]) -> T:
    """Run a store write, turning its refusals into what the caller sees."""
    try:
        return write()
    except VersionMismatch:
        raise ChangedMeanwhile(what, current()) from None
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
    """The member's goals with their actions, oldest first (kept until the next write)."""
    def read() -> tuple[Goal, ...]:
        _coach(aspire, actor, member_id, f"member {member_id}")
        return tuple(_goals_of(aspire, member_id))

    return list(aspire.remember(("goals", actor, member_id), read))


def _goals_of(aspire: Aspire, member_id: int) -> list[Goal]:
    rows = _rows(aspire)
    goals = rows.goals_of(member_id)
    actions = rows.actions_of([g.id for g in goals])
    return [_goal(g, actions) for g in goals]


def get_goal(aspire: Aspire, actor: Actor, goal_id: int) -> Goal:
    row, _ = _goal_row(aspire, actor, goal_id)
    return _goal(row, _rows(aspire).actions_of([goal_id]))


def add_goal(aspire: Aspire, actor: Actor, member_id: int, fields: GoalInput | Mapping[str, Any]) -> Goal:
    """Agree a new goal with a member."""
    coach = _coach(aspire, actor, member_id, f"member {member_id}")
    goal = _checked_goal(catalogue_at(aspire), fields)
    row = _saved(lambda: _rows(aspire).insert_goal(member_id, coach, goal.stored(), actor.id),
                 f"member {member_id}", lambda: None)
    _audit(aspire, actor, member_id, "goal added")
    return _goal(row)


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
    row, _ = _goal_row(aspire, actor, goal_id)
    if answer is ReviewAnswer.ADJUST and fields is None:
        raise PlanRejected(["Say how the goal changes when you adjust it"])
    if answer is not ReviewAnswer.ADJUST and fields is not None:
        raise PlanRejected([f"A goal you {answer} keeps its details; choose adjust to change them"])
    current = _goal(row).as_input()
    if answer is ReviewAnswer.DROP:
        fields = current.model_copy(update={"status": GoalStatus.DROPPED})
    return _write_goal(aspire, actor, goal_id, version, current if fields is None else fields,
                       ReviewMark(answer.value, on),
                       "goal reviewed")


def _write_goal(aspire: Aspire, actor: Actor, goal_id: int, version: int, fields: GoalInput | Mapping[str, Any],
                review: ReviewMark | None, label: str) -> Goal:
    row, coach = _goal_row(aspire, actor, goal_id)
    goal = _checked_goal(catalogue_at(aspire), fields, kept=row.option_key)
    saved = _saved(lambda: _rows(aspire).update_goal(goal_id, coach, version, goal.stored(), actor.id, review),
                   f"goal {goal_id}", lambda: get_goal(aspire, actor, goal_id))
    _audit(aspire, actor, row.member_id, label)
    return _goal(saved, _rows(aspire).actions_of([goal_id]))


def goal_history(aspire: Aspire, actor: Actor, goal_id: int) -> list[GoalVersion]:
    """Every saved version of a goal, oldest first, with who saved it, when, and any review marks."""
    _goal_row(aspire, actor, goal_id)
    return [_goal_version(r) for r in _rows(aspire).goal_history(goal_id)]


def add_action(aspire: Aspire, actor: Actor, goal_id: int, fields: ActionInput | Mapping[str, Any]) -> GoalAction:
    """Add an agreed step to a goal."""
    row, coach = _goal_row(aspire, actor, goal_id)
    action = ActionInput.of(fields)
    saved = _saved(lambda: _rows(aspire).insert_action(goal_id, coach, action.stored()), f"goal {goal_id}",
                   lambda: None)
    _audit(aspire, actor, row.member_id, "action added")
    return _action(saved)


def edit_action(aspire: Aspire, actor: Actor, action_id: int, version: int,
                fields: ActionInput | Mapping[str, Any]) -> GoalAction:
    """Replace an action's fields (e.g. mark it done), naming the version read."""
    found = _rows(aspire).action(action_id)
    if found is None:
        raise PermissionDenied(f"no action {action_id}")
    try:
        goal, coach = _goal_row(aspire, actor, found.goal_id)
    except PermissionDenied:
        raise PermissionDenied(f"no action {action_id}") from None
    action = ActionInput.of(fields)

    def current() -> GoalAction | None:
        latest = _rows(aspire).action(action_id)
        return None if latest is None else _action(latest)

    saved = _saved(lambda: _rows(aspire).update_action(action_id, coach, version, action.stored()),
                   f"action {action_id}", current)
    _audit(aspire, actor, goal.member_id, "action edited")
    return _action(saved)


def own_goals(aspire: Aspire, actor: Actor) -> list[Goal]:
    """The goals agreed with the person behind a link (`Invitation.actor`), read-only; never any notes."""
    if not isinstance(actor, Actor) or actor.role is not Role.RESPONDENT or actor.id is None:
        raise PermissionDenied("only the person themselves reads their goals this way")
    return _goals_of(aspire, actor.id)


def open_goals_serving(goals: Sequence[Goal], need: Need) -> list[Goal]:
    """The planned or in-progress goals that serve this need."""
    return [g for g in goals if g.is_open and g.need is need]


def uncovered_need(goals: Sequence[Goal], profile: Profile) -> Need | None:
    """The need to warn about when no open goal serves the member's primary aspiration or top need.

    Without a primary aspiration the top needs are too close to rank, so a goal serving any of the
    close needs counts as covering them: warning about one of a tie would mislead.
    """
    need = top_need(profile)
    candidates = (need,) if profile.primary is not None else (need, *profile.close_needs)
    if any(open_goals_serving(goals, n) for n in candidates):
        return None
    return need


# ---- notes ----------------------------------------------------------------------------------------------


def list_notes(aspire: Aspire, actor: Actor, member_id: int) -> list[Note]:
    """The member's one-on-one notes, newest meeting first: their current manager alone reads them."""
    _managed(aspire, actor, member_id, f"member {member_id}")
    return [_note(r) for r in _rows(aspire).notes_of(member_id)]


def add_note(aspire: Aspire, actor: Actor, member_id: int, fields: NoteInput | Mapping[str, Any]) -> Note:
    coach = _managed(aspire, actor, member_id, f"member {member_id}")
    note = NoteInput.of(fields)
    saved = _saved(lambda: _rows(aspire).insert_note(member_id, coach, note.stored()), f"member {member_id}",
                   lambda: None)
    _audit(aspire, actor, member_id, "note added")
    return _note(saved)


def edit_note(aspire: Aspire, actor: Actor, note_id: int, version: int, fields: NoteInput | Mapping[str, Any]) -> Note:
    """Replace a note, naming the version read; the earlier text stays in its history."""
    row, coach = _note_row(aspire, actor, note_id)
    note = NoteInput.of(fields)

    def current() -> Note | None:
        latest = _rows(aspire).note(note_id)
        return None if latest is None else _note(latest)

    saved = _saved(lambda: _rows(aspire).update_note(note_id, coach, version, note.stored()), f"note {note_id}",
                   current)
    _audit(aspire, actor, row.member_id, "note edited")
    return _note(saved)


def note_history(aspire: Aspire, actor: Actor, note_id: int) -> list[NoteVersion]:
    """Every saved version of a note, oldest first, with who wrote it and when."""
    _note_row(aspire, actor, note_id)
    return [_note_version(r) for r in _rows(aspire).note_history(note_id)]

