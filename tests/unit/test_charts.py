"""Chart builders and views, read on the figure's data (never pixels), from hand-built domain results."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.core.needs import NEEDS, SCALES, Facet, Need, scale_label
from coaching.measurement.profiles import ScaleSummary
from coaching.measurement.scoring import Change, Profile
from coaching.paths.catalogue import Catalogue, PathKind, PathOption, PayBand
from coaching.paths.fit import Demand, Thresholds, demand_vs_offer, fits
from coaching.views.charts import (
    FACET_SYMBOLS,
    NEED_COLOURS,
    View,
    demand_offer_view,
    member_fit_view,
    member_profile_view,
    member_trend_view,
    needs_overview,
    org_needs_view,
    org_unmet_view,
    pay_ladder_view,
    profile_chart,
    team_drift_view,
    team_heatmap_view,
)

# Top to bottom, as a manager reads the chart: security's facets right under security.
TOP_TO_BOTTOM = [
    str(Need.STATUS), str(Need.SECURITY), Facet.STABILITY.scale, Facet.PAY.scale,
    str(Need.EXPERTISE), str(Need.AUTONOMY), str(Need.BALANCE),
]
LABEL_TO_SCALE = {scale_label(s): s for s in SCALES}


def summary(scale: str, mean: float, n: int = 10) -> ScaleSummary:
    return ScaleSummary(scale=scale, n=n, mean=mean, low=max(0.0, mean - 20), high=min(100.0, mean + 20))


def all_scales() -> list[ScaleSummary]:
    # Deliberately neither in SCALES order nor in display order.
    means = {"balance": 41.5, "security.pay": 73.0, "status": 12.0, "autonomy": 88.8, "security": 55.0,
             "expertise": 64.2, "security.stability": 37.5}
    return [summary(scale, mean) for scale, mean in means.items()]


def the_bar(fig: go.Figure) -> go.Bar:
    assert len(fig.data) == 1
    bar = fig.data[0]
    assert isinstance(bar, go.Bar) and bar.orientation == "h"
    return bar


def scales_top_to_bottom(bar: go.Bar) -> list[str]:
    """Plotly draws horizontal bars bottom-up: the last category is at the top."""
    return [LABEL_TO_SCALE[label.replace("\u00a0", " ").strip().removeprefix("· ")] for label in bar.y][::-1]


def bars_by_scale(bar: go.Bar) -> dict[str, int]:
    return {scale: index for index, scale in enumerate(scales_top_to_bottom(bar)[::-1])}


def test_bar_lengths_are_the_means() -> None:
    summaries = all_scales()
    bar = the_bar(needs_overview(summaries))
    index = bars_by_scale(bar)

    assert {s.scale: bar.x[index[s.scale]] for s in summaries} == {s.scale: s.mean for s in summaries}


def test_needs_read_top_to_bottom_in_their_usual_order_with_facets_under_security() -> None:
    bar = the_bar(needs_overview(all_scales()))

    assert scales_top_to_bottom(bar) == TOP_TO_BOTTOM


def test_facet_labels_are_indented_and_need_labels_are_not() -> None:
    bar = the_bar(needs_overview(all_scales()))

    for label, scale in zip(bar.y, scales_top_to_bottom(bar)[::-1], strict=True):
        assert label.startswith("\u00a0") == ("." in scale), label


def test_facets_are_hatched_in_securitys_colour_and_needs_are_plain_in_their_own() -> None:
    bar = the_bar(needs_overview(all_scales()))
    index = bars_by_scale(bar)
    colours, shapes = list(bar.marker.color), list(bar.marker.pattern.shape)

    security_colour = colours[index[Need.SECURITY]]
    for facet in Facet:
        assert colours[index[facet.scale]] == security_colour
        assert shapes[index[facet.scale]] not in ("", None)
    for need in NEEDS:
        assert shapes[index[need]] in ("", None), need
    need_colours = [colours[index[need]] for need in NEEDS]
    assert len(set(need_colours)) == len(NEEDS), "two needs share a colour"
    assert need_colours == [NEED_COLOURS[need] for need in NEEDS]


def test_x_axis_covers_the_whole_0_to_100_scale() -> None:
    fig = needs_overview([summary("status", 100.0), summary("balance", 0.0)])

    low, high = fig.layout.xaxis.range
    assert low <= 0 and high >= 100


def test_hover_gives_the_range_and_number_of_people() -> None:
    summaries = [ScaleSummary("autonomy", n=7, mean=60.0, low=35.0, high=95.0)]
    bar = the_bar(needs_overview(summaries))

    assert list(bar.hovertext) == ["Autonomy: average 60 of 100 over 7 people<br>from 35 to 95"]


def test_hover_of_an_aggregate_gives_no_range() -> None:
    """Admins see organisation means only: a lowest or highest score would be one person's."""
    bar = the_bar(needs_overview([ScaleSummary("autonomy", n=12, mean=60.0)]))

    assert list(bar.hovertext) == ["Autonomy: average 60 of 100 over 12 people"]


