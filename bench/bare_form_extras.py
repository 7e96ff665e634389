"""bench/bare_form.py plus the elements the respondent's page adds around the same form, and nothing of the app.

Set page config with an icon file, a centred 760 px column, the page-language script and the scale style
(st.html), the cookie pixel (st.html), a keyed language selectbox, an expander with the notice, a progress
bar, keyed radios with a format_func, ten more session-state entries, the to-top script after each move,
and after Send a plotly radar with a toggle and its reading.

Why: it tells Streamlit's own cost of the page's shape from the cost of Aspire's code, for the respondents-at-once
figure (bench/remedies.md). `python -m bench.respond_profile --bare bench/bare_form_extras.py` walks it.
EXTRA_SLOTS (default 10) sets how many more session-state entries it keeps.
"""

import json
import os
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Aspire", page_icon=str(Path(__file__).parent.parent / "data" / "icon.png"),
                   layout="wide")
shape = json.loads(os.environ["BARE_FORM"])
labels, steps = shape["labels"], shape["steps"]
state = st.session_state
state.setdefault("step", -1)
state.setdefault("answers", {})
for n in range(int(os.environ.get("EXTRA_SLOTS", "10"))):
    state.setdefault(f"slot_{n}", n)
SCRIPT = '<i hidden data-page-lang="en" data-page-dir="ltr"></i><script>(() => {})();</script>'

with st.container(horizontal_alignment="center"), st.container(width=760):
    st.html(SCRIPT, unsafe_allow_javascript=True)
    st.html("<style>[data-testid='stRadio'] {}</style>")
    st.html('<img src="/aspire/link?invite=x" alt="" width="1" height="1" style="position:absolute">')
    with st.container(horizontal=True, horizontal_alignment="right"):
        st.selectbox("Language", ["en", "de", "fr"], index=0, format_func=str.upper, key="lang", width=200)
    if state.step < 0:
        st.title("Hello")
        st.markdown("Intro text " * 20)
        st.markdown("Who sees " * 20)
        st.markdown("Deadline")
        if st.button(labels["start"], type="primary", icon=":material/play_arrow:"):
            state.step = 0
            state.moved = state.get("moved", 0) + 1
            st.rerun()
    elif state.step < len(steps):
        step = steps[state.step]
        with st.expander("Who sees your answers"):
            st.markdown("Who sees " * 20)
        st.progress(0.5, text="Step")
        with st.form(f"step-{state.step}", enter_to_submit=False):
            st.subheader(step["title"])
            values = [st.radio(text, list(range(1, len(step["points"]) + 1)), index=None, horizontal=True,
                               format_func=lambda v, p=step["points"]: p[v - 1], key=f"r_{state.step}_{i}")
                      for i, text in enumerate(step["radios"])]
            values += [st.selectbox(text, step["options"], index=None, key=f"s_{state.step}_{i}")
                       for i, text in enumerate(step["selects"])]
            values += [st.text_area(text, key=f"t_{state.step}_{i}") for i, text in enumerate(step["texts"])]
            with st.container(horizontal=True):
                onward = st.form_submit_button(labels["save"], type="primary", icon=":material/arrow_forward:")
        if onward:
            state.answers[state.step] = values
            state.step += 1
            state.moved = state.get("moved", 0) + 1
            st.rerun()
    elif state.step == len(steps):
        st.subheader("Review")
        for n, answer in state.answers.items():
            with st.container(border=True):
                st.markdown(f"**{n}**")
                st.markdown(str(answer))
                st.button("Go to", key=f"goto_{n}", icon=":material/edit:")
        if st.button(labels["send"], type="primary", icon=":material/send:"):
            state.step += 1
            state.moved = state.get("moved", 0) + 1
            st.rerun()
    else:
        st.success("Thank you")
        st.title("Your results")
        st.markdown("Reading " * 30)
        if not st.toggle("As a table", key="as_table"):
            fig = go.Figure(data=[go.Scatterpolar(r=[50, 60, 70, 40, 55, 50], theta=[0, 72, 144, 216, 288, 0],
                                                  fill="toself", mode="lines+markers")],
                            layout={"height": 400, "polar": {"radialaxis": {"range": [0, 100]}}})
            st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
        st.markdown("**Top three**")
        if st.button(labels["change"]):
            state.step = 0
            st.rerun()
    if state.get("moved"):
        st.html(f'<i hidden data-move="{state.moved}"></i><script>(() => {{}})();</script>',
                unsafe_allow_javascript=True)
