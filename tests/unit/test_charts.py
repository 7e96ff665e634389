"""needs_overview and profile_chart: read on the figure's data, from hand-built summaries and profiles."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.charts import FACET_SYMBOLS, NEED_COLOURS, needs_overview, profile_chart
from coaching.needs import NEEDS, SCALES, Facet, Need, scale_label
from coaching.profiles import ScaleSummary
from coaching.scoring import Profile

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
