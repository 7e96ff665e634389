"""Audit log (admins): who viewed, exported, changed or erased whose data, and when."""

import datetime as dt

import streamlit as st

from coaching.audit import Action, AuditFilter
from coaching.ui.context import current_actor, get_aspire

aspire = get_aspire()
actor = current_actor()
names = {a.id: f"{a.name} <{a.email}>" for a in aspire.accounts.list_accounts(actor)}

st.title("Audit log")
st.caption("Entries name what happened to whose data; they never contain answers, reflections or notes.")
left, middle, right = st.columns(3)
action = left.selectbox("Action", [None, *Action], format_func=lambda a: "any" if a is None else a.value)
who = middle.selectbox("Done by", [None, *names], format_func=lambda i: "anyone" if i is None else names[i])
days = right.number_input("Last days", min_value=1, max_value=3650, value=30)
since = dt.datetime.now(dt.UTC) - dt.timedelta(days=int(days))

events = aspire.audit.events(actor, AuditFilter(action=action, actor_id=who, since=since))
if not events:
    st.info("No entries match these filters.", icon=":material/manage_search:")
    st.stop()
st.dataframe(
    [
        {
            "When (UTC)": e.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "Done by": names.get(e.actor_id, "the system" if e.actor_id is None else f"account {e.actor_id}"),
            "Action": e.action.value,
            "Whose data": f"{e.subject_kind.value} {e.subject_id or ''}".strip(),
            "Where": e.detail,
        }
        for e in events
    ],
    hide_index=True,
    width="stretch",
)
st.caption(f"{len(events)} entries, newest first (at most 500).")
