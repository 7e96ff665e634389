"""The Audit log screen (admins) in AppTest: people by name and e-mail, filtered by person and by who acted."""

from __future__ import annotations

from pathlib import Path

from coaching.aspire import Aspire
from coaching.core.actors import SYSTEM
from coaching.demo import PLATFORM
from coaching.governance.audit import Person
from coaching.people.accounts import accounts_of
from coaching.privacy import requests as privacy

from .conftest import DEMO_ADMIN, assert_healthy, shown_tables

AUDIT = "screens/audit.py"
TEAM = "screens/team.py"


def held(aspire: Aspire, name: str) -> Person:
    [person] = [p for p in aspire.audit.people_matching(SYSTEM, name) if p.name == name]
    return person


def whose(at) -> list[str]:
    return list(shown_tables(at)[0]["Whose data"])


def test_the_log_names_people_and_filters_by_person_and_by_who_acted(demo_db: Path, open_app, started) -> None:
    open_app(TEAM)                                   # Maria looks at her team: one entry per member shown
    person = held(started[-1], PLATFORM[0].name)
    at = open_app(AUDIT, login=DEMO_ADMIN)
    assert_healthy(at)
    assert f"{person.name} <{person.email}>" in whose(at)
    assert not at.dataframe, "names people typed are never offered by a table toolbar's raw download"

    at.text_input[0].input(person.email.split("@")[0].upper()).run()
    assert_healthy(at)
    picked = at.selectbox[-1]
    assert picked.label == "Person" and picked.value.email == person.email
    table = shown_tables(at)[0]
    assert set(table["Whose data"]) == {f"{person.name} <{person.email}>"}
    assert set(table.loc[table["Action"] == "viewed", "Done by"]) == {"Maria Lopez <maria@example.com>"}

    at.selectbox[1].set_value(accounts_of(started[-1]).actor_for_email("maria@example.com").id).run()
    assert set(shown_tables(at)[0]["Done by"]) == {"Maria Lopez <maria@example.com>"}
    assert any(b.proto.label == "Download these entries (CSV)" for b in at.get("download_button"))


def test_after_an_erasure_the_log_says_so_and_the_person_cannot_be_found(demo_db: Path, open_app,
                                                                         started) -> None:
    open_app(TEAM)
    person = held(started[-1], PLATFORM[0].name)
    privacy.erase_member(started[-1], SYSTEM, person.email)
    at = open_app(AUDIT, login=DEMO_ADMIN)
    assert_healthy(at)
    shown = whose(at)
    assert not any(person.name in w or person.email in w for w in shown)
    assert any(w.startswith(f"member {person.member_ids[0]}: erased on ") for w in shown)

    at.text_input[0].input(person.email).run()
    assert any("No member held now" in w.value for w in at.warning)
