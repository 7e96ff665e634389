"""The stored questionnaire versions and their translations: recorded once, never replaced.

A response must always be read with the exact wording it answered, so the database copy of a version
(and of each translation) is authoritative; new wording belongs in a new version.
"""

from __future__ import annotations

from coaching.db.database import Database, Transaction
from coaching.measurement.instrument import Instrument


def install_instrument(db: Database, instrument: Instrument, source: str) -> bool:
    """Record an instrument version once; a version already stored is never replaced."""

    def work(tx: Transaction) -> bool:
        if tx.scalar("SELECT 1 FROM instrument WHERE version = ?", [instrument.version]):
            return False
        tx.execute(
            "INSERT INTO instrument (version, title, source) VALUES (?, ?, ?)",
            [instrument.version, instrument.title, source],
        )
        return True

    return db.write(work)


def instrument_sources(db: Database) -> dict[int, str]:
    return dict(db.query("SELECT version, source FROM instrument ORDER BY version"))


def install_translation(db: Database, version: int, language: str, source: str) -> bool:
    """Record a version's translation once, beside the version's own text (never touched)."""

    def work(tx: Transaction) -> bool:
        if tx.scalar("SELECT 1 FROM instrument_translation WHERE version = ? AND language = ?",
                     [version, language]):
            return False
        tx.execute("INSERT INTO instrument_translation (version, language, source) VALUES (?, ?, ?)",
                   [version, language, source])
        return True

    return db.write(work)


def translation_sources(db: Database) -> dict[tuple[int, str], str]:
    rows = db.query("SELECT version, language, source FROM instrument_translation ORDER BY version, language")
    return {(version, language): source for version, language, source in rows}
