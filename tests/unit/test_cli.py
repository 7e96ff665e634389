"""The `coaching` command: exit codes and the one line it prints, on real database files under tmp_path."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from coaching.cli import main
from coaching.core.actors import SYSTEM
from coaching.core.settings import Settings
from coaching.db.meta import is_empty
from coaching.measurement.responses import list_waves
from coaching.measurement.versions import instruments
from coaching.people.accounts import accounts_of
from coaching.people.teams import list_teams
from coaching.startup import start
from tests.environment import forget_settings

COACHING = Path(sys.executable).with_name("coaching")   # the installed command, as the README runs it
HOLD_DATABASE = "import duckdb,time,sys; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"


@pytest.fixture(autouse=True)
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Only this test's settings: the developer's COACHING_* variables and database stay out of it."""
    forget_settings(monkeypatch)
    path = tmp_path / "aspire.duckdb"
    monkeypatch.setenv("COACHING_DB", str(path))
    return path


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    out, err = capsys.readouterr()
    assert out == ""
    return err.splitlines()


def run_at_a_terminal(argv: list[str], typed: str, *, after: str) -> tuple[int, str]:
    """The installed command with a terminal as its keyboard and screen; `typed` once the screen shows `after`.

    Returns the exit status and what the screen showed (the typed answer echoed too), with plain line ends.
    """
    keyboard, terminal = os.openpty()
    screen, answered = b"", False
    try:
        with subprocess.Popen([str(COACHING), *argv], stdin=terminal, stdout=terminal, stderr=terminal) as child:
            os.close(terminal)
            while select.select([keyboard], [], [], 60)[0]:
                try:
                    chunk = os.read(keyboard, 4096)
                except OSError:          # the command ended: its terminal is closed
                    break
                screen += chunk
                if not answered and after.encode() in screen:
                    os.write(keyboard, typed.encode())
                    answered = True
            try:
                code = child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                raise
    finally:
        os.close(keyboard)
    return code, screen.decode().replace("\r\n", "\n")


