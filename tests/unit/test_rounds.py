"""Rounds and personal links: hashed tokens, one person per link, drafts, declines, deadlines, tracking."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import parse_qs, urlparse

import pytest

from coaching.core.actors import SYSTEM, PermissionDenied
from coaching.core.settings import load_settings
from coaching.measurement.answers import AnswerError
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import list_waves
from coaching.measurement.versions import current_instrument
from coaching.people import teams
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team
from coaching.rounds import rounds
from coaching.rounds.rounds import INVALID_LINK, InvalidLink, Invitees, RoundChanged, RoundClosed, State
from coaching.startup import start
from tests.conftest import make_manager

SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=14)


def _token(link) -> str:
    return parse_qs(urlparse(link.url).query)["invite"][0]


def _raw(instrument, value=4, top=("status", "balance", "autonomy")) -> dict:
    return {"ratings": {i.id: value for i in instrument.items}, "top_three": list(top)}


@pytest.fixture
def team(aspire):
    manager = make_manager(aspire)
    team_id = create_team(aspire, manager, "Team").id
    names = ["Ana", "Ben", "Cleo"]
    ids = add_members(aspire, manager, team_id, [NewMember(name=n, email=f"{n.lower()}@example.com")
                                                      for n in names])
    return manager, team_id, ids


def _open(aspire, team, **kwargs):
    manager, team_id, _ = team
    return rounds.open_round(aspire, manager, team_id, "2026", SOON, **kwargs)


def test_each_member_gets_a_link_whose_token_is_stored_only_as_a_hash(aspire, team):
    round_id, links = _open(aspire, team, message="Thanks for taking ten minutes.")
    assert [link.name for link in links] == ["Ana", "Ben", "Cleo"]
    assert all(link.url.startswith("http://localhost:8501/respond?invite=") for link in links)
    tokens = [_token(link) for link in links]
    assert len(set(tokens)) == 3 and all(len(t) >= 43 for t in tokens)
    stored = {r[0] for r in aspire.db.query("SELECT token_hash FROM invitation")}
    assert stored == {rounds.hash_token(t) for t in tokens}
    assert not stored & set(tokens)


@pytest.mark.parametrize("token", [None, "", "short", "x" * 43, "'; DROP TABLE invitation; --", "a" * 500])
def test_unknown_or_malformed_links_get_one_sentence(aspire, team, token):
    _open(aspire, team)
    with pytest.raises(InvalidLink) as caught:
        rounds.resolve(aspire, token)
    assert str(caught.value) == INVALID_LINK


def test_a_reissued_link_replaces_the_old_one(aspire, team):
    manager, _, ids = team
    round_id, links = _open(aspire, team)
    new = rounds.reissue_link(aspire, manager, round_id, ids[0])
    with pytest.raises(InvalidLink):
        rounds.resolve(aspire, _token(links[0]))
    assert rounds.resolve(aspire, _token(new)).row.member_id == ids[0]
    rounds.revoke_link(aspire, manager, round_id, ids[0])
    with pytest.raises(InvalidLink):
        rounds.resolve(aspire, _token(new))


def test_a_link_answers_for_its_own_member_only(aspire, team, instrument):
    manager, _, ids = team
    _, links = _open(aspire, team)
    ana, ben = (rounds.resolve(aspire, _token(link)) for link in links[:2])
    rounds.submit_answers(aspire, ana, _raw(instrument, 5, ("expertise", "status", "balance")))
    assert rounds.own_answers(aspire, ben) is None
    assert rounds.draft(aspire, ben) == {}
    profile = rounds.own_profile(aspire, ana)
    assert profile.choice[0].value == "expertise"
    stored = ResponseRows(aspire.db).current_responses(manager, list_waves(aspire)[0].id)
    assert [r.member_id for r in stored] == [ids[0]]


def test_a_half_finished_questionnaire_resumes_and_missing_answers_are_named(aspire, team, instrument):
    _, links = _open(aspire, team)
    first_visit = rounds.resolve(aspire, _token(links[0]))
    half = {"ratings": {i.id: 3 for i in instrument.items[:10]}}
    rounds.save_draft(aspire, first_visit, half)
    another_day = rounds.resolve(aspire, _token(links[0]))
    assert rounds.draft(aspire, another_day) == half
    with pytest.raises(AnswerError) as caught:
        rounds.submit_answers(aspire, another_day, half)
    missing = {where for where, _ in caught.value.problems}
    assert {i.id for i in instrument.items[10:]} <= missing and "top_three" in missing
    assert rounds.draft(aspire, another_day) == half, "a refused submit loses nothing"


def test_answers_can_change_until_the_round_closes_and_stay_readable_after(aspire, team, instrument):
    manager, _, _ = team
    round_id, links = _open(aspire, team)
    ana = rounds.resolve(aspire, _token(links[0]))
    rounds.submit_answers(aspire, ana, _raw(instrument, 2))
    rounds.submit_answers(aspire, ana, _raw(instrument, 4))
    assert aspire.db.scalar("SELECT count(*) FROM response") == 2, "each change is kept"
    rounds.close_round(aspire, manager, round_id)
    closed = rounds.resolve(aspire, _token(links[0]))
    assert not closed.open_for_answers(dt.datetime.now(dt.UTC))
    assert rounds.own_answers(aspire, closed).ratings["status_lead"] == 4
    with pytest.raises(RoundClosed):
        rounds.submit_answers(aspire, closed, _raw(instrument, 1))
    with pytest.raises(RoundClosed):
        rounds.save_draft(aspire, closed, {})


def test_an_expired_round_takes_no_answers(aspire, team, instrument):
    round_id, links = _open(aspire, team)
    aspire.db.write(lambda tx: tx.execute("UPDATE round SET deadline = ? WHERE id = ?",
                                                [dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), round_id]))
    with pytest.raises(RoundClosed):
        rounds.submit_answers(aspire, rounds.resolve(aspire, _token(links[0])), _raw(instrument))


def test_tracking_shows_each_members_state_and_the_response_rate(aspire, team, instrument):
    manager, _, ids = team
    round_id, links = _open(aspire, team)
    ana, ben, _ = (rounds.resolve(aspire, _token(link)) for link in links)
    rounds.submit_answers(aspire, ana, _raw(instrument))
    rounds.decline(aspire, ben)
    status = rounds.round_status(aspire, manager, round_id)
    assert [(m.name, m.state) for m in status.members] == [
        ("Ana", State.SUBMITTED), ("Ben", State.DECLINED), ("Cleo", State.NOT_STARTED)]
    assert status.response_rate == pytest.approx(1 / 3)
    rounds.save_draft(aspire, rounds.resolve(aspire, _token(links[2])), {"ratings": {}})
    assert rounds.round_status(aspire, manager, round_id).members[2].state is State.IN_PROGRESS
    rounds.record_delivery(aspire, manager, round_id, ids[2], "reminder", "email", True)
    assert len(rounds.round_status(aspire, manager, round_id).members[2].reminded) == 1


def test_a_new_round_in_a_wave_counts_those_who_answered_it_before_and_does_not_remind_them(aspire, team, instrument):
    """A second round in wave 2026 showed Ana 'not started' at 0% while her link opened on the answers she had
    sent in the first: a person has one response per wave."""
    manager, _, _ = team
    _, first = _open(aspire, team)
    rounds.submit_answers(aspire, rounds.resolve(aspire, _token(first[0])), _raw(instrument))

    second, links = _open(aspire, team)

    status = rounds.round_status(aspire, manager, second)
    assert [(m.name, m.state) for m in status.members] == [
        ("Ana", State.SUBMITTED), ("Ben", State.NOT_STARTED), ("Cleo", State.NOT_STARTED)]
    assert [m.name for m in status.pending] == ["Ben", "Cleo"]
    assert rounds.own_answers(aspire, rounds.resolve(aspire, _token(links[0]))) is not None, "she may change them"


def test_extending_the_deadline_detects_a_concurrent_change(aspire, team):
    manager, _, _ = team
    round_id, _ = _open(aspire, team)
    read = rounds.round_status(aspire, manager, round_id).round
    rounds.extend_deadline(aspire, manager, round_id, SOON + dt.timedelta(days=7), read.version)
    with pytest.raises(RoundChanged):
        rounds.extend_deadline(aspire, manager, round_id, SOON + dt.timedelta(days=9), read.version)
    with pytest.raises(ValueError, match="later than the current one"):
        rounds.extend_deadline(aspire, manager, round_id, SOON, read.version + 1)


def test_a_round_needs_a_future_deadline_and_members(aspire, team):
    manager, _, _ = team
    empty = create_team(aspire, manager, "Empty").id
    with pytest.raises(ValueError, match="future"):
        rounds.open_round(aspire, manager, empty, "2026", dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    with pytest.raises(ValueError, match="no members"):
        rounds.open_round(aspire, manager, empty, "2026", SOON)


def test_a_round_is_opened_by_an_account_and_a_refused_one_leaves_nothing_behind(aspire, team):
    """A round names the account that opened it: the system, which has none, is refused before anything is made."""
    _, team_id, _ = team
    with pytest.raises(PermissionDenied):
        rounds.open_round(aspire, SYSTEM, team_id, "2031", SOON)
    assert aspire.db.query("SELECT count(*) FROM round") == [(0,)]
    assert aspire.db.query("SELECT name FROM wave WHERE name = '2031'") == []


def test_fifty_simultaneous_submissions_are_all_stored(aspire, instrument):
    manager = make_manager(aspire)
    team_id = create_team(aspire, manager, "Big team").id
    add_members(aspire, manager, team_id, [NewMember(name=f"P{i}", email=f"p{i}@example.com") for i in range(50)])
    _, links = rounds.open_round(aspire, manager, team_id, "2026", SOON)
    invitations = [rounds.resolve(aspire, _token(link)) for link in links]
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def answer(invitation) -> None:
        try:
            barrier.wait()
            rounds.submit_answers(aspire, invitation, _raw(instrument, 1 + invitation.row.member_id % 5))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(i,)) for i in invitations]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ResponseRows(aspire.db).current_responses(manager, list_waves(aspire)[0].id)) == 50


def test_members_are_due_for_review_a_year_after_they_last_answered(aspire, team, instrument):
    manager, team_id, (ana, ben, cleo) = team
    _, links = _open(aspire, team)
    for link in links[:2]:
        rounds.submit_answers(aspire, rounds.resolve(aspire, _token(link)), _raw(instrument))
    aspire.db.write(lambda tx: tx.execute(
        "UPDATE response SET submitted_at = submitted_at - INTERVAL '13 months' WHERE member_id = ?", [ben]))
    assert sorted(rounds.due_for_review(aspire, manager, team_id)) == sorted([ben, cleo])
    later = dt.date.today() + dt.timedelta(days=366)
    assert sorted(rounds.due_for_review(aspire, manager, team_id, later)) == sorted([ana, ben, cleo])


def test_a_member_moved_to_another_team_leaves_the_old_rounds_tracking(aspire, team):
    manager, team_id, ids = team
    round_id, _ = _open(aspire, team)
    other = create_team(aspire, manager, "Other team").id
    teams.move_member(aspire, manager, ids[0], other)

    tracked = [m.member_id for m in rounds.round_status(aspire, manager, round_id).members]

    assert tracked == ids[1:], "the old manager no longer follows up the moved member"


@pytest.mark.parametrize("wave", ["[Your session expired: log in again](http://evil.example/phish)", "x" * 1_000_000,
                                  "2026 spring", " 2026", "2026\x00", "1999", ""])
def test_a_wave_is_named_by_the_calendar_never_by_free_text(aspire, team, wave):
    """A wave is shared by the whole organisation: one manager's text must not become everyone's heading."""
    manager, team_id, _ = team
    with pytest.raises(ValueError, match="year of the assessment cycle"):
        rounds.open_round(aspire, manager, team_id, wave, SOON)
    assert list_waves(aspire) == []
    assert aspire.db.scalar("SELECT count(*) FROM round") == 0


def test_the_waves_on_offer_are_this_year_the_next_and_the_last():
    assert rounds.wave_years(dt.date(2026, 12, 1)) == ["2026", "2027", "2025"]


@pytest.mark.parametrize(("message", "reason"), [("Hello\x00there", "NUL character"),
                                                 ("x" * (rounds.MAX_MESSAGE + 1), "too long"),
                                                 ("broken \ud800 text", "lone surrogate")])
def test_a_round_message_follows_the_rule_for_every_typed_text(aspire, team, message, reason):
    manager, team_id, _ = team
    with pytest.raises(ValueError, match=reason):
        rounds.open_round(aspire, manager, team_id, "2026", SOON, message=message)
    assert aspire.db.scalar("SELECT count(*) FROM round") == 0


def test_a_round_opened_on_version_1_keeps_it_and_its_drafts_when_version_2_ships(databases, tmp_path):
    """An upgrade brings version 2 for new rounds; an open round, its saved drafts and its answers stay on 1."""
    import shutil

    from coaching.core.settings import SHIPPED_DIR, load_settings
    from coaching.startup import start

    old = tmp_path / "old-data"
    shutil.copytree(SHIPPED_DIR, old, ignore=shutil.ignore_patterns("v2.toml"))
    db = databases.new("upgrade")
    before = start(load_settings(db=db, data_dir=old, demo=False))
    try:
        assert current_instrument(before).version == 1
        manager = make_manager(before)
        team_id = create_team(before, manager, "Team").id
        add_members(before, manager, team_id, [NewMember(name="Ana", email="ana@example.com")])
        _, (link,) = rounds.open_round(before, manager, team_id, "2026", SOON)
        half = {"ratings": {i.id: 4 for i in current_instrument(before).items[:10]}}
        rounds.save_draft(before, rounds.resolve(before, _token(link)), half)
    finally:
        before.close()

    after = start(load_settings(db=db, demo=False))
    try:
        assert current_instrument(after).version == 2
        invitation = rounds.resolve(after, _token(link))
        assert invitation.instrument.version == 1, "the round keeps the version it was opened with"
        assert rounds.draft(after, invitation) == half
        rounds.submit_answers(after, invitation, _raw(invitation.instrument))
        (stored,) = ResponseRows(after.db).current_responses(manager, list_waves(after)[0].id)
        assert stored.instrument_version == 1
    finally:
        after.close()


def test_today_and_a_deadline_are_the_organisations_not_the_servers(databases, tmp_path):
    auckland = start(load_settings(db=databases.new("nz"), demo=False, timezone="Pacific/Auckland"))
    try:
        evening_in_utc = dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)    # already 1 January in Auckland
        assert rounds.organisation_today(auckland, evening_in_utc) == dt.date(2027, 1, 1)
        deadline = rounds.end_of_day(auckland, dt.date(2027, 1, 15))
        assert deadline.astimezone(dt.UTC) == dt.datetime(2027, 1, 15, 10, 59, tzinfo=dt.UTC), "23:59 NZDT"
    finally:
        auckland.close()


def test_a_round_goes_to_those_picked_else_the_whole_team_or_those_due(aspire, team, instrument):
    manager, team_id, (ana, ben, cleo) = team
    _, (link,) = _open(aspire, team, member_ids=[ana])
    rounds.submit_answers(aspire, rounds.resolve(aspire, _token(link)), _raw(instrument))
    assert rounds.invitees(aspire, manager, team_id, Invitees.WHOLE_TEAM) == [ana, ben, cleo]
    assert rounds.invitees(aspire, manager, team_id, Invitees.DUE) == [ben, cleo], "Ana answered this year"
    assert rounds.invitees(aspire, manager, team_id, Invitees.DUE, picked=[ana]) == [ana], "picked by hand"
    other = make_manager(aspire, "other@example.com", "Other")
    stranger = add_members(aspire, other, create_team(aspire, other, "Elsewhere").id,
                           [NewMember(name="Dee", email="dee@example.com")])
    assert rounds.invitees(aspire, manager, team_id, Invitees.WHOLE_TEAM, picked=stranger) == []


def test_two_members_of_one_name_both_get_a_link_and_a_line_in_the_tracking(aspire):
    manager = make_manager(aspire)
    team_id = create_team(aspire, manager, "Twins").id
    ids = add_members(aspire, manager, team_id, [NewMember(name="Ana", email="ana.one@example.com"),
                                                 NewMember(name="Ana", email="ana.two@example.com")])
    invited = rounds.invitees(aspire, manager, team_id, Invitees.WHOLE_TEAM)
    round_id, links = rounds.open_round(aspire, manager, team_id, "2026", SOON, member_ids=invited)
    assert sorted(link.member_id for link in links) == sorted(ids)
    assert len({link.url for link in links}) == 2
    assert sorted(m.member_id for m in rounds.round_status(aspire, manager, round_id).members) == sorted(ids)


def test_a_round_is_open_until_its_deadline_and_only_those_pending_are_reminded_or_retried(aspire, team, instrument):
    manager, team_id, (ana, ben, cleo) = team
    round_id, links = _open(aspire, team)
    rounds.submit_answers(aspire, rounds.resolve(aspire, _token(links[0])), _raw(instrument))
    rounds.decline(aspire, rounds.resolve(aspire, _token(links[1])))
    for member_id in (ben, cleo):
        rounds.record_delivery(aspire, manager, round_id, member_id, "invitation", "email", False, "mailbox full")
    status = rounds.round_status(aspire, manager, round_id)
    assert [m.member_id for m in status.pending] == [cleo]
    assert [m.member_id for m in status.failed] == [cleo], "Ben declined: nothing is sent to him again"
    deadline = status.round.deadline
    assert status.open_at(deadline - dt.timedelta(seconds=1)) and not status.open_at(deadline)
    rounds.close_round(aspire, manager, round_id)
    assert not rounds.round_status(aspire, manager, round_id).open_at(dt.datetime.now(dt.UTC))
