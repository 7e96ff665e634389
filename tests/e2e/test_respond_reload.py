"""A respondent reloads their page on a phone (the app started as the README says): they stay on it, with
what they saved; without the browser's cookie they are told plainly to open their link again.

The round is opened before the server starts (the server holds the database file while it runs).
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from coaching.measurement.instrument import Instrument
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.teams import list_teams
from coaching.rounds import rounds
from coaching.ui.respondent import NO_LINK

from .helpers import AppServer, assert_no_exception, demo_organisation, settle, wait_for_app

PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def invited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Instrument, list[str]]]:
    server = AppServer(tmp_path_factory.mktemp("respond-reload"), env={"COACHING_DEMO": "1"})
    with demo_organisation(server) as aspire:
        maria = accounts_of(aspire).actor_for_email("maria@example.com")
        team = list_teams(aspire, maria)[0]
        _, links = rounds.open_round(aspire, maria, team.id, "2027", dt.datetime.now(dt.UTC) + dt.timedelta(days=14))
        instrument = current_instrument(aspire)
    server.start()
    try:
        yield server, instrument, [link.url for link in links]
    finally:
        server.stop()


def answer_first_section(page: Page, instrument: Instrument) -> None:
    page.get_by_role("button", name="Start").click()
    settle(page, page.get_by_text("Section 1 of 5"))
    for item in instrument.items_in(instrument.sections[0].key):
        # The answer's own label, as a person taps it (a forced click on the hidden input can land on the header).
        page.get_by_role("radiogroup", name=item.text).get_by_text(instrument.scale.labels[3], exact=True).click()
    page.get_by_role("button", name="Save and continue").click()
    settle(page, page.get_by_text("Section 2 of 5"))


def test_a_respondent_who_reloads_stays_on_their_page_with_what_they_saved(page: Page, invited) -> None:
    server, instrument, links = invited
    page.set_viewport_size(PHONE)
    page.goto(links[0])
    wait_for_app(page)
    answer_first_section(page, instrument)
    assert "invite=" not in page.url
    cookie = [c for c in page.context.cookies() if c["name"] == "aspire_link"]
    assert cookie and cookie[0]["httpOnly"], "the page keeps its link in an HttpOnly cookie"

    page.reload()
    wait_for_app(page)

    expect(page.get_by_text("your saved answers are filled in below.")).to_be_visible()
    expect(page.get_by_text("Section 2 of 5")).to_be_visible()
    assert "invite=" not in page.url
    assert_no_exception(page)


def test_without_the_cookie_a_reload_says_to_open_the_link_again_and_the_link_still_resumes(
        page: Page, invited) -> None:
    _, instrument, links = invited
    page.goto(links[1])
    wait_for_app(page)
    answer_first_section(page, instrument)

    page.context.clear_cookies()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(NO_LINK)).to_be_visible()

    page.goto(links[1])
    wait_for_app(page)
    expect(page.get_by_text("your saved answers are filled in below.")).to_be_visible()
    expect(page.get_by_text("Section 2 of 5")).to_be_visible()
    assert_no_exception(page)


def test_a_link_is_kept_only_for_this_apps_own_pages(invited) -> None:
    server, _, links = invited
    token = parse_qs(urlparse(links[2]).query)["invite"][0]
    request = urllib.request.Request(f"{server.url}/aspire/link?invite={token}",
                                     headers={"Sec-Fetch-Site": "cross-site"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{server.url}/aspire/link?invite=not-a-real-link", timeout=10)
    assert unknown.value.code == 403
    with urllib.request.urlopen(f"{server.url}/aspire/link?invite={token}", timeout=10) as kept:
        assert "aspire_link=" in kept.headers["Set-Cookie"] and "HttpOnly" in kept.headers["Set-Cookie"]
