"""Connection discipline for the embedded DuckDB file.

Invariants:
- one `duckdb.connect` per Database object (one per process in the app); a fresh cursor per read
  (Streamlit runs each rerun on a new thread, so per-thread cursors would pile up), one writer cursor;
  `compact` alone closes that connection and opens its replacement, while no read or write runs;
- every write runs inside `Database.write` (or `write_many`), serialised by one lock, in one transaction,
  retried on DuckDB's transaction-conflict error; it returns only after COMMIT, so an acknowledged write is
  durable;
- group commit: writes that queue up while another commits are committed together, in one transaction,
  by the first of them, which then hands the lead to the first write queued meanwhile. Queued writes are
  concurrent (each caller waits for its own), so any order among them is a valid serial order; `write_many`
  items of one kind are merged into one call, so a burst of submissions becomes one bulk insert (measured:
  32 concurrent submissions commit in one transaction of about 15 ms instead of 32 of about 10 ms each).
  When a group fails, each of its writes runs again alone: one bad write fails only its own caller;
- `read` runs several reads in one read-only transaction: they see one snapshot, whatever commits meanwhile;
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
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import duckdb

log = logging.getLogger(__name__)
T = TypeVar("T")
Item = TypeVar("Item")
Params = Sequence[Any] | dict[str, Any]

WRITE_ATTEMPTS = 5
REMEMBERED = 512    # results kept by Database.remembered: a few screens' worth for each of dozens of sessions


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
        self._queue_lock = threading.Lock()
        self._queue: list[_Queued] = []
        self._leading = False      # a thread is committing queued writes, or about to
        self._gate = _ReadersWriterGate()
        self._writer = self._conn.cursor()
        # Counts committed writes: what was read at one count still holds until it moves (see `_remember`).
        # Only this process writes the file (DuckDB locks it), so the count sees every change.
        self.generation = 0
        self._remembered: OrderedDict[Hashable, Any] = OrderedDict()
        self._remembered_lock = threading.Lock()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        target = ":memory:" if self._in_memory else str(self.path)
        try:
            return duckdb.connect(target, read_only=self._read_only)
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0]
            if "Could not set lock" in reason:   # DuckDB's words when another process holds the file
                holder = reason.partition("Conflicting lock is held in ")[2].split(". See")[0]
                raise StoreLockedError(
                    f"The database {self.path} is in use by another Aspire process (probably the running app"
                    f"{': ' + holder if holder else ''}). Stop the app first, or work on a copy of the file."
                ) from None
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

    def remembered(self, read: Callable[..., T], *args: Hashable) -> T:
        """What `read(*args)` gives, computed once until the next committed write anywhere.

        The one place a remembered result's key is built: the function's module and qualified name and every
        argument it is called with, so nothing the result depends on besides the data can be left out of it.
        A read scoped by a person takes the actor as an argument (Aspire.remembered passes it), so two people
        never share a result. Arguments must be cheap to hash: ids and small values, and the long-lived objects
        a read runs against (this Database, the Aspire), which count by identity; never a list of records, nor
        an object made for the call (it would never be found again). `read` must be a function or method
        whose result depends only on its arguments and the data, not on anything it closes over.
        """
        return self._remember((read.__module__, read.__qualname__, args), lambda: read(*args))

    def _remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """What `compute` gives for `key`, computed once until the next committed write anywhere.

        Streamlit reruns a screen on every click, and most clicks change no data: reads, and what is built
        from them, are kept for the current write count, read before computing so that a write landing
        meanwhile never leaves an old result under the new count. Results are shared between sessions, so
        they must never be changed by a caller. The least recently used go beyond REMEMBERED results.
        Private: keys are built by `remembered` alone, never by hand.
        """
        versioned = (self.generation, key)
        with self._remembered_lock:
            if versioned in self._remembered:
                self._remembered.move_to_end(versioned)
                return self._remembered[versioned]
        value = compute()
        with self._remembered_lock:
            self._remembered[versioned] = value
            while len(self._remembered) > REMEMBERED:
                self._remembered.popitem(last=False)
        return value

    def read(self, work: Callable[[Transaction], T]) -> T:
        """Run several reads on one snapshot (a read-only transaction): none of them sees a write the others miss."""
        with self._reader() as cur:
            cur.execute("BEGIN TRANSACTION READ ONLY")
            try:
                return work(Transaction(cur))
            finally:
                cur.execute("ROLLBACK")

    def write(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one serialised transaction (perhaps with other queued writes); retried on a conflict."""
        return self._queue_and_wait(_Queued(work=work))

    def write_many(self, apply: Callable[[Transaction, list[Item]], list[T]], items: Sequence[Item]) -> list[T]:
        """`apply(tx, items)` in one transaction; queued calls of the same `apply` are merged into one call.

        For bulk writes whose cost is per statement rather than per row (one INSERT of many rows). `apply`
        returns one result per item, in order, and must not depend on which other items share its call.
        This caller's items are all committed or none.
        """
        return self._queue_and_wait(_Queued(apply=apply, items=list(items)))

    def _queue_and_wait(self, queued: _Queued) -> Any:
        """Queue a write; lead a group commit if no one does, else wait until it is settled or it is our turn.

        Followers sleep on their own event rather than on the write lock, so a committed group wakes only
        its own callers and the next leader, not every thread in turn.
        """
        with self._queue_lock:
            self._queue.append(queued)
            follows, self._leading = self._leading, True
        if follows:
            queued.woken.wait()
        if not queued.settled:
            self._lead()
        return queued.outcome()

    def _lead(self) -> None:
        """Commit what is queued as one group, then hand the lead to the first write queued meanwhile."""
        try:
            with self._write_lock:
                self._commit_queued()
        finally:
            with self._queue_lock:
                if self._queue:
                    self._queue[0].woken.set()
                else:
                    self._leading = False

    def _commit_queued(self) -> None:
        """Commit every queued write, together when possible; each one alone after a failed group."""
        with self._queue_lock:
            group, self._queue = self._queue, []
        try:
            if len(group) > 1:
                try:
                    results = self._transact(lambda tx: _run_group(tx, group))
                except Exception:
                    log.info("a group of %d writes failed; committing each alone", len(group))
                else:
                    for queued, result in zip(group, results, strict=True):
                        queued.settle(result=result)
                    return
            for queued in group:
                try:
                    queued.settle(result=self._transact(queued.run))
                except Exception as exc:
                    queued.settle(error=exc)
        finally:
            for queued in group:
                if not queued.settled:
                    queued.settle(error=RuntimeError("the write was interrupted before it was committed"))

    def _transact(self, work: Callable[[Transaction], T]) -> T:
        """One transaction around `work` (the write lock is held), retried whole on a transaction conflict."""
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
        self.generation += 1     # after the commit, under the write lock: readers keyed on the old count re-read

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
            before = _size(self.path) + _size(wal_path(self.path))
            name = self._writer.execute("SELECT current_database()").fetchall()[0][0]
            remove_files(fresh, wal_path(fresh))
            try:
                self._writer.execute(f"ATTACH ? AS {_FRESH}", [str(fresh)])
                try:
                    self._writer.execute(f"COPY FROM DATABASE {quote_identifier(name)} TO {_FRESH}")
                    self._writer.execute(f"CHECKPOINT {_FRESH}")
                finally:
                    self._writer.execute(f"DETACH {_FRESH}")
                if wal_path(fresh).exists():
                    raise StoreOpenError(f"The compacted copy {fresh} kept a WAL after DETACH; the old file stays.")
                with self._gate.exclusive():
                    self._writer.close()
                    self._conn.close()
                    try:
                        remove_files(wal_path(self.path))
                        os.replace(fresh, self.path)
                        fsync_folder(self.path.parent)
                    finally:
                        self._conn = self._connect()
                        self._writer = self._conn.cursor()
                        self.generation += 1
            finally:
                remove_files(fresh, wal_path(fresh))
            after = _size(self.path) + _size(wal_path(self.path))
        return Compaction(before, after, time.perf_counter() - started)

    def close(self) -> None:
        with self._write_lock, self._gate.exclusive():
            self._writer.close()
            self._conn.close()


