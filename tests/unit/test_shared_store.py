"""Several app servers on one PostgreSQL database: what one writes, the others see and respect.

Each `Aspire` here is what one app server process holds (its own pool, its own remembered results); the
two share nothing but the database, as two `streamlit run` processes behind a balancer do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM
from coaching.core.editing import EditConflict
from coaching.core.settings import load_settings
from coaching.db.migrations import applied_migrations, available_migrations
from coaching.people.member_input import MemberRejected
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams, rename_team
from coaching.startup import start
from tests.conftest import Databases, make_manager

#: A listening connection cut is tried again after half a second.
LISTENING_AGAIN_WITHIN = 5


def test_a_remembered_list_on_one_server_shows_a_member_added_through_the_other(two_servers) -> None:
    one, two = two_servers
    manager = make_manager(one)
    team = create_team(one, manager, "Platform").id
    assert list_members(two, manager, team) == []           # server two now remembers an empty team
    add_members(one, manager, team, [NewMember(name="Ana", email="ana@example.com")])
    two.db.engine.catch_up()        # a person's next click comes later than the write's notification
    assert [m.name for m in list_members(two, manager, team)] == ["Ana"], "seen on the next read, no restart"


def test_a_warm_remembered_read_asks_the_server_nothing(two_servers, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each app server hears the write counts (LISTEN/NOTIFY) instead of asking for them on every read."""
    one, two = two_servers
    manager = make_manager(one)
    team = create_team(one, manager, "Platform").id
    list_teams(two, manager), list_members(two, manager, team)
    two.db.engine.catch_up()
    round_trips = _count_round_trips(two, monkeypatch)
    assert (list_teams(two, manager)[0].name, list_members(two, manager, team)) == ("Platform", [])
    assert round_trips == [], "a warm read went to the server"
    add_members(one, manager, team, [NewMember(name="Ana", email="ana@example.com")])
    two.db.engine.catch_up()
    assert [m.name for m in list_members(two, manager, team)] == ["Ana"]
    assert round_trips, "the other server's write was read again"


def test_a_write_made_while_a_server_was_not_listening_shows_once_it_listens_again(two_servers) -> None:
    """Its listening connection cut (as a server restart or a network cut does), server two misses the
    notification of a write made meanwhile; it reads the counts again when it listens again."""
    one, two = two_servers
    manager = make_manager(one)
    team = create_team(one, manager, "Platform").id
    two.db.engine.catch_up()
    assert list_members(two, manager, team) == []           # remembered under the counts server two has heard
    cut = _listeners(one)
    one.db.query("SELECT pg_terminate_backend(pid) FROM unnest(?::INTEGER[]) AS pid", [sorted(cut)])
    add_members(one, manager, team, [NewMember(name="Ana", email="ana@example.com")])
    deadline = time.monotonic() + LISTENING_AGAIN_WITHIN
    while (len(_listeners(one) - cut) < len(cut)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_listeners(one) - cut) == len(cut), "the servers did not listen again"
    two.db.engine.catch_up()
    assert [m.name for m in list_members(two, manager, team)] == ["Ana"], "the missed write never showed"


def _listeners(aspire: Aspire) -> set[int]:
    """The server processes of the database's listening connections, one per app server that reads."""
    return {pid for (pid,) in aspire.db.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                              " AND application_name = 'aspire-listener'")}


def test_a_write_touching_more_subjects_than_a_notification_holds_still_reaches_the_other_server(
        two_servers) -> None:
    one, two = two_servers
    subjects = [f"members/team/{n}" for n in range(1_000)]
    assert two.db.written_under(subjects[-1])[0] == 0
    two.db.engine.catch_up()
    one.db.write(lambda tx: None, touches=subjects)     # its counts would take some 30,000 bytes
    two.db.engine.catch_up()
    assert [two.db.written_under(subject)[0] for subject in (subjects[0], subjects[-1])] == [1, 1]


def _count_round_trips(aspire: Aspire, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement `aspire` sends to the server from now on, the write counts' included."""
    sent: list[str] = []
    engine = aspire.db.engine
    cursor = engine._cursor     # noqa: SLF001 - the one way every statement reaches the server

    @contextmanager
    def counted() -> Iterator[Any]:
        sent.append("a cursor")
        with cursor() as cur:
            yield cur

    monkeypatch.setattr(engine, "_cursor", counted)
    return sent


def test_a_stale_edit_is_refused_when_the_two_editors_sit_on_different_servers(two_servers) -> None:
    one, two = two_servers
    manager = make_manager(one)
    team = create_team(one, manager, "Platform")
    (read_on_two,) = list_teams(two, manager)
    rename_team(one, manager, team.id, team.version, "Platform engineering")
    with pytest.raises(EditConflict):
        rename_team(two, manager, read_on_two.id, read_on_two.version, "Platform team")
    two.db.engine.catch_up()
    assert [t.name for t in list_teams(two, manager)] == ["Platform engineering"], "nothing overwritten"


def test_one_email_added_on_both_servers_at_once_is_stored_once(two_servers) -> None:
    """The rule "one active member per e-mail" is checked inside the write: writes are serialised across servers."""
    one, two = two_servers
    manager = make_manager(one)
    team = create_team(one, manager, "Platform").id
    start_together = threading.Barrier(2)
    outcomes: list[object] = []

    def add(aspire: Aspire) -> None:
        start_together.wait()
        try:
            outcomes.append(add_members(aspire, manager, team, [NewMember(name="Ana", email="ana@example.com")]))
        except MemberRejected as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=add, args=(aspire,)) for aspire in two_servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["MemberRejected", "list"]
    assert [m.email for m in list_members(one, SYSTEM, team)] == ["ana@example.com"]


def test_servers_starting_together_on_an_empty_database_apply_each_migration_once(
    postgres_databases: Databases,
) -> None:
    settings = load_settings(db=postgres_databases.new("starting_together"), demo=True)
    started: list[Aspire] = []
    errors: list[BaseException] = []
    start_together = threading.Barrier(3)

    def run() -> None:
        start_together.wait()
        try:
            started.append(start(settings))
        except BaseException as exc:  # the outcome under test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert applied_migrations(started[0].db) == [n for n, _ in available_migrations()]
        assert len(list_teams(started[0], SYSTEM)) == 2, "the demo organisation is loaded once"
    finally:
        for aspire in started:
            aspire.close()
