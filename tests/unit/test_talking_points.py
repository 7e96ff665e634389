"""Talking points (coaching.one_on_one.talking_points): every rule speaks on its data, names the data, and stays silent
without it. Pure: profiles and the shipped catalogue, no database."""

from __future__ import annotations

import dataclasses
import re

import pytest

from coaching.core.needs import NEEDS, Need
from coaching.core.settings import SHIPPED_DIR
from coaching.measurement.scoring import Change, FlagKind, Profile, QualityFlag
from coaching.one_on_one.talking_points import (
    FLAG_ADVICE,
    GOAL_GUIDE,
    OPEN_QUESTIONS,
    RULES,
    CoachingFacts,
    PointKind,
    first_questions,
    talking_points,
)
from coaching.paths.catalogue import Catalogue, PathOption, load_catalogue
from coaching.paths.fit import Thresholds
from coaching.people.teams import MemberArrangement

CATALOGUE = load_catalogue(SHIPPED_DIR / "catalogue.toml")
CALM = {"status": 40.0, "security": 45.0, "security.stability": 45.0, "security.pay": 45.0, "expertise": 50.0,
        "autonomy": 35.0, "balance": 42.0}


def profile(scores: dict[str, float] | None = None, *, choice=(Need.EXPERTISE, Need.SECURITY, Need.BALANCE),
            primary: Need | None = None, close: tuple[Need, ...] = (), disagreement: bool = False,
            flags: tuple[QualityFlag, ...] = (), clear_lead: bool = False,
            chances: dict[Need, float] | None = None) -> Profile:
    return Profile(scores={**CALM, **(scores or {})}, choice=choice, primary=primary, close_needs=close,
                   disagreement=disagreement, flags=flags, clear_lead=clear_lead, chances=chances or {})


def facts(p: Profile, *, changes: list[Change] | None = None, track: str | None = None, level: str | None = None,
          options: tuple[str, ...] = (), catalogue: Catalogue = CATALOGUE) -> CoachingFacts:
    return CoachingFacts(profile=p, changes=changes, arrangement=MemberArrangement(track=track, level=level,
                                                                                    options=options),
                         catalogue=catalogue, thresholds=Thresholds())


def kinds(f: CoachingFacts) -> list[PointKind]:
    return [p.kind for p in talking_points(f)]


def only(f: CoachingFacts, kind: PointKind):
    found = [p for p in talking_points(f) if p.kind is kind]
    assert len(found) == 1, found
    return found[0]


EXPERT = profile({"expertise": 82.0}, primary=Need.EXPERTISE, clear_lead=True, chances={Need.EXPERTISE: 0.91})


def test_a_calm_profile_with_nothing_to_flag_gives_only_the_close_needs_point():
    calm = profile(close=(Need.EXPERTISE, Need.SECURITY))
    assert kinds(facts(calm)) == [PointKind.CLOSE_NEEDS]


# ---- quality -------------------------------------------------------------------------------------------


def test_quality_flags_come_first_worded_as_advice_with_the_flag_as_the_reason():
    flag = QualityFlag(FlagKind.STRAIGHT_LINE, 'Every statement got the same answer (4, "Agree").')
    point = talking_points(facts(dataclasses.replace(EXPERT, flags=(flag,))))[0]
    assert point.kind is PointKind.QUALITY
    assert point.text == "Answers look uniform: ask before you rely on them."
    assert point.because == flag.detail


def test_two_contradicting_twins_make_one_point_naming_both():
    twins = tuple(QualityFlag(FlagKind.TWIN_CONTRADICTION, f"Pair {i} disagrees.", (f"a{i}", f"b{i}"))
                  for i in (1, 2))
    point = only(facts(profile(flags=twins)), PointKind.QUALITY)
    assert "Pair 1 disagrees." in point.because and "Pair 2 disagrees." in point.because


def test_every_flag_kind_has_its_own_advice():
    assert set(FLAG_ADVICE) == set(FlagKind)
    assert len(set(FLAG_ADVICE.values())) == len(FlagKind)
    assert all("ask" in advice for advice in FLAG_ADVICE.values())


