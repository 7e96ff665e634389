"""Through the pages, in a real browser: a manager cannot open another manager's team by guessing its id."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .helpers import AppServer, assert_no_exception, wait_for_app

CUSTOMER_SUCCESS_ID = 2          # the demo seeds Platform engineering (Maria's) first, then Customer success (Sam's)
SAMS_PEOPLE = ("Grace Okafor", "Mateo Rossi", "Tomasz Wójcik")


def test_guessed_team_id_in_the_address_shows_none_of_that_team(page: Page, demo_app: AppServer) -> None:
    """The link survives logging in, but another manager's team id leads to one's own team only."""
    page.goto(f"{demo_app.url}/team?team={CUSTOMER_SUCCESS_ID}")
    wait_for_app(page)
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Password", exact=True).fill("demo-manager-1")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_text("Logged in as").wait_for()
    wait_for_app(page)

    assert_no_exception(page)
    expect(page.get_by_text("That link does not lead to one of your teams")).to_be_visible()
    expect(page.get_by_role("combobox", name="Team")).to_have_value("Platform engineering")
    expect(page.get_by_text("8 of 8 members answered in wave 2026.")).to_be_visible()
    body = page.locator("[data-testid='stMain']").inner_text()
    for name in SAMS_PEOPLE:
        assert name not in body
    expect(page.get_by_text("Customer success")).to_have_count(0)
    assert f"team={CUSTOMER_SUCCESS_ID}" not in page.url
