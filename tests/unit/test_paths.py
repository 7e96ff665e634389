"""Editing the catalogue (coaching.paths.editing) on a real DuckDB file: validation, history, waves, scope,
conflicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.editing import EditConflict
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.measurement.response_rows import Wave
from coaching.measurement.responses import ensure_wave, list_waves
from coaching.paths import editing as paths
from coaching.paths.editing import OptionRejected, catalogue_at
from coaching.people import teams
from coaching.people.accounts import accounts_of
from tests.conftest import make_manager

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def admin(aspire) -> Actor:
    return accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Set the moment the catalogue's changes happen at (after the defaults were stored)."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(paths, "_now", lambda: moment)

    return set_to


def current(aspire, key: str) -> paths.OptionVersion:
    return next(v for v in paths.current_offer(aspire) if v.option.key == key)


def fields_of(aspire, key: str, **changes: Any) -> dict[str, Any]:
    """An option's stored fields as an edit form sends them, with some changed."""
    return {**current(aspire, key).option.model_dump(mode="json"), **changes}


def catalogue_changes(aspire) -> list[str]:
    events = aspire.audit.events(SYSTEM, AuditFilter(action=Action.CHANGED, subject_kind=Subject.CATALOGUE))
    return [e.detail for e in reversed(events)]


NEW_FLEXIBLE = {"key": "four_day_week", "kind": "flexible", "name": "Four-day week",
                "why": "Eighty percent of the hours for eighty percent of the pay.", "openings": 2,
                "support": {"status": 0, "security": 0, "expertise": 0, "autonomy": 0.2, "balance": 0.9}}
BAND = {"minimum": 52000, "midpoint": 60000, "maximum": 68000, "currency": "EUR"}


# ---- validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "expected"), [
    ({"band": {**BAND, "minimum": 70000, "maximum": 60000}},
     "Pay band: the minimum (70,000) is above the maximum (60,000)"),
    ({"band": {**BAND, "midpoint": 80000}},
     "Pay band: the midpoint (80,000) must lie between the minimum (52,000) and the maximum (68,000)"),
    ({"band": {**BAND, "currency": "euro"}}, "Pay band currency: use a three-letter code such as EUR"),
    ({"band": {**BAND, "maximum": None}}, "Pay band maximum"),
    ({"support": {"status": 1.2, "security": 0.6, "expertise": 0.2, "autonomy": 0.35, "balance": 0.15}},
     "Need profile, Status and responsibility must be between 0 and 1, not 1.2"),
    ({"support": {"status": 0.7, "security": -0.1, "expertise": 0.2, "autonomy": 0.35, "balance": 0.15}},
     "Need profile, Financial security must be between 0 and 1, not -0.1"),
    ({"support": {"status": 0.7, "security": 0.6, "expertise": 0.2, "autonomy": 0.35}},
     "Need profile: no value for balance"),
    ({"rank": 2}, "Rank: 'Manager' already has rank 2 on the management track"),
    ({"rank": None}, "Rank: a level on a track needs its rank"),
    ({"name": "  "}, "Name is empty"),
    ({"why": "Bad\x00why text"}, "Why: contains a NUL character"),
    ({"openings": -1}, "Openings must be at least 0"),
    ({"openings": "many"}, "Openings must be a number"),
])
def test_an_edit_that_cannot_be_stored_is_refused_naming_the_field_and_nothing_changes(aspire, admin, changes,
                                                                                       expected):
    before = current(aspire, "team_lead")
    with pytest.raises(OptionRejected) as refused:
        paths.edit_option(aspire, admin, "team_lead", before.version, fields_of(aspire, "team_lead", **changes))
    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems
    assert current(aspire, "team_lead") == before
    assert catalogue_changes(aspire) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"kind": "sales"}, "Kind: 'sales' is not a kind of option"),
    ({"key": "remote_days"}, "Key: 'remote_days' is already on offer as 'Remote days'"),
    ({"key": "Four Day"}, "Key: use 1 to 40 lower-case letters"),
    ({"band": BAND}, "Pay band: only a level on a track has a pay band"),
    ({"rank": 1}, "Rank: only a level on a track has a rank"),
    ({"kind": "expert", "rank": 3}, "Rank: 'Principal specialist' already has rank 3 on the expert track"),
    ({"support": {**NEW_FLEXIBLE["support"], "joy": 1}}, "Need profile: 'joy' is not a need"),
    ({"why": None}, "Why"),
])
def test_a_new_option_that_cannot_be_stored_is_refused_naming_the_field(aspire, admin, changes, expected):
    offered = len(paths.current_offer(aspire))
    with pytest.raises(OptionRejected) as refused:
        paths.add_option(aspire, admin, {**NEW_FLEXIBLE, **changes})
    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems
    assert len(paths.current_offer(aspire)) == offered


