"""The team, one-on-one and organisation views, on the demo organisation and on thin data, through app.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from coaching.core.actors import SYSTEM
from coaching.core.needs import Need
from coaching.demo import PLATFORM
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.versions import current_instrument
from coaching.one_on_one import plans
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members, list_teams
from coaching.ui.context import get_aspire

from .conftest import DEMO_ADMIN, EMPTY_MANAGER, assert_healthy, domain, shown_tables, unescaped

TEAM = "screens/team.py"
MEMBER = "screens/member.py"
HOME = "screens/home.py"


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]



def member_ids_in(spec: dict) -> set[int]:
    return {p[0] if isinstance(p, list) else p for trace in spec["data"] for p in trace.get("customdata", [])}


def open_member(open_app, name: str) -> AppTest:
    """The one-on-one page of a demo person, reached by a link as from the team heatmap."""
    at = open_app()
    box_id = _demo_member_id(at, name)
    at.query_params["member"] = str(box_id)
    at.switch_page(MEMBER).run()
    assert_healthy(at)
    return at


def _demo_member_id(at: AppTest, name: str) -> int:
    """The id of a person in the logged-in manager's teams, from the Aspire the app itself started."""
    actor, aspire = at.session_state["actor"], get_aspire()
    return next(m.id for t in list_teams(aspire, actor) for m in list_members(aspire, actor, t.id) if m.name == name)


# ---- team ------------------------------------------------------------------------------------------


def test_team_heatmap_holds_every_member_who_answered_and_the_members_table(demo_db: Path, open_app) -> None:
    at = open_app(TEAM)
    assert_healthy(at)
    heatmap = plotly_specs(at)[0]
    assert len(member_ids_in(heatmap)) == len(PLATFORM)
    assert any("status and responsibility most" in c for c in unescaped(at.caption)), unescaped(at.caption)
    assert shown_tables(at)[0]["Member"].tolist() == sorted(p.name for p in PLATFORM)


def test_team_heatmap_and_demand_count_what_the_members_table_names(demo_db: Path, open_app) -> None:
    """Chen Wei gave every statement the same answer: the heatmap once counted them as needing status and
    responsibility most (the first of five tied scores) while their row named no need, and demand counted
    them and the close calls for a path."""
    at = open_app(TEAM)
    members = shown_tables(at)[0]
    flagged = members[members["Quality"] != "No flags"]
    close = members[(members["Quality"] == "No flags") & members["Primary aspiration"].str.contains(" or ")]
    reading = next(c for c in unescaped(at.caption) if c.startswith(f"Of {len(members)} members, "))

    assert "Chen Wei" in set(flagged["Member"]) and len(close) > 0
    assert f"{len(flagged)} gave answers to check first" in reading, reading
    assert f"For {len(close)} the answers leave two or three needs close" in reading, reading
    counted = reading.split(".")[0].split(", ", 1)[1]     # "1 needs status and responsibility most, 1 autonomy ..."
    assert sum(int(word) for word in counted.replace(",", " ").split() if word.isdigit()) == (
        len(members) - len(flagged) - len(close))

    at.get("button_group")[0].set_value("Demand vs offer").run()
    demand = next(c for c in unescaped(at.caption) if "not counted" in c)
    assert f" {len(flagged) + len(close)} members are not counted" in demand, demand


def test_team_heatmap_says_that_a_square_opens_the_person(demo_db: Path, open_app) -> None:
    at = open_app(TEAM)
    assert "Click a person's square to open their one-on-one page." in unescaped(at.caption)

    at.toggle(key="team_heatmap_as_table").set_value(True).run()
    assert not any("Click a person's square" in c for c in unescaped(at.caption)), "no chart, nothing to click"


def test_team_views_switch_between_demand_drift_and_pay_bands(demo_db: Path, open_app) -> None:
    at = open_app(TEAM)
    views = at.get("button_group")[0]
    for view, expected in (("Demand vs offer", "Demand for each path"), ("Change since last wave", "2025"),
                           ("Pay bands", "same band at all 4 levels")):
        views.set_value(view).run()
        assert_healthy(at)
        assert len(plotly_specs(at)) == 2, view
        shown = " ".join(unescaped(at.markdown) + unescaped(at.caption))
        assert expected.lower() in shown.lower(), (view, shown)
        views = at.get("button_group")[0]


