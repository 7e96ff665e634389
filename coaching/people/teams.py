"""Teams and their members: create and rename teams; add, edit, move, archive and import members.

Rules:
- a manager creates teams for themselves and changes only the members of their own active teams; the
  system (CLI, demo) may act on any team. Anything outside the actor's scope is PermissionDenied,
  worded like "not found", so ids cannot be probed;
- moving: a manager moves a member only between their own teams; an admin (or the system) may move any
  active member to any active team, including another manager's. A member keeps their id when moved,
  so their answers, goals and notes stay theirs and the new manager sees the history;
- archiving sets `archived_at`: the member leaves every list and future round, but their data stays
  until it is erased through a data request (coaching.privacy.requests);
- a member's e-mail is unique among the active members of the whole organisation (compared
  case-insensitively, stored lower-cased); a track and level must exist in the current catalogue;
- a member's current arrangement is their track and level plus the flexible or self-directed options
  they already use, all checked against the current catalogue; the options are part of the versioned
  member edit (left as they are when an edit does not name them);
- edits name the version they read: a change made meanwhile by someone else raises EditConflict and
  nothing is overwritten. Archive and move bump the version too;
- an import validates the whole file first (coaching.people.roster) and adds every member or none;
- every change is written to the audit log: CHANGED on the member ("added", "edited", "archived",
  "moved", "imported") or on the team ("created", "renamed").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from coaching.aspire import Aspire
from coaching.core import subjects
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.editing import EditConflict
from coaching.core.tabular import ImportRejected, RowProblem
from coaching.core.text import text_problems
from coaching.db.errors import NotOffered, RowMissing
from coaching.db.subjects import reads
from coaching.db.versioned import versioned
from coaching.governance.audit import Action, Subject
from coaching.paths.catalogue import Catalogue, PathKind, arrangement_problems, options_in_use_problems
from coaching.paths.editing import catalogue_at
from coaching.people.account_rows import AccountRows
from coaching.people.member_input import MemberInput, MemberRejected
from coaching.people.roster import Roster, read_members
from coaching.people.team_rows import EmailTaken, Member, NameTaken, NewMember, Team, TeamRows, TeamWithManager

MAX_TEAM_NAME = 80


class TeamRejected(ValueError):
    """A team name that cannot be used, in plain words."""


# ---- input at the edge ----------------------------------------------------------------------------------


class MemberArrangement(BaseModel):
    """What a member does now: track and level (None when not known) and the option keys they use."""

    model_config = ConfigDict(frozen=True)

    track: str | None
    level: str | None
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arrangement:
    """A choice of current track and level for a form: (None, None) when not known."""

    track: str | None
    level: str | None
    label: str


def arrangements(catalogue: Catalogue) -> list[Arrangement]:
    """Every track and level of the catalogue, as form choices: not known, a track alone, a track's level."""
    choices = [Arrangement(None, None, "Not known")]
    for kind in PathKind:
        if kind.is_track:
            choices.append(Arrangement(kind.value, None, f"{kind.label} (level not known)"))
            choices += [Arrangement(kind.value, o.key, f"{kind.label}: {o.name}") for o in catalogue.of_kind(kind)]
    return choices


def arrangement_of(choices: list[Arrangement], track: str | None, level: str | None) -> Arrangement:
    """The choice matching a member's stored track and level; one marked as gone when the catalogue lost it."""
    found = next((c for c in choices if (c.track, c.level) == (track, level)), None)
    return found or Arrangement(track, level, f"{track} / {level} (no longer in the catalogue)")


# ---- scope -------------------------------------------------------------------------------------------


def _rows(aspire: Aspire) -> TeamRows:
    return TeamRows(aspire.db)


def _own_team(aspire: Aspire, actor: Actor, team_id: int) -> Team:
    """The active team if the actor manages it (the system: any); PermissionDenied otherwise."""
    if not isinstance(actor, Actor):
        raise PermissionDenied("nobody is logged in")
    row = _rows(aspire).team(team_id)
    allowed = actor.role is Role.SYSTEM or (actor.role is Role.MANAGER and row is not None
                                            and row.manager_id == actor.id)
    if row is None or row.archived_at is not None or not allowed:
        raise PermissionDenied(f"no team {team_id}")
    return Team(id=row.id, name=row.name, manager_id=row.manager_id, version=row.version)


