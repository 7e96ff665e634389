"""Two app servers on one PostgreSQL database behind nginx, started as the README says: `make servers`, that is
deploy/servers.py with COACHING_DB=postgresql://..., COACHING_DEMO=1, SERVERS, BALANCER_PORT and SERVERS_DIR.

What one server writes, the other shows at its next rerun (no restart); through the balancer a browser keeps
its server across reloads (the sticky cookie), and a login made there holds even on the other server. One set
of servers for the module; the last test stops them with Ctrl-C, as a person would.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from coaching.core.settings import Settings
from coaching.measurement.instrument import Instrument
from coaching.people.accounts import accounts_of
from coaching.people.teams import list_teams
from coaching.rounds import rounds
from coaching.startup import start
from tests.environment import forget_settings, without_settings
from tests.ports import free_port
from tests.postgres_server import PostgresServer

from .helpers import REPO_ROOT, STARTUP_TIMEOUT_S, log_in, settle, stop_process, table_rows, wait_for_app
from .test_journey import finish_and_send, go_to

SCRIPT = [sys.executable, "deploy/servers.py"]       # what `make servers` runs
READY = "Ctrl-C stops all."
MANAGER = ("maria@example.com", "demo-manager-1")
WAVE = "2027"          # the demo has answers in 2025 and 2026: this round's wave starts empty
ACCESS = re.compile(r'"(?P<request>[^"]*)" \d+ \d+ upstream=(?P<upstream>\S+) key=(?P<key>\S+)')


@dataclass(frozen=True)
class Address:
    """Where a browser goes: what helpers.log_in needs of a server."""

    url: str


@dataclass(frozen=True)
class Servers:
    process: subprocess.Popen[bytes]
    balancer: Address            # http://localhost:PORT, nginx
    apps: tuple[Address, ...]    # each app server itself, on the ports after the balancer's
    folder: Path                 # SERVERS_DIR: logs and the nginx config
    token: str                   # a demo person's personal link, opened in a round of WAVE
    person: str                  # their name

    def access_log(self) -> list[tuple[str, str, str]]:
        """(request, app server address, sticky key) of every request the balancer has logged so far."""
        text = (self.folder / "nginx-access.log").read_text(encoding="utf-8")
        return [(m["request"], m["upstream"], m["key"]) for m in ACCESS.finditer(text)]

    def servers_of(self, key: str) -> set[str]:
        return {upstream for _, upstream, logged in self.access_log() if logged == key}


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def open_round(url: str, base_url: str) -> tuple[str, str]:
    """The demo organisation in the new database, and a round of WAVE for Maria's first team: the first
    person's token and name. Done before the servers start, as an organisation would have it."""
    with pytest.MonkeyPatch.context() as mp:
        forget_settings(mp)
        aspire = start(Settings(db=url, demo=True, base_url=base_url))
    try:
        maria = accounts_of(aspire).actor_for_email(MANAGER[0])
        team = list_teams(aspire, maria)[0]
        _, links = rounds.open_round(aspire, maria, team.id, WAVE, dt.datetime.now(dt.UTC) + dt.timedelta(days=14))
    finally:
        aspire.close()
    return parse_qs(urlparse(links[0].url).query)["invite"][0], links[0].name


def wait_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 2 * STARTUP_TIMEOUT_S
    while READY not in log.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            pytest.fail(f"deploy/servers.py did not get ready:\n{log.read_text(errors='replace')}", pytrace=False)
        time.sleep(0.3)


