"""SQL of whole-database backups: DuckDB's EXPORT DATABASE and IMPORT DATABASE, and rows per table.

Rows in, rows out, no policy (coaching.backup holds the rules). Invariants:
- `export` runs inside one read-only transaction (`Database.read`): the files and the row counts come
  from one snapshot of committed data, so a backup never holds half of a submission, and writes go on
  meanwhile instead of waiting for it;
- EXPORT writes each sequence at its current value (`CREATE SEQUENCE ... START n`). Sequences are not
  transactional, so that value may be ahead of the snapshot (a gap in ids), never behind it: ids handed
  out after a restore never collide with restored rows;
- tables are found in DuckDB's catalogue, never in a fixed list: a table a later migration adds is
  counted without anyone remembering to add it here;
- EXPORT and IMPORT accept no parameters (DuckDB's parser refuses `?` there), so a folder goes in as a
  quoted string literal; it is a path the CLI or this module chose, never text typed into the app.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import duckdb

from coaching.store.database import Database, Params, Transaction, quote_identifier

Run = Callable[[str, Params], list[tuple]]


class BackupError(ValueError):
    """A backup or restore that cannot go on; the message says why in plain words."""


class Contents(NamedTuple):
    """What a database holds, as a backup manifest records it."""

    tables: dict[str, int]              # rows per table
    migrations: list[int]               # schema_version rows
    instrument_versions: list[int]


def table_names(run: Run) -> list[str]:
    """The database's own tables, through `Database.query` or a transaction's `execute`."""
    return [r[0] for r in run(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'"
        " ORDER BY table_name", [])]


def contents(run: Run) -> Contents:
    """Rows per table, applied migrations and instrument versions, through `Database.query` or a transaction."""
    names = table_names(run)
    counts = dict(run(" UNION ALL ".join(
        f"SELECT ?, count(*) FROM {quote_identifier(name)}" for name in names), names)) if names else {}  # noqa: S608
    return Contents(
        tables={name: counts[name] for name in names},
        migrations=_column(run, "SELECT version FROM schema_version ORDER BY version", "schema_version", names),
        instrument_versions=_column(run, "SELECT version FROM instrument ORDER BY version", "instrument", names),
    )


def _column(run: Run, sql: str, table: str, names: list[str]) -> list[int]:
    return [r[0] for r in run(sql, [])] if table in names else []


def export(db: Database, folder: Path) -> Contents:
    """Write every table and sequence to `folder` as Parquet, with the schema; what was written.

    One read-only transaction: the counts describe exactly the rows in the files.
    """

    def work(tx: Transaction) -> Contents:
        tx.execute(f"EXPORT DATABASE {_literal(folder)} (FORMAT parquet)")
        return contents(tx.execute)

    try:
        return db.read(work)
    except duckdb.Error as exc:
        raise BackupError(f"The backup could not be written to {folder}: {_reason(exc)}") from None


def import_into(db: Database, folder: Path) -> Contents:
    """Load an exported folder into an empty database, in one transaction; what it holds afterwards."""

    def work(tx: Transaction) -> Contents:
        tx.execute(f"IMPORT DATABASE {_literal(folder)}")
        return contents(tx.execute)

    try:
        return db.write(work)
    except duckdb.Error as exc:
        raise BackupError(f"The backup in {folder} cannot be read: {_reason(exc)}") from None


def _literal(path: Path) -> str:
    """A path as a SQL string literal (EXPORT and IMPORT take no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _reason(exc: duckdb.Error) -> str:
    return str(exc).splitlines()[0]
