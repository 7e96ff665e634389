"""The `coaching` command: administration for a stopped app or a separate database file, or PostgreSQL.

While the app runs on a DuckDB file it holds the file; commands then stop with a plain-words message
(StoreOpenError) instead of a traceback. On PostgreSQL there is no file lock: commands work beside it.
Every command that works inside the database opens it through `opened`; every command that destroys
data asks first (`confirm`) unless given --yes.
"""

from __future__ import annotations

import getpass
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.settings import PostgresUrl, Settings, SettingsError, load_settings
from coaching.core.tabular import Format, ImportRejected
from coaching.db.archive import BackupError
from coaching.db.engine import StoreLockedError, StoreOpenError, StoreUnavailable
from coaching.measurement.instrument import InstrumentError
from coaching.paths.catalogue import CatalogueError
from coaching.people import teams
from coaching.people.accounts import AccountError, PasswordRejected, accounts_of
from coaching.people.team_rows import TeamWithManager
from coaching.privacy import requests as privacy
from coaching.privacy.backup import backup_database, copy_database
from coaching.privacy.backup import restore as restore_backup
from coaching.startup import check_first_admin, start

NEW_PASSWORD_VARIABLE = "COACHING_NEW_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class CommandError(Exception):
    """A command that cannot go on, for a reason the message states in one line."""


EXPECTED_ERRORS = (
    SettingsError, StoreOpenError, InstrumentError, CatalogueError, AccountError, PasswordRejected, CommandError,
    privacy.MemberNotFound, BackupError, teams.TeamRejected, StoreUnavailable,
)


@contextmanager
def opened(settings: Settings) -> Iterator[Aspire]:
    """The running product for one command, closed when the command ends, however it ends.

    The one place the command line starts Aspire on a database. A file the app holds, or one that cannot
    be opened, raises StoreOpenError (StoreLockedError) in plain words saying what to do; `main` prints
    it as the command's one line, as it does for the file-level commands (backup, restore).
    """
    aspire = start(settings)
    try:
        yield aspire
    finally:
        aspire.close()


def confirm(question: str, *, yes: bool, refused: str, email_again: str | None = None) -> None:
    """Go on with --yes, or when the person at the terminal agrees: answers y, or types `email_again` again.

    Without a terminal (a script, CI) nobody can answer, so the command stops at once, saying to pass
    --yes, instead of waiting or taking whatever stdin holds for an answer. `refused` says what did not happen.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise CommandError(f"No terminal to ask on, so {refused}: pass --yes to go ahead without a question.")
    try:
        if email_again is None:
            agreed = click.confirm(question, default=False)
        else:
            agreed = click.prompt(question, default="", show_default=False).strip().lower() == email_again
    except click.Abort:
        click.echo()     # Ctrl-D or Ctrl-C leave the cursor after the question
        raise CommandError(f"No answer given, so {refused} (--yes skips the question).") from None
    if not agreed:
        raise CommandError(f"{'That is not the same e-mail' if email_again else 'Not confirmed'}, so {refused}.")


yes_option = click.option("--yes", "-y", is_flag=True, help="do not ask for confirmation (for scripts)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def commands() -> None:
    """Administer an Aspire database: a stopped app's, or a separate file (COACHING_DB)."""


@commands.command("check-config", short_help="validate the COACHING_* settings")
def check_config() -> None:
    """Validate the COACHING_* settings (and the first admin's password) without touching the database."""
    settings = load_settings()
    check_first_admin(settings)
    if settings.base_url_set:
        click.echo(f"Configuration is valid: database {settings.db}, links to {settings.link_base}")
    else:
        click.echo(f"Configuration is valid: database {settings.db}, links to http://localhost:<the port the app is "
                   "started on>. Behind a proxy or load balancer set COACHING_BASE_URL to the address people open.")


@commands.command("init-db", short_help="create or update the database file")
@click.option("--demo", is_flag=True, help="load the demo organisation into an empty database")
def init_db(demo: bool) -> None:
    """Create or update the database file (migrations, questionnaires, catalogue)."""
    with opened(load_settings(**({"demo": True} if demo else {}))) as aspire:
        click.echo(f"Database ready: {aspire.settings.db} ({'demo data' if aspire.is_demo else 'no demo data'})")


