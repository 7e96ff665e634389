"""Showing a chart View the same way everywhere: title, its reading in words, and a table instead on request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import streamlit as st
from streamlit.typing import PlotlyState

from coaching.ui.format import plain
from coaching.ui.tables import show_table
from coaching.views.view import View

PLOTLY_CONFIG = {"displaylogo": False}


def show_view(
    view: View, *, key: str, on_select: Literal["rerun"] | Callable[[], None] | None = None
) -> PlotlyState | None:
    """Draw a view and return the chart's selection event when ``on_select`` is given, else None.

    A view with nothing to draw says why (its reading) in place of an empty chart. The table toggle
    is keyed per view, so each chart on a screen keeps its own choice across reruns; the table downloads as
    `<key>.csv`. Names inside the
    title and reading are typed by people, so they are shown as typed, never as Markdown.
    """
    heading, switch = st.columns([2, 1], vertical_alignment="bottom")
    heading.markdown(f"##### {plain(view.title)}")
    if not view.table:
        st.info(plain(view.reading), icon=":material/info:")
        return None
    as_table = switch.toggle("Show as table", key=f"{key}_as_table")
    st.caption(plain(view.reading))
    if as_table:
        show_table(view.table, key)
        return None
    if on_select is None:
        st.plotly_chart(view.figure, width="stretch", key=key, config=PLOTLY_CONFIG, alt=view.reading)
        return None
    return st.plotly_chart(view.figure, width="stretch", key=key, config=PLOTLY_CONFIG, alt=view.reading,
                           on_select=on_select, selection_mode="points")
