"""What home's first rerun after a write elsewhere spends its time on, in wall-clock ms per step, no profiler.

Why apart from the cProfile hotspots: cProfile inflates Python-heavy steps several times over, so its
milliseconds cannot be set against the 2x-warm target. Here the steps a rerun after a write repeats are
wrapped with a plain timer (calls and ms per rerun), the whole rerun is timed as `time_after` times it, and
a new answer in another manager's team precedes every timed rerun. Steps nest (SQL statements run inside
the reads), so the rows do not add up to the whole.

    python -m bench.after_write [--teams 1000] [--engine postgresql]    # the cached organisation of that size
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from bench.screens import ScreenError, Target, open_screen, point_at, run_checked
from coaching.db.duck import DuckEngine, DuckStatements
from coaching.db.postgres import PgStatements, PostgresEngine
from coaching.measurement import reliability
from coaching.measurement.response_rows import ResponseRows
from coaching.ui import views

STEPS: tuple[tuple[str, object, str], ...] = (
    ("write count read (Database.remembered, per remembered read)", DuckEngine, "write_counts"),
    ("write count read (Database.remembered, per remembered read)", PostgresEngine, "write_counts"),
    ("SQL statements, all", DuckStatements, "execute"),
    ("SQL statements, all", PgStatements, "execute"),
    ("the team's responses with their answers (ResponseRows.current_responses)", ResponseRows, "current_responses"),
    ("the reliability basis brought up to date (ResponseRows.current_rating_sums)", ResponseRows,
     "current_rating_sums"),
    ("the reliability table from the sums (reliability.reliability_from_sums)", reliability, "reliability_from_sums"),
    ("each response scored again with the new estimate (reliability.score_response)", reliability, "score_response"),
    ("the chart's figure built again (views.needs_chart)", views, "needs_chart"),
    ("the chart drawn (st.plotly_chart)", st, "plotly_chart"),
)


@dataclass(frozen=True)
class Step:
    label: str
    calls: float        # per rerun
    ms: float           # per rerun, wall clock


@dataclass(frozen=True)
class AfterWrite:
    whole_ms: float     # mean of the timed reruns
    warm_ms: float      # mean of as many warm reruns of the same session (no write before them)
    steps: list[Step]


def breakdown(target: Target, write: Callable[[], None], runs: int = 5) -> AfterWrite:
    """`runs` reruns each after `write`, and as many warm reruns, of one warm session of `target`."""
    point_at(target.db)
    at = open_screen(target.script, target.screen, target.actor)
    for _ in range(3):
        run_checked(at, target.screen)
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append((time.perf_counter() - t0) * 1000)
    whole = []
    recording = threading.Event()      # the write itself is not timed, only the rerun after it
    statements: dict[str, list[float]] = {}
    with _timed_steps(recording, statements) as timings:
        for _ in range(runs):
            write()
            recording.set()
            t0 = time.perf_counter()
            at.run()
            whole.append((time.perf_counter() - t0) * 1000)
            recording.clear()
            if at.exception:
                raise ScreenError(target.label, at.exception[0].message)
    steps = [Step(label, len(ms) / runs, sum(ms) / runs) for label, ms in timings.items() if ms]
    slowest = sorted(statements.items(), key=lambda kv: -sum(kv[1]))[:6]
    steps += [Step(f"SQL: `{text}`", len(ms) / runs, sum(ms) / runs) for text, ms in slowest]
    return AfterWrite(sum(whole) / runs, sum(warm) / runs, steps)


@contextmanager
def _timed_steps(recording: threading.Event,
                 statements: dict[str, list[float]]) -> Iterator[dict[str, list[float]]]:
    """Every STEPS function wrapped with a timer while inside; the wrapper keeps the function's name, which
    the remembered reads' keys are made of."""
    timings: dict[str, list[float]] = {label: [] for label, _, _ in STEPS}
    with ExitStack() as stack:
        for label, owner, name in STEPS:
            by_text = statements if name == "execute" else None
            stack.enter_context(_wrapped(owner, name, timings[label], recording, by_text))
        yield timings


@contextmanager
def _wrapped(owner: object, name: str, into: list[float], recording: threading.Event,
             statements: dict[str, list[float]] | None = None) -> Iterator[None]:
    """`owner.name` timed into `into` while `recording` is set; SQL statements also by their text."""
    real = getattr(owner, name)
    own = name in vars(owner)

    @functools.wraps(real)
    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            if recording.is_set():
                into.append((time.perf_counter() - t0) * 1000)
                if statements is not None:
                    statements.setdefault(" ".join(str(args[1]).split())[:90], []).append(into[-1])

    setattr(owner, name, timed)
    try:
        yield
    finally:
        if own:
            setattr(owner, name, real)
        else:
            delattr(owner, name)


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import CACHE, _on, benched
    from bench.cache import copy_for_run, organisation
    from bench.events import answer_elsewhere
    from bench.postgres import pg_organisation, postgres_server
    from bench.screens import APP, SCREENS, app_on, compiled_once

    parser = argparse.ArgumentParser(prog="python -m bench.after_write", description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000, help="the cached organisation's size (default 1000)")
    parser.add_argument("--engine", choices=("duckdb", "postgresql"), default="duckdb",
                        help="postgresql: the organisation generated into a throwaway cluster (about 30 s at 1,000 "
                             "teams), the app on a copy of it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aspire-after-write-") as tmp, compiled_once(), ExitStack() as stack:
        org = organisation(args.teams, CACHE)
        db = copy_for_run(org, Path(tmp))
        target, actor = db, benched(org)
        if args.engine == "postgresql":
            pg = pg_organisation(stack.enter_context(postgres_server()), args.teams)
            target, actor = pg.copy(), benched(pg)
        newcomers = iter(range(1000, 2000))
        with app_on(db) as opened:
            found = breakdown(Target("home", APP, SCREENS[0], actor, target),
                              lambda: answer_elsewhere(_on(opened, args.engine), actor, next(newcomers)))
    print(f"home at {args.teams:,} teams on {args.engine}: after a write {found.whole_ms:,.1f} ms,"
          f" warm {found.warm_ms:,.1f} ms")
    for step in found.steps:
        print(f"  {step.ms:8.1f} ms  {step.calls:6.1f} calls  {step.label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
