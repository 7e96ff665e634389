"""Whole-organisation backup and restore on real DuckDB files: exact round trips, refusals that leave
everything as it was, consistency while answers arrive, and restoring a backup of an older schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, PermissionDenied
from coaching.core.needs import SCALES
from coaching.core.settings import load_settings
from coaching.db.database import Database
from coaching.db.engine import StoreLockedError
from coaching.db.migrations import applied_migrations, available_migrations, migrate
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.measurement.instrument_rows import instrument_sources
from coaching.measurement.response_rows import NewResponse, ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, prepare, submit
from coaching.measurement.versions import current_instrument, instruments
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_teams
from coaching.privacy.backup import (
    MANIFEST,
    BackupError,
    Manifest,
    backup_file,
    download_backup,
    read_manifest,
    restore,
    write_backup,
)
from coaching.rounds import rounds
from coaching.startup import start
from tests.conftest import make_manager

ODD_TEXT = "Zoë's \"plan\";\nDROP TABLE note; -- 田中 \u200f<b>"
OLD_SCHEMA = 4     # a database made by an Aspire that had migrations 001 to 004 only
HOLD_DATABASE = "import duckdb,time,sys; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo organisation, enriched with a round, a delivery, a draft, a goal, a note and an aggregate."""
    path = tmp_path_factory.mktemp("backup-demo") / "demo.duckdb"
    app = start(load_settings(db=path, demo=True))
    try:
        _enrich(app)
    finally:
        app.close()
    return path


def _enrich(app: Aspire) -> None:
    maria = accounts_of(app).authenticate("maria@example.com", "demo-manager-1")
    (team,) = list_teams(app, maria)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=14)
    round_id, links = rounds.open_round(app, maria, team.id, "2027", deadline, message=ODD_TEXT)
    rounds.record_delivery(app, maria, round_id, links[0].member_id, "invitation", "link", ok=True)
    invitation = rounds.resolve(app, parse_qs(urlsplit(links[1].url).query)["invite"][0])
    rounds.save_draft(app, invitation, {"ratings": {"status_lead": 4}, "reflections": {"need_now": ODD_TEXT}})
    member_id = links[0].member_id

    def coaching_records(tx) -> None:
        goal_id = tx.scalar("INSERT INTO goal (member_id, title, need, created_by, target_date)"
                            " VALUES (?, ?, 'expertise', ?, DATE '2027-03-31') RETURNING id",
                            [member_id, ODD_TEXT, maria.id])
        tx.execute("INSERT INTO goal_action (goal_id, what, due_on) VALUES (?, 'Book', DATE '2027-01-15')", [goal_id])
        tx.execute("INSERT INTO note (member_id, author_id, held_on, body) VALUES (?, ?, DATE '2026-05-04', ?)",
                   [member_id, maria.id, ODD_TEXT])
        tx.execute("INSERT INTO member_option (member_id, option_key) VALUES (?, 'remote_days')", [member_id])
        tx.execute("INSERT INTO aggregate_snapshot (wave_id, scale, n, mean, purged_before)"
                   " VALUES (1, 'status', 7, 1.0 / 3, TIMESTAMPTZ '2025-01-01 00:00:00.123456+00')")

    app.db.write(coaching_records)


@pytest.fixture
def org_path(demo_template: Path, tmp_path: Path) -> Path:
    """A closed copy of the enriched demo organisation that a test may back up, change or replace."""
    path = tmp_path / "org.duckdb"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def org(org_path: Path) -> Iterator[Aspire]:
    app = start(load_settings(db=org_path))
    yield app
    app.close()


def everything(path: Path) -> dict[str, object]:
    """Every row of every table (sorted), every column's type and default, constraints and indexes."""
    db = Database(path, read_only=True)
    try:
        tables = [r[0] for r in db.query("SELECT table_name FROM duckdb_tables() ORDER BY table_name")]
        found: dict[str, object] = {t: db.query(f'SELECT * FROM "{t}" ORDER BY ALL') for t in tables}  # noqa: S608
        found["(columns)"] = db.query("SELECT table_name, column_name, data_type, column_default, is_nullable"
                                      " FROM duckdb_columns() WHERE NOT internal ORDER BY ALL")
        found["(constraints)"] = db.query("SELECT table_name, constraint_text FROM duckdb_constraints() ORDER BY ALL")
        found["(indexes)"] = db.query("SELECT index_name, sql FROM duckdb_indexes() ORDER BY ALL")
        return found
    finally:
        db.close()


