"""The SQL of accounts (table app_user): rows in, rows out, no policy.

Invariants:
- e-mails are stored lower-cased and looked up case-insensitively (`lower(email)`), so rows written
  before accounts existed match too;
- every value is a parameter; writes go through `Database.write`, one transaction each;
- security bookkeeping (password hash, failed logins, sessions) does not bump `version`: that number is for
  edits people make to the account (role, active or not), which must not conflict with a login meanwhile;
- the rules that must hold across app servers (the last active admin, no admin coaching a team, the
  count of failed logins) are checked inside the one statement or transaction that writes.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NamedTuple

from coaching.core import subjects
from coaching.db.database import Database, Transaction
from coaching.db.lists import TEXT_LIST

_COLUMNS = "id, email, name, role, password_hash, disabled_at, version"


class Refusal(StrEnum):
    """Why a change to an account was not written."""

    MISSING = "missing"
    CHANGED = "changed"             # the version read is no longer the account's
    LAST_ADMIN = "last admin"       # it would leave no active admin
    COACHES_TEAMS = "coaches teams"  # an admin must not coach a team


class Throttle(NamedTuple):
    failures: int
    locked_until: dt.datetime | None


class SessionRow(NamedTuple):
    id: int
    user_id: int
    expires_at: dt.datetime


class AccountRow(NamedTuple):
    id: int
    email: str
    name: str
    role: str
    password_hash: str | None
    disabled_at: dt.datetime | None
    version: int


# An attempt starts the count afresh when the last failure is older than the window or a lock has ended.
_ADMIT = """
INSERT INTO login_throttle AS t (key, failures, last_failure_at, locked_until)
VALUES ($key, 1, $now, CASE WHEN 1 >= $lock_after THEN $lock_until END)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE
        WHEN (t.locked_until IS NULL AND t.last_failure_at <= $window_start) OR t.locked_until <= $now THEN 1
        ELSE t.failures + 1 END,
    last_failure_at = $now,
    locked_until = CASE
        WHEN t.locked_until > $now THEN t.locked_until
        WHEN (t.locked_until IS NULL AND t.last_failure_at <= $window_start) OR t.locked_until <= $now
            THEN CASE WHEN 1 >= $lock_after THEN $lock_until END
        WHEN t.failures + 1 >= $lock_after THEN $lock_until
        END
