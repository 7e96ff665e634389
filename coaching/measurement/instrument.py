"""The questionnaire ("instrument"), kept as versioned TOML data and validated when it loads.

An instrument file that breaks a rule of DOMAIN.md is refused whole, with a message naming the
file, the item and the problem: a half-valid questionnaire would score people wrongly.

Each version's translations sit beside it (`v1.de.toml` beside `v1.toml`): only words, keyed by the
version's own item, section and reflection ids, so every language has the same items and the same
scale and scores stay comparable. A translation that misses or adds a key is refused whole, naming
the file, the language and the key.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import ErrorDetails

from coaching.core.needs import NEEDS, Facet, Need
from coaching.core.settings import SHIPPED_DIR

MIN_ITEMS_PER_NEED = 5
MIN_ITEMS_PER_FACET = 3
TOP_PICKS = 3

ItemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Text = Annotated[str, Field(min_length=3, max_length=400)]


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with the file, the item and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RatingScale(_Strict):
    """One agreement scale for every rating item, e.g. 1 (strongly disagree) to 5 (strongly agree)."""

    min: int = 1
    max: int = 5
    labels: list[Text]

    @model_validator(mode="after")
    def _one_label_per_point(self) -> RatingScale:
        if self.max - self.min < 2:
            raise ValueError("the scale needs at least three points")
        if len(self.labels) != self.max - self.min + 1:
            raise ValueError(f"the scale has {self.max - self.min + 1} points but {len(self.labels)} labels")
        return self

    @property
    def points(self) -> range:
        return range(self.min, self.max + 1)

    def flip(self, value: int) -> int:
        """The value a reverse-worded answer counts as."""
        return self.min + self.max - value


class ReliabilityDefaults(_Strict):
    """What scoring assumes about measurement error until enough responses exist to estimate it.

    `default_alpha` and `default_sd` are stated for a scale of `base_items` statements; a scale with another
    number of statements gets its own by the Spearman-Brown formula (`for_items`), so a three-item facet is
    not credited with the precision of a six-item need. `base_items` defaults to 5, the length of most
    version-1 needs: a database that stored version 1 before the field existed reads its text the same way.
    """

    default_alpha: float = Field(ge=0.5, lt=1.0)
    default_sd: float = Field(gt=0, le=50, description="spread of scale scores on the 0-100 scale")
    min_responses: int = Field(ge=10)
    base_items: int = Field(default=5, ge=2)

    def for_items(self, items: int) -> tuple[float, float]:
        """(alpha, SD) assumed for a scale of `items` statements.

        Spearman-Brown: alpha_k = m * alpha / (1 + (m - 1) * alpha) with m = items / base_items. The true-score
        variance of a mean score does not depend on its length, so SD_k^2 * alpha_k = SD^2 * alpha.
        """
        m = items / self.base_items
        alpha = m * self.default_alpha / (1 + (m - 1) * self.default_alpha)
        return alpha, self.default_sd * math.sqrt(self.default_alpha / alpha)


class Section(_Strict):
    key: ItemId
    title: Text
    intro: str = ""


class RatingItem(_Strict):
    """A statement rated on the scale. A reverse item says the opposite of its forward twin."""

    id: ItemId
    need: Need
    facet: Facet | None = None
    section: ItemId
    text: Text
    reverse_of: ItemId | None = None

    @property
    def reverse(self) -> bool:
        return self.reverse_of is not None

    @property
    def scales(self) -> tuple[str, ...]:
        """The scales this item counts toward: its need and, for security, its facet."""
        return (str(self.need),) if self.facet is None else (str(self.need), self.facet.scale)


class ForcedChoice(_Strict):
    """Pick and order the top three needs: shows what a person would trade."""

    prompt: Text
    options: dict[Need, Text]

    @model_validator(mode="after")
    def _every_need_offered(self) -> ForcedChoice:
        missing = [str(n) for n in NEEDS if n not in self.options]
        if missing:
            raise ValueError(f"the forced choice has no option for {', '.join(missing)}")
        return self


class Reflection(_Strict):
    id: ItemId
    prompt: Text
    hint: str = ""


class LifeStagePrompt(_Strict):
    """Optional and self-described; never used in a score."""

    prompt: Text
    suggestions: list[Text]


class Instrument(_Strict):
    version: int = Field(ge=1)
    title: Text
    intro: str
    scale: RatingScale
    reliability: ReliabilityDefaults
    sections: list[Section] = Field(min_length=1)
    items: list[RatingItem]
    choice: ForcedChoice
    reflections: list[Reflection]
    life_stage: LifeStagePrompt
    _by_scale: dict[str, list[RatingItem]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _domain_rules(self) -> Instrument:
        problems = _rule_violations(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def item(self, item_id: str) -> RatingItem:
        return self._items_by_id()[item_id]

    def _items_by_id(self) -> dict[str, RatingItem]:
        return {i.id: i for i in self.items}

    def items_for(self, scale: str) -> list[RatingItem]:
        """The items of one need or facet scale, in questionnaire order (looked up once per scale: every
        response scored reads them several times)."""
        found = self._by_scale.get(scale)
        if found is None:
            found = self._by_scale[scale] = [i for i in self.items if scale in i.scales]
        return found

    def items_in(self, section: str) -> list[RatingItem]:
        return [i for i in self.items if i.section == section]

    @property
    def twins(self) -> list[tuple[RatingItem, RatingItem]]:
        """(forward, reverse) pairs, for the contradiction check."""
        by_id = self._items_by_id()
        return [(by_id[i.reverse_of], i) for i in self.items if i.reverse_of]


def _rule_violations(inst: Instrument) -> list[str]:
    """Every way the instrument breaks DOMAIN.md's rules, each naming the item concerned."""
    problems: list[str] = []
    by_id: dict[str, RatingItem] = {}
    for dup, count in Counter(i.id for i in inst.items).items():
        if count > 1:
            problems.append(f"item '{dup}': the id is used {count} times")
    section_keys = {s.key for s in inst.sections}
    for item in inst.items:
        by_id.setdefault(item.id, item)
        if item.section not in section_keys:
            problems.append(f"item '{item.id}': section '{item.section}' is not defined")
        if item.need is Need.SECURITY and item.facet is None:
            problems.append(f"item '{item.id}': a security item must name its facet (stability or pay)")
        if item.need is not Need.SECURITY and item.facet is not None:
            problems.append(f"item '{item.id}': only security items have a facet")
    for item in inst.items:
        if item.reverse_of is None:
            continue
        twin = by_id.get(item.reverse_of)
        if twin is None:
            problems.append(f"item '{item.id}': reverse_of names '{item.reverse_of}', which is not an item")
        elif twin.reverse or twin.need != item.need or twin.facet != item.facet:
            problems.append(
                f"item '{item.id}': its twin '{twin.id}' must be a forward item of the same need and facet"
            )
    for need in NEEDS:
        items = [i for i in inst.items if i.need is need]
        if len(items) < MIN_ITEMS_PER_NEED:
            problems.append(f"need '{need}': {len(items)} items, at least {MIN_ITEMS_PER_NEED} are required")
        if not any(i.reverse for i in items):
            problems.append(f"need '{need}': no reverse-worded item naming its twin")
    for facet in Facet:
        count = sum(1 for i in inst.items if i.facet is facet)
        if count < MIN_ITEMS_PER_FACET:
            problems.append(f"facet '{facet.scale}': {count} items, at least {MIN_ITEMS_PER_FACET} are required")
    reflection_ids = Counter(r.id for r in inst.reflections)
    problems += [f"reflection '{r}': the id is used twice" for r, c in reflection_ids.items() if c > 1]
    return problems


