"""Whole-organisation backups, restores and copies, in Aspire's own format, for either engine.

Rules:
- a backup is every table (people's answers, reflections, goals, notes, accounts with their password
  hashes, the audit log) as Parquet files, plus manifest.json: the schema version, instrument versions,
  rows per table, each sequence's next value and when it was made. The format is the same whichever
  engine it came from (coaching.db.archive), so a backup of a DuckDB file restores into PostgreSQL and back;
- it is taken in one read-only transaction (coaching.db.archive): a snapshot of committed data,
  consistent while the app runs; submissions go on meanwhile and none is ever half in it;
- a folder is a complete backup exactly when it holds the manifest: the export goes to a hidden
  sibling folder, the manifest is written last, and the folder is renamed into place;
- the download (while the app runs) is for admins only; it, a backup taken from the command line and
  a copy are written to the audit log just before the export, so the backup holds its own entry and a
  restore gives back exactly the rows the database had after the entry;
- a backup is data, never code: a restore checks the manifest and every file name against what Aspire
  writes (a zip also against a zip bomb's sizes), builds the schema from this Aspire's own migrations up
  to the backup's version, loads each table from its Parquet file, and never runs SQL from the archive
  (the schema.sql and load.sql of backups made by earlier Aspires are only read for sequence values);
- a restore is all or nothing, checked against the manifest (rows per table) before anything is kept,
  and a backup of an older schema comes out up to date (coaching.db.archive.rebuild, one transaction):
  - a DuckDB file is rebuilt into `<db>.restore`, closed cleanly, and only then replaces the old file
    (`os.replace`, atomic on one file system); any failure before removes the fresh file. The old file
    stays open, holding DuckDB's lock, until that moment, so the app cannot start on it half-way;
  - PostgreSQL has no file to swap: the configured database is rebuilt in place, in one transaction
    under the write lock, so a failure leaves it as it was and running app servers see either the old
    organisation or the restored one, never a mix; that is why the command line may restore it while
    the app runs;
- a restore refuses to replace a database that holds people's data unless forced, and refuses a backup
  made by a newer Aspire (one with a migration this version does not know);
- a copy (`copy_database`) is a backup of one database restored into another, then checked table by
  table: the rows counted and digested from the backup's snapshot against those read back from the target.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, NonNegativeInt, StringConstraints, ValidationError

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.settings import PostgresUrl
from coaching.db.archive import BackupError, Digest, Exported, Run, contents, digests, export, rebuild, table_names
from coaching.db.database import Database
from coaching.db.duck import fsync_folder, remove_files, wal_path
from coaching.db.migrations import available_migrations
from coaching.governance.audit import Action, AuditLog, Subject

__all__ = [
    "BACKUP_FORMAT", "MANIFEST", "BackupDownload", "BackupError", "Copied", "Manifest", "Restored", "backup_database",
    "copy_database", "download_backup", "read_manifest", "restore", "write_backup",
]

#: /2: written by any engine, sequences in the manifest. /1 (DuckDB's EXPORT DATABASE, sequences in its
#: schema.sql) is still restored.
BACKUP_FORMAT = "aspire-backup/2"
MANIFEST = "manifest.json"
AUDIT_LABEL = "organisation backup"

#: What a backup folder or zip may hold: the manifest, one Parquet file per table, and in backups of format /1
#: DuckDB's own schema.sql and load.sql (never run by a restore).
_EXPORT_FILES = frozenset({MANIFEST, "schema.sql", "load.sql"})
_TABLE_FILE = re.compile(r"[a-z][a-z0-9_]{0,62}\.parquet")
#: EXPORT DATABASE's line for a sequence (format /1): only its name and next value are read from it.
_SEQUENCE_LINE = re.compile(r"CREATE SEQUENCE ([a-z][a-z0-9_]{0,62}) INCREMENT BY 1 MINVALUE 1 "
                            r"MAXVALUE 9223372036854775807 START (\d{1,10}) NO CYCLE;")
#: Bounds on a zip: the 1,000-team benchmark organisation's backup is 2.3 MB. Parquet is compressed already, so a
#: member unpacking over a hundred times larger than stored is a zip bomb, not a backup.
MAX_UNPACKED_BYTES = 4 << 30
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 << 20

#: Tables Aspire fills by itself on its first start (schema, instruments and their translations, the shipped
#: catalogue): rows there do not make a database "hold data" that a restore would destroy.
SELF_FILLED = frozenset({"schema_version", "app_meta", "instrument", "instrument_translation", "path_option"})

#: How a summary names the rows of the tables people think in.
_NOUNS = {"team": ("team", "teams"), "member": ("member", "members"), "response": ("response", "responses"),
          "app_user": ("account", "accounts")}


#: A table's name as Aspire's migrations spell them: it also names the table's file, so never a path.
TableName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]


class Manifest(BaseModel):
    """What a backup holds; written last, so a folder without it is not a (finished) backup."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["aspire-backup/1", "aspire-backup/2"]
    created_at: AwareDatetime
    schema_version: NonNegativeInt       # the newest migration applied
    migrations: list[int]
    instrument_versions: list[int]
    tables: dict[TableName, NonNegativeInt]    # rows per table
    sequences: dict[TableName, NonNegativeInt] = {}    # next value per sequence (format /1: in schema.sql)

    def summary(self) -> str:
        return describe_counts(self.tables)


