"""The organisation's paths against its people's needs, for admins: counts over everyone, never a person.

Admins see no named results, so the profiles are read here, inside the domain, with the system's
scope, and only totals leave: how many people have each need unmet, and how many people's primary
aspiration each option serves. Nothing is returned for a wave with fewer answers than COACHING_MIN_GROUP.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.needs import Need
from coaching.db.subjects import reads
from coaching.measurement.profiles import profiles
from coaching.measurement.response_rows import Wave
from coaching.measurement.responses import list_waves
from coaching.paths.editing import catalogue_for_wave
from coaching.paths.fit import Demand, Thresholds, demand_vs_offer, not_counted, unmet_needs


@dataclass(frozen=True)
class OrganisationPaths:
    wave: Wave
    people: int                 # who answered in the wave
    readable: int               # of them, with answers that carry no quality flag: unmet needs count over these
    unmet: dict[Need, int]      # readable people whose strong need no option serves well
    demands: list[Demand]
    not_counted: int            # people no demand counts: no primary aspiration named, or answers to check first


def organisation_paths(aspire: Aspire, actor: Actor, thresholds: Thresholds) -> OrganisationPaths | None:
    """Unmet needs and demand against openings in the newest wave with at least the minimum group."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("organisation-wide figures are for admins")
    return aspire.db.remembered(_newest_counts, aspire, thresholds)


@reads(subjects.TEAMS, subjects.RESPONSES, subjects.MEMBERS, subjects.WAVES, subjects.CATALOGUE, subjects.ESTIMATES)
def _newest_counts(aspire: Aspire, thresholds: Thresholds) -> OrganisationPaths | None:
    """The counts, read as the system: the same figures for every admin (the role is checked before), and
    no person's scope narrows them, so no actor is part of what is remembered."""
    for wave in reversed(list_waves(aspire)):
        everyone = profiles(aspire, SYSTEM, wave.id)
        if len(everyone) < aspire.settings.min_group:
            continue
        catalogue = catalogue_for_wave(aspire, wave)
        readable = [m for m in everyone if not m.profile.flags]   # random answers rate some need high by chance
        unmet = Counter(need for m in readable for need in unmet_needs(m.profile.scores, catalogue, thresholds))
        return OrganisationPaths(
            wave=wave, people=len(everyone), readable=len(readable), unmet=dict(unmet),
            demands=demand_vs_offer([m.profile for m in everyone], catalogue, thresholds),
            not_counted=not_counted([m.profile for m in everyone]),
        )
    return None
