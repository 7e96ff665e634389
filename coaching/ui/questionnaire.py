"""The respondent's side of a round: the link kept in session state, the working answers, and each step's widgets.

A person opens a personal link and needs no account. The token is read from the address once, resolved
once per session (resolving records when the link was first opened), then taken out of the address so it
does not linger in the browser's history or in a screenshot. Work on an ordinary rerun only reads: the
database is written when the person saves a section, sends, or declines, and at those moments the link is
resolved again, so a link revoked or a round closed meanwhile is noticed before anything is written.

The working answers have the shape of a submission (ratings, top_three, reflections, life_stage), with
`top_three` kept as three slots that may still be empty; `raw_answers` turns them into what
`coaching.rounds.rounds.submit_answers` checks.

Everything the person reads is in their language (coaching.i18n): the one kept with their draft, else
their member record's, else the browser's; a switch on the page changes it and keeps it with the draft.
The page's `lang` and `dir` follow it, so screen readers pronounce it right and Arabic reads right to left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import streamlit as st

from coaching import i18n
from coaching.aspire import Aspire
from coaching.core.needs import NEEDS, Facet, Need
from coaching.i18n import Texts
from coaching.measurement.answers import MAX_LIFE_STAGE_CHARS, MAX_REFLECTION_CHARS, AnswerError, validate_answers
from coaching.measurement.instrument import TOP_PICKS, Instrument
from coaching.measurement.scoring import Profile
from coaching.measurement.scoring import describe as reading
from coaching.measurement.versions import instrument_in, languages_of
from coaching.rounds import rounds
from coaching.rounds.rounds import InvalidLink, Invitation, RoundClosed
from coaching.ui.format import plain
from coaching.ui.session import keep_link, link_from_cookie
from coaching.views.charts import profile_chart

ENGLISH = i18n.texts(i18n.DEFAULT)
#: Shown when the page is opened without any link, e.g. after a reload (the token left the address).
NO_LINK = ENGLISH("page.no_link")

_LINK_KEY = "respond_token"
_INVITATION = "respond_invitation"
_ANSWERS = "respond_answers"
_PROFILE = "respond_profile"
_VIEW = "respond_view"
_STEP = "respond_step"
_SHOW_PROBLEMS = "respond_show_problems"
_FLASH = "respond_flash"
_MOVED = "respond_moved"   # set by a move, taken by the next run's to_top()
_MOVES = "respond_moves"   # a counter, so each move's script is a new element that runs again
_LANGUAGE = "respond_language"

View = Literal["notice", "form", "results", "declined"]
Kind = Literal["ratings", "choice", "reflections"]
PLACES = ("choice.first", "choice.second", "choice.third")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def deadline_text(aspire: Aspire, moment: dt.datetime) -> str:
    """A deadline in plain words in the person's language, in the organisation's time zone."""
    return texts().moment(moment.astimezone(aspire.settings.zone))


# ---- steps and answers (no Streamlit) ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    kind: Kind
    intro: str = ""


def steps(instrument: Instrument, texts: Texts = ENGLISH) -> list[Step]:
    """One step per rating section, then the forced choice, then the optional free text. Review comes last."""
    return [
        *(Step(s.key, s.title, "ratings", s.intro) for s in instrument.sections),
        Step("choice", texts("step.choice"), "choice", instrument.choice.prompt),
        Step("reflections", texts("step.reflections"), "reflections", texts("step.reflections_intro")),
    ]


def empty_answers() -> dict[str, Any]:
    return {"ratings": {}, "top_three": [None] * TOP_PICKS, "reflections": {}, "life_stage": None}


def working_answers(saved: Mapping[str, Any]) -> dict[str, Any]:
    """A saved draft (or the last answers sent) as working answers; anything unexpected is left out."""
    answers = empty_answers()
    ratings = saved.get("ratings")
    if isinstance(ratings, Mapping):
        answers["ratings"] = {str(k): v for k, v in ratings.items() if isinstance(v, int) and not isinstance(v, bool)}
    picks = saved.get("top_three")
    if isinstance(picks, list | tuple):
        slots = [p if p in NEEDS else None for p in list(picks)[:TOP_PICKS]]
        answers["top_three"] = slots + [None] * (TOP_PICKS - len(slots))
    reflections = saved.get("reflections")
    if isinstance(reflections, Mapping):
        answers["reflections"] = {str(k): v for k, v in reflections.items() if isinstance(v, str)}
    if isinstance(saved.get("life_stage"), str):
        answers["life_stage"] = saved["life_stage"]
    return answers


def raw_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """What is sent: every rating given, the top three once all three slots are filled, non-blank text."""
    raw: dict[str, Any] = {"ratings": dict(answers["ratings"])}
    picks = list(answers["top_three"])
    if all(picks):
        raw["top_three"] = picks
    raw["reflections"] = {k: v for k, v in answers["reflections"].items() if v.strip()}
    life_stage = answers.get("life_stage")
    raw["life_stage"] = life_stage if life_stage and life_stage.strip() else None
    return raw


@dataclass(frozen=True)
class Problem:
    step: int
    text: str


def problems(instrument: Instrument, answers: Mapping[str, Any], texts: Texts = ENGLISH) -> list[Problem]:
    """Everything that stops the answers from being sent, each in plain words and with the step to fix it."""
    try:
        validate_answers(instrument, raw_answers(answers))
    except AnswerError as error:
        return describe(instrument, error, texts)
    return []


def describe(instrument: Instrument, error: AnswerError, texts: Texts = ENGLISH) -> list[Problem]:
    """AnswerError's (item or field, reason) pairs as sentences naming the statement, in questionnaire order.

    The statement is named in the person's language; a reason other than "missing" (rare: the form's own
    limits prevent most) keeps the domain's English words.
    """
    all_steps = steps(instrument, texts)
    index = {step.key: i for i, step in enumerate(all_steps)}
    items = {item.id: item for item in instrument.items}
    prompts = {r.id: r.prompt for r in instrument.reflections}
    found: list[Problem] = []
    for where, reason in error.problems:
        if where in items:
            item = items[where]
            said = (texts("problem.missing", statement=item.text) if reason == "missing"
                    else texts("problem.refused", statement=item.text, reason=reason))
            found.append(Problem(index[item.section], said))
        elif where == "top_three":
            found.append(Problem(index["choice"], texts("problem.top_three")))
        elif where.startswith("reflections."):
            prompt = prompts.get(where.removeprefix("reflections."), texts("problem.a_reflection"))
            found.append(Problem(index["reflections"], texts("problem.refused", statement=prompt, reason=reason)))
        elif where == "life_stage":
            found.append(Problem(index["reflections"], texts("problem.life_stage", reason=reason)))
        else:
            found.append(Problem(0, f"{reason[:1].upper()}{reason[1:]}."))
    return sorted(found, key=lambda p: p.step)


def first_open_step(instrument: Instrument, answers: Mapping[str, Any]) -> int:
    """Where a person resumes: the first step with something missing, else the review (after the last step)."""
    found = problems(instrument, answers)
    return found[0].step if found else len(steps(instrument))


# ---- the language --------------------------------------------------------------------------------------


def language() -> str:
    """The language of this session's page: the person's once the link is resolved, else the browser's."""
    return st.session_state.get(_LANGUAGE) or i18n.choose(None, None, st.context.locale)