@pytest.mark.parametrize(
    "scales",
    [
        ["autonomy"],
        ["balance", "status"],
        ["security"],
        ["security.pay", "security.stability"],
        ["security.pay", "expertise"],
        [],
    ],
    ids=lambda scales: "+".join(scales) or "none",
)
def test_missing_scales_leave_them_out_without_error(scales: list[str]) -> None:
    summaries = [summary(scale, 50.0 + i) for i, scale in enumerate(scales)]

    bar = the_bar(needs_overview(summaries))

    assert scales_top_to_bottom(bar) == [s for s in TOP_TO_BOTTOM if s in scales]
    assert sorted(bar.x) == sorted(s.mean for s in summaries)


@settings(max_examples=60, deadline=None)
@given(
    means=st.dictionaries(
        st.sampled_from(SCALES), st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1
    )
)
def test_any_subset_keeps_the_order_and_the_means(means: dict[str, float]) -> None:
    bar = the_bar(needs_overview([summary(scale, mean) for scale, mean in means.items()]))

    order = scales_top_to_bottom(bar)
    assert order == [s for s in TOP_TO_BOTTOM if s in means]
    assert {scale: bar.x[i] for i, scale in enumerate(order[::-1])} == means


# ---- profile_chart: one person's radar, security's facets beside it ----------------------------------

PERSON = {"status": 20.0, "security": 55.0, "expertise": 90.0, "autonomy": 70.0, "balance": 35.5,
          "security.stability": 80.0, "security.pay": 30.0}


def a_profile(scores: dict[str, float]) -> Profile:
    return Profile(scores=scores, choice=(Need.EXPERTISE, Need.AUTONOMY, Need.BALANCE), primary=None,
                   close_needs=(), disagreement=False, flags=(), clear_lead=False)


def traces_by_name(fig: go.Figure) -> dict[str, go.Scatterpolar]:
    """The needs' trace as "Your needs", each facet's under its facet key."""
    assert all(isinstance(t, go.Scatterpolar) for t in fig.data)
    found = {}
    for trace in fig.data:
        facet = next((f for f in Facet if trace.name.endswith(f.label.lower())), None)
        found[facet.scale if facet else trace.name] = trace
    return found


def test_the_five_needs_form_a_closed_shape_in_their_usual_order() -> None:
    needs = traces_by_name(profile_chart(a_profile(PERSON)))["Your needs"]

    assert list(needs.r) == [PERSON[n] for n in NEEDS] + [PERSON[Need.STATUS]]
    assert list(needs.theta) == [0, 72, 144, 216, 288, 0]
    assert needs.fill == "toself"
    assert list(needs.marker.color)[:5] == [NEED_COLOURS[n] for n in NEEDS]


