"""The Streamlit side of start-up: one Aspire per process and settings, and who is logged in."""

from __future__ import annotations

import logging
import os

import streamlit as st

from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.core.settings import load_settings
from coaching.governance.audit import Action, Subject
from coaching.startup import start
from coaching.ui.state import Login, Page


@st.cache_resource(show_spinner=False)
def _aspire_for(environment: str, port: int) -> Aspire:
    """One Aspire per set of COACHING_* variables (`environment`, one line each) and server port (tests point
    servers at different files).

    The settings object is built here from the environment and handed to `start` as it is. It is never
    serialised: a serialised SecretStr reads `**********`, which would replace the passwords. No spinner: the
    server opens the database at start (open_at_start), outside any page, where a spinner has nowhere to draw
    and Streamlit logs a warning instead.
    """
    return start(load_settings(port=port))


def open_at_start() -> None:
    """Open the database when the server starts (server.py), so the CLI meets its lock before any visitor.

    A failure is logged, not raised: the first page shows it in words (app.py), as it would without this.
    """
    try:
        get_aspire()
    except Exception:  # noqa: BLE001 - the same error reaches the first visitor's screen
        logging.getLogger(__name__).exception("Aspire could not open its database at start-up")


def get_aspire() -> Aspire:
    """The process-wide Aspire for the current settings (SettingsError when a variable is invalid)."""
    return _aspire_for(_coaching_variables(), int(st.get_option("server.port")))


def _coaching_variables() -> str:
    """The COACHING_* variables as one string, the cache's key: asked twice on every script run, so only the
    names are read to find them, and one string is hashed by the cache much faster than a tuple of pairs."""
    names = sorted(name for name in os.environ if name.upper().startswith("COACHING_"))
    return "\n".join(f"{name}={os.environ[name]}" for name in names)


def logged_in() -> Actor | None:
    """Who is logged in to this browser session, if anyone."""
    return Login.actor.get()


def current_actor() -> Actor:
    """The logged-in person; a screen reached without logging in stops here and shows nothing else."""
    actor = logged_in()
    if actor is None:
        st.warning("Please log in first.", icon=":material/lock:")
        st.stop()
    return actor


def record_view_once(aspire: Aspire, actor: Actor, member_ids: list[int], screen: str) -> None:
    """Audit that named results were shown, once per screen and set of people in a session, not per rerun."""
    key = (screen, tuple(sorted(member_ids)))
    seen = Page.audited.setdefault(set())
    if key in seen or not member_ids:
        return
    aspire.audit.record(actor, Action.VIEWED, Subject.MEMBER, list(key[1]), screen)
    seen.add(key)


def flash(message: str) -> None:
    """Confirm a change after the rerun that shows it (e.g. a new row in a table above the form)."""
    Page.flash.set(message)
    st.rerun()


def show_flash() -> None:
    if message := Page.flash.show():
        st.success(message, icon=":material/check_circle:")