def _read_toml(path: Path, where: str) -> dict:
    """A questionnaire or translation file as TOML; InstrumentError starting with `where` when it cannot be."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InstrumentError(f"{where}: cannot be read ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InstrumentError(f"{where}: not valid TOML ({exc})") from exc


def load_instrument(path: Path) -> Instrument:
    """Read and validate one instrument file; raise InstrumentError naming file, item and problem."""
    raw = _read_toml(path, str(path))
    try:
        return Instrument.model_validate(raw)
    except ValidationError as exc:
        raise InstrumentError(f"{path}: " + "; ".join(_describe(err, raw) for err in exc.errors())) from exc


def _describe(err: ErrorDetails, raw: dict) -> str:
    """One pydantic error in the instrument author's words: which item, which field, what is wrong."""
    loc = list(err["loc"])
    message = err["msg"].removeprefix("Value error, ")
    if len(loc) >= 2 and loc[0] in ("items", "reflections") and isinstance(loc[1], int):
        entries = raw.get(loc[0], [])
        entry = entries[loc[1]] if loc[1] < len(entries) else {}
        name = entry.get("id") if isinstance(entry, dict) else None
        kind = "item" if loc[0] == "items" else "reflection"
        where = f"{kind} '{name}'" if name else f"{kind} number {loc[1] + 1}"
        field = ".".join(str(p) for p in loc[2:])
        return f"{where}: {field + ': ' if field else ''}{message}"
    if not loc:
        return message
    return f"{'.'.join(str(p) for p in loc)}: {message}"


# ---- translations --------------------------------------------------------------------------------


class _Words(_Strict):
    title: Text
    intro: str = ""


class _ReflectionWords(_Strict):
    prompt: Text
    hint: str = ""


class _ScaleWords(_Strict):
    labels: list[Text]


class _ChoiceWords(_Strict):
    prompt: Text
    options: dict[str, Text]


class _LifeStageWords(_Strict):
    prompt: Text
    suggestions: list[Text]


