"""The SQL of responses and waves: batched inserts, scoped reads, and the unnamed inputs of reliability.

Rows in, rows out (who may submit is decided in coaching.measurement.responses, the one write path).
Invariants:
- each member has at most one current response per wave: a new one replaces it, and the replaced
  response names its successor (`replaced_by`), so a reliability estimate can follow what changed;
- a straight-lined response is stored and shown but never part of a reliability estimate;
- scoped reads put the actor's visible teams (coaching.governance.scope) inside their own query.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from coaching.core import subjects
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.needs import SCALES
from coaching.db.database import Database, Transaction
from coaching.db.lists import ID_LIST
from coaching.db.subjects import reads
from coaching.governance.scope import require_team, visible_teams
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import Instrument
from coaching.measurement.scoring import RatingSums, is_straight_line


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Wave(_Record):
    id: int
    name: str
    starts_on: dt.date


class NewResponse(_Record):
    """A validated, scored submission ready to store."""

    member_id: int
    wave_id: int
    instrument_version: int
    answers: Answers
    scores: dict[str, float]
    submitted_at: dt.datetime
    round_id: int | None = None
    language: str = "en"     # the language it was answered in (same items and scale in every language)


class StoredResponse(_Record):
    id: int
    member_id: int
    member_name: str
    team_id: int
    wave_id: int
    instrument_version: int
    submitted_at: dt.datetime
    answers: Answers
    scores: dict[str, float]


class CurrentSums(NamedTuple):
    """Rating sums over the current responses to one instrument version, and which responses they cover.

    `id_sum` (with `sums.n`) tells whether that set has changed since; `top_id` is the highest response id
    of any version when they were taken: responses above it are newer.
    """

    sums: RatingSums
    id_sum: int
    top_id: int
    left_out: int = 0       # current straight-lined responses to the version: never part of the sums


# The columns of a StoredResponse without its answers; a read adds its WHERE clause.
_HEAD = (
    "SELECT r.id, r.member_id, coalesce(m.name, '') AS member_name, coalesce(m.team_id, 0), r.wave_id,"
    " r.instrument_version, r.submitted_at, r.life_stage FROM response r LEFT JOIN member m ON m.id = r.member_id"
)

# The answer tables, in the order `_stored` takes them, with the two columns each contributes.
_ANSWER_PARTS = (("response_rating", "item_id, value"), ("response_choice", "rank, need"),
                 ("response_reflection", "reflection_id, text"), ("response_score", "scale, score"))

# Which responses a rating-sums query covers, given the highest response id ($top) of an earlier snapshot.
# Which responses a reliability estimate rests on: never a straight-lined one
# (coaching.measurement.scoring.is_straight_line).
_CURRENT = "r.is_current AND NOT r.straight_lined"
_JOINED_SINCE = "r.is_current AND NOT r.straight_lined AND r.id > $top"    # current now, newer than the snapshot
_LEFT_SINCE = "r.id <= $top AND r.replaced_by > $top AND NOT r.straight_lined"  # current then, replaced after


class ResponseRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def response_count(self, instrument_version: int) -> int:
        """How many current responses a version has: tells a cached reliability estimate it is stale."""
        return self.db.scalar(
            "SELECT count(*) FROM response WHERE instrument_version = ? AND is_current", [instrument_version])

    # ---- waves -------------------------------------------------------------------------------------

    def ensure_wave(self, name: str, starts_on: dt.date) -> int:
        def work(tx: Transaction) -> int:
            found = tx.scalar("SELECT id FROM wave WHERE name = ?", [name])
            if found is not None:
                return found
            return tx.scalar("INSERT INTO wave (name, starts_on) VALUES (?, ?) RETURNING id", [name, starts_on])

        return self.db.write(work)

    def waves(self) -> list[Wave]:
        """Every wave, oldest first; kept until a write touches the waves."""
        return list(self.db.remembered(self._waves, self.db))

    @staticmethod
    @reads(subjects.WAVES)
    def _waves(db: Database) -> tuple[Wave, ...]:
        """The waves are the organisation's calendar, the same for everyone: no actor is part of what is remembered."""
        return tuple(Wave(id=r[0], name=r[1], starts_on=r[2])
                     for r in db.query("SELECT id, name, starts_on FROM wave ORDER BY starts_on"))

    # ---- responses ---------------------------------------------------------------------------------

    def insert(self, responses: Sequence[NewResponse]) -> list[int]:
        """Store submissions in one transaction; each becomes its member's current one for its wave."""
        return self.db.write_many(_insert_responses, responses)

    def current_responses(
        self, actor: Actor, wave_id: int, team_ids: Iterable[int] | None = None
    ) -> list[StoredResponse]:
        """The current response of every visible member in a wave, optionally for some teams only."""
        visible, scope = visible_teams(actor)
        wanted = "" if team_ids is None else f" AND m.team_id IN {ID_LIST}"
        return self._with_answers(
            f"{_HEAD} WHERE r.wave_id = ? AND r.is_current AND m.archived_at IS NULL"
            f" AND m.team_id IN ({visible}){wanted}",
            [wave_id, *scope, *([] if team_ids is None else [list(team_ids)])],
        )

    def team_scale_means(self, actor: Actor, wave_id: int) -> dict[str, tuple[int, dict[str, float]]]:
        """Per team (by name): respondents and mean per scale in a wave. Admins only.

        Means and counts only: a minimum or maximum would be one person's score. The caller applies
        the group-size rule (coaching.governance.aggregates) before showing anything.
        """
        if actor.role not in (Role.ADMIN, Role.SYSTEM):
            raise PermissionDenied("organisation-wide figures are for admins")
        rows = self.db.query(
            "SELECT t.name, s.scale, avg(s.score), count(*) FROM response_score s"
            " JOIN response r ON r.id = s.response_id JOIN member m ON m.id = r.member_id"
            " JOIN team t ON t.id = m.team_id"
            " WHERE r.wave_id = ? AND r.is_current AND m.archived_at IS NULL GROUP BY t.name, s.scale",
            [wave_id],
        )
        teams: dict[str, tuple[int, dict[str, float]]] = {}
        for team, scale, mean, count in rows:
            n, means = teams.get(team, (0, {}))
            means[scale] = mean
            teams[team] = (max(n, count), means)
        return teams

    def reading_shown(self, actor: Actor, team_id: int, member_id: int) -> tuple[int, str, int] | None:
        """(response id, reading, responses the estimate rested on) the one-on-one page last showed, if any."""
        require_team(self.db, actor, team_id)
        rows = self.db.query("SELECT response_id, reading, basis FROM reading_shown WHERE member_id = ?", [member_id])
        return tuple(rows[0]) if rows else None

    def record_reading(self, actor: Actor, team_id: int, member_id: int, response_id: int, reading: str,
                       basis: int) -> None:
        """Remember the reading the one-on-one page shows now, replacing the one shown before."""
        require_team(self.db, actor, team_id)
        self.db.write(lambda tx: tx.execute(
            "INSERT INTO reading_shown (member_id, response_id, reading, basis, shown_at) VALUES (?, ?, ?, ?, now())"
            " ON CONFLICT (member_id) DO UPDATE SET response_id = excluded.response_id, reading = excluded.reading,"
            " basis = excluded.basis, shown_at = excluded.shown_at", [member_id, response_id, reading, basis]),
            touches=[subjects.readings(team_id)])

    def own_response(self, actor: Actor, wave_id: int) -> StoredResponse | None:
        """A respondent's own current response in a wave (through their link); nobody else's."""
        if actor.role is not Role.RESPONDENT:
            raise PermissionDenied("only the person themselves reads their answers this way")
        found = self._with_answers(f"{_HEAD} WHERE r.wave_id = ? AND r.is_current AND r.member_id = ?",
                                   [wave_id, actor.id])
        return found[0] if found else None

    def answers_for_version(self, instrument_version: int) -> list[Answers]:
        """Every current response to one instrument version, unnamed: the input of reliability estimates.

        Straight-lined responses are left out: they say nothing about how a scale's statements hang together.
        """
        found = self._with_answers(f"{_HEAD} WHERE r.instrument_version = ? AND r.is_current AND NOT r.straight_lined",
                                   [instrument_version])
        return [r.answers for r in found]

    def answers_by_language(self, instrument_version: int) -> dict[str, list[Answers]]:
        """The current responses to one version grouped by the language they were answered in, unnamed.

        Responses stored before languages were recorded were answered in English.
        """
        languages = dict(self.db.query(
            "SELECT id, coalesce(language, 'en') FROM response WHERE instrument_version = ? AND is_current",
            [instrument_version]))
        found = self._with_answers(f"{_HEAD} WHERE r.instrument_version = ? AND r.is_current", [instrument_version])
        grouped: dict[str, list[Answers]] = {}
        for response in found:
            grouped.setdefault(languages.get(response.id, "en"), []).append(response.answers)
        return grouped

    def current_rating_sums(self, instrument: Instrument, known: CurrentSums | None = None) -> CurrentSums:
        """Rating sums over the current responses to this version (unnamed: the input of its reliability).

        Given the sums of an earlier call, only the responses that joined the set since (newer ids) and those
        that left it (replaced since) are read, so a new answer costs what it adds, not a pass over every
        response. When the result does not account for the set as it is now (responses were erased or
        purged), the sums are taken afresh. All in one snapshot. Straight-lined responses are never part of
        the set; how many current ones were left out is counted beside it.
        """
        top = 0 if known is None else known.top_id
        counts = ", ".join(f"count(*) FILTER (WHERE r.instrument_version = $version AND {which}),"
                           f" coalesce(sum(r.id) FILTER (WHERE r.instrument_version = $version AND {which}), 0)"
                           for which in (_CURRENT, _JOINED_SINCE, _LEFT_SINCE))

        def work(tx: Transaction) -> CurrentSums:
            row = tx.execute(f"SELECT coalesce(max(r.id), 0), {counts}, count(*) FILTER (WHERE"  # noqa: S608
                             " r.instrument_version = $version AND r.is_current AND r.straight_lined) FROM response r",
                             {"version": instrument.version, "top": top})[0]
            now, n, id_sum, joined_n, joined_ids, left_n, left_ids, left_out = row
            if known is not None and (known.sums.n, known.id_sum) == (n, id_sum):
                return CurrentSums(known.sums, id_sum, now, left_out)
            if known is not None and (known.sums.n + joined_n - left_n, known.id_sum + joined_ids - left_ids) == (
                    n, id_sum):
                sums = (known.sums + _rating_sums(tx, instrument, _JOINED_SINCE, top, joined_n)
                        - _rating_sums(tx, instrument, _LEFT_SINCE, top, left_n))
                return CurrentSums(sums, id_sum, now, left_out)
            return CurrentSums(_rating_sums(tx, instrument, _CURRENT, top, n), id_sum, now, left_out)

        return self.db.read(work)

    def _with_answers(self, heads: str, params: list) -> list[StoredResponse]:
        """The responses a `_HEAD` query selects, by member name, each with its answers and scores.

        One snapshot: a response replaced or erased meanwhile is never shown with half its answers.
        Separate queries per answer table measured faster (DuckDB 2.0) than one query joining them.
        """

        def work(tx: Transaction) -> list[StoredResponse]:
            found = tx.execute(f"{heads} ORDER BY member_name, r.id", params)
            ids = [[row[0] for row in found]]
            if not found:
                return []
            parts = {table: _by_response(tx.execute(
                f"SELECT response_id, {columns} FROM {table}"  # noqa: S608 - constants
                f" WHERE response_id IN {ID_LIST}", ids)) for table, columns in _ANSWER_PARTS}
            return [_stored(row, *(parts[table].get(row[0], []) for table, _ in _ANSWER_PARTS)) for row in found]

        return self.db.read(work)


