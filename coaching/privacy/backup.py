"""Whole-organisation backups and restores: DuckDB's EXPORT DATABASE plus a manifest, and back.

Rules:
- a backup is every table (people's answers, reflections, goals, notes, accounts with their password
  hashes, the audit log) and every sequence at its current value, as Parquet files with the schema,
  plus manifest.json: the schema version, instrument versions, rows per table and when it was made;
- it is taken in one read-only transaction (coaching.db.archive): a snapshot of committed data,
  consistent while the app runs; submissions go on meanwhile and none is ever half in it;
- a folder is a complete backup exactly when it holds the manifest: the export goes to a hidden
  sibling folder, the manifest is written last, and the folder is renamed into place;
- the download (while the app runs) is for admins only; it and a backup taken from the command line
  are written to the audit log just before the export, so the backup holds its own entry and a
  restore gives back exactly the rows the database had after the entry;
- a backup is data, never code: a restore checks the manifest and every file name against what Aspire
  writes (a zip also against a zip bomb's sizes), builds the schema from this Aspire's own migrations up
  to the backup's version, loads each table from its Parquet file, and never runs the archive's SQL;
- a restore never touches the configured database until a complete copy exists: loaded into
  `<db>.restore`, rows per table checked against the manifest, the newer migrations applied (a backup of
  an older schema comes out up to date), the file closed cleanly; only then is the old file replaced
  (`os.replace`, atomic on one file system). Any failure before that removes the fresh file and leaves
  the old database as it was. The old file stays open, holding DuckDB's lock, until that moment, so the
  app cannot start on it half-way;
- a restore refuses to replace a database that holds people's data unless forced, and refuses a backup
  made by a newer Aspire (one with a migration this version does not know).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, NonNegativeInt, StringConstraints, ValidationError

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.db.archive import BackupError, Contents, contents, export, load_tables, table_names
from coaching.db.database import Database
from coaching.db.duck import fsync_folder, remove_files, wal_path
from coaching.db.migrations import available_migrations, migrate
from coaching.governance.audit import Action, AuditLog, Subject

__all__ = [
    "BACKUP_FORMAT", "MANIFEST", "BackupDownload", "BackupError", "Manifest", "Restored", "backup_file",
    "download_backup", "read_manifest", "restore", "write_backup",
]

BACKUP_FORMAT = "aspire-backup/1"
MANIFEST = "manifest.json"
AUDIT_LABEL = "organisation backup"

#: What a backup folder or zip may hold: the manifest, DuckDB's own schema.sql and load.sql (kept for people, never
#: run by a restore), and one Parquet file per table.
_EXPORT_FILES = frozenset({MANIFEST, "schema.sql", "load.sql"})
_TABLE_FILE = re.compile(r"[a-z][a-z0-9_]{0,62}\.parquet")
#: EXPORT DATABASE's line for a sequence: only its name and next value are read from it.
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

    format: Literal["aspire-backup/1"]
    created_at: AwareDatetime
    schema_version: NonNegativeInt       # the newest migration applied
    migrations: list[int]
    instrument_versions: list[int]
    tables: dict[TableName, NonNegativeInt]    # rows per table

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
    folder = Path(folder).absolute()
    _require_empty(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        found = export(db, staging)
        if "schema_version" not in found.tables:
            raise BackupError(f"The database {db.path} is not an Aspire database: it has no schema_version table.")
        manifest = _manifest(found, now or dt.datetime.now(dt.UTC))
        (staging / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    fsync_folder(folder.parent)
    return manifest


def _require_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is a file; give a new or empty folder for the backup.")
    if folder.is_dir() and any(folder.iterdir()):
        raise BackupError(f"The folder {folder} is not empty; give a new or empty folder for the backup.")


def _manifest(found: Contents, now: dt.datetime) -> Manifest:
    return Manifest(
        format=BACKUP_FORMAT, created_at=now, schema_version=max(found.migrations, default=0),
        migrations=found.migrations, instrument_versions=found.instrument_versions, tables=found.tables,
    )


def backup_file(path: Path, folder: Path | str) -> Manifest:
    """Back up the database file of a stopped app (StoreLockedError while the app holds it); audited."""
    if not path.is_file():
        raise BackupError(f"There is no database at {path} to back up.")
    db = Database(path)
    try:
        _require_empty(Path(folder).absolute())       # before the audit entry: a refusal records nothing
        if "audit_log" in table_names(db.query):   # a file from before the audit log keeps its schema untouched
            AuditLog(db).record(SYSTEM, Action.EXPORTED, Subject.ORGANISATION, [None], AUDIT_LABEL)
        return write_backup(db, folder)
    finally:
        db.close()


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
    target: Path
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


def restore(source: Path | str, target: Path, *, force: bool = False) -> Restored:
    """Replace the database file `target` (app stopped) by a backup folder or zip; see the module's rules."""
    with _unpacked(Path(source)) as folder:
        manifest = read_manifest(folder)
        _require_known_schema(manifest)
        files = _table_files(folder, manifest)
        held = Database(target) if target.exists() else None    # StoreLockedError while the app runs
        try:
            if held is not None and not force:
                _require_no_data(held)
            fresh = target.with_name(target.name + ".restore")
            try:
                migrated = _load(fresh, files, _sequence_starts(folder), manifest)
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
    return Restored(manifest, target, migrated)


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


def _sequence_starts(folder: Path) -> dict[str, int]:
    """The next value of each sequence as DuckDB's schema.sql records it: read as numbers, never run."""
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


def _require_no_data(db: Database) -> None:
    tables = contents(db.query).tables
    if any(n for table, n in tables.items() if table not in SELF_FILLED):
        raise BackupError(
            f"The database {db.path} already holds {describe_counts(tables)}; a restore would replace them. "
            "Restore with --force to replace it (back it up first if you may need it)."
        )


def _load(fresh: Path, files: Mapping[str, Path], starts: Mapping[str, int], manifest: Manifest) -> list[int]:
    """Fill a fresh file from the backup, check it against the manifest, migrate it, close it cleanly.

    The schema is the backup's own version built from this Aspire's migrations; the rows are loaded as data.
    """
    remove_files(fresh, wal_path(fresh))
    db = Database(fresh)
    try:
        migrate(db, upto=manifest.schema_version)
        loaded = load_tables(db, files, starts)
        if loaded.tables != manifest.tables:
            raise BackupError(f"The backup is incomplete: {_difference(manifest.tables, loaded.tables)}.")
        migrated = migrate(db)
    finally:
        db.close()
    if wal_path(fresh).exists():
        raise BackupError(f"The restored copy {fresh} kept a WAL after closing; the old database stays.")
    return migrated


def _difference(expected: Mapping[str, int], loaded: Mapping[str, int]) -> str:
    wrong = sorted(t for t in expected.keys() | loaded.keys() if expected.get(t) != loaded.get(t))
    return "; ".join(f"{t} has {loaded.get(t, 'no')} rows, the manifest says {expected.get(t, 'none')}" for t in wrong)
