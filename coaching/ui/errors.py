"""What a person sees when a screen fails: a short message and a reference, never a traceback."""

from __future__ import annotations

import logging
import secrets

import streamlit as st
from streamlit.navigation.page import StreamlitPage

log = logging.getLogger("coaching.ui")

ERROR_MESSAGE = (
    "Something went wrong on this screen. Nothing you entered was saved half-way. "
    "If it happens again, give your administrator this reference: {ref}"
)


def run_guarded(page: StreamlitPage) -> None:
    """Run the selected page; an unexpected error is logged in full and shown as one line with a reference."""
    try:
        page.run()
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("unexpected error on page %s, reference %s", getattr(page, "title", "?"), ref)
        st.error(ERROR_MESSAGE.format(ref=ref), icon=":material/error:")
