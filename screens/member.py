"""One member, for the manager preparing a one-on-one: needs, change since last year, fit to the paths on offer."""

import streamlit as st

from coaching.charts import member_fit_view, member_profile_view, member_trend_view
from coaching.fit import Thresholds
from coaching.portrait import Portrait, member_portrait
from coaching.ui.context import current_actor, get_aspire, record_view_once
from coaching.ui.format import FLAG_ADVICE, plain
from coaching.ui.views import show_view

aspire = get_aspire()
actor = current_actor()
thresholds = Thresholds.from_settings(aspire.settings)
people = {m.id: (m, team) for team in aspire.store.teams(actor) for m in aspire.store.members(actor, team.id)}

st.title("One-on-one")
if not people:
    st.info("You have no team members yet. Add people on the Members screen.", icon=":material/group_add:")
    st.page_link("screens/members.py", label="Go to Members", icon=":material/badge:")
    st.stop()

# A link like /member?member=12 (from the team heatmap, or shared) chooses the person on every landing;
# an id that is not one of yours is not shown. Choosing someone here rewrites the link.
linked = st.query_params.get("member")
if linked is not None and linked.isdigit() and int(linked) in people:
    st.session_state.member_choice = int(linked)
elif linked is not None:
    st.warning("That link does not lead to one of your team members, so your first member is shown instead.")
if st.session_state.get("member_choice") not in people:
    st.session_state.member_choice = next(iter(people))
member_id = st.selectbox(
    "Member", list(people), key="member_choice",
    format_func=lambda i: f"{people[i][0].name} ({people[i][1].name})",
    on_change=lambda: st.query_params.update(member=str(st.session_state.member_choice)),
)
st.query_params["member"] = str(member_id)
portrait: Portrait = member_portrait(aspire, actor, member_id, thresholds)
member, team = people[member_id]
record_view_once(aspire, actor, [member_id], "member page")

facts = [f"Team {team.name}"]
if member.role_title:
    facts.append(member.role_title)
st.caption(" · ".join(plain(f) for f in facts))
current = portrait.current
if current is None:
    st.info(
        f"{plain(member.name)} has not answered the questionnaire yet. Open a round for them on the Rounds "
        "screen; their needs, fit and talking points appear here once they answer.",
        icon=":material/hourglass_empty:",
    )
    st.page_link("screens/rounds.py", label="Go to Rounds", icon=":material/send:")
    st.stop()

profile = current.profile.profile
newest = aspire.store.waves()[-1]
if current.wave.id != newest.id:
    st.caption(f"Their newest answers are from wave {current.wave.name}; they have not answered wave {newest.name}.")
for flag in profile.flags:
    st.warning(f"{FLAG_ADVICE[flag.kind].capitalize()}. ({flag.detail})", icon=":material/flag:")

left, right = st.columns(2)
with left:
    options = {o.key: o for o in portrait.catalogue.options}
    overlay = st.selectbox(
        "Compare with a path on offer", [None, *options], key="member_overlay",
        format_func=lambda k: "None" if k is None else options[k].name,
    )
    show_view(member_profile_view(member.name, profile, options.get(overlay)), key="member_profile")
with right:
    show_view(member_fit_view(member.name, portrait.fits, portrait.unmet), key="member_fit")

if portrait.previous is None:
    st.caption("Change over time appears once they have answered in two waves.")
else:
    if portrait.versions_differ:
        st.caption("The last two waves used different questionnaire versions: only the needs both measured are "
                   "compared.")
    show_view(
        member_trend_view(member.name, [(w.wave.name, w.profile.profile.scores) for w in portrait.history],
                          portrait.reliable_changes),
        key="member_trend",
    )