def _own_member(aspire: Aspire, actor: Actor, member_id: int) -> Member:
    """The active member if the actor may change them (their team's manager, or the system)."""
    row = _rows(aspire).member(member_id)
    if row is None or row.archived_at is not None:
        raise PermissionDenied(f"no member {member_id}")
    try:
        _own_team(aspire, actor, row.team_id)
    except PermissionDenied:
        raise PermissionDenied(f"no member {member_id}") from None
    return _member(row)


def _member(row: Any) -> Member:
    return Member(id=row.id, team_id=row.team_id, name=row.name, email=row.email, role_title=row.role_title,
                  track=row.track, level=row.level, version=row.version, language=row.language)


def _record(aspire: Aspire, actor: Actor, subject: Subject, ids: list[int], label: str) -> None:
    aspire.audit.record(actor, Action.CHANGED, subject, list(ids), label)


def _taken_message(emails: list[str]) -> str:
    return (f"The e-mail {', '.join(emails)} already belongs to an active member of the organisation: "
            "each person has one record. Use another address, or ask for that member to be moved.")


# ---- teams ---------------------------------------------------------------------------------------------


def list_teams(aspire: Aspire, actor: Actor) -> list[Team]:
    """The actor's active teams, by name (the system: every active team)."""
    return _rows(aspire).teams(actor)


def _team_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise TeamRejected("Give the team a name.")
    if problems := text_problems(name, MAX_TEAM_NAME):
        raise TeamRejected(f"Team name: {problems[0]}.")
    return name


def create_team(aspire: Aspire, actor: Actor, name: str, manager_id: int | None = None) -> Team:
    """A manager creates a team of their own; the system may name any manager's account."""
    if not isinstance(actor, Actor):
        raise PermissionDenied("nobody is logged in")
    if actor.role is Role.MANAGER and actor.id is not None and manager_id in (None, actor.id):
        manager_id = actor.id
    elif actor.role is Role.SYSTEM and manager_id is not None:
        account = AccountRows(aspire.db).by_id(manager_id)
        if account is None or account.role != Role.MANAGER.value or account.disabled_at is not None:
            raise TeamRejected(f"No active manager account has id {manager_id}.")
    else:
        raise PermissionDenied("a manager creates teams for themselves")
    name = _team_name(name)
    try:
        team_id = _rows(aspire).insert_team(name, manager_id)
    except NameTaken:
        raise TeamRejected(f"There is already a team called {name!r}; choose another name.") from None
    _record(aspire, actor, Subject.TEAM, [team_id], "created")
    return Team(id=team_id, name=name, manager_id=manager_id, version=1)


def rename_team(aspire: Aspire, actor: Actor, team_id: int, version: int, name: str) -> Team:
    """Rename one of the actor's teams, naming the version read (EditConflict when it changed)."""
    team = _own_team(aspire, actor, team_id)
    name = _team_name(name)
    try:
        with versioned("team"):
            new_version = _rows(aspire).rename_team(team_id, version, name)
    except RowMissing:
        raise PermissionDenied(f"no team {team_id}") from None
    except NameTaken:
        raise TeamRejected(f"There is already a team called {name!r}; choose another name.") from None
    _record(aspire, actor, Subject.TEAM, [team_id], "renamed")
    return team.model_copy(update={"name": name, "version": new_version})


def find_teams(aspire: Aspire, actor: Actor, name: str, manager_email: str | None = None) -> list[TeamWithManager]:
    """Active teams called `name` (case-insensitively), optionally only a manager's: for the CLI. System only."""
    if not isinstance(actor, Actor) or actor.role is not Role.SYSTEM:
        raise PermissionDenied("teams are looked up by name on the command line only")
    found = _rows(aspire).active_teams_named(name)
    if manager_email is not None:
        wanted = manager_email.strip().lower()
        found = [t for t in found if (t.manager_email or "").lower() == wanted]
    return found


