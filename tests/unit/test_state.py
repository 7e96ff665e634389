"""Session state: a slot keeps its value in st.session_state under the one key named for it, with its default
until set, and survives a rerun; `forget()` drops its group only (a respondent opening another link keeps the
counter that makes each move's script run again); `pop()` shows a value once; `required()` refuses to stand in a
None for a value the page should have set."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def script() -> None:
    import streamlit as st

    from coaching.ui.state import Counter, Group, Slot

    class Walk(Group):
        step: Slot[int] = Slot("walk_step", 0)
        view: Slot[str] = Slot("walk_view")

    class Moves(Group):
        made: Counter = Counter("moves")

    st.write(f"step {Walk.step.get()}, view {Walk.view.get()}, moves {Moves.made.count}")
    if st.button("next"):
        Walk.step.set(Walk.step.get() + 1)
        Walk.view.set("form")
        Moves.made.bump()
    if st.button("forget"):
        Walk.forget()
    if st.button("take view"):
        st.write(f"took {Walk.view.pop()}")


def shown(at: AppTest) -> str:
    return at.markdown[0].value


def test_slots_live_under_their_keys_across_reruns_and_forget_drops_one_group() -> None:
    at = AppTest.from_function(script).run()
    assert shown(at) == "step 0, view None, moves 0"
    at.button[0].click().run()
    at.button[0].click().run()
    assert (at.session_state["walk_step"], at.session_state["walk_view"], at.session_state["moves"]) == (2, "form", 2)
    at.run()
    assert shown(at) == "step 2, view form, moves 2"
    at.button[2].click().run()
    assert at.markdown[1].value == "took form"
    assert "walk_view" not in at.session_state and at.session_state["walk_step"] == 2
    at.button[2].click().run()
    assert at.markdown[1].value == "took None"
    at.button[1].click().run()
    assert "walk_step" not in at.session_state and at.session_state["moves"] == 2
    at.run()
    assert shown(at) == "step 0, view None, moves 2"


def landing_script() -> None:
    import streamlit as st

    from coaching.ui.state import Slot

    answers: Slot[dict] = Slot("answers")
    if st.button("land"):
        answers.set({"q1": 4})
    try:
        st.write(f"answers {answers.required()}")
    except LookupError as exc:
        st.write(f"refused: {exc}")


def test_a_slot_the_page_must_have_set_fails_loudly_when_read_before_instead_of_giving_none() -> None:
    at = AppTest.from_function(landing_script).run()
    assert shown(at) == "refused: 'answers' is read before it was set"
    at.button[0].click().run()
    assert shown(at) == "answers {'q1': 4}"
