"""Manager and admin accounts: password login, lock-out after failures, sessions, roles and deactivation.

Invariants:
- passwords are stored only as argon2id hashes (`argon2.PasswordHasher`, with PASSWORD_HASHING)
  and never logged, not even on failure; typed e-mails are neither logged nor stored (people type
  passwords into the e-mail field): failed logins are counted under an HMAC of the e-mail;
- every failed login says the one thing `LoginFailed` says, whatever went wrong, and costs the same
  work: an unknown or disabled e-mail, or an account without a password (single sign-on only), is
  checked against a dummy argon2 hash made with the same parameters;
- guessing is bounded per e-mail, in the database, whatever runs in parallel or on other app servers:
  each attempt takes its place in the e-mail's count atomically *before* its password is checked, so
  at most `lock_after` passwords are ever checked within `window_minutes`; the attempt that makes
  `lock_after` locks the e-mail for `lock_minutes`, and while it is locked no password is checked and
  every answer is the same `LoginFailed`, the right password included. An e-mail without an account
  is counted and locked exactly alike, so no answer tells which e-mails have accounts. A right
  password forgets the count; an admin's unlock or password reset does too;
- a login lasts a working day (`session_hours`) across browser reloads: a session row whose random
  token only the browser holds (in an HttpOnly cookie) and the database knows as a SHA-256 hash. Log
  out deletes the row; deactivating the account deletes all of its rows, so its logins end at once;
- the organisation always keeps an active admin, and an admin never coaches a team (admins see
  aggregates only): both checked in the transaction that changes the role or the active state;
- e-mails are compared case-insensitively and stored lower-cased.

`Accounts` holds no state of its own beyond the `Database` it is given (and the HMAC key read from it),
so any number of app servers may share one database.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from pydantic import EmailStr, SecretStr, TypeAdapter, ValidationError

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.text import text_problems
from coaching.db.database import Database
from coaching.db.subjects import reads
from coaching.governance.audit import Action, AuditLog, Subject
from coaching.people.account_rows import AccountRow, AccountRows, Refusal

log = logging.getLogger(__name__)

ACCOUNT_ROLES = (Role.MANAGER, Role.ADMIN)
MAX_NAME_LENGTH = 120
MAX_PASSWORD_LENGTH = 1024
FIRST_ADMIN_NAME = "Administrator"
_LOGIN_KEY = "login_key"   # app_meta: the HMAC key under which failed logins are counted
#: How a password is hashed unless an `Accounts` is given a hasher: argon2-cffi's default profile, argon2id with
#: RFC 9106's low-memory choice (64 MiB, 3 passes, 4 lanes; about 0.15 s of CPU a hash on one core). A hash
#: stored with other parameters is made again at its next login.
PASSWORD_HASHING: Parameters = RFC_9106_LOW_MEMORY

# A tiny list of the passwords guessed first; long enough to pass the length rule, so worth refusing.
COMMON_PASSWORDS = frozenset({
    "password12", "password123", "password1234", "password12345", "passw0rd123", "p@ssw0rd123",
    "1234567890", "12345678910", "0123456789", "0987654321", "1111111111", "1q2w3e4r5t", "123qweasdzxc",
    "qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456", "asdfghjkl1", "abcdefghij", "abc1234567",
    "iloveyou12", "letmein123", "welcome123", "welcome1234", "changeme123", "administrator", "admin12345",
    "trustno1234", "sunshine123", "football123", "monkey12345", "dragon12345", "aspire1234", "aspire12345",
})

_EMAIL = TypeAdapter(EmailStr)


@dataclass(frozen=True)
class LoginPolicy:
    lock_after: int = 5          # failed logins within the window that lock the e-mail
    window_minutes: int = 15     # a failure older than this (since the previous one) starts the count afresh
    lock_minutes: int = 15
    min_password_length: int = 10
    session_hours: int = 10      # a working day: how long a login survives reloads
    handoff_seconds: int = 120   # how long the page has to hand the session's cookie to the browser


class LoginFailed(Exception):
    """The one answer to a failed login: it never says whether the e-mail or the password was wrong, or a lock."""

    def __init__(self, message: str | None = None, policy: LoginPolicy = LoginPolicy()) -> None:  # noqa: B008
        super().__init__(message or (
            "That email and password do not match an account. After "
            f"{policy.lock_after} failed tries logging in with that email pauses for {policy.lock_minutes} "
            "minutes (an administrator can lift the pause sooner)."
        ))


class PasswordRejected(ValueError):
    """A new password that the policy refuses; the message says what is wrong and what to do."""


class AccountError(ValueError):
    """An account that cannot be created or changed as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    role: Role
    locked_until: dt.datetime | None
    failed_logins: int
    has_password: bool
    version: int
    disabled_at: dt.datetime | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.role, self.id, self.name)

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@functools.lru_cache(maxsize=8)
def _dummy_hash(hasher_parameters: tuple) -> str:
    """A hash of a random secret, made once per set of hasher parameters, to verify unknown e-mails against."""
    time_cost, memory_cost, parallelism, hash_len, salt_len, kind = hasher_parameters
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism,
                            hash_len=hash_len, salt_len=salt_len, type=kind)
    return hasher.hash(secrets.token_urlsafe(24))