class Translation(_Strict):
    """The words of one instrument version in another language; everything else comes from the version."""

    version: int
    language: str = Field(pattern=r"^[a-z]{2}$")
    title: Text
    intro: str
    scale: _ScaleWords
    sections: dict[str, _Words]
    items: dict[str, Text]
    choice: _ChoiceWords
    reflections: dict[str, _ReflectionWords]
    life_stage: _LifeStageWords


def translate(instrument: Instrument, words: Translation) -> Instrument:
    """The instrument with another language's words; ValueError naming every key missing or in excess."""
    problems = _translation_gaps(instrument, words)
    if problems:
        raise ValueError("; ".join(problems))
    data: dict[str, Any] = instrument.model_dump(mode="json")
    data.update(title=words.title, intro=words.intro)
    data["scale"]["labels"] = words.scale.labels
    for section in data["sections"]:
        section.update(words.sections[section["key"]].model_dump())
    for item in data["items"]:
        item["text"] = words.items[item["id"]]
    data["choice"] = words.choice.model_dump()
    for reflection in data["reflections"]:
        reflection.update(words.reflections[reflection["id"]].model_dump())
    data["life_stage"] = words.life_stage.model_dump()
    return Instrument.model_validate(data)


def _translation_gaps(instrument: Instrument, words: Translation) -> list[str]:
    """Every key the translation lacks or has beyond the version, as 'key: missing' / 'key: not in version N'."""
    expected = {
        "sections": ({s.key for s in instrument.sections}, set(words.sections)),
        "items": ({i.id for i in instrument.items}, set(words.items)),
        "choice.options": ({str(n) for n in instrument.choice.options}, set(words.choice.options)),
        "reflections": ({r.id for r in instrument.reflections}, set(words.reflections)),
    }
    problems = [f"key '{group}.{key}': missing"
                for group, (want, have) in expected.items() for key in sorted(want - have)]
    problems += [f"key '{group}.{key}': not in version {instrument.version}"
                 for group, (want, have) in expected.items() for key in sorted(have - want)]
    if words.version != instrument.version:
        problems.append(f"key 'version': {words.version}, but this file belongs to version {instrument.version}")
    if len(words.scale.labels) != len(instrument.scale.labels):
        problems.append(f"key 'scale.labels': {len(words.scale.labels)} labels, the scale has "
                        f"{len(instrument.scale.labels)}")
    if len(words.life_stage.suggestions) != len(instrument.life_stage.suggestions):
        problems.append(f"key 'life_stage.suggestions': {len(words.life_stage.suggestions)} suggestions, "
                        f"the version has {len(instrument.life_stage.suggestions)}")
    for section in instrument.sections:
        if section.intro and section.key in words.sections and not words.sections[section.key].intro:
            problems.append(f"key 'sections.{section.key}.intro': missing")
    for reflection in instrument.reflections:
        if reflection.hint and reflection.id in words.reflections and not words.reflections[reflection.id].hint:
            problems.append(f"key 'reflections.{reflection.id}.hint': missing")
    if instrument.intro.strip() and not words.intro.strip():
        problems.append("key 'intro': missing")
    return problems


def load_translation(path: Path, instrument: Instrument) -> Instrument:
    """Read one translation file of `instrument`; InstrumentError naming file, language and key, or the
    instrument in that language."""
    language = path.stem.partition(".")[2]
    where = f"{path}: language '{language}'"
    raw = _read_toml(path, where)
    try:
        words = Translation.model_validate(raw)
    except ValidationError as exc:
        raise InstrumentError(f"{where}: " + "; ".join(
            f"key '{'.'.join(str(p) for p in err['loc'])}': {_missing_or(err)}" for err in exc.errors())) from exc
    if words.language != language:
        raise InstrumentError(f"{where}: key 'language': '{words.language}' does not match the file name")
    try:
        return translate(instrument, words)
    except (ValueError, ValidationError) as exc:
        raise InstrumentError(f"{where}: {exc}") from exc


def _missing_or(err: Any) -> str:
    if err["type"] == "missing":
        return "missing"
    if err["type"] == "extra_forbidden":
        return "not in the version (a key the questionnaire does not have)"
    return err["msg"]


def translation_paths(version: int, data_dir: Path = SHIPPED_DIR) -> dict[str, Path]:
    """The translation files of one version, by language code."""
    folder = data_dir / "instruments"
    return {p.stem.partition(".")[2]: p for p in sorted(folder.glob(f"v{version}.*.toml"))}


def instrument_path(version: int, data_dir: Path = SHIPPED_DIR) -> Path:
    return data_dir / "instruments" / f"v{version}.toml"


def available_versions(data_dir: Path = SHIPPED_DIR) -> list[int]:
    folder = data_dir / "instruments"
    return sorted(int(p.stem[1:]) for p in folder.glob("v*.toml") if p.stem[1:].isdigit())
