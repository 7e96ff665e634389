"""AppTest fixtures: the real app.py against its own fresh DuckDB file under tmp_path.

- Settings come from COACHING_* variables, set per test with monkeypatch; any the developer has
  exported are removed first, so a test never reads or writes data/coaching.duckdb.
- Seeding the demo organisation takes about a second, so it runs once per session into a template
  file; `demo_db` copies that file into the test's tmp_path (the test still owns a fresh file).
- Each AppTest's first run asks Streamlit to scan every installed package for components, about 0.15 s of CPU
  a time; the installed packages do not change during a session, so the scan runs once per test process.
- `coaching.ui.context` caches one Aspire per settings in st.cache_resource. Every Aspire the app
  starts during a test is recorded (the real `start` runs), closed at teardown, and the cache is
  cleared, so no test sees another's store and no file stays open.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
import streamlit.components.v2.manifest_scanner as component_scan
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

import coaching.ui.context as ui_context
from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Role
from coaching.core.settings import PROJECT_DIR, Settings
from coaching.people.accounts import accounts_of
from coaching.startup import start
from coaching.ui.format import WORD_JOINER
from tests.environment import forget_settings

APP = PROJECT_DIR / "app.py"
ERROR_SCREEN = "Something went wrong"


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(component_scan, "scan_component_manifests", cache(component_scan.scan_component_manifests))
        yield


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database seeded with the demo organisation once per session, closed so it can be copied."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        forget_settings(mp)
        aspire = start(Settings(db=path, demo=True))
    try:
        assert aspire.is_demo
    finally:
        aspire.close()
    assert not path.with_name(path.name + ".wal").exists(), "closing the template left a WAL behind"
    return path


@pytest.fixture(autouse=True)
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Aspire]]:
    """Clean COACHING_* environment; every Aspire the app starts in this test, closed afterwards."""
    forget_settings(monkeypatch)
    st.cache_resource.clear()
    aspires: list[Aspire] = []

    def recording_start(settings: Settings) -> Aspire:
        aspire = start(settings)
        aspires.append(aspire)
        return aspire

    monkeypatch.setattr(ui_context, "start", recording_start)
    yield aspires
    st.cache_resource.clear()
    for aspire in aspires:
        aspire.close()


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "aspire.duckdb"
    monkeypatch.setenv("COACHING_DB", str(path))
    return path


@pytest.fixture
def demo_db(db_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the demo organisation, with COACHING_DEMO on."""
    shutil.copyfile(demo_template, db_path)
    monkeypatch.setenv("COACHING_DEMO", "true")
    return db_path


@contextmanager
def domain(db_path: Path) -> Iterator[Aspire]:
    """The database as the domain sees it, opened before or after (not during) the app's own use."""
    aspire = start(Settings(db=db_path))
    try:
        yield aspire
    finally:
        aspire.close()


EMPTY_MANAGER = ("pat@example.com", "pat-password-1")
EMPTY_ADMIN = ("ada@example.com", "ada-password-1")


@pytest.fixture
def empty_db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with no teams or answers, only a manager and an admin account; demo data off."""
    monkeypatch.setenv("COACHING_DEMO", "false")
    aspire = start(Settings(db=db_path))
    try:
        for (email, password), role in ((EMPTY_MANAGER, Role.MANAGER), (EMPTY_ADMIN, Role.ADMIN)):
            accounts_of(aspire).create_user(SYSTEM, email, email.split("@")[0].title(), role, password)
    finally:
        aspire.close()
    return db_path


@pytest.fixture
def open_app() -> Callable[..., AppTest]:
    """Run app.py, then (optionally) switch to one of its pages and run again, as a user's click does."""

    def open_(page: str | None = None, login: tuple[str, str] | None = DEMO_MANAGER) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=30).run()
        if login is not None:
            at = log_in(at, *login)
        if page is not None:
            assert_healthy(at)
            at.switch_page(page).run()
        return at

    return open_


DEMO_MANAGER = ("maria@example.com", "demo-manager-1")
DEMO_ADMIN = ("hr@example.com", "demo-admin-1")


def log_in(at: AppTest, email: str, password: str) -> AppTest:
    """Fill in the login form and press "Log in", as a person would."""
    assert_healthy(at)
    fields = {t.label: t for t in at.text_input}
    fields["Email"].input(email)
    fields["Password"].input(password)
    next(b for b in at.button if b.label == "Log in").click().run()
    assert_healthy(at)
    # AppTest keeps asking for the login page after the menu changed; a browser lands on the default page.
    at.switch_page("screens/home.py").run()
    assert at.session_state["actor"].role.value in ("manager", "admin"), [e.value for e in at.error]
    return at


def shown_tables(at: AppTest | Block) -> list[pd.DataFrame]:
    """Every `show_table` on the page as the reader sees it: the escapes that keep cells from being read as
    Markdown or links (backslashes, invisible word joiners) removed, so each cell is the text as typed."""
    def unescape(value: object) -> object:
        return re.sub(r"\\(.)", r"\1", value).replace(WORD_JOINER, "") if isinstance(value, str) else value

    return [t.value.rename(columns=unescape).map(unescape) for t in at.table]


def assert_healthy(at: AppTest) -> None:
    """Neither Streamlit's exception box nor the app's own error screen is showing."""
    assert not at.exception, [e.message for e in at.exception]
    shown = [e.value for e in at.error]
    assert not any(ERROR_SCREEN in text for text in shown), shown


def texts(elements) -> list[str]:
    """The Markdown of each element, as the screen wrote it (people's names escaped by coaching.ui.format.plain)."""
    return [e.value for e in elements]


def unescaped(elements) -> list[str]:
    """Shown text, with the backslashes that keep people's names from being read as Markdown removed."""
    return [e.value.replace("\\", "") for e in elements]