def texts() -> Texts:
    return i18n.texts(language())


def questionnaire(aspire: Aspire, invitation: Invitation) -> Instrument:
    """The round's questionnaire version in the person's language (same items and scale in every language)."""
    return instrument_in(aspire, invitation.row.round.instrument_version, language())


def language_switch(aspire: Aspire, invitation: Invitation) -> None:
    """A choice of the languages this version is translated into; a change is kept with the person's draft."""
    offered = languages_of(aspire, invitation.row.round.instrument_version)
    current = language()
    with st.container(horizontal=True, horizontal_alignment="right"):
        chosen = st.selectbox(texts()("page.language"), offered, index=offered.index(current) if current in offered
                              else 0, format_func=i18n.LANGUAGES.__getitem__, key="respond_language_pick", width=200)
    if chosen == current:
        return
    st.session_state[_LANGUAGE] = chosen
    if raw_answers(answers()) != raw_answers(empty_answers()):
        # Kept with the draft at once; with nothing answered yet, the first saved section keeps it.
        with suppress(RoundClosed):   # nothing can be saved any more; the page still changes language
            rounds.save_draft(aspire, fresh(aspire), answers(), chosen)
    st.rerun()


# Fixed code; the two values are a shipped language code and "ltr"/"rtl", never anything typed. Streamlit
# serves <html lang="en"> whatever the content: a screen reader would read German with English sounds.
# The values sit outside the script, so its text (and its hash in deploy/nginx/aspire.conf's
# Content-Security-Policy) is the same in every language.
_PAGE_LANGUAGE = """<i hidden data-page-lang="LANG" data-page-dir="DIR"></i><script>
(() => {
  const marks = document.querySelectorAll('i[data-page-lang]');
  const mark = marks[marks.length - 1];
  if (!mark) return;
  document.documentElement.lang = mark.dataset.pageLang;
  document.documentElement.dir = mark.dataset.pageDir;
})();
</script>"""

