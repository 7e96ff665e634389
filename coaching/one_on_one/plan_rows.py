"""The SQL of coaching plans: career goals with their actions and history, one-on-one notes with theirs.

Rows in, rows out, no policy (who may do what is decided in coaching.one_on_one.plans). Invariants:
- every write names the manager its caller checked (`coach`; None only for the system) and checks
  again inside its own transaction that the member is active, in an active team of that manager: a
  member moved or archived in between is refused (RowMissing), never changed on a stale check;
- an edit names the version it read (VersionMismatch otherwise) and bumps it;
- goal_history and note_history get one row per saved version, in the same transaction as the
  change, so the latest history row always equals the live row.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coaching.db.database import Database, Transaction
from coaching.db.lists import ID_LIST
from coaching.people.team_rows import RowMissing, VersionMismatch


class GoalFields(NamedTuple):
    title: str
    need: str
    option_key: str | None
    target_date: dt.date | None
    success_measure: str | None
    status: str


class ActionFields(NamedTuple):
    what: str
    who: str | None
    due_on: dt.date | None
    done: bool


class NoteFields(NamedTuple):
    held_on: dt.date
    body: str
    agreed: str          # a JSON list of texts


class ReviewMark(NamedTuple):
    answer: str          # keep, adjust or drop
    on: dt.date


class GoalRow(NamedTuple):
    id: int
    member_id: int
    title: str
    need: str
    option_key: str | None
    target_date: dt.date | None
    success_measure: str | None
    status: str
    created_by: int | None
    created_at: dt.datetime
    version: int


class ActionRow(NamedTuple):
    id: int
    goal_id: int
    what: str
    who: str | None
    due_on: dt.date | None
    done: bool
    version: int


class NoteRow(NamedTuple):
    id: int
    member_id: int
    author_id: int
    held_on: dt.date
    body: str
    agreed: str
    created_at: dt.datetime
    version: int


class GoalHistoryRow(NamedTuple):
    goal_id: int
    version: int
    event: str
    review_answer: str | None
    reviewed_on: dt.date | None
    title: str
    need: str
    option_key: str | None
    target_date: dt.date | None
    success_measure: str | None
    status: str
    changed_by: str | None          # the account's name; None: the system (or an erased account)
    changed_at: dt.datetime


class NoteHistoryRow(NamedTuple):
    note_id: int
    version: int
    held_on: dt.date
    body: str
    agreed: str
    written_by: str | None
    written_at: dt.datetime


_GOAL = "id, member_id, title, need, option_key, target_date, success_measure, status, created_by, created_at, version"
_ACTION = "id, goal_id, what, who, due_on, done, version"
_NOTE = "id, member_id, author_id, held_on, body, agreed, created_at, version"


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

    def goal(self, goal_id: int) -> GoalRow | None:
        row = self.db.query_one(f"SELECT {_GOAL} FROM goal WHERE id = ?", [goal_id])  # noqa: S608
        return None if row is None else GoalRow(*row)

    def goals_of(self, member_id: int) -> list[GoalRow]:
        rows = self.db.query(f"SELECT {_GOAL} FROM goal WHERE member_id = ? ORDER BY created_at, id",  # noqa: S608
                             [member_id])
        return [GoalRow(*r) for r in rows]

    def actions_of(self, goal_ids: list[int]) -> list[ActionRow]:
        rows = self.db.query(
            f"SELECT {_ACTION} FROM goal_action WHERE goal_id IN {ID_LIST} ORDER BY goal_id, id",  # noqa: S608
            [goal_ids])
        return [ActionRow(*r) for r in rows]

    def action(self, action_id: int) -> ActionRow | None:
        row = self.db.query_one(f"SELECT {_ACTION} FROM goal_action WHERE id = ?", [action_id])  # noqa: S608
        return None if row is None else ActionRow(*row)

    def goal_history(self, goal_id: int) -> list[GoalHistoryRow]:
        """Every saved version of a goal, oldest first."""
        rows = self.db.query(
            "SELECT h.goal_id, h.version, h.event, h.review_answer, h.reviewed_on, h.title, h.need, h.option_key,"
            " h.target_date, h.success_measure, h.status, u.name, h.changed_at FROM goal_history h"
            " LEFT JOIN app_user u ON u.id = h.changed_by WHERE h.goal_id = ? ORDER BY h.version", [goal_id])
        return [GoalHistoryRow(*r) for r in rows]

    def insert_goal(self, member_id: int, coach: int | None, fields: GoalFields, by: int | None) -> GoalRow:
        def work(tx: Transaction) -> GoalRow:
            _require_coached(tx, member_id, coach)
            row = GoalRow(*tx.execute(
                "INSERT INTO goal (member_id, title, need, option_key, target_date, success_measure, status,"  # noqa: S608
                f" created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_GOAL}",
                [member_id, *fields, by])[0])
            _remember_goal(tx, row, "added", None, by)
            return row

        return self.db.write(work)

    def update_goal(self, goal_id: int, coach: int | None, version: int, fields: GoalFields, by: int | None,
                    review: ReviewMark | None = None) -> GoalRow:
        """Replace the goal's fields (a review also marks its history with the answer and day)."""

        def work(tx: Transaction) -> GoalRow:
            _require_editable(tx.execute("SELECT member_id, version FROM goal WHERE id = ?", [goal_id]),
                              tx, coach, version, f"goal {goal_id}")
            row = GoalRow(*tx.execute(
                "UPDATE goal SET title = ?, need = ?, option_key = ?, target_date = ?, success_measure = ?,"  # noqa: S608
                f" status = ?, version = version + 1 WHERE id = ? RETURNING {_GOAL}",
                [*fields, goal_id])[0])
            _remember_goal(tx, row, "edited" if review is None else "reviewed", review, by)
            return row

        return self.db.write(work)

    def insert_action(self, goal_id: int, coach: int | None, fields: ActionFields) -> ActionRow:
        def work(tx: Transaction) -> ActionRow:
            found = tx.execute("SELECT member_id FROM goal WHERE id = ?", [goal_id])
            if not found:
                raise RowMissing(f"no goal {goal_id}")
            _require_coached(tx, found[0][0], coach)
            return ActionRow(*tx.execute(
                "INSERT INTO goal_action (goal_id, what, who, due_on, done) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
                f" RETURNING {_ACTION}",
                [goal_id, *fields])[0])

        return self.db.write(work)

    def update_action(self, action_id: int, coach: int | None, version: int, fields: ActionFields) -> ActionRow:
        def work(tx: Transaction) -> ActionRow:
            _require_editable(tx.execute("SELECT g.member_id, a.version FROM goal_action a"
                                         " JOIN goal g ON g.id = a.goal_id WHERE a.id = ?", [action_id]),
                              tx, coach, version, f"action {action_id}")
            return ActionRow(*tx.execute(
                "UPDATE goal_action SET what = ?, who = ?, due_on = ?, done = ?, version = version + 1"  # noqa: S608
                f" WHERE id = ? RETURNING {_ACTION}", [*fields, action_id])[0])

        return self.db.write(work)

    # ---- notes -------------------------------------------------------------------------------------

    def note(self, note_id: int) -> NoteRow | None:
        row = self.db.query_one(f"SELECT {_NOTE} FROM note WHERE id = ?", [note_id])  # noqa: S608
        return None if row is None else NoteRow(*row)

    def notes_of(self, member_id: int) -> list[NoteRow]:
        """Newest meeting first."""
        rows = self.db.query(
            f"SELECT {_NOTE} FROM note WHERE member_id = ? ORDER BY held_on DESC, id DESC", [member_id])  # noqa: S608
        return [NoteRow(*r) for r in rows]

    def note_history(self, note_id: int) -> list[NoteHistoryRow]:
        """Every saved version of a note, oldest first."""
        rows = self.db.query(
            "SELECT h.note_id, h.version, h.held_on, h.body, h.agreed, u.name, h.written_at FROM note_history h"
            " LEFT JOIN app_user u ON u.id = h.written_by WHERE h.note_id = ? ORDER BY h.version", [note_id])
        return [NoteHistoryRow(*r) for r in rows]

    def insert_note(self, member_id: int, coach: int, fields: NoteFields) -> NoteRow:
        """Store a new note; the same note by the same coach within a minute is the one already stored.

        A double click on "Save note" can reach a busy server as two submissions before the page shows
        the emptied form: the second must not store a copy. Checked inside the write, so it also holds
        when the two arrive together.
        """
        def work(tx: Transaction) -> NoteRow:
            _require_coached(tx, member_id, coach)
            repeated = tx.execute(
                f"SELECT {_NOTE} FROM note WHERE member_id = ? AND author_id = ? AND held_on = ? AND body = ?"  # noqa: S608
                " AND agreed = ? AND created_at > current_timestamp - INTERVAL 1 MINUTE", [member_id, coach, *fields])
            if repeated:
                return NoteRow(*repeated[0])
            row = NoteRow(*tx.execute(
                "INSERT INTO note (member_id, author_id, held_on, body, agreed) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
                f" RETURNING {_NOTE}",
                [member_id, coach, *fields])[0])
            _remember_note(tx, row, coach)
            return row

        return self.db.write(work)

    def update_note(self, note_id: int, coach: int, version: int, fields: NoteFields) -> NoteRow:
        def work(tx: Transaction) -> NoteRow:
            _require_editable(tx.execute("SELECT member_id, version FROM note WHERE id = ?", [note_id]),
                              tx, coach, version, f"note {note_id}")
            row = NoteRow(*tx.execute(
                "UPDATE note SET held_on = ?, body = ?, agreed = ?, version = version + 1"  # noqa: S608
                f" WHERE id = ? RETURNING {_NOTE}", [*fields, note_id])[0])
            _remember_note(tx, row, coach)
            return row

        return self.db.write(work)


