"""A person's rights: access (export), erasure, and the retention purge of old raw answers.

Rules (DOMAIN.md, "People and what they may see"):
- data requests are acted on by HR admins and by the system (the CLI); anyone else gets
  PermissionDenied, worded like "not found". An admin finds a member by e-mail across the whole
  organisation, archived members included; every member record with that e-mail belongs to the request;
- an export holds the member records, options in use, every response (current or not) with its
  ratings, forced choice, reflections, life stage and scores, invitations (dates and status, never
  token hashes), goals with their actions and every earlier version (review marks included), and
  one-on-one notes with their agreed actions and every earlier version. JSON is one document; CSV is
  one flat file of (section, record, field, value) rows in which no cell can start a spreadsheet formula;
- an erasure deletes every row of the member in one transaction, then rewrites the database file
  (`Database.compact`) so that no freed block still holds their text;
- a purge removes raw answers submitted before a cut-off, keeping per wave only the organisation-wide
  means and counts that pass the group-size rule (`settings.min_group`), then compacts the file;
- each of these is written to the audit log, by label only: "json export", "csv export",
  "erase request", "retention purge". The audit rows of an erased member stay: they hold ids only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.clock import months_before
from coaching.core.tabular import ExportFile, Format
from coaching.db.engine import Compaction
from coaching.governance.audit import Action, Subject
from coaching.one_on_one.member_data import MemberSummary, Person, document_csv, member_document, to_json
from coaching.one_on_one.member_data_rows import MemberDataRows
from coaching.privacy.privacy_rows import (
    PrivacyRows,
    Snapshot,
)

FORMATS: tuple[Format, ...] = ("json", "csv")


class MemberNotFound(LookupError):
    """No member uses this e-mail."""

    def __init__(self) -> None:
        super().__init__("No member uses this e-mail.")


def _require_data_officer(actor: Actor) -> None:
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied("no such member")


def _rows(aspire: Aspire) -> PrivacyRows:
    return PrivacyRows(aspire.db)


# ---- finding the person --------------------------------------------------------------------------


def find_person(aspire: Aspire, actor: Actor, email: str) -> Person | None:
    """The member records with this e-mail (compared case-insensitively), or None."""
    _require_data_officer(actor)
    rows = _rows(aspire).members_by_email(email)
    if not rows:
        return None
    return Person(
        email=email.strip().lower(),
        members=tuple(MemberSummary(r.id, r.name, r.team_name, r.archived_at is not None) for r in rows),
    )


def _person(aspire: Aspire, actor: Actor, email: str) -> Person:
    person = find_person(aspire, actor, email)
    if person is None:
        raise MemberNotFound()
    return person


# ---- export ---------------------------------------------------------------------------------------


def export_document(aspire: Aspire, actor: Actor, email: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything held about the person with this e-mail, as one JSON-ready document (no audit entry)."""
    return _export(aspire, actor, email, now)[1]


def _export(aspire: Aspire, actor: Actor, email: str, now: dt.datetime | None) -> tuple[Person, dict[str, Any]]:
    person = _person(aspire, actor, email)
    data = MemberDataRows(aspire.db).member_data(person.member_ids)
    return person, member_document(aspire, person, data, now or dt.datetime.now(dt.UTC))


def export_member(
    aspire: Aspire, actor: Actor, email: str, fmt: Format = "json", *, now: dt.datetime | None = None
) -> ExportFile:
    """The person's data as a JSON or CSV file; the export is written to the audit log."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use json or csv")
    person, document = _export(aspire, actor, email, now)
    text = to_json(document) if fmt == "json" else document_csv(document)
    aspire.audit.record(actor, Action.EXPORTED, Subject.MEMBER, list(person.member_ids), f"{fmt} export")
    return ExportFile(fmt, export_filename(person.email, fmt), text)


def export_filename(email: str, fmt: Format) -> str:
    """A file name for a person's export, safe on every file system: aspire-data-ana_at_example.com.json."""
    stem = email.strip().lower().replace("@", "_at_")
    return "aspire-data-" + "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in stem)[:80] + f".{fmt}"


