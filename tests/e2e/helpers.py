"""Browser-test helpers: a real `streamlit run` on a free loopback port, and waits on the page.

An `AppServer` owns one Streamlit process with its own database under a temporary folder; it is
ready only once `/_stcore/health` answers "ok". The page helpers wait on the status Streamlit
publishes on its root element (`data-test-script-state`), never on fixed sleeps.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from coaching.aspire import Aspire
from coaching.core.settings import Settings
from coaching.startup import start
from tests.environment import forget_settings, without_settings
from tests.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Debian's headless build of Chromium (package chromium-headless-shell), the kind pytest-playwright runs headless by
#: default: the same engine without the desktop browser's window machinery. Over the 73 browser tests it used 293 s
#: of CPU where /usr/bin/chromium used 380 s (3 workers, back to back). The app's PDF brief still draws its charts
#: with /usr/bin/chromium.
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

STARTUP_TIMEOUT_S = 60.0
APP_TIMEOUT_MS = 30_000
#: Text of the app's own error screen (it replaces tracebacks); must never show in a passing test.
ERROR_SCREEN_TEXT = "Something went wrong"


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError):
        return None


class AppServer:
    """One `streamlit run <script>` process, its URL and its captured output."""

    def __init__(
        self,
        workdir: Path,
        env: Mapping[str, str] | None = None,
        script: str = "server.py",
        extra_args: Sequence[str] = (),
    ):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = self.workdir / "e2e.duckdb"
        self.script = script
        self.extra_args = list(extra_args)
        self.log_path = self.workdir / f"streamlit-{self.port}.log"
        # The developer's own COACHING_* settings never leak into a test server.
        self.env = {
            **without_settings(),
            "PYTHONUNBUFFERED": "1",
            "COACHING_DB": str(self.db_path),
            "COACHING_BASE_URL": self.url,
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "streamlit", "run", self.script,
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            *self.extra_args,
        ]  # fmt: skip

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> AppServer:
        """Start the server and block until its health endpoint answers "ok"; fail the test if not."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                self.command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                pytest.fail(
                    f"streamlit run {self.script} exited with code {self.process.returncode} "
                    f"before becoming healthy; its output ends with:\n{self.log_tail()}",
                    pytrace=False,
                )
            if _health(self.url) == "ok":
                return self
            time.sleep(0.2)
        self.stop()
        pytest.fail(
            f"streamlit run {self.script} did not answer {self.url}/_stcore/health within {timeout:.0f} s; "
            f"its output ends with:\n{self.log_tail()}",
            pytrace=False,
        )

    def stop(self) -> None:
        stop_process(self.process)

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr together)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:]) or "(no output)"

    def __enter__(self) -> AppServer:
        return self if self.process is not None else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def demo_organisation(server: AppServer, base_url: str | None = None) -> Iterator[Aspire]:
    """The demo organisation in the database `server` will open, for a test to prepare (rounds, links)
    through the domain before the server starts; the developer's own COACHING_* settings never leak in."""
    server.workdir.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        forget_settings(mp)
        aspire = start(Settings(db=server.db_path, demo=True, base_url=base_url or server.url))
    try:
        yield aspire
    finally:
        aspire.close()


