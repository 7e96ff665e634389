"""The needs over a group (coaching.views.overview), read on the figure's data."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.core.needs import NEEDS, SCALES, Facet, Need, scale_label
from coaching.measurement.profiles import ScaleSummary
from coaching.views.overview import org_needs_view, org_unmet_view, people_needs_view
from coaching.views.view import NEED_COLOURS

from .views_data import summary, the_bar

# Top to bottom, as a manager reads the chart: security's facets right under security.
TOP_TO_BOTTOM = [
    str(Need.STATUS), str(Need.SECURITY), Facet.STABILITY.scale, Facet.PAY.scale,
    str(Need.EXPERTISE), str(Need.AUTONOMY), str(Need.BALANCE),
]
LABEL_TO_SCALE = {scale_label(s): s for s in SCALES}


def overview(summaries: list[ScaleSummary]) -> go.Figure:
    return people_needs_view(summaries).figure


def all_scales() -> list[ScaleSummary]:
    # Deliberately neither in SCALES order nor in display order.
    means = {"balance": 41.5, "security.pay": 73.0, "status": 12.0, "autonomy": 88.8, "security": 55.0,
             "expertise": 64.2, "security.stability": 37.5}
    return [summary(scale, mean) for scale, mean in means.items()]


def scales_top_to_bottom(bar: go.Bar) -> list[str]:
    """Plotly draws horizontal bars bottom-up: the last category is at the top."""
    return [LABEL_TO_SCALE[label.replace("\u00a0", " ").strip().removeprefix("· ")] for label in bar.y][::-1]


def bars_by_scale(bar: go.Bar) -> dict[str, int]:
    return {scale: index for index, scale in enumerate(scales_top_to_bottom(bar)[::-1])}


def test_bar_lengths_are_the_means() -> None:
    summaries = all_scales()
    bar = the_bar(overview(summaries))
    index = bars_by_scale(bar)

    assert {s.scale: bar.x[index[s.scale]] for s in summaries} == {s.scale: s.mean for s in summaries}


def test_needs_read_top_to_bottom_in_their_usual_order_with_facets_under_security() -> None:
    bar = the_bar(overview(all_scales()))

    assert scales_top_to_bottom(bar) == TOP_TO_BOTTOM


def test_facet_labels_are_indented_and_need_labels_are_not() -> None:
    bar = the_bar(overview(all_scales()))

    for label, scale in zip(bar.y, scales_top_to_bottom(bar)[::-1], strict=True):
        assert label.startswith("\u00a0") == ("." in scale), label


def test_facets_are_hatched_in_securitys_colour_and_needs_are_plain_in_their_own() -> None:
    bar = the_bar(overview(all_scales()))
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
    fig = overview([summary("status", 100.0), summary("balance", 0.0)])

    low, high = fig.layout.xaxis.range
    assert low <= 0 and high >= 100


def test_hover_gives_the_range_and_number_of_people() -> None:
    summaries = [ScaleSummary("autonomy", n=7, mean=60.0, low=35.0, high=95.0)]
    bar = the_bar(overview(summaries))

    assert list(bar.hovertext) == ["Autonomy: average 60 of 100 over 7 people<br>from 35 to 95"]


def test_hover_of_an_aggregate_gives_no_range() -> None:
    """Admins see organisation means only: a lowest or highest score would be one person's."""
    bar = the_bar(overview([ScaleSummary("autonomy", n=12, mean=60.0)]))

    assert list(bar.hovertext) == ["Autonomy: average 60 of 100 over 12 people"]


@pytest.mark.parametrize(
    "scales",
    [
        ["autonomy"],
        ["balance", "status"],
        ["security"],
        ["security.pay", "security.stability"],
        ["security.pay", "expertise"],
    ],
    ids=lambda scales: "+".join(scales) or "none",
)
def test_missing_scales_leave_them_out_without_error(scales: list[str]) -> None:
    summaries = [summary(scale, 50.0 + i) for i, scale in enumerate(scales)]

    bar = the_bar(overview(summaries))

    assert scales_top_to_bottom(bar) == [s for s in TOP_TO_BOTTOM if s in scales]
    assert sorted(bar.x) == sorted(s.mean for s in summaries)


@settings(max_examples=60, deadline=None)
@given(
    means=st.dictionaries(
        st.sampled_from(SCALES), st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1
    )
)
def test_any_subset_keeps_the_order_and_the_means(means: dict[str, float]) -> None:
    bar = the_bar(overview([summary(scale, mean) for scale, mean in means.items()]))

    order = scales_top_to_bottom(bar)
    assert order == [s for s in TOP_TO_BOTTOM if s in means]
    assert {scale: bar.x[i] for i, scale in enumerate(order[::-1])} == means


# the organisation

def test_org_needs_view_is_the_needs_overview_with_its_strongest_and_weakest_need() -> None:
    summaries = [ScaleSummary("status", 40, 35.0), ScaleSummary("autonomy", 40, 70.0),
                 ScaleSummary("security.pay", 40, 90.0)]
    view = org_needs_view(summaries)

    assert list(the_bar(view.figure).x) == list(the_bar(overview(summaries)).x)
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


def test_people_needs_view_names_how_many_answered_and_the_strongest_need_with_each_range() -> None:
    summaries = [ScaleSummary("status", 6, 35.0, 10.0, 60.0), ScaleSummary("autonomy", 6, 70.0, 40.0, 95.0),
                 ScaleSummary("security.pay", 6, 90.0, 80.0, 100.0)]
    view = people_needs_view(summaries)

    assert view.reading.startswith("Averages over the 6 people who answered: autonomy is the strongest need "
                                   "(70 of 100)"), "a facet is never named the strongest need"
    assert view.table == [
        {"Need": "Status and responsibility", "Average": 35.0, "People": 6, "Lowest": 10.0, "Highest": 60.0},
        {"Need": "Better pay as chances arise", "Average": 90.0, "People": 6, "Lowest": 80.0, "Highest": 100.0},
        {"Need": "Autonomy", "Average": 70.0, "People": 6, "Lowest": 40.0, "Highest": 95.0},
    ]


def test_org_needs_table_has_no_lowest_or_highest_score_which_would_be_one_persons() -> None:
    view = org_needs_view([ScaleSummary("status", 40, 35.0), ScaleSummary("autonomy", 40, 70.0)])

    assert view.table == [{"Need": "Status and responsibility", "Average": 35.0, "People": 40},
                          {"Need": "Autonomy", "Average": 70.0, "People": 40}]
