"""The one-on-one brief: a PDF a manager takes into the conversation, and the member's data as CSV.

The brief holds what the conversation needs: the profile, fit and change charts with their one-line
readings, unmet needs, reliable changes, talking points with the data behind each, open questions for
the top need (or each need too close to call), and the goals agreed with their actions. It never holds
one-on-one notes: they are the manager's working notes, and a printed brief travels further than the screen.

Charts become PNG images through plotly's kaleido, which drives the Chromium it finds on the PATH
(Debian's /usr/bin/chromium; the BROWSER_PATH environment variable points it elsewhere). Starting the
browser costs seconds and each image a fraction of one, so all of one brief's charts share one browser.

Names and goals may be typed in any script. DejaVu Sans (Debian's fonts-dejavu-core) carries Latin,
Greek, Cyrillic, Arabic and Hebrew letters; Droid Sans Fallback (fonts-droid-fallback), when installed,
adds Chinese, Japanese and Korean; HarfBuzz shapes the text, so Arabic letters join and right-to-left
runs read in order. A character no font carries prints as U+FFFD, never as a failure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import kaleido
import plotly.graph_objects as go
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2's font library; ships no type information
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from coaching.aspire import Aspire
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.needs import scale_label
from coaching.core.tabular import ExportFile
from coaching.core.text import without_direction_controls
from coaching.governance.audit import Action, Subject
from coaching.one_on_one.development import AgreedRoute, agreed_route, start_position
from coaching.one_on_one.member_data import MemberSummary, Person, document_csv, member_document
from coaching.one_on_one.member_data_rows import MemberDataRows
from coaching.one_on_one.plans import Goal, GoalAction, list_goals
from coaching.one_on_one.portrait import Portrait, WaveProfile, find_member, member_portrait
from coaching.one_on_one.talking_points import CoachingFacts, TalkingPoint, first_questions, talking_points
from coaching.paths.editing import catalogue_at
from coaching.paths.fit import Thresholds, leading_needs
from coaching.paths.routes import Position, Step, reachable
from coaching.people.teams import arrangement_for, list_teams
from coaching.views.fit import member_fit_view
from coaching.views.ladder import ladder_route_view
from coaching.views.profile import member_profile_view
from coaching.views.trend import member_trend_view
from coaching.views.view import View

FONT_DIR = Path("/usr/share/fonts/truetype")
REGULAR_FONT = FONT_DIR / "dejavu" / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "dejavu" / "DejaVuSans-Bold.ttf"
FALLBACK_FONT = FONT_DIR / "droid" / "DroidSansFallbackFull.ttf"
MISSING_GLYPH = "\ufffd"

TOP_FITS = 6            # the fit chart shows the best few options: a brief is read, not explored
CHART_WIDTH_PX = 800    # layout pixels; drawn at twice that for print
CHART_SCALE = 2
DEFAULT_HEIGHT_PX = 400    # plotly's own default, for a figure that sets none
PAGE_MARGIN_MM = 15
GREY = (90, 90, 90)


# ---- the brief --------------------------------------------------------------------------------------


def member_brief(aspire: Aspire, actor: Actor, member_id: int, thresholds: Thresholds, *, made_on: dt.date,
                 renderer: ChartRenderer | None = None) -> bytes:
    """The brief for one member of the actor's teams, built from what their page shows; the download is audited."""
    portrait = member_portrait(aspire, actor, member_id, thresholds)
    goals = list_goals(aspire, actor, member_id)
    points: list[TalkingPoint] = []
    if portrait.current is not None:
        points = talking_points(CoachingFacts(
            profile=portrait.current.profile.profile, changes=portrait.changes,
            arrangement=arrangement_for(aspire, actor, member_id), catalogue=portrait.catalogue,
            thresholds=thresholds))
    team = next(t.name for t in list_teams(aspire, actor) if t.id == portrait.member.team_id)
    path = _development(aspire, actor, member_id, portrait, thresholds)
    pdf = brief_pdf(portrait, points, goals, team_name=team, manager_name=actor.name or "", made_on=made_on,
                    renderer=renderer, path=path)
    aspire.audit.record(actor, Action.EXPORTED, Subject.MEMBER, [member_id], "one-on-one brief")
    return pdf


@dataclass(frozen=True)
class DevelopmentPath:
    """What the brief says of the member's development: the steps within reach now and the agreed route."""

    start: Position | None            # None: no track recorded
    reach: tuple[Step, ...]
    route: AgreedRoute | None


