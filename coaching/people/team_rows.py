"""The SQL of teams and members: scoped reads, checked inserts, versioned edits, archive, move.

Rows in, rows out, no policy (who may do what is decided in coaching.people.teams). Invariants:
- e-mails of active members (`archived_at IS NULL`) are unique across the organisation, compared with
  `lower(email)`; every insert and every e-mail change checks that inside its own write transaction, so
  two concurrent adds of one address cannot both succeed. Archived members keep their address;
- team names are unique among one manager's active teams, compared case-insensitively;
- an edit names the version it read (`WHERE version = ?`) and bumps it; archive and move bump it too,
  so an edit form opened before them is refused instead of overwriting;
- every change of a member names the team its caller checked (`WHERE team_id = ?`): a member moved
  elsewhere in between is refused, never changed on the strength of a stale permission check;
- a member's level and the options they use (`member_option`) are on offer in the current catalogue
  when they are written, checked in the same transaction, so a level or option retired meanwhile is
  refused (NotOffered) rather than left pointing at nothing;
- a refused write raises one of the exceptions below (or of coaching.db.errors) from inside the transaction,
  so nothing of it stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from coaching.core import subjects
from coaching.core.actors import Actor
from coaching.db.database import Database, Transaction
from coaching.db.errors import NotOffered, RowMissing, VersionMismatch
from coaching.db.lists import ID_LIST, TEXT_LIST
from coaching.db.subjects import reads
from coaching.governance.scope import require_team, visible_teams


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Team(_Record):
    id: int
    name: str
    manager_id: int
    version: int


class NewMember(_Record):
    name: str
    email: str
    role_title: str | None = None
    track: str | None = None
    level: str | None = None
    language: str | None = None     # a shipped language code for the questionnaire and e-mails; None: the browser's


class Member(NewMember):
    id: int
    team_id: int
    version: int


class EmailTaken(ValueError):
    """Some e-mails already belong to active members; nothing was written."""

    def __init__(self, emails: list[str]) -> None:
        self.emails = emails
        super().__init__(", ".join(emails))


class NameTaken(ValueError):
    """The manager already has an active team of that name; nothing was written."""


class TeamRow(NamedTuple):
    id: int
    name: str
    manager_id: int
    version: int
    archived_at: dt.datetime | None


class TeamWithManager(NamedTuple):
    id: int
    name: str
    manager_id: int
    manager_email: str | None
    manager_name: str | None


class MemberRow(NamedTuple):
    id: int
    team_id: int
    name: str
    email: str
    role_title: str | None
    track: str | None
    level: str | None
    version: int
    archived_at: dt.datetime | None
    language: str | None


_TEAM = "id, name, manager_id, version, archived_at"
_MEMBER = "id, team_id, name, email, role_title, track, level, version, archived_at, language"


class ArrangementRow(NamedTuple):
    track: str | None
    level: str | None
    options: tuple[str, ...]


class TeamRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- teams -------------------------------------------------------------------------------------

    def teams(self, actor: Actor) -> list[Team]:
        """The active teams the actor may see; kept until a write touches the teams, since every screen asks."""
        return list(self.db.remembered(self._teams, self.db, actor))

    @staticmethod
    @reads(subjects.TEAMS)
    def _teams(db: Database, actor: Actor) -> tuple[Team, ...]:
        visible, scope = visible_teams(actor)
        rows = db.query(
            f"SELECT id, name, manager_id, version FROM team WHERE archived_at IS NULL AND id IN ({visible})"  # noqa: S608
            " ORDER BY name", scope)
        return tuple(Team(id=r[0], name=r[1], manager_id=r[2], version=r[3]) for r in rows)

    def team(self, team_id: int) -> TeamRow | None:
        row = self.db.query_one(f"SELECT {_TEAM} FROM team WHERE id = ?", [team_id])  # noqa: S608
        return None if row is None else TeamRow(*row)

    def active_teams_named(self, name: str) -> list[TeamWithManager]:
        """Active teams whose name matches, case-insensitively, with their manager's account."""
        rows = self.db.query(
            "SELECT t.id, t.name, t.manager_id, u.email, u.name FROM team t LEFT JOIN app_user u ON u.id = t.manager_id"
            " WHERE t.archived_at IS NULL AND lower(t.name) = lower(?) ORDER BY t.name, t.id",
            [name.strip()],
        )
        return [TeamWithManager(*r) for r in rows]

    def insert_team(self, name: str, manager_id: int) -> int:
        def work(tx: Transaction) -> int:
            _require_free_team_name(tx, name, manager_id, except_id=None)
            return tx.scalar("INSERT INTO team (name, manager_id) VALUES (?, ?) RETURNING id", [name, manager_id])

        return self.db.write(work)

    def rename_team(self, team_id: int, version: int, name: str) -> int:
        """The new version; VersionMismatch, RowMissing or NameTaken otherwise."""

        def work(tx: Transaction) -> int:
            row = tx.execute("SELECT manager_id, version FROM team WHERE id = ? AND archived_at IS NULL", [team_id])
            if not row:
                raise RowMissing(f"no team {team_id}")
            if row[0][1] != version:
                raise VersionMismatch(f"team {team_id} is at version {row[0][1]}, not {version}")
            _require_free_team_name(tx, name, row[0][0], except_id=team_id)
            return tx.scalar("UPDATE team SET name = ?, version = version + 1 WHERE id = ? RETURNING version",
                             [name, team_id])

        return self.db.write(work)

    # ---- members -----------------------------------------------------------------------------------

    def members(self, actor: Actor, team_id: int) -> list[Member]:
        """A team's active members, if the actor may see the team; kept until a write touches its members."""
        return list(self.db.remembered(self._members, self.db, actor, team_id))

    @staticmethod
    @reads(subjects.TEAMS, lambda db, actor, team_id: [subjects.members(team_id)])
    def _members(db: Database, actor: Actor, team_id: int) -> tuple[Member, ...]:
        require_team(db, actor, team_id)
        rows = db.query(
            "SELECT id, team_id, name, email, role_title, track, level, version, language FROM member"
            " WHERE team_id = ? AND archived_at IS NULL ORDER BY name",
            [team_id],
        )
        return tuple(
            Member(id=r[0], team_id=r[1], name=r[2], email=r[3], role_title=r[4], track=r[5], level=r[6], version=r[7],
                   language=r[8])
            for r in rows
        )

    def last_submitted(self, actor: Actor, team_id: int) -> dict[int, dt.datetime | None]:
        """Each active member's latest submission in any wave (None: never answered)."""
        require_team(self.db, actor, team_id)
        rows = self.db.query(
            "SELECT m.id, max(r.submitted_at) FROM member m LEFT JOIN response r ON r.member_id = m.id"
            " WHERE m.team_id = ? AND m.archived_at IS NULL GROUP BY m.id",
            [team_id],
        )
        return dict(rows)

    def member(self, member_id: int) -> MemberRow | None:
        row = self.db.query_one(f"SELECT {_MEMBER} FROM member WHERE id = ?", [member_id])  # noqa: S608
        return None if row is None else MemberRow(*row)

    def active_emails(self) -> set[str]:
        """Lower-cased e-mails of every active member of the organisation."""
        return {r[0] for r in self.db.query("SELECT DISTINCT lower(email) FROM member WHERE archived_at IS NULL")}

    def insert_members(self, team_id: int, members: Sequence[NewMember],
                       options: Sequence[Sequence[str]] | None = None) -> list[int]:
        """Add every member to an active team, or none (RowMissing, EmailTaken naming every taken address,
        NotOffered). `options` (one list per member, in order) are the options each already uses."""
        in_use = list(options) if options is not None else [()] * len(members)

        def work(tx: Transaction) -> list[int]:
            if not tx.scalar("SELECT 1 FROM team WHERE id = ? AND archived_at IS NULL", [team_id]):
                raise RowMissing(f"no team {team_id}")
            taken = _taken(tx, [m.email for m in members], except_id=None)
            if taken:
                raise EmailTaken(taken)
            _require_offered(tx, members, in_use)
            ids = insert_member_rows(tx, team_id, members)     # one statement: 10,000 rows in a tenth of a second
            tx.insert_rows("member_option", ("member_id", "option_key"),
                           [(i, key) for i, keys in zip(ids, in_use, strict=True) for key in keys])
            tx.touch(subjects.members(team_id))
            return ids

        return self.db.write(work)

    def update_member(self, member_id: int, team_id: int, version: int, member: NewMember,
                      options: Sequence[str] | None = None) -> int:
        """Replace the editable fields, and the options in use unless `options` is None; the new version
        (VersionMismatch, RowMissing, EmailTaken, NotOffered otherwise)."""

        def work(tx: Transaction) -> int:
            _check_member(tx, member_id, team_id, version)
            taken = _taken(tx, [member.email], except_id=member_id)
            if taken:
                raise EmailTaken(taken)
            _require_offered(tx, [member], [options or ()])
            if options is not None:
                tx.execute("DELETE FROM member_option WHERE member_id = ?", [member_id])
                tx.executemany("INSERT INTO member_option (member_id, option_key) VALUES (?, ?)",
                               [(member_id, key) for key in options])
            tx.touch(subjects.members(team_id))
            return tx.scalar(
                "UPDATE member SET name = ?, email = ?, role_title = ?, track = ?, level = ?, language = ?,"
                " version = version + 1 WHERE id = ? RETURNING version",
                [member.name, member.email, member.role_title, member.track, member.level, member.language,
                 member_id],
            )

        return self.db.write(work)

    def arrangements(self, member_ids: Sequence[int]) -> dict[int, ArrangementRow]:
        """Track, level and options in use of each of these members (options sorted by key)."""
        if not member_ids:
            return {}
        ids = list(member_ids)
        rows = self.db.query(
            "SELECT m.id, m.track, m.level, array_agg(o.option_key ORDER BY o.option_key)"  # noqa: S608 - ID_LIST is a constant
            " FILTER (WHERE o.option_key IS NOT NULL) FROM member m"
            " LEFT JOIN member_option o ON o.member_id = m.id"
            f" WHERE m.id IN {ID_LIST} GROUP BY m.id, m.track, m.level",
            [ids],
        )
        return {r[0]: ArrangementRow(r[1], r[2], tuple(r[3] or ())) for r in rows}

    def archive_member(self, member_id: int, team_id: int, at: dt.datetime) -> int:
        def work(tx: Transaction) -> int:
            _check_member(tx, member_id, team_id, None)
            tx.touch(subjects.members(team_id))
            return tx.scalar("UPDATE member SET archived_at = ?, version = version + 1 WHERE id = ? RETURNING version",
                             [at, member_id])

        return self.db.write(work)

    def move_member(self, member_id: int, team_id: int, to_team_id: int) -> int:
        """Put an active member of `team_id` into the active team `to_team_id`; the new version."""

        def work(tx: Transaction) -> int:
            _check_member(tx, member_id, team_id, None)
            if not tx.scalar("SELECT 1 FROM team WHERE id = ? AND archived_at IS NULL", [to_team_id]):
                raise RowMissing(f"no team {to_team_id}")
            tx.touch(subjects.members(team_id), subjects.members(to_team_id))   # their answers move with them
            return tx.scalar("UPDATE member SET team_id = ?, version = version + 1 WHERE id = ? RETURNING version",
                             [to_team_id, member_id])

        return self.db.write(work)


