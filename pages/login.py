"""Log in: e-mail and password (and single sign-on when configured). Needs no account to open."""

import streamlit as st

from coaching.accounts import AccountLocked, LoginFailed
from coaching.demo import DEMO_ACCOUNTS
from coaching.ui.context import get_aspire, log_in

aspire = get_aspire()

st.title("Aspire")
st.caption("Career-aspiration coaching. Log in to see and coach your teams.")

with st.form("login", enter_to_submit=True):
    email = st.text_input("Email", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Log in", type="primary")

if submitted:
    try:
        with st.spinner("Checking…"):
            actor = aspire.accounts.authenticate(email.strip(), password)
    except AccountLocked as exc:
        st.error(str(exc), icon=":material/lock:")
    except LoginFailed as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        log_in(actor)

if aspire.is_demo:
    st.info("**Demo organisation.** Log in with one of these made-up accounts:", icon=":material/science:")
    st.table(
        [{"Email": a.email, "Password": a.password, "Role": a.role.value, "Coaches": a.team or "—"}
         for a in DEMO_ACCOUNTS],
    )