def test_both_security_facets_are_drawn_beside_security_with_their_own_scores_and_shapes() -> None:
    traces = traces_by_name(profile_chart(a_profile(PERSON)))
    security_angle = 72

    for facet, side in zip(Facet, (-1, 1), strict=True):
        trace = traces[facet.scale]
        assert trace.r[-1] == PERSON[facet.scale]
        assert trace.r[0] == 0, "a thin spoke from the centre"
        assert all(theta == security_angle + side * 14 for theta in trace.theta)
        assert trace.marker.symbol == FACET_SYMBOLS[facet]
        assert trace.marker.color == NEED_COLOURS[facet.scale]
        assert f"{PERSON[facet.scale]:.0f} of 100" in trace.hovertext[-1]
    assert FACET_SYMBOLS[Facet.STABILITY] != FACET_SYMBOLS[Facet.PAY], "told apart without colour"
    assert [t.name for t in traces.values() if t.showlegend] == [
        "Financial security: steady, safe income", "Financial security: better pay as chances arise"]


def test_a_low_facet_is_not_hidden_by_a_high_one() -> None:
    scores = {**PERSON, "security.stability": 100.0, "security.pay": 0.0}
    traces = traces_by_name(profile_chart(a_profile(scores)))

    assert traces[Facet.PAY.scale].r[-1] == 0.0 and traces[Facet.STABILITY.scale].r[-1] == 100.0
    assert traces[Facet.PAY.scale].theta[0] != traces[Facet.STABILITY.scale].theta[0]


def test_the_radar_is_title_less_transparent_and_runs_from_0_to_100() -> None:
    fig = profile_chart(a_profile(PERSON))

    assert not fig.layout.title.text
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == fig.layout.polar.bgcolor == "rgba(0,0,0,0)"
    assert tuple(fig.layout.polar.radialaxis.range) == (0, 100)
    labels = [t.replace("<br>", " ") for t in fig.layout.polar.angularaxis.ticktext]
    assert labels == [n.label for n in NEEDS]
    assert fig.layout.height <= 400 and fig.layout.width is None, "sized by its container, fits 375 px"


def test_scales_not_measured_are_left_out_rather_than_drawn_as_zero() -> None:
    scores = {k: v for k, v in PERSON.items() if k not in ("security.pay", "balance")}
    traces = traces_by_name(profile_chart(a_profile(scores)))

    assert Facet.PAY.scale not in traces
    assert 0.0 not in list(traces["Your needs"].r)
    assert len(traces["Your needs"].r) == 5


@settings(max_examples=40, deadline=None)
@given(scores=st.fixed_dictionaries({s: st.floats(min_value=0, max_value=100, allow_nan=False) for s in SCALES}))
def test_any_profile_is_drawn_with_its_own_numbers(scores: dict[str, float]) -> None:
    traces = traces_by_name(profile_chart(a_profile(scores)))

    assert list(traces["Your needs"].r)[:5] == [scores[n] for n in NEEDS]
    assert {traces[f.scale].r[-1] for f in Facet} == {scores[f.scale] for f in Facet}


# ---- views: figure, one-sentence reading and table, from hand-built domain results ----------------

TEAM_LEAD = PathOption(key="team_lead", kind=PathKind.MANAGEMENT, name="Team lead", rank=1, why="Leads a team.",
                       openings=2, support={Need.STATUS: 0.8, Need.SECURITY: 0.6, Need.EXPERTISE: 0.2,
                                            Need.AUTONOMY: 0.3, Need.BALANCE: 0.1},
                       band=PayBand(minimum=50000, midpoint=60000, maximum=70000, currency="EUR"))
SENIOR = PathOption(key="senior", kind=PathKind.EXPERT, name="Senior specialist", rank=1, why="Deep expertise.",
                    openings=1, support={Need.STATUS: 0.3, Need.SECURITY: 0.6, Need.EXPERTISE: 0.9,
                                         Need.AUTONOMY: 0.5, Need.BALANCE: 0.3},
                    band=PayBand(minimum=50000, midpoint=60000, maximum=70000, currency="EUR"))