def next_ids(path: Path) -> dict[str, int]:
    """The value each sequence hands out next (it is used up: call on a file that is thrown away after)."""
    db = Database(path)
    try:
        names = [r[0] for r in db.query("SELECT sequence_name FROM duckdb_sequences() ORDER BY 1")]
        return {n: db.write(lambda tx, n=n: tx.scalar("SELECT nextval(?)", [n])) for n in names}
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- the round trip --------------------------------------------------------------------------------


def test_backup_then_restore_gives_back_every_row_of_every_table(org_path: Path, tmp_path: Path) -> None:
    manifest = backup_file(org_path, tmp_path / "backup")
    restored = tmp_path / "restored.duckdb"

    result = restore(tmp_path / "backup", restored)

    assert result.migrated == []
    before, after = everything(org_path), everything(restored)
    assert before.keys() == after.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the round trip"
    assert all(before[t] for t in ("team", "member", "response", "response_rating", "round", "invitation",
                                   "delivery", "response_draft", "goal", "goal_action", "note", "member_option",
                                   "aggregate_snapshot", "audit_log")), "the round trip must cover real data"
    assert manifest.tables == {t: len(rows) for t, rows in before.items() if not t.startswith("(")}


def test_ids_handed_out_after_a_restore_continue_where_the_backup_left_off(org_path: Path, tmp_path: Path) -> None:
    backup_file(org_path, tmp_path / "backup")
    restored = tmp_path / "restored.duckdb"
    restore(tmp_path / "backup", restored)

    app = start(load_settings(db=restored))
    try:
        old_ids = {t.id for t in list_teams(app, SYSTEM)}
        new_id = create_team(app, SYSTEM, "Formed after the restore", manager_id=1).id
    finally:
        app.close()

    assert new_id not in old_ids and new_id == max(old_ids) + 1
    before = next_ids(org_path)   # the new team and its audit entry drew the next id of each
    assert next_ids(restored) == {**before, "team_ids": new_id + 1, "audit_ids": before["audit_ids"] + 1}


def test_the_manifest_names_schema_instruments_counts_and_moment(org: Aspire, tmp_path: Path) -> None:
    made_at = dt.datetime(2026, 5, 7, 10, 30, tzinfo=dt.UTC)

    manifest = write_backup(org.db, tmp_path / "backup", now=made_at)

    on_disk = json.loads((tmp_path / "backup" / MANIFEST).read_text(encoding="utf-8"))
    assert Manifest.model_validate(on_disk) == manifest == read_manifest(tmp_path / "backup")
    assert manifest.created_at == made_at
    assert manifest.schema_version == max(n for n, _ in available_migrations())
    assert manifest.migrations == applied_migrations(org.db)
    assert manifest.instrument_versions == sorted(instruments(org))
    assert manifest.tables["response"] == org.db.scalar("SELECT count(*) FROM response") == 30
    assert manifest.summary().startswith("2 teams, 15 members, 30 responses, 3 accounts and ")


# ---- refusals that change nothing ------------------------------------------------------------------


def test_backup_refuses_a_folder_that_is_not_empty_and_writes_nothing(org: Aspire, tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"not a backup")

    with pytest.raises(BackupError, match="not empty"):
        write_backup(org.db, folder)

    assert [p.name for p in folder.iterdir()] == ["holiday.jpg"]
    assert not list(tmp_path.glob(".*")), "no half-written folder stays behind"


