"""What a manager sees of one member, and of one team in one wave: profiles, change, fit to the paths on offer.

These gather the domain results the member and team screens draw, reading only the rows of the team
and waves shown, and always through the actor's scope (a manager: their own teams).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import Actor, PermissionDenied
from coaching.core.needs import Need, scale_label
from coaching.db.subjects import reads
from coaching.governance.scope import require_team, team_subjects
from coaching.measurement.profiles import MemberProfile, ScaleSummary, profiles, summarise
from coaching.measurement.reliability import current_estimate, scale_reliability
from coaching.measurement.response_rows import ResponseRows, Wave
from coaching.measurement.responses import list_waves
from coaching.measurement.scoring import Change, Profile, changes_between
from coaching.paths.catalogue import Catalogue
from coaching.paths.editing import catalogue_at, catalogue_for_wave
from coaching.paths.fit import Demand, OptionFit, Thresholds, demand_vs_offer, fits, not_counted, unmet_needs
from coaching.people.team_rows import Member
from coaching.people.teams import list_members, list_teams


@dataclass(frozen=True)
class WaveProfile:
    wave: Wave
    profile: MemberProfile


@dataclass(frozen=True)
class Portrait:
    """One member: every wave they answered (oldest first), and the newest against the paths on offer."""

    member: Member
    history: list[WaveProfile]
    catalogue: Catalogue
    fits: list[OptionFit]
    unmet: list[Need]
    changes: list[Change]           # the newest wave against the one before; empty with one wave or none

    @property
    def current(self) -> WaveProfile | None:
        return self.history[-1] if self.history else None

    @property
    def previous(self) -> WaveProfile | None:
        return self.history[-2] if len(self.history) > 1 else None

    @property
    def reliable_changes(self) -> list[Change]:
        return [c for c in self.changes if c.reliable]

    @property
    def versions_differ(self) -> bool:
        """The last two waves were answered on different instrument versions: only shared scales compare."""
        return (self.current is not None and self.previous is not None
                and self.current.profile.instrument_version != self.previous.profile.instrument_version)


@dataclass(frozen=True)
class ReadingUpdate:
    """The reading of the same answers changed because the reliability estimate was updated, not the answers."""

    before: str
    now: str
    basis: int              # responses the estimate rests on now
    basis_before: int

    @property
    def sentence(self) -> str:
        return (f"The questionnaire's reliability estimate was updated: it now rests on {self.basis} responses "
                f"(it rested on {self.basis_before} when you last opened this page). With the same answers, the "
                f"reading changed from \u201c{self.before}\u201d to \u201c{self.now}\u201d.")


def reading_of(portrait: Portrait) -> str:
    """The judgement the page shows, in words: the primary (or the needs that cannot be separated) and change."""
    current = portrait.current
    if current is None:
        return ""
    moved = "; ".join(f"{scale_label(c.scale).lower()} {'rose' if c.rose else 'fell'}"
                      for c in portrait.reliable_changes)
    return current.profile.profile.label + (f"; {moved}" if moved else "")


def reading_update(aspire: Aspire, actor: Actor, portrait: Portrait) -> ReadingUpdate | None:
    """Whether the reading of the member's newest answers differs from what this page showed for them before.

    A new response is new evidence: its reading replaces the old one silently. The same response read
    differently can only come from a new reliability estimate; then the update is returned, so the page
    says so instead of showing a different label as if nothing had happened. The reading shown now is
    remembered either way (written only when it differs from the one remembered).
    """
    current = portrait.current
    if current is None:
        return None
    response_id, now = current.profile.response_id, reading_of(portrait)
    team_id, version = portrait.member.team_id, current.profile.instrument_version
    # both kept until a write touches what they read, so a warm rerun of the page reads nothing (Database.remembered)
    shown = aspire.remembered(actor, _reading_shown, team_id, portrait.member.id)
    if shown is not None and shown[:2] == (response_id, now):
        return None
    basis = aspire.db.remembered(_estimate_basis, aspire, version)
    ResponseRows(aspire.db).record_reading(actor, team_id, portrait.member.id, response_id, now, basis)
    if shown is None or shown[0] != response_id:
        return None
    return ReadingUpdate(before=shown[1], now=now, basis=basis, basis_before=shown[2])


@reads(subjects.TEAMS, lambda aspire, actor, team_id, member_id: [subjects.readings(team_id)])
def _reading_shown(aspire: Aspire, actor: Actor, team_id: int, member_id: int) -> tuple[int, str, int] | None:
    return ResponseRows(aspire.db).reading_shown(actor, team_id, member_id)


@reads(lambda aspire, version: [subjects.estimate(version)])
def _estimate_basis(aspire: Aspire, version: int) -> int:
    """How many responses the current estimate of a version rests on.

    The same number for everyone: it counts unnamed responses, which no person's scope touches, so no actor
    is part of what is remembered.
    """
    return current_estimate(aspire, version).basis.sums.n


def find_member(aspire: Aspire, actor: Actor, member_id: int) -> Member:
    """A member of one of the actor's teams; PermissionDenied (worded like a missing member) otherwise."""
    for team in list_teams(aspire, actor):
        for member in list_members(aspire, actor, team.id):
            if member.id == member_id:
                return member
    raise PermissionDenied(f"no member {member_id}")


