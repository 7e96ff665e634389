"""The running product as every room sees it: settings, the database, and what is built once per process.

Rooms keep their own per-process objects (the questionnaire versions, reliability estimates, the
account service) in the `shared` slot, so this module needs nothing above the database and governance.
coaching.startup builds an Aspire: it brings the database up to date and installs what ships.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from coaching.core.actors import Actor
from coaching.core.settings import Settings
from coaching.db.database import Database
from coaching.db.meta import meta
from coaching.governance.audit import AuditLog

T = TypeVar("T")


@dataclass(eq=False)   # one per process, hashed by identity: part of every remembered key
class Aspire:
    settings: Settings
    db: Database
    _shared: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)
    _shared_lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @cached_property
    def is_demo(self) -> bool:
        """Whether the database holds the demo organisation: asked on every rerun, so read once per process.

        The flag is written only while seeding an empty database, at start-up, before anyone asks.
        """
        return meta(self.db, "demo") == "true"

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.db)

    def remembered(self, actor: Actor, read: Callable[..., T], *args: Hashable) -> T:
        """What `read(self, actor, *args)` gives, kept until a committed write touches a subject it
        reads (Database.remembered).

        The key is built there, never by hand: the function, this Aspire, the actor (what a person may see is
        part of every result) and the arguments, which must be cheap hashable values (ids, not records). So two
        people never share a result, and neither do two functions or two sets of arguments.
        """
        return self.db.remembered(read, self, actor, *args)

    def shared(self, key: Hashable, build: Callable[[], T]) -> T:
        """What `build` gives for `key`, built once per process and kept until `close`.

        For objects a room builds once and every thread uses (they guard their own state). Builds run one at
        a time, so two threads never build the same object twice; a build may ask for another shared object.
        """
        with self._shared_lock:
            if key not in self._shared:
                self._shared[key] = build()
            return self._shared[key]

    def close(self) -> None:
        self.db.close()
