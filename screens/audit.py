"""Audit log (admins): who viewed, exported, changed or erased whose data, and when; filtered, downloadable."""

import datetime as dt

import streamlit as st

from coaching.governance import audit
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.people.accounts import accounts_of
from coaching.ui.context import current_actor, get_aspire
from coaching.ui.tables import static_table

aspire = get_aspire()
actor = current_actor()
names = {a.id: f"{a.name} <{a.email}>" for a in accounts_of(aspire).list_accounts(actor)}

st.title("Audit log")
st.caption("Entries name what happened to whose data; they never contain answers, reflections or notes. "
           "People are named as held now: after an erasure an entry says so, without their name.")
left, middle, right = st.columns(3)
action = left.selectbox("Action", [None, *Action], format_func=lambda a: "any" if a is None else a.value)
who = middle.selectbox("Done by", [None, *names], format_func=lambda i: "anyone" if i is None else names[i])
days = right.number_input("Last days", min_value=1, max_value=3650, value=30)
since = dt.datetime.now(dt.UTC) - dt.timedelta(days=int(days))

search, pick = st.columns(2)
typed = search.text_input("Whose data: a person's name or e-mail", placeholder="e.g. aiko or @example.com")
person = None
if typed.strip():
    found = aspire.audit.people_matching(actor, typed)
    if not found:
        search.warning("No member held now has that in their name or e-mail. Erased people cannot be found by "
                       "name: their entries show as erased.", icon=":material/person_search:")
        st.stop()
    person = pick.selectbox("Person", found, format_func=lambda p: p.label)

wanted = AuditFilter(action=action, actor_id=who, since=since,
                     subject_kind=Subject.MEMBER if person else None,
                     subject_ids=person.member_ids if person else None)
lines = aspire.audit.lines(actor, aspire.audit.events(actor, wanted))
if not lines:
    st.info("No entries match these filters.", icon=":material/manage_search:")
    st.stop()
static_table([dict(zip(("When (UTC)", "Done by", "Action", "Whose data", "Where"), line.cells(), strict=True))
              for line in lines])
st.caption(f"{len(lines)} entr{'y' if len(lines) == 1 else 'ies'}, newest first (at most {wanted.limit}).")
st.download_button("Download these entries (CSV)", audit.to_csv(lines), file_name="aspire-audit-log.csv",
                   mime="text/csv", icon=":material/download:")
