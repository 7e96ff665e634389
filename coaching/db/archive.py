"""SQL of whole-database backups: DuckDB's EXPORT DATABASE out, Parquet files loaded as data back in.

Rows in, rows out, no policy (coaching.privacy.backup holds the rules). Invariants:
- `export` runs inside one read-only transaction (`Database.read`): the files and the row counts come
  from one snapshot of committed data, so a backup never holds half of a submission, and writes go on
  meanwhile instead of waiting for it;
- EXPORT writes each sequence at its current value (`CREATE SEQUENCE ... START n`). Sequences are not
  transactional, so that value may be ahead of the snapshot (a gap in ids), never behind it: ids handed
  out after a restore never collide with restored rows;
- tables are found in DuckDB's catalogue, never in a fixed list: a table a later migration adds is
  counted without anyone remembering to add it here;
- EXPORT accepts no parameters (DuckDB's parser refuses `?` there), so a folder goes in as a quoted
  string literal; it is a path the CLI or this module chose, never text typed into the app;
- a restore never runs the archive's SQL (IMPORT DATABASE would execute its schema.sql and load.sql, so
  a crafted backup could write files, attach databases or load extensions): the schema comes from
  Aspire's own migrations, and each table of that schema is filled from its Parquet file
  (`read_parquet(?)`, columns by name), nothing else. Sequences continue after the largest id loaded,
  or later where the backup recorded a later next value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import duckdb

from coaching.db.database import Database, Transaction
from coaching.db.engine import Params, quote_identifier

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


def load_tables(db: Database, files: Mapping[str, Path], starts: Mapping[str, int]) -> Contents:
    """Fill a database that has Aspire's schema from one Parquet file per table, in one transaction.

    `files` names a file for every table of the schema (the caller checked the names); rows the migrations
    wrote are replaced. `starts` holds the next value the backup recorded per sequence. What it then holds.
    """

    def work(tx: Transaction) -> Contents:
        names = table_names(tx.execute)
        if sorted(files) != names:
            raise BackupError(f"The backup's tables ({', '.join(sorted(files))}) are not those of its schema "
                              f"({', '.join(names)}).")
        for name in names:     # the schema has no foreign keys: any order loads; this one is stable
            table = quote_identifier(name)
            tx.execute(f"DELETE FROM {table}")  # noqa: S608
            tx.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)", [str(files[name])])  # noqa: S608
        _continue_sequences(tx, starts)
        return contents(tx.execute)

    try:
        return db.write(work)
    except duckdb.Error as exc:
        raise BackupError(f"The backup cannot be read: {_reason(exc)}") from None


#: How far past its largest id a restored sequence may start (ids of rows erased before the backup, transactions
#: that never committed): a recorded start further off is a crafted schema.sql, and each step costs a nextval.
MAX_ID_GAP = 1_000_000

_SEQUENCE_USES = """
    SELECT s.sequence_name, coalesce(s.last_value + 1, s.start_value), c.table_name, c.column_name
    FROM duckdb_sequences() s JOIN duckdb_columns() c ON c.column_default = 'nextval(''' || s.sequence_name || ''')'
    WHERE s.database_name = current_database() AND c.database_name = current_database()
"""


def _continue_sequences(tx: Transaction, starts: Mapping[str, int]) -> None:
    """Move each sequence past every id loaded, or to the backup's recorded next value when that is later."""
    for sequence, next_now, table, column in tx.execute(_SEQUENCE_USES, []):
        largest = tx.scalar(f"SELECT max({quote_identifier(column)}) FROM {quote_identifier(table)}")  # noqa: S608
        wanted = max((largest or 0) + 1, min(starts.get(sequence, 0), (largest or 0) + 1 + MAX_ID_GAP))
        if wanted > next_now:
            tx.execute("SELECT max(nextval(?)) FROM range(?)", [sequence, wanted - next_now])


def _literal(path: Path) -> str:
    """A path as a SQL string literal (EXPORT takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _reason(exc: duckdb.Error) -> str:
    return str(exc).splitlines()[0]
