"""Submissions whose every answer a test can foretell, and the check that the store holds them whole.

Shared by the crash test (a child process killed with SIGKILL) and the reconnect test (a PostgreSQL server
restarted under submitting threads): in both, an acknowledged response must be stored exactly as submitted,
no response may be half there, and none may be stored twice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM
from coaching.core.needs import NEEDS, SCALES
from coaching.core.settings import load_settings
from coaching.measurement.instrument import Instrument
from coaching.measurement.responses import Submission, ensure_wave, list_waves, prepare
from coaching.measurement.versions import current_instrument
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams
from coaching.startup import start
from tests.conftest import make_manager

MEMBERS = 5


def answers_for(instrument: Instrument, seed: int, n: int) -> dict[str, Any]:
    """Valid raw answers, different for every N and the same on every call."""
    rng = random.Random(f"{seed}-{n}")
    scale = instrument.scale
    answers: dict[str, Any] = {
        "ratings": {item.id: rng.randint(scale.min, scale.max) for item in instrument.items},
        "top_three": [str(need) for need in rng.sample(list(NEEDS), 3)],
    }
    if n % 2:
        answers["reflections"] = {instrument.reflections[0].id: f"Answer number {n}: more room to grow."}
        answers["life_stage"] = "settling"
    return answers


def prepare_team(db: Path | str) -> None:
    """One team of MEMBERS members and one wave in the database `db`, closed again so another process may open it."""
    aspire = start(load_settings(db=db, demo=False))
    try:
        manager = make_manager(aspire)
        team_id = create_team(aspire, manager, "Submitting team").id
        add_members(aspire, manager, team_id, [
            NewMember(name=f"Member {n}", email=f"member{n}@example.com") for n in range(MEMBERS)])
        ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    finally:
        aspire.close()


def submission(aspire: Aspire, seed: int, n: int) -> Submission:
    """Submission number N: member N mod MEMBERS of the one team, answers `answers_for(seed, n)`."""
    (team,) = list_teams(aspire, SYSTEM)
    members = [m.id for m in list_members(aspire, SYSTEM, team.id)]
    (wave, *_) = list_waves(aspire)
    return Submission(member_id=members[n % len(members)], wave_id=wave.id,
                      raw=answers_for(current_instrument(aspire), seed, n))


def check_stored(aspire: Aspire, acknowledged: list[tuple[int, int]], seed: int, where: str) -> None:
    """Every acknowledged (response id, N) is stored exactly as submitted; every stored response is whole;
    no submission is stored twice; each member's latest response is their one current response."""
    db = aspire.db
    heads = {r[0]: r[1:] for r in db.query("SELECT id, member_id, life_stage, is_current FROM response")}
    parts = {table: _grouped(db.query(f"SELECT response_id, {a}, {b} FROM {table}"))  # noqa: S608 - fixed names
             for table, a, b in (("response_rating", "item_id", "value"), ("response_choice", "rank", "need"),
                                 ("response_reflection", "reflection_id", "text"),
                                 ("response_score", "scale", "score"))}
    items = len(current_instrument(aspire).items)
    for response_id in heads:
        counts = tuple(len(parts[t].get(response_id, {})) for t in ("response_rating", "response_choice",
                                                                    "response_score"))
        assert counts == (items, 3, len(SCALES)), f"{where}: response {response_id} is half there: {counts}"
    for table, rows in parts.items():
        assert rows.keys() <= heads.keys(), f"{where}: {table} rows of missing responses"
    twice = [key for key, count in Counter(
        (heads[r][0], tuple(sorted(parts["response_rating"][r].items()))) for r in heads).items() if count > 1]
    assert not twice, f"{where}: {len(twice)} submissions are stored twice"
    for response_id, n in acknowledged:
        assert response_id in heads, f"{where}: acknowledged response {response_id} (number {n}) is lost"
        expected = prepare(aspire, submission(aspire, seed, n))
        member_id, life_stage, _ = heads[response_id]
        stored = (member_id, parts["response_rating"][response_id],
                  [need for _, need in sorted(parts["response_choice"][response_id].items())],
                  parts["response_reflection"].get(response_id, {}), life_stage, parts["response_score"][response_id])
        assert stored == (expected.member_id, expected.answers.ratings, [str(n) for n in expected.answers.top_three],
                          expected.answers.reflections, expected.answers.life_stage, expected.scores), (
            f"{where}: acknowledged response {response_id} (number {n}) differs from what was submitted")
    _one_current_each(heads, where)


def _grouped(rows: list[tuple]) -> dict[int, dict]:
    grouped: dict[int, dict] = {}
    for response_id, key, value in rows:
        grouped.setdefault(response_id, {})[key] = value
    return grouped


def _one_current_each(heads: dict[int, tuple], where: str) -> None:
    """A member's latest submission is their one current response (each member's submissions come one at a time)."""
    latest: dict[int, int] = {}
    for response_id, (member_id, _, _) in heads.items():
        latest[member_id] = max(latest.get(member_id, 0), response_id)
    current = sorted(response_id for response_id, (_, _, is_current) in heads.items() if is_current)
    assert current == sorted(latest.values()), f"{where}: current responses {current}, latest {latest}"
