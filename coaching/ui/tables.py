"""Tables that hold text people typed: shown exactly as typed, downloaded without spreadsheet formulas.

`st.dataframe`'s toolbar offers its own CSV download, which writes cells such as `=HYPERLINK(...)` raw,
and Streamlit has no switch to turn it off per table (streamlit#8402); hiding it with CSS would rely on
Streamlit's private page structure and still leave it one change away. So these tables are `st.table`,
which offers no download, with a download beside it whose cells never start a formula. `st.table` reads
its cells as Markdown, so every cell is escaped for display: the table shows the text exactly as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from coaching.core.tabular import ImportRejected, csv_bytes
from coaching.ui.format import plain

Rows = Sequence[Mapping[str, object]]


def show_table(rows: Rows, download_name: str) -> None:
    """Rows as a static table with a formula-safe CSV download of the same cells under it.

    ``download_name`` is the file's name without ".csv" and keys the button, so it is unique on a screen.
    """
    columns, cells = static_table(rows)
    st.download_button("Download as CSV", table_csv(columns, cells), file_name=f"{download_name}.csv",
                       mime="text/csv", key=f"download_{download_name}", icon=":material/download:",
                       type="tertiary", on_click="ignore")


def static_table(rows: Rows) -> tuple[list[str], list[list[str]]]:
    """Rows as a static table (no download of its own, typed text shown as typed); returns its columns and cells.

    For a screen whose table already comes with a download of its own (the audit log's).
    """
    columns = list(dict.fromkeys(column for row in rows for column in row))
    cells = [[cell_text(row.get(column)) for column in columns] for row in rows]
    st.table(pd.DataFrame([[plain(c) for c in line] for line in cells], columns=[plain(c) for c in columns]),
             hide_index=True)
    return columns, cells


def cell_text(value: object) -> str:
    """A value as a table cell shows it: blank for nothing, figures to at most two decimals, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def table_csv(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> bytes:
    """The cells as CSV in UTF-8 with a byte-order mark (spreadsheets then read accents right), each
    neutralised so no cell starts a formula, the same rule as every other export."""
    return csv_bytes(columns, cells)


def show_rejected_import(exc: ImportRejected, download_name: str) -> None:
    """A refused CSV import: nothing was imported, and every wrong row with its line, downloadable."""
    st.error(f"Nothing was imported: fix {'this row' if len(exc.problems) == 1 else 'these rows'} and upload the "
             "file again.", icon=":material/error:")
    show_table([{"Line": p.line, "Problem": p.reason} for p in exc.problems], download_name)