MANAGER = TEAM_LEAD.model_copy(update={"key": "manager", "name": "Manager", "rank": 2, "openings": 0,
                                       "band": PayBand(minimum=60000, midpoint=72000, maximum=84000,
                                                       currency="EUR")})
STAFF = SENIOR.model_copy(update={"key": "staff", "name": "Staff specialist", "rank": 2,
                                  "band": PayBand(minimum=60000, midpoint=70000, maximum=84000, currency="EUR")})
REMOTE = PathOption(key="remote_days", kind=PathKind.FLEXIBLE, name="Remote days", why="Less commuting.",
                    support={Need.STATUS: 0, Need.SECURITY: 0.1, Need.EXPERTISE: 0, Need.AUTONOMY: 0.3,
                             Need.BALANCE: 0.9})
CATALOGUE = Catalogue(options=[TEAM_LEAD, MANAGER, SENIOR, STAFF, REMOTE])
ANA = {"status": 30.0, "security": 50.0, "expertise": 85.0, "autonomy": 90.0, "balance": 20.0,
       "security.stability": 60.0, "security.pay": 40.0}


def all_views() -> dict[str, View]:
    """Every builder on ordinary data, for the checks every figure must pass."""
    summaries = [summary(s, 50.0 + i) for i, s in enumerate(SCALES)]
    return {
        "profile": member_profile_view("Ana", a_profile(ANA), SENIOR),
        "fit": member_fit_view("Ana", fits(ANA, CATALOGUE), [Need.AUTONOMY]),
        "heatmap": team_heatmap_view([(1, "Ana", ANA), (2, "Ben", PERSON)]),
        "demand": demand_offer_view(demand_vs_offer([Need.BALANCE, Need.STATUS], CATALOGUE, Thresholds())),
        "pay": pay_ladder_view(CATALOGUE),
        "trend": member_trend_view("Ana", [("2025", PERSON), ("2026", ANA)], [
            Change("autonomy", 70.0, 90.0, 2.5, True)]),
        "drift": team_drift_view("2025", summaries, "2026", summaries[::-1]),
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
    "demand": lambda: demand_offer_view([]),
    "pay": lambda: pay_ladder_view(Catalogue(options=[REMOTE])),
    "trend": lambda: member_trend_view("Ana", [], []),
    "drift": lambda: team_drift_view("2025", [], "2026", [summary("status", 50.0)]),
    "org_needs": lambda: org_needs_view([]),
    "org_unmet": lambda: org_unmet_view({}, 0),
}


@pytest.mark.parametrize("name", list(EMPTY_CASES))
def test_empty_input_gives_a_view_that_says_what_is_missing(name: str) -> None:
    view = EMPTY_CASES[name]()

    assert not view.figure.data and view.table == []
    assert len(view.reading) > 20 and view.reading.endswith(".")


# member profile

def test_profile_view_is_the_radar_with_the_option_overlaid_as_its_support_times_100() -> None:
    view = member_profile_view("Ana", a_profile(ANA), SENIOR)
    overlay = view.figure.data[-1]

    assert len(view.figure.data) == len(profile_chart(a_profile(ANA)).data) + 1
    assert overlay.name.startswith("Senior specialist")
    assert list(overlay.r) == [100 * SENIOR.support[n] for n in [*NEEDS, NEEDS[0]]]
    assert list(overlay.theta) == list(traces_by_name(view.figure)["Your needs"].theta)
    assert "autonomy most (90 of 100)" in view.reading and "work-life balance least (20)" in view.reading
    assert "Senior specialist claims to serve autonomy at 50" in view.reading


def test_profile_view_table_lists_both_security_facets_and_what_the_option_offers() -> None:
    rows = {row["Need"]: row for row in member_profile_view("Ana", a_profile(ANA), SENIOR).table}

    assert rows["Steady, safe income"]["Score (0-100)"] == 60.0
    assert rows["Better pay as chances arise"]["Score (0-100)"] == 40.0
    assert rows["Expertise and acclaim"]["Senior specialist offers (0-100)"] == 90.0
    assert rows["Steady, safe income"]["Senior specialist offers (0-100)"] is None


