"""The whole journey in a real browser: a manager builds a team, opens a round and e-mails the links; three
people answer from the links in their own e-mails; the manager follows who answered.

One `streamlit run app.py` (demo data, so Maria's account exists) and one real SMTP server on loopback for
the module, once per engine: on a DuckDB file, and on a PostgreSQL database. The manager's steps run once
per engine, in the module fixture `emailed`, in a browser of the manager's own that stays logged in; the
respondents open their links in turn in the module's tab, reset for each (`new_visitor`): no cookie, storage
or page of the one before, as on a device of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from coaching.measurement.instrument import Instrument
from coaching.ui.format import WORD_JOINER
from tests.conftest import ENGINES, Databases
from tests.smtp_server import SmtpServer, running_smtp_server

from .helpers import AppServer, log_in, open_expander, settle, start_app, table_rows, type_to_pick, wait_for_app

DEMO_MANAGER = ("maria@example.com", "demo-manager-1")
TEAM = "Journey team"


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def first_name(self) -> str:
        """What the respondent's page greets with: the name's first word (coaching.ui.questionnaire.first_name),
        so "田中 芽衣", family name first, is greeted "Hello 田中"; the e-mail greets with the whole name."""
        return self.name.split()[0]


ZOE = Person("Zoë Ågren", "zoe@journey.example")
MEI = Person("田中 芽衣", "mei@journey.example")
OMAR = Person("Omar Haddad", "omar@journey.example")
PEOPLE = (ZOE, MEI, OMAR)
LINK = re.compile(r"\S+/respond\?invite=\S+")


@dataclass(frozen=True)
class Emailed:
    app: AppServer
    smtp: SmtpServer
    manager: Page                       # the manager's page, in a browser context of its own
    messages: dict[str, EmailMessage]   # by recipient address
    links: dict[str, str]               # by recipient address, each read from that person's own e-mail


# ---- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """The journey runs once per engine: a fresh DuckDB file, or a fresh database on the test PostgreSQL server."""
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    databases = Databases(request.param, tmp_path_factory.mktemp("journey-db"), server)
    yield databases.new("journey")
    databases.drop_all()


@pytest.fixture(scope="module")
def smtp(database: Path | str) -> Iterator[SmtpServer]:
    """A mailbox per engine's journey: each counts exactly the messages of its own round."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, database: Path | str, smtp: SmtpServer) -> Iterator[AppServer]:
    server = start_app(tmp_path_factory.mktemp("journey-app"),
                       {"COACHING_DB": str(database), "COACHING_DEMO": "1", **smtp.env})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def emailed(browser: Browser, app: AppServer, smtp: SmtpServer) -> Iterator[Emailed]:
    """Steps 1 and 2: Maria creates the team, adds three people, opens a round and e-mails the links."""
    context = browser.new_context()
    try:
        page = context.new_page()
        log_in(page, app, *DEMO_MANAGER)
        create_team_with_members(page)
        shown = open_round_and_email(page)
        messages, links = read_invitations(smtp)
        assert set(links.values()) == shown, "each e-mail carries the link the Rounds screen showed for that person"
        yield Emailed(app, smtp, page, messages, links)
    finally:
        context.close()


# ---- the manager's steps ------------------------------------------------------------------------------------


def click(page: Page, target: Locator, then: Locator) -> None:
    """Click, then wait for what the rerun draws (`then`) and for that run to finish (see `settle`)."""
    target.click()
    settle(page, then)


def go_to(page: Page, screen: str) -> None:
    click(page, page.get_by_role("link", name=screen, exact=True),
          then=page.get_by_role("heading", name=screen, exact=True))


def choose(page: Page, label: str, option: str, then: Locator) -> None:
    """Pick an option of a selectbox (a combobox in the page) by its shown text."""
    page.get_by_role("combobox", name=label, exact=True).click()
    click(page, page.get_by_role("option", name=option, exact=True), then)


def create_team_with_members(page: Page) -> None:
    go_to(page, "Members")
    open_expander(page, "New team")
    new_team = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Create team"))
    new_team.get_by_label("Team name").fill(TEAM)
    click(page, new_team.get_by_role("button", name="Create team"), then=page.get_by_text(f"Team {TEAM} created."))
    expect(page.get_by_role("combobox", name="Team", exact=True)).to_have_value(TEAM)
    expect(page.get_by_text("Nobody is in this team yet.")).to_be_visible()

    add = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add member"))
    for person in PEOPLE:
        add.get_by_label("Name", exact=True).fill(person.name)
        add.get_by_label("E-mail", exact=True).fill(person.email)
        click(page, add.get_by_role("button", name="Add member"),
              then=page.get_by_text(f"Added {person.name} to {TEAM}."))
    roster = page.get_by_test_id("stTable").first
    assert sorted(row[:2] for row in table_rows(roster, len(PEOPLE))) == sorted([p.name, p.email] for p in PEOPLE)


