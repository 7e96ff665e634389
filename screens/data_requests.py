"""Data requests (admins): export or erase one person's data; purge answers past the retention period."""

import datetime as dt

import streamlit as st

from coaching.privacy import requests as privacy
from coaching.ui.context import current_actor, get_aspire, record_view_once
from coaching.ui.format import plain
from coaching.ui.state import DataRequestsScreen

aspire = get_aspire()
actor = current_actor()

st.title("Data requests")
st.caption(
    "Act on a person's request to see or erase their data. Every export, erasure and purge is written "
    "to the audit log, which names who did it and to whom, never the data itself."
)
for slot in (DataRequestsScreen.erased, DataRequestsScreen.purged):
    if done := slot.pop():
        st.success(plain(done), icon=":material/task_alt:")


@st.dialog("Erase everything about this person")
def confirm_erase(person: privacy.Person) -> None:
    st.markdown(
        f"This removes **{plain(person.describe())}** for good: profile, answers, reflections, goals, notes "
        "and invitations. The audit log keeps only that it happened. It cannot be undone."
    )
    typed = st.text_input("Type the e-mail again to confirm", key="erase_confirm_email")
    if st.button("Erase", type="primary", icon=":material/delete_forever:"):
        if typed.strip().lower() != person.email:
            st.error("That is not the same e-mail; nothing was erased.")
            return
        with st.spinner("Erasing and rewriting the database file…"):
            erasure = privacy.erase_member(aspire, actor, person.email)
        DataRequestsScreen.erased.set(erasure.describe())
        st.rerun()


@st.dialog("Purge older answers")
def confirm_purge(months: int) -> None:
    counts = privacy.purge_preview(aspire, actor, months)
    before = privacy.months_before(dt.datetime.now(dt.UTC), months)
    if not counts["response"]:
        st.info(f"No answers were submitted before {before:%d %B %Y}: there is nothing to purge.")
        return
    st.markdown(
        f"This removes the raw answers of **{counts['response']}** responses submitted before {before:%d %B %Y} "
        f"({counts['response_reflection']} reflections among them). For each wave, the organisation-wide "
        f"average per need is kept when at least {aspire.settings.min_group} people answered."
    )
    if st.button("Purge", type="primary", icon=":material/auto_delete:"):
        with st.spinner("Purging and rewriting the database file…"):
            result = privacy.purge_older_than(aspire, actor, months)
        DataRequestsScreen.purged.set(result.describe())
        st.rerun()


st.subheader("One person's data")
email = st.text_input("Member's email", key="data_request_email", placeholder="name@yourcompany.example")
person = privacy.find_person(aspire, actor, email) if email.strip() else None
if email.strip() and person is None:
    st.info("No member uses this e-mail.", icon=":material/person_off:")
elif person is not None:
    record_view_once(aspire, actor, person.member_ids, "data requests")
    st.markdown(f"**{plain(person.describe())}**")
    found = person.email
    json_col, csv_col = st.columns(2)
    json_col.download_button(
        "Download JSON", data=lambda: privacy.export_member(aspire, actor, found, "json").data,
        file_name=privacy.export_filename(found, "json"), mime="application/json", on_click="ignore",
        icon=":material/download:", width="stretch",
    )
    csv_col.download_button(
        "Download CSV", data=lambda: privacy.export_member(aspire, actor, found, "csv").data,
        file_name=privacy.export_filename(found, "csv"), mime="text/csv", on_click="ignore",
        icon=":material/download:", width="stretch",
    )
    st.caption("Each download is prepared when you click it and recorded in the audit log.")
    if st.button("Erase everything about this person", icon=":material/delete_forever:"):
        confirm_erase(person)

st.subheader("Retention")
setting = aspire.settings.retention_months
st.caption(
    f"COACHING_RETENTION_MONTHS is {setting if setting else 'not set'}. A purge removes the raw answers "
    "submitted before the period and keeps, per wave, only averages over groups large enough to show."
)
months = st.number_input("Purge answers older than (months)", min_value=1, max_value=1200, value=setting or 24, step=1)
if st.button("Purge older answers", icon=":material/auto_delete:"):
    confirm_purge(int(months))
