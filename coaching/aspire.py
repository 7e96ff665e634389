"""The running product: settings, database, instruments and shared caches, built once per process.

`start` is what app.py (through st.cache_resource), the CLI and the tests call. It brings the
database up to date, records the shipped instrument versions, seeds the catalogue on first start
and, with COACHING_DEMO on, loads the demo organisation into an empty database.
"""

from __future__ import annotations

import logging
import threading
import time
import tomllib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from coaching.core.settings import Settings, SettingsError
from coaching.db.database import Database
from coaching.db.meta import is_empty, meta
from coaching.db.migrations import open_database
from coaching.governance.audit import AuditLog
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import (
    Instrument,
    Translation,
    available_versions,
    instrument_path,
    load_instrument,
    load_translation,
    translate,
    translation_paths,
)
from coaching.measurement.instrument_rows import (
    install_instrument,
    install_translation,
    instrument_sources,
    translation_sources,
)
from coaching.measurement.response_rows import CurrentSums, ResponseRows
from coaching.measurement.scoring import Profile, ScaleReliability, reliability, reliability_from_sums, score_response
from coaching.paths.catalogue import load_catalogue
from coaching.paths.catalogue_rows import CatalogueRows
from coaching.people.accounts import Accounts, PasswordRejected, check_new_password

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class Aspire:
    settings: Settings
    db: Database
    instruments: dict[int, Instrument]
    #: Each version's translations by language code; English is the version itself.
    translations: dict[int, dict[str, Instrument]] = field(default_factory=dict)
    _reliability: dict[int, Estimate] = field(default_factory=dict)
    _reliability_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def current_instrument(self) -> Instrument:
        return self.instruments[max(self.instruments)]

    def instrument_in(self, version: int, language: str) -> Instrument:
        """A version's questionnaire in a language it has been translated into, else its own (English)."""
        return self.translations.get(version, {}).get(language, self.instruments[version])

    def languages_of(self, version: int) -> list[str]:
        """The languages a version can be answered in: English first, then its translations."""
        return ["en", *sorted(self.translations.get(version, {}))]

    @cached_property
    def is_demo(self) -> bool:
        """Whether the database holds the demo organisation: asked on every rerun, so read once per process.

        The flag is written only while seeding an empty database, inside `start`, before anyone asks.
        """
        return meta(self.db, "demo") == "true"

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.db)

    @cached_property
    def accounts(self) -> Accounts:
        """One per process: it reads the key under which failed logins are counted once."""
        return Accounts(self.db, audit=self.audit)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """What `compute` gives for `key` until the next committed write (Database.remember)."""
        return self.db.remember(key, compute)

    def reliability_by_language(self, version: int) -> dict[str, dict[str, ScaleReliability]]:
        """Reliability of one version per language it was answered in, for each language with enough responses.

        The same items in every language: a translation whose alpha falls behind measures less well.
        """
        instrument = self.instruments[version]
        return {language: reliability(instrument, answers)
                for language, answers in sorted(ResponseRows(self.db).answers_by_language(version).items())
                if len(answers) >= instrument.reliability.min_responses}

    def reliability(self, version: int) -> dict[str, ScaleReliability]:
        """Reliability of one instrument version's scales over its current responses, as of this call."""
        return self.estimate(version).table

    def estimate(self, version: int) -> Estimate:
        """One version's reliability as of this call, with the responses already scored with it.

        Kept up to date from what changed since the last estimate (ResponseRows.current_rating_sums), never by
        reading every response again. One refresh at a time: callers that arrive while one runs wait for
        it, and use its result when it began after they asked, so a burst of submissions costs a refresh
        or two rather than one per person.
        """
        asked = time.monotonic_ns()
        with self._reliability_lock:
            known = self._reliability.get(version)
            if known is not None and known.began > asked:
                return known
            began = time.monotonic_ns()
            instrument = self.instruments[version]
            basis = ResponseRows(self.db).current_rating_sums(instrument, known and known.basis)
            if known is not None and basis.sums is known.basis.sums:
                fresh = Estimate(instrument, basis, known.table, began, known.scored)
            else:
                fresh = Estimate(instrument, basis, reliability_from_sums(instrument, basis.sums), began)
            self._reliability[version] = fresh
            return fresh

    def close(self) -> None:
        self.db.close()


