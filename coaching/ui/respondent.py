"""The respondent's session: the personal link kept in session state, the person's language, and where they are.

A person opens a personal link and needs no account. The token is read from the address once, resolved
once per session (resolving records when the link was first opened), then taken out of the address so it
does not linger in the browser's history or in a screenshot. Work on an ordinary rerun only reads: the
database is written when the person saves a section, sends, or declines, and at those moments the link is
resolved again, so a link revoked or a round closed meanwhile is noticed before anything is written.

Everything the person reads is in their language (coaching.i18n): the one kept with their draft, else
their member record's, else the browser's; a switch on the page changes it and keeps it with the draft.
The page's `lang` and `dir` follow it, so screen readers pronounce it right and Arabic reads right to left.

The rules of the walk (which step, what is missing, where a person resumes) are coaching.measurement.steps;
this module only keeps its state, in two groups of slots: `Link` (whose page this is) and `Walk` (where they are).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

import streamlit as st

from coaching import i18n
from coaching.aspire import Aspire
from coaching.i18n import Texts
from coaching.measurement import steps
from coaching.measurement.instrument import Instrument
from coaching.measurement.scoring import Profile
from coaching.measurement.steps import Flash, View
from coaching.measurement.versions import instrument_in
from coaching.rounds import rounds
from coaching.rounds.rounds import InvalidLink, Invitation
from coaching.ui import injected
from coaching.ui.session import keep_link, link_from_cookie
from coaching.ui.state import Counter, Group, ShownOnce, Slot

#: Shown when the page is opened without any link, e.g. after a reload (the token left the address).
NO_LINK = steps.ENGLISH("page.no_link")


class Link(Group):
    """Whose page this is: the link opened in this session, what it resolved to, and the page's language."""

    token: Slot[str] = Slot("respond_token")
    invitation: Slot[Invitation] = Slot("respond_invitation")
    language: Slot[str] = Slot("respond_language")


class Walk(Group):
    """Where the person is on their page and what they have entered so far (forgotten with the link)."""

    answers: Slot[dict[str, Any]] = Slot("respond_answers")
    profile: Slot[Profile | None] = Slot("respond_profile")   # the profile of the answers sent, if any
    view: Slot[View] = Slot("respond_view")
    step: Slot[int] = Slot("respond_step", 0)
    show_problems: Slot[bool] = Slot("respond_show_problems", False)
    flash: ShownOnce[Flash | None] = ShownOnce("respond_flash")
    moved: Slot[int] = Slot("respond_moved")   # set by a move, taken by the next run's to_top()
    send: Slot[bool] = Slot("respond_send", False)   # the Send button's key: True on the run its press starts


class Moves:
    """How many moves this session made: kept across links, so each move's script is a new element and runs."""

    made: Counter = Counter("respond_moves")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---- the language ----------------------------------------------------------------------------------------


def language() -> str:
    """The language of this session's page: the person's once the link is resolved, else the browser's."""
    return Link.language.get() or i18n.choose(None, None, st.context.locale)


def texts() -> Texts:
    return i18n.texts(language())


def questionnaire(aspire: Aspire, invitation: Invitation) -> Instrument:
    """The round's questionnaire version in the person's language (same items and scale in every language)."""
    return instrument_in(aspire, invitation.row.round.instrument_version, language())


def page_language() -> None:
    """The page's lang and dir attributes for this session's language, and the scales' layout."""
    injected.page_language(language())


# ---- the link and the session -------------------------------------------------------------------------


def landing(aspire: Aspire) -> Invitation:
    """The invitation of this session; one sentence and nothing else when the link is missing or not valid.

    That sentence is in the browser's language: without a valid link nothing says who is asking.
    """
    # After a reload the link has left the address: the browser kept it in a cookie (coaching.ui.session).
    token = st.query_params.get("invite") or (None if Link.token.get() is not None else link_from_cookie())
    if token is not None:
        st.query_params.pop("invite", None)    # out of the address bar and history; kept in session state
        if token != Link.token.get():
            _forget()
            try:
                resolved = rounds.resolve(aspire, token)
            except InvalidLink:
                Link.token.set(token)          # a rerun of this session keeps saying the same
                _stop("page.invalid_link")
            _begin(aspire, resolved)
    invitation = Link.invitation.get()
    if invitation is None:
        _stop("page.invalid_link" if Link.token.get() else "page.no_link")
    keep_link(invitation.token)                # so that a reload stays on this page
    return invitation


def _stop(key: str) -> NoReturn:
    page_language()
    st.error(texts()(key), icon=":material/link_off:")
    st.stop()


def _forget() -> None:
    Link.forget()
    Walk.forget()


def _begin(aspire: Aspire, invitation: Invitation) -> None:
    """Load what the person saved or sent before and decide where they start (reads only)."""
    Link.token.set(invitation.token)
    Link.invitation.set(invitation)
    Link.language.set(i18n.choose(rounds.draft_language(aspire, invitation), invitation.row.member_language,
                                  st.context.locale))
    sent = rounds.own_answers(aspire, invitation)
    start = steps.opening(invitation.instrument, rounds.draft(aspire, invitation),   # the draft, else the answers
                          None if sent is None else sent.model_dump(mode="json"), texts())
    Walk.answers.set(start.answers)
    Walk.profile.set(rounds.own_profile(aspire, invitation) if sent is not None else None)
    Walk.view.set(start.view)
    Walk.step.set(start.step)
    Walk.flash.set(start.flash)


def fresh(aspire: Aspire) -> Invitation:
    """Resolve the link again just before a write, so a revoked link or a closed round is noticed first."""
    token = Link.token.required()
    try:
        invitation = rounds.resolve(aspire, token)
    except InvalidLink:
        _forget()
        Link.token.set(token)   # the next run shows the one sentence, and nothing above it
        st.rerun()
    Link.invitation.set(invitation)
    return invitation


def save(aspire: Aspire) -> None:
    """Keep the working answers and the page's language with the person's draft (RoundClosed once closed)."""
    rounds.save_draft(aspire, fresh(aspire), Walk.answers.required(), language())


# ---- moving ---------------------------------------------------------------------------------------------


def go(to: View, step: int | None = None, flash: Flash | None = None) -> None:
    """Move to another view or step; `flash` is shown once after it."""
    Walk.view.set(to)
    if step is not None:
        Walk.step.set(step)
    if flash:
        Walk.flash.set(flash)
    Moves.made.bump()
    Walk.moved.set(Moves.made.count)
    st.rerun()


def to_top() -> None:
    """After moving to another step or view: back to the top of the page, keyboard focus on its heading."""
    moved = Walk.moved.pop()
    if moved is not None:
        injected.to_top(moved)
