"""Data requests in a real browser: an admin exports a member's data, erases them through the dialog,
and purges old answers through the retention dialog. One app server (demo data) for the module."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import AppServer, assert_no_exception, log_in, wait_for_app

DEMO_ADMIN = ("hr@example.com", "demo-admin-1")
MEMBER = "aiko@example.com"


@pytest.fixture(scope="module")
def app(demo_app: AppServer) -> AppServer:
    """This module's own demo server (conftest's demo_app), under the name the tests use."""
    return demo_app


def _database_bytes(app: AppServer) -> bytes:
    wal = app.db_path.with_name(app.db_path.name + ".wal")
    return app.db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def open_data_requests(page: Page, app: AppServer) -> None:
    log_in(page, app, *DEMO_ADMIN)
    page.get_by_role("link", name="Data requests").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Data requests")).to_be_visible()
    assert_no_exception(page)


def find_member(page: Page, email: str) -> None:
    box = page.get_by_label("Member's email")
    box.fill(email)
    box.press("Enter")
    wait_for_app(page)


def test_an_admin_exports_then_erases_a_member(page: Page, app: AppServer) -> None:
    open_data_requests(page, app)
    find_member(page, "nobody@example.com")
    expect(page.get_by_text("No member uses this e-mail.")).to_be_visible()

    find_member(page, MEMBER)
    expect(page.get_by_text("Aiko Tanaka (Platform engineering)")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download JSON").click()
    exported = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert exported["members"][0]["profile"]["name"] == "Aiko Tanaka"
    assert download_info.value.suggested_filename == "aspire-data-aiko_at_example.com.json"
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    assert Path(download_info.value.path()).read_bytes().startswith(b"\xef\xbb\xbfsection,record,field,value")
    assert MEMBER.encode() in _database_bytes(app), "the test must first see the e-mail it then expects gone"

    page.get_by_role("button", name="Erase everything about this person").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("It cannot be undone.")).to_be_visible()
    dialog.get_by_label("Type the e-mail again to confirm").fill("someone@example.com")
    dialog.get_by_role("button", name="Erase", exact=True).click()
    expect(dialog.get_by_text("That is not the same e-mail; nothing was erased.")).to_be_visible()
    dialog.get_by_label("Type the e-mail again to confirm").fill(MEMBER)
    dialog.get_by_role("button", name="Erase", exact=True).click()

    expect(page.get_by_text(re.compile(r"^Erased Aiko Tanaka \(Platform engineering\): 1 member record, 2 responses"))
           ).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("No member uses this e-mail.")).to_be_visible()
    assert_no_exception(page)
    still_there = MEMBER.encode() in _database_bytes(app)   # a plain bool: a failure must not print the file
    assert not still_there, "the erased member's e-mail is still in the database file"



def test_an_admin_purges_answers_past_the_retention_period(page: Page, app: AppServer) -> None:
    open_data_requests(page, app)
    months = page.get_by_label("Purge answers older than (months)")
    expect(months).to_have_value("24")
    months.fill("1")
    months.press("Enter")
    wait_for_app(page)

    page.get_by_role("button", name="Purge older answers").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(re.compile(r"raw answers of \d+ responses submitted before"))
           ).to_be_visible()
    dialog.get_by_role("button", name="Purge", exact=True).click()

    expect(page.get_by_text(re.compile(r"^Removed \d+ responses submitted before"))).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert_no_exception(page)
