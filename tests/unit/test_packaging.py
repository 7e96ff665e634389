"""An installed Aspire works with no checkout around it: its wheel carries the migrations, the questionnaires
with their translations, the interface's catalogues and the default growth paths, and `coaching init-db`, run
from a fresh virtual environment, builds a database from them.

Installing every dependency into that environment from the network took over three minutes, so it borrows
the installed packages of the environment running the tests (a .pth file naming its site-packages) while
Aspire itself comes from the wheel alone: uv (what `make` installs with) builds the wheel and installs it
offline without dependencies, the command runs without PYTHONPATH, outside the checkout, and the borrowed
folder's own editable-install hook is never run (Python reads .pth files in site-packages folders only, not in
folders a .pth file adds). The test checks that `coaching` is imported from the fresh environment.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import duckdb
import pytest

from coaching.core.settings import PROJECT_DIR, SHIPPED_DIR
from coaching.db.migrations import available_migrations
from coaching.i18n import LANGUAGES
from coaching.measurement.instrument import available_versions, translation_paths
from coaching.paths.catalogue import load_catalogue
from tests.environment import without_settings

#: uv from the environment running the tests (the Makefile installs it there from requirements-uv.lock).
UV = Path(sys.executable).with_name("uv")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the package's sources: a build leaves build/ and egg-info behind."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(PROJECT_DIR / "coaching", source / "coaching", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_DIR / name, source / name)
    built = tmp_path_factory.mktemp("wheel")
    _run([str(UV), "build", "--wheel", "--out-dir", str(built), str(source)])
    (found,) = built.glob("aspire_coaching-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding Aspire from the wheel: its bin/ folder."""
    home = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(home)])   # uv installs into it: 25 s less
    python = home / "bin" / "python"
    _run([str(UV), "pip", "install", "--python", str(python), "--no-deps", "--offline", str(wheel)])
    own = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    borrowed = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(own) / "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    return home / "bin"


def _run(command: list[str], cwd: Path | None = None, **variables: str) -> str:
    """Run a command, with `variables` in an environment that points at neither the checkout nor its settings."""
    environment = {k: v for k, v in without_settings().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(command, cwd=cwd, env=environment | variables, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command[0]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _translations() -> set[tuple[int, str]]:
    """(version, language) of every shipped translation of a questionnaire."""
    return {(version, language) for version in available_versions() for language in translation_paths(version)}


def test_the_wheel_holds_migrations_questionnaires_translations_and_catalogues(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = (
        {f"coaching/db/migrations/{path.name}" for _, path in available_migrations()}
        | {f"coaching/shipped/instruments/v{version}.toml" for version in available_versions()}
        | {f"coaching/shipped/instruments/v{version}.{language}.toml" for version, language in _translations()}
        | {f"coaching/i18n/{language}.toml" for language in LANGUAGES}
        | {"coaching/shipped/catalogue.toml"}
    )
    assert {"coaching/db/migrations/001_initial.sql", "coaching/shipped/instruments/v1.de.toml"} <= expected
    assert expected <= names, sorted(expected - names)


def test_init_db_from_the_installed_wheel_creates_the_database(installed: Path, tmp_path: Path):
    db = tmp_path / "installed.duckdb"
    output = _run([str(installed / "coaching"), "init-db"], cwd=tmp_path, COACHING_DB=str(db))
    assert f"Database ready: {db}" in output

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()] == [
            n for n, _ in available_migrations()]
        assert [r[0] for r in con.execute("SELECT version FROM instrument ORDER BY version").fetchall()] == (
            available_versions())
        translations = con.execute("SELECT version, language FROM instrument_translation").fetchall()
        assert set(translations) == _translations()
        options = con.execute("SELECT count(*) FROM path_option").fetchone()
        assert options == (len(load_catalogue(SHIPPED_DIR / "catalogue.toml").options),)
    finally:
        con.close()


def test_an_installed_aspire_runs_its_own_code_and_keeps_its_database_in_the_users_data_folder(
        installed: Path, tmp_path: Path):
    script = "import coaching.core.settings as s; print(s.__file__, s.Settings().db, sep=chr(10))"
    output = _run([str(installed / "python"), "-c", script], cwd=tmp_path, XDG_DATA_HOME=str(tmp_path / "share"))
    where, db = output.splitlines()
    assert Path(where).is_relative_to(installed.parent)
    assert Path(db) == tmp_path / "share" / "aspire" / "coaching.duckdb"