def member_portrait(aspire: Aspire, actor: Actor, member_id: int, thresholds: Thresholds) -> Portrait:
    """The member as of the last write: kept across reruns until something changes (Aspire.remembered)."""
    return aspire.remembered(actor, _portrait, member_id, thresholds)


def member_subjects(aspire: Aspire, actor: Actor, member_id: int, *_: Hashable) -> tuple[str, ...]:
    """What a read of one member's portrait names (coaching.core.subjects): their team's answers and the rest."""
    return (*team_subjects(aspire.db, actor, [find_member(aspire, actor, member_id).team_id]), *_PICTURED)


def team_picture_subjects(aspire: Aspire, actor: Actor, team_id: int, *_: Hashable) -> tuple[str, ...]:
    """What a read of one team's picture names (coaching.core.subjects): the team's answers and the rest."""
    return (*team_subjects(aspire.db, actor, [team_id]), *_PICTURED)


# Besides a team's answers, what portraits and pictures rest on: the waves, the paths on offer, the estimates.
_PICTURED = (subjects.WAVES, subjects.CATALOGUE, subjects.ESTIMATES)


@reads(member_subjects)
def _portrait(aspire: Aspire, actor: Actor, member_id: int, thresholds: Thresholds) -> Portrait:
    member = find_member(aspire, actor, member_id)
    history = [
        WaveProfile(wave, found)
        for wave in list_waves(aspire)
        for found in profiles(aspire, actor, wave.id, [member.team_id])
        if found.member_id == member_id
    ]
    catalogue = catalogue_for_wave(aspire, history[-1].wave) if history else catalogue_at(aspire)
    if not history:
        return Portrait(member, [], catalogue, [], [], [])
    scores = history[-1].profile.profile.scores
    return Portrait(
        member=member, history=history, catalogue=catalogue,
        fits=fits(scores, catalogue, thresholds), unmet=unmet_needs(scores, catalogue, thresholds),
        changes=_changes(aspire, history),
    )


def _changes(aspire: Aspire, history: list[WaveProfile]) -> list[Change]:
    """Reliable-change test of the newest wave against the one before, with the newer version's errors."""
    if len(history) < 2:
        return []
    before, after = history[-2].profile, history[-1].profile
    return changes_between(before.profile.scores, after.profile.scores,
                           scale_reliability(aspire, after.instrument_version))


@dataclass(frozen=True)
class TeamPicture:
    """One team in one wave: who answered, what they need, what the paths on offer give them."""

    wave: Wave
    answered: list[MemberProfile]
    catalogue: Catalogue
    demands: list[Demand]
    unmet: dict[int, list[Need]]                  # member id -> unmet needs
    summary: list[ScaleSummary]
    earlier: tuple[Wave, list[ScaleSummary]] | None   # the wave before, when anyone answered it

    @property
    def heatmap_rows(self) -> list[tuple[int, str, Profile]]:
        return [(m.member_id, m.member_name, m.profile) for m in self.answered]

    @property
    def not_counted(self) -> int:
        """Members who answered whom no demand counts (coaching.paths.fit.not_counted)."""
        return not_counted([m.profile for m in self.answered])


def team_picture(aspire: Aspire, actor: Actor, team_id: int, wave: Wave, thresholds: Thresholds) -> TeamPicture:
    """The team in one wave as of the last write: kept across reruns until something changes."""
    return aspire.remembered(actor, _picture, team_id, wave, thresholds)


@reads(team_picture_subjects)
def _picture(aspire: Aspire, actor: Actor, team_id: int, wave: Wave, thresholds: Thresholds) -> TeamPicture:
    require_team(aspire.db, actor, team_id)
    answered = profiles(aspire, actor, wave.id, [team_id])
    catalogue = catalogue_for_wave(aspire, wave)
    return TeamPicture(
        wave=wave, answered=answered, catalogue=catalogue,
        demands=demand_vs_offer([m.profile for m in answered], catalogue, thresholds),
        unmet={m.member_id: unmet_needs(m.profile.scores, catalogue, thresholds) for m in answered},
        summary=summarise(answered),
        earlier=_earlier_summary(aspire, actor, team_id, wave),
    )


def _earlier_summary(aspire: Aspire, actor: Actor, team_id: int, wave: Wave) -> tuple[Wave, list[ScaleSummary]] | None:
    """The team's means in the newest earlier wave anyone in it answered, for the drift between waves."""
    earlier = [w for w in list_waves(aspire) if w.starts_on < wave.starts_on]
    for previous in reversed(earlier):
        found = profiles(aspire, actor, previous.id, [team_id])
        if found:
            return previous, summarise(found)
    return None