def open_round_and_email(page: Page) -> set[str]:
    """Open a round for the whole team and e-mail the links; returns the links the screen showed."""
    go_to(page, "Rounds")
    new_round = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Open round"))
    # Only the new team has three people due for their yearly review (the demo team all answered this year):
    # seeing that, the form belongs to the team just chosen.
    choose(page, "Team", TEAM, then=new_round.get_by_role("radio", name=re.compile(rf"\({len(PEOPLE)}\)$")))
    expect(new_round.get_by_role("radio", name="Whole team")).to_be_checked()
    click(page, new_round.get_by_role("button", name="Open round"),
          then=page.get_by_text(f"Round opened for {len(PEOPLE)} members."))

    codes = page.get_by_test_id("stCode")
    expect(codes).to_have_count(len(PEOPLE))
    shown = {text.strip() for text in codes.all_inner_texts()}
    assert all(LINK.fullmatch(link) for link in shown), shown
    for person in PEOPLE:
        # Shown as typed under the name (not as a link), with the invisible word joiner after '@' that keeps
        # Markdown from linking it.
        expect(page.get_by_text(person.email.replace("@", "@" + WORD_JOINER))).to_be_visible()

    click(page, page.get_by_role("button", name="E-mail these links"),
          then=page.get_by_text(f"Sent to {len(PEOPLE)} of {len(PEOPLE)} people."))
    return shown


def read_invitations(smtp: SmtpServer) -> tuple[dict[str, EmailMessage], dict[str, str]]:
    """Exactly one message per person, addressed to them; each person's link read from their own message."""
    smtp.wait_for(len(PEOPLE), timeout=10)
    assert len(smtp.messages) == len(PEOPLE), [m["To"] for m in smtp.messages]
    messages, links = {}, {}
    for person in PEOPLE:
        mine = smtp.to(person.email)
        assert len(mine) == 1, f"{len(mine)} messages to {person.email}"
        message = mine[0]
        to = message["To"].addresses
        assert [(a.display_name, a.addr_spec) for a in to] == [(person.name, person.email)]
        found = LINK.findall(message.get_content())
        assert len(found) == 1, f"the e-mail to {person.email} carries {len(found)} links"
        messages[person.email], links[person.email] = message, found[0]
    assert len(set(links.values())) == len(PEOPLE), "every person gets a link of their own"
    return messages, links


# ---- the respondent's steps ---------------------------------------------------------------------------------


def open_link(page: Page, link: str) -> Page:
    page.goto(link)
    wait_for_app(page)
    settle(page, page.get_by_test_id("stMain").get_by_role("heading").first)
    return page


def press(page: Page, name: str, then: Locator) -> None:
    click(page, page.get_by_role("button", name=name), then)


def section_text(instrument: Instrument, step: int) -> str:
    """The start of the progress line on the respondent's step `step` (1-based), e.g. "Section 2 of 5: …"."""
    titles = [s.title for s in instrument.sections] + ["Your top three", "In your own words"]
    return f"Section {step} of {len(titles)}: {titles[step - 1]}"


def rate_section(page: Page, instrument: Instrument, number: int, value: int) -> None:
    """Answer every statement of rating section `number` (1-based) with the same point, then save."""
    section = instrument.sections[number - 1]
    label = instrument.scale.labels[value - instrument.scale.min]
    for item in instrument.items_in(section.key):
        # The radio input itself is a clipped 1-px box: a person clicks the option's label.
        option = page.get_by_role("radiogroup", name=item.text).get_by_test_id("stRadioOption")
        option.filter(has=page.get_by_text(label, exact=True)).click()
    press(page, "Save and continue", then=page.get_by_text(section_text(instrument, number + 1)))


def finish_and_send(page: Page, instrument: Instrument, first_section: int, value: int) -> None:
    """From rating section `first_section` on: the ratings, the top three, skip the free text, send."""
    for number in range(first_section, len(instrument.sections) + 1):
        rate_section(page, instrument, number, value)
    for place, need in zip(("Most important", "Second", "Third"),
                           ("Autonomy", "Expertise and acclaim", "Work-life balance"), strict=True):
        # Typed, not clicked: in a 720-px-high window, opening "Third" with the mouse scrolls the page to make
        # room for its list, and that scroll closes the list again at once (Streamlit's selectbox).
        box = page.get_by_role("combobox", name=place, exact=True)
        box.focus()
        type_to_pick(page, box, need)
    last = len(instrument.sections) + 2
    press(page, "Save and continue", then=page.get_by_text(section_text(instrument, last)))
    press(page, "Save and continue", then=page.get_by_text("Everything needed is answered."))
    press(page, "Send my answers", then=page.get_by_role("heading", name="Your profile"))
    expect(page.get_by_text("your answers are sent")).to_be_visible()
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    expect(chart.locator("svg.main-svg").first).to_be_attached()


