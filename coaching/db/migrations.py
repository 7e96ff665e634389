"""Numbered schema migrations (`migrations/NNN_name.sql`), applied at start-up, each in one transaction.

A migration and its row in schema_version commit together, so a crash leaves the schema either
before or after a migration, never half-way. Both engines read the same files: the SQL keeps to what
DuckDB and PostgreSQL both accept (`DOUBLE PRECISION`, sequences as column defaults, `VARCHAR[]`).
Each migration checks inside its own write whether it is applied yet: writes are serialised across
processes, so app servers starting together on one PostgreSQL database apply each migration once.
"""

from __future__ import annotations

import re
from functools import partial
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from coaching.core.settings import PostgresUrl
from coaching.db.database import Database, Transaction

#: Package data: read through importlib.resources, so an installed wheel finds them as a checkout does.
MIGRATIONS_DIR = files("coaching.db") / "migrations"
_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
SCHEMA_VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version ("
                        " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)")


def available_migrations(folder: Traversable = MIGRATIONS_DIR) -> list[tuple[int, Traversable]]:
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _NAME.match(p.name))]
    return sorted(found)


def applied_migrations(db: Database) -> list[int]:
    return [row[0] for row in db.query("SELECT version FROM schema_version ORDER BY version")]


def migrate(db: Database, folder: Traversable = MIGRATIONS_DIR) -> list[int]:
    """Apply every migration not yet recorded; the numbers applied."""
    db.write(lambda tx: tx.run_script(SCHEMA_VERSION_TABLE))
    done = set(applied_migrations(db))
    applied_now = []
    for number, path in available_migrations(folder):
        if number in done:
            continue
        if db.write(partial(apply_migration, number=number, path=path)):
            applied_now.append(number)
    return applied_now


def apply_migration(tx: Transaction, number: int, path: Traversable) -> bool:
    """Apply one migration inside `tx` with its schema_version row; False when it is recorded already.

    A restore applies several in its one transaction (coaching.db.archive); `migrate` one per write.
    """
    if tx.scalar("SELECT count(*) FROM schema_version WHERE version = ?", [number]):
        return False      # another process applied it since we looked
    tx.run_script(path.read_text(encoding="utf-8"))
    tx.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
    return True


def open_database(target: Path | str | PostgresUrl) -> Database:
    """Open (or create) a database and bring its schema up to date."""
    db = Database(target)
    migrate(db)
    return db
