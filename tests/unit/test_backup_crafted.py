"""Crafted backups: a restore treats the archive as data. It never runs the archive's SQL, takes only the files
Aspire writes, keeps every name inside its scratch folder, refuses a zip bomb, and leaves the old database as it
was whenever it refuses."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from coaching.core.actors import SYSTEM
from coaching.core.settings import load_settings
from coaching.db.archive import MAX_ID_GAP
from coaching.people.accounts import accounts_of
from coaching.people.teams import create_team, list_teams
from coaching.privacy import backup
from coaching.privacy.backup import MANIFEST, BackupError, backup_database, restore
from coaching.startup import start


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real backup folder of a small organisation: one team, made once for the module and copied per test."""
    root = tmp_path_factory.mktemp("crafted")
    app = start(load_settings(db=root / "org.duckdb", demo=False))
    try:
        create_team(app, SYSTEM, "Platform", manager_id=accounts_of(app).create_user(
            SYSTEM, "maria@example.com", "Maria", "manager", "a long passphrase 1").id)
    finally:
        app.close()
    backup_database(root / "org.duckdb", root / "backup")
    return root / "backup"


@pytest.fixture
def folder(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "backup"
    shutil.copytree(made, copy)
    return copy


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A database that already holds an organisation: a refused restore must leave it byte for byte."""
    path = tmp_path / "live.duckdb"
    app = start(load_settings(db=path, demo=False))
    try:
        create_team(app, SYSTEM, "Kept", manager_id=accounts_of(app).create_user(
            SYSTEM, "kim@example.com", "Kim", "manager", "a long passphrase 2").id)
    finally:
        app.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zipped(folder: Path, extra: dict[str, bytes] | None = None, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def team_names(path: Path) -> list[str]:
    app = start(load_settings(db=path, demo=False))
    try:
        return [t.name for t in list_teams(app, SYSTEM)]
    finally:
        app.close()


def refused(source: Path, target: Path, reason: str) -> None:
    before = digest(target)
    with pytest.raises(BackupError, match=reason):
        restore(source, target, force=True)
    assert digest(target) == before, "a refused restore changed the database"
    assert not list(target.parent.glob(target.name + ".restore*"))


def hostile_sql(tmp_path: Path) -> str:
    """What IMPORT DATABASE would have run from the archive: write a file, attach one, load extensions."""
    return (f"COPY (SELECT 'written by a backup') TO '{tmp_path / 'copied-out.csv'}';\n"
            f"ATTACH '{tmp_path / 'attached.duckdb'}' AS elsewhere;\n"
            "CREATE TABLE elsewhere.planted AS SELECT 1;\n"
            "INSTALL httpfs;\nLOAD httpfs;\n"
            "CREATE OR REPLACE MACRO lower(x) AS 'owned';\n"
            "UPDATE team SET name = 'changed by load.sql';\n")


@pytest.mark.parametrize("into", ["schema.sql", "load.sql"])
def test_statements_added_to_the_archives_sql_are_never_run(folder: Path, target: Path, tmp_path: Path, into: str):
    with (folder / into).open("a", encoding="utf-8") as sql:
        sql.write(hostile_sql(tmp_path))

    restore(folder, target, force=True)

    assert team_names(target) == ["Platform"], "the rows come from the Parquet files, nothing else"
    assert not (tmp_path / "copied-out.csv").exists()
    assert not (tmp_path / "attached.duckdb").exists()
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("SELECT lower('ABC')").fetchone() == ("abc",)
        assert con.execute("SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name = 'httpfs'"
                           ).fetchone() == (0,)


def test_a_schema_sql_that_is_nothing_but_hostile_still_restores_the_data(folder: Path, target: Path,
                                                                           tmp_path: Path):
    (folder / "schema.sql").write_text(hostile_sql(tmp_path), encoding="utf-8")
    (folder / "load.sql").write_text(hostile_sql(tmp_path), encoding="utf-8")

    restore(folder, target, force=True)

    assert team_names(target) == ["Platform"]
    assert not (tmp_path / "copied-out.csv").exists() and not (tmp_path / "attached.duckdb").exists()


@pytest.mark.parametrize("name", ["evil.sql", "notes.txt", ".hidden", "Team.parquet", "install.duckdb_extension"])
def test_a_file_no_aspire_backup_holds_is_refused(folder: Path, target: Path, name: str):
    (folder / name).write_bytes(b"x")
    refused(folder, target, "which no Aspire backup holds")


def test_a_parquet_file_the_manifest_does_not_count_is_refused(folder: Path, target: Path):
    shutil.copy(folder / "team.parquet", folder / "hologram.parquet")
    refused(folder, target, "hologram.parquet, which its manifest does not count")


def test_a_table_the_manifest_adds_to_aspires_schema_is_refused(folder: Path, target: Path):
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"]["hologram"] = 1
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copy(folder / "team.parquet", folder / "hologram.parquet")
    refused(folder, target, "not those of its schema")


@pytest.mark.parametrize("table", ["../../escape", "/etc/passwd", "team/../../x", "TEAM", "team.parquet"])
def test_a_table_name_in_the_manifest_that_is_a_path_is_refused(folder: Path, target: Path, table: str):
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"][table] = 0
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    refused(folder, target, "not a valid backup manifest: tables")


def test_a_tampered_row_count_in_the_manifest_is_refused(folder: Path, target: Path, tmp_path: Path):
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"]["team"] += 1
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "tampered.zip").write_bytes(zipped(folder))
    refused(tmp_path / "tampered.zip", target, "team has 1 rows, the manifest says 2")


def test_migrations_no_aspire_wrote_are_refused(folder: Path, target: Path):
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["migrations"] = manifest["migrations"][1:]
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    refused(folder, target, "no Aspire writes that")


def test_a_table_file_with_columns_the_schema_lacks_is_refused(folder: Path, target: Path, tmp_path: Path):
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT *, 'extra' AS planted FROM read_parquet('{folder / 'team.parquet'}')) "
                    f"TO '{tmp_path / 'wider.parquet'}' (FORMAT parquet)")
    shutil.move(tmp_path / "wider.parquet", folder / "team.parquet")
    refused(folder, target, "cannot be read")


def test_a_symbolic_link_in_a_backup_folder_is_refused(folder: Path, target: Path, tmp_path: Path):
    outside = tmp_path / "outside.parquet"
    shutil.move(folder / "team.parquet", outside)
    (folder / "team.parquet").symlink_to(outside)
    refused(folder, target, "only plain files")


@pytest.mark.parametrize("name", ["../escaped.parquet", "/tmp/absolute.parquet", "nested/team.parquet",
                                  "..\\windows.parquet", "team.parquet"])
def test_a_zip_member_named_as_a_path_or_twice_is_refused_and_nothing_lands_outside(
        folder: Path, target: Path, tmp_path: Path, name: str):
    archive = tmp_path / "crafted.zip"
    with pytest.warns(UserWarning, match="Duplicate name") if name == "team.parquet" else contextlib.nullcontext():
        archive.write_bytes(zipped(folder, {name: b"PAR1"}))
    refused(archive, target, "which no Aspire backup holds|the same file twice")
    assert not (tmp_path / "escaped.parquet").exists() and not Path("/tmp/absolute.parquet").exists()


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(folder: Path, target: Path, tmp_path: Path):
    """50 MB of zeros in a file named like a table's: deflate stores it in about 50 kB, a thousand to one."""
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zipped(folder, {"hologram.parquet": bytes(50 << 20)}))
    assert archive.stat().st_size < 1 << 20
    refused(archive, target, "times larger than it is stored")