# ---- members -------------------------------------------------------------------------------------------


def list_members(aspire: Aspire, actor: Actor, team_id: int) -> list[Member]:
    """The active members of one of the actor's teams, by name."""
    return _rows(aspire).members(actor, team_id)


def last_submitted(aspire: Aspire, actor: Actor, team_id: int) -> dict[int, dt.datetime | None]:
    """Each active member's latest submission in any wave (None: never answered), in one of the actor's teams."""
    return _rows(aspire).last_submitted(actor, team_id)


def _checked(aspire: Aspire, fields: MemberInput | NewMember | Mapping[str, Any],
             catalogue: Catalogue | None = None) -> MemberInput:
    """The fields validated and checked against the current catalogue (read here unless given)."""
    data = MemberInput.of(fields)
    catalogue = catalogue_at(aspire) if catalogue is None else catalogue
    problems = [p[0].upper() + p[1:] for p in arrangement_problems(catalogue, data.track, data.level)]
    problems += [f"Options in use: {p}" for p in options_in_use_problems(catalogue, data.options or ())]
    if problems:
        raise MemberRejected(problems)
    return data


def _not_offered(exc: NotOffered) -> MemberRejected:
    return MemberRejected([f"No longer on offer: {', '.join(exc.keys)}. An admin changed the catalogue meanwhile; "
                           "choose again from what is offered now"])


def add_member(aspire: Aspire, actor: Actor, team_id: int, fields: MemberInput | Mapping[str, Any]) -> Member:
    """Add one member to one of the actor's teams."""
    [member_id] = add_members(aspire, actor, team_id, [fields])
    return _member(_rows(aspire).member(member_id))


def add_members(aspire: Aspire, actor: Actor, team_id: int,
                members: Sequence[MemberInput | NewMember | Mapping[str, Any]]) -> list[int]:
    """Add members to one of the actor's teams, every one or none; their new ids, in order.

    The one way members are added by hand, by the demo and by benchmarks: each is checked like the member
    form, the rows go in with one statement per table (thousands in a fraction of a second), and every
    addition is in the audit log.
    """
    _own_team(aspire, actor, team_id)
    catalogue = catalogue_at(aspire)
    checked = [_checked(aspire, m, catalogue) for m in members]
    try:
        ids = _rows(aspire).insert_members(team_id, [m.as_new_member() for m in checked],
                                           [m.options or () for m in checked])
    except EmailTaken as exc:
        raise MemberRejected([_taken_message(exc.emails)]) from None
    except NotOffered as exc:
        raise _not_offered(exc) from None
    except RowMissing:
        raise PermissionDenied(f"no team {team_id}") from None
    _record(aspire, actor, Subject.MEMBER, ids, "added")
    return ids


def edit_member(
    aspire: Aspire, actor: Actor, member_id: int, version: int, fields: MemberInput | Mapping[str, Any]
) -> Member:
    """Replace a member's details, naming the version read; EditConflict when someone changed them meanwhile.

    A language not among the fields (the edit form has none) stays as it was, like options left out.
    """
    member = _own_member(aspire, actor, member_id)
    data = _checked(aspire, fields)
    if "language" not in data.model_fields_set:
        data = data.model_copy(update={"language": member.language})
    try:
        with versioned("member"):
            new_version = _rows(aspire).update_member(member_id, member.team_id, version, data.as_new_member(),
                                                      data.options)
    except RowMissing:
        raise EditConflict("member") from None   # archived or moved away since it was read
    except EmailTaken as exc:
        raise MemberRejected([_taken_message(exc.emails)]) from None
    except NotOffered as exc:
        raise _not_offered(exc) from None
    _record(aspire, actor, Subject.MEMBER, [member_id], "edited")
    return Member(id=member_id, team_id=member.team_id, version=new_version, **data.as_new_member().model_dump())