# A horizontal scale wraps when its labels do not fit (2-2-1 on a phone, 4-1 in Spanish on a laptop), putting
# "Agree" beside "Neither". So a scale is one row of equal columns whose labels wrap inside them, and below
# 640 px one column of five; either way in order. Right to left, the row runs from the right, and text and
# lists (which Streamlit aligns left) start on the right.
_LAYOUT = """<style>
[data-testid="stRadio"] [role="radiogroup"] {
  display: grid; grid-auto-flow: column; grid-auto-columns: minmax(0, 1fr); gap: 0.5rem; align-items: start; }
[data-testid="stRadio"] [role="radiogroup"] > label { margin: 0; min-width: 0; align-items: flex-start; }
[data-testid="stRadio"] [role="radiogroup"] > label p { white-space: normal; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  [data-testid="stRadio"] [role="radiogroup"] { grid-auto-flow: row; grid-auto-columns: auto; gap: 0.25rem; }
}
html[dir="rtl"] [data-testid="stMain"] :is([data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"],
  p, li) { text-align: right; }
html[dir="rtl"] [data-testid="stMarkdownContainer"] :is(ol, ul) { padding-left: 0; padding-right: 1.5em; }
</style>"""


def page_language() -> None:
    """The page's lang and dir attributes for the chosen language, and the narrow-screen layout of the scales."""
    code = language()
    st.html(_PAGE_LANGUAGE.replace("LANG", code).replace("DIR", i18n.direction(code)), unsafe_allow_javascript=True)
    st.html(_LAYOUT)


# ---- the link and the session ---------------------------------------------------------------------


def landing(aspire: Aspire) -> Invitation:
    """The invitation of this session; one sentence and nothing else when the link is missing or not valid.

    That sentence is in the browser's language: without a valid link nothing says who is asking.
    """
    # After a reload the link has left the address: the browser kept it in a cookie (coaching.ui.session).
    token = st.query_params.get("invite") or (None if _LINK_KEY in st.session_state else link_from_cookie())
    if token is not None:
        st.query_params.pop("invite", None)    # out of the address bar and history; kept in session state
        if token != st.session_state.get(_LINK_KEY):
            _forget()
            try:
                invitation = rounds.resolve(aspire, token)
            except InvalidLink:
                st.session_state[_LINK_KEY] = token   # a rerun of this session keeps saying the same
                _stop("page.invalid_link")
            _begin(aspire, invitation)
    invitation = st.session_state.get(_INVITATION)
    if invitation is None:
        _stop("page.invalid_link" if st.session_state.get(_LINK_KEY) else "page.no_link")
    keep_link(invitation.token)                # so that a reload stays on this page
    return invitation


