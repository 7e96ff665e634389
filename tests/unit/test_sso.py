"""coaching.ui.sso: when single sign-on is offered, and whom the provider's e-mail lets in.

The functions read `st.secrets` and `st.user`, so each check runs as a tiny script in AppTest, which
sets both; the accounts are real ones in a fresh DuckDB file (the `aspire` fixture).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.errors import StreamlitAuthError
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from coaching.aspire import Aspire
from coaching.ui.format import plain
from tests.conftest import make_manager

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret",
    "client_id": "aspire",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration",
}


def _script(aspire=None) -> None:  # unannotated: AppTest runs this source alone, without our imports
    import streamlit as st

    from coaching.ui import sso

    st.session_state.configured = sso.sso_configured()
    st.session_state.providers = sso.sso_providers()
    st.session_state.logged_in = sso.sso_logged_in()
    if aspire is not None:
        st.session_state.actor = sso.sso_actor(aspire)
        st.session_state.refusal = sso.sso_refusal()


def run(secrets: dict[str, Any] | None = None, user: dict[str, Any] | None = None, aspire: Any = None) -> AppTest:
    at = AppTest.from_function(_script, kwargs={"aspire": aspire})
    if secrets is not None:
        at.secrets = secrets
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_secrets_file_at_all_means_no_single_sign_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(st, "secrets", Secrets())  # a fresh store: nothing parsed or cached yet
    with patch_config_options({"secrets.files": [str(tmp_path / "missing" / "secrets.toml")]}):
        at = run()
    assert at.session_state.configured is False
    assert at.session_state.providers == []
    assert at.session_state.logged_in is False


def test_secrets_without_an_auth_section_mean_no_single_sign_on() -> None:
    at = run(secrets={"smtp": {"host": "127.0.0.1"}})
    assert at.session_state.configured is False
    assert at.session_state.providers == []


def test_an_auth_section_offers_the_default_provider() -> None:
    at = run(secrets={"auth": AUTH})
    assert at.session_state.configured is True
    assert at.session_state.providers == [None]


def test_named_providers_are_offered_each() -> None:
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at = run(secrets={"auth": {**shared, "okta": provider, "google": provider}})
    assert at.session_state.providers == ["okta", "google"]


def test_a_known_email_is_matched_to_its_account(aspire: Aspire) -> None:
    manager = make_manager(aspire, "lee@example.com", "Lee Park")
    at = run(secrets={"auth": AUTH}, user={"is_logged_in": True, "email": " Lee@Example.com "}, aspire=aspire)
    assert at.session_state.logged_in is True
    assert at.session_state.actor == manager


def test_an_unknown_email_gets_no_actor_and_a_plain_refusal(aspire: Aspire) -> None:
    make_manager(aspire, "lee@example.com", "Lee Park")
    at = run(secrets={"auth": AUTH}, user={"is_logged_in": True, "email": "kim_o@example.com"}, aspire=aspire)
    assert at.session_state.actor is None
    assert at.session_state.refusal == (
        f"No Aspire account uses {plain('kim_o@example.com')}. Ask an administrator to create one."
    )


def test_an_email_the_provider_has_not_verified_gets_no_actor(aspire: Aspire) -> None:
    make_manager(aspire, "lee@example.com", "Lee Park")
    user = {"is_logged_in": True, "email": "lee@example.com", "email_verified": False}
    at = run(secrets={"auth": AUTH}, user=user, aspire=aspire)
    assert at.session_state.actor is None
    assert "has not verified" in at.session_state.refusal


def test_no_email_claim_gets_no_actor(aspire: Aspire) -> None:
    at = run(secrets={"auth": AUTH}, user={"is_logged_in": True, "sub": "12345"}, aspire=aspire)
    assert at.session_state.actor is None
    assert "did not tell Aspire your e-mail address" in at.session_state.refusal


def test_not_logged_in_at_the_provider_gets_no_actor(aspire: Aspire) -> None:
    make_manager(aspire, "lee@example.com", "Lee Park")
    at = run(secrets={"auth": AUTH}, user={"is_logged_in": False, "email": "lee@example.com"}, aspire=aspire)
    assert at.session_state.logged_in is False
    assert at.session_state.actor is None


def _login_script() -> None:
    import streamlit as st

    from coaching.ui import sso

    st.session_state.problem = sso.start_sso_login()


def test_an_incomplete_auth_section_says_so_in_plain_words(monkeypatch: pytest.MonkeyPatch) -> None:
    def incomplete(provider: str | None = None) -> None:
        raise StreamlitAuthError("Authentication credentials are missing the following keys: ['client_id']")

    monkeypatch.setattr(st, "login", incomplete)
    at = AppTest.from_function(_login_script)
    at.secrets = {"auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"]}}
    at.run()
    assert not at.exception
    assert "Single sign-on is not set up correctly" in at.session_state.problem
    assert "client_id" not in at.session_state.problem  # the details go to the server log only
