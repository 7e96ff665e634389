"""Every screen, as a manager, as an admin and on a respondent's page, over an organisation whose every typed
field holds Markdown links, images, raw HTML, bare addresses and direction controls (tests/hostile.py): no
Markdown the app renders holds a live link or image a person typed, and no direction control."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import AlertBase, ButtonGroup, HeadingBase, Markdown, Radio

from coaching.ui.format import plain
from tests import hostile
from tests.environment import forget_settings

from .conftest import APP, assert_healthy, log_in

DIRECTION_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@pytest.fixture(scope="module")
def template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, hostile.HostileOrganisation]:
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copyfile(demo_template, path)
    with pytest.MonkeyPatch.context() as mp:
        forget_settings(mp)
        made = hostile.build(path)
    return path, made


@pytest.fixture
def org(template, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[hostile.HostileOrganisation]:
    path, made = template
    shutil.copyfile(path, db_path)
    monkeypatch.setenv("COACHING_DEMO", "true")
    yield made


def markdown_of(at: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown: bodies, headings, alerts, labels, options."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, Markdown | AlertBase | HeadingBase) and isinstance(node.value, str):
            found.append(node.value)
        label = getattr(node, "label", None)
        if isinstance(label, str):
            found.append(label)
        if isinstance(node, Radio | ButtonGroup):
            found.extend(str(o) for o in node.options)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def assert_nothing_live(at: AppTest, where: str) -> list[str]:
    assert_healthy(at)
    shown = markdown_of(at)
    live = {text[:80]: hostile.live_links(text) for text in shown if hostile.live_links(text)}
    assert not live, f"{where}: live links or images from typed text: {live}"
    reordering = [text[:80] for text in shown if any(c in text for c in DIRECTION_CONTROLS)]
    assert not reordering, f"{where}: a direction control reaches the page: {reordering}"
    return shown


def assert_hostile_text_shown(shown: list[str], where: str) -> None:
    """The walk must see the hostile text (escaped), or it proves nothing."""
    assert any("evil" in text for text in shown), f"{where} shows no typed text at all: the walk saw nothing"


def test_the_check_finds_every_kind_of_link_in_unescaped_text_and_none_once_escaped():
    for text in (hostile.LINKY, hostile.BARE, hostile.HTMLISH, hostile.REFERENCE, hostile.WAVE):
        assert hostile.live_links(text), text
        assert hostile.live_links(plain(text)) == [], text


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    return at


MANAGER_PAGES = ["screens/home.py", "screens/team.py", "screens/member.py", "screens/members.py",
                 "screens/rounds.py", "screens/catalogue.py", "screens/account.py"]
ADMIN_PAGES = ["screens/home.py", "screens/questionnaire.py", "screens/catalogue.py", "screens/accounts.py",
               "screens/audit.py", "screens/data_requests.py", "screens/backup.py", "screens/account.py"]


def test_no_manager_screen_renders_a_typed_link(org) -> None:
    at = log_in(AppTest.from_file(str(APP), default_timeout=60).run(), hostile.MANAGER, hostile.PASSWORD)
    for page in MANAGER_PAGES:
        shown = assert_nothing_live(go(at, page), page)
        if page != "screens/catalogue.py":       # the catalogue lists options, not the hostile option's details
            assert_hostile_text_shown(shown, page)

    go(at, "screens/team.py")
    waves = next(b for b in at.selectbox if b.label == "Wave")
    waves.select_index(waves.options.index(hostile.WAVE)).run()
    assert_hostile_text_shown(assert_nothing_live(at, "team in the hostile wave"), "team")
    for view in ("Demand vs offer", "Change since last wave", "Pay bands"):
        at.get("button_group")[0].set_value(view).run()
        assert_nothing_live(at, f"team: {view}")

    go(at, "screens/member.py")
    for section in ("Talking points", "Goals", "Notes", "Yearly review"):
        at.get("button_group")[0].set_value(section).run()
        assert_hostile_text_shown(assert_nothing_live(at, f"one-on-one: {section}"), section)

    go(at, "screens/rounds.py")
    next(b for b in at.button if b.label == "Issue a new link").click().run()
    flashed = assert_nothing_live(at, "rounds after a new link")
    assert any(text.startswith("New link for ") and "evil" in text for text in flashed), flashed


def test_no_admin_screen_renders_a_typed_link(org) -> None:
    at = log_in(AppTest.from_file(str(APP), default_timeout=60).run(), hostile.ADMIN, hostile.PASSWORD)
    for page in ADMIN_PAGES:
        assert_nothing_live(go(at, page), page)
    go(at, "screens/data_requests.py")
    at.text_input(key="data_request_email").input("member0@example.com").run()
    assert_hostile_text_shown(assert_nothing_live(at, "data requests"), "data requests")
    go(at, "screens/catalogue.py")
    assert_hostile_text_shown(assert_nothing_live(at, "catalogue"), "catalogue (admin)")


def test_the_respondents_page_renders_no_typed_link(org) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["invite"] = org.tokens[0]
    at.run()
    at.switch_page("screens/respond.py").run()
    assert_hostile_text_shown(assert_nothing_live(at, "respondent's notice"), "respondent's notice")
