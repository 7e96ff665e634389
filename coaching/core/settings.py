"""Configuration: one object, read from COACHING_* environment variables, built once and passed in.

No module-level instance: a test or a benchmark builds as many as it needs (one per database).
"""

from __future__ import annotations

import ipaddress
import re
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_path
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The folder around the package: a checkout (app.py, screens/, data/) when it holds pyproject.toml.
PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 8501   # Streamlit's server.port when none is given
#: A scheme at the start of COACHING_DB ("duckdb:", "postgresql://"): at least two letters, so a path never has one.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")


def _shipped_dir() -> Path:
    """The questionnaires and default catalogue that ship inside the package (coaching/shipped).

    Found through importlib.resources, so a wheel, an editable install and a checkout agree. pip installs
    a package as plain files, never zipped, so this is a real folder that glob, open and copy work on.
    """
    folder = files("coaching.shipped")
    if not isinstance(folder, Path):
        raise RuntimeError(f"coaching.shipped is not a folder on disk ({folder}): install Aspire with pip")
    return folder


def _default_db() -> Path:
    """data/coaching.duckdb in a checkout, as always; an installed Aspire has no data/ of its own, so its
    database lives in the user's data folder (on Linux ~/.local/share/aspire, or under $XDG_DATA_HOME)."""
    if (PROJECT_DIR / "pyproject.toml").is_file():
        return PROJECT_DIR / "data" / "coaching.duckdb"
    return user_data_path("aspire", appauthor=False) / "coaching.duckdb"


SHIPPED_DIR = _shipped_dir()


class PostgresUrl(BaseModel):
    """A PostgreSQL database as a libpq URL (`postgresql://user@host:port/dbname?sslmode=require`).

    The URL is kept as a secret, since it may carry the password: printed, logged or shown in a message
    it reads as the URL without it. libpq itself reads the password from the URL, PGPASSWORD or ~/.pgpass,
    and honours what the URL asks for (sslmode, sslrootcert, connect_timeout, ...).
    """

    model_config = ConfigDict(frozen=True)

    url: SecretStr

    def __str__(self) -> str:
        return str(_without_password(self.url.get_secret_value()))