def _stop(key: str) -> None:
    page_language()
    st.error(texts()(key), icon=":material/link_off:")
    st.stop()


def _forget() -> None:
    for key in (_LINK_KEY, _INVITATION, _ANSWERS, _PROFILE, _VIEW, _STEP, _SHOW_PROBLEMS, _FLASH, _MOVED, _LANGUAGE):
        st.session_state.pop(key, None)


def _begin(aspire: Aspire, invitation: Invitation) -> None:
    """Load what the person saved or sent before and decide where they start (reads only)."""
    st.session_state[_LINK_KEY] = invitation.token
    st.session_state[_INVITATION] = invitation
    st.session_state[_LANGUAGE] = i18n.choose(rounds.draft_language(aspire, invitation),
                                              invitation.row.member_language, st.context.locale)
    sent = rounds.own_answers(aspire, invitation)
    working = working_answers(rounds.draft(aspire, invitation))   # the draft, else the answers sent
    st.session_state[_ANSWERS] = working
    st.session_state[_PROFILE] = rounds.own_profile(aspire, invitation) if sent is not None else None
    last_sent = None if sent is None else working_answers(sent.model_dump(mode="json"))
    changing = raw_answers(working) != raw_answers(last_sent or empty_answers())
    if sent is not None and not changing:
        st.session_state[_VIEW] = "results"
    elif changing:
        st.session_state[_VIEW] = "form"
        st.session_state[_STEP] = first_open_step(invitation.instrument, working)
        said = texts()
        earlier = f" {said('notice.sent_before')}" if sent is not None else ""
        st.session_state[_FLASH] = ("info", f"{said('notice.welcome_back')}{earlier}")
    else:
        st.session_state[_VIEW] = "notice"


def fresh(aspire: Aspire) -> Invitation:
    """Resolve the link again just before a write, so a revoked link or a closed round is noticed first."""
    try:
        invitation = rounds.resolve(aspire, st.session_state[_LINK_KEY])
    except InvalidLink:
        token = st.session_state[_LINK_KEY]
        _forget()
        st.session_state[_LINK_KEY] = token   # the next run shows the one sentence, and nothing above it
        st.rerun()
    st.session_state[_INVITATION] = invitation
    return invitation


def view() -> View:
    return st.session_state[_VIEW]


def go(to: View, step: int | None = None, flash: tuple[str, str] | None = None) -> None:
    """Move to another view or step; `flash` = ("success" | "info" | "warning", message) is shown after it."""
    st.session_state[_VIEW] = to
    if step is not None:
        st.session_state[_STEP] = step
    if flash:
        st.session_state[_FLASH] = flash
    st.session_state[_MOVES] = st.session_state[_MOVED] = st.session_state.get(_MOVES, 0) + 1
    st.rerun()


# Fixed code, no input from anyone: a rerun keeps the scroll position, so after "Save and continue" at the
# bottom of a long section a phone would show the bottom of the next one, and keyboard focus would be lost.
# The counter sits outside the script, so the script's text (and its hash in deploy/nginx/aspire.conf's
# Content-Security-Policy) never changes while each move still redraws the element and runs it again.
_TO_TOP = """<i hidden data-move="NONCE"></i><script>
(() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return;
  main.scrollTo({top: 0});
  const heading = main.querySelector('h1, h2, h3');
  if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({preventScroll: true}); }
})();
</script>"""


def to_top() -> None:
    """After moving to another step or view: back to the top of the page, keyboard focus on its heading."""
    moved = st.session_state.pop(_MOVED, None)
    if moved is not None:
        st.html(_TO_TOP.replace("NONCE", str(moved)), unsafe_allow_javascript=True)


def save(aspire: Aspire) -> None:
    """Keep the working answers and the page's language with the person's draft (RoundClosed once closed)."""
    rounds.save_draft(aspire, fresh(aspire), answers(), language())


def answers() -> dict[str, Any]:
    return st.session_state[_ANSWERS]