@pytest.fixture(scope="module")
def servers(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    database = f"servers_{secrets.token_hex(4)}"
    postgres_server.create_database(database)
    port = free_port(3)     # the balancer's, then the two app servers'
    balancer = Address(f"http://localhost:{port}")
    token, person = open_round(postgres_server.url(database), balancer.url)
    folder = tmp_path_factory.mktemp("servers")
    env = {
        **{k: v for k, v in without_settings().items() if not k.startswith("STREAMLIT_")},
        "COACHING_DB": postgres_server.url(database),
        "COACHING_DEMO": "1",
        "SERVERS": "2",
        "BALANCER_PORT": str(port),
        "SERVERS_DIR": str(folder),
    }
    log = folder / "servers.out"
    with log.open("wb") as out:
        process = subprocess.Popen(SCRIPT, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,  # noqa: S603
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(process, log)
        yield Servers(process, balancer, (Address(f"http://127.0.0.1:{port + 1}"),
                                          Address(f"http://127.0.0.1:{port + 2}")), folder, token, person)
    finally:
        stop_process(process)
        postgres_server.drop_database(database)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context
    finally:
        context.close()


def sticky_key(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "aspire_server")


def shoot(page: Page, servers: Servers, name: str) -> None:
    page.screenshot(path=servers.folder / f"{name}.png", full_page=True)


# ---- tests --------------------------------------------------------------------------------------------------


def test_without_postgresql_make_servers_refuses_in_one_line(tmp_path: Path) -> None:
    env = {**without_settings(), "COACHING_DB": str(tmp_path / "aspire.duckdb")}
    done = subprocess.run(SCRIPT, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    assert done.returncode == 1
    assert done.stderr.strip() == ("servers: several app servers share one PostgreSQL database: set COACHING_DB="
                                   "postgresql://user:password@host:port/dbname (a DuckDB file serves one app "
                                   "server: make run)"), done.stderr


def test_an_answer_sent_through_one_server_shows_at_the_managers_next_click_on_the_other(
    browser: Browser, context: BrowserContext, servers: Servers, instrument: Instrument
) -> None:
    manager = context.new_page()
    log_in(manager, servers.apps[1], *MANAGER)
    go_to(manager, "Rounds")
    expect(manager.get_by_role("combobox", name="Round", exact=True)).to_have_value(re.compile(rf"^Wave {WAVE},"))
    rows = manager.get_by_test_id("stTable")
    states = {row[0]: row[1] for row in table_rows(rows, rows.locator("tbody tr").count())}
    assert states[servers.person] == "not started", states
    go_to(manager, "Team")
    expect(manager.get_by_role("combobox", name="Wave", exact=True)).to_have_value(WAVE)
    expect(manager.get_by_text("Nobody in this team has answered in this wave yet.")).to_be_visible()

    respondent = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = respondent.new_page()
        page.goto(f"{servers.apps[0].url}/respond?invite={servers.token}")
        wait_for_app(page)
        page.get_by_role("button", name="Start").click()
        finish_and_send(page, instrument, 1, 4)
        shoot(page, servers, "respondent-server-1")
    finally:
        respondent.close()

    go_to(manager, "Rounds")     # a click on server 2: a rerun, nothing restarted
    rows = manager.get_by_test_id("stTable")
    states = {row[0]: row[1] for row in table_rows(rows, len(states))}
    assert states[servers.person] == "submitted", states
    go_to(manager, "Team")
    expect(manager.get_by_text(re.compile(rf"^1 of \d+ members answered in wave {WAVE}\.$"))).to_be_visible()
    heatmap = manager.get_by_test_id("stPlotlyChart").first
    expect(heatmap.locator("text", has_text=servers.person)).to_have_count(1)
    shoot(manager, servers, "manager-server-2")


def test_through_the_balancer_a_browser_keeps_its_server_across_reloads(
    browser: Browser, context: BrowserContext, servers: Servers
) -> None:
    page = context.new_page()
    page.goto(servers.balancer.url)
    wait_for_app(page)
    key = sticky_key(context)
    for _ in range(3):
        page.reload()
        wait_for_app(page)
    shoot(page, servers, "balancer-after-reloads")
    # Each reload closes the page's WebSocket, and nginx logs it then: three of them, all to the same server.
    deadline = time.monotonic() + 10
    while True:
        mine = [(request, upstream) for request, upstream, logged in servers.access_log() if logged == key]
        if sum(request.startswith("GET /_stcore/stream") for request, _ in mine) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert sum(request.startswith("GET /_stcore/stream") for request, _ in mine) >= 3, mine
    assert len({upstream for _, upstream in mine}) == 1, mine
    assert sticky_key(context) == key, "the key is set once and kept"

    # Other browsers get keys of their own, and those spread over both servers.
    others: set[str] = set()
    for _ in range(16):
        other = browser.new_context()
        try:
            other.request.get(f"{servers.balancer.url}/_stcore/health")
            others |= servers.servers_of(sticky_key(other))
        finally:
            other.close()
        if len(others) == len(servers.apps):
            break
    assert others == {urlparse(app.url).netloc for app in servers.apps}


def test_a_login_through_the_balancer_holds_across_reloads_and_on_the_other_server(
    browser: Browser, context: BrowserContext, servers: Servers
) -> None:
    page = context.new_page()
    log_in(page, servers.balancer, *MANAGER)
    page.reload()
    settle(page, page.get_by_text("Logged in as"))
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    mine = servers.servers_of(sticky_key(context))
    assert len(mine) == 1, mine

    # The browser moves to the other server (its own stopped, or the list changed): a key that hashes there.
    elsewhere = None
    for _ in range(16):
        probe = browser.new_context()
        try:
            probe.request.get(f"{servers.balancer.url}/_stcore/health")
            if servers.servers_of(sticky_key(probe)) - mine:
                elsewhere = sticky_key(probe)
        finally:
            probe.close()
        if elsewhere:
            break
    assert elsewhere, "no key led to the other server"
    context.add_cookies([{"name": "aspire_server", "value": elsewhere, "url": servers.balancer.url}])
    page.reload()
    settle(page, page.get_by_text("Logged in as"))
    go_to(page, "Team")
    expect(page.get_by_test_id("stPlotlyChart").first.locator("svg.main-svg").first).to_be_attached()
    shoot(page, servers, "login-on-the-other-server")
    assert not servers.servers_of(elsewhere) & mine, "the reloaded page was served by the other server"


def test_ctrl_c_stops_every_server(servers: Servers) -> None:
    """Last in the module: the servers of the tests above are gone afterwards."""
    servers.process.send_signal(signal.SIGINT)
    assert servers.process.wait(timeout=30) == 0
    ports = [urlparse(a.url).port for a in (servers.balancer, *servers.apps)]
    assert [p for p in ports if p is not None and listening(p)] == []
