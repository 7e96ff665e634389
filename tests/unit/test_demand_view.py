"""Demand against openings per path (coaching.views.demand), read on the figure's data."""

from __future__ import annotations

from coaching.paths.fit import Demand
from coaching.views.demand import demand_offer_view

from .views_data import REMOTE, SENIOR, TEAM_LEAD


def demands() -> list[Demand]:
    return [Demand(TEAM_LEAD, 3, 1), Demand(SENIOR, 1, 2), Demand(REMOTE, 4, None)]


def test_demand_view_sets_demand_beside_openings_per_option() -> None:
    view = demand_offer_view(demands(), not_counted=0)
    demand, openings, unlimited = view.figure.data

    assert view.figure.layout.barmode == "group"
    assert list(demand.y) == list(openings.y) == ["team_lead", "senior", "remote_days"]
    assert list(demand.x) == [3, 1, 4]
    assert list(openings.x) == [1, 2, None], "no limit is not drawn as 0 openings"
    assert list(unlimited.y) == ["remote_days"] and list(unlimited.text) == ["not limited"]
    assert "not limited" in openings.hovertext[2]
    assert [r["Openings"] for r in view.table] == ["1", "2", "not limited"]


def test_demand_chart_grows_with_its_rows_and_labels_each_bar_beside_it() -> None:
    """17 paths used to share 460 px, with "not limited" written over the bars."""
    many = [Demand(d.option.model_copy(update={"key": f"{d.option.key}_{i}"}), d.demand, d.openings)
            for i in range(6) for d in demands()][:17]
    few, lots = demand_offer_view(demands(), not_counted=0).figure, demand_offer_view(many, not_counted=0).figure

    assert lots.layout.height > few.layout.height
    assert (lots.layout.height - 120) / 17 >= 40, "room for two bars and their labels per path"
    demand, openings, _ = lots.data
    assert demand.textposition == openings.textposition == "outside"
    assert list(demand.text[:3]) == ["3", "1", "4"]
    assert list(openings.text[:3]) == ["1", "2", None], "no limit says 'not limited' in place of a bar"
    zero = demand_offer_view([Demand(TEAM_LEAD, 2, 0)], not_counted=0).figure.data[1]
    assert list(zero.text) == ["none open"]
    assert lots.layout.xaxis.range[1] > 4, "room right of the longest bar for its label"


def test_demand_reading_names_the_biggest_shortfall_of_openings() -> None:
    assert demand_offer_view(demands(), not_counted=0).reading == (
        "Team lead serves the primary aspiration of 3 members but has only 1 opening.")
    none_open = [Demand(option=d.option, demand=d.demand, openings=0) for d in demands()]
    assert demand_offer_view(none_open, not_counted=0).reading == (
        "Remote days serves the primary aspiration of 4 members but has no openings. Also short of openings: "
        "Team lead and Senior specialist."), "every path short of openings is named, the biggest shortfall first"


def test_demand_reading_without_a_shortfall_names_the_path_most_wanted() -> None:
    view = demand_offer_view([Demand(TEAM_LEAD, 1, 1), Demand(REMOTE, 4, None)], not_counted=0)

    assert view.reading.startswith("Remote days serves the most primary aspirations (4)")


def test_demand_reading_when_no_path_serves_anyone() -> None:
    assert demand_offer_view([Demand(TEAM_LEAD, 0, 1)], not_counted=0).reading == (
        "No path on offer serves any member's primary aspiration well.")


def test_demand_reading_says_how_many_members_are_not_counted() -> None:
    """People with no primary named are left out of every bar: the reading says so, so a short bar is not
    read as a team that wants nothing."""
    assert demand_offer_view([Demand(TEAM_LEAD, 1, 1)], not_counted=3).reading == (
        "Team lead serves the most primary aspirations (1), and no path has fewer openings than people it serves. "
        "3 members are not counted: their answers name no single primary aspiration, or need checking first.")
    assert demand_offer_view([Demand(TEAM_LEAD, 1, 1)], not_counted=1).reading.endswith(
        " 1 member is not counted: their answers name no single primary aspiration, or need checking first.")
