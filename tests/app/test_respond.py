"""The respondent's page through app.py, as AppTest sees it: a personal link, no login, a real DuckDB file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.needs import Need
from coaching.core.settings import Settings
from coaching.measurement.steps import steps
from coaching.one_on_one import plans
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team
from coaching.rounds import rounds
from coaching.rounds.rounds import INVALID_LINK, State
from coaching.startup import start
from coaching.ui.respondent import NO_LINK

from .conftest import APP, assert_healthy, log_in

RESPOND = "screens/respond.py"
SECRET_TEAM = "Research and Sales Secret Team"
PEOPLE = ("Ana Lima", "Ben Okafor")
MESSAGE = "Thanks for *taking* ten minutes <b>before Friday</b>."
MANAGER_LOGIN = ("morgan@example.com", "morgan-password-1")


class Round:
    """A round opened by a manager on a fresh database, with each member's link token."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        aspire = start(Settings(db=db_path))
        try:
            email, password = MANAGER_LOGIN
            self.manager: Actor = accounts_of(aspire).create_user(SYSTEM, email, "Morgan Manager", Role.MANAGER,
                                                              password).actor
            self.team_id = create_team(aspire, self.manager, SECRET_TEAM).id
            add_members(aspire, self.manager, self.team_id,
                                     [NewMember(name=n, email=f"{n.split()[0].lower()}@example.com") for n in PEOPLE])
            self.round_id, links = rounds.open_round(aspire, self.manager, self.team_id, "2026",
                                                     dt.datetime.now(dt.UTC) + dt.timedelta(days=10), message=MESSAGE)
        finally:
            aspire.close()
        self.tokens = [parse_qs(urlparse(link.url).query)["invite"][0] for link in links]
        self.member_ids = [link.member_id for link in links]

    def change(self, work: Callable[[Aspire, Round], object]) -> None:
        """Change the database while no app has it open (the app test starts its own store afterwards)."""
        aspire = start(Settings(db=self.db_path))
        try:
            work(aspire, self)
        finally:
            aspire.close()


@pytest.fixture
def opened(db_path: Path) -> Round:
    return Round(db_path)


def open_link(token: str | None) -> AppTest:
    """A browser opening /respond?invite=<token>: the app runs, then its respondent page with that address."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if token is not None:
        at.query_params["invite"] = token
    at.run()
    at.switch_page(RESPOND).run()
    assert_healthy(at)
    return at


def everything_shown(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of every element on the page, in the main area and the sidebar."""
    found = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)
            return
        if node.type == "html" and node.proto.body.lstrip().startswith(("<script>", "<style>", "<i hidden")):
            return   # the page's lang/dir script (behind its hidden values) and the layout: nothing a person sees
        if node.type == "progress":
            text = node.proto.text
        else:
            text = next((str(v) for v in (getattr(node, "value", None), getattr(node, "label", None)) if v), "")
        found.append((node.type, text))

    walk(at.main)
    walk(at.sidebar)
    return found


def page_text(at: AppTest) -> str:
    return "\n".join(text for _, text in everything_shown(at)).replace("\\", "")


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert_healthy(at)
    return at


def rate_section(at: AppTest, section: str, value: int = 4, skip: tuple[str, ...] = ()) -> dict[str, int]:
    instrument = opened_instrument(at)
    given = {}
    for item in instrument.items_in(section):
        if item.id not in skip:
            at.radio(key=f"rate_{item.id}").set_value(value)
            given[item.id] = value
    return given


def opened_instrument(at: AppTest):
    return at.session_state["respond_invitation"].instrument


def fill_everything(at: AppTest, top: tuple[Need, Need, Need] = (Need.AUTONOMY, Need.EXPERTISE, Need.BALANCE),
                    skip: tuple[str, ...] = ()) -> None:
    """From the notice, answer every section through the widgets and arrive at the review."""
    click(at, "Start")
    instrument = opened_instrument(at)
    for section in instrument.sections:
        rate_section(at, section.key, value=5 if section.key == "ahead" else 3, skip=skip)
        click(at, "Save and continue")
    for place, need in zip(("Most important", "Second", "Third"), top, strict=True):
        at.selectbox(key=f"pick_{place}").set_value(need)
    click(at, "Save and continue")
    at.text_area(key="reflect_need_now").input("Time to go deep; fewer meetings.")
    at.selectbox(key="life_stage_pick").set_value("Settled and building")
    click(at, "Save and continue")
    assert "Check and send" in page_text(at)


