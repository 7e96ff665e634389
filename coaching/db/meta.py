"""Facts about the database itself: small named values (`app_meta`) and whether it holds an organisation yet."""

from __future__ import annotations

from coaching.db.database import Database


def meta(db: Database, key: str) -> str | None:
    return db.scalar("SELECT value FROM app_meta WHERE key = ?", [key])


def set_meta(db: Database, key: str, value: str) -> None:
    db.write(lambda tx: tx.execute(
        "INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value]))


def is_empty(db: Database) -> bool:
    """True when no team exists yet: the moment demo data may be loaded."""
    return not db.scalar("SELECT count(*) FROM team")
