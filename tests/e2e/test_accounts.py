"""Logins in a real browser against the app started as the README says (`streamlit run server.py`):
a login survives a reload through its HttpOnly cookie and ends with Log out; an admin deactivates an
account and its open session shows the login screen at its next click. One demo server for the module.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from .helpers import AppServer, assert_no_exception, log_in, settle, wait_for_app

MANAGER = ("maria@example.com", "demo-manager-1")
OTHER_MANAGER = ("sam@example.com", "demo-manager-2")
ADMIN = ("hr@example.com", "demo-admin-1")


def login_cookie(page: Page) -> dict | None:
    """The login cookie, once the page has handed it to the browser (it does so right after logging in)."""
    for _ in range(60):
        found = [c for c in page.context.cookies() if c["name"] == "aspire_session"]
        if found:
            return found[0]
        page.wait_for_timeout(250)
    return None


def shows_login(page: Page) -> None:
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Logged in as")).to_have_count(0)


def test_a_login_survives_a_reload_until_log_out(page: Page, demo_app: AppServer) -> None:
    log_in(page, demo_app, *MANAGER)
    cookie = login_cookie(page)
    assert cookie is not None, "the page never received its login cookie"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
    assert page.evaluate("document.cookie").find("aspire_session") == -1, "no script in the page can read it"

    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Logged in as Maria Lopez (manager)")).to_be_visible()
    page.goto(f"{demo_app.url}/team")
    wait_for_app(page)
    expect(page.get_by_text("Logged in as Maria Lopez (manager)")).to_be_visible()
    assert_no_exception(page)

    page.get_by_role("link", name="My account").click()
    wait_for_app(page)
    page.get_by_role("button", name="Log out").click()
    shows_login(page)
    page.reload()
    wait_for_app(page)
    shows_login(page)
    assert_no_exception(page)


def test_deactivating_an_account_ends_its_open_session_at_its_next_click(
        page: Page, browser: Browser, demo_app: AppServer) -> None:
    manager = page
    admin = browser.new_context().new_page()
    try:
        log_in(manager, demo_app, *OTHER_MANAGER)
        assert login_cookie(manager) is not None

        log_in(admin, demo_app, *ADMIN)
        admin.get_by_role("link", name="Accounts").click()
        settle(admin, admin.get_by_role("heading", name="Change an account"))
        box = admin.get_by_role("combobox", name="Account to change", exact=True)
        box.click()
        box.type("Sam Okoro")
        box.press("Enter")
        settle(admin, admin.get_by_text("Sam Okoro is a manager, active."))
        admin.get_by_role("button", name="Deactivate").click()
        dialog = admin.get_by_role("dialog")
        expect(dialog.get_by_text("any open session of theirs ends at once")).to_be_visible()
        dialog.get_by_role("button", name="Yes, go ahead").click()
        settle(admin, admin.get_by_text("Sam Okoro is deactivated. Their teams (Customer success) stay as they "
                                        "are: hand them to another manager below."))

        manager.get_by_role("link", name="Team").click()
        shows_login(manager)
        manager.reload()
        wait_for_app(manager)
        shows_login(manager)
        assert_no_exception(manager)
    finally:
        admin.context.close()
