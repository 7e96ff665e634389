"""The small helpers every rows module and service shares (coaching.db.lists, coaching.db.versioned), on a real
DuckDB file: a list of ids as one parameter, and a version mismatch told as the same edit conflict everywhere."""

from __future__ import annotations

import pytest

from coaching.core.editing import EditConflict
from coaching.db.errors import RowMissing, VersionMismatch
from coaching.db.lists import ID_LIST, TEXT_LIST
from coaching.db.versioned import versioned
from coaching.people import teams
from tests.conftest import make_manager


def test_a_list_of_ids_is_one_parameter_and_an_empty_list_matches_nothing(aspire):
    manager = make_manager(aspire)
    made = [teams.create_team(aspire, manager, name).id for name in ("Platform", "Sales", "Support")]
    db = aspire.db

    def names(ids: list[int]) -> list[str]:
        return [r[0] for r in db.query(f"SELECT name FROM team WHERE id IN {ID_LIST} ORDER BY name", [ids])]

    assert names([made[0], made[2]]) == ["Platform", "Support"]
    assert names([]) == []
    texts = db.query(f"SELECT name FROM team WHERE name IN {TEXT_LIST}", [["Sales", "x' OR '1'='1"]])
    assert texts == [("Sales",)], "a text in the list is a value, never SQL"


def test_a_version_mismatch_is_told_as_the_same_edit_conflict_everywhere(aspire):
    manager = make_manager(aspire)
    team = teams.create_team(aspire, manager, "Platform")
    teams.rename_team(aspire, manager, team.id, team.version, "Platform team")

    with pytest.raises(EditConflict, match="Someone else changed this team after you opened it") as caught:
        teams.rename_team(aspire, manager, team.id, team.version, "Core platform")
    with pytest.raises(EditConflict) as direct, versioned("team"):
        raise VersionMismatch("team 1 is at version 2, not 1")
    assert str(direct.value) == str(caught.value)
    assert [t.name for t in teams.list_teams(aspire, manager)] == ["Platform team"], "nothing was saved"


def test_a_service_may_raise_its_own_conflict_and_other_refusals_pass_through():
    class Stale(EditConflict):
        def __init__(self, what: str) -> None:
            super().__init__(what)
            self.current = "as it stands now"

    with pytest.raises(Stale, match="changed this goal 7") as caught, versioned("goal 7", Stale):
        raise VersionMismatch("goal 7 is at version 3, not 2")
    assert caught.value.current == "as it stands now"
    with pytest.raises(RowMissing), versioned("goal 7"):
        raise RowMissing("no goal 7")
