"""Results kept between reruns are dropped by the next committed write, and never outlive what they read."""

from __future__ import annotations

import datetime as dt
import threading

from coaching.measurement.responses import ensure_wave
from coaching.people.team_rows import NewMember, TeamRows
from coaching.people.teams import add_members, create_team, list_members, list_teams
from tests.conftest import make_manager


def test_a_remembered_read_is_served_until_a_write_commits(aspire) -> None:
    calls = []
    read = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert aspire.remember("k", read) == 1
    assert aspire.remember("k", read) == 1, "no write: the result is kept"
    ensure_wave(aspire, "2027", dt.date(2027, 1, 1))
    assert aspire.remember("k", read) == 2, "a committed write drops it"


def test_a_new_member_shows_at_once_in_the_remembered_list(aspire) -> None:
    manager = make_manager(aspire, "m@example.com", "M")
    team = create_team(aspire, manager, "Team").id
    assert list_members(aspire, manager, team) == []
    add_members(aspire, manager, team, [NewMember(name="Ana", email="ana@example.com")])
    assert [m.name for m in list_members(aspire, manager, team)] == ["Ana"]


def test_a_write_landing_while_a_read_computes_leaves_no_old_result_under_the_new_count(aspire) -> None:
    """The count is taken before computing: a result read before a commit is filed under the old count."""
    manager = make_manager(aspire, "m@example.com", "M")
    team = create_team(aspire, manager, "Team").id
    computing, written = threading.Event(), threading.Event()

    def slow_read() -> list[str]:
        names = [m.name for m in TeamRows(aspire.db)._members(manager, team)]   # the read, then a write lands
        computing.set()
        written.wait(5)
        return names

    reader = threading.Thread(target=lambda: aspire.remember(("names", team), slow_read))
    reader.start()
    computing.wait(5)
    add_members(aspire, manager, team, [NewMember(name="Ben", email="ben@example.com")])
    written.set()
    reader.join(5)
    assert aspire.remember(("names", team), lambda: [m.name for m in list_members(aspire, manager, team)]) == ["Ben"]


def test_scope_is_part_of_the_key(aspire) -> None:
    a = make_manager(aspire, "a@example.com", "A")
    b = make_manager(aspire, "b@example.com", "B")
    create_team(aspire, a, "A's team")
    assert [t.name for t in list_teams(aspire, a)] == ["A's team"]
    assert list_teams(aspire, b) == [], "B never gets what was read for A"


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
    assert aspire.remembered(a, team_names, "") == ["A's team"]
    assert calls == [("A", ""), ("B", ""), ("A", "!")], "no write: each result is kept"
    create_team(aspire, b, "B's team")
    assert aspire.remembered(b, team_names, "") == ["B's team"], "a committed write drops it"
    assert calls[-1] == ("B", "")
