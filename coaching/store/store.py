"""The store: the only module that speaks SQL. Services call its methods; nothing DuckDB leaks out.

Every method that reads or changes people's data takes the acting user and filters by what that
user may see: a manager only their own teams, a respondent only themselves. Anything outside that
scope is reported exactly like a missing row (PermissionDenied), so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from coaching.actors import Actor, PermissionDenied, Role
from coaching.answers import Answers
from coaching.catalogue import Catalogue, PathOption
from coaching.instrument import Instrument
from coaching.needs import NEEDS
from coaching.store.database import Database, Transaction
from coaching.store.migrations import migrate


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


_SUPPORT_COLUMNS = ", ".join(f"support_{n}" for n in NEEDS)


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

    def _visible_team_ids(self, actor: Actor) -> list[int] | None:
        """Team ids the actor may see named data of; None means all (the system itself)."""
        if not isinstance(actor, Actor):
            raise PermissionDenied("nobody is logged in")
        if actor.role is Role.SYSTEM:
            return None
        if actor.role is Role.MANAGER:
            rows = self.db.query("SELECT id FROM team WHERE manager_id = ? AND archived_at IS NULL", [actor.id])
            return [r[0] for r in rows]
        return []

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

    def seed_catalogue(self, catalogue: Catalogue) -> bool:
        """Load the shipped catalogue into an empty catalogue table; False when one is already there."""

        def work(tx: Transaction) -> bool:
            if tx.scalar("SELECT count(*) FROM path_option"):
                return False
            tx.executemany(
                f"INSERT INTO path_option (key, kind, name, rank, scope, why, openings, {_SUPPORT_COLUMNS},"  # noqa: S608
                " band_min, band_mid, band_max, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_option_row(o) for o in catalogue.options],
            )
            return True

        return self.db.write(work)

    def catalogue(self, at: dt.datetime | None = None) -> Catalogue:
        """The catalogue as it stood at a moment (now by default)."""
        moment = at or dt.datetime.now(dt.UTC)
        rows = self.db.query(
            f"SELECT key, kind, name, rank, scope, why, openings, {_SUPPORT_COLUMNS},"  # noqa: S608
            " band_min, band_mid, band_max, currency FROM path_option"
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
        rows = self.db.query("SELECT id, name, starts_on FROM wave ORDER BY starts_on")
        return [Wave(id=r[0], name=r[1], starts_on=r[2]) for r in rows]

    def create_team(self, actor: Actor, name: str, manager_id: int | None = None) -> int:
        """A manager creates teams for themselves; the system may name any manager."""
        if actor.role is Role.MANAGER:
            manager_id = actor.id
        elif actor.role is not Role.SYSTEM or manager_id is None:
            raise PermissionDenied("only a manager creates teams")
        return self.db.write(
            lambda tx: tx.scalar("INSERT INTO team (name, manager_id) VALUES (?, ?) RETURNING id", [name, manager_id])
        )

    def teams(self, actor: Actor) -> list[Team]:
        visible = self._visible_team_ids(actor)
        rows = self.db.query("SELECT id, name, manager_id, version FROM team WHERE archived_at IS NULL ORDER BY name")
        return [
            Team(id=r[0], name=r[1], manager_id=r[2], version=r[3])
            for r in rows
            if visible is None or r[0] in visible
        ]

    def add_members(self, actor: Actor, team_id: int, members: Sequence[NewMember]) -> list[int]:
        """Add every member or none, through the one insert path that keeps e-mails unique."""
        from coaching.store.teams import TeamRows  # imports this module's NewMember

        self.require_team(actor, team_id)
        return TeamRows(self.db).insert_members(team_id, members)

    def members(self, actor: Actor, team_id: int) -> list[Member]:
        self.require_team(actor, team_id)
        rows = self.db.query(
            "SELECT id, team_id, name, email, role_title, track, level, version FROM member"
            " WHERE team_id = ? AND archived_at IS NULL ORDER BY name",
            [team_id],
        )
        return [
            Member(id=r[0], team_id=r[1], name=r[2], email=r[3], role_title=r[4], track=r[5], level=r[6], version=r[7])
            for r in rows
        ]

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
        return self.db.write(lambda tx: [_insert_response(tx, r) for r in responses])

    def current_responses(
        self, actor: Actor, wave_id: int, team_ids: Iterable[int] | None = None
    ) -> list[StoredResponse]:
        """The current response of every visible member in a wave, optionally for some teams only."""
        visible = self._visible_team_ids(actor)
        if visible is None:
            visible = [r[0] for r in self.db.query("SELECT id FROM team")]
        wanted = visible if team_ids is None else [t for t in team_ids if t in visible]
        if not wanted:
            return []
        heads = self.db.query(
            "SELECT r.id, r.member_id, m.name, m.team_id, r.wave_id, r.instrument_version, r.submitted_at,"
            " r.life_stage FROM response r JOIN member m ON m.id = r.member_id"
            " WHERE r.wave_id = ? AND r.is_current AND m.archived_at IS NULL"
            " AND m.team_id IN (SELECT unnest(?::INTEGER[])) ORDER BY m.name",
            [wave_id, wanted],
        )
        return self._with_answers(heads)

    def team_scale_means(self, actor: Actor, wave_id: int) -> dict[str, tuple[int, dict[str, float]]]:
        """Per team (by name): respondents and mean per scale in a wave. Admins only.

        Means and counts only: a minimum or maximum would be one person's score. The caller applies
        the group-size rule (coaching.aggregates) before showing anything.
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
        heads = self.db.query(
            "SELECT r.id, r.member_id, m.name, m.team_id, r.wave_id, r.instrument_version, r.submitted_at,"
            " r.life_stage FROM response r JOIN member m ON m.id = r.member_id"
            " WHERE r.wave_id = ? AND r.is_current AND r.member_id = ?",
            [wave_id, actor.id],
        )
        found = self._with_answers(heads)
        return found[0] if found else None

    def answers_for_version(self, instrument_version: int) -> list[Answers]:
        """Every current response to one instrument version, unnamed: the input of reliability estimates."""
        heads = self.db.query(
            "SELECT r.id, r.member_id, '', 0, r.wave_id, r.instrument_version, r.submitted_at, r.life_stage"
            " FROM response r WHERE r.instrument_version = ? AND r.is_current",
            [instrument_version],
        )
        return [r.answers for r in self._with_answers(heads)]

    def _with_answers(self, heads: list[tuple]) -> list[StoredResponse]:
        if not heads:
            return []
        ids = [h[0] for h in heads]
        ratings = _group(self.db.query(
            "SELECT response_id, item_id, value FROM response_rating"
            " WHERE response_id IN (SELECT unnest(?::INTEGER[]))", [ids]))
        choices = _group(self.db.query(
            "SELECT response_id, rank, need FROM response_choice WHERE response_id IN (SELECT unnest(?::INTEGER[]))"
            " ORDER BY rank", [ids]))
        reflections = _group(self.db.query(
            "SELECT response_id, reflection_id, text FROM response_reflection"
            " WHERE response_id IN (SELECT unnest(?::INTEGER[]))", [ids]))
        scores = _group(self.db.query(
            "SELECT response_id, scale, score FROM response_score WHERE response_id IN (SELECT unnest(?::INTEGER[]))",
            [ids]))
        return [
            StoredResponse(
                id=h[0], member_id=h[1], member_name=h[2], team_id=h[3], wave_id=h[4], instrument_version=h[5],
                submitted_at=h[6],
                answers=Answers(
                    ratings=dict(ratings.get(h[0], [])),
                    top_three=tuple(need for _, need in choices.get(h[0], [])),
                    reflections=dict(reflections.get(h[0], [])),
                    life_stage=h[7],
                ),
                scores=dict(scores.get(h[0], [])),
            )
            for h in heads
        ]


