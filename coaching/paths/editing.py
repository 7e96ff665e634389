"""Editing the growth-path catalogue, its history, and the catalogue each wave was seen against.

Rules:
- anyone logged in reads the catalogue and its history: it is the organisation's public offer, with no
  one's data in it. Only an admin (or the system) changes it; anyone else gets PermissionDenied;
- an option is checked whole before anything is written: a pay band's minimum above its maximum, a need
  profile value outside 0-1, an unknown kind, a missing field are each refused with a plain sentence
  naming the field (OptionRejected). A key already on offer, or a rank another level of the same track
  holds, is refused the same way, checked inside the write itself;
- an edit or a retirement names the version it read: a change saved meanwhile raises EditConflict and
  nothing is written. An option's key and kind never change: retire it and add another instead;
- nothing is overwritten: an edit closes the current version and starts the next one at the same
  moment, retiring closes it (coaching.paths.catalogue_rows), so an old wave is shown against the catalogue of
  its time (`catalogue_for_wave`);
- a level or an option that active members still hold is not retired; the refusal says how many;
- every change is audited: CHANGED on CATALOGUE with the version's row id and a label such as
  "edited team_lead", never any of the option's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from coaching.aspire import Aspire
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.editing import EditConflict
from coaching.core.needs import NEEDS, Need
from coaching.core.tabular import ImportRejected, RowProblem
from coaching.core.text import field_sentence
from coaching.db.errors import RowMissing
from coaching.db.versioned import versioned
from coaching.governance.audit import Action, Subject
from coaching.measurement.response_rows import Wave
from coaching.measurement.responses import list_waves
from coaching.paths.catalogue import Catalogue, PathKind, PathOption, PayBand, amount_text
from coaching.paths.catalogue_rows import CatalogueRows, EntryTaken, KeyTaken, OptionHeld, OptionVersion, RankTaken
from coaching.paths.framework import parse_framework


class OptionRejected(ValueError):
    """An option that cannot be stored; `problems` says each reason in plain words, naming the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _rows(aspire: Aspire) -> CatalogueRows:
    return CatalogueRows(aspire.db)


def _require_admin(actor: Actor) -> None:
    if not isinstance(actor, Actor) or actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied("only an HR admin changes the catalogue")


def _record(aspire: Aspire, actor: Actor, saved: OptionVersion, verb: str) -> None:
    aspire.audit.record(actor, Action.CHANGED, Subject.CATALOGUE, [saved.id], f"{verb} {saved.option.key}")


# ---- reading -------------------------------------------------------------------------------------------


def current_offer(aspire: Aspire) -> list[OptionVersion]:
    """Every option on offer now with the version an edit names, by kind and rank."""
    return _rows(aspire).current()


def option_history(aspire: Aspire, actor: Actor, key: str) -> list[OptionVersion]:
    """Every version of one option, oldest first, each with the span it was valid (valid_to None: now)."""
    if not isinstance(actor, Actor) or actor.role is Role.RESPONDENT:
        raise PermissionDenied("the catalogue's history is for managers and admins")
    return _rows(aspire).history(key)


def catalogue_at(aspire: Aspire, at: dt.datetime | None = None) -> Catalogue:
    """The catalogue as it stood at a moment (now by default)."""
    return _rows(aspire).catalogue(at)


def catalogue_for_wave(aspire: Aspire, wave: Wave) -> Catalogue:
    """The catalogue as it stood at the end of a wave: the start of the next one (now for the newest).

    The start of a wave is midnight of its first day in the organisation's time zone. A wave that ended
    before the catalogue was first stored is shown with the catalogue as first stored: nothing older is known.
    """
    later = [w.starts_on for w in list_waves(aspire) if w.starts_on > wave.starts_on]
    moment = dt.datetime.combine(min(later), dt.time(0), tzinfo=aspire.settings.zone) if later else _now()
    first = _rows(aspire).first_recorded()
    return catalogue_at(aspire, max(moment, first) if first is not None else moment)


# ---- changing ------------------------------------------------------------------------------------------


