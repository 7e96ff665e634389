"""Fit of a person to the paths on offer, unmet needs, and a team's demand against openings."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coaching.core.actors import SYSTEM
from coaching.core.needs import NEEDS, Facet, Need
from coaching.core.settings import SHIPPED_DIR, SettingsError, load_settings
from coaching.measurement.profiles import profiles
from coaching.measurement.responses import list_waves
from coaching.measurement.scoring import FlagKind, Profile, QualityFlag
from coaching.paths.catalogue import Catalogue, PathKind, PathOption, load_catalogue
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import (
    Thresholds,
    demand_vs_offer,
    fits,
    leading_needs,
    leading_words,
    not_counted,
    option_fit,
    serving_options,
    strong_needs,
    unmet_needs,
)

CATALOGUE = load_catalogue(SHIPPED_DIR / "catalogue.toml")
DEFAULT = Thresholds()
EMPTY = Catalogue(options=[])

S, F, E, A, B = Need.STATUS, Need.SECURITY, Need.EXPERTISE, Need.AUTONOMY, Need.BALANCE

score = st.floats(min_value=0, max_value=100, allow_nan=False)
support = st.floats(min_value=0, max_value=1, allow_nan=False)
need_scores = st.fixed_dictionaries({str(n): score for n in NEEDS})


def option(key: str = "opt", kind: PathKind = PathKind.FLEXIBLE, openings: int | None = None,
           **levels: float) -> PathOption:
    return PathOption(key=key, kind=kind, name=f"Option {key}", why="Because it helps.",
                      openings=openings, support={n: levels.get(str(n), 0.0) for n in NEEDS},
                      rank=1 if kind.is_track else None)


def scores(status: float = 0, security: float = 0, expertise: float = 0, autonomy: float = 0,
           balance: float = 0) -> dict[str, float]:
    return {"status": status, "security": security, "expertise": expertise, "autonomy": autonomy,
            "balance": balance}


options = st.builds(
    lambda levels: option(**{str(n): v for n, v in zip(NEEDS, levels, strict=True)}),
    st.tuples(*[support] * len(NEEDS)),
)


# ---- properties -----------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(person=need_scores, offer=options)
def test_the_shares_add_up_to_the_fit_which_stays_within_0_and_100(person: dict, offer: PathOption) -> None:
    found = option_fit(person, offer)

    assert 0 <= found.fit <= 100
    assert sum(found.shares.values()) == pytest.approx(found.fit, abs=1e-9)
    assert all(share >= 0 for share in found.shares.values())
    assert set(found.shares) == set(NEEDS)


@settings(max_examples=150, deadline=None)
@given(person=need_scores, offer=options, need=st.sampled_from(NEEDS), more=support)
def test_fit_never_falls_when_support_for_a_held_need_rises(
    person: dict, offer: PathOption, need: Need, more: float
) -> None:
    assume(person[need] > 0)
    raised = offer.model_copy(update={"support": {**offer.support, need: max(offer.support[need], more)}})

    assert option_fit(person, raised).fit >= option_fit(person, offer).fit


@settings(max_examples=150, deadline=None)
@given(balance=st.floats(min_value=65, max_value=100),
       others=st.tuples(*[st.floats(min_value=0, max_value=64.99)] * 4))
def test_someone_whose_only_strong_need_is_balance_fits_flexible_work_best(balance: float, others: tuple) -> None:
    person = dict(zip(("status", "security", "expertise", "autonomy"), others, strict=True)) | {"balance": balance}
    assert strong_needs(person, DEFAULT) == [B]

    assert fits(person, CATALOGUE)[0].option.kind is PathKind.FLEXIBLE


@settings(max_examples=60, deadline=None)
@given(person=need_scores)
def test_an_empty_catalogue_leaves_every_strong_need_unmet_and_no_fits(person: dict) -> None:
    assert fits(person, EMPTY) == []
    assert unmet_needs(person, EMPTY, DEFAULT) == strong_needs(person, DEFAULT)


@settings(max_examples=60, deadline=None)
@given(person=need_scores)
def test_fits_come_best_first_one_per_option(person: dict) -> None:
    found = fits(person, CATALOGUE)

    assert [f.fit for f in found] == sorted((f.fit for f in found), reverse=True)
    assert sorted(f.option.key for f in found) == sorted(o.key for o in CATALOGUE.options)


# ---- worked examples ------------------------------------------------------------------------------

def test_a_plain_score_weighted_mean_would_favour_a_management_level_but_fit_does_not() -> None:
    """Balance at 66, everything else just under the line: a level claims a bit of everything."""
    person = scores(status=64, security=64, expertise=64, autonomy=64, balance=66)
    director = next(o for o in CATALOGUE.options if o.key == "director")
    part_time = next(o for o in CATALOGUE.options if o.key == "part_time")
    plain_mean = {o.key: sum(person[n] * o.support[n] for n in NEEDS) / sum(person.values())
                  for o in (director, part_time)}
    assert plain_mean["director"] > plain_mean["part_time"]

    assert option_fit(person, part_time).fit > option_fit(person, director).fit


def test_a_need_below_the_line_counts_a_fifth_of_one_above_it() -> None:
    """Autonomy 80 (strong) weighs 80; balance 50 weighs 50 x 0.2 = 10: fit = (80 x 1 + 10 x 0.5) / 90."""
    found = option_fit(scores(autonomy=80, balance=50), option(autonomy=1.0, balance=0.5))

    assert found.fit == 94.4
    assert found.shares == {S: 0.0, F: 0.0, E: 0.0, A: 88.9, B: 5.5}


def test_with_no_strong_need_fit_is_the_score_weighted_mean_of_the_support() -> None:
    found = option_fit(scores(status=40, balance=20), option(status=0.5, balance=1.0))

    assert found.fit == pytest.approx(100 * (40 * 0.5 + 20 * 1.0) / 60, abs=0.05)


def test_the_threshold_decides_what_counts_as_strong() -> None:
    person = scores(status=70, balance=60)
    lead = option("lead", status=1.0)

    assert option_fit(person, lead, Thresholds(strong_need=65)).fit > option_fit(person, lead,
                                                                               Thresholds(strong_need=55)).fit


def test_someone_who_needs_nothing_fits_nothing() -> None:
    found = option_fit(scores(), option(status=1, security=1, expertise=1, autonomy=1, balance=1))

    assert found.fit == 0 and set(found.shares.values()) == {0.0}


def test_a_need_not_measured_counts_nothing_and_is_not_guessed() -> None:
    person = {"status": 80.0, "expertise": 80.0}   # an instrument version without the other needs

    found = option_fit(person, option(status=1.0, balance=1.0))

    assert found.fit == 50.0
    assert found.shares[B] == 0.0


def test_strong_needs_come_strongest_first_and_facets_do_not_count() -> None:
    person = scores(status=70, expertise=90, autonomy=65, balance=64.9) | {Facet.PAY.scale: 99.0}

    assert strong_needs(person, DEFAULT) == [E, S, A]


def test_serving_options_are_those_at_or_above_the_line_strongest_first() -> None:
    catalogue = Catalogue(options=[option("a", balance=0.7), option("b", balance=0.69), option("c", balance=0.9)])

    assert [o.key for o in serving_options(B, catalogue, DEFAULT)] == ["c", "a"]


def test_in_the_shipped_catalogue_autonomy_is_unmet_and_balance_is_served() -> None:
    """No self-directed option claims 0.7 or more for autonomy: an autonomy-seeker has nowhere to go."""
    person = scores(autonomy=85, balance=75, status=30)

    assert unmet_needs(person, CATALOGUE, DEFAULT) == [A]
    assert unmet_needs(person, CATALOGUE, Thresholds(serves_well=0.5)) == []


def test_the_leading_need_is_the_primary_aspiration_when_named() -> None:
    named = Profile(scores=scores(status=90, balance=50), choice=(B, S, E), primary=B, close_needs=(),
                    disagreement=False, flags=(), clear_lead=True)

    assert leading_needs(named) == (B,)
    assert leading_words(leading_needs(named)) == "work-life balance, their top need"


def test_without_a_primary_every_close_need_leads_never_the_highest_rated_alone() -> None:
    """The highest rating (ties to the first pick) was 'the top need' of everyone with no primary named; on
    simulated respondents it was their true top need only two times in three."""
    close = Profile(scores=scores(status=80, autonomy=79, balance=20), choice=(A, S, B), primary=None,
                    close_needs=(A, S), disagreement=False, flags=(), clear_lead=False)

    assert leading_needs(close) == (A, S)
    assert leading_words(leading_needs(close)) == "autonomy or status and responsibility, too close to call"


def judged(primary: Need | None, *, flagged: bool = False) -> Profile:
    """A scored response naming `primary`, or (None) leaving status and autonomy too close to call."""
    flags = (QualityFlag(FlagKind.STRAIGHT_LINE, "Every statement was answered 3."),) if flagged else ()
    return Profile(scores=scores(status=80, autonomy=80), choice=(S, A, B), primary=primary,
                   close_needs=() if primary else (S, A), disagreement=False, flags=flags, clear_lead=False)


def test_demand_counts_members_whose_primary_aspiration_an_option_serves_well_against_its_openings() -> None:
    catalogue = Catalogue(options=[
        option("remote", balance=0.8, openings=None),
        option("lead", kind=PathKind.MANAGEMENT, status=0.8, openings=1),
        option("venture", kind=PathKind.SELF_DIRECTED, autonomy=0.5, openings=2),
    ])

    found = demand_vs_offer([judged(n) for n in (B, B, S, S, S, A)], catalogue, DEFAULT)

    assert [(d.option.key, d.demand, d.openings) for d in found] == [
        ("remote", 2, None), ("lead", 3, 1), ("venture", 0, 2)]


def test_demand_leaves_out_close_needs_and_flagged_answers_and_says_how_many() -> None:
    """Both once counted for the highest-rated need (ties to the first pick): a straight line, all five
    scores tied, was counted as wanting the management track."""
    catalogue = Catalogue(options=[option("lead", kind=PathKind.MANAGEMENT, status=0.8, openings=1)])
    people = [judged(S), judged(None), judged(S, flagged=True)]

    assert [d.demand for d in demand_vs_offer(people, catalogue, DEFAULT)] == [1]
    assert not_counted(people) == 2


def test_demand_of_nobody_is_zero_everywhere() -> None:
    assert {d.demand for d in demand_vs_offer([], CATALOGUE, DEFAULT)} == {0}


# ---- thresholds come from the settings --------------------------------------------------------------

def test_thresholds_come_from_the_settings(tmp_path) -> None:
    configured = load_settings(db=tmp_path / "x.duckdb", strong_need=70, serves_well=0.6)

    assert Thresholds.from_settings(configured) == Thresholds(strong_need=70, serves_well=0.6)
    assert Thresholds.from_settings(load_settings(db=tmp_path / "x.duckdb")) == DEFAULT


@pytest.mark.parametrize(("variable", "value"), [
    ("COACHING_STRONG_NEED", "101"), ("COACHING_STRONG_NEED", "-1"), ("COACHING_STRONG_NEED", "high"),
    ("COACHING_SERVES_WELL", "1.5"), ("COACHING_SERVES_WELL", "-0.1"), ("COACHING_SERVES_WELL", "70"),
])
def test_a_threshold_out_of_range_stops_start_up_naming_the_variable(monkeypatch, variable, value) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings()


@pytest.mark.parametrize("kwargs", [{"strong_need": 120}, {"serves_well": 2}])
def test_thresholds_out_of_range_are_refused_naming_the_field(kwargs) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Thresholds(**kwargs)


# ---- the demo organisation --------------------------------------------------------------------------

def test_the_demo_organisation_holds_at_least_one_unmet_need(demo) -> None:
    thresholds = Thresholds.from_settings(demo.settings)
    catalogue = catalogue_at(demo)
    newest = list_waves(demo)[-1]

    unmet = {m.member_name: unmet_needs(m.profile.scores, catalogue, thresholds)
             for m in profiles(demo, SYSTEM, newest.id)}

    assert any(unmet.values()), unmet