def _rating_sums(tx: Transaction, instrument: Instrument, which: str, top: int, n: int) -> RatingSums:
    """Sums of flipped ratings over the `n` responses to `instrument` that `which` selects ($top: a snapshot's)."""
    if not n:
        return RatingSums()
    pairs = [(scale, item) for scale in SCALES for item in instrument.items_for(scale)]
    rows = tx.execute(
        # each selected response's rating of each item of each scale, flipped where reverse-worded; then per
        # (scale, item) its sum and sum of squares, and per (scale, total of a response) how many reached it.
        # Ratings of responses newer than the snapshot sit together on disk: `rr.response_id > $above` lets
        # DuckDB skip the rest when only those are wanted.
        "WITH item(scale, item_id, reverse) AS (SELECT ($scales::VARCHAR[])[i], ($items::VARCHAR[])[i],"  # noqa: S608
        " ($reverse::BOOLEAN[])[i] FROM generate_series(1, $count) AS g(i)),"
        " value AS (SELECT rr.response_id, item.scale, item.item_id,"
        " CASE WHEN item.reverse THEN $flip - rr.value ELSE rr.value END AS v"
        " FROM response_rating rr JOIN response r ON r.id = rr.response_id JOIN item ON item.item_id = rr.item_id"
        f" WHERE rr.response_id > $above AND r.instrument_version = $version AND {which})"
        " SELECT scale, item_id, NULL, sum(v), sum(v * v) FROM value GROUP BY scale, item_id"
        " UNION ALL SELECT scale, NULL, total, count(*), NULL FROM (SELECT response_id, scale, sum(v) AS total"
        " FROM value GROUP BY response_id, scale) AS t GROUP BY scale, total",
        {"scales": [s for s, _ in pairs], "items": [i.id for _, i in pairs], "reverse": [i.reverse for _, i in pairs],
         "count": len(pairs),
         "flip": instrument.scale.min + instrument.scale.max, "version": instrument.version,
         "above": top if which == _JOINED_SINCE else 0} | ({"top": top} if "$top" in which else {}))
    return RatingSums(n=n, items={(s, i): (int(t), int(q)) for s, i, _, t, q in rows if i is not None},
                      totals={(s, int(total)): c for s, i, total, c, _ in rows if i is None})


