"""The PostgreSQL column and the scripted-client load runs, in the summary table and in RESULTS.md.

Why apart from bench/report.py: these compare configurations measured side by side in one run (an engine
against the other, the app against the bare form page, two servers against one); each ratio is of figures
taken interleaved, which is what counts on a shared machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median
from typing import TYPE_CHECKING

from bench.load_client import BARE_FORM, EMBEDDED, PG_ONE, PG_TWO, ClientRuns, LoadRun, p95
from bench.submissions import SubmissionRun

if TYPE_CHECKING:
    from bench.report import Results

MAX_AFTER_WRITE = 2.0        # home's first rerun after one new answer elsewhere, x its warm median
MAX_PG_OVER_DUCK = 1.5       # a warm rerun on PostgreSQL, x the same on DuckDB
MAX_LOAD_OVER_BARE = 1.5     # p95 script run answering at once, x the bare form page's
MIN_TWO_OVER_ONE = 1.6       # answers per minute, two servers x one, on a machine with 4 cores or more
MAX_SUBMIT_P95_MS, SUBMIT_THREADS, SUBMIT_PATH = 50.0, 32, "submit"
Row = tuple[str, str, str, str]


def verdict(met: bool) -> str:
    return "met" if met else "**MISSED**"


def after_write_row(r: Results) -> Iterable[Row]:
    largest = r.sizes[-1]
    if largest not in r.after_answer:
        return
    warm = r.timings[largest]["home"].median
    x = r.after_answer[largest] / warm
    yield (f"home's first rerun after one new answer elsewhere ({largest:,} teams)",
           f"{r.after_answer[largest]:,.0f} ms = {x:.1f}x warm ({warm:,.1f} ms)", f"≤ {MAX_AFTER_WRITE:g}x warm",
           verdict(x <= MAX_AFTER_WRITE))


def postgres_rows(r: Results) -> Iterable[Row]:
    if not r.pg_timings:
        yield "PostgreSQL column", "skipped (--no-postgres)", "—", "—"
        return
    for screen in r.screens:
        worst = max(r.pg_timings, key=lambda size: _pg_over_duck(r, size, screen))
        x = _pg_over_duck(r, worst, screen)
        yield (f"PostgreSQL: {screen} screen, warm rerun (median, worst size: {worst:,} teams)",
               f"{r.pg_timings[worst][screen].median:,.1f} ms = {x:.2f}x DuckDB", f"≤ {MAX_PG_OVER_DUCK:g}x DuckDB",
               verdict(x <= MAX_PG_OVER_DUCK))
    largest = r.sizes[-1]
    if largest in r.pg_after_answer:
        warm = r.pg_timings[largest]["home"].median
        yield (f"PostgreSQL: home's first rerun after one new answer elsewhere ({largest:,} teams)",
               f"{r.pg_after_answer[largest]:,.0f} ms = {r.pg_after_answer[largest] / warm:.1f}x warm "
               f"({warm:,.1f} ms)", "—", "—")
    yield from submission_rows(r.pg_submissions, r.loaded_size, "PostgreSQL: ")


def submission_rows(runs: Iterable[SubmissionRun], teams: int, engine: str = "") -> Iterable[Row]:
    """One row per submission run, `engine` naming the engine when it is not the embedded default."""
    for run in runs:
        target = run.path == SUBMIT_PATH and run.threads == SUBMIT_THREADS
        yield (f"{engine}{run.path}, {run.threads} thread{'s' * (run.threads > 1)} ({teams:,} teams)",
               f"p95 {run.p95:,.1f} ms, p50 {run.p50:,.1f} ms, {run.per_second:,.0f}/s, {run.lost} lost",
               f"p95 < {MAX_SUBMIT_P95_MS:g} ms, none lost" if target else "none lost",
               verdict(run.lost == 0 and (not target or run.p95 < MAX_SUBMIT_P95_MS)))


def _pg_over_duck(r: Results, size: int, screen: str) -> float:
    return r.pg_timings[size][screen].median / r.timings[size][screen].median


def load_rows(c: ClientRuns | None, problem: str) -> Iterable[Row]:
    if c is None:
        yield "respondents at once, scripted client", f"not measured: {problem}", "—", "**NOT MEASURED**"
        return
    app, bare = c.of(EMBEDDED), c.of(BARE_FORM)
    x = _p95(app) / _p95(bare)
    yield (f"{c.clients} respondents answering at once, one server: script run p95, app on DuckDB vs bare form page",
           f"{_p95(app):,.0f} ms vs {_p95(bare):,.1f} ms = {x:.1f}x", f"≤ {MAX_LOAD_OVER_BARE:g}x bare form page",
           verdict(x <= MAX_LOAD_OVER_BARE))
    yield ("… completed answers per minute, app on DuckDB vs bare form page",
           f"{_per_minute(app):,.0f} vs {_per_minute(bare):,.0f}", "—", "—")
    one, two = c.of(PG_ONE), c.of(PG_TWO)
    if one and two:
        ratio = _per_minute(two) / _per_minute(one)
        yield (f"{c.clients} respondents at once on PostgreSQL: two app servers vs one, answers per minute",
               f"{_per_minute(two):,.0f} vs {_per_minute(one):,.0f} = {ratio:.2f}x; script run p95 "
               f"{_p95(two):,.0f} vs {_p95(one):,.0f} ms = {_p95(two) / _p95(one):.2f}x",
               f"≥ {MIN_TWO_OVER_ONE:g}x on 4+ cores", f"not judged: {_cores()} cores ({_limit(two)})")
    all_done = all(run.completed == c.clients * c.per_client for run in c.runs)
    yield ("respondents of the scripted runs shown their profile", f"{sum(r.completed for r in c.runs):,} of "
           f"{len(c.runs) * c.clients * c.per_client:,}", "all", verdict(all_done))


def _p95(runs: list[LoadRun]) -> float:
    return p95(tuple(ms for run in runs for ms in run.run_wall_ms))


def _per_minute(runs: list[LoadRun]) -> float:
    return sum(run.completed for run in runs) / sum(run.seconds for run in runs) * 60


def _busy(runs: list[LoadRun], what: str) -> float:
    """Cores kept busy on average during the runs: CPU seconds over wall seconds."""
    return sum(run.cpu_s[what] for run in runs) / sum(run.seconds for run in runs)


def _cores() -> int:
    import os
    return os.cpu_count() or 1


def _limit(runs: list[LoadRun]) -> str:
    return (f"the machine's cores busy {_busy(runs, 'machine'):.1f} of {_cores()}, the app servers "
            f"{_busy(runs, 'servers'):.1f}")


def engine_targets(r: Results) -> list[str]:
    """The targets of this file's rows in words, each with its measured cause when missed."""
    lines = []
    largest = r.sizes[-1]
    if largest in r.after_answer:
        x = r.after_answer[largest] / r.timings[largest]["home"].median
        lines.append(f"Home's first rerun after one new answer elsewhere within {MAX_AFTER_WRITE:g}x its warm rerun "
                     f"({largest:,} teams): **{'met' if x <= MAX_AFTER_WRITE else 'missed'}** ({x:.1f}x). "
                     "A write drops only the remembered reads of the subjects it touches (coaching/db/subjects.py); "
                     "the steps the rerun costs are under 'Where the time goes'.")
    if r.pg_timings:
        worst = max(_pg_over_duck(r, size, s) for size in r.pg_timings for s in r.screens)
        lines.append(f"Warm reruns on PostgreSQL within {MAX_PG_OVER_DUCK:g}x DuckDB's (every screen and size): "
                     f"**{'met' if worst <= MAX_PG_OVER_DUCK else 'missed'}** (up to {worst:.2f}x).")
    if r.clients:
        c = r.clients
        x = _p95(c.of(EMBEDDED)) / _p95(c.of(BARE_FORM))
        met = "met" if x <= MAX_LOAD_OVER_BARE else "missed"
        lines.append(f"{c.clients} respondents at once against one server, the app's p95 script run within "
                     f"{MAX_LOAD_OVER_BARE:g}x the bare form page's: **{met}**"
                     f" ({x:.0f}x: the CPU of one script run, p95 {p95(_cpu(c.of(EMBEDDED))):,.0f} ms against "
                     f"{p95(_cpu(c.of(BARE_FORM))):,.0f} ms, times the sessions sharing one process's GIL).")
        if c.of(PG_TWO):
            ratio = _per_minute(c.of(PG_TWO)) / _per_minute(c.of(PG_ONE))
            lines.append(f"Two app servers carry at least {MIN_TWO_OVER_ONE:g}x one on a machine with 4+ cores: "
                         f"**not measurable here** ({ratio:.2f}x on {_cores()} shared cores: {_limit(c.of(PG_TWO))}; "
                         "one server is bound to one core by its GIL, so the second needs a core of its own).")
    return lines


