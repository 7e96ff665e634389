"""The one-on-one brief (coaching.one_on_one.brief) on the demo organisation: the PDF read back with pypdf, charts drawn
by a real Chromium through kaleido, and the member's data as CSV."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re

import plotly.graph_objects as go
import pytest
from pypdf import PdfReader

from coaching.core.actors import SYSTEM, PermissionDenied
from coaching.core.needs import NEEDS
from coaching.demo import DEMO_ACCOUNTS
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.one_on_one import brief, plans
from coaching.one_on_one.brief import TOP_FITS, ChartRenderer, brief_filename, brief_pdf, member_brief, member_csv
from coaching.one_on_one.portrait import Portrait, member_portrait
from coaching.one_on_one.talking_points import OPEN_QUESTIONS, CoachingFacts, talking_points
from coaching.paths.fit import DEFAULT_THRESHOLDS, leading_needs
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.people.teams import arrangement_for, list_members, list_teams
from coaching.views.fit import member_fit_view
from coaching.views.profile import member_profile_view
from coaching.views.trend import member_trend_view

MADE_ON = dt.date(2026, 11, 2)
THREE_SCRIPTS = "Tomasz Wójcik 田中 محمد"
GOAL = {"title": "Lead the storage design review", "need": "expertise", "target_date": dt.date(2027, 3, 31),
        "success_measure": "=1+1 reviews held and written up"}
ACTION = {"what": "Draft the review agenda", "who": "Tomasz", "due_on": dt.date(2026, 12, 1)}
NOTE = {"held_on": dt.date(2026, 11, 1), "body": "Worried about the reorganisation; keep this between us.",
        "agreed": ["Ask HR quietly about part-time"]}


def _account(aspire, email):
    return accounts_of(aspire).actor_for_email(email)


@pytest.fixture(scope="module")
def maria(demo):
    return _account(demo, DEMO_ACCOUNTS[0].email)


@pytest.fixture(scope="module")
def member(demo, maria):
    """Maria's first member who answered in two waves, renamed to a name in three scripts, with a goal and a note."""
    team = list_teams(demo, maria)[0]
    found = next(m for m in list_members(demo, maria, team.id)
                 if member_portrait(demo, maria, m.id, DEFAULT_THRESHOLDS).previous is not None)
    fields = found.model_dump(include={"email", "role_title", "track", "level"}) | {"name": THREE_SCRIPTS}
    renamed = teams.edit_member(demo, maria, found.id, found.version, fields)
    goal = plans.add_goal(demo, maria, renamed.id, GOAL)
    plans.add_action(demo, maria, goal.id, ACTION)
    plans.add_note(demo, maria, renamed.id, NOTE)
    return renamed


@pytest.fixture(scope="module")
def renderer():
    with ChartRenderer() as shared:
        yield shared


@pytest.fixture(scope="module")
def pdf(demo, maria, member, renderer) -> PdfReader:
    return PdfReader(io.BytesIO(member_brief(demo, maria, member.id, DEFAULT_THRESHOLDS, made_on=MADE_ON,
                                             renderer=renderer)))


