"""The home screen with the demo organisation, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .helpers import AppServer, assert_no_exception, log_in

DEMO_MANAGER = ("maria@example.com", "demo-manager-1")


def open_home(page: Page, app: AppServer) -> None:
    log_in(page, app, *DEMO_MANAGER)
    assert_no_exception(page)


def test_login_screen_shows_the_demo_accounts_and_refuses_a_wrong_password(page: Page, demo_app: AppServer) -> None:
    page.goto(demo_app.url)
    expect(page.get_by_text("Demo organisation")).to_be_visible()
    expect(page.get_by_text("maria@example.com")).to_be_visible()
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Password", exact=True).fill("not-her-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
    assert_no_exception(page)


def test_home_shows_demo_data_and_a_chart(page: Page, demo_app: AppServer) -> None:
    open_home(page, demo_app)

    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    expect(chart.locator("svg.main-svg").first).to_be_attached()
    demo_note = page.get_by_test_id("stApp").get_by_text(re.compile("demo", re.IGNORECASE))
    expect(demo_note.filter(visible=True).first).to_be_visible()
    assert_no_exception(page)


def test_home_chart_fits_a_laptop_screen(page: Page, demo_app: AppServer) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    open_home(page, demo_app)

    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None, "the chart has no layout box"
    assert box["width"] <= 1366, f"the chart is {box['width']:.0f} px wide on a 1366 px screen"
    assert box["x"] >= 0, f"the chart starts {-box['x']:.0f} px left of the screen"
    right = box["x"] + box["width"]
    assert right <= 1366, f"the chart's right edge is at {right:.0f} px on a 1366 px screen"
    assert_no_exception(page)


#: Every label drawn in the demand chart against every bar: the pairs whose boxes overlap by more than a pixel.
_LABELS_ON_BARS = """(plot) => {
  const box = e => e.getBoundingClientRect();
  const bars = [...plot.querySelectorAll('g.trace.bars g.point path')].map(box).filter(b => b.width > 0.5);
  const labels = [...plot.querySelectorAll('text.bartext, g.textpoint text')].map(box);
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                         && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  return [bars.length, labels.length, labels.filter(l => bars.some(b => overlap(l, b))).length];
}"""


def test_admin_demand_chart_gives_each_path_room_and_no_label_sits_on_a_bar(page: Page, demo_app: AppServer) -> None:
    """17 paths used to share half a screen's width and 460 px, with "not limited" written over the bars."""
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, demo_app, "hr@example.com", "demo-admin-1")
    heading = page.get_by_text("Demand for each path against its openings")
    heading.scroll_into_view_if_needed()
    chart = page.get_by_test_id("stPlotlyChart").filter(has=page.locator("text.bartext")).last
    expect(chart.locator("g.trace.bars").first).to_be_attached()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 800, box           # the page's full width, not half of it
    rows = chart.locator("g.ytick").count()
    assert rows >= 17 and box["height"] / rows >= 40, (rows, box)
    bars, labels, on_bars = chart.locator(".js-plotly-plot").evaluate(_LABELS_ON_BARS)
    assert bars > rows and labels >= rows, (bars, labels)
    assert on_bars == 0, f"{on_bars} labels sit on a bar"
    assert_no_exception(page)
