"""The SQL of coaching plans: career goals with their actions and history, one-on-one notes with theirs.

Inputs in, records out (coaching.one_on_one.plan_models), no policy (who may do what is decided in
coaching.one_on_one.plans). Invariants:
- every write names the manager its caller checked (`coach`; None only for the system) and checks
  again inside its own transaction that the member is active, in an active team of that manager: a
  member moved or archived in between is refused (RowMissing), never changed on a stale check;
- an edit names the version it read (VersionMismatch otherwise) and bumps it;
- goal_history and note_history get one row per saved version, copied from the live row in the same
  transaction as the change, so the latest history row always equals the live row;
- a record read here names its author (the account's name), as every screen and the data export show it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from coaching.core.needs import Need
from coaching.db.database import Database, Transaction
from coaching.db.errors import RowMissing, VersionMismatch
from coaching.db.lists import ID_LIST
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
    ReviewAnswer,
)

# Database.query or Transaction.execute: a read outside or inside a write.
Run = Callable[[str, list[Any]], list[tuple]]


class ReviewMark(NamedTuple):
    answer: str          # keep, adjust or drop
    on: dt.date


_GOAL = ("g.id, g.member_id, g.title, g.need, g.option_key, g.target_date, g.success_measure, g.status, g.version,"
         " g.created_at, u.name FROM goal g LEFT JOIN app_user u ON u.id = g.created_by")
_ACTION = "id, goal_id, what, who, due_on, done, version"
_NOTE = ("n.id, n.member_id, n.held_on, n.body, n.agreed, n.version, n.created_at, u.name FROM note n"
         " LEFT JOIN app_user u ON u.id = n.author_id")
_GOAL_VERSION = ("h.goal_id, h.version, h.event, h.review_answer, h.reviewed_on, h.title, h.need, h.option_key,"
                 " h.target_date, h.success_measure, h.status, u.name, h.changed_at FROM goal_history h"
                 " LEFT JOIN app_user u ON u.id = h.changed_by")
_NOTE_VERSION = ("h.note_id, h.version, h.held_on, h.body, h.agreed, u.name, h.written_at FROM note_history h"
                 " LEFT JOIN app_user u ON u.id = h.written_by")


class PlanRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- scope -------------------------------------------------------------------------------------

    def coach_of(self, member_id: int) -> int | None:
        """The manager of the active member's active team; None when there is no such member."""
        return self.db.scalar(
            "SELECT t.manager_id FROM member m JOIN team t ON t.id = m.team_id"
            " WHERE m.id = ? AND m.archived_at IS NULL AND t.archived_at IS NULL", [member_id])

    # ---- goals -------------------------------------------------------------------------------------

    def goal(self, goal_id: int) -> Goal | None:
        return next(iter(_goals(self.db.query, "g.id = ?", [goal_id])), None)

    def action(self, action_id: int) -> GoalAction | None:
        row = self.db.query_one(f"SELECT {_ACTION} FROM goal_action WHERE id = ?", [action_id])  # noqa: S608
        return None if row is None else GoalAction(*row)

    def insert_goal(self, member_id: int, coach: int | None, goal: GoalInput, by: int | None) -> Goal:
        def work(tx: Transaction) -> Goal:
            require_coached(tx, member_id, coach)
            return _goals(tx.execute, "g.id = ?", [insert_goal_in(tx, member_id, goal, by)])[0]

        return self.db.write(work)

    def update_goal(self, goal_id: int, coach: int | None, version: int, goal: GoalInput, by: int | None,
                    review: ReviewMark | None = None) -> Goal:
        """Replace the goal's fields (a review also marks its history with the answer and day)."""

        def work(tx: Transaction) -> Goal:
            _require_editable(tx.execute("SELECT member_id, version FROM goal WHERE id = ?", [goal_id]),
                              tx, coach, version, f"goal {goal_id}")
            tx.execute("UPDATE goal SET title = ?, need = ?, option_key = ?, target_date = ?, success_measure = ?,"
                       " status = ?, version = version + 1 WHERE id = ?", [*_goal_values(goal), goal_id])
            remember_goal(tx, goal_id, "edited" if review is None else "reviewed", review, by)
            return _goals(tx.execute, "g.id = ?", [goal_id])[0]

        return self.db.write(work)

    def insert_action(self, goal_id: int, coach: int | None, action: ActionInput) -> GoalAction:
        def work(tx: Transaction) -> GoalAction:
            found = tx.execute("SELECT member_id FROM goal WHERE id = ?", [goal_id])
            if not found:
                raise RowMissing(f"no goal {goal_id}")
            require_coached(tx, found[0][0], coach)
            return GoalAction(*tx.execute(
                "INSERT INTO goal_action (goal_id, what, who, due_on, done) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
                f" RETURNING {_ACTION}", [goal_id, *_action_values(action)])[0])

        return self.db.write(work)

    def update_action(self, action_id: int, coach: int | None, version: int, action: ActionInput) -> GoalAction:
        def work(tx: Transaction) -> GoalAction:
            _require_editable(tx.execute("SELECT g.member_id, a.version FROM goal_action a"
                                         " JOIN goal g ON g.id = a.goal_id WHERE a.id = ?", [action_id]),
                              tx, coach, version, f"action {action_id}")
            return GoalAction(*tx.execute(
                "UPDATE goal_action SET what = ?, who = ?, due_on = ?, done = ?, version = version + 1"  # noqa: S608
                f" WHERE id = ? RETURNING {_ACTION}", [*_action_values(action), action_id])[0])

        return self.db.write(work)

    # ---- notes -------------------------------------------------------------------------------------

    def note(self, note_id: int) -> Note | None:
        return next(iter(_notes(self.db.query, "n.id = ?", [note_id])), None)

    def insert_note(self, member_id: int, coach: int, note: NoteInput) -> Note:
        """Store a new note; the same note by the same coach within a minute is the one already stored.

        A double click on "Save note" can reach a busy server as two submissions before the page shows
        the emptied form: the second must not store a copy. Checked inside the write, so it also holds
        when the two arrive together.
        """
        def work(tx: Transaction) -> Note:
            require_coached(tx, member_id, coach)
            values = _note_values(note)
            repeated = tx.execute(
                "SELECT id FROM note WHERE member_id = ? AND author_id = ? AND held_on = ? AND body = ?"
                " AND agreed = ? AND created_at > current_timestamp - INTERVAL '1 minute'", [member_id, coach, *values])
            if repeated:
                return _notes(tx.execute, "n.id = ?", [repeated[0][0]])[0]
            note_id = tx.scalar("INSERT INTO note (member_id, author_id, held_on, body, agreed) VALUES (?, ?, ?, ?, ?)"
                                " RETURNING id", [member_id, coach, *values])
            _remember_note(tx, note_id, coach)
            return _notes(tx.execute, "n.id = ?", [note_id])[0]

        return self.db.write(work)

    def update_note(self, note_id: int, coach: int, version: int, note: NoteInput) -> Note:
        def work(tx: Transaction) -> Note:
            _require_editable(tx.execute("SELECT member_id, version FROM note WHERE id = ?", [note_id]),
                              tx, coach, version, f"note {note_id}")
            tx.execute("UPDATE note SET held_on = ?, body = ?, agreed = ?, version = version + 1 WHERE id = ?",
                       [*_note_values(note), note_id])
            _remember_note(tx, note_id, coach)
            return _notes(tx.execute, "n.id = ?", [note_id])[0]

        return self.db.write(work)