def state_of(opened: Round, index: int = 0) -> State:
    states = {}
    opened.change(lambda aspire, r: states.update(
        {m.member_id: m.state for m in rounds.round_status(aspire, r.manager, r.round_id).members}))
    return states[opened.member_ids[index]]


# ---- links that do not work ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["unknown", "malformed", "revoked", "injection"])
def test_a_link_that_does_not_work_shows_one_sentence_and_nothing_else(opened: Round, kind: str) -> None:
    if kind == "revoked":
        opened.change(lambda aspire, r: rounds.revoke_link(aspire, r.manager, r.round_id, r.member_ids[0]))
    token = {"unknown": "A" * 43, "malformed": "not-a-token", "revoked": opened.tokens[0],
             "injection": "'; DROP TABLE invitation; --"}[kind]

    at = open_link(token)

    assert [e.value for e in at.error] == [INVALID_LINK]
    assert len(everything_shown(at)) == 1, everything_shown(at)
    assert "invite" not in at.query_params, "the token stays out of the address"
    at.run()
    assert [e.value for e in at.error] == [INVALID_LINK], "a rerun says the same"


def test_the_page_without_a_link_asks_for_the_personal_link(opened: Round) -> None:
    at = open_link(None)

    assert [e.value for e in at.error] == [NO_LINK]
    assert len(everything_shown(at)) == 1, everything_shown(at)
    for secret in (SECRET_TEAM, *PEOPLE):
        assert secret not in page_text(at)


# ---- the notice ------------------------------------------------------------------------------------


def test_the_notice_says_who_sees_the_answers_what_for_and_that_it_is_voluntary(opened: Round) -> None:
    at = open_link(opened.tokens[0])

    text = page_text(at)
    assert [t.value for t in at.title] == ["Hello Ana"]
    assert "Your manager" in text
    assert "HR sees answers only as averages over groups of at least 5 people" in text
    assert "never used to decide pay, promotion or selection" in text
    assert "voluntary" in text and "reminders stop" in text
    assert "UTC" in text
    assert "invite" not in at.query_params, "the token leaves the address bar once read"
    assert any("*taking*" in m.value.replace("\\", "") and "\\*" in m.value for m in at.markdown), \
        "the manager's message is shown as typed, never as formatting"
    assert [b.label for b in at.button] == ["Start", "No thanks"]
    assert SECRET_TEAM not in text and "Ben" not in text
    assert not at.radio, "no question before the notice is read"


def test_opening_the_link_is_recorded_once_and_reruns_write_nothing(opened: Round, started) -> None:
    at = open_link(opened.tokens[0])
    aspire = started[0]
    first = aspire.db.scalar("SELECT opened_at FROM invitation WHERE member_id = ?", [opened.member_ids[0]])
    assert first is not None
    at.run()
    at.run()
    assert aspire.db.scalar("SELECT opened_at FROM invitation WHERE member_id = ?",
                                  [opened.member_ids[0]]) == first
    assert aspire.db.scalar("SELECT count(*) FROM response_draft") == 0


def test_declining_stops_reminders_and_the_person_can_still_answer(opened: Round, started) -> None:
    at = open_link(opened.tokens[0])

    click(at, "No thanks")

    text = page_text(at)
    assert "no more reminders" in text
    assert "this same link still works" in text
    assert rounds.round_status(started[0], opened.manager, opened.round_id).members[0].state is State.DECLINED
    click(at, "Answer after all")
    assert at.radio, "the questionnaire opens after all"


# ---- sections, saving and resuming ----------------------------------------------------------------


