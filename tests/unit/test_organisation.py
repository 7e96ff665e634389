"""The admin's organisation view shows means only, and no group under COACHING_MIN_GROUP, even by subtraction."""

from __future__ import annotations

import pytest

from coaching.core.actors import SYSTEM, PermissionDenied, Role
from coaching.core.settings import load_settings
from coaching.measurement.profiles import organisation_summary
from coaching.people.accounts import accounts_of
from coaching.startup import start


@pytest.fixture
def admin_view(tmp_path):
    def view(min_group: int):
        aspire = start(load_settings(db=tmp_path / f"org{min_group}.duckdb", demo=True, min_group=min_group))
        try:
            admin = accounts_of(aspire).actor_for_email("hr@example.com")
            return organisation_summary(aspire, admin)
        finally:
            aspire.close()

    return view


def test_both_demo_teams_are_shown_at_the_default_minimum(admin_view):
    view = admin_view(5)
    assert view.wave.name == "2026"
    assert {name: cells[0].n for name, cells in view.teams.items()} == {"Platform engineering": 8,
                                                                       "Customer success": 7}
    assert view.other_teams == []
    assert view.total[0].n == 15
    assert all(s.low is None and s.high is None for s in view.total), "no one's own score as a minimum or maximum"


def test_a_team_under_the_minimum_takes_the_other_with_it(admin_view):
    """7 < 8 hides Customer success; showing Platform (8) would then reveal it as total minus Platform."""
    view = admin_view(8)
    assert view.teams == {}
    assert view.other_teams[0].n == 15
    assert view.total[0].n == 15


def test_an_organisation_under_the_minimum_shows_nothing(admin_view):
    assert admin_view(16) is None


def test_total_is_the_mean_over_everyone(demo):
    from coaching.measurement.profiles import profiles

    admin = accounts_of(demo).actor_for_email("hr@example.com")
    view = organisation_summary(demo, admin)
    everyone = profiles(demo, SYSTEM, view.wave.id)
    for summary in view.total:
        exact = sum(p.profile.scores[summary.scale] for p in everyone) / len(everyone)
        assert summary.mean == pytest.approx(exact, abs=0.06)


def test_managers_get_no_organisation_view(demo):
    manager = accounts_of(demo).actor_for_email("maria@example.com")
    with pytest.raises(PermissionDenied):
        organisation_summary(demo, manager)
    assert manager.role is Role.MANAGER
