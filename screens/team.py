"""Team: who answered in a wave, each person's primary aspiration or close needs, and what to ask first."""

import streamlit as st

from coaching.profiles import profiles
from coaching.ui.context import current_actor, get_aspire, record_view_once
from coaching.ui.format import plain, profile_row

aspire = get_aspire()
actor = current_actor()
teams = aspire.store.teams(actor)
waves = aspire.store.waves()

st.title("Team")
if not teams:
    st.info("You have no team yet. Teams you manage will be listed here.", icon=":material/group_add:")
    st.stop()

if "team_choice" not in st.session_state:
    # A link like /team?team=12 is read once, on landing; an id that is not one of yours is not shown.
    linked = st.query_params.get("team")
    chosen = next((t for t in teams if linked is not None and str(t.id) == linked), None)
    if linked is not None and chosen is None:
        st.warning("That link does not lead to one of your teams, so your first team is shown instead.")
    st.session_state.team_choice = chosen or teams[0]

left, right = st.columns(2)
team = left.selectbox("Team", teams, key="team_choice", format_func=lambda t: t.name)
st.query_params["team"] = str(team.id)
if not waves:
    st.info("No assessment wave has started yet, so there are no answers to show.", icon=":material/event:")
    st.stop()
wave = right.selectbox("Wave", waves[::-1], format_func=lambda w: w.name)

roster = aspire.store.members(actor, team.id)
answered = profiles(aspire, actor, wave.id, [team.id])
st.caption(f"{len(answered)} of {len(roster)} members answered in wave {wave.name}.")
if not answered:
    st.info("Nobody in this team has answered in this wave yet.", icon=":material/hourglass_empty:")
    st.stop()

st.dataframe([profile_row(m) for m in answered], hide_index=True, width="stretch")
record_view_once(aspire, actor, [m.member_id for m in answered], "team page")
flagged = [m for m in answered if m.profile.flags]
if flagged:
    st.warning(
        "Talk before you rely on these answers: "
        + "; ".join(f"{plain(m.member_name)} ({len(m.profile.flags)} flag{'s' if len(m.profile.flags) > 1 else ''})"
                    for m in flagged),
        icon=":material/flag:",
    )
