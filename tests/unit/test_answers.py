"""Validation at the edge: complete, on-scale answers pass; everything else is refused by name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coaching.core.needs import Need
from coaching.measurement.answers import (
    MAX_LIFE_STAGE_CHARS,
    MAX_REFLECTION_CHARS,
    AnswerError,
    Answers,
    validate_answers,
)
from coaching.measurement.instrument import Instrument, instrument_path, load_instrument


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(instrument_path(1))


def item_ids(instrument: Instrument) -> list[str]:
    return [item.id for item in instrument.items]


def valid_raw(instrument: Instrument, value: int = 3, **changes) -> dict:
    raw = {
        "ratings": {item_id: value for item_id in item_ids(instrument)},
        "top_three": ["autonomy", "balance", "status"],
        "reflections": {"need_now": "Time to learn."},
        "life_stage": "Settled and building",
    }
    raw.update(changes)
    return raw


def problems_of(instrument: Instrument, raw: dict) -> list[tuple[str, str]]:
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, raw)
    return caught.value.problems


# ---- Accepted ---------------------------------------------------------------------------------


def test_valid_answers_come_back_typed_and_unchanged(instrument):
    answers = validate_answers(instrument, valid_raw(instrument, 4))
    assert answers.ratings == {item_id: 4 for item_id in item_ids(instrument)}
    assert list(answers.ratings) == item_ids(instrument)
    assert answers.top_three == (Need.AUTONOMY, Need.BALANCE, Need.STATUS)
    assert all(isinstance(need, Need) for need in answers.top_three)
    assert answers.reflections == {"need_now": "Time to learn."}
    assert answers.life_stage == "Settled and building"


def test_reflections_and_life_stage_are_optional(instrument):
    raw = valid_raw(instrument)
    del raw["reflections"], raw["life_stage"]
    answers = validate_answers(instrument, raw)
    assert answers.reflections == {}
    assert answers.life_stage is None


def test_a_numeric_string_counts_as_its_number(instrument):
    raw = valid_raw(instrument)
    raw["ratings"]["status_lead"] = " 5 "
    assert validate_answers(instrument, raw).ratings["status_lead"] == 5


def test_blank_reflections_and_life_stage_are_dropped(instrument):
    raw = valid_raw(
        instrument, reflections={"need_now": "   \n\t", "hire_again": "", "goals_next_year": None}
    )
    raw["life_stage"] = "  "
    answers = validate_answers(instrument, raw)
    assert answers.reflections == {}
    assert answers.life_stage is None


INJECTION_LIKE = [
    "'; DROP TABLE responses; --",
    "<script>alert(1)</script>",
    "\u202eabc",
    "She said \"no\" \\ then 'yes'",
    "Zoë Ørsted-Łukasiewicz",
    "張偉 and Мария and محمد and 𝓕𝓪𝓷𝓬𝔂 🙂",
    "  leading and trailing spaces stay  \n",
    "{{ template }} ${env} %s %(name)s",
]


@pytest.mark.parametrize("text", INJECTION_LIKE)
def test_free_text_is_kept_exactly_as_typed(instrument, text):
    answers = validate_answers(
        instrument, valid_raw(instrument, reflections={"hire_again": text}, life_stage=text[:80])
    )
    assert answers.reflections["hire_again"] == text
    assert answers.life_stage == text[:80]


@settings(max_examples=75, deadline=None)
@given(
    text=st.text(min_size=1, max_size=MAX_REFLECTION_CHARS).filter(lambda t: t.strip() and "\x00" not in t)
)
def test_any_text_without_nul_is_kept_exactly(instrument, text):
    answers = validate_answers(instrument, valid_raw(instrument, reflections={"need_now": text}))
    assert answers.reflections["need_now"] == text


def test_text_at_the_length_limits_is_accepted(instrument):
    raw = valid_raw(
        instrument,
        reflections={"need_now": "x" * MAX_REFLECTION_CHARS},
        life_stage="y" * MAX_LIFE_STAGE_CHARS,
    )
    answers = validate_answers(instrument, raw)
    assert len(answers.reflections["need_now"]) == 4000
    assert len(answers.life_stage) == 80


# ---- Refused ----------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_an_incomplete_answer_set_names_exactly_the_missing_item(instrument, data):
    item_id = data.draw(st.sampled_from(item_ids(instrument)))
    raw = valid_raw(instrument)
    del raw["ratings"][item_id]
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, raw)
    assert caught.value.problems == [(item_id, "missing")]
    assert str(caught.value) == f"item '{item_id}': missing"


@settings(max_examples=75, deadline=None)
@given(data=st.data(), value=st.one_of(st.integers(max_value=0), st.integers(min_value=6)))
def test_an_out_of_range_value_is_refused_naming_the_item(instrument, data, value):
    item_id = data.draw(st.sampled_from(item_ids(instrument)))
    raw = valid_raw(instrument)
    raw["ratings"][item_id] = value
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, raw)
    assert caught.value.problems == [(item_id, f"{value} is outside 1-5")]


@pytest.mark.parametrize("value", [True, False, 3.0, 3.5, "three", "", None, [3], "4.0", "9" * 5000])
def test_a_value_that_is_not_a_whole_number_is_refused(instrument, value):
    raw = valid_raw(instrument)
    raw["ratings"]["balance_flex"] = value
    [(where, problem)] = problems_of(instrument, raw)
    assert where == "balance_flex"
    assert problem.startswith("must be a whole number from 1 to 5")
    assert len(problem) < 120


def test_unknown_item_ids_are_refused_by_name(instrument):
    raw = valid_raw(instrument)
    raw["ratings"]["status_boss"] = 3
    assert problems_of(instrument, raw) == [("status_boss", "not a question of questionnaire version 1")]


def test_all_problems_are_reported_together(instrument):
    raw = valid_raw(instrument, top_three=["status", "status"], reflections={"dreams": "x"}, mood="fine")
    del raw["ratings"]["status_lead"]
    raw["ratings"]["balance_flex"] = 7
    error_problems = problems_of(instrument, raw)
    assert [where for where, _ in error_problems] == [
        "answers.mood",
        "status_lead",
        "balance_flex",
        "top_three",
        "top_three",
        "reflections.dreams",
    ]
    with pytest.raises(AnswerError) as caught:
        validate_answers(instrument, raw)
    message = str(caught.value)
    assert "item 'status_lead': missing; item 'balance_flex': 7 is outside 1-5" in message
    assert "field 'mood'" in message and "reflection 'dreams'" in message
    assert isinstance(caught.value, ValueError)


def test_missing_ratings_is_one_problem_not_twenty_six(instrument):
    raw = valid_raw(instrument)
    del raw["ratings"]
    assert problems_of(instrument, raw) == [("ratings", "missing: every statement needs a rating")]


@pytest.mark.parametrize(
    ("picks", "expected"),
    [
        (["status", "balance"], "pick exactly 3 needs, got 2"),
        (["status", "balance", "autonomy", "expertise"], "pick exactly 3 needs, got 4"),
        (["status", "balance", "status"], "'status' chosen more than once"),
        (["status", "money", "balance"], "'money': not a need"),
        ("status,balance,autonomy", "must be a list of three needs"),
        (None, "missing"),
    ],
)
def test_top_three_must_be_three_different_needs(instrument, picks, expected):
    problems = problems_of(instrument, valid_raw(instrument, top_three=picks))
    assert [where for where, _ in problems] == ["top_three"]
    assert expected in problems[0][1]


def test_unknown_reflection_ids_are_refused(instrument):
    problems = problems_of(
        instrument, valid_raw(instrument, reflections={"need_now": "ok", "salary_wish": "more"})
    )
    assert problems == [("reflections.salary_wish", "not a question of questionnaire version 1")]


def test_too_long_text_is_refused_with_its_length(instrument):
    raw = valid_raw(instrument, reflections={"hire_again": "x" * 4001}, life_stage="y" * 81)
    assert problems_of(instrument, raw) == [
        ("reflections.hire_again", "too long: 4001 characters, at most 4000"),
        ("life_stage", "too long: 81 characters, at most 80"),
    ]


@pytest.mark.parametrize("text", ["\x00", "abc\x00def", "DROP\x00TABLE"])
def test_nul_bytes_are_refused_with_a_clear_message(instrument, text):
    raw = valid_raw(instrument, reflections={"need_now": text}, life_stage=text)
    problems = problems_of(instrument, raw)
    assert [where for where, _ in problems] == ["reflections.need_now", "life_stage"]
    assert all("NUL character" in problem for _, problem in problems)


def test_a_lone_surrogate_is_refused(instrument):
    problems = problems_of(instrument, valid_raw(instrument, reflections={"need_now": "bad \ud800 text"}))
    assert [where for where, _ in problems] == ["reflections.need_now"]


def test_non_text_reflection_is_refused(instrument):
    assert problems_of(instrument, valid_raw(instrument, reflections={"need_now": 42})) == [
        ("reflections.need_now", "must be text, got 42")
    ]


def test_answers_that_are_not_a_mapping_are_refused(instrument):
    with pytest.raises(AnswerError, match="^answers: must be a mapping"):
        validate_answers(instrument, ["status_lead", 3])  # type: ignore[arg-type]


# ---- The model itself -------------------------------------------------------------------------


def test_answers_are_frozen_and_refuse_extra_fields(instrument):
    answers = validate_answers(instrument, valid_raw(instrument))
    with pytest.raises(ValidationError):
        answers.life_stage = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Answers(ratings={}, top_three=("status", "balance", "autonomy"), age=30)  # type: ignore[call-arg]


def test_answers_refuse_a_repeated_need(instrument):
    with pytest.raises(ValidationError, match="three different needs"):
        Answers(ratings={}, top_three=("status", "status", "autonomy"))
