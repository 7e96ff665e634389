"""The respondent's page: opened through a personal link, no account. Notice, questionnaire, own profile.

Never reads st.session_state["actor"]: a manager opening their own link sees exactly what anyone would.
Everything here is in the person's language (q.texts()), switchable at the top of the page.
"""

import streamlit as st

from coaching.measurement.answers import AnswerError
from coaching.one_on_one import plans
from coaching.paths.editing import catalogue_at
from coaching.rounds import rounds
from coaching.rounds.rounds import RoundClosed
from coaching.ui import questionnaire as q
from coaching.ui.context import get_aspire
from coaching.ui.format import plain
from coaching.ui.paths import show_own_route
from coaching.ui.plans import show_own_goals

aspire = get_aspire()

with st.container(horizontal_alignment="center"), st.container(width=760):
    invitation = q.landing(aspire)          # one sentence and a stop when the link is missing or not valid
    q.page_language()
    q.language_switch(aspire, invitation)
    said = q.texts()
    instrument = q.questionnaire(aspire, invitation)
    deadline = q.deadline_text(aspire, invitation.row.round.deadline)
    last_step = len(q.steps(instrument, said))

    if not invitation.open_for_answers(q.now()):
        st.title(said("closed.title"))
        st.info(said("closed.info"), icon=":material/lock:")
        found = q.profile()
        if found is None:
            st.markdown(said("closed.nothing_sent"))
        else:
            st.subheader(said("closed.results"))
            q.profile_view(found, key="respond_closed_table")
        show_own_goals(plans.own_goals(aspire, invitation.actor), catalogue_at(aspire), said)
        show_own_route(aspire, invitation.actor, q.first_name(invitation), catalogue_at(aspire))
        st.stop()

    q.show_flash()
    view = q.view()

    if view == "notice":
        st.title(said("notice.hello", name=plain(q.first_name(invitation))))
        st.markdown(plain(" ".join(instrument.intro.split())))
        q.manager_message(invitation)
        st.markdown(q.who_sees(aspire))
        st.markdown(said("notice.deadline", deadline=deadline))
        if invitation.declined:
            st.info(said("notice.declined_before"), icon=":material/info:")
        with st.container(horizontal=True):
            start = st.button(said("button.start"), type="primary", icon=":material/play_arrow:")
            decline = False if invitation.declined else st.button(said("button.decline"),
                                                                  icon=":material/do_not_disturb_on:")
        if start:
            q.go("form", q.first_open_step(instrument, q.answers()))
        if decline:
            rounds.decline(aspire, q.fresh(aspire))
            q.go("declined")

    elif view == "declined":
        st.title(said("declined.title"))
        st.markdown(said("declined.body"))
        st.markdown(said("declined.until", deadline=deadline))
        if st.button(said("button.answer_anyway"), icon=":material/play_arrow:"):
            q.go("form", q.first_open_step(instrument, q.answers()))

    elif view == "form":
        step = q.current_step()
        with st.expander(said("notice.who_sees_title")):
            st.markdown(q.who_sees(aspire))
        q.progress(instrument, step)
        q.maybe_problems(instrument)
        if step < last_step:
            action = q.step_form(instrument, step)
            if action is not None:
                try:
                    q.save(aspire)
                except RoundClosed:
                    st.rerun()
                if action == "back":
                    q.go("form", step - 1)
                q.go("form", step + 1, flash=q.saved_flash(instrument, step))
        else:
            q.review(instrument)
            st.caption(said("review.change_until", deadline=deadline))
            with st.container(horizontal=True):
                back = st.button(said("button.back"), icon=":material/arrow_back:")
                send = st.button(said("button.send"), type="primary", icon=":material/send:")
            if back:
                q.go("form", last_step - 1)
            if send:
                try:
                    sent = rounds.submit_answers(aspire, q.fresh(aspire), q.raw_answers(q.answers()), q.language())
                except AnswerError as error:
                    q.show_problems(True)
                    q.go("form", q.describe(instrument, error, said)[0].step)
                except RoundClosed:
                    st.rerun()
                q.set_profile(sent)
                q.show_problems(False)
                q.go("results", flash=("success", said("results.sent")))

    else:
        found = q.profile()
        st.title(said("results.title"))
        if found is not None:
            q.profile_view(found, key="respond_table")
        st.caption(said("results.change_until", deadline=deadline))
        if st.button(said("button.change"), icon=":material/edit:"):
            q.go("form", 0)
        show_own_goals(plans.own_goals(aspire, invitation.actor), catalogue_at(aspire), said)
        show_own_route(aspire, invitation.actor, q.first_name(invitation), catalogue_at(aspire))

    q.to_top()
