"""The one-on-one page's working parts: talking points, goals with their actions, notes, and the yearly review.

Every form keeps what was typed in session state under a prefix and remembers the version it was opened
on. A refused save shows the reason beside the typed values; a save that lost a race says so, shows what
changed meanwhile, and takes the newer version, so pressing save again keeps the typed text. A save that
went through starts the form afresh under new keys (`state.PlanForm`): the browser then shows empty fields (or the
record as saved), and a second press of the old button, as in a double click, finds no form to submit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.core.needs import NEEDS, Need
from coaching.i18n import Texts
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import Instrument
from coaching.one_on_one import plans, review
from coaching.one_on_one.plan_models import MAX_TITLE, Goal, GoalAction, GoalStatus, Note, ReviewAnswer
from coaching.one_on_one.review import GoalCheck, ReviewState
from coaching.one_on_one.talking_points import GOAL_GUIDE, OPEN_QUESTIONS, TalkingPoint, first_questions
from coaching.paths.catalogue import Catalogue
from coaching.paths.fit import leading_words
from coaching.people.teams import list_teams
from coaching.ui.context import flash
from coaching.ui.format import plain
from coaching.ui.state import Fields, PlanForm
from coaching.ui.tables import show_table

# ---- what they wrote ----------------------------------------------------------------------------------


def show_reflections(answers: Answers, instrument: Instrument) -> None:
    """Their own words from the questionnaire: what they need now, their goals, why they would be hired again."""
    said = [(r.prompt, answers.reflections[r.id]) for r in instrument.reflections if answers.reflections.get(r.id)]
    st.markdown("##### In their own words")
    if answers.life_stage:
        st.caption(f"Where they are in their working life: {plain(answers.life_stage)}")
    if not said:
        st.caption("They left the open questions blank: ask them in the one-on-one.")
    for prompt, text in said:
        st.markdown(f"**{plain(prompt)}**")
        st.text(text)


# ---- talking points ----------------------------------------------------------------------------------


def show_talking_points(points: list[TalkingPoint], leading: Sequence[Need]) -> None:
    """Each point with the data that raised it, then open questions (first about each of the member's leading
    needs, coaching.paths.fit.leading_needs) and the guide from needs to goals."""
    if not points:
        st.info("Nothing in their answers calls for a special talking point: ask the open questions below.",
                icon=":material/chat:")
    for point in points:
        st.markdown(f"- {plain(point.text)}  \n  :gray[Because: {plain(point.because)}]")
    for heading, questions in first_questions(leading):
        with st.expander(heading, expanded=True):
            st.markdown("\n".join(f"- {q}" for q in questions))
    with st.expander("Open questions about the other needs"):
        for need in (n for n in NEEDS if n not in leading):
            st.markdown(f"**{need.label}**\n" + "\n".join(f"- {q}" for q in OPEN_QUESTIONS[need]))
    with st.expander("From an aspiration to goals"):
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(GOAL_GUIDE, start=1)))


# ---- form state --------------------------------------------------------------------------------------


def _live(prefix: str) -> Fields:
    """A form's fields now: under its prefix and how many times it was saved in this session (state.PlanForm)."""
    return PlanForm(prefix).live


def _remember(prefix: str, values: Mapping[str, Any], version: int) -> None:
    """Start a form from a record as read now, once: later reruns keep what the person typed."""
    live = _live(prefix)
    if not live.version.held:
        live.fill(values, version)


def _save(prefix: str, write: Callable[[], object], done: str) -> None:
    """Run one save; on success clear the form and confirm, else say why and keep what was typed.

    Nothing that draws on the page runs between the write and `PlanForm.forget`, so a second press arriving
    meanwhile (which stops this run at the next drawing call) always meets the new, empty form.
    """
    try:
        write()
    except plans.PlanRejected as exc:
        st.error("Not saved: " + "; ".join(plain(p) for p in exc.problems), icon=":material/error:")
    except plans.ChangedMeanwhile as exc:
        st.error("Someone saved this since you opened it, so your change was not saved. It now reads: "
                 f"{_describe(exc.current)}. Your text is kept below: save again to replace it.",
                 icon=":material/sync_problem:")
        _live(prefix).version.set(exc.current.version)
    else:
        PlanForm(prefix).forget()
        flash(done)