def _by_response(rows: list[tuple]) -> dict[int, list[tuple]]:
    """Rows (response id, a, b) grouped by response id into lists of (a, b)."""
    grouped: dict[int, list[tuple]] = {}
    for key, *rest in rows:
        grouped.setdefault(key, []).append(tuple(rest))
    return grouped


def _stored(head: tuple, ratings: list, choices: list, reflections: list, scores: list) -> StoredResponse:
    id_, member_id, member_name, team_id, wave_id, version, submitted_at, life_stage = head
    return StoredResponse(
        id=id_, member_id=member_id, member_name=member_name, team_id=team_id, wave_id=wave_id,
        instrument_version=version, submitted_at=submitted_at,
        answers=Answers(ratings=dict(ratings), top_three=tuple(need for _, need in sorted(choices)),
                        reflections=dict(reflections), life_stage=life_stage),
        scores=dict(scores),
    )


def _insert_responses(tx: Transaction, responses: list[NewResponse]) -> list[int]:
    """Store submissions with one statement per table; each replaces its member's current response for its wave.

    Ids are drawn first, in order, so a later submission in the batch replaces an earlier one for the same
    member and wave exactly as if they had been stored one by one. A replaced response names its successor.
    """
    ids = tx.next_ids("response_ids", len(responses))
    first_of: dict[tuple[int, int], int] = {}
    replaced_by: list[int | None] = [None] * len(responses)
    for index in reversed(range(len(responses))):
        key = (responses[index].member_id, responses[index].wave_id)
        replaced_by[index] = first_of.get(key)
        first_of[key] = ids[index]
    tx.execute(
        "UPDATE response SET is_current = false, replaced_by = new.id FROM (SELECT (?::INTEGER[])[i],"
        " (?::INTEGER[])[i], (?::INTEGER[])[i] FROM generate_series(1, ?) AS g(i)) AS new(member_id, wave_id, id)"
        " WHERE response.member_id = new.member_id AND response.wave_id = new.wave_id AND response.is_current",
        [[m for m, _ in first_of], [w for _, w in first_of], list(first_of.values()), len(first_of)],
    )
    tx.insert_rows(
        "response", ("id", "member_id", "wave_id", "round_id", "instrument_version", "submitted_at", "life_stage",
                     "is_current", "replaced_by", "straight_lined", "language"),
        [(i, r.member_id, r.wave_id, r.round_id, r.instrument_version, r.submitted_at, r.answers.life_stage,
          by is None, by, is_straight_line(r.answers), r.language)
         for i, r, by in zip(ids, responses, replaced_by, strict=True)])
    pairs = list(zip(ids, responses, strict=True))
    tx.insert_rows("response_rating", ("response_id", "item_id", "value"),
                   [(i, item, value) for i, r in pairs for item, value in r.answers.ratings.items()])
    tx.insert_rows("response_choice", ("response_id", "rank", "need"),
                   [(i, rank, str(need)) for i, r in pairs for rank, need in enumerate(r.answers.top_three, start=1)])
    tx.insert_rows("response_reflection", ("response_id", "reflection_id", "text"),
                   [(i, key, text) for i, r in pairs for key, text in r.answers.reflections.items()])
    tx.insert_rows("response_score", ("response_id", "scale", "score"),
                   [(i, scale, score) for i, r in pairs for scale, score in r.scores.items()])
    _touch_responses(tx, responses)
    return ids


def _touch_responses(tx: Transaction, responses: list[NewResponse]) -> None:
    """Name what storing these responses touches: their members' teams, and their versions once per response."""
    teams = tx.execute(f"SELECT DISTINCT team_id FROM member WHERE id IN {ID_LIST}",  # noqa: S608 - a constant
                       [[r.member_id for r in responses]])
    tx.touch(*(subjects.RESPONSES if t is None else subjects.responses(t) for (t,) in teams))
    for version, n in Counter(r.instrument_version for r in responses).items():
        tx.touch(subjects.version_responses(version), n=n)
