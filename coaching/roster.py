"""Team members from a CSV file: the whole file is checked before anything is imported.

A file with any bad row imports nothing and reports every bad row with its line number and the
reason, so the manager fixes the file once instead of discovering problems one import at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import EmailStr, TypeAdapter, ValidationError

from coaching.catalogue import Catalogue, arrangement_problems
from coaching.store import NewMember
from coaching.text import text_problems

REQUIRED_COLUMNS = ("name", "email")
OPTIONAL_COLUMNS = ("role_title", "track", "level")
MAX_FIELD = 200
MAX_ROWS = 20_000

_EMAIL = TypeAdapter(EmailStr)


@dataclass(frozen=True)
class RowProblem:
    line: int          # the line number in the file, header = 1
    reason: str


class ImportRejected(ValueError):
    """The file cannot be imported; `problems` lists every bad row (or the file-level reason)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "; ".join(f"line {p.line}: {p.reason}" for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"Nothing was imported. {shown}{more}")


def parse_members(data: bytes, catalogue: Catalogue, taken_emails: Iterable[str] = ()) -> list[NewMember]:
    """Every member of the file, or ImportRejected naming every bad row; e-mails already in use count as bad."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(reader.fieldnames)
    taken = {e.lower() for e in taken_emails}
    seen: dict[str, int] = {}
    members: list[NewMember] = []
    problems: list[RowProblem] = []
    for row in reader:
        line = reader.line_num
        if len(members) + len(problems) >= MAX_ROWS:
            raise ImportRejected([RowProblem(line, f"the file has more than {MAX_ROWS} rows; split it")])
        member, reasons = _member(row, catalogue)
        if member is not None:
            key = member.email.lower()
            if key in seen:
                reasons.append(f"duplicate e-mail {member.email} (also on line {seen[key]})")
            elif key in taken:
                reasons.append(f"e-mail {member.email} already belongs to a member")
            seen.setdefault(key, line)
        problems += [RowProblem(line, r) for r in reasons]
        if member is not None and not reasons:
            members.append(member)
    if problems:
        raise ImportRejected(problems)
    if not members:
        raise ImportRejected([RowProblem(1, "the file has a header but no members")])
    return members


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([RowProblem(1, f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8")]) \
            from None


def _check_header(fieldnames: list[str] | None) -> None:
    if not fieldnames:
        raise ImportRejected([RowProblem(1, "the file is empty; the first line must name the columns")])
    names = [f.strip().lower() for f in fieldnames if f is not None]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [c for c in names if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    reasons = []
    if missing:
        known = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        reasons.append(f"missing column {', '.join(missing)} (columns: {known})")
    if unknown:
        reasons.append(f"unknown column {', '.join(repr(u) for u in unknown)}")
    if reasons:
        raise ImportRejected([RowProblem(1, r) for r in reasons])


def _member(row: dict, catalogue: Catalogue) -> tuple[NewMember | None, list[str]]:
    """One row as a member, with every reason it cannot be imported."""
    if None in row:
        return None, ["more values than columns (a comma inside a name needs quotes)"]
    values = {(k or "").strip().lower(): v for k, v in row.items()}
    reasons = [f"{column}: {p}" for column, value in values.items() if value
               for p in text_problems(value, MAX_FIELD)]
    name = (values.get("name") or "").strip()
    if not name:
        reasons.append("name is empty")
    email = (values.get("email") or "").strip()
    try:
        email = str(_EMAIL.validate_python(email))
    except ValidationError:
        reasons.append(f"malformed e-mail {email!r}" if email else "e-mail is empty")
    track = (values.get("track") or "").strip().lower() or None
    level = (values.get("level") or "").strip().lower() or None
    reasons += arrangement_problems(catalogue, track, level)
    if reasons:
        return None, reasons
    role_title = (values.get("role_title") or "").strip() or None
    return NewMember(name=name, email=email, role_title=role_title, track=track, level=level), []
