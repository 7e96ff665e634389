"""The respondent's page in a real browser: a phone-sized screen, the keyboard alone, and links that do not work.

The server cannot be reached at its database while it runs (DuckDB's lock), so the round is opened first:
the demo organisation is created in the file the server will use, Maria opens a round for her team in a
wave of its own, one link is revoked, the file is closed, and only then does `streamlit run` start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from coaching.demo import CUSTOMER, PLATFORM, TEAMS
from coaching.measurement.instrument import Instrument
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.teams import list_teams
from coaching.rounds import rounds
from coaching.rounds.rounds import INVALID_LINK

from .helpers import AppServer, assert_no_exception, demo_organisation, type_to_pick, wait_for_app

PHONE = {"width": 375, "height": 740}
WAVE = "2027"          # the demo has answers in 2025 and 2026: a wave of its own starts empty


@dataclass(frozen=True)
class Invited:
    server: AppServer
    instrument: Instrument
    tokens: list[str]
    names: list[str]
    revoked: str

    def link(self, token: str) -> str:
        return f"{self.server.url}/respond?invite={token}"


@pytest.fixture(scope="module")
def invited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Invited]:
    server = AppServer(tmp_path_factory.mktemp("respond-app"), env={"COACHING_DEMO": "1"})
    with demo_organisation(server) as aspire:
        maria = accounts_of(aspire).actor_for_email("maria@example.com")
        assert maria is not None
        team = list_teams(aspire, maria)[0]
        round_id, links = rounds.open_round(aspire, maria, team.id, WAVE,
                                            dt.datetime.now(dt.UTC) + dt.timedelta(days=14),
                                            message="Ten minutes, please. Thank you! Maria")
        rounds.revoke_link(aspire, maria, round_id, links[-1].member_id)
        instrument = current_instrument(aspire)
    tokens = [parse_qs(urlparse(link.url).query)["invite"][0] for link in links]
    server.start()
    try:
        yield Invited(server, instrument, tokens[:-1], [link.name for link in links[:-1]], revoked=tokens[-1])
    finally:
        server.stop()


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth,"
        " document.querySelector('[data-testid=stMain]').scrollWidth) - window.innerWidth"
    )


_ACTIVE = """() => {
  const e = document.activeElement;
  if (!e) return {};
  const group = e.closest('[role=radiogroup]');
  return {tag: e.tagName, type: e.type || '', role: e.getAttribute('role') || '',
          label: e.getAttribute('aria-label') || '', text: (e.innerText || '').trim(),
          group: group ? group.getAttribute('aria-label') || '' : null};
}"""


def active(page: Page) -> dict:
    return page.evaluate(_ACTIVE)


def tab_to(page: Page, wanted, limit: int = 120) -> dict:
    """Press Tab until the focused element is the one wanted (a predicate on `active`); fail if never."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = active(page)
        if wanted(now):
            return now
    pytest.fail(f"Tab never reached the element wanted; focus ends on {active(page)}", pytrace=False)


def button(text: str):
    return lambda el: el.get("tag") == "BUTTON" and el.get("text", "").endswith(text)


def press_button(page: Page, text: str) -> None:
    tab_to(page, button(text))
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert_no_exception(page)


def rate_by_keyboard(page: Page, count: int, value: int) -> None:
    """Tab into each statement's radio group in turn, Space picks the first point, arrows move along."""
    for _ in range(count):
        tab_to(page, lambda el: el.get("type") == "radio")
        page.keyboard.press("Space")
        for _ in range(value - 1):
            page.keyboard.press("ArrowRight")


def choose_by_keyboard(page: Page, label: str, typed: str) -> None:
    tab_to(page, lambda el: el.get("role") == "combobox" and el.get("label") == label)
    type_to_pick(page, page.get_by_role("combobox", name=label, exact=True), typed)


# ---- a phone-sized screen ----------------------------------------------------------------------------


