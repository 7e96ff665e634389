"""An organisation whose every typed field holds Markdown, bare addresses and direction controls, and a check
for live links or images in Markdown as Streamlit renders it.

Every hostile value points at evil.example, so a link the app builds itself (a heading's anchor, a mailto it
composes) is never mistaken for one a person typed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM, Role
from coaching.core.settings import Settings
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.measurement.versions import current_instrument
from coaching.one_on_one import plans
from coaching.one_on_one.plan_models import MAX_MEASURE, MAX_TITLE, MAX_WHAT, MAX_WHO
from coaching.paths import editing as paths
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.people.member_input import MAX_NAME, MAX_ROLE_TITLE
from coaching.rounds import rounds
from coaching.startup import start

#: Link and image syntax, raw HTML, a reference definition and a colour directive (56 characters).
LINKY = "[Log in](http://evil.example/a) ![i](http://evil.example/i)"
#: What GitHub-flavoured Markdown links without any syntax (57 characters), and a right-to-left override.
BARE = "http://evil.example www.evil.example x@evil.example \u202e"
HTMLISH = "<img src=http://evil.example/h.png> <a href=http://evil.example/h>h</a>"
REFERENCE = "[r]\n\n[r]: http://evil.example/ref"


def hostile(limit: int) -> str:
    """As much hostility as a field of `limit` characters takes."""
    for text in (f"{LINKY} {BARE} {HTMLISH} {REFERENCE}", f"{LINKY} {BARE}", LINKY):
        if len(text) <= limit:
            return text
    raise ValueError(f"no hostile text fits {limit} characters")


PASSWORD = "a long passphrase for mallory"
MANAGER = "mallory@example.com"
ADMIN = "eve@example.com"
WAVE = hostile(10_000)       # a wave named before waves were named by the calendar


@dataclass(frozen=True)
class HostileOrganisation:
    tokens: list[str]        # respondents' links (invite tokens) in a round with a hostile message
    member_id: int           # a member with answers in two waves, a goal, an action and a note


def build(path: Path) -> HostileOrganisation:
    """Fill the database at `path` (demo data already in it, or not) with hostile text in every typed field."""
    aspire = start(Settings(db=path, demo=True))
    try:
        return _fill(aspire)
    finally:
        aspire.close()


def _fill(aspire: Aspire) -> HostileOrganisation:
    accounts_of(aspire).create_user(SYSTEM, MANAGER, hostile(120), Role.MANAGER, PASSWORD)
    accounts_of(aspire).create_user(SYSTEM, ADMIN, hostile(120), Role.ADMIN, PASSWORD)
    manager = accounts_of(aspire).actor_for_email(MANAGER)
    admin = accounts_of(aspire).actor_for_email(ADMIN)
    team = teams.create_team(aspire, manager, hostile(teams.MAX_TEAM_NAME))
    members = [teams.add_member(aspire, manager, team.id, {
        "name": hostile(MAX_NAME), "email": f"member{n}@example.com",
        "role_title": hostile(MAX_ROLE_TITLE)}) for n in range(3)]

    instrument = current_instrument(aspire)
    reflections = {r.id: hostile(4000) for r in instrument.reflections}
    earlier = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    legacy = ensure_wave(aspire, WAVE, dt.date.today())
    for wave_id, value in ((earlier, 2), (legacy, 5)):
        submit(aspire, SYSTEM, [Submission(member_id=m.id, wave_id=wave_id, raw={
            "ratings": {i.id: (value + n) % 5 + 1 for n, i in enumerate(instrument.items)},
            "top_three": ["status", "balance", "autonomy"], "reflections": reflections,
            "life_stage": hostile(80)}) for m in members])

    first = members[0].id
    goal = plans.add_goal(aspire, manager, first, {"title": hostile(MAX_TITLE), "need": "status",
                                                   "success_measure": hostile(MAX_MEASURE)})
    plans.add_action(aspire, manager, goal.id, {"what": hostile(MAX_WHAT), "who": hostile(MAX_WHO)})
    plans.add_note(aspire, manager, first, {"held_on": dt.date.today(), "body": hostile(10_000),
                                            "agreed": [hostile(300)]})

    option = next(v for v in paths.current_offer(aspire) if v.option.kind.value == "flexible")
    fields = option.option.model_dump(mode="json", exclude={"key", "kind"})
    paths.edit_option(aspire, admin, option.option.key, option.version,
                      {**fields, "name": hostile(80), "scope": hostile(200), "why": hostile(400)})

    _, links = rounds.open_round(aspire, manager, team.id, "2027", dt.datetime.now(dt.UTC) + dt.timedelta(days=14),
                                 message=hostile(rounds.MAX_MESSAGE))
    return HostileOrganisation([link.url.rsplit("=", 1)[1] for link in links], first)


# ---- what Streamlit would render as a link ---------------------------------------------------------------

_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")     # CommonMark: a backslash before ASCII punctuation makes it text
_SYNTAX = [re.compile(p, re.M) for p in (
    r"!?\[[^\]]*\]\([^)]*\)",                  # inline link or image
    r"<[A-Za-z/!][^>]*>",                      # raw HTML or an <autolink>
    r"^ {0,3}\[[^\]]+\]:",                     # a reference definition
)]
# GitHub-flavoured autolinks, matched (as remark does) on the text after escapes are undone.
_AUTOLINKS = [re.compile(p, re.I) for p in (r"https?://\S+", r"www\.\S+", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")]


def live_links(markdown: str) -> list[str]:
    """Links or images to evil.example that this Markdown would render as live."""
    syntax = _ESCAPE.sub("\x00", markdown)
    text = _ESCAPE.sub(lambda found: found.group(0)[1], markdown)
    found = [m.group(0) for p in _SYNTAX for m in p.finditer(syntax)]
    found += [m.group(0) for p in _AUTOLINKS for m in p.finditer(text)]
    return [f for f in found if "evil" in f]
