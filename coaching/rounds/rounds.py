"""Rounds: sending the questionnaire to a team within a wave, and each member's personal link.

A link carries a random token (`secrets.token_urlsafe(32)`, 256 bits); only its SHA-256 is stored,
so a link can be shown or e-mailed once, when it is issued, and never read back from the database.
Lost a link? Re-issue it: the old one stops working. A link acts only for its own member, and an
unknown, revoked or malformed link gets one sentence that reveals nothing about any team or member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coaching.aspire import Aspire
from coaching.core.actors import Actor, PermissionDenied, Role
from coaching.core.text import text_problems
from coaching.governance.audit import Action, Subject
from coaching.governance.scope import require_team
from coaching.measurement.answers import Answers
from coaching.measurement.instrument import Instrument
from coaching.measurement.profiles import profiles
from coaching.measurement.reliability import scale_reliability
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, list_waves, prepare, record_responses
from coaching.measurement.scoring import Profile, score_response
from coaching.measurement.versions import current_instrument, instruments
from coaching.people.teams import last_submitted, list_members
from coaching.rounds.round_rows import InvitationRow, MemberStateRow, RoundRow, RoundRows

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")    # what token_urlsafe(32) produces
MAX_MESSAGE = 2000
#: A wave is named by the organisation's calendar, never typed freely: its name is the year of the cycle. A wave
#: is shared by the whole organisation, so a free-text name would be one manager's text on everyone's screen.
_WAVE_YEAR = re.compile(r"20\d\d")
REVIEW_MONTHS = 12     # the source text: a thorough review once a year
INVALID_LINK = "This link is not valid. Ask your manager for a new one."


class InvalidLink(LookupError):
    """Unknown, revoked or malformed: always the same sentence, whatever the reason."""

    def __init__(self) -> None:
        super().__init__(INVALID_LINK)


class RoundClosed(RuntimeError):
    """The round no longer takes answers (closed, or past its deadline)."""


class RoundChanged(RuntimeError):
    """Someone changed the round since it was read; nothing was overwritten."""


class Invitees(StrEnum):
    """Whom a new round goes to when no one is picked by hand."""

    WHOLE_TEAM = "Whole team"
    DUE = "Due for their yearly review"


class State(StrEnum):
    SUBMITTED = "submitted"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"
    DECLINED = "declined"


@dataclass(frozen=True)
class Link:
    member_id: int
    name: str
    email: str
    url: str


@dataclass(frozen=True)
class MemberProgress:
    member_id: int
    name: str
    email: str
    state: State
    reminded: tuple[dt.datetime, ...]
    last_failure: str | None


@dataclass(frozen=True)
class RoundStatus:
    round: RoundRow
    members: list[MemberProgress]

    @property
    def response_rate(self) -> float:
        answered = sum(1 for m in self.members if m.state is State.SUBMITTED)
        return answered / len(self.members) if self.members else 0.0

    def time_left(self, now: dt.datetime) -> dt.timedelta:
        return max(self.round.deadline - now, dt.timedelta(0))

    def open_at(self, now: dt.datetime) -> bool:
        """Whether the round still takes answers (and so reminders, new links, a later deadline)."""
        return _takes_answers(self.round, now)

    @property
    def pending(self) -> list[MemberProgress]:
        """Who may still be reminded: neither submitted nor declined."""
        return [m for m in self.members if m.state in (State.NOT_STARTED, State.IN_PROGRESS)]

    @property
    def failed(self) -> list[MemberProgress]:
        """Who is pending and whose last e-mail did not go out: those a retry sends to."""
        return [m for m in self.pending if m.last_failure]


@dataclass(frozen=True)
class Invitation:
    """What a valid link gives its holder: acting as that one member, in that one round."""

    token: str
    row: InvitationRow
    instrument: Instrument

    @property
    def actor(self) -> Actor:
        return Actor(Role.RESPONDENT, self.row.member_id, self.row.member_name)

    @property
    def declined(self) -> bool:
        return self.row.declined_at is not None

    def open_for_answers(self, now: dt.datetime) -> bool:
        return _takes_answers(self.row.round, now)


def _takes_answers(round_row: RoundRow, now: dt.datetime) -> bool:
    return round_row.closed_at is None and now < round_row.deadline


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _rows(aspire: Aspire) -> RoundRows:
    return RoundRows(aspire.db)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _link(aspire: Aspire, token: str) -> str:
    return f"{aspire.settings.link_base}/respond?invite={token}"


# ---- the manager's side ------------------------------------------------------------------------------


def open_round(aspire: Aspire, actor: Actor, team_id: int, wave_name: str, deadline: dt.datetime,
               message: str | None = None, member_ids: list[int] | None = None) -> tuple[int, list[Link]]:
    """Open a round for a team (or some of its members) in a wave; returns the links, shown only now.

    A round records the account that opened it, so only an actor with an account (a manager) opens one.
    """
    require_team(aspire.db, actor, team_id)
    if actor.id is None:
        raise PermissionDenied("a round is opened by a manager's account")
    if deadline.tzinfo is None or deadline <= _now():
        raise ValueError("The deadline must be a moment in the future.")
    if not _WAVE_YEAR.fullmatch(wave_name):
        raise ValueError("The wave is the year of the assessment cycle, e.g. 2026.")
    if problems := text_problems(message or "", MAX_MESSAGE):
        raise ValueError("The personal message cannot be kept: " + "; ".join(problems) + ".")
    members = list_members(aspire, actor, team_id)
    if member_ids is not None:
        members = [m for m in members if m.id in set(member_ids)]
    if not members:
        raise ValueError("The team has no members to invite yet: add them first.")
    wave_id = ensure_wave(aspire, wave_name, deadline.date())
    tokens = {m.id: secrets.token_urlsafe(TOKEN_BYTES) for m in members}
    round_id = _rows(aspire).insert_round(
        wave_id=wave_id, team_id=team_id, instrument_version=current_instrument(aspire).version,
        deadline=deadline.astimezone(dt.UTC), message=(message or "").strip() or None, created_by=actor.id,
        invitations=[(member_id, hash_token(token)) for member_id, token in tokens.items()],
    )
    aspire.audit.record(actor, Action.CHANGED, Subject.MEMBER, list(tokens), "link issued")
    return round_id, [Link(m.id, m.name, m.email, _link(aspire, tokens[m.id])) for m in members]


def organisation_today(aspire: Aspire, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the organisation is (COACHING_TIMEZONE), not where the server is or in UTC."""
    return (now or _now()).astimezone(aspire.settings.zone).date()


