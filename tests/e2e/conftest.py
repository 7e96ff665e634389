"""Browser tests: Debian's Chromium driven by pytest-playwright against a real `streamlit run server.py`.

- Every test in this folder carries the `e2e` marker (`pytest -m "not e2e"` leaves them out).
- Chromium's headless build must be at /usr/bin/chromium-headless-shell; without it these tests fail, they never
  skip.
- `demo_app` shares one server (demo data, its own database) per test module; `app_factory` starts
  servers with any other settings for a single test.
- `page` is one tab per test module, handed to each test with no cookies, no storage and nothing loaded;
  `new_visitor` hands it out again, reset, to each of several people a test plays in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from .helpers import APP_TIMEOUT_MS, CHROMIUM, CHROMIUM_ARGS, AppServer, start_app

E2E_DIR = Path(__file__).resolve().parent
#: Playwright's window size for a context that names none.
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failing browser test, attach the tail of each app server's output to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, AppServer):
                report.sections.append((f"streamlit output ({name}, {value.url})", value.log_tail(60)))


@pytest.fixture(scope="session", autouse=True)
def _require_chromium(pytestconfig: pytest.Config) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium-headless-shell`"
            " (browser tests never skip)",
            pytrace=False,
        )
    others = [name for name in pytestconfig.getoption("--browser") or [] if name != "chromium"]
    if others:
        pytest.fail(f"browser tests run on Debian's Chromium only, not {', '.join(others)}", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _patient_assertions() -> None:
    """Wait as long for an assertion as for the app itself: on 2 busy cores a first page (demo seeding,
    two servers per worker) can take longer than Playwright's 5 s default, which is no defect of the app."""
    expect.set_options(timeout=APP_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], _require_chromium: None) -> dict[str, Any]:
    """Launch Debian's Chromium, never a browser downloaded by `playwright install`."""
    args = {k: v for k, v in browser_type_launch_args.items() if k != "channel"}
    return {
        "headless": True,  # `--headed` (plugin option) still turns it off
        **args,
        "executable_path": str(CHROMIUM),
        "args": [*CHROMIUM_ARGS, *args.get("args", [])],
    }


@pytest.fixture(scope="module")
def _module_context(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[BrowserContext]:
    """The browser context of a test module's `page`: one tab for the whole module, reset between its tests."""
    context = browser.new_context(**browser_context_args)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def new_visitor(_module_context: BrowserContext, browser_context_args: dict[str, Any]) -> Callable[[], Page]:
    """Hands out the module's tab as a new visitor's browser has it; each call resets it for the next person.

    For a test with several people in turn (or one person on another device): each call forgets the last
    one's cookies, storage and page, so the app sees a stranger, without the cost of a browser context each.
    """
    viewport = browser_context_args.get("viewport") or DEFAULT_VIEWPORT
    return lambda: _blank_tab(_module_context, viewport)


@pytest.fixture
def page(new_visitor: Callable[[], Page]) -> Page:
    """A tab as a new one is for the app: no cookies, no storage, the default window size, nothing loaded.

    Why one tab per module instead of pytest-playwright's new context per test: a new context starts a new
    renderer, which fetches and compiles Streamlit's frontend again. Logging in and drawing home took 2.7 s of
    Chromium's CPU in a new context and 1.6 s in a reused tab (median of 4). Over the browser tests (3 workers,
    before and after back to back, in both orders) Chromium used 341 s against 364 s, and 294 s against 412 s.
    Tests that need a browser of their own beside this one (another person at the same time, a locale) still
    make their own.
    """
    return new_visitor()


def _blank_tab(context: BrowserContext, viewport: Mapping[str, int]) -> Page:
    """The context's first tab (others closed) with no cookies, no storage, at about:blank and `viewport`."""
    first, *others = context.pages or [context.new_page()]
    for other in others:
        other.close()
    try:
        if first.url.startswith(("http://", "https://")):
            first.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        first.goto("about:blank")
    except PlaywrightError:         # the last test left it crashed or closed: a new tab then
        first = context.new_page()
    _forget_storage(context, first)
    context.clear_cookies()
    first.set_viewport_size(dict(viewport))
    return first


def _forget_storage(context: BrowserContext, tab: Page) -> None:
    """Clear what every address the module's tests visited kept in the browser (local storage and the like)."""
    kept = context.storage_state()["origins"]
    if kept:
        devtools = context.new_cdp_session(tab)
        for origin in kept:
            devtools.send("Storage.clearDataForOrigin", {"origin": origin["origin"], "storageTypes": "all"})
        devtools.detach()


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One app server with the demo organisation (COACHING_DEMO=1) shared by a whole test module."""
    server = start_app(tmp_path_factory.mktemp("demo-app"), {"COACHING_DEMO": "1"})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator[Callable[..., AppServer]]:
    """Start app servers with given COACHING_* settings for one test; all are stopped afterwards.

    `app_factory({"COACHING_DEMO": "0"})` -> AppServer with `.url`, `.db_path`, `.log()`.
    """
    servers: list[AppServer] = []

    def factory(env: Mapping[str, str] | None = None, script: str = "server.py") -> AppServer:
        server = AppServer(tmp_path / f"app-{len(servers)}", env=env, script=script)
        servers.append(server)
        return server.start()

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def base_url() -> None:
    """No shared base URL: each test opens its own server's `.url`.

    Overriding pytest-playwright's fallback fixture also avoids its PytestRemovedIn10Warning
    (a session fixture defined as an instance method).
    """
    return None
