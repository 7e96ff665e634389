"""PostgreSQL going away under a running Aspire: a server stopped, started again, restarted mid-write.

A started Aspire keeps its pool of connections across the outage. While the server is down a read and a submit
raise StoreUnavailable in plain words without the password; once it is back the next ones succeed, without
restarting Aspire. Submissions racing a restart: each acknowledged one is stored whole, each failed one raised
StoreUnavailable (and is whole if it landed all the same), none is stored twice.

The database's URL carries `connect_timeout=WAIT`, as an operator's may: every wait for the server is that long.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM
from coaching.core.settings import load_settings
from coaching.db.engine import StoreUnavailable
from coaching.db.postgres import POOL_SIZE
from coaching.measurement.responses import prepare, record_responses, submit
from coaching.people.teams import list_teams
from coaching.startup import start
from tests.postgres_server import PostgresServer
from tests.stored_responses import MEMBERS, check_stored, prepare_team, submission

SEED = 7
RESTARTS = 3
WAIT = 3        # seconds: the URL's connect_timeout
#: The first read once the server is back may wait for the pool's next try (it pauses 1, 2, 4 s between tries
#: while the server is down), never for the pool to give up.
BACK_WITHIN = 5


@pytest.fixture
def started(postgres_server: PostgresServer, empty_postgresql_template: str) -> Iterator[Aspire]:
    """An Aspire started on a database of its own with one team and a wave, its pool warmed to full size.

    Afterwards the server is running again, whatever the test did to it, and the database is gone.
    """
    name = f"reconnect_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name, template=empty_postgresql_template)
    url = f"{postgres_server.url(name)}?connect_timeout={WAIT}"
    prepare_team(url)
    aspire = start(load_settings(db=url, demo=False))
    with ThreadPoolExecutor(POOL_SIZE) as pool:    # every connection of the pool in use at once, then idle
        list(pool.map(lambda _: aspire.db.query("SELECT pg_sleep(0.2)"), range(POOL_SIZE)))
    yield aspire
    if not postgres_server.running:
        postgres_server.start()
    aspire.close()
    postgres_server.drop_database(name)


def test_while_the_server_is_down_reads_and_submits_say_so_plainly_and_work_once_it_is_back(
    postgres_server: PostgresServer, started: Aspire
) -> None:
    # Validated and scored while the server is up (that reads the questionnaire), stored while it is down.
    prepared = [prepare(started, submission(started, SEED, n)) for n in range(MEMBERS)]
    postgres_server.stop()
    began = time.monotonic()
    refused = [_refusal(lambda: list_teams(started, SYSTEM))]
    assert time.monotonic() - began < 2 * WAIT, "the person waited longer than the URL's connect_timeout"
    began = time.monotonic()
    with ThreadPoolExecutor(MEMBERS) as pool:       # submissions queued together are refused together
        refused += pool.map(lambda response: _refusal(lambda: record_responses(started, SYSTEM, [response])),
                            prepared)
    assert time.monotonic() - began < 3 * WAIT, "queued submissions waited for the server one by one"
    for message in refused:
        assert "cannot be reached right now" in message and len(message.splitlines()) == 1, message
        assert postgres_server.password not in message

    postgres_server.start()
    began = time.monotonic()
    assert [team.name for team in list_teams(started, SYSTEM)] == ["Submitting team"]
    assert time.monotonic() - began < BACK_WITHIN, "the first read after the outage kept the person waiting"
    (response_id,) = submit(started, SYSTEM, [submission(started, SEED, MEMBERS)])
    check_stored(started, [(response_id, MEMBERS)], SEED, "after the server came back")


def _refusal(action: Callable[[], object]) -> str:
    """The message of the StoreUnavailable that `action` raises."""
    with pytest.raises(StoreUnavailable) as caught:
        action()
    return str(caught.value)


def test_a_restart_closes_every_pooled_connection_and_the_next_actions_get_fresh_ones(
    postgres_server: PostgresServer, started: Aspire
) -> None:
    """Every idle connection in the pool is dead after a restart; none of them may reach a caller, nor keep one
    waiting until the pool gives up (each dead one found costs psycopg_pool a growing pause before the next)."""
    postgres_server.restart()
    assert [team.name for team in list_teams(started, SYSTEM)] == ["Submitting team"]
    with ThreadPoolExecutor(POOL_SIZE) as pool:
        teams = list(pool.map(lambda _: list_teams(started, SYSTEM), range(2 * POOL_SIZE)))
    assert all([team.name for team in found] == ["Submitting team"] for found in teams)


def test_submissions_racing_restarts_are_acknowledged_whole_or_refused_plainly(
    postgres_server: PostgresServer, started: Aspire
) -> None:
    acknowledged: list[tuple[int, int]] = []
    refused: list[StoreUnavailable] = []
    unexpected: list[BaseException] = []
    done = threading.Event()

    def keep_submitting(member: int) -> None:
        """Member `member`'s submissions, one at a time (numbers member, member + MEMBERS, ...) until done."""
        n = member
        while not done.is_set():
            try:
                (response_id,) = submit(started, SYSTEM, [submission(started, SEED, n)])
                acknowledged.append((response_id, n))
            except StoreUnavailable as exc:
                refused.append(exc)
            except BaseException as exc:  # noqa: BLE001 - any other error is the finding
                unexpected.append(exc)
                return
            n += MEMBERS

    rng = random.Random(SEED)
    threads = [threading.Thread(target=keep_submitting, args=(member,)) for member in range(MEMBERS)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(RESTARTS):
            done.wait(rng.uniform(0.3, 1.0))
            postgres_server.restart()
        before = len(acknowledged)
        done.wait(1.0)
    finally:
        done.set()
        for thread in threads:
            thread.join()

    assert not unexpected, [f"{type(e).__name__}: {e}" for e in unexpected]
    assert len(acknowledged) > before, "no submission was acknowledged after the last restart"
    assert all(postgres_server.password not in str(exc) for exc in refused)
    check_stored(started, acknowledged, SEED, f"{len(acknowledged)} acknowledged, {len(refused)} refused")
