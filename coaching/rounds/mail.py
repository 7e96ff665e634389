"""E-mailing each member their own link, and the ways to hand links over without a mail server.

With COACHING_SMTP_HOST and COACHING_MAIL_FROM set, `send_links` e-mails every given member their link
over one SMTP connection (smtplib) and records every send, good or failed, with
`coaching.rounds.rounds.record_delivery`. One refused recipient never stops the others; a mail server that
cannot be reached fails every recipient with its reason, and nothing raises: the page shows the results
and `retry_failed` later sends to exactly those whose last delivery failed.

Which call when:
- right after `open_round`: `send_links(..., links)` with the links it returned (no new links needed);
- later, or when the page no longer holds the links: `send_invitations` issues fresh links to everyone
  who has neither submitted nor declined and sends them;
- `send_reminders`: the same people, kind "reminder". A reminder carries a fresh link and the earlier
  link stops working (only a hash is stored, so an old link cannot be sent again); the saved draft
  belongs to the member and the round, not to a link, so nothing typed so far is lost;
- `retry_failed`: fresh links for members whose last delivery failed and who still have not answered.
New links are issued only after the mail server has accepted the connection: when it is down, every
member keeps their working link and the failure is recorded.

Without a mail server (`MailNotConfigured`), the manager hands links over: `links_csv` for a download,
`mailto_url` to open the manager's own mail program with the same text.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal
from urllib.parse import parse_qs, quote, urlparse

from email_validator import EmailNotValidError, validate_email

from coaching import i18n
from coaching.aspire import Aspire
from coaching.core.actors import Actor, PermissionDenied
from coaching.core.settings import Settings
from coaching.core.tabular import csv_bytes
from coaching.people.teams import list_members
from coaching.rounds import rounds
from coaching.rounds.round_rows import RoundRows
from coaching.rounds.rounds import Link, MemberProgress, RoundClosed, RoundStatus, State

Kind = Literal["invitation", "reminder"]
KINDS: tuple[Kind, ...] = ("invitation", "reminder")
PENDING = (State.NOT_STARTED, State.IN_PROGRESS)
TIMEOUT = 20.0            # seconds for connecting to, and each answer of, the mail server
MAX_REASON = 300          # characters of a failure reason kept and shown
CSV_HEADER = ("name", "email", "link")


class MailNotConfigured(RuntimeError):
    """No mail server is set up: hand the links over by copy, CSV download or mailto instead."""

    def __init__(self) -> None:
        super().__init__("E-mail is not set up (COACHING_SMTP_HOST and COACHING_MAIL_FROM): "
                         "copy the links, download them as CSV, or open them in your own mail program.")


@dataclass(frozen=True)
class SendResult:
    """One recipient's outcome; `error` is a sentence for the page (the mail server's answer, if any)."""

    member_id: int
    name: str
    email: str
    kind: Kind
    ok: bool
    error: str | None = None


Progress = Callable[[SendResult], None]


# ---- the message --------------------------------------------------------------------------------------


def compose(link: Link, *, round_message: str | None, deadline: dt.datetime, manager_name: str,
            kind: Kind = "invitation", sender: str | None = None, language: str | None = None) -> EmailMessage:
    """A plain-text e-mail to one member carrying their own link, in their language. `sender` fills From.

    Names go into headers through `email.headerregistry.Address` with line breaks and other control
    characters turned into spaces first, so no name can add a header; an address that is not a single
    valid address raises ValueError.
    """
    subject, body = _texts(link, round_message=round_message, deadline=deadline, manager_name=manager_name,
                           kind=kind, language=language)
    message = EmailMessage()
    message["Subject"] = subject
    if sender is not None:
        message["From"] = Address(display_name=_one_line(f"{manager_name} via Aspire"), addr_spec=sender)
    try:
        message["To"] = Address(display_name=_one_line(link.name), addr_spec=_address(link.email))
    except HeaderParseError as exc:
        raise ValueError(f"{link.email!r} is not a valid e-mail address") from exc
    message.set_content(body)
    message["Content-Language"] = i18n.texts(language or i18n.DEFAULT).language   # after set_content, which clears it
    return message


def mailto_url(link: Link, *, round_message: str | None, deadline: dt.datetime, manager_name: str,
               kind: Kind = "invitation", language: str | None = None) -> str:
    """A mailto: URL opening the manager's own mail program with the same subject and text."""
    subject, body = _texts(link, round_message=round_message, deadline=deadline, manager_name=manager_name,
                           kind=kind, language=language)
    to = quote(_address(link.email), safe="@")
    crlf = body.replace("\n", "\r\n")       # RFC 6068: line breaks in a mailto body are %0D%0A
    return f"mailto:{to}?subject={quote(subject, safe='')}&body={quote(crlf, safe='')}"


def links_csv(links: Iterable[Link]) -> bytes:
    """name, email, link per member, for a download; no cell can start a spreadsheet formula.

    UTF-8 with a byte-order mark, so spreadsheet programs read accented names correctly.
    """
    return csv_bytes(CSV_HEADER, ((link.name, link.email, link.url) for link in links))