RETURNING failures
"""


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

    def set_password_hash(self, user_id: int, password_hash: str | None) -> bool:
        """Store a new hash (None: no password login); True when the account exists."""
        return bool(self.db.write(lambda tx: tx.execute(
            "UPDATE app_user SET password_hash = ? WHERE id = ? RETURNING id", [password_hash, user_id])))

    # ---- changes people make to an account: named version, rules checked in the same transaction ----

    def set_state(self, user_id: int, version: int, *, role: str, disabled_at: dt.datetime | None) -> Refusal | None:
        """Write the account's role and active state; None when written, else why not (nothing written).

        Refused when the version moved, when no active admin would be left, or when an admin would still
        coach an active team. One transaction, so two admins demoting each other cannot both succeed.
        """

        def work(tx: Transaction) -> Refusal | None:
            row = tx.execute("SELECT version, role, disabled_at FROM app_user WHERE id = ?", [user_id])
            if not row:
                return Refusal.MISSING
            read_version, was_role, was_disabled = row[0]
            if read_version != version:
                return Refusal.CHANGED
            was_active_admin = was_role == "admin" and was_disabled is None
            stays_active_admin = role == "admin" and disabled_at is None
            if was_active_admin and not stays_active_admin and not tx.scalar(
                    "SELECT count(*) FROM app_user WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?",
                    [user_id]):
                return Refusal.LAST_ADMIN
            if role == "admin" and self._coaches(tx, user_id):
                return Refusal.COACHES_TEAMS
            tx.execute("UPDATE app_user SET role = ?, disabled_at = ?, version = version + 1 WHERE id = ?",
                       [role, disabled_at, user_id])
            if disabled_at is not None:
                tx.execute("DELETE FROM account_session WHERE user_id = ?", [user_id])
            return None

        return self.db.write(work)

    @staticmethod
    def _coaches(tx: Transaction, user_id: int) -> int:
        return tx.scalar("SELECT count(*) FROM team WHERE manager_id = ? AND archived_at IS NULL", [user_id])

    def team_names(self, user_id: int) -> list[str]:
        """The active teams an account coaches, by name."""
        rows = self.db.query(
            "SELECT name FROM team WHERE manager_id = ? AND archived_at IS NULL ORDER BY lower(name), id", [user_id])
        return [r[0] for r in rows]

    def hand_over_teams(self, from_id: int, to_id: int) -> list[int] | None:
        """Give every active team of one account to an active manager; the team ids, None when `to_id` is not one."""

        def work(tx: Transaction) -> list[int] | None:
            if not tx.scalar("SELECT count(*) FROM app_user WHERE id = ? AND role = 'manager' AND disabled_at IS NULL",
                             [to_id]):
                return None
            rows = tx.execute(
                "UPDATE team SET manager_id = ?, version = version + 1 WHERE manager_id = ? AND archived_at IS NULL"
                " RETURNING id", [to_id, from_id])
            return sorted(r[0] for r in rows)

        return self.db.write(work)

    # ---- failed logins (table login_throttle) --------------------------------------------------------

    def admit_attempt(
        self, key: str, *, now: dt.datetime, window_start: dt.datetime, lock_after: int, lock_until: dt.datetime
    ) -> int:
        """Count one login attempt before its password is checked, atomically; return its place in the count.

        The count starts afresh when the last failure is older than `window_start` or a lock has ended;
        the attempt that makes `lock_after` locks until `lock_until`; during a lock each attempt still
        counts, so its place is past `lock_after`. A successful login then forgets the count (`forget`).
        """
        rows = self.db.write(lambda tx: tx.execute(_ADMIT, {
            "key": key, "now": now, "window_start": window_start, "lock_after": lock_after, "lock_until": lock_until}),
            touches=[subjects.LOGINS])
        return rows[0][0]

    def forget_attempts(self, key: str) -> None:
        """Forget the failed logins and any lock of one e-mail (a right password, an admin's unlock or reset)."""
        self.db.write(lambda tx: tx.execute("DELETE FROM login_throttle WHERE key = ?", [key]),
                      touches=[subjects.LOGINS])

    def throttles(self, keys: list[str]) -> dict[str, Throttle]:
        """The count and lock of each key that has one."""
        if not keys:
            return {}
        rows = self.db.query(
            f"SELECT key, failures, locked_until FROM login_throttle WHERE key IN {TEXT_LIST}", [keys])  # noqa: S608
        return {key: Throttle(failures, locked_until) for key, failures, locked_until in rows}

    # ---- sessions (table account_session) ----------------------------------------------------------

    def insert_session(self, user_id: int, handoff_hash: str, *, now: dt.datetime, handoff_until: dt.datetime,
                       expires_at: dt.datetime) -> int:
        """A new login of an account; expired sessions of everyone are deleted at the same time."""

        def work(tx: Transaction) -> int:
            tx.execute("DELETE FROM account_session WHERE expires_at <= ?", [now])
            return tx.scalar(
                "INSERT INTO account_session (user_id, handoff_hash, handoff_until, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id", [user_id, handoff_hash, handoff_until, now, expires_at])

        return self.db.write(work, touches=[subjects.SESSIONS])

    def hand_over_session(self, handoff_hash: str, token_hash: str, now: dt.datetime) -> bool:
        """Exchange a one-time code for the cookie's token (its hash); False when the code is unknown, used or old."""
        return bool(self.db.write(lambda tx: tx.execute(
            "UPDATE account_session SET token_hash = ?, handoff_hash = NULL, handoff_until = NULL"
            " WHERE handoff_hash = ? AND handoff_until > ? AND expires_at > ? RETURNING id",
            [token_hash, handoff_hash, now, now]), touches=[subjects.SESSIONS]))

    def session_by_token(self, token_hash: str) -> SessionRow | None:
        row = self.db.query_one(
            "SELECT id, user_id, expires_at FROM account_session WHERE token_hash = ?", [token_hash])
        return None if row is None else SessionRow(*row)

    def session_by_id(self, session_id: int) -> SessionRow | None:
        row = self.db.query_one("SELECT id, user_id, expires_at FROM account_session WHERE id = ?", [session_id])
        return None if row is None else SessionRow(*row)

    def delete_session(self, session_id: int) -> None:
        self.db.write(lambda tx: tx.execute("DELETE FROM account_session WHERE id = ?", [session_id]),
                      touches=[subjects.SESSIONS])

    # ---- the HMAC key of login_throttle --------------------------------------------------------------

    def meta_secret(self, key: str, candidate: str) -> str:
        """The secret stored under `key` in app_meta; `candidate` becomes it when none is stored yet (first wins)."""

        def work(tx: Transaction) -> str:
            tx.execute("INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [key, candidate])
            return tx.scalar("SELECT value FROM app_meta WHERE key = ?", [key])

        return self.db.write(work)
