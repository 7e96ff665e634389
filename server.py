"""Aspire's web server: Streamlit serving app.py, plus what a Streamlit script cannot do by itself.

`streamlit run server.py` (what `make run` does) finds `app` below and serves it: every page of app.py;
`coaching.ui.session.SESSION_PATH`, which sets the HttpOnly cookie that keeps a login across reloads; and a
lifespan that opens the database when the server starts and holds it until it stops, so DuckDB's lock keeps
the command line off the file from the first second, not only from the first visitor (the pages find the
same store in st.cache_resource). `streamlit run app.py` still works, with logins that last only while the
page is open and the database opened by the first visitor.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from coaching.ui.context import open_at_start
from coaching.ui.session import session_routes


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    open_at_start()
    yield


app = st.App("app.py", routes=session_routes(), lifespan=lifespan)