def _cpu(runs: list[LoadRun]) -> tuple[float, ...]:
    return tuple(ms for run in runs for ms in run.run_cpu_ms)


# ---- RESULTS.md ----------------------------------------------------------------------------------------------


def postgres_section(r: Results, submissions_table) -> list[str]:
    if not r.pg_timings:
        return ["Skipped in this run (--no-postgres)."]
    lines = [
        "The same organisations generated into a throwaway PostgreSQL cluster of the bench's own "
        "(tests/postgres_server.py, on loopback, fsync on) by bench/synthetic.py through the same service calls and "
        "seed, then ANALYZE (as autovacuum would have done on a live database); each measurement on a "
        "`CREATE DATABASE ... TEMPLATE` copy. The PostgreSQL sessions are timed in the "
        "same rounds as the DuckDB ones and the bare page (interleaved), so the ratios compare like with like.",
        "", "| teams | screen | DuckDB median ms | PostgreSQL median ms | PostgreSQL p90 ms | x DuckDB |",
        "|---:|---|---:|---:|---:|---:|"]
    for size in sorted(r.pg_timings):
        for screen, t in r.pg_timings[size].items():
            duck = r.timings[size][screen]
            lines.append(f"| {size:,} | {screen} | {duck.median:,.1f} | {t.median:,.1f} | {t.p90:,.1f} "
                         f"| {t.median / duck.median:.2f} |")
    lines += ["", "Home's first rerun after one new answer elsewhere: "
              + ", ".join(f"{size:,} teams {ms:,.0f} ms (DuckDB {r.after_answer[size]:,.0f} ms)"
                          for size, ms in sorted(r.pg_after_answer.items())) + "."]
    lines += ["", f"Submissions on PostgreSQL, as under 'Submissions' ({r.loaded_size:,} teams, a copy of the "
              "generated organisation; \"writer busy\": the share of the run inside the write transactions, which "
              "all take the same advisory lock):", "", submissions_table(r.pg_submissions)]
    lines += ["", "Generating into PostgreSQL: " + ", ".join(
        f"{size:,} teams {g.seconds:,.1f} s ({g.setup_seconds:,.1f} s setup, {g.store_seconds:,.1f} s storing)"
        for size, g in sorted(r.pg_generation.items())) + "."]
    return lines


