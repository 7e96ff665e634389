"""Manager B can reach none of manager A's people: every function that takes an actor, run as B on A's ids.

The first test enumerates every public function and method of the domain that takes an `actor`
and fails when one has no isolation case below, so a new function cannot skip this check.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable

import pytest

import coaching
from coaching.core.actors import SYSTEM, PermissionDenied, Role
from coaching.governance.audit import Action, Subject
from coaching.governance.scope import require_team, visible_team_ids, visible_teams
from coaching.measurement.profiles import latest_answered, organisation_summary, profiles
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.responses import Submission, ensure_wave, list_waves, prepare, record_responses, submit
from coaching.measurement.versions import current_instrument
from coaching.one_on_one import brief, development, plans, portrait, review
from coaching.paths import demand as organisation
from coaching.paths import editing as paths
from coaching.paths.fit import DEFAULT_THRESHOLDS
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember, TeamRows
from coaching.people.teams import add_members, create_team, list_members
from coaching.privacy import backup
from coaching.privacy import requests as privacy
from coaching.rounds import mail, rounds
from tests.conftest import make_manager


def _actor_taking_callables() -> set[str]:
    """'module.Class.method' or 'module.function' for every public callable with an `actor` parameter."""
    found = set()
    for info in pkgutil.walk_packages(coaching.__path__, "coaching."):
        if info.name.startswith("coaching.ui"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            members = [(f"{name}.{m}", f) for m, f in vars(obj).items() if not m.startswith("_")] \
                if inspect.isclass(obj) else [(name, obj)]
            for qualified, func in members:
                if inspect.isfunction(func) and "actor" in inspect.signature(func).parameters:
                    found.add(f"{module.__name__}.{qualified}")
    return found


@pytest.fixture
def world(prepared):
    """Manager A with a team of two who answered; manager B with a team of their own."""
    aspire, facts = prepared(_world)
    return {"aspire": aspire, **facts}


def _world(aspire):
    instrument = current_instrument(aspire)
    a = make_manager(aspire, "a@example.com", "Manager A")
    b = make_manager(aspire, "b@example.com", "Manager B")
    team_a = create_team(aspire, a, "Team A").id
    create_team(aspire, b, "Team B")
    members_a = add_members(aspire, a, team_a, [NewMember(name="Ana", email="ana@example.com"),
                                                     NewMember(name="Ben", email="ben@example.com")])
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    raw = {"ratings": {i.id: 4 for i in instrument.items}, "top_three": ["status", "balance", "autonomy"]}
    submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=raw) for m in members_a])
    return {"a": a, "b": b, "team_a": team_a, "members_a": members_a, "wave": wave, "raw": raw}


def _members_of(aspire, actor, team_id: int) -> list:
    return teams.list_members(aspire, actor, team_id)


def _refused_or_empty(call: Callable[[], object]) -> None:
    """B's call must raise PermissionDenied or return nothing of A's."""
    try:
        result = call()
    except PermissionDenied:
        return
    assert not result, f"manager B got {result!r}"


def _rows(w):
    return TeamRows(w["aspire"].db)


def _responses(w):
    return ResponseRows(w["aspire"].db)


SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)


def _version_of_a(w) -> int:
    """The version of manager A's account as an admin's screen would have read it."""
    return next(acc.version for acc in accounts_of(w["aspire"]).list_accounts(SYSTEM) if acc.id == w["a"].id)


def _a_round(w) -> int:
    """A round manager A opened for their own team."""
    return rounds.open_round(w["aspire"], w["a"], w["team_a"], "2027", SOON)[0]


CASES: dict[str, Callable[[dict], object]] = {
    "coaching.people.team_rows.TeamRows.teams": lambda w: [t for t in _rows(w).teams(w["b"]) if t.id == w["team_a"]],
    "coaching.people.team_rows.TeamRows.members": lambda w: _rows(w).members(w["b"], w["team_a"]),
    "coaching.governance.scope.visible_teams":
        lambda w: [r for r in w["aspire"].db.query(*visible_teams(w["b"])) if r[0] == w["team_a"]],
    "coaching.governance.scope.visible_team_ids":
        lambda w: [t for t in visible_team_ids(w["aspire"].db, w["b"]) if t == w["team_a"]],
    "coaching.people.teams.add_members":
        lambda w: add_members(w["aspire"], w["b"], w["team_a"], [NewMember(name="Spy", email="spy@example.com")]),
    "coaching.measurement.response_rows.ResponseRows.current_responses":
        lambda w: _responses(w).current_responses(w["b"], w["wave"], [w["team_a"]]),
    "coaching.measurement.responses.record_responses":
        lambda w: record_responses(w["aspire"], w["b"], [prepare(w["aspire"], Submission(
            member_id=w["members_a"][0], wave_id=w["wave"], raw=w["raw"]))]),
    "coaching.measurement.response_rows.ResponseRows.team_scale_means":
        lambda w: _responses(w).team_scale_means(w["b"], w["wave"]),
    "coaching.measurement.profiles.profiles": lambda w: profiles(w["aspire"], w["b"], w["wave"], [w["team_a"]]),
    "coaching.measurement.profiles.latest_answered": lambda w: latest_answered(w["aspire"], w["b"]),
    "coaching.measurement.profiles.organisation_summary": lambda w: organisation_summary(w["aspire"], w["b"]),
    "coaching.measurement.responses.submit":
        lambda w: submit(w["aspire"], w["b"], [Submission(member_id=w["members_a"][1], wave_id=w["wave"],
                                                           raw=w["raw"])]),
    "coaching.governance.audit.AuditLog.events": lambda w: w["aspire"].audit.events(w["b"]),
    "coaching.governance.audit.AuditLog.lines":
        lambda w: w["aspire"].audit.lines(w["b"], w["aspire"].audit.events(SYSTEM)),
    "coaching.governance.audit.AuditLog.people_matching": lambda w: w["aspire"].audit.people_matching(w["b"], "Ana"),
    "coaching.people.accounts.Accounts.list_accounts": lambda w: accounts_of(w["aspire"]).list_accounts(w["b"]),
    "coaching.people.accounts.Accounts.reset_password":
        lambda w: accounts_of(w["aspire"]).reset_password(w["b"], w["a"].id, "b-chose-this-password"),
    "coaching.people.accounts.Accounts.unlock": lambda w: accounts_of(w["aspire"]).unlock(w["b"], w["a"].id),
    "coaching.people.accounts.Accounts.deactivate":
        lambda w: accounts_of(w["aspire"]).deactivate(w["b"], w["a"].id, _version_of_a(w)),
    "coaching.people.accounts.Accounts.reactivate":
        lambda w: accounts_of(w["aspire"]).reactivate(w["b"], w["a"].id, _version_of_a(w)),
    "coaching.people.accounts.Accounts.set_role":
        lambda w: accounts_of(w["aspire"]).set_role(w["b"], w["a"].id, _version_of_a(w), Role.ADMIN),
    "coaching.people.accounts.Accounts.teams_of": lambda w: accounts_of(w["aspire"]).teams_of(w["b"], w["a"].id),
    "coaching.people.accounts.Accounts.hand_over_teams":
        lambda w: accounts_of(w["aspire"]).hand_over_teams(w["b"], w["a"].id, w["b"].id),
    "coaching.people.accounts.Accounts.create_user":
        lambda w: accounts_of(w["aspire"]).create_user(w["b"], "new@example.com", "New", Role.ADMIN, None),
    "coaching.rounds.rounds.open_round": lambda w: rounds.open_round(w["aspire"], w["b"], w["team_a"], "2027", SOON),
    "coaching.rounds.rounds.due_for_review": lambda w: rounds.due_for_review(w["aspire"], w["b"], w["team_a"]),
    "coaching.rounds.rounds.answered_in_waves":
        lambda w: rounds.answered_in_waves(w["aspire"], w["b"], w["team_a"], ["2026", "2027"]),
    "coaching.rounds.rounds.invitees":
        lambda w: rounds.invitees(w["aspire"], w["b"], w["team_a"], rounds.Invitees.WHOLE_TEAM, w["members_a"]),
    # A's members read and kept first: B asking the same read with the same arguments never gets them.
    "coaching.aspire.Aspire.remembered": lambda w: w["aspire"].remembered(w["a"], _members_of, w["team_a"])
        and w["aspire"].remembered(w["b"], _members_of, w["team_a"]),
    "coaching.people.team_rows.TeamRows.last_submitted": lambda w: _rows(w).last_submitted(w["b"], w["team_a"]),
    "coaching.people.teams.last_submitted": lambda w: teams.last_submitted(w["aspire"], w["b"], w["team_a"]),
    "coaching.rounds.rounds.rounds_of_team": lambda w: rounds.rounds_of_team(w["aspire"], w["b"], w["team_a"]),
    "coaching.rounds.rounds.round_status": lambda w: rounds.round_status(w["aspire"], w["b"], _a_round(w)),
    "coaching.rounds.rounds.reissue_link":
        lambda w: rounds.reissue_link(w["aspire"], w["b"], _a_round(w), w["members_a"][0]),
    "coaching.rounds.rounds.reissue_all": lambda w: rounds.reissue_all(w["aspire"], w["b"], _a_round(w)),
    "coaching.rounds.rounds.revoke_link":
        lambda w: rounds.revoke_link(w["aspire"], w["b"], _a_round(w), w["members_a"][0]),
    "coaching.rounds.rounds.extend_deadline":
        lambda w: rounds.extend_deadline(w["aspire"], w["b"], _a_round(w), SOON + dt.timedelta(days=1), 1),
    "coaching.rounds.rounds.close_round": lambda w: rounds.close_round(w["aspire"], w["b"], _a_round(w)),
    "coaching.rounds.rounds.record_delivery":
        lambda w: rounds.record_delivery(w["aspire"], w["b"], _a_round(w), w["members_a"][0], "reminder", "link", True),
    "coaching.measurement.response_rows.ResponseRows.own_response": lambda w: _responses(w).own_response(w["b"],
                                                                                                      w["wave"]),
    "coaching.governance.scope.require_team":
        lambda w: require_team(w["aspire"].db, w["b"], w["team_a"]) or [w["team_a"]],
    "coaching.rounds.mail.send_links": lambda w: mail.send_links(w["aspire"], w["b"], _a_round(w), []),
    "coaching.rounds.mail.send_invitations": lambda w: mail.send_invitations(w["aspire"], w["b"], _a_round(w)),
    "coaching.rounds.mail.send_reminders": lambda w: mail.send_reminders(w["aspire"], w["b"], _a_round(w)),
    "coaching.rounds.mail.retry_failed": lambda w: mail.retry_failed(w["aspire"], w["b"], _a_round(w)),
    "coaching.privacy.requests.find_person": lambda w: privacy.find_person(w["aspire"], w["b"], "ana@example.com"),
    "coaching.privacy.requests.export_document":
        lambda w: privacy.export_document(w["aspire"], w["b"], "ana@example.com"),
    "coaching.privacy.requests.export_member":
        lambda w: privacy.export_member(w["aspire"], w["b"], "ana@example.com", "json"),
    "coaching.privacy.requests.erasure_preview":
        lambda w: privacy.erasure_preview(w["aspire"], w["b"], "ana@example.com"),
    "coaching.privacy.requests.erase_member": lambda w: privacy.erase_member(w["aspire"], w["b"], "ana@example.com"),
    "coaching.privacy.requests.purge_preview": lambda w: privacy.purge_preview(w["aspire"], w["b"], 1),
    "coaching.privacy.requests.purge_older_than": lambda w: privacy.purge_older_than(w["aspire"], w["b"], 1),
    "coaching.privacy.requests.aggregate_snapshots": lambda w: privacy.aggregate_snapshots(w["aspire"], w["b"]),
    "coaching.people.teams.list_teams":
        lambda w: [t for t in teams.list_teams(w["aspire"], w["b"]) if t.id == w["team_a"]],
    "coaching.people.teams.list_members": lambda w: teams.list_members(w["aspire"], w["b"], w["team_a"]),
    "coaching.people.teams.create_team":
        lambda w: [t for t in teams.list_teams(w["aspire"], w["a"])
                   if t.id == teams.create_team(w["aspire"], w["b"], "Mine", manager_id=w["a"].id).id],
    "coaching.people.teams.rename_team": lambda w: teams.rename_team(w["aspire"], w["b"], w["team_a"], 1, "Taken over"),
    "coaching.people.teams.find_teams": lambda w: teams.find_teams(w["aspire"], w["b"], "Team A"),
    "coaching.people.teams.add_member":
        lambda w: teams.add_member(w["aspire"], w["b"], w["team_a"], {"name": "Spy", "email": "spy@example.com"}),
    "coaching.people.teams.edit_member":
        lambda w: teams.edit_member(w["aspire"], w["b"], w["members_a"][0], 1,
                                    {"name": "Changed", "email": "ana@example.com"}),
    "coaching.people.teams.archive_member": lambda w: teams.archive_member(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.people.teams.move_member":
        lambda w: teams.move_member(w["aspire"], w["b"], w["members_a"][0],
                                    teams.list_teams(w["aspire"], w["b"])[0].id),
    "coaching.people.teams.arrangements_of": lambda w: teams.arrangements_of(w["aspire"], w["b"], w["team_a"]),
    "coaching.people.teams.arrangement_for": lambda w: teams.arrangement_for(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.paths.editing.add_option": lambda w: paths.add_option(w["aspire"], w["b"], {"key": "b_option"}),
    "coaching.paths.editing.edit_option":
        lambda w: paths.edit_option(w["aspire"], w["b"], "team_lead", 1, {"openings": 99}),
    "coaching.paths.editing.retire_option": lambda w: paths.retire_option(w["aspire"], w["b"], "team_lead", 1),
    # The catalogue's history is the organisation's public offer: B reads it, and it names none of A's people.
    "coaching.paths.editing.option_history":
        lambda w: [v for v in paths.option_history(w["aspire"], w["b"], "team_lead")
                   if any(name in repr(v) for name in ("Ana", "Ben", "ana@example.com", "ben@example.com"))],
    "coaching.privacy.backup.download_backup": lambda w: backup.download_backup(w["aspire"], w["b"]),
    "coaching.one_on_one.portrait.find_member": lambda w: portrait.find_member(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.one_on_one.portrait.member_portrait":
        lambda w: portrait.member_portrait(w["aspire"], w["b"], w["members_a"][0], DEFAULT_THRESHOLDS),
    "coaching.one_on_one.portrait.member_subjects":
        lambda w: portrait.member_subjects(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.one_on_one.portrait.team_picture":
        lambda w: portrait.team_picture(w["aspire"], w["b"], w["team_a"], list_waves(w["aspire"])[0],
                                        DEFAULT_THRESHOLDS),
    "coaching.paths.demand.organisation_paths":
        lambda w: organisation.organisation_paths(w["aspire"], w["b"], DEFAULT_THRESHOLDS),
    "coaching.people.teams.import_members":
        lambda w: teams.import_members(w["aspire"], w["b"], w["team_a"], b"name,email\nSpy,spy@example.com\n"),
    "coaching.one_on_one.plans.list_goals": lambda w: plans.list_goals(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.one_on_one.plans.add_goal":
        lambda w: plans.add_goal(w["aspire"], w["b"], w["members_a"][0], {"title": "Spy", "need": "status"}),
    "coaching.one_on_one.plans.get_goal":
        lambda w: plans.get_goal(w["aspire"], w["b"], plans.add_goal(w["aspire"], w["a"], w["members_a"][0],
                                                                     {"title": "Lead", "need": "status"}).id),
    "coaching.one_on_one.plans.edit_goal":
        lambda w: plans.edit_goal(w["aspire"], w["b"], plans.add_goal(w["aspire"], w["a"], w["members_a"][0],
                                                                       {"title": "Lead", "need": "status"}).id,
                                  1, {"title": "Taken over", "need": "status"}),
    "coaching.one_on_one.plans.review_goal":
        lambda w: plans.review_goal(w["aspire"], w["b"], plans.add_goal(w["aspire"], w["a"], w["members_a"][0],
                                                                         {"title": "Lead", "need": "status"}).id,
                                    1, "drop", dt.date(2026, 6, 1)),
    "coaching.one_on_one.plans.goal_history":
        lambda w: plans.goal_history(w["aspire"], w["b"], plans.add_goal(w["aspire"], w["a"], w["members_a"][0],
                                                                         {"title": "Lead", "need": "status"}).id),
    "coaching.one_on_one.plans.add_action":
        lambda w: plans.add_action(w["aspire"], w["b"], plans.add_goal(w["aspire"], w["a"], w["members_a"][0],
                                                                       {"title": "Lead", "need": "status"}).id,
                                   {"what": "Spy"}),
    "coaching.one_on_one.plans.edit_action":
        lambda w: plans.edit_action(w["aspire"], w["b"], plans.add_action(
            w["aspire"], w["a"], plans.add_goal(w["aspire"], w["a"], w["members_a"][0],
                                                {"title": "Lead", "need": "status"}).id, {"what": "Write"}).id,
            1, {"what": "Spy", "done": True}),
    "coaching.one_on_one.plans.own_goals": lambda w: plans.own_goals(w["aspire"], w["b"]),
    "coaching.one_on_one.plans.list_notes": lambda w: plans.list_notes(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.one_on_one.plans.add_note":
        lambda w: plans.add_note(w["aspire"], w["b"], w["members_a"][0],
                                 {"held_on": dt.date(2026, 6, 1), "body": "Spy"}),
    "coaching.one_on_one.plans.edit_note":
        lambda w: plans.edit_note(w["aspire"], w["b"], plans.add_note(w["aspire"], w["a"], w["members_a"][0],
                                                                       {"held_on": dt.date(2026, 6, 1),
                                                                        "body": "Mine"}).id,
                                  1, {"held_on": dt.date(2026, 6, 1), "body": "Spy"}),
    "coaching.one_on_one.plans.note_history":
        lambda w: plans.note_history(w["aspire"], w["b"], plans.add_note(w["aspire"], w["a"], w["members_a"][0],
                                                                         {"held_on": dt.date(2026, 6, 1),
                                                                          "body": "Mine"}).id),
    "coaching.one_on_one.review.review_overview": lambda w: review.review_overview(w["aspire"], w["b"], w["team_a"]),
    "coaching.one_on_one.brief.member_csv": lambda w: brief.member_csv(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.measurement.response_rows.ResponseRows.reading_shown":
        lambda w: _responses(w).reading_shown(w["b"], w["team_a"], w["members_a"][0]),
    "coaching.measurement.response_rows.ResponseRows.record_reading":
        lambda w: _responses(w).record_reading(w["b"], w["team_a"], w["members_a"][0], 1, "Spy", 1),
    "coaching.one_on_one.portrait.reading_update":
        lambda w: portrait.reading_update(w["aspire"], w["b"], portrait.member_portrait(
            w["aspire"], w["a"], w["members_a"][0], DEFAULT_THRESHOLDS)),
    "coaching.one_on_one.brief.member_brief":
        lambda w: brief.member_brief(w["aspire"], w["b"], w["members_a"][0], DEFAULT_THRESHOLDS,
                                     made_on=dt.date(2026, 6, 1)),
    "coaching.paths.editing.import_framework":
        lambda w: paths.import_framework(w["aspire"], w["b"], b"track,level,title,expectation\n"
                                                             b"expert,staff,Spy,Spies on everyone\n"),
    "coaching.one_on_one.development.save_route":
        lambda w: development.save_route(w["aspire"], w["b"], w["members_a"][0], {}, [("team_lead", dt.date.today())],
                                         close_earlier=True, today=dt.date.today(), thresholds=DEFAULT_THRESHOLDS),
    "coaching.one_on_one.development.agreed_route":
        lambda w: development.agreed_route(w["aspire"], w["b"], w["members_a"][0]),
    "coaching.one_on_one.development.own_route": lambda w: development.own_route(w["aspire"], w["b"]),
    "coaching.one_on_one.development.team_directions":
        lambda w: development.team_directions(w["aspire"], w["b"], w["team_a"], list_waves(w["aspire"])[0],
                                              paths.catalogue_at(w["aspire"]), DEFAULT_THRESHOLDS),
    "coaching.one_on_one.development.countable_teams":
        lambda w: development.countable_teams(w["aspire"], w["b"], list_waves(w["aspire"])[0]),
}


# Functions that take an actor but cannot reach another person's data, and why.
NOT_ABOUT_OTHERS = {
    "coaching.people.accounts.Accounts.change_password": "acts on the actor's own account only",
    "coaching.people.accounts.Accounts.start_session": "starts a login of the actor's own account only",
    "coaching.governance.audit.AuditLog.record": "writes an entry about the actor's own action; reads nothing",
    "coaching.governance.scope.team_subjects": "names what a read of the teams given would rest on; reads no data",
    "coaching.one_on_one.portrait.team_picture_subjects": "names what a read of the team given would rest on; reads"
                                                          " no data (the read itself refuses)",
}


def test_every_function_taking_an_actor_has_an_isolation_case(world):
    covered = set(CASES) | set(NOT_ABOUT_OTHERS)
    missing = _actor_taking_callables() - covered
    assert not missing, f"add an isolation case for: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_manager_b_cannot_reach_manager_a(world, name):
    _refused_or_empty(lambda: CASES[name](world))
    aspire, a, wave = world["aspire"], world["a"], world["wave"]
    # Nothing of A's changed: same members, same answers, A still logs in with no new account around.
    assert [m.name for m in list_members(aspire, a, world["team_a"])] == ["Ana", "Ben"]
    assert len(ResponseRows(aspire.db).current_responses(a, wave)) == 2
    assert accounts_of(aspire).actor_for_email("new@example.com") is None


def test_change_password_needs_the_actors_own_current_password(world):
    from coaching.people.accounts import LoginFailed

    with pytest.raises(LoginFailed):
        accounts_of(world["aspire"]).change_password(world["b"], "not-b-password", "b-wants-this-one")


def test_audit_record_reads_nothing(world):
    world["aspire"].audit.record(world["b"], Action.VIEWED, Subject.MEMBER, [], "team page")
    with pytest.raises(PermissionDenied):
        world["aspire"].audit.events(world["b"])


def test_nobody_logged_in_reaches_nothing(world):
    with pytest.raises(PermissionDenied):
        list_members(world["aspire"], None, world["team_a"])
    with pytest.raises(PermissionDenied):
        ResponseRows(world["aspire"].db).current_responses(None, world["wave"])
