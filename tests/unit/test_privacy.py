"""A person's rights on real databases of both engines: export, erasure (down to the bytes on disk), retention
purge, CSV formula neutralisation, and reads that keep working while storage is rewritten.

What "down to the bytes" means differs by engine. DuckDB: neither the file nor its WAL holds an erased text.
PostgreSQL: no file of the database (base/<db oid>/: tables, indexes, TOAST, catalogues) holds it; the server's
WAL still does until its segments are reused, which the tests record (`wal_holds_erased_text`) but cannot
assert away (coaching/db/postgres.py, README "What erasure guarantees on PostgreSQL")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.aspire import Aspire
from coaching.core import tabular
from coaching.core.actors import SYSTEM, Actor, PermissionDenied, Role
from coaching.core.settings import SettingsError, load_settings
from coaching.db.database import Database
from coaching.db.engine import StoreOpenError
from coaching.db.lists import ID_LIST
from coaching.db.meta import meta, set_meta
from coaching.db.migrations import applied_migrations, available_migrations, migrate
from coaching.demo import seed_demo
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, list_waves, submit
from coaching.measurement.versions import current_instrument
from coaching.one_on_one import member_data, plans
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams
from coaching.privacy import requests as privacy
from coaching.privacy.privacy_rows import MEMBER_TABLES
from coaching.startup import start
from tests.conftest import Databases, filled_copy, make_manager
from tests.postgres_server import PostgresServer

AIKO = "aiko@example.com"
SECRET = "quokka-lighthouse-7319 is what I really want"     # appears nowhere but in Aiko's new reflection
NOTE_SECRET = "marmalade-orbit-2284 came up in our one-on-one"       # the first text of a note, later edited
NOTE_NOW = "We talked about the storage work."


def _demo_copy(databases: Databases, request: pytest.FixtureRequest) -> Path | str:
    """A fresh copy of the demo organisation on the test's engine: its COACHING_DB."""
    return filled_copy(databases, seed_demo, request)[0]


@pytest.fixture
def org(databases: Databases, request: pytest.FixtureRequest) -> Iterator[Aspire]:
    """A fresh copy of the demo organisation that a test may change or erase, once per engine."""
    app = start(load_settings(db=_demo_copy(databases, request), demo=True))
    yield app
    app.close()


@pytest.fixture
def duck_org(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Aspire]:
    """The demo organisation in a DuckDB file: for what only a database file has (its rewrite and swap)."""
    app = start(load_settings(db=_demo_copy(Databases("duckdb", tmp_path, None), request), demo=True))
    yield app
    app.close()


def _id_of(app: Aspire, email: str) -> int:
    return app.db.scalar("SELECT id FROM member WHERE email = ?", [email])


def _maria(app: Aspire) -> Actor:
    return accounts_of(app).authenticate("maria@example.com", "demo-manager-1")


def _harriet(app: Aspire) -> Actor:
    return accounts_of(app).authenticate("hr@example.com", "demo-admin-1")


def _raw(app: Aspire, reflection: str | None = None) -> dict:
    instrument = current_instrument(app)
    raw = {"ratings": {i.id: 4 for i in instrument.items}, "top_three": ["expertise", "autonomy", "status"]}
    if reflection:
        raw["reflections"] = {instrument.reflections[0].id: reflection}
    return raw


