"""The `coaching` command: administration for a stopped app or a separate database file.

While the app runs it holds the database file; commands then stop with a plain-words message
(StoreOpenError) instead of a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coaching.core.settings import SettingsError, load_settings
from coaching.db.archive import BackupError
from coaching.db.database import StoreLockedError, StoreOpenError
from coaching.measurement.instrument import InstrumentError
from coaching.paths.catalogue import CatalogueError
from coaching.people.accounts import AccountError, PasswordRejected
from coaching.privacy.requests import MemberNotFound

if TYPE_CHECKING:
    from coaching.aspire import Aspire
    from coaching.people.team_rows import TeamWithManager

NEW_PASSWORD_VARIABLE = "COACHING_NEW_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class CommandError(Exception):
    """A command that cannot go on, for a reason the message states in one line."""


EXPECTED_ERRORS = (
    SettingsError, StoreOpenError, InstrumentError, CatalogueError, AccountError, PasswordRejected, CommandError,
    MemberNotFound, BackupError,
)


def check_config(_: argparse.Namespace) -> int:
    """Validate the COACHING_* settings without touching the database: one line and exit 1 if wrong."""
    from coaching.startup import check_first_admin

    settings = load_settings()
    check_first_admin(settings)
    if settings.base_url_set:
        print(f"Configuration is valid: database {settings.db}, links to {settings.link_base}")
    else:
        print(f"Configuration is valid: database {settings.db}, links to http://localhost:<the port the app is "
              "started on>. Behind a proxy or load balancer set COACHING_BASE_URL to the address people open.")
    return 0


def init_db(args: argparse.Namespace) -> int:
    """Create or update the database (migrations, instruments, catalogue; demo data with --demo)."""
    from coaching.startup import start

    overrides = {"demo": True} if args.demo else {}
    aspire = start(load_settings(**overrides))
    try:
        print(f"Database ready: {aspire.settings.db} ({'demo data' if aspire.is_demo else 'no demo data'})")
    finally:
        aspire.close()
    return 0


def create_user(args: argparse.Namespace) -> int:
    """Add a manager or admin account; the password comes from COACHING_NEW_PASSWORD or is asked for twice."""
    from coaching.core.actors import SYSTEM
    from coaching.people.accounts import Accounts
    from coaching.startup import start

    settings = load_settings()
    password = _new_password()
    name = args.name or args.email.strip().partition("@")[0]
    aspire = start(settings)
    try:
        account = Accounts(aspire.db).create_user(SYSTEM, args.email, name, args.role, password)
    finally:
        aspire.close()
    print(f"Created {account.role} account for {account.email}.")
    return 0


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


def export_member(args: argparse.Namespace) -> int:
    """Write everything held about one person (JSON or CSV) to stdout or a file; recorded in the audit log."""
    from coaching.core.actors import SYSTEM
    from coaching.privacy import requests as privacy
    from coaching.startup import start

    aspire = start(load_settings())
    try:
        export = privacy.export_member(aspire, SYSTEM, args.email, args.format)
    finally:
        aspire.close()
    if args.out is None:
        sys.stdout.write(export.text)
    else:
        Path(args.out).write_bytes(export.data)
        print(f"Wrote the {args.format.upper()} export of {args.email.strip().lower()} to {args.out}.")
    return 0


def erase_member(args: argparse.Namespace) -> int:
    """Erase every record of one person, after the e-mail is typed again (or --yes), then rewrite the file."""
    from coaching.core.actors import SYSTEM
    from coaching.privacy import requests as privacy
    from coaching.startup import start

    aspire = start(load_settings())
    try:
        person = privacy.find_person(aspire, SYSTEM, args.email)
        if person is None:
            raise MemberNotFound()
        if not args.yes:
            print(f"This erases every record of {person.describe()} for good. It cannot be undone.")
            try:
                typed = input("Type the e-mail again to confirm: ")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("No confirmation typed; nothing was erased (--yes skips the question).") from None
            if typed.strip().lower() != person.email:
                raise CommandError("That is not the same e-mail; nothing was erased.")
        erasure = privacy.erase_member(aspire, SYSTEM, person.email)
    finally:
        aspire.close()
    print(erasure.describe())
    return 0


def purge(args: argparse.Namespace) -> int:
    """Purge raw answers older than N months, keeping aggregates that pass the group-size rule."""
    from coaching.core.actors import SYSTEM
    from coaching.privacy import requests as privacy
    from coaching.startup import start

    settings = load_settings()
    months = args.older_than or settings.retention_months
    if months is None:
        raise CommandError("Say how old: --older-than MONTHS, or set COACHING_RETENTION_MONTHS.")
    aspire = start(settings)
    try:
        result = privacy.purge_older_than(aspire, SYSTEM, months)
    finally:
        aspire.close()
    print(result.describe())
    return 0


def import_members(args: argparse.Namespace) -> int:
    """Add every member of a CSV file to a team found by name, or none: each bad row is printed as "line N: reason"."""
    from coaching.core.actors import SYSTEM
    from coaching.people import teams
    from coaching.people.roster import ImportRejected
    from coaching.startup import start

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {args.file}: {exc.strerror or exc}.") from None
    aspire = start(load_settings())
    try:
        team = _team_named(aspire, args.team, args.manager)
        try:
            imported = teams.import_members(aspire, SYSTEM, team.id, data)
        except ImportRejected as rejected:
            print(f"coaching: nothing was imported from {args.file}; fix these rows and run it again:", file=sys.stderr)
            for problem in rejected.problems:
                print(f"line {problem.line}: {problem.reason}", file=sys.stderr)
            return 1
    finally:
        aspire.close()
    print(imported.describe(f"the team {team.name!r}"))
    return 0


def backup(args: argparse.Namespace) -> int:
    """Write a whole-organisation backup of the stopped app's database into a new or empty folder."""
    from coaching.privacy.backup import backup_file

    settings = load_settings()
    try:
        manifest = backup_file(settings.db, Path(args.folder))
    except StoreLockedError as exc:
        raise CommandError(f"{exc} While the app runs, an admin downloads a backup on its Backup screen.") from None
    print(f"Backed up {settings.db} to {args.folder}: {manifest.summary()} (schema {manifest.schema_version}).")
    print("The backup holds personal data (answers, reflections, notes, accounts): keep it as safe as the database.")
    return 0