def end_of_day(aspire: Aspire, day: dt.date) -> dt.datetime:
    """A deadline picked as a date: the end of that day (23:59) in the organisation's time zone."""
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=aspire.settings.zone)


def invitees(aspire: Aspire, actor: Actor, team_id: int, who: Invitees, picked: Iterable[int] = ()) -> list[int]:
    """The member ids a new round goes to: those picked by hand, else the whole team or those due for review.

    Members are told apart by id, never by name: two people may share one.
    """
    members = [m.id for m in list_members(aspire, actor, team_id)]
    if picked:
        wanted = set(picked)
    elif who is Invitees.WHOLE_TEAM:
        wanted = set(members)
    else:
        wanted = set(due_for_review(aspire, actor, team_id))
    return [m for m in members if m in wanted]


def wave_years(today: dt.date) -> list[str]:
    """The waves a new round can belong to: this year's cycle, the next (rounds opened ahead) or the last one."""
    return [str(today.year + offset) for offset in (0, 1, -1)]


def answered_in_waves(aspire: Aspire, actor: Actor, team_id: int, names: Sequence[str]) -> dict[str, int]:
    """How many of the team's members already have answers in each of these waves (0 in a wave not begun)."""
    require_team(aspire.db, actor, team_id)
    waves = {w.name: w.id for w in list_waves(aspire)}
    return {name: len(profiles(aspire, actor, waves[name], [team_id])) if name in waves else 0 for name in names}


