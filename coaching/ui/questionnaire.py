"""The respondent's page's widgets: the language switch, one step's form, the review, the person's own profile.

What each widget shows comes from the step machine (coaching.measurement.steps) and the session
(coaching.ui.respondent): this module draws and collects, and decides nothing about the walk.
Everything the person reads is in their language (`respondent.texts()`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from typing import Any, Literal

import pandas as pd
import streamlit as st

from coaching import i18n
from coaching.aspire import Aspire
from coaching.core.needs import NEEDS
from coaching.i18n import Texts
from coaching.measurement import steps
from coaching.measurement.answers import MAX_LIFE_STAGE_CHARS, MAX_REFLECTION_CHARS
from coaching.measurement.instrument import Instrument
from coaching.measurement.scoring import Profile
from coaching.measurement.scoring import describe as reading
from coaching.measurement.steps import ENGLISH, Problem, Step
from coaching.measurement.versions import languages_of
from coaching.rounds import rounds
from coaching.rounds.rounds import Invitation, RoundClosed
from coaching.ui import respondent
from coaching.ui.format import plain
from coaching.ui.respondent import Link, Walk, texts
from coaching.views.profile import own_profile_view

PLACES = ("choice.first", "choice.second", "choice.third")


class Keys:
    """The widgets' keys, named once: the browser and app tests find the widgets by them, so they stay put."""

    LANGUAGE = "respond_language_pick"
    LIFE_STAGE_PICK = "life_stage_pick"
    LIFE_STAGE_OWN = "life_stage_own"
    RESULTS_TABLE = "respond_table"
    CLOSED_TABLE = "respond_closed_table"

    @staticmethod
    def form(step: Step) -> str:
        return f"respond_{step.key}"

    @staticmethod
    def rating(item_id: str) -> str:
        return f"rate_{item_id}"

    @staticmethod
    def pick(place: str) -> str:
        return f"pick_{ENGLISH(place)}"   # the same widget in every language

    @staticmethod
    def reflection(reflection_id: str) -> str:
        return f"reflect_{reflection_id}"

    @staticmethod
    def go_to(step: Step) -> str:
        return f"goto_{step.key}"


# ---- the language --------------------------------------------------------------------------------------


def language_switch(aspire: Aspire, invitation: Invitation) -> None:
    """A choice of the languages this version is translated into; a change is kept with the person's draft."""
    offered = languages_of(aspire, invitation.row.round.instrument_version)
    current = respondent.language()
    with st.container(horizontal=True, horizontal_alignment="right"):
        chosen = st.selectbox(texts()("page.language"), offered, index=offered.index(current) if current in offered
                              else 0, format_func=i18n.LANGUAGES.__getitem__, key=Keys.LANGUAGE, width=200)
    if chosen == current:
        return
    Link.language.set(chosen)
    working = Walk.answers.required()
    if steps.answered(working):
        # Kept with the draft at once; with nothing answered yet, the first saved section keeps it.
        with suppress(RoundClosed):   # nothing can be saved any more; the page still changes language
            rounds.save_draft(aspire, respondent.fresh(aspire), working, chosen)
    st.rerun()


# ---- what the person reads ----------------------------------------------------------------------


def deadline_text(aspire: Aspire, moment: dt.datetime) -> str:
    """A deadline in plain words in the person's language, in the organisation's time zone."""
    return texts().moment(moment.astimezone(aspire.settings.zone))


_FLASH_ICONS = {"success": ":material/check_circle:", "info": ":material/info:", "warning": ":material/warning:"}


def show_flash() -> None:
    """The note a move left (saved, welcome back, sent), once."""
    if flash := Walk.flash.show():
        kind, message = flash
        getattr(st, kind)(plain(message), icon=_FLASH_ICONS[kind])


def first_name(invitation: Invitation) -> str:
    name = invitation.row.member_name.strip()
    return name.split()[0] if name else texts()("page.there")


def who_sees(aspire: Aspire) -> str:
    """The notice before the first question: who sees the answers, what for, and that answering is voluntary."""
    return texts()("notice.who_sees", min_group=texts().number(aspire.settings.min_group))


def manager_message(invitation: Invitation) -> None:
    message = invitation.row.round.message
    if message:
        with st.container(border=True):
            st.caption(texts()("notice.manager_note"))
            st.markdown(plain(message).replace("\n", "  \n"))


def progress(instrument: Instrument, step: int) -> None:
    """Where the person is, and how much of what is required they have answered (saved or not yet sent)."""
    done = steps.progress(instrument, Walk.answers.required(), step, texts())
    st.progress(done.share, text=done.text)


def problem_list(found: list[Problem], instrument: Instrument) -> None:
    """Every missing or refused answer by section; nothing is dropped, so the person can fix each one."""
    lines = []
    for step, mine in steps.by_step(instrument, found, texts()):
        if mine:
            lines.append(f"**{plain(step.title)}**")
            lines += [f"- {plain(text)}" for text in mine]
    st.markdown("\n".join(lines))


def maybe_problems(instrument: Instrument) -> None:
    """After a refused send, the list of what is still missing stays on top until it is complete."""
    if not Walk.show_problems.get():
        return
    found = steps.problems(instrument, Walk.answers.required(), texts())
    if not found:
        Walk.show_problems.set(False)
        return
    with st.container(border=True):
        st.error(texts().plural("problem.still_missing", len(found)), icon=":material/error:")
        problem_list(found, instrument)


# ---- one step's form ------------------------------------------------------------------------------

Action = Literal["back", "next"] | None