def test_the_notice_and_the_first_section_fit_a_phone_screen(page: Page, invited: Invited) -> None:
    page.set_viewport_size(PHONE)
    page.goto(invited.link(invited.tokens[0]))
    wait_for_app(page)
    assert_no_exception(page)

    first_name = invited.names[0].split()[0]
    expect(page.get_by_role("heading", name=f"Hello {first_name}")).to_be_visible()
    expect(page.get_by_text("Who sees your answers.")).to_be_visible()
    expect(page.get_by_role("button", name="No thanks")).to_be_visible()
    assert "invite=" not in page.url, "the token leaves the address bar once read"
    assert sideways_overflow(page) <= 0, f"the notice is {sideways_overflow(page)} px too wide for 375 px"

    page.get_by_role("button", name="Start").click()
    wait_for_app(page)
    assert_no_exception(page)

    section = invited.instrument.sections[0]
    first = invited.instrument.items_in(section.key)[0]
    expect(page.get_by_role("heading", name=section.title)).to_be_visible()
    expect(page.get_by_text("Section 1 of 5")).to_be_visible()
    expect(page.get_by_role("radiogroup", name=first.text)).to_be_visible()
    assert sideways_overflow(page) <= 0, f"the first section is {sideways_overflow(page)} px too wide for 375 px"
    for statement in invited.instrument.items_in(section.key):
        box = page.get_by_role("radiogroup", name=statement.text).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], statement.id


# ---- the keyboard alone ----------------------------------------------------------------------------


def test_the_whole_questionnaire_can_be_answered_and_sent_with_the_keyboard_alone(page: Page, invited: Invited) -> None:
    page.set_viewport_size(PHONE)
    page.goto(invited.link(invited.tokens[1]))
    wait_for_app(page)

    press_button(page, "Start")
    for number, section in enumerate(invited.instrument.sections, start=1):
        expect(page.get_by_text(f"Section {number} of 5")).to_be_visible()
        items = invited.instrument.items_in(section.key)
        rate_by_keyboard(page, len(items), value=1 + number)
        checked = page.locator("input[type=radio]:checked")
        expect(checked).to_have_count(len(items))
        press_button(page, "Save and continue")

    expect(page.get_by_text("Section 4 of 5")).to_be_visible()
    choose_by_keyboard(page, "Most important", "Autonomy")
    choose_by_keyboard(page, "Second", "Expertise")
    choose_by_keyboard(page, "Third", "Work-life")
    press_button(page, "Save and continue")

    expect(page.get_by_text("Section 5 of 5")).to_be_visible()
    prompt = invited.instrument.reflections[0].prompt
    tab_to(page, lambda el: el.get("tag") == "TEXTAREA" and el.get("label") == prompt)
    page.keyboard.type("Room to go deep, and fewer meetings.")
    press_button(page, "Save and continue")

    expect(page.get_by_text("Everything needed is answered.")).to_be_visible()
    press_button(page, "Send my answers")

    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(page.get_by_text("your answers are sent")).to_be_visible()
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    expect(chart.locator("svg.main-svg").first).to_be_attached()
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert sideways_overflow(page) <= 0
    top_three = page.get_by_test_id("stMain").locator("ol").last.get_by_role("listitem")
    expect(top_three).to_have_text(["Autonomy", "Expertise and acclaim", "Work-life balance"])
    expect(page.get_by_role("figure", name="Radar chart of your scores")).to_be_visible()


# ---- links that do not work ------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["revoked", "unknown"])
def test_a_revoked_or_unknown_link_shows_one_sentence_and_nothing_about_anyone(
    page: Page, invited: Invited, which: str
) -> None:
    token = invited.revoked if which == "revoked" else "A" * 43
    page.goto(invited.link(token))
    wait_for_app(page)
    assert_no_exception(page)

    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(INVALID_LINK)).to_be_visible()
    expect(main.get_by_role("heading")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.locator("input, textarea")).to_have_count(0)
    shown = main.inner_text()
    for name in [team for team, _ in TEAMS] + [p.name for p in (*PLATFORM, *CUSTOMER)] + ["Maria", WAVE]:
        assert name not in shown, f"{name!r} shows on a page for a link that does not work"
    assert "invite=" not in page.url
