"""How reliably each scale of a questionnaire version measures, kept current as answers arrive.

One set of estimates per process (Aspire.shared): each is brought up to date from what changed since the
last one (ResponseRows.current_rating_sums), never by reading every response again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from coaching.aspire import Aspire
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import Instrument
from coaching.measurement.response_rows import CurrentSums, ResponseRows
from coaching.measurement.scoring import Profile, ScaleReliability, reliability, reliability_from_sums, score_response
from coaching.measurement.versions import instruments


def reliability_by_language(aspire: Aspire, version: int) -> dict[str, dict[str, ScaleReliability]]:
    """Reliability of one version per language it was answered in, for each language with enough responses.

    The same items in every language: a translation whose alpha falls behind measures less well.
    """
    instrument = instruments(aspire)[version]
    return {language: reliability(instrument, answers)
            for language, answers in sorted(ResponseRows(aspire.db).answers_by_language(version).items())
            if len(answers) >= instrument.reliability.min_responses}


def scale_reliability(aspire: Aspire, version: int) -> dict[str, ScaleReliability]:
    """Reliability of one instrument version's scales over its current responses, as of this call."""
    return current_estimate(aspire, version).table


@dataclass
class _Estimates:
    """The latest estimate of each version, and the lock that lets one refresh run at a time."""

    latest: dict[int, Estimate] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def current_estimate(aspire: Aspire, version: int) -> Estimate:
    """One version's reliability as of this call, with the responses already scored with it.

    One refresh at a time: callers that arrive while one runs wait for it, and use its result when it
    began after they asked, so a burst of submissions costs a refresh or two rather than one per person.
    """
    asked = time.monotonic_ns()
    kept = aspire.shared("reliability estimates", _Estimates)
    with kept.lock:
        known = kept.latest.get(version)
        if known is not None and known.began > asked:
            return known
        began = time.monotonic_ns()
        instrument = instruments(aspire)[version]
        basis = ResponseRows(aspire.db).current_rating_sums(instrument, None if known is None else known.basis)
        if known is not None and basis.sums is known.basis.sums:
            fresh = Estimate(instrument, basis, known.table, began, known.scored)
        else:
            fresh = Estimate(instrument, basis, reliability_from_sums(instrument, basis.sums), began)
        kept.latest[version] = fresh
        return fresh


MAX_SCORED = 20_000   # profiles remembered per estimate (a few MB); past it, remembering starts over


@dataclass(frozen=True)
class Estimate:
    """One version's reliability as of a snapshot (monotonic ns when it was read), and what was scored with it.

    A stored response's answers never change, so its profile depends only on them and this table: each is
    scored once per estimate, not on every rerun of every screen that shows it. The remembered profiles go
    with the estimate as soon as any response of the version changes (a new answer, an erasure), so no
    profile outlives the response it came from by more than that.
    """

    instrument: Instrument
    basis: CurrentSums
    table: dict[str, ScaleReliability]
    began: int
    scored: dict[int, Profile] = field(default_factory=dict)

    def score(self, response_id: int, answers: Answers) -> Profile:
        """The profile of a stored response (`answers` are its stored answers), scored with this table."""
        found = self.scored.get(response_id)
        if found is None:
            if len(self.scored) >= MAX_SCORED:
                self.scored.clear()
            found = self.scored[response_id] = score_response(self.instrument, answers, self.table)
        return found
