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

import calendar
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.text import FORMULA_STARTS, neutralise  # noqa: F401 - FORMULA_STARTS: part of this module's API
from coaching.db.database import Compaction
from coaching.governance.audit import Action, Subject
from coaching.measurement.versions import instruments
from coaching.one_on_one.route_rows import RouteRows
from coaching.privacy.privacy_rows import (
    GoalHistoryRow,
    MemberData,
    MemberRow,
    NoteHistoryRow,
    PrivacyRows,
    ResponseRow,
    Snapshot,
)

Format = Literal["json", "csv"]
FORMATS: tuple[Format, ...] = ("json", "csv")
EXPORT_FORMAT = "aspire-member-export/1"
CSV_HEADER = ("section", "record", "field", "value")

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


@dataclass(frozen=True)
class MemberSummary:
    id: int
    name: str
    team: str | None
    archived: bool


@dataclass(frozen=True)
class Person:
    """The member records one e-mail names (usually one)."""

    email: str
    members: tuple[MemberSummary, ...]

    @property
    def member_ids(self) -> list[int]:
        return [m.id for m in self.members]

    @property
    def name(self) -> str:
        return self.members[0].name

    def describe(self) -> str:
        parts = [f"{m.name} ({m.team or 'no team'}{', archived' if m.archived else ''})" for m in self.members]
        return "; ".join(parts)


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


@dataclass(frozen=True)
class ExportFile:
    """One export, ready to save: `text` for a terminal, `data` (bytes) for a file or a download."""

    format: Format
    filename: str
    text: str

    @property
    def mime(self) -> str:
        return "application/json" if self.format == "json" else "text/csv"

    @property
    def data(self) -> bytes:
        # A byte-order mark lets spreadsheet programs read the CSV as UTF-8 (names such as "Zoë").
        return self.text.encode("utf-8-sig" if self.format == "csv" else "utf-8")


def export_document(aspire: Aspire, actor: Actor, email: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything held about the person with this e-mail, as one JSON-ready document (no audit entry)."""
    return _export(aspire, actor, email, now)[1]


def _export(aspire: Aspire, actor: Actor, email: str, now: dt.datetime | None) -> tuple[Person, dict[str, Any]]:
    person = _person(aspire, actor, email)
    data = _rows(aspire).member_data(person.member_ids)
    return person, member_document(aspire, person, data, now or dt.datetime.now(dt.UTC))


def export_member(
    aspire: Aspire, actor: Actor, email: str, fmt: Format = "json", *, now: dt.datetime | None = None
) -> ExportFile:
    """The person's data as a JSON or CSV file; the export is written to the audit log."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use json or csv")
    person, document = _export(aspire, actor, email, now)
    text = to_json(document) if fmt == "json" else to_csv(document)
    aspire.audit.record(actor, Action.EXPORTED, Subject.MEMBER, list(person.member_ids), f"{fmt} export")
    return ExportFile(fmt, export_filename(person.email, fmt), text)


def export_filename(email: str, fmt: Format) -> str:
    """A file name for a person's export, safe on every file system: aspire-data-ana_at_example.com.json."""
    stem = email.strip().lower().replace("@", "_at_")
    return "aspire-data-" + "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in stem)[:80] + f".{fmt}"


def member_document(aspire: Aspire, person: Person, data: MemberData, now: dt.datetime) -> dict[str, Any]:
    ratings, choices, reflections, scores = (_by_first(rows) for rows in
                                             (data.ratings, data.choices, data.reflections, data.scores))
    actions = _by_first([(a.goal_id, a) for a in data.goal_actions])
    goal_versions = _by_first([(h.goal_id, h) for h in data.goal_history])
    note_versions = _by_first([(h.note_id, h) for h in data.note_history])
    options = _by_first(data.options)
    routes = _routes(aspire, [m.id for m in data.members])
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "email": person.email,
        "members": [
            {
                "profile": _profile(m),
                "options_in_use": [key for (key,) in options.get(m.id, [])],
                "responses": [
                    _response(aspire, r, ratings.get(r.id, []), choices.get(r.id, []), reflections.get(r.id, []),
                              scores.get(r.id, []))
                    for r in data.responses if r.member_id == m.id
                ],
                "invitations": [
                    {
                        "id": i.id, "round_id": i.round_id, "wave": i.wave, "sent_at": _iso(i.sent_at),
                        "deadline": _iso(i.deadline), "status": _invitation_status(i.answered, i.revoked_at,
                                                                                   i.declined_at),
                        "revoked_at": _iso(i.revoked_at), "declined_at": _iso(i.declined_at),
                    }
                    for i in data.invitations if i.member_id == m.id
                ],
                "goals": [
                    {
                        "id": g.id, "title": g.title, "need": g.need, "option_key": g.option_key,
                        "target_date": _iso(g.target_date), "success_measure": g.success_measure,
                        "status": g.status, "created_by": g.created_by, "created_at": _iso(g.created_at),
                        "version": g.version,
                        "actions": [
                            {"id": a.id, "what": a.what, "who": a.who, "due_on": _iso(a.due_on), "done": a.done}
                            for (a,) in actions.get(g.id, [])
                        ],
                        "history": [_goal_version(h) for (h,) in goal_versions.get(g.id, [])],
                    }
                    for g in data.goals if g.member_id == m.id
                ],
                "notes": [
                    {"id": n.id, "held_on": _iso(n.held_on), "author": n.author, "body": n.body,
                     "agreed": json.loads(n.agreed), "created_at": _iso(n.created_at), "version": n.version,
                     "history": [_note_version(h) for (h,) in note_versions.get(n.id, [])]}
                    for n in data.notes if n.member_id == m.id
                ],
                "routes": routes.get(m.id, []),
            }
            for m in data.members
        ],
    }


