"""In Chromium: tables of typed text show it exactly and download it without spreadsheet formulas, and the
catalogue's tables fit a 1366 px laptop screen.

The toolbar of an `st.dataframe` offered a CSV download that wrote `=HYPERLINK(...)` raw; these tables
offer only the app's own download, whose cells never start a formula.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, expect

from coaching.ui.format import WORD_JOINER  # shown after ':' and '@' so a typed name never becomes a link

from .helpers import AppServer, assert_no_exception, log_in, settle, table_rows, wait_for_app

#: Names a spreadsheet would run as formulas, each typed as a member's name on the Members screen.
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]
PLATFORM_SIZE = 8


def test_members_with_formula_names_show_as_typed_and_download_with_a_leading_quote(
        page: Page, demo_app: AppServer) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, demo_app, "maria@example.com", "demo-manager-1")
    page.get_by_role("link", name="Members").click()
    wait_for_app(page)
    add = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add member"))
    for n, name in enumerate(FORMULAS, start=1):
        add.get_by_label("Name", exact=True).fill(name)
        add.get_by_label("E-mail", exact=True).fill(f"formula{n}@example.com")
        add.get_by_role("button", name="Add member").click()
        on_screen = name.replace(":", ":" + WORD_JOINER).replace("@", "@" + WORD_JOINER)
        settle(page, page.get_by_text(f"Added {on_screen} to Platform engineering."))

    roster = page.get_by_test_id("stTable").first
    shown = [row[0] for row in table_rows(roster, PLATFORM_SIZE + len(FORMULAS))]
    assert set(FORMULAS) <= set(shown), shown
    expect(roster.locator("a[href^='http']")).to_have_count(0)     # no name became a link
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)    # no table with a raw download of its own

    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Download as CSV").first.click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(n for n in names if n.startswith("'")) == sorted("'" + f for f in FORMULAS), names
    assert "Aiko Tanaka" in names, "other names unchanged"
    assert_no_exception(page)


def test_the_catalogue_tables_fit_a_1366_px_screen_and_say_the_same_about_openings(
        page: Page, demo_app: AppServer) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, demo_app, "maria@example.com", "demo-manager-1")
    page.get_by_role("link", name="Catalogue").click()
    settle(page, page.get_by_role("heading", name="Growth paths on offer"))

    tables = page.get_by_test_id("stTable")
    expect(tables.first).to_be_visible()
    widths = tables.evaluate_all("ts => ts.filter(t => t.offsetParent).map(t => {"
                                 "  const box = t.querySelector('table');"
                                 "  return [box.scrollWidth, t.clientWidth, t.getBoundingClientRect().right]; })")
    assert len(widths) >= 10, "a description and a need profile per kind of option"
    viewport = page.viewport_size["width"]
    assert all(inner <= outer + 1 and right <= viewport for inner, outer, right in widths), widths
    openings = tables.first.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert set(openings) <= {"not limited", "none open"} | {str(n) for n in range(1, 100)}, openings