def load_section(c: ClientRuns | None, problem: str) -> list[str]:
    if c is None:
        return [f"Not measured: {problem}"]
    lines = [
        f"bench/load_client.py: {c.clients} clients at once, each a respondent after another ({c.per_client} each, "
        "no think time) through Streamlit's own websocket protocol: open the personal link, Start, every step's form "
        "filled and saved, Send, until the profile is shown; every click is a real script run on the server. "
        f"{c.rounds} round{'s' * (c.rounds > 1)} per configuration, the configurations interleaved round by round; "
        "each server warmed by one respondent first. Script runs are logged by the servers (bench/rerun_hook). "
        "CPU: seconds of CPU per second of the run (cores kept busy) by the app servers, PostgreSQL, this client, "
        "and the whole machine (everyone's work: the machine is shared).",
        "", "| configuration | round | answers | s | per minute | script run p50 / p95 ms (wall) "
        "| script run p95 ms (CPU) | click p95 ms | cores: servers / postgres / client / machine |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n, run in enumerate(c.runs):
        cores = " / ".join(f"{run.cpu_s[k] / run.seconds:.2f}" for k in ("servers", "postgres", "client", "machine"))
        lines.append(f"| {run.config} | {n // max(1, len(c.runs) // c.rounds) + 1} | {run.completed} "
                     f"| {run.seconds:,.1f} | {run.per_minute:,.0f} | {median(run.run_wall_ms):,.0f} / "
                     f"{p95(run.run_wall_ms):,.0f} | {p95(run.run_cpu_ms):,.0f} | {p95(run.click_ms):,.0f} | {cores} |")
    return lines