def describe_counts(tables: Mapping[str, int]) -> str:
    """'2 teams, 16 members, 32 responses, 3 accounts' (and rows elsewhere), for people rather than tables."""
    parts = [f"{tables.get(t, 0)} {one if tables.get(t, 0) == 1 else many}" for t, (one, many) in _NOUNS.items()]
    other = sum(n for t, n in tables.items() if t not in _NOUNS and t not in SELF_FILLED)
    return ", ".join(parts) + f" and {other} other record{'' if other == 1 else 's'}"


# ---- backing up ------------------------------------------------------------------------------------


def write_backup(db: Database, folder: Path | str, *, now: dt.datetime | None = None) -> Manifest:
    """Back the database up into `folder`, which must be new or empty; the manifest written with it."""
    return _write_backup(db, folder, now=now)[0]


def _write_backup(db: Database, folder: Path | str, *, now: dt.datetime | None = None,
                  digested: bool = False) -> tuple[Manifest, dict[str, Digest]]:
    """The backup, and each table's digest from the same snapshot when `digested` (for checking a copy)."""
    folder = Path(folder).absolute()
    _require_empty(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        found = export(db, staging, digests=digested)
        if "schema_version" not in found.contents.tables:
            raise BackupError(f"The database {db.label} is not an Aspire database: it has no schema_version table.")
        manifest = _manifest(found, now or dt.datetime.now(dt.UTC))
        (staging / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    fsync_folder(folder.parent)
    return manifest, found.digests


def _require_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is a file; give a new or empty folder for the backup.")
    if folder.is_dir() and any(folder.iterdir()):
        raise BackupError(f"The folder {folder} is not empty; give a new or empty folder for the backup.")


def _manifest(found: Exported, now: dt.datetime) -> Manifest:
    held = found.contents
    return Manifest(
        format=BACKUP_FORMAT, created_at=now, schema_version=max(held.migrations, default=0),
        migrations=held.migrations, instrument_versions=held.instrument_versions, tables=held.tables,
        sequences=found.sequences,
    )


def backup_database(target: Path | PostgresUrl, folder: Path | str) -> Manifest:
    """Back up a database from the command line; audited.

    A DuckDB file only while the app is stopped (StoreLockedError while it holds the file); PostgreSQL at
    any time, its snapshot consistent while app servers write.
    """
    with _opened(target) as db:
        _require_empty(Path(folder).absolute())       # before the audit entry: a refusal records nothing
        _audit_export(db, AUDIT_LABEL)
        return write_backup(db, folder)


@contextmanager
def _opened(target: Path | PostgresUrl) -> Iterator[Database]:
    """An existing database, closed after use: a file is never created by a backup or a copy."""
    if isinstance(target, Path) and not target.is_file():
        raise BackupError(f"There is no database at {target}.")
    db = Database(target)
    try:
        yield db
    finally:
        db.close()


def _audit_export(db: Database, label: str) -> None:
    if "audit_log" in table_names(db.query):   # a file from before the audit log keeps its schema untouched
        AuditLog(db).record(SYSTEM, Action.EXPORTED, Subject.ORGANISATION, [None], label)


@dataclass(frozen=True)
class BackupDownload:
    """A whole-organisation backup as one zip file (the folder's files at its root), ready to hand over."""

    filename: str
    data: bytes
    manifest: Manifest

    mime = "application/zip"


def download_backup(aspire: Aspire, actor: Actor, *, now: dt.datetime | None = None) -> BackupDownload:
    """A consistent backup of the running app as a zip, for admins only; written to the audit log."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied("backups are for admins")
    aspire.audit.record(actor, Action.EXPORTED, Subject.ORGANISATION, [None], AUDIT_LABEL)
    with tempfile.TemporaryDirectory(prefix="aspire-backup-") as scratch:
        folder = Path(scratch) / "backup"
        manifest = write_backup(aspire.db, folder, now=now)
        data = _zipped(folder)
    stamp = manifest.created_at.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%SZ")
    return BackupDownload(f"aspire-backup-{stamp}.zip", data, manifest)


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


# ---- restoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    target: Path | PostgresUrl
    migrated: list[int]      # migrations applied after loading (the backup's schema was older)

    def describe(self) -> str:
        made = self.manifest.created_at.astimezone(dt.UTC).strftime("%d %B %Y %H:%M UTC")
        text = f"Restored the backup made {made} into {self.target}: {self.manifest.summary()}."
        if self.migrated:
            numbers = ", ".join(str(n) for n in self.migrated)
            text += f" Brought it up to date with migration{'s' if len(self.migrated) > 1 else ''} {numbers}."
        return text


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a backup folder, checked; BackupError naming the problem otherwise."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: it is not an Aspire backup, or the backup did not finish.")
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise BackupError(f"{path} is not a valid backup manifest: {where}: {first['msg']}.") from None


class _Backup:
    """A checked backup folder: its manifest, one file per table, each sequence's next value."""

    def __init__(self, folder: Path) -> None:
        self.manifest = read_manifest(folder)
        _require_known_schema(self.manifest)
        self.files = _table_files(folder, self.manifest)
        self.starts = _sequence_starts(folder, self.manifest)

    def rebuild(self, db: Database, check: Callable[[Run], None]) -> list[int]:
        return rebuild(db, self.files, self.starts, version=self.manifest.schema_version,
                       expected=self.manifest.tables, check=check)


def restore(source: Path | str, target: Path | PostgresUrl, *, force: bool = False) -> Restored:
    """Replace the database by a backup folder or zip: a DuckDB file (app stopped), or PostgreSQL in place.

    See the module's rules; unless `force`, a database holding people's data is refused.
    """
    with _unpacked(Path(source)) as folder:
        backup = _Backup(folder)
        if isinstance(target, PostgresUrl):
            with _opened(target) as db:
                migrated = backup.rebuild(db, _nothing if force else partial(_require_no_data, db.label))
        else:
            migrated = _restore_file(backup, target, force=force)
    return Restored(backup.manifest, target, migrated)


def _restore_file(backup: _Backup, target: Path, *, force: bool) -> list[int]:
    """Rebuild into `<target>.restore`, close it cleanly, then swap it in: the old file is never half-changed."""
    held = Database(target) if target.exists() else None    # StoreLockedError while the app runs
    try:
        if held is not None and not force:
            _require_no_data(held.label, held.query)
        fresh = target.with_name(target.name + ".restore")
        try:
            remove_files(fresh, wal_path(fresh))
            db = Database(fresh)
            try:
                migrated = backup.rebuild(db, _nothing)
            finally:
                db.close()
            if wal_path(fresh).exists():
                raise BackupError(f"The restored copy {fresh} kept a WAL after closing; the old database stays.")
            if held is not None:
                held.close()      # a clean close folds the WAL into the old file
                held = None
            if wal_path(target).exists():    # DuckDB would replay it onto the restored file
                raise BackupError(f"{wal_path(target)} exists: another process may be using the database. "
                                  "Nothing was replaced.")
            os.replace(fresh, target)
            fsync_folder(target.parent)
        finally:
            remove_files(fresh, wal_path(fresh))
    finally:
        if held is not None:
            held.close()
    return migrated


def _nothing(run: Run) -> None:
    """No check: a forced restore, or a fresh file."""


def _require_no_data(label: str, run: Run) -> None:
    tables = contents(run).tables
    if any(n for table, n in tables.items() if table not in SELF_FILLED):
        raise BackupError(
            f"The database {label} already holds {describe_counts(tables)}; a restore would replace them. "
            "Give --force to replace it (back it up first if you may need it)."
        )


@contextmanager
def _unpacked(source: Path) -> Iterator[Path]:
    """A backup folder as it is, or a backup zip (the download) extracted into a scratch folder."""
    if source.is_dir():
        _require_backup_names([p.name for p in source.iterdir()], source)
        if links := sorted(p.name for p in source.iterdir() if p.is_symlink() or not p.is_file()):
            raise BackupError(f"{source} holds {', '.join(links)}, which Aspire never writes: only plain files. "
                              "Nothing was restored.")
        yield source
    elif zipfile.is_zipfile(source):
        with tempfile.TemporaryDirectory(prefix="aspire-restore-") as scratch, zipfile.ZipFile(source) as archive:
            _extract(archive, Path(scratch), source)
            yield Path(scratch)
    elif source.exists():
        raise BackupError(f"{source} is neither a backup folder nor a backup zip file.")
    else:
        raise BackupError(f"There is no backup at {source}.")


def _require_backup_names(names: list[str], source: Path) -> None:
    """Only the names Aspire writes: the manifest, DuckDB's schema and load files (never run), one file a table."""
    strange = sorted(n for n in names if n not in _EXPORT_FILES and not _TABLE_FILE.fullmatch(n))
    if strange:
        raise BackupError(f"{source} holds {', '.join(map(repr, strange[:5]))}, which no Aspire backup holds. "
                          "Nothing was restored.")
    if len(set(names)) != len(names):
        raise BackupError(f"{source} holds the same file twice. Nothing was restored.")


def _extract(archive: zipfile.ZipFile, into: Path, source: Path) -> None:
    """The zip's files into `into`, after checking names and sizes: no paths, no file of a zip bomb's size."""
    members = archive.infolist()
    _require_backup_names([m.filename for m in members], source)
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise BackupError(f"{source} would unpack to {total:,} bytes, more than the {MAX_UNPACKED_BYTES:,} a backup "
                          "may hold. Nothing was restored.")
    for m in members:
        if m.file_size > RATIO_FROM_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise BackupError(f"{m.filename} in {source} unpacks {m.file_size // max(m.compress_size, 1)} times "
                              "larger than it is stored; no backup compresses like that. Nothing was restored.")
    for m in members:      # a zip member yields at most its declared size, so `total` bounds what is written
        with archive.open(m) as packed, (into / m.filename).open("wb") as unpacked:
            shutil.copyfileobj(packed, unpacked, 1 << 20)


def _table_files(folder: Path, manifest: Manifest) -> dict[str, Path]:
    """The Parquet file of every table the manifest counts; a backup missing one is refused."""
    files = {table: folder / f"{table}.parquet" for table in manifest.tables}
    if missing := sorted(f"{t}.parquet" for t, path in files.items() if not path.is_file()):
        raise BackupError(f"The backup in {folder} is incomplete: {', '.join(missing)} missing.")
    if unused := sorted(p.name for p in folder.glob("*.parquet") if p.stem not in files):
        raise BackupError(f"The backup in {folder} holds {', '.join(unused)}, which its manifest does not count.")
    return files


def _sequence_starts(folder: Path, manifest: Manifest) -> dict[str, int]:
    """The next value of each sequence: in the manifest, or (format /1) as DuckDB's schema.sql records it,
    read as numbers, never run."""
    if manifest.format != "aspire-backup/1":
        return dict(manifest.sequences)
    schema = folder / "schema.sql"
    if not schema.is_file():
        return {}
    lines = schema.read_text(encoding="utf-8", errors="replace").splitlines()
    return {m.group(1): int(m.group(2)) for line in lines if (m := _SEQUENCE_LINE.fullmatch(line))}


def _require_known_schema(manifest: Manifest) -> None:
    known = [number for number, _ in available_migrations()]
    if set(manifest.migrations) - set(known):
        raise BackupError(
            f"The backup was made by a newer Aspire (schema {manifest.schema_version}; this one knows up to "
            f"{max(known)}). Update Aspire, then restore it."
        )
    if manifest.migrations != [n for n in known if n <= manifest.schema_version]:
        raise BackupError(f"The backup's manifest lists migrations {manifest.migrations} for schema "
                          f"{manifest.schema_version}: no Aspire writes that. Nothing was restored.")


# ---- copying between databases ---------------------------------------------------------------------

COPY_LABEL = "organisation copy"


@dataclass(frozen=True)
class TableCheck:
    """One table of a copy: its rows counted and digested in the source's snapshot and read back from the target."""

    table: str
    source: Digest
    target: Digest | None     # None: the target has no such table

    @property
    def same(self) -> bool:
        return self.source == self.target

    def describe(self) -> str:
        if self.same:
            return f"{self.table}: {self.source.rows:,} rows, the same in both"
        found = "no such table" if self.target is None else f"{self.target.rows:,} rows"
        return f"{self.table}: {self.source.rows:,} rows copied, {found} in the copy, NOT the same"


@dataclass(frozen=True)
class Copied:
    source: Path | PostgresUrl
    target: Path | PostgresUrl
    tables: list[TableCheck]

    @property
    def differing(self) -> list[str]:
        return [t.table for t in self.tables if not t.same]

    def describe(self) -> str:
        rows = sum(t.source.rows for t in self.tables)
        return f"Copied {len(self.tables)} tables, {rows:,} rows, from {self.source} to {self.target}."


def copy_database(source: Path | PostgresUrl, target: Path | PostgresUrl, *, force: bool = False) -> Copied:
    """Copy a whole organisation into another database, of either engine, and check the copy table by table.

    A backup of `source` (audited there, like any backup) restored into `target` by the rules above: a
    target holding people's data is refused unless `force`, and a failed copy leaves it as it was. Then
    every table's rows are read back from the target and compared, count and digest, with those of the
    backup's snapshot. The source must have this Aspire's schema: a restore would bring an older one up
    to date, and the two could then no longer be compared table by table. The backup goes through a
    scratch folder, removed afterwards.
    """
    if str(source) == str(target) or (isinstance(source, Path) and isinstance(target, Path)
                                      and source.resolve() == target.resolve()):
        raise BackupError(f"{source} is both FROM and TO: give two different databases.")
    with tempfile.TemporaryDirectory(prefix="aspire-copy-") as scratch:
        folder = Path(scratch) / "backup"
        with _opened(source) as db:
            _require_current_schema(db)
            _audit_export(db, COPY_LABEL)
            _, copied = _write_backup(db, folder, digested=True)
        restore(folder, target, force=force)
    with _opened(target) as db:
        found = digests(db)
    return Copied(source, target, [TableCheck(t, d, found.get(t)) for t, d in copied.items()]
                  + [TableCheck(t, Digest(0, "-"), d) for t, d in found.items() if t not in copied])


def _require_current_schema(db: Database) -> None:
    known = [number for number, _ in available_migrations()]
    held = contents(db.query).migrations
    if held != known:
        raise BackupError(f"The database {db.label} has schema {max(held, default=0)}; this Aspire's is {max(known)}. "
                          "Start this Aspire on it once (coaching init-db) to bring it up to date, then copy it.")