def test_a_saved_section_resumes_on_another_day_at_the_next_section_with_its_answers_kept(opened: Round) -> None:
    at = open_link(opened.tokens[0])
    click(at, "Start")
    instrument = opened_instrument(at)
    first, second = instrument.sections[0], instrument.sections[1]
    assert f"Section 1 of {len(steps(instrument))}: {first.title}" in page_text(at)
    assert all(r.value is None for r in at.radio), "nothing is preselected"
    given = rate_section(at, first.key)
    given[instrument.items_in(first.key)[0].id] = 1
    at.radio(key=f"rate_{instrument.items_in(first.key)[0].id}").set_value(1)
    click(at, "Save and continue")
    assert f"Section 2 of 5: {second.title}" in page_text(at)

    another_day = open_link(opened.tokens[0])     # a new session: another day, or another device

    text = page_text(another_day)
    assert f"Section 2 of 5: {second.title}" in text
    assert "Welcome back" in text
    assert {r.key.removeprefix("rate_") for r in another_day.radio} == {i.id for i in instrument.items_in(second.key)}
    click(another_day, "Back")
    assert {r.key.removeprefix("rate_"): r.value for r in another_day.radio} == given


def test_a_section_saved_with_gaps_names_the_missing_statements(opened: Round) -> None:
    at = open_link(opened.tokens[0])
    click(at, "Start")
    instrument = opened_instrument(at)
    skipped = instrument.items_in("drive")[2]
    rate_section(at, "drive", skip=(skipped.id,))

    click(at, "Save and continue")

    assert skipped.text in " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Section 2 of 5" in page_text(at), "a gap does not hold the person back"


# ---- sending ----------------------------------------------------------------------------------------


def test_sending_with_a_missing_answer_names_that_statement_and_keeps_every_other_answer(opened: Round) -> None:
    at = open_link(opened.tokens[0])
    instrument = opened_instrument(at)
    missing = instrument.items_in("ahead")[3]
    fill_everything(at, skip=(missing.id,))
    review = page_text(at)
    assert missing.text in review, "named before sending"

    click(at, "Send my answers")

    shown = page_text(at)
    assert "answer still missing" in shown
    assert missing.text in shown
    assert f"Section 3 of 5: {instrument.sections[2].title}" in shown, "back at the section to fix it"
    assert at.radio(key=f"rate_{missing.id}").value is None
    kept = {r.key.removeprefix("rate_"): r.value for r in at.radio if r.value is not None}
    assert len(kept) == len(instrument.items_in("ahead")) - 1
    assert not at.get("plotly_chart")


def test_a_complete_answer_shows_the_own_profile_with_a_chart_and_its_reading(opened: Round, started) -> None:
    at = open_link(opened.tokens[0])
    fill_everything(at)

    click(at, "Send my answers")

    profile = rounds.own_profile(started[0], rounds.resolve(started[0], opened.tokens[0]))
    assert profile is not None
    text = page_text(at)
    assert "your answers are sent" in text
    assert [t.value for t in at.title] == ["Your profile"]
    assert profile.reading in text
    assert "1. Autonomy" in text and "2. Expertise and acclaim" in text and "3. Work-life balance" in text
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert [trace["type"] for trace in spec["data"]] == ["scatterpolar"] * 3
    at.toggle(key="respond_table").set_value(True).run()
    assert not at.get("plotly_chart")
    table = at.table[0].value
    assert len(table) == 7 and table["Score"].between(0, 100).all()
    assert list(table["Your pick"][table["Your pick"] != ""]) == ["2nd", "1st", "3rd"]   # in need order


def test_answers_can_be_changed_while_the_round_is_open_and_each_change_is_kept(opened: Round, started) -> None:
    at = open_link(opened.tokens[0])
    fill_everything(at)
    click(at, "Send my answers")
    instrument = opened_instrument(at)

    click(at, "Change my answers")
    first = instrument.items_in("drive")[0]
    assert at.radio(key=f"rate_{first.id}").value == 3, "the answers sent are filled in"
    at.radio(key=f"rate_{first.id}").set_value(1)
    for _ in range(len(steps(instrument))):
        click(at, "Save and continue")
    click(at, "Send my answers")

    aspire = started[0]
    assert aspire.db.scalar("SELECT count(*) FROM response") == 2, "each change is kept"
    now = rounds.own_answers(aspire, rounds.resolve(aspire, opened.tokens[0]))
    assert now is not None and now.ratings[first.id] == 1


# ---- a closed round ----------------------------------------------------------------------------------


