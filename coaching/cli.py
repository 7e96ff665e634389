"""The `coaching` command: administration for a stopped app or a separate database file.

While the app runs it holds the database file; commands then stop with a plain-words message
(StoreOpenError) instead of a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coaching.catalogue import CatalogueError
from coaching.instrument import InstrumentError
from coaching.settings import SettingsError, load_settings
from coaching.store import StoreOpenError

EXPECTED_ERRORS = (SettingsError, StoreOpenError, InstrumentError, CatalogueError)


def check_config(_: argparse.Namespace) -> int:
    """Validate the COACHING_* settings without touching the database: one line and exit 1 if wrong."""
    settings = load_settings()
    print(f"Configuration is valid: database {settings.db}, links to {settings.link_base}")
    return 0


def init_db(args: argparse.Namespace) -> int:
    """Create or update the database (migrations, instruments, catalogue; demo data with --demo)."""
    from coaching.aspire import start

    overrides = {"demo": True} if args.demo else {}
    aspire = start(load_settings(**overrides))
    try:
        print(f"Database ready: {aspire.settings.db} ({'demo data' if aspire.is_demo else 'no demo data'})")
    finally:
        aspire.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coaching", description="Administer an Aspire database.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-config", help="validate the COACHING_* settings").set_defaults(run=check_config)
    init = commands.add_parser("init-db", help="create or update the database file")
    init.add_argument("--demo", action="store_true", help="load the demo organisation into an empty database")
    init.set_defaults(run=init_db)
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
