"""The shipped reverse proxy (deploy/nginx/aspire.conf) in front of the app started as the README says: its
headers on every answer, /_stcore/metrics closed, only its own Host name served (DNS rebinding refused, over
HTTP and over the WebSocket), and a whole visit (log in, team, one-on-one, a respondent answering) under its
Content-Security-Policy without one violation."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import os
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from coaching.measurement.instrument import Instrument
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.teams import list_teams
from coaching.rounds import rounds

from . import proxy
from .helpers import AppServer, demo_organisation, wait_for_app
from .proxy import Proxy
from .test_journey import finish_and_send

WAVE = "2027"          # the demo has answers in 2025 and 2026: the respondent starts afresh
HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
# Collects every Content-Security-Policy violation the page reports, before any of the app's scripts run.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '')));
"""


@dataclass(frozen=True)
class Site:
    app: AppServer
    proxy: Proxy
    instrument: Instrument
    invite: str       # a respondent's link through the proxy


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("proxied")
    app = AppServer(root / "app", env={"COACHING_DEMO": "1"})
    nginx = Proxy(root / "nginx", app)
    with demo_organisation(app, base_url=nginx.url) as aspire:
        maria = accounts_of(aspire).actor_for_email("maria@example.com")
        team = list_teams(aspire, maria)[0]
        _, links = rounds.open_round(aspire, maria, team.id, WAVE, dt.datetime.now(dt.UTC) + dt.timedelta(days=14))
        instrument = current_instrument(aspire)
    token = parse_qs(urlparse(links[0].url).query)["invite"][0]
    app.env["COACHING_BASE_URL"] = nginx.url
    app.start()
    nginx.start()
    try:
        yield Site(app, nginx, instrument, f"{nginx.url}/respond?invite={token}")
    finally:
        nginx.stop()
        app.stop()


def request(site: Site, path: str, host: str = "localhost", *, tls: bool = True) -> http.client.HTTPResponse:
    port = site.proxy.https_port if tls else site.proxy.http_port
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE      # the test's self-signed certificate
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.read()
    return response


def websocket_handshake(site: Site, host: str, origin: str, *, direct: bool = False) -> str:
    """The status line a WebSocket upgrade of /_stcore/stream gets: through nginx, or `direct` from the app."""
    raw = socket.create_connection(("127.0.0.1", site.app.port if direct else site.proxy.https_port), timeout=20)
    if not direct:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        raw = context.wrap_socket(raw, server_hostname=host.split(":")[0])
    with raw:
        key = base64.b64encode(os.urandom(16)).decode()
        raw.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: streamlit\r\n\r\n").encode())
        try:
            answer = raw.recv(4096).decode("latin-1")
        except (ConnectionError, ssl.SSLError):
            return "closed"
    return answer.split("\r\n", 1)[0] if answer else "closed"


# ---- headers, metrics, Host ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/respond?invite=x", "/_stcore/health", "/no-such-page"])
def test_every_answer_carries_the_security_headers(site: Site, path: str) -> None:
    response = request(site, path)
    for name, value in HEADERS.items():
        assert response.getheader(name) == value, (path, name, response.getheaders())
    policy = response.getheader("content-security-policy") or ""
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, policy
    assert response.getheader("strict-transport-security", "").startswith("max-age=")


def test_the_apps_scripts_carry_them_too(site: Site) -> None:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", site.proxy.https_port, timeout=20, context=context)
    connection.request("GET", "/", headers={"Host": "localhost"})
    page = connection.getresponse().read().decode()
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', page)
    assert script, page[:500]
    response = request(site, "/" + script.group(1))
    assert response.status == 200 and response.getheader("x-content-type-options") == "nosniff"


def test_metrics_are_closed_at_the_proxy_though_the_app_serves_them(site: Site) -> None:
    assert request(site, "/_stcore/metrics").status == 404
    direct = http.client.HTTPConnection("127.0.0.1", site.app.port, timeout=20)
    direct.request("GET", "/_stcore/metrics")
    assert direct.getresponse().status == 200, "if Streamlit closes it itself, say so in the README"


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1", "localhost.evil.example"])
@pytest.mark.parametrize("tls", [True, False])
def test_a_foreign_host_name_gets_no_answer(site: Site, host: str, tls: bool) -> None:
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
        request(site, "/", host, tls=tls)


def test_plain_http_is_sent_to_https(site: Site) -> None:
    response = request(site, "/team", tls=False)
    assert response.status == 301
    assert response.getheader("location") == f"https://localhost:{site.proxy.https_port}/team"


def test_the_websocket_opens_for_the_app_and_not_for_a_dns_rebinding_page(site: Site) -> None:
    own = f"https://localhost:{site.proxy.https_port}"
    assert websocket_handshake(site, "localhost", own).startswith("HTTP/1.1 101")
    assert websocket_handshake(site, "evil.example", "http://evil.example") == "closed"
    assert not websocket_handshake(site, "localhost", "http://evil.example").startswith("HTTP/1.1 101")


def test_without_the_proxy_streamlit_itself_refuses_a_websocket_for_a_foreign_host(site: Site) -> None:
    """.streamlit/config.toml's allowedHosts: a DNS-rebinding page's Host and Origin are its own, not ours."""
    own = f"http://127.0.0.1:{site.app.port}"
    assert websocket_handshake(site, f"127.0.0.1:{site.app.port}", own, direct=True).startswith("HTTP/1.1 101")
    rebound = f"evil.example:{site.app.port}"
    assert not websocket_handshake(site, rebound, f"http://{rebound}", direct=True).startswith("HTTP/1.1 101")


# ---- the app under the Content-Security-Policy --------------------------------------------------------------


def violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.__csp") + [m for m in console if "Content Security Policy" in m]


def test_a_visit_through_the_proxy_breaks_no_rule_of_the_content_security_policy(browser: Browser, site: Site):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(site.proxy.url)
        wait_for_app(page)
        page.get_by_label("Email").fill("maria@example.com")
        page.get_by_label("Password", exact=True).fill("demo-manager-1")
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page.get_by_text("What your people need")).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stPlotlyChart").first.locator("svg.main-svg").first).to_be_attached(timeout=60_000)
        assert violations(page, console) == []

        page.get_by_role("link", name="Team").click()
        expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible(timeout=60_000)
        wait_for_app(page)
        page.get_by_role("combobox", name="Wave").click()
        page.get_by_role("option", name="2026").click()
        expect(page.get_by_test_id("stPlotlyChart").first.locator("svg.main-svg").first).to_be_attached(timeout=60_000)
        wait_for_app(page)
        assert violations(page, console) == []

        page.get_by_role("link", name="One-on-one").click()
        expect(page.get_by_role("heading", name="One-on-one", exact=True)).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stPlotlyChart").first.locator("svg.main-svg").first).to_be_attached(timeout=60_000)
        wait_for_app(page)
        assert violations(page, console) == []

        respondent = context.new_page()
        respondent.on("console", lambda message: console.append(message.text))
        respondent.goto(site.invite)
        wait_for_app(respondent)
        respondent.get_by_role("button", name="Start").click()
        finish_and_send(respondent, site.instrument, 1, 4)
        assert violations(respondent, console) == []
    finally:
        context.close()


def test_without_nginx_the_proxy_tests_fail_and_say_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path) -> None:
    monkeypatch.setattr(proxy, "SEARCH_PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install nginx"):
        proxy.nginx_binary()
