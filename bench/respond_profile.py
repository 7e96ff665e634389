"""Where one respondent's script runs spend their CPU on a real server, click by click, next to the bare form page.

Why: the respondents-at-once figure (bench/load_client.py) says the app's script run costs ~10x the bare
page's CPU; this says which part of the page it is. One scripted respondent after another (one at a time,
so nothing waits for the GIL) walks the page: open the link, Start, every step's Save and continue, Send.
Each click's script runs are logged by the server (bench/rerun_hook): their CPU, per click, against the bare
page's same click. With --profile the app server also profiles every run (cProfile, ASPIRE_RUN_PROFILE) and
the parts of the page are printed as cumulative ms per click (profiled, so slower than the plain figures;
read them as shares).

    python -m bench.respond_profile --db COPY_OF_AN_ORGANISATION.duckdb [--respondents 12] [--profile]

With --load it runs instead the respondents-at-once figure exactly as `make bench` measures it
(bench.load_client.measure_clients: 8 clients, 3 rounds, the app on DuckDB against the bare form page; no
PostgreSQL), so a change to the respondent's page can be judged without the whole bench.
The database is copied first; nothing is written to the file given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pstats
import shutil
import statistics
import tempfile
from collections import defaultdict
from contextlib import suppress
from pathlib import Path

import websockets
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.browser import RERUN_HOOK, RUN_LOG
from bench.cache import Organisation
from bench.load_client import (
    LABELS,
    ClientError,
    Tab,
    _button,
    _form_answers,
    _invitations,
    _shape,
    measure_clients,
    p95,
)
from bench.report_engines import load_rows, load_section
from bench.synthetic import Generation
from tests.e2e.helpers import AppServer

PROFILE = "ASPIRE_RUN_PROFILE"

#: The parts of the respondent's page: (label, file suffix, function name); cumulative time of each, per click.
PARTS = (
    ("script run, all of it", "script_runner.py", "code_to_exec"),
    ("app.py: set_page_config", "commands/page_config.py", "set_page_config"),
    ("app.py: get_aspire", "coaching/ui/context.py", "get_aspire"),
    ("app.py: who_is_logged_in", "coaching/ui/session.py", "who_is_logged_in"),
    ("app.py: st.navigation", "commands/navigation.py", "navigation"),
    ("app.py: page.run (the page)", "coaching/ui/errors.py", "run_guarded"),
    ("page: landing (link check)", "coaching/ui/respondent.py", "landing"),
    ("  rounds.resolve", "coaching/rounds/rounds.py", "resolve"),
    ("  _begin (draft, answers read)", "coaching/ui/respondent.py", "_begin"),
    ("  keep_link (cookie pixel)", "coaching/ui/session.py", "keep_link"),
    ("page: page_language (injected)", "coaching/ui/respondent.py", "page_language"),
    ("page: language_switch", "coaching/ui/questionnaire.py", "language_switch"),
    ("  languages_of", "coaching/measurement/versions.py", "languages_of"),
    ("page: questionnaire (instrument_in)", "coaching/ui/respondent.py", "questionnaire"),
    ("page: deadline_text", "coaching/ui/questionnaire.py", "deadline_text"),
    ("page: who_sees", "coaching/ui/questionnaire.py", "who_sees"),
    ("page: progress", "coaching/ui/questionnaire.py", "progress"),
    ("page: step_form (widgets)", "coaching/ui/questionnaire.py", "step_form"),
    ("  steps.steps", "coaching/measurement/steps.py", "steps"),
    ("page: save (draft write)", "coaching/ui/respondent.py", "save"),
    ("  fresh (link re-check)", "coaching/ui/respondent.py", "fresh"),
    ("  rounds.save_draft", "coaching/rounds/rounds.py", "save_draft"),
    ("page: saved_flash", "coaching/measurement/steps.py", "saved_flash"),
    ("page: review", "coaching/ui/questionnaire.py", "review"),
    ("page: submit_answers", "coaching/rounds/rounds.py", "submit_answers"),
    ("page: profile_view", "coaching/ui/questionnaire.py", "profile_view"),
    ("page: show_own_goals", "coaching/ui/plans.py", "show_own_goals"),
    ("page: show_own_route", "coaching/ui/paths.py", "show_own_route"),
    ("page: catalogue_at", "coaching/paths/editing.py", "catalogue_at"),
    ("page: to_top (injected)", "coaching/ui/respondent.py", "to_top"),
    ("i18n texts()", "coaching/ui/respondent.py", "texts"),
    ("st.* element calls (enqueue)", "runtime/scriptrunner_utils/script_run_context.py", "enqueue"),
    ("SQL (engine execute)", "coaching/db/duck.py", "execute"),
    ("Database.query", "coaching/db/database.py", "query"),
    ("Database.remembered", "coaching/db/database.py", "remembered"),
    ("Database.write", "coaching/db/database.py", "write"),
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.respond_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a DuckDB organisation (copied, never written)")
    parser.add_argument("--respondents", type=int, default=12)
    parser.add_argument("--profile", action="store_true", help="profile the app server's script runs")
    parser.add_argument("--bare", default="bench/bare_form.py",
                        help="the yardstick; bench/bare_form_extras.py adds the app's elements to the bare page")
    parser.add_argument("--load", action="store_true", help="the make-bench figure: 8 respondents at once")
    parser.add_argument("--keep", type=Path, help="copy the run profiles (run-<n>.prof, per click) into this folder")
    args = parser.parse_args()
    if args.load:
        _load(args.db)
        return
    with tempfile.TemporaryDirectory(prefix="aspire-respond-") as folder:
        work = Path(folder)
        db = work / "org.duckdb"
        shutil.copyfile(args.db, db)
        queries = _invitations(db, ["2090"], args.respondents + 1)[0]
        shape = json.dumps({"labels": LABELS, "steps": _shape()})
        app = _walks(work, "app", {"COACHING_DB": str(db)}, "app.py", "respond", queries, args.profile)
        bare = _walks(work, "bare", {"BARE_FORM": shape}, args.bare, "", [""] * len(queries), False)
        _print(app, bare, args.respondents if args.profile else 0)
        if args.keep:
            for click, files in app["profiles"].items():
                (args.keep / click.replace(" ", "-")).mkdir(parents=True, exist_ok=True)
                for file in files:
                    shutil.copy(file, args.keep / click.replace(" ", "-") / file.name)


def _load(db: Path) -> None:
    """bench/RESULTS.md's figure and its rows for the app on DuckDB against the bare form page."""
    meta = db.with_suffix(".json")
    with tempfile.TemporaryDirectory(prefix="aspire-load-") as folder:
        runs = measure_clients(Path(folder), Organisation(db, Generation.load(meta), cached=True), None, print)
    for row in load_rows(runs, ""):
        print(" | ".join(row))
    print("\n".join(load_section(runs, "")))


