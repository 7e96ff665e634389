"""Whole-organisation backup and restore on both engines (a real DuckDB file, a real PostgreSQL server): exact
round trips, within and between engines, refusals that leave everything as it was, consistency while answers
arrive, and restoring a backup of an older schema. Tests about a database run once per engine."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from coaching.aspire import Aspire
from coaching.cli import main
from coaching.core.actors import SYSTEM, PermissionDenied
from coaching.core.needs import SCALES
from coaching.core.settings import PostgresUrl, load_settings
from coaching.db.archive import columns, table_names
from coaching.db.database import Database
from coaching.db.engine import StoreLockedError
from coaching.db.migrations import applied_migrations, available_migrations, migrate
from coaching.demo import seed_demo
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
    backup_database,
    download_backup,
    read_manifest,
    restore,
    write_backup,
)
from coaching.rounds import rounds
from coaching.startup import start
from tests.conftest import Databases, filled_copy, make_manager
from tests.postgres_server import PostgresServer

ODD_TEXT = "Zoë's \"plan\";\nDROP TABLE note; -- 田中 \u200f<b>"
OLD_SCHEMA = 4     # a database made by an Aspire that had migrations 001 to 004 only
HOLD_DATABASE = "import duckdb,time,sys; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"


Target = Path | PostgresUrl


def target(value: Path | str) -> Target:
    """A database as COACHING_DB names it (what `Databases.new` gives), as the settings read it."""
    return load_settings(db=value).db


def _enriched_demo(app: Aspire) -> None:
    """The demo organisation, enriched with a round, a delivery, a draft, a goal, a note and an aggregate."""
    seed_demo(app)
    _enrich(app)


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
def org_db(databases: Databases, request: pytest.FixtureRequest) -> Target:
    """A closed copy of the enriched demo organisation that a test may back up, change or replace."""
    return target(filled_copy(databases, _enriched_demo, request)[0])


@pytest.fixture
def org(org_db: Target) -> Iterator[Aspire]:
    app = start(load_settings(db=org_db))
    yield app
    app.close()


def everything(db_target: Target) -> dict[str, object]:
    """Every row of every table (sorted), every column's type and default, constraints and indexes."""
    db = Database(db_target)
    try:
        found: dict[str, object] = {t: sorted(db.query(f'SELECT * FROM "{t}"'), key=repr)  # noqa: S608
                                    for t in table_names(db.query)}
        found["(columns)"] = columns(db.query)
        if db.engine.dialect == "duckdb":
            found["(constraints)"] = db.query("SELECT table_name, constraint_text FROM duckdb_constraints()"
                                              " ORDER BY ALL")
            found["(indexes)"] = db.query("SELECT index_name, sql FROM duckdb_indexes() ORDER BY ALL")
        else:
            found["(constraints)"] = sorted(db.query(
                "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE connamespace = current_schema()::regnamespace"))
            found["(indexes)"] = sorted(db.query("SELECT indexname::text, indexdef FROM pg_indexes"
                                                 " WHERE schemaname = current_schema()"))
        return found
    finally:
        db.close()


#: Aspire's sequences, as its migrations create them on either engine.
SEQUENCES = sorted({m for _, file in available_migrations()
                    for m in re.findall(r"CREATE SEQUENCE (\w+)", file.read_text(encoding="utf-8"))})


def next_ids(db_target: Target) -> dict[str, int]:
    """The value each sequence hands out next (it is used up: call on a database that is thrown away after)."""
    db = Database(db_target)
    try:
        return {n: db.write(lambda tx, n=n: tx.scalar("SELECT nextval(?)", [n])) for n in SEQUENCES}
    finally:
        db.close()


def fingerprint(db_target: Target) -> object:
    """What must not change when a restore is refused: the file's bytes, or (PostgreSQL) everything it holds."""
    if isinstance(db_target, Path):
        return hashlib.sha256(db_target.read_bytes()).hexdigest()
    return everything(db_target)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- the round trip --------------------------------------------------------------------------------


