"""The team's needs person by person (coaching.views.heatmap), read on the figure's data."""

from __future__ import annotations

import plotly.graph_objects as go

from coaching.core.needs import NEEDS, Need
from coaching.measurement.scoring import FlagKind, QualityFlag
from coaching.views.heatmap import CHECK_FIRST, MIN_HEIGHT, team_heatmap_view

from .views_data import a_profile

ANA = {"status": 30.0, "security": 50.0, "expertise": 60.0, "autonomy": 90.0, "balance": 20.0}
BEN = {"status": 85.0, "security": 40.0, "expertise": 30.0, "autonomy": 20.0, "balance": 10.0}
CAI = {"status": 20.0, "security": 50.0, "expertise": 40.0, "autonomy": 70.0, "balance": 60.0}
DEE = {"status": 70.0, "security": 75.0, "expertise": 30.0, "autonomy": 20.0, "balance": 10.0}
HEAT_ROWS = [
    (11, "Ana", a_profile(ANA, primary=Need.AUTONOMY)),
    (12, "Ben", a_profile(BEN, primary=Need.STATUS)),
    (13, "Cai", a_profile(CAI, primary=Need.AUTONOMY)),
    (14, "Dee", a_profile(DEE, primary=Need.SECURITY)),
]
SCORES = {"Ana": ANA, "Ben": BEN, "Cai": CAI, "Dee": DEE}
#: Every statement answered alike: five tied scores, flagged, whatever the forced choice said.
STRAIGHT_LINE = a_profile({need: 50.0 for need in NEEDS}, close=(Need.SECURITY, Need.BALANCE, Need.STATUS),
                          flags=(QualityFlag(FlagKind.STRAIGHT_LINE, "Every statement was answered 3."),))


def test_heatmap_is_one_clickable_scatter_of_squares_carrying_member_ids() -> None:
    view = team_heatmap_view(HEAT_ROWS)
    (trace,) = view.figure.data

    assert isinstance(trace, go.Scatter) and trace.mode == "markers" and trace.marker.symbol == "square"
    assert len(trace.x) == len(HEAT_ROWS) * len(NEEDS)
    names = list(view.figure.layout.yaxis.ticktext)
    ids = {name: member_id for member_id, name, _ in HEAT_ROWS}
    for x, y, colour, member_id in zip(trace.x, trace.y, trace.marker.color, trace.customdata, strict=True):
        name = names[y]
        assert member_id == ids[name]
        need = next(n for n in NEEDS if n.label == x)
        assert colour == SCORES[name][need]
    assert trace.marker.colorscale is not None and (trace.marker.cmin, trace.marker.cmax) == (0, 100)


def test_heatmap_groups_members_by_top_need_strongest_first() -> None:
    view = team_heatmap_view(HEAT_ROWS)

    # Primary needs: Ben status, Dee security, Ana and Cai autonomy (90 before 70); groups in the usual need order.
    assert list(view.figure.layout.yaxis.ticktext) == ["Ben", "Dee", "Ana", "Cai"]
    assert view.figure.layout.yaxis.autorange == "reversed"
    assert [r["Member"] for r in view.table] == ["Ben", "Dee", "Ana", "Cai"]
    assert view.reading == ("Of 4 members, 2 need autonomy most, 1 status and responsibility and 1 financial "
                            "security.")


def test_heatmap_leaves_out_a_need_not_measured_and_keeps_two_people_of_one_name_apart() -> None:
    rows = [(1, "Sam", a_profile({"status": 80.0, "autonomy": 40.0})),
            (2, "Sam", a_profile({"status": 60.0, "autonomy": 90.0}))]
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


def test_the_colour_bar_has_room_for_its_ticks_when_one_person_has_answered() -> None:
    view = team_heatmap_view([(1, "Ana", a_profile({need: 60.0 for need in NEEDS}))])
    assert view.figure.layout.height >= MIN_HEIGHT


def test_the_reading_counts_only_needs_the_scoring_names_never_a_tie_or_flagged_answers() -> None:
    """A straight line ties all five scores; counted by the highest score it read as 'needs status most',
    while the person's own profile named no need. Close needs and flagged answers are counted apart."""
    close = a_profile({**CAI, "autonomy": 70.0, "balance": 69.0}, close=(Need.AUTONOMY, Need.BALANCE))
    flagged_but_named = a_profile(BEN, primary=Need.STATUS, flags=STRAIGHT_LINE.flags)
    rows = [(1, "Chen", STRAIGHT_LINE), (2, "Liam", close), (3, "Ana", HEAT_ROWS[0][2]), (4, "Ben", flagged_but_named)]

    view = team_heatmap_view(rows)

    assert view.reading == ("Of 4 members, 1 needs autonomy most. For 1 the answers leave two or three needs close; "
                            "2 gave answers to check first.")
    assert [(r["Member"], r["Primary aspiration"]) for r in view.table] == [
        ("Ana", "Autonomy"), ("Liam", "Autonomy or work-life balance"),
        ("Ben", f"Status and responsibility ({CHECK_FIRST})"),
        ("Chen", f"Financial security, work-life balance or status and responsibility ({CHECK_FIRST})")]
    assert list(view.figure.layout.yaxis.ticktext) == ["Ana", "Liam", "Ben", "Chen"]


def test_a_team_where_no_one_has_one_need_named_says_so() -> None:
    view = team_heatmap_view([(1, "Chen", STRAIGHT_LINE)])
    assert view.reading == "Of 1 member, none has one need named. 1 gave answers to check first."
