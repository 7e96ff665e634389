"""One person's profile as a radar (coaching.views.profile), read on the figure's data."""

from __future__ import annotations

import plotly.graph_objects as go
from hypothesis import given, settings
from hypothesis import strategies as st

from coaching import i18n
from coaching.core.needs import NEEDS, SCALES, Facet, Need, scale_label
from coaching.measurement.scoring import Profile
from coaching.views.profile import member_profile_view, own_profile_view
from coaching.views.view import FACET_SYMBOLS, NEED_COLOURS

from .views_data import ANA, PERSON, SENIOR, a_profile, traces_by_name


def radar(profile: Profile) -> go.Figure:
    return own_profile_view(profile).figure


def test_the_five_needs_form_a_closed_shape_in_their_usual_order() -> None:
    needs = traces_by_name(radar(a_profile(PERSON)))["Your needs"]

    assert list(needs.r) == [PERSON[n] for n in NEEDS] + [PERSON[Need.STATUS]]
    assert list(needs.theta) == [0, 72, 144, 216, 288, 0]
    assert needs.fill == "toself"
    assert list(needs.marker.color)[:5] == [NEED_COLOURS[n] for n in NEEDS]


def test_both_security_facets_are_drawn_beside_security_with_their_own_scores_and_shapes() -> None:
    traces = traces_by_name(radar(a_profile(PERSON)))
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
    traces = traces_by_name(radar(a_profile(scores)))

    assert traces[Facet.PAY.scale].r[-1] == 0.0 and traces[Facet.STABILITY.scale].r[-1] == 100.0
    assert traces[Facet.PAY.scale].theta[0] != traces[Facet.STABILITY.scale].theta[0]


def test_the_radar_is_title_less_transparent_and_runs_from_0_to_100() -> None:
    fig = radar(a_profile(PERSON))

    assert not fig.layout.title.text
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == fig.layout.polar.bgcolor == "rgba(0,0,0,0)"
    assert tuple(fig.layout.polar.radialaxis.range) == (0, 100)
    labels = [t.replace("<br>", " ") for t in fig.layout.polar.angularaxis.ticktext]
    assert labels == [n.label for n in NEEDS]
    assert fig.layout.height <= 400 and fig.layout.width is None, "sized by its container, fits 375 px"


def test_scales_not_measured_are_left_out_rather_than_drawn_as_zero() -> None:
    scores = {k: v for k, v in PERSON.items() if k not in ("security.pay", "balance")}
    traces = traces_by_name(radar(a_profile(scores)))

    assert Facet.PAY.scale not in traces
    assert 0.0 not in list(traces["Your needs"].r)
    assert len(traces["Your needs"].r) == 5


@settings(max_examples=40, deadline=None)
@given(scores=st.fixed_dictionaries({s: st.floats(min_value=0, max_value=100, allow_nan=False) for s in SCALES}))
def test_any_profile_is_drawn_with_its_own_numbers(scores: dict[str, float]) -> None:
    traces = traces_by_name(radar(a_profile(scores)))

    assert list(traces["Your needs"].r)[:5] == [scores[n] for n in NEEDS]
    assert {traces[f.scale].r[-1] for f in Facet} == {scores[f.scale] for f in Facet}


# member profile

def test_profile_view_is_the_radar_with_the_option_overlaid_as_its_support_times_100() -> None:
    view = member_profile_view("Ana", a_profile(ANA), SENIOR)
    overlay = view.figure.data[-1]

    assert len(view.figure.data) == len(radar(a_profile(ANA)).data) + 1
    assert overlay.name.startswith("Senior specialist")
    assert list(overlay.r) == [100 * SENIOR.support[n] for n in [*NEEDS, NEEDS[0]]]
    assert list(overlay.theta) == list(traces_by_name(view.figure)["Your needs"].theta)
    assert "autonomy highest (90 of 100)" in view.reading and "work-life balance lowest (20)" in view.reading
    assert "Senior specialist claims to serve autonomy at 50" in view.reading


def test_profile_view_reads_ratings_and_names_every_need_of_a_tie() -> None:
    """It once read 'needs status and responsibility most (50 of 100) and status and responsibility least (50)'
    for someone who gave every statement the same answer: a tie went to the first need in the usual order."""
    flat = member_profile_view("Chen", a_profile({need: 50.0 for need in NEEDS}))
    tied = member_profile_view("Ana", a_profile({**ANA, "expertise": 90.0, "status": 20.0}), SENIOR)

    assert flat.reading == "Chen rated all 5 needs the same (50 of 100)."
    assert tied.reading == ("Ana rated 2 needs highest (90 of 100: expertise and acclaim; autonomy) and 2 needs "
                            "lowest (20: status and responsibility; work-life balance); Senior specialist claims to "
                            "serve expertise and acclaim at 90 and autonomy at 50.")


def test_profile_view_table_lists_both_security_facets_and_what_the_option_offers() -> None:
    rows = {row["Need"]: row for row in member_profile_view("Ana", a_profile(ANA), SENIOR).table}

    assert rows["Steady, safe income"]["Score (0-100)"] == 60.0
    assert rows["Better pay as chances arise"]["Score (0-100)"] == 40.0
    assert rows["Expertise and acclaim"]["Senior specialist offers (0-100)"] == 90.0
    assert rows["Steady, safe income"]["Senior specialist offers (0-100)"] is None


def test_profile_view_without_an_option_is_the_plain_radar() -> None:
    view = member_profile_view("Ana", a_profile(ANA))

    assert [t.name for t in view.figure.data] == [t.name for t in radar(a_profile(ANA)).data]
    assert "claims" not in view.reading and set(view.table[0]) == {"Need", "Score (0-100)"}


# the person's own profile, in their language

def test_own_profile_is_in_the_persons_language_with_their_picks_and_security_facets_under_security() -> None:
    view = own_profile_view(a_profile(ANA), i18n.texts("de"))

    assert view.title == "Ihr Profil"
    assert [row["Bedürfnis"] for row in view.table][:4] == [
        "Status und Verantwortung", "Finanzielle Sicherheit", "· Sicheres, stetiges Einkommen",
        "· Mehr Gehalt, wenn sich Chancen bieten"]
    picks = {row["Bedürfnis"]: row["Ihre Wahl"] for row in view.table}
    assert [picks[i18n.texts("de").label(n)] for n in (Need.EXPERTISE, Need.AUTONOMY, Need.BALANCE)] == \
        ["1.", "2.", "3."]
    assert picks["Status und Verantwortung"] == "" and picks["· Sicheres, stetiges Einkommen"] == ""
    assert {row["Wert"] for row in view.table} == {round(v) for v in ANA.values()}
    assert traces_by_name(view.figure).keys() >= {"Ihre Bedürfnisse"}


def test_own_profile_reading_gives_every_score_in_words_for_a_screen_reader() -> None:
    view = own_profile_view(a_profile(ANA))

    assert view.reading.startswith("Radar chart of your scores from 0 to 100: ")
    for scale, score in ANA.items():
        assert f"{scale_label(scale)} {score:.0f}" in view.reading
