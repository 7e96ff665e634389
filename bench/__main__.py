"""`python -m bench`: generate organisations, time every screen against each, print and record the results.

Run from the repository root (`make bench` does). Sizes are selectable because the largest
organisation takes minutes to generate; generated files are cached under bench/.cache/ and remade
whenever the code that decides their content changes. Last come the measurements in Debian's Chromium
against real servers (bench/browser.py, about three minutes); `--no-browser` leaves them out. Then the
scoring's calibration on simulated respondents (bench/quality.py, recorded in bench/QUALITY.md);
`--no-quality` leaves it out.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench import quality
from bench.after_write import breakdown
from bench.browser import FAILURES, measure_browser
from bench.cache import Organisation, copy_for_run, organisation
from bench.events import answer_elsewhere
from bench.imports import measure_import
from bench.load_client import measure_clients
from bench.postgres import PgOrganisation, pg_organisation, postgres_server
from bench.profiling import profile_generation, profile_screen
from bench.report import Results, markdown, summary_table
from bench.screens import (
    APP,
    BARE,
    BARE_SCREEN,
    SCREENS,
    Target,
    app_on,
    compiled_once,
    prime,
    time_after,
    time_screens,
)
from bench.submissions import SubmissionRun, measure_submissions
from bench.synthetic import BENCH_MANAGER, SEED
from coaching.aspire import Aspire
from coaching.core.actors import Actor, Role
from coaching.core.settings import load_settings
from coaching.startup import start

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"
REMEDIES = BENCH_DIR / "remedies.md"
CACHE = BENCH_DIR / ".cache"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[10, 100, 1000],
                        help="comma-separated numbers of teams (default: 10,100,1000)")
    parser.add_argument("--runs", type=int, default=15, help="timed reruns per screen and size (default: 15)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default: {SEED})")
    parser.add_argument("--fresh", action="store_true", help="regenerate organisations even if cached")
    parser.add_argument("--no-cache", action="store_true", help="generate into a temporary folder, keep nothing")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the markdown results")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the measurements in Chromium (cold start, memory per session, respondents at once)")
    parser.add_argument("--no-quality", action="store_true",
                        help="skip the scoring's calibration on simulated respondents (bench/quality.py)")
    parser.add_argument("--no-postgres", action="store_true",
                        help="skip the PostgreSQL column and the load against app servers on PostgreSQL")
    parser.add_argument("--quick", action="store_true",
                        help="a development run: 100 teams, 7 reruns, short load, no browser, no calibration")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.no_browser, args.no_quality = [100], 7, True, True
    return args


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers of teams like 10,100,1000, got {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("every size must be at least one team")
    return sizes


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    # Clearing st.cache_resource between sizes happens outside a script run, which Streamlit warns about;
    # a filter survives Streamlit resetting its loggers' levels from its config.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())
    results = Results(command=shlex.join(["python", "-m", "bench", *argv]), runs=args.runs)
    with tempfile.TemporaryDirectory(prefix="aspire-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        generate_all(args, results, work)
        pg = {} if args.no_postgres else generate_postgres(args, results, stack.enter_context(postgres_server()))
        with compiled_once():
            prime()
            for size in args.sizes:
                measure_size(size, args.runs, results, work, pg.get(size))
            profile_largest(results, work, pg.get(results.sizes[-1]))
        measure_load(results, work, args.seed, pg.get(results.sizes[-1]))
        measure_at_once(results, work, pg.get(results.sizes[-1]), quick=args.quick)
        if not args.no_browser:
            results.browser = measure_browser(work, say)
    print(summary_table(results))
    args.results.write_text(markdown(results, REMEDIES.read_text(encoding="utf-8")), encoding="utf-8")
    say(f"wrote {args.results}")
    if args.no_quality:
        return 0
    return quality.main(["--record"])


def generate_all(args: argparse.Namespace, results: Results, work: Path) -> None:
    """Every requested organisation (cached or made now), then a fresh profile of where generation time goes."""
    folder = work / "generated" if args.no_cache else CACHE
    for size in args.sizes:
        t0 = time.perf_counter()
        org = organisation(size, folder, seed=args.seed, fresh=args.fresh, progress=_every_tenth_batch())
        results.orgs[size] = org
        how = "cached" if org.cached else f"generated in {time.perf_counter() - t0:,.1f} s"
        say(f"{size:,} teams: {org.generation.responses:,} responses, {how}")
    results.generation_hotspots = profile_generation(work)


def generate_postgres(args: argparse.Namespace, results: Results, server) -> dict[int, PgOrganisation]:
    """The same organisations generated into PostgreSQL (same seed, same service calls), one per size."""
    pg = {}
    for size in args.sizes:
        t0 = time.perf_counter()
        pg[size] = pg_organisation(server, size, seed=args.seed, progress=_every_tenth_batch())
        results.pg_generation[size] = pg[size].generation
        say(f"{size:,} teams into PostgreSQL: generated in {time.perf_counter() - t0:,.1f} s")
    return pg


def _every_tenth_batch() -> Callable[[str], None]:
    """Progress for long generations without flooding the terminal."""
    calls = 0

    def progress(message: str) -> None:
        nonlocal calls
        calls += 1
        if calls % 10 == 0:
            say(f"  {message}")

    return progress


def measure_size(size: int, runs: int, results: Results, work: Path, pg: PgOrganisation | None) -> None:
    """The bare page and each screen, on DuckDB and (given `pg`) on PostgreSQL, all interleaved, against
    throwaway copies of this size's organisation; then home's first rerun after one new answer elsewhere."""
    org = results.orgs[size]
    db = copy_for_run(org, work)
    actor = benched(org)
    pg_url, pg_actor = (pg.copy(), benched(pg)) if pg else (None, None)
    with app_on(db) as opened:
        targets = [Target(BARE_SCREEN.name, BARE, BARE_SCREEN), *(Target(s.name, APP, s, actor, db) for s in SCREENS)]
        if pg_url:
            targets += [Target(f"{s.name} {PG}", APP, s, pg_actor, pg_url) for s in SCREENS]
        timings = time_screens(targets, runs)
        results.timings[size] = {k: t for k, t in timings.items() if not k.endswith(PG)}
        results.after_answer[size] = _after_answers(Target(SCREENS[0].name, APP, SCREENS[0], actor, db),
                                                    lambda n: answer_elsewhere(_on(opened, "duckdb"), actor, n))
        if pg_url:
            results.pg_timings[size] = {k.removesuffix(f" {PG}"): t for k, t in timings.items() if k.endswith(PG)}
            results.pg_after_answer[size] = _after_answers(
                Target(SCREENS[0].name, APP, SCREENS[0], pg_actor, pg_url),
                lambda n: answer_elsewhere(_on(opened, "postgresql"), pg_actor, n))
    for name, timing in timings.items():
        say(f"{size:,} teams, {name}: median {timing.median:,.1f} ms, p90 {timing.p90:,.1f} ms")
    say(f"{size:,} teams, home after one new answer elsewhere: {results.after_answer[size]:,.0f} ms"
        + (f" (PostgreSQL: {results.pg_after_answer[size]:,.0f} ms)" if pg_url else ""))
    db.unlink()


PG = "(postgresql)"
AFTER_ANSWERS = 3   # home's first rerun after a new answer, timed this many times (each its own session and answer)


def _after_answers(target: Target, answer: Callable[[int], None]) -> float:
    """The median of AFTER_ANSWERS first reruns after a new answer: one alone is at the mercy of the machine."""
    return statistics.median(time_after(target, lambda n=n: answer(n)) for n in range(1, AFTER_ANSWERS + 1))


def _on(opened: list[Aspire], dialect: str) -> Aspire:
    """The Aspire the app opened on the engine named: the benchmark writes through the app's own object."""
    return next(a for a in opened if a.db.engine.dialect == dialect)


