"""Fixtures shared by every test layer: a fresh Aspire on a real DuckDB file under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.settings import load_settings
from coaching.measurement.instrument import Instrument, available_versions, instrument_path, load_instrument
from coaching.people.accounts import accounts_of
from coaching.startup import start
from tests.postgres_server import PostgresServer


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    """The newest shipped version: the one new answers are given on, as in the app."""
    return load_instrument(instrument_path(max(available_versions())))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster, started once per pytest-xdist worker (each worker is its own session)."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def aspire(tmp_path: Path) -> Iterator[Aspire]:
    """An empty product on its own database file."""
    app = start(load_settings(db=tmp_path / "test.duckdb", demo=False))
    yield app
    app.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aspire]:
    """The demo organisation, seeded once per test module (read-only use)."""
    app = start(load_settings(db=tmp_path_factory.mktemp("demo") / "demo.duckdb", demo=True))
    yield app
    app.close()


def make_manager(aspire: Aspire, email: str = "manager@example.com", name: str = "Morgan Manager") -> Actor:
    """A manager account (single sign-on only: no password needed in domain tests)."""
    return accounts_of(aspire).create_user(SYSTEM, email, name, Role.MANAGER, None).actor