def _text(reader: PdfReader) -> str:
    """The PDF's text with line breaks and runs of spaces as single spaces (wrapping is layout, not content)."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _flat(text: str) -> str:
    return " ".join(text.split())


def _left_to_right(text: str) -> str:
    """The text without spaces and Arabic letters: where a right-to-left run sits among the left-to-right
    words of a PDF's text layer, and the spaces around it, is the reader's guess, not what the page shows."""
    return re.sub(r"[\s\u0600-\u06ff]", "", text)


# ---- the PDF -----------------------------------------------------------------------------------------


def test_brief_holds_the_member_the_talking_points_and_the_goal_with_its_action(demo, maria, member, pdf):
    portrait = member_portrait(demo, maria, member.id, DEFAULT_THRESHOLDS)
    points = talking_points(CoachingFacts(profile=portrait.current.profile.profile, changes=portrait.changes,
                                          arrangement=arrangement_for(demo, maria, member.id),
                                          catalogue=portrait.catalogue))
    text = _text(pdf)
    assert points, "the demo member should give at least one talking point"
    for point in points:
        assert _flat(point.text) in text
        assert _flat(f"Because: {point.because}") in text
    assert f"wave {portrait.current.wave.name}" in text and MADE_ON.isoformat() in text
    assert GOAL["title"] in text
    assert "Target date: 2027-03-31" in text and "Status: planned" in text
    assert "To do: Draft the review agenda, who: Tomasz, due 2026-12-01" in text


def test_brief_embeds_the_profile_fit_and_change_charts_as_print_sized_images(pdf):
    images = [image for page in pdf.pages for image in page.images]
    assert len(images) == 3          # profile, fit and, with two waves answered, the change chart
    for image in images:
        width, height = image.image.size
        assert width >= 1200 and height >= 300, "drawn at twice the layout size for print"
        assert len(image.data) > 10_000, "a real chart, not an empty frame"


def test_a_name_in_three_scripts_survives(pdf):
    text = _text(pdf)
    for part in THREE_SCRIPTS.split():
        assert part in text
    assert "\ufffd" not in text


def test_brief_holds_no_one_on_one_note(pdf):
    text = _text(pdf)
    assert "reorganisation" not in text and "between us" not in text
    assert "part-time" not in text.lower()


def test_brief_asks_the_open_questions_for_each_leading_need(demo, maria, member, pdf):
    leading = leading_needs(member_portrait(demo, maria, member.id, DEFAULT_THRESHOLDS).current.profile.profile)
    text = _text(pdf)
    for need in leading:
        assert f"Open questions about {need.label.lower()}, " in text
        assert all(_flat(question) in text for question in OPEN_QUESTIONS[need])
    assert sum(f"Open questions about {n.label.lower()}" in text for n in NEEDS) == len(leading)


def test_downloading_the_brief_is_audited(demo, maria, member, pdf):
    events = demo.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED, subject_kind=Subject.MEMBER,
                                                   subject_id=member.id))
    assert [e.detail for e in events if e.actor_id == maria.id] == ["one-on-one brief"]


def _unanswered(demo, maria, member, name: str) -> Portrait:
    """The member as someone who has not answered yet, under another name."""
    answered = member_portrait(demo, maria, member.id, DEFAULT_THRESHOLDS)
    return Portrait(member=member.model_copy(update={"name": name}), history=[], catalogue=answered.catalogue,
                    fits=[], unmet=[], changes=[])


def test_a_member_who_has_not_answered_gets_a_brief_without_charts(demo, maria, member):
    goals = plans.list_goals(demo, maria, member.id)
    reader = PdfReader(io.BytesIO(brief_pdf(_unanswered(demo, maria, member, "Ana Novak"), [], goals,
                                            team_name="Platform", manager_name="Maria Lopez", made_on=MADE_ON)))
    text = _text(reader)
    assert "Ana Novak has not answered the questionnaire yet" in text and "no answers yet" in text
    assert GOAL["title"] in text
    assert not [image for page in reader.pages for image in page.images]


def test_a_character_no_font_carries_prints_as_a_replacement_mark(demo, maria, member):
    hieroglyph = "\U00013000"
    portrait = _unanswered(demo, maria, member, f"Ana {hieroglyph} Novak")
    text = _text(PdfReader(io.BytesIO(brief_pdf(portrait, [], [], team_name="Platform", manager_name="Maria",
                                                made_on=MADE_ON))))
    assert "Ana \ufffd Novak" in text
    assert hieroglyph not in text


@pytest.mark.parametrize("control", ["\u202e", "\u202b", "\u2067", "\u2068", "\u2069\u202e"])
def test_a_direction_control_in_a_name_or_goal_cannot_reverse_the_briefs_own_words(demo, maria, member, control):
    """A right-to-left override (or embedding, or isolate) typed into a name read 'sdeen' for 'needs' after it."""
    hostile = f"Eve{control}Mallory"
    goal = dataclasses.replace(plans.list_goals(demo, maria, member.id)[0], title=f"Lead {hostile} review", actions=())
    portrait = _unanswered(demo, maria, member, hostile)
    text = _text(PdfReader(io.BytesIO(brief_pdf(portrait, [], [goal], team_name=f"Team {hostile}",
                                                manager_name=hostile, made_on=MADE_ON))))
    assert "EveMallory has not answered the questionnaire yet: talk about what they need first." in text
    assert "Lead EveMallory review" in text and "Team EveMallory" in text
    assert f"Prepared by EveMallory on {MADE_ON.isoformat()} for the one-on-one with EveMallory. For coaching" in text
    assert "sdeen" not in text and "yrollaM" not in text


def test_without_the_fallback_font_chinese_becomes_replacement_marks_not_a_failure(demo, maria, member, monkeypatch,
                                                                                   tmp_path):
    monkeypatch.setattr(brief, "FALLBACK_FONT", tmp_path / "absent.ttf")
    portrait = _unanswered(demo, maria, member, "田中 Wójcik")
    text = _text(PdfReader(io.BytesIO(brief_pdf(portrait, [], [], team_name="Platform", manager_name="Maria",
                                                made_on=MADE_ON))))
    assert "\ufffd\ufffd Wójcik" in text


def test_a_shared_renderer_draws_one_figure_after_another(renderer):
    first = brief.render_pngs([go.Figure(go.Bar(x=["a"], y=[80]))], renderer)
    again = brief.render_pngs([go.Figure(go.Bar(x=["a"], y=[20]))], renderer)
    assert first[0][:8] == again[0][:8] == b"\x89PNG\r\n\x1a\n"
    assert first != again


def test_file_names_keep_ascii_letters_or_fall_back_to_the_member_number():
    assert brief_filename("Tomasz Wójcik", 7, "pdf") == "one-on-one-tomasz-wojcik.pdf"
    assert brief_filename("田中", 7, "csv") == "one-on-one-member-7.csv"


# ---- the member's data as CSV ------------------------------------------------------------------------


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_member_csv_holds_answers_scores_and_goals_but_no_note(demo, maria, member):
    data = member_csv(demo, maria, member.id)
    rows = _rows(data)
    sections = {r["section"] for r in rows}
    assert {"profile", "response", "goal", "goal_action"} <= sections
    assert not {s for s in sections if s.startswith("note")}
    values = [r["value"] for r in rows]
    assert GOAL["title"] in values and ACTION["what"] in values and THREE_SCRIPTS in values
    assert any(r["field"].startswith("score.") for r in rows) and any(r["field"].startswith("rating.") for r in rows)
    text = data.decode("utf-8-sig")
    assert "reorganisation" not in text and "part-time" not in text


def test_member_csv_quotes_a_cell_that_would_start_a_formula(demo, maria, member):
    rows = _rows(member_csv(demo, maria, member.id))
    [goal] = [r["record"] for r in rows if r["section"] == "goal" and r["value"] == GOAL["title"]]
    [measure] = [r["value"] for r in rows
                 if (r["section"], r["record"], r["field"]) == ("goal", goal, "success_measure")]
    assert measure == "'" + GOAL["success_measure"]


def test_member_csv_holds_only_the_coached_member_record(demo, maria, member):
    ids = {r["record"] for r in _rows(member_csv(demo, maria, member.id)) if r["section"] == "profile"}
    assert ids == {str(member.id)}


@pytest.mark.parametrize("email", [DEMO_ACCOUNTS[1].email, DEMO_ACCOUNTS[2].email])
def test_member_csv_is_refused_to_anyone_but_the_members_manager(demo, member, email):
    with pytest.raises(PermissionDenied):
        member_csv(demo, _account(demo, email), member.id)
    with pytest.raises(PermissionDenied):
        member_csv(demo, SYSTEM, member.id)


def test_member_csv_download_is_audited(demo, maria, member):
    member_csv(demo, maria, member.id)
    events = demo.audit.events(SYSTEM, AuditFilter(action=Action.EXPORTED, subject_id=member.id))
    assert "one-on-one csv" in {e.detail for e in events if e.actor_id == maria.id}


def test_each_chart_is_captioned_with_its_reading(demo, maria, member, pdf):
    """The one-line readings are printed under the charts, so the brief reads without the pictures."""
    portrait = member_portrait(demo, maria, member.id, DEFAULT_THRESHOLDS)
    name = member.name
    views = [member_profile_view(name, portrait.current.profile.profile),
             member_fit_view(name, portrait.fits[:TOP_FITS], portrait.unmet),
             member_trend_view(name, [(w.wave.name, w.profile.profile.scores) for w in portrait.history],
                               portrait.changes)]
    text = _left_to_right(_text(pdf))
    for view in views:
        assert _left_to_right(view.title) in text and _left_to_right(view.reading) in text