def test_team_in_the_first_wave_says_there_is_no_change_to_show_yet(demo_db: Path, open_app) -> None:
    at = open_app(TEAM)
    wave = next(b for b in at.selectbox if b.label == "Wave")
    wave.select(next(w for w in wave.options if w == "2025")).run()
    at.get("button_group")[0].set_value("Change since last wave").run()
    assert_healthy(at)
    assert any("no change to show yet" in i for i in unescaped(at.info)), unescaped(at.info)


def test_team_with_one_answer_says_patterns_need_more_people(empty_db: Path, open_app) -> None:
    with domain(empty_db) as aspire:
        manager = accounts_of(aspire).authenticate(*EMPTY_MANAGER)
        team = create_team(aspire, manager, "Solo").id
        ids = add_members(aspire, manager, team, [NewMember(name="Ana", email="ana@example.com"),
                                                      NewMember(name="Ben", email="ben@example.com")])
        wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
        items = current_instrument(aspire).items
        raw = {"ratings": {i.id: 3 + (i.id.startswith("balance")) for i in items},
               "top_three": ["balance", "autonomy", "status"]}
        submit(aspire, SYSTEM, [Submission(member_id=ids[0], wave_id=wave, raw=raw)])

    at = open_app(TEAM, login=EMPTY_MANAGER)
    assert_healthy(at)
    assert "1 of 2 members answered in wave 2026." in unescaped(at.caption)
    assert any("Only one person has answered" in c for c in unescaped(at.caption))
    assert len(member_ids_in(plotly_specs(at)[0])) == 1


# ---- one-on-one ------------------------------------------------------------------------------------


def test_member_page_shows_profile_fit_and_only_reliable_change(demo_db: Path, open_app) -> None:
    at = open_member(open_app, "Nadia Haddad")
    assert next(b for b in at.selectbox if b.label == "Member").value == _demo_member_id(at, "Nadia Haddad")
    assert len(plotly_specs(at)) == 2, "profile and fit"
    readings = " ".join(unescaped(at.caption))
    assert "work-life balance rose from 41 to 100, beyond measurement error" in readings, readings
    assert "Nadia Haddad fits" in readings
    assert "What do you need from your job right now?" in " ".join(unescaped(at.markdown)), "their own words"

    at = open_section(at, "Yearly review")
    (trend,) = plotly_specs(at)
    marked = [t for t in trend["data"] if t.get("name") == "Clear change"]
    assert len(marked) == 1 and len(marked[0]["y"]) == 1, "only the one reliable change is marked"


def test_comparing_with_a_path_overlays_its_profile_on_the_radar(demo_db: Path, open_app) -> None:
    at = open_member(open_app, "Aiko Tanaka")
    before = len(plotly_specs(at)[0]["data"])
    overlay = next(b for b in at.selectbox if b.label == "Compare with a path on offer")
    overlay.select("staff").run()
    assert_healthy(at)
    radar = plotly_specs(at)[0]
    assert len(radar["data"]) == before + 1
    assert any("Staff specialist" in (t.get("name") or "") for t in radar["data"])


def test_member_with_uniform_answers_gets_advice_not_a_verdict(demo_db: Path, open_app) -> None:
    at = open_member(open_app, "Chen Wei")
    warnings = unescaped(at.warning)
    assert any("Answers look uniform: ask before you rely on them" in w for w in warnings), warnings


def test_member_who_never_answered_is_pointed_to_rounds(empty_db: Path, open_app) -> None:
    with domain(empty_db) as aspire:
        manager = accounts_of(aspire).authenticate(*EMPTY_MANAGER)
        team = create_team(aspire, manager, "New team").id
        add_members(aspire, manager, team, [NewMember(name="Ana", email="ana@example.com")])
    at = open_app(MEMBER, login=EMPTY_MANAGER)
    assert_healthy(at)
    assert any("has not answered the questionnaire yet" in i for i in unescaped(at.info)), unescaped(at.info)
    assert not plotly_specs(at)


