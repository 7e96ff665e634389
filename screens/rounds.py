"""Rounds: send the questionnaire to a team, hand out the links, and follow who has answered."""

import datetime as dt

import streamlit as st

from coaching.people.teams import list_members, list_teams
from coaching.rounds import mail, rounds
from coaching.rounds.rounds import Invitees, RoundChanged, RoundClosed
from coaching.ui.context import current_actor, flash, get_aspire, show_flash
from coaching.ui.format import person_label, plain
from coaching.ui.rounds import fresh_links, keep_links, links_table, sending_progress, show_send_results, status_table
from coaching.ui.tables import show_table

aspire = get_aspire()
actor = current_actor()
teams = list_teams(aspire, actor)
zone = aspire.settings.zone

st.title("Rounds")
show_flash()
if aspire.settings.links_stay_on_this_machine:
    st.warning(f"Personal links point to `{aspire.settings.link_base}`, this machine: people on other computers or "
               "phones cannot open them. Set COACHING_BASE_URL to the address they open the app at.",
               icon=":material/link_off:")
if not teams:
    st.info("You have no team yet: create one and add its members first.", icon=":material/group_add:")
    st.stop()

team = st.selectbox("Team", teams, format_func=lambda t: t.name)
team_rounds = rounds.rounds_of_team(aspire, actor, team.id)
members = list_members(aspire, actor, team.id)

with st.expander("Open a new round", expanded=not team_rounds, icon=":material/send:"):
    if not members:
        st.info("This team has no members yet: add them before sending the questionnaire.")
    else:
        today = rounds.organisation_today(aspire)
        years = rounds.wave_years(today)
        answered = rounds.answered_in_waves(aspire, actor, team.id, years)
        open_wave = next((i for i, year in enumerate(years) if answered[year] < len(members)), 0)
        wave = st.selectbox("Wave", years, index=open_wave, help="The organisation's yearly assessment cycle: the "
                            "first one the team has not all answered is chosen.")
        if answered[wave]:
            st.caption(f"{answered[wave]} of {len(members)} members already answered in wave {wave}: they count as "
                       "answered, and their links open on those answers, which they may change until the deadline.")
        with st.form("new_round"):
            deadline = st.date_input(f"Deadline (end of that day, {zone.key})", value=today + dt.timedelta(days=14),
                                     min_value=today + dt.timedelta(days=1))
            message = st.text_area("Personal message (optional)", max_chars=rounds.MAX_MESSAGE)
            due = len(rounds.due_for_review(aspire, actor, team.id))
            who = st.radio("Who", list(Invitees), horizontal=True,
                           format_func=lambda w: w.value if w is Invitees.WHOLE_TEAM else f"{w.value} ({due})",
                           help="Due: never answered, or last answered twelve months ago or more.")
            by_id = {m.id: m for m in members}
            picked = st.multiselect("Members (leave empty to use the choice above)", list(by_id),
                                    format_func=lambda i: person_label(by_id[i].name, by_id[i].email))
            if st.form_submit_button("Open round", type="primary"):
                try:
                    invited = rounds.invitees(aspire, actor, team.id, who, picked)
                    round_id, links = rounds.open_round(aspire, actor, team.id, wave,
                                                        rounds.end_of_day(aspire, deadline), message, invited)
                except ValueError as exc:
                    st.error(plain(str(exc)))
                else:
                    keep_links(round_id, links)
                    flash(f"Round opened for {len(links)} members. Their links are below: copy or send them now.")

if not team_rounds:
    st.stop()

chosen_round = st.selectbox(
    "Round", team_rounds,
    format_func=lambda r: f"Wave {r.wave}, opened {r.created_at:%Y-%m-%d}" + (" (closed)" if r.closed_at else ""),
)
status = rounds.round_status(aspire, actor, chosen_round.id)
now = dt.datetime.now(dt.UTC)
open_now = status.open_at(now)

left, middle, right = st.columns(3)
left.metric("Response rate", f"{status.response_rate:.0%}")
middle.metric(f"Deadline ({zone.key})", f"{chosen_round.deadline.astimezone(zone):%Y-%m-%d %H:%M}")
days_left = status.time_left(now).days
right.metric("Time left", "closed" if not open_now else f"{days_left} days" if days_left else "less than a day")
show_table(status_table(status), f"round-{chosen_round.id}")

links = fresh_links(chosen_round.id)
if links:
    st.subheader("Links to hand out")
    st.caption("Shown only now: the database keeps no readable copy. Lost one? Issue a new link below.")
    links_table(links, chosen_round, actor.name, zone)

if open_now and aspire.settings.mail_configured:
    st.subheader("E-mail")
    pending, failed = status.pending, status.failed
    send, remind, retry = st.columns(3)
    results = None
    if links and send.button("E-mail these links", type="primary", icon=":material/send:"):
        results = mail.send_links(aspire, actor, chosen_round.id, links, progress=sending_progress(len(links)))
    if remind.button(f"Remind {len(pending)} who have not answered", disabled=not pending,
                     help="Only people who neither submitted nor declined; each gets a fresh link."):
        results = mail.send_reminders(aspire, actor, chosen_round.id, progress=sending_progress(len(pending)))
    if retry.button(f"Retry {len(failed)} failed", disabled=not failed):
        results = mail.retry_failed(aspire, actor, chosen_round.id, progress=sending_progress(len(failed)))
    if results is not None:
        show_send_results(results)
elif open_now:
    st.caption("E-mail is not set up (COACHING_SMTP_HOST): copy the links, download them, or use the E-mail buttons.")

if open_now:
    st.subheader("Manage this round")
    invited = {m.member_id: m for m in status.members}
    who = st.selectbox("Member", list(invited), format_func=lambda i: person_label(invited[i].name, invited[i].email))
    one, two = st.columns(2)
    if one.button("Issue a new link", help="Their old link stops working; saved answers stay."):
        keep_links(chosen_round.id, [rounds.reissue_link(aspire, actor, chosen_round.id, who)])
        flash(f"New link for {plain(invited[who].name)} below.")
    if two.button("Revoke their link"):
        rounds.revoke_link(aspire, actor, chosen_round.id, who)
        flash(f"{plain(invited[who].name)}'s link no longer works.")
    with st.form("extend"):
        current = chosen_round.deadline.astimezone(zone).date()
        later = st.date_input("New deadline", value=current + dt.timedelta(days=7),
                              min_value=current + dt.timedelta(days=1))
        if st.form_submit_button("Extend deadline"):
            try:
                rounds.extend_deadline(aspire, actor, chosen_round.id, rounds.end_of_day(aspire, later),
                                       chosen_round.version)
            except (ValueError, RoundChanged, RoundClosed) as exc:
                st.error(plain(str(exc)))
            else:
                flash("Deadline extended.")

    @st.dialog("Close this round?")
    def confirm_close() -> None:
        st.write("Nobody can answer or change answers after this; people can still see their own results.")
        if st.button("Close the round", type="primary"):
            rounds.close_round(aspire, actor, chosen_round.id)
            flash("Round closed.")

    if st.button("Close round…", icon=":material/lock:"):
        confirm_close()
