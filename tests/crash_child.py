"""What tests/unit/test_crash_safety.py kills: a process that submits answers one by one until it is killed.

`submit_until_killed(db, seed, first, out)` runs in a process of its own, forked from a fork server that has
imported Aspire already (see the test): it opens Aspire on `db` (a DuckDB file, or a PostgreSQL URL), which
already holds one team with members and one wave, sends "ready", then submits through the service layer as the
system, one response at a time, for the team's members in turn. After each submit returns (the response is
committed) it sends "ack RESPONSE_ID N". Every CHECKPOINT_EVERY submissions it sends "checkpointing", runs a
checkpoint (a no-op on PostgreSQL), then sends "checkpointed". N counts up from FIRST; submission number N is
`tests.stored_responses.submission(aspire, SEED, N)`, so the test knows exactly what every acknowledged
response must hold. It stops by itself after MAX_SUBMISSIONS, or when nobody reads what it sends any more.
Lines go through `out`, a pipe to the test; an error goes the same way, as "error" and its traceback.
"""

from __future__ import annotations

import traceback
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from coaching.core.actors import SYSTEM
from coaching.core.settings import load_settings
from coaching.measurement.responses import submit
from coaching.startup import start
from tests.environment import forget_settings
from tests.stored_responses import submission

CHECKPOINT_EVERY = 8
MAX_SUBMISSIONS = 5000


def submit_until_killed(db: Path | str, seed: int, first: int, out: Connection) -> None:
    try:
        _submit(db, seed, first, out)
    except (BrokenPipeError, EOFError):     # the test went away: stop quietly
        pass
    except Exception:
        out.send("error " + traceback.format_exc())


def _submit(db: Path | str, seed: int, first: int, out: Connection) -> None:
    forget_settings(pytest.MonkeyPatch())   # only `db`, none of the developer's settings, for the child's life
    aspire = start(load_settings(db=db, demo=False))
    submission(aspire, seed, first)         # reads the team and the wave before saying it is ready
    out.send("ready")
    for n in range(first, first + MAX_SUBMISSIONS):
        if n > first and n % CHECKPOINT_EVERY == 0:
            out.send("checkpointing")
            aspire.db.checkpoint()
            out.send("checkpointed")
        (response_id,) = submit(aspire, SYSTEM, [submission(aspire, seed, n)])
        out.send(f"ack {response_id} {n}")
    aspire.close()
