"""Plain-words formatting of domain results for tables and captions."""

from __future__ import annotations

import re

from coaching.core.text import without_direction_controls
from coaching.measurement.profiles import MemberProfile
from coaching.measurement.scoring import FlagKind
from coaching.paths.catalogue import Catalogue
from coaching.people.teams import MemberArrangement

#: A quality flag in a table cell; the one-on-one page words it as advice (talking_points.FLAG_ADVICE).
FLAG_SHORT = {
    FlagKind.STRAIGHT_LINE: "Uniform answers: ask first",
    FlagKind.LOW_SPREAD: "Little spread: ask first",
    FlagKind.INCONSISTENT: "Inconsistent: ask first",
    FlagKind.TWIN_CONTRADICTION: "Contradictions: ask first",
}


def person_label(name: str, email: str) -> str:
    """A person in a list to pick from: two people may share a name, never an e-mail address."""
    return f"{name} <{email}>"


def profile_row(member: MemberProfile) -> dict[str, str]:
    p = member.profile
    return {
        "Member": member.member_name,
        "Primary aspiration": p.label,      # the same judgement as the person's profile: "Balance or autonomy"
        "Chose first": p.choice[0].value.capitalize(),
        "Ratings vs choice": "Disagree: ask" if p.disagreement else "Agree",
        "Quality": "; ".join(FLAG_SHORT[f.kind] for f in p.flags) or "No flags",
    }


#: Every ASCII punctuation character Markdown (CommonMark, GFM, Streamlit's :color[...] and $math$) gives a meaning.
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:=&@^")
#: Streamlit links bare addresses (http://…, www.…, name@host) after escapes are undone, so a backslash does not
#: stop them; an invisible word joiner after '@', inside 'www.' and after a ':' that something follows
#: ('http:', ':emoji:', ':material/...') does. A ':' before a space starts nothing and is left alone.
_AUTOLINK_TRIGGER = re.compile(r"\\:(?=\S)|\\@|(?i:www)(?=\\\.)")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Text typed by people, made safe to place inside Markdown: shown as typed, never as formatting or a link.

    The one helper for every user-typed value a screen puts into Markdown (text, captions, alerts, labels).
    Direction controls are dropped (coaching.core.text.without_direction_controls) so a name cannot reorder the
    words after it.
    """
    escaped = "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in without_direction_controls(text))
    return _AUTOLINK_TRIGGER.sub(lambda found: found.group(0) + WORD_JOINER, escaped)


def arrangement_text(arrangement: MemberArrangement, catalogue: Catalogue) -> str:
    """A member's track, level and options in use in words, e.g. 'Expert track, Staff specialist; uses Remote days'."""
    names = {o.key: o.name for o in catalogue.options}
    if arrangement.track is None:
        text = "track not recorded"
    else:
        text = f"{arrangement.track.replace('_', ' ').capitalize()} track"
        if arrangement.level:
            text += f", {names.get(arrangement.level, arrangement.level)}"
    if arrangement.options:
        text += "; uses " + ", ".join(names.get(k, k) for k in arrangement.options)
    return text