def _give_aiko_everything(app: Aspire) -> int:
    """Add what the demo lacks: an option in use, an invitation, a reviewed goal with an action, an edited note
    (its first text secret), a third response (with the secret reflection) in the latest wave."""
    aiko = _id_of(app, AIKO)
    maria = _maria(app)
    wave = list_waves(app)[-1].id
    submit(app, SYSTEM, [Submission(member_id=aiko, wave_id=wave, raw=_raw(app, SECRET))])

    def work(tx):
        round_id = tx.scalar(
            "INSERT INTO round (wave_id, team_id, instrument_version, deadline, created_by)"
            " SELECT ?, team_id, 1, TIMESTAMPTZ '2026-04-01 00:00:00+00', ? FROM member WHERE id = ? RETURNING id",
            [wave, maria.id, aiko])
        tx.execute("INSERT INTO invitation (round_id, member_id, token_hash) VALUES (?, ?, 'hash-never-exported')",
                   [round_id, aiko])
        tx.execute("INSERT INTO member_option VALUES (?, 'remote_days')", [aiko])

    app.db.write(work)
    goal = plans.add_goal(app, maria, aiko, {"title": "Become staff engineer", "need": "expertise"})
    plans.review_goal(app, maria, goal.id, goal.version, "keep", dt.date(2026, 4, 2))
    plans.add_action(app, maria, goal.id, {"what": "Lead the storage design review", "who": "Aiko"})
    note = plans.add_note(app, maria, aiko, {"held_on": dt.date(2026, 4, 2), "body": NOTE_SECRET,
                                             "agreed": ["Aiko drafts the proposal"]})
    plans.edit_note(app, maria, note.id, note.version, {"held_on": dt.date(2026, 4, 2), "body": NOTE_NOW})
    return aiko


def _member_row_counts(app: Aspire, member_id: int) -> dict[str, int]:
    """Rows of this member in every table that can hold them, found from the schema, not from the code.

    A row counts once per table, whichever of its columns (member, response, goal or note id) ties it to them.
    """
    db = app.db
    columns = db.query("SELECT table_name, column_name FROM information_schema.columns"
                       " WHERE table_schema = current_schema() AND table_name <> 'audit_log'")
    ids = {f"{kind}_id": [r[0] for r in db.query(f"SELECT id FROM {kind} WHERE member_id = ?", [member_id])]
           for kind in ("response", "goal", "note")}
    ids["member_id"] = [member_id]
    tied: dict[str, list[str]] = {}
    for table, column in columns:
        if column in ids:
            tied.setdefault(table, []).append(column)
    counts = {"member": db.scalar("SELECT count(*) FROM member WHERE id = ?", [member_id])}
    for table, cols in tied.items():
        where = " OR ".join(f"{c} IN {ID_LIST}" for c in cols)
        counts[table] = db.scalar(f"SELECT count(*) FROM {table} WHERE {where}", [ids[c] for c in cols])
    return counts


def _rows_holding(app: Aspire, text: str) -> dict[str, int]:
    """Rows of every table with a text column that contains `text`: what a byte search may miss."""
    db = app.db
    columns = db.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema ="
                       " current_schema() AND data_type IN ('VARCHAR', 'text', 'character varying')")
    found: dict[str, int] = {}
    for table, column in columns:
        n = db.scalar(f'SELECT count(*) FROM {table} WHERE strpos("{column}", ?) > 0', [text])
        if n:
            found[f"{table}.{column}"] = n
    return found


def _flush(app: Aspire) -> None:
    """Write what the engine holds in memory to its files, so that a byte search first sees the text there.

    DuckDB folds its WAL into the file. PostgreSQL gathers statistics as autovacuum would after a load (they
    keep column values in pg_statistic, which erasure must clear too), then writes its changed pages at a
    CHECKPOINT (the tests' server role is a superuser; the app's need not be, and erasure never needs one)."""
    if app.db.engine.dialect == "postgresql":
        app.db.query("ANALYZE")
        app.db.query("CHECKPOINT")
    else:
        app.db.checkpoint()


class Disk:
    """The bytes erasure answers for on the test's engine: the DuckDB file and its WAL, or the PostgreSQL
    database's own folder (base/<db oid>/); and, on PostgreSQL, the server's WAL, kept on record only."""

    def __init__(self, databases: Databases, server: PostgresServer | None) -> None:
        self._databases = databases
        self._server = server

    def database_bytes(self, app: Aspire) -> bytes:
        if self._server is None:
            return self._databases.stored_bytes(app)
        oid = app.db.scalar("SELECT oid FROM pg_database WHERE datname = current_database()")
        return _bytes_under(self._server.data / "base" / str(oid))

    def wal_holding(self, texts: list[str]) -> list[str] | None:
        """Which of `texts` the server's WAL (pg_wal/) still holds; None on DuckDB, whose WAL is its file's."""
        if self._server is None:
            return None
        wal = _bytes_under(self._server.data / "pg_wal")
        return [text for text in texts if text.encode() in wal]


def _bytes_under(folder: Path) -> bytes:
    return b"".join(f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file())