@dataclass(eq=False)
class _Queued:
    """One caller's write waiting to be committed: a whole `work`, or items for a merged `apply`.

    `woken` is set when the write is settled (committed or failed), or when its caller is to lead the next group.
    """

    work: Callable[[Transaction], Any] | None = None
    apply: Callable[[Transaction, list], list] | None = None
    items: list = field(default_factory=list)
    settled: bool = False
    result: Any = None
    error: BaseException | None = None
    woken: threading.Event = field(default_factory=threading.Event)

    def run(self, tx: Transaction) -> Any:
        if self.apply is not None:
            return self.apply(tx, self.items)
        if self.work is None:
            raise TypeError("a queued write holds neither a work nor an apply to run")
        return self.work(tx)

    def settle(self, *, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.settled = result, error, True
        self.woken.set()

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


def _run_group(tx: Transaction, group: list[_Queued]) -> list:
    """Every queued write of a group in one transaction; their results in queue order.

    The items of all queued calls of one `apply` go to it in one call, where the first of them stood.
    """
    parts: list[list[_Queued]] = []
    merged: dict[Callable, list[_Queued]] = {}
    for queued in group:
        if queued.apply is None:
            parts.append([queued])
        elif queued.apply in merged:
            merged[queued.apply].append(queued)
        else:
            merged[queued.apply] = [queued]
            parts.append(merged[queued.apply])
    results: dict[int, Any] = {}
    for part in parts:
        if part[0].apply is None:
            results[id(part[0])] = part[0].run(tx)
            continue
        out = iter(part[0].apply(tx, [item for queued in part for item in queued.items]))
        for queued in part:
            results[id(queued)] = [next(out) for _ in queued.items]
    return [results[id(queued)] for queued in group]


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def remove_files(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def fsync_folder(folder: Path) -> None:
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


def quote_identifier(name: str) -> str:
    """A database name as a quoted SQL identifier (names cannot be parameters)."""
    return '"' + name.replace('"', '""') + '"'


class Transaction:
    """The handle a write gets: statements on one cursor inside one open transaction."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cur = cursor

    def execute(self, sql: str, params: Params = ()) -> list[tuple]:
        return self._cur.execute(sql, params).fetchall()

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """One statement per row: fine for a handful; for many rows use `insert_rows`."""
        if rows:
            self._cur.executemany(sql, rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT many rows with one parameterised statement, not one statement per row as `executemany` does.

        DuckDB's cost is per statement: measured (2.0.1), 10,000 rows of six columns take 0.05 s this way
        and 6.7 s with executemany. Each column's values go in as one list parameter, and POSITIONAL JOIN
        zips the lists back into rows (a quarter of the cost of several unnest() calls in one SELECT; the
        PostgreSQL equivalent is the multi-argument unnest). Table and column names must be constants.
        """
        if not rows:
            return
        source = " POSITIONAL JOIN ".join(f"unnest(?) AS c{n}(v)" for n in range(len(columns)))
        self._cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM {source}",  # noqa: S608
                          [list(values) for values in zip(*rows, strict=True)])

    def scalar(self, sql: str, params: Params = ()) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    def next_ids(self, sequence: str, n: int) -> list[int]:
        """`n` fresh ids of a sequence, ascending: rows inserted in one statement still get them in list order."""
        return sorted(row[0] for row in self.execute("SELECT nextval(?) FROM range(?)", [sequence, n]))

    def run_script(self, script: str) -> None:
        """Run a migration file's statements (no parameters: migration files hold only DDL)."""
        self._cur.execute(script)