def test_a_link_to_someone_elses_member_shows_one_of_ones_own(demo_db: Path, open_app) -> None:
    at = open_app()
    at.query_params["member"] = "9"      # the demo seeds Platform's 8 people first: 9 is in Sam's team
    at.switch_page(MEMBER).run()
    assert_healthy(at)
    assert any("does not lead to one of your team members" in w for w in unescaped(at.warning))
    names = {p.name for p in PLATFORM}
    shown = next(b for b in at.selectbox if b.label == "Member")
    assert all(option.split(" (")[0] in names for option in shown.options)


# ---- organisation ----------------------------------------------------------------------------------


def test_admin_home_shows_unmet_needs_and_demand_across_the_organisation(demo_db: Path, open_app) -> None:
    at = open_app(HOME, login=DEMO_ADMIN)
    assert_healthy(at)
    readings = " ".join(unescaped(at.caption))
    assert "Autonomy is the need most often unmet" in readings, readings
    assert len(plotly_specs(at)) == 3


# ---- one-on-one: talking points, goals, notes, review ------------------------------------------------


def open_section(at: AppTest, section: str) -> AppTest:
    at.get("button_group")[0].set_value(section).run()
    assert_healthy(at)
    return at


def press(at: AppTest, label: str) -> AppTest:
    """Press the first button (or form submit button) with this label."""
    next(b for b in at.button if b.label == label).click().run()
    assert_healthy(at)
    return at


def test_talking_points_say_what_triggered_them(demo_db: Path, open_app) -> None:
    at = open_section(open_member(open_app, "Nadia Haddad"), "Talking points")
    shown = " ".join(unescaped(at.markdown))
    assert "Work-life balance rose from 41 to 100" in shown, shown
    assert "Because: balance went from 41 to 100 of 100" in shown
    assert any("Open questions about work-life balance" in e.label for e in at.expander)


def test_the_page_warns_when_no_goal_serves_the_top_need(demo_db: Path, open_app) -> None:
    nadia = open_member(open_app, "Nadia Haddad")
    assert any("No open goal serves work-life balance" in w for w in unescaped(nadia.warning)), unescaped(nadia.warning)
    aiko = open_member(open_app, "Aiko Tanaka")
    assert not any("No open goal serves" in w for w in unescaped(aiko.warning)), "her storage goal serves expertise"


def test_a_goal_without_a_title_is_refused_and_what_was_typed_stays(demo_db: Path, open_app) -> None:
    at = open_section(open_member(open_app, "Nadia Haddad"), "Goals")
    at.text_input(key="goal_new_0_success_measure").input("Four-day week agreed")
    at.selectbox(key="goal_new_0_need").select(Need.BALANCE)
    at = press(at, "Add goal")
    assert any("Title is empty" in e for e in unescaped(at.error)), unescaped(at.error)
    assert at.text_input(key="goal_new_0_success_measure").value == "Four-day week agreed"

    at.text_input(key="goal_new_0_title").input("Try a compressed week")
    at = press(at, "Add goal")
    assert not at.error
    assert any("Added the goal" in s for s in unescaped(at.success))
    assert any("Try a compressed week" in m for m in unescaped(at.markdown))
    assert not any("No open goal serves" in w for w in unescaped(at.warning))


def test_a_note_is_saved_and_listed_with_its_agreed_actions(demo_db: Path, open_app) -> None:
    at = open_section(open_member(open_app, "Nadia Haddad"), "Notes")
    at.text_area(key="note_new_0_body").input("Talked about a four-day week; she wants to keep the staff role.")
    at.text_area(key="note_new_0_agreed").input("Maria checks the compressed-week rules\n\nNadia proposes a day")
    at = press(at, "Save note")
    assert any("Saved the note" in s for s in unescaped(at.success))
    assert "Talked about a four-day week; she wants to keep the staff role." in [t.value for t in at.text]
    assert any("Maria checks the compressed-week rules" in m and "Nadia proposes a day" in m
               for m in unescaped(at.markdown))