def arrangements_of(aspire: Aspire, actor: Actor, team_id: int) -> dict[int, MemberArrangement]:
    """Each active member's current arrangement in one of the actor's teams, by member id."""
    ids = [m.id for m in list_members(aspire, actor, team_id)]
    return {i: MemberArrangement(**row._asdict()) for i, row in _rows(aspire).arrangements(ids).items()}


def arrangement_for(aspire: Aspire, actor: Actor, member_id: int) -> MemberArrangement:
    """One active member's current arrangement, if the actor manages their team (kept until members change)."""
    return aspire.remembered(actor, _arrangement, member_id)


@reads(subjects.TEAMS, subjects.MEMBERS, subjects.CATALOGUE)
def _arrangement(aspire: Aspire, actor: Actor, member_id: int) -> MemberArrangement:
    _own_member(aspire, actor, member_id)
    return MemberArrangement(**_rows(aspire).arrangements([member_id])[member_id]._asdict())


def archive_member(aspire: Aspire, actor: Actor, member_id: int) -> None:
    """Take a member off every list and future round; their data stays until erased."""
    member = _own_member(aspire, actor, member_id)
    try:
        _rows(aspire).archive_member(member_id, member.team_id, dt.datetime.now(dt.UTC))
    except RowMissing:
        raise PermissionDenied(f"no member {member_id}") from None
    _record(aspire, actor, Subject.MEMBER, [member_id], "archived")


def move_member(aspire: Aspire, actor: Actor, member_id: int, to_team_id: int) -> Member:
    """Move a member to another team, keeping their id and history.

    A manager: between their own teams. An admin or the system: any active member to any active team.
    """
    if isinstance(actor, Actor) and actor.role is Role.ADMIN:
        row = _rows(aspire).member(member_id)
        target = _rows(aspire).team(to_team_id)
        if row is None or row.archived_at is not None:
            raise PermissionDenied(f"no member {member_id}")
        if target is None or target.archived_at is not None:
            raise PermissionDenied(f"no team {to_team_id}")
        member = _member(row)
    else:
        member = _own_member(aspire, actor, member_id)
        _own_team(aspire, actor, to_team_id)
    if member.team_id == to_team_id:
        raise MemberRejected([f"{member.name} is already in that team."])
    try:
        new_version = _rows(aspire).move_member(member_id, member.team_id, to_team_id)
    except RowMissing:
        raise EditConflict("member") from None   # moved, archived or the team closed meanwhile
    _record(aspire, actor, Subject.MEMBER, [member_id], "moved")
    return member.model_copy(update={"team_id": to_team_id, "version": new_version})


@dataclass(frozen=True)
class Imported:
    """The members an import added, and how their file was read (for the confirmation)."""

    members: list[Member]
    roster: Roster

    def describe(self, team_name: str) -> str:
        count = len(self.members)
        return f"Imported {count} member{'s' if count != 1 else ''} into {team_name}. {self.roster.describe()}"


def import_members(aspire: Aspire, actor: Actor, team_id: int, data: bytes) -> Imported:
    """Add every member of a CSV file to one of the actor's teams, or none.

    The file is checked whole first (coaching.people.roster.read_members): ImportRejected lists every problem
    of every row with its line, the file's format and the member rules together.
    """
    _own_team(aspire, actor, team_id)
    catalogue = catalogue_at(aspire)
    rows = _rows(aspire)
    taken = rows.active_emails()
    for _ in range(2):   # a second check only when an address was taken between the check and the insert
        roster, checked = read_members(data, catalogue, taken)
        try:
            ids = rows.insert_members(team_id, [m.as_new_member() for m in checked])
        except EmailTaken as exc:
            taken |= {e.lower() for e in exc.emails}
            continue
        except RowMissing:
            raise PermissionDenied(f"no team {team_id}") from None
        _record(aspire, actor, Subject.MEMBER, ids, "imported")
        members = [Member(id=i, team_id=team_id, version=1, **m.as_new_member().model_dump())
                   for i, m in zip(ids, checked, strict=True)]
        return Imported(members, roster)
    raise ImportRejected([RowProblem(1, "other members were added with these e-mails meanwhile; try again")])
