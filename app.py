"""Aspire's Streamlit entry point: configuration, who is acting, and the menu of screens."""

import logging

import streamlit as st

from coaching.catalogue import CatalogueError
from coaching.instrument import InstrumentError
from coaching.settings import SettingsError
from coaching.store import StoreOpenError
from coaching.ui.context import current_actor, get_aspire
from coaching.ui.errors import run_guarded

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="Aspire", page_icon=":material/explore:", layout="wide")

try:
    aspire = get_aspire()
except (SettingsError, StoreOpenError, InstrumentError, CatalogueError) as exc:
    st.error(f"Aspire cannot start: {exc}", icon=":material/block:")
    st.stop()

actor = current_actor(aspire)
page = st.navigation(
    {
        "Coaching": [
            st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
            st.Page("pages/team.py", title="Team", icon=":material/groups:"),
        ],
        "Organisation": [
            st.Page("pages/questionnaire.py", title="Questionnaire", icon=":material/quiz:"),
        ],
    }
)
with st.sidebar:
    st.caption(f"Signed in as **{actor.name}**")
if aspire.is_demo:
    st.info(
        "You are looking at **demo data**: a made-up organisation with two teams and two yearly waves. "
        "See the README to start with an empty database.",
        icon=":material/science:",
    )
run_guarded(page)