def test_no_flags_no_quality_point():
    assert PointKind.QUALITY not in kinds(facts(EXPERT))


# ---- primary aspiration, or the close needs ------------------------------------------------------------


def test_the_primary_aspiration_and_the_path_that_serves_it_best():
    point = only(facts(EXPERT), PointKind.PRIMARY)
    assert point.text.startswith("Expertise and acclaim is their clearest need.")
    assert "Distinguished specialist (expert track)" in point.text
    assert point.because == ("expertise scored 82 of 100; chance that it is their highest need, from their ratings "
                             "and their choices: about 9 in 10; Distinguished specialist serves expertise 100 of 100")


def test_a_primary_aspiration_nothing_serves_well_is_said_plainly():
    autonomous = profile({"autonomy": 88.0}, primary=Need.AUTONOMY, clear_lead=True)
    point = only(facts(autonomous), PointKind.PRIMARY)
    assert "serves it only partly" in point.text and "Internal venture serves autonomy 55 of 100" in point.because


def test_no_primary_aspiration_no_primary_point():
    assert PointKind.PRIMARY not in kinds(facts(profile(close=(Need.EXPERTISE, Need.SECURITY))))


def test_close_needs_name_each_need_and_its_best_path():
    close = profile({"autonomy": 71.0, "balance": 70.0}, close=(Need.AUTONOMY, Need.BALANCE),
                    chances={Need.AUTONOMY: 0.52, Need.BALANCE: 0.41})
    point = only(facts(close), PointKind.CLOSE_NEEDS)
    assert point.text.startswith("Autonomy and work-life balance: their answers cannot separate them, so ask which "
                                 "matters more now.")
    assert "autonomy: Internal venture; work-life balance: Part-time" in point.text
    assert point.because == ("autonomy scored 71 of 100; balance scored 70 of 100: no need is likely enough to be "
                             "their highest to name it (chances about 5 in 10 and about 4 in 10)")


def test_a_clear_rating_lead_against_another_first_choice_is_named_as_such():
    split = profile({"expertise": 85.0}, choice=(Need.STATUS, Need.EXPERTISE, Need.BALANCE),
                    close=(Need.EXPERTISE, Need.STATUS), clear_lead=True)
    point = only(facts(split), PointKind.CLOSE_NEEDS)
    assert point.because.endswith("rated expertise clearly first, but chose status first")


def test_a_primary_aspiration_has_no_close_needs_point():
    assert PointKind.CLOSE_NEEDS not in kinds(facts(EXPERT))


# ---- unmet needs ---------------------------------------------------------------------------------------


def test_a_strong_need_nothing_on_offer_serves_well_is_unmet():
    point = only(facts(profile({"autonomy": 80.0}, close=(Need.AUTONOMY, Need.EXPERTISE))), PointKind.UNMET_NEED)
    assert point.text.startswith("Autonomy is a strong need that nothing on offer serves well")
    assert point.because == ("autonomy scored 80 of 100, at or above the strong-need line of 65 of 100; best on "
                             "offer: Internal venture serves autonomy 55 of 100, below the serves-well line of "
                             "70 of 100")


def test_an_unmet_need_is_silent_below_the_line_or_once_something_serves_it():
    assert PointKind.UNMET_NEED not in kinds(facts(profile({"autonomy": 64.9})))
    venture = PathOption(key="own_venture", kind="self_directed", name="Own venture", why="Run your own thing.",
                         support={**dict.fromkeys(NEEDS, 0.0), Need.AUTONOMY: 0.9})
    richer = Catalogue(options=[*CATALOGUE.options, venture])
    assert PointKind.UNMET_NEED not in kinds(facts(profile({"autonomy": 80.0}), catalogue=richer))


def test_with_an_empty_catalogue_every_strong_need_is_unmet_and_nothing_is_named():
    point = only(facts(profile({"balance": 90.0}), catalogue=Catalogue(options=[])), PointKind.UNMET_NEED)
    assert point.because.endswith("nothing is on offer")


# ---- ratings against the forced choice -----------------------------------------------------------------


