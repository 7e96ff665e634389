"""A member's details as a person types them, in the member form or a row of a CSV file: one set of rules.

The form (coaching.people.teams) and the import (coaching.people.roster) both validate through MemberInput,
so a row of a file is refused for exactly what the form refuses, in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, ValidationInfo, field_validator

from coaching import i18n
from coaching.core.text import field_sentence, text_problems
from coaching.people.team_rows import NewMember

MAX_NAME = 120
MAX_ROLE_TITLE = 120


class MemberRejected(ValueError):
    """A member's details that cannot be stored; `problems` says each reason in plain words."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


_LABELS = {"name": "Name", "email": "E-mail", "role_title": "Role title", "track": "Track", "level": "Level",
           "language": "Language", "options": "Options in use"}


class MemberInput(BaseModel):
    """A member's editable details as typed (a form, a CSV row): trimmed, checked, e-mail lower-cased."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME)
    email: EmailStr
    role_title: str | None = Field(default=None, max_length=MAX_ROLE_TITLE)
    track: str | None = None
    level: str | None = None
    language: str | None = Field(default=None, description="a shipped language code; None: the browser's")
    options: tuple[str, ...] | None = Field(default=None, description="option keys in use; None: unchanged")

    @field_validator("name", "email", "role_title", "track", "level", mode="before")
    @classmethod
    def _trimmed(cls, value: Any, info: ValidationInfo) -> Any:
        """Edges trimmed, empty optional fields None; a NUL or a broken character refused in plain words."""
        if not isinstance(value, str):
            return value
        if problems := text_problems(value, limit=len(value)):   # the length is the field's own rule
            raise ValueError(problems[0])
        value = value.strip()
        return (value or None) if info.field_name in ("role_title", "track", "level") else value

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("track", "level")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        return None if value is None else value.lower()

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str | None:
        """A shipped language by its code or locale ('de', 'fr-CH'); blank is none."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if found := i18n.known(str(value)):
            return found
        raise ValueError(f"'{value}' is not a language Aspire ships (one of {', '.join(i18n.LANGUAGES)})")

    @field_validator("options")
    @classmethod
    def _keys(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """Keys trimmed and lower-cased, each once, sorted: the order they were picked in means nothing."""
        return None if value is None else tuple(sorted({k.strip().lower() for k in value if k.strip()}))

    @classmethod
    def of(cls, fields: MemberInput | NewMember | Mapping[str, Any]) -> MemberInput:
        """Validate typed fields (or a NewMember built in code); MemberRejected naming every problem in plain words."""
        if isinstance(fields, MemberInput):
            return fields
        try:
            return cls.model_validate(fields.model_dump() if isinstance(fields, NewMember) else dict(fields))
        except ValidationError as exc:
            raise MemberRejected([_plain(e) for e in exc.errors()]) from None

    def as_new_member(self) -> NewMember:
        return NewMember(name=self.name, email=self.email, role_title=self.role_title, track=self.track,
                         level=self.level, language=self.language)



def _plain(error: Mapping[str, Any]) -> str:
    field = str(error["loc"][0]) if error["loc"] else ""
    if field == "email" and error["type"] == "value_error":
        typed = error.get("input")
        return "E-mail is empty" if typed == "" else f"E-mail {typed!r} is not a valid address"
    return field_sentence(error, _LABELS.get(field, field or "The details"))