def current_step() -> int:
    return st.session_state.get(_STEP, 0)


def profile() -> Profile | None:
    return st.session_state.get(_PROFILE)


def set_profile(found: Profile | None) -> None:
    st.session_state[_PROFILE] = found


def show_problems(on: bool) -> None:
    st.session_state[_SHOW_PROBLEMS] = on


_FLASH_ICONS = {"success": ":material/check_circle:", "info": ":material/info:", "warning": ":material/warning:"}


def show_flash() -> None:
    if flash := st.session_state.pop(_FLASH, None):
        kind, message = flash
        getattr(st, kind)(plain(message), icon=_FLASH_ICONS[kind])


def saved_flash(instrument: Instrument, step: int) -> tuple[str, str]:
    """What to say after a step is saved: done, or exactly which answers it still lacks."""
    said = texts()
    title = steps(instrument, said)[step].title
    mine = [p.text for p in problems(instrument, answers(), said) if p.step == step]
    if not mine:
        return "success", said("step.saved", title=title)
    return "warning", said("step.saved_incomplete", title=title, problems=" ".join(mine))


# ---- what the person reads ----------------------------------------------------------------------


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
    said = texts()
    all_steps = steps(instrument, said)
    working = answers()
    required = len(instrument.items) + TOP_PICKS
    given = sum(1 for item in instrument.items if item.id in working["ratings"]) + sum(
        1 for pick in working["top_three"] if pick)
    where = said("step.review") if step >= len(all_steps) else said(
        "step.section", number=said.number(step + 1), total=said.number(len(all_steps)), title=all_steps[step].title)
    st.progress(given / required, text=said("step.progress", where=where, given=said.number(given),
                                            required=said.number(required)))


def problem_list(found: list[Problem], instrument: Instrument) -> None:
    """Every missing or refused answer by section; nothing is dropped, so the person can fix each one."""
    all_steps = steps(instrument, texts())
    lines = []
    for index, step in enumerate(all_steps):
        mine = [p.text for p in found if p.step == index]
        if mine:
            lines.append(f"**{plain(step.title)}**")
            lines += [f"- {plain(text)}" for text in mine]
    st.markdown("\n".join(lines))


def maybe_problems(instrument: Instrument) -> None:
    """After a refused send, the list of what is still missing stays on top until it is complete."""
    if not st.session_state.get(_SHOW_PROBLEMS):
        return
    found = problems(instrument, answers(), texts())
    if not found:
        show_problems(False)
        return
    with st.container(border=True):
        st.error(texts().plural("problem.still_missing", len(found)), icon=":material/error:")
        problem_list(found, instrument)


# ---- one step's form ------------------------------------------------------------------------------

Action = Literal["back", "next"] | None


def step_form(instrument: Instrument, step: int) -> Action:
    """The widgets of one step in a form; the person's entries go into the working answers on either button."""
    said = texts()
    current = steps(instrument, said)[step]
    working = answers()
    with st.form(f"respond_{current.key}", enter_to_submit=False):
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
            format_func=lambda v: scale.labels[v - scale.min], horizontal=True, key=f"rate_{item.id}",
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
            format_func=said.label, placeholder=said("choice.placeholder"),
            key=f"pick_{ENGLISH(place)}",   # the same widget in every language

        ))

    def collect() -> None:
        working["top_three"] = [str(p) if p is not None else None for p in picks]
    return collect