def test_profile_view_without_an_option_is_the_plain_radar() -> None:
    view = member_profile_view("Ana", a_profile(ANA))

    assert [t.name for t in view.figure.data] == [t.name for t in profile_chart(a_profile(ANA)).data]
    assert "claims" not in view.reading and set(view.table[0]) == {"Need", "Score (0-100)"}


# member fit

def test_fit_view_stacks_each_options_need_shares_best_on_top() -> None:
    found = fits(ANA, CATALOGUE)
    view = member_fit_view("Ana", found, [])
    bars = [t for t in view.figure.data if isinstance(t, go.Bar)]

    assert [b.name for b in bars] == [n.label for n in NEEDS]
    assert [b.marker.color for b in bars] == [NEED_COLOURS[n] for n in NEEDS]
    assert view.figure.layout.barmode == "stack"
    assert list(bars[0].y) == [f.option.key for f in found]
    assert view.figure.layout.yaxis.autorange == "reversed", "the first (best) option is drawn on top"
    assert list(view.figure.layout.yaxis.ticktext) == [f.option.name for f in found]
    for need, bar in zip(NEEDS, bars, strict=True):
        assert list(bar.x) == [f.shares[need] for f in found]
    assert found[0].option.key == "senior"
    assert view.reading == f"Ana fits Senior specialist best ({found[0].fit:.0f}); no strong need is left unmet."


def test_fit_view_calls_out_unmet_needs_on_the_chart_and_in_the_reading() -> None:
    view = member_fit_view("Ana", fits(ANA, CATALOGUE), [Need.AUTONOMY, Need.BALANCE])

    assert "autonomy and work-life balance are unmet needs" in view.reading
    assert any("autonomy and work-life balance" in a.text for a in view.figure.layout.annotations)


def test_fit_view_table_gives_each_options_fit_and_shares() -> None:
    found = fits(ANA, CATALOGUE)
    rows = member_fit_view("Ana", found, []).table

    assert [r["Path"] for r in rows] == [f.option.name for f in found]
    assert rows[0]["Fit (0-100)"] == found[0].fit
    assert rows[0]["From expertise and acclaim"] == found[0].shares[Need.EXPERTISE]


# team heatmap

HEAT_ROWS = [
    (11, "Ana", {"status": 30.0, "security": 50.0, "expertise": 60.0, "autonomy": 90.0, "balance": 20.0}),
    (12, "Ben", {"status": 85.0, "security": 40.0, "expertise": 30.0, "autonomy": 20.0, "balance": 10.0}),
    (13, "Cai", {"status": 20.0, "security": 50.0, "expertise": 40.0, "autonomy": 70.0, "balance": 60.0}),
    (14, "Dee", {"status": 70.0, "security": 75.0, "expertise": 30.0, "autonomy": 20.0, "balance": 10.0}),
]


def test_heatmap_is_one_clickable_scatter_of_squares_carrying_member_ids() -> None:
    view = team_heatmap_view(HEAT_ROWS)
    (trace,) = view.figure.data

    assert isinstance(trace, go.Scatter) and trace.mode == "markers" and trace.marker.symbol == "square"
    assert len(trace.x) == len(HEAT_ROWS) * len(NEEDS)
    names = list(view.figure.layout.yaxis.ticktext)
    ids = {name: member_id for member_id, name, _ in HEAT_ROWS}
    scores = {name: s for _, name, s in HEAT_ROWS}
    for x, y, colour, member_id in zip(trace.x, trace.y, trace.marker.color, trace.customdata, strict=True):
        name = names[y]
        assert member_id == ids[name]
        need = next(n for n in NEEDS if n.label == x)
        assert colour == scores[name][need]
    assert trace.marker.colorscale is not None and (trace.marker.cmin, trace.marker.cmax) == (0, 100)


