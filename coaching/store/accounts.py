"""The SQL of accounts (table app_user): rows in, rows out, no policy.

Invariants:
- e-mails are stored lower-cased and looked up case-insensitively (`lower(email)`), so rows written
  before accounts existed match too;
- every value is a parameter; writes go through `Database.write`, one transaction each;
- security bookkeeping (password hash, failure count, lock) does not bump `version`: that number is for
  edits people make to the profile (name, role), which must not conflict with a login happening meanwhile.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coaching.store.database import Database, Transaction

_COLUMNS = "id, email, name, role, password_hash, failed_logins, locked_until, disabled_at, version"


class AccountRow(NamedTuple):
    id: int
    email: str
    name: str
    role: str
    password_hash: str | None
    failed_logins: int
    locked_until: dt.datetime | None
    disabled_at: dt.datetime | None
    version: int


class AccountRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- reads -------------------------------------------------------------------------------------

    def by_email(self, email: str) -> AccountRow | None:
        row = self.db.query_one(
            f"SELECT {_COLUMNS} FROM app_user WHERE lower(email) = ? ORDER BY id LIMIT 1",  # noqa: S608
            [email.strip().lower()],
        )
        return None if row is None else AccountRow(*row)

    def by_id(self, user_id: int) -> AccountRow | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM app_user WHERE id = ?", [user_id])  # noqa: S608
        return None if row is None else AccountRow(*row)

    def list_all(self) -> list[AccountRow]:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM app_user ORDER BY lower(name), id")  # noqa: S608
        return [AccountRow(*r) for r in rows]

    def count_admins(self, *, include_disabled: bool = False) -> int:
        sql = "SELECT count(*) FROM app_user WHERE role = 'admin'"
        if not include_disabled:
            sql += " AND disabled_at IS NULL"
        return self.db.scalar(sql)

    # ---- writes ------------------------------------------------------------------------------------

    def insert(self, email: str, name: str, role: str, password_hash: str | None) -> int | None:
        """Add an account; None (and nothing written) when the e-mail is taken, compared case-insensitively."""
        address = email.strip().lower()

        def work(tx: Transaction) -> int | None:
            if tx.scalar("SELECT 1 FROM app_user WHERE lower(email) = ?", [address]):
                return None
            return tx.scalar(
                "INSERT INTO app_user (email, name, role, password_hash) VALUES (?, ?, ?, ?) RETURNING id",
                [address, name, role, password_hash],
            )

        return self.db.write(work)

    def set_password_hash(self, user_id: int, password_hash: str | None, *, clear_failures: bool = False) -> bool:
        """Store a new hash (None: no password login); True when the account exists."""
        sql = "UPDATE app_user SET password_hash = ?"
        if clear_failures:
            sql += ", failed_logins = 0, locked_until = NULL"
        sql += " WHERE id = ? RETURNING id"
        return bool(self.db.write(lambda tx: tx.execute(sql, [password_hash, user_id])))

    def record_failure(
        self, user_id: int, *, now: dt.datetime, lock_after: int, lock_until: dt.datetime
    ) -> tuple[int, dt.datetime | None]:
        """Count one failed login, atomically; return the new (failed_logins, locked_until).

        A lock that has ended at `now` starts the count afresh; a running lock is kept as it is (never
        extended); otherwise reaching `lock_after` failures locks the account until `lock_until`.
        """
        rows = self.db.write(lambda tx: tx.execute(
            "UPDATE app_user SET"
            " failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $now THEN 1"
            "                 ELSE failed_logins + 1 END,"
            " locked_until = CASE"
            "   WHEN locked_until IS NOT NULL AND locked_until > $now THEN locked_until"
            "   WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= $now THEN 1"
            "         ELSE failed_logins + 1 END) >= $lock_after THEN $lock_until"
            "   ELSE NULL END"
            " WHERE id = $id RETURNING failed_logins, locked_until",
            {"now": now, "lock_after": lock_after, "lock_until": lock_until, "id": user_id},
        ))
        if not rows:
            raise LookupError(f"no account {user_id}")
        return rows[0][0], rows[0][1]

    def reset_failures(self, user_id: int) -> None:
        """Forget failed logins and any lock (after a successful login)."""
        self.db.write(lambda tx: tx.execute(
            "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = ?", [user_id]))

    def unlock(self, user_id: int) -> bool:
        """Same as reset_failures, for an administrator's unlock; True when the account exists."""
        return bool(self.db.write(lambda tx: tx.execute(
            "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = ? RETURNING id", [user_id])))

    def set_disabled(self, user_id: int, at: dt.datetime | None) -> bool:
        """Disable an account from `at` (None enables it again); True when the account exists."""
        return bool(self.db.write(lambda tx: tx.execute(
            "UPDATE app_user SET disabled_at = ? WHERE id = ? RETURNING id", [at, user_id])))
