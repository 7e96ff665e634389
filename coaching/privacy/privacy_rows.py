"""SQL of a person's rights: their member records by e-mail, their erasure, and the retention purge.

Rows in, rows out, no policy (that lives in coaching.privacy.requests). Invariants:
- members are found by e-mail case-insensitively (`lower(email)`), archived ones included: a data
  request covers everything the organisation holds, not only what screens show;
- `erase` and `purge` each run in one transaction (`Database.write`): all of it or nothing;
- the tables that hang off a member are listed once, in `MEMBER_TABLES`, children before parents;
  a new table that holds a member's data must join it (tests check every `member_id` column);
- everything held about a member is read by coaching.one_on_one.member_data_rows (MemberData), for the
  export and the one-on-one CSV alike.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from coaching.db.database import Database, Transaction
from coaching.db.lists import ID_LIST
from coaching.one_on_one.member_data_rows import RESPONSES_OF, MemberRow

_GOALS_OF = f"(SELECT id FROM goal WHERE member_id IN {ID_LIST})"  # noqa: S608 - a fixed fragment
_ROUTES_OF = f"(SELECT id FROM route WHERE member_id IN {ID_LIST})"  # noqa: S608 - a fixed fragment

# (table, the WHERE clause selecting one member's rows, given the member ids as the only parameter).
MEMBER_TABLES: tuple[tuple[str, str], ...] = (
    ("response_rating", f"response_id IN {RESPONSES_OF}"),
    ("response_choice", f"response_id IN {RESPONSES_OF}"),
    ("response_reflection", f"response_id IN {RESPONSES_OF}"),
    ("response_score", f"response_id IN {RESPONSES_OF}"),
    ("reading_shown", f"member_id IN {ID_LIST}"),
    ("response", f"member_id IN {ID_LIST}"),
    ("member_option", f"member_id IN {ID_LIST}"),
    ("response_draft", f"member_id IN {ID_LIST}"),
    ("delivery", f"member_id IN {ID_LIST}"),
    ("invitation", f"member_id IN {ID_LIST}"),
    ("goal_action", f"goal_id IN {_GOALS_OF}"),
    ("goal_history", f"member_id IN {ID_LIST}"),
    ("goal", f"member_id IN {ID_LIST}"),
    ("route_step", f"route_id IN {_ROUTES_OF}"),
    ("route", f"member_id IN {ID_LIST}"),
    ("note_history", f"member_id IN {ID_LIST}"),
    ("note", f"member_id IN {ID_LIST}"),
    ("member", f"id IN {ID_LIST}"),
)

# The raw answers of responses submitted before a moment (the only parameter), children first.
_OLD = "(SELECT id FROM response WHERE submitted_at < ?)"
ANSWER_TABLES: tuple[tuple[str, str], ...] = (
    ("response_rating", f"response_id IN {_OLD}"),
    ("response_choice", f"response_id IN {_OLD}"),
    ("response_reflection", f"response_id IN {_OLD}"),
    ("response_score", f"response_id IN {_OLD}"),
    ("reading_shown", f"response_id IN {_OLD}"),
    ("response", "submitted_at < ?"),
)


class Snapshot(NamedTuple):
    wave_id: int
    wave: str | None
    scale: str
    n: int
    mean: float


class PurgeRows(NamedTuple):
    removed: dict[str, int]                 # table -> rows deleted
    kept: list[Snapshot]                    # aggregates written before the delete
    waves_too_small: list[str]              # waves with purged current responses but too few to keep


class PrivacyRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- reads -------------------------------------------------------------------------------------

    def members_by_email(self, email: str) -> list[MemberRow]:
        rows = self.db.query(
            "SELECT m.id, m.team_id, t.name, m.name, m.email, m.role_title, m.track, m.level, m.created_at,"
            " m.archived_at, m.language FROM member m LEFT JOIN team t ON t.id = m.team_id"
            " WHERE lower(m.email) = ? ORDER BY m.id",
            [email.strip().lower()],
        )
        return [MemberRow(*r) for r in rows]

    def row_counts(self, member_ids: list[int]) -> dict[str, int]:
        """How many rows each member table holds for these members (what an erasure would remove)."""
        return {
            table: self.db.scalar(f"SELECT count(*) FROM {table} WHERE {where}", [member_ids])  # noqa: S608
            for table, where in MEMBER_TABLES
        }

    def older_answer_counts(self, before: dt.datetime) -> dict[str, int]:
        """How many rows a purge of responses submitted before `before` would remove, per table."""
        return {
            table: self.db.scalar(f"SELECT count(*) FROM {table} WHERE {where}", [before])  # noqa: S608
            for table, where in ANSWER_TABLES
        }

    # ---- writes ------------------------------------------------------------------------------------

    def erase(self, member_ids: list[int]) -> dict[str, int]:
        """Delete every row of these members, in one transaction; rows deleted per table."""

        def work(tx: Transaction) -> dict[str, int]:
            return {table: _deleted(tx, table, where, [member_ids]) for table, where in MEMBER_TABLES}

        return self.db.write(work)

    def purge(self, before: dt.datetime, min_group: int) -> PurgeRows:
        """Keep per-wave aggregates that pass the group-size rule, then delete the older raw answers.

        One transaction: the aggregates of the current responses submitted before `before` (mean and
        count per wave and scale, only where the count reaches `min_group`) are written to
        aggregate_snapshot, then those responses and every older submission are deleted.
        """

        def work(tx: Transaction) -> PurgeRows:
            kept = tx.execute(
                "INSERT INTO aggregate_snapshot (wave_id, scale, n, mean, purged_before)"
                " SELECT r.wave_id, s.scale, count(*), avg(s.score), ? FROM response_score s"
                " JOIN response r ON r.id = s.response_id WHERE r.submitted_at < ? AND r.is_current"
                " GROUP BY r.wave_id, s.scale HAVING count(*) >= ?"
                " RETURNING wave_id, scale, n, mean",
                [before, before, min_group],
            )
            waves = dict(tx.execute("SELECT id, name FROM wave"))
            purged_waves = [r[0] for r in tx.execute(
                "SELECT DISTINCT wave_id FROM response WHERE submitted_at < ? AND is_current ORDER BY wave_id",
                [before])]
            kept_waves = {r[0] for r in kept}
            removed = {table: _deleted(tx, table, where, [before]) for table, where in ANSWER_TABLES}
            return PurgeRows(
                removed=removed,
                kept=sorted((Snapshot(w, waves.get(w), s, n, mean) for w, s, n, mean in kept),
                            key=lambda k: (k.wave_id, k.scale)),
                waves_too_small=[waves.get(w) or str(w) for w in purged_waves if w not in kept_waves],
            )

        return self.db.write(work)

    def snapshots(self) -> list[Snapshot]:
        rows = self.db.query(
            "SELECT a.wave_id, w.name, a.scale, a.n, a.mean FROM aggregate_snapshot a"
            " LEFT JOIN wave w ON w.id = a.wave_id ORDER BY a.wave_id, a.scale, a.id")
        return [Snapshot(*r) for r in rows]


def _deleted(tx: Transaction, table: str, where: str, params: list) -> int:
    """Delete the rows of `table` matching `where`; how many went (counted the same way by both engines)."""
    return int(tx.scalar(f"WITH gone AS (DELETE FROM {table} WHERE {where} RETURNING 1)"  # noqa: S608 - constants
                         " SELECT count(*) FROM gone", params))
