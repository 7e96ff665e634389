"""Moments shown to people: stored in UTC, shown in the organisation's time zone (COACHING_TIMEZONE)."""

from __future__ import annotations

import datetime as dt


def moment_text(moment: dt.datetime) -> str:
    """A moment in plain words in its own time zone, e.g. 'Friday 4 December 2026, 23:59 CET'."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}, {moment:%H:%M} {moment.tzname()}"
