"""The tests' own PostgreSQL server really runs: password login, restart mid-session, databases from a template."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests import postgres_server as postgres_server_module
from tests.postgres_server import PostgresServer


@pytest.fixture
def database(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of this test's own on the shared server."""
    name = f"t_{request.node.name}".lower()
    postgres_server.create_database(name)
    yield name
    postgres_server.drop_database(name)


def test_the_urls_password_logs_in(postgres_server: PostgresServer, database: str) -> None:
    with psycopg.connect(postgres_server.url(database)) as conn:
        assert conn.execute("SELECT current_database(), current_user").fetchone() == (database, "postgres")
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)


def test_a_wrong_password_is_refused(postgres_server: PostgresServer, database: str) -> None:
    wrong = postgres_server.url(database).replace(postgres_server.password, "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong)


def test_without_the_password_in_the_url_pgpassword_supplies_it(
    postgres_server: PostgresServer, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.url(database, password=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(url)
    monkeypatch.setenv("PGPASSWORD", postgres_server.password)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_restart_keeps_data_and_port_and_breaks_open_sessions(postgres_server: PostgresServer, database: str) -> None:
    url = postgres_server.url(database)
    before = psycopg.connect(url, autocommit=True)
    before.execute("CREATE TABLE kept (n int)")
    before.execute("INSERT INTO kept VALUES (42)")

    postgres_server.restart()

    with pytest.raises(psycopg.OperationalError):
        before.execute("SELECT 1")
    before.close()
    with psycopg.connect(url) as after:
        assert after.execute("SELECT n FROM kept").fetchall() == [(42,)]
        assert after.execute("SHOW port").fetchone() == (str(postgres_server.port),)


def test_a_database_made_from_a_template_has_its_tables(postgres_server: PostgresServer, database: str) -> None:
    with psycopg.connect(postgres_server.url(database), autocommit=True) as conn:
        conn.execute("CREATE TABLE teams (name text)")
        conn.execute("INSERT INTO teams VALUES ('Platform')")
    postgres_server.create_database("t_copy", template=database)
    try:
        with psycopg.connect(postgres_server.url("t_copy")) as copy:
            assert copy.execute("SELECT name FROM teams").fetchall() == [("Platform",)]
    finally:
        postgres_server.drop_database("t_copy")


def test_without_a_server_installed_the_message_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres_server_module.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(postgres_server_module.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"install Debian's package: apt-get install postgresql"):
        PostgresServer()
