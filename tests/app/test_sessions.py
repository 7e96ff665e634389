"""A login as app.py keeps it: checked against the database on every rerun, ended by Log out and by deactivation."""

from __future__ import annotations

from pathlib import Path

from coaching.core.actors import SYSTEM
from coaching.people.accounts import accounts_of

from .conftest import DEMO_MANAGER, assert_healthy


def _shows_login(at) -> bool:
    return "Email" in [t.label for t in at.text_input] and "actor" not in at.session_state


def test_deactivating_an_account_ends_its_open_session_at_the_next_rerun(demo_db: Path, open_app, started) -> None:
    at = open_app("screens/team.py")
    assert not _shows_login(at)
    (aspire,) = started
    maria = next(a for a in accounts_of(aspire).list_accounts(SYSTEM) if a.email == DEMO_MANAGER[0])

    accounts_of(aspire).deactivate(SYSTEM, maria.id, maria.version)
    at.run()

    assert_healthy(at)
    assert _shows_login(at)


def test_log_out_ends_the_session_in_the_database(demo_db: Path, open_app, started) -> None:
    at = open_app("screens/account.py")
    (aspire,) = started
    session_id = at.session_state["account_session"]
    assert accounts_of(aspire).session_actor(session_id) is not None

    next(b for b in at.button if b.label == "Log out").click().run()

    assert_healthy(at)
    assert _shows_login(at)
    assert accounts_of(aspire).session_actor(session_id) is None, "the cookie of this login opens nothing any more"
