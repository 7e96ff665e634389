"""Aspire in Debian's Chromium against `streamlit run`: cold start, memory per open session, respondents at once.

Why a real server and a real browser: AppTest times the script alone. What a person waits for on the
first visit (process start, imports, the first page drawn), what each open tab costs the server in
memory, and whether answers sent at the same moment all arrive, show only here.

Pages are driven with the browser tests' own helpers (tests/e2e), so the benchmark clicks as those
tests do. Every server opens its own copy of the demo organisation (COACHING_DEMO=1, seeded once per
run): invitations are issued with `coaching.rounds.rounds.open_round` before the server starts, because a
running server holds the database file's lock, and answers are counted after it has stopped.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from coaching.core.actors import SYSTEM
from coaching.core.settings import Settings, load_settings
from coaching.demo import DEMO_ACCOUNTS
from coaching.measurement.instrument import TOP_PICKS, Instrument
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import list_waves
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.teams import list_members, list_teams
from coaching.rounds.rounds import open_round
from coaching.startup import start
from coaching.ui.respondent import NO_LINK
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, STARTUP_TIMEOUT_S, AppServer, log_in
from tests.e2e.test_journey import click, finish_and_send, open_link, press, section_text

BARE_SCRIPT = "bench/bare_page.py"
COLD_STARTS = 3        # repetitions of each cold start, app and bare page interleaved
SESSIONS = 10          # logged-in browser sessions kept open while the server's memory is read
RESPONDENTS = 10       # browsers answering the questionnaire at the same time
WAVE = "2089"          # the wave of the respondents' round: a year of its own, so every answer is a new response
RUN_LOG = "ASPIRE_RUN_LOG"                          # read by bench/rerun_hook/sitecustomize.py
RERUN_HOOK = Path(__file__).with_name("rerun_hook")
MANAGER = next(a for a in DEMO_ACCOUNTS if a.team)  # the first demo manager: their team has a chart to draw
FAILURES = (Exception, pytest.fail.Exception)       # the e2e helpers fail with pytest's own exception


def p95(values: tuple[float, ...]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


@dataclass(frozen=True)
class ColdStart:
    """Seconds from `streamlit run` starting to something drawn in the browser, one value per repetition."""

    bare_s: tuple[float, ...]       # the bare page's chart
    first_s: tuple[float, ...]      # the app's first screen: the login form at the home address
    home_s: tuple[float, ...]       # home's chart, after logging in (a second page load and the password check)

    @property
    def over_bare(self) -> float:
        return statistics.median(self.first_s) / statistics.median(self.bare_s)


@dataclass(frozen=True)
class Memory:
    """The server's resident memory (VmRSS, MB) with no session, then after each new session showed Team."""

    idle_mb: float
    sessions_mb: tuple[float, ...]

    @property
    def per_session_mb(self) -> float:
        """Least-squares slope over sessions 1..n: the first session's one-off imports fall in the intercept."""
        return statistics.linear_regression(range(1, len(self.sessions_mb) + 1), self.sessions_mb).slope


@dataclass(frozen=True)
class ServerTimes:
    """Milliseconds the server spent, one value each: wall clock, and the CPU time of the script's thread."""

    wall_ms: tuple[float, ...]
    cpu_ms: tuple[float, ...]


@dataclass(frozen=True)
class Answering:
    """Respondents answering at once in browsers of their own, and the server's time per script run meanwhile."""

    respondents: int
    stored: int                     # complete current responses of the invited in the wave, counted afterwards
    failures: tuple[str, ...]       # browsers that did not reach their profile, and why
    seconds: float                  # from the links opening together to the last browser done
    runs: ServerTimes               # every script run the server made
    requests: ServerTimes           # every rerun request it handled (st.rerun() continuations included)
    collections: ServerTimes        # every full garbage collection (Streamlit runs one after each script run)

    @property
    def lost(self) -> int:
        return self.respondents - self.stored


@dataclass
class BrowserRun:
    """What was measured; a part that could not be measured is None, with its reason in `problems`."""

    cold: ColdStart | None = None
    memory: Memory | None = None
    answering: Answering | None = None
    problems: dict[str, str] = field(default_factory=dict)


