"""Write counts per subject: a remembered read is redone only after a write that could change it.

Why: Streamlit reruns a screen on every click, so reads are remembered between writes (Database.remembered).
With one count for the whole database, every committed write (a respondent's draft saved at each step, an
audit entry written when someone opens a screen, an answer in another manager's team) dropped every
remembered read of every session. Here a write names the subjects it touches, a remembered read the
subjects it reads, and a result is kept until a write touches one of them.

Subjects are paths, "responses/team/7": a write to a subject is a write to everything under it, and a read
of a subject reads everything under it. A write to "responses/team/7" drops the reads of "responses/team/7",
"responses" (the organisation's responses) and of the root, and no read of "responses/team/8" nor of
"sessions". Safe by default:
- a write that names no subject touches the root (""), above every subject: it drops every remembered read;
- a read that names no subject reads the root, so any write drops it.
The rule for whoever names a read's subjects: name every subject whose writes could change the result,
those of the reads it makes included. Writes that name nothing drop everything anyway, so only the subjects
that writes name (coaching.core.subjects) need thinking about.

How: each subject has two counts, `under` (writes to it or to a subject under it) and `at` (writes to it
exactly). A read of X is keyed on X's `under` and the `at` of every subject above X: a write under X, at X or
above it moves one of them, a write beside X none. A write may count for more than one (`n`): the responses
stored, say, so a count also tells how many arrived since (the reliability estimate's growth).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

ROOT = ""
#: What a read that names no subject reads, and what a write that names none touches.
EVERYTHING = (ROOT,)
_SUBJECT = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")
F = TypeVar("F", bound=Callable[..., Any])


class Count(NamedTuple):
    """One subject's writes: `under` it (itself included) and `at` it exactly."""

    under: int = 0
    at: int = 0


def lineage(subject: str) -> tuple[str, ...]:
    """The subject and every subject above it, the root first: "a/b" gives ("", "a", "a/b")."""
    if subject == ROOT:
        return EVERYTHING
    if not _SUBJECT.fullmatch(subject):
        raise ValueError(f"not a subject: {subject!r} (lower-case words joined by '/')")
    parts = subject.split("/")
    return (ROOT, *("/".join(parts[:i]) for i in range(1, len(parts) + 1)))


def growth(touched: Mapping[str, int]) -> dict[str, Count]:
    """What writes to `touched` (subject: how many) add to each count: `under` up the lineage, `at` on the spot."""
    grown: dict[str, Count] = {}
    for subject, n in touched.items():
        for above in lineage(subject):
            under, at = grown.get(above, Count())
            grown[above] = Count(under + n, at + (n if above == subject else 0))
    return grown


def needed(subjects: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """The counts a read of `subjects` is keyed on: (subject, 0) for its `under`, (subject, 1) for an `at`.

    The root's `at` always: a write that names nothing drops every result, one that reads no subject too.
    """
    found: dict[tuple[str, int], None] = {(ROOT, 1): None}
    for subject in subjects:
        *above, itself = lineage(subject)
        found[(itself, 0)] = None
        found.update(((a, 1), None) for a in above)
    return tuple(found)


class LocalCounts:
    """Counts kept in this process: every write on an engine that keeps none, and changes that live only here."""

    def __init__(self) -> None:
        self._counts: dict[str, Count] = {}
        self._lock = threading.Lock()

    def add(self, grown: Mapping[str, Count]) -> None:
        with self._lock:
            for subject, (under, at) in grown.items():
                was = self._counts.get(subject, Count())
                self._counts[subject] = Count(was.under + under, was.at + at)

    def values(self, wanted: Sequence[tuple[str, int]]) -> tuple[int, ...]:
        return values(self._counts, wanted)


def values(counts: Mapping[str, Count], wanted: Sequence[tuple[str, int]]) -> tuple[int, ...]:
    """The wanted counts out of a mapping of subjects to counts (a missing subject was never written)."""
    return tuple(counts.get(subject, Count())[which] for subject, which in wanted)


def reads(*subjects: str | Callable[..., Iterable[str]]) -> Callable[[F], F]:
    """Name what a remembered read reads (see the module's rule); without this it reads everything.

    Each is a subject, or a function given the read's own arguments that returns subjects (a team's, say).
    `@reads()` names none: for a pure function of its arguments, kept until a write that names nothing.
    """

    def of(args: tuple) -> tuple[str, ...]:
        found: list[str] = []
        for subject in subjects:
            found.extend([subject] if isinstance(subject, str) else subject(*args))
        return tuple(found)

    def named(read: F) -> F:
        read.read_subjects = of  # type: ignore[attr-defined]
        return read

    return named


def read_subjects(read: Callable[..., Any], args: tuple) -> tuple[str, ...]:
    """The subjects `read(*args)` names, or EVERYTHING when it names none."""
    of = getattr(read, "read_subjects", None)
    return EVERYTHING if of is None else of(args)
