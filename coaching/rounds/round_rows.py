"""SQL of rounds, invitations, deliveries and drafts (see coaching.rounds.rounds for the rules around them)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coaching.core import subjects
from coaching.db.database import Database, Transaction


class RoundRow(NamedTuple):
    id: int
    wave_id: int
    wave: str
    team_id: int
    team: str
    instrument_version: int
    deadline: dt.datetime
    message: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    version: int


class InvitationRow(NamedTuple):
    """A link's invitation with what the respondent's page needs about its round."""

    id: int
    member_id: int
    member_name: str
    member_archived: bool
    revoked_at: dt.datetime | None
    declined_at: dt.datetime | None
    member_language: str | None
    opened_at: dt.datetime | None
    round: RoundRow


class MemberStateRow(NamedTuple):
    member_id: int
    name: str
    email: str
    declined_at: dt.datetime | None
    submitted_at: dt.datetime | None
    draft_at: dt.datetime | None
    opened_at: dt.datetime | None
    reminders: list[dt.datetime]
    last_failure: str | None


_ROUND_COLUMNS = ("r.id, r.wave_id, w.name, r.team_id, t.name, r.instrument_version, r.deadline, r.message,"
                  " r.created_at, r.closed_at, r.version")
_ROUND_JOINS = "JOIN wave w ON w.id = r.wave_id JOIN team t ON t.id = r.team_id"
_ROUND = f"SELECT {_ROUND_COLUMNS} FROM round r {_ROUND_JOINS}"   # noqa: S608 - fixed text, no input


class RoundRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- rounds ----------------------------------------------------------------------------------

    def insert_round(self, *, wave_id: int, team_id: int, instrument_version: int, deadline: dt.datetime,
                     message: str | None, created_by: int, invitations: list[tuple[int, str]]) -> int:
        """A round and its invitations (member id, token hash) in one transaction."""

        def work(tx: Transaction) -> int:
            round_id = tx.scalar(
                "INSERT INTO round (wave_id, team_id, instrument_version, deadline, message, created_by)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                [wave_id, team_id, instrument_version, deadline, message, created_by],
            )
            tx.executemany("INSERT INTO invitation (round_id, member_id, token_hash) VALUES (?, ?, ?)",
                           [(round_id, member, token_hash) for member, token_hash in invitations])
            return round_id

        return self.db.write(work)

    def round(self, round_id: int) -> RoundRow | None:
        row = self.db.query_one(_ROUND + " WHERE r.id = ?", [round_id])
        return None if row is None else RoundRow(*row)

    def rounds_of_team(self, team_id: int) -> list[RoundRow]:
        return [RoundRow(*r) for r in self.db.query(_ROUND + " WHERE r.team_id = ? ORDER BY r.created_at DESC",
                                                    [team_id])]

    def set_deadline(self, round_id: int, deadline: dt.datetime, read_version: int) -> bool:
        """False when someone changed the round since `read_version` was read."""
        rows = self.db.write(lambda tx: tx.execute(
            "UPDATE round SET deadline = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING id",
            [deadline, round_id, read_version]))
        return bool(rows)

    def close(self, round_id: int, at: dt.datetime) -> None:
        self.db.write(lambda tx: tx.execute(
            "UPDATE round SET closed_at = ?, version = version + 1 WHERE id = ? AND closed_at IS NULL",
            [at, round_id]))

    # ---- invitations -------------------------------------------------------------------------------

    def invitation_by_hash(self, token_hash: str) -> InvitationRow | None:
        """One query: a respondent's link is checked again before each of their writes."""
        row = self.db.query_one(
            "SELECT i.id, i.member_id, m.name, m.archived_at IS NOT NULL, i.revoked_at, i.declined_at, m.language,"  # noqa: S608 - fixed text
            f" i.opened_at, {_ROUND_COLUMNS} FROM invitation i JOIN member m ON m.id = i.member_id"
            f" JOIN round r ON r.id = i.round_id {_ROUND_JOINS} WHERE i.token_hash = ?",
            [token_hash],
        )
        return None if row is None else InvitationRow._make((*row[:8], RoundRow(*row[8:])))

    def replace_invitation(self, round_id: int, member_id: int, token_hash: str, at: dt.datetime) -> None:
        """Revoke the member's live link in this round and give them a new one, atomically."""

        def work(tx: Transaction) -> None:
            tx.execute("UPDATE invitation SET revoked_at = ?"
                       " WHERE round_id = ? AND member_id = ? AND revoked_at IS NULL", [at, round_id, member_id])
            tx.execute("INSERT INTO invitation (round_id, member_id, token_hash) VALUES (?, ?, ?)",
                       [round_id, member_id, token_hash])

        self.db.write(work)

    def revoke(self, round_id: int, member_id: int, at: dt.datetime) -> int:
        rows = self.db.write(lambda tx: tx.execute(
            "UPDATE invitation SET revoked_at = ? WHERE round_id = ? AND member_id = ? AND revoked_at IS NULL"
            " RETURNING id", [at, round_id, member_id]))
        return len(rows)

    def live_invitation(self, round_id: int, member_id: int) -> int | None:
        return self.db.scalar("SELECT id FROM invitation WHERE round_id = ? AND member_id = ? AND revoked_at IS NULL",
                              [round_id, member_id])

    def mark_opened(self, invitation_id: int, at: dt.datetime) -> None:
        self.db.write(lambda tx: tx.execute(
            "UPDATE invitation SET opened_at = ? WHERE id = ? AND opened_at IS NULL", [at, invitation_id]),
            touches=[subjects.INVITATIONS])

    def decline(self, round_id: int, member_id: int, at: dt.datetime) -> None:
        """Declining holds for the person in this round, whichever of their links they used."""
        self.db.write(lambda tx: tx.execute(
            "UPDATE invitation SET declined_at = ? WHERE round_id = ? AND member_id = ? AND declined_at IS NULL",
            [at, round_id, member_id]), touches=[subjects.INVITATIONS])

    def record_delivery(self, invitation_id: int, member_id: int, kind: str, channel: str, ok: bool,
                        error: str | None = None) -> None:
        self.db.write(lambda tx: tx.execute(
            "INSERT INTO delivery (invitation_id, member_id, kind, channel, ok, error) VALUES (?, ?, ?, ?, ?, ?)",
            [invitation_id, member_id, kind, channel, ok, error]), touches=[subjects.INVITATIONS])

    # ---- progress ------------------------------------------------------------------------------------

    def member_states(self, round_id: int) -> list[MemberStateRow]:
        """Every invited member still active in the round's team, with what they have done so far.

        A member moved to another team since leaves the round's tracking and reminders: their new
        manager sees their answers, the old one no longer follows them up. A member counts as having
        submitted once they have answers in the round's wave, sent in this round or before it: a person has
        one response per wave, and their link opens on those answers, which they may still change.
        """
        rows = self.db.query(
            "SELECT m.id, m.name, m.email, max(i.declined_at), max(i.opened_at),"
            " (SELECT max(submitted_at) FROM response r WHERE r.member_id = m.id AND r.wave_id = o.wave_id),"
            " (SELECT updated_at FROM response_draft d WHERE d.member_id = m.id AND d.round_id = ?)"
            " FROM invitation i JOIN member m ON m.id = i.member_id JOIN round o ON o.id = i.round_id"
            " WHERE i.round_id = ? AND m.archived_at IS NULL AND m.team_id = o.team_id"
            " GROUP BY m.id, m.name, m.email, o.wave_id ORDER BY m.name",
            [round_id, round_id],
        )
        sends = self.db.query(
            "SELECT d.member_id, d.kind, d.ok, d.error, d.sent_at FROM delivery d"
            " JOIN invitation i ON i.id = d.invitation_id WHERE i.round_id = ? ORDER BY d.sent_at",
            [round_id],
        )
        reminders: dict[int, list[dt.datetime]] = {}
        failures: dict[int, str | None] = {}
        for member_id, kind, ok, error, sent_at in sends:
            if kind == "reminder" and ok:
                reminders.setdefault(member_id, []).append(sent_at)
            failures[member_id] = None if ok else (error or "failed")
        return [
            MemberStateRow(member_id=r[0], name=r[1], email=r[2], declined_at=r[3], opened_at=r[4], submitted_at=r[5],
                           draft_at=r[6], reminders=reminders.get(r[0], []), last_failure=failures.get(r[0]))
            for r in rows
        ]

    # ---- drafts ---------------------------------------------------------------------------------------

    def draft(self, member_id: int, round_id: int) -> str | None:
        return self.db.scalar("SELECT answers FROM response_draft WHERE member_id = ? AND round_id = ?",
                              [member_id, round_id])

    def draft_language(self, member_id: int, round_id: int) -> str | None:
        return self.db.scalar("SELECT language FROM response_draft WHERE member_id = ? AND round_id = ?",
                              [member_id, round_id])

    def save_draft(self, member_id: int, round_id: int, answers_json: str, language: str | None = None) -> None:
        self.db.write(lambda tx: tx.execute(
            "INSERT INTO response_draft (member_id, round_id, answers, updated_at, language)"
            " VALUES (?, ?, ?, current_timestamp, ?)"
            " ON CONFLICT (member_id, round_id) DO UPDATE SET answers = excluded.answers,"
            " updated_at = excluded.updated_at, language = excluded.language",
            [member_id, round_id, answers_json, language]), touches=[subjects.DRAFTS])

    def delete_draft(self, member_id: int, round_id: int) -> None:
        self.db.write(lambda tx: tx.execute(
            "DELETE FROM response_draft WHERE member_id = ? AND round_id = ?", [member_id, round_id]),
            touches=[subjects.DRAFTS])
