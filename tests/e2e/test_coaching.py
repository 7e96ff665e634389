"""In Chromium: the team heatmap is a way in. Clicking a person's square opens their one-on-one page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .helpers import AppServer, assert_no_exception, open_expander, settle, wait_for_app

PERSON = "Nadia Haddad"     # in Maria's demo team (Platform engineering)

#: The heatmap's trace and, for one person, the index of one of their squares: rows are numbered, named by ticks.
_POINT_OF = """([name]) => {
  const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.data && p.data.some(t => t.customdata));
  const trace = plot.data.findIndex(t => t.customdata);
  const row = plot.layout.yaxis.tickvals[plot.layout.yaxis.ticktext.indexOf(name)];
  return [trace, plot.data[trace].y.findIndex(y => y === row)];
}"""


OLGA = 8                    # the demo seeds Platform engineering's eight people first; Olga Petrova is the eighth
SVEN = 4                    # the fourth of them, Sven Eriksson


def open_section(page: Page, name: str, shown: str) -> None:
    page.locator("[data-testid=stButtonGroup] button", has_text=name).first.click()
    settle(page, page.get_by_text(shown).first)


def log_in_here(page: Page, heading: str = "One-on-one") -> None:
    """Log in on the login screen an address shows; the address (a screen, a member) survives logging in."""
    wait_for_app(page)
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Password", exact=True).fill("demo-manager-1")
    page.get_by_role("button", name="Log in", exact=True).click()
    settle(page, page.get_by_role("heading", name=heading, exact=True))


def test_clicking_a_member_in_the_team_heatmap_opens_their_page(page: Page, demo_app: AppServer) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{demo_app.url}/team")
    log_in_here(page, "Team")
    heatmap = page.locator(".js-plotly-plot").first
    expect(heatmap).to_be_visible()
    assert_no_exception(page)

    trace, index = page.evaluate(_POINT_OF, [PERSON])
    assert index >= 0, f"{PERSON} has no square in the heatmap"
    square = heatmap.locator(".scatterlayer .trace").nth(trace).locator("path.point").nth(index)
    square.scroll_into_view_if_needed()
    square.click(force=True)

    settle(page, page.get_by_role("heading", name="One-on-one"))
    expect(page.get_by_role("combobox", name="Member")).to_have_value(f"{PERSON} (Platform engineering)")
    assert "/member?member=" in page.url
    expect(page.locator(".js-plotly-plot").first).to_be_visible()


def test_a_goal_and_a_note_written_in_the_browser_are_there_after_a_reload(page: Page, demo_app: AppServer) -> None:
    goal = "Own the on-call tooling roadmap"
    note = "Olga would like to choose her own projects for a quarter."
    page.goto(f"{demo_app.url}/member?member={OLGA}")
    log_in_here(page)
    expect(page.get_by_role("combobox", name="Member")).to_have_value("Olga Petrova (Platform engineering)")

    open_section(page, "Goals", "Add a goal")
    page.get_by_label("Goal", exact=True).fill(goal)
    page.get_by_role("button", name="Add goal").click()
    settle(page, page.get_by_text(f"Added the goal “{goal}”."))

    open_section(page, "Notes", "Your working notes")
    page.get_by_label("Note", exact=True).first.fill(note)
    page.get_by_label("Agreed actions (one per line)").first.fill("Maria asks about own-project time")
    page.get_by_role("button", name="Save note").first.click()
    settle(page, page.get_by_text("Saved the note."))

    page.reload()
    settle(page, page.get_by_role("heading", name="One-on-one", exact=True))
    open_section(page, "Goals", "Add a goal")
    expect(page.get_by_text(goal)).to_be_visible()
    open_section(page, "Notes", "Your working notes")
    expect(page.get_by_test_id("stText").get_by_text(note)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Maria asks about own-project time")).to_be_visible()


def test_the_brief_downloads_as_a_pdf_with_its_charts(page: Page, demo_app: AppServer) -> None:
    """Made on the server when the button is pressed (charts drawn by a headless Chromium), then downloaded."""
    page.goto(f"{demo_app.url}/member?member={OLGA}")
    log_in_here(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Brief (PDF)").click()
    assert download.value.suggested_filename == "one-on-one-olga-petrova.pdf"
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Subtype /Image") >= 2, "the profile and fit charts"
    assert_no_exception(page)


def test_a_double_click_on_save_stores_one_note_and_the_form_is_empty_after(page: Page, demo_app: AppServer) -> None:
    note = "Sven asked for a mentor among the senior managers."
    page.goto(f"{demo_app.url}/member?member={SVEN}")
    log_in_here(page)
    open_section(page, "Notes", "Your working notes")
    form = page.get_by_test_id("stForm").first
    form.get_by_label("Note", exact=True).fill(note)
    form.get_by_role("button", name="Save note").dblclick()
    settle(page, page.get_by_text("Saved the note."))
    page.wait_for_timeout(1500)       # a second save, had there been one, lands by now
    wait_for_app(page)

    expect(page.get_by_test_id("stText").get_by_text(note, exact=True)).to_have_count(1)
    expect(page.get_by_test_id("stForm").first.get_by_label("Note", exact=True)).to_have_value("")
    page.reload()                     # a login survives a reload
    settle(page, page.get_by_role("heading", name="One-on-one", exact=True))
    open_section(page, "Notes", "Your working notes")
    expect(page.get_by_test_id("stText").get_by_text(note, exact=True)).to_have_count(1)


def test_a_saved_goal_clears_its_form(page: Page, demo_app: AppServer) -> None:
    goal = "Lead the next planning round with a mentor"
    page.goto(f"{demo_app.url}/member?member={SVEN}")
    log_in_here(page)
    open_section(page, "Goals", "Add a goal")
    open_expander(page, "Add a goal")       # closed: Sven has a goal already
    title = page.get_by_test_id("stForm").filter(has_text="Add goal").locator("input[aria-label='Goal']")
    title.fill(goal)
    title.press("Tab")                # hand the typed title to the form before pressing its button
    page.get_by_role("button", name="Add goal").click()
    settle(page, page.get_by_text(f"Added the goal “{goal}”."))
    expect(title).to_have_value("")      # the section closes again once there are goals: read it closed
    expect(page.get_by_text(goal, exact=True)).to_have_count(1)     # listed once, above the empty form
