"""`python -m bench.erasure_pg`: where a deleted row's text stays on a PostgreSQL server's disk, step by step.

The measurements behind `PostgresEngine.compact` and the README's "What erasure guarantees on PostgreSQL".
A throwaway cluster (tests/postgres_server.py) gets a database owned by an ordinary role, as the app would
run: a table of 2,000 notes with an index on the text, one of them holding a unique text. That row is
deleted, then each step runs in turn, and after each one every file of the data folder is searched for the
text's bytes: the database's own files (its tables, indexes and catalogues under base/<db oid>/), the WAL
(pg_wal/), and anything else. Autovacuum is off so that only the steps listed change the files; the state on
disk is read after a CHECKPOINT where the step says so (before it, changed pages may sit in shared memory).
The whole run is done twice: with the default `wal_recycle = on`, and with `wal_recycle = off`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import psycopg
import psycopg.errors

from tests.postgres_server import HOST, PostgresServer

TEXT = b"erasure-probe-" + secrets.token_hex(8).encode()
LAYOUTS = ((1000, 1000), (60, 0))     # notes before and after the one holding TEXT
APP_ROLE = "aspire_app"


def _where(server: PostgresServer, db_oid: int) -> dict[str, list[str]]:
    """The files holding TEXT, by place: the database's files, the WAL, the rest of the data folder."""
    found: dict[str, list[str]] = {"database files": [], "pg_wal": [], "elsewhere": []}
    base = server.data / "base" / str(db_oid)
    for path in sorted(server.data.rglob("*")):
        if not path.is_file() or TEXT not in path.read_bytes():
            continue
        place = "database files" if path.is_relative_to(base) else "pg_wal" if "pg_wal" in path.parts else "elsewhere"
        found[place].append(str(path.relative_to(server.data)))
    return found


def _names(conn: psycopg.Connection, files: list[str]) -> list[str]:
    """A database file's relation name (pg_filenode_relation), else the file's own name."""
    named = []
    for file in files:
        node = Path(file).name.split(".")[0].split("_")[0]
        row = conn.execute("SELECT coalesce(pg_filenode_relation(0, %s::oid)::text, %s)", [node, file]).fetchone()
        named.append(row[0] if row else file)
    return named


def _try(conn: psycopg.Connection, sql: str) -> str:
    """Run `sql` as the app's role: 'ok', or the server's refusal (a warning counts as one)."""
    notices: list[str] = []

    def notice(diag: psycopg.errors.Diagnostic) -> None:
        notices.append(diag.message_primary or "")

    conn.add_notice_handler(notice)
    try:
        conn.execute(sql)
    except psycopg.Error as exc:
        return "refused: " + str(exc).splitlines()[0]
    finally:
        conn.remove_notice_handler(notice)
    return "skipped: " + notices[0] if notices else "ok"


def run(wal_recycle: bool, before: int, after: int) -> tuple[list[tuple[str, dict[str, list[str]]]], dict[str, str]]:
    """Every step's findings, and what the app's ordinary role may run of the statements involved."""
    with PostgresServer() as server:
        with (server.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nautovacuum = off\nwal_recycle = {'on' if wal_recycle else 'off'}\n")
        server.restart()
        admin = psycopg.connect(server.admin_url, autocommit=True)
        password = secrets.token_urlsafe(16)
        admin.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{password}'")   # noqa: S608 - our own constants
        admin.execute(f"CREATE DATABASE erasure OWNER {APP_ROLE}")
        app = psycopg.connect(f"postgresql://{APP_ROLE}:{password}@{HOST}:{server.port}/erasure", autocommit=True)
        db_oid = app.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]
        app.execute("CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL)")
        app.execute("CREATE INDEX note_body ON note (body)")
        app.execute("INSERT INTO note (body) SELECT 'filler note ' || n FROM generate_series(1, %s) n", [before])
        app.execute("INSERT INTO note (body) VALUES (%s)", [TEXT.decode()])
        app.execute("INSERT INTO note (body) SELECT 'filler note ' || n FROM generate_series(1, %s) n", [after])
        app.execute("ANALYZE note")          # what autovacuum does after a load: the text may enter pg_statistic
        steps: list[tuple[str, Callable[[], None]]] = [
            ("INSERT, ANALYZE, CHECKPOINT", lambda: admin.execute("CHECKPOINT")),
            ("DELETE, CHECKPOINT", lambda: (app.execute("DELETE FROM note WHERE body = %s", [TEXT.decode()]),
                                            admin.execute("CHECKPOINT"))),
            ("VACUUM, CHECKPOINT", lambda: (app.execute("VACUUM note"), admin.execute("CHECKPOINT"))),
            ("VACUUM FULL, CHECKPOINT", lambda: (app.execute("VACUUM FULL note"), admin.execute("CHECKPOINT"))),
            ("ANALYZE, VACUUM FULL pg_statistic, CHECKPOINT",
             lambda: (app.execute("ANALYZE note"), app.execute("VACUUM FULL pg_statistic"),
                      admin.execute("CHECKPOINT"))),
            ("pg_switch_wal(), CHECKPOINT", lambda: (admin.execute("SELECT pg_switch_wal()"),
                                                     admin.execute("CHECKPOINT"))),
            ("pg_switch_wal(), CHECKPOINT again", lambda: (admin.execute("SELECT pg_switch_wal()"),
                                                           admin.execute("CHECKPOINT"))),
        ]
        findings = []
        for label, step in steps:
            step()
            found = _where(server, db_oid)
            found["database files"] = _names(app, found["database files"])
            findings.append((label, found))
        rights = {sql: _try(app, sql) for sql in ("VACUUM FULL pg_statistic", "CHECKPOINT", "SELECT pg_switch_wal()")}
        app.close()
        admin.close()
    return findings, rights


def main() -> None:
    for wal_recycle in (True, False):
        for before, after in LAYOUTS:
            report(wal_recycle, before, after)


def report(wal_recycle: bool, before: int, after: int) -> None:
    """One run's table: where the text is after each step, and what the app's role may run."""
    findings, rights = run(wal_recycle, before, after)
    print(f"\nwal_recycle = {'on' if wal_recycle else 'off'}; text {TEXT.decode()} after {before} notes,"
          f" before {after}")
    print(f"{'step':48} {'database files':42} {'pg_wal':>8} elsewhere")
    for label, found in findings:
        print(f"{label:48} {', '.join(found['database files']) or '-':42} {len(found['pg_wal']):>8} "
              f"{', '.join(found['elsewhere']) or '-'}")
    for sql, outcome in rights.items():
        print(f"as {APP_ROLE} (database owner, not superuser): {sql}: {outcome}")


if __name__ == "__main__":
    main()