@pytest.fixture
def disk(databases: Databases, request: pytest.FixtureRequest) -> Disk:
    server = request.getfixturevalue("postgres_server") if databases.engine == "postgresql" else None
    return Disk(databases, server)


# ---- finding and exporting ----------------------------------------------------------------------------


def test_export_holds_every_section_of_the_person(org: Aspire) -> None:
    aiko = _give_aiko_everything(org)

    document = privacy.export_document(org, _harriet(org), "  Aiko@Example.com ")

    assert document["format"] == member_data.EXPORT_FORMAT and document["email"] == AIKO
    (member,) = document["members"]
    assert member["profile"]["id"] == aiko
    assert member["profile"]["name"] == "Aiko Tanaka" and member["profile"]["team"] == "Platform engineering"
    assert member["options_in_use"] == ["remote_days"]
    responses = member["responses"]
    assert [r["wave"] for r in responses] == ["2025", "2026", "2026"]
    assert [r["is_current"] for r in responses] == [True, False, True], "every submission, current or not"
    items = current_instrument(org).items
    for r in responses:
        assert r["instrument_version"] == current_instrument(org).version
        assert len(r["ratings"]) == len(items) and all(x["statement"] for x in r["ratings"])
        assert len(r["top_three"]) == 3 and r["scores"]
    assert responses[-1]["reflections"][0]["text"] == SECRET
    (invitation,) = member["invitations"]
    assert invitation["status"] == "sent" and invitation["wave"] == "2026"
    goal = next(g for g in member["goals"] if g["title"] == "Become staff engineer")   # beside the demo's goal
    assert goal["title"] == "Become staff engineer" and goal["created_by"] == "Maria Lopez"
    assert [a["what"] for a in goal["actions"]] == ["Lead the storage design review"]
    assert [(h["version"], h["event"], h["review_answer"], h["reviewed_on"], h["changed_by"])
            for h in goal["history"]] == [(1, "added", None, None, "Maria Lopez"),
                                          (2, "reviewed", "keep", "2026-04-02", "Maria Lopez")]
    note = next(n for n in member["notes"] if n["body"] == NOTE_NOW)   # beside the demo's note
    assert note["author"] == "Maria Lopez" and note["agreed"] == []
    assert [(h["body"], h["agreed"], h["written_by"]) for h in note["history"]] == [
        (NOTE_SECRET, ["Aiko drafts the proposal"], "Maria Lopez"), (NOTE_NOW, [], "Maria Lopez")]
    text = member_data.to_json(document) + member_data.document_csv(document)
    assert "hash-never-exported" not in text and "token" not in text
    assert json.loads(member_data.to_json(document)) == document


def test_csv_export_is_one_flat_table_and_is_recorded_in_the_audit_log(org: Aspire) -> None:
    aiko = _give_aiko_everything(org)
    harriet = _harriet(org)
    org.db.write(lambda tx: tx.execute(
        "UPDATE note SET body = '=HYPERLINK(\"http://x.example\",\"y\")' WHERE member_id = ?", [aiko]))
    note_id = str(org.db.scalar("SELECT id FROM note WHERE member_id = ?", [aiko]))

    exported = privacy.export_member(org, harriet, AIKO, "csv")
    privacy.export_member(org, harriet, AIKO, "json")

    assert exported.filename == "aspire-data-aiko_at_example.com.csv" and exported.mime == "text/csv"
    assert exported.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.text, newline="")))
    assert tuple(rows[0]) == member_data.CSV_HEADER and all(len(r) == 4 for r in rows)
    assert {r[0] for r in rows[1:]} == {"profile", "option_in_use", "response", "invitation", "goal", "goal_action",
                                        "goal_history", "note", "note_history"}
    assert ["note", note_id, "body", "'=HYPERLINK(\"http://x.example\",\"y\")"] in rows
    assert ["note_history", f"{note_id}.1", "body", NOTE_SECRET] in rows
    assert ["note_history", f"{note_id}.1", "agreed.1", "Aiko drafts the proposal"] in rows
    assert any(r[2].startswith("reflection.") and r[3] == SECRET for r in rows)
    events = org.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED))
    assert [(e.actor_id, e.subject_kind, e.subject_id, e.detail) for e in events] == [
        (harriet.id, Subject.MEMBER, _id_of(org, AIKO), "json export"),
        (harriet.id, Subject.MEMBER, _id_of(org, AIKO), "csv export"),
    ]


