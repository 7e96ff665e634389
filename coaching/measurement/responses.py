"""Turning raw answers into stored, scored responses: validate, score, store, in that order.

Nothing is written unless every answer in the batch is valid, so a bad answer never leaves half
a response behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.measurement.answers import validate_answers
from coaching.measurement.scoring import scale_scores
from coaching.store import NewResponse


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
    version = submission.instrument_version or aspire.current_instrument.version
    instrument = aspire.instruments[version]
    answers = validate_answers(instrument, submission.raw)
    return NewResponse(
        member_id=submission.member_id, wave_id=submission.wave_id, instrument_version=version, answers=answers,
        scores=scale_scores(instrument, answers), round_id=submission.round_id,
        submitted_at=submission.submitted_at or dt.datetime.now(dt.UTC), language=submission.language,
    )


def submit(aspire: Aspire, actor: Actor, submissions: Sequence[Submission]) -> list[int]:
    """Validate and score every submission, then store them all in one transaction."""
    prepared = [prepare(aspire, s) for s in submissions]
    return aspire.store.record_responses(actor, prepared)