def _development(aspire: Aspire, actor: Actor, member_id: int, portrait: Portrait,
                 thresholds: Thresholds) -> DevelopmentPath:
    catalogue = catalogue_at(aspire)
    start = start_position(arrangement_for(aspire, actor, member_id), catalogue)
    scores = portrait.current.profile.profile.scores if portrait.current else {}
    reach = tuple(reachable(catalogue, start, scores, thresholds)) if start is not None else ()
    return DevelopmentPath(start, reach, agreed_route(aspire, actor, member_id))


def brief_pdf(portrait: Portrait, points: Sequence[TalkingPoint], goals: Sequence[Goal], *, team_name: str,
              manager_name: str, made_on: dt.date, renderer: ChartRenderer | None = None,
              path: DevelopmentPath | None = None) -> bytes:
    """An A4 PDF for the one-on-one; its charts through `renderer` when given (see render_pngs).

    It takes no notes, so it cannot print any.
    """
    name = portrait.member.name
    views = _views(portrait) + _route_views(portrait, path)
    images = render_pngs([v.figure for v in views], renderer)
    doc = _Brief(name, manager_name, made_on)
    wave = f"wave {portrait.current.wave.name}" if portrait.current else "no answers yet"
    doc.title_block(f"One-on-one brief: {name}", f"{team_name} · {wave} · {made_on.isoformat()}")
    for view, image in zip(views, images, strict=True):
        doc.chart(view, image)
    if portrait.current is None:
        doc.section("Answers", [f"{name} has not answered the questionnaire yet: talk about what they need first."])
    else:
        _findings(doc, portrait, portrait.current, points)
    if path is not None:
        _path(doc, path)
    _goals(doc, goals, {o.key: o.name for o in portrait.catalogue.options})
    return bytes(doc.output())


def _route_views(portrait: Portrait, path: DevelopmentPath | None) -> list[View]:
    """The agreed route on the two ladders, when there is one."""
    if path is None or path.route is None or path.start is None:
        return []
    offered = {o.key: o for o in portrait.catalogue.options}
    steps = [(s.kind, offered[s.option_key], s.target_date) for s in path.route.steps if s.option_key in offered]
    return [ladder_route_view(portrait.member.name, portrait.catalogue, path.start.level, [("Agreed", steps)])]


def _path(doc: _Brief, path: DevelopmentPath) -> None:
    """Next steps first: what is one move away; distant levels only as the steps of a longer route."""
    if path.start is None:
        doc.section("Development path", ["No current track is recorded: record it on the Members screen to see "
                                         "the steps within reach."])
        return
    ladder = [s for s in path.reach if s.option.kind.is_track]
    doc.section("Development path: within reach now", [
        f"{s.option.name} ({s.kind.label}): band change {s.change_text}, fit {s.fit.fit:.0f}, openings "
        f"{'not counted' if s.option.openings is None else s.option.openings}"
        + (f"; leaves {', '.join(n.label.lower() for n in s.starves)} unmet" if s.starves else "")
        for s in ladder] or ["No level is one move away."])
    if path.route is not None:
        doc.section("Agreed route", [
            f"{s.position}. {s.name} ({s.kind.label}) by {s.target_date.isoformat()}"
            + (f", goal {s.goal.status.label.lower()}" if s.goal is not None else "") for s in path.route.steps])


def _views(portrait: Portrait) -> list[View]:
    """The charts worth printing: none before any answer, the change chart only once there are two waves."""
    if portrait.current is None:
        return []
    name = portrait.member.name
    views = [member_profile_view(name, portrait.current.profile.profile),
             member_fit_view(name, portrait.fits[:TOP_FITS], portrait.unmet)]
    if portrait.previous is not None:
        waves = [(w.wave.name, w.profile.profile.scores) for w in portrait.history]
        views.append(member_trend_view(name, waves, portrait.changes))
    return views


def _findings(doc: _Brief, portrait: Portrait, current: WaveProfile, points: Sequence[TalkingPoint]) -> None:
    """What the newest wave (`current`, the portrait's own) says, for a member who has answered."""
    scores = current.profile.profile.scores
    doc.section("Primary aspiration", [current.profile.profile.judgement])
    unmet = [f"{need.label} ({scores[need]:.0f} of 100): a strong need nothing on offer serves well."
             for need in portrait.unmet]
    doc.section("Unmet needs", unmet or ["None: every strong need has a path on offer that serves it well."])
    moved = [f"{scale_label(c.scale)} {'rose' if c.after > c.before else 'fell'} from {c.before:.0f} to "
             f"{c.after:.0f} (reliable change index {c.rci:+.1f})" for c in portrait.reliable_changes]
    if portrait.previous is not None:
        doc.section(f"Reliable changes since {portrait.previous.wave.name}",
                    moved or ["None: every move is within measurement error."])
    doc.points("Talking points", points)
    for heading, questions in first_questions(leading_needs(current.profile.profile)):
        doc.section(heading, list(questions))