def restore(args: argparse.Namespace) -> int:
    """Replace the stopped app's database by a backup folder or downloaded zip; --force over existing data."""
    from coaching.privacy.backup import restore as restore_backup

    restored = restore_backup(Path(args.backup), load_settings().db, force=args.force)
    print(restored.describe())
    return 0


def _team_named(aspire: Aspire, name: str, manager_email: str | None) -> TeamWithManager:
    """The one active team of that name (among one manager's teams when given); CommandError otherwise."""
    from coaching.core.actors import SYSTEM
    from coaching.people import teams

    found = teams.find_teams(aspire, SYSTEM, name, manager_email)
    whose = f" managed by {manager_email.strip().lower()}" if manager_email else ""
    if not found:
        raise CommandError(f"No active team called {name.strip()!r}{whose}.")
    if len(found) > 1:
        listed = "; ".join(f"{t.name!r} (manager {t.manager_email or t.manager_id})" for t in found)
        raise CommandError(f"{len(found)} teams are called {name.strip()!r}: {listed}. Add --manager EMAIL.")
    return found[0]


def _months(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of months") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the period must be at least 1 month")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coaching", description="Administer an Aspire database.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-config", help="validate the COACHING_* settings").set_defaults(run=check_config)
    init = commands.add_parser("init-db", help="create or update the database file")
    init.add_argument("--demo", action="store_true", help="load the demo organisation into an empty database")
    init.set_defaults(run=init_db)
    user = commands.add_parser(
        "create-user", help="add a manager or admin account",
        description=f"Add a manager or admin account. The password is read from {NEW_PASSWORD_VARIABLE} "
                    "when set, otherwise asked for twice.",
    )
    user.add_argument("--email", required=True, help="the person's email address; it is their login")
    user.add_argument("--role", required=True, choices=["admin", "manager"])
    user.add_argument("--name", help="the name shown in the app (default: the part of the email before @)")
    user.set_defaults(run=create_user)
    export = commands.add_parser(
        "export-member", help="export everything held about one person (JSON or CSV)",
        description="Export every record of the member(s) with this e-mail; the export is written to the audit log.",
    )
    export.add_argument("email", help="the member's e-mail (compared case-insensitively)")
    export.add_argument("--format", choices=["json", "csv"], default="json", help="default: json")
    export.add_argument("--out", help="write to this file instead of standard output")
    export.set_defaults(run=export_member)
    erase = commands.add_parser(
        "erase-member", help="erase everything held about one person",
        description="Erase every record of the member(s) with this e-mail and rewrite the database file without "
                    "them. Asks to type the e-mail again unless --yes is given.",
    )
    erase.add_argument("email", help="the member's e-mail (compared case-insensitively)")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(run=erase_member)
    purge_parser = commands.add_parser(
        "purge", help="purge raw answers older than the retention period",
        description="Remove raw answers submitted more than MONTHS months ago; per wave, the organisation-wide "
                    "averages are kept where at least COACHING_MIN_GROUP people answered.",
    )
    purge_parser.add_argument("--older-than", type=_months, metavar="MONTHS",
                              help="default: COACHING_RETENTION_MONTHS")
    purge_parser.set_defaults(run=purge)
    members = commands.add_parser(
        "import-members", help="add the members listed in a CSV file to a team",
        description="Add every member of a CSV file (columns name, email, and optionally role_title, track, "
                    "level) to the team of that name. The whole file is checked first: a file with any bad row "
                    "imports nothing, and each bad row is printed with its line number and the reason.",
    )
    members.add_argument("file", help="a CSV file in UTF-8, its first line naming the columns")
    members.add_argument("--team", required=True, help="the team's name (compared case-insensitively)")
    members.add_argument("--manager", metavar="EMAIL", help="look for the team among this manager's teams only")
    members.set_defaults(run=import_members)
    backup_parser = commands.add_parser(
        "backup", help="write a whole-organisation backup into a new or empty folder",
        description="Export every table (people's answers, notes, accounts, the audit log) with a manifest into "
                    "FOLDER, which must be new or empty. For a stopped app; while it runs, admins download a "
                    "backup on the Backup screen. The backup holds personal data.",
    )
    backup_parser.add_argument("folder", help="a new or empty folder")
    backup_parser.set_defaults(run=backup)
    restore_parser = commands.add_parser(
        "restore", help="replace the database by a backup (folder or downloaded zip)",
        description="Load a backup into a fresh file, check it against its manifest, bring its schema up to date, "
                    "then swap it in for COACHING_DB. A failed restore leaves the database as it was. For a "
                    "stopped app.",
    )
    restore_parser.add_argument("backup", help="a folder written by `coaching backup`, or a zip from the Backup screen")
    restore_parser.add_argument("--force", action="store_true", help="replace a database that already holds data")
    restore_parser.set_defaults(run=restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except EXPECTED_ERRORS as exc:
        print(f"coaching: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