def add_option(aspire: Aspire, actor: Actor, fields: Mapping[str, Any]) -> OptionVersion:
    """Put a new option on offer (a retired key comes back as its next version)."""
    _require_admin(actor)
    option = checked_option(fields)
    try:
        with _placed(option):
            saved = _rows(aspire).insert(option, _now())
    except KeyTaken as exc:
        raise OptionRejected([f"Key: {option.key!r} is already on offer as {exc.name!r}; choose another key, "
                              "or edit that option"]) from None
    _record(aspire, actor, saved, "added")
    return saved


def edit_option(aspire: Aspire, actor: Actor, key: str, version: int, fields: Mapping[str, Any]) -> OptionVersion:
    """Replace an option's details, naming the version read; EditConflict when it changed meanwhile."""
    _require_admin(actor)
    current = _current(aspire, key)
    given = {"key": key, "kind": str(current.option.kind), **fields}
    if (given["key"], str(given["kind"])) != (key, str(current.option.kind)):
        raise OptionRejected(["Key and kind cannot change: retire this option and add a new one instead"])
    option = checked_option(given)
    if option == current.option and version == current.version:
        return current   # nothing to save: no new version, no audit entry
    try:
        with versioned("option"), _placed(option):
            saved = _rows(aspire).replace(version, option, _now())
    except RowMissing:
        raise OptionRejected([_gone(key)]) from None
    _record(aspire, actor, saved, "edited")
    return saved


def import_framework(aspire: Aspire, actor: Actor, data: bytes) -> list[OptionVersion]:
    """Set the title, scope and expectations of the levels a career framework (CSV) describes: all or none.

    The whole file is checked first (coaching.paths.framework); ImportRejected names every bad row. Levels the
    file describes exactly as they stand get no new version; each changed level gets one, audited like an edit.
    """
    _require_admin(actor)
    current = {v.option.key: v for v in current_offer(aspire)}
    edits = []
    for level in parse_framework(data, catalogue_at(aspire)):
        version = current[level.level]
        changes = {"name": level.title, "expectations": tuple(level.expectations)}
        if level.scope is not None:
            changes["scope"] = level.scope
        try:
            option = PathOption.model_validate({**version.option.model_dump(), **changes})
        except ValidationError as exc:
            raise ImportRejected([RowProblem(level.line, _plain(e)) for e in exc.errors()]) from None
        if option != version.option:
            edits.append((version.version, option))
    try:
        with versioned("catalogue"):
            saved = _rows(aspire).replace_all(edits, _now()) if edits else []
    except RowMissing:
        raise EditConflict("catalogue") from None   # retired meanwhile
    for version in saved:
        _record(aspire, actor, version, "imported")
    return saved


def retire_option(aspire: Aspire, actor: Actor, key: str, version: int) -> OptionVersion:
    """Take an option off the offer from now on; past waves still show it. Refused while members hold it."""
    _require_admin(actor)
    current = _current(aspire, key)
    try:
        with versioned("option"):
            closed = _rows(aspire).retire(key, version, _now())
    except RowMissing:
        raise OptionRejected([_gone(key)]) from None
    except OptionHeld as exc:
        raise OptionRejected([_held(current.option, exc.count)]) from None
    _record(aspire, actor, closed, "retired")
    return closed


def _current(aspire: Aspire, key: str) -> OptionVersion:
    history = _rows(aspire).history(key)
    if not history or not history[-1].is_current:
        raise OptionRejected([_gone(key)])
    return history[-1]


def _gone(key: str) -> str:
    return f"{key!r} is not on offer any more: someone retired it meanwhile. Add it again if it should return"


@contextmanager
def _placed(option: PathOption) -> Iterator[None]:
    """A rank or entry rung another level of the track holds, said as the refusal a person reads."""
    try:
        yield
    except RankTaken as exc:
        raise OptionRejected([_rank_taken(option, exc.name)]) from None
    except EntryTaken as exc:
        raise OptionRejected([_entry_taken(option, exc.name)]) from None


def _rank_taken(option: PathOption, holder: str) -> str:
    return (f"Rank: {holder!r} already has rank {option.rank} on the {option.kind.label.lower()}; "
            "give this level another rank, or change that one first")


def _entry_taken(option: PathOption, holder: str) -> str:
    return (f"Entry rung: {holder!r} is where the {option.kind.label.lower()} starts; clear it there first, "
            "then mark this level")


