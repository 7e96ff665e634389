"""The SQL of agreed routes: a route's steps, each saved as a goal in the same transaction.

Rows in, rows out, no policy (who may agree a route is decided in coaching.one_on_one.development). Invariants:
- a route and the goals of its steps are written in one transaction, after the same check the goals use
  (the member is active, in an active team of the caller's manager): a route is never half saved;
- a member has at most one current route (`replaced_at IS NULL`); saving a new one replaces it, and may
  close (drop) the earlier route's open goals in the same transaction, each with its history row.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coaching.db.database import Database, Transaction
from coaching.db.lists import ID_LIST
from coaching.one_on_one.plan_models import GoalInput
from coaching.one_on_one.plan_rows import insert_goal_in, remember_goal, require_coached

_OPEN = ("planned", "in_progress")


class StepFields(NamedTuple):
    kind: str
    option_key: str
    target_date: dt.date
    goal: GoalInput


class RouteRow(NamedTuple):
    id: int
    member_id: int
    start_track: str | None
    start_level: str | None
    agreed_by: str | None        # the account's name; None: the system (or an erased account)
    agreed_at: dt.datetime
    replaced_at: dt.datetime | None


class StepRow(NamedTuple):
    route_id: int
    position: int
    kind: str
    option_key: str
    target_date: dt.date
    goal_id: int


_ROUTE = ("r.id, r.member_id, r.start_track, r.start_level, u.name, r.agreed_at, r.replaced_at FROM route r"
          " LEFT JOIN app_user u ON u.id = r.agreed_by")
_STEP = "route_id, position, kind, option_key, target_date, goal_id"


class RouteRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def routes_of(self, member_ids: list[int]) -> list[RouteRow]:
        """Every route agreed with these members, oldest first."""
        rows = self.db.query(f"SELECT {_ROUTE} WHERE r.member_id IN {ID_LIST}"  # noqa: S608
                             " ORDER BY r.agreed_at, r.id", [member_ids])
        return [RouteRow(*r) for r in rows]

    def steps_of(self, route_ids: list[int]) -> list[StepRow]:
        rows = self.db.query(f"SELECT {_STEP} FROM route_step WHERE route_id IN {ID_LIST}"  # noqa: S608
                             " ORDER BY route_id, position", [route_ids])
        return [StepRow(*r) for r in rows]

    def save(self, member_id: int, coach: int | None, start: tuple[str | None, str | None],
             steps: list[StepFields], by: int | None, close_earlier: bool, at: dt.datetime) -> tuple[int, list[int]]:
        """Agree a route: its goals, its steps, the earlier route replaced. Returns (route id, goals closed)."""

        def work(tx: Transaction) -> tuple[int, list[int]]:
            require_coached(tx, member_id, coach)
            closed = _close_earlier(tx, member_id, by) if close_earlier else []
            tx.execute("UPDATE route SET replaced_at = ? WHERE member_id = ? AND replaced_at IS NULL", [at, member_id])
            route_id = tx.scalar("INSERT INTO route (member_id, start_track, start_level, agreed_by, agreed_at)"
                                 " VALUES (?, ?, ?, ?, ?) RETURNING id", [member_id, *start, by, at])
            for position, step in enumerate(steps, start=1):
                goal_id = insert_goal_in(tx, member_id, step.goal, by)
                tx.execute(f"INSERT INTO route_step ({_STEP}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                           [route_id, position, step.kind, step.option_key, step.target_date, goal_id])
            return route_id, closed

        return self.db.write(work)


def _close_earlier(tx: Transaction, member_id: int, by: int | None) -> list[int]:
    """Drop the open goals of the member's current route, each with a history row; their ids."""
    closed = [row[0] for row in tx.execute(
        "UPDATE goal SET status = 'dropped', version = version + 1 WHERE status IN (?, ?) AND id IN ("
        " SELECT s.goal_id FROM route_step s JOIN route r ON r.id = s.route_id"
        " WHERE r.member_id = ? AND r.replaced_at IS NULL) RETURNING id", [*_OPEN, member_id])]
    for goal_id in closed:
        remember_goal(tx, goal_id, "edited", None, by)
    return closed