def test_an_unknown_email_is_said_plainly(org: Aspire) -> None:
    harriet = _harriet(org)
    assert privacy.find_person(org, harriet, "nobody@example.com") is None
    with pytest.raises(privacy.MemberNotFound, match="No member uses this e-mail"):
        privacy.export_member(org, harriet, "nobody@example.com")
    with pytest.raises(privacy.MemberNotFound):
        privacy.erase_member(org, harriet, "nobody@example.com")
    assert org.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED)) == []


def test_every_member_record_with_the_email_belongs_to_the_request(aspire: Aspire) -> None:
    manager = make_manager(aspire)
    first = create_team(aspire, manager, "First").id
    second = create_team(aspire, manager, "Second").id
    (a,) = add_members(aspire, manager, first, [NewMember(name="Ana", email="ana@example.com")])
    teams.archive_member(aspire, manager, a)       # she left; later she came back and was added anew
    (b,) = add_members(aspire, manager, second, [NewMember(name="Ana B.", email="ANA@example.com")])
    add_members(aspire, manager, second, [NewMember(name="Other", email="other@example.com")])

    person = privacy.find_person(aspire, SYSTEM, "ana@example.com")

    assert person is not None and person.member_ids == [a, b]
    assert person.describe() == "Ana (First, archived); Ana B. (Second)"
    erasure = privacy.erase_member(aspire, SYSTEM, "Ana@Example.com")
    assert erasure.removed["member"] == 2
    assert [m.name for m in list_members(aspire, manager, second)] == ["Other"]


@pytest.mark.parametrize("who", ["manager", "respondent"])
def test_only_admins_and_the_system_act_on_data_requests(org: Aspire, who: str) -> None:
    aiko = _id_of(org, AIKO)
    actor = _maria(org) if who == "manager" else Actor(Role.RESPONDENT, aiko, "Aiko Tanaka")
    calls = [
        lambda: privacy.find_person(org, actor, AIKO),
        lambda: privacy.export_member(org, actor, AIKO, "json"),
        lambda: privacy.export_document(org, actor, AIKO),
        lambda: privacy.erase_member(org, actor, AIKO),
        lambda: privacy.erasure_preview(org, actor, AIKO),
        lambda: privacy.purge_older_than(org, actor, 1),
        lambda: privacy.purge_preview(org, actor, 1),
        lambda: privacy.aggregate_snapshots(org, actor),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert _member_row_counts(org, aiko)["member"] == 1
    assert org.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED)) == []
    assert org.audit.events(SYSTEM, AuditFilter(action=Action.ERASED)) == []


# ---- erasure --------------------------------------------------------------------------------------------


