"""Several app servers on one PostgreSQL database: what one writes, the others see and respect.

Each `Aspire` here is what one app server process holds (its own pool, its own remembered results); the
two share nothing but the database, as two `streamlit run` processes behind a balancer do.
"""

from __future__ import annotations

import threading

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


def test_a_remembered_list_on_one_server_shows_a_member_added_through_the_other(two_servers) -> None:
    one, two = two_servers
    manager = make_manager(one)
    team = create_team(one, manager, "Platform").id
    assert list_members(two, manager, team) == []           # server two now remembers an empty team
    add_members(one, manager, team, [NewMember(name="Ana", email="ana@example.com")])
    assert [m.name for m in list_members(two, manager, team)] == ["Ana"], "seen on the next read, no restart"


def test_a_stale_edit_is_refused_when_the_two_editors_sit_on_different_servers(two_servers) -> None:
    one, two = two_servers
    manager = make_manager(one)
    team = create_team(one, manager, "Platform")
    (read_on_two,) = list_teams(two, manager)
    rename_team(one, manager, team.id, team.version, "Platform engineering")
    with pytest.raises(EditConflict):
        rename_team(two, manager, read_on_two.id, read_on_two.version, "Platform team")
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
