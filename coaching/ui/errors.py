"""What a person sees when a screen fails: a short message and a reference, never a traceback."""

from __future__ import annotations

import logging
import secrets

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from coaching.db.engine import StoreUnavailable
from coaching.ui.state import begin_run

log = logging.getLogger("coaching.ui")

ERROR_MESSAGE = (
    "Something went wrong on this screen. Nothing you entered was saved half-way. "
    "If it happens again, give your administrator this reference: {ref}"
)


UNAVAILABLE_MESSAGE = (
    "The database cannot be reached right now, so nothing was saved from this step. "
    "Try again in a moment: what you entered is still here."
)


def say_unavailable(exc: StoreUnavailable) -> None:
    """A lost database connection in plain words (the reason goes to the log, without the password)."""
    log.warning("database unavailable: %s", exc)
    st.error(UNAVAILABLE_MESSAGE, icon=":material/cloud_off:")


def run_guarded(page: StreamlitPage) -> None:
    """Run the selected page; an unexpected error is logged in full and shown as one line with a reference.

    A database that cannot be reached is not unexpected (a server restarting): it gets its own message,
    and the next click runs the page again on a fresh connection.
    """
    marks = begin_run()
    try:
        page.run()
    except StopException:       # the page ended its own run (st.stop): what it showed was sent
        marks.ended = True
        raise
    except StoreUnavailable as exc:
        say_unavailable(exc)
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("unexpected error on page %s, reference %s", getattr(page, "title", "?"), ref)
        st.error(ERROR_MESSAGE.format(ref=ref), icon=":material/error:")
    marks.ended = True          # not after a rerun (a click, st.rerun): that run was cut short
