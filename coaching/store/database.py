"""Connection discipline for the embedded DuckDB file.

Invariants:
- one `duckdb.connect` per Database object (one per process in the app); a fresh cursor per read
  (Streamlit runs each rerun on a new thread, so per-thread cursors would pile up), one writer cursor;
  `compact` alone closes that connection and opens its replacement, while no read or write runs;
- every write runs inside `Database.write`, serialised by one lock, in one transaction, retried on
  DuckDB's transaction-conflict error; it returns only after COMMIT, so an acknowledged write is durable;
- results are fetched completely before a call returns (DuckDB 2.0 results stream and hold their cursor);
- reads share a readers-writer gate; only the connection swap of `compact` (and `close`) takes it
  exclusively, so a read never meets a closed connection.

What DuckDB (2.0.1, measured) leaves in the file after a DELETE, and why `compact` exists:
- DELETE + CHECKPOINT of some rows of a row group only marks them deleted; the column segments are
  kept as they are, so a deleted reflection's text is still readable with a byte search of the file;
- when every row of a row group (or a whole table) goes, its blocks return to the free list but are
  not zeroed: the old bytes stay until a later write reuses the block (or the file is truncated);
- VACUUM and FORCE CHECKPOINT change neither; between a write and the next checkpoint the text is
  also in the `.wal` file. (Strings in large segments are often FSST-compressed, so a byte search
  that finds nothing proves nothing by itself; the tests search for a string they first see there.)
So erasure rewrites the file: `compact` copies the live data into a fresh file and swaps it in.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import duckdb

log = logging.getLogger(__name__)
T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]

WRITE_ATTEMPTS = 5


class StoreOpenError(RuntimeError):
    """The database file cannot be opened; the message names the file and the reason in one line."""


class StoreLockedError(StoreOpenError):
    """Another process holds the database file; the message says what to do in plain words."""


class Compaction(NamedTuple):
    """File sizes in bytes (database and WAL) after the checkpoint and after the rewrite, and the seconds taken."""

    bytes_before: int
    bytes_after: int
    seconds: float


class _ReadersWriterGate:
    """Many holders share it, or one holds it alone; a thread waiting to hold it alone goes first.

    Not re-entrant: a thread must not take the shared side twice (a waiting exclusive holder
    would block the second take forever). `Database` takes it once per read, around one query.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._sharing = 0
        self._exclusive = False
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive or self._waiting:
                self._cond.wait()
            self._sharing += 1
        try:
            yield
        finally:
            with self._cond:
                self._sharing -= 1
                if not self._sharing:
                    self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            try:
                while self._exclusive or self._sharing:
                    self._cond.wait()
            finally:
                self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


_FRESH = "aspire_compact"   # the alias of the fresh file while `compact` fills it


class Database:
    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._in_memory = str(path) == ":memory:"
        self._read_only = read_only
        if not self._in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = self._connect()
        self._write_lock = threading.Lock()
        self._gate = _ReadersWriterGate()
        self._writer = self._conn.cursor()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        target = ":memory:" if self._in_memory else str(self.path)
        try:
            return duckdb.connect(target, read_only=self._read_only)
        except duckdb.Error as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"The database {self.path} is in use by another Aspire process (probably the running app). "
                    "Stop the app first, or work on a copy of the file."
                ) from None
            reason = str(exc).splitlines()[0]
            raise StoreOpenError(f"The database {self.path} cannot be opened: {reason}") from None

    @contextmanager
    def _reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._gate.shared():
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

    def compact(self) -> Compaction:
        """Rewrite the database file so that it holds only live data: no deleted rows, no freed blocks.

        Under the write lock (writes wait; reads go on against the old file meanwhile):
        CHECKPOINT, then `ATTACH '<file>.compact'`, `COPY FROM DATABASE <current> TO` it (tables,
        constraints, indexes, sequences at their current values, every committed row), CHECKPOINT and
        DETACH it. Then, holding the read gate exclusively for a few milliseconds: close the connection
        (a clean close folds the WAL into the old file), remove any stale `.wal` (everything committed is
        already in the fresh file, and an old WAL must never be replayed onto it), `os.replace` the old
        file by the fresh one (atomic on one file system), fsync the folder, connect again.

        A crash before the replace leaves the old file intact (a left-over `.compact` file is removed by
        the next compaction); after it, the fresh file is complete. A second process that opens the file
        in the instant between close and reconnect would take it: the reconnect then raises StoreLockedError.
        """
        if self._in_memory or self._read_only:
            raise StoreOpenError(f"The database {self.path} is in memory or read-only: there is no file to compact.")
        started = time.perf_counter()
        fresh = self.path.with_name(self.path.name + ".compact")
        with self._write_lock:
            self._writer.execute("CHECKPOINT")
            before = _size(self.path) + _size(_wal(self.path))
            name = self._writer.execute("SELECT current_database()").fetchone()[0]
            _remove(fresh, _wal(fresh))
            try:
                self._writer.execute(f"ATTACH ? AS {_FRESH}", [str(fresh)])
                try:
                    self._writer.execute(f"COPY FROM DATABASE {_identifier(name)} TO {_FRESH}")
                    self._writer.execute(f"CHECKPOINT {_FRESH}")
                finally:
                    self._writer.execute(f"DETACH {_FRESH}")
                if _wal(fresh).exists():
                    raise StoreOpenError(f"The compacted copy {fresh} kept a WAL after DETACH; the old file stays.")
                with self._gate.exclusive():
                    self._writer.close()
                    self._conn.close()
                    try:
                        _remove(_wal(self.path))
                        os.replace(fresh, self.path)
                        _fsync_folder(self.path.parent)
                    finally:
                        self._conn = self._connect()
                        self._writer = self._conn.cursor()
            finally:
                _remove(fresh, _wal(fresh))
            after = _size(self.path) + _size(_wal(self.path))
        return Compaction(before, after, time.perf_counter() - started)

    def close(self) -> None:
        with self._write_lock, self._gate.exclusive():
            self._writer.close()
            self._conn.close()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _identifier(name: str) -> str:
    """A database name as a quoted SQL identifier (names cannot be parameters)."""
    return '"' + name.replace('"', '""') + '"'


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
