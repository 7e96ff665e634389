"""Development paths: the steps a person can take from where they stand, and routes of one to three of them.

Pure functions of the catalogue, a position and need scores: no store, no Streamlit. The rules, in the
words a manager can repeat:
- from a level on a ladder, the reachable levels are the next rung up the same ladder and the rung at the
  same height on the other ladder (the dual ladder pays alike level for level). A step never skips a rung;
- a person not on a ladder (or whose level is not known) starts at each ladder's entry rung;
- flexible work, self-directed work and pay progression go with any step: they never move the person on
  a ladder, so their band change is zero;
- a step's band change is midpoint to midpoint in the band's currency; it is unknown (None) when the
  person has no band today, or the two bands are in different currencies;
- a route is one to three steps, each reachable from where the one before leaves the person, each with
  a target date on or after today and not before the step before it. Only options on offer now can be
  steps, so a route never leads to a level the catalogue has retired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from coaching.core.needs import NEEDS, Need
from coaching.paths.catalogue import Catalogue, PathKind, PathOption, PayBand, amount_text, entry_rung
from coaching.paths.fit import (
    DEFAULT_THRESHOLDS,
    OptionFit,
    Thresholds,
    leading_words,
    need_weights,
    option_fit,
    strong_needs,
)

MAX_STEPS = 3
LADDERS = (PathKind.MANAGEMENT, PathKind.EXPERT)
ALONGSIDE_KINDS = (PathKind.FLEXIBLE, PathKind.SELF_DIRECTED, PathKind.PAY)


class StepKind(StrEnum):
    UP = "up"
    ACROSS = "across"
    ENTRY = "entry"
    ALONGSIDE = "alongside"

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS = {
    StepKind.UP: "next level up",
    StepKind.ACROSS: "across to the other ladder",
    StepKind.ENTRY: "start on a ladder",
    StepKind.ALONGSIDE: "alongside any level",
}


class RouteRejected(ValueError):
    """A route that cannot be built; `problems` names each step that is wrong and why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Position:
    """Where a person stands: their level on a ladder (None: not on one, or not known) and the options they use."""

    level: str | None = None
    options: frozenset[str] = frozenset()

    @classmethod
    def of(cls, track: str | None, level: str | None, options: Sequence[str], catalogue: Catalogue) -> Position:
        """A member's recorded arrangement as a position; a level the catalogue no longer has counts as unknown."""
        levels = {o.key for kind in LADDERS for o in catalogue.of_kind(kind)}
        known = level if level in levels and track is not None else None
        return cls(level=known, options=frozenset(options))

    def held(self, catalogue: Catalogue) -> list[PathOption]:
        """The options this position holds that are on offer: the level first, then the options in use."""
        offered = {o.key: o for o in catalogue.options}
        keys = ([self.level] if self.level else []) + sorted(self.options)
        return [offered[k] for k in keys if k in offered]


def level_of(catalogue: Catalogue, position: Position) -> PathOption | None:
    return next((o for o in catalogue.options if o.key == position.level and o.kind in LADDERS), None)


def moves(catalogue: Catalogue, position: Position) -> list[tuple[StepKind, PathOption]]:
    """Every option one step away, ladder moves first (up, across, or the entry rungs), then those alongside."""
    found: list[tuple[StepKind, PathOption]] = []
    level = level_of(catalogue, position)
    if level is None:
        found += [(StepKind.ENTRY, rung) for kind in LADDERS if (rung := entry_rung(catalogue, kind)) is not None]
    else:
        higher = [o for o in catalogue.of_kind(level.kind) if (o.rank or 0) > (level.rank or 0)]
        if higher:
            found.append((StepKind.UP, higher[0]))
        other = next(k for k in LADDERS if k is not level.kind)
        found += [(StepKind.ACROSS, o) for o in catalogue.of_kind(other) if o.rank == level.rank]
    found += [(StepKind.ALONGSIDE, o) for kind in ALONGSIDE_KINDS for o in catalogue.of_kind(kind)
              if o.key not in position.options]
    return found


