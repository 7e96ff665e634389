"""Accounts on a real DuckDB file: argon2id hashes, one answer for every failed login, lock-out counted in
the database (also under 40 parallel tries), sessions, roles and deactivation.

The clock is fake, so no test really waits. Most tests use cheap argon2 parameters (still argon2id) to
stay fast; one checks the product's own.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.governance.audit import AuditFilter, Subject
from coaching.people import teams
from coaching.people.account_rows import AccountRows
from coaching.people.accounts import (
    AccountError,
    Accounts,
    LoginFailed,
    LoginPolicy,
    PasswordRejected,
    accounts_of,
)

GENERIC = str(LoginFailed())
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
        with self._counting:
            self.verifications += 1
        return super().verify(hash, password)

    _counting = threading.Lock()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(aspire, clock, hasher) -> Accounts:
    return Accounts(aspire.db, clock=clock, hasher=hasher)


@pytest.fixture
def admin(accounts) -> Actor:
    return accounts.create_user(SYSTEM, "hr@example.com", "Harriet Berg", Role.ADMIN, "Admin-Pass-Phrase-55").actor


@pytest.fixture
def maria(accounts):
    return accounts.create_user(SYSTEM, "maria@example.com", "Maria Lopez", Role.MANAGER, PASSWORD)


def stored_hash(aspire, user_id: int) -> str | None:
    return aspire.db.scalar("SELECT password_hash FROM app_user WHERE id = ?", [user_id])


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


def test_the_product_hashes_with_argon2id_at_rfc_9106s_low_memory_cost(aspire, product_password_hashing):
    accounts = Accounts(aspire.db)
    account = accounts.create_user(SYSTEM, "sam@example.com", "Sam Okoro", Role.MANAGER, PASSWORD)
    assert stored_hash(aspire, account.id).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.authenticate("sam@example.com", PASSWORD) == account.actor


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_the_next_login(aspire, maria, clock):
    before = stored_hash(aspire, maria.id)
    stronger = CountingHasher(time_cost=2)
    assert stronger.check_needs_rehash(before)

    Accounts(aspire.db, clock=clock, hasher=stronger).authenticate("maria@example.com", PASSWORD)

    after = stored_hash(aspire, maria.id)
    assert after != before and not stronger.check_needs_rehash(after)
    assert Accounts(aspire.db, hasher=stronger).authenticate("maria@example.com", PASSWORD).id == maria.id


# ---- logging in ---------------------------------------------------------------------------------


def test_a_correct_login_returns_the_actor(accounts, maria):
    actor = accounts.authenticate("maria@example.com", PASSWORD)

    assert actor == Actor(Role.MANAGER, maria.id, "Maria Lopez") == maria.actor


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
    accounts.deactivate(SYSTEM, maria.id, maria.version)

    for email, password in (("sso@example.com", ""), ("sso@example.com", PASSWORD), ("maria@example.com", PASSWORD)):
        hasher.verifications = 0
        error = fail(accounts, email, password)
        assert type(error) is LoginFailed and str(error) == GENERIC
        assert hasher.verifications == 1

    assert accounts.actor_for_email("maria@example.com") is None
    assert accounts.actor_for_email("SSO@example.com") == sso.actor
    assert accounts.actor_for_email("nobody@example.com") is None


def locked(accounts, admin, account_id) -> bool:
    [listed] = [a for a in accounts.list_accounts(admin) if a.id == account_id]
    return listed.is_locked(accounts._clock())


def test_the_fifth_failure_locks_and_then_no_password_is_checked_and_every_answer_is_the_same(
        accounts, admin, maria, clock, hasher):
    for _ in range(4):
        fail(accounts, "maria@example.com")
    assert not locked(accounts, admin, maria.id)
    fail(accounts, "maria@example.com")
    [listed] = [a for a in accounts.list_accounts(admin) if a.id == maria.id]
    assert listed.locked_until == START + dt.timedelta(minutes=15) and listed.failed_logins == 5

    hasher.verifications = 0
    right = fail(accounts, "maria@example.com", PASSWORD)
    wrong = fail(accounts, "maria@example.com", OTHER)
    assert type(right) is type(wrong) is LoginFailed and str(right) == str(wrong) == GENERIC
    assert hasher.verifications == 0, "while locked, no password is checked at all"

    clock.advance(minutes=14, seconds=59)
    fail(accounts, "maria@example.com", PASSWORD)
    clock.advance(seconds=2)
    assert accounts.authenticate("maria@example.com", PASSWORD) == maria.actor
    [after] = [a for a in accounts.list_accounts(admin) if a.id == maria.id]
    assert after.failed_logins == 0 and after.locked_until is None


def test_the_message_says_what_a_person_locked_out_can_do():
    assert "5 failed tries" in GENERIC and "15 minutes" in GENERIC and "administrator" in GENERIC


def test_failures_further_apart_than_the_window_do_not_add_up(accounts, admin, maria, clock):
    for _ in range(8):
        fail(accounts, "maria@example.com")
        clock.advance(minutes=16)
    assert not locked(accounts, admin, maria.id)
    assert accounts.authenticate("maria@example.com", PASSWORD) == maria.actor


def test_a_failure_after_a_lock_ended_starts_the_count_afresh(accounts, admin, maria, clock):
    for _ in range(6):
        fail(accounts, "maria@example.com")
    clock.advance(minutes=16)

    fail(accounts, "maria@example.com")

    [listed] = [a for a in accounts.list_accounts(admin) if a.id == maria.id]
    assert (listed.failed_logins, listed.locked_until) == (1, None)


def test_an_unknown_email_is_counted_and_locked_exactly_like_an_account(aspire, accounts, maria, hasher):
    def answers(email: str) -> tuple[list[str], int]:
        hasher.verifications = 0
        said = [str(fail(accounts, email, password)) for password in [OTHER] * 7 + [PASSWORD]]
        return said, hasher.verifications

    assert answers("maria@example.com") == answers("Nobody@Example.com") == ([GENERIC] * 8, 5)
    stored = aspire.db.query("SELECT key, failures FROM login_throttle ORDER BY key")
    assert len(stored) == 2 and {f for _, f in stored} == {8}
    assert all("nobody" not in key and "maria" not in key for key, _ in stored), "e-mails are not stored"


def _in_parallel(accounts: Accounts, tries: list[tuple[str, str]]) -> list[str]:
    """All tries at once (threads released together), each through the real domain function; what each was told."""
    start = threading.Barrier(len(tries))

    def attempt(email_password: tuple[str, str]) -> str:
        start.wait()
        try:
            return repr(accounts.authenticate(*email_password))
        except LoginFailed as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=len(tries)) as pool:
        return list(pool.map(attempt, tries))


def test_forty_parallel_wrong_tries_check_at_most_five_passwords_and_lock_the_account(
        accounts, admin, maria, hasher):
    hasher.verifications = 0
    said = _in_parallel(accounts, [("maria@example.com", f"guess number {n}") for n in range(40)])

    assert said == [GENERIC] * 40
    assert hasher.verifications == 5, "only the first five tries have their password checked"
    assert locked(accounts, admin, maria.id)
    right = fail(accounts, "maria@example.com", PASSWORD)
    assert str(right) == GENERIC and hasher.verifications == 5, "the right password is refused, unchecked"


def test_forty_parallel_tries_on_an_unknown_email_are_indistinguishable(accounts, maria, hasher):
    hasher.verifications = 0
    said = _in_parallel(accounts, [("nobody@example.com", f"guess number {n}") for n in range(40)])

    assert said == [GENERIC] * 40 and hasher.verifications == 5
    assert str(fail(accounts, "nobody@example.com", PASSWORD)) == GENERIC and hasher.verifications == 5


def test_the_right_password_is_refused_while_39_parallel_wrong_tries_are_being_checked(accounts, maria):
    """The issue's case: the lock is taken before the slow hash, so the 39 in flight have already locked it."""
    release = threading.Event()
    checking = []

    class SlowHasher(CountingHasher):
        def verify(self, hash, password) -> bool:
            if password != PASSWORD:
                checking.append(password)
                release.wait(timeout=20)
            return super().verify(hash, password)

    slow = Accounts(accounts._db, clock=accounts._clock, hasher=SlowHasher())
    answered: list[str] = []

    def wrong(n: int) -> None:
        try:
            slow.authenticate("maria@example.com", f"guess number {n}")
        except LoginFailed as error:
            answered.append(str(error))

    threads = [threading.Thread(target=wrong, args=(n,)) for n in range(39)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(checking) + len(answered) < 39 and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        with pytest.raises(LoginFailed) as caught:
            slow.authenticate("maria@example.com", PASSWORD)
    finally:
        release.set()
        for thread in threads:
            thread.join()
    assert str(caught.value) == GENERIC
    assert len(checking) == 5 and answered == [GENERIC] * 39


def test_a_correct_login_forgets_earlier_failures(accounts, admin, maria):
    for _ in range(4):
        fail(accounts, "maria@example.com")
    accounts.authenticate("maria@example.com", PASSWORD)
    for _ in range(4):
        fail(accounts, "maria@example.com")
    assert not locked(accounts, admin, maria.id)


def test_an_admin_unlocks_a_locked_account_and_a_manager_cannot(accounts, admin, maria):
    sam = accounts.create_user(admin, "sam@example.com", "Sam Okoro", Role.MANAGER, OTHER)
    for _ in range(5):
        fail(accounts, "maria@example.com")

    with pytest.raises(PermissionDenied):
        accounts.unlock(sam.actor, maria.id)
    fail(accounts, "maria@example.com", PASSWORD)

    accounts.unlock(admin, maria.id)
    assert accounts.authenticate("maria@example.com", PASSWORD) == maria.actor
    with pytest.raises(PermissionDenied):
        accounts.unlock(admin, 987654)


def test_email_matching_is_case_insensitive_and_emails_are_stored_lower_cased(aspire, accounts):
    ana = accounts.create_user(SYSTEM, "  Ana.Berg@Example.COM ", "Ana Berg", Role.MANAGER, PASSWORD)
    assert ana.email == "ana.berg@example.com"
    assert aspire.db.scalar("SELECT email FROM app_user WHERE id = ?", [ana.id]) == "ana.berg@example.com"

    assert accounts.authenticate("ANA.BERG@example.com", PASSWORD) == ana.actor
    assert accounts.actor_for_email("ana.berg@EXAMPLE.com") == ana.actor
    with pytest.raises(AccountError, match="^An account with this email already exists.$"):
        accounts.create_user(SYSTEM, "ana.berg@example.COM", "Another Ana", Role.ADMIN, OTHER)


def test_a_row_written_before_accounts_existed_is_found_whatever_its_case(aspire, accounts):
    aspire.db.write(lambda tx: tx.execute(
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
    assert AccountRows(aspire.db).count_admins() == 0

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


def test_passwords_never_reach_the_logs_or_the_database_files(aspire, databases, accounts, admin, maria, caplog):
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
    fail(accounts, "maria@example.com", third)
    accounts.create_user(admin, "new@example.com", "New Person", Role.MANAGER, "Another-Long-Secret-77")
    aspire.db.checkpoint()

    logged = caplog.text + " ".join(repr(r.args) for r in caplog.records)
    assert caplog.records, "the flow is logged"
    stored = databases.stored_bytes(aspire)
    for secret in (PASSWORD, OTHER, third, typed_as_email, "Another-Long-Secret-77", "Admin-Pass-Phrase-55"):
        assert secret not in logged
        assert secret.encode() not in stored
    assert b"maria@example.com" in stored, "the file read is the real database"


# ---- the store's counting rule, against a plain model of it --------------------------------------


def _model(state: tuple[int, dt.datetime | None, dt.datetime | None], now: dt.datetime, policy: LoginPolicy):
    """(failures, last failure, locked until) after one more attempt: the rule in words, to check the SQL."""
    failures, last, locked_until = state
    if locked_until is not None and locked_until > now:
        return failures + 1, now, locked_until
    window = dt.timedelta(minutes=policy.window_minutes)
    fresh = last is None or locked_until is not None or last <= now - window
    failures = 1 if fresh else failures + 1
    lock = now + dt.timedelta(minutes=policy.lock_minutes) if failures >= policy.lock_after else None
    return failures, now, lock


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=12))
def test_the_sql_counting_rule_matches_the_rule_in_words(aspire, steps):
    """Each step: wait that many minutes, then try once; the store gives the model's count and lock."""
    rows = AccountRows(aspire.db)
    policy = LoginPolicy()
    key = f"k{len(steps)}-{steps}"
    now, expected = START, (0, None, None)
    for minutes in steps:
        now += dt.timedelta(minutes=minutes)
        expected = _model(expected, now, policy)
        place = rows.admit_attempt(key, now=now, window_start=now - dt.timedelta(minutes=policy.window_minutes),
                                   lock_after=policy.lock_after,
                                   lock_until=now + dt.timedelta(minutes=policy.lock_minutes))
        assert (place, rows.throttles([key])[key].locked_until) == (expected[0], expected[2])


@pytest.mark.parametrize("name", [
    "Robert'); DROP TABLE app_user; --", "<script>alert('x')</script>", "\u202eevil\u202c Name",
    "**bold** [link](javascript:alert(1))", "Zoë Ågren-Łukasiewicz 田中 محمد", "x" * 120,
])
def test_account_names_round_trip_exactly(aspire, name):
    account = accounts_of(aspire).create_user(SYSTEM, "odd@example.com", name, Role.MANAGER, None)
    assert account.name == name
    assert accounts_of(aspire).actor_for_email("odd@example.com").name == name
    assert aspire.db.scalar("SELECT count(*) FROM app_user") == 1


@pytest.mark.parametrize(("name", "problem"), [("Nul\x00Name", "NUL character"), ("x" * 121, "too long")])
def test_unstorable_names_are_refused_with_a_reason(aspire, name, problem):
    with pytest.raises(AccountError, match=problem):
        accounts_of(aspire).create_user(SYSTEM, "odd@example.com", name, Role.MANAGER, None)
    assert accounts_of(aspire).actor_for_email("odd@example.com") is None


# ---- deactivation and roles ---------------------------------------------------------------------


def account(accounts, admin, account_id):
    return next(a for a in accounts.list_accounts(admin) if a.id == account_id)


def audited(aspire, account_id) -> list[str]:
    wanted = AuditFilter(subject_kind=Subject.ACCOUNT, subject_id=account_id)
    return [e.detail for e in reversed(aspire.audit.events(SYSTEM, wanted))]


@pytest.fixture
def audited_accounts(aspire, clock, hasher) -> Accounts:
    return Accounts(aspire.db, clock=clock, hasher=hasher, audit=aspire.audit)


def test_a_deactivated_account_cannot_log_in_its_sessions_end_and_reactivation_lets_it_back(
        aspire, audited_accounts, clock):
    accounts = audited_accounts
    admin = accounts.create_user(SYSTEM, "hr@example.com", "Harriet Berg", Role.ADMIN, "Admin-Pass-Phrase-55").actor
    maria = accounts.create_user(SYSTEM, "maria@example.com", "Maria Lopez", Role.MANAGER, PASSWORD)
    session_id, _ = accounts.start_session(accounts.authenticate("maria@example.com", PASSWORD))
    assert accounts.session_actor(session_id) == maria.actor

    accounts.deactivate(admin, maria.id, maria.version)

    assert accounts.session_actor(session_id) is None, "a live login ends at its next rerun"
    assert str(fail(accounts, "maria@example.com", PASSWORD)) == GENERIC
    assert not account(accounts, admin, maria.id).is_active
    with pytest.raises(AccountError, match="Someone else changed"):
        accounts.reactivate(admin, maria.id, maria.version)

    accounts.reactivate(admin, maria.id, account(accounts, admin, maria.id).version)
    assert accounts.authenticate("maria@example.com", PASSWORD) == maria.actor
    assert accounts.session_actor(session_id) is None, "reactivating does not bring an ended login back"
    assert audited(aspire, maria.id) == ["created", "deactivated", "reactivated"]


def test_a_deactivated_managers_teams_stay_and_are_named_for_handing_on(aspire, audited_accounts):
    accounts = audited_accounts
    admin = accounts.create_user(SYSTEM, "hr@example.com", "Harriet Berg", Role.ADMIN, "Admin-Pass-Phrase-55").actor
    maria = accounts.create_user(SYSTEM, "maria@example.com", "Maria Lopez", Role.MANAGER, PASSWORD)
    sam = accounts.create_user(SYSTEM, "sam@example.com", "Sam Okoro", Role.MANAGER, OTHER)
    teams.create_team(aspire, maria.actor, "Platform")
    teams.create_team(aspire, maria.actor, "Billing")

    assert accounts.deactivate(admin, maria.id, maria.version) == ["Billing", "Platform"]
    assert accounts.teams_of(admin, maria.id) == ["Billing", "Platform"]
    with pytest.raises(AccountError, match="active manager"):
        accounts.hand_over_teams(admin, maria.id, admin.id)
    with pytest.raises(PermissionDenied):
        accounts.hand_over_teams(sam.actor, maria.id, sam.id)

    assert accounts.hand_over_teams(admin, maria.id, sam.id) == 2
    assert accounts.teams_of(admin, maria.id) == [] and accounts.teams_of(admin, sam.id) == ["Billing", "Platform"]


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(aspire, audited_accounts):
    accounts = audited_accounts
    hr = accounts.create_user(SYSTEM, "hr@example.com", "Harriet Berg", Role.ADMIN, "Admin-Pass-Phrase-55")
    for change in (lambda v: accounts.deactivate(hr.actor, hr.id, v),
                   lambda v: accounts.set_role(hr.actor, hr.id, v, Role.MANAGER)):
        with pytest.raises(AccountError, match="last active admin"):
            change(hr.version)
    assert account(accounts, hr.actor, hr.id).role is Role.ADMIN and account(accounts, hr.actor, hr.id).is_active

    second = accounts.create_user(hr.actor, "ida@example.com", "Ida Park", Role.ADMIN, OTHER)
    accounts.set_role(hr.actor, second.id, second.version, Role.MANAGER)
    accounts.set_role(hr.actor, second.id, second.version + 1, Role.ADMIN)
    accounts.deactivate(second.actor, hr.id, hr.version)
    with pytest.raises(AccountError, match="last active admin"):
        accounts.deactivate(second.actor, second.id, second.version + 2)
    assert audited(aspire, second.id) == ["created", "made manager", "made admin"]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(aspire, audited_accounts):
    accounts = audited_accounts
    a = accounts.create_user(SYSTEM, "a@example.com", "Admin A", Role.ADMIN, PASSWORD)
    b = accounts.create_user(SYSTEM, "b@example.com", "Admin B", Role.ADMIN, OTHER)
    start = threading.Barrier(2)

    def demote(actor, target) -> str:
        start.wait()
        try:
            accounts.set_role(actor, target.id, target.version, Role.MANAGER)
            return "done"
        except AccountError as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(demote, [a.actor, b.actor], [b, a]))
    assert sorted(r == "done" for r in results) == [False, True]
    assert [x.role for x in accounts.list_accounts(SYSTEM)].count(Role.ADMIN) == 1


