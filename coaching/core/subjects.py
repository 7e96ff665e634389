"""The subjects Aspire's writes touch and its remembered reads read (the mechanism and its rule: coaching.db.subjects).

Writes that name their subjects: responses (per team, and per questionnaire version, counting each
response, for the reliability estimate's growth), members (per team), the readings the one-on-one page
showed (per team), drafts, audit entries, login sessions and attempts, and what respondents do to their
invitations. Every other write names none, so it drops every remembered read: a read need only name, among
the subjects above, those it reads. The other names below are for reads to say what they rest on, so that a
write that starts naming its subject later drops exactly them.

A response is read with its member (name, team, archived or not): a read of a team's responses names the
team's members too (`team`), and a member who moves between teams touches both teams' members.
"""

from __future__ import annotations

RESPONSES = "responses"         # every team's responses: the organisation-wide reads
MEMBERS = "members"             # every team's members
TEAMS = "teams"                 # which teams there are, their names and who manages them (scope)
WAVES = "waves"
CATALOGUE = "catalogue"         # the paths on offer
PLANS = "plans"                 # goals, notes and agreed routes
ESTIMATES = "estimates"         # this process's reliability estimates (Database.touched_here)
DRAFTS = "drafts"
AUDIT = "audit"
SESSIONS = "sessions"
LOGINS = "logins"               # failed logins counted and locks
INVITATIONS = "invitations"     # links opened or declined, deliveries recorded


def responses(team_id: int) -> str:
    return f"{RESPONSES}/team/{team_id}"


def version_responses(version: int) -> str:
    """Counted once per response stored: how many arrived since tells how much an estimate has aged."""
    return f"{RESPONSES}/version/{version}"


def members(team_id: int) -> str:
    return f"{MEMBERS}/team/{team_id}"


def readings(team_id: int) -> str:
    """The reading the one-on-one page last showed for each member of a team."""
    return f"readings/team/{team_id}"


def estimate(version: int) -> str:
    return f"{ESTIMATES}/{version}"


def team(team_id: int) -> tuple[str, str]:
    """A team's responses with their members: what a read of the team's answers names."""
    return responses(team_id), members(team_id)
