"""Accounts (admins): who can log in, new accounts, password resets, unlocking after failed logins."""

import datetime as dt

import streamlit as st

from coaching.accounts import PasswordRejected
from coaching.actors import Role
from coaching.ui.context import current_actor, flash, get_aspire, show_flash

aspire = get_aspire()
actor = current_actor()
accounts = aspire.accounts.list_accounts(actor)
now = dt.datetime.now(dt.UTC)

st.title("Accounts")
show_flash()
st.dataframe(
    [
        {
            "Name": a.name,
            "Email": a.email,
            "Role": a.role.value,
            "Sign-in": "password" if a.has_password else "single sign-on only",
            "Status": f"locked until {a.locked_until:%H:%M} UTC" if a.is_locked(now) else "active",
        }
        for a in accounts
    ],
    hide_index=True,
    width="stretch",
)

st.subheader("New account")
with st.form("new_account"):
    email = st.text_input("Email")
    name = st.text_input("Name")
    role = st.selectbox("Role", [Role.MANAGER, Role.ADMIN], format_func=lambda r: r.value)
    password = st.text_input("First password (leave empty for single sign-on only)", type="password")
    if st.form_submit_button("Create account"):
        try:
            created = aspire.accounts.create_user(actor, email.strip(), name.strip(), role, password or None)
        except (ValueError, PasswordRejected) as exc:
            st.error(str(exc))
        else:
            flash(f"Account created for {created.email}.")

by_label = {f"{a.name} <{a.email}>": a for a in accounts}
left, right = st.columns(2)
with left.form("reset_password"):
    st.markdown("**Reset a password**")
    chosen = st.selectbox("Account", list(by_label), key="reset_who")
    new = st.text_input("New password", type="password")
    if st.form_submit_button("Reset password"):
        try:
            aspire.accounts.reset_password(actor, by_label[chosen].id, new)
        except PasswordRejected as exc:
            st.error(str(exc))
        else:
            st.success("Password reset. Tell the person through a channel you trust.")
locked = {label: a for label, a in by_label.items() if a.is_locked(now)}
with right.form("unlock"):
    st.markdown("**Unlock after failed logins**")
    chosen_locked = st.selectbox("Locked account", list(locked), key="unlock_who", placeholder="No account is locked")
    if st.form_submit_button("Unlock", disabled=not locked):
        aspire.accounts.unlock(actor, locked[chosen_locked].id)
        flash("Unlocked.")