def test_a_disagreement_between_ratings_and_choice_names_both():
    split = profile({"autonomy": 78.0}, choice=(Need.STATUS, Need.SECURITY, Need.BALANCE), disagreement=True)
    point = only(facts(split), PointKind.DISAGREEMENT)
    assert point.text.startswith("Their highest-rated need, autonomy, is not among the three they chose")
    assert point.because == "rated first: autonomy scored 78 of 100; chosen: status, security, balance"


def test_no_disagreement_no_point():
    assert PointKind.DISAGREEMENT not in kinds(facts(EXPERT))


# ---- the current track ---------------------------------------------------------------------------------


def test_an_expert_on_the_management_track_is_a_talking_point():
    point = only(facts(EXPERT, track="management", level="team_lead"), PointKind.TRACK)
    assert point.text == ("Their top need is expertise and acclaim, and their current track serves it poorly. "
                          "Talk about Senior specialist (expert track). Distinguished specialist serves it more, as "
                          "a longer route of several steps.")
    assert point.because == ("expertise scored 82 of 100, their top need; current track: management (Team lead) "
                             "serves expertise 20 of 100, below the serves-well line of 70 of 100")


def test_a_track_without_a_known_level_is_judged_by_its_best_level():
    point = only(facts(EXPERT, track="management"), PointKind.TRACK)
    assert "management (level not known; its best level, Team lead)" in point.because


@pytest.mark.parametrize(("track", "level"), [("expert", "senior"), (None, None), ("space", None)])
def test_a_track_that_serves_the_top_need_or_no_known_track_is_silent(track, level):
    assert PointKind.TRACK not in kinds(facts(EXPERT, track=track, level=level))


def test_without_a_primary_a_track_serving_any_close_need_is_silent_and_one_serving_none_names_them_all():
    """It once took the highest rating (status, 80) as the top need and told the manager of a senior
    specialist that their track serves it poorly, while expertise (79) was too close to call."""
    status_first = profile({"status": 80.0, "expertise": 79.0}, close=(Need.STATUS, Need.EXPERTISE))
    assert PointKind.TRACK not in kinds(facts(status_first, track="management", level="manager"))
    assert PointKind.TRACK not in kinds(facts(status_first, track="expert", level="senior"))

    balance_or_security = profile({"balance": 80.0, "security": 79.0}, close=(Need.BALANCE, Need.SECURITY))
    point = only(facts(balance_or_security, track="expert", level="senior"), PointKind.TRACK)
    assert point.text.startswith("Their top need is work-life balance or financial security (too close to call), "
                                 "and their current track serves none of them well."), point.text
    assert point.because.startswith("balance scored 80 of 100 and security scored 79 of 100, too close to call; "
                                    "current track: expert (Senior specialist) serves balance "), point.because


def test_open_questions_come_first_for_the_top_need_or_for_each_need_too_close_to_call():
    assert [h for h, _ in first_questions((Need.BALANCE,))] == [
        "Open questions about work-life balance, their top need"]
    assert first_questions((Need.AUTONOMY, Need.STATUS)) == [
        ("Open questions about autonomy, one of the needs too close to call", OPEN_QUESTIONS[Need.AUTONOMY]),
        ("Open questions about status and responsibility, one of the needs too close to call",
         OPEN_QUESTIONS[Need.STATUS])]


# ---- balance without flexible work ---------------------------------------------------------------------


def test_a_strong_balance_need_without_flexible_work_is_a_talking_point():
    balanced = profile({"balance": 78.0}, primary=Need.BALANCE, clear_lead=True)
    point = only(facts(balanced, options=("own_project_time",)), PointKind.BALANCE)
    assert point.text.endswith("On offer: Part-time, Compressed week and Remote days.")
    assert point.because == ("balance scored 78 of 100, at or above the strong-need line of 65 of 100; flexible "
                             "options in use: none")


@pytest.mark.parametrize(("balance", "options"), [(78.0, ("remote_days",)), (64.0, ())])
def test_flexible_work_in_use_or_a_weaker_balance_need_is_silent(balance, options):
    assert PointKind.BALANCE not in kinds(facts(profile({"balance": balance}), options=options))


# ---- reliable change -----------------------------------------------------------------------------------