def _routes(aspire: Aspire, member_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each member's agreed development routes, oldest first, with their steps and the goal each became."""
    rows = RouteRows(aspire.db)
    routes = rows.routes_of(member_ids)
    steps = _by_first([(s.route_id, s) for s in rows.steps_of([r.id for r in routes])])
    found: dict[int, list[dict[str, Any]]] = {}
    for r in routes:
        found.setdefault(r.member_id, []).append({
            "id": r.id, "agreed_at": _iso(r.agreed_at), "agreed_by": r.agreed_by, "replaced_at": _iso(r.replaced_at),
            "start_track": r.start_track, "start_level": r.start_level,
            "steps": [{"position": s.position, "kind": s.kind, "option_key": s.option_key,
                       "target_date": _iso(s.target_date), "goal_id": s.goal_id} for (s,) in steps.get(r.id, [])],
        })
    return found


def _goal_version(h: GoalHistoryRow) -> dict[str, Any]:
    return {
        "version": h.version, "event": h.event, "review_answer": h.review_answer, "reviewed_on": _iso(h.reviewed_on),
        "title": h.title, "need": h.need, "option_key": h.option_key, "target_date": _iso(h.target_date),
        "success_measure": h.success_measure, "status": h.status, "changed_by": h.changed_by,
        "changed_at": _iso(h.changed_at),
    }


def _note_version(h: NoteHistoryRow) -> dict[str, Any]:
    return {"version": h.version, "held_on": _iso(h.held_on), "body": h.body, "agreed": json.loads(h.agreed),
            "written_by": h.written_by, "written_at": _iso(h.written_at)}


def _profile(m: MemberRow) -> dict[str, Any]:
    return {
        "id": m.id, "name": m.name, "email": m.email, "role_title": m.role_title, "track": m.track,
        "level": m.level, "team": m.team_name, "created_at": _iso(m.created_at), "archived_at": _iso(m.archived_at),
        "language": m.language,
    }


def _response(
    aspire: Aspire, r: ResponseRow, ratings: list, choices: list, reflections: list, scores: list
) -> dict[str, Any]:
    instrument = instruments(aspire).get(r.instrument_version)
    statements = {i.id: i.text for i in instrument.items} if instrument else {}
    order = {item_id: n for n, item_id in enumerate(statements)}
    prompts = {x.id: x.prompt for x in instrument.reflections} if instrument else {}
    return {
        "id": r.id,
        "wave": r.wave,
        "instrument_version": r.instrument_version,
        "submitted_at": _iso(r.submitted_at),
        "is_current": r.is_current,
        "life_stage": r.life_stage,
        "ratings": [
            {"item": item, "statement": statements.get(item), "value": value}
            for item, value in sorted(ratings, key=lambda iv: (order.get(iv[0], len(order)), iv[0]))
        ],
        "top_three": [need for _, need in sorted(choices)],
        "reflections": [{"id": key, "prompt": prompts.get(key), "text": text} for key, text in reflections],
        "scores": {scale: score for scale, score in scores},
    }


def _invitation_status(answered: bool, revoked_at: dt.datetime | None, declined_at: dt.datetime | None) -> str:
    if declined_at is not None:
        return "declined"
    if revoked_at is not None:
        return "revoked"
    return "answered" if answered else "sent"


def _by_first(rows: list[tuple]) -> dict[Any, list[tuple]]:
    grouped: dict[Any, list[tuple]] = {}
    for key, *rest in rows:
        grouped.setdefault(key, []).append(tuple(rest))
    return grouped


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def csv_rows(document: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """The document as flat (section, record, field, value) rows, not yet neutralised."""
    for member in document["members"]:
        profile = member["profile"]
        record = str(profile["id"])
        for field, value in profile.items():
            yield "profile", record, field, _cell(value)
        for key in member["options_in_use"]:
            yield "option_in_use", record, "option_key", key
        for r in member["responses"]:
            rid = str(r["id"])
            yield "response", rid, "member_id", record
            for field in ("wave", "instrument_version", "submitted_at", "is_current", "life_stage"):
                yield "response", rid, field, _cell(r[field])
            for rank, need in enumerate(r["top_three"], start=1):
                yield "response", rid, f"top_three.{rank}", need
            for rating in r["ratings"]:
                yield "response", rid, f"rating.{rating['item']}", _cell(rating["value"])
            for reflection in r["reflections"]:
                yield "response", rid, f"reflection.{reflection['id']}", reflection["text"]
            for scale, score in r["scores"].items():
                yield "response", rid, f"score.{scale}", _cell(score)
        for section in ("invitations", "goals", "notes", "routes"):
            name = section.removesuffix("s")
            for item in member.get(section, []):
                iid = str(item["id"])
                yield name, iid, "member_id", record
                yield from _flat(name, iid, item, skip=("id", *_CHILDREN))
                for field, (child, key) in _CHILDREN.items():
                    for entry in item.get(field, []):
                        yield from _flat(child.format(name), f"{iid}.{entry[key]}", entry, skip=(key,))


#: Lists of records inside a goal or note: (the CSV section, with the parent's name; the field naming the entry).
_CHILDREN = {"actions": ("{}_action", "id"), "history": ("{}_history", "version"),
             "steps": ("{}_step", "position")}


def _flat(section: str, record: str, item: dict[str, Any], skip: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """One record's fields as rows; a list of texts (a note's agreed actions) as one row per entry: agreed.1, ..."""
    for field, value in item.items():
        if field in skip:
            continue
        if isinstance(value, list):
            for n, entry in enumerate(value, start=1):
                yield section, record, f"{field}.{n}", _cell(entry)
        else:
            yield section, record, field, _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in csv_rows(document):
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


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


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


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
