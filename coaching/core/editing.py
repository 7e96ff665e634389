"""Concurrent edits: a change names the version it read, and loses (saving nothing) when another came first.

Teams, members, goals, actions, notes and catalogue options all work this way, so two tabs or two
people never overwrite each other silently: the second is told, keeps what they typed, and may retry.
"""

from __future__ import annotations


class EditConflict(Exception):
    """Someone else changed the record after it was read; nothing was saved."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Someone else changed this {what} after you opened it, so your change was not saved. "
            "Check the current details, then save again to apply yours."
        )
