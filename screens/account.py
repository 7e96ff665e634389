"""My account: change my password, log out."""

import streamlit as st

from coaching.people.accounts import LoginFailed, PasswordRejected, accounts_of
from coaching.ui.context import current_actor, get_aspire
from coaching.ui.format import plain
from coaching.ui.session import log_out

aspire = get_aspire()
actor = current_actor()

st.title("My account")
st.markdown(f"Logged in as {plain(actor.name)} ({actor.role.value}).")

st.subheader("Change password")
with st.form("change_password"):
    current = st.text_input("Current password", type="password", autocomplete="current-password")
    new = st.text_input("New password", type="password", autocomplete="new-password")
    again = st.text_input("New password again", type="password", autocomplete="new-password")
    if st.form_submit_button("Change password"):
        if new != again:
            st.error("The two new passwords differ: type the same one twice.")
        else:
            try:
                accounts_of(aspire).change_password(actor, current, new)
            except (LoginFailed, PasswordRejected) as exc:
                st.error(plain(str(exc)))
            else:
                st.success("Your password is changed.")

st.divider()
if st.button("Log out", icon=":material/logout:"):
    log_out(aspire)
