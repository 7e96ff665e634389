"""The one way Aspire reaches its data, whichever engine holds it (coaching.db.engine).

Invariants:
- `Database(target)` opens a DuckDB file for a path (the embedded default) and PostgreSQL for a
  `PostgresUrl`; nothing above this module knows which;
- every write runs inside `Database.write` (or `write_many`), serialised by one lock within the process
  (and, on PostgreSQL, by an advisory lock across processes), in one transaction, retried on a
  transaction conflict; it returns only after COMMIT, so an acknowledged write is durable;
- group commit: writes that queue up while another commits are committed together, in one transaction,
  by the first of them, which then hands the lead to the first write queued meanwhile. Queued writes are
  concurrent (each caller waits for its own), so any order among them is a valid serial order; `write_many`
  items of one kind are merged into one call, so a burst of submissions becomes one bulk insert (measured:
  32 concurrent submissions commit in one transaction of about 15 ms instead of 32 of about 10 ms each).
  When a group fails, each of its writes runs again alone: one bad write fails only its own caller; when it
  fails because the server cannot be reached, every write of the group fails with StoreUnavailable at once;
- `read` runs several reads in one read-only transaction: they see one snapshot, whatever commits meanwhile;
- `remembered` keeps a result until a write committed by any process touches a subject it reads
  (coaching.db.subjects: a write names the subjects it touches, `tx.touch`; one that names none touches all).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from coaching.core.settings import PostgresUrl, database_target
from coaching.db.duck import DuckEngine
from coaching.db.engine import Compaction, Engine, Params, Statements, StoreUnavailable
from coaching.db.postgres import PostgresEngine
from coaching.db.subjects import ROOT, LocalCounts, growth, lineage, needed, read_subjects

log = logging.getLogger(__name__)
T = TypeVar("T")
Item = TypeVar("Item")

WRITE_ATTEMPTS = 5
REMEMBERED = 512    # results kept by Database.remembered: a few screens' worth for each of dozens of sessions


def open_engine(target: Path | str | PostgresUrl, *, read_only: bool = False) -> Engine:
    """The engine for a database target: PostgreSQL for a URL, else a DuckDB file (or ":memory:")."""
    if isinstance(target, str) and target != ":memory:":
        target = database_target(target)
    if isinstance(target, PostgresUrl):
        return PostgresEngine(target.url.get_secret_value(), str(target))
    return DuckEngine(target, read_only=read_only)


class Database:
    def __init__(self, target: Path | str | PostgresUrl, *, read_only: bool = False) -> None:
        self.engine = open_engine(target, read_only=read_only)
        self.label = self.engine.label
        self._write_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_Queued] = []
        self._leading = False      # a thread is committing queued writes, or about to
        # Write counts per subject kept here: this process's writes when the engine keeps none (DuckDB), and
        # changes that live only in this process (`touched_here`); the engine adds every process's (PostgreSQL).
        self._counts = LocalCounts()
        self._remembered: OrderedDict[Hashable, Any] = OrderedDict()
        self._remembered_lock = threading.Lock()

    @property
    def path(self) -> Path:
        """The DuckDB file, for what looks at the file itself (the erasure tests' byte search); PostgreSQL has none."""
        if not isinstance(self.engine, DuckEngine):
            raise TypeError(f"{self.label} is not a database file")
        return self.engine.path

    def query(self, sql: str, params: Params = ()) -> list[tuple]:
        """Run a read and return every row."""
        with self.engine.statements() as statements:
            return statements.execute(sql, params)

    def query_one(self, sql: str, params: Params = ()) -> tuple | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def remembered(self, read: Callable[..., T], *args: Hashable) -> T:
        """What `read(*args)` gives, computed once until a committed write touches a subject it reads.

        The subjects are those `read` names with `coaching.db.subjects.reads`; a read that names none is
        redone after any write.

        The one place a remembered result's key is built: the function's module and qualified name and every
        argument it is called with, so nothing the result depends on besides the data can be left out of it.
        A read scoped by a person takes the actor as an argument (Aspire.remembered passes it), so two people
        never share a result. Arguments must be cheap to hash: ids and small values, and the long-lived objects
        a read runs against (this Database, the Aspire), which count by identity; never a list of records, nor
        an object made for the call (it would never be found again). `read` must be a function or method
        whose result depends only on its arguments and the data, not on anything it closes over.
        """
        return self._remember((read.__module__, read.__qualname__, args), read_subjects(read, args),
                              lambda: read(*args))

    def _remember(self, key: Hashable, subjects: Sequence[str], compute: Callable[[], T]) -> T:
        """What `compute` gives for `key`, computed once until a committed write touches one of `subjects`.

        Streamlit reruns a screen on every click, and most clicks change no data: reads, and what is built
        from them, are kept for the current write counts of their subjects, read before computing so that a
        write landing meanwhile never leaves an old result under the new counts. Results are shared between
        sessions, so they must never be changed by a caller. The least recently used go beyond REMEMBERED
        results. Private: keys are built by `remembered` alone, never by hand.
        """
        versioned = (tuple(subjects), self.write_counts(subjects), key)   # alike counts of other subjects say nothing
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

    def write_counts(self, subjects: Sequence[str]) -> tuple:
        """The counts a read of `subjects` is keyed on (coaching.db.subjects), from every process that writes.

        On PostgreSQL one query; on DuckDB none (this process is the only writer).
        """
        wanted = needed(subjects)
        return self._counts.values(wanted), self.engine.write_counts(wanted)

    def written_under(self, subject: str) -> tuple[int, Hashable]:
        """(writes counted under `subject` so far, the counts of every write above it).

        Two calls' first parts differ by what was written under the subject between them (each write
        counting its `n`), as long as their second parts are equal: no write above it came between.
        """
        spot = needed([subject]).index((subject, 0))
        local, shared = self.write_counts([subject])
        counts = [local] if shared is None else [local, shared]
        return sum(c[spot] for c in counts), tuple(c[:spot] + c[spot + 1:] for c in counts)

    def touched_here(self, subject: str) -> None:
        """Count a change that lives in this process only (a new reliability estimate), on any engine."""
        self._counts.add(growth({subject: 1}))

    def read(self, work: Callable[[Transaction], T]) -> T:
        """Run several reads on one snapshot (a read-only transaction): none of them sees a write the others miss."""
        with self.engine.snapshot() as statements:
            return work(Transaction(statements))

    def write(self, work: Callable[[Transaction], T], *, touches: Sequence[str] = ()) -> T:
        """Run `work` in one serialised transaction (perhaps with other queued writes); retried on a conflict.

        `touches`: the subjects it touches when known beforehand (else `work` names them, `tx.touch`); a write
        that names none touches everything (coaching.db.subjects).
        """
        return self._queue_and_wait(_Queued(work=partial(_touching, touches, work) if touches else work))

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
                except StoreUnavailable as lost:
                    # Not a bad write but a lost server: each alone would wait for it in turn, and a group cut
                    # off during COMMIT may have landed, which each alone would then store a second time.
                    for queued in group:
                        queued.settle(error=lost)
                    return
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
            except self.engine.conflicts:
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.warning("transaction conflict, retrying (attempt %d)", attempt)
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        with self.engine.transaction() as statements:
            tx = Transaction(statements)
            yield tx
            grown = growth(tx.touched)
            kept = self.engine.record_writes(statements, grown)
        if not kept:
            self._counts.add(grown)   # after the commit, under the write lock: readers keyed on old counts re-read

    def alone(self) -> AbstractContextManager[None]:
        """While held, the same block in any other process on this database waits (see Engine.alone)."""
        return self.engine.alone()

    def checkpoint(self) -> None:
        with self._write_lock:
            self.engine.checkpoint()

    def compact(self) -> Compaction:
        """Rewrite storage so that erased rows are gone from the database's files (see the engine's `compact`)."""
        with self._write_lock:
            compaction = self.engine.compact()
            self._counts.add(growth({ROOT: 1}))
        return compaction

    def close(self) -> None:
        with self._write_lock:
            self.engine.close()


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
            return tx.naming(self.apply, tx, self.items)
        if self.work is None:
            raise TypeError("a queued write holds neither a work nor an apply to run")
        return tx.naming(self.work, tx)

    def settle(self, *, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.settled = result, error, True
        self.woken.set()

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


def _touching(touches: Sequence[str], work: Callable[[Transaction], T], tx: Transaction) -> T:
    tx.touch(*touches)
    return work(tx)


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
        out = iter(tx.naming(part[0].apply, tx, [item for queued in part for item in queued.items]))
        for queued in part:
            results[id(queued)] = [next(out) for _ in queued.items]
    return [results[id(queued)] for queued in group]


class Transaction:
    """The handle a write gets: statements on one cursor inside one open transaction."""

    def __init__(self, statements: Statements) -> None:
        self._statements = statements
        self.touched: dict[str, int] = {}     # subject: writes counted (coaching.db.subjects)
        self._named = False

    def touch(self, *subjects: str, n: int = 1) -> None:
        """Name subjects this write touches (coaching.db.subjects), counting `n` writes for each.

        A caller's write that names none touches everything: name every subject whose reads it could change.
        """
        for subject in subjects:
            lineage(subject)    # a misspelt subject fails here, in the caller's write, not at its commit
            self.touched[subject] = self.touched.get(subject, 0) + n
        self._named = True

    def naming(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)`, one caller's write; if it named no subject, it touched everything (the root)."""
        self._named = False
        result = work(*args)
        if not self._named:
            self.touch(ROOT)
        return result

    def execute(self, sql: str, params: Params = ()) -> list[tuple]:
        return self._statements.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """One statement per row: fine for a handful; for many rows use `insert_rows`."""
        if rows:
            self._statements.executemany(sql, rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT many rows at the cost of one statement, not one per row as `executemany` costs.

        Table and column names must be constants. The engine chooses how (coaching.db.duck, coaching.db.postgres).
        """
        if rows:
            self._statements.insert_rows(table, columns, rows)

    def scalar(self, sql: str, params: Params = ()) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    def next_ids(self, sequence: str, n: int) -> list[int]:
        """`n` fresh ids of a sequence, ascending: rows inserted in one statement still get them in list order."""
        if not sequence.isidentifier():
            raise ValueError(f"not a sequence name: {sequence!r}")
        return sorted(row[0] for row in self.execute(
            f"SELECT nextval('{sequence}') FROM generate_series(1, ?)", [n]))  # noqa: S608 - checked name

    def run_script(self, script: str) -> None:
        """Run a migration file's statements (no parameters: migration files hold only DDL)."""
        self._statements.run_script(script)