def test_heatmap_groups_members_by_top_need_strongest_first() -> None:
    view = team_heatmap_view(HEAT_ROWS)

    # Top needs: Ben status, Dee security, Ana and Cai autonomy (90 before 70); groups in the usual need order.
    assert list(view.figure.layout.yaxis.ticktext) == ["Ben", "Dee", "Ana", "Cai"]
    assert view.figure.layout.yaxis.autorange == "reversed"
    assert [r["Member"] for r in view.table] == ["Ben", "Dee", "Ana", "Cai"]
    assert view.reading == ("Of 4 members, 2 need autonomy most, 1 status and responsibility and 1 financial "
                            "security.")


def test_heatmap_leaves_out_a_need_not_measured_and_keeps_two_people_of_one_name_apart() -> None:
    rows = [(1, "Sam", {"status": 80.0, "autonomy": 40.0}), (2, "Sam", {"status": 60.0, "autonomy": 90.0})]
    (trace,) = team_heatmap_view(rows).figure.data

    assert len(trace.x) == 4 and 0.0 not in list(trace.marker.color)
    assert sorted(set(trace.y)) == [0, 1] and sorted(set(trace.customdata)) == [1, 2]


def test_heatmap_of_one_member_reads_in_the_singular() -> None:
    assert team_heatmap_view(HEAT_ROWS[:1]).reading == "Of 1 member, 1 needs autonomy most."


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_heatmap_colours_scores_in_five_steps_each_clearly_apart() -> None:
    """A smooth scale's middle greys were hard to tell apart: scores now fall in five steps of 20 points,
    each step lighter than the one below by a margin the eye sees (also without colour vision)."""
    (trace,) = team_heatmap_view(HEAT_ROWS).figure.data
    scale = [(position, colour) for position, colour in trace.marker.colorscale]

    steps = list(dict.fromkeys(colour for _, colour in scale))
    assert len(steps) == 5
    assert [p for p, _ in scale] == [0.0, 0.2, 0.2, 0.4, 0.4, 0.6, 0.6, 0.8, 0.8, 1.0], "hard edges, no blending"
    lightness = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in map(_rgb, steps)]
    assert all(b - a > 25 for a, b in zip(lightness, lightness[1:], strict=False)), lightness
    assert (trace.marker.cmin, trace.marker.cmax) == (0, 100)
    assert list(trace.marker.colorbar.tickvals) == [0, 20, 40, 60, 80, 100]


# demand vs offer

def demands() -> list[Demand]:
    return [Demand(TEAM_LEAD, 3, 1), Demand(SENIOR, 1, 2), Demand(REMOTE, 4, None)]


def test_demand_view_sets_demand_beside_openings_per_option() -> None:
    view = demand_offer_view(demands())
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
    few, lots = demand_offer_view(demands()).figure, demand_offer_view(many).figure

    assert lots.layout.height > few.layout.height
    assert (lots.layout.height - 120) / 17 >= 40, "room for two bars and their labels per path"
    demand, openings, _ = lots.data
    assert demand.textposition == openings.textposition == "outside"
    assert list(demand.text[:3]) == ["3", "1", "4"]
    assert list(openings.text[:3]) == ["1", "2", None], "no limit says 'not limited' in place of a bar"
    zero = demand_offer_view([Demand(TEAM_LEAD, 2, 0)]).figure.data[1]
    assert list(zero.text) == ["none open"]
    assert lots.layout.xaxis.range[1] > 4, "room right of the longest bar for its label"


def test_demand_reading_names_the_biggest_shortfall_of_openings() -> None:
    assert demand_offer_view(demands()).reading == "Team lead serves the top need of 3 members but has only 1 opening."
    none_open = [Demand(option=d.option, demand=d.demand, openings=0) for d in demands()]
    assert demand_offer_view(none_open).reading.endswith("but has no openings.")


def test_demand_reading_without_a_shortfall_names_the_path_most_wanted() -> None:
    view = demand_offer_view([Demand(TEAM_LEAD, 1, 1), Demand(REMOTE, 4, None)])

    assert view.reading.startswith("Remote days serves the most top needs (4)")