def test_erasure_removes_every_row_and_every_byte_of_the_person(
        org: Aspire, disk: Disk, record_property: Callable[[str, object], None]) -> None:
    aiko = _give_aiko_everything(org)
    harriet = _harriet(org)
    org.audit.record(harriet, Action.VIEWED, Subject.MEMBER, [aiko], "data requests")
    before = _member_row_counts(org, aiko)
    responses_of_others = org.db.scalar("SELECT count(*) FROM response WHERE member_id <> ?", [aiko])
    _flush(org)
    seen = {text: text.encode() in disk.database_bytes(org) for text in (SECRET, NOTE_SECRET)}
    assert seen == {SECRET: True, NOTE_SECRET: True}, "the test must first see the text it then expects gone"
    assert _rows_holding(org, NOTE_SECRET) == {"note_history.body": 1}, "the earlier text lives in the history"
    assert {k for k, v in before.items() if v} >= {
        "member", "response", "response_rating", "response_reflection", "response_choice", "response_score",
        "member_option", "invitation", "goal", "goal_action", "goal_history", "note", "note_history"}

    erasure = privacy.erase_member(org, harriet, AIKO)

    assert set(_member_row_counts(org, aiko).values()) == {0}
    assert erasure.removed["response"] == 3 and erasure.removed["member"] == 1 and erasure.removed["note"] == 1
    assert erasure.removed["note_history"] == 2, "the note's first text and its edit"
    assert erasure.removed["goal_history"] == 3, "the demo's goal (1 version) and the reviewed goal (2)"
    assert _rows_holding(org, NOTE_SECRET) == {} and _rows_holding(org, NOTE_NOW) == {}
    assert sum(erasure.removed.values()) == sum(before.values())
    assert org.db.scalar("SELECT count(*) FROM response WHERE member_id <> ?", [aiko]) == responses_of_others
    contents = disk.database_bytes(org)
    for text in (SECRET, NOTE_SECRET, NOTE_NOW):
        still_there = text.encode() in contents     # a plain bool: a failure must not print the whole file
        assert not still_there, f"{text!r} is still in the database's files"
    record_property("wal_holds_erased_text", disk.wal_holding([SECRET, NOTE_SECRET, NOTE_NOW]))
    assert "Erased Aiko Tanaka (Platform engineering): 1 member record, 3 responses" in erasure.describe()
    kept = org.audit.events(SYSTEM, AuditFilter(subject_kind=Subject.MEMBER, subject_id=aiko))
    assert [(e.action, e.detail) for e in kept][:7] == [     # newest first; the demo's own goal comes after
        (Action.ERASED, "erase request"), (Action.VIEWED, "data requests"),
        *((Action.CHANGED, label) for label in ("note edited", "note added", "action added", "goal reviewed",
                                                 "goal added"))]


def test_after_erasure_the_database_works_on_and_never_reuses_the_id(databases: Databases,
                                                                    request: pytest.FixtureRequest) -> None:
    target = _demo_copy(databases, request)
    app = start(load_settings(db=target, demo=True))
    try:
        aiko = _id_of(app, AIKO)
        maria = _maria(app)
        team = list_teams(app, maria)[0].id
        privacy.erase_member(app, SYSTEM, AIKO)
        (newcomer,) = add_members(app, maria, team, [NewMember(name="New person", email="new@example.com")])
    finally:
        app.close()
    reopened = start(load_settings(db=target, demo=True))
    try:
        assert newcomer > aiko
        names = [m.name for m in list_members(reopened, maria, team)]
        assert "New person" in names and "Aiko Tanaka" not in names and len(names) == 8
        assert applied_migrations(reopened.db) == [n for n, _ in available_migrations()]
    finally:
        reopened.close()


# ---- retention --------------------------------------------------------------------------------------------


NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


def _organisation_with_waves(app: Aspire) -> dict[str, list[int]]:
    """Wave 2024: 6 people (one answered twice); wave 2025: 3 people; wave 2026: 6 people, recent."""
    manager = make_manager(app)
    team = create_team(app, manager, "Everyone").id
    ids = add_members(app, manager, team, [NewMember(name=f"P{i}", email=f"p{i}@example.com") for i in range(6)])
    waves = {name: ensure_wave(app, name, dt.date(int(name), 3, 1)) for name in ("2024", "2025", "2026")}
    when = {"2024": dt.datetime(2024, 3, 10, tzinfo=dt.UTC), "2025": dt.datetime(2025, 3, 10, tzinfo=dt.UTC),
            "2026": dt.datetime(2026, 3, 10, tzinfo=dt.UTC)}
    people = {"2024": ids, "2025": ids[:3], "2026": ids}
    submissions = [Submission(member_id=ids[0], wave_id=waves["2024"], raw=_raw(app, "first try, never counted"),
                              submitted_at=when["2024"] - dt.timedelta(days=1))]
    for wave, members in people.items():
        for n, member in enumerate(members):
            raw = _raw(app, f"{SECRET} {wave}")
            raw["ratings"] = {item: 1 + (n + len(item)) % 5 for item in raw["ratings"]}
            submissions.append(Submission(member_id=member, wave_id=waves[wave], raw=raw, submitted_at=when[wave]))
    submit(app, SYSTEM, submissions)
    return {"waves": list(waves.values()), "members": ids}


