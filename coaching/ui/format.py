"""Plain-words formatting of domain results for tables and captions."""

from __future__ import annotations

from coaching.profiles import MemberProfile

FLAG_ADVICE = {
    "straight_line": "answers look uniform: ask before you rely on them",
    "low_spread": "little difference between needs: ask what matters most",
    "twin_contradiction": "opposite statements both agreed or both refused: ask which is true",
}


def profile_row(member: MemberProfile) -> dict[str, str]:
    p = member.profile
    if p.primary is not None:
        reading = p.primary.label
    else:
        reading = "Close: " + " / ".join(n.label for n in p.close_needs)
    return {
        "Member": member.member_name,
        "Primary aspiration": reading,
        "Chose first": p.choice[0].label,
        "Ratings vs choice": "Disagree: talk about it" if p.disagreement else "Agree",
        "Quality": "; ".join(FLAG_ADVICE[f.kind] for f in p.flags) or "No flags",
    }


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


def plain(text: str) -> str:
    """Text typed by people, made safe to place inside Markdown: shown as typed, never as formatting."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)
