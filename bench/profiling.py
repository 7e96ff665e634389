"""Where the time goes: a fresh profile of generation, and of warm screen reruns at the largest size.

Why in the harness: a missed target is only useful with its cause next to it, and a cause written
by hand goes stale as soon as the code changes.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from bench.screens import Screen, open_screen, run_checked
from bench.synthetic import generate
from coaching.core.actors import Actor
from coaching.core.settings import PROJECT_DIR


def profile_generation(folder: Path, teams: int = 2, top: int = 6) -> list[tuple[str, float]]:
    """Generate a tiny organisation under cProfile: the functions with the most self time, as shares.

    Tiny on purpose (72 responses, a second or two): the cost per response barely depends on size,
    and the answer must be fresh on every run, even when the large files come from the cache.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    generate(folder / "profiled.duckdb", teams)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]
    return [(_label(func, callers), own / total) for func, (_, _, own, _, callers) in rows]


def _label(func: tuple[str, int, str], callers: dict) -> str:
    """file:line name, with the function that called it most: the wrapper alone says little."""
    file, line, name = func
    label = f"{_short(file)}:{line} {name}" if file != "~" else name
    if callers:
        (cfile, cline, cname), _ = max(callers.items(), key=lambda kv: kv[1][2])
        label += f", called from {_short(cfile)}:{cline} {cname}"
    return label


def _short(file: str) -> str:
    path = Path(file)
    return str(path.relative_to(PROJECT_DIR)) if path.is_relative_to(PROJECT_DIR) else path.name


def profile_screen(script: Path, screen: Screen, actor: Actor, runs: int = 5, top: int = 12,
                   before: Callable[[], None] | None = None) -> list[tuple[str, float]]:
    """Where a warm rerun of the page spends its time, cumulative ms per rerun: the why of a slow screen.

    `before` runs ahead of each profiled rerun, outside the profiler: a write elsewhere makes every rerun
    the first after a write, the one a manager waits for all day during a wave.

    AppTest runs the script on its own thread and cProfile sees one thread only, so the profiler is
    switched on inside Streamlit's `StreamlitPage.run`, on the script thread, around the page itself.
    """
    at = open_screen(script, screen, actor)
    run_checked(at, screen)
    profiler = cProfile.Profile()
    real_run = StreamlitPage.run

    def profiled_run(page: StreamlitPage) -> None:
        profiler.enable()
        try:
            real_run(page)
        finally:
            profiler.disable()

    StreamlitPage.run = profiled_run
    try:
        for _ in range(runs):
            if before:
                before()
            at.run()
    finally:
        StreamlitPage.run = real_run
    return _hotspots(pstats.Stats(profiler), runs, top)


def _hotspots(stats: pstats.Stats, runs: int, top: int) -> list[tuple[str, float]]:
    """The whole page, then our functions and Streamlit's element calls (st.dataframe, ...), ms per rerun.

    Cumulative times, so a caller includes its callees. Lambdas and comprehensions are left out:
    their enclosing function is listed with them.
    """
    ours, elements = str(PROJECT_DIR / "coaching"), str(Path(st.__file__).parent / "elements")
    coaching, streamlit = [], []
    for (file, line, name), (_, _, _, cumulative, _) in stats.stats.items():
        if name.startswith("<"):
            continue
        if file.startswith(ours):
            coaching.append((f"{Path(file).relative_to(PROJECT_DIR)}:{line} {name}", cumulative / runs * 1000))
        elif file.startswith(elements) and not name.startswith("_"):
            streamlit.append((f"streamlit/elements/{Path(file).name}:{line} {name}", cumulative / runs * 1000))
    page = ("the whole page (StreamlitPage.run), under cProfile", stats.total_tt / runs * 1000)
    return [page, *_slowest(coaching, top), *_slowest(streamlit, 3)]


def _slowest(rows: list[tuple[str, float]], n: int) -> list[tuple[str, float]]:
    return sorted(rows, key=lambda r: -r[1])[:n]
