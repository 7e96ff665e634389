"""Seeded synthetic organisations: many teams, three waves, answers through the product's own path.

Why not INSERT rows directly: the benchmark must measure data the product could have stored itself.
Every answer goes through `coaching.measurement.responses.submit` (validation, then scoring, then one
transaction per batch) as the SYSTEM actor, exactly like a bulk import would.

Shape: the team in the middle belongs to the benched manager (BENCH_MANAGER; the screens run as
this manager), so the measured screens show one realistic team of 12; every other team has its own
manager. Each person has a latent need profile, so scores, close needs and quality flags vary the way
real answers do.

Only generation lives here: this file is part of the cache fingerprint (bench/cache.py), so an edit
here regenerates every cached organisation.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.needs import NEEDS
from coaching.core.settings import load_settings
from coaching.measurement.instrument import Instrument
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team
from coaching.startup import start

SEED = 20260301
TEAM_SIZE = 12
BATCH = 2000
WAVES = (("2024", dt.date(2024, 3, 1)), ("2025", dt.date(2025, 3, 1)), ("2026", dt.date(2026, 3, 1)))
BENCH_MANAGER = ("manager@bench.example", "Benched manager")
STRAIGHT_LINERS = 0.02   # share of responses that rate every statement alike: the flags must show up

FIRST = ("Aiko", "José", "Nadia", "Sven", "Priya", "Liam", "Chen", "Olga", "Grace", "Mateo", "Hana", "Kwame",
         "Ingrid", "Fatima", "Tomasz", "Amara", "Björn", "Camille", "Dev", "Elif", "Farid", "Greta", "Hiro", "Iman")
LAST = ("Tanaka", "Álvarez", "Haddad", "Eriksson", "Raman", "O'Brien", "Wei", "Petrova", "Okafor", "Rossi", "Kim",
        "Mensah", "Larsen", "Benali", "Wójcik", "Novak", "Silva", "Dubois", "Nair", "Yilmaz", "Costa", "Berg")
UNITS = ("Platform", "Payments", "Support", "Data", "Mobile", "Sales", "Finance", "Onboarding", "Search", "Security")
TITLES = (("Engineer", None, None), ("Senior engineer", "expert", "senior"), ("Staff engineer", "expert", "staff"),
          ("Team lead", "management", "team_lead"), ("Specialist", None, None), ("Analyst", None, None))


@dataclass(frozen=True)
class Generation:
    """What one generation made and how long it took; stored next to a cached file."""

    teams: int
    members: int
    responses: int
    seed: int
    manager_id: int           # the benched manager's user id: the screens act as this manager
    seconds: float            # everything, start to closed file
    setup_seconds: float      # opening the new database, managers, teams, members
    submit_seconds: float     # coaching.measurement.responses.submit, all batches: validate + score + store
    store_seconds: float      # of which Store.record_responses (the write transactions)
    made_on: str = ""         # ISO date, so a cached file says when it was measured

    @property
    def seconds_per_1000_responses(self) -> float:
        return self.submit_seconds / max(self.responses, 1) * 1000

    @property
    def prepare_seconds(self) -> float:
        """Validation and scoring: submit's time outside the store."""
        return self.submit_seconds - self.store_seconds

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Generation:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def generate(path: Path | str, teams: int, *, seed: int = SEED, batch: int = BATCH,
             progress: Callable[[str], None] | None = None) -> Generation:
    """Create a fresh database at `path` holding `teams` teams of TEAM_SIZE, each answering three waves.

    `path` is a new DuckDB file, or the URL of an empty PostgreSQL database (postgresql://...): the same
    organisation, through the same service calls, in either engine.

    Wave by wave, as real answers arrive (every team's 2024 answers before any 2025 one), so rows of
    one wave sit together on disk as they would in a database that grew over the years.
    """
    if isinstance(path, Path) and path.exists():
        raise FileExistsError(f"{path} exists; the generator only fills new files")
    began = time.perf_counter()
    aspire = start(load_settings(db=path, demo=False))
    try:
        with timed_calls(ResponseRows, "insert") as store_time:
            rng = random.Random(seed)
            manager = _account(aspire, *BENCH_MANAGER)
            people = _organisation(aspire, rng, teams, manager)
            setup = time.perf_counter() - began
            submitted, responses = 0.0, 0
            for chunk in _batches(_submissions(aspire, rng, people), batch):
                t0 = time.perf_counter()
                submit(aspire, SYSTEM, chunk)
                submitted += time.perf_counter() - t0
                responses += len(chunk)
                if progress:
                    progress(f"{teams} teams: {responses:,} responses stored")
    finally:
        aspire.close()
    return Generation(teams=teams, members=len(people), responses=responses, seed=seed, manager_id=manager.id,
                      seconds=time.perf_counter() - began, setup_seconds=setup, submit_seconds=submitted,
                      store_seconds=sum(store_time), made_on=dt.date.today().isoformat())


