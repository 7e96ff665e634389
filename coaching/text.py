"""What any text typed by a person must satisfy before it is stored: shown exactly as typed later.

Quotes, markup, right-to-left marks and every script are ordinary characters (SQL takes them as
bound parameters, screens escape them). Only a NUL byte, which many tools silently cut text at,
and a lone surrogate, which cannot be encoded as UTF-8, are refused, along with text over a limit.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


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
