"""Turning raw answers into stored, scored responses: validate, score, store, in that order; and the waves.

Nothing is written unless every answer in the batch is valid, so a bad answer never leaves half
a response behind. `record_responses` is the one way a response is stored: a respondent only for themselves,
the system (demo, bulk import, benchmarks) for anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coaching.aspire import Aspire
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.measurement.answers import validate_answers
from coaching.measurement.response_rows import NewResponse, ResponseRows, Wave
from coaching.measurement.scoring import scale_scores
from coaching.measurement.versions import current_instrument, instruments


@dataclass(frozen=True)
class Submission:
    """Raw answers of one member for one wave, as they arrive from a form, a file or a generator."""

    member_id: int
    wave_id: int
    raw: Mapping[str, Any]
    instrument_version: int | None = None
    submitted_at: dt.datetime | None = None
    round_id: int | None = None
    language: str = "en"


def prepare(aspire: Aspire, submission: Submission) -> NewResponse:
    """Validate and score one submission (AnswerError names every problem); nothing is stored."""
    version = submission.instrument_version or current_instrument(aspire).version
    instrument = instruments(aspire)[version]
    answers = validate_answers(instrument, submission.raw)
    return NewResponse(
        member_id=submission.member_id, wave_id=submission.wave_id, instrument_version=version, answers=answers,
        scores=scale_scores(instrument, answers), round_id=submission.round_id,
        submitted_at=submission.submitted_at or dt.datetime.now(dt.UTC), language=submission.language,
    )


def submit(aspire: Aspire, actor: Actor, submissions: Sequence[Submission]) -> list[int]:
    """Validate and score every submission, then store them all in one transaction."""
    return record_responses(aspire, actor, [prepare(aspire, s) for s in submissions])


def record_responses(aspire: Aspire, actor: Actor, responses: Sequence[NewResponse]) -> list[int]:
    """Store prepared submissions in one transaction; each becomes its member's current one for its wave."""
    if not isinstance(actor, Actor):
        raise PermissionDenied("nobody is logged in")
    if actor.role is Role.RESPONDENT and any(r.member_id != actor.id for r in responses):
        raise PermissionDenied("a respondent answers only for themselves")
    if actor.role not in (Role.RESPONDENT, Role.SYSTEM):
        raise PermissionDenied("only the respondent submits answers")
    return ResponseRows(aspire.db).insert(responses)


def list_waves(aspire: Aspire) -> list[Wave]:
    """Every wave, oldest first; kept until a write touches the waves."""
    return ResponseRows(aspire.db).waves()


def ensure_wave(aspire: Aspire, name: str, starts_on: dt.date) -> int:
    """The id of the wave of this name, made (starting on `starts_on`) when there is none yet."""
    return ResponseRows(aspire.db).ensure_wave(name, starts_on)
