"""The audit log: who viewed, exported, changed or erased whose data, and when.

Entries name people by id and say what happened in a short fixed label; they never carry answers,
reflections or notes, so reading the log reveals nothing about anyone's aspirations.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from coaching.actors import Actor, PermissionDenied, Role
from coaching.store.audit import AuditRows
from coaching.store.database import Database

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
    since: dt.datetime | None = None
    limit: int = 500


class AuditLog:
    """The rules around the log: labels only, admins read; the SQL lives in coaching.store.audit."""

    def __init__(self, db: Database) -> None:
        self.rows = AuditRows(db)

    def record(self, actor: Actor, action: Action, subject: Subject, subject_ids: list[int | None],
               detail: str = "") -> None:
        """Write one entry per subject. `detail` must be a short lower-case label, never content."""
        if not _LABEL.fullmatch(detail):
            raise ValueError(f"audit detail must be a short label, got {detail[:20]!r}")
        self.rows.insert([(actor.id, str(actor.role), str(action), str(subject), sid, detail) for sid in subject_ids])

    def events(self, actor: Actor, wanted: AuditFilter = AuditFilter()) -> list[AuditEvent]:
        """Newest first, filtered; admins (and the system) only."""
        if actor.role not in (Role.ADMIN, Role.SYSTEM):
            raise PermissionDenied("the audit log is for admins")
        rows = self.rows.select(action=_s(wanted.action), actor_id=wanted.actor_id,
                                subject_kind=_s(wanted.subject_kind), subject_id=wanted.subject_id,
                                since=wanted.since, limit=wanted.limit)
        return [AuditEvent(r[0], r[1], r[2], r[3], Action(r[4]), Subject(r[5]), r[6], r[7]) for r in rows]


def _s(value: StrEnum | None) -> str | None:
    return None if value is None else str(value)
