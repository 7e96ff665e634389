"""The shared engine: PostgreSQL through psycopg 3 and a connection pool, for several app servers on one database.

Invariants:
- connections are in autocommit mode: a lone read is one round trip; a snapshot and a write open their
  own transaction (`BEGIN ... READ ONLY` at REPEATABLE READ, or `BEGIN`) and end it themselves;
- every write transaction first takes one transaction-scoped advisory lock (WRITE_LOCK), so writes from
  every app server and the command line are serialised as they are within one process by `Database`:
  a rule checked inside a write (a version, a unique name, a seat taken) still holds when it commits;
- write counts per subject (coaching.db.subjects) live in the table COUNTS_TABLE, bumped inside each write
  transaction (under WRITE_LOCK, so atomically with the data), which also notifies the counts it leaves to
  every app server: each keeps a copy (coaching.db.count_listener), so `Database.remembered` drops a result
  after a write made through another app server without a query per read. The engine makes the table
  when it opens the database, before the first write (migrations are writes too), and backups leave it out
  (coaching.db.archive): a restore must never bring old counts back, or an old result could match them;
- `numeric` comes back as float (sums and averages of integers are numeric in PostgreSQL, double in
  DuckDB): the domain sees the same types from both engines;
- a connection lost (server restarted, network cut) raises StoreUnavailable in plain words; each pooled
  connection is checked before use, and one found dead has every idle one checked at once, so the next
  action after the server is back gets a fresh connection without waiting (tests/unit/test_reconnect.py).
  A write cut off before COMMIT was rolled back by the server; one cut off during COMMIT may or may not
  have landed, and its caller was never told it did: no acknowledged write is lost;
- the password (from the URL, PGPASSWORD or ~/.pgpass, as libpq finds it) never appears in a message:
  the label is the URL without it, and driver errors are cut to their first line.

Erasure (`compact`, measured on PostgreSQL 15 by bench/erasure_pg.py; asserted by tests/unit/test_privacy.py):
a deleted row stays in its table's and its indexes' pages, and plain VACUUM only marks the space free: a
row at the edge of its page's free space keeps its bytes until they are overwritten. `compact` runs
`VACUUM (FULL, ANALYZE)` on every table of the schema: each table and its indexes are rewritten into new
files without the deleted rows, the old files are truncated at commit, and fresh statistics replace the
old ones; then `VACUUM FULL pg_statistic`, because ANALYZE keeps up to 100 values of each column there (every
value of a small table) and its old rows would otherwise stay. That needs the database's owner (or a
superuser): for any other role PostgreSQL skips it with a warning, and so does `compact`, in the log. After
it no file of the database (base/<db oid>/) holds the erased text, with one exception: a table the erasure
leaves empty keeps its last statistics, since ANALYZE skips an empty table, until it is analysed with rows.
The rewrite takes each table's ACCESS EXCLUSIVE lock in turn, so reads and writes of that table wait for it.
What stays outside the database's files, out of an ordinary role's reach: the WAL holds the inserted text
until its segment leaves pg_wal, and a recycled segment (`wal_recycle = on`, the default) is renamed, not
cleared: the text stayed in pg_wal after two `pg_switch_wal()` + CHECKPOINT, and was gone after one with
`wal_recycle = off`. WAL archives, base backups and replicas hold it too: those are the operator's to
expire (README, "What erasure guarantees on PostgreSQL").
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
import psycopg.errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.numeric import FloatLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from coaching.db.count_listener import CHANNEL, CountListener, payload
from coaching.db.engine import (
    Compaction,
    Params,
    Statements,
    StoreOpenError,
    StoreUnavailable,
    first_line,
    quote_identifier,
)
from coaching.db.subjects import Count, values

log = logging.getLogger(__name__)

#: The advisory lock every write transaction takes first: one number for Aspire's writes to one database.
WRITE_LOCK = 0x41_53_50_49_52_45      # "ASPIRE"
#: The advisory lock of `alone`: steps that span several writes, such as start-up's seeding.
ALONE_LOCK = WRITE_LOCK + 1
#: The engine's own bookkeeping, not the domain's schema: each subject's write counts (see the module's invariants).
COUNTS_TABLE = "aspire_write_count"
_COUNTS_DDL = (f"CREATE TABLE IF NOT EXISTS {COUNTS_TABLE} (subject VARCHAR PRIMARY KEY,"
               " under_count BIGINT NOT NULL, at_count BIGINT NOT NULL)")
#: How long the write-count listener's connection may go unanswered before it counts as lost
#: (coaching.db.count_listener): until then another server's write may not show here.
LISTENER_TCP_TIMEOUT_MS = 10_000
POOL_SIZE = 10          # connections per app server: a read holds one for a query, a write for its transaction
#: How long a start-up or an action waits for the server before saying it is unreachable, unless the URL's own
#: `connect_timeout` says otherwise (see `connect_seconds`).
CONNECT_SECONDS = 10
#: libpq's least connect_timeout: a smaller positive one is raised to it.
LEAST_CONNECT_SECONDS = 2
# How long the pool retries a lost connection in the background, pausing 1, 2, 4 s between tries; then it gives up
# and the next action asks for a connection at once. psycopg_pool's default (5 minutes) let the pause grow with the
# outage: a server back after 20 s was not tried again for another 10, and the actions meanwhile were refused.
RECONNECT_SECONDS = 5

# A quoted string or identifier (left as it is), or a placeholder or a percent sign to translate.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|\$([A-Za-z_]\w*)|%")


@lru_cache(maxsize=2048)
def psycopg_sql(sql: str) -> str:
    """The domain's SQL with psycopg's placeholders: `?` becomes `%s`, `$name` becomes `%(name)s`, `%` is doubled.

    Quoted strings and identifiers are left as they are. Statements are constants of the code, so the
    translation is done once per statement text.
    """

    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return text

    return _TOKENS.sub(token, sql)


class PgStatements:
    """SQL on one psycopg cursor (see coaching.db.engine.Statements)."""

    def __init__(self, cursor: psycopg.Cursor) -> None:
        self._cur = cursor
        #: The counts a write transaction left (PostgresEngine.record_writes), for this process's copy at its commit.
        self.recorded: list[tuple[str, int, int]] = []

    def execute(self, sql: str, params: Params = ()) -> list[tuple]:
        self._cur.execute(psycopg_sql(sql), params)
        return self._cur.fetchall() if self._cur.description is not None else []

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        self._cur.executemany(psycopg_sql(sql), rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """COPY FROM STDIN: PostgreSQL's bulk load, one statement for any number of rows."""
        with self._cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def run_script(self, script: str) -> None:
        self._cur.execute(script)     # no parameters: psycopg sends it whole, several statements at once


