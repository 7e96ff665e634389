"""Teams and members (coaching.people.teams) on a real DuckDB file: every operation, its audit entry, and its
refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching.core.actors import SYSTEM, PermissionDenied, Role
from coaching.core.editing import EditConflict
from coaching.core.tabular import ImportRejected
from coaching.governance.audit import Action, AuditFilter, Subject
from coaching.measurement.profiles import profiles
from coaching.measurement.responses import Submission, ensure_wave, submit
from coaching.paths.editing import catalogue_at
from coaching.people import teams
from coaching.people.accounts import accounts_of
from coaching.people.team_rows import NewMember
from coaching.people.teams import MemberInput, MemberRejected, TeamRejected
from coaching.privacy import requests as privacy
from tests.conftest import make_manager

NAMES = ["Zoë Ågren", "田中 芽衣", "محمد الحداد", "O'Brien, Liam", "Łukasz Wójcik", "Ἀλέξανδρος", "שרה לוי",
         "अनन्या शर्मा", "Nguyễn Thị Minh Khai", "'; DROP TABLE member; --", "**bold** <b>x</b> \u200f"]


@pytest.fixture
def org(prepared):
    aspire, facts = prepared(_org)
    return {"aspire": aspire, **facts}


def _org(aspire):
    a = make_manager(aspire, "a@example.com", "Manager A")
    b = make_manager(aspire, "b@example.com", "Manager B")
    admin = accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor
    team = teams.create_team(aspire, a, "Platform")
    second = teams.create_team(aspire, a, "Support")
    team_b = teams.create_team(aspire, b, "Sales")
    return {"a": a, "b": b, "admin": admin, "team": team, "second": second, "team_b": team_b}


def audit_labels(aspire, subject: Subject = Subject.MEMBER, subject_id: int | None = None) -> list[str]:
    events = aspire.audit.events(SYSTEM, AuditFilter(action=Action.CHANGED, subject_kind=subject,
                                                     subject_id=subject_id))
    return [e.detail for e in reversed(events)]


def answer(aspire, instrument, member_ids: list[int]) -> int:
    wave = ensure_wave(aspire, "2026", dt.date(2026, 1, 1))
    raw = {"ratings": {i.id: 4 for i in instrument.items}, "top_three": ["status", "balance", "autonomy"]}
    submit(aspire, SYSTEM, [Submission(member_id=m, wave_id=wave, raw=raw) for m in member_ids])
    return wave


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---- teams ---------------------------------------------------------------------------------------------


def test_a_manager_creates_teams_of_their_own_with_names_unique_per_manager(org):
    aspire, a, b = org["aspire"], org["a"], org["b"]
    assert [t.name for t in teams.list_teams(aspire, a)] == ["Platform", "Support"]
    assert org["team"].manager_id == a.id
    with pytest.raises(TeamRejected, match="already a team called"):
        teams.create_team(aspire, a, "  platform ")
    assert teams.create_team(aspire, b, "Platform").manager_id == b.id, "another manager may use the name"
    with pytest.raises(TeamRejected, match="Give the team a name"):
        teams.create_team(aspire, a, "   ")
    with pytest.raises(TeamRejected, match="NUL"):
        teams.create_team(aspire, a, "Bad\x00name")
    assert audit_labels(aspire, Subject.TEAM, org["team"].id) == ["created"]


def test_only_a_manager_or_the_system_creates_teams(org):
    aspire = org["aspire"]
    with pytest.raises(PermissionDenied):
        teams.create_team(aspire, org["admin"], "HR's own")
    with pytest.raises(PermissionDenied):
        teams.create_team(aspire, org["b"], "For A", manager_id=org["a"].id)
    made = teams.create_team(aspire, SYSTEM, "Made by the CLI", manager_id=org["b"].id)
    assert made.id in [t.id for t in teams.list_teams(aspire, org["b"])]
    with pytest.raises(TeamRejected, match="No active manager account"):
        teams.create_team(aspire, SYSTEM, "For an admin", manager_id=org["admin"].id)


@pytest.mark.parametrize("taken", ["Platform", "platform", "  PLATFORM "])
@pytest.mark.parametrize("acting", ["manager", "system"])
def test_a_duplicate_team_name_is_refused_on_every_path(org, taken, acting):
    aspire, a = org["aspire"], org["a"]
    with pytest.raises(TeamRejected, match="already a team called"):
        if acting == "manager":
            teams.create_team(aspire, a, taken)
        else:
            teams.create_team(aspire, SYSTEM, taken, manager_id=a.id)
    assert [t.name for t in teams.list_teams(aspire, a)] == ["Platform", "Support"]


def test_members_added_the_way_the_demo_adds_them_are_checked_and_audited(org):
    aspire, a = org["aspire"], org["a"]
    ids = teams.add_members(aspire, a, org["team"].id, [
        NewMember(name="Ana", email="Ana@Example.com", track="expert", level="senior"),
        NewMember(name="Ben", email="ben@example.com")])
    assert [(m.name, m.email) for m in teams.list_members(aspire, a, org["team"].id)] == [
        ("Ana", "ana@example.com"), ("Ben", "ben@example.com")]
    assert [audit_labels(aspire, Subject.MEMBER, i) for i in ids] == [["added"], ["added"]]
    with pytest.raises(MemberRejected, match="not a valid address"):
        teams.add_members(aspire, SYSTEM, org["team"].id, [NewMember(name="Cy", email="cy@example.com"),
                                                            NewMember(name="Bad", email="bad@example.com\r\nBcc: x")])
    with pytest.raises(MemberRejected, match="already belongs"):
        teams.add_members(aspire, SYSTEM, org["team_b"].id, [NewMember(name="Ana again", email="ana@example.com")])
    with pytest.raises(PermissionDenied):
        teams.add_members(aspire, org["b"], org["team"].id, [NewMember(name="Spy", email="spy@example.com")])
    assert [m.name for m in teams.list_members(aspire, a, org["team"].id)] == ["Ana", "Ben"], "all or none"
    assert len(aspire.audit.events(SYSTEM, AuditFilter(action=Action.CHANGED, subject_kind=Subject.MEMBER))) == 2


def test_renaming_a_team_names_the_version_read(org):
    aspire, a, team = org["aspire"], org["a"], org["team"]
    renamed = teams.rename_team(aspire, a, team.id, team.version, "Platform engineering")
    assert renamed.version == team.version + 1
    with pytest.raises(EditConflict, match="Someone else changed this team"):
        teams.rename_team(aspire, a, team.id, team.version, "Platform team")
    with pytest.raises(TeamRejected, match="already a team called"):
        teams.rename_team(aspire, a, team.id, renamed.version, "SUPPORT")
    assert [t.name for t in teams.list_teams(aspire, a)] == ["Platform engineering", "Support"]
    with pytest.raises(PermissionDenied):
        teams.rename_team(aspire, org["b"], team.id, renamed.version, "Taken over")
    assert audit_labels(aspire, Subject.TEAM, team.id) == ["created", "renamed"]


def test_teams_are_found_by_name_for_the_command_line_only(org):
    aspire = org["aspire"]
    teams.create_team(aspire, org["b"], "platform")
    found = teams.find_teams(aspire, SYSTEM, " PLATFORM ")
    assert sorted(t.manager_email for t in found) == ["a@example.com", "b@example.com"]
    assert [t.id for t in teams.find_teams(aspire, SYSTEM, "platform", "B@example.com")] != [org["team"].id]
    assert len(teams.find_teams(aspire, SYSTEM, "platform", "b@example.com")) == 1
    assert teams.find_teams(aspire, SYSTEM, "Nowhere") == []
    with pytest.raises(PermissionDenied):
        teams.find_teams(aspire, org["a"], "Platform")


# ---- adding and validating -------------------------------------------------------------------------------


def test_a_member_is_added_with_their_details_and_the_e_mail_lower_cased(org):
    aspire, a, team = org["aspire"], org["a"], org["team"]
    added = teams.add_member(aspire, a, team.id, {"name": "  Zoë Ågren ", "email": "Zoe.Agren@Example.COM",
                                                  "role_title": "Staff engineer", "track": "Expert",
                                                  "level": "staff"})
    [listed] = teams.list_members(aspire, a, team.id)
    assert listed == added
    assert (listed.name, listed.email, listed.role_title, listed.track, listed.level) == \
        ("Zoë Ågren", "zoe.agren@example.com", "Staff engineer", "expert", "staff")
    assert audit_labels(aspire, subject_id=added.id) == ["added"]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"name": "", "email": "x@example.com"}, "Name is empty"),
    ({"name": "A" * 121, "email": "x@example.com"}, "Name is too long: at most 120 characters"),
    ({"name": "Ana", "email": "not-an-email"}, "E-mail 'not-an-email' is not a valid address"),
    ({"name": "Ana"}, "E-mail is missing"),
    ({"name": "Ana", "email": "x@example.com", "role_title": "R" * 121}, "Role title is too long"),
    ({"name": "A\x00na", "email": "x@example.com"}, "Name: contains a NUL character"),
    ({"name": "Ana\ud800", "email": "x@example.com"}, "Name: contains a broken character"),
    ({"name": "Ana", "email": "x@example.com", "track": "sales"}, "Unknown track 'sales'"),
    ({"name": "Ana", "email": "x@example.com", "track": "expert", "level": "boss"},
     "Unknown level 'boss' on the expert track"),
    ({"name": "Ana", "email": "x@example.com", "track": "management", "level": "staff"},
     "Unknown level 'staff' on the management track"),
    ({"name": "Ana", "email": "x@example.com", "level": "senior"}, "A level needs its track"),
])
def test_details_that_cannot_be_stored_are_refused_in_plain_words(org, fields, expected):
    with pytest.raises(MemberRejected) as refused:
        teams.add_member(org["aspire"], org["a"], org["team"].id, fields)
    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems
    assert teams.list_members(org["aspire"], org["a"], org["team"].id) == []


def test_every_problem_of_a_form_is_named_at_once():
    with pytest.raises(MemberRejected) as refused:
        MemberInput.of({"name": "", "email": "nope", "role_title": "x" * 200})
    assert len(refused.value.problems) == 3


def test_a_track_without_a_level_is_a_known_arrangement(org):
    added = teams.add_member(org["aspire"], org["a"], org["team"].id,
                             {"name": "Ana", "email": "ana@example.com", "track": "management", "level": ""})
    assert (added.track, added.level) == ("management", None)
    labels = [c.label for c in teams.arrangements(catalogue_at(org["aspire"]))]
    assert labels[:2] == ["Not known", "Management track (level not known)"]
    assert "Expert track: Senior specialist" in labels


def test_an_e_mail_is_unique_among_active_members_of_the_whole_organisation(org):
    aspire, a, b = org["aspire"], org["a"], org["b"]
    ana = teams.add_member(aspire, a, org["team"].id, {"name": "Ana", "email": "ana@example.com"})
    for actor, team in ((a, org["second"]), (b, org["team_b"])):
        with pytest.raises(MemberRejected, match="ana@example.com already belongs to an active member"):
            teams.add_member(aspire, actor, team.id, {"name": "Ana again", "email": "ANA@example.com"})
    ben = teams.add_member(aspire, a, org["team"].id, {"name": "Ben", "email": "ben@example.com"})
    with pytest.raises(MemberRejected, match="already belongs"):
        teams.edit_member(aspire, a, ben.id, ben.version, {"name": "Ben", "email": "Ana@Example.com"})
    teams.archive_member(aspire, a, ana.id)
    returning = teams.add_member(aspire, b, org["team_b"].id, {"name": "Ana", "email": "ana@example.com"})
    assert returning.id != ana.id, "an archived member's address is free again; the old record stays apart"


names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120).filter(
    lambda s: s.strip() == s and s != "")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_names_in_any_script_survive_exactly(org, name):
    aspire, a = org["aspire"], org["a"]
    email = f"p{abs(hash(name))}-{len(teams.list_members(aspire, a, org['team'].id))}@example.com"
    added = teams.add_member(aspire, a, org["team"].id, {"name": name, "email": email, "role_title": name})
    stored = next(m for m in teams.list_members(aspire, a, org["team"].id) if m.id == added.id)
    assert (stored.name, stored.role_title) == (name, name)
    teams.archive_member(aspire, a, added.id)


def test_the_listed_scripts_survive_a_form_an_edit_and_an_import(org):
    aspire, a = org["aspire"], org["a"]
    for i, name in enumerate(NAMES):
        added = teams.add_member(aspire, a, org["team"].id, {"name": name, "email": f"form{i}@example.com"})
        teams.edit_member(aspire, a, added.id, added.version, {"name": name[::-1], "email": added.email})
    lines = ["name,email"] + ['"{}",import{}@example.com'.format(n.replace('"', '""'), i) for i, n in enumerate(NAMES)]
    teams.import_members(aspire, a, org["second"].id, csv_bytes(*lines))
    assert sorted(m.name for m in teams.list_members(aspire, a, org["team"].id)) == sorted(n[::-1] for n in NAMES)
    assert sorted(m.name for m in teams.list_members(aspire, a, org["second"].id)) == sorted(NAMES)


# ---- editing -----------------------------------------------------------------------------------------------


def test_two_edits_from_the_same_read_version_the_second_is_refused_and_nothing_is_lost(org):
    aspire, a = org["aspire"], org["a"]
    read = teams.add_member(aspire, a, org["team"].id, {"name": "Ana", "email": "ana@example.com"})
    first = teams.edit_member(aspire, a, read.id, read.version,
                              {"name": "Ana Lima", "email": "ana@example.com", "role_title": "Engineer"})
    assert first.version == read.version + 1
    with pytest.raises(EditConflict, match="Someone else changed this member"):
        teams.edit_member(aspire, a, read.id, read.version, {"name": "Ana Souza", "email": "ana@example.com"})
    [now] = teams.list_members(aspire, a, org["team"].id)
    assert (now.name, now.role_title, now.version) == ("Ana Lima", "Engineer", first.version)
    assert audit_labels(aspire, subject_id=read.id) == ["added", "edited"]
    retried = teams.edit_member(aspire, a, read.id, now.version, {"name": "Ana Souza", "email": "ana@example.com"})
    assert retried.name == "Ana Souza"


# ---- archiving ---------------------------------------------------------------------------------------------


def test_archiving_hides_a_member_from_lists_and_results_but_keeps_their_answers(org, instrument):
    aspire, a = org["aspire"], org["a"]
    ana = teams.add_member(aspire, a, org["team"].id, {"name": "Ana", "email": "ana@example.com"})
    ben = teams.add_member(aspire, a, org["team"].id, {"name": "Ben", "email": "ben@example.com"})
    wave = answer(aspire, instrument, [ana.id, ben.id])

    teams.archive_member(aspire, a, ana.id)

    assert [m.name for m in teams.list_members(aspire, a, org["team"].id)] == ["Ben"]
    assert [p.member_name for p in profiles(aspire, a, wave)] == ["Ben"]
    person = privacy.find_person(aspire, SYSTEM, "ana@example.com")
    assert person is not None and person.members[0].archived
    assert privacy.erasure_preview(aspire, SYSTEM, "ana@example.com")["response"] == 1, "answers kept until erased"
    assert audit_labels(aspire, subject_id=ana.id) == ["added", "archived"]
    for change in (lambda: teams.archive_member(aspire, a, ana.id),
                   lambda: teams.edit_member(aspire, a, ana.id, ana.version + 1, {"name": "X", "email": "x@e.com"}),
                   lambda: teams.move_member(aspire, a, ana.id, org["second"].id)):
        with pytest.raises(PermissionDenied):
            change()


def test_an_edit_form_opened_before_an_archive_is_refused(org):
    aspire, a = org["aspire"], org["a"]
    ana = teams.add_member(aspire, a, org["team"].id, {"name": "Ana", "email": "ana@example.com"})
    teams.archive_member(aspire, a, ana.id)
    with pytest.raises(PermissionDenied):
        teams.edit_member(aspire, a, ana.id, ana.version, {"name": "Ana", "email": "ana@example.com"})


# ---- moving ------------------------------------------------------------------------------------------------


def test_a_manager_moves_a_member_between_their_own_teams_and_the_history_follows(org, instrument):
    aspire, a = org["aspire"], org["a"]
    ana = teams.add_member(aspire, a, org["team"].id, {"name": "Ana", "email": "ana@example.com"})
    wave = answer(aspire, instrument, [ana.id])

    moved = teams.move_member(aspire, a, ana.id, org["second"].id)

    assert (moved.id, moved.team_id, moved.version) == (ana.id, org["second"].id, ana.version + 1)
    assert teams.list_members(aspire, a, org["team"].id) == []
    assert [m.id for m in teams.list_members(aspire, a, org["second"].id)] == [ana.id]
    assert [(p.member_id, p.team_id) for p in profiles(aspire, a, wave, [org["second"].id])] == \
        [(ana.id, org["second"].id)]
    with pytest.raises(EditConflict):   # a form read before the move must not apply blindly
        teams.edit_member(aspire, a, ana.id, ana.version, {"name": "Ana", "email": "ana@example.com"})
    with pytest.raises(MemberRejected, match="already in that team"):
        teams.move_member(aspire, a, ana.id, org["second"].id)
    assert audit_labels(aspire, subject_id=ana.id) == ["added", "moved"]


def test_a_manager_cannot_push_a_member_into_another_managers_team(org):
    aspire, a, b = org["aspire"], org["a"], org["b"]
    ana = teams.add_member(aspire, a, org["team"].id, {"name": "Ana", "email": "ana@example.com"})
    with pytest.raises(PermissionDenied):
        teams.move_member(aspire, a, ana.id, org["team_b"].id)
    with pytest.raises(PermissionDenied):
        teams.move_member(aspire, b, ana.id, org["team_b"].id)
    assert [m.id for m in teams.list_members(aspire, a, org["team"].id)] == [ana.id]
    assert teams.list_members(aspire, b, org["team_b"].id) == []


def test_an_admin_moves_a_member_to_another_manager_who_then_sees_their_history(org, instrument):
    aspire, a, b = org["aspire"], org["a"], org["b"]
    ana = teams.add_member(aspire, a, org["team"].id, {"name": "Ana", "email": "ana@example.com"})
    wave = answer(aspire, instrument, [ana.id])
    assert profiles(aspire, b, wave) == []

    teams.move_member(aspire, org["admin"], ana.id, org["team_b"].id)

    assert [p.member_id for p in profiles(aspire, b, wave)] == [ana.id]
    assert profiles(aspire, a, wave) == [], "the previous manager no longer sees her"
    assert [m.name for m in teams.list_members(aspire, b, org["team_b"].id)] == ["Ana"]
    edited = teams.edit_member(aspire, b, ana.id, ana.version + 1, {"name": "Ana", "email": "ana@example.com",
                                                                     "role_title": "Account manager"})
    assert edited.role_title == "Account manager"
    with pytest.raises(PermissionDenied):
        teams.move_member(aspire, org["admin"], ana.id, 9999)
    with pytest.raises(PermissionDenied):
        teams.add_member(aspire, org["admin"], org["team_b"].id, {"name": "X", "email": "x@example.com"})


# ---- import ------------------------------------------------------------------------------------------------


def test_an_import_adds_every_member_in_one_go_and_audits_each(org):
    aspire, a = org["aspire"], org["a"]
    imported = teams.import_members(aspire, a, org["team"].id, csv_bytes(
        "name,email,role_title,track,level",
        "田中 芽衣,Mei@Example.com,Engineer,expert,staff",
        "محمد الحداد,mohammed@example.com,,,",
        "Sven Eriksson,sven@example.com,Team lead,management,team_lead",
    ))
    listed = teams.list_members(aspire, a, org["team"].id)
    assert sorted(m.name for m in listed) == sorted(["田中 芽衣", "محمد الحداد", "Sven Eriksson"])
    assert {m.email for m in listed} == {"mei@example.com", "mohammed@example.com", "sven@example.com"}
    assert sorted(audit_labels(aspire)) == ["imported"] * 3
    assert {m.id for m in imported.members} == {m.id for m in listed}


def test_an_import_with_one_bad_row_imports_nothing_and_names_every_bad_row(org):
    aspire, a = org["aspire"], org["a"]
    teams.add_member(aspire, org["b"], org["team_b"].id, {"name": "Taken", "email": "taken@example.com"})
    with pytest.raises(ImportRejected) as rejected:
        teams.import_members(aspire, a, org["team"].id, csv_bytes(
            "name,email,track,level",
            "Ana,ana@example.com,,",                        # 2: fine
            "Ben,ben@,,",                                   # 3: malformed e-mail
            "Cleo,ANA@example.com,,",                       # 4: duplicate of line 2
            "Dev,dev@example.com,sales,",                   # 5: unknown track
            "Eve,eve@example.com,expert,boss",              # 6: unknown level
            "Gus,taken@example.com,,",                      # 7: used by another manager's member
        ))
    assert [p.line for p in rejected.value.problems] == [3, 4, 5, 6, 7]
    reasons = [p.reason for p in rejected.value.problems]
    assert "'ben@' is not a valid address" in reasons[0] and "duplicate e-mail" in reasons[1]
    assert "unknown track" in reasons[2] and "unknown level" in reasons[3] and "already belongs" in reasons[4]
    assert teams.list_members(aspire, a, org["team"].id) == []
    assert "imported" not in audit_labels(aspire)


def test_an_import_applies_the_forms_length_limits_with_line_numbers(org):
    with pytest.raises(ImportRejected) as rejected:
        teams.import_members(org["aspire"], org["a"], org["team"].id, csv_bytes(
            "name,email,role_title",
            "Ana,ana@example.com,",
            "",                                                     # a blank line still counts
            f"{'B' * 150},ben@example.com,",
            f"Cleo,cleo@example.com,{'R' * 130}",
        ))
    assert [(p.line, p.reason.split(":")[0]) for p in rejected.value.problems] == \
        [(4, "Name is too long"), (5, "Role title is too long")]
    assert teams.list_members(org["aspire"], org["a"], org["team"].id) == []


def test_a_bad_e_mail_and_a_too_long_name_on_other_rows_are_both_reported_on_the_first_try(org):
    with pytest.raises(ImportRejected) as rejected:
        teams.import_members(org["aspire"], org["a"], org["team"].id, csv_bytes(
            "name,email",
            "Ana,ana@",                                   # 2: malformed e-mail
            "Ben,ben@example.com",
            f"{'C' * 150},cleo@example.com",              # 4: longer than the form allows
        ))
    assert [(p.line, p.reason) for p in rejected.value.problems] == [
        (2, "E-mail 'ana@' is not a valid address"), (4, "Name is too long: at most 120 characters")]
    assert str(rejected.value) == ("Nothing was imported. line 2: E-mail 'ana@' is not a valid address; "
                                   "line 4: Name is too long: at most 120 characters")
    assert teams.list_members(org["aspire"], org["a"], org["team"].id) == []


def test_an_import_lists_problems_of_every_kind_on_the_first_try(org):
    with pytest.raises(ImportRejected) as rejected:
        teams.import_members(org["aspire"], org["a"], org["team"].id, csv_bytes(
            "name,email",
            "Ana,ana@example.com",
            "Ben,ben@",                                   # 3: malformed e-mail
            f"{'C' * 150},cleo@example.com",              # 4: longer than the form allows
            '"Dev\nRuiz",dev@example.com',                # 5-6: a line break inside the name
            f"{'E' * 150},ana@example.com",               # 7: too long, and a duplicate of line 2
        ))
    assert [(p.line, p.reason.split(":")[0].split(" (")[0]) for p in rejected.value.problems] == [
        (3, "E-mail 'ben@' is not a valid address"), (4, "Name is too long"),
        (5, "the name has a line break inside it; it must be one line"),
        (7, "Name is too long"), (7, "duplicate e-mail ana@example.com")]
    assert teams.list_members(org["aspire"], org["a"], org["team"].id) == []


def test_an_import_of_an_hr_export_says_how_it_was_read(org):
    imported = teams.import_members(org["aspire"], org["a"], org["team"].id, csv_bytes(
        "Employee ID;Full name;E-mail;Role;Department",
        "17;Ana Ruiz;Ana@example.com;Engineer;IT",
        "18;Ben Okafor;ben@example.com;Designer;Product",
    ))
    assert [(m.name, m.email, m.role_title) for m in teams.list_members(org["aspire"], org["a"], org["team"].id)] \
        == [("Ana Ruiz", "ana@example.com", "Engineer"), ("Ben Okafor", "ben@example.com", "Designer")]
    assert imported.describe("Platform") == (
        "Imported 2 members into Platform. Read as semicolon-separated; columns used: 'Full name' as name, "
        "'E-mail' as e-mail, 'Role' as role title. Not used: 'Employee ID', 'Department'.")


def test_an_import_missing_a_column_says_so_on_line_one(org):
    with pytest.raises(ImportRejected) as rejected:
        teams.import_members(org["aspire"], org["a"], org["team"].id, csv_bytes("name,role_title", "Ana,Engineer"))
    assert [(p.line, p.reason.startswith("missing column email")) for p in rejected.value.problems] == [(1, True)]


def test_an_import_into_someone_elses_team_is_refused(org):
    with pytest.raises(PermissionDenied):
        teams.import_members(org["aspire"], org["b"], org["team"].id, csv_bytes("name,email", "Spy,spy@example.com"))
    assert teams.list_members(org["aspire"], org["a"], org["team"].id) == []


# ---- current arrangement: track, level and the options in use ------------------------------------------


def ana_with_options(org, *options: str):
    return teams.add_member(org["aspire"], org["a"], org["team"].id,
                            {"name": "Ana", "email": "ana@example.com", "track": "expert", "level": "senior",
                             "options": list(options)})


def test_a_members_arrangement_holds_their_level_and_the_options_they_use(org):
    aspire, a = org["aspire"], org["a"]
    ana = ana_with_options(org, "remote_days", " Own_Project_Time ", "remote_days")
    ben = teams.add_member(aspire, a, org["team"].id, {"name": "Ben", "email": "ben@example.com"})

    expected = teams.MemberArrangement(track="expert", level="senior", options=("own_project_time", "remote_days"))
    assert teams.arrangement_for(aspire, a, ana.id) == expected
    assert teams.arrangements_of(aspire, a, org["team"].id) == {
        ana.id: expected, ben.id: teams.MemberArrangement(track=None, level=None, options=())}


def test_options_change_with_the_versioned_member_edit_and_stay_when_an_edit_leaves_them_out(org):
    aspire, a = org["aspire"], org["a"]
    read = ana_with_options(org, "remote_days")
    kept = teams.edit_member(aspire, a, read.id, read.version, {"name": "Ana Lima", "email": "ana@example.com",
                                                                 "track": "expert", "level": "senior"})
    assert teams.arrangement_for(aspire, a, read.id).options == ("remote_days",)

    with pytest.raises(EditConflict):   # a form read before the last save changes nothing, options included
        teams.edit_member(aspire, a, read.id, read.version,
                          {"name": "Ana", "email": "ana@example.com", "options": ["part_time"]})
    assert teams.arrangement_for(aspire, a, read.id).options == ("remote_days",)

    changed = teams.edit_member(aspire, a, read.id, kept.version, {"name": "Ana Lima", "email": "ana@example.com",
                                                                    "options": ["part_time", "sabbatical"]})
    assert teams.arrangement_for(aspire, a, read.id) == \
        teams.MemberArrangement(track=None, level=None, options=("part_time", "sabbatical"))
    teams.edit_member(aspire, a, read.id, changed.version, {"name": "Ana Lima", "email": "ana@example.com",
                                                             "options": []})
    assert teams.arrangement_for(aspire, a, read.id).options == ()
    assert audit_labels(aspire, subject_id=read.id) == ["added", "edited", "edited", "edited"]


@pytest.mark.parametrize(("options", "expected"), [
    (["four_day_week"], "Options in use: unknown option 'four_day_week'"),
    (["team_lead"], "Options in use: 'Team lead' belongs to the management track, not to flexible"),
    (["pay_progression"], "Options in use: 'Pay progression within band' belongs to the pay progression"),
])
def test_only_flexible_or_self_directed_options_on_offer_can_be_in_use(org, options, expected):
    aspire, a = org["aspire"], org["a"]
    with pytest.raises(MemberRejected) as refused:
        ana_with_options(org, *options)
    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems
    assert teams.list_members(aspire, a, org["team"].id) == []

    ana = ana_with_options(org, "part_time")
    with pytest.raises(MemberRejected):
        teams.edit_member(aspire, a, ana.id, ana.version, {"name": "Ana", "email": "ana@example.com",
                                                           "options": ["part_time", *options]})
    assert teams.arrangement_for(aspire, a, ana.id).options == ("part_time",)


def test_an_option_retired_after_the_form_was_checked_is_refused_inside_the_write(org):
    from coaching.db.errors import NotOffered
    from coaching.paths import editing as paths
    from coaching.people.team_rows import TeamRows

    aspire, a = org["aspire"], org["a"]
    ana = ana_with_options(org)
    sabbatical = next(v for v in paths.current_offer(aspire) if v.option.key == "sabbatical")
    paths.retire_option(aspire, SYSTEM, "sabbatical", sabbatical.version)
    member = teams.list_members(aspire, a, org["team"].id)[0]
    with pytest.raises(NotOffered) as refused:
        TeamRows(aspire.db).update_member(ana.id, org["team"].id, ana.version,
                                                member.model_copy(update={"name": "Changed"}), ["sabbatical"])
    assert refused.value.keys == ["sabbatical"]
    assert teams.list_members(aspire, a, org["team"].id)[0].name == "Ana", "nothing of the edit was written"


def test_only_the_members_manager_reads_their_arrangement(org):
    aspire = org["aspire"]
    ana = ana_with_options(org, "remote_days")
    for actor in (org["b"], org["admin"], None):
        with pytest.raises(PermissionDenied):
            teams.arrangement_for(aspire, actor, ana.id)
        with pytest.raises(PermissionDenied):
            teams.arrangements_of(aspire, actor, org["team"].id)


def test_the_options_in_use_are_in_the_members_export_and_go_with_their_erasure(org):
    aspire = org["aspire"]
    ana_with_options(org, "remote_days", "own_project_time")
    document = privacy.export_document(aspire, org["admin"], "ana@example.com")
    assert document["members"][0]["options_in_use"] == ["own_project_time", "remote_days"]
    assert privacy.erasure_preview(aspire, org["admin"], "ana@example.com")["member_option"] == 2
