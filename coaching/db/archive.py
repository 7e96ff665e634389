"""SQL of whole-database archives: every table out as a Parquet file, and back in as data, on either engine.

Rows in, rows out, no policy (coaching.privacy.backup holds the rules). Invariants:
- one format for both engines: each table's columns, typed as the catalogue declares them, in one Parquet
  file, so a backup of either engine restores into either. DuckDB writes the file itself from its snapshot
  (COPY of a query: 0.7 s for the 1,000-team benchmark organisation, where passing the rows through Python
  took 13 s); PostgreSQL's rows are read through `Database` and written by a scratch in-memory DuckDB;
- `export` reads inside one read-only transaction (`Database.read`): the files, the row counts and the
  sequences come from one snapshot of committed data, so a backup never holds half of a submission, and
  writes go on meanwhile. Sequences are not transactional, so a recorded next value may be ahead of the
  snapshot (a gap in ids), never behind it: ids handed out after a restore never collide with restored rows;
- tables and columns are found in the catalogue (information_schema, which both engines read), never in
  a fixed list: a table a later migration adds is counted without anyone remembering to add it here.
  What the engines spell differently (sequences, moving one on) is in `_DIALECTS`, nowhere else;
- a restore never runs SQL from the archive: `rebuild` builds the schema from Aspire's own migrations
  and fills each table from its Parquet file, read by a scratch DuckDB and inserted through
  `Transaction.insert_rows` (COPY on PostgreSQL), columns by name, nothing else;
- `rebuild` is ONE write transaction: drop what the database holds, migrations up to the backup's,
  load, move sequences on, check the counts, newer migrations. Any failure rolls all of it back, so a
  database is never left half-restored; this is what lets PostgreSQL, which has no file to swap, be
  restored in place while app servers run on it (their writes wait for the write lock, their reads see
  the old data until the commit);
- `digests` gives, per table, the row count and an order-independent digest of its rows, with values
  spelled alike whichever engine returned them: a copy between engines is checked row by row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import psycopg

from coaching.db.database import Database, Transaction
from coaching.db.duck import DuckStatements
from coaching.db.engine import Params, first_line, quote_identifier
from coaching.db.migrations import SCHEMA_VERSION_TABLE, apply_migration, available_migrations
from coaching.db.postgres import COUNTS_TABLE

Run = Callable[[str, Params], list[tuple]]

#: What the drivers raise for a file that cannot be read or rows a table refuses; turned into BackupError.
DRIVER_ERRORS = (duckdb.Error, psycopg.Error)
#: Rows read from a Parquet file and inserted at a time: bounds a restore's memory, whatever a table's size.
LOAD_BATCH = 50_000
#: How far past its largest id a restored sequence may start (ids of rows erased before the backup, transactions
#: that never committed): a recorded start further off is a crafted manifest, and on DuckDB each step costs a nextval.
MAX_ID_GAP = 1_000_000
_SAFE_TYPE = re.compile(r"[A-Z][A-Z0-9 ]*(\(\d+,\d+\))?")
_NEXTVAL = re.compile(r"nextval\('([a-z][a-z0-9_]*)'(?:::regclass)?\)")
# The engine's write counts (coaching.db.postgres.COUNTS_TABLE) are no data of Aspire's: never backed up nor
# restored, since old counts brought back could match results remembered before, and never dropped by a restore.
_TABLES = ("SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"  # noqa: S608
           f" AND table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '{COUNTS_TABLE}'")
_COLUMNS = ("SELECT table_name, column_name, data_type, numeric_precision, numeric_scale, column_default"  # noqa: S608
            " FROM information_schema.columns WHERE table_catalog = current_database()"
            f" AND table_schema = current_schema() AND table_name <> '{COUNTS_TABLE}'"
            " ORDER BY table_name, ordinal_position")


class BackupError(ValueError):
    """A backup or restore that cannot go on; the message says why in plain words."""


class Contents(NamedTuple):
    """What a database holds, as a backup manifest records it."""

    tables: dict[str, int]              # rows per table
    migrations: list[int]               # schema_version rows
    instrument_versions: list[int]


class Digest(NamedTuple):
    """A table's rows, counted and digested independently of their order and of the engine that holds them."""

    rows: int
    sha256: str


