"""The five needs Aspire measures, and the facets of financial security.

Every other module names needs through `Need`, so a typo is a type error rather than a silent
empty chart. Labels are the words people see; keys are what the data files and database hold.
"""

from __future__ import annotations

from enum import StrEnum


class Need(StrEnum):
    """A lasting need a person has from their job (an aspiration, not a goal)."""

    STATUS = "status"
    SECURITY = "security"
    EXPERTISE = "expertise"
    AUTONOMY = "autonomy"
    BALANCE = "balance"

    @property
    def label(self) -> str:
        return NEED_LABELS[self]

    @property
    def served_by(self) -> str:
        """The kind of growth path that serves this need best (DOMAIN.md)."""
        return NEED_PATHS[self]


class Facet(StrEnum):
    """The two facets of financial security: measured apart, always shown together."""

    STABILITY = "stability"
    PAY = "pay"

    @property
    def label(self) -> str:
        return FACET_LABELS[self]

    @property
    def scale(self) -> str:
        """The scale key under which the facet's score is stored, e.g. ``security.pay``."""
        return f"{Need.SECURITY}.{self.value}"


NEED_LABELS: dict[Need, str] = {
    Need.STATUS: "Status and responsibility",
    Need.SECURITY: "Financial security",
    Need.EXPERTISE: "Expertise and acclaim",
    Need.AUTONOMY: "Autonomy",
    Need.BALANCE: "Work-life balance",
}

NEED_PATHS: dict[Need, str] = {
    Need.STATUS: "the management track",
    Need.SECURITY: "pay bands and pay progression",
    Need.EXPERTISE: "the expert track",
    Need.AUTONOMY: "self-directed work",
    Need.BALANCE: "flexible work",
}

FACET_LABELS: dict[Facet, str] = {
    Facet.STABILITY: "Steady, safe income",
    Facet.PAY: "Better pay as chances arise",
}

NEEDS: tuple[Need, ...] = tuple(Need)

#: Every scale a response is scored on: the five needs, then the two security facets.
SCALES: tuple[str, ...] = tuple(str(n) for n in Need) + tuple(f.scale for f in Facet)


def scale_label(scale: str) -> str:
    """The human label of a need or facet scale key."""
    if scale in Need.__members__.values():
        return Need(scale).label
    return Facet(scale.split(".", 1)[1]).label