@commands.command(
    "create-user", short_help="add a manager or admin account",
    help=f"Add a manager or admin account, written to the audit log as the Accounts screen does. The password is "
         f"read from {NEW_PASSWORD_VARIABLE} when set, otherwise asked for twice.",
)
@click.option("--email", required=True, help="the person's e-mail address; it is their login")
@click.option("--role", required=True, type=click.Choice(["admin", "manager"]))
@click.option("--name", help="the name shown in the app (default: the part of the e-mail before @)")
def create_user(email: str, role: str, name: str | None) -> None:
    settings = load_settings()
    password = _new_password()
    with opened(settings) as aspire:
        account = accounts_of(aspire).create_user(SYSTEM, email, name or email.strip().partition("@")[0], role,
                                                  password)
    click.echo(f"Created {account.role} account for {account.email}.")


def _new_password() -> str:
    from_environment = os.environ.get(NEW_PASSWORD_VARIABLE)
    if from_environment is not None:
        return from_environment
    try:
        first = getpass.getpass("Password for the new account: ")
        second = getpass.getpass("The same password again: ")
    except (EOFError, KeyboardInterrupt):
        raise CommandError(f"No password given: type it when asked, or set {NEW_PASSWORD_VARIABLE}.") from None
    if first != second:
        raise CommandError("The two passwords differ; nothing was created.")
    return first


@commands.command("create-team", short_help="create a team led by a manager")
@click.argument("name")
@click.option("--manager", "manager_email", required=True, metavar="EMAIL",
              help="the e-mail of the manager account that leads the team")
def create_team(name: str, manager_email: str) -> None:
    """Create the team NAME, led by the manager with this e-mail; written to the audit log.

    A manager's active teams have different names (compared case-insensitively).
    """
    with opened(load_settings()) as aspire:
        manager = _manager(aspire, manager_email)
        team = teams.create_team(aspire, SYSTEM, name, manager.id)
    click.echo(f"Created the team {team.name!r} (id {team.id}), managed by {manager_email.strip().lower()}. "
               f"Add its members with: coaching import-members FILE --team {team.id}")


def _manager(aspire: Aspire, email: str) -> Actor:
    """The active manager account with this e-mail; CommandError saying how to create one otherwise."""
    found = accounts_of(aspire).actor_for_email(email)
    if found is None or found.role is not Role.MANAGER:
        address = email.strip().lower()
        raise CommandError(f"No active manager account uses {address}; create one first with: "
                           f"coaching create-user --email {address} --role manager")
    return found