class Exported(NamedTuple):
    contents: Contents
    sequences: dict[str, int]           # the next value of each sequence
    digests: dict[str, Digest]          # per table, when asked for


class Column(NamedTuple):
    name: str
    type: str                           # as DuckDB spells it: the Parquet file's column type
    default: str | None


def _advance_duckdb(tx: Transaction, sequence: str, next_now: int, wanted: int) -> None:
    """DuckDB has no setval: draw the values in between (bounded by MAX_ID_GAP)."""
    tx.execute("SELECT max(nextval(?)) FROM range(?)", [sequence, wanted - next_now])


def _advance_postgresql(tx: Transaction, sequence: str, next_now: int, wanted: int) -> None:
    tx.execute("SELECT setval(?::regclass, ?, false)", [quote_identifier(sequence), wanted])


def _write_duckdb(tx: Transaction, scratch: duckdb.DuckDBPyConnection, table: str, cols: Sequence[Column],
                  path: Path) -> None:
    """DuckDB writes the file itself, inside the snapshot's transaction: its own column types are the catalogue's."""
    tx.execute(f"COPY ({_select(table, cols)}) TO {_literal(path)} (FORMAT parquet)")


def _write_postgresql(tx: Transaction, scratch: duckdb.DuckDBPyConnection, table: str, cols: Sequence[Column],
                      path: Path) -> None:
    """Rows into a scratch DuckDB table typed as the catalogue says, and out as one Parquet file."""
    names = [quote_identifier(c.name) for c in cols]
    scratch.execute("CREATE OR REPLACE TABLE rows_out ("
                    + ", ".join(f"{name} {c.type}" for name, c in zip(names, cols, strict=True)) + ")")
    if rows := tx.execute(_select(table, cols)):
        DuckStatements(scratch).insert_rows("rows_out", names, rows)
    scratch.execute(f"COPY rows_out TO {_literal(path)} (FORMAT parquet)")


def _load_duckdb(tx: Transaction, scratch: duckdb.DuckDBPyConnection, table: str, names: Sequence[str],
                 path: Path) -> None:
    """DuckDB reads the file itself, as data: `read_parquet(?)`, columns by name."""
    listed = ", ".join(quote_identifier(n) for n in names)
    tx.execute(f"INSERT INTO {quote_identifier(table)} ({listed}) SELECT {listed} FROM read_parquet(?)",  # noqa: S608
               [str(path)])


def _load_postgresql(tx: Transaction, scratch: duckdb.DuckDBPyConnection, table: str, names: Sequence[str],
                     path: Path) -> None:
    """A scratch DuckDB reads the file, and the rows go in by COPY, LOAD_BATCH at a time; then ANALYZE.

    Without statistics the planner takes a freshly loaded table for a small one: measured on the 1,000-team
    benchmark organisation, reading one team's ratings became a full scan (357 ms instead of 0.4 ms) until
    autovacuum came round. ANALYZE runs inside the restore's transaction, so its statistics commit with the rows.
    """
    result = scratch.execute(f"SELECT {', '.join(quote_identifier(n) for n in names)} FROM read_parquet(?)",  # noqa: S608
                             [str(path)])
    while batch := result.fetchmany(LOAD_BATCH):
        tx.insert_rows(quote_identifier(table), [quote_identifier(n) for n in names], batch)
    tx.execute(f"ANALYZE {quote_identifier(table)}")


class _Dialect(NamedTuple):
    sequences: str       # name and next value of every sequence of the current schema
    advance: Callable[[Transaction, str, int, int], None]
    write: Callable[[Transaction, duckdb.DuckDBPyConnection, str, Sequence[Column], Path], None]
    load: Callable[[Transaction, duckdb.DuckDBPyConnection, str, Sequence[str], Path], None]


_DIALECTS = {
    "duckdb": _Dialect("SELECT sequence_name, coalesce(last_value + 1, start_value) FROM duckdb_sequences()"
                       " WHERE database_name = current_database() AND schema_name = current_schema()",
                       _advance_duckdb, _write_duckdb, _load_duckdb),
    "postgresql": _Dialect("SELECT sequencename::text, coalesce(last_value + 1, start_value) FROM pg_sequences"
                           " WHERE schemaname = current_schema()", _advance_postgresql, _write_postgresql,
                           _load_postgresql),
}


