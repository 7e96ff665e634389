"""What `Database` asks of a database engine, and the errors every engine raises in the same words.

Two engines stand behind `Database`: the embedded DuckDB file (coaching.db.duck), the default, and
PostgreSQL (coaching.db.postgres), the shared store behind several app servers. The domain writes one
SQL, with `?` placeholders (or `$name` ones) and the subset both engines read alike; an engine runs it,
translating placeholders where its driver wants others. What differs beyond SQL lives behind this
interface: how a cursor is had, a snapshot, a write transaction, where write counts are kept, what erasure
must do to the files, and how many rows at once are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, NamedTuple, Protocol

from coaching.db.subjects import Count

Params = Sequence[Any] | dict[str, Any]


class StoreOpenError(RuntimeError):
    """The database cannot be opened; the message names it and the reason in one line."""


class StoreLockedError(StoreOpenError):
    """Another process holds the database file; the message says what to do in plain words."""


class StoreUnavailable(RuntimeError):
    """The database server cannot be reached right now; the next action may well succeed."""


class Compaction(NamedTuple):
    """Bytes the database kept (files, or tables with their indexes) before and after erasure's rewrite; seconds."""

    bytes_before: int
    bytes_after: int
    seconds: float


class Statements(Protocol):
    """SQL on one cursor: what a read, a snapshot or a write transaction runs its statements through."""

    def execute(self, sql: str, params: Params = ()) -> list[tuple]:
        """Run one statement and return every row it gives (none for most writes)."""

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once per row of parameters."""

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows at the cost of one statement, not one per row; table and columns are constants."""

    def run_script(self, script: str) -> None:
        """Run a migration file's statements (DDL only, no parameters)."""


class Engine(Protocol):
    """One open database: a file this process holds, or a pool of connections to a server."""

    #: "duckdb" or "postgresql": for the few places that must know (the archive's catalogue queries).
    dialect: str
    #: Where the data is, for messages: a file path, or a URL without its password.
    label: str
    #: Errors after which a write transaction is run again whole (a conflict, never a lost connection).
    conflicts: tuple[type[BaseException], ...]

    def statements(self) -> AbstractContextManager[Statements]:
        """A cursor for one read outside any transaction."""

    def snapshot(self) -> AbstractContextManager[Statements]:
        """A read-only transaction: every statement inside sees the same committed data."""

    def transaction(self) -> AbstractContextManager[Statements]:
        """A write transaction, committed when the block ends without error and rolled back otherwise.

        `Database` serialises these within a process; an engine shared by several processes serialises
        them across processes too, so that a rule checked inside a write holds when it commits.
        """

    def alone(self) -> AbstractContextManager[None]:
        """Held by one process at a time: steps of several writes that must not interleave across processes
        (start-up's "load the demo if the database is empty"). Not held by the caller's writes themselves."""

    def write_counts(self, wanted: Sequence[tuple[str, int]]) -> tuple[int, ...] | None:
        """The write counts of every process (coaching.db.subjects: `wanted` pairs of subject and which count),
        or None when only this process writes and `Database` counts its writes itself.

        `Database.remembered` keys results on them, so a write through another app server is seen on the
        next read here.
        """

    def record_writes(self, statements: Statements, grown: Mapping[str, Count]) -> bool:
        """Add what a write transaction touched to the counts every process reads, inside the transaction
        (before its commit); False when this engine keeps no such counts (`Database` keeps them)."""

    def compact(self) -> Compaction:
        """Rewrite storage so that deleted rows are gone from the database's own files."""

    def checkpoint(self) -> None:
        """Fold what is committed into the main files (called under `Database`'s write lock)."""

    def close(self) -> None:
        """Release the file or the connections."""


def quote_identifier(name: str) -> str:
    """A name as a quoted SQL identifier (names cannot be parameters); both engines quote alike."""
    return '"' + name.replace('"', '""') + '"'


def first_line(exc: BaseException) -> str:
    """A driver's message, first line only (libpq adds hints and context lines; none holds the password)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
