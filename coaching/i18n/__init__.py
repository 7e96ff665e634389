"""The respondent's languages: which ones ship, which one a person gets, and the interface's sentences in each.

The interface's sentences live in one TOML catalogue per language beside this module (`en.toml`, `de.toml`,
...), keyed by a dotted name; placeholders are `{name}` fields. A sentence that depends on a count is a
table of CLDR plural categories (`one`, `other`, and for Arabic also `zero`, `two`, `few`, `many`), picked
with Babel's plural rules. Dates and numbers are formatted by Babel in the person's locale.

The questionnaire's own words are not here: they are data, translated per questionnaire version in
coaching/shipped/instruments (see coaching.measurement.instrument).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from string import Formatter

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

#: Every shipped language, by its code, with its name in itself (what the language switch shows).
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "ar": "العربية"}
DEFAULT = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
_CAPITALISED_NOUNS = frozenset({"de"})
#: Babel locale per language where the bare code would format differently from what people here expect.
_LOCALES = {"en": "en_GB"}
#: The catalogues ship as package data beside this module, read through importlib.resources.
CATALOGUE_DIR = files(__name__)
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


class CatalogueError(ValueError):
    """A catalogue that cannot be used, naming the file, the language and the key."""


def known(language: str | None) -> str | None:
    """The shipped language a code or locale ('de', 'de-CH', 'ar_EG', 'FR') names, or None."""
    if not language:
        return None
    code = language.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def choose(saved: str | None, member: str | None, browser: str | None) -> str:
    """The language a respondent gets: the one kept with their draft, else their record's, else the browser's."""
    return known(saved) or known(member) or known(browser) or DEFAULT


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


Entry = str | dict[str, str]


@dataclass(frozen=True)
class Texts:
    """The interface's sentences in one language: `texts("key", name=...)`, `texts.plural("key", n, ...)`."""

    language: str
    entries: Mapping[str, Entry]

    @property
    def locale(self) -> Locale:
        return Locale.parse(_LOCALES.get(self.language, self.language))

    @property
    def direction(self) -> str:
        return direction(self.language)

    def __call__(self, key: str, **fields: object) -> str:
        entry = self.entries[key]
        if isinstance(entry, dict):
            raise KeyError(f"{key} depends on a count: use plural()")
        return entry.format(**fields) if fields else entry

    def plural(self, key: str, count: int, **fields: object) -> str:
        """The sentence for `count` in this language's plural category; `{count}` is the number, formatted."""
        forms = self.entries[key]
        if not isinstance(forms, dict):
            raise KeyError(f"{key} does not depend on a count")
        form = forms.get(self.locale.plural_form(count)) or forms["other"]
        return form.format(count=self.number(count), **fields)

    def number(self, value: float, digits: int = 0) -> str:
        """A number in this language's digits and separators, rounded to `digits` decimals."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(round(value, digits), format=pattern, locale=self.locale)

    def date(self, day: dt.date) -> str:
        """A day in words, e.g. '4 December 2026', '4. Dezember 2026'."""
        return format_date(day, "long", locale=self.locale)

    def moment(self, moment: dt.datetime) -> str:
        """A moment in words in its own time zone, e.g. 'Friday 4 December 2026, 23:59 CET'."""
        day = format_date(moment.date(), "full", locale=self.locale)
        time = f"{format_time(moment.timetz(), 'HH:mm', locale=self.locale)} {moment.tzname()}"
        return self.locale.datetime_formats["medium"].format(time, day)   # CLDR's glue: "{1}, {0}", "{1}، {0}"

    def label(self, scale: str) -> str:
        """A need's or a security facet's name ('status', 'security.pay') in this language."""
        return self(f"scale.{scale}")

    def named(self, scale: str) -> str:
        """The name inside a sentence: lower-cased, except in German, whose nouns keep their capital."""
        label = self.label(scale)
        return label if self.language in _CAPITALISED_NOUNS else label.lower()


def placeholders(entry: Entry) -> set[str]:
    """The `{fields}` a catalogue entry uses (over all its plural forms)."""
    forms = entry.values() if isinstance(entry, dict) else [entry]
    return {name for form in forms for _, name, _, _ in Formatter().parse(form) if name}


def load_catalogue(language: str, folder: Traversable = CATALOGUE_DIR) -> dict[str, Entry]:
    """One language's catalogue, flattened to dotted keys; CatalogueError naming file, language and key."""
    path = folder / f"{language}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: language '{language}': cannot be read ({exc})") from exc
    entries: dict[str, Entry] = {}
    _flatten(raw, "", entries, path, language)
    return entries


def _flatten(table: Mapping[str, object], prefix: str, into: dict[str, Entry], path: Traversable,
             language: str) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, str):
            into[key] = value
        elif isinstance(value, dict) and value and set(value) <= set(PLURAL_CATEGORIES) and all(
                isinstance(v, str) for v in value.values()):
            if "other" not in value:
                raise CatalogueError(f"{path}: language '{language}', key '{key}': a count form needs 'other'")
            into[key] = dict(value)
        elif isinstance(value, dict):
            _flatten(value, f"{key}.", into, path, language)
        else:
            raise CatalogueError(f"{path}: language '{language}', key '{key}': not a sentence")


def catalogue_problems(folder: Traversable = CATALOGUE_DIR) -> list[str]:
    """Every key a shipped language lacks, has in excess, or fills with other placeholders than English."""
    english = load_catalogue(DEFAULT, folder)
    problems = []
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        entries = load_catalogue(language, folder)
        where = f"{folder / (language + '.toml')}: language '{language}'"
        problems += [f"{where}, key '{k}': missing" for k in english if k not in entries]
        problems += [f"{where}, key '{k}': not in English" for k in entries if k not in english]
        for key in english.keys() & entries.keys():
            if isinstance(english[key], dict) != isinstance(entries[key], dict):
                problems.append(f"{where}, key '{key}': a count form in one language only")
            elif placeholders(english[key]) != placeholders(entries[key]):
                problems.append(f"{where}, key '{key}': placeholders {sorted(placeholders(entries[key]))},"
                                f" English has {sorted(placeholders(english[key]))}")
    return problems


@cache
def texts(language: str) -> Texts:
    """The sentences of a shipped language (any unknown code gets English)."""
    code = known(language) or DEFAULT
    return Texts(code, load_catalogue(code))
