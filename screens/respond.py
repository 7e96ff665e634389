"""The respondent's page: opened through a personal link, no account. Notice, questionnaire, own profile.

Never reads who is logged in: a manager opening their own link sees exactly what anyone would.
Everything here is in the person's language (respondent.texts()), switchable at the top of the page.
"""

import streamlit as st

from coaching.measurement import steps
from coaching.measurement.answers import AnswerError
from coaching.one_on_one import plans
from coaching.paths.editing import catalogue_at
from coaching.rounds import rounds
from coaching.rounds.rounds import RoundClosed
from coaching.ui import questionnaire as q
from coaching.ui import respondent
from coaching.ui.context import get_aspire
from coaching.ui.format import plain
from coaching.ui.paths import show_own_route
from coaching.ui.plans import show_own_goals
from coaching.ui.respondent import Walk

aspire = get_aspire()


def send() -> None:
    """Submit the working answers; on to the profile, or back to the first step with something missing (always
    a move: the rest of the run is never drawn)."""
    try:
        sent = rounds.submit_answers(aspire, respondent.fresh(aspire), steps.raw_answers(Walk.answers.get()),
                                     respondent.language())
    except AnswerError as error:
        Walk.show_problems.set(True)
        respondent.go("form", steps.describe(instrument, error, said)[0].step)
    except RoundClosed:
        st.rerun()
    Walk.profile.set(sent)
    Walk.show_problems.set(False)
    respondent.go("results", flash=("success", said("results.sent")))


def own_plans() -> None:
    """The goals and the route agreed with the person, read-only, under their profile (one catalogue read)."""
    catalogue = catalogue_at(aspire)
    show_own_goals(plans.own_goals(aspire, invitation.actor), catalogue, said)
    show_own_route(aspire, invitation.actor, q.first_name(invitation), catalogue)


with st.container(horizontal_alignment="center"), st.container(width=760):
    invitation = respondent.landing(aspire)    # one sentence and a stop when the link is missing or not valid
    respondent.page_language()
    q.language_switch(aspire, invitation)
    said = respondent.texts()
    instrument = respondent.questionnaire(aspire, invitation)
    deadline = q.deadline_text(aspire, invitation.row.round.deadline)
    review = steps.review_step(instrument)

    if not invitation.open_for_answers(respondent.now()):
        st.title(said("closed.title"))
        st.info(said("closed.info"), icon=":material/lock:")
        found = Walk.profile.get()
        if found is None:
            st.markdown(said("closed.nothing_sent"))
        else:
            st.subheader(said("closed.results"))
            q.profile_view(found, key=q.Keys.CLOSED_TABLE)
        own_plans()
        st.stop()

    q.show_flash()

    if Walk.view.get() == "notice":
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
            respondent.go("form", steps.first_open_step(instrument, Walk.answers.get()))
        if decline:
            rounds.decline(aspire, respondent.fresh(aspire))
            respondent.go("declined")

    elif Walk.view.get() == "declined":
        st.title(said("declined.title"))
        st.markdown(said("declined.body"))
        st.markdown(said("declined.until", deadline=deadline))
        if st.button(said("button.answer_anyway"), icon=":material/play_arrow:"):
            respondent.go("form", steps.first_open_step(instrument, Walk.answers.get()))

    elif Walk.view.get() == "form":
        step = Walk.step.get()
        with st.expander(said("notice.who_sees_title")):
            st.markdown(q.who_sees(aspire))
        q.progress(instrument, step)
        q.maybe_problems(instrument)
        if step < review:
            action = q.step_form(instrument, step)
            if action is not None:
                try:
                    respondent.save(aspire)
                except RoundClosed:
                    st.rerun()
                if action == "back":
                    respondent.go("form", steps.back(step))
                respondent.go("form", steps.forward(instrument, step),
                              flash=steps.saved_flash(instrument, Walk.answers.get(), step, said))
        else:
            if q.send_pressed():
                send()
            q.review(instrument)
            st.caption(said("review.change_until", deadline=deadline))
            with st.container(horizontal=True):
                back = st.button(said("button.back"), icon=":material/arrow_back:")
                st.button(said("button.send"), type="primary", icon=":material/send:", key=Walk.send.key)
            if back:
                respondent.go("form", steps.back(review))

    else:
        found = Walk.profile.get()
        st.title(said("results.title"))
        if found is not None:
            q.profile_view(found, key=q.Keys.RESULTS_TABLE)
        st.caption(said("results.change_until", deadline=deadline))
        if st.button(said("button.change"), icon=":material/edit:"):
            respondent.go("form", 0)
        own_plans()

    respondent.to_top()
