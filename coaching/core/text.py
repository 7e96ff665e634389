"""What any text typed by a person must satisfy before it is stored: shown exactly as typed later.

Quotes, markup, right-to-left marks and every script are ordinary characters (SQL takes them as
bound parameters, screens escape them with coaching.ui.format.plain). Only a NUL byte, which many tools
silently cut text at, and a lone surrogate, which cannot be encoded as UTF-8, are refused, along with text
over a limit. Direction controls are kept as typed but dropped wherever text is shown among other words
(without_direction_controls).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): each reorders the text after it up to the
#: end of its paragraph, so "Eve\u202e needs" prints as "Eve sdeen". Marks (U+200E, U+200F) and the letters
#: of right-to-left scripts only order their own run, so they stay.
_DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_direction_controls(text: str) -> str:
    """Typed text ready to show among an app's own words: it can no longer reverse what follows it.

    Arabic or Hebrew names still read right to left: the bidirectional algorithm orders them by their letters.
    """
    return text.translate(_DIRECTION_CONTROLS)


def text_problems(text: str, limit: int) -> list[str]:
    """Why this text cannot be stored, in plain words; empty when it can be kept exactly as typed."""
    problems = []
    if "\x00" in text:
        problems.append("contains a NUL character (\\0), which cannot be stored; please remove it")
    if _SURROGATE.search(text):
        problems.append("contains a broken character (a lone surrogate) that cannot be stored")
    if len(text) > limit:
        problems.append(f"too long: {len(text)} characters, at most {limit}")
    return problems


_NUMBER_ERRORS = ("int_parsing", "int_from_float", "float_parsing", "decimal_parsing", "int_type", "float_type",
                  "decimal_type", "finite_number")


def field_sentence(error: Mapping[str, Any], label: str) -> str:
    """One pydantic validation error as a sentence about the field a person typed into, named by `label`.

    Forms of teams, goals, notes and the catalogue share these words; each adds its own special cases first.
    """
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "missing" or (kind == "string_type" and error.get("input") is None):
        return f"{label} is missing"
    if kind == "extra_forbidden":
        return f"{label} is not a field here"
    if kind == "string_too_short":
        at_least = ctx.get("min_length", 1)      # a custom "only blanks" error carries no length
        return f"{label} is empty" if error.get("input") == "" or at_least == 1 else \
            f"{label} is too short: at least {at_least} characters"
    if kind == "string_too_long":
        return f"{label} is too long: at most {ctx['max_length']} characters"
    if kind == "too_long":
        return f"{label}: at most {ctx['max_length']} items"
    if kind == "greater_than_equal":
        return f"{label} must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"{label} must be at most {ctx['le']}"
    if kind == "string_type":
        return f"{label} must be text"
    if kind in _NUMBER_ERRORS:
        return f"{label} must be a number"
    if kind == "enum":
        return f"{label}: choose one of {ctx['expected']}"
    if kind.startswith("date"):
        return f"{label}: give a date such as 2026-09-30"
    if kind.startswith("bool"):
        return f"{label}: answer yes or no"
    return f"{label}: {str(error['msg']).removeprefix('Value error, ')}"