MAX_SCORED = 20_000   # profiles remembered per estimate (a few MB); past it, remembering starts over


@dataclass(frozen=True)
class Estimate:
    """One version's reliability as of a snapshot (monotonic ns when it was read), and what was scored with it.

    A stored response's answers never change, so its profile depends only on them and this table: each is
    scored once per estimate, not on every rerun of every screen that shows it. The remembered profiles go
    with the estimate as soon as any response of the version changes (a new answer, an erasure), so no
    profile outlives the response it came from by more than that.
    """

    instrument: Instrument
    basis: CurrentSums
    table: dict[str, ScaleReliability]
    began: int
    scored: dict[int, Profile] = field(default_factory=dict)

    def score(self, response_id: int, answers: Answers) -> Profile:
        """The profile of a stored response (`answers` are its stored answers), scored with this table."""
        found = self.scored.get(response_id)
        if found is None:
            if len(self.scored) >= MAX_SCORED:
                self.scored.clear()
            found = self.scored[response_id] = score_response(self.instrument, answers, self.table)
        return found


def check_first_admin(settings: Settings) -> None:
    """SettingsError naming COACHING_ADMIN_PASSWORD when the account rules would refuse it; needs no database."""
    if settings.admin_password is not None:
        try:
            check_new_password(settings.admin_password.get_secret_value(), settings.admin_email)
        except PasswordRejected as exc:
            raise SettingsError(f"COACHING_ADMIN_PASSWORD: {exc}") from None


def start(settings: Settings) -> Aspire:
    check_first_admin(settings)
    db = open_database(settings.db)
    try:
        instruments = _install_instruments(settings, db)
        translations = _install_translations(settings, db, instruments)
        CatalogueRows(db).seed(load_catalogue(settings.data_dir / "catalogue.toml"))
        aspire = Aspire(settings=settings, db=db, instruments=instruments, translations=translations)
        if aspire.accounts.ensure_first_admin(settings.admin_email, settings.admin_password):
            log.info("created the first admin account for %s", settings.admin_email)
        if settings.demo and is_empty(db):
            from coaching.demo import seed_demo

            seed_demo(aspire)
        from coaching.privacy.requests import apply_retention

        if purged := apply_retention(aspire):
            log.info("retention: %s", purged.describe())
    except BaseException:
        db.close()
        raise
    return aspire


def _install_instruments(settings: Settings, db: Database) -> dict[int, Instrument]:
    """Record shipped versions the database lacks, then load every version from the database.

    The database copy is authoritative: a response must always be read with the exact wording it
    answered, even if someone edits a shipped file (new wording belongs in a new version file).
    """
    for version in available_versions(settings.data_dir):
        path = instrument_path(version, settings.data_dir)
        instrument = load_instrument(path)
        if not install_instrument(db, instrument, path.read_text(encoding="utf-8")):
            stored = instrument_sources(db)[version]
            if tomllib.loads(stored) != tomllib.loads(path.read_text(encoding="utf-8")):
                log.warning("%s differs from version %d already in use; the stored wording is kept", path, version)
    return {
        version: Instrument.model_validate(tomllib.loads(source))
        for version, source in instrument_sources(db).items()
    }


def _install_translations(settings: Settings, db: Database, instruments: dict[int, Instrument],
                          ) -> dict[int, dict[str, Instrument]]:
    """Record shipped translations the database lacks, then load every translation from the database.

    A translation reaches an existing database the way a version does: first use records it (the
    migration that made room for translations touched no word of a version's own text), and the
    recorded copy is what answers are read against afterwards. A corrected translation is a new version.
    """
    for version, instrument in instruments.items():
        for language, path in translation_paths(version, settings.data_dir).items():
            load_translation(path, instrument)            # refused whole (InstrumentError) before anything is recorded
            source = path.read_text(encoding="utf-8")
            if not install_translation(db, version, language, source):
                stored = translation_sources(db)[(version, language)]
                if tomllib.loads(stored) != tomllib.loads(source):
                    log.warning("%s differs from the translation already in use; the stored wording is kept", path)
    found: dict[int, dict[str, Instrument]] = {}
    for (version, language), source in translation_sources(db).items():
        if version in instruments:
            words = Translation.model_validate(tomllib.loads(source))
            found.setdefault(version, {})[language] = translate(instruments[version], words)
    return found