# ---- reads: rows to records -------------------------------------------------------------------------------


def goals_of(run: Run, member_ids: list[int]) -> list[Goal]:
    """These members' goals with their actions, oldest first.

    The reads of members' records take `run`: `Database.query`, or a snapshot's `Transaction.execute` where
    several reads must agree with each other (a data export read whole).
    """
    return _goals(run, f"g.member_id IN {ID_LIST}", [member_ids])


def goal_history(run: Run, goal_ids: list[int]) -> list[GoalVersion]:
    """Every saved version of these goals, goal by goal, oldest first."""
    rows = run(f"SELECT {_GOAL_VERSION} WHERE h.goal_id IN {ID_LIST} ORDER BY h.goal_id, h.version",  # noqa: S608
               [goal_ids])
    return [_goal_version(r) for r in rows]


def notes_of(run: Run, member_ids: list[int]) -> list[Note]:
    """These members' notes, newest meeting first."""
    return _notes(run, f"n.member_id IN {ID_LIST}", [member_ids])


def note_history(run: Run, note_ids: list[int]) -> list[NoteVersion]:
    """Every saved version of these notes, note by note, oldest first."""
    rows = run(f"SELECT {_NOTE_VERSION} WHERE h.note_id IN {ID_LIST} ORDER BY h.note_id, h.version",  # noqa: S608
               [note_ids])
    return [_note_version(r) for r in rows]


def _goals(run: Run, where: str, params: list[Any]) -> list[Goal]:
    """The goals matching `where` (a constant clause), oldest first, each with its actions."""
    rows = run(f"SELECT {_GOAL} WHERE {where} ORDER BY g.created_at, g.id", params)  # noqa: S608
    actions = [GoalAction(*r) for r in run(
        f"SELECT {_ACTION} FROM goal_action WHERE goal_id IN {ID_LIST} ORDER BY goal_id, id",  # noqa: S608
        [[r[0] for r in rows]])]
    return [_goal(r, actions) for r in rows]