def greets(page: Page, person: Person) -> None:
    """The notice greets this person, and nobody else's name or address is anywhere on the page."""
    expect(page.get_by_role("heading", name=f"Hello {person.first_name}", exact=True)).to_be_visible()
    shown = page.get_by_test_id("stMain").inner_text()
    for other in PEOPLE:
        if other != person:
            for word in other.name.split():
                assert word not in shown, f"{other.name}'s {word!r} shows on {person.name}'s page"
            assert other.email not in shown


# ---- tests --------------------------------------------------------------------------------------------------


def test_each_e_mail_and_the_page_behind_its_link_name_only_their_recipient(
        new_visitor: Callable[[], Page], emailed: Emailed):
    """Before anyone answers (this test comes first in the module): each e-mail greets its own recipient, and
    the page behind its link greets that same person and shows nobody else's name or address."""
    for person in PEOPLE:
        message = emailed.messages[person.email]
        body = message.get_content()
        assert body.splitlines()[0] == f"Hello {person.name},", body[:80]
        assert "invites you" in message["Subject"]
        for other in PEOPLE:
            if other != person:
                assert other.name not in body and other.email not in body, f"{other.name} in {person.email}'s e-mail"
                assert other.name not in str(message["To"])

        page = open_link(new_visitor(), emailed.links[person.email])
        greets(page, person)
        assert "invite=" not in page.url


def test_a_round_from_new_team_to_answers_declines_and_the_response_rate(
    new_visitor: Callable[[], Page], emailed: Emailed, instrument: Instrument
) -> None:
    # Zoë answers everything in one go and sends.
    page = open_link(new_visitor(), emailed.links[ZOE.email])
    greets(page, ZOE)
    press(page, "Start", then=page.get_by_text(section_text(instrument, 1)))
    finish_and_send(page, instrument, first_section=1, value=4)

    # Mei saves the first section and stops; later, on another device, the same link resumes at section 2.
    first = instrument.items_in(instrument.sections[0].key)
    required = len(instrument.items) + 3    # every statement and the three picks
    page = open_link(new_visitor(), emailed.links[MEI.email])
    greets(page, MEI)
    press(page, "Start", then=page.get_by_text(section_text(instrument, 1)))
    rate_section(page, instrument, 1, value=2)
    expect(page.get_by_text(f"Saved “{instrument.sections[0].title}”.")).to_be_visible()
    page = open_link(new_visitor(), emailed.links[MEI.email])
    expect(page.get_by_text("Welcome back: your saved answers are filled in below.")).to_be_visible()
    expect(page.get_by_text(f"{section_text(instrument, 2)} ({len(first)} of {required} answers)")).to_be_visible()
    press(page, "Back", then=page.get_by_text(section_text(instrument, 1)))
    disagree = instrument.scale.labels[2 - instrument.scale.min]
    for item in first:
        chosen = page.get_by_role("radiogroup", name=item.text).get_by_role("radio", name=disagree, exact=True)
        expect(chosen).to_be_checked()
    expect(page.locator("input[type=radio]:checked")).to_have_count(len(first))
    press(page, "Save and continue", then=page.get_by_text(section_text(instrument, 2)))
    finish_and_send(page, instrument, first_section=2, value=2)

    # Omar says no thanks.
    page = open_link(new_visitor(), emailed.links[OMAR.email])
    greets(page, OMAR)
    press(page, "No thanks", then=page.get_by_role("heading", name="Thank you for letting us know"))

    # Maria reloads Rounds: her login survives the reload (its cookie), and she follows the round.
    manager = emailed.manager
    manager.reload()
    settle(manager, manager.get_by_text("Logged in as"))
    expect(manager.get_by_label("Password", exact=True)).to_have_count(0)
    go_to(manager, "Rounds")
    rate = manager.get_by_test_id("stMetric").filter(has_text="Response rate")
    choose(manager, "Team", TEAM, then=rate)
    expect(manager.get_by_role("combobox", name="Round", exact=True)).to_have_value(re.compile(r"^Wave \d{4}, opened"))
    expect(rate.get_by_test_id("stMetricValue")).to_have_text("67%")
    table = manager.get_by_test_id("stTable")
    states = {row[0]: row[1:] for row in table_rows(table, len(PEOPLE))}
    assert states == {ZOE.name: ["submitted", "—", "—"], MEI.name: ["submitted", "—", "—"],
                      OMAR.name: ["declined", "—", "—"]}, states
    assert len(emailed.smtp.messages) == len(PEOPLE), "answering and declining send no e-mail"
