"""SQL of everything held about some members (the ids of one person): read whole, for one document.

Rows in, rows out, no policy. The data export (coaching.privacy.requests) reads every member record of a
person; the one-on-one CSV (coaching.one_on_one.brief) reads the one member a manager coaches. Invitation
token hashes are never read here: a document gives dates and status only.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coaching.db.database import Database
from coaching.one_on_one.plan_rows import GoalHistoryRow, NoteHistoryRow


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


class GoalRow(NamedTuple):
    id: int
    member_id: int
    title: str
    need: str
    option_key: str | None
    target_date: dt.date | None
    success_measure: str | None
    status: str
    created_by: str | None
    created_at: dt.datetime
    version: int


class GoalActionRow(NamedTuple):
    id: int
    goal_id: int
    what: str
    who: str | None
    due_on: dt.date | None
    done: bool


class NoteRow(NamedTuple):
    id: int
    member_id: int
    held_on: dt.date
    author: str | None
    body: str
    agreed: str                 # a JSON list of texts
    created_at: dt.datetime
    version: int


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
    goals: list[GoalRow]
    goal_actions: list[GoalActionRow]
    goal_history: list[GoalHistoryRow]
    notes: list[NoteRow]
    note_history: list[NoteHistoryRow]


class MemberDataRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def member_data(self, member_ids: list[int]) -> MemberData:
        ids = [member_ids]
        q = self.db.query
        return MemberData(
            members=[MemberRow(*r) for r in q(
                "SELECT m.id, m.team_id, t.name, m.name, m.email, m.role_title, m.track, m.level, m.created_at,"
                " m.archived_at, m.language FROM member m LEFT JOIN team t ON t.id = m.team_id"
                " WHERE m.id IN (SELECT unnest(?::INTEGER[])) ORDER BY m.id", ids)],
            options=q(
                "SELECT member_id, option_key FROM member_option WHERE member_id IN (SELECT unnest(?::INTEGER[]))"
                " ORDER BY member_id, option_key", ids),
            responses=[ResponseRow(*r) for r in q(
                "SELECT r.id, r.member_id, w.name, r.instrument_version, r.submitted_at, r.is_current, r.life_stage"
                " FROM response r LEFT JOIN wave w ON w.id = r.wave_id"
                " WHERE r.member_id IN (SELECT unnest(?::INTEGER[])) ORDER BY r.submitted_at, r.id", ids)],
            ratings=q(
                "SELECT response_id, item_id, value FROM response_rating WHERE response_id IN"
                " (SELECT id FROM response WHERE member_id IN (SELECT unnest(?::INTEGER[])))"
                " ORDER BY response_id, item_id", ids),
            choices=q(
                "SELECT response_id, rank, need FROM response_choice WHERE response_id IN"
                " (SELECT id FROM response WHERE member_id IN (SELECT unnest(?::INTEGER[])))"
                " ORDER BY response_id, rank", ids),
            reflections=q(
                "SELECT response_id, reflection_id, text FROM response_reflection WHERE response_id IN"
                " (SELECT id FROM response WHERE member_id IN (SELECT unnest(?::INTEGER[])))"
                " ORDER BY response_id, reflection_id", ids),
            scores=q(
                "SELECT response_id, scale, score FROM response_score WHERE response_id IN"
                " (SELECT id FROM response WHERE member_id IN (SELECT unnest(?::INTEGER[])))"
                " ORDER BY response_id, scale", ids),
            invitations=[InvitationRow(*r) for r in q(
                "SELECT i.id, i.member_id, i.round_id, w.name, rd.deadline, i.created_at, i.revoked_at,"
                " i.declined_at,"
                " EXISTS (SELECT 1 FROM response r WHERE r.member_id = i.member_id AND r.round_id = i.round_id)"
                " FROM invitation i LEFT JOIN round rd ON rd.id = i.round_id LEFT JOIN wave w ON w.id = rd.wave_id"
                " WHERE i.member_id IN (SELECT unnest(?::INTEGER[])) ORDER BY i.created_at, i.id", ids)],
            goals=[GoalRow(*r) for r in q(
                "SELECT g.id, g.member_id, g.title, g.need, g.option_key, g.target_date, g.success_measure,"
                " g.status, u.name, g.created_at, g.version FROM goal g LEFT JOIN app_user u ON u.id = g.created_by"
                " WHERE g.member_id IN (SELECT unnest(?::INTEGER[])) ORDER BY g.created_at, g.id", ids)],
            goal_actions=[GoalActionRow(*r) for r in q(
                "SELECT id, goal_id, what, who, due_on, done FROM goal_action WHERE goal_id IN"
                " (SELECT id FROM goal WHERE member_id IN (SELECT unnest(?::INTEGER[]))) ORDER BY goal_id, id",
                ids)],
            goal_history=[GoalHistoryRow(*r) for r in q(
                "SELECT h.goal_id, h.version, h.event, h.review_answer, h.reviewed_on, h.title, h.need, h.option_key,"
                " h.target_date, h.success_measure, h.status, u.name, h.changed_at FROM goal_history h"
                " LEFT JOIN app_user u ON u.id = h.changed_by WHERE h.member_id IN (SELECT unnest(?::INTEGER[]))"
                " ORDER BY h.goal_id, h.version", ids)],
            notes=[NoteRow(*r) for r in q(
                "SELECT n.id, n.member_id, n.held_on, u.name, n.body, n.agreed, n.created_at, n.version FROM note n"
                " LEFT JOIN app_user u ON u.id = n.author_id WHERE n.member_id IN (SELECT unnest(?::INTEGER[]))"
                " ORDER BY n.held_on, n.id", ids)],
            note_history=[NoteHistoryRow(*r) for r in q(
                "SELECT h.note_id, h.version, h.held_on, h.body, h.agreed, u.name, h.written_at FROM note_history h"
                " LEFT JOIN app_user u ON u.id = h.written_by WHERE h.member_id IN (SELECT unnest(?::INTEGER[]))"
                " ORDER BY h.note_id, h.version", ids)],
        )