def table_names(run: Run) -> list[str]:
    """The database's own tables, sorted, through `Database.query` or a transaction's `execute`."""
    return sorted(r[0] for r in run(_TABLES, []))


def columns(run: Run) -> dict[str, list[Column]]:
    """Every table's columns in their order, typed for the Parquet file."""
    found: dict[str, list[Column]] = {name: [] for name in table_names(run)}
    for table, name, data_type, precision, scale, default in run(_COLUMNS, []):
        if table in found:
            found[table].append(Column(name, _parquet_type(table, name, data_type, precision, scale), default))
    return found


def _parquet_type(table: str, column: str, data_type: str, precision: int | None, scale: int | None) -> str:
    """The catalogue's type as DuckDB spells it (PostgreSQL's names are DuckDB aliases, but for numeric's size)."""
    spelled = data_type.upper()
    if spelled == "NUMERIC" or spelled.startswith("DECIMAL"):
        spelled = f"DECIMAL({precision},{scale})" if precision is not None else "DOUBLE"
    if not _SAFE_TYPE.fullmatch(spelled) or spelled in ("ARRAY", "USER-DEFINED"):
        raise BackupError(f"The column {table}.{column} is of type {data_type}, which a backup cannot hold.")
    return spelled


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


def _select(table: str, cols: Sequence[Column]) -> str:
    names = ", ".join(quote_identifier(c.name) for c in cols)
    return f"SELECT {names} FROM {quote_identifier(table)}"  # noqa: S608 - names from the catalogue


def _digest(tx: Transaction, table: str, cols: Sequence[Column]) -> Digest:
    return digest([c.name for c in cols], tx.execute(_select(table, cols)))


# ---- out -------------------------------------------------------------------------------------------


def export(db: Database, folder: Path, *, digests: bool = False) -> Exported:
    """Write every table to `folder` as Parquet; what was written, with each sequence's next value.

    One read-only transaction: the counts (and digests, when asked for) describe exactly the rows in the files.
    """
    dialect = _DIALECTS[db.engine.dialect]

    def work(tx: Transaction) -> Exported:
        found = contents(tx.execute)
        sequences = {name: int(value) for name, value in tx.execute(dialect.sequences)}
        sums: dict[str, Digest] = {}
        with _scratch() as scratch:
            for table, cols in columns(tx.execute).items():
                dialect.write(tx, scratch, table, cols, folder / f"{table}.parquet")
                if digests:
                    sums[table] = _digest(tx, table, cols)
        return Exported(found, sequences, sums)

    try:
        return db.read(work)
    except DRIVER_ERRORS as exc:
        raise BackupError(f"The backup could not be written to {folder}: {first_line(exc)}") from None


def digests(db: Database) -> dict[str, Digest]:
    """Every table's count and digest, from one snapshot: what `export(digests=True)` gives for the same rows."""

    def work(tx: Transaction) -> dict[str, Digest]:
        return {table: _digest(tx, table, cols) for table, cols in columns(tx.execute).items()}

    return db.read(work)