def measure_browser(work: Path, say: Callable[[str], None]) -> BrowserRun:
    """The three browser measurements, each against servers of its own; one failing leaves the others."""
    run = BrowserRun()
    demo = _demo_database(work / "browser")

    def attempt(name: str, measure: Callable[[], Any]) -> Any:
        say(f"browser: {name}…")
        try:
            return measure()
        except FAILURES as exc:
            run.problems[name] = _reason(exc)
            say(f"browser: {name} not measured: {run.problems[name]}")
            return None

    with _chromium() as browser:
        run.cold = attempt("cold start", lambda: _cold_start(browser, demo, work))
        run.memory = attempt("memory", lambda: _memory(browser, demo, work))
        run.answering = attempt("answering", lambda: _answering(browser, demo, work))
    return run


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


# ---- servers -------------------------------------------------------------------------------------------------


def _demo_database(folder: Path) -> Path:
    """The demo organisation, seeded once; each server gets a copy, so every start opens the same file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo.duckdb"
    start(load_settings(db=path, demo=True)).close()
    return path


def _server(demo: Path, workdir: Path, script: str = "app.py", env: dict[str, str] | None = None) -> AppServer:
    """A server (not started yet) on its own copy of the demo database, configured as `make run` does."""
    server = AppServer(workdir, env={"COACHING_DEMO": "1", **(env or {})}, script=script)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo, server.db_path)
    return server


@contextmanager
def _running(server: AppServer) -> Iterator[AppServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def _chromium() -> Iterator[Browser]:
    """One Chromium for this thread: Playwright's objects belong to the thread that made them."""
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def _launch(playwright: Playwright) -> Browser:
    """Debian's Chromium with the browser tests' arguments (never a browser from `playwright install`)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def _chart(page: Page) -> None:
    """Until the first plotly chart of the main area is drawn."""
    page.get_by_test_id("stMain").get_by_test_id("stPlotlyChart").first.locator("svg.main-svg").first.wait_for()


# ---- cold start ----------------------------------------------------------------------------------------------


def _cold_start(browser: Browser, demo: Path, work: Path) -> ColdStart:
    """Interleaved, so a burst of other work on the machine slows both pages of a round alike."""
    bare, first, home = [], [], []
    for n in range(COLD_STARTS):
        bare.append(_seconds_to_bare(browser, _server(demo, work / f"cold-bare-{n}", BARE_SCRIPT)))
        first_s, home_s = _seconds_to_home(browser, _server(demo, work / f"cold-app-{n}"))
        first.append(first_s)
        home.append(home_s)
    return ColdStart(tuple(bare), tuple(first), tuple(home))


def _seconds_to_bare(browser: Browser, server: AppServer) -> float:
    context = browser.new_context()
    began = time.perf_counter()
    try:
        with _running(server):
            page = context.new_page()
            page.goto(server.url)
            _chart(page)
            return time.perf_counter() - began
    finally:
        context.close()


def _seconds_to_home(browser: Browser, server: AppServer) -> tuple[float, float]:
    """Process start to the login form, and to home's chart after logging in as the demo manager."""
    context = browser.new_context()
    began = time.perf_counter()
    try:
        with _running(server):
            page = context.new_page()
            page.goto(server.url)
            page.get_by_label("Password", exact=True).wait_for()
            first = time.perf_counter() - began
            log_in(page, server, MANAGER.email, MANAGER.password)
            _chart(page)
            return first, time.perf_counter() - began
    finally:
        context.close()


# ---- memory per session --------------------------------------------------------------------------------------


def _memory(browser: Browser, demo: Path, work: Path) -> Memory:
    """Sessions opened one after another and all kept open: each logs in and shows Team, then memory is read."""
    contexts = []
    with _running(_server(demo, work / "memory")) as server:
        idle = _rss_mb(server)
        after = []
        try:
            for _ in range(SESSIONS):
                contexts.append(context := browser.new_context())
                page = context.new_page()
                log_in(page, server, MANAGER.email, MANAGER.password)
                # The heading exactly: go_to's looser match also finds the screen's "The team's needs…".
                click(page, page.get_by_role("link", name="Team", exact=True),
                      then=page.get_by_role("heading", name="Team", exact=True))
                _chart(page)
                after.append(_rss_mb(server))
        finally:
            for context in contexts:
                context.close()
    return Memory(idle, tuple(after))


def _rss_mb(server: AppServer) -> float:
    status = Path(f"/proc/{server.process.pid}/status").read_text(encoding="ascii")
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kib / 1024


