"""SQL of everything held about some members (the ids of one person): read whole, for one document.

Rows in, rows out, no policy. The data export (coaching.privacy.requests) reads every member record of a
person; the one-on-one CSV (coaching.one_on_one.brief) reads the one member a manager coaches. Invitation
token hashes are never read here: a document gives dates and status only.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coaching.db.database import Database
from coaching.db.lists import ID_LIST
from coaching.one_on_one.plan_models import Goal, GoalVersion, Note, NoteVersion
from coaching.one_on_one.plan_rows import Run, goal_history, goals_of, note_history, notes_of


class MemberRow(NamedTuple):
    id: int
    team_id: int
    team_name: str | None
    name: str
    email: str
    role_title: str | None
    track: str | None
    level: str | None
    created_at: dt.datetime
    archived_at: dt.datetime | None
    language: str | None


class ResponseRow(NamedTuple):
    id: int
    member_id: int
    wave: str | None
    instrument_version: int
    submitted_at: dt.datetime
    is_current: bool
    life_stage: str | None


class InvitationRow(NamedTuple):
    id: int
    member_id: int
    round_id: int
    wave: str | None
    deadline: dt.datetime | None
    sent_at: dt.datetime
    revoked_at: dt.datetime | None
    declined_at: dt.datetime | None
    answered: bool


class MemberData(NamedTuple):
    """Every row the database holds about some members (the ids of one person)."""

    members: list[MemberRow]
    options: list[tuple[int, str]]                      # (member_id, option_key)
    responses: list[ResponseRow]
    ratings: list[tuple[int, str, int]]                 # (response_id, item_id, value)
    choices: list[tuple[int, int, str]]                 # (response_id, rank, need)
    reflections: list[tuple[int, str, str]]             # (response_id, reflection_id, text)
    scores: list[tuple[int, str, float]]                # (response_id, scale, score)
    invitations: list[InvitationRow]
    goals: list[Goal]                                   # each with its actions
    goal_history: list[GoalVersion]
    notes: list[Note]                                   # oldest meeting first
    note_history: list[NoteVersion]


#: The ids of the responses of the members an id list names.
RESPONSES_OF = f"(SELECT id FROM response WHERE member_id IN {ID_LIST})"  # noqa: S608 - a fixed fragment


class MemberDataRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def member_data(self, member_ids: list[int]) -> MemberData:
        """Every record of these members, read on one snapshot: a goal edited meanwhile is in the document
        with its history in step, or not at all."""
        return self.db.read(lambda tx: _member_data(tx.execute, member_ids))


def _member_data(q: Run, member_ids: list[int]) -> MemberData:
    ids = [member_ids]
    goals = goals_of(q, member_ids)
    notes = sorted(notes_of(q, member_ids), key=lambda n: (n.held_on, n.id))
    return MemberData(
        members=[MemberRow(*r) for r in q(
            "SELECT m.id, m.team_id, t.name, m.name, m.email, m.role_title, m.track, m.level, m.created_at,"  # noqa: S608
            " m.archived_at, m.language FROM member m LEFT JOIN team t ON t.id = m.team_id"
            f" WHERE m.id IN {ID_LIST} ORDER BY m.id", ids)],
        options=q(
            f"SELECT member_id, option_key FROM member_option WHERE member_id IN {ID_LIST}"  # noqa: S608
            " ORDER BY member_id, option_key", ids),
        responses=[ResponseRow(*r) for r in q(
            "SELECT r.id, r.member_id, w.name, r.instrument_version, r.submitted_at, r.is_current, r.life_stage"  # noqa: S608
            " FROM response r LEFT JOIN wave w ON w.id = r.wave_id"
            f" WHERE r.member_id IN {ID_LIST} ORDER BY r.submitted_at, r.id", ids)],
        ratings=q(
            f"SELECT response_id, item_id, value FROM response_rating WHERE response_id IN {RESPONSES_OF}"  # noqa: S608
            " ORDER BY response_id, item_id", ids),
        choices=q(
            f"SELECT response_id, rank, need FROM response_choice WHERE response_id IN {RESPONSES_OF}"  # noqa: S608
            " ORDER BY response_id, rank", ids),
        reflections=q(
            f"SELECT response_id, reflection_id, text FROM response_reflection WHERE response_id IN {RESPONSES_OF}"  # noqa: S608
            " ORDER BY response_id, reflection_id", ids),
        scores=q(
            f"SELECT response_id, scale, score FROM response_score WHERE response_id IN {RESPONSES_OF}"  # noqa: S608
            " ORDER BY response_id, scale", ids),
        invitations=[InvitationRow(*r) for r in q(
            "SELECT i.id, i.member_id, i.round_id, w.name, rd.deadline, i.created_at, i.revoked_at,"  # noqa: S608
            " i.declined_at,"
            " EXISTS (SELECT 1 FROM response r WHERE r.member_id = i.member_id AND r.round_id = i.round_id)"
            " FROM invitation i LEFT JOIN round rd ON rd.id = i.round_id LEFT JOIN wave w ON w.id = rd.wave_id"
            f" WHERE i.member_id IN {ID_LIST} ORDER BY i.created_at, i.id", ids)],
        goals=goals,
        goal_history=goal_history(q, [g.id for g in goals]),
        notes=notes,
        note_history=note_history(q, [n.id for n in notes]),
    )
