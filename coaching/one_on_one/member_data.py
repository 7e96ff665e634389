"""Everything held about a person as one document: what a data export gives them and the one-on-one CSV holds.

The document holds the member records, options in use, every response (current or not) with its ratings,
forced choice, reflections, life stage and scores, invitations (dates and status, never token hashes), goals
with their actions and every earlier version, one-on-one notes with theirs, and agreed development routes.
JSON is the document itself; CSV is one flat file of (section, record, field, value) rows in which no cell can
start a spreadsheet formula. Who may have it, and with which records left out, is decided by the callers:
coaching.privacy.requests (a data request, every record of an e-mail) and coaching.one_on_one.brief (the
member a manager coaches, without the notes).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from coaching.aspire import Aspire
from coaching.core.tabular import to_csv
from coaching.measurement.versions import instruments
from coaching.one_on_one.member_data_rows import MemberData, MemberRow, ResponseRow
from coaching.one_on_one.plan_models import GoalVersion, NoteVersion
from coaching.one_on_one.route_rows import RouteRows

EXPORT_FORMAT = "aspire-member-export/1"
CSV_HEADER = ("section", "record", "field", "value")


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


def member_document(aspire: Aspire, person: Person, data: MemberData, now: dt.datetime) -> dict[str, Any]:
    """The person's rows as one JSON-ready document, stamped `now`; each member record with all that hangs off it."""
    ratings, choices, reflections, scores = (_by_first(rows) for rows in
                                             (data.ratings, data.choices, data.reflections, data.scores))
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
                            for a in g.actions
                        ],
                        "history": [_goal_version(h) for (h,) in goal_versions.get(g.id, [])],
                    }
                    for g in data.goals if g.member_id == m.id
                ],
                "notes": [
                    {"id": n.id, "held_on": _iso(n.held_on), "author": n.author, "body": n.body,
                     "agreed": list(n.agreed), "created_at": _iso(n.created_at), "version": n.version,
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


def _goal_version(h: GoalVersion) -> dict[str, Any]:
    return {
        "version": h.version, "event": h.event, "review_answer": h.review_answer, "reviewed_on": _iso(h.reviewed_on),
        "title": h.title, "need": h.need, "option_key": h.option_key, "target_date": _iso(h.target_date),
        "success_measure": h.success_measure, "status": h.status, "changed_by": h.changed_by,
        "changed_at": _iso(h.changed_at),
    }


def _note_version(h: NoteVersion) -> dict[str, Any]:
    return {"version": h.version, "held_on": _iso(h.held_on), "body": h.body, "agreed": list(h.agreed),
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


def _flat(section: str, record: str, item: dict[str, Any],
          skip: tuple[str, ...]) -> Iterator[tuple[str, str, str, str]]:
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


def document_csv(document: dict[str, Any]) -> str:
    """The document as one flat CSV file of (section, record, field, value) rows, no cell a formula."""
    return to_csv(CSV_HEADER, csv_rows(document))
