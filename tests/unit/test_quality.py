"""The scoring's judgements on simulated people whose needs are known: the goals of bench/QUALITY.md.

A smaller, seeded run of `python -m bench.quality` (1,500 people per mapping on the newest version, item
noise 0.7): it fails when the primary is named for fewer than half the people or wrongly for more than
one in twenty of those named, when the close needs of those with none named miss their true top need
more than one time in ten, when the flags miss careless answering or catch honest answerers, or when
the change rule shows change where there is none or misses a real one.
"""

from __future__ import annotations

import pytest

from bench.quality import GOAL_NOISE, GOALS, MAPPINGS, measure, missed, shipped

PEOPLE = 1500


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, float]]:
    """Each mapping's figures on the newest version, measured once for every test here."""
    newest = max(shipped(), key=lambda instrument: instrument.version)
    return {mapping: measure(newest, GOAL_NOISE, mapping, PEOPLE) for mapping in MAPPINGS}


@pytest.mark.parametrize("mapping", list(MAPPINGS))
def test_every_goal_holds_at_the_usual_noise(figures, mapping):
    figures = figures[mapping]
    misses = [f"{goal.label}: {figures[goal.key]:.1%} (goal {goal.text})" for goal in GOALS
              if not goal.met(figures[goal.key])]
    assert not misses, misses


@pytest.mark.parametrize("mapping", list(MAPPINGS))
def test_security_is_named_about_as_often_as_any_need(figures, mapping):
    """Stratified alpha: security's SEM is no longer inflated, so it is named about one time in five."""
    assert 0.14 <= figures[mapping]["security_named"] <= 0.26


def test_a_missed_goal_is_reported_in_words():
    from bench.quality import Condition

    figures = dict.fromkeys((g.key for g in GOALS), 0.0)
    report = missed({Condition(2, GOAL_NOISE, "graded logistic"): figures})
    assert any("a single primary aspiration is named 0.0% (goal >= 50%)" in line for line in report)
    assert not any("honest answerers" in line for line in report), "0% honest flagged meets its goal"
