"""Talking points for a one-on-one: small, explainable rules over one member's scored profile.

Pure functions, no store. Each rule looks at one kind of data and either stays silent or says what to
talk about (`text`) and which data made it speak (`because`), so a manager can check the reasoning
instead of trusting a black box. The wording is advice to the manager, never a verdict on the person:
an aspiration is a need to explore together, and the goals come after it (GOAL_GUIDE).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from coaching.core.needs import Need, scale_label
from coaching.measurement.scoring import CHANGE_Z, Change, FlagKind, Profile, in_words, joined, rank_needs
from coaching.paths.catalogue import Catalogue, PathKind, PathOption
from coaching.paths.fit import DEFAULT_THRESHOLDS, Thresholds, leading_needs, serving_options, unmet_needs
from coaching.paths.routes import Position, best_reachable, moves
from coaching.people.teams import MemberArrangement

#: How each quality flag reads as advice: talk first, then read the scores.
FLAG_ADVICE: dict[FlagKind, str] = {
    FlagKind.STRAIGHT_LINE: "answers look uniform: ask before you rely on them",
    FlagKind.LOW_SPREAD: "little difference between needs: ask what matters most",
    FlagKind.INCONSISTENT: "answers to the same need lie far apart: ask how they answered before you rely on them",
    FlagKind.TWIN_CONTRADICTION: "opposite statements both agreed or both refused: ask which is true",
}

#: Open questions that let a person say what they need, in their own words, for each need.
OPEN_QUESTIONS: dict[Need, tuple[str, ...]] = {
    Need.STATUS: (
        "Which responsibility would you like to carry a year from now that you do not carry today?",
        "When you picture your next step, is it leading people, a larger scope, or a role with more weight?",
        "What would tell you that your standing here is growing?",
    ),
    Need.SECURITY: (
        "How much does a steady, predictable income matter to you right now, compared with a higher one?",
        "If a better-paid role came up elsewhere, what would make you stay?",
        "Which skills, training or contacts would move you toward a better-paid position here?",
    ),
    Need.EXPERTISE: (
        "In which field would you like colleagues to come to you first for advice?",
        "What would you like to be known for here in two years?",
        "What gets in the way of going deeper in your field today?",
    ),
    Need.AUTONOMY: (
        "Where would you like more say in how you do your work?",
        "Is there a product, project or idea you would like to own from start to finish?",
        "Have you thought about running something of your own one day? What draws you to it?",
    ),
    Need.BALANCE: (
        "What outside work matters most to you at the moment, and does your job leave room for it?",
        "Which would help most: remote days, flexible hours, a shorter week, or time away?",
        "Has anything changed in your life this year that your work should adjust to?",
    ),
}


def first_questions(leading: Sequence[Need]) -> list[tuple[str, tuple[str, ...]]]:
    """(heading, questions) for each leading need (coaching.paths.fit.leading_needs): what to ask first."""
    why = "their top need" if len(leading) == 1 else "one of the needs too close to call"
    return [(f"Open questions about {need.label.lower()}, {why}", OPEN_QUESTIONS[need]) for need in leading]


#: Turning an aspiration into goals: the need first, then a path on offer, then dated steps.
GOAL_GUIDE: tuple[str, ...] = (
    "Start from the need, not from a job title: which need should this goal serve? Ask, and use the "
    "profile as a starting point, not as the answer.",
    "Choose a path the organisation really offers that serves that need well (the fit table shows which), "
    "not the step people are usually expected to take next.",
    "Write one concrete step on that path with a date, such as 'lead the design review of the billing "
    "service by March', rather than 'grow as an expert'.",
    "Agree how you will both know it worked: a measure you can check on that date.",
    "Split the step into actions, each with an owner and a due date, and look at them in every one-on-one.",
    "Once a year, review each goal against the latest answers: needs shift as life changes, and a goal "
    "that no longer serves one can be adjusted or dropped.",
)


class PointKind(StrEnum):
    QUALITY = "quality"
    PRIMARY = "primary"
    CLOSE_NEEDS = "close_needs"
    UNMET_NEED = "unmet_need"
    DISAGREEMENT = "disagreement"
    TRACK = "track"
    BALANCE = "balance"
    CHANGE = "change"


@dataclass(frozen=True)
class TalkingPoint:
    kind: PointKind
    text: str       # what to talk about, as advice to the manager
    because: str    # the data that triggered it, every figure on the 0-100 scale: "expertise scored 82 of 100; ..."


@dataclass(frozen=True)
class CoachingFacts:
    """Everything the rules look at for one member."""

    profile: Profile
    changes: Sequence[Change] | None     # the newest wave against the one before; None or empty: nothing to compare
    arrangement: MemberArrangement      # coaching.people.teams.arrangement_for
    catalogue: Catalogue
    thresholds: Thresholds = DEFAULT_THRESHOLDS


def talking_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """Every rule's points, in the order a conversation takes them: data quality first."""
    return [point for rule in RULES for point in rule(facts)]


