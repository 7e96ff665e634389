"""The `coaching` command: exit codes and the one line it prints, on real database files under tmp_path."""

from __future__ import annotations

import os
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

HOLD_DATABASE = "import duckdb,time,sys; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"


@pytest.fixture(autouse=True)
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Only this test's settings: the developer's COACHING_* variables and database stay out of it."""
    for name in list(os.environ):
        if name.upper().startswith("COACHING_"):
            monkeypatch.delenv(name)
    path = tmp_path / "aspire.duckdb"
    monkeypatch.setenv("COACHING_DB", str(path))
    return path


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    out, err = capsys.readouterr()
    assert out == ""
    return err.splitlines()


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


# ---- a person's data: export-member, erase-member, purge -----------------------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`coaching init-db --demo` once per module, into a closed file that each test copies."""
    path = tmp_path_factory.mktemp("cli-demo") / "template.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.upper().startswith("COACHING_"):
                mp.delenv(name)
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


def test_erase_member_asks_for_the_email_again(demo_db: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "AIKO@example.com "

    monkeypatch.setattr("builtins.input", answer)

    assert main(["erase-member", "aiko@example.com"]) == 0

    assert prompts == ["Type the e-mail again to confirm: "]
    out = capsys.readouterr().out
    assert "This erases every record of Aiko Tanaka (Platform engineering)" in out
    assert _members_with_email(demo_db, "aiko@example.com") == 0


@pytest.mark.parametrize(("typed", "expected"), [("aiko@example.org", "not the same e-mail"), (EOFError, "--yes")])
def test_erase_member_without_confirmation_erases_nothing(
    typed, expected: str, demo_db: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def answer(_prompt: str) -> str:
        if typed is EOFError:
            raise EOFError
        return typed

    monkeypatch.setattr("builtins.input", answer)

    assert main(["erase-member", "aiko@example.com"]) == 1

    _, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1 and expected in lines[0] and "nothing was erased" in lines[0], lines
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

    assert main(["purge", "--older-than", "1"]) == 0

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
    with pytest.raises(SystemExit) as stopped:
        main(["purge", "--older-than", months])

    assert stopped.value.code == 2
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

    assert main(["restore", str(tmp_path / "backup"), "--force"]) == 0


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
