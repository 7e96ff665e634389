"""The instrument loader: version 1 meets DOMAIN.md's rules, and broken files are refused by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coaching.core.needs import NEEDS, Facet, Need
from coaching.core.settings import SHIPPED_DIR
from coaching.measurement.instrument import InstrumentError, available_versions, instrument_path, load_instrument

V1 = SHIPPED_DIR / "instruments" / "v1.toml"


@pytest.mark.parametrize("version", [1, 2])
def test_every_version_measures_every_need_with_five_items_and_a_twin(version):
    instrument = load_instrument(instrument_path(version))
    assert instrument.version == version
    for need in NEEDS:
        items = instrument.items_for(need)
        assert len(items) >= 5, need
        assert any(i.reverse for i in items), need
    for facet in Facet:
        assert len(instrument.items_for(facet.scale)) >= 3, facet
    assert set(instrument.choice.options) == set(NEEDS)
    assert {r.id for r in instrument.reflections} >= {"need_now", "goals_next_year", "goals_three_years", "hire_again"}


def test_every_reverse_item_names_a_forward_twin_of_the_same_need(instrument):
    for forward, reverse in instrument.twins:
        assert not forward.reverse
        assert (forward.need, forward.facet) == (reverse.need, reverse.facet)


def test_no_item_asks_for_age(instrument):
    texts = " ".join(i.text for i in instrument.items) + instrument.life_stage.prompt
    assert not re.search(r"\bage\b|\bold\b|years old", texts, re.IGNORECASE)


def test_shipped_versions_are_found():
    assert available_versions() == [1, 2]


def test_version_2_keeps_every_version_1_statement_so_scales_compare():
    v1, v2 = load_instrument(instrument_path(1)), load_instrument(instrument_path(2))
    assert {i.id: i for i in v1.items}.items() <= {i.id: i for i in v2.items}.items(), "word for word, same scale"
    assert v2.scale == v1.scale
    for scale in ("status", "security", "expertise", "autonomy", "balance"):
        assert len(v2.items_for(scale)) == 8
    assert len(v2.items_for("security.pay")) == len(v2.items_for("security.stability")) == 4


def test_version_1_reads_as_it_did_before_base_items_existed():
    """The stored text of version 1 has no base_items: it means five, the length of its needs."""
    v1 = load_instrument(instrument_path(1))
    assert "base_items" not in instrument_path(1).read_text(encoding="utf-8").split("[reliability]")[1].split("[")[0]
    assert v1.reliability.base_items == 5
    assert v1.reliability.for_items(5) == (0.80, 18.0)


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = V1.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in v1.toml"
    path = tmp_path / "v1.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    message = str(caught.value)
    assert str(path) in message, "the message names the file"
    return message


def test_twin_naming_a_missing_item_is_refused(tmp_path):
    message = _refusal(_broken(tmp_path, 'reverse_of = "status_lead"', 'reverse_of = "status_nobody"'))
    assert "item 'status_lead_r'" in message and "status_nobody" in message


def test_unknown_need_is_refused_naming_the_item(tmp_path):
    path = _broken(tmp_path, 'id = "expertise_goto"\nneed = "expertise"', 'id = "expertise_goto"\nneed = "fame"')
    message = _refusal(path)
    assert "item 'expertise_goto'" in message and "need" in message


def test_need_with_four_items_is_refused(tmp_path):
    old, new = 'id = "balance_switch_off"\nneed = "balance"', 'id = "balance_switch_off"\nneed = "status"'
    path = _broken(tmp_path, old, new)
    message = _refusal(path)
    assert "need 'balance': 4 items, at least 5" in message


def test_security_item_without_facet_is_refused(tmp_path):
    message = _refusal(_broken(tmp_path, 'need = "security"\nfacet = "pay"\nsection = "ahead"',
                               'need = "security"\nsection = "ahead"'))
    assert "item 'security_pay_r'" in message and "facet" in message


def test_duplicate_item_id_is_refused(tmp_path):
    message = _refusal(_broken(tmp_path, 'id = "status_title"', 'id = "status_lead"'))
    assert "item 'status_lead': the id is used 2 times" in message


def test_need_without_reverse_item_is_refused(tmp_path):
    path = _broken(tmp_path, 'reverse_of = "balance_time"\n', "")
    assert "need 'balance': no reverse-worded item" in _refusal(path)


def test_undefined_section_is_refused(tmp_path):
    path = _broken(tmp_path, 'id = "autonomy_own"\nneed = "autonomy"\nsection = "ahead"',
                   'id = "autonomy_own"\nneed = "autonomy"\nsection = "later"')
    assert "item 'autonomy_own': section 'later' is not defined" in _refusal(path)


def test_forced_choice_missing_a_need_is_refused(tmp_path):
    message = _refusal(_broken(tmp_path, 'balance = "Balance: room for my life outside work"\n', ""))
    assert "forced choice" in message and "balance" in message


def test_unknown_field_is_refused(tmp_path):
    message = _refusal(_broken(tmp_path, 'id = "status_scope"', 'id = "status_scope"\nweight = 2'))
    assert "item 'status_scope'" in message and "weight" in message


def test_invalid_toml_is_refused(tmp_path):
    assert "not valid TOML" in _refusal(_broken(tmp_path, "[scale]", "[scale"))


def test_missing_file_is_refused(tmp_path):
    assert "cannot be read" in _refusal(tmp_path / "v9.toml")


def test_scale_with_wrong_number_of_labels_is_refused(tmp_path):
    message = _refusal(_broken(tmp_path, '"Strongly disagree", ', ""))
    assert "scale" in message and "5 points but 4 labels" in message


def test_security_is_one_need_with_two_facets(instrument):
    security = instrument.items_for(Need.SECURITY)
    assert {i.facet for i in security} == set(Facet)
    assert len(security) == sum(len(instrument.items_for(f.scale)) for f in Facet)