def test_a_notes_earlier_versions_show_when_each_was_written(demo_db: Path, open_app) -> None:
    at = open_section(open_member(open_app, "Nadia Haddad"), "Notes")
    at.text_area(key="note_new_0_body").input("She wants to keep the staff role.")
    at = press(at, "Save note")
    member_id = _demo_member_id(at, "Nadia Haddad")
    note = next(n for n in plans.list_notes(get_aspire(), at.session_state["actor"], member_id)
                if n.body == "She wants to keep the staff role.")
    at.toggle(key=f"note_{note.id}_history").set_value(True).run()
    assert_healthy(at)
    (versions,) = [t for t in shown_tables(at) if "Held on" in t.columns]
    assert versions.to_dict("records")[0]["Note"] == "She wants to keep the staff role."
    assert versions["Saved"].notna().all()


def test_yearly_review_asks_goal_by_goal_and_records_the_answer(demo_db: Path, open_app) -> None:
    at = open_section(open_member(open_app, "Aiko Tanaka"), "Yearly review")
    assert any("Become the storage expert other teams ask" in m for m in unescaped(at.markdown))
    next(b for b in at.button if b.label == "Record the review").click().run()
    assert_healthy(at)
    assert any(s.startswith("Recorded: keep") for s in unescaped(at.success)), unescaped(at.success)


def test_two_tabs_editing_one_goal_the_second_is_told_and_keeps_its_text(demo_db: Path, open_app) -> None:
    """One manager, two tabs: the first save wins; the second is told, keeps its typing, and wins on retry."""
    first = open_section(open_member(open_app, "Aiko Tanaka"), "Goals")
    second = open_section(open_member(open_app, "Aiko Tanaka"), "Goals")
    actor = first.session_state["actor"]
    (goal,) = plans.list_goals(get_aspire(), actor, _demo_member_id(first, "Aiko Tanaka"))
    title = f"goal_{goal.id}_0_title"   # the edit form's field, before either tab saved

    first.text_input(key=title).input("Run the storage design reviews")
    first = press(first, "Save goal")
    assert "Saved the goal." in unescaped(first.success)

    second.text_input(key=title).input("Write the storage guide and teach it")
    second = press(second, "Save goal")
    assert any("Someone saved this since you opened it" in e and "Run the storage design reviews" in e
               for e in unescaped(second.error)), unescaped(second.error)
    assert second.text_input(key=title).value == "Write the storage guide and teach it"

    second = press(second, "Save goal")
    assert "Saved the goal." in unescaped(second.success)
    (saved,) = plans.list_goals(get_aspire(), actor, goal.member_id)
    assert saved.title == "Write the storage guide and teach it" and saved.version == goal.version + 2


def test_home_lists_who_is_due_for_the_yearly_review_and_leads_to_rounds(empty_db: Path, open_app) -> None:
    with domain(empty_db) as aspire:
        manager = accounts_of(aspire).authenticate(*EMPTY_MANAGER)
        team = create_team(aspire, manager, "Support").id
        ana, ben, cy = add_members(aspire, manager, team, [
            NewMember(name=n, email=f"{n.lower()}@example.com") for n in ("Ana", "Ben", "Cy")])
        items = current_instrument(aspire).items
        raw = {"ratings": {i.id: 3 for i in items}, "top_three": ["balance", "autonomy", "status"]}
        now = dt.datetime.now(dt.UTC)
        for member, ago, wave in ((ana, dt.timedelta(days=400), "last year"), (ben, dt.timedelta(days=20), "now")):
            wave_id = ensure_wave(aspire, wave, (now - ago).date())
            submit(aspire, SYSTEM, [Submission(member_id=member, wave_id=wave_id, raw=raw, submitted_at=now - ago)])

    at = open_app(HOME, login=EMPTY_MANAGER)

    assert_healthy(at)
    reviews = next(t for t in shown_tables(at) if "Next review" in t.columns)
    assert dict(zip(reviews["Member"], reviews["State"], strict=True)) == {"Ana": "Overdue", "Cy": "Never answered"}
    cy = reviews.set_index("Member").loc["Cy"]
    assert (cy["Last answered"], cy["Next review"]) == ("never", "now"), "not a literal 'None'"
    assert any(link.proto.label == "Open a round for them" for link in at.get("page_link"))


