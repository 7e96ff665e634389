"""Many respondents answering at once against real app servers, driven by a light scripted client.

Why not browsers: on a two-core machine ten Chromiums take the cores from the server they are meant to
load (bench/browser.py: 98% of a script run's wall time was waiting). This client speaks Streamlit's own
protocol over the websocket a browser opens (/_stcore/stream): it sends the BackMsg a browser sends on each
click (`rerun_script` with the query string and the widget values), reads the ForwardMsgs until the script
run has finished, and finds the widgets to set in the elements the server sent. So every click runs the
real `app.py` on the real server, as a click in a browser would; only drawing is left out.

Each respondent opens their personal link, presses Start, answers every step's form (each rating, the top
three, the free text) with Save and continue, sends, and must then be shown their profile (the "Change my
answers" button of the results page). Measured:
- completed answers per minute (respondents shown their profile, over the run's wall time);
- every script run's time on the server (bench/rerun_hook: wall clock and the CPU of its thread), and each
  click's round trip as the client sees it;
- CPU seconds of each app server, of PostgreSQL and of the client itself, and of the whole machine, so the
  limit of a run can be named.

Runs (clients without think time: each starts its next respondent as soon as one is done):
- embedded default: one server on a copy of the largest DuckDB organisation, next to one server of the bare
  form page (bench/bare_form.py: the same shape, nothing stored) under the same clients;
- PostgreSQL: the same clients against one app server, and split over two app servers on one database.
Configurations are interleaved round by round, so a burst of other work on the machine hits both sides.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.browser import RERUN_HOOK, RUN_LOG
from bench.cache import Organisation, copy_for_run
from bench.postgres import PgOrganisation
from bench.submissions import invite_tokens
from coaching.core.needs import NEEDS
from coaching.core.settings import load_settings
from coaching.measurement import steps
from coaching.measurement.versions import current_instrument
from coaching.startup import start
from tests.e2e.helpers import AppServer

LABELS = {name: steps.ENGLISH(f"button.{key}")
          for name, key in (("start", "start"), ("save", "save_continue"), ("send", "send"), ("change", "change"))}
WIDGETS = ("button", "radio", "selectbox", "text_area", "text_input")
MAX_CLICKS = 40          # a respondent that has not reached their profile after this many clicks is stuck
FIRST_WAVE = 2060        # each run answers in a wave (a year) of its own, far from the organisation's


class ClientError(RuntimeError):
    """The server showed an exception, or not the widget the respondent's next step needs."""


@dataclass(frozen=True)
class Widget:
    kind: str
    id: str
    label: str
    options: tuple[str, ...]
    form_id: str
    submitter: bool


class Tab:
    """One respondent's browser tab as the server sees it: one websocket, one session, the URL's query."""

    def __init__(self, socket: websockets.ClientConnection, page: str, query: str) -> None:
        self.socket, self.page, self.query = socket, page, query
        self.click_ms: list[float] = []

    async def run(self, states: list[WidgetState]) -> list[Widget]:
        """Send one rerun request; the widgets of the script run that finished it (st.rerun() followed)."""
        message = BackMsg()
        message.rerun_script.query_string = self.query
        message.rerun_script.page_name = self.page
        message.rerun_script.widget_states.widgets.extend(states)
        t0 = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        widgets: list[Widget] = []
        while True:
            forward = ForwardMsg.FromString(await self.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                widgets = []
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                widgets += _widget(forward.delta.new_element)
            elif kind == "script_finished" and forward.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.click_ms.append((time.perf_counter() - t0) * 1000)
                return widgets

    async def click(self, widgets: list[Widget], label: str, states: Sequence[WidgetState] = ()) -> list[Widget]:
        button = _button(widgets, label)
        return await self.run([*states, WidgetState(id=button.id, trigger_value=True)])


def _widget(element) -> list[Widget]:
    kind = element.WhichOneof("type")
    if kind == "exception":
        raise ClientError(f"the server showed {element.exception.type}: {element.exception.message}")
    if kind not in WIDGETS:
        return []
    w = getattr(element, kind)
    return [Widget(kind, w.id, w.label, tuple(getattr(w, "options", ())), w.form_id,
                   kind == "button" and w.is_form_submitter)]


def _button(widgets: list[Widget], label: str) -> Widget:
    found = next((w for w in widgets if w.kind == "button" and w.label == label), None)
    if found is None:
        shown = ", ".join(sorted({w.label for w in widgets if w.kind == "button"})) or "none"
        raise ClientError(f"no button {label!r} (buttons shown: {shown})")
    return found


def _form_answers(widgets: list[Widget], form_id: str, rating: int) -> list[WidgetState]:
    """Every field of one form filled: the rating's option for each radio, distinct picks, empty text."""
    states, picks = [], 0
    for w in (w for w in widgets if w.form_id == form_id and not w.submitter):
        if w.kind == "radio":
            states.append(WidgetState(id=w.id, string_value=w.options[min(rating, len(w.options)) - 1]))
        elif w.kind == "selectbox":
            states.append(WidgetState(id=w.id, string_value=w.options[picks % len(w.options)]))
            picks += 1
        elif w.kind in ("text_area", "text_input"):
            states.append(WidgetState(id=w.id, string_value=""))
    return states


async def respond(port: int, page: str, query: str, rating: int) -> list[float]:
    """One respondent from the link to their profile; the round trip of each click, ms."""
    uri = f"ws://127.0.0.1:{port}/_stcore/stream"
    async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None) as socket:
        tab = Tab(socket, page, query)
        widgets = await tab.click(await tab.run([]), LABELS["start"])
        for _ in range(MAX_CLICKS):
            labels = {w.label for w in widgets if w.kind == "button"}
            if LABELS["send"] in labels:
                widgets = await tab.click(widgets, LABELS["send"])
                _button(widgets, LABELS["change"])   # the profile is shown: the answer is complete
                return tab.click_ms
            submit = _button(widgets, LABELS["save"])
            widgets = await tab.click(widgets, LABELS["save"], _form_answers(widgets, submit.form_id, rating))
        raise ClientError(f"no {LABELS['send']!r} button after {MAX_CLICKS} clicks")


