"""Every app server's copy of the shared write counts, kept up to date by PostgreSQL's LISTEN/NOTIFY.

Why: `Database.remembered` keys each result on the write counts of the subjects it reads
(coaching.db.subjects). On PostgreSQL the counts live in a table every app server bumps, and reading them
was a round trip per remembered read: 8 per home rerun, a third of a warm rerun's time. Instead each write
transaction sends the counts it leaves as a notification, delivered at its commit to every process
listening on the database; each process keeps the latest it heard and answers from memory.

Invariants:
- the copy holds absolute counts, merged by taking the larger: counts only grow (a restore leaves the table
  alone), so a notification heard twice or late changes nothing, and this process's own writes are applied
  at their commit (read-your-writes) before their notification comes back;
- the copy is used only while the listening connection is up and was filled after its LISTEN. Until then,
  and from the moment it is lost (a server restart) until it is back and the table read again, `values`
  answers None and the engine reads the table, as before: a missed notification can never leave an old
  result standing;
- another server's write is seen here once its notification arrives, a few milliseconds after its commit
  (`catch_up` waits for that); a person's next click comes later than that;
- a quiet connection is asked for `SELECT 1` every WAIT_SECONDS: one cut without a word (a network
  partition) fails that within the connection's TCP timeout (PostgresEngine sets it), and is then treated
  as lost;
- a notification is small (PostgreSQL takes up to 8,000 bytes): a write touching more subjects than fit sends
  RELOAD, and every listener reads the whole table again.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence

import psycopg

from coaching.db.engine import first_line
from coaching.db.subjects import Count, values

log = logging.getLogger(__name__)

#: The channel every write's counts go out on (per database: PostgreSQL keeps one queue for each).
CHANNEL = "aspire_write_counts"
#: What a write sends when its counts would not fit in a notification.
RELOAD = "*"
PAYLOAD_BYTES = 7_000
#: The longest wait for a notification before the loop looks at whether it is to stop; `close` wakes it at once.
WAIT_SECONDS = 5.0
#: Pauses between tries while the server is unreachable.
RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0)


def payload(rows: Sequence[tuple[str, int, int]]) -> str:
    """What a write transaction notifies: its subjects' counts after it, or RELOAD when they do not fit."""
    text = json.dumps(rows, separators=(",", ":"))
    return text if len(text.encode()) <= PAYLOAD_BYTES else RELOAD


class CountListener:
    """This process's copy of the counts table, listened for on a connection of its own, started on first use.

    `connect` opens a connection in autocommit mode; `read_table` gives every row of the counts table.
    """

    def __init__(self, connect: Callable[[], psycopg.Connection],
                 read_table: Callable[[psycopg.Connection], Iterable[tuple[str, int, int]]]) -> None:
        self._connect = connect
        self._read_table = read_table
        self._counts: dict[str, Count] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()     # set while the copy is in use
        self._stop = threading.Event()
        self._own_channel = f"aspire_{uuid.uuid4().hex}"     # markers of `catch_up`, and the wake-up of `close`
        self._markers: dict[str, threading.Event] = {}
        self._thread: threading.Thread | None = None

    def values(self, wanted: Sequence[tuple[str, int]]) -> tuple[int, ...] | None:
        """The wanted counts from memory, or None while the copy cannot be trusted (read the table instead)."""
        self._start()
        with self._lock:
            return values(self._counts, wanted) if self._ready.is_set() else None

    def merge(self, rows: Iterable[tuple[str, int, int]]) -> None:
        """Take counts heard of or written here: each subject keeps the larger."""
        with self._lock:
            for subject, under, at in rows:
                was = self._counts.get(subject, Count())
                self._counts[subject] = Count(max(was.under, under), max(was.at, at))

    def catch_up(self, notify: Callable[[str, str], None]) -> None:
        """Return once every write committed before the call has been heard here (the copy started if need be).

        A marker goes out through `notify(channel, payload)`; PostgreSQL delivers notifications in commit order,
        so when the marker arrives, so have all before it. Nothing to wait for while the copy cannot be had:
        the table is read meanwhile.
        """
        self._start()
        if not self._ready.wait(WAIT_SECONDS):
            return
        token = uuid.uuid4().hex
        with self._lock:
            heard = self._markers[token] = threading.Event()
        notify(self._own_channel, token)
        heard.wait(WAIT_SECONDS)
        with self._lock:
            self._markers.pop(token, None)

    def close(self, notify: Callable[[str, str], None]) -> None:
        """Stop listening; `notify` wakes the listening thread at once (it is not needed when the server is gone)."""
        self._stop.set()
        if self._thread is None:
            return
        try:
            notify(self._own_channel, "")
        except Exception:   # noqa: BLE001 - the thread then stops at its next timeout or retry
            log.debug("could not wake the write-count listener", exc_info=True)
        self._thread.join(WAIT_SECONDS)

    def _start(self) -> None:
        if self._thread is None and not self._stop.is_set():
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="aspire-write-counts", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        """Listen until closed; after a lost connection, try again with pauses, the copy out of use meanwhile."""
        failures = 0
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    self._listen(conn)
                    failures = 0
                    self._hear(conn)
            except psycopg.Error as exc:
                log.info("write-count listener: %s", first_line(exc))
            except Exception:
                log.exception("write-count listener failed; listening again")
            finally:
                self._ready.clear()
            self._stop.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
            failures += 1

    def _listen(self, conn: psycopg.Connection) -> None:
        """LISTEN first, then read the table: a write committed in between is in the table, its notice queued."""
        conn.execute(f"LISTEN {CHANNEL}")
        conn.execute(f"LISTEN {self._own_channel}")
        self.merge(self._read_table(conn))
        self._ready.set()

    def _hear(self, conn: psycopg.Connection) -> None:
        """Apply what arrives until closed. The notices are taken off the connection before a RELOAD reads the
        table through it (psycopg holds the connection while it waits for notices)."""
        while not self._stop.is_set():
            notices = list(conn.notifies(timeout=WAIT_SECONDS, stop_after=1))
            if not notices:
                conn.execute("SELECT 1")    # quiet for WAIT_SECONDS: still there?
            for notice in notices:
                if notice.channel == self._own_channel:
                    with self._lock:
                        marker = self._markers.get(notice.payload)
                    if marker is not None:
                        marker.set()
                elif notice.payload == RELOAD:
                    self.merge(self._read_table(conn))
                else:
                    self.merge(tuple(row) for row in json.loads(notice.payload))
