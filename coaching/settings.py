"""Configuration: one object, read from COACHING_* environment variables, built once and passed in.

No module-level instance: a test or a benchmark builds as many as it needs (one per database).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AnyHttpUrl, EmailStr, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACHING_", extra="ignore", frozen=True)

    db: Path = Field(default=PROJECT_DIR / "data" / "coaching.duckdb", description="database file")
    base_url: AnyHttpUrl = Field(default="http://localhost:8501", description="base of links sent to people")
    demo: bool = Field(default=False, description="load the demo organisation into an empty database")
    data_dir: Path = Field(default=PROJECT_DIR / "data", description="instruments and default catalogue")
    admin_email: EmailStr | None = Field(default=None, description="first admin, created when no admin exists")
    admin_password: SecretStr | None = Field(default=None, description="password of that first admin")
    min_group: int = Field(default=5, ge=3, description="smallest group an aggregate view may show")
    retention_months: int | None = Field(
        default=None, ge=1, description="raw answers older than this many months may be purged (None: kept)")

    @field_validator("db")
    @classmethod
    def _db_in_existing_folder(cls, value: Path) -> Path:
        if value.is_dir():
            raise ValueError(f"{value} is a folder; give a file path such as {value / 'coaching.duckdb'}")
        return value

    @property
    def link_base(self) -> str:
        """The base URL without a trailing slash, ready to have a path appended."""
        return str(self.base_url).rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, turning any invalid value into one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        got = first.get("input")
        raise SettingsError(
            f"COACHING_{field.upper()}: {first['msg'].removeprefix('Value error, ')} (got {got!r})"
        ) from None