def _held(option: PathOption, count: int) -> str:
    who = "1 active member" if count == 1 else f"{count} active members"
    if option.kind.is_track:
        what = "holds this level" if count == 1 else "hold this level"
    else:
        what = "uses this option" if count == 1 else "use this option"
    return (f"{option.name!r} cannot be retired: {who} still {what}. Their managers change their current "
            "arrangement first, then retire it")


# ---- input at the edge ---------------------------------------------------------------------------------


def checked_option(fields: Mapping[str, Any]) -> PathOption:
    """An option from typed fields (a form, a file): trimmed, empty optional fields dropped, checked whole.

    `support` maps each need to 0-1; `band` maps minimum, midpoint, maximum and currency (all empty: none).
    OptionRejected names every problem at once.
    """
    data = {name: _trimmed(value) for name, value in fields.items()}
    if isinstance(data.get("band"), Mapping):
        band = {name: _trimmed(value) for name, value in data["band"].items()}
        data["band"] = None if all(v in (None, "") for v in band.values()) else band
    if isinstance(data.get("band"), dict) and isinstance(data["band"].get("currency"), str):
        data["band"]["currency"] = data["band"]["currency"].upper()
    for optional in ("rank", "openings"):
        if data.get(optional) == "":
            data[optional] = None
    try:
        return PathOption.model_validate(data)
    except ValidationError as exc:
        raise OptionRejected([_plain(e) for e in exc.errors()]) from None


def _trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


_LABELS = {"key": "Key", "kind": "Kind", "name": "Name", "rank": "Rank", "scope": "Scope", "why": "Why",
           "openings": "Openings", "support": "Need profile", "band": "Pay band", "expectations": "Expectations",
           "entry": "Entry rung"}
def _label(loc: tuple) -> str:
    head = str(loc[0]) if loc else ""
    if head == "support" and len(loc) > 1 and str(loc[1]) in {str(n) for n in NEEDS}:
        return f"Need profile, {Need(loc[1]).label}"
    if head == "band" and len(loc) > 1:
        return f"Pay band {loc[1]}"
    return _LABELS.get(head, head or "The option")


def _plain(error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence that names the field the person typed into."""
    loc, kind = tuple(error["loc"]), error["type"]
    if loc and loc[0] == "support" and loc[-1] == "[key]":
        return f"Need profile: {loc[1]!r} is not a need (needs: {', '.join(str(n) for n in NEEDS)})"
    if kind in ("greater_than_equal", "less_than_equal") and loc[:1] == ("support",):
        return f"{_label(loc)} must be between 0 and 1, not {error['input']}"
    if kind == "enum" and loc == ("kind",):
        return f"Kind: {error['input']!r} is not a kind of option (kinds: {', '.join(str(k) for k in PathKind)})"
    if kind == "string_pattern_mismatch" and loc == ("key",):
        return "Key: use 1 to 40 lower-case letters, digits or _, starting with a letter"
    if kind == "string_pattern_mismatch":
        return f"{_label(loc)}: use a three-letter code such as EUR"
    if kind == "extra_forbidden":
        return f"{_label(loc)} is not part of an option"
    if not loc:
        return str(error["msg"]).removeprefix("Value error, ")
    return field_sentence(error, _label(loc))


# ---- what changed --------------------------------------------------------------------------------------


def differences(before: PathOption, after: PathOption) -> list[str]:
    """What differs between two versions of an option, one plain line per field ("Openings: 2 → 3")."""
    pairs = [
        ("Name", before.name, after.name), ("Rank", before.rank, after.rank), ("Scope", before.scope, after.scope),
        ("Why", before.why, after.why), ("Openings", before.openings, after.openings),
        *((f"Need profile, {n.label}", before.support[n], after.support[n]) for n in NEEDS),
        ("Pay band", band_text(before.band), band_text(after.band)),
        ("Expectations", "; ".join(before.expectations), "; ".join(after.expectations)),
        ("Entry rung", "yes" if before.entry else "no", "yes" if after.entry else "no"),
    ]
    return [f"{label}: {_shown(old)} → {_shown(new)}" for label, old, new in pairs if old != new]


def band_text(band: PayBand | None) -> str:
    """A pay band in one line, e.g. '52,000 – 60,000 – 68,000 EUR'."""
    if band is None:
        return "none"
    return " – ".join(amount_text(v) for v in (band.minimum, band.midpoint, band.maximum)) + f" {band.currency}"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)
