"""Every screen through the real entry point (app.py), as AppTest sees it, on a fresh database per test."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coaching.core.actors import SYSTEM
from coaching.core.needs import SCALES
from coaching.core.settings import Settings
from coaching.demo import PLATFORM
from coaching.measurement.instrument import instrument_path, load_instrument
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.versions import current_instrument
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams
from coaching.startup import start

from .conftest import DEMO_ADMIN, EMPTY_ADMIN, EMPTY_MANAGER, ERROR_SCREEN, assert_healthy, domain, shown_tables, texts

TEAM = "screens/team.py"
QUESTIONNAIRE = "screens/questionnaire.py"
DEMO_PEOPLE_LATEST_WAVE = len(PLATFORM)   # Maria, the demo manager the tests log in as, coaches Platform



def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def choose(at: AppTest, label: str, option: str) -> AppTest:
    box = next(b for b in at.selectbox if b.label == label)
    return box.select(next(o for o in box.options if o == option)).run()


# ---- home ------------------------------------------------------------------------------------------


def test_home_seeds_and_shows_the_demo_organisation(db_path: Path, monkeypatch: pytest.MonkeyPatch, open_app) -> None:
    """An empty database with COACHING_DEMO on: the app loads the demo and draws its needs."""
    monkeypatch.setenv("COACHING_DEMO", "true")
    login_screen = open_app(login=None)
    assert db_path.exists()
    assert any("demo data" in text for text in texts(login_screen.info)), texts(login_screen.info)

    at = open_app()

    assert_healthy(at)
    charts = plotly_specs(at)
    assert len(charts) == 1
    assert len(charts[0]["data"][0]["x"]) == len(SCALES)
    captions = " ".join(texts(at.caption))
    assert f"the {DEMO_PEOPLE_LATEST_WAVE} people who answered" in captions, captions
    assert not at.dataframe and not shown_tables(at)


def test_home_table_toggle_shows_one_row_per_scale_instead_of_the_chart(demo_db: Path, open_app) -> None:
    at = open_app()
    assert plotly_specs(at)

    at.toggle(key="home_needs_as_table").set_value(True).run()

    assert_healthy(at)
    assert not plotly_specs(at)
    assert len(shown_tables(at)) == 1 and at.get("download_button")
    table = shown_tables(at)[0]
    assert len(table) == len(SCALES) == 7
    assert (table["People"].astype(int) == DEMO_PEOPLE_LATEST_WAVE).all()
    assert table["Average"].astype(float).between(0, 100).all()


def test_home_of_a_manager_without_a_team_leads_to_creating_the_first_one(empty_db: Path, open_app) -> None:
    at = open_app(login=EMPTY_MANAGER)

    assert_healthy(at)
    assert any("You have no team yet" in text for text in texts(at.info)), texts(at.info)
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    assert "members" in links.get("Create your first team", ""), links
    assert not plotly_specs(at)

    admin = open_app(login=EMPTY_ADMIN)
    assert any("There are no teams yet" in text for text in texts(admin.info)), texts(admin.info)
    assert "Create a manager's account" in {link.proto.label for link in admin.get("page_link")}


def test_home_without_answers_invites_to_wait_and_draws_nothing(empty_db: Path, open_app) -> None:
    with domain(empty_db) as aspire:
        create_team(aspire, accounts_of(aspire).authenticate(*EMPTY_MANAGER), "Support")
    at = open_app(login=EMPTY_MANAGER)

    assert_healthy(at)
    assert any("No answers yet" in text for text in texts(at.info)), texts(at.info)
    assert "Send your team the questionnaire" in {link.proto.label for link in at.get("page_link")}
    assert not any("demo data" in text for text in texts(at.info))
    assert not plotly_specs(at)
    assert not at.dataframe and not shown_tables(at)
    assert not at.toggle


def test_home_in_a_new_wave_without_answers_shows_the_last_answered_wave(demo_db: Path, open_app) -> None:
    aspire = start(Settings(db=demo_db))
    try:
        ensure_wave(aspire, "2027", dt.date(2027, 3, 1))
    finally:
        aspire.close()

    at = open_app()

    assert_healthy(at)
    assert plotly_specs(at)
    assert any("Wave 2027 has no answers yet; showing wave 2026" in c.value for c in at.caption)
    assert any("wave 2026" in h.value for h in at.subheader)


def test_a_managers_home_in_a_wave_still_open_says_how_many_have_answered(demo_db: Path, open_app) -> None:
    """It showed the averages of the first two answers of a new wave as 'What your people need', nothing more."""
    with domain(demo_db) as aspire:
        maria = accounts_of(aspire).actor_for_email("maria@example.com")
        coached = [m.id for t in list_teams(aspire, maria) for m in list_members(aspire, maria, t.id)]
        wave = ensure_wave(aspire, "2027", dt.date(2027, 3, 1))
        raw = {"ratings": {i.id: 1 + n % 5 for n, i in enumerate(current_instrument(aspire).items)},
               "top_three": ["status", "balance", "autonomy"]}
        submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=raw) for m in coached[:2]])

    at = open_app()

    assert_healthy(at)
    assert f"2 of the {len(coached)} people you coach have answered wave 2027 so far." in texts(at.caption)


def test_the_admins_home_says_a_new_wave_has_too_few_answers_not_none(demo_db: Path, open_app) -> None:
    """It said 'Wave 2027 has no answers yet' while two people had answered it, fewer than the group size."""
    with domain(demo_db) as aspire:
        wave = ensure_wave(aspire, "2027", dt.date(2027, 3, 1))
        two = [m.id for t in list_teams(aspire, SYSTEM) for m in list_members(aspire, SYSTEM, t.id)][:2]
        raw = {"ratings": {i.id: 1 + n % 5 for n, i in enumerate(current_instrument(aspire).items)},
               "top_three": ["status", "balance", "autonomy"]}
        submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=raw) for m in two])

    at = open_app(login=DEMO_ADMIN)

    assert_healthy(at)
    assert "Wave 2027 has fewer than 5 answers so far; showing wave 2026." in texts(at.caption), texts(at.caption)


# ---- team ------------------------------------------------------------------------------------------


def test_team_without_teams_says_so(empty_db: Path, open_app) -> None:
    at = open_app(TEAM, login=EMPTY_MANAGER)

    assert_healthy(at)
    assert any("no team yet" in text for text in texts(at.info)), texts(at.info)
    assert not at.table
    assert not at.selectbox


def test_team_lists_who_answered_and_flags_straight_lining(demo_db: Path, open_app) -> None:
    aspire = start(Settings(db=demo_db))
    try:
        manager = accounts_of(aspire).actor_for_email("maria@example.com")
        platform = next(t for t in list_teams(aspire, manager) if t.name == "Platform engineering")
        add_members(aspire, manager, platform.id, [NewMember(name="Noor Newcomer", email="noor@example.com")])
    finally:
        aspire.close()

    at = open_app(TEAM)
    at = choose(at, "Team", "Platform engineering")

    assert_healthy(at)
    members = list(shown_tables(at)[0]["Member"])
    assert sorted(members) == sorted(p.name for p in PLATFORM)
    assert "Noor Newcomer" not in members
    assert f"{len(PLATFORM)} of {len(PLATFORM) + 1} members answered in wave 2026." in texts(at.caption)
    warnings = " ".join(texts(at.warning))
    assert "Chen Wei" in warnings, warnings
    chen = shown_tables(at)[0].set_index("Member").loc["Chen Wei"]
    assert chen["Quality"] != "No flags"


def test_team_wave_choice_changes_what_is_shown(demo_db: Path, open_app) -> None:
    at = choose(open_app(TEAM), "Team", "Platform engineering")
    latest = shown_tables(at)[0]
    assert any("Chen Wei" in text for text in texts(at.warning))

    at = choose(at, "Wave", "2025")

    assert_healthy(at)
    assert any("wave 2025" in text for text in texts(at.caption)), texts(at.caption)
    earlier = shown_tables(at)[0]
    assert not earlier.equals(latest)
    assert not any("Chen Wei" in text for text in texts(at.warning)), "Chen Wei only straight-lined in 2026"


# ---- questionnaire ---------------------------------------------------------------------------------


def test_questionnaire_shows_reliability_per_scale_and_every_statement(demo_db: Path, open_app) -> None:
    at = open_app(QUESTIONNAIRE, login=DEMO_ADMIN)

    assert_healthy(at)
    assert len(at.dataframe) == 2
    reliability, statements = (d.value for d in at.dataframe)
    assert len(reliability) == len(SCALES) == 7
    assert reliability["Cronbach's alpha"].between(-1, 1).all()
    instrument = load_instrument(instrument_path(2))       # the newest version is shown first
    assert len(statements) == len(instrument.items)
    assert set(statements["Id"]) == {item.id for item in instrument.items}
    captions = [c.value for c in at.caption]
    assert any("1 straight-lined response was left out" in c for c in captions), captions   # Chen Wei in 2026


def test_questionnaire_on_an_empty_database_uses_default_reliability(empty_db: Path, open_app) -> None:
    at = open_app(QUESTIONNAIRE, login=EMPTY_ADMIN)

    assert_healthy(at)
    reliability = at.dataframe[0].value
    assert len(reliability) == 7
    assert set(reliability["Source"]) == {"default"}
    sem = dict(zip(reliability["Scale"], reliability["Measurement error (SEM, points)"], strict=True))
    assert sem["Steady, safe income"] > sem["Autonomy"], "a four-statement facet gets a larger default error"


# ---- start-up failures -----------------------------------------------------------------------------


def assert_only_a_start_error(at: AppTest, *words: str) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("Aspire cannot start")
    for word in words:
        assert word in message, message
    assert not at.title and not at.info and not at.caption and not at.markdown and not at.dataframe
    assert not at.sidebar.children, "the sidebar (menu, signed-in line) was drawn"


def test_invalid_setting_stops_the_app_with_one_error_naming_it(db_path: Path, monkeypatch, open_app, started) -> None:
    monkeypatch.setenv("COACHING_DEMO", "maybe")

    at = open_app(login=None)

    assert_only_a_start_error(at, "COACHING_DEMO", "maybe")
    assert started == [], "the store was opened despite invalid settings"
    assert not db_path.exists()


def test_database_held_by_another_process_stops_the_app_with_advice(
    empty_db: Path, open_app, started
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb,time,sys; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
         str(empty_db)],
        stdout=subprocess.PIPE, text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
            at = open_app(login=None)
        finally:
            holder.kill()

    assert_only_a_start_error(at, "in use")
    assert started == []
    assert re.search(r"stop the app", at.error[0].value, re.IGNORECASE), at.error[0].value


# ---- the error screen ------------------------------------------------------------------------------


def _app_with_a_failing_page() -> None:
    import streamlit as st

    from coaching.ui.errors import run_guarded

    def broken() -> None:
        st.title("Broken page")
        raise RuntimeError("internal detail 4711 that must not reach the screen")

    run_guarded(st.navigation([st.Page(broken, title="Broken")]))


def _app_with_a_stopping_page() -> None:
    import streamlit as st

    from coaching.ui.errors import run_guarded

    def stops() -> None:
        st.info("Nothing here yet")
        st.stop()
        st.title("never shown")

    run_guarded(st.navigation([st.Page(stops, title="Stops")]))


def test_unexpected_error_shows_a_short_message_with_a_reference(caplog: pytest.LogCaptureFixture) -> None:
    at = AppTest.from_function(_app_with_a_failing_page, default_timeout=30).run()

    assert not at.exception, "Streamlit's exception box (with its traceback) is showing"
    assert len(at.error) == 1
    message = at.error[0].value
    assert ERROR_SCREEN in message
    reference = re.search(r"reference:? ([0-9a-f]{8})\b", message)
    assert reference, message
    assert "4711" not in message and "Traceback" not in message and "RuntimeError" not in message
    logged = [r for r in caplog.records if r.name == "coaching.ui" and reference.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None, "the full error is not logged under the reference"


def test_st_stop_in_a_page_is_not_treated_as_an_error() -> None:
    at = AppTest.from_function(_app_with_a_stopping_page, default_timeout=30).run()

    assert not at.exception
    assert not at.error
    assert texts(at.info) == ["Nothing here yet"]
    assert not at.title


# ---- audit -----------------------------------------------------------------------------------------


def test_team_view_is_audited_once_per_session_and_shown_to_admins(demo_db: Path, open_app, started) -> None:
    from coaching.core.actors import SYSTEM
    from coaching.governance.audit import Action, AuditFilter

    at = open_app(TEAM)
    at.run()
    at.run()
    views = started[-1].audit.events(SYSTEM, AuditFilter(action=Action.VIEWED))
    assert len(views) == len(PLATFORM), "one entry per member shown, not one per rerun"
    assert {e.detail for e in views} == {"team page"}

    admin = open_app("screens/audit.py", login=DEMO_ADMIN)
    assert_healthy(admin)
    table = shown_tables(admin)[0]
    assert (table["Action"] == "viewed").sum() == len(PLATFORM)
    assert set(table.loc[table["Action"] == "viewed", "Done by"]) == {"Maria Lopez <maria@example.com>"}


# ---- accounts --------------------------------------------------------------------------------------

ODD_NAME = "<script>alert('x')</script> **Bold** O'Brien; DROP TABLE app_user; --"


def _fill_new_account(at: AppTest, email: str, name: str, password: str) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["Email"].input(email)
    fields["Name"].input(name)
    fields["First password (leave empty for single sign-on only)"].input(password)
    return next(b for b in at.button if b.label == "Create account").click().run()


def test_admin_creates_an_account_whose_odd_name_shows_exactly_as_typed(demo_db: Path, open_app) -> None:
    at = open_app("screens/accounts.py", login=DEMO_ADMIN)

    at = _fill_new_account(at, "odd@example.com", ODD_NAME, "a-long-enough-password")

    assert_healthy(at)
    assert any("Account created for odd@example.com" in s.value for s in at.success)
    table = shown_tables(at)[0]
    assert ODD_NAME in list(table["Name"])


def test_a_created_account_clears_the_form_and_a_second_press_creates_no_second_account(
        demo_db: Path, open_app) -> None:
    at = open_app("screens/accounts.py", login=DEMO_ADMIN)

    at = _fill_new_account(at, "noor@example.com", "Noor Haddad", "a-long-enough-password")

    assert_healthy(at)
    assert any("Account created for noor@example.com" in s.value for s in at.success)
    fields = {t.label: t for t in at.text_input}
    assert fields["Email"].value == "" and fields["Name"].value == ""
    assert fields["First password (leave empty for single sign-on only)"].value == ""

    at = _fill_new_account(at, "noor@example.com", "Noor Haddad", "a-long-enough-password")   # pressed again
    assert any("already exists" in e.value for e in at.error), [e.value for e in at.error]
    assert list(shown_tables(at)[0]["Email"]).count("noor@example.com") == 1


def test_a_refused_account_keeps_what_was_typed_and_says_why(demo_db: Path, open_app) -> None:
    at = open_app("screens/accounts.py", login=DEMO_ADMIN)

    at = _fill_new_account(at, "new@example.com", "Noor", "short")

    assert_healthy(at)
    assert any("too short" in e.value for e in at.error), [e.value for e in at.error]
    fields = {t.label: t for t in at.text_input}
    assert fields["Email"].value == "new@example.com" and fields["Name"].value == "Noor"
    assert "new@example.com" not in list(shown_tables(at)[0]["Email"])


def test_a_guessed_team_id_in_the_link_shows_nothing_of_that_team(demo_db: Path, open_app) -> None:
    aspire = start(Settings(db=demo_db))
    try:
        sam = accounts_of(aspire).actor_for_email("sam@example.com")
        (sams_team,) = list_teams(aspire, sam)
        sams_people = {m.name for m in list_members(aspire, sam, sams_team.id)}
    finally:
        aspire.close()

    at = open_app()
    at.query_params["team"] = str(sams_team.id)
    at.switch_page(TEAM).run()

    assert_healthy(at)
    assert any("does not lead to one of your teams" in w.value for w in at.warning)
    assert at.selectbox[0].value.name == "Platform engineering"
    shown = set(shown_tables(at)[0]["Member"])
    assert not shown & sams_people
    assert at.query_params["team"] != str(sams_team.id)


def test_a_link_to_ones_own_team_opens_it(demo_db: Path, open_app) -> None:
    aspire = start(Settings(db=demo_db))
    try:
        maria = accounts_of(aspire).actor_for_email("maria@example.com")
        (marias_team,) = list_teams(aspire, maria)
    finally:
        aspire.close()

    at = open_app()
    at.query_params["team"] = str(marias_team.id)
    at.switch_page(TEAM).run()

    assert_healthy(at)
    assert not at.warning or all("does not lead" not in w.value for w in at.warning)
    assert at.selectbox[0].value.name == "Platform engineering"