async def _clients(servers: list[AppServer], page: str, queries: list[str], clients: int) -> tuple[int, list[float]]:
    """`clients` respondents' loops at once, client n on server n mod servers, each through its share."""
    async def one(n: int) -> tuple[int, list[float]]:
        done, clicks = 0, []
        for i, query in enumerate(queries[n::clients]):
            clicks += await respond(servers[n % len(servers)].port, page, query, 2 + (n + i) % 3)
            done += 1
        return done, clicks

    outcomes = await asyncio.gather(*(one(n) for n in range(clients)))
    return sum(done for done, _ in outcomes), [ms for _, clicks in outcomes for ms in clicks]


# ---- one measured run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadRun:
    """N clients answering against one configuration of servers for one round."""

    config: str
    servers: int
    clients: int
    completed: int
    seconds: float
    click_ms: tuple[float, ...]
    run_wall_ms: tuple[float, ...]      # every script run on the servers (bench/rerun_hook)
    run_cpu_ms: tuple[float, ...]
    cpu_s: dict[str, float]             # CPU seconds during the run: "servers", "postgres", "client", "machine"

    @property
    def per_minute(self) -> float:
        return self.completed / self.seconds * 60


@dataclass
class Config:
    """A set of running servers and the invitations each round answers (tokens; none for the bare page)."""

    name: str
    servers: list[AppServer]
    page: str
    rounds: list[list[str]]             # round -> the query string of each respondent
    postgres_pids: Callable[[], list[int]] = list
    logs: list[Path] = field(default_factory=list)


