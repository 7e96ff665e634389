"""Timing screens with AppTest: the real app.py against one database, and the bare yardstick page.

Why reruns of one AppTest: a rerun is what a manager waits for on every click, and it keeps the
session (actor, chosen page) and the process-wide Aspire (connection, reliability cache) warm, as
a running app does. The first run of each screen is reported apart as "warm-up": it includes
opening the database and estimating reliability over every response, once per process.

The session starts logged in: the actor is put into session state under "actor", which is what
logging in stores (and what the app read before accounts existed). Logging in is not what is timed,
and its password hashing would only add noise.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

import coaching.ui.context as ui_context
from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.core.settings import PROJECT_DIR, Settings
from coaching.people.accounts import accounts_of

APP = PROJECT_DIR / "app.py"
BARE = Path(__file__).with_name("bare_page.py")
TIMEOUT = 600   # seconds; the warm-up on a large organisation reads every response once


@dataclass(frozen=True)
class Screen:
    """A screen to time: the page to switch to (None: the default page) and the least it must show.

    A screen that shows fewer charts or tables than this showed an empty or partial state, whose time
    would say nothing about the screen the benchmark means to measure.
    """

    name: str
    page: str | None
    charts: int = 0
    tables: int = 0

    def check(self, at: AppTest) -> str:
        charts, tables = len(at.get("plotly_chart")), len(at.dataframe) + len(at.table)
        if charts < self.charts or tables < self.tables:
            captions = " ".join(c.value for c in at.caption)[:300]
            raise ScreenError(self.name, f"expected at least {self.charts} charts and {self.tables} tables, got "
                                         f"{charts} and {tables}: {captions!r}")
        people = [c.value for c in at.caption if " answered" in c.value or " who answered" in c.value]
        said = f"; {people[0][:60]}" if people else ""
        return f"{charts} chart{'s' * (charts != 1)}, {tables} table{'s' * (tables != 1)}{said}"


@dataclass(frozen=True)
class Timing:
    name: str
    warmup_ms: float
    runs_ms: tuple[float, ...]
    shows: str

    @property
    def median(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def p90(self) -> float:
        """Nearest-rank 90th percentile: with 15 runs, the 14th fastest."""
        ordered = sorted(self.runs_ms)
        return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]


# The screens a manager opens most, in the order they are timed; add a screen here and every table follows.
SCREENS = (
    Screen("home", None, charts=1),
    Screen("team", "screens/team.py", charts=1, tables=1),
    Screen("member", "screens/member.py", charts=2),
)
BARE_SCREEN = Screen("bare page", None, charts=1)


class ScreenError(RuntimeError):
    """A screen showed an error or not what it should: its time would mean nothing."""

    def __init__(self, screen: str, problem: str) -> None:
        super().__init__(f"{screen}: {problem}")


@dataclass(frozen=True)
class Target:
    """One session to time: a script, the screen it should show, who is logged in, and which database it reads.

    `db` None leaves COACHING_DB as it is (the bare page opens no database); otherwise COACHING_DB is pointed
    at it before every run of this session, so sessions on DuckDB and on PostgreSQL can be interleaved.
    """

    label: str
    script: Path
    screen: Screen
    actor: Actor | None = None
    db: Path | str | None = None


def time_screens(targets: list[Target], runs: int) -> dict[str, Timing]:
    """One session per target, one warm-up run each, then `runs` rounds timing every target once per round.

    Interleaved on purpose: a burst of other work on the machine then slows every screen of that
    round, the bare page included, instead of one screen's whole series, so the ratios stay honest.
    """
    sessions = []
    for target in targets:
        point_at(target.db)
        at = open_screen(target.script, target.screen, target.actor)
        t0 = time.perf_counter()
        run_checked(at, target.screen)
        sessions.append((target, at, (time.perf_counter() - t0) * 1000, []))
    for _ in range(runs):
        for target, at, _, times in sessions:
            point_at(target.db)
            t0 = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t0) * 1000)
    return {target.label: Timing(target.label, warmup, tuple(times), _verify(at, target.screen))
            for target, at, warmup, times in sessions}


def time_after(target: Target, event: Callable[[], None], warm: int = 3) -> float:
    """Ms of the first rerun of a warm session after `event` changed the organisation."""
    point_at(target.db)
    at = open_screen(target.script, target.screen, target.actor)
    for _ in range(warm):
        run_checked(at, target.screen)
    event()
    t0 = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - t0) * 1000
    _verify(at, target.screen)
    return elapsed


def point_at(db: Path | str | None) -> None:
    """The app's get_aspire keys its Aspire on COACHING_* variables: this picks the database of the next run."""
    if db is not None:
        os.environ["COACHING_DB"] = str(db)


