"""Fit: how well each path on offer serves what one person needs, and the needs nothing on offer serves.

Pure functions of need scores (0-100) and the catalogue's need profiles (0-1): no store, no Streamlit.

How fit weighs needs, in words a manager can repeat: "each need counts by how strongly you hold it,
and a need below the strong-need line counts a fifth as much". So

    weight(need) = score(need) x (1 if score >= strong_need else BELOW_LINE_WEIGHT)
    fit          = 100 x sum(weight x support) / sum(weight)

A plain score-weighted mean would let someone whose only strong need is balance (say 66) but whose
other needs sit just below the line (64) fit a management level best, because a level claims a bit
of everything. Counting strong needs five times as much makes their one strong need lead, while a
person with no strong need at all still gets the plain score-weighted mean. The weights never depend
on the option, so raising an option's support for a need the person holds can only raise its fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coaching.core.needs import NEEDS, Need
from coaching.core.settings import Settings
from coaching.measurement.scoring import Profile, joined
from coaching.paths.catalogue import Catalogue, PathOption

#: How much a need below the strong-need line counts, against one at or above it.
BELOW_LINE_WEIGHT = 0.2
_TENTHS = 10


@dataclass(frozen=True)
class Thresholds:
    """The two lines the organisation draws: what counts as a strong need, and as serving it well."""

    strong_need: float = 65.0   # a need score (0-100) at or above this is a "strong need"
    serves_well: float = 0.7    # an option's support (0-1) at or above this "serves the need well"

    def __post_init__(self) -> None:
        if not 0 <= self.strong_need <= 100:
            raise ValueError(f"strong_need must be between 0 and 100, got {self.strong_need}")
        if not 0 <= self.serves_well <= 1:
            raise ValueError(f"serves_well must be between 0 and 1, got {self.serves_well}")

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        """The organisation's thresholds (COACHING_STRONG_NEED, COACHING_SERVES_WELL)."""
        return cls(strong_need=settings.strong_need, serves_well=settings.serves_well)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class OptionFit:
    """One option against one person: the 0-100 fit and each need's part of it (the parts add up to it)."""

    option: PathOption
    fit: float                  # 0-100, rounded to 1 decimal
    shares: dict[Need, float]   # each need's part of the fit (0-100 points); the shares sum to fit


def need_weights(scores: Mapping[str, float], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> dict[Need, float]:
    """How much each need counts in this person's fit, summing to 1 (all 0 when no need scores above 0).

    A need the instrument did not measure counts 0: it is left out, never guessed.
    """
    raw = {
        need: scores[need] * (1.0 if scores[need] >= thresholds.strong_need else BELOW_LINE_WEIGHT)
        if need in scores else 0.0
        for need in NEEDS
    }
    total = sum(raw.values())
    return {need: (value / total if total > 0 else 0.0) for need, value in raw.items()}


def option_fit(
    scores: Mapping[str, float], option: PathOption, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> OptionFit:
    """The option's support weighed by the person's needs, with each need's share of it."""
    weights = need_weights(scores, thresholds)
    raw = {need: 100 * weights[need] * option.support[need] for need in NEEDS}
    tenths = _round_keeping_total(raw)
    return OptionFit(
        option=option,
        fit=sum(tenths.values()) / _TENTHS,
        shares={need: value / _TENTHS for need, value in tenths.items()},
    )


def _round_keeping_total(parts: Mapping[Need, float]) -> dict[Need, int]:
    """Each part in whole tenths, such that the tenths add up to the rounded total (largest remainder).

    Rounding each share on its own could make the shown shares disagree with the shown fit.
    """
    scaled = {need: value * _TENTHS for need, value in parts.items()}
    target = round(sum(scaled.values()))
    floors = {need: int(value) for need, value in scaled.items()}
    by_remainder = sorted(scaled, key=lambda need: scaled[need] - floors[need], reverse=True)
    for need in by_remainder[: target - sum(floors.values())]:
        floors[need] += 1
    return floors


def fits(
    scores: Mapping[str, float], catalogue: Catalogue, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[OptionFit]:
    """Every option's fit, best first (ties in catalogue order); [] for an empty catalogue."""
    found = [option_fit(scores, option, thresholds) for option in catalogue.options]
    return sorted(found, key=lambda f: -f.fit)


def strong_needs(scores: Mapping[str, float], thresholds: Thresholds) -> list[Need]:
    """The needs scored at or above the strong-need line, strongest first (ties in the usual need order)."""
    strong = [need for need in NEEDS if need in scores and scores[need] >= thresholds.strong_need]
    return sorted(strong, key=lambda need: -scores[need])


def serving_options(need: Need, catalogue: Catalogue, thresholds: Thresholds) -> list[PathOption]:
    """The options that serve a need well (support at or above the line), strongest support first."""
    serving = [o for o in catalogue.options if o.support[need] >= thresholds.serves_well]
    return sorted(serving, key=lambda o: -o.support[need])


def unmet_needs(scores: Mapping[str, float], catalogue: Catalogue, thresholds: Thresholds) -> list[Need]:
    """Strong needs that no option on offer serves well, strongest first: the first talking point."""
    return [need for need in strong_needs(scores, thresholds) if not serving_options(need, catalogue, thresholds)]


def leading_needs(profile: Profile) -> tuple[Need, ...]:
    """The needs advice about one person steers by: their primary aspiration when the scoring names one, else
    the two or three needs their answers cannot separate, most likely first.

    Never the single highest-rated need of someone with no primary named: on simulated respondents (bench/QUALITY.md,
    version 2, item noise 0.7) that need is their true top need only about two times in three (0.67 / 0.66),
    while the close needs hold it 95.6% / 95.9% of the time (goal >= 90%).
    """
    return (profile.primary,) if profile.primary is not None else profile.close_needs


def leading_words(needs: Sequence[Need]) -> str:
    """'expertise and acclaim, their top need' or 'status and responsibility or autonomy, too close to call'."""
    names = joined([n.label.lower() for n in needs], "or")
    return f"{names}, their top need" if len(needs) == 1 else f"{names}, too close to call"


@dataclass(frozen=True)
class Demand:
    """One option for a group: how many people's primary aspiration it serves well, against its openings."""

    option: PathOption
    demand: int            # people whose counted primary aspiration (Profile.counted_primary) it serves well
    openings: int | None   # from the catalogue; None = not limited/unknown


def demand_vs_offer(profiles: Sequence[Profile], catalogue: Catalogue, thresholds: Thresholds) -> list[Demand]:
    """For every option in catalogue order, the people whose primary aspiration it serves well, and its openings.

    Only a counted primary counts (DOMAIN.md: a team's demand is over primary aspirations): people whose
    answers name no single need, or need checking first, are left out, and `not_counted` says how many.
    """
    primaries = [p.counted_primary for p in profiles if p.counted_primary is not None]
    return [
        Demand(
            option=option,
            demand=sum(1 for need in primaries if option.support[need] >= thresholds.serves_well),
            openings=option.openings,
        )
        for option in catalogue.options
    ]


def not_counted(profiles: Sequence[Profile]) -> int:
    """How many of these people no demand counts: no primary aspiration named, or answers to check first."""
    return sum(1 for p in profiles if p.counted_primary is None)
