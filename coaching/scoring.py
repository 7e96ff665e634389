"""Scores, reliability, quality flags, the primary aspiration and reliable change.

Pure functions on checked `Answers`: no I/O, standard library only, and every number is one a
manager can explain to the person scored ("the mean of your answers to these five statements,
put on a 0 to 100 scale"). A label is only given when the evidence is clear: a confident wrong
label misleads a coaching conversation more than an honest "these two are close".
"""

from __future__ import annotations

import math
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from coaching.answers import Answers
from coaching.instrument import Instrument, RatingItem
from coaching.needs import NEEDS, SCALES, Need

Z_95 = 1.96
LOW_SPREAD_SD = 0.5
TWIN_GAP = 3
ALPHA_ROUNDING = 1e-9


# ---- Scale scores -------------------------------------------------------------------------------


def item_value(instrument: Instrument, item: RatingItem, answers: Answers) -> int:
    """The value an answer counts as: reverse-worded items flipped, so agreeing always means 'needs more'."""
    raw = answers.ratings[item.id]
    return instrument.scale.flip(raw) if item.reverse else raw


def _percent(instrument: Instrument, scale: str, answers: Answers) -> float:
    """Unrounded 0-100 score of one scale: the mean flipped answer, placed between scale min and max."""
    values = [item_value(instrument, item, answers) for item in instrument.items_for(scale)]
    return _on_0_100(instrument, statistics.fmean(values))


def _on_0_100(instrument: Instrument, mean: float) -> float:
    """A mean flipped answer placed between the scale's minimum (0) and maximum (100)."""
    low, high = instrument.scale.min, instrument.scale.max
    return (mean - low) / (high - low) * 100


def scale_scores(instrument: Instrument, answers: Answers) -> dict[str, float]:
    """0-100 per scale (the five needs, then the security facets), rounded to one decimal.

    A scale without items in this instrument version is left out rather than scored as 0, so
    waves of different versions are only compared on what both measured.
    """
    return {
        scale: round(_percent(instrument, scale, answers), 1)
        for scale in SCALES
        if instrument.items_for(scale)
    }