def due_for_review(aspire: Aspire, actor: Actor, team_id: int, today: dt.date | None = None) -> list[int]:
    """Members whose yearly review is due: never answered, or last answered over REVIEW_MONTHS ago."""
    today = today or organisation_today(aspire)
    due_after = dt.timedelta(days=round(REVIEW_MONTHS * 365.25 / 12))
    return [member_id for member_id, last in last_submitted(aspire, actor, team_id).items()
            if last is None or today - last.date() >= due_after]


def _round_of(aspire: Aspire, actor: Actor, round_id: int) -> RoundRow:
    found = _rows(aspire).round(round_id)
    if found is None:
        raise PermissionDenied(f"no round {round_id}")
    require_team(aspire.db, actor, found.team_id)
    return found


def rounds_of_team(aspire: Aspire, actor: Actor, team_id: int) -> list[RoundRow]:
    require_team(aspire.db, actor, team_id)
    return _rows(aspire).rounds_of_team(team_id)


def reissue_link(aspire: Aspire, actor: Actor, round_id: int, member_id: int) -> Link:
    """A new link for one member; their old link stops working, their saved answers stay."""
    _round_of(aspire, actor, round_id)
    member = _invited_member(aspire, actor, round_id, member_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _rows(aspire).replace_invitation(round_id, member_id, hash_token(token), _now())
    aspire.audit.record(actor, Action.CHANGED, Subject.MEMBER, [member_id], "link issued")
    return Link(member.member_id, member.name, member.email, _link(aspire, token))


def reissue_all(aspire: Aspire, actor: Actor, round_id: int, only_pending: bool = False) -> list[Link]:
    """New links for every invited member (or those who neither submitted nor declined), e.g. to e-mail them."""
    status = round_status(aspire, actor, round_id)
    wanted = [m for m in status.members
              if not only_pending or m.state in (State.NOT_STARTED, State.IN_PROGRESS)]
    return [reissue_link(aspire, actor, round_id, m.member_id) for m in wanted]


def revoke_link(aspire: Aspire, actor: Actor, round_id: int, member_id: int) -> None:
    _round_of(aspire, actor, round_id)
    _invited_member(aspire, actor, round_id, member_id)
    _rows(aspire).revoke(round_id, member_id, _now())


def extend_deadline(aspire: Aspire, actor: Actor, round_id: int, deadline: dt.datetime, read_version: int) -> None:
    found = _round_of(aspire, actor, round_id)
    if found.closed_at is not None:
        raise RoundClosed("The round is closed; open a new one instead.")
    if deadline.tzinfo is None or deadline <= found.deadline:
        raise ValueError("A new deadline must be later than the current one.")
    if not _rows(aspire).set_deadline(round_id, deadline.astimezone(dt.UTC), read_version):
        raise RoundChanged("Someone changed this round meanwhile: reload it and try again.")


def close_round(aspire: Aspire, actor: Actor, round_id: int) -> None:
    _round_of(aspire, actor, round_id)
    _rows(aspire).close(round_id, _now())


def round_status(aspire: Aspire, actor: Actor, round_id: int) -> RoundStatus:
    found = _round_of(aspire, actor, round_id)
    return RoundStatus(found, [_progress(row) for row in _rows(aspire).member_states(round_id)])


def record_delivery(aspire: Aspire, actor: Actor, round_id: int, member_id: int, kind: str, channel: str,
                    ok: bool, error: str | None = None) -> None:
    """Note that a link went out (or failed to): reminders and retries are decided from these."""
    _round_of(aspire, actor, round_id)
    invitation_id = _rows(aspire).live_invitation(round_id, member_id)
    if invitation_id is None:
        raise PermissionDenied(f"member {member_id} has no live link in round {round_id}")
    _rows(aspire).record_delivery(invitation_id, member_id, kind, channel, ok, error)


def _invited_member(aspire: Aspire, actor: Actor, round_id: int, member_id: int) -> MemberProgress:
    match = next((m for m in round_status(aspire, actor, round_id).members if m.member_id == member_id), None)
    if match is None:
        raise PermissionDenied(f"member {member_id} is not invited in round {round_id}")
    return match


def _progress(row: MemberStateRow) -> MemberProgress:
    if row.submitted_at is not None:
        state = State.SUBMITTED
    elif row.declined_at is not None:
        state = State.DECLINED
    elif row.draft_at is not None:
        state = State.IN_PROGRESS
    else:
        state = State.NOT_STARTED
    return MemberProgress(row.member_id, row.name, row.email, state, tuple(row.reminders), row.last_failure)


# ---- the respondent's side (no account: the link is the key) --------------------------------------------


def resolve(aspire: Aspire, token: str | None) -> Invitation:
    """The invitation behind a link; InvalidLink for anything unknown, revoked or malformed.

    The first opening is recorded; resolving again (before each of the person's writes) writes nothing.
    """
    if not token or not _TOKEN.fullmatch(token):
        raise InvalidLink()
    row = _rows(aspire).invitation_by_hash(hash_token(token))
    if row is None or row.revoked_at is not None or row.member_archived:
        raise InvalidLink()
    if row.opened_at is None:
        _rows(aspire).mark_opened(row.id, _now())
    return Invitation(token, row, instruments(aspire)[row.round.instrument_version])


def decline(aspire: Aspire, invitation: Invitation) -> None:
    """Answering is voluntary: declining stops reminders; the person can still answer later if they wish."""
    _rows(aspire).decline(invitation.row.round.id, invitation.row.member_id, _now())


def draft(aspire: Aspire, invitation: Invitation) -> dict[str, Any]:
    """Answers saved so far, or the last submitted ones in this round, so a person resumes where they were."""
    saved = _rows(aspire).draft(invitation.row.member_id, invitation.row.round.id)
    if saved is not None:
        return json.loads(saved)
    latest = own_answers(aspire, invitation)
    return latest.model_dump(mode="json") if latest is not None else {}


def draft_language(aspire: Aspire, invitation: Invitation) -> str | None:
    """The language the person chose on their page, kept with their draft (None: never chosen)."""
    return _rows(aspire).draft_language(invitation.row.member_id, invitation.row.round.id)


def save_draft(aspire: Aspire, invitation: Invitation, answers: Mapping[str, Any], language: str | None = None,
               ) -> None:
    """Keep the answers so far, and the language they are being given in, for the member and round."""
    if not invitation.open_for_answers(_now()):
        raise RoundClosed("This round is closed: answers can no longer be changed.")
    _rows(aspire).save_draft(invitation.row.member_id, invitation.row.round.id, json.dumps(answers), language)


def submit_answers(aspire: Aspire, invitation: Invitation, raw: Mapping[str, Any], language: str = "en") -> Profile:
    """Validate, score and store the answers as the link's own member, with the language they were given in.

    AnswerError names what is missing. Every language has the same items and scale, so scores compare.
    """
    if not invitation.open_for_answers(_now()):
        raise RoundClosed("This round is closed: answers can no longer be changed.")
    round_row = invitation.row.round
    prepared = prepare(aspire, Submission(
        member_id=invitation.row.member_id, wave_id=round_row.wave_id, raw=raw, round_id=round_row.id,
        instrument_version=round_row.instrument_version, language=language))
    record_responses(aspire, invitation.actor, [prepared])
    _rows(aspire).delete_draft(invitation.row.member_id, round_row.id)
    # The profile from the answers just checked and stored: reading them back would cost five queries.
    version = round_row.instrument_version
    return score_response(instruments(aspire)[version], prepared.answers, scale_reliability(aspire, version))


def own_answers(aspire: Aspire, invitation: Invitation) -> Answers | None:
    """The member's current answers in this round's wave, if any (read-only after the round closes)."""
    found = ResponseRows(aspire.db).own_response(invitation.actor, invitation.row.round.wave_id)
    return None if found is None else found.answers


def own_profile(aspire: Aspire, invitation: Invitation) -> Profile | None:
    answers = own_answers(aspire, invitation)
    if answers is None:
        return None
    version = invitation.row.round.instrument_version
    return score_response(instruments(aspire)[version], answers, scale_reliability(aspire, version))

