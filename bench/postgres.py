"""The PostgreSQL side of the benchmark: a throwaway server, the same synthetic organisations, a copy per run.

Why a server of the bench's own: the tests' `PostgresServer` (a fresh cluster on loopback, run as the
`postgres` user, removed at the end) gives a known password and port and touches nothing else on the
machine. The organisations are generated into it by bench/synthetic.py through the product's own service
calls, exactly as for DuckDB (same seed, same answers); each measurement then gets a copy made with
`CREATE DATABASE ... TEMPLATE`, the PostgreSQL counterpart of copying the DuckDB file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from bench.synthetic import SEED, Generation, generate
from tests.postgres_server import PostgresServer

_copies = itertools.count(1)


@dataclass(frozen=True)
class PgOrganisation:
    """A generated organisation kept as a template database: never opened by a measurement itself."""

    server: PostgresServer
    template: str
    generation: Generation

    def copy(self) -> str:
        """The URL of a fresh copy (schema and rows) for one measurement to write into."""
        name = f"{self.template}_run{next(_copies)}"
        self.server.create_database(name, template=self.template)
        return self.server.url(name)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A running throwaway cluster for the whole run, removed afterwards."""
    with PostgresServer() as server:
        yield server


def pg_organisation(server: PostgresServer, teams: int, *, seed: int = SEED,
                    progress: Callable[[str], None] | None = None) -> PgOrganisation:
    """Generate `teams` teams into a new database of `server`; closed afterwards, so it can serve as a template.

    Then ANALYZE, as autovacuum does on a live database within a minute of a bulk load: the copies inherit the
    statistics. Without them the planner reads a few responses' ratings by a full scan of response_rating
    (357 ms instead of 0.4 ms at 1,000 teams), which no running server would see for long.
    """
    name = f"org_{teams}"
    server.create_database(name)
    made = generate(server.url(name), teams, seed=seed, progress=progress)
    with psycopg.connect(server.url(name), autocommit=True) as connection:
        connection.execute("ANALYZE")
    return PgOrganisation(server, name, made)
