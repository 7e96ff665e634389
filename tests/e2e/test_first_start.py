"""A first start as the README describes it: the first admin and the mail login from the environment, no base URL.

One `streamlit run server.py` (what `make run` starts) for the module, with COACHING_ADMIN_EMAIL and
COACHING_ADMIN_PASSWORD set, a mail server that requires a login (COACHING_SMTP_USER / COACHING_SMTP_PASSWORD)
and no COACHING_BASE_URL, on a database that holds one manager with two teams and no admin yet.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coaching.core.actors import SYSTEM, Role
from coaching.core.settings import Settings
from coaching.people.accounts import accounts_of
from coaching.people.teams import add_member, create_team
from coaching.startup import start
from tests.smtp_server import SmtpServer, running_smtp_server

from .helpers import AppServer, assert_no_exception, log_in, settle, wait_for_app

ADMIN = ("hr@yourcompany.example", "a long passphrase")
MANAGER = ("lee@yourcompany.example", "lee-password-1")
SMTP_LOGIN = ("aspire", "mail-secret-42")
PEOPLE = {"ana@yourcompany.example": "Ana Ruiz", "ben@yourcompany.example": "Ben Okafor"}
FORMULA_NAME = '=HYPERLINK("http://evil.example","Ana")'


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server(login=SMTP_LOGIN, login_required=True) as server:
        yield server


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[AppServer]:
    server = AppServer(tmp_path_factory.mktemp("first-start"), env={
        "COACHING_DEMO": "0", "COACHING_ADMIN_EMAIL": ADMIN[0], "COACHING_ADMIN_PASSWORD": ADMIN[1],
        **smtp.env, "COACHING_SMTP_USER": SMTP_LOGIN[0], "COACHING_SMTP_PASSWORD": SMTP_LOGIN[1],
    })
    del server.env["COACHING_BASE_URL"]   # as in the README: links follow the port the app was started on
    server.workdir.mkdir(parents=True, exist_ok=True)
    aspire = start(Settings(db=server.db_path))
    try:
        lee = accounts_of(aspire).create_user(SYSTEM, MANAGER[0], "Lee", Role.MANAGER, MANAGER[1]).actor
        team = create_team(aspire, lee, "Platform")
        for email, name in PEOPLE.items():
            add_member(aspire, lee, team.id, {"name": name, "email": email})
        add_member(aspire, lee, create_team(aspire, lee, "Support").id,
                   {"name": FORMULA_NAME, "email": "odd@yourcompany.example"})
    finally:
        aspire.close()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_first_admin_from_the_environment_logs_in(page: Page, app: AppServer) -> None:
    log_in(page, app, *ADMIN)

    expect(page.get_by_text("Logged in as Administrator (admin)")).to_be_visible()
    expect(page.get_by_role("link", name="Audit log")).to_be_visible()
    assert_no_exception(page)


def test_the_audit_log_finds_a_person_and_downloads_their_entries_formula_safe(page: Page, app: AppServer,
                                                                              tmp_path: Path) -> None:
    log_in(page, app, *ADMIN)
    page.get_by_role("link", name="Audit log").click()
    wait_for_app(page)
    page.get_by_label("Whose data: a person's name or e-mail").fill("ODD@")
    page.keyboard.press("Enter")
    settle(page, page.get_by_text("1 entry, newest first"))
    expect(page.get_by_role("combobox", name="Person")).to_have_value(f"{FORMULA_NAME} <odd@yourcompany.example>")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download these entries (CSV)").click()
    saved = tmp_path / "audit.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["when_utc", "done_by", "action", "whose_data", "where"]
    assert [row[1:] for row in rows[1:]] == [
        ["Lee <lee@yourcompany.example>", "changed", f"'{FORMULA_NAME} <odd@yourcompany.example>", "added"]]


def test_links_follow_the_apps_port_and_the_mail_server_login_works(page: Page, app: AppServer,
                                                                    smtp: SmtpServer) -> None:
    log_in(page, app, *MANAGER)
    page.get_by_role("link", name="Rounds", exact=True).click()
    wait_for_app(page)
    base = f"http://localhost:{app.port}"
    expect(page.get_by_text(f"Personal links point to {base}, this machine")).to_be_visible()

    new_round = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Open round"))
    new_round.get_by_role("button", name="Open round").click()
    settle(page, page.get_by_text("Round opened for 2 members."))
    shown = {text.strip() for text in page.get_by_test_id("stCode").all_inner_texts()}
    assert len(shown) == 2 and all(re.fullmatch(rf"{re.escape(base)}/respond\?invite=\S+", s) for s in shown), shown

    page.get_by_role("button", name="E-mail these links").click()
    settle(page, page.get_by_text("Sent to 2 of 2 people."))
    messages = smtp.wait_for(2, timeout=20)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(PEOPLE)
    assert smtp.logins == [SMTP_LOGIN[0]], "the app logged in with the configured password"
    assert all(any(link in m.get_content() for link in shown) for m in messages)
