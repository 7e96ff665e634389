"""Moments shown to people: stored in UTC, shown in the organisation's time zone (COACHING_TIMEZONE); and
calendar months counted from a moment (a retention cut-off, the next yearly review)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TypeVar

When = TypeVar("When", bound=dt.date)   # a date or a moment (a datetime is a date)


def moment_text(moment: dt.datetime) -> str:
    """A moment in plain words in its own time zone, e.g. 'Friday 4 December 2026, 23:59 CET'."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}, {moment:%H:%M} {moment.tzname()}"


def months_before(moment: When, months: int) -> When:
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter);
    a negative count goes forward. A date gives a date, a moment a moment."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
