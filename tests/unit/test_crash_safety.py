"""Crash safety, on both engines: a process submitting answers is killed with SIGKILL at random moments, some of
them while a checkpoint runs (DuckDB; a no-op on PostgreSQL); after every restart each acknowledged response is
there, whole, no response is half there, and none is there twice.

The child (tests/crash_child.py) sends an acknowledgement only after `submit` returned, i.e. after COMMIT.
Kill moments and answers come from a seeded generator: CRASH_SEED=N reruns with the same ones (the seed is
in every failure message). Bounded: ROUNDS rounds (per engine) of about a second each.

Each child is forked from a fork server that imported Aspire once (multiprocessing's "forkserver"): a new
Python importing it costs a second of CPU per round. The fork server holds no database and no thread, so
each child opens the database itself, as a process of its own would.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coaching.core.settings import load_settings
from coaching.startup import start
from tests.conftest import Databases
from tests.crash_child import submit_until_killed
from tests.stored_responses import check_stored, prepare_team

#: DuckDB: the kill can land inside its own WAL or checkpoint writing, the risky part, so many rounds. PostgreSQL:
#: the server, which nobody kills, owns the files; a killed client only drops its connection, and the server rolls
#: back the transaction it had open. What is at stake is the client's side (an ack printed only after COMMIT
#: returned), which a third of the rounds exercises as well, at a third of the time.
ROUNDS = {"duckdb": 21, "postgresql": 7}
AT_CHECKPOINT = 3            # every third round is killed the moment the child says "checkpointing"
LATEST_KILL = 0.35           # the other rounds: killed up to this many seconds after the child is ready
WAIT = 30.0                  # for the child to get ready, or to reach the checkpoint it is killed at
SEED = int(os.environ.get("CRASH_SEED") or random.SystemRandom().randrange(2**32))
CHILDREN = multiprocessing.get_context("forkserver")
CHILDREN.set_forkserver_preload(["tests.crash_child"])

pytestmark = pytest.mark.early      # its rounds wait on their children: started last, it was the run's tail


@dataclass
class Round:
    """One child process: how it is to be killed and what it sent before it died."""

    number: int
    at_checkpoint: bool
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    @property
    def acks(self) -> list[tuple[int, int]]:
        """(response id, answer number) of every acknowledged response."""
        return [(int(words[1]), int(words[2])) for line in self.lines if (words := line.split())[0] == "ack"]

    @property
    def died_checkpointing(self) -> bool:
        """Killed after "checkpointing" and before "checkpointed": during the CHECKPOINT or right around it."""
        marks = [line for line in self.lines if line.startswith("checkpoint")]
        return bool(marks) and marks[-1] == "checkpointing"

    def where(self) -> str:
        return f"seed {SEED} (rerun with CRASH_SEED={SEED}), round {self.number}"


@pytest.fixture
def team_db(databases: Databases, request: pytest.FixtureRequest) -> Path | str:
    """A database (of each engine) with one team of five members and one wave, closed so that the child can open it."""
    db = databases.new("crash", template=request.getfixturevalue(f"empty_{databases.engine}_template"))
    prepare_team(db)
    return db


def test_every_acknowledged_response_survives_sigkill_whole_and_none_is_half_written(
    team_db: Path | str, databases: Databases
) -> None:
    rng = random.Random(SEED)
    acknowledged: list[tuple[int, int]] = []
    rounds = [Round(n, at_checkpoint=n % AT_CHECKPOINT == 0) for n in range(1, ROUNDS[databases.engine] + 1)]
    for crash in rounds:
        _run_and_kill(team_db, rng, crash)
        acknowledged += crash.acks
        aspire = start(load_settings(db=team_db, demo=False))    # the restart: DuckDB replays its WAL here
        try:
            check_stored(aspire, acknowledged, SEED, crash.where())
        finally:
            aspire.close()

    assert len(acknowledged) >= len(rounds), f"seed {SEED}: only {len(acknowledged)} responses were acknowledged"
    if databases.engine == "duckdb":      # PostgreSQL's checkpoint is a no-op: the kill lands just after it
        assert any(r.died_checkpointing for r in rounds), f"seed {SEED}: no kill landed during a checkpoint"


def _run_and_kill(db: Path | str, rng: random.Random, crash: Round) -> None:
    """Start the child, SIGKILL it at the moment this round calls for, keep every line it sent."""
    nth_checkpoint = rng.randint(1, 3)
    delay = rng.uniform(0.0, LATEST_KILL)
    lines, out = CHILDREN.Pipe(duplex=False)
    child = CHILDREN.Process(target=submit_until_killed, args=(db, SEED, crash.number * 100_000, out))
    child.start()
    out.close()             # the child's end: reading stops once the child's copy is gone

    def read() -> None:
        with contextlib.suppress(EOFError):
            while True:
                crash.lines.append(lines.recv())
                if crash.lines[-1] == "ready":
                    crash.ready.set()
                elif crash.at_checkpoint and crash.lines.count("checkpointing") == nth_checkpoint:
                    os.kill(child.pid, signal.SIGKILL)

    reader = threading.Thread(target=read)
    reader.start()
    if crash.ready.wait(WAIT):
        if crash.at_checkpoint:
            child.join(timeout=WAIT)      # the reader kills it at its checkpoint
        else:
            time.sleep(delay)
    child.kill()                          # SIGKILL
    child.join()
    reader.join()
    lines.close()
    problem = next((line for line in crash.lines if line.startswith("error")), "")
    assert crash.ready.is_set(), f"{crash.where()}: the child never got ready: {problem}"
    assert child.exitcode == -signal.SIGKILL, f"{crash.where()}: the child stopped by itself: {problem}"