def test_backup_into_an_empty_folder_fills_it(org: Aspire, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()

    write_backup(org.db, folder)

    assert (folder / MANIFEST).is_file() and (folder / "response.parquet").is_file()
    assert not list(tmp_path.glob(".*")), "the export folder was renamed into place"


def test_backup_of_a_missing_database_creates_no_file(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database"):
        backup_file(tmp_path / "missing.duckdb", tmp_path / "backup")

    assert not (tmp_path / "missing.duckdb").exists() and not (tmp_path / "backup").exists()


def test_restore_refuses_to_replace_a_database_that_holds_data_unless_forced(org_path: Path, tmp_path: Path) -> None:
    backup_file(org_path, tmp_path / "backup")
    other = tmp_path / "other.duckdb"
    app = start(load_settings(db=other))
    create_team(app, SYSTEM, "Keep me", manager_id=make_manager(app).id)
    app.close()
    untouched = digest(other)

    with pytest.raises(BackupError, match=r"already holds 1 team, 0 members, 0 responses, 1 account.*--force"):
        restore(tmp_path / "backup", other)
    assert digest(other) == untouched

    restore(tmp_path / "backup", other, force=True)
    assert everything(other)["team"] == everything(org_path)["team"]


def test_restore_over_a_database_with_only_what_aspire_fills_by_itself_needs_no_force(
    org_path: Path, tmp_path: Path
) -> None:
    backup_file(org_path, tmp_path / "backup")
    fresh = tmp_path / "fresh.duckdb"
    start(load_settings(db=fresh)).close()      # schema, instrument and the shipped catalogue only

    restore(tmp_path / "backup", fresh)

    assert everything(fresh)["member"] == everything(org_path)["member"]


def test_restore_while_another_process_holds_the_database_changes_nothing(org_path: Path, tmp_path: Path) -> None:
    backup_file(org_path, tmp_path / "backup")
    target = tmp_path / "in-use.duckdb"
    start(load_settings(db=target)).close()
    untouched = digest(target)
    holder = [sys.executable, "-c", HOLD_DATABASE, str(target)]     # stands in for the running app
    with subprocess.Popen(holder, stdout=subprocess.PIPE, text=True) as running:
        try:
            assert running.stdout is not None and running.stdout.readline().strip() == "ready"
            with pytest.raises(StoreLockedError, match="in use"):
                restore(tmp_path / "backup", target, force=True)
        finally:
            running.kill()

    assert digest(target) == untouched
    assert not list(tmp_path.glob("in-use.duckdb.*"))


def test_a_write_ahead_log_beside_the_target_stops_the_restore_before_the_swap(
    org_path: Path, tmp_path: Path
) -> None:
    """DuckDB replays a `.wal` it finds beside a file: one left by another process must not land on the restore."""
    backup_file(org_path, tmp_path / "backup")
    stray = tmp_path / "target.duckdb.wal"
    stray.write_bytes(b"someone else's log")

    with pytest.raises(BackupError, match="another process"):
        restore(tmp_path / "backup", tmp_path / "target.duckdb")

    assert not (tmp_path / "target.duckdb").exists() and stray.read_bytes() == b"someone else's log"
    assert not list(tmp_path.glob("target.duckdb.restore*"))


def _damage_rating_file(folder: Path) -> None:
    (folder / "response_rating.parquet").write_bytes(b"PAR1 cut short")


def _miscount(folder: Path) -> None:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"]["response"] += 1
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(("damage", "reason"), [(_damage_rating_file, "cannot be read"), (_miscount, "incomplete")])
def test_a_failed_restore_leaves_the_old_database_untouched(
    damage, reason: str, org_path: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.duckdb"
    app = start(load_settings(db=other))
    create_team(app, SYSTEM, "Still here", manager_id=make_manager(app).id)
    app.close()
    backup_file(org_path, tmp_path / "backup")
    damage(tmp_path / "backup")
    untouched = digest(other)

    with pytest.raises(BackupError, match=reason):
        restore(tmp_path / "backup", other, force=True)

    assert digest(other) == untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup", "org.duckdb", "other.duckdb"]
    assert [r[1] for r in everything(other)["team"]] == ["Still here"]


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [(None, "holds no manifest.json"), ("{not json", "not a valid backup manifest"),
     ('{"format": "aspire-backup/1"}', "created_at"), ('{"format": "someone-else/1"}', "format")],
)
def test_restore_refuses_a_folder_that_is_not_a_finished_backup(
    manifest: str | None, reason: str, tmp_path: Path
) -> None:
    folder = tmp_path / "not-a-backup"
    folder.mkdir()
    if manifest is not None:
        (folder / MANIFEST).write_text(manifest, encoding="utf-8")

    with pytest.raises(BackupError, match=reason):
        restore(folder, tmp_path / "target.duckdb")

    assert not list(tmp_path.glob("target.duckdb*"))


def test_restore_of_a_path_that_is_neither_folder_nor_zip_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")

    with pytest.raises(BackupError, match="neither a backup folder nor a backup zip"):
        restore(tmp_path / "notes.txt", tmp_path / "target.duckdb")
    with pytest.raises(BackupError, match="no backup at"):
        restore(tmp_path / "missing", tmp_path / "target.duckdb")


# ---- schemas: older backups are brought up to date, newer ones refused ------------------------------


def _database_with_migrations(path: Path, numbers: list[int], tmp_path: Path, extra: str | None = None) -> Database:
    """The database an Aspire with only these migration files made: `migrate` reads the folder it is given."""
    folder = tmp_path / f"migrations-{len(numbers)}"
    folder.mkdir()
    for number, file in available_migrations():
        if number in numbers:
            shutil.copy(file, folder / file.name)
    if extra is not None:
        (folder / "099_from_the_future.sql").write_text(extra, encoding="utf-8")
    db = Database(path)
    migrate(db, folder)
    return db


def test_a_backup_of_an_older_schema_is_restored_with_the_newer_migrations_applied(
    tmp_path: Path, aspire: Aspire
) -> None:
    old = tmp_path / "old.duckdb"
    db = _database_with_migrations(old, list(range(1, OLD_SCHEMA + 1)), tmp_path)
    raw = {"ratings": {i.id: 1 + n % 5 for n, i in enumerate(current_instrument(aspire).items)},
           "top_three": ["expertise", "autonomy", "balance"]}
    response = prepare(aspire, Submission(member_id=1, wave_id=1, raw=raw))    # validated and scored as today
    try:
        db.write(lambda tx: _write_as_the_old_aspire_did(tx, aspire, response))
    finally:
        db.close()
    manifest = backup_file(old, tmp_path / "backup")
    assert manifest.schema_version == OLD_SCHEMA and "response_draft" not in manifest.tables

    result = restore(tmp_path / "backup", tmp_path / "restored.duckdb")

    newer = [n for n, _ in available_migrations() if n > OLD_SCHEMA]
    assert newer and result.migrated == newer
    app = start(load_settings(db=tmp_path / "restored.duckdb"))
    try:
        assert applied_migrations(app.db) == [n for n, _ in available_migrations()]
        assert app.db.scalar("SELECT count(*) FROM response_draft") == 0      # a table of migration 005
        (team,) = list_teams(app, SYSTEM)
        (stored,) = ResponseRows(app.db).current_responses(SYSTEM, response.wave_id)
    finally:
        app.close()
    assert team.name == "From the old days"
    assert stored.answers == response.answers and stored.scores == response.scores


def _write_as_the_old_aspire_did(tx, aspire: Aspire, response: NewResponse) -> None:
    """Rows in the tables of migrations 001-004, by plain SQL: today's store code may expect newer columns."""
    tx.execute("INSERT INTO instrument (version, title, source) VALUES (1, 'v1', ?)",
               [instrument_sources(aspire.db)[1]])
    tx.execute("INSERT INTO team (name, manager_id) VALUES ('From the old days', 1)")
    tx.execute("INSERT INTO member (team_id, name, email) VALUES (1, 'Ana Old', 'ana@example.com')")
    tx.execute("INSERT INTO wave (name, starts_on) VALUES ('2025', DATE '2025-01-01')")
    tx.execute("INSERT INTO response (member_id, wave_id, instrument_version, submitted_at, is_current)"
               " VALUES (1, 1, 1, ?, true)", [response.submitted_at])
    tx.executemany("INSERT INTO response_rating VALUES (1, ?, ?)", list(response.answers.ratings.items()))
    tx.executemany("INSERT INTO response_choice VALUES (1, ?, ?)",
                   [(rank, str(need)) for rank, need in enumerate(response.answers.top_three, start=1)])
    tx.executemany("INSERT INTO response_score VALUES (1, ?, ?)", list(response.scores.items()))


def test_a_backup_made_by_a_newer_aspire_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    newer = tmp_path / "newer.duckdb"
    every = [n for n, _ in available_migrations()]
    _database_with_migrations(newer, every, tmp_path, extra="CREATE TABLE hologram (id INTEGER);").close()
    backup_file(newer, tmp_path / "backup")
    target = tmp_path / "target.duckdb"
    start(load_settings(db=target)).close()
    untouched = digest(target)

    with pytest.raises(BackupError, match=rf"newer Aspire \(schema 99; this one knows up to {max(every)}\)"):
        restore(tmp_path / "backup", target, force=True)

    assert digest(target) == untouched


# ---- the admin's download while the app runs -------------------------------------------------------


def unzip_manifest(data: bytes) -> tuple[Manifest, set[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return Manifest.model_validate_json(archive.read(MANIFEST)), set(archive.namelist())


def test_an_admin_downloads_a_zip_that_restores_and_the_download_is_audited(org: Aspire, tmp_path: Path) -> None:
    admin = accounts_of(org).authenticate("hr@example.com", "demo-admin-1")

    made = download_backup(org, admin)

    manifest, names = unzip_manifest(made.data)
    assert manifest == made.manifest and {MANIFEST, "schema.sql", "load.sql", "response.parquet"} <= names
    assert made.filename.startswith("aspire-backup-") and made.filename.endswith(".zip")
    (entry,) = org.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED))
    assert (entry.actor_id, entry.subject_kind, entry.detail) == (admin.id, Subject.ORGANISATION, "organisation backup")
    (tmp_path / made.filename).write_bytes(made.data)
    restore(tmp_path / made.filename, tmp_path / "from-zip.duckdb")
    restored = everything(tmp_path / "from-zip.duckdb")
    assert len(restored["response_rating"]) == manifest.tables["response_rating"]
    assert len(restored["audit_log"]) == manifest.tables["audit_log"], "the backup holds its own audit entry"


def test_a_manager_cannot_download_a_backup_and_nothing_is_recorded(org: Aspire) -> None:
    maria = accounts_of(org).authenticate("maria@example.com", "demo-manager-1")
    audit_rows = org.db.scalar("SELECT count(*) FROM audit_log")

    with pytest.raises(PermissionDenied):
        download_backup(org, maria)

    assert org.db.scalar("SELECT count(*) FROM audit_log") == audit_rows


def test_backups_taken_while_answers_arrive_hold_only_whole_responses(
    aspire: Aspire, instrument, tmp_path: Path
) -> None:
    """Submissions run on another thread during each backup; every backup must show whole responses only."""
    manager = make_manager(aspire)
    team_id = create_team(aspire, manager, "Busy team").id
    members = add_members(aspire, manager, team_id, [
        NewMember(name=f"Person {n}", email=f"p{n}@example.com") for n in range(6)])
    wave_id = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    raw = {"ratings": {i.id: 1 + n % 5 for n, i in enumerate(instrument.items)},
           "top_three": ["status", "security", "balance"], "reflections": {"need_now": "More time to think."}}
    stop = threading.Event()

    def keep_answering() -> None:
        n = 0
        while not stop.is_set():
            submit(aspire, SYSTEM, [Submission(member_id=members[n % len(members)], wave_id=wave_id, raw=raw)])
            n += 1

    answering = threading.Thread(target=keep_answering)
    answering.start()
    try:
        downloads = [download_backup(aspire, SYSTEM) for _ in range(5)]
    finally:
        stop.set()
        answering.join()

    manifests = [d.manifest for d in downloads]

    per_response = {"response_rating": len(instrument.items), "response_choice": 3, "response_reflection": 1,
                    "response_score": len(SCALES)}
    responses = [m.tables["response"] for m in manifests]
    assert responses == sorted(responses) and responses[-1] > responses[0], "answers kept arriving"
    for m in manifests:
        for table, each in per_response.items():
            assert m.tables[table] == each * m.tables["response"], (table, m.tables)
    (tmp_path / "last.zip").write_bytes(downloads[-1].data)
    restore(tmp_path / "last.zip", tmp_path / "restored.duckdb")     # the files hold what the manifest counts
