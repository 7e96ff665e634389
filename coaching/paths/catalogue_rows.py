"""The SQL of the catalogue: the shipped seed, the catalogue as it stood at a moment, edits and history.

Rows in, rows out, no policy (who may change the catalogue is decided in coaching.paths.editing). Invariants:
- a row is never changed except to close it: an edit sets the current row's `valid_to` and inserts its
  successor with `valid_from` at the same moment and the next version; retiring only closes the row.
  So at any moment each key has at most one valid row, and an old moment still finds the rows of its time;
- at most one current row (`valid_to IS NULL`) per key, and per (kind, rank) on a track;
- an edit or retirement names the version it read and is refused when the current row has another;
- a level or an option that active members still hold is not retired;
- every check runs inside the write transaction that acts on it, and a refusal raises one of the
  exceptions below from inside it, so nothing of a refused change stays.
"""

from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel, ConfigDict

from coaching.core.needs import NEEDS
from coaching.db.database import Database, Transaction
from coaching.db.errors import RowMissing, VersionMismatch
from coaching.paths.catalogue import Catalogue, PathOption

_SUPPORT_COLUMNS = ", ".join(f"support_{n}" for n in NEEDS)
# The columns of one catalogue option, in the order _option_row writes and _option_from_row reads them.
OPTION_COLUMNS = (f"key, kind, name, rank, scope, why, openings, {_SUPPORT_COLUMNS}, band_min, band_mid, band_max,"
                  " currency, expectations, entry_rung")
OPTION_SLOTS = ", ".join("?" * (OPTION_COLUMNS.count(",") + 1))
_VERSIONED = f"id, version, valid_from, valid_to, {OPTION_COLUMNS}"


class OptionVersion(BaseModel):
    """One stored version of an option and the span of time it was the catalogue's word."""

    model_config = ConfigDict(frozen=True)

    id: int
    version: int
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    option: PathOption

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class KeyTaken(ValueError):
    """An option with this key is on offer already; `name` is its name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


class RankTaken(ValueError):
    """Another level of the same track has this rank; `name` is that level's name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


class EntryTaken(ValueError):
    """Another level of the same track is its entry rung; `name` is that level's name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


class OptionHeld(Exception):
    """Active members hold this level or use this option; `count` says how many."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(f"{count} active members")


class CatalogueRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- reads -------------------------------------------------------------------------------------

    def seed(self, catalogue: Catalogue) -> bool:
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

    def current(self) -> list[OptionVersion]:
        """Every option on offer now, with its version: what an edit form starts from."""
        rows = self.db.query(
            f"SELECT {_VERSIONED} FROM path_option WHERE valid_to IS NULL ORDER BY kind, rank, name")  # noqa: S608
        return [_version(r) for r in rows]

    def history(self, key: str) -> list[OptionVersion]:
        """Every version of one option, oldest first (empty for a key never used)."""
        rows = self.db.query(
            f"SELECT {_VERSIONED} FROM path_option WHERE key = ? ORDER BY valid_from, version", [key])  # noqa: S608
        return [_version(r) for r in rows]

    def first_recorded(self) -> dt.datetime | None:
        """When the catalogue was first stored (the shipped defaults): nothing older is known."""
        return self.db.scalar("SELECT min(valid_from) FROM path_option")

    # ---- changes -----------------------------------------------------------------------------------

    def insert(self, option: PathOption, at: dt.datetime) -> OptionVersion:
        """Put a new option on offer (a retired key comes back as its next version); KeyTaken, RankTaken."""

        def work(tx: Transaction) -> OptionVersion:
            current = tx.execute("SELECT name FROM path_option WHERE key = ? AND valid_to IS NULL", [option.key])
            if current:
                raise KeyTaken(current[0][0])
            _require_free_rank(tx, option)
            last = tx.scalar("SELECT max(version) FROM path_option WHERE key = ?", [option.key]) or 0
            return _insert(tx, option, last + 1, at)

        return self.db.write(work)

    def replace(self, version: int, option: PathOption, at: dt.datetime) -> OptionVersion:
        """Close the current row of `option.key` and insert `option` as its next version."""

        def work(tx: Transaction) -> OptionVersion:
            row_id, valid_from = _current_row(tx, option.key, version)
            _require_free_rank(tx, option)
            moment = max(at, valid_from)   # a clock that stepped back never makes a version end before it began
            tx.execute("UPDATE path_option SET valid_to = ? WHERE id = ?", [moment, row_id])
            return _insert(tx, option, version + 1, moment)

        return self.db.write(work)

    def replace_all(self, edits: list[tuple[int, PathOption]], at: dt.datetime) -> list[OptionVersion]:
        """Several `replace`s in one transaction: all of them, or (on any refusal) none."""

        def work(tx: Transaction) -> list[OptionVersion]:
            saved = []
            for version, option in edits:
                row_id, valid_from = _current_row(tx, option.key, version)
                _require_free_rank(tx, option)
                moment = max(at, valid_from)
                tx.execute("UPDATE path_option SET valid_to = ? WHERE id = ?", [moment, row_id])
                saved.append(_insert(tx, option, version + 1, moment))
            return saved

        return self.db.write(work)

    def retire(self, key: str, version: int, at: dt.datetime) -> OptionVersion:
        """Take an option off the offer from `at` on; OptionHeld while active members hold or use it."""

        def work(tx: Transaction) -> OptionVersion:
            row_id, valid_from = _current_row(tx, key, version)
            held = tx.scalar(
                "SELECT count(*) FROM member m WHERE m.archived_at IS NULL AND ("
                " (m.level = ? AND m.track = (SELECT kind FROM path_option WHERE id = ?))"
                " OR m.id IN (SELECT member_id FROM member_option WHERE option_key = ?))",
                [key, row_id, key],
            )
            if held:
                raise OptionHeld(held)
            rows = tx.execute(f"UPDATE path_option SET valid_to = ? WHERE id = ? RETURNING {_VERSIONED}",  # noqa: S608
                              [max(at, valid_from), row_id])
            return _version(rows[0])

        return self.db.write(work)


def _version(r: tuple) -> OptionVersion:
    return OptionVersion(id=r[0], version=r[1], valid_from=r[2], valid_to=r[3], option=_option_from_row(r[4:]))


def _current_row(tx: Transaction, key: str, version: int) -> tuple[int, dt.datetime]:
    """The id and start of the key's current row; RowMissing or VersionMismatch otherwise."""
    rows = tx.execute("SELECT id, version, valid_from FROM path_option WHERE key = ? AND valid_to IS NULL", [key])
    if not rows:
        raise RowMissing(f"no current option {key!r}")
    if rows[0][1] != version:
        raise VersionMismatch(f"option {key!r} is at version {rows[0][1]}, not {version}")
    return rows[0][0], rows[0][2]


def _require_free_rank(tx: Transaction, option: PathOption) -> None:
    """RankTaken when another current level of the track has this rank; EntryTaken for a second entry rung."""
    if not option.kind.is_track:
        return
    rows = tx.execute(
        "SELECT name FROM path_option WHERE valid_to IS NULL AND kind = ? AND rank = ? AND key <> ?",
        [str(option.kind), option.rank, option.key],
    )
    if rows:
        raise RankTaken(rows[0][0])
    if option.entry and (rows := tx.execute(
            "SELECT name FROM path_option WHERE valid_to IS NULL AND kind = ? AND entry_rung AND key <> ?",
            [str(option.kind), option.key])):
        raise EntryTaken(rows[0][0])


def _insert(tx: Transaction, option: PathOption, version: int, at: dt.datetime) -> OptionVersion:
    rows = tx.execute(
        f"INSERT INTO path_option ({OPTION_COLUMNS}, valid_from, version)"  # noqa: S608
        f" VALUES ({OPTION_SLOTS}, ?, ?) RETURNING {_VERSIONED}",
        [*_option_row(option), at, version],
    )
    return _version(rows[0])


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
