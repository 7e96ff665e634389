"""Several Aspire app servers on one PostgreSQL database behind nginx, all on this machine: `make servers`.

A try-out of the layout of README "Running for a large organisation". The first app server starts alone (it
brings the database up to date and loads the demo data if asked), then the others; once every one answers its
health check, nginx balances them with sticky sessions (deploy/nginx/try-out.conf). Ctrl-C stops them all, and
so does one of them stopping by itself.

Variables: COACHING_DB (postgresql://..., required) and every other COACHING_* setting, passed to each server
alike; SERVERS (2); BALANCER_PORT (8600; the app servers take the ports after it); SERVERS_DIR (logs and the
nginx config; default a new folder under /tmp). COACHING_BASE_URL defaults to the balancer's address, so the
links people get lead through it. All servers sign cookies with one secret: [auth] cookie_secret of
.streamlit/secrets.toml where single sign-on is set up, else STREAMLIT_SERVER_COOKIE_SECRET (one is made up
for the run when unset).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "deploy" / "nginx" / "try-out.conf"
SNIPPETS = REPO / "deploy" / "nginx" / "snippets"
START_TIMEOUT_S = 90
NGINX_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])


class Refused(SystemExit):
    """A one-line reason to stop, printed as `servers: ...` with exit status 1."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"servers: {reason}")


def settings() -> tuple[int, list[int], Path, dict[str, str]]:
    """The balancer's port, the app servers' ports, the run folder and the servers' environment."""
    db = os.environ.get("COACHING_DB", "")
    if not db.startswith(("postgresql://", "postgres://")):
        raise Refused("several app servers share one PostgreSQL database: set COACHING_DB=postgresql://"
                      "user:password@host:port/dbname (a DuckDB file serves one app server: make run)")
    try:
        count, port = int(os.environ.get("SERVERS", "2")), int(os.environ.get("BALANCER_PORT", "8600"))
    except ValueError as exc:
        raise Refused("SERVERS and BALANCER_PORT are whole numbers") from exc
    if count < 1:
        raise Refused("SERVERS is at least 1")
    folder = Path(os.environ.get("SERVERS_DIR") or tempfile.mkdtemp(prefix="aspire-servers-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "COACHING_BASE_URL": os.environ.get("COACHING_BASE_URL") or f"http://localhost:{port}",
        "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32),
    }
    return port, [port + n for n in range(1, count + 1)], folder, env


def check_config(env: dict[str, str]) -> None:
    """The same check as `make run`: a bad setting stops the try-out before any server starts."""
    checked = subprocess.run([sys.executable, "-m", "coaching.cli", "check-config"], cwd=REPO, env=env,  # noqa: S603
                             capture_output=True, text=True)
    if checked.returncode:
        said = (checked.stderr or checked.stdout).strip().splitlines()
        raise Refused(said[-1] if said else f"coaching check-config failed (exit {checked.returncode})")


def start_app(port: int, folder: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`streamlit run server.py` on loopback at `port`, its output in the run folder."""
    with (folder / f"server-{port}.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:  # noqa: S310
            return answer.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def wait_healthy(servers: dict[int, subprocess.Popen[bytes]], folder: Path) -> None:
    """Until every app server answers its health check; refuse with the first one's log if one dies or lags."""
    deadline = time.monotonic() + START_TIMEOUT_S
    waiting = set(servers)
    while waiting:
        for port in sorted(waiting):
            if servers[port].poll() is not None:
                raise Refused(f"the app server on port {port} stopped while starting: see {folder}/server-{port}.log")
            if healthy(port):
                waiting.discard(port)
        if waiting and time.monotonic() > deadline:
            raise Refused(f"the app server on port {min(waiting)} did not start within {START_TIMEOUT_S} s: "
                          f"see {folder}/server-{min(waiting)}.log")
        time.sleep(0.3)


def nginx_config(port: int, apps: list[int], folder: Path) -> Path:
    """deploy/nginx/try-out.conf filled in for this run, checked by `nginx -t`."""
    (folder / "nginx-temp").mkdir(exist_ok=True)
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "@USER@": "user root;" if os.geteuid() == 0 else "",   # workers write the temp folders of the run
        "@DIR@": str(folder),
        "@SNIPPETS@": str(SNIPPETS),
        "@PORT@": str(port),
        "@SERVERS@": "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in apps),
    }.items():
        text = text.replace(key, value)
    config = folder / "nginx.conf"
    config.write_text(text, encoding="utf-8")
    checked = subprocess.run([nginx(), "-t", "-c", str(config), "-p", str(folder)],  # noqa: S603
                             capture_output=True, text=True)
    if checked.returncode:
        raise Refused(f"nginx refused {config}: {checked.stderr.strip().splitlines()[-1]}")
    return config


def nginx() -> str:
    found = shutil.which("nginx", path=NGINX_PATH)
    if found is None:
        raise Refused("nginx not found: install Debian's nginx with `apt-get install nginx`")
    return found


def start_balancer(port: int, config: Path, folder: Path) -> subprocess.Popen[bytes]:
    """nginx in the foreground; returns once it listens on `port`."""
    with (folder / "nginx.out").open("wb") as log:
        process = subprocess.Popen([nginx(), "-c", str(config), "-p", str(folder)],  # noqa: S603
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Refused(f"nginx stopped at start: see {folder}/nginx-error.log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise Refused(f"nginx did not listen on port {port} within 20 s: see {folder}/nginx-error.log")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Ask every process to stop at once, then kill whichever is still there after ten seconds."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(processes: list[subprocess.Popen[bytes]]) -> None:
    """Start everything (appending to `processes` as it goes), then wait until one of them stops."""
    port, apps, folder, env = settings()
    check_config(env)
    servers = {apps[0]: start_app(apps[0], folder, env)}
    processes.append(servers[apps[0]])
    wait_healthy(servers, folder)    # the first one alone: it migrates the database and loads the demo data
    for app in apps[1:]:
        servers[app] = start_app(app, folder, env)
        processes.append(servers[app])
    wait_healthy(servers, folder)
    balancer = start_balancer(port, nginx_config(port, apps, folder), folder)
    processes.append(balancer)
    print(f"Aspire on http://localhost:{port}: {len(apps)} app servers (ports {', '.join(map(str, apps))}) "
          f"on one PostgreSQL database behind nginx; logs in {folder}. Ctrl-C stops all.", flush=True)
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    gone = next(process for process in processes if process.poll() is not None)
    what = "nginx" if gone is balancer else f"the app server on port {apps[processes.index(gone)]}"
    raise Refused(f"{what} stopped (exit {gone.returncode}), so the others are stopped too: logs in {folder}")


def on_terminate(_signal: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Ctrl-C (SIGINT) and SIGTERM both stop everything. SIGINT's handler is set here too: a process started in the
    background by a script (or under nohup) inherits SIGINT ignored, and Python then leaves it ignored."""
    signal.signal(signal.SIGINT, on_terminate)
    signal.signal(signal.SIGTERM, on_terminate)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        run(processes)
    except KeyboardInterrupt:
        print("servers: stopping", flush=True)
    finally:
        stop(processes)


if __name__ == "__main__":
    main()
