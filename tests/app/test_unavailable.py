"""A PostgreSQL server going down under a logged-in manager: the screen says so in plain words, no traceback,
and once the server is back the next rerun shows the screen again, without restarting the app."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from coaching.core.actors import SYSTEM, Role
from coaching.core.settings import load_settings
from coaching.people.accounts import accounts_of
from coaching.startup import start
from coaching.ui.errors import UNAVAILABLE_MESSAGE
from tests.postgres_server import PostgresServer

from .conftest import EMPTY_MANAGER, assert_healthy


@pytest.fixture
def postgres_db(postgres_server: PostgresServer, empty_postgresql_template: str,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """COACHING_DB: a PostgreSQL database of this test's own with one manager account, its URL asking for a wait
    of 3 s for the server; afterwards the server is running again, whatever the test did to it, and the database
    is gone."""
    server = postgres_server
    name = f"unavailable_{uuid.uuid4().hex[:12]}"
    server.create_database(name, template=empty_postgresql_template)
    url = f"{server.url(name)}?connect_timeout=3"
    aspire = start(load_settings(db=url, demo=False))
    try:
        accounts_of(aspire).create_user(SYSTEM, EMPTY_MANAGER[0], "Pat", Role.MANAGER, EMPTY_MANAGER[1])
    finally:
        aspire.close()
    monkeypatch.setenv("COACHING_DB", url)
    yield url
    if not server.running:
        server.start()
    server.drop_database(name)


def shown_errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_a_screen_says_the_database_is_unreachable_while_it_is_down_and_works_once_it_is_back(
    postgres_server: PostgresServer, postgres_db: str, open_app: Callable[..., AppTest]
) -> None:
    server = postgres_server
    at = open_app(login=EMPTY_MANAGER)
    assert [t.value for t in at.title] == ["Aspire"]

    server.stop()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert shown_errors(at) == [UNAVAILABLE_MESSAGE]

    server.start()
    at.run()
    assert_healthy(at)
    assert UNAVAILABLE_MESSAGE not in shown_errors(at)
    assert [t.value for t in at.title] == ["Aspire"]