def after(position: Position, kind: StepKind, option: PathOption) -> Position:
    """Where a step leaves the person."""
    if kind is StepKind.ALONGSIDE:
        return Position(level=position.level, options=position.options | {option.key})
    return Position(level=option.key, options=position.options)


def band_change(before: PayBand | None, after_band: PayBand | None) -> Decimal | None:
    """Midpoint to midpoint; None when either band is missing or they are in different currencies."""
    if before is None or after_band is None or before.currency != after_band.currency:
        return None
    return after_band.midpoint - before.midpoint


@dataclass(frozen=True)
class Step:
    """One reachable step weighed for a person: its band, the band change, openings, fit, needs served and starved."""

    kind: StepKind
    option: PathOption
    band: PayBand | None          # the band the person is in after the step
    change: Decimal | None        # from the band before the step, midpoint to midpoint
    fit: OptionFit
    serves: tuple[Need, ...]      # needs this option serves well, strongest-held first
    starves: tuple[Need, ...]     # the person's strong needs this option leaves unmet

    @property
    def currency(self) -> str | None:
        return self.band.currency if self.band is not None else None

    @property
    def change_text(self) -> str:
        return change_text(self.change, self.currency)


def change_text(change: Decimal | None, currency: str | None) -> str:
    """'+14,000 EUR', 'no change', or 'unknown' (no band to compare)."""
    if change is None:
        return "unknown"
    if change == 0:
        return "no change"
    sign = "+" if change > 0 else "−"
    return f"{sign}{amount_text(abs(change))} {currency or ''}".rstrip()


