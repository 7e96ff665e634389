"""Manager and admin accounts: password login, lock-out after repeated failures, password changes.

Invariants:
- passwords are stored only as argon2id hashes (`argon2.PasswordHasher`, whose default type is argon2id)
  and never logged, not even on failure; unknown e-mails are not logged either (people type passwords
  into the e-mail field);
- a failed login says one thing, `LoginFailed`, whatever went wrong, and costs the same work: an unknown
  or disabled e-mail, or an account without a password (single sign-on only), is checked against a
  dummy argon2 hash made with the same parameters, so it takes as long as a wrong password;
- repeated failures slow down and then lock: after `slow_after` failures in a row each further failed
  attempt waits (`base_delay`, doubling, at most `max_delay`) before it is answered; reaching
  `lock_after` locks the account for `lock_minutes`. Unknown e-mails get the same slow-down from an
  in-memory count, so the delay does not reveal which e-mails have accounts;
- the lock is revealed only to someone who knows the password: a correct password on a locked account
  raises `AccountLocked` (saying until when, and that an administrator can unlock it); a wrong one
  raises the same `LoginFailed` as an unknown e-mail. A lock that has ended starts the count afresh;
- e-mails are compared case-insensitively and stored lower-cased.

One `Accounts` object should live as long as the app process (the in-memory count of failures for
unknown e-mails lives in it); it holds no connection of its own, only the `Database` it is given.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import EmailStr, SecretStr, TypeAdapter, ValidationError

from coaching.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.audit import Action, AuditLog, Subject
from coaching.store.accounts import AccountRow, AccountRows
from coaching.store.database import Database
from coaching.text import text_problems

log = logging.getLogger(__name__)

ACCOUNT_ROLES = (Role.MANAGER, Role.ADMIN)
MAX_NAME_LENGTH = 120
MAX_PASSWORD_LENGTH = 1024
FIRST_ADMIN_NAME = "Administrator"

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
    slow_after: int = 3          # failures in a row answered at once; later ones wait
    base_delay: float = 0.5      # seconds, for the first failure past slow_after; doubles for each further one
    max_delay: float = 4.0
    lock_after: int = 5          # failures in a row that lock the account
    lock_minutes: int = 15
    min_password_length: int = 10

    def delay(self, failures: int) -> float:
        """Seconds to wait before answering a failed attempt that made `failures` in a row."""
        if failures <= self.slow_after:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** (failures - self.slow_after - 1))


class LoginFailed(Exception):
    """The one answer to a failed login: it never says whether the e-mail or the password was wrong."""

    def __init__(self, message: str = "That email and password do not match an account.") -> None:
        super().__init__(message)


class AccountLocked(LoginFailed):
    """The password was right, but the account is locked after too many failed logins.

    Raised only after a correct password, so the lock reveals nothing to someone who does not know it.
    """

    def __init__(self, until: dt.datetime, now: dt.datetime) -> None:
        self.until = until
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        super().__init__(
            f"This account is locked after too many failed logins. Try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}, or ask an administrator to unlock it."
        )


class PasswordRejected(ValueError):
    """A new password that the policy refuses; the message says what is wrong and what to do."""


class AccountError(ValueError):
    """An account that cannot be created as asked (invalid or taken e-mail, unknown role, no name)."""


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

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def _account(row: AccountRow) -> Account:
    return Account(
        id=row.id, email=row.email, name=row.name, role=Role(row.role), locked_until=row.locked_until,
        failed_logins=row.failed_logins, has_password=row.password_hash is not None, version=row.version,
        disabled_at=row.disabled_at,
    )


def _after_failure(
    failures: int, locked_until: dt.datetime | None, now: dt.datetime, policy: LoginPolicy
) -> tuple[int, dt.datetime | None]:
    """The (failures, locked_until) after one more failure: the rule AccountRows.record_failure applies in SQL."""
    if locked_until is not None and locked_until > now:
        return failures + 1, locked_until
    failures = 1 if locked_until is not None else failures + 1
    if failures >= policy.lock_after:
        return failures, now + dt.timedelta(minutes=policy.lock_minutes)
    return failures, None


@functools.lru_cache(maxsize=8)
def _dummy_hash(hasher_parameters: tuple) -> str:
    """A hash of a random secret, made once per set of hasher parameters, to verify unknown e-mails against."""
    time_cost, memory_cost, parallelism, hash_len, salt_len, kind = hasher_parameters
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism,
                            hash_len=hash_len, salt_len=salt_len, type=kind)
    return hasher.hash(secrets.token_urlsafe(24))


class _UnknownFailures:
    """Failed logins for e-mails without a password account, in memory, so they slow down the same way."""

    def __init__(self, policy: LoginPolicy, limit: int = 10_000) -> None:
        self._policy = policy
        self._limit = limit
        self._lock = threading.Lock()
        self._state: OrderedDict[str, tuple[int, dt.datetime | None]] = OrderedDict()

    def record(self, key: str, now: dt.datetime) -> int:
        with self._lock:
            failures, locked_until = self._state.pop(key, (0, None))
            self._state[key] = _after_failure(failures, locked_until, now, self._policy)
            while len(self._state) > self._limit:
                self._state.popitem(last=False)
            return self._state[key][0]


class Accounts:
    def __init__(
        self,
        db: Database,
        *,
        policy: LoginPolicy = LoginPolicy(),  # noqa: B008 - frozen, so one shared default is safe
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        sleep: Callable[[float], None] = time.sleep,
        hasher: PasswordHasher | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self._rows = AccountRows(db)
        self._audit = audit
        self.policy = policy
        self._clock = clock
        self._sleep = sleep
        self._hasher = hasher or PasswordHasher()
        self._unknown = _UnknownFailures(policy)

    # ---- logging in ------------------------------------------------------------------------------

    def authenticate(self, email: str, password: str) -> Actor:
        """The actor whose e-mail and password these are; LoginFailed (or AccountLocked) otherwise."""
        row = self._rows.by_email(email)
        if row is None or row.disabled_at is not None or row.password_hash is None:
            self._verify(self._dummy_hash(), password)
            failures = self._unknown.record(email.strip().lower(), self._clock())
            log.info("failed login: no active account with a password for that email")
            self._slow_down(failures)
            raise LoginFailed()
        if not self._verify(row.password_hash, password, user_id=row.id):
            self._record_failure(row.id)
            raise LoginFailed()
        now = self._clock()
        if row.locked_until is not None and row.locked_until > now:
            log.info("login refused: account %d is locked until %s", row.id, row.locked_until)
            raise AccountLocked(row.locked_until, now)
        if row.failed_logins or row.locked_until is not None:
            self._rows.reset_failures(row.id)
        if self._hasher.check_needs_rehash(row.password_hash):
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

    # ---- passwords -------------------------------------------------------------------------------

    def check_password(self, password: str, email: str | None = None) -> None:
        """Raise PasswordRejected saying what is wrong with a new password; return when it is acceptable."""
        minimum = self.policy.min_password_length
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

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        """The actor changes their own password; the current one must be right (a wrong one counts as a failure)."""
        if actor.role not in ACCOUNT_ROLES or actor.id is None:
            raise PermissionDenied("only a manager or an admin has a password")
        row = self._rows.by_id(actor.id)
        if row is None or row.disabled_at is not None:
            raise PermissionDenied(f"no account {actor.id}")
        if row.password_hash is None:
            self._verify(self._dummy_hash(), current)
            raise LoginFailed("This account has no password: it signs in through single sign-on.")
        if not self._verify(row.password_hash, current, user_id=row.id):
            self._record_failure(row.id)
            raise LoginFailed("The current password is not right.")
        if new == current:
            raise PasswordRejected("The new password is the same as the current one: choose a different one.")
        self.check_password(new, row.email)
        self._rows.set_password_hash(row.id, self._hasher.hash(new), clear_failures=True)
        log.info("account %d changed its password", row.id)

    def reset_password(self, actor: Actor, user_id: int, new: str) -> None:
        """An admin sets someone's password; this also clears failed logins and any lock."""
        self._require_admin(actor)
        row = self._rows.by_id(user_id)
        if row is None:
            raise PermissionDenied(f"no account {user_id}")
        self.check_password(new, row.email)
        self._rows.set_password_hash(user_id, self._hasher.hash(new), clear_failures=True)
        log.info("password of account %d reset by %s", user_id, _who(actor))
        self._record(actor, user_id, "password reset")

    def unlock(self, actor: Actor, user_id: int) -> None:
        """An admin ends a lock (and forgets the failed logins) before it runs out."""
        self._require_admin(actor)
        if not self._rows.unlock(user_id):
            raise PermissionDenied(f"no account {user_id}")
        log.info("account %d unlocked by %s", user_id, _who(actor))
        self._record(actor, user_id, "unlocked")

    # ---- managing accounts ---------------------------------------------------------------------

    def create_user(self, actor: Actor, email: str, name: str, role: Role | str, password: str | None) -> Account:
        """An admin (or the system) adds a manager or admin; password None means single sign-on only."""
        self._require_admin(actor)
        address = _valid_email(email)
        try:
            role = Role(role)
        except ValueError:
            role = None
        if role not in ACCOUNT_ROLES:
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
        user_id = self._rows.insert(address, name, str(role), password_hash)
        if user_id is None:
            raise AccountError("An account with this email already exists.")
        log.info("%s account %d created by %s", role, user_id, _who(actor))
        self._record(actor, user_id, "created")
        row = self._rows.by_id(user_id)
        assert row is not None
        return _account(row)

    def list_accounts(self, actor: Actor) -> list[Account]:
        self._require_admin(actor)
        return [_account(r) for r in self._rows.list_all()]

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

    def _record_failure(self, user_id: int) -> int:
        now = self._clock()
        failures, locked_until = self._rows.record_failure(
            user_id, now=now, lock_after=self.policy.lock_after,
            lock_until=now + dt.timedelta(minutes=self.policy.lock_minutes),
        )
        log.info("failed login for account %d (%d in a row%s)", user_id, failures,
                 f", locked until {locked_until}" if locked_until is not None else "")
        self._slow_down(failures)
        return failures

    def _slow_down(self, failures: int) -> None:
        delay = self.policy.delay(failures)
        if delay > 0:
            self._sleep(delay)


def _valid_email(email: str) -> str:
    try:
        address = _EMAIL.validate_python(email.strip())
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("value is not a valid email address: ")
        raise AccountError(f"That is not a valid email address: {reason}") from None
    return address.lower()


def _who(actor: Actor) -> str:
    return "the system" if actor.role is Role.SYSTEM else f"account {actor.id}"
