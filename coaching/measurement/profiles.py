"""Scored profiles of the members an actor may see, and the summaries the screens draw from them."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import Actor
from coaching.core.needs import SCALES
from coaching.db.subjects import reads
from coaching.governance.aggregates import disclosable
from coaching.governance.scope import team_subjects
from coaching.measurement.answers import Answers
from coaching.measurement.reliability import Estimate, current_estimate
from coaching.measurement.response_rows import ResponseRows, StoredResponse, Wave
from coaching.measurement.responses import list_waves
from coaching.measurement.scoring import Profile


@dataclass(frozen=True)
class MemberProfile:
    response_id: int
    member_id: int
    member_name: str
    team_id: int
    wave_id: int
    instrument_version: int
    profile: Profile
    answers: Answers            # reflections and life stage included: the manager reads them in the one-on-one
    submitted_at: dt.datetime


@dataclass(frozen=True)
class ScaleSummary:
    """One need (or facet) over a group of responses; the range only where the viewer may see people."""

    scale: str
    n: int
    mean: float
    low: float | None = None
    high: float | None = None


def latest_answered(aspire: Aspire, actor: Actor) -> tuple[Wave, list[MemberProfile]] | None:
    """The newest wave in which anyone the actor may see has answered, with those profiles.

    A wave that has just started has no answers yet; showing the one before it beats an empty screen.
    """
    for wave in reversed(list_waves(aspire)):
        found = profiles(aspire, actor, wave.id)
        if found:
            return wave, found
    return None


def profiles(aspire: Aspire, actor: Actor, wave_id: int, team_ids: Iterable[int] | None = None) -> list[MemberProfile]:
    """Every visible member's current profile in one wave, scored with their version's reliability.

    One reliability lookup per instrument version, not per member; a response already scored with the
    current estimate is not scored again (Estimate.score).
    """
    teams = None if team_ids is None else tuple(sorted(team_ids))
    return list(aspire.remembered(actor, _scored, wave_id, teams))


@reads(subjects.ESTIMATES, lambda aspire, actor, wave_id, team_ids: team_subjects(aspire.db, actor, team_ids))
def _scored(aspire: Aspire, actor: Actor, wave_id: int, team_ids: tuple[int, ...] | None) -> tuple[MemberProfile, ...]:
    responses = ResponseRows(aspire.db).current_responses(actor, wave_id, team_ids)
    estimates = {v: current_estimate(aspire, v) for v in {r.instrument_version for r in responses}}
    return tuple(_profile(r, estimates[r.instrument_version]) for r in responses)


def _profile(r: StoredResponse, estimate: Estimate) -> MemberProfile:
    return MemberProfile(
        response_id=r.id, member_id=r.member_id, member_name=r.member_name, team_id=r.team_id, wave_id=r.wave_id,
        instrument_version=r.instrument_version, profile=estimate.score(r.id, r.answers), answers=r.answers,
        submitted_at=r.submitted_at,
    )


def summarise(members: list[MemberProfile]) -> list[ScaleSummary]:
    """Mean and range of every scale the group was scored on, in SCALES order."""
    summaries = []
    for scale in SCALES:
        values = [m.profile.scores[scale] for m in members if scale in m.profile.scores]
        if values:
            summaries.append(ScaleSummary(scale, len(values), round(statistics.fmean(values), 1), min(values),
                                          max(values)))
    return summaries


@dataclass(frozen=True)
class OrganisationView:
    """Organisation-wide means for admins, with the teams that may be shown on their own."""

    wave: Wave
    total: list[ScaleSummary]
    teams: dict[str, list[ScaleSummary]]
    other_teams: list[ScaleSummary]     # the teams too small to show alone, together; empty when none


def organisation_summary(aspire: Aspire, actor: Actor) -> OrganisationView | None:
    """The newest wave with at least COACHING_MIN_GROUP answers, under the group-size rule.

    Teams are shown one by one only when disclosable (coaching.governance.aggregates), so neither a small
    team nor the total minus the shown teams can single anyone out.
    """
    for wave in reversed(list_waves(aspire)):
        teams = ResponseRows(aspire.db).team_scale_means(actor, wave.id)
        shown = disclosable({name: n for name, (n, _) in teams.items()}, aspire.settings.min_group)
        if not shown and sum(n for n, _ in teams.values()) < aspire.settings.min_group:
            continue
        hidden = {name: cell for name, cell in teams.items() if name not in shown}
        return OrganisationView(
            wave=wave,
            total=_pooled(teams.values()),
            teams={name: _pooled([teams[name]]) for name in sorted(shown)},
            other_teams=_pooled(hidden.values()) if hidden else [],
        )
    return None


def _pooled(cells: Iterable[tuple[int, dict[str, float]]]) -> list[ScaleSummary]:
    """Weighted means of several groups' means: the mean over all their people."""
    cells = list(cells)
    n = sum(count for count, _ in cells)
    return [
        ScaleSummary(scale, n, round(sum(count * means[scale] for count, means in cells) / n, 1))
        for scale in SCALES
        if all(scale in means for _, means in cells)
    ]