def profile_largest(results: Results, work: Path, pg: PgOrganisation | None) -> None:
    """Where warm reruns spend their time at the largest size: the cause when a target is missed; and where
    home's first rerun after a new answer elsewhere spends it, on each engine."""
    org = results.orgs[results.sizes[-1]]
    db = copy_for_run(org, work)
    actor = benched(org)
    newcomers = iter(range(100, 1000))   # a newcomer of their own before every profiled or timed rerun
    home = SCREENS[0]
    with app_on(db) as opened:
        for screen in SCREENS:
            results.screen_hotspots[screen.name] = profile_screen(APP, screen, actor)
        results.after_write_hotspots = profile_screen(
            APP, home, actor, top=16, before=lambda: answer_elsewhere(_on(opened, "duckdb"), actor, next(newcomers)))
        results.after_write["DuckDB"] = breakdown(
            Target(home.name, APP, home, actor, db),
            lambda: answer_elsewhere(_on(opened, "duckdb"), actor, next(newcomers)))
        if pg:
            pg_actor = benched(pg)
            results.after_write["PostgreSQL"] = breakdown(
                Target(home.name, APP, home, pg_actor, pg.copy()),
                lambda: answer_elsewhere(_on(opened, "postgresql"), pg_actor, next(newcomers)))
    db.unlink()


def measure_load(results: Results, work: Path, seed: int, pg: PgOrganisation | None) -> None:
    """Bursts of submissions against a copy of the largest organisation, on DuckDB and (given `pg`) on
    PostgreSQL, run by run in turn; then a 10,000-member import on DuckDB."""
    size = results.sizes[-1]
    org = results.orgs[size]
    db = copy_for_run(org, work)
    results.loaded_size = size
    with ExitStack() as stack:
        aspires = [stack.enter_context(started(db)), *([stack.enter_context(started(pg.copy()))] if pg else [])]
        results.submissions, *on_postgres = measure_submissions(aspires, seed)
        results.pg_submissions = on_postgres[0] if on_postgres else []
        _say_runs(results.submissions, "DuckDB")
        _say_runs(results.pg_submissions, "PostgreSQL")
        results.imported = measure_import(aspires[0], benched(org), work, seed)
        say(f"import of {results.imported.rows:,} members: {results.imported.seconds:,.1f} s")
    db.unlink()


@contextmanager
def started(db: Path | str) -> Iterator[Aspire]:
    aspire = start(load_settings(db=db, demo=False))
    try:
        yield aspire
    finally:
        aspire.close()


def _say_runs(runs: list[SubmissionRun], engine: str) -> None:
    for run in runs:
        say(f"{engine}: {run.path}, {run.threads} threads: p95 {run.p95:,.1f} ms, {run.per_second:,.0f}/s, "
            f"{run.lost} lost")


def measure_at_once(results: Results, work: Path, pg: PgOrganisation | None, *, quick: bool) -> None:
    """Respondents answering at once through the scripted client; a failure is reported, the rest still runs."""
    try:
        results.clients = measure_clients(work, results.orgs[results.sizes[-1]], pg, say, quick=quick)
    except FAILURES as exc:  # written into RESULTS.md as not measured, with the reason
        results.clients_problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        say(f"load: not measured: {results.clients_problem}")


def benched(org: Organisation | PgOrganisation) -> Actor:
    """The manager the screens act as: the owner of the one team of 12 the generator made for them."""
    return Actor(Role.MANAGER, org.generation.manager_id, BENCH_MANAGER[1])


if __name__ == "__main__":
    raise SystemExit(main())