# ---- the rules ----------------------------------------------------------------------------------------


def quality_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """One point per kind of quality flag: the scores may say little until the answers are talked through."""
    kinds = dict.fromkeys(flag.kind for flag in facts.profile.flags)
    return [
        TalkingPoint(PointKind.QUALITY, _sentence(FLAG_ADVICE[kind]),
                     " ".join(f.detail for f in facts.profile.flags if f.kind is kind))
        for kind in kinds
    ]


def primary_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """The primary aspiration, when there is one, and the path on offer that serves it best."""
    need = facts.profile.primary
    if need is None:
        return []
    text = f"{need.label} is their clearest need." + _path_advice(need, facts)
    because = (f"{_score(facts.profile, need)}; chance that it is their highest need, from their ratings and "
               f"their choices: {in_words(facts.profile.chances.get(need, 1.0))}"
               + _support_note(need, facts))
    return [TalkingPoint(PointKind.PRIMARY, text, because)]


def close_needs_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """No primary aspiration: the needs too close to call, and the path that serves each best."""
    profile = facts.profile
    if profile.primary is not None or not profile.close_needs:
        return []
    names = joined([n.label.lower() for n in profile.close_needs])
    text = f"{names[0].upper()}{names[1:]}: their answers cannot separate them, so ask which matters more now."
    paths = [f"{n.label.lower()}: {best.name}" for n in profile.close_needs if (best := _best_option(n, facts))]
    if paths:
        text += f" Paths on offer that serve them best: {'; '.join(paths)}."
    scores = "; ".join(_score(profile, n) for n in profile.close_needs)
    if profile.clear_lead and profile.close_needs[1] == profile.choice[0]:
        rated, chosen = profile.close_needs
        because = f"{scores}: rated {rated} clearly first, but chose {chosen} first"
    else:
        chances = " and ".join(in_words(profile.chances[n]) for n in profile.close_needs if n in profile.chances)
        because = f"{scores}: no need is likely enough to be their highest to name it" + (
            f" (chances {chances})" if chances else "")
    return [TalkingPoint(PointKind.CLOSE_NEEDS, text, because)]


def unmet_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """Strong needs nothing on offer serves well: the most important point, for the organisation too."""
    points = []
    for need in unmet_needs(facts.profile.scores, facts.catalogue, facts.thresholds):
        best = _best_option(need, facts)
        offer = (f"best on offer: {_serves(best, need)}, below the serves-well line of "
                 f"{_of_100(facts.thresholds.serves_well)}") if best else "nothing is on offer"
        points.append(TalkingPoint(
            PointKind.UNMET_NEED,
            f"{need.label} is a strong need that nothing on offer serves well: ask what would help, and tell HR "
            "that the paths on offer miss it.",
            f"{_score(facts.profile, need)}, at or above the strong-need line of "
            f"{facts.thresholds.strong_need:.0f} of 100; {offer}",
        ))
    return points


def disagreement_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """The highest-rated need is not among the three chosen: ratings and trade-offs tell different stories."""
    profile = facts.profile
    if not profile.disagreement:
        return []
    top = rank_needs(profile.scores, profile.choice)[0]
    return [TalkingPoint(
        PointKind.DISAGREEMENT,
        f"Their highest-rated need, {top.label.lower()}, is not among the three they chose: ask what they would "
        "give up for it, and what they would not.",
        f"rated first: {_score(profile, top)}; chosen: {', '.join(profile.choice)}",
    )]


def track_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """The member's current track serves none of their leading needs well (e.g. an expert on the management track).

    Without a primary aspiration the close needs lead together (leading_needs): a track that serves any of
    them well raises no point, as the answers cannot say which of them matters most.
    """
    levels = _current_levels(facts)
    if not levels:
        return []
    needs = leading_needs(facts.profile)
    current = {need: max(levels, key=lambda o: o.support[need]) for need in needs}
    if any(current[need].support[need] >= facts.thresholds.serves_well for need in needs):
        return []
    track, level = levels[0].kind, current[needs[0]]
    where = level.name if len(levels) == 1 else f"level not known; its best level, {level.name}"
    single = len(needs) == 1
    text = (f"Their top need is {joined([n.label.lower() for n in needs], 'or')}"
            + (", and their current track serves it poorly." if single
               else " (too close to call), and their current track serves none of them well."))
    within = {o.key for _, o in moves(facts.catalogue, _position(facts))}
    found = next(((need, o) for need in needs for o in serving_options(need, facts.catalogue, facts.thresholds)
                  if o.kind is not track and o.key in within), None)
    if found is None:
        text += f" Ask what would serve {'it' if single else 'them'} better."
    else:
        need, best = found
        serving = "" if single else f", which serves {need.label.lower()} well"
        text += f" Talk about {best.name} ({best.kind.label.lower()}){serving}.{_longer_route(need, best, facts)}"
    scored = joined([_score(facts.profile, need) for need in needs])
    served = joined([f"{need} {_of_100(current[need].support[need])}" for need in needs])
    return [TalkingPoint(
        PointKind.TRACK, text,
        f"{scored}, {'their top need' if single else 'too close to call'}; current track: {track.value} ({where}) "
        f"serves {served}, below the serves-well line of {_of_100(facts.thresholds.serves_well)}",
    )]