def _goal(row: tuple, actions: list[GoalAction]) -> Goal:
    goal_id, member_id, title, need, option_key, target_date, measure, status, version, created_at, by = row
    return Goal(goal_id, member_id, title, Need(need), option_key, target_date, measure, GoalStatus(status), version,
                created_at, by, tuple(a for a in actions if a.goal_id == goal_id))


def _goal_version(row: tuple) -> GoalVersion:
    goal_id, version, event, answer, reviewed_on, title, need, option_key, target_date, measure, status, *when = row
    return GoalVersion(goal_id, version, event, None if answer is None else ReviewAnswer(answer), reviewed_on, title,
                       Need(need), option_key, target_date, measure, GoalStatus(status), *when)


def _notes(run: Run, where: str, params: list[Any]) -> list[Note]:
    """The notes matching `where` (a constant clause), newest meeting first."""
    rows = run(f"SELECT {_NOTE} WHERE {where} ORDER BY n.held_on DESC, n.id DESC", params)  # noqa: S608
    return [Note(i, member, held_on, body, tuple(json.loads(agreed)), *rest)
            for i, member, held_on, body, agreed, *rest in rows]


def _note_version(row: tuple) -> NoteVersion:
    note_id, version, held_on, body, agreed, *when = row
    return NoteVersion(note_id, version, held_on, body, tuple(json.loads(agreed)), *when)


# ---- writes: inputs to rows ---------------------------------------------------------------------------------


def _goal_values(goal: GoalInput) -> list[Any]:
    return [goal.title, goal.need.value, goal.option_key, goal.target_date, goal.success_measure, goal.status.value]


def _action_values(action: ActionInput) -> list[Any]:
    return [action.what, action.who, action.due_on, action.done]


def _note_values(note: NoteInput) -> list[Any]:
    """The note's columns; its agreed actions as a JSON list of texts."""
    return [note.held_on, note.body, json.dumps(list(note.agreed), ensure_ascii=False)]


def insert_goal_in(tx: Transaction, member_id: int, goal: GoalInput, by: int | None) -> int:
    """Add a goal with its first history row, inside the caller's write (a route adds several); its id."""
    goal_id = tx.scalar(
        "INSERT INTO goal (member_id, title, need, option_key, target_date, success_measure, status, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", [member_id, *_goal_values(goal), by])
    remember_goal(tx, goal_id, "added", None, by)
    return goal_id


def _require_editable(found: list[tuple], tx: Transaction, coach: int | None, version: int, what: str) -> None:
    """`found` is the record's (member id, version): it exists, `coach` manages the member, and it is unchanged."""
    if not found:
        raise RowMissing(f"no {what}")
    require_coached(tx, found[0][0], coach)
    if found[0][1] != version:
        raise VersionMismatch(f"{what} is at version {found[0][1]}, not {version}")


def require_coached(tx: Transaction, member_id: int, coach: int | None) -> None:
    """RowMissing unless the member is active, in an active team of `coach` (None: any team)."""
    if not tx.scalar(
        "SELECT 1 FROM member m JOIN team t ON t.id = m.team_id WHERE m.id = ? AND m.archived_at IS NULL"
        " AND t.archived_at IS NULL AND (?::INTEGER IS NULL OR t.manager_id = ?)", [member_id, coach, coach]
    ):
        raise RowMissing(f"no member {member_id} coached by {coach}")


def remember_goal(tx: Transaction, goal_id: int, event: str, review: ReviewMark | None, by: int | None) -> None:
    """Copy the goal as it now stands into its history, marked with the event (and a review's answer and day)."""
    tx.execute(
        "INSERT INTO goal_history (goal_id, member_id, version, event, review_answer, reviewed_on, title, need,"
        " option_key, target_date, success_measure, status, changed_by) SELECT id, member_id, version, ?, ?, ?,"
        " title, need, option_key, target_date, success_measure, status, ? FROM goal WHERE id = ?",
        [event, review and review.answer, review and review.on, by, goal_id])


def _remember_note(tx: Transaction, note_id: int, by: int) -> None:
    """Copy the note as it now stands into its history."""
    tx.execute(
        "INSERT INTO note_history (note_id, member_id, version, held_on, body, agreed, written_by)"
        " SELECT id, member_id, version, held_on, body, agreed, ? FROM note WHERE id = ?", [by, note_id])
