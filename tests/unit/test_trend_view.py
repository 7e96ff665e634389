"""Change over time (coaching.views.trend), read on the figure's data."""

from __future__ import annotations

from coaching.core.needs import SCALES
from coaching.measurement.scoring import Change
from coaching.views.trend import member_trend_view, team_drift_view

from .views_data import ANA, summary


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
