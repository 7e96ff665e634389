"""Who is acting. Every store call that touches people's data takes an Actor and filters by it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    ADMIN = "admin"
    RESPONDENT = "respondent"
    SYSTEM = "system"   # start-up, demo seeding, the CLI on a stopped app


@dataclass(frozen=True)
class Actor:
    role: Role
    id: int | None
    name: str

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER


SYSTEM = Actor(Role.SYSTEM, None, "Aspire")


class PermissionDenied(LookupError):
    """The actor may not see or change this. Worded like "not found" so ids cannot be probed."""
