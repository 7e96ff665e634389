"""The running product: settings, store, instruments and shared caches, built once per process.

`start` is what app.py (through st.cache_resource), the CLI and the tests call. It brings the
database up to date, records the shipped instrument versions, seeds the catalogue on first start
and, with COACHING_DEMO on, loads the demo organisation into an empty database.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from dataclasses import dataclass, field
from functools import cached_property

from coaching.accounts import Accounts
from coaching.audit import AuditLog
from coaching.catalogue import load_catalogue
from coaching.instrument import Instrument, available_versions, instrument_path, load_instrument
from coaching.scoring import ScaleReliability, reliability
from coaching.settings import Settings
from coaching.store import Store, open_store

log = logging.getLogger(__name__)


@dataclass
class Aspire:
    settings: Settings
    store: Store
    instruments: dict[int, Instrument]
    _reliability: dict[int, tuple[int, dict[str, ScaleReliability]]] = field(default_factory=dict)
    _reliability_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def current_instrument(self) -> Instrument:
        return self.instruments[max(self.instruments)]

    @property
    def is_demo(self) -> bool:
        return self.store.meta("demo") == "true"

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.store.db)

    @cached_property
    def accounts(self) -> Accounts:
        """One per process: it also remembers failed logins for unknown e-mails, to slow them alike."""
        return Accounts(self.store.db, audit=self.audit)

    def reliability(self, version: int) -> dict[str, ScaleReliability]:
        """Reliability of one instrument version's scales, recomputed only when its responses changed."""
        count = self.store.response_count(version)
        with self._reliability_lock:
            cached = self._reliability.get(version)
            if cached is None or cached[0] != count:
                answers = self.store.answers_for_version(version)
                cached = (count, reliability(self.instruments[version], answers))
                self._reliability[version] = cached
            return cached[1]

    def close(self) -> None:
        self.store.close()


def start(settings: Settings) -> Aspire:
    store = open_store(settings.db)
    try:
        instruments = _install_instruments(settings, store)
        store.seed_catalogue(load_catalogue(settings.data_dir / "catalogue.toml"))
        aspire = Aspire(settings=settings, store=store, instruments=instruments)
        if aspire.accounts.ensure_first_admin(settings.admin_email, settings.admin_password):
            log.info("created the first admin account for %s", settings.admin_email)
        if settings.demo and store.is_empty():
            from coaching.demo import seed_demo

            seed_demo(aspire)
        from coaching.privacy import apply_retention

        if purged := apply_retention(aspire):
            log.info("retention: %s", purged.describe())
    except BaseException:
        store.close()
        raise
    return aspire


def _install_instruments(settings: Settings, store: Store) -> dict[int, Instrument]:
    """Record shipped versions the database lacks, then load every version from the database.

    The database copy is authoritative: a response must always be read with the exact wording it
    answered, even if someone edits a shipped file (new wording belongs in a new version file).
    """
    for version in available_versions(settings.data_dir):
        path = instrument_path(version, settings.data_dir)
        instrument = load_instrument(path)
        if not store.install_instrument(instrument, path.read_text(encoding="utf-8")):
            stored = store.instrument_sources()[version]
            if tomllib.loads(stored) != tomllib.loads(path.read_text(encoding="utf-8")):
                log.warning("%s differs from version %d already in use; the stored wording is kept", path, version)
    return {
        version: Instrument.model_validate(tomllib.loads(source))
        for version, source in store.instrument_sources().items()
    }