def step_form(instrument: Instrument, step: int) -> Action:
    """The widgets of one step in a form; the person's entries go into the working answers on either button."""
    said = texts()
    current = steps.steps(instrument, said)[step]
    working = Walk.answers.required()
    with st.form(Keys.form(current), enter_to_submit=False):
        st.subheader(current.title)
        if current.intro:
            st.markdown(plain(current.intro.strip()))
        if current.kind == "ratings":
            collect = _ratings(instrument, current, working)
        elif current.kind == "choice":
            collect = _choice(instrument, working, said)
        else:
            collect = _reflections(instrument, working, said)
        with st.container(horizontal=True):
            back = st.form_submit_button(said("button.back"), icon=":material/arrow_back:") if step > 0 else False
            onward = st.form_submit_button(said("button.save_continue"), type="primary",
                                           icon=":material/arrow_forward:")
    if not (back or onward):
        return None
    collect()
    return "back" if back else "next"


def _ratings(instrument: Instrument, step: Step, working: dict[str, Any]):
    scale = instrument.scale
    chosen = {}
    for item in instrument.items_in(step.key):
        saved = working["ratings"].get(item.id)
        chosen[item.id] = st.radio(
            item.text, list(scale.points), index=saved - scale.min if saved in scale.points else None,
            format_func=lambda v: scale.labels[v - scale.min], horizontal=True, key=Keys.rating(item.id),
        )

    def collect() -> None:
        for item_id, value in chosen.items():
            if value is not None:
                working["ratings"][item_id] = value
    return collect


def _choice(instrument: Instrument, working: dict[str, Any], said: Texts):
    st.markdown("\n".join(f"- **{plain(said.label(need))}**: {plain(text.split(': ', 1)[-1])}"
                          for need, text in instrument.choice.options.items()))
    picks = []
    for place, saved in zip(PLACES, working["top_three"], strict=True):
        picks.append(st.selectbox(
            said(place), list(NEEDS), index=NEEDS.index(saved) if saved in NEEDS else None,
            format_func=said.label, placeholder=said("choice.placeholder"), key=Keys.pick(place),
        ))

    def collect() -> None:
        working["top_three"] = [str(p) if p is not None else None for p in picks]
    return collect


def _reflections(instrument: Instrument, working: dict[str, Any], said: Texts):
    texts = {}
    for reflection in instrument.reflections:
        texts[reflection.id] = st.text_area(
            reflection.prompt, value=working["reflections"].get(reflection.id, ""), max_chars=MAX_REFLECTION_CHARS,
            placeholder=reflection.hint or None, key=Keys.reflection(reflection.id), height=110,
        )
    rather_not_say = said("reflection.rather_not_say")
    suggestions = [rather_not_say, *instrument.life_stage.suggestions]
    saved = working.get("life_stage") or ""
    picked = st.selectbox(instrument.life_stage.prompt, suggestions,
                          index=suggestions.index(saved) if saved in suggestions else 0, key=Keys.LIFE_STAGE_PICK)
    own = st.text_input(said("reflection.own_words"), max_chars=MAX_LIFE_STAGE_CHARS,
                        value="" if saved in suggestions else saved, key=Keys.LIFE_STAGE_OWN)
    st.caption(said("reflection.never_age"))

    def collect() -> None:
        working["reflections"] = {k: v for k, v in texts.items() if v.strip()}
        working["life_stage"] = own.strip() or (None if picked == rather_not_say else picked)
    return collect


# ---- review and results ---------------------------------------------------------------------------


def review(instrument: Instrument) -> None:
    """A summary of each step with what is still missing, and a button to go back to it."""
    said = texts()
    found = steps.problems(instrument, Walk.answers.required(), said)
    st.subheader(said("step.review"))
    if found:
        st.warning(said.plural("review.missing", len(found)), icon=":material/warning:")
    else:
        st.success(said("review.complete"), icon=":material/check_circle:")
    for index, (step, mine) in enumerate(steps.by_step(instrument, found, said)):
        with st.container(border=True):
            st.markdown(f"**{plain(step.title)}**")
            if mine:
                st.markdown("\n".join(f"- {plain(text)}" for text in mine))
            else:
                st.markdown(steps.summary(instrument, step, Walk.answers.required(), said))
            if st.button(said("review.go_to", title=step.title), key=Keys.go_to(step), icon=":material/edit:"):
                Walk.show_problems.set(bool(found))
                respondent.go("form", index)


def send_pressed() -> bool:
    """Whether this run answers a press of Send: known before the review is drawn, which a press never shows
    (sending always moves on to another view), so the page need not draw it first."""
    return bool(Walk.send.get())


def profile_view(found: Profile, *, key: str) -> None:
    """The person's own profile: a radar chart, the reading in words, the top three, a table instead if wanted."""
    said = texts()
    view = own_profile_view(found, said)
    st.markdown(reading(found, said))
    as_table = st.toggle(said("profile.as_table"), key=key)
    if as_table:   # a real HTML table, which screen readers read cell by cell (st.dataframe is a canvas)
        st.table(pd.DataFrame(view.table).set_index(said("profile.need")))
    else:
        st.plotly_chart(view.figure, width="stretch", alt=view.reading,
                        config={"displayModeBar": False, "staticPlot": False, "scrollZoom": False})
    st.markdown(f"**{said('profile.top_three')}**\n\n"
                + "\n".join(f"{i}. {said.label(need)}" for i, need in enumerate(found.choice, start=1)))
    st.caption(said("profile.explained"))