class PostgresEngine:
    """A PostgreSQL database reached through a pool of connections (see coaching.db.engine.Engine)."""

    dialect = "postgresql"
    conflicts: tuple[type[BaseException], ...] = (psycopg.errors.SerializationFailure,
                                                  psycopg.errors.DeadlockDetected)

    def __init__(self, url: str, label: str) -> None:
        self.label = label
        self.connect_seconds = connect_seconds(url)
        self._url = url     # holds the password: never in a message (the label is for those)
        self._check_reachable(url)
        self._pool = ConnectionPool(url, min_size=1, max_size=POOL_SIZE, timeout=self.connect_seconds,
                                    reconnect_timeout=RECONNECT_SECONDS,
                                    kwargs={"application_name": "aspire", "connect_timeout": self.connect_seconds},
                                    configure=_configure, open=True)
        self._counts = CountListener(self._listening_connection, _counts_table)
        self._ensure_counts()

    def _ensure_counts(self) -> None:
        """Make COUNTS_TABLE unless it is there, under the write lock: servers starting together make it once."""
        with self.statements() as statements:
            if statements.execute("SELECT to_regclass(?) IS NOT NULL", [COUNTS_TABLE])[0][0]:
                return
        with self.transaction() as statements:
            statements.execute(_COUNTS_DDL)

    def _check_reachable(self, url: str) -> None:
        """One connection first, so that a wrong host, password or database name stops start-up in one line."""
        try:
            psycopg.connect(url, connect_timeout=self.connect_seconds).close()
        except psycopg.Error as exc:
            raise StoreOpenError(f"The database {self.label} cannot be opened: {first_line(exc)}") from None

    def _listening_connection(self) -> psycopg.Connection:
        """The write-count listener's own connection, outside the pool: it is held as long as Aspire runs."""
        return psycopg.connect(self._url, autocommit=True, connect_timeout=self.connect_seconds,
                               application_name="aspire-listener", tcp_user_timeout=LISTENER_TCP_TIMEOUT_MS,
                               keepalives=1, keepalives_idle=LISTENER_TCP_TIMEOUT_MS // 1000)

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor]:
        try:
            conn = self._live_connection()
            try:
                with conn.cursor() as cur:
                    yield cur
            finally:
                self._pool.putconn(conn)    # a broken one is dropped and replaced by the pool
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreUnavailable(f"The database {self.label} cannot be reached right now ({first_line(exc)}); "
                                   "try again in a moment.") from exc

    def _live_connection(self) -> psycopg.Connection:
        """A pooled connection that answers, or PoolTimeout once `connect_seconds` have passed without one.

        One idle connection found dead means the server went away since it was last used (a restart, a
        failover), and so did every other idle one: all are checked at once and the dead ones replaced. The
        pool's own check would find them one by one with a growing pause after each (1, 2, 4 s ...): after a
        restart a full pool kept the next action waiting until it gave up, though the server was back.
        """
        deadline = time.monotonic() + self.connect_seconds
        while True:
            conn = self._pool.getconn(timeout=max(deadline - time.monotonic(), 0.0))
            try:
                ConnectionPool.check_connection(conn)
            except psycopg.OperationalError:
                self._pool.putconn(conn)
                self._pool.check()
            else:
                return conn

    @contextmanager
    def statements(self) -> Iterator[PgStatements]:
        with self._cursor() as cur:
            yield PgStatements(cur)

    @contextmanager
    def snapshot(self) -> Iterator[PgStatements]:
        with self._cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield PgStatements(cur)
            finally:
                if not cur.connection.broken:     # a lost connection ended the transaction with it
                    cur.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[PgStatements]:
        with self._cursor() as cur:
            cur.execute("BEGIN")
            statements = PgStatements(cur)
            try:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                yield statements
            except BaseException:
                if not cur.closed and not cur.connection.broken:   # a lost connection ended the transaction
                    cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        self._counts.merge(statements.recorded)     # this process reads its own write from now on

    @contextmanager
    def alone(self) -> Iterator[None]:
        """A session advisory lock (ALONE_LOCK) on a connection of its own, held for the block."""
        with self._cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [ALONE_LOCK])
            try:
                yield
            finally:
                cur.execute("SELECT pg_advisory_unlock(%s)", [ALONE_LOCK])

    def write_counts(self, wanted: Sequence[tuple[str, int]]) -> tuple[int, ...]:
        """From this process's copy; from the table while the copy is out of use (see coaching.db.count_listener)."""
        known = self._counts.values(wanted)
        if known is not None:
            return known
        with self._cursor() as cur:
            cur.execute(f"SELECT subject, under_count, at_count FROM {COUNTS_TABLE} WHERE subject = ANY(%s)",  # noqa: S608
                        [sorted({subject for subject, _ in wanted})])
            counts = {subject: Count(under, at) for subject, under, at in cur.fetchall()}
        return values(counts, wanted)

    def record_writes(self, statements: Statements, grown: Mapping[str, Count]) -> bool:
        """Bump the counts and notify every app server of what they are now (sent when the transaction commits)."""
        if not isinstance(statements, PgStatements):
            raise TypeError("a PostgreSQL write records its counts on its own statements")
        statements.recorded = [tuple(row) for row in statements.execute(
            f"INSERT INTO {COUNTS_TABLE} (subject, under_count, at_count)"  # noqa: S608 - a constant
            " SELECT * FROM unnest(?::VARCHAR[], ?::BIGINT[], ?::BIGINT[]) ON CONFLICT (subject) DO UPDATE SET"
            f" under_count = {COUNTS_TABLE}.under_count + excluded.under_count,"
            f" at_count = {COUNTS_TABLE}.at_count + excluded.at_count"
            " RETURNING subject, under_count, at_count",
            [list(grown), [c.under for c in grown.values()], [c.at for c in grown.values()]])]
        statements.execute("SELECT pg_notify(?, ?)", [CHANNEL, payload(statements.recorded)])
        return True

    def catch_up(self) -> None:
        """Return once this process has heard of every write committed before the call (by any app server)."""
        self._counts.catch_up(self._notify)

    def _notify(self, channel: str, message: str) -> None:
        with self._cursor() as cur:
            cur.execute("SELECT pg_notify(%s, %s)", [channel, message])

    def checkpoint(self) -> None:
        """Nothing to fold: PostgreSQL checkpoints by itself, and a CHECKPOINT needs a superuser."""

    def compact(self) -> Compaction:
        """Rewrite every table, its indexes and its statistics, then the statistics catalogue (see the module's
        paragraph on erasure): afterwards the database's files hold no deleted row."""
        started = time.perf_counter()
        before = self._size()
        with self._cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            tables = [row[0] for row in cur.fetchall()]
            for table in tables:       # outside any transaction: VACUUM refuses to run inside one
                cur.execute(f"VACUUM (FULL, ANALYZE) {quote_identifier(table)}")  # noqa: S608 - catalogue names
            cur.execute("SELECT pg_has_role(datdba, 'USAGE') FROM pg_database WHERE datname = current_database()")
            row = cur.fetchone()
            if row and row[0]:
                cur.execute("VACUUM FULL pg_catalog.pg_statistic")
            else:
                log.warning("%s: the statistics catalogue was not rewritten (only the database's owner may):"
                            " erased values may stay in pg_statistic's pages", self.label)
        return Compaction(before, self._size(), time.perf_counter() - started)

    def _size(self) -> int:
        """Bytes of the schema's tables with their indexes and TOAST: what erasure rewrites."""
        with self._cursor() as cur:
            cur.execute("SELECT coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0)"
                        " FROM pg_tables WHERE schemaname = current_schema()")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._counts.close(self._notify)
        self._pool.close()