def _run(config: Config, round_: int, clients: int, respondents: int | None = None) -> LoadRun:
    """One round: `clients` at once through the round's invitations (the first `respondents` of them)."""
    offsets = [log.stat().st_size if log.exists() else 0 for log in config.logs]
    pids = {"servers": [s.process.pid for s in config.servers], "postgres": config.postgres_pids()}
    before = {name: _cpu(p) for name, p in pids.items()}
    machine0, client0, t0 = _machine_cpu(), time.process_time(), time.perf_counter()
    queries = config.rounds[round_][:respondents]
    completed, clicks = asyncio.run(_clients(config.servers, config.page, queries, clients))
    seconds = time.perf_counter() - t0
    cpu = {name: _cpu(p) - before[name] for name, p in pids.items()}
    cpu |= {"client": time.process_time() - client0, "machine": _machine_cpu() - machine0}
    wall, own = [], []
    for log, offset in zip(config.logs, offsets, strict=True):
        with log.open(encoding="ascii") as lines:
            lines.seek(offset)
            for kind, wall_ms, cpu_ms in (line.split() for line in lines):
                if kind == "run":
                    wall.append(float(wall_ms))
                    own.append(float(cpu_ms))
    return LoadRun(config.name, len(config.servers), clients, completed, seconds, tuple(clicks), tuple(wall),
                   tuple(own), cpu)


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of the processes so far; a process gone meanwhile counts nothing."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _machine_cpu() -> float:
    """CPU seconds every core spent busy so far, everyone's work included (the first line of /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _postgres_pids(data: Path) -> Callable[[], list[int]]:
    """The postmaster (first line of postmaster.pid) and its children: every backend, checkpointer, writer."""
    def pids() -> list[int]:
        master = int((data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                    children.append(int(stat.parent.name))
            except (FileNotFoundError, ValueError, IndexError):
                continue
        return [master, *children]
    return pids


# ---- the configurations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientRuns:
    clients: int
    per_client: int
    rounds: int
    runs: list[LoadRun]

    def of(self, config: str) -> list[LoadRun]:
        return [run for run in self.runs if run.config == config]


EMBEDDED, BARE_FORM, PG_ONE, PG_TWO = ("app on DuckDB, 1 server", "bare form page, 1 server",
                                       "app on PostgreSQL, 1 server", "app on PostgreSQL, 2 servers")


def measure_clients(work: Path, org: Organisation, pg: PgOrganisation | None, say: Callable[[str], None], *,
                    quick: bool = False) -> ClientRuns:
    """The embedded default next to the bare form page; then (given `pg`) one against two app servers."""
    clients, per_client, rounds = (4, 2, 1) if quick else (8, 4, 3)
    people = clients * per_client
    waves = iter(range(FIRST_WAVE, FIRST_WAVE + 100))
    runs = []
    with ExitStack() as stack:
        configs = [
            stack.enter_context(_embedded(work, org, [str(next(waves)) for _ in range(rounds + 1)], people)),
            stack.enter_context(_bare(work, rounds + 1, people)),
        ]
        if pg:
            url = pg.copy()
            for count in (1, 2):
                waved = [str(next(waves)) for _ in range(rounds + 1)]
                configs.append(stack.enter_context(_on_postgres(work, url, pg, count, waved, people)))
        for config in configs:          # a server that has been up a while has imported its screens
            say(f"load: warming {config.name}")
            _run(config, 0, len(config.servers), len(config.servers))
        for round_ in range(1, rounds + 1):
            for config in configs:
                run = _run(config, round_, clients)
                say(f"load: {config.name}, {clients} clients: {run.completed} answers in {run.seconds:,.1f} s, "
                    f"script run p95 {p95(run.run_wall_ms):,.0f} ms")
                runs.append(run)
    return ClientRuns(clients, per_client, rounds, runs)


def p95(values: tuple[float, ...]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)] if ordered else float("nan")


def _queries(tokens: list[str]) -> list[str]:
    return [f"invite={token}" for token in tokens]


def _invitations(db: Path | str, waves: list[str], people: int) -> list[list[str]]:
    """Before the servers start (a DuckDB file is held by its server): one round of links per wave.
    The warm-up round (the first) needs only a few."""
    aspire = start(load_settings(db=db, demo=False))
    try:
        return [_queries(invite_tokens(aspire, wave, people)) for wave in waves]
    finally:
        aspire.close()


@contextmanager
def _servers(work: Path, name: str, count: int, env: dict[str, str], script: str = "app.py") -> Iterator[
        tuple[list[AppServer], list[Path]]]:
    servers, logs = [], []
    try:
        for n in range(count):
            log = work / f"load-{name}-{n}.log"
            path = f"{RERUN_HOOK}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
            server = AppServer(work / f"load-{name}-{n}", env={**env, "PYTHONPATH": path, RUN_LOG: str(log)},
                               script=script)
            servers.append(server.start())
            logs.append(log)
        yield servers, logs
    finally:
        for server in servers:
            server.stop()


@contextmanager
def _embedded(work: Path, org: Organisation, waves: list[str], people: int) -> Iterator[Config]:
    db = copy_for_run(org, work)
    rounds = _invitations(db, waves, people)
    with _servers(work, "duckdb", 1, {"COACHING_DB": str(db)}) as (servers, logs):
        yield Config(EMBEDDED, servers, "respond", rounds, logs=logs)


@contextmanager
def _bare(work: Path, rounds: int, people: int) -> Iterator[Config]:
    shape = json.dumps({"labels": LABELS, "steps": _shape()})
    with _servers(work, "bare", 1, {"BARE_FORM": shape}, script="bench/bare_form.py") as (servers, logs):
        yield Config(BARE_FORM, servers, "", [[""] * people for _ in range(rounds)], logs=logs)


@contextmanager
def _on_postgres(work: Path, url: str, pg: PgOrganisation, count: int, waves: list[str],
                 people: int) -> Iterator[Config]:
    rounds = _invitations(url, waves, people)
    with _servers(work, f"pg{count}", count, {"COACHING_DB": url}) as (servers, logs):
        yield Config(PG_TWO if count == 2 else PG_ONE, servers, "respond", rounds, _postgres_pids(pg.server.data),
                     logs)


def _shape() -> list[dict]:
    """The respondent page's steps as the bare form page draws them: titles, fields and options."""
    with _scratch() as aspire:
        instrument = current_instrument(aspire)
    points = [instrument.scale.labels[v - instrument.scale.min] for v in instrument.scale.points]
    needs = [steps.ENGLISH.label(need) for need in NEEDS]
    shape = []
    for step in steps.steps(instrument):
        if step.kind == "ratings":
            shape.append({"title": step.title, "radios": [i.text for i in instrument.items_in(step.key)],
                          "points": points, "selects": [], "options": [], "texts": []})
        elif step.kind == "choice":
            shape.append({"title": step.title, "radios": [], "points": [], "selects": ["1", "2", "3"],
                          "options": needs, "texts": []})
        else:
            shape.append({"title": step.title, "radios": [], "points": [], "selects": ["Life stage"],
                          "options": ["", *instrument.life_stage.suggestions],
                          "texts": [*(r.prompt for r in instrument.reflections), "In your own words"]})
    return shape


@contextmanager
def _scratch() -> Iterator:
    """An empty in-memory-sized organisation in a temporary file: enough to read the current questionnaire."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="aspire-shape-") as folder:
        aspire = start(load_settings(db=Path(folder) / "shape.duckdb", demo=False))
        try:
            yield aspire
        finally:
            aspire.close()
