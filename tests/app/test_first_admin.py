"""The first admin from COACHING_ADMIN_EMAIL / COACHING_ADMIN_PASSWORD, through the real app.py in AppTest."""

from __future__ import annotations

from pathlib import Path

from .conftest import assert_healthy, log_in


def test_the_first_admin_from_the_environment_logs_in(db_path: Path, monkeypatch, open_app) -> None:
    monkeypatch.setenv("COACHING_ADMIN_EMAIL", "hr@yourcompany.example")
    monkeypatch.setenv("COACHING_ADMIN_PASSWORD", "a long passphrase")

    at = log_in(open_app(login=None), "hr@yourcompany.example", "a long passphrase")

    assert_healthy(at)
    assert at.session_state["actor"].role.value == "admin"
    assert at.session_state["actor"].name == "Administrator"


def test_a_first_admin_password_the_rules_refuse_stops_the_app_naming_the_variable(
    db_path: Path, monkeypatch, open_app, started
) -> None:
    monkeypatch.setenv("COACHING_ADMIN_EMAIL", "hr@yourcompany.example")
    monkeypatch.setenv("COACHING_ADMIN_PASSWORD", "password123")

    at = open_app(login=None)

    assert not at.exception, [e.message for e in at.exception]
    [error] = at.error
    assert error.value.startswith("Aspire cannot start: COACHING_ADMIN_PASSWORD: The password is too common")
    assert "password123" not in error.value
    assert started == [] and not db_path.exists(), "refused before the database was opened"
