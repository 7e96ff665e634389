"""The yardstick: a bare Streamlit page drawing one plotly chart, timed in the same run as the screens.

Why a yardstick at all: AppTest times depend on the machine, so screen times are reported as a
multiple of this page. The chart is about the size of Home's (seven horizontal bars) and is
rebuilt on every run, as a screen's chart is.
"""

import plotly.graph_objects as go
import streamlit as st

fig = go.Figure(go.Bar(x=[62, 48, 55, 71, 40, 52, 44], y=list("ABCDEFG"), orientation="h"))
fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10})
st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
