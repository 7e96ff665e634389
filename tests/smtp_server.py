"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts, for any test layer.

Two ways in:
- `running_smtp_server()`, a context manager: wrap it in a fixture of the scope you need, e.g.
  `@pytest.fixture def smtp_server(): with running_smtp_server() as server: yield server`
  (tests/unit/test_mail.py does this; an e2e module can share one server and `clear()` it per test);
- the `smtp_server` fixture defined below, once `pytest_plugins = ["tests.smtp_server"]` sits in the
  root tests/conftest.py (there, pytest also rewrites this module's asserts; listing it in a test
  module that also imports from here gives PytestAssertRewriteWarning, and importing the fixture
  itself makes ruff report the test argument as a redefinition, F811).
`SmtpServer.env` gives the COACHING_* variables that point an app at it (a `streamlit run` in another
process reaches it too); `SmtpServer.settings` gives the same as load_settings() keywords.

The server listens on 127.0.0.1 on a port the system picks (no race for a free port), speaks plain
SMTP (no STARTTLS, so COACHING_SMTP_STARTTLS is off) and refuses at RCPT any address in `refused`
(`refuse(address)`), to test one recipient failing while the others succeed;
`hang_up_on_message_to(address)` answers 421 to that message instead, so the client has to reconnect.
Messages are parsed with the modern `email.policy.default`, so `message["To"].addresses[0].addr_spec`
and `message.get_content()` work.
`closed_port()` is a loopback port where nothing listens: a mail server that is down.
"""

from __future__ import annotations

import email
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
SENDER = "aspire@example.com"


@dataclass(frozen=True)
class Received:
    """One accepted message with its envelope (who the server was asked to deliver it to)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address.lower() in self.server.refused:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        if {address.lower() for address in envelope.rcpt_tos} & self.server.hang_up_on:
            return "421 4.3.2 Service shutting down, closing transmission channel"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=policy.default)
        self.server._add(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class _LoopbackController(Controller):
    """aiosmtpd's Controller on port 0: learn the port the system picked before the start-up probe."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """`login=(user, password)` offers AUTH (PLAIN, LOGIN) without TLS, on loopback only, and accepts just
    that pair; logging in stays optional, so a client that skips it can still send, unless `login_required`
    (then MAIL before a successful AUTH gets 530, as a submission server answers)."""

    def __init__(self, refused: Iterable[str] = (), login: tuple[str, str] | None = None,
                 login_required: bool = False) -> None:
        self.refused: set[str] = {address.lower() for address in refused}
        self.hang_up_on: set[str] = set()   # a message to these gets 421 at DATA: the client must reconnect
        self.received: list[Received] = []
        self.logins: list[str] = []         # user names that logged in successfully
        self._login = login
        self._changed = threading.Condition()
        auth: dict[str, Any] = {"authenticator": self._authenticate, "auth_require_tls": False,
                                "auth_required": login_required} if login else {}
        self._controller = _LoopbackController(_Handler(self), hostname=HOST, port=0, enable_SMTPUTF8=True, **auth)

    # ---- what tests read ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def messages(self) -> list[EmailMessage]:
        with self._changed:
            return [r.message for r in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered (per the envelope, not the headers) to this address."""
        with self._changed:
            return [r.message for r in self.received if address.lower() in {a.lower() for a in r.rcpt_tos}]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived (for an app sending from another process)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} e-mails within {timeout}s, got {len(self.received)}")
                self._changed.wait(left)
            return [r.message for r in self.received]

    def refuse(self, address: str) -> None:
        """RCPT for this address gets 550: that one recipient fails, the connection stays usable."""
        self.refused.add(address.lower())

    def hang_up_on_message_to(self, address: str) -> None:
        """DATA of a message to this address gets 421: the client loses the connection mid-batch."""
        self.hang_up_on.add(address.lower())

    def clear(self) -> None:
        with self._changed:
            self.received.clear()
        self.refused.clear()
        self.hang_up_on.clear()

    @property
    def settings(self) -> dict[str, Any]:
        """Keywords for coaching.core.settings.load_settings() that send through this server."""
        return {"smtp_host": HOST, "smtp_port": self.port, "smtp_starttls": False, "mail_from": SENDER}

    @property
    def env(self) -> dict[str, str]:
        """COACHING_* variables for an app process that sends through this server."""
        return {"COACHING_SMTP_HOST": HOST, "COACHING_SMTP_PORT": str(self.port), "COACHING_SMTP_STARTTLS": "0",
                "COACHING_MAIL_FROM": SENDER}

    # ---- life ------------------------------------------------------------------------------------------

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self._login is not None:
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if (user, password) == self._login:
                self.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def _add(self, received: Received) -> None:
        with self._changed:
            self.received.append(received)
            self._changed.notify_all()

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@contextmanager
def running_smtp_server(refused: Iterable[str] = (), login: tuple[str, str] | None = None,
                        login_required: bool = False) -> Iterator[SmtpServer]:
    server = SmtpServer(refused, login, login_required)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A fresh loopback SMTP server for one test: `.port`, `.messages`, `.to(address)`, `.refuse(address)`."""
    with running_smtp_server() as server:
        yield server


def closed_port() -> int:
    """A loopback port with nothing listening on it (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]