def _digest(secret: str) -> str:
    """How a random token or one-time code is stored: SHA-256 (they are long and random, so no slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_new_password(password: str, email: str | None = None,
                       policy: LoginPolicy = LoginPolicy()) -> None:  # noqa: B008 - frozen, so a shared default is safe
    """Raise PasswordRejected saying what is wrong with a new password; return when it is acceptable.

    Needs no database, so the first admin's password from the environment is checked before start-up.
    """
    minimum = policy.min_password_length
    if len(password) < minimum:
        raise PasswordRejected(
            f"The password is too short: use at least {minimum} characters (a phrase of a few words is "
            "easy to remember and hard to guess)."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"The password is too long: use at most {MAX_PASSWORD_LENGTH} characters.")
    folded = password.strip().casefold()
    if email and folded in {email.strip().casefold(), email.strip().casefold().partition("@")[0]}:
        raise PasswordRejected("The password is the same as the email address: choose something else.")
    if folded in COMMON_PASSWORDS or len(set(folded)) == 1:
        raise PasswordRejected("The password is too common and among the first ones guessed: choose another.")


def accounts_of(aspire: Aspire) -> Accounts:
    """The product's account service, one per process: it reads the key under which failed logins are counted once."""
    return aspire.shared("accounts", lambda: Accounts(aspire.db, audit=aspire.audit))


@reads(subjects.SESSIONS)
def _session_account(db: Database, session_id: int) -> tuple[dt.datetime, AccountRow] | None:
    """A login session's expiry and its account. Read before anyone is known to be logged in, and the session's
    id names one login already, so no actor is part of what is remembered."""
    rows = AccountRows(db)
    session = rows.session_by_id(session_id)
    if session is None:
        return None
    account = rows.by_id(session.user_id)
    return None if account is None else (session.expires_at, account)


