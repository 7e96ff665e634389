"""Members (managers): your teams and the people in them: add, edit, move, archive, or import a CSV file.

Each member's current arrangement is kept here too: track and level, and the flexible or self-directed
options they already use.
"""

import streamlit as st

from coaching.core.actors import PermissionDenied
from coaching.core.editing import EditConflict
from coaching.core.tabular import ImportRejected
from coaching.paths.catalogue import IN_USE_KINDS, track_levels
from coaching.paths.editing import catalogue_at
from coaching.people import teams
from coaching.people.member_input import MAX_NAME, MAX_ROLE_TITLE
from coaching.people.team_rows import Member
from coaching.ui.context import current_actor, flash, get_aspire, show_flash
from coaching.ui.format import person_label, plain
from coaching.ui.state import Fields, MembersScreen
from coaching.ui.tables import show_rejected_import, show_table

aspire = get_aspire()
actor = current_actor()
my_teams = teams.list_teams(aspire, actor)
catalogue = catalogue_at(aspire)
choices = teams.arrangements(catalogue)
# Flexible and self-directed options a member may already use, by key, with the words people see.
in_use_names = {o.key: f"{o.kind.label}: {o.name}" for kind in IN_USE_KINDS for o in catalogue.of_kind(kind)}
FIELDS = ("name", "email", "role_title", "arrangement", "options")

st.title("Members")
show_flash()


def option_name(key: str) -> str:
    return in_use_names.get(key, f"{key} (no longer offered)")


def options_used(member_id: int) -> list[str]:
    """The options a listed member uses (none for one added since the list was read)."""
    found = held.get(member_id)
    return list(found.options) if found else []


def member_fields(form: Fields, options: list[teams.Arrangement], in_use: list[str]) -> dict:
    """The member form's inputs (values live in session state under the form's prefix), as MemberInput fields."""
    name = st.text_input("Name", key=form.key("name"), max_chars=MAX_NAME)
    email = st.text_input("E-mail", key=form.key("email"))
    role_title = st.text_input("Role title (optional)", key=form.key("role_title"), max_chars=MAX_ROLE_TITLE)
    arrangement = st.selectbox("Current track and level", options, key=form.key("arrangement"),
                               format_func=lambda a: a.label)
    used = st.multiselect("Flexible or self-directed options already in use", in_use, key=form.key("options"),
                          format_func=option_name, placeholder="None")
    return {"name": name, "email": email, "role_title": role_title, "track": arrangement.track,
            "level": arrangement.level, "options": used}


def show_rejection(exc: teams.MemberRejected) -> None:
    st.error("Not saved: " + "; ".join(plain(p) for p in exc.problems), icon=":material/error:")


@st.dialog("Archive a member")
def confirm_archive(member: Member) -> None:
    st.markdown(
        f"**{plain(member.name)}** leaves this team's list and future rounds. Their answers stay with them "
        "until an admin erases them on a data request."
    )
    if st.button("Archive", type="primary", icon=":material/archive:"):
        try:
            teams.archive_member(aspire, actor, member.id)
        except PermissionDenied:
            st.error("This member is no longer in your teams: someone changed them meanwhile.")
            return
        flash(f"Archived {plain(member.name)}.")


with st.expander("New team", expanded=not my_teams, icon=":material/group_add:"), st.form("new_team"):
    team_name = st.text_input("Team name", max_chars=teams.MAX_TEAM_NAME)
    if st.form_submit_button("Create team"):
        try:
            created = teams.create_team(aspire, actor, team_name)
        except teams.TeamRejected as exc:
            st.error(plain(str(exc)))
        else:
            MembersScreen.new_team.set(created.id)
            flash(f"Team {plain(created.name)} created. Add its members below.")

if not my_teams:
    st.info("You have no team yet. Create one above, then add its members one by one or import them from a "
            "CSV file.", icon=":material/group_add:")
    st.stop()

names = {t.id: t.name for t in my_teams}
if (new_team := MembersScreen.new_team.pop()) in names:
    MembersScreen.team.set(new_team)
team_id = st.selectbox("Team", list(names), format_func=names.get, key=MembersScreen.team.key)
roster = teams.list_members(aspire, actor, team_id)
held = teams.arrangements_of(aspire, actor, team_id)
if roster:
    show_table([{"Name": m.name, "E-mail": m.email, "Role title": m.role_title or "",
                 "Track and level": teams.arrangement_of(choices, m.track, m.level).label,
                 "Options in use": ", ".join(option_name(k) for k in options_used(m.id))} for m in roster],
               f"team-{team_id}-members")