def digest(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> Digest:
    """The rows' count and the sum (mod 2**256) of each row's SHA-256: any order of the same rows gives the same.

    Columns go in by name order and values in one spelling (instants in UTC, decimals as floats), so the
    same data read from DuckDB or PostgreSQL digests alike.
    """
    order = sorted(range(len(names)), key=names.__getitem__)
    total = int.from_bytes(hashlib.sha256(repr(sorted(names)).encode()).digest(), "big")
    for row in rows:
        text = repr(tuple(_canonical(row[i]) for i in order))
        total += int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
    return Digest(len(rows), f"{total % (1 << 256):064x}")


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return repr(float(value))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return value


# ---- back in ---------------------------------------------------------------------------------------


def rebuild(db: Database, files: Mapping[str, Path], starts: Mapping[str, int], *, version: int,
            expected: Mapping[str, int], check: Callable[[Run], None]) -> list[int]:
    """Replace everything the database holds by a backup, in ONE transaction; the migrations applied after loading.

    Inside the one write: `check(execute)` (the caller's rule, e.g. that nothing would be lost, checked under
    the write lock so that nothing lands between the check and the replace); drop every table and sequence
    of the schema; Aspire's migrations up to the backup's `version`; every table filled from its file (`files`
    names one per table of that schema, checked); sequences moved past the ids loaded, or to the backup's
    recorded next value (`starts`) when later; rows per table checked against `expected`; then the newer
    migrations, so an older backup comes out up to date. Any failure rolls it all back.
    """
    dialect = _DIALECTS[db.engine.dialect]

    def work(tx: Transaction) -> list[int]:
        check(tx.execute)
        _drop_everything(tx, dialect)
        tx.run_script(SCHEMA_VERSION_TABLE)
        known = available_migrations()
        for number, path in known:
            if number <= version:
                apply_migration(tx, number, path)
        _load_tables(tx, dialect, files)
        _continue_sequences(tx, dialect, starts)
        loaded = contents(tx.execute).tables
        if loaded != expected:
            raise BackupError(f"The backup is incomplete: {_difference(expected, loaded)}.")
        return [number for number, path in known if number > version and apply_migration(tx, number, path)]

    try:
        return db.write(work)
    except DRIVER_ERRORS as exc:
        raise BackupError(f"The backup cannot be read: {first_line(exc)}") from None


def _drop_everything(tx: Transaction, dialect: _Dialect) -> None:
    """Tables first: a column's default depends on its sequence."""
    for table in table_names(tx.execute):
        tx.execute(f"DROP TABLE {quote_identifier(table)}")
    for sequence, _ in tx.execute(dialect.sequences):
        tx.execute(f"DROP SEQUENCE {quote_identifier(sequence)}")


def _load_tables(tx: Transaction, dialect: _Dialect, files: Mapping[str, Path]) -> None:
    """Each table of the schema from its file, by column name; rows the migrations wrote are replaced."""
    schema = columns(tx.execute)
    if sorted(files) != sorted(schema):
        raise BackupError(f"The backup's tables ({', '.join(sorted(files))}) are not those of its schema "
                          f"({', '.join(sorted(schema))}).")
    with _scratch() as scratch:
        for table, cols in schema.items():   # the schema has no foreign keys: any order loads; this one is stable
            file = scratch.execute("SELECT * FROM read_parquet(?) LIMIT 0", [str(files[table])])
            names = [d[0] for d in file.description or []]
            if strange := sorted(set(names) - {c.name for c in cols}):
                raise BackupError(f"The backup cannot be read: {table}.parquet has columns the table lacks "
                                  f"({', '.join(strange[:5])}).")
            tx.execute(f"DELETE FROM {quote_identifier(table)}")  # noqa: S608
            dialect.load(tx, scratch, table, names, files[table])


def _continue_sequences(tx: Transaction, dialect: _Dialect, starts: Mapping[str, int]) -> None:
    """Move each sequence past every id loaded, or to the backup's recorded next value when that is later."""
    now = {name: int(value) for name, value in tx.execute(dialect.sequences)}
    for table, cols in columns(tx.execute).items():
        for column in cols:
            used = _NEXTVAL.fullmatch(column.default or "")
            if used is None or used.group(1) not in now:
                continue
            sequence = used.group(1)
            largest = tx.scalar(f"SELECT max({quote_identifier(column.name)}) FROM {quote_identifier(table)}") or 0  # noqa: S608
            wanted = max(largest + 1, min(starts.get(sequence, 0), largest + 1 + MAX_ID_GAP))
            if wanted > now[sequence]:
                dialect.advance(tx, sequence, now[sequence], wanted)
                now[sequence] = wanted


def _scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for moving rows between Parquet and Python; quiet (no progress bar on the terminal)."""
    scratch = duckdb.connect()
    scratch.execute("SET enable_progress_bar = false")
    return scratch


def _difference(expected: Mapping[str, int], loaded: Mapping[str, int]) -> str:
    wrong = sorted(t for t in expected.keys() | loaded.keys() if expected.get(t) != loaded.get(t))
    return "; ".join(f"{t} has {loaded.get(t, 'no')} rows, the manifest says {expected.get(t, 'none')}" for t in wrong)


def _literal(path: Path) -> str:
    """A path as a SQL string literal (COPY takes no parameters): a path this module chose, never typed text."""
    return "'" + str(path).replace("'", "''") + "'"