def _goals(doc: _Brief, goals: Sequence[Goal], options: dict[str, str]) -> None:
    doc.heading("Goals")
    if not goals:
        doc.para("No goals agreed yet: agree one that serves what they need most, on a path on offer.")
    for goal in goals:
        doc.para(goal.title, bold=True)
        details = [f"Serves: {goal.need.label.lower()}", f"Status: {goal.status.label.lower()}"]
        if goal.option_key:
            details.append(f"Toward: {options.get(goal.option_key, goal.option_key)}")
        if goal.target_date:
            details.append(f"Target date: {goal.target_date.isoformat()}")
        doc.para(" · ".join(details), size=9)
        if goal.success_measure:
            doc.para(f"Measure of success: {goal.success_measure}", size=9)
        doc.bullets([_action_line(a) for a in goal.actions], size=9)
        doc.ln(2)


def _action_line(action: GoalAction) -> str:
    parts = [("Done: " if action.done else "To do: ") + action.what]
    if action.who:
        parts.append(f"who: {action.who}")
    if action.due_on:
        parts.append(f"due {action.due_on.isoformat()}")
    return ", ".join(parts)


# ---- charts as images ---------------------------------------------------------------------------------


class ChartRenderer:
    """A headless Chromium kept open for chart images: starting one takes seconds, an image then a fraction of one.

    Safe to share between threads: renders queue on the renderer's own event loop, one at a time. A
    browser that fails is closed, and the next render starts a fresh one. Close the renderer when done.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chart-renderer", daemon=True)
        self._thread.start()
        self._browser: kaleido.Kaleido | None = None
        self._turn = asyncio.Lock()

    def __enter__(self) -> ChartRenderer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def render(self, figures: Sequence[go.Figure]) -> list[bytes]:
        """Each figure as a PNG on a white background, in order."""
        on_white = [_for_print(f) for f in figures]
        return asyncio.run_coroutine_threadsafe(self._render(on_white), self._loop).result()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop_browser(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _render(self, figures: list[go.Figure]) -> list[bytes]:
        async with self._turn:
            if self._browser is None:
                # mathjax=False: kaleido would otherwise fetch MathJax from a CDN; the charts hold no formulas.
                self._browser = kaleido.Kaleido(n=1, mathjax=False)
                await self._browser.open()
            try:
                return [await self._browser.calc_fig(f, opts=_png_options(f)) for f in figures]
            except Exception:
                await self._stop_browser()
                raise

    async def _stop_browser(self) -> None:
        if self._browser is not None:
            browser, self._browser = self._browser, None
            await browser.close()


def render_pngs(figures: Sequence[go.Figure], renderer: ChartRenderer | None = None) -> list[bytes]:
    """The figures as PNGs: through `renderer` when given, else through a browser started for them alone."""
    if not figures:
        return []
    if renderer is not None:
        return renderer.render(figures)
    with ChartRenderer() as own:
        return own.render(figures)


def _png_options(figure: go.Figure) -> dict[str, object]:
    return {"format": "png", "width": CHART_WIDTH_PX, "height": figure.layout.height or DEFAULT_HEIGHT_PX,
            "scale": CHART_SCALE}


def _for_print(figure: go.Figure) -> go.Figure:
    """A copy on white: the screen's transparent background would lose its grid lines on paper."""
    copy = go.Figure(figure)
    copy.update_layout(template="plotly_white", paper_bgcolor="white", plot_bgcolor="white")
    return copy


# ---- the PDF ------------------------------------------------------------------------------------------