def test_every_problem_of_one_option_is_named_at_once(aspire, admin):
    with pytest.raises(OptionRejected) as refused:
        paths.add_option(aspire, admin, {**NEW_FLEXIBLE, "name": "", "rank": 1, "band": BAND,
                                         "support": {**NEW_FLEXIBLE["support"], "balance": 2}})
    assert len(refused.value.problems) == 2   # the name and the profile value; then the whole option is checked
    with pytest.raises(OptionRejected) as refused:
        paths.add_option(aspire, admin, {**NEW_FLEXIBLE, "rank": 1, "band": BAND})
    assert refused.value.problems == ["Rank: only a level on a track has a rank; "
                                      "Pay band: only a level on a track has a pay band"]


@settings(max_examples=60, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=5))
def test_a_profile_value_is_accepted_exactly_when_it_lies_between_0_and_1(value):
    fields = {**NEW_FLEXIBLE, "support": {**NEW_FLEXIBLE["support"], "autonomy": value}}
    if 0 <= value <= 1:
        assert paths.checked_option(fields).support["autonomy"] == value
    else:
        with pytest.raises(OptionRejected, match="Need profile, Autonomy must be between 0 and 1"):
            paths.checked_option(fields)


def test_typed_text_is_trimmed_an_empty_band_is_none_and_the_currency_upper_case(aspire, admin):
    added = paths.add_option(aspire, admin, {**NEW_FLEXIBLE, "name": "  Four-day week ", "openings": "",
                                             "band": {"minimum": None, "midpoint": None, "maximum": None,
                                                      "currency": " "}})
    assert (added.option.name, added.option.openings, added.option.band) == ("Four-day week", None, None)
    level = paths.add_option(aspire, admin, {**NEW_FLEXIBLE, "key": "head_of", "kind": "management", "rank": 5,
                                             "band": {**BAND, "currency": "eur"}})
    assert level.option.band is not None and level.option.band.currency == "EUR"


# ---- editing, history and audit ----------------------------------------------------------------------------


def test_an_edit_starts_a_new_version_and_the_history_keeps_every_one(aspire, admin, clock):
    first = current(aspire, "team_lead")
    edited_at = first.valid_from + dt.timedelta(days=3)
    clock(edited_at)

    saved = paths.edit_option(aspire, admin, "team_lead", first.version,
                              fields_of(aspire, "team_lead", openings=5, band={**BAND, "maximum": 70000}))

    assert (saved.version, saved.option.openings, saved.valid_from) == (2, 5, edited_at)
    history = paths.option_history(aspire, admin, "team_lead")
    assert [(v.version, v.valid_from, v.valid_to) for v in history] == \
        [(1, first.valid_from, edited_at), (2, edited_at, None)]
    assert history[0].option == first.option, "the old version is kept as it was"
    assert paths.differences(history[0].option, history[1].option) == \
        ["Openings: 2 → 5", "Pay band: 52,000 – 60,000 – 68,000 EUR → 52,000 – 60,000 – 70,000 EUR"]
    assert openings(catalogue_at(aspire, at=edited_at - dt.timedelta(seconds=1))) == 2
    assert openings(catalogue_at(aspire, at=edited_at)) == 5
    events = aspire.audit.events(SYSTEM, AuditFilter(subject_kind=Subject.CATALOGUE))
    assert [(e.action, e.subject_id, e.detail, e.actor_id) for e in events] == \
        [(Action.CHANGED, saved.id, "edited team_lead", admin.id)]


def test_saving_an_unchanged_option_starts_no_version(aspire, admin):
    read = current(aspire, "manager")
    assert paths.edit_option(aspire, admin, "manager", read.version, fields_of(aspire, "manager")) == read
    assert len(paths.option_history(aspire, admin, "manager")) == 1 and catalogue_changes(aspire) == []


