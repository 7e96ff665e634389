"""The bulk write paths of the store, on real DuckDB files: many rows per statement, all or nothing.

Answers go in through the product's own validation and scoring (coaching.measurement.responses.submit), many per
transaction; a batch that fails anywhere leaves nothing behind; a later submission replaces an earlier
one exactly as if they had been stored one at a time, also inside one batch.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest

from coaching.core.actors import SYSTEM
from coaching.core.needs import NEEDS
from coaching.db.database import Database
from coaching.db.migrations import MIGRATIONS_DIR, available_migrations, migrate
from coaching.measurement.answers import Answers
from coaching.measurement.response_rows import NewResponse, ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, prepare, record_responses, submit
from coaching.people.team_rows import NewMember, insert_member_rows
from coaching.people.teams import add_members, create_team, list_members
from tests.conftest import make_manager


def _raw(instrument, rng: random.Random, reflections: bool = False) -> dict:
    raw = {"ratings": {item.id: rng.randint(1, 5) for item in instrument.items},
           "top_three": [str(n) for n in rng.sample(NEEDS, 3)], "life_stage": rng.choice(["settling", None])}
    if reflections:
        raw["reflections"] = {"need_now": f"Room to grow, take {rng.randint(1, 1000)}", "hire_again": "O'Brien; --"}
    return raw


def _team(aspire, people: int) -> tuple[object, int, list[int]]:
    manager = make_manager(aspire)
    team = create_team(aspire, manager, "Platform").id
    members = add_members(aspire, manager, team, [
        NewMember(name=f"Person {n:03d}", email=f"p{n}@example.com") for n in range(people)])
    return manager, team, members


def test_a_large_batch_round_trips_every_answer_and_score(aspire, instrument):
    rng = random.Random(1)
    manager, team, members = _team(aspire, 300)
    wave = ensure_wave(aspire, "2026", dt.date(2026, 3, 1))
    raws = {m: _raw(instrument, rng, reflections=m % 3 == 0) for m in members}
    ids = submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=raw) for m, raw in raws.items()])

    assert len(set(ids)) == 300
    stored = {r.member_id: r for r in ResponseRows(aspire.db).current_responses(manager, wave)}
    assert sorted(stored) == sorted(members)
    for member, raw in raws.items():
        expected = prepare(aspire, Submission(member_id=member, wave_id=wave, raw=raw))
        assert stored[member].answers == expected.answers
        assert stored[member].scores == expected.scores
    assert [stored[m].id for m in members] == ids, "ids come back in the order submitted"


def test_a_batch_that_fails_half_way_through_leaves_nothing(aspire, instrument):
    rng = random.Random(2)
    manager, _, members = _team(aspire, 3)
    wave = ensure_wave(aspire, "2026", dt.date(2026, 3, 1))
    good = [prepare(aspire, Submission(member_id=m, wave_id=wave, raw=_raw(instrument, rng))) for m in members[:2]]
    # The database refuses this one only when its ratings are written, after the other rows of the batch:
    # a value beyond SMALLINT that validation would never let through.
    ratings = dict(good[0].answers.ratings) | {instrument.items[0].id: 70_000}
    broken = NewResponse.model_construct(**(dict(good[0]) | {
        "member_id": members[2], "answers": Answers.model_construct(**(dict(good[0].answers) | {"ratings": ratings}))}))

    with pytest.raises(Exception, match="70000"):
        record_responses(aspire, SYSTEM, [*good, broken])

    assert ResponseRows(aspire.db).current_responses(manager, wave) == []
    for table in ("response", "response_rating", "response_choice", "response_score"):
        assert aspire.db.scalar(f"SELECT count(*) FROM {table}") == 0, table


def test_a_later_submission_in_the_same_batch_replaces_the_earlier_one(aspire, instrument):
    rng = random.Random(3)
    manager, _, (ana, ben) = _team(aspire, 2)
    wave = ensure_wave(aspire, "2026", dt.date(2026, 3, 1))
    [first] = submit(aspire, SYSTEM, [Submission(member_id=ana, wave_id=wave, raw=_raw(instrument, rng))])
    last_raw = _raw(instrument, rng)
    second, for_ben, third = submit(aspire, SYSTEM, [
        Submission(member_id=ana, wave_id=wave, raw=_raw(instrument, rng)),
        Submission(member_id=ben, wave_id=wave, raw=_raw(instrument, rng)),
        Submission(member_id=ana, wave_id=wave, raw=last_raw)])

    current = {r.member_id: r for r in ResponseRows(aspire.db).current_responses(manager, wave)}
    assert current[ana].id == third and current[ben].id == for_ben
    assert current[ana].answers == prepare(aspire, Submission(member_id=ana, wave_id=wave, raw=last_raw)).answers
    history = aspire.db.query(
        "SELECT id, is_current, replaced_by FROM response WHERE member_id = ? ORDER BY id", [ana])
    assert history == [(first, False, second), (second, False, third), (third, True, None)]
    assert ResponseRows(aspire.db).response_count(instrument.version) == 2


def test_member_rows_go_in_with_one_statement_and_come_back_in_order(aspire):
    manager = make_manager(aspire)
    team = create_team(aspire, manager, "Imported").id
    people = [NewMember(name=f"Zoë {n}", email=f"z{n}@example.com", role_title="Engineer" if n % 2 else None)
              for n in range(2_000)]
    ids = aspire.db.write(lambda tx: insert_member_rows(tx, team, people))

    assert ids == sorted(ids) and len(set(ids)) == 2_000
    stored = {m.id: m for m in list_members(aspire, manager, team)}
    assert [(stored[i].name, stored[i].email, stored[i].role_title) for i in ids] == [
        (p.name, p.email, p.role_title) for p in people]


INDEXES = {   # each engine's catalogue of indexes on a table
    "duckdb": "SELECT index_name FROM duckdb_indexes() WHERE table_name = ?",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE tablename = ?",
}


def test_migration_7_indexes_managers_teams_and_links_replaced_answers(databases, tmp_path: Path):
    """A database from before migration 7 gets the index, and each replaced response names its successor."""
    older = tmp_path / "older-migrations"
    older.mkdir()
    for number, path in available_migrations():
        if number < 7:
            shutil.copy(path, older / path.name)
    db = Database(databases.new("old"))
    try:
        migrate(db, older)
        db.write(lambda tx: tx.execute(
            "INSERT INTO response (id, member_id, wave_id, instrument_version, submitted_at, is_current) VALUES"
            " (1, 10, 1, 1, TIMESTAMPTZ '2025-03-02 09:00:00+00', false),"
            " (2, 11, 1, 1, TIMESTAMPTZ '2025-03-02 09:00:00+00', true),"
            " (3, 10, 1, 1, TIMESTAMPTZ '2025-03-03 09:00:00+00', false),"
            " (4, 10, 1, 1, TIMESTAMPTZ '2025-03-04 09:00:00+00', true),"
            " (5, 10, 2, 1, TIMESTAMPTZ '2026-03-04 09:00:00+00', true)"))
        assert 7 in migrate(db, MIGRATIONS_DIR)
        assert db.query("SELECT id, replaced_by FROM response ORDER BY id") == [
            (1, 3), (2, None), (3, 4), (4, None), (5, None)]
        indexes = {r[0] for r in db.query(INDEXES[databases.engine], ["team"])}
        assert "team_manager" in indexes
    finally:
        db.close()
