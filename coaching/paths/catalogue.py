"""The growth paths the organisation offers, each with the needs it claims to serve.

The defaults ship in coaching/shipped/catalogue.toml; the store keeps the live, edited copy with history, and
coaching.paths.editing is where an admin changes it. A model here refuses an option whole, every message naming
its field, so a form can show each problem next to what was typed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from coaching.core.needs import NEEDS, Need
from coaching.core.text import text_problems

Support = Annotated[float, Field(ge=0.0, le=1.0)]
#: What a level asks of a person, one plain sentence each ("Reviews designs across teams").
Expectation = Annotated[str, Field(min_length=3, max_length=200)]
MAX_EXPECTATIONS = 6


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


def amount_text(value: Decimal) -> str:
    """An amount as people read it: thousands separated, cents only when there are any ('52,000', '52,000.50')."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


class PayBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    minimum: Decimal = Field(ge=0)
    midpoint: Decimal = Field(ge=0)
    maximum: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _ordered(self) -> PayBand:
        low, mid, high = (amount_text(v) for v in (self.minimum, self.midpoint, self.maximum))
        if self.minimum > self.maximum:
            raise ValueError(f"the minimum ({low}) is above the maximum ({high})")
        if not self.minimum <= self.midpoint <= self.maximum:
            raise ValueError(f"the midpoint ({mid}) must lie between the minimum ({low}) and the maximum ({high})")
        return self


class PathOption(BaseModel):
    """One option on offer: a level on a track, a flexible arrangement, a self-directed form of work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: PathKind
    name: str = Field(min_length=2, max_length=80)
    rank: int | None = Field(default=None, ge=1, le=99, description="order of a level on its track")
    scope: str = Field(default="", max_length=200)
    why: str = Field(min_length=5, max_length=400)
    openings: int | None = Field(default=None, ge=0)
    support: dict[Need, Support]
    band: PayBand | None = None
    expectations: tuple[Expectation, ...] = Field(default=(), max_length=MAX_EXPECTATIONS)
    entry: bool = Field(default=False, description="the rung a person not yet on this track starts from")

    @field_validator("name", "scope", "why")
    @classmethod
    def _storable(cls, value: str) -> str:
        """A NUL or a broken character refused in plain words; the length is the field's own rule."""
        if problems := text_problems(value, limit=len(value)):
            raise ValueError(problems[0])
        return value

    @field_validator("expectations", mode="before")
    @classmethod
    def _expectation_lines(cls, value: object) -> object:
        """A list of sentences, or one text with a sentence per line (a text area); blank lines dropped."""
        if isinstance(value, str):
            value = value.splitlines()
        if isinstance(value, list | tuple):
            lines = [line.strip() if isinstance(line, str) else line for line in value]
            for line in lines:
                if isinstance(line, str) and (problems := text_problems(line, limit=len(line))):
                    raise ValueError(problems[0])
            return tuple(line for line in lines if line != "")
        return value

    @model_validator(mode="after")
    def _complete_profile(self) -> PathOption:
        """Every problem of the whole option at once, each naming its field."""
        problems = []
        if missing := [str(n) for n in NEEDS if n not in self.support]:
            problems.append(f"Need profile: no value for {', '.join(missing)}")
        if self.kind.is_track and self.rank is None:
            problems.append("Rank: a level on a track needs its rank")
        if not self.kind.is_track and self.rank is not None:
            problems.append("Rank: only a level on a track has a rank")
        if self.band is not None and not self.kind.is_track:
            problems.append("Pay band: only a level on a track has a pay band")
        if self.entry and not self.kind.is_track:
            problems.append("Entry rung: only a level on a track can be where a ladder starts")
        if problems:
            raise ValueError("; ".join(problems))
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
        entries = [o.kind for o in self.options if o.entry]
        if len(entries) != len(set(entries)):
            raise ValueError("a track names two entry rungs")
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


def entry_rung(catalogue: Catalogue, kind: PathKind) -> PathOption | None:
    """Where a person not yet on this ladder starts: the level the catalogue names, else its lowest rung."""
    levels = catalogue.of_kind(kind)
    return next((o for o in levels if o.entry), levels[0] if levels else None)


def track_levels(catalogue: Catalogue) -> dict[str, list[str]]:
    """The level keys of each track, in rank order: what a member's `track` and `level` may be."""
    return {kind.value: [o.key for o in catalogue.of_kind(kind)] for kind in PathKind if kind.is_track}


IN_USE_KINDS = (PathKind.FLEXIBLE, PathKind.SELF_DIRECTED)


def options_in_use_problems(catalogue: Catalogue, keys: Iterable[str]) -> list[str]:
    """Why some keys cannot be options a member uses: only flexible or self-directed options on offer."""
    offered = {o.key: o for o in catalogue.options}
    problems = []
    for key in keys:
        option = offered.get(key)
        if option is None:
            problems.append(f"unknown option {key!r}: it is not in the catalogue")
        elif option.kind not in IN_USE_KINDS:
            problems.append(f"{option.name!r} belongs to the {option.kind.label.lower()}, "
                            "not to flexible or self-directed work")
    return problems


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
