"""Arbitrary input at the three edges people and files reach: every failure is a clear validation error.

The instrument loader, the answer validation and the catalogue loader get random bytes, random
JSON-like structures and random edits of valid input. Each must either accept (and then the result is
a valid model) or refuse with its own error type and a message; any other exception is a crash.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching.core.settings import SHIPPED_DIR
from coaching.measurement.answers import AnswerError, Answers, validate_answers
from coaching.measurement.instrument import Instrument, InstrumentError, instrument_path, load_instrument
from coaching.paths.catalogue import Catalogue, CatalogueError, load_catalogue

DATA = SHIPPED_DIR
INSTRUMENT_TEXT = instrument_path(1, DATA).read_text(encoding="utf-8")
CATALOGUE_TEXT = (DATA / "catalogue.toml").read_text(encoding="utf-8")

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _edited(text: str, data: st.DataObject) -> str:
    """The text with one line dropped, duplicated or cut short, or a random line put in."""
    lines = text.splitlines()
    at = data.draw(st.integers(0, len(lines) - 1), label="line")
    edit = data.draw(st.sampled_from(["drop", "double", "cut", "insert"]), label="edit")
    if edit == "drop":
        del lines[at]
    elif edit == "double":
        lines.insert(at, lines[at])
    elif edit == "cut":
        lines[at] = lines[at][: data.draw(st.integers(0, max(0, len(lines[at]) - 1)))]
    else:
        lines.insert(at, data.draw(st.text(max_size=40), label="inserted"))
    return "\n".join(lines)


def _load(loader, path: Path, content: bytes | str):
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(content)
    return loader(path)


@FUZZ
@given(content=st.binary(max_size=400) | st.text(max_size=400))
def test_instrument_loader_refuses_garbage_with_its_own_error(tmp_path: Path, content: bytes | str) -> None:
    try:
        _load(load_instrument, tmp_path / "v9.toml", content)
    except InstrumentError as exc:
        assert str(exc).startswith(str(tmp_path / "v9.toml"))


@FUZZ
@given(data=st.data())
def test_instrument_loader_accepts_or_names_the_problem_of_an_edited_file(tmp_path: Path, data) -> None:
    text = _edited(INSTRUMENT_TEXT, data)
    try:
        loaded = _load(load_instrument, tmp_path / "v1.toml", text)
    except InstrumentError as exc:
        assert len(str(exc)) > len(str(tmp_path / "v1.toml")) + 2, "the message says what is wrong"
    else:
        assert isinstance(loaded, Instrument) and loaded.items


@FUZZ
@given(data=st.data())
def test_catalogue_loader_accepts_or_names_the_problem_of_an_edited_file(tmp_path: Path, data) -> None:
    text = _edited(CATALOGUE_TEXT, data)
    try:
        loaded = _load(load_catalogue, tmp_path / "catalogue.toml", text)
    except CatalogueError as exc:
        assert str(exc).startswith(str(tmp_path / "catalogue.toml"))
    else:
        assert isinstance(loaded, Catalogue)


@FUZZ
@given(raw=json_like)
def test_answers_of_any_shape_are_refused_with_reasons_or_accepted(instrument, raw) -> None:
    try:
        answers = validate_answers(instrument, raw)
    except AnswerError as exc:
        assert exc.problems and all(isinstance(w, str) and problem for w, problem in exc.problems)
    else:
        assert isinstance(answers, Answers)


@FUZZ
@given(data=st.data())
def test_a_valid_answer_set_with_one_field_replaced_is_judged_not_crashed(instrument, data) -> None:
    raw = {"ratings": {i.id: 3 for i in instrument.items}, "top_three": ["status", "balance", "autonomy"],
           "reflections": {}, "life_stage": None}
    path = data.draw(st.sampled_from(["ratings", "top_three", "reflections", "life_stage",
                                      *(f"ratings.{i.id}" for i in instrument.items)]))
    value = data.draw(json_like, label="value")
    if path.startswith("ratings."):
        raw["ratings"][path.split(".", 1)[1]] = value
    else:
        raw[path] = value
    try:
        validate_answers(instrument, raw)
    except AnswerError as exc:
        assert exc.problems


def test_the_shipped_files_pass_the_loaders_unedited() -> None:
    """The edits above start from valid files: otherwise every case would be a refusal."""
    assert load_instrument(instrument_path(1, DATA)).items
    assert load_catalogue(DATA / "catalogue.toml").options
    assert tomllib.loads(INSTRUMENT_TEXT) and tomllib.loads(CATALOGUE_TEXT)
