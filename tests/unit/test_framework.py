"""Importing a career framework (CSV) into the catalogue: level titles, scope and expectations, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from coaching.core.actors import SYSTEM, PermissionDenied, Role
from coaching.core.tabular import ImportRejected
from coaching.paths import editing as paths
from coaching.paths.editing import catalogue_at
from coaching.people.accounts import accounts_of
from tests.conftest import make_manager

DATA = Path(__file__).parents[1] / "data"


def _admin(aspire):
    return accounts_of(aspire).create_user(SYSTEM, "hr@example.com", "HR", Role.ADMIN, None).actor


def _level(aspire, key):
    return next(o for o in catalogue_at(aspire).options if o.key == key)


def test_a_good_framework_sets_titles_scope_and_expectations_with_history(aspire):
    admin = _admin(aspire)
    saved = paths.import_framework(aspire, admin, (DATA / "framework_good.csv").read_bytes())

    assert sorted(v.option.key for v in saved) == ["staff", "team_lead"]
    staff = _level(aspire, "staff")
    assert staff.name == "Staff engineer"
    assert staff.expectations == ("Leads the design of systems several teams share", "Mentors senior engineers")
    assert staff.scope == "Sets technical direction across teams"
    assert staff.band.midpoint == 74000 and staff.support["expertise"] == 0.9, "the profile and band stay"
    assert _level(aspire, "team_lead").expectations[2] == "Answers for delivery, quality and on-call"
    history = paths.option_history(aspire, admin, "staff")
    assert [v.version for v in history] == [1, 2]
    assert "Expectations:" in "; ".join(paths.differences(history[0].option, history[1].option))
    assert paths.import_framework(aspire, admin, (DATA / "framework_good.csv").read_bytes()) == [], \
        "importing the same file again changes nothing"


def test_a_bad_framework_names_every_bad_row_and_imports_nothing(aspire):
    admin = _admin(aspire)
    before = catalogue_at(aspire)
    with pytest.raises(ImportRejected) as refused:
        paths.import_framework(aspire, admin, (DATA / "framework_bad.csv").read_bytes())
    reasons = {p.line: p.reason for p in refused.value.problems}
    assert sorted(reasons) == [3, 4, 6, 7, 8]
    assert reasons[3].startswith("unknown track 'sales'")
    assert reasons[4].startswith("level 'wizard' is not on the expert track")
    assert reasons[6] == "title 'Staff specialist' differs from 'Staff engineer' on line 5 for the same level"
    assert reasons[7] == "expectation is empty"
    assert reasons[8] == "more cells than columns"
    assert catalogue_at(aspire) == before, "lines 2 and 5 were fine, and still nothing was imported"


@pytest.mark.parametrize(("content", "reason"), [
    (b"track,level,title\nexpert,staff,Staff\n", "missing: expectation"),
    (b"track,level,title,expectation,colour\n", "unknown column colour"),
    (b"track,level,title,expectation\n", "the file has a header but no levels"),
    ("track,level,title,expectation\nexpert,staff,Staff,Mentors\n".encode("utf-16"), "not UTF-8"),
])
def test_a_file_that_is_not_a_framework_is_refused_in_plain_words(aspire, content, reason):
    with pytest.raises(ImportRejected) as refused:
        paths.import_framework(aspire, _admin(aspire), content)
    assert reason in refused.value.problems[0].reason


def test_only_an_admin_imports_a_framework(aspire):
    with pytest.raises(PermissionDenied):
        paths.import_framework(aspire, make_manager(aspire), (DATA / "framework_good.csv").read_bytes())


def test_an_admin_names_one_entry_rung_per_ladder(aspire):
    admin = _admin(aspire)
    manager = paths.current_offer(aspire)
    version = next(v for v in manager if v.option.key == "manager")
    fields = {**version.option.model_dump(exclude={"key", "kind"}), "entry": True}
    with pytest.raises(paths.OptionRejected, match="'Team lead' is where the management track starts"):
        paths.edit_option(aspire, admin, "manager", version.version, fields)