def test_an_options_key_and_kind_never_change(aspire, admin):
    version = current(aspire, "team_lead").version
    for changes in ({"kind": "expert"}, {"key": "lead"}):
        with pytest.raises(OptionRejected, match="Key and kind cannot change"):
            paths.edit_option(aspire, admin, "team_lead", version, {**fields_of(aspire, "team_lead"), **changes})


def test_two_edits_from_the_same_version_the_second_is_refused_and_writes_nothing(aspire, admin):
    read = current(aspire, "remote_days")
    paths.edit_option(aspire, admin, "remote_days", read.version, fields_of(aspire, "remote_days", openings=3))

    with pytest.raises(EditConflict, match="Someone else changed this option"):
        paths.edit_option(aspire, admin, "remote_days", read.version, fields_of(aspire, "remote_days", openings=9))
    with pytest.raises(EditConflict):
        paths.retire_option(aspire, admin, "remote_days", read.version)

    assert [v.option.openings for v in paths.option_history(aspire, admin, "remote_days")] == [None, 3]
    assert catalogue_changes(aspire) == ["edited remote_days"]


def test_a_new_option_is_on_offer_and_a_retired_key_comes_back_as_its_next_version(aspire, admin, clock):
    added = paths.add_option(aspire, admin, NEW_FLEXIBLE)
    assert (added.version, current(aspire, "four_day_week").option.name) == (1, "Four-day week")

    clock(NOW + dt.timedelta(days=1))
    paths.retire_option(aspire, admin, "four_day_week", added.version)
    assert "four_day_week" not in {v.option.key for v in paths.current_offer(aspire)}
    clock(NOW + dt.timedelta(days=2))
    again = paths.add_option(aspire, admin, {**NEW_FLEXIBLE, "openings": 1})

    history = paths.option_history(aspire, admin, "four_day_week")
    assert [(v.version, v.is_current) for v in history] == [(1, False), (2, True)]
    assert history[0].valid_to == NOW + dt.timedelta(days=1) and again.valid_from == NOW + dt.timedelta(days=2)
    assert catalogue_changes(aspire) == ["added four_day_week", "retired four_day_week", "added four_day_week"]


def test_a_level_members_still_hold_is_not_retired_and_the_refusal_says_how_many(aspire, admin):
    manager = make_manager(aspire)
    team = teams.create_team(aspire, manager, "Platform")
    for name in ("Ana", "Ben"):
        teams.add_member(aspire, manager, team.id, {"name": name, "email": f"{name.lower()}@example.com",
                                                    "track": "expert", "level": "staff",
                                                    "options": ["remote_days"] if name == "Ana" else []})
    staff, remote = current(aspire, "staff"), current(aspire, "remote_days")

    with pytest.raises(OptionRejected, match="'Staff specialist' cannot be retired: 2 active members still hold"):
        paths.retire_option(aspire, admin, "staff", staff.version)
    with pytest.raises(OptionRejected, match="'Remote days' cannot be retired: 1 active member still uses"):
        paths.retire_option(aspire, admin, "remote_days", remote.version)
    assert {"staff", "remote_days"} <= {o.key for o in catalogue_at(aspire).options}

    for member in teams.list_members(aspire, manager, team.id):
        teams.archive_member(aspire, manager, member.id)
    paths.retire_option(aspire, admin, "staff", staff.version)
    assert "staff" not in {o.key for o in catalogue_at(aspire).options}


def test_an_edit_or_retirement_of_an_option_retired_meanwhile_says_so(aspire, admin):
    read = current(aspire, "sabbatical")
    paths.retire_option(aspire, admin, "sabbatical", read.version)
    with pytest.raises(OptionRejected, match="not on offer any more"):
        paths.edit_option(aspire, admin, "sabbatical", read.version, {**read.option.model_dump(), "openings": 2})
    with pytest.raises(OptionRejected, match="not on offer any more"):
        paths.retire_option(aspire, admin, "sabbatical", read.version)


# ---- who may ----------------------------------------------------------------------------------------------