def balance_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """A strong balance need while no flexible arrangement is in use."""
    score = facts.profile.scores.get(Need.BALANCE)
    if score is None or score < facts.thresholds.strong_need:
        return []
    flexible = sorted(facts.catalogue.of_kind(PathKind.FLEXIBLE), key=lambda o: -o.support[Need.BALANCE])
    if any(o.key in facts.arrangement.options for o in flexible):
        return []
    text = "Work-life balance is a strong need and they use no flexible arrangement: ask whether one would help."
    if flexible:
        text += f" On offer: {joined([o.name for o in flexible[:3]])}."
    return [TalkingPoint(
        PointKind.BALANCE, text,
        f"{_score(facts.profile, Need.BALANCE)}, at or above the strong-need line of "
        f"{facts.thresholds.strong_need:.0f} of 100; flexible options in use: none",
    )]


def change_points(facts: CoachingFacts) -> list[TalkingPoint]:
    """Each reliable change since the last wave: needs shift with life, and a shift is worth asking about."""
    return [
        TalkingPoint(
            PointKind.CHANGE,
            f"{scale_label(c.scale)} {'rose' if c.after > c.before else 'fell'} from {c.before:.0f} to "
            f"{c.after:.0f} since the last wave: ask what changed in their work or their life.",
            f"{c.scale} went from {c.before:.0f} to {c.after:.0f} of 100, more than measurement error explains "
            f"(reliable change index {c.rci:+.1f}; the line is {CHANGE_Z:.1f} either way, with the five needs tested "
            "together)",
        )
        for c in facts.changes or ()
        if c.reliable
    ]


RULES: tuple[Callable[[CoachingFacts], list[TalkingPoint]], ...] = (
    quality_points, primary_points, close_needs_points, unmet_points, disagreement_points, track_points,
    balance_points, change_points,
)


# ---- helpers ------------------------------------------------------------------------------------------


def _best_option(need: Need, facts: CoachingFacts) -> PathOption | None:
    """The option within reach that supports the need most (ties in catalogue order); None for an empty catalogue.

    Advice follows the ladder: with a recorded track, only a step one move away counts (coaching.paths.routes);
    without one, every option on offer.
    """
    if facts.arrangement.track is None:
        return max(facts.catalogue.options, key=lambda o: o.support[need], default=None)
    return best_reachable(facts.catalogue, _position(facts), need)


def _position(facts: CoachingFacts) -> Position:
    a = facts.arrangement
    return Position.of(a.track, a.level, a.options, facts.catalogue)


def _longer_route(need: Need, near: PathOption, facts: CoachingFacts) -> str:
    """A level further away that serves the need better than anything within reach: named as a longer route."""
    far = max(facts.catalogue.options, key=lambda o: o.support[need], default=None)
    if far is None or far.support[need] <= near.support[need]:
        return ""
    return f" {far.name} serves it more, as a longer route of several steps."


def _path_advice(need: Need, facts: CoachingFacts) -> str:
    best = _best_option(need, facts)
    if best is None:
        return ""
    further = _longer_route(need, best, facts)
    if best.support[need] >= facts.thresholds.serves_well:
        return f" Talk about {best.name} ({best.kind.label.lower()}), the next step that serves it best.{further}"
    return (f" The closest step on offer, {best.name}, serves it only partly: ask what would serve it better."
            f"{further}")


def _support_note(need: Need, facts: CoachingFacts) -> str:
    best = _best_option(need, facts)
    return "" if best is None else f"; {_serves(best, need)}"


def _current_levels(facts: CoachingFacts) -> list[PathOption]:
    """The member's level on their track, or every level of the track when the level is not known."""
    track = facts.arrangement.track
    if track not in {k.value for k in PathKind if k.is_track}:
        return []
    levels = facts.catalogue.of_kind(PathKind(track))
    chosen = [o for o in levels if o.key == facts.arrangement.level]
    return chosen or levels


def _score(profile: Profile, need: Need) -> str:
    return f"{need} scored {profile.scores[need]:.0f} of 100"


def _serves(option: PathOption, need: Need) -> str:
    """How well an option serves a need, on the same 0-100 scale as the scores (support 0.7: 70 of 100)."""
    return f"{option.name} serves {need} {_of_100(option.support[need])}"


def _of_100(support: float) -> str:
    return f"{support * 100:.0f} of 100"


def _sentence(advice: str) -> str:
    return advice[0].upper() + advice[1:] + "."
