"""The Backup screen through app.py: an admin makes a zip whose manifest matches the database; managers
never reach it. The zip is read back from AppTest's in-memory media store, where the download button put it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from coaching.core.actors import SYSTEM
from coaching.core.settings import PROJECT_DIR, Settings
from coaching.db.archive import contents
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.people.accounts import accounts_of
from coaching.privacy.backup import MANIFEST, Manifest
from coaching.startup import start

from .conftest import DEMO_ADMIN, DEMO_MANAGER, assert_healthy

PAGE = "screens/backup.py"


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MemoryMediaFileStorage]:
    """Every media store AppTest makes (one per run), so a test can read what a download button offers."""
    made: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            made.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return made


def offered(at: AppTest, media: list[MemoryMediaFileStorage]) -> tuple[str, bytes]:
    """The label and bytes of the one download button the last run showed."""
    (button,) = at.get("download_button")
    data = media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content
    return button.proto.label, data


def make_backup(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Make a backup").click().run()
    assert_healthy(at)
    return at


def test_an_admin_gets_a_zip_whose_manifest_matches_the_database(
    demo_db: Path, open_app: Callable[..., AppTest], media: list[MemoryMediaFileStorage], started
) -> None:
    at = open_app(PAGE, login=DEMO_ADMIN)
    assert_healthy(at)
    assert any("personal data" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not at.get("download_button"), "nothing is made before the admin asks"

    label, data = offered(make_backup(at), media)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = Manifest.model_validate_json(archive.read(MANIFEST))
        assert set(archive.namelist()) == {MANIFEST} | {f"{table}.parquet" for table in manifest.tables}
    aspire = started[-1]
    assert manifest.tables == contents(aspire.db.query).tables
    assert label.startswith("Download aspire-backup-") and label.endswith(".zip")
    assert any(manifest.summary() in s.value for s in at.success), [s.value for s in at.success]
    (entry,) = aspire.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED, subject_kind=Subject.ORGANISATION))
    assert entry.actor_id == accounts_of(aspire).actor_for_email(DEMO_ADMIN[0]).id


def test_the_admin_menu_offers_the_backup_screen_and_the_manager_menu_does_not(
    demo_db: Path, open_app: Callable[..., AppTest]
) -> None:
    admin = open_app(login=DEMO_ADMIN)
    manager = open_app(login=DEMO_MANAGER)

    admin.switch_page(PAGE).run()
    assert_healthy(admin)
    assert [t.value for t in admin.title] == ["Backup"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        manager.switch_page(PAGE)


def test_a_manager_who_reaches_the_page_itself_sees_nothing(demo_db: Path) -> None:
    aspire = start(Settings(db=demo_db))
    try:
        maria = accounts_of(aspire).authenticate(*DEMO_MANAGER)
    finally:
        aspire.close()
    at = AppTest.from_file(str(PROJECT_DIR / PAGE), default_timeout=30)
    at.session_state["actor"] = maria

    at.run()

    assert_healthy(at)
    assert not at.title and not at.button and not at.warning and not at.get("download_button")