def _describe(record: object) -> str:
    if isinstance(record, Goal):
        return f"“{plain(record.title)}”, {record.status.label.lower()}"
    if isinstance(record, Note):
        return f"“{plain(record.body[:80])}”"
    return "a newer version"


# ---- goals -------------------------------------------------------------------------------------------


def _goal_fields(form: Fields, catalogue: Catalogue) -> dict[str, Any]:
    options = {o.key: o.name for o in catalogue.options}
    return {
        "title": st.text_input("Goal", key=form.key("title"), max_chars=MAX_TITLE,
                               placeholder="e.g. Lead the platform guild's design reviews"),
        "need": st.selectbox("Need it serves", NEEDS, key=form.key("need"), format_func=lambda n: n.label),
        "option_key": st.selectbox("Path it moves toward (optional)", [None, *options], key=form.key("option_key"),
                                   format_func=lambda k: "None" if k is None else options.get(k, k)),
        "target_date": st.date_input("Target date (optional)", value=None, key=form.key("target_date")),
        "success_measure": st.text_input("How success is measured (optional)", key=form.key("success_measure")),
        "status": st.selectbox("Status", list(GoalStatus), key=form.key("status"), format_func=lambda s: s.label),
    }


def _goal_line(goal: Goal, catalogue: Catalogue) -> str:
    """Need, path, date and measure of a goal in one line (names and typed text as they are)."""
    names = {o.key: o.name for o in catalogue.options}
    parts = [f"Serves {goal.need.label.lower()}"]
    if goal.option_key:
        parts.append(f"toward {plain(names.get(goal.option_key, goal.option_key))}")
    if goal.target_date:
        parts.append(f"by {goal.target_date:%d %b %Y}")
    if goal.success_measure:
        parts.append(f"success: {plain(goal.success_measure)}")
    return " · ".join(parts)


def show_goals(aspire: Aspire, actor: Actor, member_id: int, goals: list[Goal], catalogue: Catalogue) -> None:
    """Each goal with its actions (tick one done in place), an edit form and its history; then a new goal."""
    if not goals:
        st.info("No goals yet. A good goal serves one of their needs on a path on offer: add one below.",
                icon=":material/flag:")
    for goal in goals:
        with st.container(border=True):
            st.markdown(f"**{plain(goal.title)}** · {goal.status.label}")
            st.caption(_goal_line(goal, catalogue))
            for action in goal.actions:
                _action_checkbox(aspire, actor, action)
            with st.expander("Edit, add an action, history"):
                _edit_goal(aspire, actor, goal, catalogue)
    with st.expander("Add a goal", expanded=not goals, icon=":material/add:"), st.form(_live("goal_new").prefix):
        fields = _goal_fields(_live("goal_new"), catalogue)
        if st.form_submit_button("Add goal", icon=":material/add:"):
            _save("goal_new", lambda: plans.add_goal(aspire, actor, member_id, fields),
                  f"Added the goal “{plain(fields['title'])}”.")


def _action_checkbox(aspire: Aspire, actor: Actor, action: GoalAction) -> None:
    label = plain(action.what) + "".join(
        f" · {part}" for part in (plain(action.who or ""), action.due_on and f"due {action.due_on:%d %b %Y}") if part)
    done = st.checkbox(label, value=action.done, key=f"action_{action.id}_{action.version}_done")
    if done != action.done:
        fields = action.as_input().model_copy(update={"done": done})
        _save(f"action_{action.id}", lambda: plans.edit_action(aspire, actor, action.id, action.version, fields),
              f"Marked “{plain(action.what)}” {'done' if done else 'not done'}.")


