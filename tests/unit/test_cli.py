"""The `coaching` command: exit codes and the one line it prints, on real database files under tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
        manager = aspire.local_manager()
        assert {t.name for t in aspire.store.teams(manager)} == {"Platform engineering", "Customer success"}
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
