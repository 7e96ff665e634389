"""Importing 10,000 members from one CSV file, next to DuckDB reading the same file into a table.

Why the comparison: DuckDB's own read_csv is the floor for getting those bytes into the database;
the product's import also checks every row (e-mail syntax, duplicates in the file and among active
members, track and level against the catalogue, lengths) and writes in one transaction, so the ratio
says what the checks and the write path cost on top of the raw load.
"""

from __future__ import annotations

import csv
import io
import random
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.synthetic import FIRST, LAST, TITLES, timed_calls
from coaching.aspire import Aspire
from coaching.core.actors import Actor
from coaching.governance.audit_rows import AuditRows
from coaching.people import roster
from coaching.people.team_rows import TeamRows
from coaching.people.teams import create_team, import_members

ROWS = 10_000


# The steps of an import, timed apart so that a slow import names its slow step and what would fix it:
# (what, owner, method, what would make it fast when it dominates).
STEPS = (
    ("reading the file (coaching.people.roster.read_roster)", roster, "read_roster",
     "read the rows with csv.reader once, without a second pass over the text"),
    ("checking every row as the form does (coaching.people.roster.checked_members)", roster, "checked_members",
     "validate each e-mail once (pydantic's EmailStr is most of a row's check)"),
    ("writing the members (coaching.people.team_rows.TeamRows.insert_members)", TeamRows, "insert_members",
     "one INSERT for all rows instead of one per row: `return insert_member_rows(tx, team_id, members)` "
     "(coaching.people.team_rows) in place of the per-row loop in coaching/people/team_rows.py"),
    ("writing one audit entry per member (coaching.governance.audit_rows.AuditRows.insert)", AuditRows, "insert",
     "one INSERT for all entries: `tx.insert_rows(\"audit_log\", (...columns...), rows)` in place of "
     "`tx.executemany` in coaching/governance/audit_rows.py"),
)


@dataclass(frozen=True)
class ImportRun:
    rows: int
    imported: int
    seconds: float
    steps: dict[str, float]   # seconds per step of STEPS
    read_csv_seconds: float   # DuckDB's read_csv of the same file into a table, in memory

    @property
    def over_read_csv(self) -> float:
        return self.seconds / self.read_csv_seconds


def measure_import(aspire: Aspire, manager: Actor, folder: Path, seed: int, rows: int = ROWS) -> ImportRun:
    """Import `rows` new people into a new team of `manager` through the product's importer, then time read_csv."""
    path = folder / f"members-{rows}.csv"
    path.write_bytes(_members_csv(random.Random(seed), rows))
    team_id = create_team(aspire, manager, f"Imported {rows:,} members").id
    with ExitStack() as timing:
        steps = {what: timing.enter_context(timed_calls(owner, method)) for what, owner, method, _ in STEPS}
        t0 = time.perf_counter()
        imported = import_members(aspire, manager, team_id, path.read_bytes())
        seconds = time.perf_counter() - t0
    return ImportRun(rows, len(imported.members), seconds, {what: sum(calls) for what, calls in steps.items()},
                     _read_csv_seconds(path, rows))


def _members_csv(rng: random.Random, rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "role_title", "track", "level"])
    for n in range(rows):
        title, track, level = rng.choice(TITLES)
        writer.writerow([f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"imported{n:05d}@bench.example", title,
                         track or "", level or ""])
    return out.getvalue().encode("utf-8")


def _read_csv_seconds(path: Path, rows: int) -> float:
    """DuckDB reading the file into a table of its own (an in-memory database, nothing shared)."""
    con = duckdb.connect(":memory:")
    try:
        t0 = time.perf_counter()
        con.execute("CREATE TABLE imported AS SELECT * FROM read_csv(?, header = true)", [str(path)])
        seconds = time.perf_counter() - t0
        found = con.execute("SELECT count(*) FROM imported").fetchone()[0]
    finally:
        con.close()
    if found != rows:
        raise RuntimeError(f"read_csv found {found} rows in {path}, expected {rows}")
    return seconds