def _edit_goal(aspire: Aspire, actor: Actor, goal: Goal, catalogue: Catalogue) -> None:
    prefix = f"goal_{goal.id}"
    _remember(prefix, dict(goal.as_input()), goal.version)
    with st.form(_live(prefix).prefix):
        fields = _goal_fields(_live(prefix), catalogue)
        if st.form_submit_button("Save goal", icon=":material/save:"):
            version = _live(prefix).version.required()
            _save(prefix, lambda: plans.edit_goal(aspire, actor, goal.id, version, fields), "Saved the goal.")
    new = _live(f"action_new_{goal.id}")
    with st.form(new.prefix):
        st.markdown("**New action**")
        left, middle, right = st.columns([3, 2, 2])
        action: dict[str, Any] = {"what": left.text_input("What", key=new.key("what")),
                  "who": middle.text_input("Who (optional)", key=new.key("who")),
                  "due_on": right.date_input("Due (optional)", value=None, key=new.key("due_on"))}
        if st.form_submit_button("Add action", icon=":material/add_task:"):
            _save(f"action_new_{goal.id}", lambda: plans.add_action(aspire, actor, goal.id, action),
                  f"Added the action “{plain(action['what'])}”.")
    if st.toggle("Show history", key=f"{prefix}_history"):
        show_table([{"Version": v.version, "Saved": v.changed_at, "By": v.changed_by or "Aspire",
                     "Event": v.event + (f" ({v.review_answer})" if v.review_answer else ""), "Goal": v.title,
                     "Status": v.status.label} for v in plans.goal_history(aspire, actor, goal.id)],
                   f"goal-{goal.id}-history")


def warn_uncovered(needs: Sequence[Need]) -> None:
    """The warning when no open goal serves the member's leading needs (plans.uncovered_needs)."""
    if needs:
        st.warning(f"No open goal serves {leading_words(needs)}. Agree one that does, on a path on offer, or say "
                   "why not.", icon=":material/priority_high:")


# ---- notes -------------------------------------------------------------------------------------------


def _note_fields(form: Fields) -> dict[str, Any]:
    return {
        "held_on": st.date_input("Held on", key=form.key("held_on")),
        "body": st.text_area("Note", key=form.key("body"), height=140),
        "agreed": st.text_area("Agreed actions (one per line)", key=form.key("agreed"), height=90),
    }


def show_notes(aspire: Aspire, actor: Actor, member_id: int, today: dt.date) -> None:
    """A new note first, then the notes newest first, each editable with its earlier versions kept."""
    st.caption("Your working notes: only you, as their manager, see them. They are part of the person's own data "
               "if they ask for it, and erased with them.")
    new = _live("note_new")
    new.setdefault("held_on", today)
    with st.expander("Add a note", expanded=True, icon=":material/edit_note:"), st.form(new.prefix):
        fields = _note_fields(new)
        if st.form_submit_button("Save note", icon=":material/save:"):
            _save("note_new", lambda: plans.add_note(aspire, actor, member_id, fields), "Saved the note.")
    for note in plans.list_notes(aspire, actor, member_id):
        with st.container(border=True):
            st.markdown(f"**{note.held_on:%d %b %Y}**")
            st.text(note.body)
            if note.agreed:
                st.markdown("Agreed:\n" + "\n".join(f"- {plain(a)}" for a in note.agreed))
            with st.expander("Edit, history"):
                _edit_note(aspire, actor, note)


def _edit_note(aspire: Aspire, actor: Actor, note: Note) -> None:
    prefix = f"note_{note.id}"
    _remember(prefix, {"held_on": note.held_on, "body": note.body, "agreed": "\n".join(note.agreed)}, note.version)
    with st.form(_live(prefix).prefix):
        fields = _note_fields(_live(prefix))
        if st.form_submit_button("Save note", icon=":material/save:"):
            version = _live(prefix).version.required()
            _save(prefix, lambda: plans.edit_note(aspire, actor, note.id, version, fields), "Saved the note.")
    if st.toggle("Show earlier versions", key=f"{prefix}_history"):
        show_table([{"Version": v.version, "Saved": v.written_at, "Held on": v.held_on, "Note": v.body}
                    for v in plans.note_history(aspire, actor, note.id)], f"note-{note.id}-history")


