"""needs_overview: read on the figure's data, from hand-built summaries."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.charts import NEED_COLOURS, needs_overview
from coaching.needs import NEEDS, SCALES, Facet, Need, scale_label
from coaching.profiles import ScaleSummary

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
