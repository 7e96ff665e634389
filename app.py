"""Aspire's Streamlit entry point: configuration, who is logged in, and the menu their role allows."""

import logging
from pathlib import Path

import streamlit as st

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

HOME = st.Page("screens/home.py", title="Home", icon=":material/home:", default=True)
TEAM = st.Page("screens/team.py", title="Team", icon=":material/groups:")
MEMBERS = st.Page("screens/members.py", title="Members", icon=":material/badge:")
ONE_ON_ONE = st.Page("screens/member.py", title="One-on-one", icon=":material/forum:", url_path="member")
ROUNDS = st.Page("screens/rounds.py", title="Rounds", icon=":material/send:")
QUESTIONNAIRE = st.Page("screens/questionnaire.py", title="Questionnaire", icon=":material/quiz:")
ACCOUNTS = st.Page("screens/accounts.py", title="Accounts", icon=":material/manage_accounts:")
AUDIT = st.Page("screens/audit.py", title="Audit log", icon=":material/history:")
DATA_REQUESTS = st.Page("screens/data_requests.py", title="Data requests", icon=":material/folder_shared:")
BACKUP = st.Page("screens/backup.py", title="Backup", icon=":material/backup:", url_path="backup")
CATALOGUE = st.Page("screens/catalogue.py", title="Catalogue", icon=":material/route:", url_path="catalogue")
MY_ACCOUNT = st.Page("screens/account.py", title="My account", icon=":material/person:")
# A personal link from an invitation: no login needed, and in nobody's menu.
RESPOND = st.Page("screens/respond.py", title="Questionnaire", url_path="respond", visibility="hidden")
MENUS = {
    Role.ADMIN: {"Organisation": [HOME, QUESTIONNAIRE, CATALOGUE, ACCOUNTS, AUDIT, DATA_REQUESTS, BACKUP],
                 "You": [MY_ACCOUNT]},
    Role.MANAGER: {"Coaching": [HOME, TEAM, ONE_ON_ONE, MEMBERS, ROUNDS, CATALOGUE], "You": [MY_ACCOUNT]},
}


def login_at_every_address() -> list:
    """The login screen under each screen's address, so a link (say /team?team=3) survives logging in."""
    addresses = {page.url_path: page for menu in MENUS.values() for pages in menu.values() for page in pages}
    return [
        st.Page("screens/login.py", title="Log in", icon=":material/login:", url_path=path or "login",
                default=page is HOME)
        for path, page in addresses.items()
    ]


try:
    actor = who_is_logged_in(aspire)   # asked of the database on every rerun: a deactivated account is out at once
except StoreUnavailable as exc:
    say_unavailable(exc)
    st.stop()
if actor is None:
    page = st.navigation([*login_at_every_address(), RESPOND], position="hidden")
else:
    page = st.navigation({**MENUS[actor.role], "You": [*MENUS[actor.role]["You"], RESPOND]})

if actor is not None:
    st.sidebar.caption(f"Logged in as {plain(actor.name)} ({actor.role.value})")
    with st.sidebar:
        hand_over_cookie()
if aspire.is_demo and page.url_path != RESPOND.url_path:   # a respondent's page shows nothing but theirs
    st.info(
        "You are looking at **demo data**: a made-up organisation with two teams and two yearly waves. "
        "See the README to start with an empty database.",
        icon=":material/science:",
    )
run_guarded(page)