def test_purge_keeps_only_aggregates_that_pass_the_group_size_rule(aspire: Aspire, disk: Disk) -> None:
    made = _organisation_with_waves(aspire)
    w2024, w2025, w2026 = made["waves"]
    db = aspire.db
    expected = dict(db.query(
        "SELECT s.scale, avg(s.score) FROM response_score s JOIN response r ON r.id = s.response_id"
        " WHERE r.wave_id = ? AND r.is_current GROUP BY s.scale", [w2024]))
    recent = db.query("SELECT id FROM response WHERE wave_id = ? ORDER BY id", [w2026])
    assert privacy.purge_preview(aspire, SYSTEM, 12, now=NOW)["response"] == 6 + 1 + 3
    _flush(aspire)
    seen = f"{SECRET} 2024".encode() in disk.database_bytes(aspire)
    assert seen, "the test must first see the text it then expects gone"

    purge = privacy.purge_older_than(aspire, SYSTEM, 12, now=NOW)

    assert purge.before == dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)
    assert purge.responses == 10 and purge.removed["response_rating"] == 10 * len(current_instrument(aspire).items)
    snapshots = privacy.aggregate_snapshots(aspire, SYSTEM)
    assert {s.wave_id for s in snapshots} == {w2024}, "wave 2025 had 3 people, fewer than min_group 5"
    assert {s.scale: s.n for s in snapshots} == dict.fromkeys(expected, 6), "the current responses only"
    assert {s.scale: s.mean for s in snapshots} == pytest.approx(expected)
    assert purge.waves_too_small == ["2025"]
    assert "wave 2024 (6 people)" in purge.describe() and "No averages kept for wave 2025" in purge.describe()
    for table in ("response_rating", "response_choice", "response_reflection", "response_score"):
        assert db.scalar(f"SELECT count(*) FROM {table} WHERE response_id NOT IN (SELECT id FROM response)") == 0
        assert db.scalar(f"SELECT count(DISTINCT response_id) FROM {table}") == 6, table
    assert db.query("SELECT id FROM response ORDER BY id") == recent
    assert purge.compaction is not None
    contents = disk.database_bytes(aspire)
    found = {text: text.encode() in contents for text in (f"{SECRET} 2026", f"{SECRET} 2024", "first try")}
    assert found == {f"{SECRET} 2026": True, f"{SECRET} 2024": False, "first try": False}
    (event,) = aspire.audit.events(SYSTEM, AuditFilter(action=Action.PURGED))
    assert (event.subject_kind, event.subject_id, event.detail) == (Subject.ORGANISATION, None, "retention purge")


def test_a_purge_with_nothing_old_changes_nothing(aspire: Aspire) -> None:
    _organisation_with_waves(aspire)
    purge = privacy.purge_older_than(aspire, SYSTEM, 60, now=NOW)
    assert purge.responses == 0 and purge.compaction is None and purge.kept == []
    assert purge.describe().startswith("No answers were submitted before 15 June 2021")
    assert aspire.db.scalar("SELECT count(*) FROM response") == 16


def test_retention_follows_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "retention.duckdb"
    app = start(load_settings(db=path))
    try:
        assert app.settings.retention_months is None
        assert privacy.apply_retention(app, now=NOW) is None
        _organisation_with_waves(app)
    finally:
        app.close()
    monkeypatch.setenv("COACHING_RETENTION_MONTHS", "12")
    app = start(load_settings(db=path))          # start-up applies the setting, with today's clock
    try:
        assert app.settings.retention_months == 12
        cutoff = privacy.months_before(dt.datetime.now(dt.UTC), 12)
        oldest = app.db.scalar("SELECT min(submitted_at) FROM response")
        assert oldest is None or oldest >= cutoff
        assert privacy.apply_retention(app).responses == 0, "nothing left to purge after start-up"
    finally:
        app.close()


@pytest.mark.parametrize("value", ["0", "-3", "soon"])
def test_a_retention_setting_below_one_month_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COACHING_RETENTION_MONTHS", value)
    with pytest.raises(SettingsError, match="^COACHING_RETENTION_MONTHS: "):
        load_settings()


