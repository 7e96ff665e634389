"""The growth paths the organisation offers, each with the needs it claims to serve.

The defaults ship in data/catalogue.toml; the store keeps the live, edited copy with history.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coaching.needs import NEEDS, Need

Support = Annotated[float, Field(ge=0.0, le=1.0)]


class CatalogueError(ValueError):
    """A catalogue file or entry that cannot be used, naming the entry and the problem."""


class PathKind(StrEnum):
    MANAGEMENT = "management"
    EXPERT = "expert"
    PAY = "pay"
    FLEXIBLE = "flexible"
    SELF_DIRECTED = "self_directed"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def is_track(self) -> bool:
        return self in (PathKind.MANAGEMENT, PathKind.EXPERT)


KIND_LABELS = {
    PathKind.MANAGEMENT: "Management track",
    PathKind.EXPERT: "Expert track",
    PathKind.PAY: "Pay progression",
    PathKind.FLEXIBLE: "Flexible work",
    PathKind.SELF_DIRECTED: "Self-directed work",
}


class PayBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    minimum: Decimal = Field(ge=0)
    midpoint: Decimal = Field(ge=0)
    maximum: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _ordered(self) -> PayBand:
        if not self.minimum <= self.midpoint <= self.maximum:
            raise ValueError("a pay band needs minimum <= midpoint <= maximum")
        return self


class PathOption(BaseModel):
    """One option on offer: a level on a track, a flexible arrangement, a self-directed form of work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: PathKind
    name: str = Field(min_length=2, max_length=80)
    rank: int | None = Field(default=None, ge=1, description="order of a level on its track")
    scope: str = ""
    why: str = Field(min_length=5, max_length=400)
    openings: int | None = Field(default=None, ge=0)
    support: dict[Need, Support]
    band: PayBand | None = None

    @model_validator(mode="after")
    def _complete_profile(self) -> PathOption:
        missing = [str(n) for n in NEEDS if n not in self.support]
        if missing:
            raise ValueError(f"the need profile has no value for {', '.join(missing)}")
        if self.kind.is_track and self.rank is None:
            raise ValueError("a level on a track needs its rank")
        return self


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    options: list[PathOption]

    @model_validator(mode="after")
    def _unique_keys(self) -> Catalogue:
        seen: set[str] = set()
        for option in self.options:
            if option.key in seen:
                raise ValueError(f"option '{option.key}' appears twice")
            seen.add(option.key)
        ranks = [(o.kind, o.rank) for o in self.options if o.kind.is_track]
        if len(ranks) != len(set(ranks)):
            raise ValueError("two levels of one track share a rank")
        return self

    def of_kind(self, kind: PathKind) -> list[PathOption]:
        return sorted((o for o in self.options if o.kind is kind), key=lambda o: (o.rank or 0, o.name))


def load_catalogue(path: Path) -> Catalogue:
    """Read the default catalogue file: `[[option]]` tables; refused whole if any entry is wrong."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Catalogue(options=raw.get("option", []))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot be read ({exc})") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        where = ""
        if len(loc) >= 2 and loc[0] == "options" and isinstance(loc[1], int):
            where = f"option '{raw['option'][loc[1]].get('key', loc[1] + 1)}': "
        raise CatalogueError(f"{path}: {where}{err['msg'].removeprefix('Value error, ')}") from exc


def track_levels(catalogue: Catalogue) -> dict[str, list[str]]:
    """The level keys of each track, in rank order: what a member's `track` and `level` may be."""
    return {kind.value: [o.key for o in catalogue.of_kind(kind)] for kind in PathKind if kind.is_track}


def arrangement_problems(catalogue: Catalogue, track: str | None, level: str | None) -> list[str]:
    """Why a track and level are not in the catalogue, in plain words; empty when they are (or not given)."""
    tracks = track_levels(catalogue)
    if track is None:
        return ["a level needs its track"] if level else []
    if track not in tracks:
        return [f"unknown track {track!r} (tracks: {', '.join(sorted(tracks))})"]
    if level is not None and level not in tracks[track]:
        return [f"unknown level {level!r} on the {track} track (levels: {', '.join(sorted(tracks[track]))})"]
    return []