def weigh(catalogue: Catalogue, position: Position, kind: StepKind, option: PathOption,
          scores: Mapping[str, float], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Step:
    """A step from `position` weighed against the person's needs."""
    today = level_of(catalogue, position)
    today_band = today.band if today is not None else None
    change: Decimal | None
    if kind is StepKind.ALONGSIDE:
        band, change = today_band, Decimal(0)
    else:
        band, change = option.band, band_change(today_band, option.band)
    serves = tuple(n for n in _by_score(scores) if option.support[n] >= thresholds.serves_well)
    starves = tuple(n for n in strong_needs(scores, thresholds) if option.support[n] < thresholds.serves_well)
    return Step(kind, option, band, change, option_fit(scores, option, thresholds), serves, starves)


def _by_score(scores: Mapping[str, float]) -> list[Need]:
    return sorted((n for n in NEEDS if n in scores), key=lambda n: -scores[n])


def reachable(catalogue: Catalogue, position: Position, scores: Mapping[str, float],
              thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[Step]:
    """Every step one move away, weighed: ladder moves first, then the rest, each group best fit first."""
    steps = [weigh(catalogue, position, kind, option, scores, thresholds)
             for kind, option in moves(catalogue, position)]
    return sorted(steps, key=lambda s: (s.kind is StepKind.ALONGSIDE, -s.fit.fit))


def best_reachable(catalogue: Catalogue, position: Position, need: Need) -> PathOption | None:
    """The reachable option that supports a need most (ties in catalogue order): what advice should name first."""
    return max((o for _, o in moves(catalogue, position)), key=lambda o: o.support[need], default=None)


# ---- routes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteStep:
    step: Step
    target_date: dt.date


@dataclass(frozen=True)
class Route:
    """A planned sequence of steps, and what the person would hold at its end."""

    start: Position
    steps: tuple[RouteStep, ...]
    end: Position
    support: dict[Need, float]       # per need, the best support among what the person holds at the end
    fit: float                       # 0-100, the fit of that end position (as coaching.paths.fit weighs needs)
    shares: dict[Need, float]        # each need's part of the fit
    change: Decimal | None           # today's band to the band at the end, midpoint to midpoint
    currency: str | None

    @property
    def change_text(self) -> str:
        return change_text(self.change, self.currency)


def plan_route(catalogue: Catalogue, start: Position, picks: Sequence[tuple[str, dt.date | None]],
               scores: Mapping[str, float], today: dt.date,
               thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Route:
    """Build a route from (option key, target date) picks; RouteRejected naming every wrong step."""
    problems: list[str] = []
    if not 1 <= len(picks) <= MAX_STEPS:
        problems.append(f"A route has one to {MAX_STEPS} steps, not {len(picks)}")
    offered = {o.key: o for o in catalogue.options}
    position, steps, previous_date = start, [], today
    for number, (key, target) in enumerate(picks, start=1):
        where = f"Step {number}"
        option = offered.get(key)
        if option is None:
            problems.append(f"{where}: {key!r} is not on offer (any more)")
            break
        kind = next((k for k, o in moves(catalogue, position) if o.key == key), None)
        if kind is None:
            problems.append(f"{where}: {option.name} cannot be reached from there; a step goes one rung up, "
                            "across to the same rung of the other ladder, or adds flexible or self-directed work")
            break
        if target is None:
            problems.append(f"{where}: give it a target date")
        elif target < previous_date:
            problems.append(f"{where}: the target date {target:%d %b %Y} is before "
                            + ("today" if number == 1 else "the step before it"))
        steps.append(RouteStep(weigh(catalogue, position, kind, option, scores, thresholds), target or today))
        position, previous_date = after(position, kind, option), target or previous_date
    if problems:
        raise RouteRejected(problems)
    return _route(catalogue, start, tuple(steps), position, scores, thresholds)


def _route(catalogue: Catalogue, start: Position, steps: tuple[RouteStep, ...], end: Position,
           scores: Mapping[str, float], thresholds: Thresholds) -> Route:
    held = end.held(catalogue)
    support = {n: max((o.support[n] for o in held), default=0.0) for n in NEEDS}
    weights = need_weights(scores, thresholds)
    shares = {n: round(100 * weights[n] * support[n], 1) for n in NEEDS}
    today, final = level_of(catalogue, start), level_of(catalogue, end)
    if final is not None and (today is None or today.key != final.key):
        change = band_change(today.band if today else None, final.band)
    else:
        change = Decimal(0)
    currency = final.band.currency if final is not None and final.band is not None else None
    return Route(start, steps, end, support, round(sum(100 * weights[n] * support[n] for n in NEEDS), 1), shares,
                 change, currency)


def compare(first: Route, second: Route, leading: Sequence[Need],
            names: tuple[str, str] = ("Route A", "Route B")) -> str:
    """One sentence: which route serves the member's leading needs (coaching.paths.fit.leading_needs) better, and
    what it costs elsewhere. Needs too close to call are weighed alike: their mean support decides."""
    a, b = _mean_support(first, leading), _mean_support(second, leading)
    what, average = leading_words(leading), "" if len(leading) == 1 else " on average"
    if a == b:
        better, worse, name = (first, second, names[0]) if first.fit >= second.fit else (second, first, names[1])
        lead = (f"Both routes serve {what}, alike{average} ({a:g}); {name} fits their needs overall better "
                f"({better.fit:.0f} against {worse.fit:.0f})")
    else:
        better, worse, name = (first, second, names[0]) if a > b else (second, first, names[1])
        lead = f"{name} serves {what}, better{average} ({max(a, b):g} against {min(a, b):g})"
    costs = [n for n in NEEDS if better.support[n] < worse.support[n]]   # a need too close to call counts too
    if costs:
        cost = "; it gives less to " + ", ".join(
            f"{n.label.lower()} ({better.support[n]:g} against {worse.support[n]:g})" for n in costs)
    else:
        cost = "; it gives no other need less"
    pay = ""
    if better.change is not None and worse.change is not None and better.currency == worse.currency:
        gap = better.change - worse.change
        if gap:
            pay = (f", and it ends {amount_text(abs(gap))} {better.currency} {'higher' if gap > 0 else 'lower'} "
                   "in pay band midpoint")
    return lead + cost + pay + "."


def _mean_support(route: Route, needs: Sequence[Need]) -> float:
    return round(sum(route.support[n] for n in needs) / len(needs), 2)
