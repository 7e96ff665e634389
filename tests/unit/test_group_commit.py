"""Group commit and snapshots in coaching.db.database, on a real database of each engine.

Writes that queue up while another commits are committed together; each caller still gets its own
result or its own error, and an acknowledged write is there after the database is closed and reopened.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from coaching.db.database import Database, Transaction
from tests.conftest import Databases


@pytest.fixture
def db(databases: Databases):
    database = Database(databases.new("g"))
    database.write(lambda tx: tx.run_script("CREATE TABLE t (id INTEGER PRIMARY KEY, who VARCHAR)"))
    yield database
    database.close()


def _ids(db: Database) -> list[int]:
    return [r[0] for r in db.query("SELECT id FROM t ORDER BY id")]


def _in_threads(*calls) -> list:
    """Run each call on its own thread, all at once; their results (or exceptions) in order."""
    outcomes: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = calls[index]()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _slow_insert(row_id: int, seconds: float = 0.5):
    """A write that holds the writer long enough for the others to queue up behind it."""
    def work(tx: Transaction) -> int:
        tx.execute("INSERT INTO t VALUES (?, 'slow')", [row_id])
        time.sleep(seconds)
        return row_id
    return work


def _queued_behind(db: Database, first, *later):
    """Start `first`, then the `later` calls once it holds the writer; all their outcomes."""
    started = threading.Event()
    outcomes: dict = {}

    def lead() -> None:
        started.set()
        outcomes["first"] = first()

    leader = threading.Thread(target=lead)
    leader.start()
    started.wait()
    time.sleep(0.05)
    outcomes["later"] = _in_threads(*later)
    leader.join()
    return outcomes["first"], outcomes["later"]


def test_every_acknowledged_write_of_32_threads_is_there_after_reopening(databases: Databases):
    target = databases.new("many")
    db = Database(target)
    db.write(lambda tx: tx.run_script("CREATE TABLE t (id INTEGER PRIMARY KEY, who VARCHAR)"))

    def writer(thread: int):
        def run() -> list[int]:
            done = []
            for n in range(10):
                row = thread * 100 + n
                done.append(db.write(lambda tx, row=row: tx.scalar(
                    "INSERT INTO t VALUES (?, ?) RETURNING id", [row, f"thread {thread}"])))
            return done
        return run

    acknowledged = [row for done in _in_threads(*(writer(t) for t in range(32))) for row in done]
    db.close()
    reopened = Database(target)
    try:
        assert sorted(acknowledged) == _ids(reopened)
        assert len(acknowledged) == 320
    finally:
        reopened.close()


def test_items_queued_behind_a_write_are_merged_into_one_call_and_each_caller_gets_its_own(db: Database):
    calls: list[list[str]] = []

    def insert_all(tx: Transaction, names: list[str]) -> list[int]:
        calls.append(list(names))
        start = tx.scalar("SELECT coalesce(max(id), 0) FROM t")
        tx.insert_rows("t", ("id", "who"), [(start + 1 + n, name) for n, name in enumerate(names)])
        return [start + 1 + n for n in range(len(names))]

    def caller(k: int):
        return lambda: db.write_many(insert_all, [f"caller {k} item {i}" for i in range(k + 1)])

    _, results = _queued_behind(db, lambda: db.write(_slow_insert(0)), *(caller(k) for k in range(5)))

    assert len(calls) == 1, "the five queued callers' items went to one call"
    assert sorted(len(r) for r in results) == [1, 2, 3, 4, 5]
    names = dict(db.query("SELECT id, who FROM t"))
    for k, ids in enumerate(results):
        assert [names[i] for i in ids] == [f"caller {k} item {i}" for i in range(k + 1)]


def test_a_failing_write_in_a_group_fails_only_its_caller_and_leaves_nothing(db: Database):
    def good(row_id: int):
        return lambda: db.write(lambda tx: tx.scalar("INSERT INTO t VALUES (?, 'good') RETURNING id", [row_id]))

    def bad(tx: Transaction) -> None:
        tx.execute("INSERT INTO t VALUES (99, 'half of a bad write')")
        raise ValueError("refused after writing half")

    _, outcomes = _queued_behind(db, lambda: db.write(_slow_insert(0)), good(1), lambda: db.write(bad), good(2))

    assert outcomes[0] == 1 and outcomes[2] == 2
    assert isinstance(outcomes[1], ValueError) and "refused" in str(outcomes[1])
    assert _ids(db) == [0, 1, 2], "the bad write's first half is gone, every good one is there"


def test_a_group_with_a_constraint_violation_commits_the_others(db: Database):
    db.write(lambda tx: tx.execute("INSERT INTO t VALUES (7, 'first')"))

    def insert(row_id: int):
        return lambda: db.write(lambda tx: tx.scalar("INSERT INTO t VALUES (?, 'x') RETURNING id", [row_id]))

    _, outcomes = _queued_behind(db, lambda: db.write(_slow_insert(0)), insert(5), insert(7), insert(6))

    assert outcomes[0] == 5 and outcomes[2] == 6
    assert "7" in str(outcomes[1]) and not isinstance(outcomes[1], int)
    assert _ids(db) == [0, 5, 6, 7]


def test_reads_in_one_snapshot_do_not_see_a_write_committed_between_them(db: Database):
    db.write(lambda tx: tx.execute("INSERT INTO t VALUES (1, 'before')"))

    def work(tx: Transaction) -> tuple[int, int]:
        first = tx.scalar("SELECT count(*) FROM t")
        writer = threading.Thread(target=db.write, args=(lambda w: w.execute("INSERT INTO t VALUES (2, 'during')"),))
        writer.start()
        writer.join()
        return first, tx.scalar("SELECT count(*) FROM t")

    assert db.read(work) == (1, 1)
    assert db.scalar("SELECT count(*) FROM t") == 2, "the write itself was committed"


def test_insert_rows_round_trips_text_numbers_times_and_nothing(db: Database):
    db.write(lambda tx: tx.run_script(
        "CREATE TABLE mixed (n INTEGER, small SMALLINT, x DOUBLE PRECISION, stamp TIMESTAMPTZ, text VARCHAR,"
        " flag BOOLEAN)"))
    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    rows = [(1, 5, 62.5, at, "O'Brien; DROP TABLE t; --", True), (2, 1, 0.1, None, None, False),
            (3, None, None, at, "田中 \u202e", None)]
    db.write(lambda tx: tx.insert_rows("mixed", ("n", "small", "x", "stamp", "text", "flag"), rows))
    assert db.query("SELECT * FROM mixed ORDER BY n") == rows
    assert _ids(db) == [], "the other table is untouched"
