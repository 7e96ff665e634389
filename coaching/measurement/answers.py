"""One person's answers to one instrument, checked at the edge before anything is stored or scored.

Answers arrive from a web form (or a file, or a test) as loose data. `validate_answers` turns them
into an `Answers` model or raises one `AnswerError` listing every problem at once, so the person
can fix all of them in one go instead of discovering them one submit at a time.

Free text is stored exactly as typed: quotes, markup, right-to-left marks and every script are
ordinary characters to us (the store uses bound parameters and the UI escapes on output). Only a
NUL byte, which databases and many tools silently cut text at, and a lone surrogate, which cannot
be encoded as UTF-8 at all, are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from coaching.core.needs import NEEDS, Need
from coaching.core.text import text_problems
from coaching.measurement.instrument import TOP_PICKS, Instrument

MAX_REFLECTION_CHARS = 4000
MAX_LIFE_STAGE_CHARS = 80

FIELDS = ("ratings", "top_three", "reflections", "life_stage")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}")


class Answers(BaseModel):
    """A complete, checked response: every rating, the ordered top three, optional text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ratings: dict[str, int]
    top_three: tuple[Need, Need, Need]
    reflections: dict[str, str] = {}
    life_stage: str | None = None

    @model_validator(mode="after")
    def _three_different_needs(self) -> Answers:
        if len(set(self.top_three)) != TOP_PICKS:
            raise ValueError("top_three must name three different needs")
        return self


class AnswerError(ValueError):
    """Every problem with a set of answers, as (item or field id, problem in plain words).

    Ids are the rating item id (``status_lead``), a field name (``top_three``, ``life_stage``,
    ``ratings``, ``reflections``), ``reflections.<id>`` for one reflection, or ``answers.<key>``
    for a field the answers should not have.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{_where(where)}: {problem}" for where, problem in problems))


def _where(where: str) -> str:
    """How a problem's location reads in a message."""
    if where in FIELDS or where == "answers":
        return where.replace("_", " ")
    for prefix, kind in (("reflections.", "reflection"), ("answers.", "field")):
        if where.startswith(prefix):
            return f"{kind} '{where.removeprefix(prefix)}'"
    return f"item '{where}'"


def validate_answers(instrument: Instrument, raw: Mapping[str, Any]) -> Answers:
    """Check raw answers against the instrument: `Answers`, or one `AnswerError` naming every problem."""
    if not isinstance(raw, Mapping):
        raise AnswerError([("answers", "must be a mapping of ratings, top_three, reflections, life_stage")])
    problems: list[tuple[str, str]] = [
        (f"answers.{_short(str(key))}", "not part of a response") for key in raw if key not in FIELDS
    ]
    ratings = _check_ratings(instrument, raw.get("ratings"), problems)
    top_three = _check_top_three(raw.get("top_three"), problems)
    reflections = _check_reflections(instrument, raw.get("reflections"), problems)
    life_stage = _check_life_stage(raw.get("life_stage"), problems)
    if problems:
        raise AnswerError(problems)
    return Answers(ratings=ratings, top_three=top_three, reflections=reflections, life_stage=life_stage)


def _shown(value: Any) -> str:
    """A value as it may appear in a message: quoted if text, and short."""
    return _short(repr(value))


def _short(text: str, limit: int = 40) -> str:
    """Cut long text, so a pasted novel or a huge number does not flood the message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_ratings(instrument: Instrument, raw: Any, problems: list[tuple[str, str]]) -> dict[str, int]:
    """Every item present and on the scale; ids the instrument does not have are refused by name."""
    if raw is None:
        problems.append(("ratings", "missing: every statement needs a rating"))
        return {}
    if not isinstance(raw, Mapping):
        problems.append(("ratings", "must map each item id to a number"))
        return {}
    ratings: dict[str, int] = {}
    for item in instrument.items:
        if item.id not in raw:
            problems.append((item.id, "missing"))
            continue
        value, problem = _rating_value(raw[item.id], instrument.scale.min, instrument.scale.max)
        if problem:
            problems.append((item.id, problem))
        else:
            ratings[item.id] = value
    known = {item.id for item in instrument.items}
    problems += [
        (_short(str(key)), f"not a question of questionnaire version {instrument.version}")
        for key in raw
        if key not in known
    ]
    return ratings


def _rating_value(value: Any, low: int, high: int) -> tuple[int, str]:
    """The rating as an int, or a problem. Bools are refused: True is not a 1 someone chose."""
    whole_number = f"must be a whole number from {low} to {high}, got {_shown(value)}"
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        return 0, whole_number
    if not low <= value <= high:
        return 0, f"{value} is outside {low}-{high}"
    return value, ""


def _check_top_three(raw: Any, problems: list[tuple[str, str]]) -> tuple[Need, Need, Need]:
    """Exactly three different needs, in order of importance."""
    options = ", ".join(NEEDS)
    if raw is None:
        problems.append(("top_three", f"missing: pick and order three of {options}"))
        return _PLACEHOLDER
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        problems.append(("top_three", f"must be a list of three needs, got {_shown(raw)}"))
        return _PLACEHOLDER
    found = len(problems)
    if len(raw) != TOP_PICKS:
        problems.append(("top_three", f"pick exactly {TOP_PICKS} needs, got {len(raw)}"))
    unknown = [_shown(pick) for pick in raw if not (isinstance(pick, str) and pick in NEEDS)]
    if unknown:
        problems.append(("top_three", f"{', '.join(unknown)}: not a need (the needs are {options})"))
    repeated = sorted({str(p) for p in raw if isinstance(p, str) and p in NEEDS and raw.count(p) > 1})
    if repeated:
        problems.append(("top_three", f"{', '.join(map(repr, repeated))} chosen more than once"))
    if len(problems) > found:
        return _PLACEHOLDER
    return (Need(raw[0]), Need(raw[1]), Need(raw[2]))


_PLACEHOLDER = (Need.STATUS, Need.SECURITY, Need.EXPERTISE)


def _check_reflections(instrument: Instrument, raw: Any, problems: list[tuple[str, str]]) -> dict[str, str]:
    """Known reflection ids only; blank answers dropped, because every reflection is optional."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(("reflections", "must map each reflection id to text"))
        return {}
    known = {r.id for r in instrument.reflections}
    kept: dict[str, str] = {}
    for key, text in raw.items():
        where = f"reflections.{_short(str(key))}"
        if key not in known:
            problems.append((where, f"not a question of questionnaire version {instrument.version}"))
        elif _kept_text(where, text, MAX_REFLECTION_CHARS, problems) is not None:
            kept[key] = text
    return kept


def _check_life_stage(raw: Any, problems: list[tuple[str, str]]) -> str | None:
    """Self-described and optional: blank means not given."""
    return _kept_text("life_stage", raw, MAX_LIFE_STAGE_CHARS, problems)


def _kept_text(where: str, text: Any, limit: int, problems: list[tuple[str, str]]) -> str | None:
    """The text to keep exactly as typed; None when blank, missing or refused (refusals go to problems)."""
    if text is None:
        return None
    if not isinstance(text, str):
        problems.append((where, f"must be text, got {_shown(text)}"))
        return None
    if not text.strip():
        return None
    refused = text_problems(text, limit)
    problems += [(where, problem) for problem in refused]
    return None if refused else text
