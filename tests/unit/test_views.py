"""What every chart view shares (coaching.views.view), and show_view, the same frame around each on screen."""

from __future__ import annotations

import json

import pytest

from coaching.core.needs import SCALES, Need
from coaching.measurement.scoring import Change
from coaching.paths.catalogue import Catalogue
from coaching.paths.fit import Thresholds, demand_vs_offer, fits
from coaching.views.demand import demand_offer_view
from coaching.views.fit import member_fit_view
from coaching.views.heatmap import team_heatmap_view
from coaching.views.overview import org_needs_view, org_unmet_view, people_needs_view
from coaching.views.pay import pay_ladder_view
from coaching.views.profile import member_profile_view, own_profile_view
from coaching.views.trend import member_trend_view, team_drift_view
from coaching.views.view import View

from .views_data import ANA, CATALOGUE, PERSON, REMOTE, SENIOR, a_profile, summary


def all_views() -> dict[str, View]:
    """Every builder on ordinary data, for the checks every figure must pass."""
    summaries = [summary(s, 50.0 + i) for i, s in enumerate(SCALES)]
    return {
        "own_profile": own_profile_view(a_profile(ANA)),
        "profile": member_profile_view("Ana", a_profile(ANA), SENIOR),
        "fit": member_fit_view("Ana", fits(ANA, CATALOGUE), [Need.AUTONOMY]),
        "heatmap": team_heatmap_view([(1, "Ana", a_profile(ANA)), (2, "Ben", a_profile(PERSON))]),
        "demand": demand_offer_view(demand_vs_offer([a_profile(ANA, primary=Need.BALANCE),
                                                     a_profile(PERSON, primary=Need.STATUS)], CATALOGUE, Thresholds()),
                                    not_counted=0),
        "pay": pay_ladder_view(CATALOGUE),
        "trend": member_trend_view("Ana", [("2025", PERSON), ("2026", ANA)], [
            Change("autonomy", 70.0, 90.0, 2.5, True)]),
        "drift": team_drift_view("2025", summaries, "2026", summaries[::-1]),
        "people_needs": people_needs_view(summaries),
        "org_needs": org_needs_view(summaries),
        "org_unmet": org_unmet_view({Need.AUTONOMY: 4}, 20),
    }


def font_colours(node: object) -> list[str]:
    """Every colour set on a font anywhere in a figure's JSON."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "color" in value:
                found.append(str(value["color"]).lower())
            found += font_colours(value)
    elif isinstance(node, list):
        for value in node:
            found += font_colours(value)
    return found


@pytest.mark.parametrize("name", list(all_views()))
def test_every_view_fits_a_small_screen_in_either_theme(name: str) -> None:
    view = all_views()[name]
    layout = view.figure.layout

    assert layout.height <= 460 and layout.width is None
    assert layout.paper_bgcolor == layout.plot_bgcolor == "rgba(0,0,0,0)"
    # Our own settings only: once streamlit is imported, every new figure also carries its theme template.
    ours = view.figure.to_plotly_json()
    ours["layout"].pop("template", None)
    assert not set(font_colours(ours)) & {"black", "white", "#000", "#000000", "#fff", "#ffffff"}
    assert view.title and view.reading.endswith(".") and "\n" not in view.reading
    columns = {column for row in view.table for column in row}
    assert columns and all(column.strip() and "_" not in column for column in columns), "human column names"


EMPTY_CASES = {
    "profile": lambda: member_profile_view("Ana", a_profile({})),
    "fit": lambda: member_fit_view("Ana", [], [Need.AUTONOMY]),
    "heatmap": lambda: team_heatmap_view([]),
    "demand": lambda: demand_offer_view([], not_counted=0),
    "pay": lambda: pay_ladder_view(Catalogue(options=[REMOTE])),
    "trend": lambda: member_trend_view("Ana", [], []),
    "drift": lambda: team_drift_view("2025", [], "2026", [summary("status", 50.0)]),
    "people_needs": lambda: people_needs_view([]),
    "org_needs": lambda: org_needs_view([]),
    "org_unmet": lambda: org_unmet_view({}, 0),
}


@pytest.mark.parametrize("name", list(EMPTY_CASES))
def test_empty_input_gives_a_view_that_says_what_is_missing(name: str) -> None:
    view = EMPTY_CASES[name]()

    assert not view.figure.data and view.table == []
    assert len(view.reading) > 20 and view.reading.endswith(".")


def test_names_typed_by_people_are_shown_as_typed_not_as_markup() -> None:
    view = team_heatmap_view([(1, "<b>Bo</b>", a_profile(ANA))])

    assert view.figure.layout.yaxis.ticktext[0] == "&lt;b&gt;Bo&lt;/b&gt;"
    assert view.table[0]["Member"] == "<b>Bo</b>"


# ---- show_view: the same frame around every chart -------------------------------------------------

def _screen_showing_a_view() -> None:
    import streamlit as st

    from coaching.core.needs import Need
    from coaching.measurement.scoring import Profile
    from coaching.ui.views import show_view
    from coaching.views.heatmap import team_heatmap_view

    ana = Profile(scores={"status": 30.0, "security": 50.0, "expertise": 60.0, "autonomy": 90.0, "balance": 20.0},
                  choice=(Need.AUTONOMY, Need.EXPERTISE, Need.SECURITY), primary=Need.AUTONOMY, close_needs=(),
                  disagreement=False, flags=(), clear_lead=True)
    rows = [(7, "Ana *star*", ana)]
    event = show_view(team_heatmap_view(rows), key="heat", on_select="rerun")
    st.text(f"event: {type(event).__name__}")
    show_view(team_heatmap_view([]), key="empty")


def test_show_view_gives_title_reading_chart_and_a_table_on_request() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_screen_showing_a_view, default_timeout=30).run()

    assert not at.exception
    assert at.markdown[0].value == "##### The team's needs, person by person"
    assert at.caption[0].value == "Of 1 member, 1 needs autonomy most\\."
    chart = at.get("plotly_chart")[0]
    spec = json.loads(chart.proto.spec)
    assert spec["data"][0]["customdata"] == [7] * 5
    assert chart.proto.selection_mode == [0], "points only: a click picks one member"
    assert "displaylogo" in chart.proto.config
    assert at.text[0].value == "event: PlotlyState"
    assert at.info[0].value.startswith("No one in this team has answered yet"), "an empty view says why"
    assert len(at.toggle) == 1 and not at.get("arrow_data_frame")

    at.toggle[0].set_value(True).run()

    assert not at.get("plotly_chart")
    assert at.table[0].value["Member"].tolist() == ["Ana \\*star\\*"], "shown as typed, never as Markdown"
    assert at.get("download_button"), "with a formula-safe download beside it"