def test_demand_reading_when_no_path_serves_anyone() -> None:
    assert demand_offer_view([Demand(TEAM_LEAD, 0, 1)]).reading == (
        "No path on offer serves any member's top need well.")


# pay bands

def test_pay_ladder_sets_both_tracks_bands_side_by_side_per_level_with_midpoints() -> None:
    view = pay_ladder_view(CATALOGUE)
    bars = [t for t in view.figure.data if isinstance(t, go.Bar)]
    mids = [t for t in view.figure.data if isinstance(t, go.Scatter)]

    assert [b.name for b in bars] == ["Management track", "Expert track"]
    assert view.figure.layout.barmode == "group"
    management, expert = bars
    assert list(management.x) == [1, 2] and list(management.base) == [50000, 60000]
    assert list(management.y) == [20000, 24000], "a bar spans minimum to maximum"
    assert list(expert.y) == [20000, 24000]
    assert [list(m.y) for m in mids] == [[60000, 72000], [60000, 70000]]
    assert [m.offsetgroup for m in mids] == [b.offsetgroup for b in bars], "each midpoint sits on its own bar"
    assert "EUR" in view.figure.layout.yaxis.title.text
    first_rung = view.figure.layout.xaxis.ticktext[0]
    assert "Team lead" in first_rung and "Senior specialist" in first_rung
    assert "Manager has a midpoint of 72,000 EUR, Staff specialist 70,000 EUR" in view.reading


def test_pay_ladder_with_equal_bands_says_the_tracks_pay_alike() -> None:
    equal = Catalogue(options=[TEAM_LEAD, SENIOR])
    view = pay_ladder_view(equal)

    assert view.reading == "Both tracks pay the same band at their one level."
    assert {(r["Track"], r["Minimum"], r["Maximum"]) for r in view.table} == {
        ("Management track", 50000.0, 70000.0), ("Expert track", 50000.0, 70000.0)}


def test_pay_ladder_shows_a_level_that_only_one_track_has() -> None:
    view = pay_ladder_view(Catalogue(options=[TEAM_LEAD, MANAGER, SENIOR]))
    expert = view.figure.data[2]

    assert list(expert.base) == [50000, None]
    assert "level 2 exists on one track only" in view.reading


# change over time

def test_trend_draws_each_need_across_waves_and_marks_only_reliable_changes() -> None:
    before = {**ANA, "autonomy": 60.0, "status": 40.0}
    changes = [Change("autonomy", 60.0, 90.0, 3.0, True), Change("status", 40.0, 30.0, -1.0, False)]
    view = member_trend_view("Ana", [("2025", before), ("2026", ANA)], changes)
    lines = {t.name: t for t in view.figure.data}

    assert list(lines["Autonomy"].x) == ["2025", "2026"] and list(lines["Autonomy"].y) == [60.0, 90.0]
    assert "Financial security: steady, safe income" in lines
    marked = lines["Clear change"]
    assert list(marked.y) == [90.0] and list(marked.x) == ["2026"] and list(marked.text) == ["+30"]
    assert view.reading == ("Between 2025 and 2026, Ana's autonomy rose (+30), beyond measurement error; other "
                            "moves are small wiggles.")
    assert {r["Need"]: r["Clear change"] for r in view.table}["Autonomy"] == "+30"


def test_trend_without_a_reliable_change_marks_nothing_and_says_so() -> None:
    view = member_trend_view("Ana", [("2025", ANA), ("2026", ANA)], [Change("status", 30.0, 34.0, 0.5, False)])

    assert "Clear change" not in [t.name for t in view.figure.data]
    assert "none of Ana's needs moved by more than measurement error" in view.reading


def test_trend_of_one_wave_says_change_shows_later() -> None:
    view = member_trend_view("Ana", [("2026", ANA)], [])

    assert view.reading.startswith("Only wave 2026 so far")
    assert len(view.figure.data) == len(SCALES)