def test_backup_then_restore_gives_back_every_row_of_every_table(
    org_db: Target, databases: Databases, tmp_path: Path
) -> None:
    manifest = backup_database(org_db, tmp_path / "backup")
    restored = target(databases.new("restored"))

    result = restore(tmp_path / "backup", restored)

    assert result.migrated == []
    before, after = everything(org_db), everything(restored)
    assert before.keys() == after.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the round trip"
    assert all(before[t] for t in ("team", "member", "response", "response_rating", "round", "invitation",
                                   "delivery", "response_draft", "goal", "goal_action", "note", "member_option",
                                   "aggregate_snapshot", "audit_log")), "the round trip must cover real data"
    assert manifest.tables == {t: len(rows) for t, rows in before.items() if not t.startswith("(")}  # type: ignore[arg-type]


def test_ids_handed_out_after_a_restore_continue_where_the_backup_left_off(
    org_db: Target, databases: Databases, tmp_path: Path
) -> None:
    backup_database(org_db, tmp_path / "backup")
    restored = target(databases.new("restored"))
    restore(tmp_path / "backup", restored)

    app = start(load_settings(db=restored))
    try:
        old_ids = {t.id for t in list_teams(app, SYSTEM)}
        new_id = create_team(app, SYSTEM, "Formed after the restore", manager_id=1).id
    finally:
        app.close()

    assert new_id not in old_ids and new_id == max(old_ids) + 1
    before = next_ids(org_db)   # the new team and its audit entry drew the next id of each
    assert next_ids(restored) == {**before, "team_ids": new_id + 1, "audit_ids": before["audit_ids"] + 1}


