"""The audit log records who did what to whose data, never the data, and only admins read it."""

from __future__ import annotations

import datetime as dt

import pytest

from coaching.actors import SYSTEM, PermissionDenied, Role
from coaching.audit import Action, AuditFilter, Subject
from tests.conftest import make_manager


def test_entries_are_filtered_and_newest_first(aspire):
    admin = aspire.accounts.create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
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
    admin = aspire.accounts.create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    manager = make_manager(aspire)
    aspire.accounts.reset_password(admin, manager.id, "a-new-long-password")
    aspire.accounts.unlock(admin, manager.id)
    changes = aspire.audit.events(admin, AuditFilter(subject_kind=Subject.ACCOUNT, subject_id=manager.id))
    assert [e.detail for e in changes] == ["unlocked", "password reset", "created"]
    assert all(e.action is Action.CHANGED for e in changes)
    log_text = " ".join(str(e) for e in aspire.audit.events(admin))
    assert "a-new-long-password" not in log_text
