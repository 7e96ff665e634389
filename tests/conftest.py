"""Fixtures shared by every test layer: a fresh Aspire on a real database of each engine.

Tests that take `aspire`, `demo` or `databases` run twice, once per engine: on a DuckDB file under
tmp_path, and on a database of its own on a throwaway PostgreSQL server (one per pytest-xdist worker).
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from argon2.profiles import CHEAPEST

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.settings import load_settings
from coaching.db.duck import wal_path
from coaching.measurement.instrument import Instrument, available_versions, instrument_path, load_instrument
from coaching.people import accounts as account_service
from coaching.people.accounts import accounts_of
from coaching.startup import start
from tests.postgres_server import PostgresServer

#: Where a run keeps its scratch files when the machine has room in memory for them (see `pytest_configure`).
SCRATCH_IN_MEMORY = Path("/dev/shm/aspire-tests")
SCRATCH_ROOM = 4 * 2**30


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Keep the run's scratch files in memory when /dev/shm has 4 GiB free: every test's databases, the
    PostgreSQL clusters, the app servers' folders and the browser profiles.

    On disk a run writes some 6 GB of test databases (DuckDB files of 3-16 MB each) and the kernel flushes them
    while the tests run. The tests that rest on file behaviour (erasure's byte search, the crash test's SIGKILL)
    test the process and the bytes in the file, which memory keeps the same. A TMPDIR or --basetemp of the person
    running the tests wins; so does a /dev/shm too small (a container's 64 MB).
    """
    if hasattr(config, "workerinput") or config.option.basetemp or "TMPDIR" in os.environ:
        return      # a worker inherits the controller's TMPDIR; the person running the tests chose
    parent = SCRATCH_IN_MEMORY.parent
    if not parent.is_dir() or shutil.disk_usage(parent).free < SCRATCH_ROOM:
        return
    SCRATCH_IN_MEMORY.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = str(SCRATCH_IN_MEMORY)
    tempfile.tempdir = None     # gettempdir() reads TMPDIR again


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked `early` first, then the others with the most tests first, each module's tests in order.

    `make test` hands whole modules to its workers in this order (`--dist loadfile --no-loadscope-reorder`).
    pytest-xdist's own order is the second half alone, which sent the crash test (two tests) near the end: there,
    with every core busy, each of its 28 children took 2-4 s to get ready instead of 0.4 s, and the run ended
    with one worker waiting on it and the others done.
    """
    sizes = Counter(item.path for item in items)
    items.sort(key=lambda item: (item.get_closest_marker("early") is None, -sizes[item.path]))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Set aside what a test process holds once its tests are collected from Python's full garbage collections.

    By then each process holds some 250,000 objects the collector tracks (the app's modules, Streamlit,
    Playwright, the test modules), all of which live as long as the run. Every full collection walked them
    again, 0.17-0.19 s each. After `gc.freeze` a full collection walks only what the tests made since: the
    unit and screen tests' full collections took 7.7 s of CPU in all instead of 12.3 s (measured with
    gc.callbacks, 2 workers).
    """
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Passwords hashed in the test process use argon2-cffi's CHEAPEST profile, still argon2id.

    At the product's cost (PASSWORD_HASHING, about 0.15 s of CPU a hash) the 650 hashes and checks made in the
    test process took 70 s of CPU, a fifth of the unit and screen tests' own. What a password rule or a login
    does is the same at any cost. The product's cost is still what every app server a browser test starts and
    every command line run pays (their own processes), and what `product_password_hashing` gives a test.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_service, "PASSWORD_HASHING", CHEAPEST)
        yield


PRODUCT_PASSWORD_HASHING = account_service.PASSWORD_HASHING


