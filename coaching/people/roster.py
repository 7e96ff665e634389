"""Checking a CSV file of team members as HR systems export it: the file's format and every row as a member.

Accepted: UTF-8 (with or without the byte-order mark spreadsheets write), separated by commas, semicolons
or tabs (found from the header line), and the column names HR systems use for what Aspire keeps (`role`,
`job title`, `e-mail`, `full name`, `first name` + `last name`, ...). Columns Aspire does not use are
ignored and listed, so the manager sees what was left out.

Refused as a whole, with the reason: a file too large, a line too long to be a row of members, a quote
that is never closed, a header without the columns for a name and an e-mail. Otherwise every row is
checked once, in one place (`read_members`): what is wrong with it as text (too many values, a line break
inside a value) together with what the member form refuses (coaching.people.member_input: lengths, the
e-mail), a track or level not on offer, an e-mail twice in the file or already used by an active member.
Every problem of every row is reported at once, each with its line, so the file is fixed in one go.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from coaching.core.tabular import ImportRejected, RowProblem
from coaching.paths.catalogue import Catalogue, arrangement_problems
from coaching.people.member_input import MemberInput, MemberRejected

MAX_BYTES = 5_000_000      # 20,000 members of a few hundred bytes each
MAX_LINE = 10_000          # characters: a row of members, even with many unused columns, is far shorter
MAX_ROWS = 20_000

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
REQUIRED = ("name", "email")
LABELS = {"name": "name", "email": "e-mail", "role_title": "role title", "track": "track", "level": "level",
          "language": "language", "first_name": "first name", "last_name": "last name"}

#: Column names as HR systems write them (lower-cased, with runs of spaces, _ - . as one space) -> field.
ALIASES = {
    **dict.fromkeys(("name", "full name", "fullname", "employee name", "employee", "member", "member name",
                     "person", "display name"), "name"),
    **dict.fromkeys(("first name", "firstname", "given name", "forename"), "first_name"),
    **dict.fromkeys(("last name", "lastname", "surname", "family name"), "last_name"),
    **dict.fromkeys(("email", "e mail", "email address", "e mail address", "mail", "work email",
                     "work e mail", "business email"), "email"),
    **dict.fromkeys(("role title", "role", "job title", "title", "job", "position", "job role"), "role_title"),
    **dict.fromkeys(("track", "career track"), "track"),
    **dict.fromkeys(("level", "career level", "job level", "grade"), "level"),
    **dict.fromkeys(("language", "preferred language", "locale"), "language"),   # checked by MemberInput
}


@dataclass(frozen=True)
class CsvRow:
    """One data row: Aspire's fields as written in the file (a name joined from first and last name)."""

    line: int
    values: dict[str, str]
    problems: tuple[str, ...] = ()   # what is wrong with it as text, before any rule for members


@dataclass(frozen=True)
class Roster:
    """The file as read: how it was separated, which column gave which field, what was left out, the rows."""

    delimiter: str
    columns: dict[str, str]          # field -> the file's column (or "First name + Last name")
    ignored: tuple[str, ...]
    rows: tuple[CsvRow, ...]

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]

    def describe(self) -> str:
        """How the file was read, for the confirmation: separator, columns used, columns left out."""
        used = ", ".join(f"{column!r} as {LABELS[field]}" for field, column in self.columns.items())
        text = f"Read as {self.delimiter_name}-separated; columns used: {used}."
        if self.ignored:
            text += f" Not used: {', '.join(repr(c) for c in self.ignored)}."
        return text


def read_roster(data: bytes) -> Roster:
    """The file's rows with their line numbers, or ImportRejected saying why the file cannot be read at all."""
    if len(data) > MAX_BYTES:
        raise _refused(1, f"the file is {len(data) / 1e6:.1f} MB, at most {MAX_BYTES / 1e6:.0f} MB "
                          f"({MAX_ROWS:,} members); split it")
    text = _decode(data)
    _check_line_lengths(text)
    delimiter = _delimiter(text)
    records = _records(text, delimiter)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header[1]):
        raise _refused(1, "the file is empty; the first line must name the columns")
    columns, ignored, positions = _columns(header[1], delimiter)
    rows: list[CsvRow] = []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue   # a blank line, or a row of separators only, as spreadsheets leave at the end
        if len(rows) >= MAX_ROWS:
            raise _refused(line, f"the file has more than {MAX_ROWS:,} rows; split it")
        rows.append(_row(line, record, positions, len(header[1]), delimiter))
    if not rows:
        raise _refused(1, "the file has a header but no members")
    return Roster(delimiter, columns, ignored, tuple(rows))


def read_members(data: bytes, catalogue: Catalogue, taken: set[str]) -> tuple[Roster, list[MemberInput]]:
    """The whole check of a member file: how it was read and its members, or ImportRejected listing every problem.

    `taken`: the lower-cased e-mails of active members, which no row may use again.
    """
    roster = read_roster(data)
    return roster, checked_members(roster, catalogue, taken)


