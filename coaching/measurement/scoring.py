"""Scores, reliability, quality flags, the primary aspiration and reliable change.

Pure functions on checked `Answers`: no I/O, and every number is one a
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
from statistics import NormalDist
from typing import TypeGuard

import numpy as np

from coaching import i18n
from coaching.core.needs import NEEDS, SCALES, Need
from coaching.i18n import Texts
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import Instrument, RatingItem

LOW_SPREAD_SD = 0.5
INCONSISTENT_LINE = 0.75
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


def _usable(alpha: float | None) -> TypeGuard[float]:
    """An estimated alpha that gives a meaningful SEM: defined, not negative, and below 1.

    Alpha cannot exceed 1; a value at 1 (or a hair above, from float rounding) means every item
    moved in lockstep, which real answers never do and which would make the SEM 0.
    """
    return alpha is not None and 0 <= alpha < 1 - ALPHA_ROUNDING


def _scale_reliability(instrument: Instrument, scale: str, responses: Sequence[Answers]) -> ScaleReliability:
    items = instrument.items_for(scale)
    if len(responses) < instrument.reliability.min_responses or not items:
        return _judged(instrument, scale, len(responses), None, lambda: 0.0)

    def rows_of(of: str) -> list[list[int]]:
        return [[item_value(instrument, item, answers) for item in instrument.items_for(of)] for answers in responses]

    def total_variance(of: str) -> float:
        return statistics.variance([sum(row) for row in rows_of(of)])

    strata = _strata(instrument, scale)
    alpha = (_stratified(total_variance(scale), [(total_variance(f), cronbach_alpha(rows_of(f))) for f in strata])
             if strata else cronbach_alpha(rows_of(scale)))
    return _judged(instrument, scale, len(responses), alpha,
                   lambda: statistics.stdev(_percent(instrument, scale, answers) for answers in responses))


def _strata(instrument: Instrument, scale: str) -> list[str]:
    """The facet scales a need is made of (financial security: stability and pay); empty for a one-facet need.

    Plain alpha treats all of a need's items as one kind; over two facets that correlate less with each other
    than within themselves it underestimates reliability (and overstates the SEM, by about 40% for security).
    """
    if scale not in NEEDS:
        return []
    return list(dict.fromkeys(item.facet.scale for item in instrument.items_for(scale) if item.facet is not None))


def _stratified(total_variance: float, strata: Sequence[tuple[float, float | None]]) -> float | None:
    """Stratified alpha (Cronbach, Schoenemann and McKie 1965): 1 - sum var_f (1 - alpha_f) / var_total.

    Each stratum is (the variance of its totals, its own alpha); undefined when any of those is.
    """
    defined = [(variance, alpha) for variance, alpha in strata if alpha is not None]
    if total_variance == 0 or len(defined) < len(strata):
        return None
    return 1 - sum(variance * (1 - alpha) for variance, alpha in defined) / total_variance


def _judged(instrument: Instrument, scale: str, n: int, alpha: float | None,
            sd: Callable[[], float]) -> ScaleReliability:
    """The estimate when `alpha` is usable (only then is the SD computed), else the scale's stated defaults.

    Callers pass no alpha below the instrument's minimum number of responses. The defaults are per scale:
    the instrument's stated alpha and SD, carried to the scale's number of statements (Spearman-Brown).
    """
    if _usable(alpha):
        spread = sd()
        return ScaleReliability(scale=scale, n=n, alpha=alpha, sd=spread, sem=spread * math.sqrt(1 - alpha),
                                estimated=True)
    default_alpha, default_sd = instrument.reliability.for_items(max(1, len(instrument.items_for(scale))))
    return ScaleReliability(scale=scale, n=n, alpha=default_alpha, sd=default_sd,
                            sem=default_sd * math.sqrt(1 - default_alpha), estimated=False)


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

    def totals_of(of: str) -> dict[int, int]:
        return {total: count for (named, total), count in sums.totals.items() if named == of}

    def alpha_of(of: str) -> float | None:
        return _alpha_from_sums(sums, of, [i.id for i in instrument.items_for(of)], totals_of(of))

    strata = _strata(instrument, scale)
    alpha = (_stratified(_total_variance(sums.n, totals_of(scale)),
                         [(_total_variance(sums.n, totals_of(f)), alpha_of(f)) for f in strata])
             if strata else alpha_of(scale))
    return _judged(instrument, scale, sums.n, alpha,
                   lambda: _score_sd(instrument, len(items), sums.n, totals_of(scale)))


def _total_variance(n: int, totals: Mapping[int, int]) -> float:
    """Sample variance of the responses' totals, from how many reached each total."""
    return _variance(n, sum(c * t for t, c in totals.items()), sum(c * t * t for t, c in totals.items()))


