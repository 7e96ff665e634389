"""Many people submitting the questionnaire at once: latency and throughput through the service layer.

Why: in the days after a round opens, answers arrive in bursts. Two paths are timed, each with 1, 8
and 32 threads (one respondent each at a time, all starting together):
- "submit": `coaching.measurement.responses.submit` as the respondent, the service call that validates, scores
  and commits one full questionnaire: what "acknowledged" means;
- "submit and show": `coaching.rounds.rounds.submit_answers`, everything the respondent's page waits for
  after Submit: the round's checks, the same submit, the draft's removal and the profile they are shown.
Opening the link happens before the clock starts. Every acknowledged submission must be stored and
complete: the check counts the current responses with every rating afterwards; a run that lost one
says so.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from bench.synthetic import TEAM_SIZE, raw_answers, timed_calls
from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.needs import NEEDS
from coaching.measurement.responses import Submission, submit
from coaching.measurement.versions import current_instrument
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_teams
from coaching.rounds.rounds import Invitation, open_round, resolve, submit_answers

THREADS = (1, 8, 32)
PER_THREAD = {1: 60, 8: 15, 32: 8}      # submissions each thread makes: a few hundred per run at most


def _submit(aspire: Aspire, invitation: Invitation, raw: dict) -> None:
    row = invitation.row
    submit(aspire, invitation.actor, [Submission(member_id=row.member_id, wave_id=row.round.wave_id, raw=raw,
                                                 round_id=row.round.id)])


PATHS = {"submit": _submit, "submit and show": submit_answers}


@dataclass(frozen=True)
class SubmissionRun:
    path: str
    threads: int
    acknowledged: int
    stored: int             # current responses of the invited people in the run's wave, with every rating
    seconds: float
    latencies_ms: tuple[float, ...]
    commits: int            # transactions committed during the run: fewer than writes when grouped
    committing: float       # seconds the writer spent committing: near `seconds` means the writer is the limit

    @property
    def per_second(self) -> float:
        return self.acknowledged / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile."""
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]

    @property
    def lost(self) -> int:
        return self.acknowledged - self.stored


#: The first of the waves the runs answer in: years of their own, far past the organisation's (waves are years).
FIRST_RUN_WAVE = 2090


def measure_submissions(aspires: list[Aspire], seed: int) -> list[list[SubmissionRun]]:
    """One run per path and thread count on each Aspire (each engine), each run in a wave of its own so every
    submission is a new answer; the Aspires take turns run by run, so a burst of other work on the machine
    hits both engines alike."""
    runs: list[list[SubmissionRun]] = [[] for _ in aspires]
    for n, (path, threads) in enumerate((path, threads) for path in PATHS for threads in THREADS):
        for aspire, done in zip(aspires, runs, strict=True):
            done.append(_run(aspire, str(FIRST_RUN_WAVE + n), path, threads, PER_THREAD[threads], seed))
    return runs


def _run(aspire: Aspire, wave: str, path: str, threads: int, per_thread: int, seed: int) -> SubmissionRun:
    action = PATHS[path]
    invitations = _invite(aspire, wave, threads * per_thread)
    rng = random.Random(seed + threads)
    raws = [raw_answers(current_instrument(aspire), {n: rng.gauss(0, 1) for n in NEEDS}, rng) for _ in invitations]
    shares = [list(zip(invitations[i::threads], raws[i::threads], strict=True)) for i in range(threads)]
    latencies: list[float] = []
    failures: list[BaseException] = []
    go = threading.Barrier(threads + 1)

    def respondent(share: list[tuple[Invitation, dict]]) -> None:
        go.wait()
        for invitation, raw in share:
            t0 = time.perf_counter()
            try:
                action(aspire, invitation, raw)
            except Exception as exc:  # reported below: a failed submission is not acknowledged
                failures.append(exc)
                continue
            latencies.append((time.perf_counter() - t0) * 1000)

    workers = [threading.Thread(target=respondent, args=(share,)) for share in shares]
    with timed_calls(aspire.db, "_commit_queued") as commits:
        for worker in workers:
            worker.start()
        go.wait()
        began = time.perf_counter()
        for worker in workers:
            worker.join()
        seconds = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(invitations)} submissions failed, first: {failures[0]!r}")
    return SubmissionRun(path, threads, len(latencies), _stored(aspire, wave, len(current_instrument(aspire).items)),
                         seconds, tuple(latencies), len(commits), sum(commits))


def _invite(aspire: Aspire, wave: str, people: int) -> list[Invitation]:
    """`people` invitations in `wave`, their links opened (see invite_tokens)."""
    return [resolve(aspire, token) for token in invite_tokens(aspire, wave, people)]


def invite_tokens(aspire: Aspire, wave: str, people: int) -> list[str]:
    """Rounds in `wave` for whole teams, each opened by its own manager, until `people` are invited: the token
    of each personal link (its `invite` parameter).

    A small organisation gets extra teams first, so every run has as many different people as it needs.
    """
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=14)
    teams = list_teams(aspire, SYSTEM)
    for extra in range(-(-max(0, people - _members(aspire)) // TEAM_SIZE)):
        manager = teams[0].manager_id
        team_id = create_team(aspire, SYSTEM, f"Load {wave} {extra}", manager_id=manager).id
        add_members(aspire, SYSTEM, team_id, [
            NewMember(name=f"Load {n}", email=f"load.{wave.replace(' ', '-')}.{extra}.{n}@bench.example")
            for n in range(TEAM_SIZE)])
    tokens: list[str] = []
    for team in list_teams(aspire, SYSTEM):
        manager = Actor(Role.MANAGER, team.manager_id, f"Manager of {team.name}")
        _, links = open_round(aspire, manager, team.id, wave, deadline)
        tokens += [parse_qs(urlparse(link.url).query)["invite"][0] for link in links]
        if len(tokens) >= people:
            return tokens[:people]
    raise AssertionError("unreachable: the organisation was given enough members above")


def _members(aspire: Aspire) -> int:
    return aspire.db.scalar("SELECT count(*) FROM member WHERE archived_at IS NULL")


def _stored(aspire: Aspire, wave: str, items: int) -> int:
    """Current responses in the wave that have every rating: acknowledged must equal this."""
    return aspire.db.scalar(
        "SELECT count(*) FROM response r JOIN wave w ON w.id = r.wave_id WHERE w.name = ? AND r.is_current"
        " AND (SELECT count(*) FROM response_rating rr WHERE rr.response_id = r.id) = ?", [wave, items])