def test_trend_leaves_a_gap_where_a_wave_did_not_measure_a_need() -> None:
    older = {k: v for k, v in ANA.items() if k != "balance"}
    view = member_trend_view("Ana", [("2025", older), ("2026", ANA)], [])

    assert list({t.name: t for t in view.figure.data}["Work-life balance"].y) == [None, 20.0]


def test_drift_dumbbell_joins_each_needs_team_mean_in_two_waves() -> None:
    before = [summary("status", 40.0), summary("autonomy", 70.0), summary("balance", 50.0)]
    after = [summary("balance", 65.0), summary("status", 42.0)]
    view = team_drift_view("2025", before, "2026", after)
    links, was, now = view.figure.data

    assert was.name == "2025" and now.name == "2026"
    assert list(was.y) == list(now.y) == ["Status and responsibility", "Work-life balance"]
    assert list(was.x) == [40.0, 50.0] and list(now.x) == [42.0, 65.0]
    assert list(links.x) == [40.0, 42.0, None, 50.0, 65.0, None]
    assert view.reading == ("From 2025 to 2026, the team's average for work-life balance moved most "
                            "(+15 points, 50 to 65).")
    assert view.table[1] == {"Need": "Work-life balance", "2025": 50.0, "2026": 65.0, "Change": 15.0}


def test_drift_change_is_taken_between_the_rounded_figures_it_shows() -> None:
    """65.6 and 69.4 show as 66 and 69: the sentence says +3, never "+4 points, 66 to 69"."""
    view = team_drift_view("2025", [summary("status", 65.6)], "2026", [summary("status", 69.4)])

    assert view.reading.endswith("moved most (+3 points, 66 to 69).")
    assert view.table == [{"Need": "Status and responsibility", "2025": 66, "2026": 69, "Change": 3}]


# the organisation

def test_org_needs_view_is_the_needs_overview_with_its_strongest_and_weakest_need() -> None:
    summaries = [ScaleSummary("status", 40, 35.0), ScaleSummary("autonomy", 40, 70.0),
                 ScaleSummary("security.pay", 40, 90.0)]
    view = org_needs_view(summaries)

    assert list(the_bar(view.figure).x) == list(the_bar(needs_overview(summaries)).x)
    assert view.reading.startswith("Across 40 people, autonomy is the strongest need on average (70 of 100) "
                                   "and status and responsibility the weakest (35)")


def test_org_unmet_view_counts_people_per_need_as_given() -> None:
    view = org_unmet_view({Need.AUTONOMY: 6, Need.BALANCE: 2}, 30)
    bar = the_bar(view.figure)

    assert list(bar.y) == [n.label for n in NEEDS] and list(bar.x) == [0, 0, 0, 6, 2]
    assert list(bar.marker.color) == [NEED_COLOURS[n] for n in NEEDS]
    assert bar.text[3] == "6 of 30"
    assert view.reading.startswith("Autonomy is the need most often unmet: 6 of 30 people")
    assert view.table[3] == {"Need": "Autonomy", "People with it unmet": 6, "Share of people (%)": 20.0}


def test_org_unmet_view_with_nothing_unmet_says_so() -> None:
    assert org_unmet_view({}, 12).reading.startswith("None of the 12 people has an unmet need")


def test_names_typed_by_people_are_shown_as_typed_not_as_markup() -> None:
    view = team_heatmap_view([(1, "<b>Bo</b>", ANA)])

    assert view.figure.layout.yaxis.ticktext[0] == "&lt;b&gt;Bo&lt;/b&gt;"
    assert view.table[0]["Member"] == "<b>Bo</b>"


# ---- show_view: the same frame around every chart -------------------------------------------------

def _screen_showing_a_view() -> None:
    import streamlit as st

    from coaching.ui.views import show_view
    from coaching.views.charts import team_heatmap_view

    rows = [(7, "Ana *star*", {"status": 30.0, "security": 50.0, "expertise": 60.0, "autonomy": 90.0,
                               "balance": 20.0})]
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