def test_a_reliable_change_since_the_last_wave_is_a_talking_point():
    rose = Change(scale="autonomy", before=55.0, after=80.0, rci=2.9, reliable=True)
    fell = Change(scale="security.pay", before=70.0, after=40.0, rci=-3.4, reliable=True)
    points = [p for p in talking_points(facts(EXPERT, changes=[rose, fell])) if p.kind is PointKind.CHANGE]
    assert [p.text.split(" since")[0] for p in points] == ["Autonomy rose from 55 to 80",
                                                            "Better pay as chances arise fell from 70 to 40"]
    assert points[0].because == ("autonomy went from 55 to 80 of 100, more than measurement error explains "
                                 "(reliable change index +2.9; the line is 2.6 either way, with the five needs "
                                 "tested together)")


def test_every_because_line_speaks_of_one_0_to_100_scale():
    """Scores and supports read alike ('55 of 100'); no 0-1 support is left beside a 0-100 score."""
    rose = Change(scale="autonomy", before=55.0, after=80.0, rci=2.9, reliable=True)
    cases = [facts(EXPERT, track="management", level="team_lead", changes=[rose]),
             facts(profile({"autonomy": 80.0, "balance": 78.0}, close=(Need.AUTONOMY, Need.BALANCE)))]
    lines = [p.because for f in cases for p in talking_points(f)]
    assert len(lines) >= 5
    for line in lines:
        assert not re.search(r"(?<![\d.+-])[01]\.\d", line), line
        assert "supports" not in line, line


@pytest.mark.parametrize("changes", [None, [], [Change("autonomy", 55.0, 62.0, 0.8, False)]])
def test_no_reliable_change_no_point(changes):
    assert PointKind.CHANGE not in kinds(facts(EXPERT, changes=changes))


# ---- the order, the open questions and the guide -------------------------------------------------------


def test_every_rule_is_one_small_function_and_the_order_starts_with_quality():
    flag = QualityFlag(FlagKind.LOW_SPREAD, "Little spread.")
    busy = profile({"expertise": 82.0, "balance": 76.0, "autonomy": 80.0}, primary=Need.EXPERTISE, clear_lead=True,
                   disagreement=True, flags=(flag,))
    found = kinds(facts(busy, track="management", level="manager",
                        changes=[Change("balance", 50.0, 76.0, 3.0, True)]))
    assert found == [PointKind.QUALITY, PointKind.PRIMARY, PointKind.UNMET_NEED, PointKind.DISAGREEMENT,
                     PointKind.TRACK, PointKind.BALANCE, PointKind.CHANGE]
    assert len(RULES) == len(PointKind)


def test_open_questions_cover_every_need_and_are_questions():
    assert set(OPEN_QUESTIONS) == set(Need)
    for need, questions in OPEN_QUESTIONS.items():
        assert len(questions) >= 3, need
        assert all(q.endswith("?") for q in questions), need


def test_the_goal_guide_starts_from_the_need_and_ends_with_the_yearly_review():
    assert 4 <= len(GOAL_GUIDE) <= 6
    assert "need" in GOAL_GUIDE[0]
    assert any("date" in step for step in GOAL_GUIDE) and any("measure" in step for step in GOAL_GUIDE)
    assert "once a year" in GOAL_GUIDE[-1].lower()


# ---- advice follows the ladder ------------------------------------------------------------------------


def test_a_new_engineer_who_wants_to_lead_is_pointed_at_the_next_rung_not_at_director():
    leader = profile({"status": 85.0}, primary=Need.STATUS, clear_lead=True)
    point = only(facts(leader, track="expert", level=None), PointKind.PRIMARY)
    assert "Talk about Team lead (management track), the next step that serves it best." in point.text
    assert "Director serves it more, as a longer route of several steps." in point.text


def test_a_senior_specialist_is_pointed_at_staff_not_at_distinguished():
    point = only(facts(EXPERT, track="expert", level="senior"), PointKind.PRIMARY)
    assert "Talk about Staff specialist (expert track)" in point.text
    assert point.text.index("Staff specialist") < point.text.index("Distinguished specialist")
