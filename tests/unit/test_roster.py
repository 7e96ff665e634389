"""Reading a member CSV file as HR systems export it: separators, column names, and files refused as a whole."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.core.tabular import ImportRejected
from coaching.people.roster import MAX_LINE, read_roster


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def _refusal(data: bytes) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as caught:
        read_roster(data)
    assert str(caught.value).startswith("Nothing was imported.")
    return [(p.line, p.reason) for p in caught.value.problems]


def test_names_are_kept_exactly_as_written():
    names = ["Zoë Ågren", "田中 芽衣", "محمد الحداد", "O'Brien, Liam", "Łukasz Wójcik"]
    roster = read_roster(_csv([["name", "email"]] + [[n, f"p{i}@example.com"] for i, n in enumerate(names)]))
    assert [r.values["name"] for r in roster.rows] == names
    assert [r.line for r in roster.rows] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(("delimiter", "word"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_the_separator_is_found_from_the_header_and_named(delimiter, word):
    rows = [["Name", "E-mail", "Role"], ["Ana, the lead", "ana@example.com", "Engineer; backend"]]
    roster = read_roster(_csv(rows, delimiter))
    assert roster.delimiter_name == word
    assert roster.rows[0].values == {"name": "Ana, the lead", "email": "ana@example.com",
                                     "role_title": "Engineer; backend"}
    assert roster.describe().startswith(f"Read as {word}-separated;")


def test_column_names_from_hr_systems_are_understood_and_unused_ones_listed():
    rows = [["Employee ID", "Full Name", "E-mail Address", "Job Title", "Department", "Career level"],
            ["17", "Ana Ruiz", "ana@example.com", "Engineer", "IT", ""]]
    roster = read_roster(_csv(rows, ";"))
    assert roster.columns == {"name": "Full Name", "email": "E-mail Address", "role_title": "Job Title",
                              "level": "Career level"}
    assert roster.ignored == ("Employee ID", "Department")
    assert roster.rows[0].values == {"name": "Ana Ruiz", "email": "ana@example.com", "role_title": "Engineer",
                                     "level": ""}
    assert roster.describe() == (
        "Read as semicolon-separated; columns used: 'Full Name' as name, 'E-mail Address' as e-mail, "
        "'Job Title' as role title, 'Career level' as level. Not used: 'Employee ID', 'Department'.")


def test_a_first_and_a_last_name_column_make_the_name():
    roster = read_roster(_csv([["First name", "Last name", "email", "title"],
                               ["Ana", "Ruiz", "ana@example.com", "Engineer"], ["Cher", "", "cher@example.com", ""]]))
    assert [r.values["name"] for r in roster.rows] == ["Ana Ruiz", "Cher"]
    assert roster.columns["name"] == "First name + Last name"


def test_when_two_columns_mean_the_same_the_first_is_used_and_the_other_listed():
    roster = read_roster(_csv([["role", "job title", "name", "first name", "email"],
                               ["Engineer", "Senior engineer", "Ana Ruiz", "Ana", "ana@example.com"]]))
    assert roster.rows[0].values["role_title"] == "Engineer"
    assert roster.ignored == ("job title", "first name")


def test_a_file_without_the_required_columns_is_refused_naming_what_is_missing():
    [(line, reason)] = _refusal(_csv([["Name", "Role"], ["Ana", "Engineer"]]))
    assert line == 1 and reason.startswith("missing column email (read as comma-separated; found 'Name', 'Role')")
    [(_, reason)] = _refusal(_csv([["Department", "Mail"], ["IT", "ana@example.com"]], ";"))
    assert reason.startswith("missing column name (read as semicolon-separated; found 'Department', 'Mail')")


def test_a_name_with_a_line_break_inside_is_a_bad_row_with_a_reason():
    roster = read_roster(_csv([["name", "email"], ["Ana", "ana@example.com"], ["Ben\nRuiz", "ben@example.com"],
                               ["Cleo", "cleo@example.com"]]))
    assert [r.line for r in roster.rows] == [2, 3, 5], "a row is numbered by the line it starts on"
    assert roster.rows[0].problems == () and roster.rows[2].problems == ()
    [reason] = roster.rows[1].problems
    assert reason.startswith("the name has a line break inside it; it must be one line")


def test_blank_lines_and_rows_of_separators_are_skipped():
    roster = read_roster(b"name,email\nAna,ana@example.com\n\n,\nBen,ben@example.com\n,,\n")
    assert [(r.line, r.values["name"]) for r in roster.rows] == [(2, "Ana"), (5, "Ben")]


def test_more_values_than_columns_is_a_bad_row():
    roster = read_roster(b"name,email\nOBrien, Liam,liam@example.com\nAna,ana@example.com,,\n")
    assert roster.rows[0].problems == ("more values than columns (a comma inside a value needs quotes)",)
    assert roster.rows[1].problems == (), "empty trailing values are what spreadsheets write"


def test_an_unclosed_quote_refuses_the_file_naming_its_line():
    [(line, reason)] = _refusal(b'name,email\nAna,ana@example.com\n"Ben,ben@example.com\nCleo,cleo@example.com\n')
    assert line == 3 and reason.startswith('a quote (") opened on this line is never closed')


def test_a_quote_ending_inside_a_value_refuses_the_file_with_advice():
    [(line, reason)] = _refusal(b'name,email\n"Ana" Ruiz,ana@example.com\n')
    assert line == 2 and "write a quote as two quotes" in reason


def test_an_unclosed_quote_over_more_than_the_readers_limit_is_refused_too():
    data = b'name,email\n"Ana,ana@example.com\n' + b"x" * 9_000 + b"\n" * 20 + (b"y" * 9_000 + b"\n") * 20
    [(line, reason)] = _refusal(data)
    assert line == 2 and "never closed" in reason


def test_one_huge_line_is_refused_naming_its_line():
    data = b"name,email\nAna,ana@example.com\n" + b"B" * (MAX_LINE + 1) + b",b@example.com\n"
    [(line, reason)] = _refusal(data)
    assert line == 3 and reason.startswith(f"this line is {MAX_LINE + 15:,} characters long, at most {MAX_LINE:,}")


def test_a_file_over_the_size_limit_is_refused_before_reading():
    [(line, reason)] = _refusal(b"name,email\n" + b"Ana,ana@example.com\n" * 300_000)
    assert line == 1 and reason.startswith("the file is 6.0 MB, at most 5 MB")


def test_a_byte_order_mark_from_spreadsheet_exports_is_accepted():
    assert len(read_roster(b"\xef\xbb\xbf" + _csv([["name", "email"], ["Ana", "ana@example.com"]])).rows) == 1


def test_an_empty_file_and_a_header_only_file_are_refused():
    assert "empty" in _refusal(b"")[0][1]
    assert "no members" in _refusal(_csv([["name", "email"]]))[0][1]


def test_a_non_utf8_file_is_refused_with_advice():
    assert "not UTF-8" in _refusal("name,email\nJosé,j@example.com\n".encode("latin-1"))[0][1]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_are_read_or_refused_with_reasons_never_crash(data):
    try:
        roster = read_roster(data)
    except ImportRejected as rejected:
        assert rejected.problems and all(p.line >= 1 and p.reason for p in rejected.problems)
    else:
        assert roster.rows


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=0, max_size=6), max_size=8))
def test_arbitrary_csv_rows_are_read_or_refused_with_reasons_never_crash(rows):
    try:
        roster = read_roster(_csv([["name", "email", "track", "level"], *rows]))
    except ImportRejected as rejected:
        assert rejected.problems
    else:
        assert len(roster.rows) == len([r for r in rows if any(c.strip() for c in r)])