def without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input as a script or CI gives it: not a terminal, nothing typed."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def test_check_config_accepts_valid_settings_and_names_the_database(db_path: Path, capsys) -> None:
    assert main(["check-config"]) == 0

    out, err = capsys.readouterr()
    assert str(db_path) in out
    assert err == ""
    assert not db_path.exists(), "check-config must not touch the database"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("COACHING_DEMO", "maybe"), ("COACHING_BASE_URL", "not a url"), ("COACHING_BASE_URL", "ftp://example.com")],
)
def test_check_config_refuses_a_bad_value_in_one_line_naming_the_variable(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(variable, value)

    assert main(["check-config"]) == 1

    lines = error_lines(capsys)
    assert len(lines) == 1, lines
    assert variable in lines[0]
    assert "Traceback" not in lines[0]


@pytest.mark.parametrize(("password", "reason"), [
    ("password123", "too common"), ("tiny9", "too short"), ("hr@example.com", "same as the email"),
])
def test_check_config_refuses_a_first_admin_password_the_account_rules_refuse(
    password: str, reason: str, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("COACHING_ADMIN_EMAIL", "hr@example.com")
    monkeypatch.setenv("COACHING_ADMIN_PASSWORD", password)

    assert main(["check-config"]) == 1

    [line] = error_lines(capsys)
    assert line.startswith("coaching: COACHING_ADMIN_PASSWORD: The password is") and reason in line
    assert password not in line.removeprefix("coaching: COACHING_ADMIN_PASSWORD: "), "the password is never echoed"
    assert not db_path.exists()


def test_check_config_accepts_a_good_first_admin_password(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys) -> None:
    monkeypatch.setenv("COACHING_ADMIN_EMAIL", "hr@example.com")
    monkeypatch.setenv("COACHING_ADMIN_PASSWORD", "a long passphrase")

    assert main(["check-config"]) == 0
    assert capsys.readouterr().out.startswith("Configuration is valid")


def test_check_config_says_links_follow_the_port_and_a_proxy_needs_the_base_url(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.delenv("COACHING_BASE_URL", raising=False)
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "links to http://localhost:<the port the app is started on>" in out
    assert "Behind a proxy or load balancer set COACHING_BASE_URL" in out

    monkeypatch.setenv("COACHING_BASE_URL", "https://aspire.example.com")
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "links to https://aspire.example.com" in out and "proxy" not in out


def test_check_config_refuses_a_folder_as_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COACHING_DB", str(tmp_path))

    assert main(["check-config"]) == 1

    lines = error_lines(capsys)
    assert len(lines) == 1 and "COACHING_DB" in lines[0], lines


def test_init_db_demo_creates_the_file_with_the_demo_organisation(db_path: Path, capsys) -> None:
    assert main(["init-db", "--demo"]) == 0

    assert db_path.exists()
    assert str(db_path) in capsys.readouterr().out
    aspire = start(Settings(db=db_path))
    try:
        assert aspire.is_demo
        assert {t.name for t in list_teams(aspire, SYSTEM)} == {"Platform engineering", "Customer success"}
        assert [w.name for w in list_waves(aspire)] == ["2025", "2026"]
    finally:
        aspire.close()


def test_init_db_without_demo_creates_an_empty_database(db_path: Path) -> None:
    assert main(["init-db"]) == 0

    aspire = start(Settings(db=db_path))
    try:
        assert not aspire.is_demo
        assert is_empty(aspire.db)
        assert instruments(aspire), "the shipped instrument versions are recorded"
    finally:
        aspire.close()


def test_init_db_on_a_database_held_by_another_process_says_what_to_do(db_path: Path, capsys) -> None:
    holder_command = [sys.executable, "-c", HOLD_DATABASE, str(db_path)]
    with subprocess.Popen(holder_command, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
            code = main(["init-db"])
        finally:
            holder.kill()

    assert code == 1
    lines = error_lines(capsys)
    assert len(lines) == 1, lines
    assert "in use" in lines[0]
    assert "Stop the app" in lines[0] or "copy" in lines[0], lines[0]
    assert "Traceback" not in lines[0]


# ---- create-user --------------------------------------------------------------------------------


def _no_prompt(*_args, **_kwargs) -> str:
    raise AssertionError("the password must come from COACHING_NEW_PASSWORD, not a prompt")


def test_create_user_takes_the_password_from_the_environment(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from coaching.people.accounts import Accounts

    monkeypatch.setattr("getpass.getpass", _no_prompt)
    monkeypatch.setenv("COACHING_NEW_PASSWORD", "Quiet-Harbour-Lanterns-7431")

    assert main(["create-user", "--email", "Hr@Example.com", "--role", "admin", "--name", "Harriet Berg"]) == 0

    out, err = capsys.readouterr()
    assert out == "Created admin account for hr@example.com.\n"
    assert err == ""
    aspire = start(Settings(db=db_path))
    try:
        actor = Accounts(aspire.db).authenticate("hr@example.com", "Quiet-Harbour-Lanterns-7431")
        assert (actor.role, actor.name) == ("admin", "Harriet Berg")
    finally:
        aspire.close()


def test_create_user_prompts_twice_and_refuses_two_different_passwords(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    answers = iter(["Quiet-Harbour-Lanterns-7431", "Quiet-Harbour-Lanterns-7432"])
    monkeypatch.setattr("getpass.getpass", lambda *_a, **_k: next(answers))

    assert main(["create-user", "--email", "sam@example.com", "--role", "manager"]) == 1

    lines = error_lines(capsys)
    assert len(lines) == 1 and "differ" in lines[0], lines


def test_create_user_with_a_prompted_password_names_the_manager_after_the_email(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from coaching.people.accounts import Accounts

    monkeypatch.setattr("getpass.getpass", lambda *_a, **_k: "Seven-Orange-Kettles-2208")

    assert main(["create-user", "--email", "sam@example.com", "--role", "manager"]) == 0

    assert capsys.readouterr().out == "Created manager account for sam@example.com.\n"
    aspire = start(Settings(db=db_path))
    try:
        assert Accounts(aspire.db).authenticate("sam@example.com", "Seven-Orange-Kettles-2208").name == "sam"
    finally:
        aspire.close()


@pytest.mark.parametrize(
    ("arguments", "password", "expected"),
    [
        (["--email", "sam@example.com", "--role", "manager"], "short", "too short"),
        (["--email", "not-an-email", "--role", "admin"], "Quiet-Harbour-Lanterns-7431", "not a valid email"),
    ],
)
def test_create_user_refuses_in_one_line_and_creates_nothing(
    arguments: list[str], password: str, expected: str, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("COACHING_NEW_PASSWORD", password)

    assert main(["create-user", *arguments]) == 1

    lines = error_lines(capsys)
    assert len(lines) == 1, lines
    assert expected in lines[0] and "Traceback" not in lines[0]
    aspire = start(Settings(db=db_path))
    try:
        assert aspire.db.scalar("SELECT count(*) FROM app_user WHERE email LIKE '%example.com'") == 0
    finally:
        aspire.close()


def test_create_user_refuses_an_email_that_already_has_an_account(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COACHING_NEW_PASSWORD", "Quiet-Harbour-Lanterns-7431")
    assert main(["create-user", "--email", "sam@example.com", "--role", "manager"]) == 0
    capsys.readouterr()

    assert main(["create-user", "--email", "SAM@example.com", "--role", "admin"]) == 1

    lines = error_lines(capsys)
    assert lines == ["coaching: An account with this email already exists."]


def test_create_user_leaves_the_audit_entry_the_accounts_screen_leaves(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coaching.core.actors import Role
    from coaching.governance.audit import Action, AuditFilter, Subject

    monkeypatch.setenv("COACHING_NEW_PASSWORD", "Quiet-Harbour-Lanterns-7431")
    assert main(["create-user", "--email", "lee@example.com", "--role", "manager"]) == 0

    aspire = start(Settings(db=db_path))
    try:
        admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "Harriet", Role.ADMIN, None).actor
        # as the Accounts screen does
        in_the_app = accounts_of(aspire).create_user(admin, "sam@example.com", "Sam", Role.MANAGER, None)
        lee = accounts_of(aspire).actor_for_email("lee@example.com")
        events = {e.subject_id: e for e in aspire.audit.events(SYSTEM, AuditFilter(subject_kind=Subject.ACCOUNT))}
    finally:
        aspire.close()
    assert lee is not None and lee.id in events, "the command line's account has no audit entry"
    by_command, by_screen = events[lee.id], events[in_the_app.id]
    assert (by_command.action, by_command.detail, by_command.actor_role) == (Action.CHANGED, "created", "system")
    assert (by_screen.action, by_screen.detail) == (by_command.action, by_command.detail)


# ---- create-team and list-teams ---------------------------------------------------------------------


def _accounts(db_path: Path, **roles: str) -> None:
    """Accounts by e-mail and role (single sign-on only), made as an admin makes them."""
    aspire = start(Settings(db=db_path))
    try:
        for email, role in roles.items():
            accounts_of(aspire).create_user(SYSTEM, f"{email}@example.com", email.title(), role, None)
    finally:
        aspire.close()


def _team_events(db_path: Path) -> list[tuple[int | None, str, str]]:
    from coaching.governance.audit import AuditFilter, Subject

    aspire = start(Settings(db=db_path))
    try:
        return [(e.subject_id, e.detail, e.actor_role)
                for e in aspire.audit.events(SYSTEM, AuditFilter(subject_kind=Subject.TEAM))]
    finally:
        aspire.close()


def test_list_teams_on_a_fresh_database_says_how_to_create_one(capsys) -> None:
    assert main(["list-teams"]) == 0

    assert capsys.readouterr() == (
        "There are no teams yet. Create one with: coaching create-team NAME --manager EMAIL\n", "")


def test_create_team_is_audited_and_list_teams_shows_its_manager_and_active_members(
    db_path: Path, tmp_path: Path, capsys
) -> None:
    _accounts(db_path, maria="manager", sam="manager")
    roster = tmp_path / "people.csv"
    roster.write_text("name,email\nAna,ana@example.com\nBen,ben@example.com\n", encoding="utf-8")

    assert main(["create-team", "Support", "--manager", "Maria@Example.com"]) == 0
    assert main(["create-team", "Platform", "--manager", "sam@example.com"]) == 0

    created = capsys.readouterr().out.splitlines()
    assert created[0].startswith("Created the team 'Support' (id ") and "managed by maria@example.com" in created[0]
    support = int(created[0].split("(id ")[1].split(")")[0])
    assert created[0].endswith(f"Add its members with: coaching import-members FILE --team {support}")
    assert (support, "created", "system") in _team_events(db_path)

    assert main(["import-members", str(roster), "--team", str(support)]) == 0    # the team named by its id
    capsys.readouterr()
    assert main(["list-teams"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "Team", "Manager", "Members"]
    assert [row.split() for row in rows] == [
        [str(support + 1), "Platform", "sam@example.com", "0"], [str(support), "Support", "maria@example.com", "2"]]


def test_create_team_refuses_a_name_its_manager_already_uses(db_path: Path, capsys) -> None:
    _accounts(db_path, maria="manager", sam="manager")
    assert main(["create-team", "Platform", "--manager", "maria@example.com"]) == 0
    capsys.readouterr()

    assert main(["create-team", " platform ", "--manager", "maria@example.com"]) == 1

    assert error_lines(capsys) == ["coaching: There is already a team called 'platform'; choose another name."]
    assert [detail for _, detail, _ in _team_events(db_path)] == ["created"]
    assert main(["create-team", "Platform", "--manager", "sam@example.com"]) == 0, "another manager's team may"


@pytest.mark.parametrize("email", ["nobody@example.com", "hr@example.com"])
def test_create_team_needs_an_active_manager_account(email: str, db_path: Path, capsys) -> None:
    _accounts(db_path, hr="admin")

    assert main(["create-team", "Platform", "--manager", email]) == 1

    assert error_lines(capsys) == [f"coaching: No active manager account uses {email}; create one first with: "
                                   f"coaching create-user --email {email} --role manager"]
    assert _team_events(db_path) == []


def test_a_newcomer_fills_a_fresh_database_with_the_installed_command(db_path: Path, tmp_path: Path) -> None:
    """The README's first steps, each a run of the installed `coaching` in a shell without a terminal."""
    roster = tmp_path / "people.csv"
    roster.write_text("name,email\nAiko Tanaka,aiko@example.com\nJosé Álvarez,jose@example.com\n", encoding="utf-8")
    environment = {**os.environ, "COACHING_NEW_PASSWORD": "Quiet-Harbour-Lanterns-7431"}

    def coaching(*argv: str, status: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(COACHING), *argv], env=environment, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)
        assert done.returncode == status, (argv, done.stdout, done.stderr)
        return done

    coaching("init-db")
    coaching("create-user", "--email", "maria@example.com", "--role", "manager", "--name", "Maria Silva")
    assert "(id 1)" in coaching("create-team", "Platform engineering", "--manager", "maria@example.com").stdout
    assert coaching("import-members", str(roster), "--team", "platform engineering").stdout.startswith(
        "Imported 2 members into the team 'Platform engineering'.")
    assert coaching("list-teams").stdout == ("ID  Team                  Manager            Members\n"
                                             "1   Platform engineering  maria@example.com  2\n")
    refused = coaching("create-team", "Platform Engineering", "--manager", "maria@example.com", status=1)
    assert refused.stdout == "" and refused.stderr == (
        "coaching: There is already a team called 'Platform Engineering'; choose another name.\n")


# ---- a person's data: export-member, erase-member, purge -----------------------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`coaching init-db --demo` once per module, into a closed file that each test copies."""
    path = tmp_path_factory.mktemp("cli-demo") / "template.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        forget_settings(mp)
        mp.setenv("COACHING_DB", str(path))
        assert main(["init-db", "--demo"]) == 0
    return path


@pytest.fixture
def demo_db(demo_template: Path, db_path: Path, capsys) -> Path:
    import shutil

    shutil.copyfile(demo_template, db_path)
    capsys.readouterr()
    return db_path


def _members_with_email(db_path: Path, email: str) -> int:
    aspire = start(Settings(db=db_path))
    try:
        return aspire.db.scalar("SELECT count(*) FROM member WHERE email = ?", [email])
    finally:
        aspire.close()


def test_export_member_writes_json_to_stdout_and_is_audited(demo_db: Path, capsys) -> None:
    import json

    from coaching.governance.audit import Action, AuditFilter

    assert main(["export-member", "Aiko@Example.com"]) == 0

    out, err = capsys.readouterr()
    document = json.loads(out)
    assert err == ""
    assert document["members"][0]["profile"]["name"] == "Aiko Tanaka"
    assert len(document["members"][0]["responses"]) == 2
    aspire = start(Settings(db=demo_db))
    try:
        (event,) = aspire.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED))
        assert (event.actor_role, event.detail) == ("system", "json export")
    finally:
        aspire.close()


def test_export_member_writes_csv_to_a_file(demo_db: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "aiko.csv"

    assert main(["export-member", "aiko@example.com", "--format", "csv", "--out", str(target)]) == 0

    assert capsys.readouterr().out == f"Wrote the CSV export of aiko@example.com to {target}.\n"
    text = target.read_bytes().decode("utf-8-sig")
    assert text.startswith("section,record,field,value\r\nprofile,")
    assert "Aiko Tanaka" in text


@pytest.mark.parametrize("command", ["export-member", "erase-member"])
def test_an_unknown_email_fails_in_one_line(command: str, demo_db: Path, capsys) -> None:
    assert main([command, "nobody@example.com", *(["--yes"] if command == "erase-member" else [])]) == 1

    assert error_lines(capsys) == ["coaching: No member uses this e-mail."]


def test_erase_member_with_yes_erases_and_says_what_went(demo_db: Path, capsys) -> None:
    assert main(["erase-member", "aiko@example.com", "--yes"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Erased Aiko Tanaka (Platform engineering): 1 member record, 2 responses")
    assert _members_with_email(demo_db, "aiko@example.com") == 0
    assert _members_with_email(demo_db, "jose@example.com") == 1


def test_erase_member_at_a_terminal_asks_for_the_email_again(demo_db: Path) -> None:
    code, screen = run_at_a_terminal(["erase-member", "aiko@example.com"], "AIKO@example.com \n",
                                     after="Type the e-mail again to confirm: ")

    assert code == 0, screen
    assert "This erases every record of Aiko Tanaka (Platform engineering)" in screen
    assert "Erased Aiko Tanaka (Platform engineering)" in screen
    assert _members_with_email(demo_db, "aiko@example.com") == 0


@pytest.mark.parametrize(("typed", "expected"), [("aiko@example.org\n", "not the same e-mail"), ("\x04", "--yes")])
def test_erase_member_without_confirmation_erases_nothing(typed: str, expected: str, demo_db: Path) -> None:
    code, screen = run_at_a_terminal(["erase-member", "aiko@example.com"], typed,
                                     after="Type the e-mail again to confirm: ")

    assert code == 1
    [line] = [line for line in screen.splitlines() if line.startswith("coaching: ")]
    assert expected in line and "nothing was erased" in line, screen
    assert "Traceback" not in screen
    assert _members_with_email(demo_db, "aiko@example.com") == 1


def test_erase_member_on_a_database_held_by_the_app_says_what_to_do(demo_db: Path, capsys) -> None:
    holder_command = [sys.executable, "-c", HOLD_DATABASE, str(demo_db)]
    with subprocess.Popen(holder_command, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
            code = main(["erase-member", "aiko@example.com", "--yes"])
        finally:
            holder.kill()

    assert code == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and "in use" in lines[0] and "Traceback" not in lines[0], lines


def test_purge_removes_old_answers_and_keeps_large_enough_averages(demo_db: Path, capsys) -> None:
    import datetime as dt

    from coaching.privacy.requests import months_before

    assert main(["purge", "--older-than", "1", "--yes"]) == 0

    out = capsys.readouterr().out
    cutoff = months_before(dt.datetime.now(dt.UTC), 1)
    aspire = start(Settings(db=demo_db))
    try:
        remaining = aspire.db.scalar("SELECT count(*) FROM response WHERE submitted_at < ?", [cutoff])
        kept = aspire.db.query("SELECT DISTINCT n FROM aggregate_snapshot")
    finally:
        aspire.close()
    assert remaining == 0
    assert out.startswith("Removed ") and "Kept the organisation-wide averages of wave 2025 (15 people)" in out
    assert kept == [(15,)]


def test_purge_takes_the_period_from_the_setting_or_asks_for_it(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    assert main(["purge"]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and "--older-than" in lines[0] and "COACHING_RETENTION_MONTHS" in lines[0], lines

    monkeypatch.setenv("COACHING_RETENTION_MONTHS", "1200")
    assert main(["purge"]) == 0
    assert capsys.readouterr().out.startswith("No answers were submitted before ")


@pytest.mark.parametrize("months", ["0", "-2", "six"])
def test_purge_refuses_a_period_that_is_not_a_whole_number_of_months(months: str, capsys) -> None:
    assert main(["purge", "--older-than", months]) == 2

    assert "--older-than" in capsys.readouterr().err


# ---- import-members ----------------------------------------------------------------------------------


@pytest.fixture
def two_platform_teams(db_path: Path) -> dict:
    """Maria and Sam each manage a team called "Platform"; Maria also has "Support"."""
    from coaching.core.actors import Role
    from coaching.people import teams

    aspire = start(Settings(db=db_path))
    try:
        maria = accounts_of(aspire).create_user(SYSTEM, "maria@example.com", "Maria", Role.MANAGER, None).actor
        sam = accounts_of(aspire).create_user(SYSTEM, "sam@example.com", "Sam", Role.MANAGER, None).actor
        return {"maria": teams.create_team(aspire, maria, "Platform").id,
                "support": teams.create_team(aspire, maria, "Support").id,
                "sam": teams.create_team(aspire, sam, "Platform").id}
    finally:
        aspire.close()


def _members_of(db_path: Path, team_id: int) -> list[tuple[str, str]]:
    from coaching.people import teams

    aspire = start(Settings(db=db_path))
    try:
        return [(m.name, m.email) for m in teams.list_members(aspire, SYSTEM, team_id)]
    finally:
        aspire.close()


def test_import_members_adds_every_row_to_the_named_team(
    db_path: Path, two_platform_teams: dict, tmp_path: Path, capsys
) -> None:
    roster = tmp_path / "support.csv"
    roster.write_text("name,email,role_title,track,level\n田中 芽衣,Mei@example.com,Engineer,expert,staff\n"
                      "محمد الحداد,mohammed@example.com,,,\n", encoding="utf-8")

    assert main(["import-members", str(roster), "--team", "support"]) == 0

    out, err = capsys.readouterr()
    assert out == ("Imported 2 members into the team 'Support'. Read as comma-separated; columns used: 'name' as "
                   "name, 'email' as e-mail, 'role_title' as role title, 'track' as track, 'level' as level.\n")
    assert err == ""
    assert _members_of(db_path, two_platform_teams["support"]) == [
        ("محمد الحداد", "mohammed@example.com"), ("田中 芽衣", "mei@example.com")]


def test_import_members_prints_every_bad_row_and_imports_nothing(
    db_path: Path, two_platform_teams: dict, tmp_path: Path, capsys
) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_text("name,email,track,level\nAna,ana@example.com,,\nBen,ben@,,\nCleo,ana@example.com,,\n"
                      "Dev,dev@example.com,expert,boss\n", encoding="utf-8")

    assert main(["import-members", str(roster), "--team", "Support"]) == 1

    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and lines[0].startswith("coaching: nothing was imported from")
    assert [line.split(":")[0] for line in lines[1:]] == ["line 3", "line 4", "line 5"]
    assert "'ben@' is not a valid address" in lines[1] and "duplicate e-mail" in lines[2]
    assert "unknown level 'boss'" in lines[3]
    assert _members_of(db_path, two_platform_teams["support"]) == []


@pytest.mark.parametrize(("content", "expected"), [
    (b'name,email\nAna,ana@example.com\n"Ben,ben@example.com\n', 'line 3: a quote (") opened on this line'),
    (b"name,email\nAna,ana@example.com\n" + b"x" * 2_000_000 + b"\n", "line 3: this line is 2,000,000 characters long"),
])
def test_import_members_refuses_an_unreadable_file_in_plain_words(
    db_path: Path, two_platform_teams: dict, tmp_path: Path, capsys, content: bytes, expected: str
) -> None:
    roster = tmp_path / "broken.csv"
    roster.write_bytes(content)

    assert main(["import-members", str(roster), "--team", "Support"]) == 1

    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == 2 and "Traceback" not in err
    assert lines[0].startswith("coaching: nothing was imported from") and lines[1].startswith(expected)
    assert _members_of(db_path, two_platform_teams["support"]) == []


def test_import_members_needs_one_team_of_that_name(two_platform_teams: dict, tmp_path: Path, capsys) -> None:
    roster = tmp_path / "people.csv"
    roster.write_text("name,email\nAna,ana@example.com\n", encoding="utf-8")

    assert main(["import-members", str(roster), "--team", "Platform"]) == 1
    [line] = error_lines(capsys)
    assert "2 teams are called 'Platform'" in line and "maria@example.com" in line and "sam@example.com" in line
    assert "--manager" in line

    assert main(["import-members", str(roster), "--team", "Nowhere"]) == 1
    assert error_lines(capsys) == ["coaching: No active team called 'Nowhere'."]

    assert main(["import-members", str(roster), "--team", "Support", "--manager", "sam@example.com"]) == 1
    assert error_lines(capsys) == ["coaching: No active team called 'Support' managed by sam@example.com."]


def test_import_members_with_a_manager_picks_their_team(
    db_path: Path, two_platform_teams: dict, tmp_path: Path, capsys
) -> None:
    roster = tmp_path / "people.csv"
    roster.write_text("name,email\nAna,ana@example.com\n", encoding="utf-8")

    assert main(["import-members", str(roster), "--team", "Platform", "--manager", "SAM@example.com"]) == 0

    assert capsys.readouterr().out.startswith("Imported 1 member into the team 'Platform'. Read as comma-separated")
    assert _members_of(db_path, two_platform_teams["sam"]) == [("Ana", "ana@example.com")]
    assert _members_of(db_path, two_platform_teams["maria"]) == []


def test_import_members_of_a_missing_file_fails_in_one_line(tmp_path: Path, capsys) -> None:
    assert main(["import-members", str(tmp_path / "none.csv"), "--team", "Platform"]) == 1
    [line] = error_lines(capsys)
    assert line.startswith("coaching: Cannot read ") and "No such file" in line


# ---- backup and restore -----------------------------------------------------------------------------


def _team_names(db_path: Path) -> list[str]:
    aspire = start(Settings(db=db_path))
    try:
        return sorted(t.name for t in list_teams(aspire, SYSTEM))
    finally:
        aspire.close()


def test_backup_writes_the_folder_says_what_it_holds_and_warns_of_personal_data(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    assert main(["backup", str(tmp_path / "backup")]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert "2 teams, 15 members, 30 responses, 3 accounts" in out and "personal data" in out, out
    assert (tmp_path / "backup" / "manifest.json").is_file()


def test_backup_into_a_folder_that_is_not_empty_fails_in_one_line(demo_db: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "old.txt").write_text("keep", encoding="utf-8")

    assert main(["backup", str(tmp_path / "busy")]) == 1

    [line] = error_lines(capsys)
    assert "not empty" in line and "Traceback" not in line
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["old.txt"]


def test_backup_while_the_app_holds_the_database_points_to_the_backup_screen(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    holder_command = [sys.executable, "-c", HOLD_DATABASE, str(demo_db)]
    with subprocess.Popen(holder_command, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
            code = main(["backup", str(tmp_path / "backup")])
        finally:
            holder.kill()

    assert code == 1
    [line] = error_lines(capsys)
    assert "in use" in line and "Backup screen" in line, line
    assert not (tmp_path / "backup").exists()


def test_restore_into_a_new_database_then_refuses_to_overwrite_it_without_force(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    assert main(["backup", str(tmp_path / "backup")]) == 0
    capsys.readouterr()
    restored = tmp_path / "restored.duckdb"
    monkeypatch.setenv("COACHING_DB", str(restored))

    assert main(["restore", str(tmp_path / "backup")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Restored the backup made ") and str(restored) in out, out
    assert _team_names(restored) == ["Customer success", "Platform engineering"]

    assert main(["restore", str(tmp_path / "backup")]) == 1
    [line] = error_lines(capsys)
    assert "already holds 2 teams" in line and "--force" in line, line

    assert main(["restore", str(tmp_path / "backup"), "--force", "--yes"]) == 0


def test_restore_takes_the_zip_an_admin_downloaded(demo_db: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    from coaching.privacy.backup import download_backup

    aspire = start(Settings(db=demo_db))
    try:
        made = download_backup(aspire, SYSTEM)
    finally:
        aspire.close()
    (tmp_path / made.filename).write_bytes(made.data)
    monkeypatch.setenv("COACHING_DB", str(tmp_path / "from-zip.duckdb"))

    assert main(["restore", str(tmp_path / made.filename)]) == 0

    assert _team_names(tmp_path / "from-zip.duckdb") == ["Customer success", "Platform engineering"]


def test_restore_of_a_folder_that_is_no_backup_fails_in_one_line(db_path: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "photos").mkdir()

    assert main(["restore", str(tmp_path / "photos")]) == 1

    [line] = error_lines(capsys)
    assert "holds no manifest.json" in line and "Traceback" not in line
    assert not db_path.exists()


# ---- questions before destroying data -----------------------------------------------------------------


def _held(db_path: Path) -> tuple[int, int]:
    """Aiko's member records and the responses: what the destructive commands below would remove."""
    aspire = start(Settings(db=db_path))
    try:
        return (aspire.db.scalar("SELECT count(*) FROM member WHERE email = 'aiko@example.com'"),
                aspire.db.scalar("SELECT count(*) FROM response"))
    finally:
        aspire.close()


@pytest.mark.parametrize(("argv", "refused"), [
    (["erase-member", "aiko@example.com"], "nothing was erased"),
    (["purge", "--older-than", "1"], "nothing was removed"),
    (["restore", "{backup}", "--force"], "nothing was restored"),
])
def test_without_a_terminal_a_destructive_command_needs_yes(
    argv: list[str], refused: str, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    assert main(["backup", str(tmp_path / "backup")]) == 0
    capsys.readouterr()
    held = _held(demo_db)
    without_a_terminal(monkeypatch)

    assert main([a.format(backup=tmp_path / "backup") for a in argv]) == 1

    assert error_lines(capsys) == [
        f"coaching: No terminal to ask on, so {refused}: pass --yes to go ahead without a question."]
    assert _held(demo_db) == held


def test_purge_at_a_terminal_removes_nothing_unless_told_yes(demo_db: Path) -> None:
    held = _held(demo_db)

    code, screen = run_at_a_terminal(["purge", "--older-than", "1"], "\n", after="[y/N]")

    assert code == 1
    assert "This removes 30 responses submitted more than 1 month ago" in screen
    assert "coaching: Not confirmed, so nothing was removed." in screen
    assert _held(demo_db) == held


def test_restore_force_at_a_terminal_replaces_the_database_when_told_yes(demo_db: Path, tmp_path: Path) -> None:
    assert main(["backup", str(tmp_path / "backup")]) == 0
    assert main(["erase-member", "aiko@example.com", "--yes"]) == 0

    code, screen = run_at_a_terminal(["restore", str(tmp_path / "backup"), "--force"], "y\n", after="[y/N]")

    assert code == 0, screen
    assert f"This replaces the database {demo_db}, and everything it holds, by the backup" in screen
    assert "Restored the backup made " in screen
    assert _held(demo_db) == (1, 30)
