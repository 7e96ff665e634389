"""Accounts on a real DuckDB file: argon2id hashes, one answer for every failed login, slow-down and lock-out.

The clock is fake and `sleep` only records, so no test really waits. Most tests use cheap argon2
parameters (still argon2id) to stay fast; one checks the library defaults.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from coaching.accounts import (
    AccountError,
    AccountLocked,
    Accounts,
    LoginFailed,
    LoginPolicy,
    PasswordRejected,
    _after_failure,
)
from coaching.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.store.accounts import AccountRows

GENERIC = "That email and password do not match an account."
PASSWORD = "Quiet-Harbour-Lanterns-7431"
OTHER = "Seven-Orange-Kettles-2208"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class CountingHasher(PasswordHasher):
    """Cheap argon2id parameters, and a count of verify calls (the expensive work of a login)."""

    def __init__(self, **parameters) -> None:
        super().__init__(**({"time_cost": 1, "memory_cost": 1024, "parallelism": 1} | parameters))
        self.verifications = 0

    def verify(self, hash, password) -> bool:
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(aspire, clock, sleeps, hasher) -> Accounts:
    return Accounts(aspire.store.db, clock=clock, sleep=sleeps.append, hasher=hasher)


@pytest.fixture
def admin(accounts) -> Actor:
    return accounts.create_user(SYSTEM, "hr@example.com", "Harriet Berg", Role.ADMIN, "Admin-Pass-Phrase-55").actor


@pytest.fixture
def maria(accounts):
    return accounts.create_user(SYSTEM, "maria@example.com", "Maria Lopez", Role.MANAGER, PASSWORD)


def stored_hash(aspire, user_id: int) -> str | None:
    return aspire.store.db.scalar("SELECT password_hash FROM app_user WHERE id = ?", [user_id])


def fail(accounts: Accounts, email: str, password: str = "wrong password!") -> LoginFailed:
    with pytest.raises(LoginFailed) as caught:
        accounts.authenticate(email, password)
    return caught.value


# ---- hashes -------------------------------------------------------------------------------------


def test_the_stored_hash_is_argon2id_and_never_contains_the_password(aspire, maria):
    password_hash = stored_hash(aspire, maria.id)
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash
    assert maria.has_password


def test_the_library_defaults_are_argon2id(aspire):
    accounts = Accounts(aspire.store.db)
    account = accounts.create_user(SYSTEM, "sam@example.com", "Sam Okoro", Role.MANAGER, PASSWORD)
    assert stored_hash(aspire, account.id).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.authenticate("sam@example.com", PASSWORD) == account.actor


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_the_next_login(aspire, maria, clock):
    before = stored_hash(aspire, maria.id)
    stronger = CountingHasher(time_cost=2)
    assert stronger.check_needs_rehash(before)

    Accounts(aspire.store.db, clock=clock, hasher=stronger).authenticate("maria@example.com", PASSWORD)

    after = stored_hash(aspire, maria.id)
    assert after != before and not stronger.check_needs_rehash(after)
    assert Accounts(aspire.store.db, hasher=stronger).authenticate("maria@example.com", PASSWORD).id == maria.id


# ---- logging in ---------------------------------------------------------------------------------


def test_a_correct_login_returns_the_actor(accounts, maria, sleeps):
    actor = accounts.authenticate("maria@example.com", PASSWORD)

    assert actor == Actor(Role.MANAGER, maria.id, "Maria Lopez") == maria.actor
    assert sleeps == []


def test_unknown_email_and_wrong_password_get_the_same_answer_and_the_same_work(accounts, maria, hasher):
    hasher.verifications = 0
    unknown = fail(accounts, "nobody@example.com", PASSWORD)
    assert hasher.verifications == 1

    hasher.verifications = 0
    wrong = fail(accounts, "maria@example.com", OTHER)
    assert hasher.verifications == 1

    assert type(unknown) is type(wrong) is LoginFailed
    assert str(unknown) == str(wrong) == GENERIC


def test_a_disabled_account_or_one_without_a_password_behaves_like_an_unknown_one(aspire, accounts, maria, hasher):
    sso = accounts.create_user(SYSTEM, "sso@example.com", "Single Sign", Role.MANAGER, None)
    assert not sso.has_password and stored_hash(aspire, sso.id) is None
    AccountRows(aspire.store.db).set_disabled(maria.id, START)

    for email, password in (("sso@example.com", ""), ("sso@example.com", PASSWORD), ("maria@example.com", PASSWORD)):
        hasher.verifications = 0
        error = fail(accounts, email, password)
        assert type(error) is LoginFailed and str(error) == GENERIC
        assert hasher.verifications == 1

    assert accounts.actor_for_email("maria@example.com") is None
    assert accounts.actor_for_email("SSO@example.com") == sso.actor
    assert accounts.actor_for_email("nobody@example.com") is None


def test_failures_past_slow_after_wait_longer_each_time_up_to_the_cap(accounts, maria, sleeps):
    for _ in range(3):
        fail(accounts, "maria@example.com")
    assert sleeps == [], "the first slow_after failures are answered at once"

    for _ in range(5):
        fail(accounts, "maria@example.com")
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_the_delay_schedule_of_the_policy():
    policy = LoginPolicy()
    assert [policy.delay(n) for n in range(1, 9)] == [0, 0, 0, 0.5, 1.0, 2.0, 4.0, 4.0]
    assert LoginPolicy(slow_after=0, base_delay=1, max_delay=3).delay(1) == 1


def test_unknown_emails_slow_down_exactly_like_accounts(accounts, maria, sleeps):
    for _ in range(8):
        fail(accounts, "maria@example.com")
    known = list(sleeps)
    sleeps.clear()

    for _ in range(8):
        fail(accounts, "Nobody@Example.com")

    assert sleeps == known


def test_lock_after_failures_refuses_even_the_right_password_until_the_lock_ends(accounts, admin, maria, clock):
    for _ in range(5):
        fail(accounts, "maria@example.com")
    [listed] = [a for a in accounts.list_accounts(admin) if a.id == maria.id]
    assert listed.locked_until == START + dt.timedelta(minutes=15)
    assert listed.failed_logins == 5 and listed.is_locked(clock.now)

    with pytest.raises(AccountLocked) as locked:
        accounts.authenticate("maria@example.com", PASSWORD)
    assert "15 minutes" in str(locked.value) and "administrator" in str(locked.value)
    assert isinstance(locked.value, LoginFailed)

    wrong = fail(accounts, "maria@example.com")
    assert type(wrong) is LoginFailed and str(wrong) == GENERIC, "a wrong password never reveals the lock"

    clock.advance(minutes=14)
    with pytest.raises(AccountLocked, match="1 minute,"):
        accounts.authenticate("maria@example.com", PASSWORD)

    clock.advance(minutes=1, seconds=1)
    assert accounts.authenticate("maria@example.com", PASSWORD) == maria.actor
    [after] = [a for a in accounts.list_accounts(admin) if a.id == maria.id]
    assert after.failed_logins == 0 and after.locked_until is None


def test_a_failure_after_a_lock_ended_starts_the_count_afresh(aspire, accounts, maria, clock, sleeps):
    for _ in range(6):
        fail(accounts, "maria@example.com")
    clock.advance(minutes=16)
    sleeps.clear()

    fail(accounts, "maria@example.com")

    row = AccountRows(aspire.store.db).by_id(maria.id)
    assert (row.failed_logins, row.locked_until) == (1, None)
    assert sleeps == []


def test_a_correct_login_forgets_earlier_failures(aspire, accounts, maria):
    for _ in range(4):
        fail(accounts, "maria@example.com")
    accounts.authenticate("maria@example.com", PASSWORD)
    assert AccountRows(aspire.store.db).by_id(maria.id).failed_logins == 0


def test_an_admin_unlocks_a_locked_account_and_a_manager_cannot(accounts, admin, maria):
    sam = accounts.create_user(admin, "sam@example.com", "Sam Okoro", Role.MANAGER, OTHER)
    for _ in range(5):
        fail(accounts, "maria@example.com")

    with pytest.raises(PermissionDenied):
        accounts.unlock(sam.actor, maria.id)
    with pytest.raises(AccountLocked):
        accounts.authenticate("maria@example.com", PASSWORD)

    accounts.unlock(admin, maria.id)
    assert accounts.authenticate("maria@example.com", PASSWORD) == maria.actor
    with pytest.raises(PermissionDenied):
        accounts.unlock(admin, 987654)


def test_email_matching_is_case_insensitive_and_emails_are_stored_lower_cased(aspire, accounts):
    ana = accounts.create_user(SYSTEM, "  Ana.Berg@Example.COM ", "Ana Berg", Role.MANAGER, PASSWORD)
    assert ana.email == "ana.berg@example.com"
    assert aspire.store.db.scalar("SELECT email FROM app_user WHERE id = ?", [ana.id]) == "ana.berg@example.com"

    assert accounts.authenticate("ANA.BERG@example.com", PASSWORD) == ana.actor
    assert accounts.actor_for_email("ana.berg@EXAMPLE.com") == ana.actor
    with pytest.raises(AccountError, match="^An account with this email already exists.$"):
        accounts.create_user(SYSTEM, "ana.berg@example.COM", "Another Ana", Role.ADMIN, OTHER)


def test_a_row_written_before_accounts_existed_is_found_whatever_its_case(aspire, accounts):
    aspire.store.db.write(lambda tx: tx.execute(
        "INSERT INTO app_user (email, name, role) VALUES ('Old.Style@Example.com', 'Old Style', 'manager')"))
    actor = accounts.actor_for_email("old.style@example.com")
    assert actor is not None and actor.name == "Old Style"
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user(SYSTEM, "old.style@example.com", "Again", Role.MANAGER, None)


# ---- passwords ----------------------------------------------------------------------------------


def test_changing_ones_own_password_needs_the_current_one(accounts, maria):
    with pytest.raises(LoginFailed):
        accounts.change_password(maria.actor, "not my password", OTHER)
    with pytest.raises(PasswordRejected, match="too short"):
        accounts.change_password(maria.actor, PASSWORD, "short")
    with pytest.raises(PasswordRejected, match="same as the current"):
        accounts.change_password(maria.actor, PASSWORD, PASSWORD)
    assert accounts.authenticate("maria@example.com", PASSWORD) == maria.actor

    accounts.change_password(maria.actor, PASSWORD, OTHER)

    assert accounts.authenticate("maria@example.com", OTHER) == maria.actor
    assert str(fail(accounts, "maria@example.com", PASSWORD)) == GENERIC


def test_only_managers_and_admins_have_passwords_to_change(accounts):
    for actor in (SYSTEM, Actor(Role.RESPONDENT, 1, "Someone")):
        with pytest.raises(PermissionDenied):
            accounts.change_password(actor, PASSWORD, OTHER)


def test_an_admin_resets_a_password_and_clears_the_lock_a_manager_cannot(accounts, admin, maria):
    for _ in range(5):
        fail(accounts, "maria@example.com")
    with pytest.raises(PermissionDenied):
        accounts.reset_password(maria.actor, maria.id, OTHER)
    with pytest.raises(PasswordRejected, match="email"):
        accounts.reset_password(admin, maria.id, "maria@example.com")

    accounts.reset_password(admin, maria.id, OTHER)

    assert accounts.authenticate("maria@example.com", OTHER) == maria.actor
    with pytest.raises(PermissionDenied):
        accounts.reset_password(admin, 987654, OTHER)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "too short"),
        ("nine char", "too short"),
        ("x" * 1025, "too long"),
        ("maria@example.com", "same as the email"),
        ("MARIA@example.com", "same as the email"),
        ("mariamariamaria", None),
        ("password123", "too common"),
        ("Password123", "too common"),
        ("qwertyuiop", "too common"),
        ("aaaaaaaaaaaa", "too common"),
    ],
)
def test_the_password_policy_says_what_is_wrong(accounts, password, reason):
    if reason is None:
        accounts.check_password(password, "maria@example.com")
        return
    with pytest.raises(PasswordRejected, match=reason):
        accounts.check_password(password, "maria@example.com")


# ---- managing accounts --------------------------------------------------------------------------


def test_only_admins_or_the_system_create_users_and_list_accounts(accounts, admin, maria):
    with pytest.raises(PermissionDenied):
        accounts.create_user(maria.actor, "new@example.com", "New Person", Role.MANAGER, OTHER)
    with pytest.raises(PermissionDenied):
        accounts.list_accounts(maria.actor)

    created = accounts.create_user(admin, "new@example.com", "New Person", "admin", OTHER)

    assert created.role is Role.ADMIN and created.version == 1 and created.failed_logins == 0
    assert [a.email for a in accounts.list_accounts(admin)] == [
        "hr@example.com", "maria@example.com", "new@example.com"]


@pytest.mark.parametrize(
    ("email", "name", "role", "message"),
    [
        ("not an email", "Name", Role.MANAGER, "not a valid email"),
        ("someone@", "Name", Role.MANAGER, "not a valid email"),
        ("ok@example.com", "   ", Role.MANAGER, "name"),
        ("ok@example.com", "Name", Role.RESPONDENT, "manager or admin"),
        ("ok@example.com", "Name", "owner", "manager or admin"),
    ],
)
def test_create_user_refuses_bad_input_with_a_clear_value_error(accounts, email, name, role, message):
    with pytest.raises(ValueError, match=message) as caught:
        accounts.create_user(SYSTEM, email, name, role, OTHER)
    assert "\n" not in str(caught.value)


def test_ensure_first_admin_creates_one_only_when_no_admin_exists(aspire, accounts):
    assert accounts.ensure_first_admin(None, SecretStr(PASSWORD)) is False
    assert accounts.ensure_first_admin("boss@example.com", None) is False
    assert AccountRows(aspire.store.db).count_admins() == 0

    assert accounts.ensure_first_admin("Boss@Example.com", SecretStr(PASSWORD)) is True
    assert accounts.ensure_first_admin("boss@example.com", SecretStr(PASSWORD)) is False
    assert accounts.ensure_first_admin("second@example.com", SecretStr(OTHER)) is False

    actor = accounts.authenticate("boss@example.com", PASSWORD)
    assert actor.role is Role.ADMIN
    assert [a.email for a in accounts.list_accounts(actor)] == ["boss@example.com"]


def test_ensure_first_admin_does_nothing_when_an_admin_already_exists(accounts, admin):
    assert accounts.ensure_first_admin("boss@example.com", SecretStr(PASSWORD)) is False
    assert [a.email for a in accounts.list_accounts(admin)] == ["hr@example.com"]


def test_ensure_first_admin_refuses_a_weak_password(accounts):
    with pytest.raises(PasswordRejected):
        accounts.ensure_first_admin("boss@example.com", SecretStr("short"))


# ---- secrets stay secret ------------------------------------------------------------------------


def test_passwords_never_reach_the_logs_or_the_database_file(aspire, accounts, admin, maria, caplog):
    caplog.set_level(logging.DEBUG)
    third = "Violet-Granite-Staircase-9034"
    typed_as_email = "Typed-Into-The-Email-Field-1"

    fail(accounts, "maria@example.com", OTHER)
    fail(accounts, typed_as_email, PASSWORD)
    accounts.authenticate("maria@example.com", PASSWORD)
    accounts.change_password(maria.actor, PASSWORD, OTHER)
    accounts.reset_password(admin, maria.id, third)
    for _ in range(5):
        fail(accounts, "maria@example.com", PASSWORD)
    with pytest.raises(AccountLocked):
        accounts.authenticate("maria@example.com", third)
    accounts.create_user(admin, "new@example.com", "New Person", Role.MANAGER, "Another-Long-Secret-77")
    aspire.store.db.checkpoint()

    logged = caplog.text + " ".join(repr(r.args) for r in caplog.records)
    assert caplog.records, "the flow is logged"
    stored = aspire.settings.db.read_bytes()
    wal = aspire.settings.db.with_name(aspire.settings.db.name + ".wal")
    if wal.exists():
        stored += wal.read_bytes()
    for secret in (PASSWORD, OTHER, third, typed_as_email, "Another-Long-Secret-77", "Admin-Pass-Phrase-55"):
        assert secret not in logged
        assert secret.encode() not in stored
    assert b"maria@example.com" in stored, "the file read is the real database"


# ---- the store's failure rule matches the in-memory one for unknown e-mails --------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=12))
def test_the_sql_failure_rule_and_the_in_memory_one_agree(aspire, steps):
    """Each step: wait that many minutes, then fail once; both rules give the same count and lock."""
    rows = AccountRows(aspire.store.db)
    policy = LoginPolicy()
    user_id = rows.insert(f"p{len(rows.list_all())}@example.com", "P", "manager", None)
    now, expected = START, (0, None)
    for minutes in steps:
        now += dt.timedelta(minutes=minutes)
        expected = _after_failure(*expected, now, policy)
        got = rows.record_failure(user_id, now=now, lock_after=policy.lock_after,
                                  lock_until=now + dt.timedelta(minutes=policy.lock_minutes))
        assert got == expected


@pytest.mark.parametrize("name", [
    "Robert'); DROP TABLE app_user; --", "<script>alert('x')</script>", "\u202eevil\u202c Name",
    "**bold** [link](javascript:alert(1))", "Zoë Ågren-Łukasiewicz 田中 محمد", "x" * 120,
])
def test_account_names_round_trip_exactly(aspire, name):
    account = aspire.accounts.create_user(SYSTEM, "odd@example.com", name, Role.MANAGER, None)
    assert account.name == name
    assert aspire.accounts.actor_for_email("odd@example.com").name == name
    assert aspire.store.db.scalar("SELECT count(*) FROM app_user") == 1


@pytest.mark.parametrize(("name", "problem"), [("Nul\x00Name", "NUL character"), ("x" * 121, "too long")])
def test_unstorable_names_are_refused_with_a_reason(aspire, name, problem):
    with pytest.raises(AccountError, match=problem):
        aspire.accounts.create_user(SYSTEM, "odd@example.com", name, Role.MANAGER, None)
    assert aspire.accounts.actor_for_email("odd@example.com") is None
