"""The Catalogue screen in AppTest: what admins and managers see, the edit and add forms, refusals and conflicts.

The retire confirmation is an st.dialog, which AppTest does not click inside; retiring is covered by
tests/unit/test_paths.py.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from coaching.core.actors import SYSTEM
from coaching.paths import editing as paths
from coaching.paths.catalogue import PathKind
from coaching.ui.format import plain

from .conftest import EMPTY_ADMIN, EMPTY_MANAGER, assert_healthy, domain, shown_tables, texts

PAGE = "screens/catalogue.py"
TEAM_LEAD = "opt_team_lead"


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)



PAY_BAND = "Pay band (minimum – midpoint – maximum)"


def kind_table(at: AppTest, kind: str, column: str = "Why") -> list[dict]:
    """The table of one kind of option that has this column: "Why" for what it is, a need for its profile."""
    tables = [t for t in shown_tables(at) if column in t.columns]
    return tables[[s.value for s in at.subheader].index(kind)].to_dict("records")


def management_rows(at: AppTest) -> list[dict]:
    return kind_table(at, "Management track")


def open_catalogue(open_app, login: tuple[str, str]) -> AppTest:
    at = open_app(PAGE, login=login)
    assert_healthy(at)
    return at


def test_a_manager_sees_every_kind_with_bands_profiles_and_history_but_no_form(empty_db: Path, open_app) -> None:
    at = open_catalogue(open_app, EMPTY_MANAGER)

    assert [s.value for s in at.subheader] == ["Management track", "Expert track", "Pay progression",
                                               "Flexible work", "Self-directed work"]
    team_lead = management_rows(at)[0]
    assert (team_lead["Option"], team_lead["Rank"], team_lead["Openings"]) == ("Team lead", "1", "2")
    assert team_lead[PAY_BAND] == "52,000 – 60,000 – 68,000 EUR"
    profile = kind_table(at, "Management track", "Status and responsibility")[0]
    assert (profile["Option"], profile["Status and responsibility"], profile["Financial security"]) == (
        "Team lead", "0.77", "0.60")
    assert not {"Save changes", "Add option", "Retire…"} & {b.label for b in at.button}, "admins only"
    assert any("Only HR admins change the catalogue" in c for c in texts(at.caption))
    assert "History of Team lead" in [e.label for e in at.expander]


def test_a_band_with_its_minimum_above_its_maximum_is_refused_and_the_typed_values_stay(
    empty_db: Path, open_app
) -> None:
    at = open_catalogue(open_app, EMPTY_ADMIN)
    at.number_input(key=f"{TEAM_LEAD}_band_minimum").set_value(90000.0)
    at.number_input(key=f"{TEAM_LEAD}_openings").set_value(6)
    button(at, "Save changes").click().run()

    assert_healthy(at)
    assert any("Not saved" in e and plain("Pay band: the minimum (90,000) is above the maximum (68,000)") in e
               for e in texts(at.error)), texts(at.error)
    assert at.number_input(key=f"{TEAM_LEAD}_band_minimum").value == 90000.0
    assert at.number_input(key=f"{TEAM_LEAD}_openings").value == 6
    assert management_rows(at)[0]["Openings"] == "2", "nothing was saved"


def test_a_good_edit_shows_in_the_table_and_in_the_history(empty_db: Path, open_app) -> None:
    at = open_catalogue(open_app, EMPTY_ADMIN)
    at.number_input(key=f"{TEAM_LEAD}_openings").set_value(5)
    at.number_input(key=f"{TEAM_LEAD}_band_maximum").set_value(70000.0)
    button(at, "Save changes").click().run()

    assert_healthy(at)
    assert any("Saved Team lead" in s and plain("Openings: 2 → 5") in s for s in texts(at.success)), texts(at.error)
    row = management_rows(at)[0]
    assert (row["Openings"], row[PAY_BAND]) == ("5", "52,000 – 60,000 – 70,000 EUR")
    history = next(e for e in at.expander if e.label == "History of Team lead")
    versions = shown_tables(history)[0].to_dict("records")
    assert [v["Version"] for v in versions] == ["1", "2"]
    assert versions[0]["What changed"] == "first version"
    assert "Openings: 2 → 5" in versions[1]["What changed"] and versions[1]["Until"] == "now"


def test_an_edit_that_meets_another_admins_change_is_refused_shows_it_and_keeps_what_was_typed(
    empty_db: Path, open_app, started
) -> None:
    at = open_catalogue(open_app, EMPTY_ADMIN)
    at.text_input(key=f"{TEAM_LEAD}_name").input("Team leader")

    app_aspire = started[0]   # meanwhile another admin raises the openings
    read = next(v for v in paths.current_offer(app_aspire) if v.option.key == "team_lead")
    paths.edit_option(app_aspire, SYSTEM, "team_lead", read.version, {**read.option.model_dump(), "openings": 9})
    button(at, "Save changes").click().run()

    assert_healthy(at)
    assert any("Someone else changed this option" in e for e in texts(at.error))
    assert any(plain("Openings: 2 → 9") in i for i in texts(at.info)), texts(at.info)
    assert at.text_input(key=f"{TEAM_LEAD}_name").value == "Team leader"

    button(at, "Save changes").click().run()   # having seen the change, the admin saves again on purpose

    assert_healthy(at)
    assert any("Saved Team leader" in s for s in texts(at.success)), texts(at.error)
    assert management_rows(at)[0]["Option"] == "Team leader"


def test_an_admin_adds_an_option_and_a_duplicate_key_is_refused(empty_db: Path, open_app) -> None:
    at = open_catalogue(open_app, EMPTY_ADMIN)
    at.text_input(key="new_key").input("remote_days")
    at.selectbox(key="new_kind").set_value(PathKind.FLEXIBLE)
    at.text_input(key="new_name").input("Work from anywhere")
    at.text_area(key="new_why").input("Four weeks a year from any country, for family far away.")
    at.number_input(key="new_support_balance").set_value(0.9)
    button(at, "Add option").click().run()

    assert_healthy(at)
    assert any(plain("Key: 'remote_days' is already on offer") in e for e in texts(at.error)), texts(at.error)
    assert at.text_input(key="new_name").value == "Work from anywhere"

    at.text_input(key="new_key").input("work_from_anywhere")
    button(at, "Add option").click().run()

    assert_healthy(at)
    assert any("Added Work from anywhere to flexible work" in s for s in texts(at.success)), texts(at.error)
    assert "Work from anywhere" in [r["Option"] for r in kind_table(at, "Flexible work")]


def test_an_empty_catalogue_says_so_and_what_to_do(empty_db: Path, open_app) -> None:
    with domain(empty_db) as aspire:
        for version in paths.current_offer(aspire):
            paths.retire_option(aspire, SYSTEM, version.option.key, version.version)
    admin = open_catalogue(open_app, EMPTY_ADMIN)
    assert any("The catalogue is empty" in i and "Add the tracks" in i for i in texts(admin.info))
    manager = open_catalogue(open_app, EMPTY_MANAGER)
    assert any("The catalogue is empty" in i and "Ask an HR admin" in i for i in texts(manager.info))
    assert not manager.table


def test_openings_read_the_same_everywhere_not_limited_none_open_or_a_number(empty_db: Path, open_app) -> None:
    """No limit, no opening and a count used to show as "None", "0" and nothing in different tables."""
    at = open_catalogue(open_app, EMPTY_MANAGER)

    shown = {r["Option"]: r["Openings"] for kind in ("Management track", "Expert track", "Pay progression",
                                                     "Flexible work", "Self-directed work")
             for r in kind_table(at, kind)}
    assert (shown["Team lead"], shown["Senior manager"], shown["Remote days"]) == ("2", "none open", "not limited")
    assert set(shown.values()) <= {"not limited", "none open"} | {str(n) for n in range(1, 100)}