# ---- yearly review -----------------------------------------------------------------------------------


def show_goal_review(aspire: Aspire, actor: Actor, checks: list[GoalCheck], catalogue: Catalogue,
                     today: dt.date) -> None:
    """Goal by goal: does it still serve their needs as they stand now? Keep, adjust or drop, with the date."""
    if not checks:
        st.info("No open goals to review. Agree goals on the Goals section.", icon=":material/flag:")
    for check in checks:
        with st.container(border=True):
            _review_one(aspire, actor, check, catalogue, today)


def _review_one(aspire: Aspire, actor: Actor, check: GoalCheck, catalogue: Catalogue, today: dt.date) -> None:
    goal, prefix = check.goal, f"review_{check.goal.id}"
    st.markdown(f"**{plain(goal.title)}** · serves {goal.need.label.lower()}")
    st.markdown(plain(check.question))
    live = _live(prefix)
    answers = list(ReviewAnswer)
    answer = st.radio("Your answer", answers, key=live.key("answer"), horizontal=True,
                      index=answers.index(check.suggested), format_func=str.capitalize)
    fields = None
    if answer is ReviewAnswer.ADJUST:
        _remember(prefix, dict(goal.as_input()), goal.version)
        fields = _goal_fields(live, catalogue)
    if st.button("Record the review", key=live.key("record"), icon=":material/fact_check:"):
        version = live.version.required() if live.version.held else goal.version
        _save(prefix, lambda: plans.review_goal(aspire, actor, goal.id, version, answer, today, fields),
              f"Recorded: {answer} “{plain(goal.title)}”.")


# ---- the person's own view -----------------------------------------------------------------------------


def show_own_goals(goals: list[Goal], catalogue: Catalogue, texts: Texts) -> None:
    """The goals agreed with the person, read-only, on their own page (never their manager's notes), in their language.

    Names and typed text stay as they were written; headings, statuses and dates are in `texts`' language.
    """
    if not goals:
        return
    st.subheader(texts("goals.title"))
    st.caption(texts("goals.explained"))
    names = {o.key: o.name for o in catalogue.options}
    for goal in goals:
        with st.container(border=True):
            st.markdown(f"**{plain(goal.title)}** · {texts(f'goals.{goal.status}')}")
            parts = [texts("goals.serves", need=texts.named(goal.need))]
            if goal.option_key:
                parts.append(texts("goals.toward", path=plain(names.get(goal.option_key, goal.option_key))))
            if goal.target_date:
                parts.append(texts("goals.by", date=texts.date(goal.target_date)))
            if goal.success_measure:
                parts.append(texts("goals.success", measure=plain(goal.success_measure)))
            st.caption(" · ".join(parts))
            for action in goal.actions:
                due = f" · {texts('goals.due', date=texts.date(action.due_on))}" if action.due_on else ""
                st.markdown(f"- {'✓ ' if action.done else ''}{plain(action.what)}{due}")


# ---- the manager's overview ----------------------------------------------------------------------------


def show_reviews_due(aspire: Aspire, actor: Actor) -> None:
    """Who is due or overdue for their yearly review (or never answered), with the way to ask them."""
    today = dt.datetime.now(aspire.settings.zone).date()
    waiting = [(team, row) for team in list_teams(aspire, actor)
               for row in review.review_overview(aspire, actor, team.id, today) if row.state is not ReviewState.NOT_YET]
    if not waiting:
        return
    st.subheader("Yearly reviews")
    st.caption("Aspirations change with life: each person answers again twelve months after their last answers. "
               "Open a round for those due on the Rounds screen, then go through their goals in a one-on-one.")
    show_table([{"Member": row.name, "Team": team.name, "Last answered": row.last_answered or "never",
                 "Next review": row.next_review or "now", "State": row.state.value.capitalize()}
                for team, row in waiting], "yearly-reviews")
    st.page_link("screens/rounds.py", label="Open a round for them", icon=":material/send:")
