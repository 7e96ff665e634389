"""In Chromium, against `streamlit run app.py` with the demo data: a manager builds a development route on the
one-on-one page, agrees it, replaces it (closing the earlier goals in the dialog), and finds the goals after a
reload; the brief then carries the route."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .helpers import AppServer, assert_no_exception, settle, table_rows, wait_for_app
from .test_coaching import log_in_here, open_section

AIKO = 1        # the demo seeds Platform engineering first; Aiko Tanaka (senior specialist) is the first


def choose_step(page: Page, number: int, option: str) -> None:
    """Pick route A's step `number` in its select box, as a person does (again if a rerun closed the list).

    A person scrolls the box into sight, then clicks it. Playwright's click scrolls and presses at once, and the
    list that press opened closed again on the scroll's event, which arrives after it: the first click on a box
    below the fold left the list closed, every time, and the pick waited 10 s for it.
    """
    box, choice = page.get_by_role("combobox", name=f"Step {number}", exact=True).first, page.get_by_role(
        "option", name=option, exact=True)
    for _ in range(3):
        box.scroll_into_view_if_needed()
        box.click()
        try:
            choice.wait_for(state="visible", timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    choice.click()
    settle(page, page.get_by_text(f"{option.split(' (')[0]} by").first)


def test_a_route_built_and_agreed_in_the_browser_is_there_as_goals_after_a_reload(
        page: Page, demo_app: AppServer) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{demo_app.url}/member?member={AIKO}")
    log_in_here(page)
    expect(page.get_by_role("combobox", name="Member")).to_have_value("Aiko Tanaka (Platform engineering)")
    open_section(page, "Development path", "Within reach now")
    expect(page.get_by_text("Development path for Aiko Tanaka on the two ladders")).to_be_visible()

    choose_step(page, 1, "Staff specialist (next level up)")
    choose_step(page, 2, "Remote days (alongside any level)")
    expect(page.get_by_text("then Remote days by")).to_be_visible()
    page.get_by_role("button", name="Agree route A as goals").click()
    settle(page, page.get_by_text("Agreed route A: 2 goals added, one per step"))
    expect(page.get_by_text("Agreed route", exact=True)).to_be_visible()

    choose_step(page, 1, "Team lead (across to the other ladder)")
    page.get_by_role("button", name="Agree route A as goals").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("still has 2 open goals")).to_be_visible()
    dialog.get_by_role("button", name="Close them and save").click()
    settle(page, page.get_by_text("The earlier route's open goals are closed."))

    page.reload()       # the login survives a reload (its cookie); the goals come from the database
    settle(page, page.get_by_role("heading", name="One-on-one", exact=True))
    open_section(page, "Goals", "Add a goal")
    for title, status in (("Move up to Staff specialist", "Dropped"), ("Take up Remote days", "Dropped"),
                          ("Move across to Team lead", "Planned")):
        expect(page.get_by_text(f"{title} · {status}")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Serves [a-z -]+ · toward Team lead · by "))).to_be_visible()

    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Brief (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Subtype /Image") >= 3, "profile, fit and the agreed route"
    assert_no_exception(page)


DATA = Path(__file__).parents[1] / "data"


def test_an_admin_imports_a_career_framework_all_or_nothing(page: Page, demo_app: AppServer) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{demo_app.url}/catalogue")
    wait_for_app(page)
    page.get_by_label("Email").fill("hr@example.com")
    page.get_by_label("Password", exact=True).fill("demo-admin-1")
    page.get_by_role("button", name="Log in", exact=True).click()
    settle(page, page.get_by_role("heading", name="Growth paths on offer"))
    page.get_by_role("tab", name="Import a career framework").click()

    page.locator("input[type=file]").set_input_files(DATA / "framework_bad.csv")
    settle(page, page.get_by_text("framework_bad.csv"))
    page.get_by_role("button", name="Import the framework").click()
    settle(page, page.get_by_text("Nothing was imported: fix these rows and upload the file again."))
    problems = page.get_by_test_id("stTable").last
    rows = table_rows(problems, 5)
    assert [r[0] for r in rows] == ["3", "4", "6", "7", "8"], rows
    assert rows[2][1] == "title 'Staff specialist' differs from 'Staff engineer' on line 5 for the same level"

    page.get_by_role("button", name="Remove framework_bad.csv").click()
    page.locator("input[type=file]").set_input_files(DATA / "framework_good.csv")
    settle(page, page.get_by_text("framework_good.csv"))
    page.get_by_role("button", name="Import the framework").click()
    settle(page, page.get_by_text("Imported the framework: 2 levels changed."))
    page.reload()
    settle(page, page.get_by_role("heading", name="Growth paths on offer"))
    expect(page.get_by_text("History of Staff engineer")).to_be_visible()
