"""E-mailing links through a real SMTP server on loopback (aiosmtpd): right link, right person, every send
recorded, one failure retried alone, reminders only to those who have not answered; and the hand-over
paths without a mail server (CSV, mailto)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from coaching.core.actors import PermissionDenied
from coaching.core.settings import SettingsError, load_settings
from coaching.people.team_rows import NewMember, TeamRows
from coaching.people.teams import add_members, create_team
from coaching.rounds import mail, rounds
from coaching.rounds.mail import MailNotConfigured
from coaching.rounds.rounds import InvalidLink, Link, RoundClosed, State
from coaching.startup import start
from tests.conftest import make_manager
from tests.smtp_server import SENDER, closed_port, running_smtp_server

SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=14)
NAMES = ["Ana", "Ben", "Cleo", "Dan"]
LINK = re.compile(r"https?://[^\s/]+/respond\?invite=[A-Za-z0-9_-]+")


def _start(tmp_path, **smtp):
    return start(load_settings(db=tmp_path / "mail.duckdb", demo=False, **smtp))


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def mailing(tmp_path, smtp_server):
    app = _start(tmp_path, **smtp_server.settings)
    yield app
    app.close()


def _team(app, names=NAMES):
    manager = make_manager(app)
    team_id = create_team(app, manager, "Team").id
    ids = add_members(app, manager, team_id, [NewMember(name=n, email=f"{n.lower()}@example.com") for n in names])
    return manager, team_id, ids


def _open(app, names=NAMES, message="Thanks for taking ten minutes."):
    manager, team_id, ids = _team(app, names)
    round_id, links = rounds.open_round(app, manager, team_id, "2026", SOON, message)
    return manager, round_id, links, ids


def _token(url: str) -> str:
    return parse_qs(urlparse(url).query)["invite"][0]


def _link_in(message) -> str:
    found = LINK.findall(message.get_content())
    assert len(found) == 1, found
    return found[0]


def _raw(instrument):
    return {"ratings": {i.id: 4 for i in instrument.items}, "top_three": ["status", "balance", "autonomy"]}


def _deliveries(app):
    return app.db.query("SELECT member_id, kind, channel, ok, error FROM delivery ORDER BY id")


# ---- sending ------------------------------------------------------------------------------------------


def test_every_member_gets_exactly_one_message_with_their_own_link(mailing, smtp_server):
    manager, round_id, links, ids = _open(mailing)
    seen = []
    results = mail.send_links(mailing, manager, round_id, links, progress=seen.append)
    assert [(r.name, r.ok, r.error) for r in results] == [(n, True, None) for n in NAMES]
    assert seen == results
    assert len(smtp_server.messages) == len(NAMES)
    for member_id, name in zip(ids, NAMES, strict=True):
        address = f"{name.lower()}@example.com"
        [message] = smtp_server.to(address)
        assert message["To"].addresses[0].addr_spec == address
        assert message["To"].addresses[0].display_name == name
        assert message["From"].addresses[0].addr_spec == SENDER
        assert message["Message-ID"] and message["Date"]
        assert rounds.resolve(mailing, _token(_link_in(message))).row.member_id == member_id
    assert {(m, kind, channel, ok) for m, kind, channel, ok, _ in _deliveries(mailing)} == {
        (m, "invitation", "email", True) for m in ids}
    assert all(m.last_failure is None for m in rounds.round_status(mailing, manager, round_id).members)


def test_the_message_says_what_it_is_for_who_sees_it_and_by_when(mailing, smtp_server):
    manager, round_id, links, _ = _open(mailing, ["Ana"], message="Looking forward to our talk.\nSecond line.")
    mail.send_links(mailing, manager, round_id, links)
    [message] = smtp_server.messages
    text = message.get_content().replace("\r\n", "\n")
    assert message["Subject"] == "Morgan Manager invites you to a short questionnaire on your career aspirations"
    assert text.startswith("Hello Ana,")
    assert "coaching conversations and your development" in text
    assert "never used for decisions on pay or promotion" in text
    assert "voluntary" in text and "decline" in text
    assert "Who sees your answers: your manager, Morgan Manager." in text
    assert f"{SOON.astimezone(dt.UTC):%B %Y}, {SOON.astimezone(dt.UTC):%H:%M} UTC" in text
    assert "> Looking forward to our talk.\n> Second line." in text
    assert _link_in(message) == links[0].url


def test_a_refused_recipient_fails_alone_is_shown_and_retried_alone(mailing, smtp_server):
    manager, round_id, links, ids = _open(mailing)
    smtp_server.refuse("ben@example.com")
    results = mail.send_links(mailing, manager, round_id, links)
    assert [r.ok for r in results] == [True, False, True, True]
    assert "550" in results[1].error and "mailbox unavailable" in results[1].error
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == [
        "ana@example.com", "cleo@example.com", "dan@example.com"]
    status = rounds.round_status(mailing, manager, round_id)
    assert [m.name for m in status.members if m.last_failure] == ["Ben"]
    assert "550" in status.members[1].last_failure

    smtp_server.clear()
    retried = mail.retry_failed(mailing, manager, round_id)
    assert [(r.name, r.ok) for r in retried] == [("Ben", True)]
    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "ben@example.com"
    assert rounds.resolve(mailing, _token(_link_in(message))).row.member_id == ids[1]
    with pytest.raises(InvalidLink):
        rounds.resolve(mailing, _token(links[1].url))       # a retry carries a fresh link
    assert rounds.resolve(mailing, _token(links[0].url)).row.member_id == ids[0], "others keep theirs"
    assert all(m.last_failure is None for m in rounds.round_status(mailing, manager, round_id).members)
    smtp_server.clear()
    assert mail.retry_failed(mailing, manager, round_id) == []
    assert smtp_server.messages == []


def test_a_dropped_connection_fails_that_message_only_and_the_batch_reconnects(mailing, smtp_server):
    manager, round_id, links, _ = _open(mailing)
    smtp_server.hang_up_on_message_to("ben@example.com")
    results = mail.send_links(mailing, manager, round_id, links)
    assert [r.ok for r in results] == [True, False, True, True]
    assert "421" in results[1].error
    assert len(smtp_server.messages) == 3


def test_a_link_replaced_since_it_was_shown_is_not_sent(mailing, smtp_server):
    manager, round_id, links, ids = _open(mailing)
    rounds.reissue_link(mailing, manager, round_id, ids[0])
    results = mail.send_links(mailing, manager, round_id, links)
    assert [r.ok for r in results] == [False, True, True, True]
    assert "replaced or revoked" in results[0].error
    assert smtp_server.to("ana@example.com") == []
    assert [(r.name, r.ok) for r in mail.retry_failed(mailing, manager, round_id)] == [("Ana", True)]
    [message] = smtp_server.to("ana@example.com")
    assert rounds.resolve(mailing, _token(_link_in(message))).row.member_id == ids[0]


def test_send_invitations_issues_fresh_links_to_those_who_have_not_answered(mailing, smtp_server, instrument):
    manager, round_id, links, ids = _open(mailing)
    rounds.submit_answers(mailing, rounds.resolve(mailing, _token(links[0].url)), _raw(instrument))
    results = mail.send_invitations(mailing, manager, round_id)
    assert [r.name for r in results if r.ok] == ["Ben", "Cleo", "Dan"]
    for member_id, name in zip(ids[1:], NAMES[1:], strict=True):
        [message] = smtp_server.to(f"{name.lower()}@example.com")
        assert rounds.resolve(mailing, _token(_link_in(message))).row.member_id == member_id


# ---- reminders ----------------------------------------------------------------------------------------


def test_reminders_go_only_to_members_who_neither_submitted_nor_declined(mailing, smtp_server, instrument):
    manager, round_id, links, ids = _open(mailing)
    ana, ben, cleo, _ = (rounds.resolve(mailing, _token(link.url)) for link in links)
    rounds.submit_answers(mailing, ana, _raw(instrument))
    rounds.decline(mailing, ben)
    half = {"ratings": {i.id: 3 for i in instrument.items[:5]}}
    rounds.save_draft(mailing, cleo, half)

    results = mail.send_reminders(mailing, manager, round_id)
    assert [(r.name, r.kind, r.ok) for r in results] == [("Cleo", "reminder", True), ("Dan", "reminder", True)]
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == [
        "cleo@example.com", "dan@example.com"]
    [to_cleo] = smtp_server.to("cleo@example.com")
    assert to_cleo["Subject"].startswith("Reminder: your career aspirations questionnaire")
    assert "earlier links no longer work" in to_cleo.get_content()

    status = rounds.round_status(mailing, manager, round_id)
    assert [(m.name, m.state, len(m.reminded)) for m in status.members] == [
        ("Ana", State.SUBMITTED, 0), ("Ben", State.DECLINED, 0), ("Cleo", State.IN_PROGRESS, 1),
        ("Dan", State.NOT_STARTED, 1)]
    assert [(m, kind) for m, kind, _, ok, _ in _deliveries(mailing) if kind == "reminder" and ok] == [
        (ids[2], "reminder"), (ids[3], "reminder")]

    with pytest.raises(InvalidLink):
        rounds.resolve(mailing, _token(links[2].url))       # the reminder's link replaces the old one
    fresh = rounds.resolve(mailing, _token(_link_in(to_cleo)))
    assert fresh.row.member_id == ids[2]
    assert rounds.draft(mailing, fresh) == half, "the draft belongs to the member and round, not to a link"
    assert rounds.resolve(mailing, _token(links[0].url)).row.member_id == ids[0], "no new link for Ana"


def test_a_failed_reminder_is_retried_as_a_reminder(mailing, smtp_server):
    manager, round_id, _, _ = _open(mailing, ["Ana", "Ben"])
    smtp_server.refuse("ana@example.com")
    assert [r.ok for r in mail.send_reminders(mailing, manager, round_id)] == [False, True]
    smtp_server.clear()
    assert [(r.name, r.ok) for r in mail.retry_failed(mailing, manager, round_id, kind="reminder")] == [("Ana", True)]
    status = rounds.round_status(mailing, manager, round_id)
    assert [len(m.reminded) for m in status.members] == [1, 1]
    assert smtp_server.messages[0]["Subject"].startswith("Reminder:")


# ---- no mail server -----------------------------------------------------------------------------------


def test_a_mail_server_that_is_down_fails_everyone_without_raising(tmp_path):
    app = _start(tmp_path, smtp_host="127.0.0.1", smtp_port=closed_port(), smtp_starttls=False, mail_from=SENDER)
    try:
        manager, round_id, links, _ = _open(app)
        results = mail.send_links(app, manager, round_id, links)
        assert [r.ok for r in results] == [False] * len(NAMES)
        assert all("could not reach the mail server 127.0.0.1:" in r.error for r in results)
        assert all("refused" in m.last_failure for m in rounds.round_status(app, manager, round_id).members)
        assert [ok for _, _, _, ok, _ in _deliveries(app)] == [False] * len(NAMES)

        reminders = mail.send_reminders(app, manager, round_id)
        assert [r.ok for r in reminders] == [False] * len(NAMES)
        assert all(m.reminded == () for m in rounds.round_status(app, manager, round_id).members)
        for link in links:      # nothing was sent, so nobody lost a working link
            assert rounds.resolve(app, _token(link.url)).row.member_id == link.member_id
        assert len(mail.retry_failed(app, manager, round_id)) == len(NAMES)
    finally:
        app.close()


def test_logging_in_at_the_mail_server(tmp_path):
    with running_smtp_server(login=("aspire", "right-pw")) as server:
        for password, ok in (("wrong-pw", False), ("right-pw", True)):
            app = _start(tmp_path / password, **server.settings, smtp_user="aspire", smtp_password=password)
            try:
                manager, round_id, links, _ = _open(app, ["Ana", "Ben"])
                results = mail.send_links(app, manager, round_id, links)
            finally:
                app.close()
            assert [r.ok for r in results] == [ok, ok]
            if not ok:
                assert all("refused the login: 535" in r.error and "wrong-pw" not in r.error for r in results)
        assert server.logins == ["aspire"]
        assert len(server.messages) == 2


def test_a_server_without_starttls_is_not_used_in_clear(tmp_path, smtp_server):
    app = _start(tmp_path, **{**smtp_server.settings, "smtp_starttls": True})
    try:
        manager, round_id, links, _ = _open(app, ["Ana"])
        [result] = mail.send_links(app, manager, round_id, links)
    finally:
        app.close()
    assert not result.ok and "does not offer STARTTLS" in result.error
    assert smtp_server.messages == []


def test_without_a_mail_server_sending_says_so_and_changes_nothing(tmp_path):
    app = _start(tmp_path, smtp_host=None, mail_from=None)
    try:
        assert not app.settings.mail_configured
        manager, round_id, links, _ = _open(app)
        for send in (lambda: mail.send_links(app, manager, round_id, links), lambda: mail.send_reminders(
                app, manager, round_id), lambda: mail.send_invitations(app, manager, round_id),
                     lambda: mail.retry_failed(app, manager, round_id)):
            with pytest.raises(MailNotConfigured, match="COACHING_SMTP_HOST"):
                send()
        assert _deliveries(app) == []
        assert rounds.resolve(app, _token(links[0].url)).row.member_id == links[0].member_id
    finally:
        app.close()


@pytest.mark.parametrize("configured", [True, False])
def test_another_manager_cannot_send_for_a_round_or_send_its_links(tmp_path, smtp_server, configured):
    app = _start(tmp_path, **(smtp_server.settings if configured else {"smtp_host": None, "mail_from": None}))
    try:
        _, round_id, links, _ = _open(app, ["Ana"])
        other = make_manager(app, "other@example.com", "Other Manager")
        for send in (mail.send_links, mail.send_invitations, mail.send_reminders, mail.retry_failed):
            args = (links,) if send is mail.send_links else ()
            with pytest.raises(PermissionDenied):
                send(app, other, round_id, *args)
        if configured:
            own_team = create_team(app, other, "Other team").id
            add_members(app, other, own_team, [NewMember(name="Olga", email="olga@example.com")])
            own_round, _ = rounds.open_round(app, other, own_team, "2026", SOON)
            [result] = mail.send_links(app, other, own_round, links)     # A's link in B's round
            assert not result.ok and "not invited in this round" in result.error
        assert smtp_server.messages == [] and _deliveries(app) == []
    finally:
        app.close()


def test_a_closed_round_sends_nothing(mailing, smtp_server):
    manager, round_id, links, _ = _open(mailing)
    rounds.close_round(mailing, manager, round_id)
    with pytest.raises(RoundClosed):
        mail.send_links(mailing, manager, round_id, links)
    with pytest.raises(RoundClosed):
        mail.send_reminders(mailing, manager, round_id)
    assert smtp_server.messages == []


# ---- headers, CSV, mailto -----------------------------------------------------------------------------


def test_a_name_with_line_breaks_adds_no_header(mailing, smtp_server):
    manager = make_manager(mailing, name="Mo\r\nX-Injected: manager")
    team_id = create_team(mailing, manager, "Team").id
    evil = "Eve\r\nBcc: attacker@evil.example\r\nSubject: pay rise"
    eve_id, = add_members(mailing, manager, team_id, [NewMember(name=evil, email="eve@example.com")])
    round_id, links = rounds.open_round(mailing, manager, team_id, "2026", SOON, "Hi\r\nBcc: other@evil.example")
    [result] = mail.send_links(mailing, manager, round_id, links)
    assert result.ok, result.error
    [received] = smtp_server.received
    assert received.rcpt_tos == ("eve@example.com",)
    message = received.message
    assert {key.lower() for key in message} == {
        "subject", "from", "to", "date", "message-id", "content-type", "content-transfer-encoding", "mime-version",
        "content-language"}
    assert message["To"].addresses[0].display_name == "Eve Bcc: attacker@evil.example Subject: pay rise"
    assert message["Subject"].startswith("Mo X-Injected: manager invites you")
    assert "evil" not in str(message["Subject"])
    assert rounds.resolve(mailing, _token(_link_in(message))).row.member_id == eve_id


def test_an_unusable_address_fails_that_member_only(mailing, smtp_server):
    manager = make_manager(mailing)
    team_id = create_team(mailing, manager, "Team").id
    # an address stored before addresses were checked: the member form refuses it now, the rows keep it
    bad = NewMember(name="Bad", email="bad@example.com\r\nBcc: x@evil.example")
    TeamRows(mailing.db).insert_members(team_id, [NewMember(name="Ana", email="ana@example.com"), bad])
    round_id, links = rounds.open_round(mailing, manager, team_id, "2026", SOON)
    results = mail.send_links(mailing, manager, round_id, links)
    assert [(r.name, r.ok) for r in results] == [("Ana", True), ("Bad", False)]
    assert "not a valid e-mail address" in results[1].error
    assert [r.rcpt_tos for r in smtp_server.received] == [("ana@example.com",)]


def _link(name="Ana", email="ana@example.com") -> Link:
    return Link(1, name, email, "http://localhost:8501/respond?invite=" + "A" * 43)


def test_links_csv_has_one_row_per_member_and_no_formulas():
    links = [_link(), _link("=HYPERLINK(\"http://evil.example\",\"x\")", "a@example.com"), _link("+1", "b@example.com"),
             _link("@SUM(A1)", "c@example.com"), _link(" -2", "d@example.com"), _link("Zoë", "-e@example.com")]
    data = mail.links_csv(links)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "link"]
    assert rows[1] == ["Ana", "ana@example.com", links[0].url]
    assert [r[0] for r in rows[2:]] == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'+1", "'@SUM(A1)", "' -2", "Zoë"]
    assert rows[6][1] == "'-e@example.com"
    assert all(r[2] == links[0].url for r in rows[1:])


def test_mailto_url_carries_the_same_text_encoded():
    link = _link("Ana & Co?subject=evil")
    url = mail.mailto_url(link, round_message="Hi & thanks\nsee you", deadline=SOON, manager_name="Mo",
                          kind="reminder")
    assert url.startswith("mailto:ana@example.com?subject=")
    assert not re.search(r"[\s<>\"]", url)
    query = parse_qs(urlparse(url).query)
    assert set(query) == {"subject", "body"}, "a name cannot add a parameter"
    message = mail.compose(link, round_message="Hi & thanks\nsee you", deadline=SOON, manager_name="Mo",
                           kind="reminder")
    assert query["subject"] == [message["Subject"]]
    assert query["body"] == [message.get_content().replace("\n", "\r\n")]
    assert "%0D%0A" in url and unquote(url.split("body=")[1]).count(link.url) == 1


# ---- settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "starts"), [
    ({"smtp_port": 0}, "COACHING_SMTP_PORT: "),
    ({"smtp_port": 70000}, "COACHING_SMTP_PORT: "),
    ({"smtp_host": "mail.example.com"}, "COACHING_MAIL_FROM: needed when COACHING_SMTP_HOST is set"),
    ({"smtp_host": "mail.example.com", "mail_from": "not an address"}, "COACHING_MAIL_FROM: "),
    ({"smtp_host": "mail example.com", "mail_from": SENDER}, "COACHING_SMTP_HOST: "),
    ({"smtp_host": "mail.example.com", "mail_from": SENDER, "smtp_user": "u"}, "COACHING_SMTP_PASSWORD: needed"),
    ({"smtp_host": "mail.example.com", "mail_from": SENDER, "smtp_user": "u", "smtp_password": "s3cret-pw",
      "smtp_starttls": False}, "COACHING_SMTP_STARTTLS: must be on"),
])
def test_invalid_mail_settings_give_one_line_naming_the_variable(tmp_path, overrides, starts):
    with pytest.raises(SettingsError) as caught:
        load_settings(db=tmp_path / "x.duckdb", **overrides)
    message = str(caught.value)
    assert message.startswith(starts) and "\n" not in message
    assert "s3cret-pw" not in message


def test_mail_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COACHING_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("COACHING_SMTP_PORT", "2525")
    monkeypatch.setenv("COACHING_SMTP_USER", "aspire")
    monkeypatch.setenv("COACHING_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("COACHING_MAIL_FROM", SENDER)
    settings = load_settings(db=tmp_path / "x.duckdb")
    assert settings.mail_configured and settings.smtp_starttls
    assert (settings.smtp_port, settings.smtp_user) == (2525, "aspire")
    assert settings.smtp_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    monkeypatch.setenv("COACHING_SMTP_HOST", "")
    monkeypatch.delenv("COACHING_MAIL_FROM")
    assert not load_settings(db=tmp_path / "x.duckdb").mail_configured


def test_an_unknown_kind_is_refused_before_any_link_changes(mailing, smtp_server):
    manager, round_id, links, _ = _open(mailing, ["Ana"])
    smtp_server.refuse("ana@example.com")
    mail.send_links(mailing, manager, round_id, links)
    with pytest.raises(ValueError, match="kind must be one of"):
        mail.retry_failed(mailing, manager, round_id, kind="newsletter")
    assert rounds.resolve(mailing, _token(links[0].url)).row.member_id == links[0].member_id
