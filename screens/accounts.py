"""Accounts (admins): who can log in, new accounts, passwords, unlocking, deactivation, roles, handing teams on."""

import datetime as dt

import streamlit as st

from coaching.core.actors import Role
from coaching.people.accounts import Account, AccountError, PasswordRejected, accounts_of
from coaching.ui.context import current_actor, flash, get_aspire, show_flash
from coaching.ui.format import plain
from coaching.ui.state import AccountsScreen
from coaching.ui.tables import show_table

aspire = get_aspire()
actor = current_actor()
accounts = accounts_of(aspire).list_accounts(actor)
now = dt.datetime.now(dt.UTC)


def status(account: Account) -> str:
    if not account.is_active:
        return "deactivated"
    return f"locked until {account.locked_until:%H:%M} UTC" if account.is_locked(now) else "active"


@st.dialog("Confirm")
def confirm(account: Account, change: str) -> None:
    """Ask before a change to who may log in or what they see; the change itself is checked by the domain."""
    name = plain(account.name)
    st.markdown({
        "deactivate": f"Deactivate **{name}**? They can no longer log in, and any open session of theirs ends "
                      "at once. Their teams and all data stay.",
        "reactivate": f"Let **{name}** log in again?",
        "admin": f"Make **{name}** an admin? They will manage accounts and see the organisation only as "
                 "averages, no longer any person's results.",
        "manager": f"Make **{name}** a manager? They will no longer manage accounts.",
    }[change])
    if st.button("Yes, go ahead", type="primary"):
        try:
            if change == "deactivate":
                teams = accounts_of(aspire).deactivate(actor, account.id, account.version)
                note = (f" Their teams ({plain(', '.join(teams))}) stay as they are: hand them to another manager "
                        "below." if teams else "")
                flash(f"{name} is deactivated.{note}")
            elif change == "reactivate":
                accounts_of(aspire).reactivate(actor, account.id, account.version)
                flash(f"{name} can log in again.")
            else:
                accounts_of(aspire).set_role(actor, account.id, account.version, Role(change))
                flash(f"{name} is now {'an admin' if change == 'admin' else 'a manager'}.")
        except AccountError as exc:
            st.error(str(exc), icon=":material/block:")


st.title("Accounts")
show_flash()
show_table(
    [
        {
            "Name": a.name,
            "Email": a.email,
            "Role": a.role.value,
            "Sign-in": "password" if a.has_password else "single sign-on only",
            "Status": status(a),
        }
        for a in accounts
    ],
    "accounts",
)

st.subheader("New account")
# The form's key changes after each account created, so the next one starts from empty fields.
with st.form(f"new_account_{AccountsScreen.created.count}"):
    email = st.text_input("Email")
    name = st.text_input("Name")
    role = st.selectbox("Role", [Role.MANAGER, Role.ADMIN], format_func=lambda r: r.value)
    password = st.text_input("First password (leave empty for single sign-on only)", type="password")
    if st.form_submit_button("Create account"):
        try:
            created = accounts_of(aspire).create_user(actor, email.strip(), name.strip(), role, password or None)
        except (ValueError, PasswordRejected) as exc:
            st.error(plain(str(exc)))
        else:
            AccountsScreen.created.bump()
            flash(f"Account created for {created.email}.")

by_label = {f"{a.name} <{a.email}>": a for a in accounts}

st.subheader("Change an account")
with st.container(border=True):
    chosen = by_label[st.selectbox("Account to change", list(by_label), key="change_who")]
    st.caption(f"{plain(chosen.name)} is {'an admin' if chosen.role is Role.ADMIN else 'a manager'}, "
               f"{status(chosen)}.")
    with st.container(horizontal=True):
        if chosen.is_active and st.button("Deactivate", icon=":material/person_off:"):
            confirm(chosen, "deactivate")
        if not chosen.is_active and st.button("Reactivate", icon=":material/person_check:"):
            confirm(chosen, "reactivate")
        other = Role.MANAGER if chosen.role is Role.ADMIN else Role.ADMIN
        if st.button(f"Make {other.value}", icon=":material/swap_horiz:"):
            confirm(chosen, other.value)
    teams = accounts_of(aspire).teams_of(actor, chosen.id)
    if teams:
        managers = {label: a for label, a in by_label.items()
                    if a.role is Role.MANAGER and a.is_active and a.id != chosen.id}
        with st.form("hand_over"):
            st.markdown(f"**Hand on {plain(chosen.name)}'s teams** ({plain(', '.join(teams))}): each team keeps "
                        "its people and history; the new manager sees them, this account no longer does.")
            to = st.selectbox("To manager", list(managers), placeholder="No other active manager")
            if st.form_submit_button("Hand the teams on", disabled=not managers):
                moved = accounts_of(aspire).hand_over_teams(actor, chosen.id, managers[to].id)
                flash(f"{moved} team{'s' if moved != 1 else ''} handed to {plain(managers[to].name)}.")

left, right = st.columns(2)
with left.form("reset_password"):
    st.markdown("**Reset a password**")
    reset_who = st.selectbox("Account", list(by_label), key="reset_who")
    new = st.text_input("New password", type="password")
    if st.form_submit_button("Reset password"):
        try:
            accounts_of(aspire).reset_password(actor, by_label[reset_who].id, new)
        except PasswordRejected as exc:
            st.error(plain(str(exc)))
        else:
            st.success("Password reset. Tell the person through a channel you trust.")
locked = {label: a for label, a in by_label.items() if a.is_locked(now)}
with right.form("unlock"):
    st.markdown("**Unlock after failed logins**")
    chosen_locked = st.selectbox("Locked account", list(locked), key="unlock_who", placeholder="No account is locked")
    if st.form_submit_button("Unlock", disabled=not locked):
        accounts_of(aspire).unlock(actor, locked[chosen_locked].id)
        flash("Unlocked.")
