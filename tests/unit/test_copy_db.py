"""`coaching copy-db FROM TO`: a whole organisation moved between a real DuckDB file and a real PostgreSQL server,
through the command line, checked table by table; a target that holds data is refused and left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from coaching.cli import main
from coaching.core.actors import SYSTEM
from coaching.core.settings import load_settings
from coaching.db.archive import table_names
from coaching.db.database import Database
from coaching.people.teams import create_team
from coaching.startup import start
from tests.conftest import Databases, make_manager
from tests.postgres_server import PostgresServer
from tests.unit.test_backup import everything, target


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    """The demo organisation in the embedded default, closed: the app is stopped before a copy."""
    path = tmp_path / "demo.duckdb"
    start(load_settings(db=path, demo=True)).close()
    return path


def tables_of(db_target: Path | str) -> list[str]:
    db = Database(target(db_target))
    try:
        return table_names(db.query)
    finally:
        db.close()


def test_the_demo_goes_to_postgresql_and_back_and_every_table_is_checked(
    demo_file: Path, postgres_databases: Databases, postgres_server: PostgresServer, tmp_path: Path, capsys
) -> None:
    on_postgres = str(postgres_databases.new("moved"))
    back = tmp_path / "back.duckdb"
    original = everything(demo_file)

    assert main(["copy-db", str(demo_file), on_postgres]) == 0
    there = capsys.readouterr()
    assert main(["copy-db", on_postgres, f"duckdb:{back}"]) == 0
    home = capsys.readouterr()

    for out in (there.out, home.out):
        lines = out.splitlines()
        for table in tables_of(demo_file):
            assert any(line.startswith(f"{table}: ") and line.endswith("the same in both") for line in lines), table
        assert any(line.startswith(f"Copied {len(tables_of(demo_file))} tables, ") for line in lines), out
        assert "holds personal data" in out
    assert postgres_server.password not in there.out + there.err + home.out + home.err
    assert f"to {target(on_postgres)}" in there.out and ":***@" in there.out, "the URL is named, without password"
    after = everything(back)
    copies = [row for row in after.pop("audit_log") if row not in original["audit_log"]]  # type: ignore[union-attr]
    assert len(copies) == 2 and all("organisation copy" in row for row in copies), "each copy audited at its source"
    for table, rows in after.items():
        assert rows == original[table], f"{table} differs after DuckDB -> PostgreSQL -> DuckDB"
    assert original["response"] and original["response_rating"] and original["member"]


def test_a_copy_into_a_database_that_holds_data_is_refused_and_changes_nothing(
    demo_file: Path, postgres_databases: Databases, capsys
) -> None:
    busy = str(postgres_databases.new("busy"))
    app = start(load_settings(db=busy, demo=False))
    create_team(app, SYSTEM, "Keep me", manager_id=make_manager(app).id)
    app.close()
    before = everything(target(busy))

    assert main(["copy-db", str(demo_file), busy]) == 1

    err = capsys.readouterr().err
    assert err.startswith("coaching: The database ") and "already holds 1 team" in err and "--force" in err
    assert len(err.strip().splitlines()) == 1
    assert everything(target(busy)) == before

    assert main(["copy-db", str(demo_file), busy, "--force", "--yes"]) == 0
    assert [r[1] for r in everything(target(busy))["team"]] == [  # type: ignore[index]
        r[1] for r in everything(demo_file)["team"]]  # type: ignore[index]


@pytest.mark.parametrize(("source", "reason"), [
    ("mysql://db.example.com/aspire", "FROM: 'mysql:' is not a kind of database Aspire knows"),
    ("{missing}", "There is no database at"),
    ("{demo}", "is both FROM and TO"),
])
def test_copy_db_refuses_what_it_cannot_copy_in_one_line(demo_file: Path, tmp_path: Path, capsys,
                                                         source: str, reason: str) -> None:
    argv = ["copy-db", source.format(missing=tmp_path / "missing.duckdb", demo=demo_file), str(demo_file)]

    assert main(argv) == 1

    err = capsys.readouterr().err
    assert reason in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "missing.duckdb").exists()
