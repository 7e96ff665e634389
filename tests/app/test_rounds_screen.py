"""The Rounds screen: open a round, see the links once, follow each member's state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from coaching.core.actors import SYSTEM
from coaching.core.settings import Settings
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team
from coaching.rounds import rounds
from coaching.startup import start

from .conftest import EMPTY_MANAGER, assert_healthy, domain, shown_tables, texts

ROUNDS = "screens/rounds.py"


def test_opening_a_round_shows_each_link_once_and_the_members_as_not_started(demo_db: Path, open_app) -> None:
    at = open_app(ROUNDS)
    assert_healthy(at)
    next(b for b in at.button if b.label == "Open round").click().run()

    assert_healthy(at)
    assert any("Round opened for 8 members" in s.value for s in at.success)
    links = [c.value for c in at.code]
    assert len(links) == 8 and all("/respond?invite=" in link for link in links)
    table = shown_tables(at)[0]
    assert set(table["State"]) == {"not started"}
    assert any("E-mail is not set up" in c.value for c in at.caption)

    aspire = start(Settings(db=demo_db))
    try:
        invitation = rounds.resolve(aspire, links[0].split("invite=")[1])
        assert invitation.row.round.team == "Platform engineering"
    finally:
        aspire.close()


def test_the_links_are_gone_in_a_new_session_and_a_new_one_can_be_issued(demo_db: Path, open_app) -> None:
    first = open_app(ROUNDS)
    next(b for b in first.button if b.label == "Open round").click().run()

    later = open_app(ROUNDS)
    assert_healthy(later)
    assert not later.code, "links are secrets shown once, not kept"
    next(b for b in later.button if b.label == "Issue a new link").click().run()
    assert_healthy(later)
    assert len(later.code) == 1 and "/respond?invite=" in later.code[0].value


def test_the_screen_warns_while_links_point_to_this_machine(demo_db: Path, monkeypatch, open_app) -> None:
    at = open_app(ROUNDS)
    assert_healthy(at)
    [warning] = [w.value for w in at.warning if "Personal links point to" in w.value]
    assert warning.startswith("Personal links point to `http://localhost:8501`, this machine")

    monkeypatch.setenv("COACHING_BASE_URL", "https://aspire.yourcompany.example")
    at = open_app(ROUNDS)
    assert_healthy(at)
    assert not [w for w in at.warning if "Personal links point to" in w.value]


def test_two_members_of_one_name_are_both_listed_and_both_get_a_link(empty_db: Path, open_app) -> None:
    with domain(empty_db) as aspire:
        manager = accounts_of(aspire).authenticate(*EMPTY_MANAGER)
        team = create_team(aspire, manager, "Twins").id
        add_members(aspire, manager, team, [NewMember(name="Ana", email="ana.one@example.com"),
                                            NewMember(name="Ana", email="ana.two@example.com")])
    at = open_app(ROUNDS, login=EMPTY_MANAGER)
    next(b for b in at.button if b.label == "Open round").click().run()

    assert_healthy(at)
    assert any("Round opened for 2 members" in s.value for s in at.success)
    assert len({c.value for c in at.code}) == 2, "each Ana has a link of her own"
    assert list(shown_tables(at)[0]["Member"]) == ["Ana", "Ana"]
    member = next(b for b in at.selectbox if b.label == "Member")
    assert sorted(member.options) == [
        "Ana <ana.one@example.com>", "Ana <ana.two@example.com>"]


def test_a_new_round_defaults_to_a_wave_the_team_has_not_all_answered_and_says_who_has(empty_db: Path,
                                                                                       open_app) -> None:
    """The first wave on offer is this year's: in December, a team that has all answered it got a round there,
    every member 'not started' at 0%, while each link opened on the answers already sent."""
    with domain(empty_db) as aspire:
        manager = accounts_of(aspire).authenticate(*EMPTY_MANAGER)
        team = create_team(aspire, manager, "Data").id
        people = add_members(aspire, manager, team, [NewMember(name="Ana", email="ana@example.com"),
                                                     NewMember(name="Ben", email="ben@example.com")])
        this_year, next_year, _ = rounds.wave_years(rounds.organisation_today(aspire))
        wave = ensure_wave(aspire, this_year, dt.date(int(this_year), 1, 1))
        instrument = current_instrument(aspire)
        raw = {"ratings": {i.id: 1 + n % 5 for n, i in enumerate(instrument.items)},
               "top_three": ["status", "balance", "autonomy"]}
        submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=raw) for m in people])
    at = open_app(ROUNDS, login=EMPTY_MANAGER)

    chosen = next(b for b in at.selectbox if b.label == "Wave")
    assert chosen.value == next_year
    chosen.set_value(this_year).run()
    assert any(f"2 of 2 members already answered in wave {this_year}" in c for c in texts(at.caption))
    next(b for b in at.button if b.label == "Open round").click().run()

    assert_healthy(at)
    assert set(shown_tables(at)[0]["State"]) == {"submitted"}