@contextmanager
def timed_calls(owner: object, method: str) -> Iterator[list[float]]:
    """Seconds of every call of one method of `owner` (an instance, or a class: all its instances), while inside."""
    durations: list[float] = []
    real = getattr(owner, method)
    own = method in vars(owner)

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            durations.append(time.perf_counter() - t0)

    setattr(owner, method, timed)
    try:
        yield durations
    finally:
        if own:
            setattr(owner, method, real)
        else:
            delattr(owner, method)


def _organisation(aspire: Aspire, rng: random.Random, teams: int, benched: Actor) -> list[tuple[int, dict]]:
    """Every team with its manager and members; (member id, latent needs) of everyone.

    The benched manager's team sits in the middle of the organisation, so its rows are neither the
    first nor the last on disk.
    """
    people = []
    for index in range(1, teams + 1):
        manager = benched if index == teams // 2 + 1 else _manager(aspire, index)
        team_id = create_team(aspire, SYSTEM, _team_name(rng, index), manager_id=manager.id).id
        ids = add_members(aspire, SYSTEM, team_id, [_person(rng, index, n) for n in range(TEAM_SIZE)])
        people += [(member_id, {need: rng.gauss(0, 1) for need in NEEDS}) for member_id in ids]
    return people


def _submissions(aspire: Aspire, rng: random.Random, people: list[tuple[int, dict]]) -> Iterator[Submission]:
    """Everyone's raw answers, wave after wave."""
    instrument = current_instrument(aspire)
    for name, starts_on in WAVES:
        wave_id = ensure_wave(aspire, name, starts_on)
        for member_id, needs in people:
            yield Submission(member_id=member_id, wave_id=wave_id, raw=raw_answers(instrument, needs, rng),
                             submitted_at=_at(starts_on, rng))


def _batches(items: Iterator[Submission], size: int) -> Iterator[list[Submission]]:
    batch: list[Submission] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _manager(aspire: Aspire, index: int) -> Actor:
    return _account(aspire, f"manager{index:05d}@bench.example", f"Manager {index}")


def _account(aspire: Aspire, email: str, name: str) -> Actor:
    """A manager account as an admin would create it (single sign-on only: no password to hash)."""
    return accounts_of(aspire).create_user(SYSTEM, email, name, Role.MANAGER, None).actor


def _team_name(rng: random.Random, index: int) -> str:
    return f"{rng.choice(UNITS)} {index:05d}"


def _person(rng: random.Random, team: int, n: int) -> NewMember:
    title, track, level = rng.choice(TITLES)
    return NewMember(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", email=f"p{team:05d}.{n:02d}@bench.example",
                     role_title=title, track=track, level=level)


def _at(starts_on: dt.date, rng: random.Random) -> dt.datetime:
    day = dt.datetime.combine(starts_on, dt.time(9), tzinfo=dt.UTC)
    return day + dt.timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 480))


def raw_answers(instrument: Instrument, needs: dict, rng: random.Random) -> dict:
    """Raw answers as a form would send them: ratings drift with the person's needs, plus noise."""
    drift = {need: z + rng.gauss(0, 0.3) for need, z in needs.items()}
    if rng.random() < STRAIGHT_LINERS:
        ratings = {item.id: 4 for item in instrument.items}
    else:
        ratings = {item.id: _rating(instrument, drift[item.need], item.reverse, rng) for item in instrument.items}
    top = sorted(NEEDS, key=lambda n: drift[n] + rng.gauss(0, 0.3), reverse=True)[:3]
    return {
        "ratings": ratings,
        "top_three": [str(n) for n in top],
        "reflections": {"need_now": "Time to go deep, and a fair raise when it is due."} if rng.random() < 0.5 else {},
        "life_stage": rng.choice([*instrument.life_stage.suggestions, None]),
    }


def _rating(instrument: Instrument, z: float, reverse: bool, rng: random.Random) -> int:
    scale = instrument.scale
    value = min(scale.max, max(scale.min, round(3 + 1.1 * z + rng.gauss(0, 0.5))))
    return scale.flip(value) if reverse else value
