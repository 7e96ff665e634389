"""SQL of the audit log (see coaching.governance.audit for its rules)."""

from __future__ import annotations

import datetime as dt

from coaching.core import subjects
from coaching.db.database import Database, Transaction
from coaching.db.lists import ID_LIST


class AuditRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, rows: list[tuple]) -> None:
        """(actor_id, actor_role, action, subject_kind, subject_id, detail) rows, in one transaction."""
        def work(tx: Transaction) -> None:
            tx.insert_rows("audit_log", ("actor_id", "actor_role", "action", "subject_kind", "subject_id", "detail"),
                           rows)
            tx.touch(subjects.AUDIT)

        self.db.write(work)

    def select(self, *, action: str | None, actor_id: int | None, subject_kind: str | None,
               subject_ids: list[int] | None, since: dt.datetime | None, limit: int) -> list[tuple]:
        """Newest first; a None filter matches everything."""
        return self.db.query(
            "SELECT id, occurred_at, actor_id, actor_role, action, subject_kind, subject_id, detail FROM audit_log"  # noqa: S608
            " WHERE (?::VARCHAR IS NULL OR action = ?) AND (?::INTEGER IS NULL OR actor_id = ?)"
            " AND (?::VARCHAR IS NULL OR subject_kind = ?)"
            f" AND (?::INTEGER[] IS NULL OR subject_id IN {ID_LIST})"
            " AND (?::TIMESTAMPTZ IS NULL OR occurred_at >= ?) ORDER BY occurred_at DESC, id DESC LIMIT ?",
            [action, action, actor_id, actor_id, subject_kind, subject_kind, subject_ids, subject_ids,
             since, since, limit],
        )

    def members(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        """(name, e-mail) of the members with these ids that are still held (archived ones too)."""
        rows = self.db.query(f"SELECT id, name, email FROM member WHERE id IN {ID_LIST}", [ids])  # noqa: S608
        return {r[0]: (r[1], r[2]) for r in rows}

    def erasures(self, ids: list[int]) -> dict[int, dt.datetime]:
        """When each of these member ids was erased, for those that were."""
        return dict(self.db.query(
            "SELECT subject_id, max(occurred_at) FROM audit_log WHERE action = 'erased' AND subject_kind = 'member'"  # noqa: S608
            f" AND subject_id IN {ID_LIST} GROUP BY subject_id", [ids]))

    def accounts(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        """(name, e-mail) of the accounts with these ids."""
        rows = self.db.query(f"SELECT id, name, email FROM app_user WHERE id IN {ID_LIST}", [ids])  # noqa: S608
        return {r[0]: (r[1], r[2]) for r in rows}

    def teams(self, ids: list[int]) -> dict[int, str]:
        return dict(self.db.query(f"SELECT id, name FROM team WHERE id IN {ID_LIST}", [ids]))  # noqa: S608

    def members_matching(self, text: str, limit: int) -> list[tuple[str, str, list[int]]]:
        """(e-mail, latest name, every member id with that e-mail) of people whose name or e-mail contains `text`."""
        return [(r[0], r[1], list(r[2])) for r in self.db.query(
            "SELECT lower(email), (array_agg(name ORDER BY id DESC))[1], array_agg(id ORDER BY id) FROM member"
            " WHERE strpos(lower(name), lower(?)) > 0 OR strpos(lower(email), lower(?)) > 0"
            " GROUP BY lower(email) ORDER BY 2, 1 LIMIT ?", [text, text, limit])]
