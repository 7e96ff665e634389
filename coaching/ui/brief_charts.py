"""The browser that draws a downloaded brief's charts, one per server.

Apart from coaching.ui.context, which every page and the server's start-up import: the brief's libraries
(fpdf2, kaleido) then load with the first screen that offers a brief, not at start-up, which was 0.4 s of CPU
longer with them.
"""

from __future__ import annotations

import streamlit as st

from coaching.one_on_one.brief import ChartRenderer


@st.cache_resource
def chart_renderer() -> ChartRenderer:
    """One headless browser per server for the charts of downloaded briefs: it takes seconds to start."""
    return ChartRenderer()
