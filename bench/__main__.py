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
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import quality
from bench.browser import measure_browser
from bench.cache import Organisation, copy_for_run, organisation
from bench.events import answer_elsewhere
from bench.imports import measure_import
from bench.profiling import profile_generation, profile_screen
from bench.report import Results, markdown, summary_table
from bench.screens import APP, BARE, BARE_SCREEN, SCREENS, app_on, compiled_once, prime, time_after, time_screens
from bench.submissions import measure_submissions
from bench.synthetic import BENCH_MANAGER, SEED
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
    return parser.parse_args(argv)


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
    with tempfile.TemporaryDirectory(prefix="aspire-bench-") as tmp:
        work = Path(tmp)
        generate_all(args, results, work)
        with compiled_once():
            prime()
            for size in args.sizes:
                measure_size(size, args.runs, results, work)
            profile_largest(results, work)
        measure_load(results, work, args.seed)
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


def _every_tenth_batch() -> Callable[[str], None]:
    """Progress for long generations without flooding the terminal."""
    calls = 0

    def progress(message: str) -> None:
        nonlocal calls
        calls += 1
        if calls % 10 == 0:
            say(f"  {message}")

    return progress


def measure_size(size: int, runs: int, results: Results, work: Path) -> None:
    """The bare page and each screen, interleaved, against a throwaway copy of this size's organisation;
    then home's first rerun after one new answer elsewhere in the organisation."""
    org = results.orgs[size]
    db = copy_for_run(org, work)
    actor = benched(org)
    with app_on(db) as opened:
        targets = [(BARE, BARE_SCREEN, None), *((APP, screen, actor) for screen in SCREENS)]
        results.timings[size] = time_screens(targets, runs)
        home = SCREENS[0]
        results.after_answer[size] = time_after(APP, home, actor, lambda: answer_elsewhere(opened[0], actor, 1))
    for name, timing in results.timings[size].items():
        say(f"{size:,} teams, {name}: median {timing.median:,.1f} ms, p90 {timing.p90:,.1f} ms")
    say(f"{size:,} teams, home after one new answer elsewhere: {results.after_answer[size]:,.0f} ms")
    db.unlink()


def profile_largest(results: Results, work: Path) -> None:
    """Where warm reruns spend their time at the largest size: the cause when a target is missed."""
    org = results.orgs[results.sizes[-1]]
    db = copy_for_run(org, work)
    with app_on(db):
        for screen in SCREENS:
            results.screen_hotspots[screen.name] = profile_screen(APP, screen, benched(org))
    db.unlink()


def measure_load(results: Results, work: Path, seed: int) -> None:
    """Bursts of submissions, then a 10,000-member import, against a copy of the largest organisation."""
    size = results.sizes[-1]
    org = results.orgs[size]
    db = copy_for_run(org, work)
    aspire = start(load_settings(db=db, demo=False))
    try:
        results.loaded_size = size
        results.submissions = measure_submissions(aspire, seed)
        for run in results.submissions:
            say(f"{run.path}, {run.threads} threads: p95 {run.p95:,.1f} ms, {run.per_second:,.0f}/s, {run.lost} lost")
        results.imported = measure_import(aspire, benched(org), work, seed)
        say(f"import of {results.imported.rows:,} members: {results.imported.seconds:,.1f} s")
    finally:
        aspire.close()
    db.unlink()


def benched(org: Organisation) -> Actor:
    """The manager the screens act as: the owner of the one team of 12 the generator made for them."""
    return Actor(Role.MANAGER, org.generation.manager_id, BENCH_MANAGER[1])


if __name__ == "__main__":
    raise SystemExit(main())