@pytest.fixture
def product_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """For one test: passwords hashed at the product's cost, not the tests' cheap one."""
    monkeypatch.setattr(account_service, "PASSWORD_HASHING", PRODUCT_PASSWORD_HASHING)


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    """The newest shipped version: the one new answers are given on, as in the app."""
    return load_instrument(instrument_path(max(available_versions())))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster, started once per pytest-xdist worker (each worker is its own session)."""
    with PostgresServer() as server:
        yield server


T = TypeVar("T")
ENGINES = ("duckdb", "postgresql")
EMPTY_TEMPLATE = "aspire_empty"     # a PostgreSQL database as a fresh start leaves it: copied for each `aspire`


class Databases:
    """Fresh databases of one engine for one test: files under its tmp_path, or databases on the test server."""

    def __init__(self, engine: str, folder: Path, server: PostgresServer | None) -> None:
        self.engine = engine
        self._folder = folder
        self._server = server
        self._created: list[str] = []

    def new(self, name: str = "test", *, template: str | Path | None = None) -> Path | str:
        """A database nobody has opened yet, copied from `template` when given (a DuckDB file, or the name of a
        database on the server): its COACHING_DB."""
        if self._server is None:
            path = self._folder / f"{name}.duckdb"
            if template is not None:
                shutil.copyfile(template, path)
            return path
        dbname = f"{name}_{uuid.uuid4().hex[:12]}".lower()
        self._server.create_database(dbname, template=template)
        self._created.append(dbname)
        return self._server.url(dbname)

    def template_of(self, target: Path | str) -> Path | str:
        """What `new(template=...)` takes to copy the database `target` (made by `new`, then closed)."""
        return target if self._server is None else urlsplit(str(target)).path.lstrip("/")

    def stored_bytes(self, aspire: Aspire) -> bytes:
        """Every byte kept on disk for `aspire`'s data: its file and WAL, or the server's whole data folder
        (its tables, and its WAL, which holds every change until the segment is recycled)."""
        if self._server is None:
            files = [aspire.db.path, wal_path(aspire.db.path)]
        else:
            files = [f for f in self._server.data.rglob("*") if f.is_file()]
        return b"".join(f.read_bytes() for f in files if f.exists())

    def drop_all(self) -> None:
        if self._server is not None:
            for dbname in self._created:
                self._server.drop_later(dbname)


@pytest.fixture(scope="session")
def empty_postgresql_template(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL database started once (migrated, questionnaires and catalogue installed), to copy per test."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.create_database(EMPTY_TEMPLATE)
    start(load_settings(db=server.url(EMPTY_TEMPLATE), demo=False)).close()
    return EMPTY_TEMPLATE


@pytest.fixture(params=ENGINES)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    """Fresh databases of one engine; the test runs once per engine. The server starts only when asked for."""
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    made = Databases(request.param, tmp_path, server)
    yield made
    made.drop_all()


@pytest.fixture
def postgres_databases(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[Databases]:
    """Fresh databases on the test server, for what only PostgreSQL does (a database shared by processes)."""
    made = Databases("postgresql", tmp_path, postgres_server)
    yield made
    made.drop_all()


@pytest.fixture
def two_servers(postgres_databases: Databases, empty_postgresql_template: str) -> Iterator[tuple[Aspire, Aspire]]:
    """Two app servers' products on one fresh PostgreSQL database (DuckDB has one process per file)."""
    url = postgres_databases.new("shared", template=empty_postgresql_template)
    one, two = start(load_settings(db=url, demo=False)), start(load_settings(db=url, demo=False))
    yield one, two
    one.close()
    two.close()


@pytest.fixture(scope="session")
def empty_duckdb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file started once and closed cleanly (no WAL), to copy per test: half the cost of a start."""
    path = tmp_path_factory.mktemp("empty-template") / "empty.duckdb"
    start(load_settings(db=path, demo=False)).close()
    return path


@pytest.fixture
def aspire(databases: Databases, request: pytest.FixtureRequest) -> Iterator[Aspire]:
    """An empty product on a database of its own, once per engine, copied from one started once."""
    template = request.getfixturevalue(f"empty_{databases.engine}_template")
    app = start(load_settings(db=databases.new("test", template=template), demo=False))
    yield app
    app.close()


@pytest.fixture(scope="session")
def filled_templates() -> dict[tuple[str, str, str], tuple[Path | str, Any]]:
    """The databases `filled_copy` filled, by engine and filling function: made once per worker, copied per test."""
    return {}


def filled_copy(databases: Databases, fill: Callable[[Aspire], T],
                request: pytest.FixtureRequest) -> tuple[Path | str, T]:
    """A fresh database (its COACHING_DB, not opened) holding what `fill(aspire)` wrote into an empty product,
    and what `fill` returned.

    `fill` runs once per worker and engine; each call copies the database it left, so the starting data that
    many tests share (two managers with their teams, the demo organisation) is written once, not before every
    test. `fill` returns ids and records, never anything bound to the database it filled.
    """
    made = request.getfixturevalue("filled_templates")
    key = (databases.engine, fill.__module__, fill.__qualname__)
    if key not in made:
        made[key] = _filled_template(databases.engine, fill, request)
    template, facts = made[key]
    return databases.new("test", template=template), facts


def _filled_template(engine: str, fill: Callable[[Aspire], T], request: pytest.FixtureRequest) -> tuple[Path | str, T]:
    """A database filled by `fill` from an empty product, then closed; it stays until the worker ends."""
    server = request.getfixturevalue("postgres_server") if engine == "postgresql" else None
    kept = Databases(engine, request.getfixturevalue("tmp_path_factory").mktemp("filled"), server)
    target = kept.new("filled", template=request.getfixturevalue(f"empty_{engine}_template"))
    app = start(load_settings(db=target, demo=False))
    try:
        facts = fill(app)
    finally:
        app.close()
    return kept.template_of(target), facts


@pytest.fixture
def prepared(databases: Databases, request: pytest.FixtureRequest
             ) -> Iterator[Callable[[Callable[[Aspire], T]], tuple[Aspire, T]]]:
    """`prepared(fill)`: the product started on a `filled_copy` of `fill`'s database, and what `fill` returned."""
    opened: list[Aspire] = []

    def copy(fill: Callable[[Aspire], T]) -> tuple[Aspire, T]:
        target, facts = filled_copy(databases, fill, request)
        app = start(load_settings(db=target, demo=False))
        opened.append(app)
        return app, facts

    yield copy
    for app in opened:
        app.close()


@pytest.fixture(scope="module", params=ENGINES)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aspire]:
    """The demo organisation, seeded once per test module and engine (read-only use)."""
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    databases = Databases(request.param, tmp_path_factory.mktemp("demo"), server)
    app = start(load_settings(db=databases.new("demo"), demo=True))
    yield app
    app.close()
    databases.drop_all()


def make_manager(aspire: Aspire, email: str = "manager@example.com", name: str = "Morgan Manager") -> Actor:
    """A manager account (single sign-on only: no password needed in domain tests)."""
    return accounts_of(aspire).create_user(SYSTEM, email, name, Role.MANAGER, None).actor
