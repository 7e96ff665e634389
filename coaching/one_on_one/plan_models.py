"""The shapes of a coaching plan: each record once (a goal, its action, a note, a saved version of either),
and the input a person types for each, validated at the edge.

A record is what is stored, with its id and version; an input is what a form or the CLI gives, without
them. The SQL (coaching.one_on_one.plan_rows) reads records and writes inputs; the rules of who may do
what live in coaching.one_on_one.plans. Views of a record (as a form starts from it, as an export shows
it) are functions, not twin classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from coaching.core.needs import Need
from coaching.core.text import field_sentence, text_problems

MAX_TITLE = 200
MAX_MEASURE = 500
MAX_WHAT = 300
MAX_WHO = 120
MAX_BODY = 20_000
MAX_AGREED = 20


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


# ---- input at the edge ----------------------------------------------------------------------------------

_LABELS = {
    "title": "Title", "need": "Need", "option_key": "Path option", "target_date": "Target date",
    "success_measure": "Success measure", "status": "Status", "what": "What", "who": "Who",
    "due_on": "Due date", "done": "Done", "held_on": "Date held", "body": "Note", "agreed": "Agreed actions",
}
_OPTIONAL_TEXT = ("option_key", "success_measure", "who")


def _clean(value: Any, field: str | None) -> Any:
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
    created_by: str | None = None       # the account's name; None: the system (or an erased account)
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

    goal_id: int
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
    changed_by: str | None              # the account's name; None: the system (or an erased account)
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
    author: str | None = None           # the account's name; None once that account is erased

    def as_input(self) -> NoteInput:
        return NoteInput(held_on=self.held_on, body=self.body, agreed=self.agreed)


@dataclass(frozen=True)
class NoteVersion:
    """One saved version of a note, with who wrote it and when."""

    note_id: int
    version: int
    held_on: dt.date
    body: str
    agreed: tuple[str, ...]
    written_by: str | None
    written_at: dt.datetime

