"""The process tests/unit/test_crash_safety.py kills: it submits answers one by one until it is killed.

    COACHING_DB=DATABASE python -m tests.crash_child SEED FIRST

Opens Aspire on COACHING_DB (a DuckDB file, or a PostgreSQL URL: in the environment, since a password in
argv would show in every process list), which already holds one team with members and one wave, prints
"ready", then submits through the service layer as the system, one response at a time, for the team's members
in turn. After each submit returns (the response is committed) it prints "ack RESPONSE_ID N". Every
CHECKPOINT_EVERY submissions it prints "checkpointing", runs a checkpoint (a no-op on PostgreSQL), then
prints "checkpointed". N counts up from FIRST; submission number N is
`tests.stored_responses.submission(aspire, SEED, N)`, so the test knows exactly what every acknowledged
response must hold. It stops by itself after MAX_SUBMISSIONS, or when nobody reads its output any more.
"""

from __future__ import annotations

import sys

from coaching.core.actors import SYSTEM
from coaching.core.settings import load_settings
from coaching.measurement.responses import submit
from coaching.startup import start
from tests.stored_responses import submission

CHECKPOINT_EVERY = 8
MAX_SUBMISSIONS = 5000


def main(seed: int, first: int) -> None:
    aspire = start(load_settings(demo=False))
    submission(aspire, seed, first)         # reads the team and the wave before saying it is ready
    print("ready", flush=True)
    for n in range(first, first + MAX_SUBMISSIONS):
        if n > first and n % CHECKPOINT_EVERY == 0:
            print("checkpointing", flush=True)
            aspire.db.checkpoint()
            print("checkpointed", flush=True)
        (response_id,) = submit(aspire, SYSTEM, [submission(aspire, seed, n)])
        print(f"ack {response_id} {n}", flush=True)
    aspire.close()


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]), int(sys.argv[2]))
    except BrokenPipeError:        # the test went away: stop quietly
        sys.exit(0)
