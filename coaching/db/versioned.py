"""Versioned edits: the rows layer's VersionMismatch becomes the domain's EditConflict, said one way everywhere.

Every record people edit names the version it read (ARCHITECTURE.md); a rows module raises
VersionMismatch when the record moved on meanwhile. A service wraps its write in `versioned`, so the
person always gets the same plain EditConflict ("Someone else changed this team ...") and nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from coaching.core.editing import EditConflict
from coaching.db.errors import VersionMismatch


@contextmanager
def versioned(what: str, conflict: Callable[[str], EditConflict] = EditConflict) -> Iterator[None]:
    """Run a versioned write; a VersionMismatch inside becomes `conflict(what)` (an EditConflict on `what`).

    `conflict` lets a service raise its own EditConflict, e.g. one that carries the record as it now stands.
    """
    try:
        yield
    except VersionMismatch:
        raise conflict(what) from None
