"""Reliability kept up to date from what changed, on real DuckDB files: always what a full estimate gives.

The reference is coaching.measurement.scoring.reliability over every current response to the version, read back
from the store; Aspire's estimate is updated from new, replaced and erased responses only.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Role
from coaching.core.needs import NEEDS
from coaching.core.settings import load_settings
from coaching.measurement.profiles import profiles
from coaching.measurement.reliability import scale_reliability
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.scoring import reliability, score_response
from coaching.measurement.versions import current_instrument, instruments
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team
from coaching.privacy import requests as privacy
from coaching.startup import start
from tests.conftest import make_manager

PEOPLE = 45


def _reference(aspire: Aspire) -> dict:
    version = current_instrument(aspire).version
    return reliability(instruments(aspire)[version], ResponseRows(aspire.db).answers_for_version(version))


def _organisation(aspire: Aspire) -> tuple[int, list[int], list[int]]:
    """One team of PEOPLE with its manager, and two waves: (team id, member ids, wave ids)."""
    manager = make_manager(aspire)
    team = create_team(aspire, manager, "Platform").id
    members = add_members(aspire, manager, team, [
        NewMember(name=f"Person {n:02d}", email=f"p{n}@example.com") for n in range(PEOPLE)])
    waves = [ensure_wave(aspire, name, dt.date(int(name), 3, 1)) for name in ("2025", "2026")]
    return team, members, waves


def _raw(aspire: Aspire, rng: random.Random, lean: float) -> dict:
    """Answers that hang together (one level per need, plus noise), or pure noise when lean is 0."""
    instrument = current_instrument(aspire)
    level = {need: rng.uniform(1, 5) for need in NEEDS}
    ratings = {}
    for item in instrument.items:
        value = min(5, max(1, round(lean * level[item.need] + (1 - lean) * 3 + rng.gauss(0, 1))))
        ratings[item.id] = instrument.scale.flip(value) if item.reverse else value
    return {"ratings": ratings, "top_three": [str(n) for n in rng.sample(NEEDS, 3)]}


def _answer(aspire: Aspire, rng: random.Random, who: list[tuple[int, int]], lean: float) -> None:
    submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=w, raw=_raw(aspire, rng, lean)) for m, w in who])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), lean=st.sampled_from([0.0, 0.5, 0.9]), first=st.integers(0, PEOPLE),
       newcomers=st.integers(0, PEOPLE), again=st.integers(0, 20), erased=st.integers(0, 5))
def test_the_estimate_follows_every_change_exactly(seed, lean, first, newcomers, again, erased):
    """New answers, answers replaced, answers erased: after each, the estimate equals a full one."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        aspire = start(load_settings(db=Path(folder) / "r.duckdb", demo=False))
        try:
            _, members, (w1, w2) = _organisation(aspire)
            version = current_instrument(aspire).version
            assert scale_reliability(aspire, version) == _reference(aspire), "no responses: the defaults"
            _answer(aspire, rng, [(m, w1) for m in members[:first]], lean)
            assert scale_reliability(aspire, version) == _reference(aspire)
            replaced = [(rng.choice(members[:first]), w1) for _ in range(again)] if first else []
            _answer(aspire, rng, [(m, w2) for m in members[:newcomers]] + replaced, lean)
            assert scale_reliability(aspire, version) == _reference(aspire)
            gone = rng.sample(members, erased)
            aspire.db.write(lambda tx: [tx.execute(
                f"DELETE FROM {table} WHERE response_id IN (SELECT id FROM response WHERE member_id = ?)", [m])
                for m in gone for table in ("response_rating", "response_choice", "response_score")]
                + [tx.execute("DELETE FROM response WHERE member_id = ?", [m]) for m in gone])
            assert scale_reliability(aspire, version) == _reference(aspire)
        finally:
            aspire.close()


def test_a_burst_of_separate_submissions_is_followed(aspire, instrument):
    """One answer at a time, each followed by a look at reliability, as a wave's answers arrive."""
    rng = random.Random(3)
    _, members, (w1, _) = _organisation(aspire)
    for member in members:
        _answer(aspire, rng, [(member, w1)], 0.9)
        assert scale_reliability(aspire, instrument.version) == _reference(aspire)
    assert scale_reliability(aspire, instrument.version)["status"].estimated


def test_erasing_a_person_through_the_product_updates_the_estimate(aspire, instrument):
    rng = random.Random(5)
    _, members, (w1, w2) = _organisation(aspire)
    _answer(aspire, rng, [(m, w) for m in members for w in (w1, w2)], 0.9)
    before = scale_reliability(aspire, instrument.version)
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "Harriet HR", Role.ADMIN, None).actor
    privacy.erase_member(aspire, admin, "p0@example.com")
    after = scale_reliability(aspire, instrument.version)
    assert after == _reference(aspire)
    assert after["status"].n == before["status"].n - 2


def test_a_team_screen_looks_reliability_up_once_not_per_member(aspire, instrument, monkeypatch):
    rng = random.Random(7)
    team, members, (w1, _) = _organisation(aspire)
    _answer(aspire, rng, [(m, w1) for m in members], 0.9)
    lookups = []
    real = ResponseRows.current_rating_sums
    monkeypatch.setattr(ResponseRows, "current_rating_sums", lambda *a: lookups.append(a) or real(*a))
    found = profiles(aspire, SYSTEM, w1, [team])
    assert len(found) == PEOPLE
    assert len(lookups) == 1


def test_profiles_are_scored_with_the_reliability_of_the_moment(aspire, instrument):
    """A profile seen before a new answer is scored again with the updated reliability, not served stale."""
    rng = random.Random(11)
    team, members, (w1, w2) = _organisation(aspire)
    _answer(aspire, rng, [(m, w1) for m in members[:35]], 0.9)
    first = {p.member_id: p.profile for p in profiles(aspire, SYSTEM, w1, [team])}
    _answer(aspire, rng, [(m, w2) for m in members], 0.0)   # noise: the SEMs move
    table = scale_reliability(aspire, instrument.version)
    stored = {r.member_id: r.answers for r in ResponseRows(aspire.db).current_responses(SYSTEM, w1, [team])}
    again = {p.member_id: p.profile for p in profiles(aspire, SYSTEM, w1, [team])}
    assert again == {m: score_response(instrument, answers, table) for m, answers in stored.items()}
    assert again != first, "the new answers changed the measurement error, so some profile must read differently"
