"""Crash safety: a process submitting answers is killed with SIGKILL at random moments, some of them while a
CHECKPOINT runs; after every restart each acknowledged response is there, whole, and no response is half there.

The child (tests/crash_child.py) prints an acknowledgement only after `submit` returned, i.e. after COMMIT.
Kill moments and answers come from a seeded generator: CRASH_SEED=N reruns with the same ones (the seed is
in every failure message). Bounded: ROUNDS rounds of about a second each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM
from coaching.core.needs import SCALES
from coaching.core.settings import PROJECT_DIR, Settings
from coaching.measurement.responses import Submission, ensure_wave, list_waves, prepare
from coaching.measurement.versions import current_instrument
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams
from coaching.startup import start
from tests.conftest import make_manager
from tests.crash_child import answers_for

ROUNDS = 21
AT_CHECKPOINT = 3            # every third round is killed the moment the child says "checkpointing"
LATEST_KILL = 0.35           # the other rounds: killed up to this many seconds after the child is ready
WAIT = 30.0                  # for the child to get ready, or to reach the checkpoint it is killed at
SEED = int(os.environ.get("CRASH_SEED") or random.SystemRandom().randrange(2**32))


@dataclass
class Round:
    """One child process: how it is to be killed and what it printed before it died."""

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
def team_db(tmp_path: Path) -> Path:
    """A database with one team of five members and one wave, closed so that the child can open it."""
    path = tmp_path / "crash.duckdb"
    aspire = start(Settings(db=path))
    try:
        manager = make_manager(aspire)
        team_id = create_team(aspire, manager, "Crash test team").id
        add_members(aspire, manager, team_id, [
            NewMember(name=f"Member {n}", email=f"member{n}@example.com") for n in range(5)])
        ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    finally:
        aspire.close()
    return path


def test_every_acknowledged_response_survives_sigkill_whole_and_none_is_half_written(
    team_db: Path, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    acknowledged: list[tuple[int, int]] = []
    rounds = [Round(n, at_checkpoint=n % AT_CHECKPOINT == 0) for n in range(1, ROUNDS + 1)]
    for crash in rounds:
        _run_and_kill(team_db, rng, crash, tmp_path)
        acknowledged += crash.acks
        aspire = start(Settings(db=team_db))    # the restart: DuckDB replays its WAL here
        try:
            _check(aspire, acknowledged, crash)
        finally:
            aspire.close()

    assert len(acknowledged) >= ROUNDS, f"seed {SEED}: only {len(acknowledged)} responses were acknowledged"
    assert any(r.died_checkpointing for r in rounds), f"seed {SEED}: no kill landed during a checkpoint"


def _run_and_kill(db: Path, rng: random.Random, crash: Round, logs: Path) -> None:
    """Start the child, SIGKILL it at the moment this round calls for, keep every line it printed."""
    command = [sys.executable, "-m", "tests.crash_child", str(db), str(SEED), str(crash.number * 100_000)]
    nth_checkpoint = rng.randint(1, 3)
    delay = rng.uniform(0.0, LATEST_KILL)
    errors = logs / f"round-{crash.number}.err"
    environment = {k: v for k, v in os.environ.items() if not k.upper().startswith("COACHING_")}
    with errors.open("w") as stderr, subprocess.Popen(
        command, cwd=PROJECT_DIR, env=environment, stdout=subprocess.PIPE, stderr=stderr, text=True
    ) as child:

        def read() -> None:
            for line in child.stdout:
                crash.lines.append(line.strip())
                if crash.lines[-1] == "ready":
                    crash.ready.set()
                elif crash.at_checkpoint and crash.lines.count("checkpointing") == nth_checkpoint:
                    child.send_signal(signal.SIGKILL)

        reader = threading.Thread(target=read)
        reader.start()
        if crash.ready.wait(WAIT):
            if crash.at_checkpoint:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=WAIT)      # the reader kills it at its checkpoint
            else:
                time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        reader.join()
    problem = errors.read_text(encoding="utf-8")[-2000:]
    assert crash.ready.is_set(), f"{crash.where()}: the child never got ready: {problem}"
    assert child.returncode == -signal.SIGKILL, f"{crash.where()}: the child stopped by itself: {problem}"


def _check(aspire: Aspire, acknowledged: list[tuple[int, int]], crash: Round) -> None:
    """Every acknowledged response is stored exactly as submitted; every stored response is whole."""
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
        assert counts == (items, 3, len(SCALES)), f"{crash.where()}: response {response_id} is half there: {counts}"
    for table, rows in parts.items():
        assert rows.keys() <= heads.keys(), f"{crash.where()}: {table} rows of missing responses"
    (team,) = list_teams(aspire, SYSTEM)
    members = [m.id for m in list_members(aspire, SYSTEM, team.id)]
    (wave, *_) = list_waves(aspire)
    for response_id, n in acknowledged:
        assert response_id in heads, f"{crash.where()}: acknowledged response {response_id} (number {n}) is lost"
        expected = prepare(aspire, Submission(member_id=members[n % len(members)], wave_id=wave.id,
                                              raw=answers_for(current_instrument(aspire), SEED, n)))
        member_id, life_stage, _ = heads[response_id]
        stored = (member_id, parts["response_rating"][response_id],
                  [need for _, need in sorted(parts["response_choice"][response_id].items())],
                  parts["response_reflection"].get(response_id, {}), life_stage, parts["response_score"][response_id])
        assert stored == (expected.member_id, expected.answers.ratings, [str(n) for n in expected.answers.top_three],
                          expected.answers.reflections, expected.answers.life_stage, expected.scores), (
            f"{crash.where()}: acknowledged response {response_id} (number {n}) differs from what was submitted")
    _one_current_each(heads, crash)


def _grouped(rows: list[tuple]) -> dict[int, dict]:
    grouped: dict[int, dict] = {}
    for response_id, key, value in rows:
        grouped.setdefault(response_id, {})[key] = value
    return grouped


def _one_current_each(heads: dict[int, tuple], crash: Round) -> None:
    """A member's latest submission is their one current response (the child submits one at a time)."""
    latest: dict[int, int] = {}
    for response_id, (member_id, _, _) in heads.items():
        latest[member_id] = max(latest.get(member_id, 0), response_id)
    current = sorted(response_id for response_id, (_, _, is_current) in heads.items() if is_current)
    assert current == sorted(latest.values()), f"{crash.where()}: current responses {current}, latest {latest}"
