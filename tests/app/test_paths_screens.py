"""Development paths through app.py: the one-on-one page's route builder and the team's directions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from coaching.core.actors import Actor, Role
from coaching.one_on_one import development, plans
from coaching.paths.fit import Thresholds
from coaching.people import teams
from coaching.people.teams import list_members

from .conftest import DEMO_ADMIN, EMPTY_ADMIN, assert_healthy, domain, shown_tables, unescaped
from .test_coaching_screens import _demo_member_id, open_member
from .test_respond import Round, _answer_and, open_link, page_text

MEMBER = "screens/member.py"
TEAM = "screens/team.py"


def open_development(at: AppTest) -> AppTest:
    at.get("button_group")[0].set_value("Development path").run()
    assert_healthy(at)
    return at


def ladder(at: AppTest) -> dict:
    (spec,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return spec


def test_the_steps_within_reach_of_a_senior_specialist_with_band_change_and_fit(demo_db: Path, open_app) -> None:
    at = open_development(open_member(open_app, "Aiko Tanaka"))
    steps = shown_tables(at)[0]
    staff = steps[steps["Option"] == "Staff specialist"].iloc[0]
    assert (staff["Step"], staff["Band change"], staff["Openings"]) == ("next level up", "+14,000 EUR", "1")
    assert "expertise and acclaim" in staff["Serves well"]
    assert staff["Expectations"].startswith("Sets technical direction across several teams")
    assert set(steps["Option"]) >= {"Team lead", "Remote days"}
    assert "Distinguished specialist" not in set(steps["Option"])
    assert (steps[steps["Step"] == "alongside any level"]["Band change"] == "no change").all()
    rungs = {t["name"]: t["text"] for t in ladder(at)["data"] if t.get("name") in ("Management track", "Expert track")}
    assert rungs["Expert track"] == ["Senior specialist", "Staff specialist", "Principal specialist",
                                     "Distinguished specialist"]


def test_two_routes_are_drawn_compared_and_one_agreed_as_goals(demo_db: Path, open_app) -> None:
    at = open_development(open_member(open_app, "Aiko Tanaka"))
    member_id = _demo_member_id(at, "Aiko Tanaka")
    at.selectbox(key="route_A_1_option").set_value("staff").run()
    at.selectbox(key="route_A_2_option").set_value("principal").run()
    at.selectbox(key="route_B_1_option").set_value("team_lead").run()
    assert_healthy(at)
    arrows = [a for a in ladder(at)["layout"]["annotations"] if a.get("showarrow")]
    assert len(arrows) == 3, "route A's two steps and route B's one"
    sentence = " ".join(unescaped(at.caption))
    assert "Route A serves expertise and acclaim, their top need, better (0.95 against 0.2)" in sentence

    next(b for b in at.button if b.label == "Agree route A as goals").click().run()
    assert_healthy(at)
    assert any("Agreed route A: 2 goals added" in s for s in unescaped(at.success)), unescaped(at.success)
    maria = at.session_state["actor"]
    with domain(demo_db) as aspire:
        goals = [g for g in plans.list_goals(aspire, maria, member_id) if g.title.startswith("Move up")]
    assert [(g.title, g.option_key, g.need.value) for g in goals] == [
        ("Move up to Staff specialist", "staff", "expertise"), ("Move up to Principal specialist", "principal",
                                                                "expertise")]


def test_a_member_without_a_recorded_track_gets_a_prompt_not_an_empty_chart(demo_db: Path, open_app) -> None:
    at = open_development(open_member(open_app, "José Álvarez"))
    assert any("No current track is recorded for José Álvarez" in t for t in unescaped(at.info))
    assert not at.get("plotly_chart")


def test_the_team_counts_where_needs_point_never_who(demo_db: Path, open_app) -> None:
    at = open_app(TEAM)
    at.get("button_group")[0].set_value("Where needs point").run()
    assert_healthy(at)
    shown = " ".join(unescaped(at.caption))
    assert "for coaching and development, never for selection" in shown
    table = shown_tables(at)[0]
    assert list(table.columns) == ["Next step", "Kind", "People whose needs point here", "Openings"]
    people = table["People whose needs point here"].astype(int)
    assert people.sum() == 5, "the five Platform people with a recorded track"
    assert not any(name in table.to_string() for name in ("Aiko", "Nadia", "Sven", "Liam", "Olga"))


def test_an_admin_sees_directions_only_for_a_team_over_the_group_size(demo_db: Path, open_app) -> None:
    at = open_app("screens/catalogue.py", login=DEMO_ADMIN)
    assert isinstance(at.session_state["actor"], Actor) and at.session_state["actor"].role is Role.ADMIN
    at.selectbox(key="directions_team").select_index(
        [o for o in at.selectbox(key="directions_team").options].index("Platform engineering")).run()
    assert_healthy(at)
    assert any("never for selection" in t for t in unescaped(at.caption))
    (table,) = [t for t in shown_tables(at) if "People whose needs point here" in t.columns]
    assert table.to_dict("records") == [{"Next step": "Other steps together", "Kind": "",
                                         "People whose needs point here": "5", "Openings": ""}], \
        "the five people with a track point to different steps, none shown alone below the group size"

    at.selectbox(key="directions_team").select_index(
        [o for o in at.selectbox(key="directions_team").options].index("Customer success")).run()
    assert any("fewer than 5 people counted" in t for t in unescaped(at.info)), "only three have a recorded track"


def test_the_own_link_shows_the_agreed_route_read_only(db_path: Path) -> None:
    opened = Round(db_path)

    def agree(aspire, r: Round) -> None:
        _answer_and("closed")(aspire, r)
        ana = next(m for m in list_members(aspire, r.manager, r.team_id) if m.id == r.member_ids[0])
        teams.edit_member(aspire, r.manager, ana.id, ana.version, {"name": ana.name, "email": ana.email,
                                                                   "track": "expert", "level": "senior"})
        development.save_route(aspire, r.manager, ana.id, {"expertise": 90.0}, [("staff", dt.date(2099, 3, 31))],
                               close_earlier=False, today=dt.date.today(), thresholds=Thresholds())

    opened.change(agree)
    at = open_link(opened.tokens[0])
    text = page_text(at)
    assert "The development route you agreed with your manager" in text
    assert "Staff specialist" in text and "31 Mar 2099" in text
    (spec,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Expert track" in c.proto.spec]
    assert [a for a in spec["layout"]["annotations"] if a.get("showarrow")], "the route drawn as an arrow"
    # Read only: nothing to type or press; the one choice is the page's language.
    assert not at.text_input and not at.button and [s.key for s in at.selectbox] == ["respond_language_pick"]
    assert "development route" not in page_text(open_link(opened.tokens[1])), "each link shows its own route"


def test_an_admin_edits_a_levels_expectations_and_the_history_keeps_the_earlier_ones(empty_db: Path,
                                                                                      open_app) -> None:
    at = open_app("screens/catalogue.py", login=EMPTY_ADMIN)
    assert_healthy(at)
    assert at.text_area(key="opt_team_lead_expectations").value.startswith("Runs the team's planning")
    at.text_area(key="opt_team_lead_expectations").input("Runs the team's planning\n\nCoaches each person monthly")
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert_healthy(at)
    assert any("Expectations:" in s for s in unescaped(at.success)), unescaped(at.error)
    rows = [t for t in shown_tables(at) if "Expectations" in t.columns][0].to_dict("records")
    assert rows[0]["Expectations"] == "Runs the team's planning; Coaches each person monthly"
    history = next(e for e in at.expander if e.label == "History of Team lead")
    assert "Expectations: Runs the team's planning and one-on-ones;" in shown_tables(history)[0].to_dict(
        "records")[1]["What changed"]


def test_the_fit_of_every_option_is_followed_by_the_next_steps_within_reach(demo_db: Path, open_app) -> None:
    at = open_member(open_app, "Aiko Tanaka")
    (line,) = [t for t in unescaped(at.caption) if t.startswith("Next steps within reach")]
    assert line.startswith("Next steps within reach: Staff specialist (next level up, fit ")
    assert "Team lead (across to the other ladder" in line and "Distinguished" not in line
