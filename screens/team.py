"""Team: who answered in a wave, what they need (click a person to open them), and what the paths on offer give."""

import streamlit as st

from coaching.measurement.responses import list_waves
from coaching.one_on_one.development import team_directions
from coaching.one_on_one.portrait import team_picture
from coaching.paths.fit import Thresholds
from coaching.people.teams import list_members, list_teams
from coaching.ui.context import current_actor, get_aspire, record_view_once
from coaching.ui.format import plain, profile_row
from coaching.ui.paths import show_directions
from coaching.ui.state import TeamScreen
from coaching.ui.tables import show_table
from coaching.ui.views import pay_ladder_chart, show_view, team_demand_chart, team_drift_chart, team_heatmap_chart

aspire = get_aspire()
actor = current_actor()
teams = list_teams(aspire, actor)
waves = list_waves(aspire)

st.title("Team")
if not teams:
    st.info("You have no team yet. Create one on the Members screen.", icon=":material/group_add:")
    st.page_link("screens/members.py", label="Go to Members", icon=":material/badge:")
    st.stop()

if not TeamScreen.choice.held:
    # A link like /team?team=12 is read once, on landing; an id that is not one of yours is not shown.
    linked = st.query_params.get("team")
    chosen = next((t for t in teams if linked is not None and str(t.id) == linked), None)
    if linked is not None and chosen is None:
        st.warning("That link does not lead to one of your teams, so your first team is shown instead.")
    TeamScreen.choice.set(chosen or teams[0])

left, right = st.columns(2)
team = left.selectbox("Team", teams, key=TeamScreen.choice.key, format_func=lambda t: t.name)
st.query_params["team"] = str(team.id)
if not waves:
    st.info("No assessment wave has started yet. Open a round on the Rounds screen to ask your team.",
            icon=":material/event:")
    st.page_link("screens/rounds.py", label="Go to Rounds", icon=":material/send:")
    st.stop()
wave = right.selectbox("Wave", waves[::-1], format_func=lambda w: w.name)

roster = list_members(aspire, actor, team.id)
thresholds = Thresholds.from_settings(aspire.settings)
picture = team_picture(aspire, actor, team.id, wave, thresholds)
answered = picture.answered
st.caption(f"{len(answered)} of {len(roster)} members answered in wave {plain(wave.name)}.")
if not answered:
    st.info("Nobody in this team has answered in this wave yet. Open a round on the Rounds screen, or pick "
            "an earlier wave.", icon=":material/hourglass_empty:")
    st.page_link("screens/rounds.py", label="Go to Rounds", icon=":material/send:")
    st.stop()
record_view_once(aspire, actor, [m.member_id for m in answered], "team page")

flagged = [m for m in answered if m.profile.flags]
if flagged:
    st.warning(
        "Talk before you rely on these answers: "
        + "; ".join(f"{plain(m.member_name)} ({len(m.profile.flags)} flag{'s' if len(m.profile.flags) > 1 else ''})"
                    for m in flagged),
        icon=":material/flag:",
    )
if len(answered) == 1:
    st.caption("Only one person has answered so far: team patterns show once more people answer.")

event = show_view(aspire.remembered(actor, team_heatmap_chart, team.id, wave, thresholds), key="team_heatmap",
                  on_select="rerun")
if event is not None:   # the chart is shown, not its table
    st.caption("Click a person's square to open their one-on-one page.")
clicked = [p.get("customdata") for p in (event.selection.points if event else [])]
if clicked and clicked[0] is not None:
    member_id = clicked[0][0] if isinstance(clicked[0], list) else clicked[0]
    st.switch_page("screens/member.py", query_params={"member": str(member_id)})

VIEWS = ("Members", "Demand vs offer", "Where needs point", "Change since last wave", "Pay bands")
shown = st.segmented_control("More views", VIEWS, default=VIEWS[0], key="team_view") or VIEWS[0]
if shown == "Members":
    show_table([profile_row(m) for m in answered], f"team-{team.id}-{wave.name}")
elif shown == "Demand vs offer":
    show_view(aspire.remembered(actor, team_demand_chart, team.id, wave, thresholds), key="team_demand")
elif shown == "Where needs point":
    show_directions(team_directions(aspire, actor, team.id, wave, picture.catalogue, thresholds),
                    aspire.settings.min_group)
elif shown == "Change since last wave":
    if picture.earlier is None:
        st.info(f"Nobody in this team answered a wave before {plain(wave.name)}, so there is no change to show yet.",
                icon=":material/timeline:")
    else:
        show_view(aspire.remembered(actor, team_drift_chart, team.id, wave, thresholds), key="team_drift")
else:
    show_view(aspire.remembered(actor, pay_ladder_chart, wave), key="team_pay")
