"""What a browser session keeps between reruns, each value named once, with its type.

`st.session_state` is one dictionary per browser session, shared by every screen and widget. Screens and
widget groups never spell its keys out: each asks its own small accessor below, so a key is written in one
place, cannot be misspelt in another, and no two screens use one key for different things. A widget whose
value a screen also reads or sets takes its `key=` from the same accessor. A `Slot` is the one primitive (a
`Counter`, a confirmation's `ShownOnce` and a form's `Fields` are made of it); the respondent's page keeps
its groups of slots, which a new link drops at once, in coaching.ui.respondent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import streamlit as st

from coaching.core.actors import Actor
from coaching.one_on_one.portrait import ReadingUpdate
from coaching.people.team_rows import Team
from coaching.rounds.rounds import Link

T = TypeVar("T")


class Slot(Generic[T]):
    """One value under one key; `default` (None unless named) until it is set. The value is never copied."""

    def __init__(self, key: str, default: T | None = None) -> None:
        self.key = key
        self.default = default

    def get(self) -> T | None:
        return st.session_state.get(self.key, self.default)

    def required(self) -> T:
        """The value of a slot the page always sets before reading it (the respondent's working answers are
        set at landing, before any step is drawn); an error, not a quiet None, if it ever is not."""
        value = self.get()
        if value is None:
            raise LookupError(f"{self.key!r} is read before it was set")
        return value

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def pop(self) -> T | None:
        """The value, taken away: for what is shown once (a confirmation after a rerun)."""
        return st.session_state.pop(self.key, self.default)

    def setdefault(self, value: T) -> T:
        return st.session_state.setdefault(self.key, value)

    @property
    def held(self) -> bool:
        return self.key in st.session_state


class ShownOnce(Slot[T]):
    """A value shown once, such as the confirmation after a rerun: dropped after a run that showed it has ended.

    Why not taken when read: a second click (the second half of a double click on a form's button) cuts the
    running run short at its next drawing call, and Streamlit never sends what that call drew. A
    confirmation that run had taken never reached the browser, and the run the click started had none to
    show: the note was saved, with no word that it was. A run cut short leaves it for the next run to show.
    """

    def show(self) -> T | None:
        value = self.get()
        marks = _RUN.get()
        if value is not None and marks is not None:
            marks.shown.add(self.key)
        elif marks is None:         # a page run outside run_guarded: shown once, at once
            self.pop()
        return value


@dataclass
class RunMarks:
    """What one script run showed once, and whether it ended (returned, or stopped itself) or was cut short."""

    shown: set[str] = field(default_factory=set)
    ended: bool = False


_RUN: Slot[RunMarks] = Slot("_run_marks")


def begin_run() -> RunMarks:
    """Drop what the last run showed once if it ended; its marks for this run (coaching.ui.errors.run_guarded).

    The caller sets `ended` on the marks when the run ends: a plain attribute, because after st.stop() a run
    can no longer change the session state.
    """
    last = _RUN.get()
    if last is not None and last.ended:
        for key in last.shown:
            st.session_state.pop(key, None)
    marks = RunMarks(shown=set() if last is None or last.ended else last.shown)
    _RUN.set(marks)
    return marks


class Counter(Slot[int]):
    """How often something happened in this session (a form sent, a file imported); 0 until it does.

    Widgets keyed with the count start empty after it moves on: clearing a widget's value in session state
    does not empty it in the browser, which keeps showing (and sends again) what it held.
    """

    @property
    def count(self) -> int:
        return self.get() or 0

    def bump(self) -> None:
        self.set(self.count + 1)


class Fields:
    """A form's fields, each under `<prefix>_<field>`, and the version of the record the form was filled from."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.version: Slot[int] = Slot(self.key("version"))

    def key(self, field: str) -> str:
        """A field's widget key."""
        return f"{self.prefix}_{field}"

    def has(self, field: str) -> bool:
        return self.key(field) in st.session_state

    def setdefault(self, field: str, value: Any) -> None:
        """A field's first value in this session (a date input that starts on today)."""
        st.session_state.setdefault(self.key(field), value)

    def fill(self, values: Mapping[str, Any], version: int) -> None:
        """Start the form from a record as read now, with the version an edit must name."""
        st.session_state.update({self.key(field): value for field, value in values.items()})
        self.version.set(version)

    def clear(self) -> None:
        """Drop every key under the prefix: the next form starts from the record (or empty) again."""
        for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{self.prefix}_")]:
            del st.session_state[key]


class Group:
    """Slots that belong together and are dropped at once: the respondent's page when another link is opened."""

    @classmethod
    def forget(cls) -> None:
        for slot in vars(cls).values():
            if isinstance(slot, Slot):
                slot.pop()


# ---- every screen ----------------------------------------------------------------------------------------


class Login:
    """Who is logged in to this browser session (coaching.ui.session, coaching.ui.context)."""

    session: Slot[int] = Slot("account_session")        # the id of the login, server side only
    actor: Slot[Actor] = Slot("actor")                  # who that is, refreshed on every rerun
    handoff: Slot[tuple[str, float]] = Slot("session_handoff")   # (one-time code, monotonic deadline)


class Page:
    """What every screen shares (coaching.ui.context): the confirmation after a rerun, views already audited."""

    flash: ShownOnce[str] = ShownOnce("_flash")
    audited: Slot[set[tuple[str, tuple[int, ...]]]] = Slot("_audited_views")


# ---- the manager's screens -------------------------------------------------------------------------------


class MemberScreen:
    """The one-on-one page: who is shown, and a changed reading noticed earlier in this session."""

    choice: Slot[int] = Slot("member_choice")

    @staticmethod
    def reading_update(member_id: int) -> Slot[ReadingUpdate]:
        return Slot(f"reading_update_{member_id}")


class TeamScreen:
    choice: Slot[Team] = Slot("team_choice")


class MembersScreen:
    """Members: the team shown, one just created (chosen on the next rerun), the member forms, CSV imports."""

    team: Slot[int] = Slot("members_team")
    new_team: Slot[int] = Slot("members_new_team")
    imports: Counter = Counter("members_csv_round")
    add = Fields("add")

    @staticmethod
    def edit(member_id: int) -> Fields:
        return Fields(f"edit_{member_id}")


class RoundsScreen:
    """Links are secrets shown once: they live in this session only, by round and member id."""

    links: Slot[dict[int, dict[int, Link]]] = Slot("fresh_links")


class PlanForm:
    """A goal, action, note or review form of the one-on-one page, under keys that move on after each save."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.saves = Counter(f"_saved_{prefix}")

    @property
    def live(self) -> Fields:
        """The form's fields now: its prefix and how many times it was saved in this session."""
        return Fields(f"{self.prefix}_{self.saves.count}")

    def forget(self) -> None:
        """Drop what the form held and move it to new keys."""
        self.live.clear()
        self.saves.bump()


class RouteBuilder:
    """The two routes being built on the development path: every widget's key starts with `route_`."""

    steps = Fields("route")

    @staticmethod
    def option(label: str, number: int) -> Slot[str]:
        return Slot(RouteBuilder.steps.key(f"{label}_{number}_option"))


# ---- the admin's screens ---------------------------------------------------------------------------------


class CatalogueScreen:
    """The catalogue's edit forms (one per option) and the form for a new option."""

    new = Fields("new")

    @staticmethod
    def edit(option_key: str) -> Fields:
        return Fields(f"opt_{option_key}")


class FrameworkImport:
    """The career framework upload (coaching.ui.paths): a fresh file field after each import."""

    imports: Counter = Counter("framework_round")


class AccountsScreen:
    created: Counter = Counter("accounts_created")


class DataRequestsScreen:
    """What was just done, confirmed once after the dialog that did it closes."""

    erased: Slot[str] = Slot("data_request_done")
    purged: Slot[str] = Slot("retention_done")