# ---- Reliability --------------------------------------------------------------------------------


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of a respondents x items matrix, or None where it is undefined.

    alpha = k/(k-1) * (1 - sum of item variances / variance of the totals), sample variances.
    Undefined with fewer than two respondents, fewer than two items, or when every respondent
    has the same total (nothing to be consistent about).
    """
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise ValueError(f"every respondent needs the same number of items, got {sorted(widths)}")
    k = widths.pop() if widths else 0
    if len(rows) < 2 or k < 2:
        return None
    total_variance = statistics.variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    item_variance = sum(statistics.variance([row[j] for row in rows]) for j in range(k))
    return k / (k - 1) * (1 - item_variance / total_variance)


@dataclass(frozen=True)
class ScaleReliability:
    """How precisely one scale measures: alpha, the spread of its 0-100 scores, and their SEM.

    ``estimated`` is False when the instrument's stated defaults were used instead of responses.
    """

    scale: str
    n: int
    alpha: float
    sd: float
    sem: float
    estimated: bool


def reliability(instrument: Instrument, responses: Sequence[Answers]) -> dict[str, ScaleReliability]:
    """Reliability of every scale over the responses to this one instrument version.

    With at least ``instrument.reliability.min_responses`` responses, alpha (on flipped values)
    and the SD of the 0-100 scores are estimated from them. With fewer, or when the estimated
    alpha is undefined or negative (items that do not hang together give no usable error
    estimate), or exactly 1 (a SEM of 0 would claim perfect measurement and make every wiggle
    "clear"), the instrument's default alpha and SD are used and ``estimated`` is False.
    SEM = SD * sqrt(1 - alpha).
    """
    return {scale: _scale_reliability(instrument, scale, responses) for scale in SCALES}


def _usable(alpha: float | None) -> bool:
    """An estimated alpha that gives a meaningful SEM: defined, not negative, and below 1.

    Alpha cannot exceed 1; a value at 1 (or a hair above, from float rounding) means every item
    moved in lockstep, which real answers never do and which would make the SEM 0.
    """
    return alpha is not None and 0 <= alpha < 1 - ALPHA_ROUNDING


def _scale_reliability(instrument: Instrument, scale: str, responses: Sequence[Answers]) -> ScaleReliability:
    items = instrument.items_for(scale)
    if len(responses) < instrument.reliability.min_responses or not items:
        return _judged(instrument, scale, len(responses), None, lambda: 0.0)
    rows = [[item_value(instrument, item, answers) for item in items] for answers in responses]
    return _judged(instrument, scale, len(responses), cronbach_alpha(rows),
                   lambda: statistics.stdev(_percent(instrument, scale, answers) for answers in responses))


def _judged(instrument: Instrument, scale: str, n: int, alpha: float | None,
            sd: Callable[[], float]) -> ScaleReliability:
    """The estimate when `alpha` is usable (only then is the SD computed), else the instrument's stated defaults.

    Callers pass no alpha below the instrument's minimum number of responses.
    """
    if _usable(alpha):
        spread = sd()
        return ScaleReliability(scale=scale, n=n, alpha=alpha, sd=spread, sem=spread * math.sqrt(1 - alpha),
                                estimated=True)
    defaults = instrument.reliability
    return ScaleReliability(scale=scale, n=n, alpha=defaults.default_alpha, sd=defaults.default_sd,
                            sem=defaults.default_sd * math.sqrt(1 - defaults.default_alpha), estimated=False)


@dataclass(frozen=True)
class RatingSums:
    """All that reliability needs from a set of responses to one instrument version: sums that add and subtract.

    Per (scale, item id): the sum and the sum of squares of the item's flipped values. Per (scale, total):
    how many responses reached that total of the scale's flipped values. When a few responses join or
    leave the set, the new sums are the old ones plus theirs, or minus theirs: no other response is read.
    """

    n: int = 0
    items: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    totals: Mapping[tuple[str, int], int] = field(default_factory=dict)

    def __add__(self, other: RatingSums) -> RatingSums:
        return self._combined(other, 1)

    def __sub__(self, other: RatingSums) -> RatingSums:
        return self._combined(other, -1)

    def _combined(self, other: RatingSums, sign: int) -> RatingSums:
        items = dict(self.items)
        for key, (total, squares) in other.items.items():
            mine = items.get(key, (0, 0))
            items[key] = (mine[0] + sign * total, mine[1] + sign * squares)
        totals = Counter(self.totals)
        totals.update({key: sign * count for key, count in other.totals.items()})
        return RatingSums(n=self.n + sign * other.n, items=items, totals={k: c for k, c in totals.items() if c})


def reliability_from_sums(instrument: Instrument, sums: RatingSums) -> dict[str, ScaleReliability]:
    """Exactly `reliability` over the responses the sums were taken from, to the last bit, without reading them.

    Variances come from integer sums as exact fractions, rounded once, as `statistics.variance` rounds
    them; the SD of the 0-100 scores comes from how many responses reached each total, as an exact
    fraction with one correctly rounded square root, as `statistics.stdev` computes it.
    """
    return {scale: _reliability_from_sums(instrument, scale, sums) for scale in SCALES}


def _reliability_from_sums(instrument: Instrument, scale: str, sums: RatingSums) -> ScaleReliability:
    items = instrument.items_for(scale)
    if sums.n < instrument.reliability.min_responses or not items:
        return _judged(instrument, scale, sums.n, None, lambda: 0.0)
    totals = {total: count for (of, total), count in sums.totals.items() if of == scale}
    return _judged(instrument, scale, sums.n, _alpha_from_sums(sums, scale, [i.id for i in items], totals),
                   lambda: _score_sd(instrument, len(items), sums.n, totals))


def _alpha_from_sums(sums: RatingSums, scale: str, item_ids: list[str], totals: Mapping[int, int]) -> float | None:
    """`cronbach_alpha` of the scale's respondents x items matrix, from its sums (same operations, same order)."""
    k, n = len(item_ids), sums.n
    if n < 2 or k < 2:
        return None
    total_variance = _variance(n, sum(c * t for t, c in totals.items()), sum(c * t * t for t, c in totals.items()))
    if total_variance == 0:
        return None
    item_variance = sum(_variance(n, *sums.items[scale, item]) for item in item_ids)
    return k / (k - 1) * (1 - item_variance / total_variance)


def _variance(n: int, total: int, squares: int) -> float:
    """Sample variance of n integers from their sum and sum of squares: exact, then rounded once."""
    return float(Fraction(n * squares - total * total, n * (n - 1)))