def _print(app: dict, bare: dict, profiled: int) -> None:
    print(f"{'click':<10} {'app CPU ms':>11} {'bare CPU ms':>12} {'ratio':>6}   "
          "each script run of the click, app / bare   (medians over respondents)")
    for click in app["cpu"]:
        a, b = statistics.median(app["cpu"][click]), statistics.median(bare["cpu"].get(click, [float("nan")]))
        print(f"{click:<10} {a:>11.1f} {b:>12.1f} {a / b:>6.1f}   "
              f"{_each_run(app['runs'][click])} / {_each_run(bare['runs'].get(click, []))}")
    runs_a = [ms for per_click in app["runs"].values() for runs in per_click for ms in runs]
    runs_b = [ms for per_click in bare["runs"].values() for runs in per_click for ms in runs]
    print(f"every script run, CPU ms: app mean {statistics.mean(runs_a):.1f}, p95 {p95(tuple(runs_a)):.1f} "
          f"({len(runs_a)} runs); bare mean {statistics.mean(runs_b):.1f}, p95 {p95(tuple(runs_b)):.1f}")
    if profiled:
        _print_parts(app["profiles"], profiled)


def _walks(work: Path, name: str, env: dict[str, str], script: str, page: str, queries: list[str],
           profile: bool) -> dict:
    """One respondent after another against a fresh server; the first (warming up) is not counted."""
    log, profiles = work / f"{name}.log", work / f"{name}-prof"
    profiles.mkdir()
    env = {**env, "PYTHONPATH": f"{RERUN_HOOK}:{Path.cwd()}", RUN_LOG: str(log)}
    server = AppServer(work / name, env=env | ({PROFILE: str(profiles)} if profile else {}), script=script)
    server.start()
    found: dict = {"cpu": defaultdict(list), "runs": defaultdict(list), "profiles": defaultdict(list)}
    try:
        asyncio.run(_walks_beside_one_idle(server.port, page, queries, log, profiles, found))
    finally:
        server.stop()
    return found


