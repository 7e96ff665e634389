"""The audit log: who viewed, exported, changed or erased whose data, and when.

Entries name people by id and say what happened in a short fixed label; they never carry answers,
reflections or notes, so reading the log reveals nothing about anyone's aspirations. An admin reads
them with names and e-mails looked up at reading time (`lines`): while a person is held, the entry
names them; after an erasure it says the person was erased, and the log never held their name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.tabular import csv_bytes
from coaching.db.database import Database
from coaching.governance.audit_rows import AuditRows

_LABEL = re.compile(r"^[a-z0-9 _./-]{0,60}$")


class Action(StrEnum):
    VIEWED = "viewed"
    EXPORTED = "exported"
    CHANGED = "changed"
    ERASED = "erased"
    PURGED = "purged"


class Subject(StrEnum):
    MEMBER = "member"
    TEAM = "team"
    ACCOUNT = "account"
    ORGANISATION = "organisation"
    CATALOGUE = "catalogue"   # a version of a growth-path option (its row id); the label names the change and key


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_role: str
    action: Action
    subject_kind: Subject
    subject_id: int | None
    detail: str


@dataclass(frozen=True)
class AuditFilter:
    action: Action | None = None
    actor_id: int | None = None
    subject_kind: Subject | None = None
    subject_id: int | None = None
    subject_ids: tuple[int, ...] | None = None   # any of these (one person's member records, say)
    since: dt.datetime | None = None
    limit: int = 500


@dataclass(frozen=True)
class Person:
    """Someone whose data the log may name: one e-mail, every member record it had (moved, archived, re-added)."""

    email: str
    name: str
    member_ids: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class AuditLine:
    """One entry as an admin reads it: who acted and whose data, by name and e-mail where still held."""

    at: dt.datetime
    by: str
    action: Action
    whose: str
    where: str

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), self.by, self.action.value, self.whose,
                self.where)


CSV_HEADER = ("when_utc", "done_by", "action", "whose_data", "where")


class AuditLog:
    """The rules around the log: labels only, admins read; the SQL lives in coaching.governance.audit_rows."""

    def __init__(self, db: Database) -> None:
        self.rows = AuditRows(db)

    def record(self, actor: Actor, action: Action, subject: Subject, subject_ids: Sequence[int | None],
               detail: str = "") -> None:
        """Write one entry per subject. `detail` must be a short lower-case label, never content."""
        if not _LABEL.fullmatch(detail):
            raise ValueError(f"audit detail must be a short label, got {detail[:20]!r}")
        self.rows.insert([(actor.id, str(actor.role), str(action), str(subject), sid, detail) for sid in subject_ids])

    def events(self, actor: Actor, wanted: AuditFilter = AuditFilter()) -> list[AuditEvent]:
        """Newest first, filtered; admins (and the system) only."""
        _require_admin(actor)
        ids = wanted.subject_ids if wanted.subject_id is None else (wanted.subject_id, *(wanted.subject_ids or ()))
        rows = self.rows.select(action=_s(wanted.action), actor_id=wanted.actor_id,
                                subject_kind=_s(wanted.subject_kind), subject_ids=None if ids is None else list(ids),
                                since=wanted.since, limit=wanted.limit)
        return [AuditEvent(r[0], r[1], r[2], r[3], Action(r[4]), Subject(r[5]), r[6], r[7]) for r in rows]

    def people_matching(self, actor: Actor, text: str, limit: int = 50) -> list[Person]:
        """People held now whose name or e-mail contains `text` (ignoring case), by name; admins only."""
        _require_admin(actor)
        text = text.strip()
        if not text:
            return []
        return [Person(email, name, tuple(ids)) for email, name, ids in self.rows.members_matching(text, limit)]

    def lines(self, actor: Actor, events: list[AuditEvent]) -> list[AuditLine]:
        """The entries with the names and e-mails of who acted and whose data, as held now; admins only."""
        _require_admin(actor)
        def ids(kind: Subject) -> list[int]:
            return sorted({e.subject_id for e in events if e.subject_kind is kind and e.subject_id is not None})

        members = self.rows.members(ids(Subject.MEMBER))
        erased = self.rows.erasures([i for i in ids(Subject.MEMBER) if i not in members])
        accounts = self.rows.accounts(sorted({e.actor_id for e in events if e.actor_id is not None}
                                             | set(ids(Subject.ACCOUNT))))
        teams = self.rows.teams(ids(Subject.TEAM))

        def whose(e: AuditEvent) -> str:
            sid = e.subject_id
            if e.subject_kind is Subject.MEMBER:
                if sid in members:
                    return "{} <{}>".format(*members[sid])
                if sid in erased:
                    return f"member {sid}: erased on {erased[sid]:%Y-%m-%d}, name and e-mail no longer held"
                return f"member {sid}: no longer held"
            if e.subject_kind is Subject.ACCOUNT:
                return "account " + ("{} <{}>".format(*accounts[sid]) if sid in accounts else str(sid))
            if e.subject_kind is Subject.TEAM:
                return f"team {teams[sid]}" if sid in teams else f"team {sid}"
            if e.subject_kind is Subject.CATALOGUE:
                return f"catalogue entry {sid}"
            return "the organisation"

        def by(e: AuditEvent) -> str:
            if e.actor_id is None:
                return "the system (command line or start-up)"
            return "{} <{}>".format(*accounts[e.actor_id]) if e.actor_id in accounts else f"account {e.actor_id}"

        return [AuditLine(e.at, by(e), e.action, whose(e), e.detail) for e in events]


def to_csv(lines: Iterable[AuditLine]) -> bytes:
    """The lines as a CSV file (UTF-8 with a byte-order mark, for spreadsheets); no cell can start a formula."""
    return csv_bytes(CSV_HEADER, (line.cells() for line in lines))


def _require_admin(actor: Actor) -> None:
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied("the audit log is for admins")


def _s(value: StrEnum | None) -> str | None:
    return None if value is None else str(value)