@pytest.mark.parametrize("months", [0, -1, True, 1.5])
def test_a_purge_needs_a_whole_number_of_months(aspire: Aspire, months) -> None:
    with pytest.raises(ValueError, match="whole number of months"):
        privacy.purge_older_than(aspire, SYSTEM, months)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (dt.datetime(2026, 3, 31, 8, tzinfo=dt.UTC), 1, dt.datetime(2026, 2, 28, 8, tzinfo=dt.UTC)),
        (dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 1, dt.datetime(2025, 12, 15, tzinfo=dt.UTC)),
        (dt.datetime(2024, 2, 29, tzinfo=dt.UTC), 12, dt.datetime(2023, 2, 28, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 1, tzinfo=dt.UTC), 24, dt.datetime(2024, 12, 1, tzinfo=dt.UTC)),
        (dt.datetime(2026, 5, 31, tzinfo=dt.UTC), 3, dt.datetime(2026, 2, 28, tzinfo=dt.UTC)),
    ],
)
def test_months_are_calendar_months(moment: dt.datetime, months: int, expected: dt.datetime) -> None:
    assert privacy.months_before(moment, months) == expected


# ---- CSV cells never start a formula ---------------------------------------------------------------------


@given(st.text())
def test_a_neutralised_cell_never_starts_a_formula(text: str) -> None:
    cell = tabular.neutralise(text)
    assert cell[:1] not in tabular.FORMULA_STARTS
    assert cell.lstrip(" \t\r\n")[:1] not in tabular.FORMULA_STARTS
    dangerous = text[:1] in tabular.FORMULA_STARTS or text.lstrip(" \t\r\n")[:1] in tabular.FORMULA_STARTS
    assert cell == ("'" + text if dangerous else text), "only a dangerous cell changes, by one leading quote"


FORMULA_LIKE = st.one_of(
    st.text(),
    st.builds(lambda start, rest: start + rest, st.sampled_from(sorted(tabular.FORMULA_STARTS) + [" =", "\n+"]),
              st.text()),
    st.sampled_from(["=1+1", "+1", "-2", "@SUM(A1)", "\t=cmd", "\r=x", "=HYPERLINK(\"http://x\")", "-", "'"]),
)


@settings(max_examples=60, deadline=None)
@given(name=FORMULA_LIKE, reflection=FORMULA_LIKE, note=FORMULA_LIKE, life_stage=FORMULA_LIKE, key=FORMULA_LIKE)
def test_no_cell_of_a_csv_export_starts_a_formula(name: str, reflection: str, note: str, life_stage: str,
                                                  key: str) -> None:
    document = {
        "members": [{
            "profile": {"id": 1, "name": name, "email": "x@example.com", "team": key},
            "options_in_use": [key],
            "responses": [{"id": -5, "wave": name, "instrument_version": 1, "submitted_at": "2026-01-01",
                           "is_current": True, "life_stage": life_stage, "top_three": [key],
                           "ratings": [{"item": key, "value": -3}],
                           "reflections": [{"id": key, "text": reflection}], "scores": {key: -1.5}}],
            "invitations": [],
            "goals": [{"id": 2, "title": note, "actions": [{"id": 3, "what": reflection, "who": name}],
                       "history": [{"version": 1, "title": life_stage, "changed_by": name}]}],
            "notes": [{"id": 4, "body": note, "author": name, "agreed": [reflection, key],
                       "history": [{"version": 1, "body": life_stage, "agreed": [name]}]}],
        }],
    }

    text = member_data.document_csv(document)

    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == member_data.CSV_HEADER
    expected = [tuple(tabular.neutralise(c) for c in row) for row in member_data.csv_rows(document)]
    assert [tuple(r) for r in rows[1:]] == expected, "every value survives, only neutralised"
    cells = {(r[0], r[2]): r[3] for r in rows[1:]}
    assert cells[("note", "agreed.1")] == tabular.neutralise(reflection) and cells[("note", "agreed.2")] == \
        tabular.neutralise(key)
    assert cells[("note_history", "body")] == tabular.neutralise(life_stage)
    assert cells[("note_history", "agreed.1")] == cells[("goal_history", "changed_by")] == tabular.neutralise(name)
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in tabular.FORMULA_STARTS, row
            assert cell.lstrip(" \t\r\n")[:1] not in tabular.FORMULA_STARTS, row