class Accounts:
    def __init__(
        self,
        db: Database,
        *,
        policy: LoginPolicy = LoginPolicy(),  # noqa: B008 - frozen, so one shared default is safe
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        hasher: PasswordHasher | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self._rows = AccountRows(db)
        self._db = db
        self._audit = audit
        self.policy = policy
        self._clock = clock
        self._hasher = hasher or PasswordHasher.from_parameters(PASSWORD_HASHING)
        self._hmac_key: bytes | None = None

    # ---- logging in ------------------------------------------------------------------------------

    def authenticate(self, email: str, password: str) -> Actor:
        """The actor whose e-mail and password these are; LoginFailed otherwise (also while locked)."""
        key = self._throttle_key(email)
        now = self._clock()
        place = self._rows.admit_attempt(
            key, now=now, window_start=now - dt.timedelta(minutes=self.policy.window_minutes),
            lock_after=self.policy.lock_after, lock_until=now + dt.timedelta(minutes=self.policy.lock_minutes))
        if place > self.policy.lock_after:
            log.info("login refused unchecked: too many failed logins for that email")
            raise LoginFailed(policy=self.policy)
        row = self._rows.by_email(email)
        password_hash = row.password_hash if row is not None and row.disabled_at is None else None
        verified = self._verify(password_hash if password_hash is not None else self._dummy_hash(), password,
                                user_id=row.id if row else None)
        if not verified or row is None or password_hash is None:
            log.info("failed login (%d in a row for that email)", place)
            raise LoginFailed(policy=self.policy)
        self._rows.forget_attempts(key)
        if self._hasher.check_needs_rehash(password_hash):
            self._rows.set_password_hash(row.id, self._hasher.hash(password))
            log.info("password hash of account %d upgraded to the current parameters", row.id)
        log.info("account %d logged in", row.id)
        return Actor(Role(row.role), row.id, row.name)

    def actor_for_email(self, email: str) -> Actor | None:
        """For single sign-on: the actor with this e-mail, None when unknown or disabled.

        A lock after failed password logins does not stop single sign-on: the identity provider vouches.
        """
        row = self._rows.by_email(email)
        if row is None or row.disabled_at is not None:
            return None
        return Actor(Role(row.role), row.id, row.name)

    # ---- sessions: a login kept across reloads -----------------------------------------------------

    def start_session(self, actor: Actor) -> tuple[int, str]:
        """A new login of `actor`: its session id (kept by the server) and a one-time code for the browser.

        The page sends the code back (`hand_over_session`) to get the cookie; until then, or without
        cookies, the login lasts as long as the page is open.
        """
        if actor.role not in ACCOUNT_ROLES or actor.id is None:
            raise PermissionDenied("only a manager or an admin logs in")
        code = secrets.token_urlsafe(32)
        now = self._clock()
        session_id = self._rows.insert_session(
            actor.id, _digest(code), now=now, handoff_until=now + dt.timedelta(seconds=self.policy.handoff_seconds),
            expires_at=now + dt.timedelta(hours=self.policy.session_hours))
        return session_id, code

    def hand_over_session(self, code: str) -> str | None:
        """The cookie's token for a session's one-time code; None when the code is unknown, used or too old."""
        token = secrets.token_urlsafe(32)
        if not self._rows.hand_over_session(_digest(code), _digest(token), self._clock()):
            return None
        return token

    def resume_session(self, token: str) -> int | None:
        """The session a browser's cookie token belongs to, while it lasts (None otherwise)."""
        row = self._rows.session_by_token(_digest(token))
        return row.id if row is not None and self.session_actor(row.id) is not None else None

    def session_actor(self, session_id: int) -> Actor | None:
        """Who is logged in through this session, with their current role; None when it ended or expired,
        or the account was deactivated. Asked on every rerun, so read once per committed write."""
        found = self._db.remembered(_session_account, self._db, session_id)
        if found is None:
            return None
        expires_at, account = found
        if expires_at <= self._clock() or account.disabled_at is not None:
            return None
        return Actor(Role(account.role), account.id, account.name)

    def end_session(self, session_id: int) -> None:
        """Log out: the session ends here and in every browser tab that shares its cookie."""
        self._rows.delete_session(session_id)

    # ---- passwords -------------------------------------------------------------------------------

    def check_password(self, password: str, email: str | None = None) -> None:
        """Raise PasswordRejected saying what is wrong with a new password; return when it is acceptable."""
        check_new_password(password, email, self.policy)

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        """The actor changes their own password; the current one must be right, and counts like a login."""
        if actor.role not in ACCOUNT_ROLES or actor.id is None:
            raise PermissionDenied("only a manager or an admin has a password")
        row = self._rows.by_id(actor.id)
        if row is None or row.disabled_at is not None:
            raise PermissionDenied(f"no account {actor.id}")
        if row.password_hash is None:
            self._verify(self._dummy_hash(), current)
            raise LoginFailed("This account has no password: it signs in through single sign-on.")
        try:
            self.authenticate(row.email, current)
        except LoginFailed:
            raise LoginFailed("The current password is not right (or, after several wrong tries, password "
                              f"checks pause for {self.policy.lock_minutes} minutes).") from None
        if new == current:
            raise PasswordRejected("The new password is the same as the current one: choose a different one.")
        self.check_password(new, row.email)
        self._rows.set_password_hash(row.id, self._hasher.hash(new))
        log.info("account %d changed its password", row.id)

    def reset_password(self, actor: Actor, user_id: int, new: str) -> None:
        """An admin sets someone's password; this also clears failed logins and any lock."""
        self._require_admin(actor)
        row = self._existing(user_id)
        self.check_password(new, row.email)
        self._rows.set_password_hash(user_id, self._hasher.hash(new))
        self._rows.forget_attempts(self._throttle_key(row.email))
        log.info("password of account %d reset by %s", user_id, _who(actor))
        self._record(actor, user_id, "password reset")

    def unlock(self, actor: Actor, user_id: int) -> None:
        """An admin ends a lock (and forgets the failed logins) before it runs out."""
        self._require_admin(actor)
        self._rows.forget_attempts(self._throttle_key(self._existing(user_id).email))
        log.info("account %d unlocked by %s", user_id, _who(actor))
        self._record(actor, user_id, "unlocked")

    # ---- managing accounts ---------------------------------------------------------------------

    def create_user(self, actor: Actor, email: str, name: str, role: Role | str, password: str | None) -> Account:
        """An admin (or the system) adds a manager or admin; password None means single sign-on only."""
        self._require_admin(actor)
        address = _valid_email(email)
        try:
            chosen: Role | None = Role(role)
        except ValueError:
            chosen = None
        if chosen not in ACCOUNT_ROLES:
            raise AccountError("An account's role is either manager or admin.")
        name = name.strip()
        if not name:
            raise AccountError("Give the person's name.")
        if problems := text_problems(name, MAX_NAME_LENGTH):
            raise AccountError(f"The name {'; '.join(problems)}.")
        if self._rows.by_email(address) is not None:
            raise AccountError("An account with this email already exists.")
        password_hash = None
        if password is not None:
            self.check_password(password, address)
            password_hash = self._hasher.hash(password)
        user_id = self._rows.insert(address, name, str(chosen), password_hash)
        if user_id is None:
            raise AccountError("An account with this email already exists.")
        log.info("%s account %d created by %s", chosen, user_id, _who(actor))
        self._record(actor, user_id, "created")
        return self._accounts([self._existing(user_id)])[0]

    def list_accounts(self, actor: Actor) -> list[Account]:
        self._require_admin(actor)
        return self._accounts(self._rows.list_all())

    def deactivate(self, actor: Actor, user_id: int, version: int) -> list[str]:
        """An admin deactivates an account: it can no longer log in and its logins end at once.

        Its teams stay as they are (their people and data too); returns their names, to be handed on.
        """
        row = self._change(actor, user_id, version, role=Role(self._existing(user_id).role),
                           disabled_at=self._clock(), what="deactivated")
        return self._rows.team_names(row.id)

    def reactivate(self, actor: Actor, user_id: int, version: int) -> None:
        """An admin lets a deactivated account log in again."""
        row = self._existing(user_id)
        self._change(actor, user_id, version, role=Role(row.role), disabled_at=None, what="reactivated")

    def set_role(self, actor: Actor, user_id: int, version: int, role: Role | str) -> None:
        """An admin makes a manager an admin or an admin a manager (the last active admin stays one)."""
        role = Role(role)
        if role not in ACCOUNT_ROLES:
            raise AccountError("An account's role is either manager or admin.")
        row = self._existing(user_id)
        self._change(actor, user_id, version, role=role, disabled_at=row.disabled_at, what=f"made {role}")

    def teams_of(self, actor: Actor, user_id: int) -> list[str]:
        """The names of the active teams an account coaches (for an admin deciding about the account)."""
        self._require_admin(actor)
        return self._rows.team_names(self._existing(user_id).id)

    def hand_over_teams(self, actor: Actor, from_id: int, to_id: int) -> int:
        """An admin gives every active team of one account to an active manager; returns how many moved.

        People, answers and history go with their team, so the new manager sees them and the old one no longer does.
        """
        self._require_admin(actor)
        self._existing(from_id)
        if from_id == to_id:
            raise AccountError("Choose another manager to hand the teams to.")
        moved = self._rows.hand_over_teams(from_id, to_id)
        if moved is None:
            raise AccountError("Teams can be handed only to an active manager.")
        if moved and self._audit is not None:
            self._audit.record(actor, Action.CHANGED, Subject.TEAM, moved, f"handed to account {to_id}")
        log.info("%d teams of account %d handed to account %d by %s", len(moved), from_id, to_id, _who(actor))
        return len(moved)

    def ensure_first_admin(self, email: str | None, password: SecretStr | str | None) -> bool:
        """Create the first admin (from COACHING_ADMIN_EMAIL / _PASSWORD) when no active admin exists.

        Returns whether it created one. Does nothing when an admin exists or either value is missing;
        raises AccountError or PasswordRejected when the values cannot make an account.
        """
        if self._rows.count_admins() > 0 or not email or password is None:
            return False
        secret = password.get_secret_value() if isinstance(password, SecretStr) else password
        self.create_user(SYSTEM, email, FIRST_ADMIN_NAME, Role.ADMIN, secret)
        return True

    # ---- helpers -------------------------------------------------------------------------------

    def _change(self, actor: Actor, user_id: int, version: int, *, role: Role,
                disabled_at: dt.datetime | None, what: str) -> AccountRow:
        self._require_admin(actor)
        refusal = self._rows.set_state(user_id, version, role=str(role), disabled_at=disabled_at)
        row = self._existing(user_id)
        if refusal is Refusal.CHANGED:
            raise AccountError("Someone else changed this account after you opened it, so nothing was changed. "
                               "Check it again, then retry.")
        if refusal is Refusal.LAST_ADMIN:
            raise AccountError(f"{row.name} is the last active admin: make another account an admin first, so "
                               "someone can still manage accounts.")
        if refusal is Refusal.COACHES_TEAMS:
            raise AccountError(f"{row.name} still coaches {', '.join(self._rows.team_names(user_id))}: hand the "
                               "teams to another manager first (an admin sees the organisation only as averages).")
        log.info("account %d %s by %s", user_id, what, _who(actor))
        self._record(actor, user_id, what)
        return row

    def _existing(self, user_id: int) -> AccountRow:
        row = self._rows.by_id(user_id)
        if row is None:
            raise PermissionDenied(f"no account {user_id}")
        return row

    def _accounts(self, rows: list[AccountRow]) -> list[Account]:
        keys = {row.id: self._throttle_key(row.email) for row in rows}
        throttles = self._rows.throttles(list(keys.values()))
        accounts = []
        for row in rows:
            throttle = throttles.get(keys[row.id])
            accounts.append(Account(
                id=row.id, email=row.email, name=row.name, role=Role(row.role),
                locked_until=throttle.locked_until if throttle else None,
                failed_logins=throttle.failures if throttle else 0,
                has_password=row.password_hash is not None, version=row.version, disabled_at=row.disabled_at,
            ))
        return accounts

    def _throttle_key(self, email: str) -> str:
        """Where failed logins for a typed e-mail are counted: an HMAC of it, never the e-mail itself."""
        if self._hmac_key is None:
            self._hmac_key = bytes.fromhex(self._rows.meta_secret(_LOGIN_KEY, secrets.token_hex(32)))
        return hmac.new(self._hmac_key, email.strip().lower().encode(), hashlib.sha256).hexdigest()

    def _record(self, actor: Actor, user_id: int, what: str) -> None:
        """An admin's change to an account goes to the audit log too (when the app gives us one)."""
        if self._audit is not None:
            self._audit.record(actor, Action.CHANGED, Subject.ACCOUNT, [user_id], what)

    def _require_admin(self, actor: Actor) -> None:
        if actor.role not in (Role.ADMIN, Role.SYSTEM):
            raise PermissionDenied("only an admin manages accounts")

    def _verify(self, password_hash: str, password: str, *, user_id: int | None = None) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            log.warning("account %s has a stored password hash that is not a valid argon2 hash", user_id)
            return False

    def _dummy_hash(self) -> str:
        h = self._hasher
        return _dummy_hash((h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len, h.type))


def _valid_email(email: str) -> str:
    try:
        address = _EMAIL.validate_python(email.strip())
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("value is not a valid email address: ")
        raise AccountError(f"That is not a valid email address: {reason}") from None
    return address.lower()


def _who(actor: Actor) -> str:
    return "the system" if actor.role is Role.SYSTEM else f"account {actor.id}"