def _alpha_from_sums(sums: RatingSums, scale: str, item_ids: list[str], totals: Mapping[int, int]) -> float | None:
    """`cronbach_alpha` of the scale's respondents x items matrix, from its sums (same operations, same order)."""
    k, n = len(item_ids), sums.n
    if n < 2 or k < 2:
        return None
    total_variance = _total_variance(n, totals)
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
    INCONSISTENT = "inconsistent"
    TWIN_CONTRADICTION = "twin_contradiction"


@dataclass(frozen=True)
class QualityFlag:
    """Something in one response a manager should ask about before reading the scores.

    ``items`` names the rating items concerned (the twin pair), empty for whole-response flags.
    """

    kind: FlagKind
    detail: str
    items: tuple[str, ...] = ()


def is_straight_line(answers: Answers) -> bool:
    """Every statement got the same answer: the ratings carry no information about any need."""
    return len(set(answers.ratings.values())) == 1


def inconsistency(instrument: Instrument, answers: Answers) -> float:
    """How far apart a person's answers to statements of the same need lie, against answering at random.

    The within-need variance of the flipped answers, pooled over the five needs (each need's sum of squared
    deviations from its own mean, over the total degrees of freedom), divided by the variance of an answer
    picked uniformly at random from the scale ((points^2 - 1) / 12): about 1 for random answering whatever
    the scale's length, about 0.3 for honest answers with the usual day-to-day noise. Unlike a twin pair, it
    reads every statement, and unlike the spread of the answers, it does not mistake an even profile of
    needs for carelessness.
    """
    squares, freedom = 0.0, 0
    for need in NEEDS:
        values = [item_value(instrument, item, answers) for item in instrument.items_for(need)]
        mean = statistics.fmean(values)
        squares += sum((v - mean) ** 2 for v in values)
        freedom += len(values) - 1
    points = instrument.scale.max - instrument.scale.min + 1
    return squares / freedom / ((points * points - 1) / 12)


