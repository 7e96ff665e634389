"""Log in: e-mail and password (and single sign-on when configured). Needs no account to open."""

import streamlit as st

from coaching.demo import DEMO_ACCOUNTS
from coaching.people.accounts import LoginFailed, accounts_of
from coaching.ui.context import get_aspire
from coaching.ui.session import log_in
from coaching.ui.sso import (
    end_sso_session,
    sso_actor,
    sso_configured,
    sso_logged_in,
    sso_providers,
    sso_refusal,
    start_sso_login,
)

aspire = get_aspire()

with st.columns([1, 2, 1])[1]:   # a narrow, centred form; on a phone the columns stack

    st.title("Aspire")
    st.caption("Career-aspiration coaching. Log in to see and coach your teams.")

    if sso_configured():
        if sso_logged_in():
            # Back from the identity provider (or a new session with its identity cookie): match the e-mail.
            sso_user = sso_actor(aspire)
            if sso_user is not None:
                log_in(aspire, sso_user)
            st.error(sso_refusal(), icon=":material/no_accounts:")
            if st.button("Log out of single sign-on", icon=":material/logout:"):
                end_sso_session()
        else:
            providers = sso_providers()
            for provider in providers:
                label = "Log in with single sign-on"
                if len(providers) > 1:
                    label += f" ({provider})"
                if st.button(label, key=f"sso-{provider}", type="primary", icon=":material/key:"):
                    problem = start_sso_login(provider)
                    if problem:
                        st.error(problem, icon=":material/error:")
        st.caption("Or log in with your e-mail and password:")

    with st.form("login", enter_to_submit=True):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")

    if submitted:
        try:
            with st.spinner("Checking…"):
                actor = accounts_of(aspire).authenticate(email.strip(), password)
        except LoginFailed as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            log_in(aspire, actor)

    if aspire.is_demo:
        st.info("**Demo organisation.** Log in with one of these made-up accounts:", icon=":material/science:")
        st.table(
            [{"Email": a.email, "Password": a.password, "Role": a.role.value, "Coaches": a.team or "—"}
             for a in DEMO_ACCOUNTS],
        )