def test_a_zip_larger_unpacked_than_any_backup_may_be_is_refused(folder: Path, target: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    """Stored without compression the ratio is 1: the total's bound still holds (lowered here to 1 MB)."""
    monkeypatch.setattr(backup, "MAX_UNPACKED_BYTES", 1 << 20)
    archive = tmp_path / "large.zip"
    archive.write_bytes(zipped(folder, {"hologram.parquet": bytes(2 << 20)}, compression=zipfile.ZIP_STORED))
    refused(archive, target, "more than the 1,048,576 a backup may hold")


def _far_start_in_the_manifest(folder: Path) -> None:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["sequences"]["team_ids"] = 9999999999
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def _far_start_in_a_format_1_schema_sql(folder: Path) -> None:
    """Backups of format /1 (DuckDB's EXPORT DATABASE) recorded sequences in schema.sql, read as numbers only."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["format"] = "aspire-backup/1"
    del manifest["sequences"]
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "schema.sql").write_text("CREATE SEQUENCE team_ids INCREMENT BY 1 MINVALUE 1 MAXVALUE "
                                       "9223372036854775807 START 9999999999 NO CYCLE;\n", encoding="utf-8")


@pytest.mark.parametrize("craft", [_far_start_in_the_manifest, _far_start_in_a_format_1_schema_sql])
def test_a_sequence_start_far_past_the_rows_is_bounded(folder: Path, target: Path, craft):
    """A crafted backup cannot make the restore spin: ids continue at most MAX_ID_GAP past the largest."""
    craft(folder)

    restore(folder, target, force=True)

    app = start(load_settings(db=target, demo=False))
    try:
        new_id = create_team(app, SYSTEM, "After", manager_id=1).id
    finally:
        app.close()
    assert new_id == 1 + 1 + MAX_ID_GAP
