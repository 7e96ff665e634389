"""Connection discipline for the embedded DuckDB file.

Invariants:
- one `duckdb.connect` per Database object (one per process in the app); a fresh cursor per read
  (Streamlit runs each rerun on a new thread, so per-thread cursors would pile up), one writer cursor;
- every write runs inside `Database.write`, serialised by one lock, in one transaction, retried on
  DuckDB's transaction-conflict error; it returns only after COMMIT, so an acknowledged write is durable;
- results are fetched completely before a call returns (DuckDB 2.0 results stream and hold their cursor).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

log = logging.getLogger(__name__)
T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]

WRITE_ATTEMPTS = 5


class StoreOpenError(RuntimeError):
    """The database file cannot be opened; the message names the file and the reason in one line."""


class StoreLockedError(StoreOpenError):
    """Another process holds the database file; the message says what to do in plain words."""


class Database:
    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"The database {self.path} is in use by another Aspire process (probably the running app). "
                    "Stop the app first, or work on a copy of the file."
                ) from None
            reason = str(exc).splitlines()[0]
            raise StoreOpenError(f"The database {self.path} cannot be opened: {reason}") from None
        self._write_lock = threading.Lock()
        self._writer = self._conn.cursor()

    @contextmanager
    def _reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query(self, sql: str, params: Params = ()) -> list[tuple]:
        """Run a read and return every row."""
        with self._reader() as cur:
            return cur.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Params = ()) -> tuple | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def write(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one serialised transaction; retried whole on a transaction conflict."""
        with self._write_lock:
            for attempt in range(1, WRITE_ATTEMPTS + 1):
                try:
                    with self._transaction() as tx:
                        return work(tx)
                except duckdb.TransactionException:
                    if attempt == WRITE_ATTEMPTS:
                        raise
                    log.warning("transaction conflict, retrying (attempt %d)", attempt)
                    time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        cur = self._writer
        cur.execute("BEGIN TRANSACTION")
        try:
            yield Transaction(cur)
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    def checkpoint(self) -> None:
        with self._write_lock:
            self._writer.execute("CHECKPOINT")

    def close(self) -> None:
        with self._write_lock:
            self._writer.close()
            self._conn.close()


class Transaction:
    """The handle a write gets: statements on one cursor inside one open transaction."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cur = cursor

    def execute(self, sql: str, params: Params = ()) -> list[tuple]:
        return self._cur.execute(sql, params).fetchall()

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self._cur.executemany(sql, rows)

    def scalar(self, sql: str, params: Params = ()) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    def run_script(self, script: str) -> None:
        """Run a migration file's statements (no parameters: migration files hold only DDL)."""
        self._cur.execute(script)
