"""Put on PYTHONPATH of a server the benchmark starts: records how long the server spends on each script run.

Python imports `sitecustomize` at start-up, so the app and Streamlit stay untouched. With ASPIRE_RUN_LOG
naming a file, every line appended to it is "<kind> <wall ms> <cpu ms>" (CPU: of the thread doing the work
alone, so the wall time less waiting for a core, for the GIL or for another thread):
- "run": one execution of the script (`exec_func_with_error_handling`), whether it finished or was
  interrupted by a newer rerun request;
- "request": one rerun request handled by a session (`ScriptRunner._run_script`), the runs an
  `st.rerun()` chains to it and the garbage collection after each run included: what a click costs the server;
- "gc": one full (generation 2) garbage collection, in any thread; it holds the GIL, so every session waits.
With ASPIRE_RUN_PROFILE naming a folder as well, each script run is also profiled (cProfile, on the script's
own thread) and its statistics written there as run-<n>.prof, numbered in order: bench/respond_profile.py
reads them to break a respondent's script run down.
Without ASPIRE_RUN_LOG nothing is imported and nothing changes.
"""

import os


def _install(path: str) -> None:
    import functools
    import gc
    import threading
    import time

    from streamlit.runtime.scriptrunner import script_runner

    lock = threading.RLock()   # re-entered when a collection starts while its thread writes a line

    def write(kind: str, t0: float, cpu0: float) -> None:
        ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.thread_time() - cpu0) * 1000
        with lock, open(path, "a", encoding="ascii") as log:
            log.write(f"{kind} {ms:.3f} {cpu_ms:.3f}\n")

    def timed(kind: str, real):
        @functools.wraps(real)
        def wrapper(*args, **kwargs):
            t0, cpu0 = time.perf_counter(), time.thread_time()
            try:
                return real(*args, **kwargs)
            finally:
                write(kind, t0, cpu0)
        return wrapper

    def profiled(real, folder: str):
        import cProfile
        import itertools

        numbers = itertools.count()

        @functools.wraps(real)
        def wrapper(*args, **kwargs):
            number = next(numbers)
            if number == 0:   # the process's first run imports the app: under cProfile that met an import race
                return real(*args, **kwargs)
            profiler = cProfile.Profile(time.thread_time)   # CPU of this thread: waiting is not the page
            profiler.enable()
            try:
                return real(*args, **kwargs)
            finally:
                profiler.disable()
                profiler.dump_stats(os.path.join(folder, f"run-{number:05d}.prof"))
        return wrapper

    collecting = threading.local()

    def full_collections(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            collecting.began = time.perf_counter(), time.thread_time()
        elif hasattr(collecting, "began"):
            write("gc", *collecting.began)

    run = script_runner.exec_func_with_error_handling
    if os.environ.get("ASPIRE_RUN_PROFILE"):
        run = profiled(run, os.environ["ASPIRE_RUN_PROFILE"])
    script_runner.exec_func_with_error_handling = timed("run", run)
    script_runner.ScriptRunner._run_script = timed("request", script_runner.ScriptRunner._run_script)
    gc.callbacks.append(full_collections)


if os.environ.get("ASPIRE_RUN_LOG"):
    _install(os.environ["ASPIRE_RUN_LOG"])
