"""Member CSV import: all or nothing, every bad row named with its line number, names kept exactly."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.catalogue import load_catalogue
from coaching.roster import ImportRejected, parse_members
from coaching.settings import PROJECT_DIR

CATALOGUE = load_catalogue(PROJECT_DIR / "data" / "catalogue.toml")


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _problems(data: bytes, taken=()) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as caught:
        parse_members(data, CATALOGUE, taken)
    assert str(caught.value).startswith("Nothing was imported.")
    return [(p.line, p.reason) for p in caught.value.problems]


def test_a_good_file_imports_every_member_with_names_exactly_as_written():
    names = ["Zoë Ågren", "田中 芽衣", "محمد الحداد", "O'Brien, Liam", "Łukasz Wójcik"]
    rows = [["name", "email", "role_title", "track", "level"]] + [
        [n, f"p{i}@example.com", "Engineer", "expert" if i % 2 else "", "senior" if i % 2 else ""]
        for i, n in enumerate(names)
    ]
    members = parse_members(_csv(rows), CATALOGUE)
    assert [m.name for m in members] == names
    assert members[1].track == "expert" and members[1].level == "senior"
    assert members[0].track is None


def test_a_byte_order_mark_from_spreadsheet_exports_is_accepted():
    assert len(parse_members(b"\xef\xbb\xbf" + _csv([["name", "email"], ["Ana", "ana@example.com"]]), CATALOGUE)) == 1


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported():
    rows = [
        ["name", "email", "track", "level"],
        ["Ana", "ana@example.com", "", ""],            # line 2: fine
        ["Ben", "not-an-email", "", ""],               # line 3
        ["Cleo", "ana@example.com", "", ""],           # line 4: duplicate of line 2
        ["Dev", "dev@example.com", "sales", ""],       # line 5: unknown track
        ["Eve", "eve@example.com", "expert", "boss"],  # line 6: unknown level
        ["", "fay@example.com", "", ""],               # line 7: no name
        ["Gus", "taken@example.com", "", ""],          # line 8: e-mail already in use
    ]
    problems = _problems(_csv(rows), taken=["TAKEN@example.com"])
    lines = [line for line, _ in problems]
    assert lines == [3, 4, 5, 6, 7, 8]
    reasons = dict(problems)
    assert "malformed e-mail" in reasons[3]
    assert "duplicate e-mail" in reasons[4] and "line 2" in reasons[4]
    assert "unknown track 'sales'" in reasons[5]
    assert "unknown level 'boss'" in reasons[6]
    assert "name is empty" in reasons[7]
    assert "already belongs" in reasons[8]


def test_a_missing_column_is_named():
    assert _problems(_csv([["name", "role_title"], ["Ana", "Engineer"]])) == [
        (1, "missing column email (columns: name, email, role_title, track, level)")]


def test_an_empty_file_and_a_header_only_file_are_refused():
    assert "empty" in _problems(b"")[0][1]
    assert "no members" in _problems(_csv([["name", "email"]]))[0][1]


def test_a_non_utf8_file_is_refused_with_advice():
    assert "not UTF-8" in _problems("name,email\nJosé,j@example.com\n".encode("latin-1"))[0][1]


def test_a_nul_byte_in_a_name_is_refused():
    problems = _problems(_csv([["name", "email"], ["A\x00na", "ana@example.com"]]))
    assert problems[0][0] == 2 and "NUL" in problems[0][1]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_import_or_fail_with_reasons_never_crash(data):
    try:
        members = parse_members(data, CATALOGUE)
    except ImportRejected as rejected:
        assert rejected.problems and all(p.line >= 1 and p.reason for p in rejected.problems)
    else:
        assert members


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=0, max_size=6), max_size=8))
def test_arbitrary_csv_rows_import_or_fail_with_reasons_never_crash(rows):
    data = _csv([["name", "email", "track", "level"], *rows])
    try:
        members = parse_members(data, CATALOGUE)
    except ImportRejected as rejected:
        assert rejected.problems
    else:
        assert len(members) == len([r for r in rows if r])   # csv skips only wholly empty lines
