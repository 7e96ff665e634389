"""The demo organisation holds every case the screens must be able to show, made by the real scoring."""

from __future__ import annotations

from coaching.core.actors import SYSTEM
from coaching.core.needs import Need
from coaching.demo import DEMO_ACCOUNTS
from coaching.measurement.profiles import profiles
from coaching.measurement.reliability import scale_reliability
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import list_waves
from coaching.measurement.scoring import changes_between
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.teams import list_members, list_teams


def _waves(demo):
    """Everyone's profiles in the two waves (as the system, which sees every team)."""
    first, last = list_waves(demo)
    return profiles(demo, SYSTEM, first.id), profiles(demo, SYSTEM, last.id)


def test_demo_has_two_teams_of_six_to_ten_and_two_waves(demo):
    teams = list_teams(demo, SYSTEM)
    assert len(teams) == 2
    for team in teams:
        assert 6 <= len(list_members(demo, SYSTEM, team.id)) <= 10
    assert [w.name for w in list_waves(demo)] == ["2025", "2026"]
    assert demo.is_demo


def test_demo_shows_clear_and_unclear_primaries(demo):
    _, latest = _waves(demo)
    assert any(m.profile.primary is not None for m in latest)
    assert any(m.profile.primary is None and len(m.profile.close_needs) >= 2 for m in latest)


def test_each_case_a_manager_must_learn_to_read_is_shown_by_the_person_written_for_it(demo):
    """Through the scoring's own rules: the chance of being highest, the change rule, the flags."""
    first, latest = _waves(demo)
    by_name = {m.member_name: m.profile for m in latest}
    assert by_name["Aiko Tanaka"].primary is Need.EXPERTISE, "a clear primary"
    assert by_name["José Álvarez"].primary is None and set(by_name["José Álvarez"].close_needs) == {
        Need.STATUS, Need.AUTONOMY}, "two close needs, named in plain words"
    assert by_name["José Álvarez"].reading.startswith("Status and responsibility or autonomy: your answers cannot")
    assert by_name["Priya Raman"].disagreement, "ratings and the forced choice disagree"
    assert by_name["Chen Wei"].flags, "uniform answers are flagged"
    before = {m.member_name: m.profile.scores for m in first}
    reliability = scale_reliability(demo, current_instrument(demo).version)
    nadia = {c.scale: c for c in changes_between(before["Nadia Haddad"], by_name["Nadia Haddad"].scores, reliability)}
    assert nadia["balance"].reliable and nadia["balance"].rose, "a reliable change"


def test_demo_shows_a_rating_choice_disagreement_and_a_quality_flag(demo):
    _, latest = _waves(demo)
    assert any(m.profile.disagreement for m in latest)
    assert any(m.profile.flags for m in latest)


def test_demo_shows_a_reliable_change_between_waves(demo):
    first, latest = _waves(demo)
    before = {m.member_id: m.profile.scores for m in first}
    reliability = scale_reliability(demo, current_instrument(demo).version)
    changed = [
        m.member_name
        for m in latest
        if any(c.reliable for c in changes_between(before[m.member_id], m.profile.scores, reliability))
    ]
    assert "Nadia Haddad" in changed          # written into the demo: balance rises, status falls
    assert len(changed) < len(latest) / 2     # and most people do not change beyond measurement error


def test_demo_is_the_same_on_every_start(databases, demo, tmp_path):
    from coaching.core.settings import load_settings
    from coaching.startup import start

    again = start(load_settings(db=databases.new("again"), demo=True))
    try:
        _, theirs = _waves(again)
        _, ours = _waves(demo)
        assert [(m.member_name, m.profile.scores) for m in theirs] == [(m.member_name, m.profile.scores) for m in ours]
    finally:
        again.close()


def test_restarting_with_demo_on_does_not_seed_twice(databases, tmp_path):
    from coaching.core.settings import load_settings
    from coaching.startup import start

    settings = load_settings(db=databases.new("restart"), demo=True)
    start(settings).close()
    again = start(settings)
    try:
        assert len(list_teams(again, SYSTEM)) == 2
        assert ResponseRows(again.db).response_count(current_instrument(again).version) == 30
    finally:
        again.close()


def test_each_demo_manager_coaches_one_team_and_sees_only_it(demo):
    for account in DEMO_ACCOUNTS:
        actor = accounts_of(demo).authenticate(account.email, account.password)
        teams = list_teams(demo, actor)
        assert [t.name for t in teams] == ([account.team] if account.team else [])
