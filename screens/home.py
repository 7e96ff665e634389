"""Home: what Aspire is for, and the needs of the people this person may see.

A manager sees the people they coach (named data, range included); an admin sees organisation-wide
means only, and only over at least COACHING_MIN_GROUP responses.
"""

import streamlit as st

from coaching.core.actors import Role
from coaching.core.needs import scale_label
from coaching.measurement.profiles import latest_answered, organisation_summary, summarise
from coaching.measurement.responses import list_waves
from coaching.paths.demand import organisation_paths
from coaching.paths.fit import Thresholds
from coaching.people.teams import list_members, list_teams
from coaching.ui.context import current_actor, get_aspire
from coaching.ui.format import plain
from coaching.ui.plans import show_reviews_due
from coaching.ui.tables import show_table
from coaching.ui.views import needs_chart, show_view
from coaching.views.demand import demand_offer_view
from coaching.views.overview import org_unmet_view

aspire = get_aspire()
actor = current_actor()


def show_first_steps(teams: list, waiting: str) -> None:
    """Nothing to show yet: say what to do next, with the way there (a new organisation starts with a team)."""
    if teams:
        st.info(waiting, icon=":material/hourglass_empty:")
        if actor.role is Role.MANAGER:
            st.page_link("screens/rounds.py", label="Send your team the questionnaire", icon=":material/send:")
    elif actor.role is Role.MANAGER:
        st.info("You have no team yet. Create your first team on Members and add its people (one by one or "
                "from a CSV file); then send them the questionnaire from Rounds.", icon=":material/group_add:")
        st.page_link("screens/members.py", label="Create your first team", icon=":material/group_add:")
    else:
        st.info("There are no teams yet: managers create their teams on Members. Create an account for each "
                "manager on Accounts to start.", icon=":material/group_add:")
        st.page_link("screens/accounts.py", label="Create a manager's account", icon=":material/manage_accounts:")


st.title("Aspire")
st.markdown(
    "People often mix up **aspirations**, what they need from their job, with **goals**, the dated steps "
    "they plan to take. Aspire helps you find each person's needs first, then agree goals that serve them "
    "on a path your organisation really offers."
)
st.markdown(
    "- **Ask**: send your team a short questionnaire; everyone gets a personal link.\n"
    "- **See**: each person's needs (status, financial security, expertise, autonomy, balance) next to the "
    "paths on offer.\n"
    "- **Coach**: talking points, goals tied to needs, and a yearly review of what changed."
)

organisation = None
if actor.role is Role.ADMIN:
    organisation = organisation_summary(aspire, actor)
    found = None if organisation is None else (organisation.wave, organisation.total)
    too_few = f"has fewer than {aspire.settings.min_group} answers so far"
    heading, empty = "What the organisation needs", (
        f"No wave has answers from at least {aspire.settings.min_group} people yet. Organisation-wide "
        "results stay hidden below that size, so no one's answers can be singled out."
    )
else:
    found = latest_answered(aspire, actor)
    if found is not None:
        found = (found[0], summarise(found[1]))
    too_few = "has no answers yet"
    heading, empty = "What your people need", (
        "No answers yet from the people you coach. Once your team has answered the questionnaire, "
        "their needs appear here."
    )
if actor.role is Role.MANAGER:
    show_reviews_due(aspire, actor)
if found is None:
    show_first_steps(list_teams(aspire, actor), empty)
    st.stop()

wave, summaries = found
newest = list_waves(aspire)[-1]
if newest.id != wave.id:
    st.caption(f"Wave {plain(newest.name)} {too_few}; showing wave {plain(wave.name)}.")
st.subheader(f"{heading} — wave {plain(wave.name)}")
if organisation is None:
    coached = sum(len(list_members(aspire, actor, team.id)) for team in list_teams(aspire, actor))
    if summaries[0].n < coached:    # a wave still open: its averages rest on the first few answers
        st.caption(f"{summaries[0].n} of the {coached} people you coach have answered wave {plain(wave.name)} so far.")
show_view(aspire.remembered(actor, needs_chart, tuple(summaries)), key="home_needs")

if organisation is not None:
    st.subheader("By team")
    rows = dict(organisation.teams)
    if organisation.other_teams:
        rows["Other teams together"] = organisation.other_teams
    st.caption(
        f"Teams with fewer than {aspire.settings.min_group} answers are only shown together, and a team is left "
        "out whenever the rest could be worked out from the total."
    )
    show_table([{"Team": name, "People": cells[0].n} | {scale_label(c.scale): round(c.mean) for c in cells}
                for name, cells in rows.items()], f"teams-{wave.name}")

if organisation is not None:
    paths = organisation_paths(aspire, actor, Thresholds.from_settings(aspire.settings))
    if paths is not None:
        flagged = paths.people - paths.readable
        st.caption(f"Paths on offer against the needs of the {paths.people} people who answered in wave "
                   f"{plain(paths.wave.name)}: counts over everyone, never a person."
                   + (f" Unmet needs leave out the {flagged} whose answers carry a quality flag to check first."
                      if flagged else ""))
        show_view(org_unmet_view(paths.unmet, paths.readable), key="org_unmet")
        show_view(demand_offer_view(paths.demands, not_counted=paths.not_counted),
                  key="org_demand")   # full width: one row per path on offer