def test_only_an_admin_changes_the_catalogue_while_managers_read_it_and_its_history(aspire, admin):
    manager = make_manager(aspire)
    read = current(aspire, "team_lead")
    respondent = Actor(Role.RESPONDENT, 1, "Ana")
    for actor in (manager, respondent, None):
        with pytest.raises(PermissionDenied):
            paths.add_option(aspire, actor, NEW_FLEXIBLE)
        with pytest.raises(PermissionDenied):
            paths.edit_option(aspire, actor, "team_lead", read.version, fields_of(aspire, "team_lead", openings=9))
        with pytest.raises(PermissionDenied):
            paths.retire_option(aspire, actor, "team_lead", read.version)
    assert current(aspire, "team_lead") == read and catalogue_changes(aspire) == []
    assert [v.version for v in paths.option_history(aspire, manager, "team_lead")] == [1]
    with pytest.raises(PermissionDenied):
        paths.option_history(aspire, respondent, "team_lead")


# ---- the catalogue of a wave ------------------------------------------------------------------------------


def waves(aspire, *days_from_now: int) -> list[Wave]:
    today = NOW.date()
    for i, days in enumerate(days_from_now):
        ensure_wave(aspire, f"W{i}", today + dt.timedelta(days=days))
    return list_waves(aspire)


def openings(catalogue, key: str = "team_lead") -> int | None:
    return next(o.openings for o in catalogue.options if o.key == key)


def test_an_edit_after_a_wave_ended_does_not_change_that_waves_catalogue(aspire, admin, clock):
    old, middle, newest = waves(aspire, -1, 2, 4)   # the middle wave ends when the newest begins
    clock(NOW + dt.timedelta(days=1))
    paths.edit_option(aspire, admin, "team_lead", 1, fields_of(aspire, "team_lead", openings=3))
    clock(NOW + dt.timedelta(days=5))
    paths.edit_option(aspire, admin, "team_lead", 2, fields_of(aspire, "team_lead", openings=4))
    paths.retire_option(aspire, admin, "sabbatical", current(aspire, "sabbatical").version)

    assert openings(paths.catalogue_for_wave(aspire, old)) == 3, "the edit during the old wave counts for it"
    during_middle = paths.catalogue_for_wave(aspire, middle)
    assert openings(during_middle) == 3, "the edit after the middle wave ended does not"
    assert "sabbatical" in {o.key for o in during_middle.options}
    assert openings(paths.catalogue_for_wave(aspire, newest)) == 4, "the newest wave shows the catalogue now"
    assert "sabbatical" not in {o.key for o in paths.catalogue_for_wave(aspire, newest).options}


def test_a_wave_that_ended_before_the_catalogue_was_stored_shows_it_as_first_stored(aspire, admin, clock):
    long_ago, later = waves(aspire, -800, -400)
    clock(NOW + dt.timedelta(days=1))
    paths.edit_option(aspire, admin, "team_lead", 1, fields_of(aspire, "team_lead", openings=8))

    assert openings(paths.catalogue_for_wave(aspire, long_ago)) == 2
    assert len(paths.catalogue_for_wave(aspire, long_ago).options) == 17
    assert openings(paths.catalogue_for_wave(aspire, later)) == 8


def test_the_end_of_a_wave_is_midnight_in_the_organisations_time_zone(databases, tmp_path, clock):
    from coaching.core.settings import load_settings
    from coaching.startup import start

    aspire = start(load_settings(db=databases.new("tz"), demo=False, timezone="Pacific/Auckland"))
    try:
        first, _ = waves(aspire, 1, 3)
        midnight = dt.datetime.combine(NOW.date() + dt.timedelta(days=3), dt.time(0),
                                       tzinfo=aspire.settings.zone)
        clock(midnight - dt.timedelta(minutes=1))
        paths.edit_option(aspire, SYSTEM, "team_lead", 1, fields_of(aspire, "team_lead", openings=6))
        clock(midnight + dt.timedelta(minutes=1))   # in UTC both edits would fall before the wave's end
        paths.edit_option(aspire, SYSTEM, "team_lead", 2, fields_of(aspire, "team_lead", openings=7))
        assert openings(paths.catalogue_for_wave(aspire, first)) == 6
    finally:
        aspire.close()


def test_an_empty_catalogue_is_an_empty_catalogue_for_every_wave(aspire, admin):
    [wave] = waves(aspire, 0)
    for version in paths.current_offer(aspire):
        paths.retire_option(aspire, admin, version.option.key, version.version)
    assert paths.current_offer(aspire) == []
    assert paths.catalogue_for_wave(aspire, wave).options == []
    assert [v.is_current for v in paths.option_history(aspire, admin, "part_time")] == [False], "history stays"
