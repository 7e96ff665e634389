"""The questionnaire's walk without a browser: the steps in order, moving forward and back, every missing answer
named with the step that fixes it, a draft resumed where it stopped, and the review before sending."""

from __future__ import annotations

from typing import Any

import pytest

from coaching import i18n
from coaching.measurement.answers import AnswerError, validate_answers
from coaching.measurement.instrument import Instrument
from coaching.measurement.steps import (
    Problem,
    answered,
    back,
    by_step,
    describe,
    empty_answers,
    first_open_step,
    forward,
    opening,
    problems,
    progress,
    raw_answers,
    review_step,
    saved_flash,
    steps,
    summary,
    working_answers,
)

TOP = ["autonomy", "expertise", "balance"]


def rated(instrument: Instrument, *sections: str) -> dict[str, int]:
    """A rating of 4 for every statement of these sections."""
    return {item.id: 4 for key in sections for item in instrument.items_in(key)}


def complete(instrument: Instrument) -> dict[str, Any]:
    """Working answers with everything required given, as the form leaves them."""
    answers = empty_answers()
    answers["ratings"] = rated(instrument, *(s.key for s in instrument.sections))
    answers["top_three"] = list(TOP)
    answers["reflections"] = {"need_now": "Time to learn."}
    return answers


def test_the_steps_are_the_sections_then_the_top_three_then_own_words_and_the_review_after_them(instrument):
    found = steps(instrument)
    assert [s.key for s in found] == [*(s.key for s in instrument.sections), "choice", "reflections"]
    assert [s.kind for s in found[-2:]] == ["choice", "reflections"]
    assert found[0].title == instrument.sections[0].title
    assert review_step(instrument) == len(found)
    german = steps(instrument, i18n.texts("de"))
    assert german[-2].title == i18n.texts("de")("step.choice") != found[-2].title


def test_moving_forward_reaches_the_review_and_stops_there_and_back_stops_at_the_first_step(instrument):
    review = review_step(instrument)
    walked = [0]
    while walked[-1] != review:
        walked.append(forward(instrument, walked[-1]))
    assert walked == list(range(review + 1))
    assert forward(instrument, review) == review
    assert back(review) == review - 1, "back from the review is the free text, the last step"
    assert back(1) == 0 and back(0) == 0


def test_a_missing_rating_is_refused_by_its_statement_at_its_section(instrument):
    second = instrument.sections[1]
    missing = instrument.items_in(second.key)[2]
    answers = complete(instrument)
    del answers["ratings"][missing.id]
    assert problems(instrument, answers) == [Problem(1, f"“{missing.text}”: not answered yet.")]
    assert first_open_step(instrument, answers) == 1
    with pytest.raises(AnswerError) as refused:     # what the domain says when the answers are sent anyway
        validate_answers(instrument, raw_answers(answers))
    assert describe(instrument, refused.value) == problems(instrument, answers)


def test_every_problem_is_listed_with_its_step_in_questionnaire_order_and_in_the_persons_language(instrument):
    answers = complete(instrument)
    answers["top_three"] = ["autonomy", None, None]
    first_item = instrument.items_in(instrument.sections[0].key)[0]
    del answers["ratings"][first_item.id]
    german = i18n.texts("de")
    found = problems(instrument, answers, german)
    choice = review_step(instrument) - 2
    assert [p.step for p in found] == [0, choice]
    assert found[1].text == german("problem.top_three")
    grouped = {step.key: mine for step, mine in by_step(instrument, found, german)}
    assert grouped["choice"] == [german("problem.top_three")]
    assert grouped[instrument.sections[1].key] == [] and grouped["reflections"] == []


def test_saving_a_step_says_done_or_names_exactly_what_it_still_lacks(instrument):
    answers = complete(instrument)
    first = instrument.sections[0]
    assert saved_flash(instrument, answers, 0) == ("success", f"Saved “{first.title}”.")
    skipped = instrument.items_in(first.key)[0]
    del answers["ratings"][skipped.id]
    kind, said = saved_flash(instrument, answers, 0)
    assert kind == "warning"
    assert said.startswith(f"Saved “{first.title}”, but it is not complete yet.")
    assert f"“{skipped.text}”: not answered yet." in said
    assert saved_flash(instrument, answers, 1)[0] == "success", "another section's gap is not this step's"


def test_a_draft_is_resumed_at_its_first_open_step_with_a_welcome_back(instrument):
    draft = {"ratings": rated(instrument, instrument.sections[0].key), "top_three": [None, None, None]}
    start = opening(instrument, draft, None)
    assert (start.view, start.step) == ("form", 1)
    assert start.flash == ("info", "Welcome back: your saved answers are filled in below.")
    assert start.answers["ratings"] == draft["ratings"]


def test_a_draft_that_differs_from_what_was_sent_says_the_answers_sent_still_count(instrument):
    sent = raw_answers(complete(instrument))
    draft = {**sent, "top_three": ["balance", None, None]}
    start = opening(instrument, draft, sent, i18n.texts("fr"))
    french = i18n.texts("fr")
    assert (start.view, start.step) == ("form", review_step(instrument) - 2), "the top three lacks two picks"
    assert start.flash == ("info", f"{french('notice.welcome_back')} {french('notice.sent_before')}")


def test_answers_sent_and_not_changed_open_the_results_and_nothing_opens_the_notice(instrument):
    sent = raw_answers(complete(instrument))
    assert opening(instrument, sent, sent).view == "results"
    nothing = opening(instrument, {}, None)
    assert (nothing.view, nothing.flash) == ("notice", None)
    assert not answered(nothing.answers)


def test_the_review_with_everything_answered_lets_the_answers_be_sent(instrument):
    answers = complete(instrument)
    review = review_step(instrument)
    assert problems(instrument, answers) == []
    assert first_open_step(instrument, answers) == review, "a finished draft resumes at the review"
    done = progress(instrument, answers, review)
    required = len(instrument.items) + 3
    assert done.share == 1
    assert done.text == f"Check and send ({required} of {required} answers)"
    choice, reflections = steps(instrument)[-2:]
    assert summary(instrument, choice, answers) == "1. Autonomy\n2. Expertise and acclaim\n3. Work-life balance"
    total = len(instrument.reflections)
    assert summary(instrument, reflections, answers) == f"1 of {total} questions answered (all optional)."
    validate_answers(instrument, raw_answers(answers))


def test_progress_counts_every_rating_and_pick_given_and_names_the_section(instrument):
    answers = empty_answers()
    answers["ratings"] = rated(instrument, instrument.sections[0].key)
    answers["top_three"] = ["status", None, None]
    done = progress(instrument, answers, 1)
    given, required = len(answers["ratings"]) + 1, len(instrument.items) + 3
    assert done.share == given / required
    second = instrument.sections[1]
    assert done.text == f"Section 2 of {review_step(instrument)}: {second.title} ({given} of {required} answers)"


def test_a_saved_draft_keeps_only_what_the_form_can_hold(instrument):
    first = instrument.items[0].id
    working = working_answers({"ratings": {first: 3, "x": True, "y": "4"}, "top_three": ["balance", "nonsense"],
                               "reflections": {"need_now": "Yes", "hire_again": 5}, "life_stage": 7, "extra": 1})
    assert working == {"ratings": {first: 3}, "top_three": ["balance", None, None],
                       "reflections": {"need_now": "Yes"}, "life_stage": None}
    assert raw_answers(working) == {"ratings": {first: 3}, "reflections": {"need_now": "Yes"}, "life_stage": None}
    assert answered(working)
