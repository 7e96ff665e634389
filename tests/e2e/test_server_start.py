"""The app holds its database from the moment the server starts (server.py), not from the first visitor: every
command of the CLI that writes is refused in plain words before any page was served and after, and the file is
left as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.environment import without_settings

from .helpers import REPO_ROOT, AppServer, log_in, start_app, wait_for_app

COACHING = Path(sys.executable).with_name("coaching")
IN_USE = "is in use by another Aspire process"


@pytest.fixture(scope="module")
def spare_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of another, stopped database: what `restore --force` would put in place."""
    root = tmp_path_factory.mktemp("spare")
    env = {**without_settings(), "COACHING_DB": str(root / "spare.duckdb")}
    for argv in (["init-db", "--demo"], ["backup", str(root / "backup")]):
        subprocess.run([str(COACHING), *argv], env=env, check=True, capture_output=True, cwd=REPO_ROOT)
    return root / "backup"


def writing_commands(tmp_path: Path, backup: Path) -> dict[str, list[str]]:
    people = tmp_path / "people.csv"
    people.write_text("name,email\nNew Person,new.person@example.com\n", encoding="utf-8")
    return {
        "init-db": ["init-db"],
        "create-user": ["create-user", "--email", "eve@example.com", "--role", "admin", "--name", "Eve"],
        "create-team": ["create-team", "Data", "--manager", "maria@example.com"],
        "import-members": ["import-members", str(people), "--team", "Platform"],
        "erase-member": ["erase-member", "aiko@example.com", "--yes"],
        "purge": ["purge", "--older-than", "1"],
        "restore --force": ["restore", str(backup), "--force", "--yes"],
    }


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_every_command_is_refused(app: AppServer, tmp_path: Path, backup: Path) -> None:
    before = digest(app.db_path)
    env = {**without_settings(), "COACHING_DB": str(app.db_path), "COACHING_NEW_PASSWORD": "a long passphrase 9"}
    for name, argv in writing_commands(tmp_path, backup).items():
        done = subprocess.run([str(COACHING), *argv], env=env, capture_output=True, text=True, cwd=REPO_ROOT,
                              stdin=subprocess.DEVNULL, timeout=120)
        assert done.returncode != 0, f"{name} ran against the app's database: {done.stdout}"
        assert IN_USE in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr, (name, done.stderr)
    assert digest(app.db_path) == before, "a refused command changed the database file"


def test_the_cli_is_refused_from_the_first_second_and_after_the_first_page(
        page: Page, tmp_path: Path, spare_backup: Path) -> None:
    app = start_app(tmp_path / "app", {"COACHING_DEMO": "1"})     # as the README says: streamlit run server.py
    try:
        assert app.script == "server.py"
        assert_every_command_is_refused(app, tmp_path, spare_backup)        # no page served yet

        page.goto(app.url)
        wait_for_app(page)
        log_in(page, app, "maria@example.com", "demo-manager-1")
        expect(page.get_by_text("What your people need")).to_be_visible(timeout=60_000)

        assert_every_command_is_refused(app, tmp_path, spare_backup)        # and with a visitor on the app
        # The database opened outside any page once drew a spinner there: Streamlit logged a warning a newcomer
        # reads in `make run`'s first lines.
        assert "ScriptRunContext" not in app.log() and "Traceback" not in app.log(), app.log()
    finally:
        app.stop()