def _group(rows: list[tuple]) -> dict[int, list[tuple]]:
    """Rows (key, a, b) grouped by key into lists of (a, b)."""
    grouped: dict[int, list[tuple]] = {}
    for key, *rest in rows:
        grouped.setdefault(key, []).append(tuple(rest))
    return grouped


def _insert_response(tx: Transaction, r: NewResponse) -> int:
    tx.execute("UPDATE response SET is_current = false WHERE member_id = ? AND wave_id = ? AND is_current",
               [r.member_id, r.wave_id])
    response_id = tx.scalar(
        "INSERT INTO response (member_id, wave_id, round_id, instrument_version, submitted_at, life_stage, is_current)"
        " VALUES (?, ?, ?, ?, ?, ?, true) RETURNING id",
        [r.member_id, r.wave_id, r.round_id, r.instrument_version, r.submitted_at, r.answers.life_stage],
    )
    tx.executemany("INSERT INTO response_rating VALUES (?, ?, ?)",
                   [(response_id, item, value) for item, value in r.answers.ratings.items()])
    tx.executemany("INSERT INTO response_choice VALUES (?, ?, ?)",
                   [(response_id, rank, str(need)) for rank, need in enumerate(r.answers.top_three, start=1)])
    tx.executemany("INSERT INTO response_reflection VALUES (?, ?, ?)",
                   [(response_id, key, text) for key, text in r.answers.reflections.items()])
    tx.executemany("INSERT INTO response_score VALUES (?, ?, ?)",
                   [(response_id, scale, score) for scale, score in r.scores.items()])
    return response_id


def _option_row(o: PathOption) -> list:
    band = o.band
    return [
        o.key, str(o.kind), o.name, o.rank, o.scope, o.why, o.openings, *(o.support[n] for n in NEEDS),
        band and band.minimum, band and band.midpoint, band and band.maximum, band and band.currency,
    ]


def _option_from_row(r: tuple) -> PathOption:
    key, kind, name, rank, scope, why, openings, *rest = r
    support = dict(zip(NEEDS, rest[: len(NEEDS)], strict=True))
    band_min, band_mid, band_max, currency = rest[len(NEEDS):]
    band = None
    if currency is not None:
        band = {"minimum": band_min, "midpoint": band_mid, "maximum": band_max, "currency": currency}
    return PathOption(key=key, kind=kind, name=name, rank=rank, scope=scope or "", why=why, openings=openings,
                      support=support, band=band)
