"""Parts of the browser benchmark that could break silently: the server's run log and the verdict on lost answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.browser import RERUN_HOOK, RUN_LOG, Answering, BrowserRun, Memory, ServerTimes
from bench.report import Results, _browser_rows, _target_browser, browser_section

SCRIPT = """
from streamlit.testing.v1 import AppTest
at = AppTest.from_string("import streamlit as st\\nst.write('hello')")
at.run()
at.run()
assert not at.exception
"""


def _run_with_hook(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", RUN_LOG)}
    return subprocess.run([sys.executable, "-c", SCRIPT], env={**base, **env}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_hook_logs_every_script_run_of_the_installed_streamlit(tmp_path: Path):
    """If Streamlit renames what the hook wraps, the server would start without a log: this says so first."""
    log = tmp_path / "runs.log"
    done = _run_with_hook(tmp_path, {"PYTHONPATH": str(RERUN_HOOK), RUN_LOG: str(log)})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line.split() for line in log.read_text(encoding="ascii").splitlines()]
    kinds = [kind for kind, *_ in lines]
    assert kinds.count("run") == 2 and kinds.count("request") == 2, kinds
    assert all(len(times) == 2 and float(times[0]) > 0 for _, *times in lines), lines


def test_without_the_log_variable_the_hook_changes_nothing(tmp_path: Path):
    done = _run_with_hook(tmp_path, {"PYTHONPATH": str(RERUN_HOOK)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []


def _answering(stored: int, failures: tuple[str, ...] = ()) -> BrowserRun:
    times = ServerTimes((10.0, 2000.0), (5.0, 40.0))
    return BrowserRun(answering=Answering(10, stored, failures, 60.0, times, times, ServerTimes((90.0,), (90.0,))))


def _results(run: BrowserRun) -> Results:
    return Results(command="python -m bench", runs=1, browser=run)


def test_a_lost_answer_is_reported_as_a_missed_target_with_the_browser_that_failed():
    run = _answering(9, ("TimeoutError: Locator.click: Timeout 30000ms exceeded.",))
    rows = {what: verdict for what, _, _, verdict in _browser_rows(run)}
    assert rows["10 browsers answering at once: responses stored complete"] == "**MISSED**"
    text = _target_browser(_results(run))
    assert "**missed**" in text and "9 of 10" in text and "Timeout 30000ms" in text


def test_every_answer_stored_meets_the_target():
    run = _answering(10)
    rows = {what: (figure, verdict) for what, figure, _, verdict in _browser_rows(run)}
    assert rows["10 browsers answering at once: responses stored complete"] == ("10 of 10", "met")
    assert "**10 of 10**" in "\n".join(browser_section(_results(run)))


def test_memory_per_session_is_the_slope_after_the_first_session():
    """The first session's imports are a one-off: 100 MB then 1 MB per session reads as 1 MB, not 10."""
    memory = Memory(idle_mb=70.0, sessions_mb=tuple(170.0 + n for n in range(10)))
    assert round(memory.per_session_mb, 6) == 1.0