@cache
def _covered(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for."""
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _printable(text: str, fonts: Iterable[Path]) -> str:
    """The text as the fonts can print it: line breaks kept, other blanks they lack as spaces, and every other
    character none of them carries as U+FFFD. Direction controls typed into a name or a goal are dropped, so
    they cannot reverse the brief's own words after them (coaching.core.text.without_direction_controls)."""
    covered = [_covered(f) for f in fonts]

    def glyph(ch: str) -> str:
        if ch == "\n" or any(ord(ch) in c for c in covered):
            return ch
        return " " if ch.isspace() else MISSING_GLYPH

    return "".join(glyph(ch) for ch in unicodedata.normalize("NFC", without_direction_controls(text)))


class _Brief(FPDF):
    """A4 pages with the brief's typography; every text goes through `_printable`."""

    def __init__(self, member: str, manager: str, made_on: dt.date) -> None:
        super().__init__(format="A4", unit="mm")
        self._fonts = [REGULAR_FONT, *([FALLBACK_FONT] if FALLBACK_FONT.exists() else [])]
        self.add_font("body", "", REGULAR_FONT)
        self.add_font("body", "B", BOLD_FONT)
        if FALLBACK_FONT.exists():
            self.add_font("fallback", "", FALLBACK_FONT)
            self.set_fallback_fonts(["fallback"], exact_match=False)
        self.set_text_shaping(True)      # HarfBuzz: Arabic letters joined, right-to-left runs in reading order
        self.set_margins(PAGE_MARGIN_MM, PAGE_MARGIN_MM)
        self.set_auto_page_break(True, margin=PAGE_MARGIN_MM + 5)
        self._footer = (f"Prepared by {manager} on {made_on.isoformat()} for the one-on-one with {member}. "
                        "For coaching and development only, never for promotion, pay or selection decisions.")
        self.set_title(self._text(f"One-on-one brief: {member}"))
        self.add_page()

    def _text(self, text: str) -> str:
        return _printable(text, self._fonts)

    def footer(self) -> None:
        self.set_y(-PAGE_MARGIN_MM - 2)
        self.set_font("body", size=7)
        self.set_text_color(*GREY)
        self.multi_cell(0, 3, self._text(f"{self._footer} Page {self.page_no()}."), align="L")
        self.set_text_color(0)

    def title_block(self, title: str, subtitle: str) -> None:
        self.para(title, size=18, bold=True)
        self.para(subtitle, size=10, colour=GREY)
        self.ln(3)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.ln(2)
        self.para(text, size=13, bold=True)

    def para(self, text: str, *, size: float = 10, bold: bool = False, colour: tuple[int, int, int] = (0, 0, 0),
             indent: float = 0) -> None:
        self.set_font("body", "B" if bold else "", size)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, self._text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def bullets(self, lines: Sequence[str], *, size: float = 10) -> None:
        for line in lines:
            self.para(f"• {line}", size=size, indent=4)

    def section(self, title: str, lines: Sequence[str]) -> None:
        self.heading(title)
        self.bullets(lines)

    def points(self, title: str, points: Sequence[TalkingPoint]) -> None:
        self.heading(title)
        if not points:
            self.para("No rule found anything to raise: ask what they need now.")
        for n, point in enumerate(points, start=1):
            self.para(f"{n}. {point.text}", indent=2)
            self.para(f"Because: {point.because}", size=8, colour=GREY, indent=6)
            self.ln(1)

    def chart(self, view: View, png: bytes) -> None:
        """A chart under its title, scaled to the text width, with its reading as the caption."""
        width = self.epw
        height = width * (view.figure.layout.height or DEFAULT_HEIGHT_PX) / CHART_WIDTH_PX
        if self.will_page_break(height + 20):
            self.add_page()
        self.heading(view.title)
        self.image(io.BytesIO(png), w=width, h=height, alt_text=self._text(view.reading))
        self.para(view.reading, size=9, colour=GREY)


# ---- the member's data as CSV -------------------------------------------------------------------------


def member_csv(aspire: Aspire, actor: Actor, member_id: int, *, now: dt.datetime | None = None) -> bytes:
    """The member's data for the one-on-one, as the data export's CSV, for their manager alone.

    It holds their profile, options in use, answers and scores, invitations, and goals with their
    actions and history. It leaves out the one-on-one notes: they are the manager's working notes, and
    they reach the member through a data request (coaching.privacy.requests), never through a download made for
    the meeting. Unlike a data request, which gathers every record with the person's e-mail, this holds
    the one member record the manager coaches. The download is audited.
    """
    if not isinstance(actor, Actor) or actor.role is not Role.MANAGER:
        raise PermissionDenied(f"no member {member_id}")
    member = find_member(aspire, actor, member_id)
    data = MemberDataRows(aspire.db).member_data([member.id])._replace(notes=[], note_history=[])
    person = Person(member.email, (MemberSummary(member.id, member.name, None, False),))
    document = member_document(aspire, person, data, now or dt.datetime.now(dt.UTC))
    aspire.audit.record(actor, Action.EXPORTED, Subject.MEMBER, [member.id], "one-on-one csv")
    return ExportFile("csv", brief_filename(member.name, member.id, "csv"), document_csv(document)).data


def brief_filename(name: str, member_id: int, suffix: str) -> str:
    """A file name any file system takes: the name's ASCII letters, else the member's number."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in ascii_name).lower().split())[:60]
    return f"one-on-one-{slug or f'member-{member_id}'}.{suffix}"
