"""The DuckDB store on real files: migrations, serialised writes, scope by actor, exact round-trips."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.needs import NEEDS
from coaching.db.database import Database
from coaching.db.engine import StoreLockedError
from coaching.db.migrations import applied_migrations, available_migrations, migrate, open_database
from coaching.measurement.answers import AnswerError
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.versions import instruments
from coaching.paths.catalogue_rows import CatalogueRows
from coaching.paths.editing import catalogue_at
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams
from tests.conftest import make_manager

TRICKY_TEXTS = [
    "O'Brien; DROP TABLE member; --",
    "<script>alert('x')</script>",
    "\u202eRight-to-left override",
    "Zoë Ågren-Łukasiewicz",
    "田中 芽衣",
    "محمد الحداد",
    "x" * 5000,
]


def _raw(instrument, value: int = 4, top=("status", "balance", "autonomy"), **extra) -> dict:
    return {"ratings": {i.id: value for i in instrument.items}, "top_three": list(top), **extra}


def _team_with_members(aspire, manager: Actor, names: list[str]) -> tuple[int, list[int]]:
    team_id = create_team(aspire, manager, f"Team of {manager.name}").id
    members = [NewMember(name=n, email=f"{i}.{manager.id}@example.com") for i, n in enumerate(names)]
    return team_id, add_members(aspire, manager, team_id, members)


def test_migrations_are_recorded_and_applied_once(databases):
    db = Database(databases.new("m"))
    numbers = [n for n, _ in available_migrations()]
    assert migrate(db) == numbers
    assert migrate(db) == []
    assert applied_migrations(db) == numbers
    db.close()


def test_a_failing_migration_leaves_no_trace(databases, tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_good.sql").write_text("CREATE TABLE good (x INTEGER);")
    (folder / "002_bad.sql").write_text("CREATE TABLE half (x INTEGER); CREATE TABLE broken (x NOSUCHTYPE);")
    db = Database(databases.new("m"))
    with pytest.raises(Exception, match="(?i)nosuchtype"):
        migrate(db, folder)
    assert applied_migrations(db) == [1]
    tables = {r[0] for r in db.query("SELECT table_name FROM information_schema.tables")}
    assert "good" in tables and "half" not in tables
    db.close()


def test_editable_records_carry_a_version(aspire):
    manager = make_manager(aspire)
    team_id, _ = _team_with_members(aspire, manager, ["Ana"])
    assert list_teams(aspire, manager)[0].version == 1
    assert list_members(aspire, manager, team_id)[0].version == 1
    columns = {
        (table, column)
        for table, column in aspire.db.query("SELECT table_name, column_name FROM information_schema.columns")
    }
    for table in ("team", "member", "round", "path_option", "goal", "goal_action", "note", "app_user"):
        assert (table, "version") in columns, table


def test_sixteen_threads_writing_responses_lose_none(aspire, instrument):
    manager = make_manager(aspire)
    _, member_ids = _team_with_members(aspire, manager, [f"Person {i}" for i in range(16)])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    errors: list[BaseException] = []
    start = threading.Barrier(16)

    def answer(member_id: int) -> None:
        try:
            start.wait()
            actor = Actor(Role.RESPONDENT, member_id, "respondent")
            raw = _raw(instrument, 2 + member_id % 3)
            submit(aspire, actor, [Submission(member_id=member_id, wave_id=wave, raw=raw)])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(m,)) for m in member_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = ResponseRows(aspire.db).current_responses(manager, wave)
    assert sorted(r.member_id for r in stored) == sorted(member_ids)
    assert all(len(r.answers.ratings) == len(instrument.items) for r in stored)


def test_a_second_process_gets_a_plain_message(tmp_path):
    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ready', flush=True);"
         " time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match="in use by another Aspire process.*Stop the app first"):
            open_database(path)
    finally:
        holder.kill()
        holder.wait()


def test_manager_sees_only_their_own_teams(aspire, instrument):
    alice = make_manager(aspire, "alice@example.com", "Alice")
    bob = make_manager(aspire, "bob@example.com", "Bob")
    team_a, members_a = _team_with_members(aspire, alice, ["Ana", "Ben"])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=_raw(instrument)) for m in members_a])

    assert [t.id for t in list_teams(aspire, alice)] == [team_a]
    assert list_teams(aspire, bob) == []
    assert ResponseRows(aspire.db).current_responses(bob, wave) == []
    assert ResponseRows(aspire.db).current_responses(bob, wave, [team_a]) == []
    with pytest.raises(PermissionDenied):
        list_members(aspire, bob, team_a)
    with pytest.raises(PermissionDenied):
        add_members(aspire, bob, team_a, [NewMember(name="Intruder", email="i@example.com")])
    assert len(ResponseRows(aspire.db).current_responses(alice, wave)) == 2


def test_admin_gets_no_named_results(aspire, instrument):
    alice = make_manager(aspire, "alice@example.com", "Alice")
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    team_a, members_a = _team_with_members(aspire, alice, ["Ana"])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    submit(aspire, SYSTEM, [Submission(member_id=members_a[0], wave_id=wave, raw=_raw(instrument))])
    assert ResponseRows(aspire.db).current_responses(admin, wave) == []
    with pytest.raises(PermissionDenied):
        list_members(aspire, admin, team_a)


def test_a_respondent_answers_only_for_themselves(aspire, instrument):
    manager = make_manager(aspire)
    _, (ana, ben) = _team_with_members(aspire, manager, ["Ana", "Ben"])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    as_ana = Actor(Role.RESPONDENT, ana, "Ana")
    with pytest.raises(PermissionDenied):
        submit(aspire, as_ana, [Submission(member_id=ben, wave_id=wave, raw=_raw(instrument))])
    with pytest.raises(PermissionDenied):
        submit(aspire, manager, [Submission(member_id=ana, wave_id=wave, raw=_raw(instrument))])
    assert ResponseRows(aspire.db).current_responses(manager, wave) == []


def test_text_round_trips_exactly(aspire, instrument):
    manager = make_manager(aspire)
    team_id, member_ids = _team_with_members(aspire, manager, TRICKY_TEXTS[:6])
    assert sorted(m.name for m in list_members(aspire, manager, team_id)) == sorted(TRICKY_TEXTS[:6])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    reflections = {"need_now": TRICKY_TEXTS[0], "hire_again": TRICKY_TEXTS[1], "goals_next_year": TRICKY_TEXTS[2]}
    submit(aspire, SYSTEM, [Submission(member_id=member_ids[0], wave_id=wave,
                                       raw=_raw(instrument, reflections=reflections, life_stage=TRICKY_TEXTS[4]))])
    (stored,) = ResponseRows(aspire.db).current_responses(manager, wave)
    assert stored.answers.reflections == reflections
    assert stored.answers.life_stage == TRICKY_TEXTS[4]


def test_a_batch_with_one_bad_answer_writes_nothing(aspire, instrument):
    manager = make_manager(aspire)
    _, (ana, ben) = _team_with_members(aspire, manager, ["Ana", "Ben"])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    bad = _raw(instrument)
    bad["ratings"]["status_lead"] = 9
    with pytest.raises(AnswerError, match="status_lead"):
        submit(aspire, SYSTEM, [Submission(member_id=ana, wave_id=wave, raw=_raw(instrument)),
                                Submission(member_id=ben, wave_id=wave, raw=bad)])
    assert ResponseRows(aspire.db).current_responses(manager, wave) == []
    assert aspire.db.scalar("SELECT count(*) FROM response_rating") == 0


def test_resubmitting_keeps_history_and_counts_the_last(aspire, instrument):
    manager = make_manager(aspire)
    _, (ana,) = _team_with_members(aspire, manager, ["Ana"])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    for top in (("status", "balance", "autonomy"), ("balance", "status", "autonomy")):
        submit(aspire, SYSTEM, [Submission(member_id=ana, wave_id=wave, raw=_raw(instrument, top=top))])
    (current,) = ResponseRows(aspire.db).current_responses(manager, wave)
    assert [str(n) for n in current.answers.top_three] == ["balance", "status", "autonomy"]
    assert aspire.db.scalar("SELECT count(*) FROM response WHERE member_id = ?", [ana]) == 2
    assert ResponseRows(aspire.db).response_count(instrument.version) == 1


def test_catalogue_defaults_load_once_and_round_trip(aspire):
    catalogue = catalogue_at(aspire)
    assert {o.kind.value for o in catalogue.options} == {"management", "expert", "pay", "flexible", "self_directed"}
    assert all(set(o.support) == set(NEEDS) for o in catalogue.options)
    assert CatalogueRows(aspire.db).seed(catalogue) is False
    team_lead = next(o for o in catalogue.options if o.key == "team_lead")
    assert team_lead.band is not None and team_lead.band.minimum <= team_lead.band.midpoint <= team_lead.band.maximum


def test_stored_instrument_wording_wins_over_an_edited_file(databases, tmp_path, instrument):
    from coaching.core.settings import SHIPPED_DIR, load_settings
    from coaching.startup import start

    data = tmp_path / "data"
    (data / "instruments").mkdir(parents=True)
    (data / "catalogue.toml").write_text((SHIPPED_DIR / "catalogue.toml").read_text())
    original = (SHIPPED_DIR / "instruments" / "v1.toml").read_text()
    (data / "instruments" / "v1.toml").write_text(original)
    settings = load_settings(db=databases.new("x"), data_dir=data)
    start(settings).close()
    (data / "instruments" / "v1.toml").write_text(original.replace("answer for its results", "own its results"))
    app = start(settings)
    try:
        assert instruments(app)[1].item("status_lead").text == instrument.item("status_lead").text
    finally:
        app.close()


def test_database_file_is_created_in_a_new_folder(tmp_path: Path):
    store = open_database(tmp_path / "nested" / "deeper" / "db.duckdb")
    assert (tmp_path / "nested" / "deeper" / "db.duckdb").exists()
    store.close()


def test_a_file_that_is_not_a_database_gives_one_line(tmp_path: Path):
    from coaching.db.engine import StoreOpenError

    path = tmp_path / "notes.duckdb"
    path.write_text("these are not database pages\n" * 200)
    with pytest.raises(StoreOpenError) as caught:
        open_database(path)
    message = str(caught.value)
    assert str(path) in message and "cannot be opened" in message and "\n" not in message
