"""The store: the only module that speaks SQL. Services call its methods; nothing DuckDB leaks out.

Every method that reads or changes people's data takes the acting user and filters by what that
user may see: a manager only their own teams, a respondent only themselves. Anything outside that
scope is reported exactly like a missing row (PermissionDenied), so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.needs import NEEDS, SCALES
from coaching.db.database import Database, Transaction
from coaching.db.migrations import migrate
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import Instrument
from coaching.measurement.scoring import RatingSums, is_straight_line
from coaching.paths.catalogue import Catalogue, PathOption


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Wave(_Record):
    id: int
    name: str
    starts_on: dt.date


class Team(_Record):
    id: int
    name: str
    manager_id: int
    version: int


class NewMember(_Record):
    name: str
    email: str
    role_title: str | None = None
    track: str | None = None
    level: str | None = None
    language: str | None = None     # a shipped language code for the questionnaire and e-mails; None: the browser's


class Member(NewMember):
    id: int
    team_id: int
    version: int


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


_SUPPORT_COLUMNS = ", ".join(f"support_{n}" for n in NEEDS)
# The columns of one catalogue option, in the order _option_row writes and _option_from_row reads them.
OPTION_COLUMNS = (f"key, kind, name, rank, scope, why, openings, {_SUPPORT_COLUMNS}, band_min, band_mid, band_max,"
                  " currency, expectations, entry_rung")
OPTION_SLOTS = ", ".join("?" * (OPTION_COLUMNS.count(",") + 1))

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


def open_store(path: Path | str) -> Store:
    """Open (or create) a database file and bring its schema up to date."""
    db = Database(path)
    migrate(db)
    return Store(db)


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db

    def close(self) -> None:
        self.db.close()

    # ---- scope ---------------------------------------------------------------------------------

    def _visible_teams(self, actor: Actor) -> tuple[str, list]:
        """A subquery selecting the ids of the teams the actor may see named data of, and its parameters.

        The one statement of scope: the system sees every team, a manager their own active teams, anyone
        else none. Reads put it inside their own query, so scope costs no extra round trip.
        """
        if not isinstance(actor, Actor):
            raise PermissionDenied("nobody is logged in")
        if actor.role is Role.SYSTEM:
            return "SELECT id FROM team", []
        if actor.role is Role.MANAGER:
            return "SELECT id FROM team WHERE manager_id = ? AND archived_at IS NULL", [actor.id]
        return "SELECT id FROM team WHERE false", []

    def _visible_team_ids(self, actor: Actor) -> list[int] | None:
        """Team ids the actor may see named data of; None means all (the system itself)."""
        sql, params = self._visible_teams(actor)
        if actor.role is Role.SYSTEM:
            return None
        if actor.role is not Role.MANAGER:
            return []
        return list(self.db.remember(("visible teams", actor),
                                     lambda: tuple(r[0] for r in self.db.query(sql, params))))

    def require_team(self, actor: Actor, team_id: int) -> None:
        """PermissionDenied unless the actor may see this team (worded like a missing team)."""
        visible = self._visible_team_ids(actor)
        if visible is not None and team_id not in visible:
            raise PermissionDenied(f"no team {team_id}")

    # ---- facts about the database -------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        return self.db.scalar("SELECT value FROM app_meta WHERE key = ?", [key])

    def set_meta(self, key: str, value: str) -> None:
        self.db.write(lambda tx: tx.execute(
            "INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value]))

    def response_count(self, instrument_version: int) -> int:
        """How many current responses a version has: tells a cached reliability estimate it is stale."""
        return self.db.scalar(
            "SELECT count(*) FROM response WHERE instrument_version = ? AND is_current", [instrument_version])

    # ---- instruments and catalogue ---------------------------------------------------------------

    def install_instrument(self, instrument: Instrument, source: str) -> bool:
        """Record an instrument version once; a version already stored is never replaced."""

        def work(tx: Transaction) -> bool:
            if tx.scalar("SELECT 1 FROM instrument WHERE version = ?", [instrument.version]):
                return False
            tx.execute(
                "INSERT INTO instrument (version, title, source) VALUES (?, ?, ?)",
                [instrument.version, instrument.title, source],
            )
            return True

        return self.db.write(work)

    def instrument_sources(self) -> dict[int, str]:
        return dict(self.db.query("SELECT version, source FROM instrument ORDER BY version"))

    def install_translation(self, version: int, language: str, source: str) -> bool:
        """Record a version's translation once, beside the version's own text (never touched)."""

        def work(tx: Transaction) -> bool:
            if tx.scalar("SELECT 1 FROM instrument_translation WHERE version = ? AND language = ?",
                         [version, language]):
                return False
            tx.execute("INSERT INTO instrument_translation (version, language, source) VALUES (?, ?, ?)",
                       [version, language, source])
            return True

        return self.db.write(work)

    def translation_sources(self) -> dict[tuple[int, str], str]:
        rows = self.db.query("SELECT version, language, source FROM instrument_translation ORDER BY version, language")
        return {(version, language): source for version, language, source in rows}

    def seed_catalogue(self, catalogue: Catalogue) -> bool:
        """Load the shipped catalogue into an empty catalogue table; False when one is already there."""

        def work(tx: Transaction) -> bool:
            if tx.scalar("SELECT count(*) FROM path_option"):
                return False
            tx.executemany(f"INSERT INTO path_option ({OPTION_COLUMNS}) VALUES ({OPTION_SLOTS})",  # noqa: S608
                           [_option_row(o) for o in catalogue.options])
            return True

        return self.db.write(work)

    def catalogue(self, at: dt.datetime | None = None) -> Catalogue:
        """The catalogue as it stood at a moment (now by default)."""
        moment = at or dt.datetime.now(dt.UTC)
        rows = self.db.query(
            f"SELECT {OPTION_COLUMNS} FROM path_option"  # noqa: S608
            " WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY kind, rank, name",
            [moment, moment],
        )
        return Catalogue(options=[_option_from_row(r) for r in rows])

    # ---- waves, teams, members -------------------------------------------------------------------

    def ensure_wave(self, name: str, starts_on: dt.date) -> int:
        def work(tx: Transaction) -> int:
            found = tx.scalar("SELECT id FROM wave WHERE name = ?", [name])
            if found is not None:
                return found
            return tx.scalar("INSERT INTO wave (name, starts_on) VALUES (?, ?) RETURNING id", [name, starts_on])

        return self.db.write(work)

    def waves(self) -> list[Wave]:
        """Every wave, oldest first; kept until the next write."""
        return list(self.db.remember("waves", lambda: tuple(
            Wave(id=r[0], name=r[1], starts_on=r[2])
            for r in self.db.query("SELECT id, name, starts_on FROM wave ORDER BY starts_on"))))

    def teams(self, actor: Actor) -> list[Team]:
        """The active teams the actor may see; kept until the next write, since every screen asks."""
        return list(self.db.remember(("teams", actor), lambda: self._teams(actor)))

    def _teams(self, actor: Actor) -> tuple[Team, ...]:
        visible, scope = self._visible_teams(actor)
        rows = self.db.query(
            f"SELECT id, name, manager_id, version FROM team WHERE archived_at IS NULL AND id IN ({visible})"  # noqa: S608
            " ORDER BY name", scope)
        return tuple(Team(id=r[0], name=r[1], manager_id=r[2], version=r[3]) for r in rows)

    def members(self, actor: Actor, team_id: int) -> list[Member]:
        """A team's active members, if the actor may see the team; kept until the next write."""
        return list(self.db.remember(("members", actor, team_id), lambda: self._members(actor, team_id)))

    def _members(self, actor: Actor, team_id: int) -> tuple[Member, ...]:
        self.require_team(actor, team_id)
        rows = self.db.query(
            "SELECT id, team_id, name, email, role_title, track, level, version, language FROM member"
            " WHERE team_id = ? AND archived_at IS NULL ORDER BY name",
            [team_id],
        )
        return tuple(
            Member(id=r[0], team_id=r[1], name=r[2], email=r[3], role_title=r[4], track=r[5], level=r[6], version=r[7],
                   language=r[8])
            for r in rows
        )

    def is_empty(self) -> bool:
        """True when no team exists yet: the moment demo data may be loaded."""
        return not self.db.scalar("SELECT count(*) FROM team")

    # ---- responses ---------------------------------------------------------------------------------

    def record_responses(self, actor: Actor, responses: Sequence[NewResponse]) -> list[int]:
        """Store submissions in one transaction; each becomes its member's current one for its wave.

        A respondent may only submit for themselves; the system (demo, bulk import) for anyone.
        """
        if actor.role is Role.RESPONDENT and any(r.member_id != actor.id for r in responses):
            raise PermissionDenied("a respondent answers only for themselves")
        if actor.role not in (Role.RESPONDENT, Role.SYSTEM):
            raise PermissionDenied("only the respondent submits answers")
        return self.db.write_many(_insert_responses, responses)

    def current_responses(
        self, actor: Actor, wave_id: int, team_ids: Iterable[int] | None = None
    ) -> list[StoredResponse]:
        """The current response of every visible member in a wave, optionally for some teams only."""
        visible, scope = self._visible_teams(actor)
        wanted = "" if team_ids is None else " AND m.team_id IN (SELECT unnest(?::INTEGER[]))"
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
        self.require_team(actor, team_id)
        rows = self.db.query("SELECT response_id, reading, basis FROM reading_shown WHERE member_id = ?", [member_id])
        return tuple(rows[0]) if rows else None

    def record_reading(self, actor: Actor, team_id: int, member_id: int, response_id: int, reading: str,
                       basis: int) -> None:
        """Remember the reading the one-on-one page shows now, replacing the one shown before."""
        self.require_team(actor, team_id)
        self.db.write(lambda tx: tx.execute(
            "INSERT OR REPLACE INTO reading_shown (member_id, response_id, reading, basis, shown_at)"
            " VALUES (?, ?, ?, ?, now())", [member_id, response_id, reading, basis]))

    def last_submitted(self, actor: Actor, team_id: int) -> dict[int, dt.datetime | None]:
        """Each active member's latest submission in any wave (None: never answered)."""
        self.require_team(actor, team_id)
        rows = self.db.query(
            "SELECT m.id, max(r.submitted_at) FROM member m LEFT JOIN response r ON r.member_id = m.id"
            " WHERE m.team_id = ? AND m.archived_at IS NULL GROUP BY m.id",
            [team_id],
        )
        return dict(rows)

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
                " WHERE response_id IN (SELECT unnest(?::INTEGER[]))", ids)) for table, columns in _ANSWER_PARTS}
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
        "WITH item(scale, item_id, reverse) AS (SELECT * FROM unnest($scales::VARCHAR[]) AS a(v)"  # noqa: S608
        " POSITIONAL JOIN unnest($items::VARCHAR[]) AS b(v) POSITIONAL JOIN unnest($reverse::BOOLEAN[]) AS c(v)),"
        " value AS (SELECT rr.response_id, item.scale, item.item_id,"
        " CASE WHEN item.reverse THEN $flip - rr.value ELSE rr.value END AS v"
        " FROM response_rating rr JOIN response r ON r.id = rr.response_id JOIN item ON item.item_id = rr.item_id"
        f" WHERE rr.response_id > $above AND r.instrument_version = $version AND {which})"
        " SELECT scale, item_id, NULL, sum(v), sum(v * v) FROM value GROUP BY scale, item_id"
        " UNION ALL SELECT scale, NULL, total, count(*), NULL FROM"
        " (SELECT response_id, scale, sum(v) AS total FROM value GROUP BY response_id, scale) GROUP BY scale, total",
        {"scales": [s for s, _ in pairs], "items": [i.id for _, i in pairs], "reverse": [i.reverse for _, i in pairs],
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
    ids = _next_ids(tx, "response_ids", len(responses))
    first_of: dict[tuple[int, int], int] = {}
    replaced_by: list[int | None] = [None] * len(responses)
    for index in reversed(range(len(responses))):
        key = (responses[index].member_id, responses[index].wave_id)
        replaced_by[index] = first_of.get(key)
        first_of[key] = ids[index]
    tx.execute(
        "UPDATE response SET is_current = false, replaced_by = new.id FROM (SELECT * FROM unnest(?::INTEGER[]) AS a(v)"
        " POSITIONAL JOIN unnest(?::INTEGER[]) AS b(v) POSITIONAL JOIN unnest(?::INTEGER[]) AS c(v))"
        " AS new(member_id, wave_id, id)"
        " WHERE response.member_id = new.member_id AND response.wave_id = new.wave_id AND response.is_current",
        [[m for m, _ in first_of], [w for _, w in first_of], list(first_of.values())],
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
    return ids


def _next_ids(tx: Transaction, sequence: str, n: int) -> list[int]:
    """`n` fresh ids of a sequence, ascending: rows inserted in one statement still get them in list order."""
    return sorted(row[0] for row in tx.execute("SELECT nextval(?) FROM range(?)", [sequence, n]))


def insert_member_rows(tx: Transaction, team_id: int, members: Sequence[NewMember]) -> list[int]:
    """Insert members of one team with one statement; their new ids, in order.

    Rows only: the checks (active team, e-mails free) are the caller's, in the same transaction.
    """
    ids = _next_ids(tx, "member_ids", len(members))
    tx.insert_rows("member", ("id", "team_id", "name", "email", "role_title", "track", "level", "language"),
                   [(i, team_id, m.name, m.email, m.role_title, m.track, m.level, m.language)
                    for i, m in zip(ids, members, strict=True)])
    return ids


def _option_row(o: PathOption) -> list:
    band = o.band
    return [
        o.key, str(o.kind), o.name, o.rank, o.scope, o.why, o.openings, *(o.support[n] for n in NEEDS),
        band and band.minimum, band and band.midpoint, band and band.maximum, band and band.currency,
        json.dumps(list(o.expectations), ensure_ascii=False), o.entry,
    ]


def _option_from_row(r: tuple) -> PathOption:
    key, kind, name, rank, scope, why, openings, *rest = r
    support = dict(zip(NEEDS, rest[: len(NEEDS)], strict=True))
    band_min, band_mid, band_max, currency, expectations, entry = rest[len(NEEDS):]
    band = None
    if currency is not None:
        band = {"minimum": band_min, "midpoint": band_mid, "maximum": band_max, "currency": currency}
    return PathOption(key=key, kind=kind, name=name, rank=rank, scope=scope or "", why=why, openings=openings,
                      support=support, band=band, expectations=json.loads(expectations or "[]"), entry=bool(entry))