@commands.command("list-teams", short_help="list the active teams, their managers and sizes")
def list_teams() -> None:
    """List the active teams: id, name, the manager's e-mail and how many active members each has."""
    with opened(load_settings()) as aspire:
        emails = {a.id: a.email for a in accounts_of(aspire).list_accounts(SYSTEM)}
        rows = [(str(t.id), t.name, emails.get(t.manager_id, "-"), str(len(teams.list_members(aspire, SYSTEM, t.id))))
                for t in teams.list_teams(aspire, SYSTEM)]
    if not rows:
        click.echo("There are no teams yet. Create one with: coaching create-team NAME --manager EMAIL")
        return
    click.echo(_table(("ID", "Team", "Manager", "Members"), rows))


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """Rows under a header, in columns two spaces apart, wide enough for their longest cell."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in (header, *rows))


@commands.command("import-members", short_help="add the members listed in a CSV file to a team")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--team", required=True, metavar="TEAM",
              help="the team's id (as list-teams shows it) or its name (compared case-insensitively)")
@click.option("--manager", metavar="EMAIL", help="look for the team among this manager's teams only")
def import_members(file: Path, team: str, manager: str | None) -> None:
    """Add every member of a CSV FILE (columns name, email, and optionally role_title, track, level) to a team.

    The whole file is checked first: a file with any bad row imports nothing, and each bad row is printed
    with its line number and the reason.
    """
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
    with opened(load_settings()) as aspire:
        found = _team(aspire, team, manager)
        try:
            imported = teams.import_members(aspire, SYSTEM, found.id, data)
        except ImportRejected as rejected:
            lines = "\n".join(f"line {problem.line}: {problem.reason}" for problem in rejected.problems)
            raise CommandError(f"nothing was imported from {file}; fix these rows and run it again:\n{lines}") from None
    click.echo(imported.describe(f"the team {found.name!r}"))


def _team(aspire: Aspire, wanted: str, manager_email: str | None) -> TeamWithManager:
    """The active team with this id, else the one of this name (among one manager's teams when given).

    CommandError when none or several match, naming the managers so that --manager can tell them apart.
    """
    key = wanted.strip()
    with_id = next((t.name for t in teams.list_teams(aspire, SYSTEM) if str(t.id) == key), None)
    found = teams.find_teams(aspire, SYSTEM, with_id or key, manager_email)
    if with_id is not None:
        found = [t for t in found if str(t.id) == key]
    whose = f" managed by {manager_email.strip().lower()}" if manager_email else ""
    if not found:
        raise CommandError(f"No active team called {key!r}{whose}.")
    if len(found) > 1:
        listed = "; ".join(f"{t.name!r} (manager {t.manager_email or t.manager_id})" for t in found)
        raise CommandError(f"{len(found)} teams are called {key!r}: {listed}. Add --manager EMAIL.")
    return found[0]


@commands.command("export-member", short_help="export everything held about one person (JSON or CSV)")
@click.argument("email")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="write to this file instead of standard output")
def export_member(email: str, fmt: Format, out: Path | None) -> None:
    """Export every record of the member(s) with EMAIL (compared case-insensitively); written to the audit log."""
    with opened(load_settings()) as aspire:
        export = privacy.export_member(aspire, SYSTEM, email, fmt)
    if out is None:
        sys.stdout.write(export.text)
    else:
        out.write_bytes(export.data)
        click.echo(f"Wrote the {fmt.upper()} export of {email.strip().lower()} to {out}.")


@commands.command("erase-member", short_help="erase everything held about one person")
@click.argument("email")
@yes_option
def erase_member(email: str, yes: bool) -> None:
    """Erase every record of the member(s) with EMAIL and rewrite the database file without them.

    Asks for the e-mail to be typed again, unless --yes is given.
    """
    with opened(load_settings()) as aspire:
        person = privacy.find_person(aspire, SYSTEM, email)
        if person is None:
            raise privacy.MemberNotFound()
        confirm(f"This erases every record of {person.describe()} for good. It cannot be undone.\n"
                "Type the e-mail again to confirm", yes=yes, refused="nothing was erased", email_again=person.email)
        erasure = privacy.erase_member(aspire, SYSTEM, person.email)
    click.echo(erasure.describe())


@commands.command("purge", short_help="purge raw answers older than the retention period")
@click.option("--older-than", "months", type=click.IntRange(min=1), metavar="MONTHS",
              help="default: COACHING_RETENTION_MONTHS")
@yes_option
def purge(months: int | None, yes: bool) -> None:
    """Remove raw answers submitted more than MONTHS months ago, after asking (unless --yes).

    Per wave, the organisation-wide averages are kept where at least COACHING_MIN_GROUP people answered.
    """
    settings = load_settings()
    months = months or settings.retention_months
    if months is None:
        raise CommandError("Say how old: --older-than MONTHS, or set COACHING_RETENTION_MONTHS.")
    with opened(settings) as aspire:
        doomed = privacy.purge_preview(aspire, SYSTEM, months).get("response", 0)
        if doomed:
            confirm(f"This removes {doomed} response{'s' if doomed != 1 else ''} submitted more than {months} "
                    f"month{'s' if months != 1 else ''} ago, with their ratings and reflections, for good. Go on?",
                    yes=yes, refused="nothing was removed")
        result = privacy.purge_older_than(aspire, SYSTEM, months)
    click.echo(result.describe())


PERSONAL_DATA = ("holds personal data (answers, reflections, notes, accounts): keep it as safe as the database.")


@commands.command("backup", short_help="write a whole-organisation backup into a new or empty folder")
@click.argument("folder", type=click.Path(path_type=Path))
def backup(folder: Path) -> None:
    """Export every table (people's answers, notes, accounts, the audit log) with a manifest into FOLDER.

    FOLDER must be new or empty. A DuckDB file needs the app stopped (while it runs, admins download a
    backup on the Backup screen); PostgreSQL is backed up while the app runs. The backup holds personal data.
    """
    settings = load_settings()
    try:
        manifest = backup_database(settings.db, folder)
    except StoreLockedError as exc:
        raise CommandError(f"{exc} While the app runs, an admin downloads a backup on its Backup screen.") from None
    click.echo(f"Backed up {settings.db} to {folder}: {manifest.summary()} (schema {manifest.schema_version}).")
    click.echo(f"The backup {PERSONAL_DATA}")


@commands.command("restore", short_help="replace the database by a backup (folder or downloaded zip)")
@click.argument("source", metavar="BACKUP", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace a database that already holds data (asks first)")
@yes_option
def restore(source: Path, force: bool, yes: bool) -> None:
    """Replace the database (COACHING_DB) by BACKUP: a folder written by `coaching backup`, or a Backup screen zip.

    The backup is loaded, checked against its manifest and brought up to date before it replaces the
    database; a failed restore leaves the database as it was. A DuckDB file is rebuilt beside the old one
    and swapped in (app stopped); PostgreSQL is rebuilt in place in one transaction (the app may run).
    """
    target = load_settings().db
    if force and _exists(target):
        confirm(f"This replaces the database {target}, and everything it holds, by the backup {source}. Go on?",
                yes=yes, refused="nothing was restored")
    click.echo(restore_backup(source, target, force=force).describe())


@commands.command("copy-db", short_help="copy the whole organisation into another database (DuckDB or PostgreSQL)")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option("--force", is_flag=True, help="replace a TO that already holds data (asks first)")
@yes_option
def copy_db(source: str, target: str, force: bool, yes: bool) -> None:
    """Copy every table from FROM into TO, then check the copy table by table (rows and their content).

    FROM and TO are what COACHING_DB accepts: a DuckDB file (PATH or duckdb:PATH) or postgresql://...
    Stop the app first. A TO that holds people's data is refused unless --force; a failed copy leaves TO as it was.
    """
    origin, copy = _database_argument("FROM", source), _database_argument("TO", target)
    if force and _exists(copy):
        confirm(f"This replaces the database {copy}, and everything it holds, by a copy of {origin}. Go on?",
                yes=yes, refused="nothing was copied")
    started = time.perf_counter()
    copied = copy_database(origin, copy, force=force)
    for check in copied.tables:
        click.echo(check.describe())
    if copied.differing:
        raise CommandError(f"The copy in {copy} is not the same as {origin} in {', '.join(copied.differing)}.")
    click.echo(f"{copied.describe()} Every table holds the same rows ({time.perf_counter() - started:.1f} s).")
    click.echo(f"The copy {PERSONAL_DATA}")


def _database_argument(name: str, value: str) -> Path | PostgresUrl:
    """FROM or TO read as COACHING_DB is: the settings' own validator, so both accept the same."""
    try:
        return load_settings(db=value).db
    except SettingsError as exc:
        raise CommandError(f"{name}: {str(exc).removeprefix('COACHING_DB: ')}") from None


def _exists(target: Path | PostgresUrl) -> bool:
    return isinstance(target, PostgresUrl) or target.exists()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit status 0 when done, 1 when refused (one line on stderr), 2 for a mistyped command."""
    try:
        return commands.main(args=None if argv is None else list(argv), prog_name="coaching",
                             standalone_mode=False) or 0
    except EXPECTED_ERRORS as exc:
        click.echo(f"coaching: {exc}", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
