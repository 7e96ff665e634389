"""CSV files in and out, the parts every room shares: refusing an import row by row, writing without formulas.

An import that fails lists every bad row with its line (ImportRejected), so a person fixes the file once;
the member roster, the career framework and the catalogue all refuse a file this way. A CSV that Aspire
writes (a data export, the audit log, the invitation links, any table's download) holds text people typed,
so no cell may start a spreadsheet formula (`neutralise`), and it carries a byte-order mark so spreadsheet
programs read names such as "Zoë" as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Format = Literal["json", "csv"]
CSV_ENCODING = "utf-8-sig"      # the byte-order mark spreadsheets need to read UTF-8

#: Characters that make a spreadsheet read a cell as a formula (OWASP's list, plus line feed and the
#: full-width forms some spreadsheets also accept).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


@dataclass(frozen=True)
class RowProblem:
    line: int          # the line number in the file where the row starts, header = 1
    reason: str


class ImportRejected(ValueError):
    """The file cannot be imported; `problems` lists every bad row (or the file-level reason)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "; ".join(f"line {p.line}: {p.reason}" for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"Nothing was imported. {shown}{more}")


def neutralise(cell: str) -> str:
    """A cell no spreadsheet reads as a formula: one starting (after any blanks) with = + - @, a tab,
    a carriage return or a line feed gets a leading single quote. Every other cell is left as it is."""
    stripped = cell.lstrip(" \t\r\n")
    if cell[:1] in FORMULA_STARTS or stripped[:1] in FORMULA_STARTS:
        return "'" + cell
    return cell


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The header and rows as CSV text with CRLF line ends, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """The CSV file as a download or a saved file holds it: `to_csv` with the byte-order mark."""
    return to_csv(header, rows).encode(CSV_ENCODING)


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
        return self.text.encode(CSV_ENCODING if self.format == "csv" else "utf-8")