def _reflections(instrument: Instrument, working: dict[str, Any], said: Texts):
    texts = {}
    for reflection in instrument.reflections:
        texts[reflection.id] = st.text_area(
            reflection.prompt, value=working["reflections"].get(reflection.id, ""), max_chars=MAX_REFLECTION_CHARS,
            placeholder=reflection.hint or None, key=f"reflect_{reflection.id}", height=110,
        )
    rather_not_say = said("reflection.rather_not_say")
    suggestions = [rather_not_say, *instrument.life_stage.suggestions]
    saved = working.get("life_stage") or ""
    picked = st.selectbox(instrument.life_stage.prompt, suggestions,
                          index=suggestions.index(saved) if saved in suggestions else 0, key="life_stage_pick")
    own = st.text_input(said("reflection.own_words"), max_chars=MAX_LIFE_STAGE_CHARS,
                        value="" if saved in suggestions else saved, key="life_stage_own")
    st.caption(said("reflection.never_age"))

    def collect() -> None:
        working["reflections"] = {k: v for k, v in texts.items() if v.strip()}
        working["life_stage"] = own.strip() or (None if picked == rather_not_say else picked)
    return collect


# ---- review and results ---------------------------------------------------------------------------


def review(instrument: Instrument) -> list[Problem]:
    """A summary of each step with what is still missing, and a button to go back to it."""
    said = texts()
    working = answers()
    found = problems(instrument, working, said)
    st.subheader(said("step.review"))
    if found:
        st.warning(said.plural("review.missing", len(found)), icon=":material/warning:")
    else:
        st.success(said("review.complete"), icon=":material/check_circle:")
    for index, step in enumerate(steps(instrument, said)):
        mine = [p.text for p in found if p.step == index]
        with st.container(border=True):
            st.markdown(f"**{plain(step.title)}**")
            if mine:
                st.markdown("\n".join(f"- {plain(text)}" for text in mine))
            else:
                st.markdown(_summary(instrument, step, working, said))
            if st.button(said("review.go_to", title=step.title), key=f"goto_{step.key}", icon=":material/edit:"):
                show_problems(bool(found))
                go("form", index)
    return found


def _summary(instrument: Instrument, step: Step, working: dict[str, Any], said: Texts) -> str:
    if step.kind == "ratings":
        return said.plural("review.ratings", len(instrument.items_in(step.key)))
    if step.kind == "choice":
        return "\n".join(f"{i}. {said.label(Need(n))}" for i, n in enumerate(working["top_three"], start=1))
    given = len([v for v in working["reflections"].values() if v.strip()])
    stage = f" {said('review.life_stage')}" if working.get("life_stage") else ""
    return said("review.reflections", given=said.number(given), total=said.number(len(instrument.reflections))) + stage


def profile_view(found: Profile, *, key: str) -> None:
    """The person's own profile: a radar chart, the reading in words, the top three, a table instead if wanted."""
    said = texts()
    st.markdown(reading(found, said))
    as_table = st.toggle(said("profile.as_table"), key=key)
    if as_table:   # a real HTML table, which screen readers read cell by cell (st.dataframe is a canvas)
        st.table(pd.DataFrame(profile_rows(found, said)).set_index(said("profile.need")))
    else:
        st.plotly_chart(profile_chart(found, said), width="stretch", alt=profile_alt(found, said),
                        config={"displayModeBar": False, "staticPlot": False, "scrollZoom": False})
    st.markdown(f"**{said('profile.top_three')}**\n\n"
                + "\n".join(f"{i}. {said.label(need)}" for i, need in enumerate(found.choice, start=1)))
    st.caption(said("profile.explained"))


def profile_rows(found: Profile, said: Texts = ENGLISH) -> list[dict[str, Any]]:
    rows = []
    for need in NEEDS:
        scales = [str(need)] + ([f.scale for f in Facet] if need is Need.SECURITY else [])
        for scale in scales:
            if scale in found.scores:
                rows.append({
                    said("profile.need"): ("· " if "." in scale else "") + said.label(scale),
                    said("profile.score"): round(found.scores[scale]),
                    said("profile.pick"): (said(f"profile.pick_{found.choice.index(need) + 1}")
                                           if "." not in scale and need in found.choice else ""),
                })
    return rows


def profile_alt(found: Profile, said: Texts = ENGLISH) -> str:
    """The chart's text alternative: every score in words, for a screen reader."""
    parts = [said("profile.alt_score", label=said.label(s), score=said.number(found.scores[s])) for s in found.scores]
    return said("profile.alt", scores=", ".join(parts))
