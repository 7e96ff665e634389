"""The developer's own settings (COACHING_* variables) never reach what a test starts or opens.

A test that starts a process hands it `without_settings()`; a test that opens Aspire in its own process first
calls `forget_settings` with a MonkeyPatch, which puts the variables back afterwards.
"""

from __future__ import annotations

import os

import pytest

SETTINGS_PREFIX = "COACHING_"


def is_setting(name: str) -> bool:
    return name.upper().startswith(SETTINGS_PREFIX)


def without_settings() -> dict[str, str]:
    """This process's environment with no COACHING_* variable: for a process a test starts."""
    return {name: value for name, value in os.environ.items() if not is_setting(name)}


def forget_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every COACHING_* variable from this process's environment until `monkeypatch` is undone."""
    for name in [name for name in os.environ if is_setting(name)]:
        monkeypatch.delenv(name)
