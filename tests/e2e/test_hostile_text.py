"""Hostile typed text in a real Chromium: the Markdown check of tests/app/test_hostile_text.py models Streamlit's
renderer; this shows the real one agrees. On Home, One-on-one and the Rounds flash, no link or image leads to
what a person typed, and the browser never asks evil.example for anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests import hostile
from tests.environment import forget_settings

from .helpers import AppServer, log_in, settle


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = AppServer(tmp_path_factory.mktemp("hostile-app"), env={"COACHING_DEMO": "1"})
    server.workdir.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        forget_settings(mp)
        hostile.build(server.db_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def assert_nothing_live(page: Page, asked: list[str], where: str) -> None:
    main = page.get_by_test_id("stApp")
    # Links the app builds itself may carry typed text in their query (the E-mail button's subject) or in a
    # heading's anchor (#what-…-evil-example): only where a link leads counts.
    links = main.locator("a[href]").evaluate_all(
        "ls => ls.map(l => new URL(l.href)).filter(u => (u.protocol === 'mailto:' ? u.pathname : u.hostname)"
        ".includes('evil')).map(u => u.href.slice(0, 120))")
    assert links == [], f"{where}: live links to typed addresses: {links}"
    expect(main.locator("img[src*='evil']")).to_have_count(0)
    assert "evil.example" in main.inner_text(), f"{where}: the typed text is not on the page at all"
    assert asked == [], f"{where}: the browser asked evil.example for {asked}"


def test_typed_links_stay_text_in_the_browser(page: Page, app: AppServer) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "evil" in request.url else None)
    log_in(page, app, hostile.MANAGER, hostile.PASSWORD)
    expect(page.get_by_text("What your people need")).to_be_visible(timeout=60_000)
    assert_nothing_live(page, asked, "home")

    page.get_by_role("link", name="One-on-one").click()
    settle(page, page.get_by_text("Where they are in their working life"))
    assert_nothing_live(page, asked, "one-on-one")
    for section, shown in (("Goals", "Add a goal"), ("Notes", "Your working notes")):
        page.locator("[data-testid=stButtonGroup] button", has_text=section).first.click()
        settle(page, page.get_by_text(shown).first)
        assert_nothing_live(page, asked, section)

    page.get_by_role("link", name="Rounds").click()
    settle(page, page.get_by_role("button", name="Issue a new link"))
    page.get_by_role("button", name="Issue a new link").click()
    settle(page, page.get_by_text("New link for"))
    assert_nothing_live(page, asked, "rounds flash")