def connect_seconds(url: str) -> int:
    """How long to wait for the server: the URL's `connect_timeout` when it gives a positive one, as libpq reads it
    (at least LEAST_CONNECT_SECONDS), else CONNECT_SECONDS; StoreOpenError when it is no whole number.

    The operator who writes `?connect_timeout=3` into COACHING_DB means every wait for the server, not only
    libpq's for one connection: an action while the server is down says so after that long. libpq's own reading
    of zero or less, wait forever, would leave a person in front of a spinner, so that too means CONNECT_SECONDS.
    A URL libpq cannot read at all is left to the first connection, which says why in one line.
    """
    try:
        given = conninfo_to_dict(url).get("connect_timeout")
    except psycopg.ProgrammingError:
        return CONNECT_SECONDS
    if given is None:
        return CONNECT_SECONDS
    try:
        seconds = int(given)
    except ValueError:
        raise StoreOpenError(f"connect_timeout in the database URL must be a whole number of seconds, not {given!r}"
                             ) from None
    return max(seconds, LEAST_CONNECT_SECONDS) if seconds > 0 else CONNECT_SECONDS


def _counts_table(conn: psycopg.Connection) -> list[tuple[str, int, int]]:
    return conn.execute(f"SELECT subject, under_count, at_count FROM {COUNTS_TABLE}").fetchall()  # noqa: S608


def _configure(conn: psycopg.Connection) -> None:
    """Each pooled connection: autocommit (transactions are opened explicitly), numeric read as float, UTC."""
    conn.autocommit = True
    conn.adapters.register_loader("numeric", FloatLoader)
    conn.execute("SET TIME ZONE 'UTC'")
