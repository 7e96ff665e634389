"""Settings come from COACHING_* variables; an invalid value stops start-up with one line naming it."""

from __future__ import annotations

import pytest

from coaching.core.settings import PROJECT_DIR, PostgresUrl, SettingsError, load_settings
from coaching.db.engine import StoreOpenError
from coaching.db.postgres import CONNECT_SECONDS, connect_seconds


def test_defaults(monkeypatch):
    for name in ("COACHING_DB", "COACHING_BASE_URL", "COACHING_DEMO"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.db == PROJECT_DIR / "data" / "coaching.duckdb"
    assert settings.link_base == "http://localhost:8501"
    assert settings.demo is False


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("COACHING_DB", str(tmp_path / "x.duckdb"))
    monkeypatch.setenv("COACHING_BASE_URL", "https://aspire.example.com/")
    monkeypatch.setenv("COACHING_DEMO", "1")
    settings = load_settings()
    assert settings.db == tmp_path / "x.duckdb"
    assert settings.link_base == "https://aspire.example.com"
    assert settings.demo is True


@pytest.mark.parametrize(
    ("variable", "value"),
    [("COACHING_DEMO", "maybe"), ("COACHING_BASE_URL", "not a url"), ("COACHING_BASE_URL", "ftp://x.example")],
)
def test_invalid_value_gives_one_line_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message
    assert repr(value) in message


def test_database_path_that_is_a_folder_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("COACHING_DB", str(tmp_path))
    with pytest.raises(SettingsError, match="^COACHING_DB: .* is a folder"):
        load_settings()


def test_time_zone_is_checked_and_deadlines_read_in_it(monkeypatch):
    import datetime as dt

    from coaching.core.clock import moment_text

    monkeypatch.setenv("COACHING_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match="^COACHING_TIMEZONE: .*not a time zone name"):
        load_settings()
    monkeypatch.setenv("COACHING_TIMEZONE", "Europe/Berlin")
    zone = load_settings().zone
    deadline = dt.datetime(2026, 12, 4, 22, 59, tzinfo=dt.UTC)        # stored in UTC
    assert moment_text(deadline.astimezone(zone)) == "Friday 4 December 2026, 23:59 CET"


def test_without_a_base_url_links_follow_the_port_the_app_listens_on(monkeypatch):
    monkeypatch.delenv("COACHING_BASE_URL", raising=False)
    settings = load_settings(port=8701)
    assert settings.link_base == "http://localhost:8701"
    assert not settings.base_url_set and settings.links_stay_on_this_machine
    monkeypatch.setenv("COACHING_BASE_URL", "https://aspire.example.com")
    settings = load_settings(port=8701)
    assert settings.link_base == "https://aspire.example.com"
    assert settings.base_url_set and not settings.links_stay_on_this_machine


@pytest.mark.parametrize(("url", "local"), [
    ("http://localhost:8501", True), ("http://127.0.0.1:9000/", True), ("http://[::1]:8501", True),
    ("http://aspire.intranet:8501", False), ("https://10.0.0.5", False),
])
def test_a_base_url_on_this_machine_is_recognised(monkeypatch, url, local):
    monkeypatch.setenv("COACHING_BASE_URL", url)
    assert load_settings().links_stay_on_this_machine is local


def test_the_first_admins_password_is_refused_at_start_as_check_config_refuses_it(tmp_path):
    from coaching.startup import start

    with pytest.raises(SettingsError, match="^COACHING_ADMIN_PASSWORD: The password is too common"):
        start(load_settings(db=tmp_path / "a.duckdb", admin_email="hr@example.com", admin_password="password123"))
    assert not (tmp_path / "a.duckdb").exists(), "refused before the database is opened"


@pytest.mark.parametrize("written", ["duckdb:{path}", "DuckDB:{path}", "{path}"])
def test_the_database_is_a_file_path_or_a_duckdb_url(monkeypatch, tmp_path, written):
    monkeypatch.setenv("COACHING_DB", written.format(path=tmp_path / "org.duckdb"))
    assert load_settings().db == tmp_path / "org.duckdb"


@pytest.mark.parametrize("written", ["postgresql://aspire@db.example:5432/aspire",
                                     "postgres://aspire@db.example/aspire?sslmode=require"])
def test_a_postgresql_url_selects_postgresql_and_never_becomes_a_folder(monkeypatch, tmp_path, written):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACHING_DB", written)
    settings = load_settings()
    assert isinstance(settings.db, PostgresUrl) and settings.db.url.get_secret_value() == written
    assert str(settings.db) == written
    assert list(tmp_path.iterdir()) == [], "nothing is created where the app runs"


@pytest.mark.parametrize(("written", "says"), [
    ("mysql://aspire@db.example/aspire", "'mysql:' is not a kind of database Aspire knows"),
    ("postgresql://aspire@db.example", "a PostgreSQL URL names its database"),
])
def test_a_database_url_aspire_cannot_use_is_refused_in_one_line_and_never_becomes_a_folder(
        monkeypatch, tmp_path, written, says):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACHING_DB", written)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("COACHING_DB: ") and says in message and "\n" not in message
    assert list(tmp_path.iterdir()) == [], "nothing is created where the app runs"


@pytest.mark.parametrize("written", ["postgresql://aspire:Kettle-Seven-2208@db.example/aspire",
                                     "postgresql://aspire@db.example/aspire?password=Kettle-Seven-2208"])
def test_a_password_in_the_database_url_never_appears_when_the_settings_are_shown(monkeypatch, written):
    monkeypatch.setenv("COACHING_DB", written)
    settings = load_settings()
    shown = [str(settings.db), repr(settings), str(settings), settings.model_dump_json()]
    assert not any("Kettle-Seven-2208" in text for text in shown)
    assert "***" in str(settings.db)
    assert settings.db.url.get_secret_value() == written, "libpq still gets the password"


@pytest.mark.parametrize(("query", "seconds"), [
    ("", CONNECT_SECONDS), ("?connect_timeout=5", 5), ("?sslmode=require&connect_timeout=3", 3),
    ("?connect_timeout=1", 2),                      # libpq's least
    ("?connect_timeout=0", CONNECT_SECONDS),        # libpq's "forever" would leave a person at a spinner
])
def test_the_urls_connect_timeout_is_how_long_an_action_waits_for_the_server(query, seconds):
    assert connect_seconds(f"postgresql://aspire@db.example:5432/aspire{query}") == seconds


def test_a_connect_timeout_that_is_no_number_is_refused_in_one_line():
    with pytest.raises(StoreOpenError) as refused:
        connect_seconds("postgresql://aspire@db.example:5432/aspire?connect_timeout=soon")
    assert str(refused.value) == "connect_timeout in the database URL must be a whole number of seconds, not 'soon'"