def checked_members(roster: Roster, catalogue: Catalogue, taken: set[str]) -> list[MemberInput]:
    """Every row as a member, in one pass: the problems found reading it, the member form's own checks, the
    catalogue and the e-mails in use. Every problem of every row is collected, each with its line."""
    checked, problems = [], []
    seen: dict[str, int] = {}
    for row in roster.rows:
        reasons = list(row.problems)
        try:
            member = MemberInput.of(row.values)
        except MemberRejected as exc:
            member, reasons = None, reasons + exc.problems
        if member is not None:
            reasons += arrangement_problems(catalogue, member.track, member.level)
        email = row.values["email"].strip().lower()
        if email in seen:
            reasons.append(f"duplicate e-mail {email} (also on line {seen[email]})")
        elif email in taken:
            reasons.append(f"e-mail {email} already belongs to a member")
        if email:
            seen.setdefault(email, row.line)
        problems += [RowProblem(row.line, r) for r in reasons]
        if member is not None and not reasons:
            checked.append(member)
    if problems:
        raise ImportRejected(problems)
    return checked


def _refused(line: int, reason: str) -> ImportRejected:
    return ImportRejected([RowProblem(line, reason)])


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refused(1, f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None


def _check_line_lengths(text: str) -> None:
    """A line far longer than any row of members: the wrong file, or one that would exhaust the reader."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        length = len(line.rstrip("\r\n"))
        if length > MAX_LINE:
            raise _refused(number, f"this line is {length:,} characters long, at most {MAX_LINE:,}: "
                                   "it is not a row of members (is this the right file?)")


def _delimiter(text: str) -> str:
    """The separator under which the header names the most of Aspire's columns (then: makes the most columns)."""
    def score(delimiter: str) -> tuple[int, int]:
        try:
            header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error:
            return (0, 0)
        return (len({ALIASES.get(_normal(h)) for h in header} - {None}), len(header))

    return max(DELIMITERS, key=score)


def _records(text: str, delimiter: str):
    """(line where the record starts, its cells), one by one; a quote never closed refuses the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "expected after" in str(exc):
                reason = ("a quote ends in the middle of a value: inside a quoted value write a quote as two "
                          "quotes (\"\"), or quote the whole value")
            else:   # the end of the file, or the reader's size limit, reached inside quotes
                reason = "a quote (\") opened on this line is never closed: close it or remove it"
            raise _refused(start, reason) from None
        yield start, record


def _normal(column: str) -> str:
    return re.sub(r"[\s_.\-]+", " ", column.strip().strip('"').lower()).strip()


def _columns(header: list[str], delimiter: str) -> tuple[dict[str, str], tuple[str, ...], dict[str, int]]:
    """Which column gives which field (the first of several wins), the columns left out, and the fields' positions."""
    positions: dict[str, int] = {}
    ignored = []
    for index, column in enumerate(header):
        field = ALIASES.get(_normal(column))
        if field is not None and field not in positions:
            positions[field] = index
        elif column.strip():
            ignored.append(column.strip())
    if "name" in positions:
        ignored += [header[positions.pop(f)].strip() for f in ("first_name", "last_name") if f in positions]
    found_fields = positions.keys() | ({"name"} if positions.keys() & {"first_name", "last_name"} else set())
    missing = [f for f in REQUIRED if f not in found_fields]
    if missing:
        found = ", ".join(repr(c.strip()) for c in header if c.strip()) or "none"
        raise _refused(1, f"missing column {', '.join(missing)} (read as {DELIMITERS[delimiter]}-separated; found "
                          f"{found}). Aspire reads name (or first name and last name), email, and optionally "
                          "role_title, track and level, also under names such as full name, e-mail, job title")
    columns = {field: header[i].strip() for field, i in positions.items()}
    if "name" not in columns:
        parts = [columns.pop(f) for f in ("first_name", "last_name") if f in columns]
        columns = {"name": " + ".join(parts), **columns}
    return columns, tuple(ignored), positions


def _row(line: int, record: list[str], positions: dict[str, int], width: int, delimiter: str) -> CsvRow:
    """One record as Aspire's fields, with what is wrong with it as text (too many values, a line break)."""
    problems = []
    if any(cell.strip() for cell in record[width:]):
        problems.append(f"more values than columns (a {DELIMITERS[delimiter]} inside a value needs quotes)")
    cells = {field: record[i] if i < len(record) else "" for field, i in positions.items()}
    if "name" not in cells:
        cells = {"name": " ".join(p for p in (cells.pop("first_name", "").strip(), cells.pop("last_name", "").strip())
                                  if p), **cells}
    for field, value in cells.items():
        if "\n" in value or "\r" in value:
            problems.append(f"the {LABELS[field]} has a line break inside it; it must be one line (a quote "
                            "opened on this line may be missing its closing quote)")
    return CsvRow(line, cells, tuple(problems))
