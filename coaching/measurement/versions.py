"""The questionnaire versions in use and their translations, read from the database once per process.

The database copy is authoritative (coaching.measurement.instrument_rows): a response is always read with
the exact wording it answered. coaching.startup records what ships before anyone asks.
"""

from __future__ import annotations

import tomllib

from coaching.aspire import Aspire
from coaching.measurement.instrument import Instrument, Translation, translate
from coaching.measurement.instrument_rows import instrument_sources, translation_sources


def instruments(aspire: Aspire) -> dict[int, Instrument]:
    """Every stored version by number."""
    return aspire.shared("instruments", lambda: {
        version: Instrument.model_validate(tomllib.loads(source))
        for version, source in instrument_sources(aspire.db).items()
    })


def current_instrument(aspire: Aspire) -> Instrument:
    """The newest version: what a new round asks."""
    found = instruments(aspire)
    return found[max(found)]


def translations(aspire: Aspire) -> dict[int, dict[str, Instrument]]:
    """Each version's stored translations by language code; English is the version itself."""

    def load() -> dict[int, dict[str, Instrument]]:
        versions = instruments(aspire)
        found: dict[int, dict[str, Instrument]] = {}
        for (version, language), source in translation_sources(aspire.db).items():
            if version in versions:
                words = Translation.model_validate(tomllib.loads(source))
                found.setdefault(version, {})[language] = translate(versions[version], words)
        return found

    return aspire.shared("translations", load)


def instrument_in(aspire: Aspire, version: int, language: str) -> Instrument:
    """A version's questionnaire in a language it has been translated into, else its own (English)."""
    return translations(aspire).get(version, {}).get(language, instruments(aspire)[version])


def languages_of(aspire: Aspire, version: int) -> list[str]:
    """The languages a version can be answered in: English first, then its translations."""
    return ["en", *sorted(translations(aspire).get(version, {}))]
