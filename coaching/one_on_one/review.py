"""The yearly review: who is due for it, and whether each open goal still serves the member's needs.

Aspirations change with life (the source text: what you want at 20 is not what you want at 30 or 40),
so once a year each member answers again and their manager asks, goal by goal, whether it still
serves what they need now. The manager's answer is recorded with coaching.one_on_one.plans.review_goal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.core.clock import months_before
from coaching.core.needs import NEEDS, Need
from coaching.db.subjects import reads
from coaching.governance.scope import team_subjects
from coaching.measurement.scoring import Change, Profile, rank_needs
from coaching.one_on_one.plans import Goal, ReviewAnswer
from coaching.people.teams import last_submitted, list_members
from coaching.rounds.rounds import REVIEW_MONTHS

DUE_SOON_DAYS = 30     # a review this close counts as due: time to open a round for it
HIGH_RANK = 3          # a need among the top three rated still "ranks high" (as many as the forced choice)


class ReviewState(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    NEVER_ANSWERED = "never answered"
    NOT_YET = "not yet"


_URGENCY = list(ReviewState)


@dataclass(frozen=True)
class ReviewRow:
    member_id: int
    name: str
    last_answered: dt.date | None
    next_review: dt.date | None
    state: ReviewState


def next_review_date(last_submitted: dt.date | None) -> dt.date | None:
    """REVIEW_MONTHS calendar months after the last submitted wave (the month's last day when shorter)."""
    if last_submitted is None:
        return None
    return months_before(last_submitted, -REVIEW_MONTHS)    # a negative count of months goes forward


def review_state(next_review: dt.date | None, today: dt.date) -> ReviewState:
    """Overdue once the date has passed; due from DUE_SOON_DAYS before it; never answered without one.

    Every member coaching.rounds.rounds.due_for_review lists is due, overdue or never answered here: its
    365-day year never ends after twelve calendar months.
    """
    if next_review is None:
        return ReviewState.NEVER_ANSWERED
    if today > next_review:
        return ReviewState.OVERDUE
    if (next_review - today).days <= DUE_SOON_DAYS:
        return ReviewState.DUE
    return ReviewState.NOT_YET


def review_overview(aspire: Aspire, actor: Actor, team_id: int, today: dt.date | None = None) -> list[ReviewRow]:
    """Every active member of one of the actor's teams with their review date, the most urgent first."""
    today = today or dt.datetime.now(aspire.settings.zone).date()
    return list(aspire.remembered(actor, _overview, team_id, today))


@reads(lambda aspire, actor, team_id, today: team_subjects(aspire.db, actor, [team_id]))
def _overview(aspire: Aspire, actor: Actor, team_id: int, today: dt.date) -> tuple[ReviewRow, ...]:
    names = {m.id: m.name for m in list_members(aspire, actor, team_id)}
    rows = []
    for member_id, last in last_submitted(aspire, actor, team_id).items():
        answered = None if last is None else last.astimezone(aspire.settings.zone).date()
        next_review = next_review_date(answered)
        rows.append(ReviewRow(member_id, names[member_id], answered, next_review, review_state(next_review, today)))
    return tuple(sorted(rows, key=lambda r: (_URGENCY.index(r.state), r.next_review or dt.date.max, r.name,
                                             r.member_id)))


# ---- goal by goal -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalCheck:
    """One open goal against the newest answers: does its need still rank high, did it move reliably?"""

    goal: Goal
    rank: int                   # the need's place among the five in the newest answers (1: rated highest)
    rank_before: int | None     # its place in the answers before, if any
    ranks_high: bool
    change: Change | None       # the need's reliable change since the answers before, if there was one
    suggested: ReviewAnswer
    question: str


def goal_review(goals: Sequence[Goal], before: Profile | None, after: Profile,
                changes: Sequence[Change] | None) -> list[GoalCheck]:
    """A question for each open goal, from where its need ranks now and how it moved since the last wave."""
    ranking = rank_needs(after.scores, after.choice)
    earlier = None if before is None else rank_needs(before.scores, before.choice)
    reliable = {c.scale: c for c in changes or () if c.reliable}
    checks = []
    for goal in goals:
        if not goal.is_open:
            continue
        rank = ranking.index(goal.need) + 1
        change = reliable.get(goal.need.value)
        suggested, question = _question(goal.need, rank, change)
        checks.append(GoalCheck(goal, rank, None if earlier is None else earlier.index(goal.need) + 1,
                                rank <= HIGH_RANK, change, suggested, question))
    return checks


def _question(need: Need, rank: int, change: Change | None) -> tuple[ReviewAnswer, str]:
    """The suggested answer and the question to ask, from whether the need ranks high and how it moved."""
    name, place = need.label.lower(), f"{_ordinal(rank)} of {len(NEEDS)}"
    high = rank <= HIGH_RANK
    if change is None:
        if high:
            return ReviewAnswer.KEEP, f"Still serves {name}, which ranks {place}: keep?"
        return ReviewAnswer.ADJUST, f"Serves {name}, which now ranks only {place}: does it still serve what matters?"
    rose = change.after > change.before
    moved = f"{'rose' if rose else 'fell'} reliably ({change.before:.0f} to {change.after:.0f})"
    return {
        (True, True): (ReviewAnswer.KEEP, f"Still serves {name}, which {moved}: keep?"),
        (True, False): (ReviewAnswer.KEEP, f"Serves {name}, which still ranks {place} but {moved}: keep, or adjust?"),
        (False, True): (ReviewAnswer.ADJUST, f"Serves {name}, which {moved} but ranks only {place}: keep, or adjust?"),
        (False, False): (ReviewAnswer.DROP, f"Serves {name}, which {moved} and now ranks {place}: adjust, or drop?"),
    }[(high, rose)]


_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def _ordinal(n: int) -> str:
    return f"{n}{_SUFFIXES.get(n, 'th')}"
