"""The respondent's page: opened through a personal link, no account. Notice, questionnaire, own profile.

Never reads st.session_state["actor"]: a manager opening their own link sees exactly what anyone would.
"""

import streamlit as st

from coaching import plans, rounds
from coaching.answers import AnswerError
from coaching.rounds import RoundClosed
from coaching.ui import questionnaire as q
from coaching.ui.context import get_aspire
from coaching.ui.format import plain
from coaching.ui.paths import show_own_route
from coaching.ui.plans import show_own_goals

aspire = get_aspire()

with st.container(horizontal_alignment="center"), st.container(width=760):
    invitation = q.landing(aspire)          # one sentence and a stop when the link is missing or not valid
    instrument = invitation.instrument
    deadline = q.deadline_text(invitation.row.round.deadline, aspire.settings.zone)
    last_step = len(q.steps(instrument))

    if not invitation.open_for_answers(q.now()):
        st.title("Your questionnaire")
        st.info("This round is closed: answers can no longer be sent or changed.", icon=":material/lock:")
        found = q.profile()
        if found is None:
            st.markdown("You did not send answers in this round.")
        else:
            st.subheader("Your results")
            q.profile_view(found, key="respond_closed_table")
        show_own_goals(plans.own_goals(aspire, invitation.actor), aspire.store.catalogue())
        show_own_route(aspire, invitation.actor, q.first_name(invitation), aspire.store.catalogue())
        st.stop()

    q.show_flash()
    view = q.view()

    if view == "notice":
        st.title(f"Hello {plain(q.first_name(invitation))}")
        st.markdown(plain(" ".join(instrument.intro.split())))
        q.manager_message(invitation)
        st.markdown(q.who_sees(aspire))
        st.markdown(f"Please answer by **{deadline}**. It takes about ten minutes. After sending you see your "
                    "own profile, and you can change your answers until then.")
        if invitation.declined:
            st.info("You said no thanks earlier, so reminders have stopped. You are still welcome to answer.",
                    icon=":material/info:")
        with st.container(horizontal=True):
            start = st.button("Start", type="primary", icon=":material/play_arrow:")
            decline = False if invitation.declined else st.button("No thanks", icon=":material/do_not_disturb_on:")
        if start:
            q.go("form", q.first_open_step(instrument, q.answers()))
        if decline:
            rounds.decline(aspire, q.fresh(aspire))
            q.go("declined")

    elif view == "declined":
        st.title("Thank you for letting us know")
        st.markdown("You will get no more reminders about this questionnaire, and nothing else follows from "
                    "saying no.")
        st.markdown(f"If you change your mind, this same link still works until **{deadline}**.")
        if st.button("Answer after all", icon=":material/play_arrow:"):
            q.go("form", q.first_open_step(instrument, q.answers()))

    elif view == "form":
        step = q.current_step()
        with st.expander("Who sees your answers, and what they are for"):
            st.markdown(q.who_sees(aspire))
        q.progress(instrument, step)
        q.maybe_problems(instrument)
        if step < last_step:
            action = q.step_form(instrument, step)
            if action is not None:
                try:
                    rounds.save_draft(aspire, q.fresh(aspire), q.answers())
                except RoundClosed:
                    st.rerun()
                if action == "back":
                    q.go("form", step - 1)
                q.go("form", step + 1, flash=q.saved_flash(instrument, step))
        else:
            q.review(instrument)
            st.caption(f"You can change your answers after sending, until {deadline}.")
            with st.container(horizontal=True):
                back = st.button("Back", icon=":material/arrow_back:")
                send = st.button("Send my answers", type="primary", icon=":material/send:")
            if back:
                q.go("form", last_step - 1)
            if send:
                try:
                    sent = rounds.submit_answers(aspire, q.fresh(aspire), q.raw_answers(q.answers()))
                except AnswerError as error:
                    q.show_problems(True)
                    q.go("form", q.describe(instrument, error)[0].step)
                except RoundClosed:
                    st.rerun()
                q.set_profile(sent)
                q.show_problems(False)
                q.go("results", flash=("success", "Thank you: your answers are sent. Here is your profile."))

    else:
        found = q.profile()
        st.title("Your profile")
        if found is not None:
            q.profile_view(found, key="respond_table")
        st.caption(f"You can change your answers until {deadline}. Every version you send is kept; the last "
                   "one counts.")
        if st.button("Change my answers", icon=":material/edit:"):
            q.go("form", 0)
        show_own_goals(plans.own_goals(aspire, invitation.actor), aspire.store.catalogue())
        show_own_route(aspire, invitation.actor, q.first_name(invitation), aspire.store.catalogue())

    q.to_top()
