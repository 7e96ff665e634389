"""The yardstick for answering: a bare Streamlit questionnaire of the app's shape that stores nothing.

Why: what N people answering at once cost a server is only meaningful next to what Streamlit itself costs
for the same clicks. This page has the respondent page's shape (a Start button, one form per step with as
many radios, selectboxes and text fields as the app's step, the same button labels, a review with Send and
a thank-you page) and nothing of the app: no database, no scoring, no chart. bench/load_client.py writes the
shape into BARE_FORM (JSON) from the current questionnaire; the same client then drives both pages.
"""

import json
import os

import streamlit as st

shape = json.loads(os.environ["BARE_FORM"])
labels, steps = shape["labels"], shape["steps"]
state = st.session_state
state.setdefault("step", -1)
state.setdefault("answers", {})

if state.step < 0:
    st.title("Hello")
    if st.button(labels["start"], type="primary"):
        state.step = 0
        st.rerun()
elif state.step < len(steps):
    step = steps[state.step]
    with st.form(f"step-{state.step}", enter_to_submit=False):
        st.subheader(step["title"])
        values = [st.radio(text, step["points"], index=None, horizontal=True) for text in step["radios"]]
        values += [st.selectbox(text, step["options"], index=None) for text in step["selects"]]
        values += [st.text_area(text) for text in step["texts"]]
        onward = st.form_submit_button(labels["save"], type="primary")
    if onward:
        state.answers[state.step] = values
        state.step += 1
        st.rerun()
elif state.step == len(steps):
    st.title("Review")
    st.write(state.answers)
    if st.button(labels["send"], type="primary"):
        state.step += 1
        st.rerun()
else:
    st.success("Thank you")
    if st.button(labels["change"]):
        state.step = 0
        st.rerun()
