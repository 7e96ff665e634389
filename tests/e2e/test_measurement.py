"""In a real browser, the app started as the README says: the manager reads the scoring's judgement in words.

The demo organisation, through the new rules: a person whose answers cannot separate two needs is shown
both, in order, in plain words (never a list of five); the admin's Questionnaire screen says how many
straight-lined responses were left out of the reliability estimate.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .helpers import AppServer, assert_no_exception, wait_for_app


def _log_in(page: Page, app: AppServer, path: str, email: str, password: str) -> None:
    page.goto(f"{app.url}/{path}")
    wait_for_app(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_text("Logged in as").wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)


def test_two_close_needs_are_named_in_plain_words_on_the_one_on_one_page(page: Page, demo_app: AppServer) -> None:
    _log_in(page, demo_app, "member", "maria@example.com", "demo-manager-1")
    page.get_by_role("combobox", name="Member").click()
    page.get_by_role("option", name="José Álvarez (Platform engineering)").click()
    wait_for_app(page)
    expect(page.get_by_text("Status and responsibility or autonomy: their answers cannot separate them")
           ).to_be_visible(timeout=60_000)
    page.screenshot(path="/tmp/aspire-measurement-member.png", full_page=True)


def test_the_questionnaire_screen_says_how_many_straight_lines_were_left_out(page: Page, demo_app: AppServer) -> None:
    _log_in(page, demo_app, "questionnaire", "hr@example.com", "demo-admin-1")
    expect(page.get_by_text("1 straight-lined response was left out")).to_be_visible(timeout=60_000)
    page.screenshot(path="/tmp/aspire-measurement-questionnaire.png", full_page=True)
