"""The Streamlit side of start-up: one Aspire per process and settings, and who is acting."""

from __future__ import annotations

import streamlit as st

from coaching.actors import Actor
from coaching.aspire import Aspire, start
from coaching.settings import Settings, load_settings


@st.cache_resource(show_spinner="Opening the database…")
def _aspire_for(settings_json: str) -> Aspire:
    """Keyed by the settings, so tests that point at different database files get different stores."""
    return start(Settings.model_validate_json(settings_json))


def get_aspire() -> Aspire:
    """The process-wide Aspire for the current settings (SettingsError when a variable is invalid)."""
    return _aspire_for(load_settings().model_dump_json())


def current_actor(aspire: Aspire) -> Actor:
    """Who is using this session. Until accounts exist: the built-in local manager."""
    if "actor" not in st.session_state:
        st.session_state.actor = aspire.local_manager()
    return st.session_state.actor