def start_app(
    tmp_path: Path, env: Mapping[str, str] | None = None, script: str = "server.py", extra_args: Sequence[str] = ()
) -> AppServer:
    """Start `streamlit run <script>` from the repo root with a fresh database under tmp_path.

    `extra_args` go after the server options, e.g. `["--secrets.files", str(path)]`. The caller stops
    it (`server.stop()`, or use it as a context manager); the `app_factory` fixture does that for you.
    """
    return AppServer(tmp_path, env=env, script=script, extra_args=extra_args).start()


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Block until the app is connected, its script has finished and no element is still loading.

    Call after `page.goto(...)` and after any interaction that triggers a rerun.
    """
    # Some widgets debounce their rerun (~200 ms); start looking only after that.
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms
    )
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout_ms)


def assert_no_exception(page: Page) -> None:
    """Fail if Streamlit's exception box or the app's error screen is on the page."""
    boxes = page.locator("[data-testid='stException']")
    if boxes.count():
        pytest.fail(f"the page shows an exception:\n{boxes.first.inner_text()}", pytrace=False)
    if page.get_by_text(ERROR_SCREEN_TEXT).count():
        pytest.fail(f"the page shows the error screen ({ERROR_SCREEN_TEXT!r})", pytrace=False)


def settle(page: Page, shown: Locator, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """After an interaction: wait until `shown` (something only the new run draws) is visible, then until
    that run has finished, and check that no exception shows.

    `wait_for_app` alone can return before the rerun an interaction asked for has even started (under load
    its state attribute still says "notRunning" from the run before after its 250 ms), or between the two
    runs of an `st.rerun()`. Until the run that draws the new page has finished, the parts it has not redrawn
    yet are the previous run's elements, and a click on one of those is lost (seen: "Save and continue" of
    the next step, clicked while the previous step's form was still there, did nothing).
    """
    expect(shown).to_be_visible(timeout=timeout_ms)
    # What `wait_for_app` checks, without its first pause: the run that drew `shown` has surely started.
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']"
                 "[data-test-script-state='notRunning']").wait_for(state="attached", timeout=timeout_ms)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout_ms)
    assert_no_exception(page)


def open_expander(page: Page, label: str) -> None:
    """Open the closed expander `label` with a click, and wait until it has finished opening.

    Streamlit animates an expander's opening (half a second, longer under load), and a click on a form's button
    inside it meanwhile was lost (seen in CI twice: "Create team" and "Add goal" pressed, the form still filled and
    no run). A person presses what they see once it has opened.
    """
    details = page.get_by_test_id("stExpander").locator("details").filter(
        has=page.locator("summary").get_by_text(label, exact=True))
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    # Two frames on, the opening's animation has begun; then wait for it to end.
    details.evaluate("""d => new Promise(frame => requestAnimationFrame(() => requestAnimationFrame(frame)))
        .then(() => Promise.all(d.getAnimations().map(a => a.finished)))""")


#: True once the option the combobox `box` marks active (the one Enter picks) shows `typed`.
ACTIVE_OPTION_SHOWS = ("([box, typed]) => { const id = box.getAttribute('aria-activedescendant');"
                       " const option = id && document.getElementById(id);"
                       " return !!option && option.textContent.includes(typed); }")


def combobox_state(page: Page, box: Locator) -> str:
    """What a failed pick needs to be understood: where keyboard focus is, and what the box and its list show."""
    return page.evaluate("""box => {
        const a = document.activeElement;
        return `focus on <${a && a.tagName.toLowerCase()} ${a && (a.getAttribute('aria-label') || a.id || '')}>`
            + ` "${a && (a.textContent || '').slice(0, 60)}", box value "${box.value}",`
            + ` aria-expanded=${box.getAttribute('aria-expanded')}, options shown:`
            + ` ${document.querySelectorAll('[role=option]').length}`; }""", box.element_handle())


#: How long the open list may take to narrow to the typed option before the person types it again.
NARROWING_MS = 10_000
TYPINGS = 3


def type_to_pick(page: Page, box: Locator, typed: str) -> None:
    """In the focused selectbox `box`, type `typed` and press Enter, as a keyboard user picks an option.

    Enter picks the option the open list marks active. The list opens on the first key with every option, then
    narrows as the keys arrive, and under load it can end narrowed with no option marked active: Enter then picks
    nothing while the box still shows the typed text as if picked (seen in CI: a top three sent with one place
    empty). So Enter waits until the list has narrowed and the typed option is active (moving onto it with the
    arrow key when nothing is), and the pick counts once the list has closed on it.

    Under load the list can also close again at once, the typed text left in the box and focus still on it (seen
    here, 1 run in 3 of the journey beside other browser tests): nothing is picked, and a person types it again.
    """
    for typing in range(1, TYPINGS + 1):
        page.keyboard.press("ControlOrMeta+A")      # what an earlier typing left in the box is typed over
        page.keyboard.type(typed)
        try:
            expect(page.get_by_role("option")).to_have_count(1, timeout=NARROWING_MS)   # narrowed to the option
            break
        except AssertionError as missed:
            if typing == TYPINGS:
                raise AssertionError(f"typed {typed!r} {TYPINGS} times, and the list never narrowed to it: "
                                     f"{combobox_state(page, box)}") from missed
    if not page.evaluate(ACTIVE_OPTION_SHOWS, [box.element_handle(), typed]):
        page.keyboard.press("ArrowDown")    # nothing marked active: a keyboard user moves onto the option
    page.wait_for_function(ACTIVE_OPTION_SHOWS, arg=[box.element_handle(), typed], timeout=APP_TIMEOUT_MS)
    page.keyboard.press("Enter")
    expect(page.get_by_role("listbox")).to_have_count(0)
    expect(box).to_have_value(re.compile(re.escape(typed)))


def table_rows(table: Locator, count: int) -> list[list[str]]:
    """The body cells of a table drawn by `show_table` (an `st.table`), row by row as the reader sees them,
    once it shows `count` rows: without the invisible word joiners that keep typed addresses from becoming links."""
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(count)
    return rows.evaluate_all("rows => rows.map(r => [...r.querySelectorAll('td')]"
                             ".map(c => c.textContent.replaceAll('\u2060', '')))")


def stop_process(process: subprocess.Popen | None) -> None:
    """Terminate a server we started, killing it if it does not stop within ten seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def log_in(page: Page, app: AppServer, email: str, password: str) -> None:
    """Open the app and log in through the login form, as a person would."""
    page.goto(app.url)
    wait_for_app(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    # exact: with single sign-on configured there is also a "Log in with single sign-on" button.
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_text("Logged in as").wait_for()
    wait_for_app(page)


# ---- single sign-on -------------------------------------------------------------------------------

SSO_BUTTON = "Log in with single sign-on"


class OidcProvider:
    """A real OpenID Connect provider on loopback: `python -m oidc_provider_mock` (uvicorn) in a subprocess.

    It accepts any client id and secret, and its authorization form asks for the subject ("sub"); an
    unknown subject becomes a user whose only claim is `email = sub`. It keeps its users in memory.
    """

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metadata_url = f"{self.url}/.well-known/openid-configuration"
        self.log_path = self.workdir / f"oidc-provider-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> OidcProvider:
        self.workdir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                command, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "NO_COLOR": "1"},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"oidc-provider-mock exited with code {self.process.returncode}:\n{self.log_tail()}",
                            pytrace=False)
            try:
                with urllib.request.urlopen(self.metadata_url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"oidc-provider-mock did not answer {self.metadata_url} within {timeout:.0f} s:\n"
                    f"{self.log_tail()}", pytrace=False)

    def stop(self) -> None:
        stop_process(self.process)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"

    def secrets_toml(self, app_url: str) -> str:
        """A secrets.toml `[auth]` section for an app at app_url that logs in with this provider."""
        return (
            "[auth]\n"
            f'redirect_uri = "{app_url}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
            'client_id = "aspire-e2e"\n'
            f'client_secret = "{secrets.token_urlsafe(16)}"\n'
            f'server_metadata_url = "{self.metadata_url}"\n'
        )


def sso_app_server(workdir: Path, provider: OidcProvider, env: Mapping[str, str] | None = None) -> AppServer:
    """An app server (not yet started) whose secrets file, under workdir, configures single sign-on.

    The repo's own .streamlit/secrets.toml is never read or written: `--secrets.files` replaces it.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    secrets_file = workdir / "secrets.toml"
    server = AppServer(workdir, env=env, extra_args=["--secrets.files", str(secrets_file)])
    secrets_file.write_text(provider.secrets_toml(server.url), encoding="utf-8")
    return server


def sso_log_in(page: Page, app: AppServer, provider: OidcProvider, email: str) -> None:
    """Open the app, choose single sign-on, type `email` as the subject at the provider and authorize.

    Returns once the browser is back in the app and its script has finished.
    """
    page.goto(app.url)
    wait_for_app(page)
    page.get_by_role("button", name=SSO_BUTTON).click()
    page.wait_for_url(f"{provider.url}/**", timeout=APP_TIMEOUT_MS)
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app.url}/**", timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