# ---- erasure ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    person: Person
    removed: dict[str, int]          # table -> rows deleted
    compaction: Compaction

    def describe(self) -> str:
        r = self.removed
        goals = f"{_n(r['goal'], 'goal')} with {_n(r['goal_action'], 'action')}"
        return (
            f"Erased {self.person.describe()}: {_n(r['member'], 'member record')}, "
            f"{_n(r['response'], 'response')} ({_n(r['response_rating'], 'rating')}, "
            f"{_n(r['response_reflection'], 'reflection')}), {_n(r['invitation'], 'invitation')}, "
            f"{goals}, {_n(r['note'], 'note')}, {_n(r['member_option'], 'option in use', 'options in use')}. "
            "The database file was rewritten without them."
        )


def erasure_preview(aspire: Aspire, actor: Actor, email: str) -> dict[str, int]:
    """Rows per table an erasure of this person would delete."""
    person = _person(aspire, actor, email)
    return _rows(aspire).row_counts(person.member_ids)


def erase_member(aspire: Aspire, actor: Actor, email: str) -> Erasure:
    """Delete every row of the person with this e-mail, record it, and rewrite the file without them."""
    person = _person(aspire, actor, email)
    removed = _rows(aspire).erase(person.member_ids)
    aspire.audit.record(actor, Action.ERASED, Subject.MEMBER, list(person.member_ids), "erase request")
    return Erasure(person, removed, aspire.db.compact())


# ---- retention --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purge:
    before: dt.datetime
    removed: dict[str, int]
    kept: list[Snapshot]
    waves_too_small: list[str]
    min_group: int
    compaction: Compaction | None

    @property
    def responses(self) -> int:
        return self.removed.get("response", 0)

    def describe(self) -> str:
        when = f"{self.before:%d %B %Y}"
        if not self.responses:
            return f"No answers were submitted before {when}; nothing was removed."
        text = (f"Removed {_n(self.responses, 'response')} submitted before {when} "
                f"({_n(self.removed['response_rating'], 'rating')}, "
                f"{_n(self.removed['response_reflection'], 'reflection')}).")
        kept = sorted({(k.wave_id, k.wave or str(k.wave_id), k.n) for k in self.kept})
        if kept:
            text += " Kept the organisation-wide averages of " + ", ".join(
                f"wave {name} ({n} people)" for _, name, n in kept) + "."
        if self.waves_too_small:
            text += (f" No averages kept for {', '.join('wave ' + w for w in self.waves_too_small)}: "
                     f"fewer than {self.min_group} people.")
        return text


def purge_preview(aspire: Aspire, actor: Actor, months: int, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Rows per table a purge of answers older than `months` would delete."""
    _require_data_officer(actor)
    return _rows(aspire).older_answer_counts(months_before(now or dt.datetime.now(dt.UTC), _months(months)))


def purge_older_than(aspire: Aspire, actor: Actor, months: int, *, now: dt.datetime | None = None) -> Purge:
    """Purge raw answers submitted more than `months` months ago, keeping aggregates that pass the
    group-size rule; recorded in the audit log; the file is rewritten when anything was removed."""
    _require_data_officer(actor)
    before = months_before(now or dt.datetime.now(dt.UTC), _months(months))
    min_group = aspire.settings.min_group
    rows = _rows(aspire).purge(before, min_group)
    aspire.audit.record(actor, Action.PURGED, Subject.ORGANISATION, [None], "retention purge")
    compaction = aspire.db.compact() if rows.removed.get("response") else None
    return Purge(before, rows.removed, rows.kept, rows.waves_too_small, min_group, compaction)


def apply_retention(aspire: Aspire, *, now: dt.datetime | None = None) -> Purge | None:
    """The purge COACHING_RETENTION_MONTHS asks for, as the system; None when no retention is set."""
    months = aspire.settings.retention_months
    return None if months is None else purge_older_than(aspire, SYSTEM, months, now=now)


def aggregate_snapshots(aspire: Aspire, actor: Actor) -> list[Snapshot]:
    """The aggregates kept by past purges (each over at least min_group people at the time)."""
    _require_data_officer(actor)
    return _rows(aspire).snapshots()


def _months(months: int) -> int:
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        raise ValueError(f"the retention period must be a whole number of months, at least 1 (got {months!r})")
    return months


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
