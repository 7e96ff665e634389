"""The CSV pieces every room shares (coaching.core.tabular): files written without formulas, imports refused whole."""

from __future__ import annotations

import csv
import io

from coaching.core.tabular import ExportFile, ImportRejected, RowProblem, csv_bytes, to_csv


def test_every_cell_of_a_written_csv_is_neutralised_and_survives_a_round_trip():
    text = to_csv(("name", "=note"), [("Zoë", "=HYPERLINK(\"http://x\")"), ("O'Brien, Liam", "line\nbreak")])
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["name", "'=note"], ["Zoë", "'=HYPERLINK(\"http://x\")"], ["O'Brien, Liam", "line\nbreak"]]


def test_a_csv_file_and_a_csv_export_carry_the_byte_order_mark_spreadsheets_need():
    assert csv_bytes(("name",), [("Zoë",)]) == "\ufeffname\r\nZoë\r\n".encode()
    assert ExportFile("csv", "x.csv", "name\r\n").data.startswith(b"\xef\xbb\xbf")
    assert ExportFile("json", "x.json", "{}").data == b"{}" and ExportFile("json", "x.json", "{}").mime == \
        "application/json"


def test_a_refused_import_names_at_most_twenty_rows_in_its_message_and_keeps_them_all():
    rejected = ImportRejected([RowProblem(n, "bad") for n in range(2, 27)])
    assert len(rejected.problems) == 25
    assert str(rejected).startswith("Nothing was imported. line 2: bad; line 3: bad")
    assert str(rejected).endswith("line 21: bad (and 5 more)")