def database_target(text: str) -> Path | PostgresUrl:
    """What a COACHING_DB value names: a DuckDB file (a path or `duckdb:PATH`) or a PostgreSQL database (a URL).

    The one reading of a database named in text, for the settings and for commands that take databases as
    arguments. Any other scheme is refused in one line (ValueError).
    """
    text = text.strip()
    if (found := _SCHEME.match(text)) is None:
        return Path(text)
    scheme = found.group(1).lower()
    if scheme == "duckdb":
        return Path(text[found.end():])
    if scheme in ("postgresql", "postgres"):
        if not urlsplit(text).path.strip("/"):
            raise ValueError("a PostgreSQL URL names its database: postgresql://user@host:port/dbname")
        return PostgresUrl(url=SecretStr(text))
    raise ValueError(f"'{scheme}:' is not a kind of database Aspire knows; give a file path (or duckdb:PATH) "
                     "or a postgresql:// URL")


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACHING_", extra="ignore", frozen=True)

    # NoDecode: the value is a path or a URL as typed, never JSON (pydantic-settings would try JSON for a model).
    db: Annotated[Path | PostgresUrl, NoDecode] = Field(
        default_factory=_default_db, description="database: a DuckDB file path (or duckdb:PATH), or postgresql://...")
    base_url: AnyHttpUrl | None = Field(default=None,
                                        description="base of links sent to people; unset: this machine, the app's port")
    demo: bool = Field(default=False, description="load the demo organisation into an empty database")
    data_dir: Path = Field(default=SHIPPED_DIR, description="instruments and default catalogue")
    admin_email: EmailStr | None = Field(default=None, description="first admin, created when no admin exists")
    admin_password: SecretStr | None = Field(default=None, description="password of that first admin")
    timezone: str = Field(default="UTC", description="the organisation's time zone for showing deadlines")
    min_group: int = Field(default=5, ge=3, description="smallest group an aggregate view may show")
    retention_months: int | None = Field(
        default=None, ge=1, description="raw answers older than this many months may be purged (None: kept)")
    strong_need: float = Field(default=65.0, ge=0, le=100,
                               description="a need score (0-100) at or above this is a strong need")
    serves_well: float = Field(default=0.7, ge=0, le=1,
                               description="an option's support (0-1) at or above this serves a need well")

    # E-mail (coaching.rounds.mail): without a host, managers hand links over themselves (copy, CSV, mailto).
    smtp_host: str | None = Field(default=None, description="mail server that sends links; unset: no e-mail")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="mail server port (submission: 587)")
    smtp_user: str | None = Field(default=None, description="login at the mail server, if it asks for one")
    smtp_password: SecretStr | None = Field(default=None, validate_default=True, description="password of that login")
    smtp_starttls: bool = Field(default=True, validate_default=True,
                                description="upgrade the connection with STARTTLS before logging in")
    mail_from: EmailStr | None = Field(default=None, validate_default=True, description="sender address of e-mails")

    _port: int = PrivateAttr(default=DEFAULT_PORT)   # the app server's port, for links without a base URL

    @field_validator("db", mode="before")
    @classmethod
    def _file_or_url(cls, value: Any) -> Any:
        """A DuckDB file as a path or `duckdb:PATH`, or a PostgreSQL URL; any other scheme refused in one line.

        Without this, `postgresql://u@h/db` would be taken for a relative path and become a folder
        `postgresql:/u@h/db` beside the app.
        """
        return database_target(value) if isinstance(value, str) else value

    @field_validator("db")
    @classmethod
    def _db_in_existing_folder(cls, value: Path | PostgresUrl) -> Path | PostgresUrl:
        if isinstance(value, Path) and value.is_dir():
            raise ValueError(f"{value} is a folder; give a file path such as {value / 'coaching.duckdb'}")
        return value

    @field_validator("smtp_host", mode="before")
    @classmethod
    def _host_name(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if any(ch.isspace() for ch in value):
                raise ValueError("must be a host name or address, without spaces")
        return value or None

    @field_validator("smtp_user", mode="before")
    @classmethod
    def _blank_user_is_unset(cls, value: object) -> object:
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("smtp_password")
    @classmethod
    def _password_goes_with_user(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if info.data.get("smtp_user") and value is None:
            raise ValueError("needed when COACHING_SMTP_USER is set")
        return value

    @field_validator("smtp_starttls")
    @classmethod
    def _no_password_in_clear(cls, value: bool, info: ValidationInfo) -> bool:
        # Checked here, not on the password, so that the error line never echoes the password.
        if not value and info.data.get("smtp_user") and not _is_loopback(info.data.get("smtp_host")):
            raise ValueError("must be on when COACHING_SMTP_USER is set, or the password crosses the network in clear")
        return value

    @field_validator("mail_from")
    @classmethod
    def _sender_goes_with_host(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("smtp_host"):
            raise ValueError("needed when COACHING_SMTP_HOST is set (the address e-mails come from)")
        return value

    @property
    def mail_configured(self) -> bool:
        """True when links can be e-mailed (a mail server and a sender address are set)."""
        return bool(self.smtp_host and self.mail_from)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name such as Europe/Berlin or UTC") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone: deadlines are stored in UTC and shown in this zone."""
        return ZoneInfo(self.timezone)

    @property
    def link_base(self) -> str:
        """The base URL without a trailing slash, ready to have a path appended (unset: this machine's port)."""
        return str(self.base_url or f"http://localhost:{self._port}").rstrip("/")

    @property
    def base_url_set(self) -> bool:
        """Whether COACHING_BASE_URL gave the base URL, rather than the port the app listens on."""
        return self.base_url is not None

    @property
    def links_stay_on_this_machine(self) -> bool:
        """True when links name localhost or a loopback address: nobody on another machine can open them."""
        return _is_loopback(urlsplit(self.link_base).hostname)


def _is_loopback(host: str | None) -> bool:
    """No host (nothing is sent) or one on this machine: a password never leaves it."""
    if host is None or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_settings(*, port: int | None = None, **overrides: Any) -> Settings:
    """Build the settings from the environment, turning any invalid value into one clear line.

    `port` is the port this app server listens on (Streamlit's server.port): without COACHING_BASE_URL,
    links follow it, so `make run PORT=8701` writes links to http://localhost:8701.
    """
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        got = _without_password(first.get("input"))
        raise SettingsError(
            f"COACHING_{field.upper()}: {first['msg'].removeprefix('Value error, ')} (got {got!r})"
        ) from None
    if port is not None:
        settings._port = port
    return settings


def _without_password(value: Any) -> Any:
    """A URL as typed, its password (after `user:` or as `password=` in the query) replaced by ***.

    An error message or a log line must never show a secret.
    """
    if not isinstance(value, str) or "://" not in value:
        return value
    parts = urlsplit(value)
    if parts.password is not None:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1))
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return parts._replace(query=query).geturl()