def _score_sd(instrument: Instrument, k: int, n: int, totals: Mapping[int, int]) -> float:
    """Sample SD of the 0-100 scores of responses reaching each total (of k items) that many times.

    Each score is the same float `_percent` gives. Their variance is exact: every float is an integer over a
    power of two, so over the largest of those denominators all sums are of integers.
    """
    ratios = [(_on_0_100(instrument, total / k).as_integer_ratio(), count) for total, count in totals.items()]
    unit = max(den for (_, den), _ in ratios)
    scaled = [(num * (unit // den), count) for (num, den), count in ratios]
    total = sum(count * x for x, count in scaled)
    squares = sum(count * x * x for x, count in scaled)
    return _sqrt_of_fraction(Fraction(n * squares - total * total, n * (n - 1) * unit * unit))


_ROOT_BITS = 2 * sys.float_info.mant_dig + 3


def _sqrt_of_fraction(value: Fraction) -> float:
    """The square root of an exact fraction, correctly rounded to a float (as `statistics.stdev` rounds it).

    The integer square root of the value scaled by a power of 4, with the last bit set when inexact
    (round-to-odd), carries enough bits for the one final rounding to be the correct one.
    """
    n, m = value.numerator, value.denominator
    shift = (n.bit_length() - m.bit_length() - _ROOT_BITS) // 2
    if shift >= 0:
        return float(_root_rounded_to_odd(n, m << 2 * shift) << shift)
    return _root_rounded_to_odd(n << -2 * shift, m) / (1 << -shift)


def _root_rounded_to_odd(n: int, m: int) -> int:
    root = math.isqrt(n // m)
    return root | (root * root * m != n)


# ---- Quality flags ------------------------------------------------------------------------------


class FlagKind(StrEnum):
    STRAIGHT_LINE = "straight_line"
    LOW_SPREAD = "low_spread"
    TWIN_CONTRADICTION = "twin_contradiction"


@dataclass(frozen=True)
class QualityFlag:
    """Something in one response a manager should ask about before reading the scores.

    ``items`` names the rating items concerned (the twin pair), empty for whole-response flags.
    """

    kind: FlagKind
    detail: str
    items: tuple[str, ...] = ()


def quality_flags(instrument: Instrument, answers: Answers) -> list[QualityFlag]:
    """Straight-lining, very low spread, and reverse items contradicting their twins.

    A straight line at "strongly agree" also contradicts every twin; those flags are left out
    then, because the one straight-line flag already says the ratings cannot be read.
    """
    values = [answers.ratings[item.id] for item in instrument.items]
    if len(set(values)) == 1:
        label = instrument.scale.labels[values[0] - instrument.scale.min]
        return [
            QualityFlag(
                FlagKind.STRAIGHT_LINE,
                f'Every statement got the same answer ({values[0]}, "{label}"). '
                "The scores may say little: talk about the answers before reading them.",
            )
        ]
    flags = []
    spread = statistics.pstdev(values)
    if spread < LOW_SPREAD_SD:
        flags.append(
            QualityFlag(
                FlagKind.LOW_SPREAD,
                f"Almost every statement got the same answer (spread {spread:.2f} points). "
                "The differences between needs are small: ask what matters most before reading the scores.",
            )
        )
    return flags + [
        flag
        for forward, reverse in instrument.twins
        if (flag := _twin_flag(instrument, answers, forward, reverse))
    ]


def _twin_flag(
    instrument: Instrument, answers: Answers, forward: RatingItem, reverse: RatingItem
) -> QualityFlag | None:
    """A flag when a reverse item, flipped, lands far from its forward twin (e.g. agreeing with both)."""
    gap = abs(answers.ratings[forward.id] - item_value(instrument, reverse, answers))
    if gap < TWIN_GAP:
        return None
    labels = instrument.scale.labels
    low = instrument.scale.min

    def said(item: RatingItem) -> str:
        return f'"{item.text}" ({item.id}): {labels[answers.ratings[item.id] - low].lower()}'

    return QualityFlag(
        FlagKind.TWIN_CONTRADICTION,
        f"Two statements that say opposite things got answers that do not fit together. "
        f"{said(forward)}; {said(reverse)}. Ask which is closer to the truth.",
        items=(forward.id, reverse.id),
    )


# ---- Profile and primary aspiration -------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """One response, scored: what the person can be told, and what the manager should ask about.

    ``clear_lead`` says whether the top-rated need leads the second beyond measurement error,
    whatever the forced choice says.
    """

    scores: dict[str, float]
    choice: tuple[Need, Need, Need]
    primary: Need | None
    close_needs: tuple[Need, ...]
    disagreement: bool
    flags: tuple[QualityFlag, ...]
    clear_lead: bool

    @property
    def reading(self) -> str:
        """One or two plain sentences on what the scores say, for the person scored."""
        return describe(self)


def score_response(
    instrument: Instrument, answers: Answers, reliability: Mapping[str, ScaleReliability]
) -> Profile:
    """Score one response; the reliability of this instrument version decides what counts as 'clear'."""
    scores = scale_scores(instrument, answers)
    choice = answers.top_three
    sems = {need: reliability[need].sem for need in NEEDS}
    primary, close = primary_aspiration(scores, choice, sems)
    return Profile(
        scores=scores,
        choice=choice,
        primary=primary,
        close_needs=close,
        disagreement=rank_needs(scores, choice)[0] not in choice,
        flags=tuple(quality_flags(instrument, answers)),
        clear_lead=lead_is_clear(scores, choice, sems),
    )


def rank_needs(scores: Mapping[str, float], choice: Sequence[Need]) -> list[Need]:
    """The five needs, highest score first; ties go to the need picked earlier, then to Need order."""

    def key(need: Need) -> tuple[float, int, int]:
        picked = choice.index(need) if need in choice else len(choice)
        return (-scores[need], picked, NEEDS.index(need))

    return sorted(NEEDS, key=key)


def difference_margin(sem_a: float, sem_b: float) -> float:
    """How far apart two scores must be before the gap is unlikely to be measurement error (95%).

    1.96 times the standard error of a difference of two scores, sqrt(sem_a^2 + sem_b^2).
    """
    return Z_95 * math.hypot(sem_a, sem_b)


def _within_margin(scores: Mapping[str, float], sems: Mapping[Need, float], top: Need, need: Need) -> bool:
    return scores[top] - scores[need] <= difference_margin(sems[top], sems[need])


def lead_is_clear(scores: Mapping[str, float], choice: Sequence[Need], sems: Mapping[Need, float]) -> bool:
    """Whether the top-rated need leads the second by more than measurement error makes likely."""
    top, second = rank_needs(scores, choice)[:2]
    return not _within_margin(scores, sems, top, second)


def primary_aspiration(
    scores: Mapping[str, float], choice: Sequence[Need], sems: Mapping[Need, float]
) -> tuple[Need | None, tuple[Need, ...]]:
    """The primary aspiration, or None with the needs too close to separate from the top one.

    Rule (DOMAIN.md): rank the five need scores (facets do not count), ties broken by the forced
    choice order and then Need order. The top need is primary only when it leads the second by
    MORE than 1.96 * sqrt(SEM_top^2 + SEM_second^2) (the 95% margin for a difference of two
    scores) AND the person also picked it first. Otherwise there is no primary:
      - lead clear but a different first pick: the close needs are (top-rated, first pick);
      - lead not clear: the top need plus every need whose score is within the margin of the
        top score, each pair's margin from its own SEMs, in ranking order.
    """
    ranking = rank_needs(scores, choice)
    top = ranking[0]
    if lead_is_clear(scores, choice, sems):
        return (top, ()) if choice[0] == top else (None, (top, choice[0]))
    return None, (top, *(need for need in ranking[1:] if _within_margin(scores, sems, top, need)))


def describe(profile: Profile) -> str:
    """The profile in one or two sentences a person can read without a statistics course."""
    first = _lead_sentence(profile)
    if not profile.disagreement:
        return first
    top = rank_needs(profile.scores, profile.choice)[0]
    return (
        f"{first} Your highest-rated need, {top.label.lower()}, is not among the three you chose: "
        "a good thing to talk about."
    )


def _lead_sentence(profile: Profile) -> str:
    if profile.primary is not None:
        need = profile.primary
        return (
            f"Your clearest need is {need.label.lower()} ({profile.scores[need]:.0f} of 100): "
            "your ratings put it clearly ahead of the others and you also chose it first."
        )
    if profile.clear_lead:
        rated, chosen = profile.close_needs
        return (
            f"Your ratings put {rated.label.lower()} clearly first, but when choosing you put "
            f"{chosen.label.lower()} first: which matters more to you right now?"
        )
    names = [need.label.lower() for need in profile.close_needs]
    joined = ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"{joined[0].upper()}{joined[1:]} are too close to call: the differences between them are "
        "within the questionnaire's margin of error."
    )


# ---- Change over time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One scale's move between two waves, and whether it is larger than measurement error allows."""

    scale: str
    before: float
    after: float
    rci: float
    reliable: bool


def reliable_change(scale: str, before: float, after: float, sem: float) -> Change:
    """Jacobson and Truax (1991): RCI = (after - before) / (sqrt(2) * SEM); reliable beyond +/-1.96.

    Small wiggles are not news: a move counts only when it is unlikely to be measurement error.
    """
    if sem <= 0:
        raise ValueError(f"scale '{scale}': the standard error of measurement must be positive, got {sem}")
    rci = (after - before) / (math.sqrt(2) * sem)
    return Change(scale=scale, before=before, after=after, rci=rci, reliable=abs(rci) > Z_95)


def changes_between(
    first: Mapping[str, float], second: Mapping[str, float], reliability: Mapping[str, ScaleReliability]
) -> list[Change]:
    """Reliable change on every scale both waves scored, in SCALES order.

    Waves answered on different instrument versions share only some scales; the others are not
    compared. ``reliability`` must cover every shared scale.
    """
    shared = [scale for scale in SCALES if scale in first and scale in second]
    return [reliable_change(s, first[s], second[s], reliability[s].sem) for s in shared]
