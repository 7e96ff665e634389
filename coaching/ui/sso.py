"""Single sign-on: Streamlit's OpenID Connect login (`st.login`), offered when secrets.toml has `[auth]`.

Invariants:
- the identity provider only vouches for an e-mail address; access comes from the Aspire account with
  that e-mail (`Accounts.actor_for_email`). An unknown or disabled e-mail gets no access, and neither
  does one the provider itself marks as unverified (`email_verified = false`);
- without a secrets file, or without `[auth]` in it, nothing here calls `st.login` or reads `st.user`
  beyond a safe `.get`, and the login page shows only the password form;
- Streamlit keeps the provider's identity in a signed cookie, so a new browser session of someone who
  logged in by single sign-on starts logged in at the provider: the login page turns that into an Aspire
  login again, and logging out of Aspire must end it too (`end_sso_session`).

The `[auth]` section is Streamlit's own (see the README): `redirect_uri` (the app's URL + `/oauth2callback`),
`cookie_secret`, and `client_id`, `client_secret`, `server_metadata_url` either directly in `[auth]` or
in named provider sections such as `[auth.okta]`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError

from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.people.accounts import accounts_of
from coaching.ui.format import plain

log = logging.getLogger(__name__)

#: The keys that make a table of `[auth]` a provider of its own, e.g. `[auth.okta]`.
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def _auth_section() -> Mapping[str, Any] | None:
    """The `[auth]` table of the secrets, None when there is none (or no secrets file at all)."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets.toml anywhere, or one that does not parse
        return None
    return section if isinstance(section, Mapping) and section else None


def sso_configured() -> bool:
    """True when secrets.toml has an `[auth]` section, so single sign-on is offered."""
    return _auth_section() is not None


def sso_providers() -> list[str | None]:
    """The providers to offer: `[None]` for the default one configured directly in `[auth]`, else the
    names of the `[auth.<name>]` tables (each has a button of its own). Empty when not configured."""
    section = _auth_section()
    if section is None:
        return []
    if "client_id" in section:
        return [None]
    named: list[str | None] = [name for name, value in section.items()
             if isinstance(value, Mapping) and any(key in value for key in _PROVIDER_KEYS)]
    return named or [None]  # an incomplete [auth]: st.login() itself says what is missing


def sso_logged_in() -> bool:
    """True when this browser session is logged in at the identity provider (st.user.is_logged_in)."""
    return bool(st.user.get("is_logged_in", False))


def sso_email() -> str | None:
    """The e-mail address the provider vouched for in this session; None when not logged in or no address."""
    if not sso_logged_in():
        return None
    email = st.user.get("email")
    return email.strip() if isinstance(email, str) and email.strip() else None


def sso_actor(aspire: Aspire) -> Actor | None:
    """The Aspire actor for the person logged in at the provider; None when unknown, disabled or unverified."""
    email = sso_email()
    if email is None:
        return None
    if st.user.get("email_verified") is False:
        log.info("single sign-on refused: the provider has not verified the e-mail address")
        return None
    actor = accounts_of(aspire).actor_for_email(email)
    if actor is None:
        # Like a failed password login, the address itself is not logged.
        log.info("single sign-on refused: no active account for the provider's e-mail address")
    else:
        log.info("account %s logged in by single sign-on", actor.id)
    return actor


def sso_refusal() -> str:
    """Why the person logged in at the provider has no access, in plain words (Markdown-safe)."""
    email = sso_email()
    if email is None:
        return ("Your single sign-on provider did not tell Aspire your e-mail address, so no account can be "
                "matched. Ask an administrator to check the provider's settings (the `email` scope).")
    if st.user.get("email_verified") is False:
        return (f"Your single sign-on provider has not verified {plain(email)}. Verify it there, or ask an "
                "administrator for help.")
    return f"No Aspire account uses {plain(email)}. Ask an administrator to create one."


def start_sso_login(provider: str | None = None) -> str | None:
    """Send the browser to the identity provider; it comes back to the app's home page, in a new session.

    Returns what is wrong, in plain words, when the `[auth]` section is incomplete (nothing is sent then).
    """
    try:
        st.login(provider)
    except StreamlitAuthError as exc:
        log.error("single sign-on is not set up correctly: %s", exc)
        return ("Single sign-on is not set up correctly, so it cannot be used now: ask an administrator "
                "to check the `[auth]` section of the app's secrets (the server log says what is missing).")
    return None


def end_sso_session() -> bool:
    """Log out at the provider when this session is logged in there (st.logout: clears Streamlit's identity
    cookie and, when the provider has an end_session_endpoint, ends its session too, then the browser
    comes back to the app in a new session). False, doing nothing, for a password login."""
    if not sso_logged_in():
        return False
    st.logout()
    return True
