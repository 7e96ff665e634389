"""Remembered reads outlive the writes that cannot change them, and only those (write counts per subject).

What a manager notices: their screens stay as quick after an answer in another team, a respondent's draft or
someone opening a screen, while their own team's new answer and the organisation's figures show at once; the
reliability estimate moves once a version's responses have grown by 1%, and what the screens say about it
stays true meanwhile.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.needs import NEEDS
from coaching.db.database import Database
from coaching.db.subjects import reads
from coaching.governance.audit import Action, Subject
from coaching.measurement.instrument import Instrument
from coaching.measurement.profiles import latest_answered, profiles
from coaching.measurement.reliability import current_estimate, scale_reliability
from coaching.measurement.response_rows import ResponseRows, Wave
from coaching.measurement.responses import Submission, ensure_wave, list_waves, submit
from coaching.measurement.scoring import score_response
from coaching.one_on_one.portrait import member_portrait, reading_update, team_picture
from coaching.one_on_one.review import review_overview
from coaching.paths.fit import DEFAULT_THRESHOLDS
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams, move_member
from coaching.privacy import requests as privacy
from coaching.rounds import rounds
from tests.conftest import make_manager

TODAY = dt.date(2026, 6, 1)


@dataclass(frozen=True)
class Org:
    a: Actor
    b: Actor
    team_a: int
    team_b: int
    members_a: list[int]
    members_b: list[int]
    wave: Wave


def _raw(instrument: Instrument, rng: random.Random) -> dict:
    """Answers that hang together (one level per need, plus noise), never the same rating throughout."""
    level = {need: rng.uniform(1.5, 4.5) for need in NEEDS}
    ratings = {}
    for item in instrument.items:
        value = min(5, max(1, round(level[item.need] + rng.gauss(0, 0.7))))
        ratings[item.id] = instrument.scale.flip(value) if item.reverse else value
    return {"ratings": ratings, "top_three": [str(n) for n in rng.sample(NEEDS, 3)]}


def _answer(aspire: Aspire, instrument: Instrument, members: list[int], wave: Wave, seed: int = 1) -> None:
    rng = random.Random(seed)
    submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave.id, raw=_raw(instrument, rng)) for m in members])


def _org(aspire: Aspire, instrument: Instrument) -> Org:
    """Managers A and B with a team of three each; two of each team answered the 2026 wave."""
    a = make_manager(aspire, "a@example.com", "Manager A")
    b = make_manager(aspire, "b@example.com", "Manager B")
    team_a, team_b = create_team(aspire, a, "Team A").id, create_team(aspire, b, "Team B").id
    members_a = add_members(aspire, a, team_a, [NewMember(name=f"A{n}", email=f"a{n}@example.com") for n in range(3)])
    members_b = add_members(aspire, b, team_b, [NewMember(name=f"B{n}", email=f"b{n}@example.com") for n in range(3)])
    ensure_wave(aspire, "2026", dt.date(2026, 3, 1))
    wave = list_waves(aspire)[0]
    _answer(aspire, instrument, members_a[:2] + members_b[:2], wave)
    return Org(a, b, team_a, team_b, members_a, members_b, wave)


def _screens_of_a(aspire: Aspire, org: Org) -> tuple:
    """What manager A's home, team and member screens read."""
    return (list_teams(aspire, org.a), list_members(aspire, org.a, org.team_a), latest_answered(aspire, org.a),
            review_overview(aspire, org.a, org.team_a, TODAY),
            team_picture(aspire, org.a, org.team_a, org.wave, DEFAULT_THRESHOLDS),
            member_portrait(aspire, org.a, org.members_a[0], DEFAULT_THRESHOLDS))