def quality_flags(instrument: Instrument, answers: Answers) -> list[QualityFlag]:
    """Straight-lining, very low spread, inconsistent answers within needs, and twins answered alike.

    A straight line also contradicts every twin; those flags are left out then, because the one
    straight-line flag already says the ratings cannot be read. Thresholds (INCONSISTENT_LINE, the full
    twin gap) were calibrated with bench/quality.py so that at most 5% of honest answerers are flagged
    while at least 90% of random answerers are (bench/QUALITY.md). A flag never changes a score.
    """
    if is_straight_line(answers):
        value = next(iter(answers.ratings.values()))
        label = instrument.scale.labels[value - instrument.scale.min]
        return [
            QualityFlag(
                FlagKind.STRAIGHT_LINE,
                f'Every statement got the same answer ({value}, "{label}"). '
                "The scores may say little: talk about the answers before reading them.",
            )
        ]
    flags = []
    values = [answers.ratings[item.id] for item in instrument.items]
    spread = statistics.pstdev(values)
    if spread < LOW_SPREAD_SD:
        flags.append(
            QualityFlag(
                FlagKind.LOW_SPREAD,
                f"Almost every statement got the same answer (spread {spread:.2f} points). "
                "The differences between needs are small: ask what matters most before reading the scores.",
            )
        )
    if inconsistency(instrument, answers) >= INCONSISTENT_LINE:
        flags.append(
            QualityFlag(
                FlagKind.INCONSISTENT,
                "Statements about the same need got answers about as far apart as answers picked at random. "
                "The scores may say little: ask how the questionnaire was answered before reading them.",
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
    """A flag when a statement and its opposite got the same extreme answer (both strongly agreed, or refused).

    Only the full gap counts: a gap one point short of it is common in honest answers (one in fourteen
    honest people had one on version 1 at the usual noise), so it is not evidence of carelessness alone.
    """
    gap = abs(answers.ratings[forward.id] - item_value(instrument, reverse, answers))
    if gap < instrument.scale.max - instrument.scale.min:
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

    ``chances`` is how likely each need is the person's highest, given the ratings with each scale's error
    and the forced choice (`top_chances`). ``primary`` is named when the highest chance reaches
    PRIMARY_CHANCE; otherwise ``close_needs`` holds the two or three needs the answers cannot separate, most
    likely first. ``clear_lead`` says whether the ratings alone name the top-rated need, whatever the forced
    choice says.
    """

    scores: dict[str, float]
    choice: tuple[Need, Need, Need]
    primary: Need | None
    close_needs: tuple[Need, ...]
    disagreement: bool
    flags: tuple[QualityFlag, ...]
    clear_lead: bool
    chances: Mapping[Need, float] = field(default_factory=dict)

    @property
    def reading(self) -> str:
        """One or two plain sentences on what the scores say, for the person scored."""
        return describe(self)

    @property
    def judgement(self) -> str:
        """The same judgement as `reading`, told to the manager: the label, and why, in plain words."""
        if self.primary is not None:
            chance = in_words(self.chances[self.primary]) if self.primary in self.chances else "high"
            return (f"{self.label} is their primary aspiration: the chance that it is their highest need, from "
                    f"their ratings and their choices, is {chance}.")
        if self.clear_lead and self.close_needs[1] == self.choice[0]:
            rated, chosen = self.close_needs
            return (f"{self.label}: their ratings put {rated.label.lower()} clearly first, but they chose "
                    f"{chosen.label.lower()} first. Ask which matters more now.")
        return f"{self.label}: their answers cannot separate them. Ask which matters more now."

    @property
    def counted_primary(self) -> Need | None:
        """The need this person counts for in a team's or the organisation's figures: their primary aspiration,
        when the scoring names one and the answers carry no quality flag. A tie, close needs or answers to check
        first count for no need: a count is read without the caveats a person's own page shows beside it."""
        return self.primary if not self.flags else None

    @property
    def label(self) -> str:
        """The judgement in a few words, the same wherever it is shown: "Autonomy", "Balance or autonomy"."""
        if self.primary is not None:
            return self.primary.label
        return joined([n.label.lower() for n in self.close_needs], "or").capitalize()


def score_response(
    instrument: Instrument, answers: Answers, reliability: Mapping[str, ScaleReliability]
) -> Profile:
    """Score one response; the reliability of this instrument version decides what counts as 'clear'."""
    scores = scale_scores(instrument, answers)
    choice = answers.top_three
    primary, close, chances, clear = primary_aspiration(scores, choice, reliability)
    return Profile(
        scores=scores,
        choice=choice,
        primary=primary,
        close_needs=close,
        disagreement=rank_needs(scores, choice)[0] not in choice,
        flags=tuple(quality_flags(instrument, answers)),
        clear_lead=clear,
        chances=chances,
    )


def rank_needs(scores: Mapping[str, float], choice: Sequence[Need]) -> list[Need]:
    """The five needs, highest score first; ties go to the need picked earlier, then to Need order."""

    def key(need: Need) -> tuple[float, int, int]:
        picked = choice.index(need) if need in choice else len(choice)
        return (-scores[need], picked, NEEDS.index(need))

    return sorted(NEEDS, key=key)


#: Name a primary when the chance that it is the person's highest need is at least this. Calibrated with
#: bench/quality.py on simulated people whose true needs are known: at item noise 0.7 SD the named need is
#: the true top need for at least 95% of those named (bench/QUALITY.md has the figures).
PRIMARY_CHANCE = 0.87
#: The forced choice read as a second, noisier ranking of the same needs: a Plackett-Luce choice over the
#: true scores with this noise, in units of a need's score SD (calibrated on simulation like PRIMARY_CHANCE).
CHOICE_NOISE = 0.6
#: A third candidate is named beside the first two when those two together are less likely than this.
TWO_CANDIDATES = 0.8
_DRAW_COUNT = 2048
_DRAWS = np.random.default_rng(20261201).standard_normal((_DRAW_COUNT, len(NEEDS)))
_DRAWS = np.concatenate([_DRAWS, -_DRAWS])      # antithetic: the draws' mean is exactly 0


def top_chances(scores: Mapping[str, float], reliability: Mapping[str, ScaleReliability],
                choice: Sequence[Need] = ()) -> dict[Need, float]:
    """How likely each need is the person's highest, from the ratings and (when given) the forced choice.

    The true score of each need is taken as normal around the observed score with the scale's SEM (a flat
    prior: the person is compared with themselves, not with others). The forced choice, when given, weighs
    each possible set of true scores by how likely that order of picks is under a Plackett-Luce model with
    noise CHOICE_NOISE x the needs' mean score SD. The integral is a fixed set of 4,096 antithetic normal
    draws, so the same answers always give the same chances, to the last bit.
    """
    return _chances(scores, reliability, choice)[0]


def _chances(scores: Mapping[str, float], reliability: Mapping[str, ScaleReliability],
             choice: Sequence[Need]) -> tuple[dict[Need, float], dict[Need, float]]:
    """(chances with the forced choice, chances from the ratings alone): one set of draws serves both."""
    true = np.array([scores[n] for n in NEEDS]) + _DRAWS * np.array([reliability[n].sem for n in NEEDS])
    top = np.argmax(true, axis=1)
    rated = np.bincount(top, minlength=len(NEEDS)) / len(true)
    weight = np.ones(len(true))
    if choice:
        weight = _choice_likelihood(true / (CHOICE_NOISE * statistics.fmean(reliability[n].sd for n in NEEDS)),
                                    [NEEDS.index(need) for need in choice])
    chosen = np.bincount(top, weights=weight, minlength=len(NEEDS)) / weight.sum()
    return ({need: float(chosen[k]) for k, need in enumerate(NEEDS)},
            {need: float(rated[k]) for k, need in enumerate(NEEDS)})


def _choice_likelihood(utility: np.ndarray, picks: Sequence[int]) -> np.ndarray:
    """Each draw's Plackett-Luce likelihood of the picks in order, scaled so the likeliest draw weighs 1.

    A pick's probability is exp(its utility) over the sum of exp(utility) of the needs not yet picked. That sum
    is built in logarithms, need by need from the last left to the pick (np.logaddexp), never by subtracting a
    picked need from a running total: a precise scale (a small SD) puts utilities hundreds apart, and
    1 + 1e-58 - 1 is 0 in floating point, which gave 0/0 chances for a person whose second pick was far below
    their first.
    """
    ordered = utility.T[[*picks, *(k for k in range(utility.shape[1]) if k not in picks)]]
    left = np.full(utility.shape[0], -np.inf)      # log of the sum of exp(utility) over the needs from `place` on
    log_weight = np.zeros(utility.shape[0])
    for place in range(len(ordered) - 1, -1, -1):
        left = np.logaddexp(ordered[place], left)
        if place < len(picks):
            log_weight += ordered[place] - left
    return np.exp(log_weight - log_weight.max())


def primary_aspiration(
    scores: Mapping[str, float], choice: Sequence[Need], reliability: Mapping[str, ScaleReliability]
) -> tuple[Need | None, tuple[Need, ...], dict[Need, float], bool]:
    """(primary or None, the needs that cannot be separated, each need's chance of being highest, clear lead).

    Rule (DOMAIN.md, README "How answers are scored"): the five need scores (facets do not count) with
    their SEMs, and the forced choice, give each need's chance of being the person's highest
    (`top_chances`). The most likely need is primary when its chance is at least PRIMARY_CHANCE. Otherwise:
      - the ratings alone name the top-rated need (its chance without the choice reaches PRIMARY_CHANCE)
        but the person picked another first: the close needs are (top-rated, first pick);
      - else the two most likely needs, and a third when those two together are below TWO_CANDIDATES,
        most likely first (ties: the ranking's order). Never more than three.
    """
    ranking = rank_needs(scores, choice)
    chances, rated = _chances(scores, reliability, choice)
    clear = rated[ranking[0]] >= PRIMARY_CHANCE
    order = sorted(NEEDS, key=lambda n: (-chances[n], ranking.index(n)))
    if chances[order[0]] >= PRIMARY_CHANCE:
        return order[0], (), chances, clear
    if clear and choice[0] != ranking[0]:
        return None, (ranking[0], choice[0]), chances, clear
    count = 2 if chances[order[0]] + chances[order[1]] >= TWO_CANDIDATES else 3
    return None, tuple(order[:count]), chances, clear


def joined(words: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'; with conjunction "or", 'a, b or c'. Every list in Aspire's English words."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def in_words(chance: float) -> str:
    """A chance as a person without a statistics course reads it: 'about 7 in 10', 'more than 9 in 10'."""
    if chance >= 0.95:
        return "more than 9 in 10"
    if chance < 0.05:
        return "less than 1 in 10"
    return f"about {round(chance * 10)} in 10"


def describe(profile: Profile, texts: Texts | None = None) -> str:
    """The profile in one or two sentences a person can read without a statistics course, in `texts`' language."""
    texts = texts or i18n.texts(i18n.DEFAULT)
    first = _lead_sentence(profile, texts)
    if not profile.disagreement:
        return first
    top = rank_needs(profile.scores, profile.choice)[0]
    return f"{first} {texts('reading.not_chosen', need=texts.named(top))}"


def _lead_sentence(profile: Profile, texts: Texts) -> str:
    if profile.primary is not None:
        need = profile.primary
        return texts("reading.primary", need=texts.named(need), score=texts.number(profile.scores[need]))
    if profile.clear_lead and profile.close_needs[1] == profile.choice[0]:
        rated, chosen = profile.close_needs
        return texts("reading.rated_vs_chosen", rated=texts.named(rated), chosen=texts.named(chosen))
    names = [texts.named(need) for need in profile.close_needs]
    joined = ", ".join(names[:-1]) + f" {texts('reading.or')} " + names[-1]
    return texts("reading.too_close", needs=f"{joined[0].upper()}{joined[1:]}")


# ---- Change over time ---------------------------------------------------------------------------

#: The chance of showing any change for someone whose needs did not change, over all five needs together.
FAMILY_FALSE_CHANGE = 0.05
#: Bonferroni over the five needs: each need is tested at 5% / 5, two-sided (|RCI| > 2.58). Security's facets
#: are shown under security but not tested: they are parts of one need, not more needs.
CHANGE_Z = NormalDist().inv_cdf(1 - FAMILY_FALSE_CHANGE / (2 * len(NEEDS)))


@dataclass(frozen=True)
class Change:
    """One scale's move between two waves, and whether it is larger than measurement error allows.

    ``reliable`` is only ever True for a need: a facet's move is shown, never tested on its own.
    """

    scale: str
    before: float
    after: float
    rci: float
    reliable: bool

    @property
    def rose(self) -> bool:
        return self.after > self.before


def reliable_change(scale: str, before: float, after: float, sem: float) -> Change:
    """Jacobson and Truax (1991): RCI = (after - before) / (sqrt(2) * SEM); reliable beyond +/-CHANGE_Z.

    Small wiggles are not news: a move counts only when it is unlikely to be measurement error, with the
    five needs tested together so that an unchanged person shows a change on any of them at most 5% of
    the time.
    """
    if sem <= 0:
        raise ValueError(f"scale '{scale}': the standard error of measurement must be positive, got {sem}")
    rci = (after - before) / (math.sqrt(2) * sem)
    return Change(scale=scale, before=before, after=after, rci=rci, reliable=scale in NEEDS and abs(rci) > CHANGE_Z)


def changes_between(
    first: Mapping[str, float], second: Mapping[str, float], reliability: Mapping[str, ScaleReliability]
) -> list[Change]:
    """Change on every scale both waves scored, in SCALES order: the one rule every view of change uses.

    Waves answered on different instrument versions share only some scales; the others are not
    compared. ``reliability`` must cover every shared scale.
    """
    shared = [scale for scale in SCALES if scale in first and scale in second]
    return [reliable_change(s, first[s], second[s], reliability[s].sem) for s in shared]
