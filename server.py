"""Aspire's web server: Streamlit serving app.py, plus the one endpoint a Streamlit script cannot provide.

`streamlit run server.py` (what `make run` does) finds `app` below and serves it: every page of app.py,
and `coaching.ui.session.SESSION_PATH`, which sets the HttpOnly cookie that keeps a login across
reloads. `streamlit run app.py` still works, with logins that last only while the page is open.
"""

import streamlit as st

from coaching.ui.session import session_routes

app = st.App("app.py", routes=session_routes())
