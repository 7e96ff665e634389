"""The Members screen in a real browser: archiving through the confirmation dialog, and the CSV upload.

One app server with the demo organisation for the module; Maria manages "Platform engineering".
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import AppServer, assert_no_exception, log_in, wait_for_app

DEMO_MANAGER = ("maria@example.com", "demo-manager-1")


@pytest.fixture(scope="module")
def app(demo_app: AppServer) -> AppServer:
    """This module's own demo server (conftest's demo_app), under the name the tests use."""
    return demo_app


def open_members(page: Page, app: AppServer) -> None:
    log_in(page, app, *DEMO_MANAGER)
    page.get_by_role("link", name="Members").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    assert_no_exception(page)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def upload(page: Page, text: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": "members.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")})
    wait_for_app(page)
    page.get_by_role("button", name="Import members").click()
    wait_for_app(page)
    assert_no_exception(page)


def test_a_manager_archives_a_member_after_confirming(page: Page, app: AppServer) -> None:
    open_members(page, app)
    open_tab(page, "Edit, move or archive")
    chosen = page.get_by_role("combobox", name="Member", exact=True)
    expect(chosen).to_have_value(re.compile(r"^Aiko Tanaka"))

    page.get_by_role("button", name="Archive…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("leaves this team's list and future rounds")).to_be_visible()
    dialog.get_by_role("button", name="Archive", exact=True).click()
    wait_for_app(page)

    expect(page.get_by_text("Archived Aiko Tanaka.")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    open_tab(page, "Edit, move or archive")
    chosen.click()
    expect(page.get_by_role("option", name=re.compile(r"^Chen Wei"))).to_have_count(1)
    expect(page.get_by_role("option", name=re.compile(r"^Aiko Tanaka"))).to_have_count(0)
    chosen.press("Escape")
    assert_no_exception(page)


def test_a_bad_csv_file_shows_every_bad_row_and_a_good_one_imports(page: Page, app: AppServer) -> None:
    open_members(page, app)
    open_tab(page, "Import from CSV")
    upload(page, "name,email,track,level\n"
                 "Mei Tanaka,mei@example.com,,\n"
                 "Dev,not-an-email,,\n"
                 "Eve,eve@example.com,expert,boss\n")

    expect(page.get_by_text("Nothing was imported")).to_be_visible()
    problems = page.get_by_test_id("stTable").last
    expect(problems).to_contain_text("E-mail 'not-an-email' is not a valid address")
    expect(problems).to_contain_text("unknown level 'boss'")

    upload(page, "name,email,role_title\n田中 芽衣,mei@example.com,Engineer\nZoë Ågren,zoe@example.com,\n")
    expect(page.get_by_text(re.compile(r"^Imported 2 members into Platform engineering"))).to_be_visible()
    expect(page.get_by_test_id("stTable").first).to_contain_text("田中 芽衣")
    # The import tab stays open after the import (it used to jump back to "Add member").
    expect(page.get_by_role("tab", name="Import from CSV")).to_have_attribute("aria-selected", "true")