def _warm_screens_of_a(aspire: Aspire, org: Org, queries: list[str]) -> tuple:
    """A's screens as a rerun with no write before it finds them: all remembered, nothing read."""
    _screens_of_a(aspire, org)
    queries.clear()
    screens = _screens_of_a(aspire, org)
    assert queries == []
    return screens


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read the domain runs (a statement, or a snapshot of several), from the last `clear()` on."""
    seen: list[str] = []
    query, read = Database.query, Database.read
    monkeypatch.setattr(Database, "query", lambda db, sql, params=(): seen.append(sql) or query(db, sql, params))
    monkeypatch.setattr(Database, "read", lambda db, work: seen.append("a snapshot") or read(db, work))
    return seen


def test_an_answer_in_another_team_leaves_this_managers_screens_remembered(aspire, instrument, queries) -> None:
    org = _org(aspire, instrument)
    before = _warm_screens_of_a(aspire, org, queries)
    _answer(aspire, instrument, [org.members_b[2]], org.wave, seed=2)
    queries.clear()
    assert _screens_of_a(aspire, org) == before
    assert queries == [], "nothing of team A changed: nothing is read again"


def test_a_new_answer_in_this_team_shows_at_once(aspire, instrument) -> None:
    org = _org(aspire, instrument)
    _screens_of_a(aspire, org)
    newcomer = org.members_a[2]
    _answer(aspire, instrument, [newcomer], org.wave, seed=2)
    _, _, (_, answered), overview, picture, _ = _screens_of_a(aspire, org)
    assert newcomer in {p.member_id for p in answered}
    assert newcomer in {p.member_id for p in picture.answered}
    assert next(r for r in overview if r.member_id == newcomer).last_answered is not None


def test_organisation_wide_figures_see_an_answer_in_any_team(aspire, instrument) -> None:
    org = _org(aspire, instrument)
    assert len(profiles(aspire, SYSTEM, org.wave.id)) == 4
    _answer(aspire, instrument, [org.members_b[2]], org.wave, seed=2)
    assert len(profiles(aspire, SYSTEM, org.wave.id)) == 5


def test_a_moved_member_leaves_one_managers_screens_and_joins_the_others(aspire, instrument) -> None:
    org = _org(aspire, instrument)
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    _screens_of_a(aspire, org)
    assert len(profiles(aspire, org.b, org.wave.id)) == 2
    move_member(aspire, admin, org.members_a[0], org.team_b)
    assert [p.member_id for p in profiles(aspire, org.a, org.wave.id)] == [org.members_a[1]]
    assert org.members_a[0] in {p.member_id for p in profiles(aspire, org.b, org.wave.id)}


def test_a_member_moved_between_two_teams_of_one_manager_is_seen_in_the_new_one_at_once(aspire, instrument) -> None:
    """The two teams' write counts match after the move as they did before it: the remembered portrait is kept
    for the subjects it read, not for their counts alone."""
    manager = make_manager(aspire)
    one, two = create_team(aspire, manager, "One").id, create_team(aspire, manager, "Two").id
    (moved,) = add_members(aspire, manager, one, [NewMember(name="Mo", email="mo@example.com")])
    add_members(aspire, manager, one, [NewMember(name="Ola", email="ola@example.com")])    # one's members: 2 writes
    (stays,) = add_members(aspire, manager, two, [NewMember(name="Tia", email="tia@example.com")])
    ensure_wave(aspire, "2026", dt.date(2026, 3, 1))
    wave = list_waves(aspire)[0]
    _answer(aspire, instrument, [moved], wave)
    _answer(aspire, instrument, [stays], wave, seed=2)                                     # one response write each
    assert member_portrait(aspire, manager, moved, DEFAULT_THRESHOLDS).member.team_id == one
    move_member(aspire, manager, moved, two)                                               # two's members: 2 writes
    assert member_portrait(aspire, manager, moved, DEFAULT_THRESHOLDS).member.team_id == two


def test_drafts_audit_entries_links_opened_and_logins_recompute_no_managers_read(aspire, instrument, queries) -> None:
    org = _org(aspire, instrument)
    _, links = rounds.open_round(aspire, org.a, org.team_a, "2026", dt.datetime.now(dt.UTC) + dt.timedelta(days=9))
    token = parse_qs(urlparse(links[2].url).query)["invite"][0]
    session, _ = accounts_of(aspire).start_session(org.a)
    before = (_warm_screens_of_a(aspire, org, queries), accounts_of(aspire).session_actor(session))
    invitation = rounds.resolve(aspire, token)                      # the link opened
    for step in range(5):                                           # "Save and continue", page by page
        rounds.save_draft(aspire, invitation, {"ratings": {}, "step": step})
    aspire.audit.record(org.b, Action.VIEWED, Subject.TEAM, [org.team_b], "team page")
    queries.clear()
    assert (_screens_of_a(aspire, org), accounts_of(aspire).session_actor(session)) == before
    assert queries == []
    accounts_of(aspire).start_session(org.b)                        # someone else logs in
    queries.clear()
    assert _screens_of_a(aspire, org) == before[0]
    assert queries == [], "a login is checked again by the session check alone"
    assert accounts_of(aspire).session_actor(session) == org.a


def test_an_answer_through_one_server_shows_on_the_others_remembered_screens(two_servers, instrument) -> None:
    one, two = two_servers
    org = _org(one, instrument)
    _screens_of_a(two, org)
    unchanged = _screens_of_a(two, org)
    _answer(one, instrument, [org.members_b[2]], org.wave, seed=2)
    two.db.engine.catch_up()        # server two has heard of the answer (a person's next click comes later)
    assert _screens_of_a(two, org) == unchanged, "another team's answer: nothing of A's moved"
    assert len(profiles(two, SYSTEM, org.wave.id)) == 5, "the organisation's figures on server two see it"
    _answer(one, instrument, [org.members_a[2]], org.wave, seed=3)
    two.db.engine.catch_up()
    assert org.members_a[2] in {p.member_id for p in _screens_of_a(two, org)[2][1]}, "A's own: seen on two"


def _big_team(aspire: Aspire, instrument: Instrument, people: int) -> tuple[Actor, int, list[int], Wave]:
    manager = make_manager(aspire)
    team = create_team(aspire, manager, "Everyone").id
    members = add_members(aspire, manager, team, [NewMember(name=f"P{n:03d}", email=f"p{n}@example.com")
                                                  for n in range(people)])
    ensure_wave(aspire, "2026", dt.date(2026, 3, 1))
    return manager, team, members, list_waves(aspire)[0]


def _basis(aspire: Aspire, instrument: Instrument) -> int:
    """How many responses the estimate in use rests on, as the questionnaire screen says it."""
    return next(iter(scale_reliability(aspire, instrument.version).values())).n


def test_the_estimate_is_taken_again_after_one_percent_growth_and_not_before(aspire, instrument) -> None:
    manager, team, members, wave = _big_team(aspire, instrument, 154)
    _answer(aspire, instrument, members[:150], wave)
    assert _basis(aspire, instrument) == 150
    _answer(aspire, instrument, [members[150]], wave, seed=2)
    assert _basis(aspire, instrument) == 150, "one response is under 1% of 150: the estimate is kept"
    kept = current_estimate(aspire, instrument.version)
    assert kept.basis.sums.n == 150 and kept.table == scale_reliability(aspire, instrument.version)
    _answer(aspire, instrument, [members[151]], wave, seed=3)
    assert _basis(aspire, instrument) == 152, "two are 1.3%: taken again, over every response now"
    table = scale_reliability(aspire, instrument.version)
    stored = {r.member_id: r.answers for r in ResponseRows(aspire.db).current_responses(manager, wave.id, [team])}
    assert {p.member_id: p.profile for p in profiles(aspire, manager, wave.id, [team])} == {
        m: score_response(instrument, answers, table) for m, answers in stored.items()}, "rescored with it"


def test_the_one_on_one_page_names_the_estimate_its_reading_rests_on(aspire, instrument) -> None:
    """The page records the basis of the estimate it read with: the kept one until it is taken again."""
    manager, team, members, wave = _big_team(aspire, instrument, 154)
    _answer(aspire, instrument, members[:150], wave)
    assert _basis(aspire, instrument) == 150
    _answer(aspire, instrument, [members[150]], wave, seed=2)
    for member, basis in ((members[150], 150), (members[151], 152)):
        if member == members[151]:
            _answer(aspire, instrument, [member], wave, seed=3)
        assert reading_update(aspire, manager, member_portrait(aspire, manager, member, DEFAULT_THRESHOLDS)) is None
        assert ResponseRows(aspire.db).reading_shown(manager, team, member)[2] == basis


def test_an_erasure_takes_the_estimate_again_at_once(aspire, instrument) -> None:
    _, _, members, wave = _big_team(aspire, instrument, 150)
    _answer(aspire, instrument, members, wave)
    assert _basis(aspire, instrument) == 150
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    privacy.erase_member(aspire, admin, "p0@example.com")
    assert _basis(aspire, instrument) == 149, "what rested on the erased answers goes with them, however few"


def test_a_read_is_dropped_by_a_write_at_above_or_under_its_subjects_only(aspire) -> None:
    """The rule of coaching.db.subjects, on a bare Database: kept past writes beside it, dropped otherwise."""
    calls = itertools.count(1)

    @reads("fruit/apple")
    def apples(counter: Any) -> int:
        return next(counter)

    @reads("fruit")
    def fruit(counter: Any) -> int:
        return -next(counter)

    def anything(counter: Any) -> int:
        return 1000 + next(counter)

    db = aspire.db
    first = [db.remembered(read, calls) for read in (apples, fruit, anything)]

    def after(*touches: str) -> list[bool]:
        """Which of the three reads were done again after a write touching these (none named: everything)."""
        nonlocal first
        db.write(lambda tx: None, touches=touches)
        now = [db.remembered(read, calls) for read in (apples, fruit, anything)]
        redone, first = [a != b for a, b in zip(first, now, strict=True)], now
        return redone

    assert after("vegetables") == [False, False, True], "beside both: only the read naming nothing goes"
    assert after("fruit/pear") == [False, True, True], "under fruit, beside fruit/apple"
    assert after("fruit/apple/green") == [True, True, True], "under both"
    assert after("fruit") == [True, True, True], "above fruit/apple"
    assert after() == [True, True, True], "a write that names nothing touches everything"
    with pytest.raises(ValueError, match="not a subject"):
        db.write(lambda tx: None, touches=["Fruit/Apple"])
