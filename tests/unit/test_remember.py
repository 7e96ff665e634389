"""Results kept between reruns are dropped by the next committed write, and never outlive what they read.

Every remembered result is keyed by the function, its arguments and (for a person's reads) the actor, built in
one place (Database.remembered): no other code builds a key by hand.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from pathlib import Path

import pytest

from coaching.aspire import Aspire
from coaching.core.actors import Actor, PermissionDenied
from coaching.db.database import Database
from coaching.measurement.responses import ensure_wave, list_waves
from coaching.one_on_one.review import review_overview
from coaching.people.team_rows import NewMember, TeamRows
from coaching.people.teams import add_members, arrangement_for, create_team, list_members, list_teams
from tests.conftest import make_manager

ROOT = Path(__file__).resolve().parents[2]


def test_a_remembered_read_is_served_until_a_write_commits(aspire) -> None:
    counter = itertools.count(1)    # next(counter) counts the times the read runs
    assert aspire.db.remembered(next, counter) == 1
    assert aspire.db.remembered(next, counter) == 1, "no write: the result is kept"
    ensure_wave(aspire, "2027", dt.date(2027, 1, 1))
    assert aspire.db.remembered(next, counter) == 2, "a committed write drops it"


def test_a_new_member_shows_at_once_in_the_remembered_list(aspire) -> None:
    manager = make_manager(aspire, "m@example.com", "M")
    team = create_team(aspire, manager, "Team").id
    assert list_members(aspire, manager, team) == []
    add_members(aspire, manager, team, [NewMember(name="Ana", email="ana@example.com")])
    assert [m.name for m in list_members(aspire, manager, team)] == ["Ana"]


def test_a_new_wave_shows_at_once_though_the_waves_are_remembered_for_everyone(aspire) -> None:
    assert list_waves(aspire) == []
    ensure_wave(aspire, "2027", dt.date(2027, 1, 1))
    assert [w.name for w in list_waves(aspire)] == ["2027"]


def _slow_names(db: Database, actor: Actor, team_id: int, computing: threading.Event,
                written: threading.Event) -> list[str]:
    names = [m.name for m in TeamRows._members(db, actor, team_id)]   # the read, then a write lands
    computing.set()
    written.wait(5)
    return names


def test_a_write_landing_while_a_read_computes_leaves_no_old_result_under_the_new_count(aspire) -> None:
    """The count is taken before computing: a result read before a commit is filed under the old count."""
    manager = make_manager(aspire, "m@example.com", "M")
    team = create_team(aspire, manager, "Team").id
    computing, written = threading.Event(), threading.Event()
    args = (aspire.db, manager, team, computing, written)
    reader = threading.Thread(target=lambda: aspire.db.remembered(_slow_names, *args))
    reader.start()
    computing.wait(5)
    add_members(aspire, manager, team, [NewMember(name="Ben", email="ben@example.com")])
    written.set()
    reader.join(5)
    assert aspire.db.remembered(_slow_names, *args) == ["Ben"]


def test_scope_is_part_of_the_key(aspire) -> None:
    a = make_manager(aspire, "a@example.com", "A")
    b = make_manager(aspire, "b@example.com", "B")
    create_team(aspire, a, "A's team")
    assert [t.name for t in list_teams(aspire, a)] == ["A's team"]
    assert list_teams(aspire, b) == [], "B never gets what was read for A"


def test_a_person_is_refused_what_was_just_read_for_another(aspire) -> None:
    """A refusal is checked inside the remembered read, so a result kept for one person never reaches another."""
    a = make_manager(aspire, "a@example.com", "A")
    b = make_manager(aspire, "b@example.com", "B")
    team = create_team(aspire, a, "A's team").id
    ana = add_members(aspire, a, team, [NewMember(name="Ana", email="ana@example.com")])[0]
    assert [m.name for m in list_members(aspire, a, team)] == ["Ana"]
    assert arrangement_for(aspire, a, ana).track is None
    assert [r.name for r in review_overview(aspire, a, team, dt.date(2027, 1, 1))] == ["Ana"]
    for read in (lambda: list_members(aspire, b, team), lambda: arrangement_for(aspire, b, ana),
                 lambda: review_overview(aspire, b, team, dt.date(2027, 1, 1))):
        with pytest.raises(PermissionDenied):
            read()


def _team_names(aspire: Aspire, actor: Actor, mark: str) -> tuple[str, ...]:
    return tuple(t.name + mark for t in list_teams(aspire, actor))


def test_a_remembered_read_is_kept_per_function_arguments_and_actor_until_a_write(aspire) -> None:
    a = make_manager(aspire, "a@example.com", "A")
    b = make_manager(aspire, "b@example.com", "B")
    create_team(aspire, a, "A's team")
    calls = []

    def team_names(aspire, actor, mark: str) -> list[str]:
        calls.append((actor.name, mark))
        return [t.name + mark for t in list_teams(aspire, actor)]

    assert aspire.remembered(a, team_names, "") == ["A's team"]
    assert aspire.remembered(b, team_names, "") == [], "B never gets what was read for A"
    assert aspire.remembered(a, team_names, "!") == ["A's team!"], "other arguments, another result"
    assert aspire.remembered(a, _team_names, "") == ("A's team",), "another function, another result"
    assert aspire.remembered(a, team_names, "") == ["A's team"]
    assert calls == [("A", ""), ("B", ""), ("A", "!")], "no write: each result is kept"
    create_team(aspire, b, "B's team")
    assert aspire.remembered(b, team_names, "") == ["B's team"], "a committed write drops it"
    assert calls[-1] == ("B", "")


def test_a_database_read_is_kept_per_function_and_arguments(aspire) -> None:
    counter = itertools.count(1)
    other = itertools.count(100)
    assert aspire.db.remembered(next, counter) == 1
    assert aspire.db.remembered(next, other) == 100, "other arguments, another result"
    assert aspire.db.remembered(lambda c: -next(c), counter) == -2, "another function, another result"
    assert (aspire.db.remembered(next, counter), aspire.db.remembered(next, other)) == (1, 100)


def test_no_code_outside_the_database_builds_a_remembered_key_by_hand() -> None:
    """Only coaching/db calls the hand-keyed store; everything else goes through `remembered`."""
    hand_keyed = re.compile(r"\._?remember\b")
    sources = [p for p in ROOT.rglob("*.py") if p.relative_to(ROOT).parts[:2] != ("coaching", "db")]
    assert len(sources) > 100, "the sources were found"
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in sources
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if hand_keyed.search(line)]
    assert offenders == []