def _answer_and(end: str):
    def work(aspire: Aspire, r: Round) -> None:
        invitation = rounds.resolve(aspire, r.tokens[0])
        instrument = invitation.instrument
        rounds.submit_answers(aspire, invitation, {
            "ratings": {i.id: 2 + (i.need == "expertise") * 3 for i in instrument.items},
            "top_three": ["expertise", "balance", "status"]})
        if end == "closed":
            rounds.close_round(aspire, r.manager, r.round_id)
        else:
            aspire.db.write(lambda tx: tx.execute("UPDATE round SET deadline = ? WHERE id = ?",
                                                        [dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), r.round_id]))
    return work


@pytest.mark.parametrize("end", ["closed", "past the deadline"])
def test_a_closed_round_shows_the_own_results_read_only(opened: Round, end: str) -> None:
    opened.change(_answer_and(end))

    at = open_link(opened.tokens[0])

    assert any("This round is closed" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 1
    assert "Expertise and acclaim" in page_text(at)
    assert not at.radio and not at.text_area
    assert [b.label for b in at.button] == [], "nothing to change or send"
    assert at.toggle(key="respond_closed_table") is not None


def test_a_closed_round_without_answers_says_so(opened: Round) -> None:
    opened.change(lambda aspire, r: rounds.close_round(aspire, r.manager, r.round_id))

    at = open_link(opened.tokens[1])

    text = page_text(at)
    assert "This round is closed" in text
    assert "You did not send answers in this round." in text
    assert not at.get("plotly_chart") and not at.button


@pytest.mark.parametrize("meanwhile", ["closed", "revoked"])
def test_a_round_closed_or_a_link_revoked_while_answering_is_noticed_before_saving(
    opened: Round, started, meanwhile: str
) -> None:
    at = open_link(opened.tokens[0])
    click(at, "Start")
    rate_section(at, "drive")
    aspire = started[0]
    if meanwhile == "closed":
        rounds.close_round(aspire, opened.manager, opened.round_id)
    else:
        rounds.revoke_link(aspire, opened.manager, opened.round_id, opened.member_ids[0])

    click(at, "Save and continue")

    assert aspire.db.scalar("SELECT count(*) FROM response_draft") == 0, "nothing written after the end"
    if meanwhile == "closed":
        assert any("This round is closed" in i.value for i in at.info)
        assert "You did not send answers in this round." in page_text(at)
    else:
        assert [e.value for e in at.error] == [INVALID_LINK]
        assert len(everything_shown(at)) == 1, everything_shown(at)
    assert not at.radio


# ---- whoever is logged in --------------------------------------------------------------------------


def test_a_logged_in_manager_opening_a_link_sees_the_respondents_page(opened: Round) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at = log_in(at, *MANAGER_LOGIN)
    assert at.session_state["actor"].role is Role.MANAGER
    at.query_params["invite"] = opened.tokens[1]

    at.switch_page(RESPOND).run()

    assert_healthy(at)
    assert [t.value for t in at.title] == ["Hello Ben"]
    assert [b.label for b in at.button][-2:] == ["Start", "No thanks"]


def test_the_own_link_shows_the_agreed_goals_read_only_and_never_the_notes(opened: Round) -> None:
    def agree(aspire: Aspire, r: Round) -> None:
        _answer_and("closed")(aspire, r)
        goal = plans.add_goal(aspire, r.manager, r.member_ids[0], {
            "title": "Lead the data guild", "need": "expertise", "target_date": dt.date(2027, 6, 30)})
        plans.add_action(aspire, r.manager, goal.id, {"what": "Draft the guild's charter", "done": True})
        plans.add_note(aspire, r.manager, r.member_ids[0], {"held_on": dt.date(2026, 5, 1),
                                                            "body": "Private: thinking of leaving in spring"})

    opened.change(agree)
    at = open_link(opened.tokens[0])

    text = page_text(at)
    assert "Goals you agreed with your manager" in text
    assert "Lead the data guild" in text and "✓ Draft the guild's charter" in text
    assert "thinking of leaving" not in text, "a manager's note never reaches the person's page"
    assert not at.text_input and not at.button, "read only"

    other = open_link(opened.tokens[1])
    assert "Lead the data guild" not in page_text(other), "each link shows its own person's goals only"
