"""Aspire's Streamlit entry point: configuration, who is logged in, and the menu their role allows."""

import logging
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from coaching.core.actors import Role
from coaching.core.settings import SettingsError
from coaching.db.engine import StoreOpenError, StoreUnavailable
from coaching.measurement.instrument import InstrumentError
from coaching.paths.catalogue import CatalogueError
from coaching.ui.context import get_aspire
from coaching.ui.errors import run_guarded, say_unavailable
from coaching.ui.format import plain
from coaching.ui.session import hand_over_cookie, who_is_logged_in

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
# The tab's icon is served by the app itself: a ":material/…:" icon would be fetched from Google's font servers,
# which the Content-Security-Policy (deploy/nginx/aspire.conf) does not allow, and which would see every visit.
st.set_page_config(page_title="Aspire", page_icon=str(Path(__file__).parent / "data" / "icon.png"), layout="wide")

try:
    aspire = get_aspire()
except (SettingsError, StoreOpenError, InstrumentError, CatalogueError) as exc:
    st.error(f"Aspire cannot start: {exc}", icon=":material/block:")
    st.stop()

# Each screen by the name in its address (its file screens/<name>.py): title and icon. Page objects are made on
# every run, and only those this visitor can reach: a page object serves one run, and each costs a file check.
SCREENS = {
    "home": ("Home", ":material/home:"),
    "team": ("Team", ":material/groups:"),
    "members": ("Members", ":material/badge:"),
    "member": ("One-on-one", ":material/forum:"),
    "rounds": ("Rounds", ":material/send:"),
    "questionnaire": ("Questionnaire", ":material/quiz:"),
    "accounts": ("Accounts", ":material/manage_accounts:"),
    "audit": ("Audit log", ":material/history:"),
    "data_requests": ("Data requests", ":material/folder_shared:"),
    "backup": ("Backup", ":material/backup:"),
    "catalogue": ("Catalogue", ":material/route:"),
    "account": ("My account", ":material/person:"),
}
HOME, RESPOND = "home", "respond"
MENUS = {
    Role.ADMIN: {"Organisation": ["home", "questionnaire", "catalogue", "accounts", "audit", "data_requests", "backup"],
                 "You": ["account"]},
    Role.MANAGER: {"Coaching": ["home", "team", "member", "members", "rounds", "catalogue"], "You": ["account"]},
}


def screen(name: str) -> StreamlitPage:
    title, icon = SCREENS[name]
    return st.Page(f"screens/{name}.py", title=title, icon=icon, url_path=name, default=name == HOME)


def respond() -> StreamlitPage:
    """A personal link from an invitation: no login needed, and in nobody's menu."""
    return st.Page(f"screens/{RESPOND}.py", title="Questionnaire", url_path=RESPOND, visibility="hidden")


def menu(role: Role) -> dict[str, list[StreamlitPage]]:
    pages = {section: [screen(name) for name in names] for section, names in MENUS[role].items()}
    return pages | {"You": [*pages["You"], respond()]}


def login_at_every_address() -> list[StreamlitPage]:
    """The login screen under each screen's address, so a link (say /team?team=3) survives logging in."""
    addresses = dict.fromkeys(name for sections in MENUS.values() for names in sections.values() for name in names)
    return [
        st.Page("screens/login.py", title="Log in", icon=":material/login:",
                url_path="login" if name == HOME else name, default=name == HOME)
        for name in addresses
    ]


try:
    actor = who_is_logged_in(aspire)   # asked of the database on every rerun: a deactivated account is out at once
except StoreUnavailable as exc:
    say_unavailable(exc)
    st.stop()
if actor is None:
    page = st.navigation([*login_at_every_address(), respond()], position="hidden")
else:
    page = st.navigation(menu(actor.role))

if actor is not None:
    st.sidebar.caption(f"Logged in as {plain(actor.name)} ({actor.role.value})")
    with st.sidebar:
        hand_over_cookie()
if aspire.is_demo and page.url_path != RESPOND:   # a respondent's page shows nothing but theirs
    st.info(
        "You are looking at **demo data**: a made-up organisation with two teams and two yearly waves. "
        "See the README to start with an empty database.",
        icon=":material/science:",
    )
run_guarded(page)
