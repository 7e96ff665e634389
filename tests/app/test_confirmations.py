"""A confirmation ("Saved the note.") is not lost when a second click cuts short the run that showed it.

A double click on a form's button reaches the server as two clicks: the second stops the running run at its
next drawing call and starts another. The confirmation stays until a run that showed it has ended.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page_cut_short_once() -> None:
    """A page whose first run saves, shows the confirmation and is then cut short (as by a second click)."""
    import streamlit as st

    from coaching.ui.context import show_flash
    from coaching.ui.errors import run_guarded
    from coaching.ui.state import Page

    def body() -> None:
        runs = st.session_state.get("runs", 0) + 1
        st.session_state["runs"] = runs
        if runs == 1:
            Page.flash.set("Saved the note.")
        show_flash()
        if runs == 1:
            st.rerun()      # the second click arrives after the confirmation was drawn

    run_guarded(st.navigation([st.Page(body, title="Notes")], position="hidden"))


def _page_that_stops() -> None:
    """A page that shows the confirmation, then ends its own run (st.stop), as a screen with nothing more does."""
    import streamlit as st

    from coaching.ui.context import show_flash
    from coaching.ui.errors import run_guarded
    from coaching.ui.state import Page

    def body() -> None:
        if not st.session_state.get("saved"):
            st.session_state["saved"] = True
            Page.flash.set("Team Data created.")
        show_flash()
        st.stop()

    run_guarded(st.navigation([st.Page(body, title="Members")], position="hidden"))


def _confirmations(at: AppTest) -> list[str]:
    return [box.value for box in at.success]


def test_a_confirmation_cut_short_by_a_second_click_shows_on_the_run_after_and_then_goes() -> None:
    at = AppTest.from_function(_page_cut_short_once).run()
    assert at.session_state["runs"] == 2
    assert _confirmations(at) == ["Saved the note."], "the run the second click started shows it"
    assert _confirmations(at.run()) == [], "shown once the run that showed it has ended"


def test_a_confirmation_on_a_page_that_stops_its_own_run_is_shown_once() -> None:
    at = AppTest.from_function(_page_that_stops).run()
    assert _confirmations(at) == ["Team Data created."]
    assert _confirmations(at.run()) == []
