"""Start-up: the one place that assembles the product from its rooms.

`start` is what app.py (through coaching.ui.context), server.py, the CLI, the tests and the benchmarks
call. It checks the first admin's password, brings the database up to date, records the shipped
questionnaire versions and translations, seeds the catalogue on first start, creates the first admin,
loads the demo organisation into an empty database when COACHING_DEMO is on, and applies retention.
"""

from __future__ import annotations

import logging
import tomllib

from coaching.aspire import Aspire
from coaching.core.settings import Settings, SettingsError
from coaching.db.meta import is_empty
from coaching.db.migrations import open_database
from coaching.demo import seed_demo
from coaching.measurement.instrument import (
    Instrument,
    available_versions,
    instrument_path,
    load_instrument,
    load_translation,
    translation_paths,
)
from coaching.measurement.instrument_rows import (
    install_instrument,
    install_translation,
    instrument_sources,
    translation_sources,
)
from coaching.measurement.versions import instruments
from coaching.paths.catalogue import load_catalogue
from coaching.paths.catalogue_rows import CatalogueRows
from coaching.people.accounts import PasswordRejected, accounts_of, check_new_password
from coaching.privacy.requests import apply_retention

log = logging.getLogger(__name__)


def check_first_admin(settings: Settings) -> None:
    """SettingsError naming COACHING_ADMIN_PASSWORD when the account rules would refuse it; needs no database."""
    if settings.admin_password is not None:
        try:
            check_new_password(settings.admin_password.get_secret_value(), settings.admin_email)
        except PasswordRejected as exc:
            raise SettingsError(f"COACHING_ADMIN_PASSWORD: {exc}") from None


def start(settings: Settings) -> Aspire:
    """The product, ready: SettingsError for a first admin password the account rules refuse."""
    check_first_admin(settings)
    aspire = Aspire(settings=settings, db=open_database(settings.db))
    try:
        with aspire.db.alone():     # app servers starting together on one database seed it once
            _install_translations(aspire, _install_instruments(aspire))
            CatalogueRows(aspire.db).seed(load_catalogue(settings.data_dir / "catalogue.toml"))
            if accounts_of(aspire).ensure_first_admin(settings.admin_email, settings.admin_password):
                log.info("created the first admin account for %s", settings.admin_email)
            if settings.demo and is_empty(aspire.db):
                seed_demo(aspire)
            if purged := apply_retention(aspire):
                log.info("retention: %s", purged.describe())
    except BaseException:
        aspire.close()
        raise
    return aspire


def _install_instruments(aspire: Aspire) -> dict[int, Instrument]:
    """Record shipped versions the database lacks; then every stored version (the database copy is authoritative).

    A response must always be read with the exact wording it answered, even if someone edits a shipped
    file (new wording belongs in a new version file). A version already stored is neither parsed nor written
    again: at most starts everything is stored, and one read of what is stored then makes the whole check.
    """
    data_dir = aspire.settings.data_dir
    stored = instrument_sources(aspire.db)
    for version in available_versions(data_dir):
        path = instrument_path(version, data_dir)
        shipped = path.read_text(encoding="utf-8")
        if version not in stored:
            install_instrument(aspire.db, load_instrument(path), shipped)
        elif not _same_toml(stored[version], shipped):
            log.warning("%s differs from version %d already in use; the stored wording is kept", path, version)
    return instruments(aspire)


def _same_toml(stored: str, shipped: str) -> bool:
    """The same content: the same text (the usual case at every start, and no parsing), or the same TOML."""
    return stored == shipped or tomllib.loads(stored) == tomllib.loads(shipped)


def _install_translations(aspire: Aspire, versions: dict[int, Instrument]) -> None:
    """Record shipped translations the database lacks (coaching.measurement.versions reads them back).

    A translation reaches an existing database the way a version does: first use records it (the
    migration that made room for translations touched no word of a version's own text), and the
    recorded copy is what answers are read against afterwards. A corrected translation is a new version.
    A new one is checked whole against its version (InstrumentError) before anything is recorded.
    """
    stored = translation_sources(aspire.db)
    for version, instrument in versions.items():
        for language, path in translation_paths(version, aspire.settings.data_dir).items():
            shipped = path.read_text(encoding="utf-8")
            if (version, language) not in stored:
                load_translation(path, instrument)
                install_translation(aspire.db, version, language, shipped)
            elif not _same_toml(stored[(version, language)], shipped):
                log.warning("%s differs from the translation already in use; the stored wording is kept", path)
