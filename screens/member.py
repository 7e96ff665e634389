"""One-on-one: one member's needs, change and fit, the talking points they raise, goals, notes and the yearly review."""

import datetime as dt

import streamlit as st

from coaching.core.needs import scale_label
from coaching.measurement.responses import list_waves
from coaching.measurement.versions import instruments
from coaching.one_on_one import plans, review
from coaching.one_on_one.brief import brief_filename, member_brief, member_csv
from coaching.one_on_one.portrait import Portrait, member_portrait, reading_of, reading_update
from coaching.one_on_one.talking_points import FLAG_ADVICE, CoachingFacts, talking_points
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import Thresholds, leading_needs
from coaching.people import teams
from coaching.people.teams import list_members, list_teams
from coaching.ui.brief_charts import chart_renderer
from coaching.ui.context import current_actor, get_aspire, record_view_once, show_flash
from coaching.ui.format import arrangement_text, plain
from coaching.ui.paths import show_development, show_next_steps
from coaching.ui.plans import (
    show_goal_review,
    show_goals,
    show_notes,
    show_reflections,
    show_talking_points,
    warn_uncovered,
)
from coaching.ui.state import MemberScreen
from coaching.ui.views import member_fit_chart, member_profile_chart, member_trend_chart, show_view


def change_line(portrait: Portrait) -> str:
    """The reliable changes since the wave before, in one sentence (small wiggles are not news)."""
    if portrait.previous is None:
        return "Change over time shows once they have answered in two waves."
    moved = portrait.reliable_changes
    if not moved:
        return f"Since wave {plain(portrait.previous.wave.name)}: no change beyond measurement error."
    return f"Since wave {plain(portrait.previous.wave.name)}: " + "; ".join(
        f"{scale_label(c.scale).lower()} {'rose' if c.after > c.before else 'fell'} from {c.before:.0f} to "
        f"{c.after:.0f}" for c in moved) + ", beyond measurement error."


aspire = get_aspire()
actor = current_actor()
thresholds = Thresholds.from_settings(aspire.settings)
today = dt.datetime.now(aspire.settings.zone).date()
people = {m.id: (m, team) for team in list_teams(aspire, actor) for m in list_members(aspire, actor, team.id)}

st.title("One-on-one")
if not people:
    st.info("You have no team members yet. Add people on the Members screen.", icon=":material/group_add:")
    st.page_link("screens/members.py", label="Go to Members", icon=":material/badge:")
    st.stop()

# A link like /member?member=12 (from the team heatmap, or shared) chooses the person on every landing;
# an id that is not one of yours is not shown. Choosing someone here rewrites the link.
linked = st.query_params.get("member")
if linked is not None and linked.isdigit() and int(linked) in people:
    MemberScreen.choice.set(int(linked))
elif linked is not None:
    st.warning("That link does not lead to one of your team members, so your first member is shown instead.")
if MemberScreen.choice.get() not in people:
    MemberScreen.choice.set(next(iter(people)))
member_id = st.selectbox(
    "Member", list(people), key=MemberScreen.choice.key,
    format_func=lambda i: f"{people[i][0].name} ({people[i][1].name})",
    on_change=lambda: st.query_params.update(member=str(MemberScreen.choice.get())),
)
st.query_params["member"] = str(member_id)
show_flash()
member, team = people[member_id]
portrait: Portrait = member_portrait(aspire, actor, member_id, thresholds)
arrangement = teams.arrangement_for(aspire, actor, member_id)
record_view_once(aspire, actor, [member_id], "member page")

next_review = next((r for r in review.review_overview(aspire, actor, team.id, today) if r.member_id == member_id), None)
facts = [f"Team {team.name}", member.role_title, arrangement_text(arrangement, portrait.catalogue)]
if next_review is not None and next_review.next_review is not None:
    facts.append(f"next review {next_review.next_review:%d %b %Y} ({next_review.state.value})")
