"""The Members screen (managers) in AppTest: teams, the add and edit forms, moving, and the CSV import.

Until app.py registers screens/members.py, `members_page` runs the screen on its own with the manager
logged in through the real password check; once it is registered, it goes through app.py's login and menu.
The archive confirmation is an st.dialog, which AppTest does not click inside: tests/e2e/test_members.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Actor, Role
from coaching.core.settings import PROJECT_DIR
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.ui.format import plain

from .conftest import APP, EMPTY_MANAGER, assert_healthy, domain, shown_tables

PAGE = "screens/members.py"
NAMES = ["Zoë Ågren", "田中 芽衣", "محمد الحداد", "O'Brien, Liam", "Ńgozi *Okafor* <b>"]


def manager(aspire: Aspire, email: str = EMPTY_MANAGER[0]) -> Actor:
    found = accounts_of(aspire).actor_for_email(email)
    assert found is not None
    return found


@pytest.fixture
def members_page(empty_db: Path, open_app) -> Callable[..., AppTest]:
    def open_(login: tuple[str, str] = EMPTY_MANAGER) -> AppTest:
        if PAGE in APP.read_text(encoding="utf-8"):
            at = open_app(PAGE, login=login)
        else:
            with domain(empty_db) as aspire:
                actor = accounts_of(aspire).authenticate(*login)
            at = AppTest.from_file(str(PROJECT_DIR / PAGE), default_timeout=30)
            at.session_state["actor"] = actor
            at.run()
        assert_healthy(at)
        return at

    return open_


@pytest.fixture
def team_of_two(empty_db: Path) -> dict:
    with domain(empty_db) as aspire:
        actor = manager(aspire)
        team = teams.create_team(aspire, actor, "Platform")
        other = teams.create_team(aspire, actor, "Support")
        ana = teams.add_member(aspire, actor, team.id, {"name": "Ana", "email": "ana@example.com"})
        ben = teams.add_member(aspire, actor, team.id, {"name": "Ben", "email": "ben@example.com"})
    return {"team": team, "other": other, "ana": ana, "ben": ben}


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def table(at: AppTest, index: int = 0) -> list[dict]:
    return shown_tables(at)[index].to_dict("records")


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def fill(at: AppTest, prefix: str, **values: str) -> None:
    for field, value in values.items():
        at.text_input(key=f"{prefix}_{field}").input(value)


def test_without_a_team_the_screen_says_to_create_one_and_creates_it(members_page, empty_db: Path) -> None:
    at = members_page()
    assert any("You have no team yet" in t for t in texts(at.info))

    next(t for t in at.text_input if t.label == "Team name").input("Платформа")
    button(at, "Create team").click().run()

    assert_healthy(at)
    assert any("Платформа" in t and "created" in t for t in texts(at.success))
    assert at.selectbox(key="members_team").options == ["Платформа"]
    assert any("Nobody is in this team yet" in t for t in texts(at.info))


def test_a_member_added_through_the_form_is_listed_with_their_name_exactly(members_page, empty_db: Path) -> None:
    with domain(empty_db) as aspire:
        teams.create_team(aspire, manager(aspire), "Platform")
    at = members_page()

    for i, name in enumerate(NAMES):
        fill(at, "add", name=name, email=f"p{i}@example.com", role_title="Engineer")
        if i == 0:
            at.selectbox(key="add_arrangement").set_value(
                teams.Arrangement("expert", "senior", "Expert track: Senior specialist"))
        button(at, "Add member").click().run()
        assert_healthy(at)
        assert any(f"Added {plain(name)}" in t for t in texts(at.success)), texts(at.error)

    rows = table(at)
    assert sorted(r["Name"] for r in rows) == sorted(NAMES)
    zoe = next(r for r in rows if r["Name"] == NAMES[0])
    assert zoe["Track and level"] == "Expert track: Senior specialist"
    assert at.text_input(key="add_name").value == "", "the add form starts empty again after a success"


def test_a_taken_e_mail_is_refused_and_the_typed_values_stay(members_page, team_of_two) -> None:
    at = members_page()
    fill(at, "add", name="Another Ana", email="ANA@example.com")
    button(at, "Add member").click().run()

    assert_healthy(at)
    assert any("already belongs to an active member" in t for t in texts(at.error))
    assert at.text_input(key="add_name").value == "Another Ana"
    assert [r["Name"] for r in table(at)] == ["Ana", "Ben"]


def test_an_edit_that_meets_someone_elses_change_is_refused_and_keeps_what_was_typed(
    members_page, team_of_two, started
) -> None:
    at = members_page()
    ana = team_of_two["ana"]
    at.selectbox(key="edit_who").set_value(ana.id).run()
    fill(at, f"edit_{ana.id}", name="Ana Typed", role_title="Staff engineer")

    # Meanwhile the same manager, in another browser tab, renames her.
    app_aspire = started[0]
    teams.edit_member(app_aspire, manager(app_aspire), ana.id, ana.version,
                      {"name": "Ana Elsewhere", "email": ana.email})
    button(at, "Save changes").click().run()

    assert_healthy(at)
    assert any("Someone else changed this member" in t for t in texts(at.error))
    assert any("Ana Elsewhere" in t for t in texts(at.info)), "the page shows what is saved now"
    assert at.text_input(key=f"edit_{ana.id}_name").value == "Ana Typed"
    assert at.text_input(key=f"edit_{ana.id}_role_title").value == "Staff engineer"
    assert "Ana Elsewhere" in [r["Name"] for r in table(at)], "the other change was not overwritten"

    button(at, "Save changes").click().run()   # having seen it, the person saves again on purpose

    assert_healthy(at)
    assert any("Saved the changes to Ana Typed" in t for t in texts(at.success))
    assert [r["Name"] for r in table(at)] == ["Ana Typed", "Ben"]


def test_a_member_moves_to_another_of_the_managers_teams(members_page, team_of_two) -> None:
    at = members_page()
    ben, other = team_of_two["ben"], team_of_two["other"]
    at.selectbox(key="edit_who").set_value(ben.id).run()
    at.selectbox(key="move_to").set_value(other.id)
    button(at, "Move").click().run()

    assert_healthy(at)
    assert any("Moved Ben to Support" in t for t in texts(at.success))
    assert [r["Name"] for r in table(at)] == ["Ana"]
    at.selectbox(key="members_team").set_value(other.id).run()
    assert [r["Name"] for r in table(at)] == ["Ben"]


def csv_upload(at: AppTest, text: str) -> None:
    at.file_uploader[0].set_value(("members.csv", text.encode("utf-8"), "text/csv")).run()
    button(at, "Import members").click().run()
    assert_healthy(at)


def test_a_bad_csv_file_lists_every_bad_row_with_its_line_and_imports_nothing(members_page, team_of_two) -> None:
    at = members_page()
    csv_upload(at, "name,email,track,level\n"
                   "Cleo,cleo@example.com,,\n"          # line 2: fine
                   "Dev,not-an-email,,\n"               # line 3
                   "Eve,eve@example.com,sales,\n"       # line 4
                   "Fay,ana@example.com,,\n")           # line 5: Ana's e-mail

    assert any("Nothing was imported" in t for t in texts(at.error))
    problems = table(at, 1)
    assert [p["Line"] for p in problems] == ["3", "4", "5"]
    assert "E-mail 'not-an-email' is not a valid address" in problems[0]["Problem"]
    assert "unknown track" in problems[1]["Problem"]
    assert "already belongs" in problems[2]["Problem"]
    assert [r["Name"] for r in table(at)] == ["Ana", "Ben"]


def test_a_good_csv_file_imports_every_member(members_page, team_of_two, empty_db: Path, started) -> None:
    at = members_page()
    csv_upload(at, "name,email,role_title,track,level\n"
                   "田中 芽衣,mei@example.com,Engineer,expert,staff\n"
                   "محمد الحداد,mohammed@example.com,,,\n")

    assert any("Imported 2 members" in t for t in texts(at.success)), texts(at.error)
    assert [r["Name"] for r in table(at)] == ["Ana", "Ben", "محمد الحداد", "田中 芽衣"]
    assert at.file_uploader[0].value is None, "the uploader is emptied after a successful import"
    admin = started[0]
    assert {e.subject_id for e in admin.audit.events(SYSTEM) if e.detail == "imported"} == \
        {m.id for m in teams.list_members(admin, SYSTEM, team_of_two["team"].id)} - \
        {team_of_two["ana"].id, team_of_two["ben"].id}


def test_a_manager_is_offered_only_their_own_teams(
    members_page, team_of_two, empty_db: Path
) -> None:
    with domain(empty_db) as aspire:
        other = accounts_of(aspire).create_user(SYSTEM, "otto@example.com", "Otto", Role.MANAGER, "otto-password-1")
        teams.create_team(aspire, other.actor, "Otto's team")
    at = members_page()

    assert at.selectbox(key="members_team").options == ["Platform", "Support"]


def test_the_options_a_member_uses_are_recorded_in_the_forms_and_listed(members_page, team_of_two) -> None:
    at = members_page()
    ana = team_of_two["ana"]
    assert at.multiselect(key="add_options").options == [
        "Flexible work: Compressed week", "Flexible work: Flexible hours", "Flexible work: Part-time",
        "Flexible work: Remote days", "Flexible work: Sabbatical", "Self-directed work: Internal venture",
        "Self-directed work: Outcome-based role", "Self-directed work: Own-project time"]
    fill(at, "add", name="Cleo", email="cleo@example.com")
    at.multiselect(key="add_options").set_value(["part_time", "own_project_time"])
    button(at, "Add member").click().run()

    assert_healthy(at)
    cleo = next(r for r in table(at) if r["Name"] == "Cleo")
    assert cleo["Options in use"] == "Self-directed work: Own-project time, Flexible work: Part-time"
    assert at.multiselect(key="add_options").value == [], "the add form starts empty again"

    at.selectbox(key="edit_who").set_value(ana.id).run()
    assert at.multiselect(key=f"edit_{ana.id}_options").value == []
    at.multiselect(key=f"edit_{ana.id}_options").set_value(["remote_days"])
    button(at, "Save changes").click().run()

    assert_healthy(at)
    assert next(r for r in table(at) if r["Name"] == "Ana")["Options in use"] == "Flexible work: Remote days"
    at.selectbox(key="edit_who").set_value(ana.id).run()
    assert at.multiselect(key=f"edit_{ana.id}_options").value == ["remote_days"], "the form shows what is saved"


def test_an_hr_export_with_other_column_names_imports_and_says_how_it_was_read(members_page, team_of_two) -> None:
    at = members_page()
    csv_upload(at, "Employee ID;Full name;E-mail;Role;Department\n"
                   "17;Cleo Diaz;cleo@example.com;Engineer;IT\n")

    confirmation = " ".join(texts(at.success))
    assert plain("Imported 1 member into Platform.") in confirmation, texts(at.error)
    assert plain("Read as semicolon-separated") in confirmation
    assert plain("Not used: 'Employee ID', 'Department'.") in confirmation
    assert [(r["Name"], r["Role title"]) for r in table(at)] == [("Ana", ""), ("Ben", ""), ("Cleo Diaz", "Engineer")]


@pytest.mark.parametrize(("content", "line", "reason"), [
    ('name,email\nCleo,cleo@example.com\n"Dev,dev@example.com\n', 3, 'a quote (") opened on this line is never closed'),
    ("name,email\nCleo,cleo@example.com\n" + "x" * 1_500_000 + "\n", 3, "this line is 1,500,000 characters long"),
])
def test_a_file_that_cannot_be_read_is_refused_with_its_reason(members_page, team_of_two, content, line,
                                                               reason) -> None:
    at = members_page()
    csv_upload(at, content)

    assert any("Nothing was imported" in t for t in texts(at.error))
    [problem] = table(at, 1)
    assert problem["Line"] == str(line) and problem["Problem"].startswith(reason)
    assert [r["Name"] for r in table(at)] == ["Ana", "Ben"]