# ---- compaction ----------------------------------------------------------------------------------------------


def test_reads_and_writes_go_on_while_erasure_rewrites_storage(org: Aspire) -> None:
    db = org.db
    members = db.scalar("SELECT count(*) FROM member")
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = [0] * 4
    written: list[int] = []

    def reader(slot: int) -> None:
        try:
            while not stop.is_set():
                assert db.scalar("SELECT count(*) FROM member") == members
                assert len(list_waves(org)) == 2
                reads[slot] += 1
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set():
                set_meta(org.db, f"during-compaction-{n}", "x")
                written.append(n)
                n += 1
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(4)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    try:
        for _ in range(4):
            before = list(reads)
            compaction = db.compact()
            assert compaction.bytes_after > 0
            while reads == before and not errors:   # readers run between compactions too
                threading.Event().wait(0.01)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert min(reads) > 0 and written
    assert all(meta(org.db, f"during-compaction-{n}") == "x" for n in written), "no acknowledged write lost"


def test_compaction_keeps_the_schema_sequences_and_data(duck_org: Aspire) -> None:
    db = duck_org.db

    def shape() -> tuple:
        return (
            db.query("SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() ORDER BY ALL"),
            db.query("SELECT index_name, sql FROM duckdb_indexes() ORDER BY ALL"),
            db.query("SELECT table_name, column_name, data_type, column_default FROM information_schema.columns"
                     " ORDER BY ALL"),
            db.query("SELECT sequence_name FROM duckdb_sequences() ORDER BY ALL"),
            db.query("SELECT * FROM response_score ORDER BY ALL"),
            db.query("SELECT id, name, email FROM member ORDER BY id"),
        )

    before = shape()
    next_member = db.scalar("SELECT max(id) FROM member") + 1
    db.compact()
    assert shape() == before
    assert not list(db.path.parent.glob("*.compact*")), "no copy of the file is left behind"
    maria = _maria(duck_org)
    team = list_teams(duck_org, maria)[0].id
    (new_id,) = add_members(duck_org, maria, team, [NewMember(name="N", email="n@x.example")])
    assert new_id == next_member


def test_a_failed_swap_leaves_the_old_file_working(duck_org: Aspire, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args) -> None:
        raise OSError("disk says no")

    monkeypatch.setattr("coaching.db.duck.os.replace", refuse)
    with pytest.raises(OSError, match="disk says no"):
        duck_org.db.compact()
    assert duck_org.db.scalar("SELECT count(*) FROM member") == 15
    set_meta(duck_org.db, "after-failed-compaction", "yes")
    assert meta(duck_org.db, "after-failed-compaction") == "yes"
    assert not list(duck_org.db.path.parent.glob("*.compact*"))


def test_an_in_memory_database_has_no_file_to_compact() -> None:
    db = Database(":memory:")
    try:
        with pytest.raises(StoreOpenError, match="no file to compact"):
            db.compact()
    finally:
        db.close()


def test_member_tables_cover_every_member_column() -> None:
    """A new table with a member_id, response_id, goal_id or note_id column must join MEMBER_TABLES."""
    db = Database(":memory:")
    try:
        migrate(db)
        holding = {t for t, c in db.query("SELECT table_name, column_name FROM information_schema.columns")
                   if c in ("member_id", "response_id", "goal_id", "note_id")} - {"audit_log"}
    finally:
        db.close()
    assert holding | {"member"} == {table for table, _ in MEMBER_TABLES}


def test_the_retention_setting_purges_old_answers_at_start_up_keeping_large_group_averages(tmp_path):
    from coaching.core.settings import load_settings
    from coaching.privacy.requests import aggregate_snapshots
    from coaching.startup import start

    path = tmp_path / "retention.duckdb"
    start(load_settings(db=path, demo=True)).close()      # demo answers date from March 2025 and March 2026
    aspire = start(load_settings(db=path, retention_months=6))
    try:
        assert ResponseRows(aspire.db).response_count(current_instrument(aspire).version) == 0
        kept = aggregate_snapshots(aspire, SYSTEM)
        assert {s.wave for s in kept} == {"2025", "2026"}
        assert {s.n for s in kept} == {15}
    finally:
        aspire.close()