def _check_member(tx: Transaction, member_id: int, team_id: int, version: int | None) -> None:
    rows = tx.execute("SELECT version FROM member WHERE id = ? AND team_id = ? AND archived_at IS NULL",
                      [member_id, team_id])
    if not rows:
        raise RowMissing(f"no member {member_id} in team {team_id}")
    if version is not None and rows[0][0] != version:
        raise VersionMismatch(f"member {member_id} is at version {rows[0][0]}, not {version}")


def _require_offered(tx: Transaction, members: Sequence[NewMember], options: Sequence[Sequence[str]]) -> None:
    """NotOffered unless every level is on its track and every option in use is flexible or self-directed."""
    levels = {(m.track, m.level) for m in members if m.level is not None}
    in_use = {key for keys in options for key in keys}
    if not levels and not in_use:
        return
    offered = dict(tx.execute(
        f"SELECT key, kind FROM path_option WHERE valid_to IS NULL AND key IN {TEXT_LIST}",  # noqa: S608
        [sorted({level for _, level in levels} | in_use)],
    ))
    gone = {level for track, level in levels if offered.get(level) != track}
    gone |= {key for key in in_use if offered.get(key) not in ("flexible", "self_directed")}
    if gone:
        raise NotOffered(sorted(gone))


def _taken(tx: Transaction, emails: list[str], except_id: int | None) -> list[str]:
    """Those of `emails` that an active member other than `except_id` already uses, as given."""
    rows = tx.execute(
        "SELECT DISTINCT lower(email) FROM member WHERE archived_at IS NULL AND id IS DISTINCT FROM ?"
        " AND lower(email) IN (SELECT lower(unnest(?::VARCHAR[])))",
        [except_id, emails],
    )
    used = {r[0] for r in rows}
    return [e for e in emails if e.lower() in used]


def _require_free_team_name(tx: Transaction, name: str, manager_id: int, except_id: int | None) -> None:
    if tx.scalar(
        "SELECT 1 FROM team WHERE manager_id = ? AND archived_at IS NULL AND lower(name) = lower(?)"
        " AND id IS DISTINCT FROM ?",
        [manager_id, name, except_id],
    ):
        raise NameTaken(name)


def insert_member_rows(tx: Transaction, team_id: int, members: Sequence[NewMember]) -> list[int]:
    """Insert members of one team with one statement; their new ids, in order.

    Rows only: the checks (active team, e-mails free) are the caller's, in the same transaction.
    """
    ids = tx.next_ids("member_ids", len(members))
    tx.insert_rows("member", ("id", "team_id", "name", "email", "role_title", "track", "level", "language"),
                   [(i, team_id, m.name, m.email, m.role_title, m.track, m.level, m.language)
                    for i, m in zip(ids, members, strict=True)])
    return ids