else:
    st.info("Nobody is in this team yet. Add members one by one, or import them all from a CSV file.",
            icon=":material/person_add:")

# Keyed, so the tab in use stays open across the rerun after a save or an import.
add_tab, edit_tab, import_tab = st.tabs(["Add member", "Edit, move or archive", "Import from CSV"], key="members_tab",
                                        on_change="rerun")
with add_tab, st.form("add_member"):
    fields = member_fields(MembersScreen.add, choices, list(in_use_names))
    if st.form_submit_button("Add member", icon=":material/person_add:"):
        try:
            added = teams.add_member(aspire, actor, team_id, fields)
        except teams.MemberRejected as exc:
            show_rejection(exc)
        else:
            MembersScreen.add.clear()
            flash(f"Added {plain(added.name)} to {plain(names[team_id])}.")

with edit_tab:
    if not roster:
        st.info("Add a member first; then you can edit, move or archive them here.", icon=":material/edit:")
    else:
        by_id = {m.id: m for m in roster}
        member = by_id[st.selectbox("Member", list(by_id), key="edit_who",
                                    format_func=lambda i: person_label(by_id[i].name, by_id[i].email))]
        form = MembersScreen.edit(member.id)
        current = teams.arrangement_of(choices, member.track, member.level)
        options = choices if current in choices else [*choices, current]
        used = options_used(member.id)
        if not form.has("name"):   # the form shows the member as read now, with that version
            values = (member.name, member.email, member.role_title or "", current, used)
            form.fill(dict(zip(FIELDS, values, strict=True)), member.version)
        with st.form("edit_member"):
            fields = member_fields(form, options, [*in_use_names, *(k for k in used if k not in in_use_names)])
            if st.form_submit_button("Save changes", icon=":material/save:"):
                try:
                    saved = teams.edit_member(aspire, actor, member.id, form.version.get(), fields)
                except EditConflict as exc:
                    st.error(plain(str(exc)), icon=":material/sync_problem:")
                    in_use = ", ".join(option_name(k) for k in used) or "no options in use"
                    st.info(f"Saved now: {plain(member.name)}, {plain(member.email)}, "
                            f"{plain(member.role_title or 'no role title')}, {plain(current.label)}, "
                            f"{plain(in_use)}. The form keeps what you typed.")
                    form.version.set(member.version)
                except teams.MemberRejected as exc:
                    show_rejection(exc)
                except PermissionDenied:
                    st.error("This member is no longer in your teams: someone moved or archived them meanwhile.")
                else:
                    form.clear()
                    flash(f"Saved the changes to {plain(saved.name)}.")
        others = {t.id: t.name for t in my_teams if t.id != team_id}
        left, right = st.columns(2)
        if others:
            to = left.selectbox("Move to team", list(others), format_func=others.get, key="move_to")
            if left.button("Move", icon=":material/move_item:"):
                try:
                    teams.move_member(aspire, actor, member.id, to)
                except (EditConflict, PermissionDenied):
                    left.error("Not moved: someone changed this member or that team meanwhile. Look again.")
                else:
                    flash(f"Moved {plain(member.name)} to {plain(others[to])}; their answers moved with them.")
        else:
            left.caption("Create a second team to move people between your teams.")
        if right.button("Archive…", icon=":material/archive:"):
            confirm_archive(member)

with import_tab:
    levels = "; ".join(f"{track}: {', '.join(keys)}" for track, keys in track_levels(catalogue).items())
    st.caption("A CSV file in UTF-8, separated by commas, semicolons or tabs, whose first line names its columns: "
               "`name` (or `first name` and `last name`), `email`, and optionally `role_title`, `track` and "
               f"`level` ({plain(levels)}); names HR systems use, such as `full name`, `e-mail`, `role` or "
               "`job title`, work too, and other columns are left out. The whole file is checked first: if any "
               "row is wrong, nothing is imported and every wrong row is listed with its line number.")
    upload = st.file_uploader("CSV file", type="csv", key=f"members_csv_{MembersScreen.imports.count}")
    if st.button("Import members", icon=":material/upload_file:", disabled=upload is None):
        try:
            imported = teams.import_members(aspire, actor, team_id, upload.getvalue())
        except ImportRejected as exc:
            show_rejected_import(exc, "import-problems")
        else:
            MembersScreen.imports.bump()
            flash(plain(imported.describe(names[team_id])))
