"""How reliably each scale of a questionnaire version measures, kept current as answers arrive.

One set of estimates per process (Aspire.shared): each is brought up to date from what changed since the
last one (ResponseRows.current_rating_sums), never by reading every response again.

An estimate is taken again once the version's responses have grown by REFRESH_SHARE of those it rests on,
or after any other change to responses (an erasure, a purge: what the estimate rests on must go with them),
not on every new response: one more response out of 12,000 moves alpha in the fourth decimal, while a new
estimate means reading its basis, rescoring every profile shown and a notice on the one-on-one page. Below
100 responses every new one is 1% or more, so small organisations see each at once. Whether to refresh is
told by write counts (Database.written_under), with no query on DuckDB and one on PostgreSQL. A refresh is
counted in this process (subjects.estimate), so remembered reads scored with the old estimate are redone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import Instrument
from coaching.measurement.response_rows import CurrentSums, ResponseRows
from coaching.measurement.scoring import (
    Profile,
    ScaleReliability,
    is_straight_line,
    reliability,
    reliability_from_sums,
    score_response,
)
from coaching.measurement.versions import instruments


def reliability_by_language(aspire: Aspire, version: int) -> dict[str, dict[str, ScaleReliability]]:
    """Reliability of one version per language it was answered in, for each language with enough responses.

    The same items in every language: a translation whose alpha falls behind measures less well. Straight-lined
    responses are left out, as from the version's own estimate: the same answer everywhere says nothing about
    how a scale's statements hang together, and the two tables sit side by side on one screen.
    """
    instrument = instruments(aspire)[version]
    readable = {language: [a for a in answers if not is_straight_line(a)]
                for language, answers in ResponseRows(aspire.db).answers_by_language(version).items()}
    return {language: reliability(instrument, answers) for language, answers in sorted(readable.items())
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
    """One version's reliability, kept until its responses have grown by REFRESH_SHARE or changed otherwise,
    with the responses already scored with it.

    One refresh at a time: callers that arrive while one runs wait for it, and use its result when it
    began after they asked, so a burst of submissions costs a refresh or two rather than one per person.
    """
    asked = time.monotonic_ns()
    written = aspire.db.written_under(subjects.version_responses(version))   # before reading: never too new
    kept = aspire.shared("reliability estimates", _Estimates)
    with kept.lock:
        known = kept.latest.get(version)
        if known is not None and (known.began > asked or known.holds(written)):
            return known
        began = time.monotonic_ns()
        instrument = instruments(aspire)[version]
        basis = ResponseRows(aspire.db).current_rating_sums(instrument, None if known is None else known.basis)
        if known is not None and basis.sums is known.basis.sums:
            fresh = Estimate(instrument, basis, known.table, began, written, known.scored)
        else:
            fresh = Estimate(instrument, basis, reliability_from_sums(instrument, basis.sums), began, written)
            if known is not None:       # what was scored with the one it replaces is redone; the first replaces none
                aspire.db.touched_here(subjects.estimate(version))
        kept.latest[version] = fresh
        return fresh


REFRESH_SHARE = 0.01    # new responses, as a share of those an estimate rests on, that make it be taken again


MAX_SCORED = 20_000   # profiles remembered per estimate (a few MB); past it, remembering starts over


@dataclass(frozen=True)
class Estimate:
    """One version's reliability as of a snapshot (monotonic ns when it was read), and what was scored with it.

    A stored response's answers never change, so its profile depends only on them and this table: each is
    scored once per estimate, not on every rerun of every screen that shows it. The remembered profiles go
    with the estimate as soon as responses of the version are erased or purged, so no profile outlives the
    response it came from by more than that.
    """

    instrument: Instrument
    basis: CurrentSums
    table: dict[str, ScaleReliability]
    began: int
    written: tuple[int, Hashable]       # the version's write counts when its basis was read (Database.written_under)
    scored: dict[int, Profile] = field(default_factory=dict)

    def holds(self, written: tuple[int, Hashable]) -> bool:
        """Still current at these write counts: nothing but new responses since, fewer than REFRESH_SHARE."""
        (arrived, elsewhere), (arrived_before, elsewhere_before) = written, self.written
        return elsewhere == elsewhere_before and arrived - arrived_before < REFRESH_SHARE * max(self.basis.sums.n, 1)

    def score(self, response_id: int, answers: Answers) -> Profile:
        """The profile of a stored response (`answers` are its stored answers), scored with this table."""
        found = self.scored.get(response_id)
        if found is None:
            if len(self.scored) >= MAX_SCORED:
                self.scored.clear()
            found = self.scored[response_id] = score_response(self.instrument, answers, self.table)
        return found