def _texts(link: Link, *, round_message: str | None, deadline: dt.datetime, manager_name: str,
           kind: Kind, language: str | None = None) -> tuple[str, str]:
    """Subject and body in the member's language (English when none is set): the same facts in every one."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    said = i18n.texts(language or i18n.DEFAULT)
    manager = _one_line(manager_name) or said("mail.your_manager")
    name = _one_line(link.name)
    when = said.moment(deadline)
    subject = said(f"mail.{kind}_subject", manager=manager, deadline=when)
    opening = said(f"mail.{kind}_opening", manager=manager, deadline=when)
    lines = [said("mail.hello", name=name), "", opening, "", said("mail.purpose"), said("mail.voluntary"),
             said("mail.who_sees", manager=manager), said("mail.deadline", deadline=when)]
    message = (round_message or "").strip()
    if message:
        lines += ["", said("mail.message_from", manager=manager), *(f"> {line}" for line in message.splitlines())]
    lines += ["", said("mail.link"), link.url]
    if kind == "reminder":
        lines += ["", said("mail.reminder_fresh")]
    lines += ["", said("mail.broken_link", manager=manager), ""]
    return subject, "\n".join(lines)


def _one_line(text: str) -> str:
    """Control characters (line breaks included) become spaces: what goes into a header or subject."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(cleaned.split())


def _address(email: str) -> str:
    """The address itself, checked to be one valid address (what `Address` and the envelope get)."""
    address = email.strip()
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{email!r} is not a valid e-mail address: {exc}") from None
    return address


# ---- sending ------------------------------------------------------------------------------------------


def send_links(aspire: Aspire, actor: Actor, round_id: int, links: Iterable[Link], kind: Kind = "invitation",
               progress: Progress | None = None) -> list[SendResult]:
    """E-mail each link to its own member over one connection; every outcome is recorded and returned.

    Meant for the links `open_round` (or any re-issue) just returned. A link that has since been
    replaced or revoked is not sent: it fails with a reason, so `retry_failed` issues a fresh one.
    Raises MailNotConfigured, RoundClosed, PermissionDenied before anything is sent; never for a send.
    """
    links = list(links)
    status = _sendable(aspire, actor, round_id, kind)
    with _Session(aspire.settings) as session:
        return _deliver(aspire, actor, status, session, links, kind, progress)


def send_invitations(aspire: Aspire, actor: Actor, round_id: int, progress: Progress | None = None,
                     ) -> list[SendResult]:
    """Fresh links, e-mailed, to everyone in the round who has neither submitted nor declined.

    For when the page no longer holds the links `open_round` returned (those are sent with send_links).
    """
    return _send_fresh(aspire, actor, round_id, "invitation", only_failed=False, progress=progress)


def send_reminders(aspire: Aspire, actor: Actor, round_id: int, progress: Progress | None = None,
                   ) -> list[SendResult]:
    """A reminder with a fresh link to exactly those who have neither submitted nor declined.

    Their earlier link stops working; their draft stays. Each reminder sent shows in round_status(...).reminded.
    """
    return _send_fresh(aspire, actor, round_id, "reminder", only_failed=False, progress=progress)


def retry_failed(aspire: Aspire, actor: Actor, round_id: int, kind: Kind = "invitation",
                 progress: Progress | None = None) -> list[SendResult]:
    """Send again, with fresh links, only to members whose last delivery failed and who have not answered.

    `kind` is how the retried e-mail is worded and recorded: retry a failed reminder as "reminder".
    """
    return _send_fresh(aspire, actor, round_id, kind, only_failed=True, progress=progress)


def _send_fresh(aspire: Aspire, actor: Actor, round_id: int, kind: Kind, *, only_failed: bool,
                progress: Progress | None) -> list[SendResult]:
    status = _sendable(aspire, actor, round_id, kind)
    members = [m for m in status.members
               if m.state in PENDING and (m.last_failure is not None or not only_failed)]
    if not members:
        return []
    with _Session(aspire.settings) as session:
        if session.failure is not None:
            # Nothing can be sent: everyone keeps their working link, and the reason is recorded.
            return [_record(aspire, actor, round_id, _result(m, kind, session.failure), progress) for m in members]
        if only_failed:
            links = [rounds.reissue_link(aspire, actor, round_id, m.member_id) for m in members]
        else:
            links = rounds.reissue_all(aspire, actor, round_id, only_pending=True)
        return _deliver(aspire, actor, status, session, links, kind, progress)


