"""The demo organisation: two teams, two yearly waves, answers simulated from latent needs.

Each demo person has a hidden need profile (z-scores per need). Their answers are drawn from it
with noise and go through the real validation and scoring, so every screen shows numbers the
product computed itself. A few people are written to show the cases a manager must learn to read:
a clear primary aspiration (Aiko), two needs the answers cannot separate (José), a reliable change
between waves (Nadia), ratings that disagree with the forced choice (Priya), and answers that look
uniform (Chen); tests/unit/test_demo.py checks each through the scoring's rules.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.needs import NEEDS, Need
from coaching.db.meta import set_meta
from coaching.measurement.instrument import Instrument
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.versions import current_instrument
from coaching.one_on_one import plans
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams

SEED = 20260301
WAVES = (("2025", dt.date(2025, 3, 1)), ("2026", dt.date(2026, 3, 1)))

S, F, E, A, B = Need.STATUS, Need.SECURITY, Need.EXPERTISE, Need.AUTONOMY, Need.BALANCE


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role_title: str
    track: str | None
    level: str | None
    needs: dict[Need, float]                       # latent z-scores, wave 1
    later: dict[Need, float] = field(default_factory=dict)   # changes by wave 2
    chooses: tuple[Need, Need, Need] | None = None  # forced choice that differs from the ratings
    uniform_in_last_wave: bool = False


def _n(status: float = 0, security: float = 0, expertise: float = 0, autonomy: float = 0, balance: float = 0):
    return {S: status, F: security, E: expertise, A: autonomy, B: balance}


PLATFORM = [
    DemoPerson("Aiko Tanaka", "Senior engineer", "expert", "senior", _n(expertise=2.2, autonomy=0.2, balance=-0.6)),
    DemoPerson("José Álvarez", "Engineer", None, None, _n(status=1.0, autonomy=1.0, security=-0.4)),
    DemoPerson("Nadia Haddad", "Staff engineer", "expert", "staff", _n(expertise=1.2, status=0.8, balance=-0.2),
               later=_n(balance=2.6, status=-0.8)),
    DemoPerson("Sven Eriksson", "Team lead", "management", "team_lead", _n(status=1.9, security=0.3, balance=-1.0)),
    DemoPerson("Priya Raman", "Engineer", None, None, _n(security=1.6, expertise=0.5, status=-0.4),
               chooses=(E, A, S)),
    DemoPerson("Liam O'Brien", "Engineer", "expert", "senior", _n(autonomy=1.4, expertise=1.2, status=-1.0)),
    DemoPerson("Chen Wei", "Engineer", None, None, _n(balance=1.2, security=0.9), uniform_in_last_wave=True),
    DemoPerson("Olga Petrova", "Senior engineer", "expert", "senior", _n(autonomy=2.1, status=-0.8, security=-0.5)),
]

CUSTOMER = [
    DemoPerson("Grace Okafor", "Account manager", "management", "team_lead", _n(status=1.4, security=1.0)),
    DemoPerson("Mateo Rossi", "Support specialist", None, None, _n(balance=2.0, security=0.4, status=-1.2)),
    DemoPerson("Hana Kim", "Customer success manager", None, None, _n(security=1.1, balance=1.0, autonomy=-0.5)),
    DemoPerson("Kwame Mensah", "Support specialist", "expert", "senior", _n(expertise=1.5, autonomy=1.3),
               later=_n(status=1.4)),
    DemoPerson("Ingrid Larsen", "Team lead", "management", "manager", _n(status=1.0, balance=0.9, expertise=-0.6)),
    DemoPerson("Fatima Zahra Benali", "Onboarding specialist", None, None,
               _n(autonomy=1.8, balance=0.6, status=-0.6)),
    DemoPerson("Tomasz Wójcik", "Support specialist", None, None, _n(security=1.9, status=-0.6, autonomy=-0.4)),
]

TEAMS = (("Platform engineering", PLATFORM), ("Customer success", CUSTOMER))


@dataclass(frozen=True)
class DemoAccount:
    """A made-up login, shown on the login screen of a demo database only."""

    email: str
    password: str
    name: str
    role: Role
    team: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("maria@example.com", "demo-manager-1", "Maria Lopez", Role.MANAGER, "Platform engineering"),
    DemoAccount("sam@example.com", "demo-manager-2", "Sam Okoro", Role.MANAGER, "Customer success"),
    DemoAccount("hr@example.com", "demo-admin-1", "Harriet Berg", Role.ADMIN),
)


def seed_demo(aspire: Aspire, seed: int = SEED) -> None:
    """Fill an empty database with the demo organisation; the same seed gives the same data."""
    rng = random.Random(seed)
    accounts = accounts_of(aspire)
    managers = {
        account.team: accounts.create_user(SYSTEM, account.email, account.name, account.role, account.password)
        for account in DEMO_ACCOUNTS
    }
    instrument = current_instrument(aspire)
    waves = [ensure_wave(aspire, name, starts_on) for name, starts_on in WAVES]
    submissions = []
    for team_name, people in TEAMS:
        manager = managers[team_name].actor
        team_id = create_team(aspire, manager, team_name).id
        ids = add_members(aspire, manager, team_id, [_member(p) for p in people])
        for member_id, person in zip(ids, people, strict=True):
            for index, (wave_id, (_, starts_on)) in enumerate(zip(waves, WAVES, strict=True)):
                last = index == len(waves) - 1
                raw = _answers(instrument, person, rng, later=last)
                submissions.append(Submission(member_id=member_id, wave_id=wave_id, raw=raw,
                                              submitted_at=_at(starts_on, rng)))
    submit(aspire, SYSTEM, submissions)
    _plans(aspire, managers["Platform engineering"].actor)
    set_meta(aspire.db, "demo", "true")


def _plans(aspire: Aspire, manager: Actor) -> None:
    """Goals for a few of Maria's people and one note, so the one-on-one page shows the whole cycle.

    Nadia has none on purpose: her top need rose to work-life balance, and the page warns that no goal
    serves it. Notes are the manager's own, so they are written as Maria.
    """
    ids = {m.name: m.id for t in list_teams(aspire, manager) for m in list_members(aspire, manager, t.id)}
    for name, goal, actions in DEMO_GOALS:
        added = plans.add_goal(aspire, manager, ids[name], goal)
        for action in actions:
            plans.add_action(aspire, manager, added.id, action)
    plans.add_note(aspire, manager, ids["Sven Eriksson"], {
        "held_on": dt.date(2026, 4, 2),
        "body": "Sven wants more say in who joins the team. Still keen on the management track; worried about "
                "less time for design work.",
        "agreed": ["Sven shadows the next hiring round", "Maria asks HR about the manager band"],
    })


DEMO_GOALS = (
    ("Aiko Tanaka",
     {"title": "Become the storage expert other teams ask", "need": E, "option_key": "staff",
      "target_date": dt.date(2027, 3, 31), "success_measure": "Runs the storage design reviews; promoted to staff",
      "status": "in_progress"},
     [{"what": "Write the storage guide", "who": "Aiko", "due_on": dt.date(2026, 9, 30), "done": True},
      {"what": "Present at the engineering all-hands", "who": "Aiko", "due_on": dt.date(2027, 1, 15)}]),
    ("Sven Eriksson",
     {"title": "Take on hiring for the team", "need": S, "option_key": "manager",
      "target_date": dt.date(2027, 6, 30), "success_measure": "Leads two hiring rounds end to end"},
     [{"what": "Shadow the next hiring round", "who": "Sven"}]),
)


def _member(p: DemoPerson) -> NewMember:
    email = p.name.split()[0].lower().replace("é", "e").replace("'", "") + "@example.com"
    return NewMember(name=p.name, email=email, role_title=p.role_title, track=p.track, level=p.level)


def _at(starts_on: dt.date, rng: random.Random) -> dt.datetime:
    day = dt.datetime.combine(starts_on, dt.time(9), tzinfo=dt.UTC)
    return day + dt.timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 480))


def _answers(instrument: Instrument, person: DemoPerson, rng: random.Random, *, later: bool) -> dict:
    needs = {n: person.needs[n] + (person.later.get(n, 0) if later else 0) for n in NEEDS}
    habits = random.Random(f"{SEED}-{person.name}")   # how this person reads each item, stable across waves
    if later and person.uniform_in_last_wave:
        ratings = {item.id: 4 for item in instrument.items}
    else:
        ratings = {
            item.id: _rating(instrument, needs[item.need] + habits.gauss(0, 0.45), item.reverse, rng)
            for item in instrument.items
        }
    chosen = person.chooses or tuple(sorted(NEEDS, key=lambda n: needs[n] + rng.gauss(0, 0.25), reverse=True)[:3])
    return {
        "ratings": ratings,
        "top_three": [str(n) for n in chosen],
        "reflections": _reflections(person, needs),
        "life_stage": rng.choice(instrument.life_stage.suggestions + [None]),
    }


def _rating(instrument: Instrument, z: float, reverse: bool, rng: random.Random) -> int:
    """A 1-5 answer drawn from a latent need: agreement rises with the need, plus the noise of the day."""
    scale = instrument.scale
    value = round(3 + 1.1 * z + rng.gauss(0, 0.3))
    value = min(scale.max, max(scale.min, value))
    return scale.flip(value) if reverse else value


NEED_SENTENCES = {
    S: "More responsibility, and a clear next step toward leading.",
    F: "Certainty about my income, and a fair raise when it is due.",
    E: "Time to go deep and be the one people ask.",
    A: "Room to decide how I work and to own something end to end.",
    B: "Predictable hours and room for life outside work.",
}


def _reflections(person: DemoPerson, needs: dict[Need, float]) -> dict[str, str]:
    top = max(NEEDS, key=lambda n: needs[n])
    first = person.name.split()[0]
    return {
        "need_now": NEED_SENTENCES[top],
        "hire_again": f"{first} knows our customers and systems and gets things unstuck.",
    }