def test_member_page_says_when_a_new_estimate_changed_the_reading_of_the_same_answers(empty_db: Path,
                                                                                      open_app) -> None:
    import random

    from coaching.one_on_one.portrait import member_portrait, reading_of, reading_update
    from coaching.paths.fit import DEFAULT_THRESHOLDS
    from tests.unit.test_portrait import _leaning, _noisy

    with domain(empty_db) as aspire:
        manager = accounts_of(aspire).authenticate(*EMPTY_MANAGER)
        team = create_team(aspire, manager, "Team").id
        ana, *others = add_members(aspire, manager, team, [
            NewMember(name=name, email=f"p{n}@example.com") for n, name in enumerate(["Ana", *map(str, range(40))])])
        wave = ensure_wave(aspire, "2026", dt.date(2026, 3, 1))
        instrument = current_instrument(aspire)
        raw = _leaning(instrument, {"autonomy": 4.0, "balance": 3.0, "status": 2.0, "expertise": 2.0,
                                    "security": 2.0}, ("balance", "autonomy", "status"))
        submit(aspire, SYSTEM, [Submission(member_id=ana, wave_id=wave, raw=raw)])
        shown = reading_of(member_portrait(aspire, manager, ana, DEFAULT_THRESHOLDS))
        reading_update(aspire, manager, member_portrait(aspire, manager, ana, DEFAULT_THRESHOLDS))  # as the page does
        rng = random.Random(11)
        submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=_noisy(instrument, rng)) for m in others])

    at = open_app(login=EMPTY_MANAGER)
    at.query_params["member"] = str(ana)
    at.switch_page(MEMBER).run()
    assert_healthy(at)
    notices = [i for i in unescaped(at.info) if "reliability estimate was updated" in i]
    assert len(notices) == 1, unescaped(at.info)
    assert "now rests on 41 responses" in notices[0] and f"\u201c{shown}\u201d" in notices[0]
    assert any(m.startswith("**Autonomy or work-life balance:") for m in unescaped(at.markdown)), unescaped(at.markdown)


def _new_form_fields(at: AppTest, form: str) -> dict[str, object]:
    """The values now shown in a new-record form's text fields (their keys start with the form's name)."""
    return {w.label: w.value for w in (*at.text_area, *at.text_input) if str(w.key).startswith(form)}


def test_a_saved_note_clears_its_form_and_a_second_press_stores_no_copy(demo_db: Path, open_app) -> None:
    at = open_section(open_member(open_app, "Nadia Haddad"), "Notes")
    member_id = _demo_member_id(at, "Nadia Haddad")
    before = len(plans.list_notes(get_aspire(), at.session_state["actor"], member_id))
    note = next(w for w in at.text_area if w.label == "Note")
    note.input("She wants to try a compressed week in spring.")
    next(w for w in at.text_area if w.label == "Agreed actions (one per line)").input("Maria checks the rules")
    at = press(at, "Save note")
    assert "Saved the note." in unescaped(at.success)
    assert _new_form_fields(at, "note_new") == {"Note": "", "Agreed actions (one per line)": ""}

    at = press(at, "Save note")        # the same button again, on the now empty form
    assert any("Not saved" in e for e in unescaped(at.error)), unescaped(at.error)
    notes = plans.list_notes(get_aspire(), at.session_state["actor"], member_id)
    assert len(notes) == before + 1
    assert [n.body for n in notes].count("She wants to try a compressed week in spring.") == 1


def test_a_new_goal_and_a_new_action_clear_their_forms_once_saved(demo_db: Path, open_app) -> None:
    at = open_section(open_member(open_app, "Nadia Haddad"), "Goals")
    next(w for w in at.text_input if w.label == "Goal").input("Try a compressed week")
    at = press(at, "Add goal")
    assert any("Added the goal" in s for s in unescaped(at.success))
    assert _new_form_fields(at, "goal_new")["Goal"] == ""

    next(w for w in at.text_input if w.label == "What").input("Ask HR for the rules")
    at = press(at, "Add action")
    assert any("Added the action" in s for s in unescaped(at.success))
    assert _new_form_fields(at, "action_new")["What"] == ""
