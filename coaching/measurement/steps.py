"""The questionnaire as a person walks through it: its steps, the working answers, what is missing, where to go.

Pure: no Streamlit and no database, so every rule of the walk is tested directly (tests/unit/test_steps.py);
the respondent's page (coaching/ui/questionnaire.py) only draws the widgets of the step this module names.

The steps are one per rating section, then the forced choice, then the optional free text; the review is the
step after the last one (index `len(steps(...))`). A person may move forward and back freely and reach the
review with answers missing: nothing is refused until they send, and then every problem is named with the
step that fixes it.

The working answers have the shape of a submission (ratings, top_three, reflections, life_stage), with
`top_three` kept as three slots that may still be empty; `raw_answers` turns them into what
`coaching.rounds.rounds.submit_answers` checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from coaching import i18n
from coaching.core.needs import NEEDS, Need
from coaching.i18n import Texts
from coaching.measurement.answers import AnswerError, validate_answers
from coaching.measurement.instrument import TOP_PICKS, Instrument

ENGLISH = i18n.texts(i18n.DEFAULT)

View = Literal["notice", "form", "results", "declined"]
Kind = Literal["ratings", "choice", "reflections"]
#: A note shown once after a move: ("success" | "info" | "warning", the sentence).
Flash = tuple[Literal["success", "info", "warning"], str]


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


def review_step(instrument: Instrument) -> int:
    """The review's place: right after the last step."""
    return len(steps(instrument))


def forward(instrument: Instrument, step: int) -> int:
    """The step after this one; from the last step, the review (which has no step after it)."""
    return min(step + 1, review_step(instrument))


def back(step: int) -> int:
    """The step before this one; the first step has none before it."""
    return max(step - 1, 0)


# ---- the working answers ----------------------------------------------------------------------------


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


def answered(answers: Mapping[str, Any]) -> bool:
    """Whether anything that would be sent has been given (an untouched form keeps nothing)."""
    return raw_answers(answers) != raw_answers(empty_answers())


# ---- what is missing ----------------------------------------------------------------------------------


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


def by_step(instrument: Instrument, found: list[Problem], texts: Texts = ENGLISH) -> list[tuple[Step, list[str]]]:
    """Every step with the sentences of its own problems (none for a complete step), in questionnaire order."""
    return [(step, [p.text for p in found if p.step == index]) for index, step in enumerate(steps(instrument, texts))]


def first_open_step(instrument: Instrument, answers: Mapping[str, Any]) -> int:
    """Where a person resumes: the first step with something missing, else the review (after the last step)."""
    found = problems(instrument, answers)
    return found[0].step if found else review_step(instrument)


# ---- what the person is told ------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """Where the page opens when a link is resolved, with the working answers it opens with."""

    view: View
    answers: dict[str, Any]
    step: int = 0
    flash: Flash | None = None


def opening(instrument: Instrument, saved: Mapping[str, Any], sent: Mapping[str, Any] | None,
            texts: Texts = ENGLISH) -> Opening:
    """The results when what is saved is what was sent; the first open step, welcomed back, when a draft
    differs from it; else the notice before the first question.

    `saved` is the draft, else the answers sent (coaching.rounds.rounds.draft); `sent` the answers sent, if any.
    """
    working = working_answers(saved)
    changing = raw_answers(working) != raw_answers(working_answers(sent or {}))
    if sent is not None and not changing:
        return Opening("results", working)
    if not changing:
        return Opening("notice", working)
    earlier = f" {texts('notice.sent_before')}" if sent is not None else ""
    return Opening("form", working, first_open_step(instrument, working),
                   ("info", f"{texts('notice.welcome_back')}{earlier}"))


def saved_flash(instrument: Instrument, answers: Mapping[str, Any], step: int, texts: Texts = ENGLISH) -> Flash:
    """What to say after a step is saved: done, or exactly which answers it still lacks."""
    title = steps(instrument, texts)[step].title
    mine = [p.text for p in problems(instrument, answers, texts) if p.step == step]
    if not mine:
        return "success", texts("step.saved", title=title)
    return "warning", texts("step.saved_incomplete", title=title, problems=" ".join(mine))


@dataclass(frozen=True)
class Progress:
    """How far the person is: the share of required answers given, and where they are, in words."""

    share: float
    text: str


def progress(instrument: Instrument, answers: Mapping[str, Any], step: int, texts: Texts = ENGLISH) -> Progress:
    """Every rating and each of the three picks counts, saved or not yet sent; the optional text does not."""
    all_steps = steps(instrument, texts)
    required = len(instrument.items) + TOP_PICKS
    given = sum(1 for item in instrument.items if item.id in answers["ratings"]) + sum(
        1 for pick in answers["top_three"] if pick)
    where = texts("step.review") if step >= len(all_steps) else texts(
        "step.section", number=texts.number(step + 1), total=texts.number(len(all_steps)),
        title=all_steps[step].title)
    return Progress(given / required, texts("step.progress", where=where, given=texts.number(given),
                                            required=texts.number(required)))


def summary(instrument: Instrument, step: Step, answers: Mapping[str, Any], texts: Texts = ENGLISH) -> str:
    """A complete step in one line or a short list, for the review."""
    if step.kind == "ratings":
        return texts.plural("review.ratings", len(instrument.items_in(step.key)))
    if step.kind == "choice":
        return "\n".join(f"{i}. {texts.label(Need(n))}" for i, n in enumerate(answers["top_three"], start=1))
    given = len([v for v in answers["reflections"].values() if v.strip()])
    stage = f" {texts('review.life_stage')}" if answers.get("life_stage") else ""
    return texts("review.reflections", given=texts.number(given),
                 total=texts.number(len(instrument.reflections))) + stage
