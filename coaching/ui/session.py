"""Who is logged in, checked on every rerun, and a login kept across browser reloads for a working day.

Why it works this way:
- Streamlit 1.67 cannot set a cookie from a script: `st.context.cookies` is read-only (streamlit#861 and
  #14730 are the open requests) and its own identity cookie is written only by `st.login`. What 1.67
  does offer is `st.App`, an ASGI server with routes of one's own: `server.py` runs app.py with one more
  endpoint, `SESSION_PATH`, which sets the cookie on an ordinary HTTP response, HttpOnly so no script
  in the page can read it.
- After a login the page holds a one-time code (valid two minutes, stored hashed) as an image address;
  the browser fetches it from this same origin and the endpoint answers with the cookie: a random token
  whose SHA-256 alone is in the database (`Accounts.hand_over_session`). No script runs for this.
- A reload is a new Streamlit session: it finds the cookie in `st.context.cookies` (sent with the page's
  WebSocket) and resumes the login (`Accounts.resume_session`). Every rerun asks the database whether
  the login still holds, with the account's current role, so Log out, an expired day and a deactivated
  account end it at the next click, on every app server.
- A respondent's page works the same way, with their personal link in place of a login: the link leaves
  the address bar once read, so a reload (common on a phone) would lose it; the page hands it to
  `LINK_PATH`, which keeps it for `LINK_HOURS` in an HttpOnly cookie the reloaded page reads.
- Started with plain `streamlit run app.py` the endpoints are missing: a login then lasts as long as the
  page is open, and a respondent who reloads is asked to open their link again.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from streamlit import config
from streamlit.url_util import make_url_path

from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.people.accounts import accounts_of
from coaching.rounds import rounds
from coaching.ui.context import get_aspire
from coaching.ui.sso import end_sso_session
from coaching.ui.state import Login

log = logging.getLogger(__name__)

COOKIE = "aspire_session"
SESSION_PATH = "/aspire/session"
LINK_COOKIE = "aspire_link"
LINK_PATH = "/aspire/link"
LINK_HOURS = 2                   # long enough to answer, short enough not to linger on a shared device
# A transparent 1x1 GIF: the endpoint answers an <img>, so it answers with an image.
_PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def who_is_logged_in(aspire: Aspire) -> Actor | None:
    """Who is logged in to this browser session, now: called once at the top of every rerun (app.py)."""
    session_id = Login.session.get()
    token = st.context.cookies.get(COOKIE)
    if session_id is None and isinstance(token, str) and token:
        session_id = accounts_of(aspire).resume_session(token)
        if session_id is not None:
            Login.session.set(session_id)
    actor = None if session_id is None else accounts_of(aspire).session_actor(session_id)
    if actor is None:
        if Login.actor.get() is not None:
            st.session_state.clear()   # ended elsewhere (log out in another tab, deactivated, expired)
        return None
    Login.actor.set(actor)
    return actor


def log_in(aspire: Aspire, actor: Actor) -> None:
    """Start a login for the person and show the app; the page then hands its cookie to the browser."""
    session_id, code = accounts_of(aspire).start_session(actor)
    st.session_state.clear()
    Login.session.set(session_id)
    Login.actor.set(actor)
    Login.handoff.set((code, time.monotonic() + accounts_of(aspire).policy.handoff_seconds))
    st.rerun()


def hand_over_cookie() -> None:
    """Until the one-time code runs out: an invisible image whose address gives the browser its cookie."""
    handoff = Login.handoff.get()
    if handoff is None:
        return
    code, deadline = handoff
    if time.monotonic() > deadline:
        Login.handoff.pop()
        return
    _pixel(SESSION_PATH, urlencode({"code": code}))


def _pixel(path: str, query: str) -> None:
    """An invisible image whose address, fetched by the browser from this origin, sets a cookie."""
    st.html(f'<img src="{make_url_path(_base_path(), path)}?{query}" alt="" width="1" height="1" '
            'style="position:absolute">')


def keep_link(token: str) -> None:
    """Let a respondent's page survive a reload: the browser keeps their link in a cookie (see LINK_PATH)."""
    _pixel(LINK_PATH, urlencode({"invite": token}))


def link_from_cookie() -> str | None:
    """The personal link this browser opened last (a reload of the respondent's page), if it kept one."""
    token = st.context.cookies.get(LINK_COOKIE)
    return token if isinstance(token, str) and token else None


def log_out(aspire: Aspire) -> None:
    """End the login everywhere it is used (its cookie no longer opens anything); after single sign-on
    also end that (identity cookie and provider)."""
    session_id = Login.session.get()
    if session_id is not None:
        accounts_of(aspire).end_session(session_id)
    st.session_state.clear()
    if not end_sso_session():  # after single sign-on the browser goes to the provider and back by itself;
        st.rerun()             # a rerun on top would race that redirect


def _base_path() -> str:
    """Where the app is served ("/" unless server.baseUrlPath says otherwise): the cookie's path."""
    return "/" + (config.get_option("server.baseUrlPath") or "").strip("/")


def _same_origin(request: Request) -> bool:
    """Only this app's own pages may ask (an image on another site must not plant a cookie)."""
    return request.headers.get("sec-fetch-site", "same-origin") == "same-origin"


def _refused() -> Response:
    return Response(status_code=403, headers={"Cache-Control": "no-store"})


def _cookie_response(request: Request, name: str, value: str, hours: int) -> Response:
    response = Response(_PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    response.set_cookie(name, value, max_age=hours * 3600, path=_base_path(),
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


def session_routes() -> list[Route]:
    """The endpoints that set the login and the personal-link cookies, for `st.App(routes=...)` in server.py."""
    def hand_over(request: Request) -> Response:
        if not _same_origin(request):
            return _refused()
        accounts = accounts_of(get_aspire())
        token = accounts.hand_over_session(request.query_params.get("code", ""))
        if token is None:
            return _refused()
        log.info("login cookie handed to the browser")
        return _cookie_response(request, COOKIE, token, accounts.policy.session_hours)

    def keep(request: Request) -> Response:
        token = request.query_params.get("invite", "")
        if not _same_origin(request):
            return _refused()
        try:
            rounds.resolve(get_aspire(), token)
        except rounds.InvalidLink:
            return _refused()
        return _cookie_response(request, LINK_COOKIE, token, LINK_HOURS)

    return [Route(SESSION_PATH, hand_over, methods=["GET"]), Route(LINK_PATH, keep, methods=["GET"])]
