"""The audit log records who did what to whose data, never the data, and only admins read it."""

from __future__ import annotations

import datetime as dt

import pytest

from coaching.core.actors import SYSTEM, PermissionDenied, Role
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.people.accounts import accounts_of
from tests.conftest import make_manager


def test_entries_are_filtered_and_newest_first(aspire):
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    manager = make_manager(aspire)
    aspire.audit.record(manager, Action.VIEWED, Subject.MEMBER, [7, 8], "team page")
    aspire.audit.record(admin, Action.EXPORTED, Subject.MEMBER, [7], "json export")

    everything = aspire.audit.events(admin)
    assert [(e.action, e.subject_id) for e in everything][:3] == [
        (Action.EXPORTED, 7), (Action.VIEWED, 8), (Action.VIEWED, 7)]
    assert {e.subject_id for e in aspire.audit.events(admin, AuditFilter(action=Action.VIEWED))} == {7, 8}
    assert [e.actor_id for e in aspire.audit.events(admin, AuditFilter(actor_id=manager.id))] == [manager.id] * 2
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    assert aspire.audit.events(admin, AuditFilter(since=later)) == []


def test_only_admins_read_the_log(aspire):
    with pytest.raises(PermissionDenied):
        aspire.audit.events(make_manager(aspire))


@pytest.mark.parametrize("detail", ["I need more time with my kids", "Team Page", "x" * 61, "a\nb"])
def test_detail_is_a_label_never_content(aspire, detail):
    with pytest.raises(ValueError, match="short label"):
        aspire.audit.record(SYSTEM, Action.VIEWED, Subject.MEMBER, [1], detail)
    assert aspire.audit.events(SYSTEM) == []


def test_admin_changes_to_accounts_are_audited(aspire):
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    manager = make_manager(aspire)
    accounts_of(aspire).reset_password(admin, manager.id, "a-new-long-password")
    accounts_of(aspire).unlock(admin, manager.id)
    changes = aspire.audit.events(admin, AuditFilter(subject_kind=Subject.ACCOUNT, subject_id=manager.id))
    assert [e.detail for e in changes] == ["unlocked", "password reset", "created"]
    assert all(e.action is Action.CHANGED for e in changes)
    log_text = " ".join(str(e) for e in aspire.audit.events(admin))
    assert "a-new-long-password" not in log_text


def _people(aspire):
    """An admin, a manager with a team of two (one with a formula for a name), and views of both members."""
    from coaching.people import teams

    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    manager = make_manager(aspire, "lee@example.com", "Lee")
    team = teams.create_team(aspire, manager, "Platform")
    aiko = teams.add_member(aspire, manager, team.id, {"name": "Aiko Tanaka", "email": "aiko@example.com"})
    odd = teams.add_member(aspire, manager, team.id, {"name": "=HYPERLINK(\"http://x\")", "email": "odd@example.com"})
    aspire.audit.record(manager, Action.VIEWED, Subject.MEMBER, [aiko.id, odd.id], "team page")
    aspire.audit.record(admin, Action.EXPORTED, Subject.MEMBER, [aiko.id], "json export")
    return admin, manager, aiko, odd


def test_lines_name_who_acted_and_whose_data_by_name_and_email(aspire):
    admin, manager, aiko, _ = _people(aspire)
    lines = aspire.audit.lines(admin, aspire.audit.events(admin, AuditFilter(subject_kind=Subject.MEMBER)))
    assert [(line.by, line.action, line.whose, line.where) for line in lines][:3] == [
        ("HR <hr@example.com>", Action.EXPORTED, "Aiko Tanaka <aiko@example.com>", "json export"),
        ("Lee <lee@example.com>", Action.VIEWED, '=HYPERLINK("http://x") <odd@example.com>', "team page"),
        ("Lee <lee@example.com>", Action.VIEWED, "Aiko Tanaka <aiko@example.com>", "team page"),
    ]
    team_line = aspire.audit.lines(admin, aspire.audit.events(admin, AuditFilter(subject_kind=Subject.TEAM)))
    assert [(line.by, line.whose) for line in team_line] == [("Lee <lee@example.com>", "team Platform")]


def test_after_an_erasure_the_lines_say_so_without_the_name(aspire):
    from coaching.privacy import requests as privacy

    admin, _, aiko, _ = _people(aspire)
    privacy.erase_member(aspire, admin, "aiko@example.com")
    events = aspire.audit.events(admin, AuditFilter(subject_kind=Subject.MEMBER, subject_id=aiko.id))
    lines = aspire.audit.lines(admin, events)
    assert [line.action for line in lines] == [Action.ERASED, Action.EXPORTED, Action.VIEWED, Action.CHANGED]
    assert {line.whose for line in lines} == {
        f"member {aiko.id}: erased on {dt.datetime.now(dt.UTC):%Y-%m-%d}, name and e-mail no longer held"}
    assert aspire.audit.people_matching(admin, "aiko") == []


def test_a_person_is_found_by_part_of_their_name_or_email_and_filters_the_log(aspire):
    admin, manager, aiko, odd = _people(aspire)
    [found] = aspire.audit.people_matching(admin, "TANAKA")
    assert (found.label, found.member_ids) == ("Aiko Tanaka <aiko@example.com>", (aiko.id,))
    assert [p.email for p in aspire.audit.people_matching(admin, "@example.com")] == [
        "odd@example.com", "aiko@example.com"], "by name: '=' sorts before 'A'"
    assert aspire.audit.people_matching(admin, "%") == [], "typed text is matched literally"

    about_aiko = AuditFilter(subject_kind=Subject.MEMBER, subject_ids=found.member_ids)
    assert [(e.actor_id, e.action, e.detail) for e in aspire.audit.events(admin, about_aiko)] == [
        (admin.id, Action.EXPORTED, "json export"), (manager.id, Action.VIEWED, "team page"),
        (manager.id, Action.CHANGED, "added")]
    by_admin = AuditFilter(subject_kind=Subject.MEMBER, subject_ids=found.member_ids, actor_id=admin.id)
    assert [e.action for e in aspire.audit.events(admin, by_admin)] == [Action.EXPORTED]
    with pytest.raises(PermissionDenied):
        aspire.audit.people_matching(manager, "aiko")
    with pytest.raises(PermissionDenied):
        aspire.audit.lines(manager, [])


def test_the_downloaded_log_is_the_filtered_lines_and_no_cell_starts_a_formula(aspire):
    import csv
    import io

    from coaching.governance import audit

    admin, _, _, _ = _people(aspire)
    lines = aspire.audit.lines(admin, aspire.audit.events(admin, AuditFilter(action=Action.VIEWED)))
    rows = list(csv.reader(io.StringIO(audit.to_csv(lines).decode("utf-8-sig"))))
    assert rows[0] == ["when_utc", "done_by", "action", "whose_data", "where"]
    assert [row[2:] for row in rows[1:]] == [
        ["viewed", '\'=HYPERLINK("http://x") <odd@example.com>', "team page"],
        ["viewed", "Aiko Tanaka <aiko@example.com>", "team page"]]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
