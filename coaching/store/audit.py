"""SQL of the audit log (see coaching.audit for its rules)."""

from __future__ import annotations

import datetime as dt

from coaching.store.database import Database


class AuditRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, rows: list[tuple]) -> None:
        """(actor_id, actor_role, action, subject_kind, subject_id, detail) rows, in one transaction."""
        self.db.write(lambda tx: tx.insert_rows(
            "audit_log", ("actor_id", "actor_role", "action", "subject_kind", "subject_id", "detail"), rows))

    def select(self, *, action: str | None, actor_id: int | None, subject_kind: str | None,
               subject_id: int | None, since: dt.datetime | None, limit: int) -> list[tuple]:
        """Newest first; a None filter matches everything."""
        return self.db.query(
            "SELECT id, occurred_at, actor_id, actor_role, action, subject_kind, subject_id, detail FROM audit_log"
            " WHERE (? IS NULL OR action = ?) AND (? IS NULL OR actor_id = ?)"
            " AND (? IS NULL OR subject_kind = ?) AND (? IS NULL OR subject_id = ?)"
            " AND (? IS NULL OR occurred_at >= ?) ORDER BY occurred_at DESC, id DESC LIMIT ?",
            [action, action, actor_id, actor_id, subject_kind, subject_kind, subject_id, subject_id,
             since, since, limit],
        )
