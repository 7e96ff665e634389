"""Typed session state: a value kept through its attribute is in st.session_state under the one key named for
it, survives a rerun, and `forget()` drops its group only (a respondent opening another link keeps the counter
that makes each move's script run again)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def script() -> None:
    import streamlit as st

    from coaching.ui.state import Kept, State

    class Walk(State):
        step: Kept[int] = Kept("walk_step", 0)
        view: Kept[str | None] = Kept("walk_view")

    class Moves(State):
        count: Kept[int] = Kept("moves", 0)

    walk, moves = Walk(), Moves()
    st.write(f"step {walk.step}, view {walk.view}, moves {moves.count}")
    if st.button("next"):
        walk.step += 1
        walk.view = "form"
        moves.count += 1
    if st.button("forget"):
        walk.forget()
    if st.button("drop view"):
        del walk.view


def shown(at: AppTest) -> str:
    return at.markdown[0].value


def test_kept_values_live_under_their_keys_across_reruns_and_forget_drops_one_group() -> None:
    at = AppTest.from_function(script).run()
    assert shown(at) == "step 0, view None, moves 0"
    at.button[0].click().run()
    at.button[0].click().run()
    assert (at.session_state["walk_step"], at.session_state["walk_view"], at.session_state["moves"]) == (2, "form", 2)
    at.run()
    assert shown(at) == "step 2, view form, moves 2"
    at.button[2].click().run()
    assert "walk_view" not in at.session_state and at.session_state["walk_step"] == 2
    at.button[1].click().run()
    assert "walk_step" not in at.session_state and at.session_state["moves"] == 2
    at.run()
    assert shown(at) == "step 0, view None, moves 2"