st.caption(" · ".join(plain(f) for f in facts if f))
downloads = st.container(horizontal=True)
downloads.download_button(
    "Brief (PDF)", key="member_brief", icon=":material/picture_as_pdf:", on_click="ignore", mime="application/pdf",
    file_name=brief_filename(member.name, member_id, "pdf"),
    data=lambda: member_brief(aspire, actor, member_id, thresholds, made_on=today, renderer=chart_renderer()),
    help="Profile, fit, changes, talking points and goals for the one-on-one; never your notes.")
downloads.download_button(
    "Data (CSV)", key="member_csv", icon=":material/table:", on_click="ignore", mime="text/csv",
    file_name=brief_filename(member.name, member_id, "csv"), data=lambda: member_csv(aspire, actor, member_id),
    help="Their answers, scores and goals as a table; never your notes.")
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
newest = list_waves(aspire)[-1]
if current.wave.id != newest.id:
    st.caption(f"Their newest answers are from wave {plain(current.wave.name)}; they have not answered wave "
               f"{plain(newest.name)}.")
# No silent flips: the same answers read differently only after a new reliability estimate, and then the page
# says so (for the rest of the session, not only on the rerun that noticed it).
kept = MemberScreen.reading_update(member_id)
if (update := reading_update(aspire, actor, portrait)) is not None:
    kept.set(update)
noticed = kept.get()
if noticed is not None and noticed.now == reading_of(portrait):
    st.info(noticed.sentence, icon=":material/update:")
st.markdown(f"**{profile.judgement}**")
for flag in profile.flags:
    st.warning(f"{FLAG_ADVICE[flag.kind].capitalize()}. ({plain(flag.detail)})", icon=":material/flag:")
goals = plans.list_goals(aspire, actor, member_id)
warn_uncovered(plans.uncovered_needs(goals, profile))

SECTIONS = ("Needs and fit", "Development path", "Talking points", "Goals", "Notes", "Yearly review")
section = st.segmented_control("Section", SECTIONS, default=SECTIONS[0], key="member_section") or SECTIONS[0]

if section == "Needs and fit":
    left, right = st.columns(2)
    with left:
        options = {o.key: o for o in portrait.catalogue.options}
        overlay = st.selectbox(
            "Compare with a path on offer", list(options), index=None, key="member_overlay",
            format_func=lambda k: options[k].name, placeholder="Pick a path to draw over the radar",
        )
        show_view(aspire.remembered(actor, member_profile_chart, member_id, thresholds, overlay), key="member_profile")
    with right:
        show_view(aspire.remembered(actor, member_fit_chart, member_id, thresholds), key="member_fit")
        show_next_steps(aspire, arrangement, profile.scores, thresholds)
    st.caption(change_line(portrait))
    show_reflections(current.profile.answers, instruments(aspire)[current.profile.instrument_version])
elif section == "Development path":
    show_development(aspire, actor, member_id, member.name, arrangement, profile.scores, leading_needs(profile),
                     thresholds, today)
elif section == "Talking points":
    facts = CoachingFacts(profile, portrait.changes, arrangement, portrait.catalogue, thresholds)
    show_talking_points(talking_points(facts), leading_needs(profile))
elif section == "Goals":
    show_goals(aspire, actor, member_id, goals, catalogue_at(aspire))
elif section == "Notes":
    show_notes(aspire, actor, member_id, today)
else:
    st.caption(change_line(portrait) + " Aspirations change with life: ask whether each goal still serves what "
               "they need now.")
    if portrait.previous is not None:
        if portrait.versions_differ:
            st.caption("The last two waves used different questionnaire versions: only the needs both measured "
                       "are compared.")
        show_view(aspire.remembered(actor, member_trend_chart, member_id, thresholds), key="member_trend")
    previous = portrait.previous.profile.profile if portrait.previous else None
    checks = review.goal_review(goals, previous, profile, portrait.changes)
    show_goal_review(aspire, actor, checks, catalogue_at(aspire), today)
