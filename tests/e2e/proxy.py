"""Debian's nginx with the shipped deploy/nginx/aspire.conf, on loopback ports, in front of a test app server.

The shipped file is used as it is, except for what differs on a test machine: the listen ports (loopback), the
server name (localhost), the upstream (the test app's port) and a self-signed certificate made for the test.
Those substitutions must each match exactly once, so a change to the shipped file that they no longer fit fails
here instead of testing something else.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.ports import free_port

from .helpers import REPO_ROOT, AppServer, stop_process

SHIPPED = REPO_ROOT / "deploy" / "nginx" / "aspire.conf"
SERVER_NAME = "aspire.yourcompany.example"
NGINX_HINT = "nginx not found: install Debian's nginx with `apt-get install nginx` (.ci/run does so when missing)"


#: Where Debian puts nginx (/usr/sbin is not on every user's PATH), after the PATH itself.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])


def nginx_binary() -> str:
    """Debian's nginx; a test that needs it fails, never skips, and says how to install it."""
    found = shutil.which("nginx", path=SEARCH_PATH)
    if found is None:
        pytest.fail(NGINX_HINT, pytrace=False)
    return found


def _substitute(text: str, old: str, new: str) -> str:
    count = text.count(old)
    assert count >= 1, f"deploy/nginx/aspire.conf no longer holds {old!r}: update tests/e2e/proxy.py with it"
    return text.replace(old, new)


class Proxy:
    """nginx in front of `app`: `.url` (https://localhost:PORT), `.http_port`, `.https_port`."""

    def __init__(self, workdir: Path, app: AppServer) -> None:
        self.workdir = workdir
        self.app = app
        self.http_port, self.https_port = free_port(), free_port()
        self.url = f"https://localhost:{self.https_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        site = SHIPPED.read_text(encoding="utf-8")
        for old, new in [
            ("server 127.0.0.1:8501;", f"server 127.0.0.1:{self.app.port};"),
            ("listen 80 default_server;", f"listen 127.0.0.1:{self.http_port} default_server;"),
            ("listen 443 ssl default_server;", f"listen 127.0.0.1:{self.https_port} ssl default_server;"),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen 443 ssl;", f"listen 127.0.0.1:{self.https_port} ssl;"),
            (f"server_name {SERVER_NAME};", "server_name localhost;"),
            ("return 301 https://$host$request_uri;", f"return 301 https://$host:{self.https_port}$request_uri;"),
            ("/etc/ssl/certs/aspire.pem", str(self.workdir / "cert.pem")),
            ("/etc/ssl/private/aspire.key", str(self.workdir / "key.pem")),
            ("include snippets/", f"include {SHIPPED.parent / 'snippets'}/"),   # /etc/nginx/snippets/ on a server
        ]:
            site = _substitute(site, old, new)
        assert not re.search(r"listen (80|443)\b", site), "a listen directive of the shipped file was not moved"
        w = self.workdir
        user = "user root;" if os.geteuid() == 0 else ""     # workers write the temp folders under tmp_path
        return f"""
{user}
worker_processes 1;
daemon off;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {w}/access.log;
    client_body_temp_path {w}/body;
    proxy_temp_path {w}/proxy;
    fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi;
    scgi_temp_path {w}/scgi;
    include /etc/nginx/mime.types;
{site}
}}
"""

    def start(self) -> Proxy:
        binary = nginx_binary()
        self.workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",  # noqa: S607
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", str(self.workdir / "key.pem"), "-out", str(self.workdir / "cert.pem")],
                       check=True, capture_output=True)
        conf = self.workdir / "nginx.conf"
        conf.write_text(self.config(), encoding="utf-8")
        checked = subprocess.run([binary, "-t", "-c", str(conf), "-p", str(self.workdir)],  # noqa: S603
                                 capture_output=True, text=True)
        assert checked.returncode == 0, f"nginx -t refused the generated config:\n{checked.stderr}"
        log = (self.workdir / "nginx.out").open("wb")
        self.process = subprocess.Popen([binary, "-c", str(conf), "-p", str(self.workdir)],  # noqa: S603
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                assert self.process.poll() is None, (self.workdir / "error.log").read_text(errors="replace")
                time.sleep(0.1)
        self.stop()
        pytest.fail("nginx did not listen within 20 s", pytrace=False)

    def stop(self) -> None:
        stop_process(self.process)
