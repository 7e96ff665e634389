"""The process tests/unit/test_crash_safety.py kills: it submits answers one by one until it is killed.

    python -m tests.crash_child DATABASE SEED FIRST

Opens Aspire on DATABASE (which already holds one team with members and one wave), prints "ready",
then submits through the service layer as the system, one response at a time, for the team's members
in turn. After each submit returns (the response is committed) it prints "ack RESPONSE_ID N". Every
CHECKPOINT_EVERY submissions it prints "checkpointing", runs a CHECKPOINT, then prints "checkpointed".
N counts up from FIRST; the answers of number N are `answers_for(instrument, SEED, N)`, so the test
knows exactly what every acknowledged response must hold. It stops by itself after MAX_SUBMISSIONS,
or when nobody reads its output any more.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

from coaching.core.actors import SYSTEM
from coaching.core.needs import NEEDS
from coaching.core.settings import Settings
from coaching.measurement.instrument import Instrument
from coaching.measurement.responses import Submission, list_waves, submit
from coaching.measurement.versions import current_instrument
from coaching.people.teams import list_members, list_teams
from coaching.startup import start

CHECKPOINT_EVERY = 8
MAX_SUBMISSIONS = 5000


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


def main(database: str, seed: int, first: int) -> None:
    aspire = start(Settings(db=Path(database)))
    (team,) = list_teams(aspire, SYSTEM)
    members = [m.id for m in list_members(aspire, SYSTEM, team.id)]
    (wave, *_) = list_waves(aspire)
    print("ready", flush=True)
    for n in range(first, first + MAX_SUBMISSIONS):
        if n > first and n % CHECKPOINT_EVERY == 0:
            print("checkpointing", flush=True)
            aspire.db.checkpoint()
            print("checkpointed", flush=True)
        submission = Submission(member_id=members[n % len(members)], wave_id=wave.id,
                                raw=answers_for(current_instrument(aspire), seed, n))
        (response_id,) = submit(aspire, SYSTEM, [submission])
        print(f"ack {response_id} {n}", flush=True)
    aspire.close()


if __name__ == "__main__":
    try:
        main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    except BrokenPipeError:        # the test went away: stop quietly
        sys.exit(0)
