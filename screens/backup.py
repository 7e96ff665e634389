"""Backup (admins): download the whole organisation as one zip while the app runs."""

import streamlit as st

from coaching.core.actors import Role
from coaching.privacy import backup
from coaching.ui.context import current_actor, get_aspire

aspire = get_aspire()
actor = current_actor()
if actor.role is not Role.ADMIN:   # the menu offers this page to admins only; a typed address shows nothing
    st.stop()

st.title("Backup")
st.caption(
    "A copy of the whole organisation, taken while Aspire runs: every table as it stood at one moment; "
    "people can go on answering meanwhile. Restore it with "
    "`coaching restore aspire-backup-….zip` (add `--force` to replace a database that holds data): "
    "with the app stopped on a DuckDB file; on PostgreSQL the app may go on running."
)
st.warning(
    "The backup holds personal data: every member's answers, reflections, goals and one-on-one notes, the "
    "accounts with their password hashes, and the audit log. Keep it as safe as the database itself and "
    "delete it when no longer needed: a backup made before an erasure still holds the erased person.",
    icon=":material/shield_person:",
)
if st.button("Make a backup", type="primary", icon=":material/backup:"):
    with st.spinner("Copying the database…"):
        made = backup.download_backup(aspire, actor)
    st.success(f"Backup ready: {made.manifest.summary()}. Making it was written to the audit log.",
               icon=":material/task_alt:")
    st.download_button(
        f"Download {made.filename}", data=made.data, file_name=made.filename, mime=made.mime,
        on_click="ignore", icon=":material/download:",
    )
