"""Which teams an actor may see named data of: the one statement of scope every scoped read uses.

The system sees every team, a manager their own active teams, anyone else none. Anything outside
that scope is reported exactly like a missing row (PermissionDenied), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Iterable

from coaching.core import subjects
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.db.database import Database
from coaching.db.subjects import reads


def visible_teams(actor: Actor) -> tuple[str, list]:
    """A subquery selecting the ids of the teams the actor may see, and its parameters.

    Reads put it inside their own query, so scope costs no extra round trip.
    """
    _require_someone(actor)
    if actor.role is Role.SYSTEM:
        return "SELECT id FROM team", []
    if actor.role is Role.MANAGER:
        return "SELECT id FROM team WHERE manager_id = ? AND archived_at IS NULL", [actor.id]
    return "SELECT id FROM team WHERE false", []


def visible_team_ids(db: Database, actor: Actor) -> list[int] | None:
    """Team ids the actor may see named data of, remembered until a team changes; None means all (the system)."""
    _require_someone(actor)
    if actor.role is Role.SYSTEM:
        return None
    if actor.role is not Role.MANAGER:
        return []
    return list(db.remembered(_managed_team_ids, db, actor))


@reads(subjects.TEAMS)
def _managed_team_ids(db: Database, actor: Actor) -> tuple[int, ...]:
    sql, params = visible_teams(actor)
    return tuple(r[0] for r in db.query(sql, params))


def team_subjects(db: Database, actor: Actor, team_ids: Iterable[int] | None = None) -> tuple[str, ...]:
    """What a scoped read of responses names (coaching.core.subjects): the teams it may return, and scope itself.

    Those of `team_ids` when given, else every team the actor may see: for the system, every team's.
    """
    ids = visible_team_ids(db, actor) if team_ids is None else team_ids
    if ids is None:
        return subjects.TEAMS, subjects.RESPONSES, subjects.MEMBERS
    return subjects.TEAMS, *(subject for team_id in ids for subject in subjects.team(team_id))


def _require_someone(actor: Actor) -> None:
    """Refuse a read when nobody is logged in (the page passes what its session holds, perhaps nothing)."""
    if not isinstance(actor, Actor):
        raise PermissionDenied("nobody is logged in")


def require_team(db: Database, actor: Actor, team_id: int) -> None:
    """PermissionDenied unless the actor may see this team (worded like a missing team)."""
    visible = visible_team_ids(db, actor)
    if visible is not None and team_id not in visible:
        raise PermissionDenied(f"no team {team_id}")