def prime(runs: int = 5) -> None:
    """Run the bare page a few times untimed before anything is measured.

    The first AppTest runs of a process pay for imports and plotly's validators; without this the
    first size's bare page, the denominator of every ratio, would carry them.
    """
    at = AppTest.from_file(str(BARE), default_timeout=TIMEOUT)
    for _ in range(runs):
        run_checked(at, BARE_SCREEN)


def open_screen(script: Path, screen: Screen, actor: Actor | None) -> AppTest:
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    if actor is not None:   # logged in as app.py checks it: a session of the account in the database
        at.session_state["actor"] = actor
        at.session_state["account_session"], _ = accounts_of(ui_context.get_aspire()).start_session(actor)
    if screen.page is not None:
        _verify(at.run(), screen, content=False)
        at.switch_page(screen.page)
    return at


def run_checked(at: AppTest, screen: Screen) -> None:
    at.run()
    _verify(at, screen)


def _verify(at: AppTest, screen: Screen, *, content: bool = True) -> str:
    """Refuse to time an exception or the app's error screen; otherwise say what the screen showed."""
    if at.exception:
        raise ScreenError(screen.name, "; ".join(e.message for e in at.exception) + " (traceback logged above)")
    errors = [e.value for e in at.error]
    if errors:
        raise ScreenError(screen.name, "; ".join(errors))
    return screen.check(at) if content else ""


@contextmanager
def compiled_once() -> Iterator[None]:
    """Compile each script once for the whole run, as a server does, instead of on every AppTest run.

    AppTest makes a fresh ScriptCache for every run, so each rerun of the app recompiles app.py and the
    page (with Streamlit's magic pass over the syntax tree); a server keeps one ScriptCache for all
    sessions and compiles a script once. Without this a screen (two scripts per run) would be charged a
    compile cost twice the bare page's (one script) that no user ever waits for.
    """
    shared = ScriptCache()
    saved = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved


@contextmanager
def app_on(db: Path | str) -> Iterator[list[Aspire]]:
    """Point the app at one database (a file or a PostgreSQL URL), and close every Aspire it opened afterwards.

    Yields the list of the Aspires the app opened (filled as it opens them), so a benchmark can
    change the organisation through the very object the app uses.

    The app caches one Aspire per settings in st.cache_resource; clearing that cache alone would
    leave the DuckDB file open, so the real `start` is wrapped to remember what it opened.
    """
    saved = {k: v for k, v in os.environ.items() if k.startswith("COACHING_")}
    for name in saved:
        del os.environ[name]
    os.environ.update(COACHING_DB=str(db), COACHING_DEMO="false")
    opened: list[Aspire] = []
    real_start = ui_context.start

    def recording_start(settings: Settings) -> Aspire:
        aspire = real_start(settings)
        opened.append(aspire)
        return aspire

    ui_context.start = recording_start
    st.cache_resource.clear()
    try:
        yield opened
    finally:
        st.cache_resource.clear()
        ui_context.start = real_start
        for aspire in opened:
            aspire.close()
        for name in ("COACHING_DB", "COACHING_DEMO"):
            os.environ.pop(name, None)
        os.environ.update(saved)
