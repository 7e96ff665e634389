"""The `coaching` command: exit codes and the one line it prints, on real database files under tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coaching.actors import SYSTEM
from coaching.aspire import start
from coaching.cli import main
from coaching.settings import Settings

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
        assert {t.name for t in aspire.store.teams(SYSTEM)} == {"Platform engineering", "Customer success"}
        assert [w.name for w in aspire.store.waves()] == ["2025", "2026"]
    finally:
        aspire.close()


def test_init_db_without_demo_creates_an_empty_database(db_path: Path) -> None:
    assert main(["init-db"]) == 0

    aspire = start(Settings(db=db_path))
    try:
        assert not aspire.is_demo
        assert aspire.store.is_empty()
        assert aspire.instruments, "the shipped instrument versions are recorded"
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
    from coaching.accounts import Accounts

    monkeypatch.setattr("getpass.getpass", _no_prompt)
    monkeypatch.setenv("COACHING_NEW_PASSWORD", "Quiet-Harbour-Lanterns-7431")

    assert main(["create-user", "--email", "Hr@Example.com", "--role", "admin", "--name", "Harriet Berg"]) == 0

    out, err = capsys.readouterr()
    assert out == "Created admin account for hr@example.com.\n"
    assert err == ""
    aspire = start(Settings(db=db_path))
    try:
        actor = Accounts(aspire.store.db).authenticate("hr@example.com", "Quiet-Harbour-Lanterns-7431")
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
    from coaching.accounts import Accounts

    monkeypatch.setattr("getpass.getpass", lambda *_a, **_k: "Seven-Orange-Kettles-2208")

    assert main(["create-user", "--email", "sam@example.com", "--role", "manager"]) == 0

    assert capsys.readouterr().out == "Created manager account for sam@example.com.\n"
    aspire = start(Settings(db=db_path))
    try:
        assert Accounts(aspire.store.db).authenticate("sam@example.com", "Seven-Orange-Kettles-2208").name == "sam"
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
        assert aspire.store.db.scalar("SELECT count(*) FROM app_user WHERE email LIKE '%example.com'") == 0
    finally:
        aspire.close()


def test_create_user_refuses_an_email_that_already_has_an_account(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COACHING_NEW_PASSWORD", "Quiet-Harbour-Lanterns-7431")
    assert main(["create-user", "--email", "sam@example.com", "--role", "manager"]) == 0
    capsys.readouterr()

    assert main(["create-user", "--email", "SAM@example.com", "--role", "admin"]) == 1

    lines = error_lines(capsys)
    assert lines == ["coaching: An account with this email already exists."]
