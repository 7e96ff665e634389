"""The command line beside a running app, on PostgreSQL: the server, not a file lock, keeps them apart.

On DuckDB the app holds the file and `coaching import-members` or `export-member` refuse while it runs; on
PostgreSQL they work while it runs, and a manager whose browser is open sees a member the command line
imported on the next rerun of the screen. The app is started as the README says (`streamlit run app.py` with
COACHING_DB=postgresql://...), the commands are the installed `coaching` script, each a process of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coaching.core.settings import load_settings
from coaching.startup import start
from tests.environment import without_settings
from tests.postgres_server import PostgresServer

from .helpers import REPO_ROOT, AppServer, log_in, settle

DEMO_MANAGER = ("maria@example.com", "demo-manager-1")
TEAM = "Platform engineering"          # Maria's team in the demo organisation
NEWCOMER = ("Noor Haddad", "noor.haddad@example.com")
COACHING = Path(sys.executable).with_name("coaching")    # the installed script, beside this Python


@pytest.fixture(scope="module")
def database(postgres_server: PostgresServer) -> Iterator[str]:
    """A PostgreSQL database holding the demo organisation (seeded here, before the app opens it)."""
    name = f"cli_beside_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name)
    start(load_settings(db=postgres_server.url(name), demo=True)).close()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[AppServer]:
    server = AppServer(tmp_path_factory.mktemp("cli-beside-app"), {"COACHING_DB": database, "COACHING_DEMO": "1"},
                       script="app.py").start()
    try:
        yield server
    finally:
        server.stop()


def coaching(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one `coaching` command on the database, as an admin would in a shell beside the app."""
    return subprocess.run([str(COACHING), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                          env={**without_settings(), "COACHING_DB": database, "PYTHONPATH": str(REPO_ROOT)})


def test_list_import_and_export_work_while_the_app_runs_and_the_manager_sees_the_import(
    page: Page, app: AppServer, database: str, tmp_path: Path
) -> None:
    log_in(page, app, *DEMO_MANAGER)
    members_link = page.get_by_role("link", name="Members", exact=True)
    members_link.click()
    settle(page, page.get_by_role("heading", name="Members", exact=True))
    expect(page.get_by_role("combobox", name="Team", exact=True)).to_have_value(TEAM)
    roster = page.get_by_test_id("stTable").first
    expect(roster).to_be_visible()
    expect(roster.get_by_text(NEWCOMER[0])).to_have_count(0)

    listed = coaching(database, "list-teams")
    assert listed.returncode == 0, listed.stderr
    assert any(TEAM in line and DEMO_MANAGER[0] in line for line in listed.stdout.splitlines()), listed.stdout

    people = tmp_path / "people.csv"
    people.write_text(f"name,email\n{NEWCOMER[0]},{NEWCOMER[1]}\n", encoding="utf-8")
    imported = coaching(database, "import-members", str(people), "--team", TEAM, "--manager", DEMO_MANAGER[0])
    assert imported.returncode == 0, imported.stderr
    assert "1" in imported.stdout and TEAM in imported.stdout, imported.stdout

    exported = coaching(database, "export-member", NEWCOMER[1])
    assert exported.returncode == 0, exported.stderr
    assert NEWCOMER[0] in json.dumps(json.loads(exported.stdout), ensure_ascii=False)

    members_link.click()          # the next rerun of the same screen, in the same session
    settle(page, roster.get_by_text(NEWCOMER[0], exact=True))
    assert app.process is not None and app.process.poll() is None, "the app kept running beside the commands"