def test_a_duckdb_backup_restores_into_postgresql_and_back_with_identical_contents(
    postgres_databases: Databases, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """One format for both engines: DuckDB -> PostgreSQL -> DuckDB gives back every row and every next id."""
    original = filled_copy(Databases("duckdb", tmp_path, None), _enriched_demo, request)[0]
    on_postgres = target(postgres_databases.new("moved"))
    backup_database(original, tmp_path / "from-duckdb")
    restore(tmp_path / "from-duckdb", on_postgres)
    backup_database(on_postgres, tmp_path / "from-postgres")
    back = tmp_path / "back.duckdb"
    restore(tmp_path / "from-postgres", back)

    before, after = everything(original), everything(back)
    assert before.keys() == after.keys()
    audited = [row for row in after.pop("audit_log") if row not in before["audit_log"]]  # type: ignore[union-attr]
    assert len(audited) == 1 and "organisation backup" in audited[0], "only the second backup's own entry"
    for table in after:
        assert after[table] == before[table], f"{table} differs after DuckDB -> PostgreSQL -> DuckDB"
    original_ids = next_ids(original)
    assert next_ids(back) == {**original_ids, "audit_ids": original_ids["audit_ids"] + 1}
    assert _parquet_types(tmp_path / "from-duckdb") == _parquet_types(tmp_path / "from-postgres")


def _parquet_types(folder: Path) -> dict[str, list[tuple]]:
    """Each file's columns with their Parquet types: what a backup holds, whichever engine wrote it."""
    with duckdb.connect() as con:
        return {p.name: con.execute("SELECT name, type, converted_type, logical_type FROM parquet_schema(?)",
                                    [str(p)]).fetchall() for p in sorted(folder.glob("*.parquet"))}


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
    assert set(manifest.sequences) == set(SEQUENCES)
    assert manifest.sequences["team_ids"] == 1 + org.db.scalar("SELECT max(id) FROM team")


# ---- refusals that change nothing ------------------------------------------------------------------


def test_backup_refuses_a_folder_that_is_not_empty_and_writes_nothing(aspire: Aspire, tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"not a backup")

    with pytest.raises(BackupError, match="not empty"):
        write_backup(aspire.db, folder)

    assert [p.name for p in folder.iterdir()] == ["holiday.jpg"]
    assert not list(tmp_path.glob(".*")), "no half-written folder stays behind"


def test_backup_into_an_empty_folder_fills_it(aspire: Aspire, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()

    write_backup(aspire.db, folder)

    assert (folder / MANIFEST).is_file() and (folder / "response.parquet").is_file()
    assert not list(tmp_path.glob(".*")), "the export folder was renamed into place"


def test_backup_of_a_missing_database_creates_no_file(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database"):
        backup_database(tmp_path / "missing.duckdb", tmp_path / "backup")

    assert not (tmp_path / "missing.duckdb").exists() and not (tmp_path / "backup").exists()


def _database_with_a_team(databases: Databases, name: str) -> Target:
    other = target(databases.new("other"))
    app = start(load_settings(db=other))
    create_team(app, SYSTEM, name, manager_id=make_manager(app).id)
    app.close()
    return other


def test_restore_refuses_to_replace_a_database_that_holds_data_unless_forced(
    org_db: Target, databases: Databases, tmp_path: Path
) -> None:
    backup_database(org_db, tmp_path / "backup")
    other = _database_with_a_team(databases, "Keep me")
    untouched = fingerprint(other)

    with pytest.raises(BackupError, match=r"already holds 1 team, 0 members, 0 responses, 1 account.*--force"):
        restore(tmp_path / "backup", other)
    assert fingerprint(other) == untouched

    restore(tmp_path / "backup", other, force=True)
    assert everything(other)["team"] == everything(org_db)["team"]


def test_restore_over_a_database_with_only_what_aspire_fills_by_itself_needs_no_force(
    org_db: Target, databases: Databases, tmp_path: Path
) -> None:
    backup_database(org_db, tmp_path / "backup")
    fresh = target(databases.new("fresh"))
    start(load_settings(db=fresh)).close()      # schema, instrument and the shipped catalogue only

    restore(tmp_path / "backup", fresh)

    assert everything(fresh)["member"] == everything(org_db)["member"]


def test_restore_while_another_process_holds_the_database_changes_nothing(aspire: Aspire, tmp_path: Path) -> None:
    write_backup(aspire.db, tmp_path / "backup")
    target_file = tmp_path / "in-use.duckdb"
    start(load_settings(db=target_file)).close()
    untouched = digest(target_file)
    holder = [sys.executable, "-c", HOLD_DATABASE, str(target_file)]     # stands in for the running app
    with subprocess.Popen(holder, stdout=subprocess.PIPE, text=True) as running:
        try:
            assert running.stdout is not None and running.stdout.readline().strip() == "ready"
            with pytest.raises(StoreLockedError, match="in use"):
                restore(tmp_path / "backup", target_file, force=True)
        finally:
            running.kill()

    assert digest(target_file) == untouched
    assert not list(tmp_path.glob("in-use.duckdb.*"))


def test_a_write_ahead_log_beside_the_target_stops_the_restore_before_the_swap(
    aspire: Aspire, tmp_path: Path
) -> None:
    """DuckDB replays a `.wal` it finds beside a file: one left by another process must not land on the restore."""
    write_backup(aspire.db, tmp_path / "backup")
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
    damage, reason: str, org_db: Target, databases: Databases, tmp_path: Path
) -> None:
    """Half-way: the ratings fail after other tables loaded, the counts after every table loaded (PostgreSQL:
    inside the one transaction that dropped and rebuilt the tables)."""
    other = _database_with_a_team(databases, "Still here")
    backup_database(org_db, tmp_path / "backup")
    damage(tmp_path / "backup")
    untouched = fingerprint(other)

    with pytest.raises(BackupError, match=reason):
        restore(tmp_path / "backup", other, force=True)

    assert fingerprint(other) == untouched
    assert not list(tmp_path.glob("*.restore*"))
    assert [r[1] for r in everything(other)["team"]] == ["Still here"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [(None, "holds no manifest.json"), ("{not json", "not a valid backup manifest"),
     ('{"format": "aspire-backup/2"}', "created_at"), ('{"format": "someone-else/1"}', "format")],
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


def _database_with_migrations(db_target: Target, numbers: list[int], tmp_path: Path,
                              extra: str | None = None) -> Database:
    """The database an Aspire with only these migration files made: `migrate` reads the folder it is given."""
    folder = tmp_path / f"migrations-{len(numbers)}"
    folder.mkdir()
    for number, file in available_migrations():
        if number in numbers:
            shutil.copy(file, folder / file.name)
    if extra is not None:
        (folder / "099_from_the_future.sql").write_text(extra, encoding="utf-8")
    db = Database(db_target)
    migrate(db, folder)
    return db


def test_a_backup_of_an_older_schema_is_restored_with_the_newer_migrations_applied(
    tmp_path: Path, aspire: Aspire, databases: Databases
) -> None:
    old = target(databases.new("old"))
    db = _database_with_migrations(old, list(range(1, OLD_SCHEMA + 1)), tmp_path)
    raw = {"ratings": {i.id: 1 + n % 5 for n, i in enumerate(current_instrument(aspire).items)},
           "top_three": ["expertise", "autonomy", "balance"]}
    response = prepare(aspire, Submission(member_id=1, wave_id=1, raw=raw))    # validated and scored as today
    try:
        db.write(lambda tx: _write_as_the_old_aspire_did(tx, aspire, response))
    finally:
        db.close()
    manifest = backup_database(old, tmp_path / "backup")
    assert manifest.schema_version == OLD_SCHEMA and "response_draft" not in manifest.tables

    restored = target(databases.new("restored"))
    result = restore(tmp_path / "backup", restored)

    newer = [n for n, _ in available_migrations() if n > OLD_SCHEMA]
    assert newer and result.migrated == newer
    app = start(load_settings(db=restored))
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


def test_a_backup_made_by_a_newer_aspire_is_refused_and_changes_nothing(
    tmp_path: Path, databases: Databases
) -> None:
    newer = target(databases.new("newer"))
    every = [n for n, _ in available_migrations()]
    _database_with_migrations(newer, every, tmp_path, extra="CREATE TABLE hologram (id INTEGER);").close()
    backup_database(newer, tmp_path / "backup")
    restored = target(databases.new("target"))
    start(load_settings(db=restored)).close()
    untouched = fingerprint(restored)

    with pytest.raises(BackupError, match=rf"newer Aspire \(schema 99; this one knows up to {max(every)}\)"):
        restore(tmp_path / "backup", restored, force=True)

    assert fingerprint(restored) == untouched


# ---- the admin's download while the app runs -------------------------------------------------------


def unzip_manifest(data: bytes) -> tuple[Manifest, set[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return Manifest.model_validate_json(archive.read(MANIFEST)), set(archive.namelist())


def test_an_admin_downloads_a_zip_that_restores_and_the_download_is_audited(org: Aspire, tmp_path: Path) -> None:
    admin = accounts_of(org).authenticate("hr@example.com", "demo-admin-1")

    made = download_backup(org, admin)

    manifest, names = unzip_manifest(made.data)
    assert manifest == made.manifest and names == {MANIFEST} | {f"{t}.parquet" for t in manifest.tables}
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


# ---- the command line on PostgreSQL, beside the running app ----------------------------------------


def test_the_command_line_backs_up_and_restores_postgresql_while_the_app_runs(
    postgres_databases: Databases, postgres_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys
) -> None:
    """No file lock on PostgreSQL: backup and restore run beside the app, which then shows the restored data."""
    url = str(postgres_databases.new("live"))
    monkeypatch.setenv("COACHING_DB", url)
    app = start(load_settings(demo=True))      # the running app
    try:
        assert main(["backup", str(tmp_path / "backup")]) == 0
        create_team(app, SYSTEM, "Formed after the backup", manager_id=make_manager(app).id)

        assert main(["restore", str(tmp_path / "backup")]) == 1
        assert "already holds 3 teams" in capsys.readouterr().err
        assert main(["restore", str(tmp_path / "backup"), "--force", "--yes"]) == 0

        assert sorted(t.name for t in list_teams(app, SYSTEM)) == ["Customer success", "Platform engineering"]
    finally:
        app.close()
    out = capsys.readouterr().out
    assert "Restored the backup made " in out and str(target(url)) in out
    assert postgres_server.password not in out