async def _walks_beside_one_idle(port: int, page: str, queries: list[str], log: Path, profiles: Path,
                                 found: dict) -> None:
    """With one more tab left open: Streamlit forgets its compiled page scripts whenever no session is
    connected, which under load never happens (bench/load_client.py) and would here at every respondent."""
    uri = f"ws://127.0.0.1:{port}/_stcore/stream"
    async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None) as socket:
        with suppress(ClientError):    # under the profiler its first run may meet an import race; it stays open
            await Tab(socket, page, "").run([])
        for n, query in enumerate(queries):
            await _walk(port, page, query, log, profiles, found if n else None)


async def _walk(port: int, page: str, query: str, log: Path, profiles: Path, found: dict | None) -> None:
    uri = f"ws://127.0.0.1:{port}/_stcore/stream"
    async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None) as socket:
        tab = Tab(socket, page, query)

        async def click(name: str, states: list) -> list:
            offset = log.stat().st_size if log.exists() else 0
            done = set(profiles.iterdir())
            widgets = await tab.run(states)
            await asyncio.sleep(0.05)      # the hook writes its line after the run has finished
            if found is not None:
                with log.open(encoding="ascii") as lines:
                    lines.seek(offset)
                    runs = [float(cpu) for kind, _, cpu in (line.split() for line in lines) if kind == "run"]
                found["cpu"][name].append(sum(runs))
                found["runs"][name].append(runs)
                found["profiles"][name] += sorted(set(profiles.iterdir()) - done)
            return widgets

        widgets = await click("open", [])
        widgets = await click("start", [_press(widgets, LABELS["start"])])
        for n in range(1, 20):
            if LABELS["send"] in {w.label for w in widgets if w.kind == "button"}:
                widgets = await click("send", [_press(widgets, LABELS["send"])])
                _button(widgets, LABELS["change"])
                return
            submit = _button(widgets, LABELS["save"])
            widgets = await click(f"save {n}", [*_form_answers(widgets, submit.form_id, 3),
                                                _press(widgets, LABELS["save"])])


def _press(widgets: list, label: str) -> WidgetState:
    return WidgetState(id=_button(widgets, label).id, trigger_value=True)


def _each_run(per_respondent: list[list[float]]) -> str:
    """The median CPU of the click's first, second… script run (a click that moves on reruns once)."""
    longest = max((len(runs) for runs in per_respondent), default=0)
    return " + ".join(f"{statistics.median(r[i] for r in per_respondent if len(r) > i):.1f}" for i in range(longest))


def _print_parts(profiles: dict[str, list[Path]], respondents: int) -> None:
    """Cumulative ms of each part per click (mean over respondents), under the profiler."""
    clicks = list(profiles)
    print(f"\nprofiled, cumulative ms per click (mean of {respondents} respondents):")
    print(f"{'part':<38}" + "".join(f"{c:>9}" for c in clicks))
    totals = {c: _cumulative(profiles[c]) for c in clicks}
    for label, suffix, name in PARTS:
        row = [totals[c].get((suffix, name), 0.0) / respondents * 1000 for c in clicks]
        print(f"{label:<38}" + "".join(f"{v:>9.1f}" for v in row))


def _cumulative(files: list[Path]) -> dict[tuple[str, str], float]:
    """Cumulative seconds per (file suffix, function) of PARTS, summed over the runs' profiles."""
    if not files:
        return {}
    stats = pstats.Stats(*map(str, files))
    wanted = {(suffix, name) for _, suffix, name in PARTS}
    out: dict[tuple[str, str], float] = defaultdict(float)
    for (file, _, function), (_, _, _, cumulative, _) in stats.stats.items():   # type: ignore[attr-defined]
        for suffix, name in wanted:
            if function == name and file.endswith(suffix):
                out[(suffix, name)] += cumulative
    return out


if __name__ == "__main__":
    main()