def _sendable(aspire: Aspire, actor: Actor, round_id: int, kind: Kind) -> RoundStatus:
    """Everything that stops a batch is checked here, before any link is issued or anything sent."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    status = rounds.round_status(aspire, actor, round_id)      # PermissionDenied first: reveals nothing
    if not aspire.settings.mail_configured:
        raise MailNotConfigured()
    if status.round.closed_at is not None or status.round.deadline <= dt.datetime.now(dt.UTC):
        raise RoundClosed("This round is closed: extend the deadline or open a new round before sending.")
    return status


def _deliver(aspire: Aspire, actor: Actor, status: RoundStatus, session: _Session, links: list[Link], kind: Kind,
             progress: Progress | None) -> list[SendResult]:
    round_row = status.round
    members = {m.member_id: m for m in status.members}
    languages = {m.id: m.language for m in list_members(aspire, actor, round_row.team_id)}
    sender = str(aspire.settings.mail_from)
    results: list[SendResult] = []
    for link in links:
        member = members.get(link.member_id)
        if member is None:
            result = SendResult(link.member_id, link.name, link.email, kind, False,
                                "not invited in this round (or no longer in the team)")
            results.append(_report(result, progress))
            continue
        if not _live(aspire, round_row.id, link):
            result = _result(member, kind, "this link was replaced or revoked; send again to issue a new one")
        elif session.failure is not None:
            result = _result(member, kind, session.failure)
        else:
            # Name and address as they are now, not when the link was issued.
            current = Link(member.member_id, member.name, member.email, link.url)
            try:
                deadline = round_row.deadline.astimezone(aspire.settings.zone)
                message = compose(current, round_message=round_row.message, deadline=deadline,
                                  manager_name=actor.name, kind=kind, sender=sender,
                                  language=languages.get(member.member_id))
                message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
                message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
                session.send(message, sender, _address(member.email))
            except ValueError as exc:
                result = _result(member, kind, _short(f"cannot e-mail this address: {exc}"))
            except _Failed as exc:
                result = _result(member, kind, exc.reason)
            else:
                result = _result(member, kind, None)
        results.append(_record(aspire, actor, round_row.id, result, progress))
    return results


def _live(aspire: Aspire, round_id: int, link: Link) -> bool:
    """The link is its member's current link in this round (read-only: opening it is not recorded)."""
    token = parse_qs(urlparse(link.url).query).get("invite", [""])[0]
    if not token:
        return False
    row = RoundRows(aspire.db).invitation_by_hash(rounds.hash_token(token))
    return (row is not None and row.revoked_at is None and row.round.id == round_id
            and row.member_id == link.member_id)


def _result(member: MemberProgress, kind: Kind, error: str | None) -> SendResult:
    return SendResult(member.member_id, member.name, member.email, kind, error is None, error)


def _record(aspire: Aspire, actor: Actor, round_id: int, result: SendResult, progress: Progress | None) -> SendResult:
    with suppress(PermissionDenied):   # the member's link was revoked meanwhile: nothing to attach a record to
        rounds.record_delivery(aspire, actor, round_id, result.member_id, result.kind, "email", result.ok,
                               result.error)
    return _report(result, progress)


def _report(result: SendResult, progress: Progress | None) -> SendResult:
    if progress is not None:
        progress(result)
    return result


# ---- the SMTP connection ------------------------------------------------------------------------------


class _Failed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Session:
    """One SMTP connection for a batch, reopened if the server drops it; `failure` once it cannot be had."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.failure: str | None = None

    def __enter__(self) -> _Session:
        self._open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._drop(polite=True)

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        if self.smtp is None and self.failure is None:
            self._open()
        if self.smtp is None:
            raise _Failed(self.failure or "no connection to the mail server")
        try:
            self.smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            raise _Failed(_short(f"the mail server refused this address: {code} {_decode(text)}")) from None
        except smtplib.SMTPResponseException as exc:     # sender refused, message refused
            if exc.smtp_code == 421:                      # the server closed the connection
                self._drop()
            raise _Failed(_short(f"the mail server refused the message: {exc.smtp_code} {_decode(exc.smtp_error)}")
                          ) from None
        except (smtplib.SMTPException, OSError) as exc:   # dropped connection, timeout, no SMTPUTF8
            if not isinstance(exc, smtplib.SMTPNotSupportedError):
                self._drop()
            raise _Failed(_short(f"sending failed: {_plain(exc)}")) from None

    def _open(self) -> None:
        settings = self.settings
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        try:
            self.smtp = _connect(settings)
        except smtplib.SMTPAuthenticationError as exc:
            self.failure = f"the mail server {where} refused the login: {exc.smtp_code} {_decode(exc.smtp_error)}"
        except smtplib.SMTPNotSupportedError:
            self.failure = (f"the mail server {where} does not offer STARTTLS; turn COACHING_SMTP_STARTTLS off "
                            "only for a server on this machine")
        except ssl.SSLError as exc:
            self.failure = f"no secure connection to the mail server {where}: {_plain(exc)}"
        except smtplib.SMTPResponseException as exc:
            self.failure = f"the mail server {where} refused the connection: {exc.smtp_code} {_decode(exc.smtp_error)}"
        except (smtplib.SMTPException, OSError) as exc:
            self.failure = f"could not reach the mail server {where}: {_plain(exc)}"
        if self.failure is not None:
            self.failure = _short(self.failure)

    def _drop(self, polite: bool = False) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if polite:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=TIMEOUT)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _plain(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _short(text: str) -> str:
    text = _one_line(text)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"