# ---- respondents at once -------------------------------------------------------------------------------------


def _answering(browser: Browser, demo: Path, work: Path) -> Answering:
    """RESPONDENTS browsers, each a Chromium in a thread of its own, open their links together once all have
    started, and answer; the server logs each script run's time (bench/rerun_hook)."""
    run_log = work / "answering-runs.log"
    server = _server(demo, work / "answering", env={"PYTHONPATH": str(RERUN_HOOK), RUN_LOG: str(run_log)})
    links, instrument = _invite(server)
    released: list[float] = []
    ready = threading.Barrier(len(links), action=lambda: released.append(time.perf_counter()))
    with _running(server), ThreadPoolExecutor(len(links)) as pool:
        _warm(browser, server, run_log)
        outcomes = list(pool.map(lambda n: _respond(links[n], instrument, 2 + n % 3, ready), range(len(links))))
        seconds = time.perf_counter() - released[0] if released else 0.0
    failures = tuple(outcome for outcome in outcomes if outcome)
    return Answering(len(links), _complete(server), failures, seconds, *_server_times(run_log, "run", "request", "gc"))


def _warm(browser: Browser, server: AppServer, run_log: Path) -> None:
    """One visit to the respondent's address without a link, its runs then dropped from the log.

    A server that has been up a while has imported the respondent's screen; without this, the first runs
    of the ten sessions would all wait for those imports and alone make up the 95th percentile.
    """
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server.url}/respond")
        page.get_by_text(NO_LINK).wait_for()
    finally:
        context.close()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while "request" not in (run_log.read_text(encoding="ascii") if run_log.exists() else ""):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server logged no script run in {run_log}: is bench/rerun_hook on its PYTHONPATH?")
        time.sleep(0.05)
    run_log.unlink()


def _server_times(run_log: Path, *kinds: str) -> list[ServerTimes]:
    """The hook's lines ("<kind> <wall ms> <cpu ms>") of each kind, in the order asked."""
    rows = [line.split() for line in run_log.read_text(encoding="ascii").splitlines()]
    return [ServerTimes(*(tuple(float(r[column]) for r in rows if r[0] == kind) for column in (1, 2)))
            for kind in kinds]


def _settings(server: AppServer) -> Settings:
    return load_settings(db=server.db_path, demo=True, base_url=server.url)


def _invite(server: AppServer) -> tuple[list[str], Instrument]:
    """Rounds in WAVE for the demo teams, each opened by its manager, until RESPONDENTS are invited: their links."""
    aspire = start(_settings(server))
    try:
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=14)
        links: list[str] = []
        for account in (a for a in DEMO_ACCOUNTS if a.team):
            manager = accounts_of(aspire).actor_for_email(account.email)
            for team in list_teams(aspire, manager):
                wanted = [m.id for m in list_members(aspire, manager, team.id)][:RESPONDENTS - len(links)]
                if wanted:
                    links += [link.url for link in open_round(aspire, manager, team.id, WAVE, deadline,
                                                              member_ids=wanted)[1]]
        return links, current_instrument(aspire)
    finally:
        aspire.close()


def _respond(link: str, instrument: Instrument, value: int, ready: threading.Barrier) -> str:
    """One respondent from opening the link to their profile; '' when it got there, otherwise what went wrong."""
    try:
        with _chromium() as browser:
            ready.wait(timeout=STARTUP_TIMEOUT_S)
            page = open_link(browser.new_context(), link)
            press(page, "Start", then=page.get_by_text(section_text(instrument, 1)))
            finish_and_send(page, instrument, first_section=1, value=value)
        return ""
    except FAILURES as exc:
        ready.abort()   # whoever still waits for this browser stops waiting
        return _reason(exc)


def _complete(server: AppServer) -> int:
    """Responses in WAVE, after the server stopped, that hold every rating and the top three."""
    aspire = start(_settings(server))
    try:
        wave = next(w for w in list_waves(aspire) if w.name == WAVE)
        items = {item.id for item in current_instrument(aspire).items}
        return sum(1 for r in ResponseRows(aspire.db).current_responses(SYSTEM, wave.id)
                   if set(r.answers.ratings) == items and len(r.answers.top_three) == TOP_PICKS)
    finally:
        aspire.close()