def _require_editable(found: list[tuple], tx: Transaction, coach: int | None, version: int, what: str) -> None:
    """`found` is the record's (member id, version): it exists, `coach` manages the member, and it is unchanged."""
    if not found:
        raise RowMissing(f"no {what}")
    _require_coached(tx, found[0][0], coach)
    _require_version(found[0][1], version, what)


def _require_coached(tx: Transaction, member_id: int, coach: int | None) -> None:
    """RowMissing unless the member is active, in an active team of `coach` (None: any team)."""
    if not tx.scalar(
        "SELECT 1 FROM member m JOIN team t ON t.id = m.team_id WHERE m.id = ? AND m.archived_at IS NULL"
        " AND t.archived_at IS NULL AND (?::INTEGER IS NULL OR t.manager_id = ?)", [member_id, coach, coach]
    ):
        raise RowMissing(f"no member {member_id} coached by {coach}")


def _require_version(current: int, read: int, what: str) -> None:
    if current != read:
        raise VersionMismatch(f"{what} is at version {current}, not {read}")


def _remember_goal(tx: Transaction, row: GoalRow, event: str, review: ReviewMark | None, by: int | None) -> None:
    tx.execute(
        "INSERT INTO goal_history (goal_id, member_id, version, event, review_answer, reviewed_on, title, need,"
        " option_key, target_date, success_measure, status, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [row.id, row.member_id, row.version, event, review and review.answer, review and review.on, row.title,
         row.need, row.option_key, row.target_date, row.success_measure, row.status, by])


def _remember_note(tx: Transaction, row: NoteRow, by: int) -> None:
    tx.execute(
        "INSERT INTO note_history (note_id, member_id, version, held_on, body, agreed, written_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [row.id, row.member_id, row.version, row.held_on, row.body, row.agreed, by])
