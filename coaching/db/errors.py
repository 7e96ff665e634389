"""What a *_rows module raises when a write is refused inside its transaction, for every room to catch.

Rows in, rows out, no policy: each service turns these into its own words (EditConflict, "not found", a
refusal naming what is no longer offered). They live below every room so that any *_rows module can raise
them and any service catch them without importing another room.
"""

from __future__ import annotations


class RowMissing(LookupError):
    """The row is not there (or archived, or no longer in the team the caller checked)."""


class VersionMismatch(Exception):
    """The row changed since the caller read it."""


class NotOffered(ValueError):
    """Some levels or options are not (or no longer) on offer; nothing was written."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(", ".join(keys))