def test_a_manager_who_coaches_a_team_cannot_become_an_admin_until_it_is_handed_on(aspire, audited_accounts):
    accounts = audited_accounts
    admin = accounts.create_user(SYSTEM, "hr@example.com", "Harriet Berg", Role.ADMIN, "Admin-Pass-Phrase-55").actor
    maria = accounts.create_user(SYSTEM, "maria@example.com", "Maria Lopez", Role.MANAGER, PASSWORD)
    sam = accounts.create_user(SYSTEM, "sam@example.com", "Sam Okoro", Role.MANAGER, OTHER)
    teams.create_team(aspire, maria.actor, "Platform")

    with pytest.raises(AccountError, match="still coaches Platform: hand the teams to another manager"):
        accounts.set_role(admin, maria.id, maria.version, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        accounts.set_role(sam.actor, maria.id, maria.version, Role.ADMIN)
    assert account(accounts, admin, maria.id).role is Role.MANAGER

    accounts.hand_over_teams(admin, maria.id, sam.id)
    accounts.set_role(admin, maria.id, maria.version, Role.ADMIN)
    assert accounts.authenticate("maria@example.com", PASSWORD).role is Role.ADMIN


def test_a_role_change_reaches_a_live_session_at_its_next_rerun(audited_accounts):
    accounts = audited_accounts
    admin = accounts.create_user(SYSTEM, "hr@example.com", "Harriet Berg", Role.ADMIN, "Admin-Pass-Phrase-55")
    ida = accounts.create_user(SYSTEM, "ida@example.com", "Ida Park", Role.ADMIN, OTHER)
    session_id, _ = accounts.start_session(ida.actor)

    accounts.set_role(admin.actor, ida.id, ida.version, Role.MANAGER)

    assert accounts.session_actor(session_id).role is Role.MANAGER, "a demoted admin loses admin screens at once"


# ---- sessions -----------------------------------------------------------------------------------


def test_a_session_is_handed_to_the_browser_once_and_lasts_a_working_day(aspire, accounts, maria, clock):
    session_id, code = accounts.start_session(maria.actor)
    token = accounts.hand_over_session(code)
    assert token and accounts.hand_over_session(code) is None, "the one-time code works once"
    stored = aspire.db.query("SELECT token_hash, handoff_hash FROM account_session")
    assert token not in str(stored) and code not in str(stored), "only hashes are stored"
    assert stored[0][1] is None

    clock.advance(hours=9, minutes=59)
    assert accounts.resume_session(token) == session_id
    assert accounts.session_actor(session_id) == maria.actor
    clock.advance(minutes=2)
    assert accounts.resume_session(token) is None and accounts.session_actor(session_id) is None
    assert accounts.resume_session("made-up-token") is None


def test_a_handoff_code_expires_and_log_out_ends_the_session(accounts, maria, clock):
    _, late = accounts.start_session(maria.actor)
    clock.advance(minutes=3)
    assert accounts.hand_over_session(late) is None

    session_id, code = accounts.start_session(maria.actor)
    token = accounts.hand_over_session(code)
    accounts.end_session(session_id)
    assert accounts.resume_session(token) is None and accounts.session_actor(session_id) is None
