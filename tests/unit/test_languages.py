"""Languages: the questionnaire's translations as checked data, the interface's catalogues complete in every
shipped language, the member's language from a CSV file, the language a response was answered in, the
e-mails in the member's language through a real SMTP server, and reliability per language."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import tomllib
from pathlib import Path

import pytest

from coaching import i18n
from coaching.core.settings import SHIPPED_DIR, load_settings
from coaching.i18n import LANGUAGES, catalogue_problems, choose, known, load_catalogue, texts
from coaching.measurement.instrument import (
    InstrumentError,
    instrument_path,
    load_instrument,
    load_translation,
    translation_paths,
)
from coaching.measurement.instrument_rows import instrument_sources
from coaching.measurement.reliability import reliability_by_language
from coaching.measurement.response_rows import ResponseRows
from coaching.measurement.versions import current_instrument, instrument_in, languages_of
from coaching.people import teams
from coaching.people.team_rows import NewMember
from coaching.people.teams import add_members, create_team, list_members
from coaching.rounds import mail, rounds
from coaching.startup import start
from tests.conftest import make_manager
from tests.smtp_server import running_smtp_server

V1 = load_instrument(instrument_path(1))
SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=14)


# ---- the questionnaire's translations ----------------------------------------------------------------


def test_version_1_ships_german_french_spanish_and_arabic_with_the_same_items_and_scale():
    paths = translation_paths(1)
    assert set(paths) == {"de", "fr", "es", "ar"}
    for language, path in paths.items():
        translated = load_translation(path, V1)
        assert [i.id for i in translated.items] == [i.id for i in V1.items], language
        assert [(i.need, i.facet, i.reverse_of, i.section) for i in translated.items] == [
            (i.need, i.facet, i.reverse_of, i.section) for i in V1.items], language
        assert translated.scale.points == V1.scale.points
        assert [s.key for s in translated.sections] == [s.key for s in V1.sections]
        assert [r.id for r in translated.reflections] == [r.id for r in V1.reflections]
        changed = [i.id for i, o in zip(translated.items, V1.items, strict=True) if i.text == o.text]
        assert not changed, f"{language}: statements left in English: {changed}"


def _broken_copy(tmp_path: Path, language: str, edit) -> Path:
    raw = tomllib.loads(translation_paths(1)[language].read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / f"v1.{language}.toml"
    path.write_text(_toml(raw), encoding="utf-8")
    return path


def _toml(value, prefix: str = "") -> str:
    """A small TOML writer for the test's edited copies (tables of strings, lists and numbers)."""
    plain = {k: v for k, v in value.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in value.items() if isinstance(v, dict)}
    lines = [f"[{prefix}]"] if prefix and plain else []
    for key, item in plain.items():
        lines.append(f'"{key}" = ' + json.dumps(item, ensure_ascii=False))
    for key, table in tables.items():
        lines.append(_toml(table, f'{prefix}."{key}"' if prefix else f'"{key}"'))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("edit", "named"), [
    (lambda raw: raw["items"].pop("status_lead"), "key 'items.status_lead': missing"),
    (lambda raw: raw["items"].update(status_extra="Ein Satz zu viel."), "key 'items.status_extra': not in version 1"),
    (lambda raw: raw["sections"].pop("ways"), "key 'sections.ways': missing"),
    (lambda raw: raw["reflections"]["need_now"].pop("hint"), "key 'reflections.need_now.hint': missing"),
    (lambda raw: raw["scale"]["labels"].pop(), "key 'scale.labels': 4 labels, the scale has 5"),
    (lambda raw: raw["choice"]["options"].pop("balance"), "key 'choice.options.balance': missing"),
    (lambda raw: raw.update(extra="?"), "key 'extra': not in the version"),
    (lambda raw: raw.pop("title"), "key 'title': missing"),
])
def test_a_broken_translation_is_refused_whole_naming_the_file_the_language_and_the_key(tmp_path, edit, named):
    path = _broken_copy(tmp_path, "de", edit)
    with pytest.raises(InstrumentError) as refused:
        load_translation(path, V1)
    assert str(refused.value).startswith(f"{path}: language 'de'")
    assert named in str(refused.value)


def test_a_broken_translation_stops_start_up_before_anything_is_recorded(databases, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DIR, data)
    (data / "instruments" / "v1.fr.toml").write_text(
        translation_paths(1)["fr"].read_text(encoding="utf-8").replace("[items]\n", "[items]\nnot_an_item = 'Oui.'\n"),
        encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"v1\.fr\.toml: language 'fr': key 'items\.not_an_item'"):
        start(load_settings(db=databases.new("a"), demo=False, data_dir=data))


def test_translations_reach_an_existing_database_without_touching_the_versions_own_text(databases, tmp_path):
    """First use records each translation beside the version; a later edit of a file changes nothing stored."""
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DIR, data)
    for path in (data / "instruments").glob("v1.*.toml"):
        path.unlink()
    db = databases.new("a")
    app = start(load_settings(db=db, demo=False, data_dir=data))       # a database from before translations
    original = instrument_sources(app.db)[1]
    assert languages_of(app, 1) == ["en"]
    app.close()

    for path in SHIPPED_DIR.glob("instruments/v1.*.toml"):
        shutil.copy(path, data / "instruments" / path.name)
    app = start(load_settings(db=db, demo=False, data_dir=data))
    assert languages_of(app, 1) == ["en", "ar", "de", "es", "fr"]
    assert instrument_sources(app.db)[1] == original
    assert instrument_in(app, 1, "de").items[0].text.startswith("Ich würde gern ein Team führen")
    app.close()

    german = data / "instruments" / "v1.de.toml"
    german.write_text(german.read_text(encoding="utf-8").replace("Ich würde gern", "Ich möchte"), encoding="utf-8")
    app = start(load_settings(db=db, demo=False, data_dir=data))
    assert instrument_in(app, 1, "de").items[0].text.startswith("Ich würde gern"), "the wording as first used"
    app.close()


# ---- the interface's catalogues ------------------------------------------------------------------------


def test_every_message_has_a_translation_in_every_shipped_language():
    assert catalogue_problems() == []
    english = load_catalogue("en")
    for language in LANGUAGES:
        entries = load_catalogue(language)
        assert entries.keys() == english.keys(), language
        if language != "en":
            same = [k for k, v in entries.items() if v == english[k] and "{" not in str(v) and len(str(v)) > 12]
            assert not same, f"{language}: left in English: {same}"


def test_a_catalogue_with_a_missing_or_extra_key_or_placeholder_is_reported(tmp_path):
    for language in LANGUAGES:
        shutil.copy(i18n.CATALOGUE_DIR / f"{language}.toml", tmp_path)
    german = tmp_path / "de.toml"
    text = german.read_text(encoding="utf-8")
    text = text.replace('start = "Beginnen"\n', "").replace("Hallo {name}", "Hallo {nom}")
    german.write_text(text + '\n[extra]\nkey = "Zu viel"\n', encoding="utf-8")
    found = catalogue_problems(tmp_path)
    assert f"{german}: language 'de', key 'button.start': missing" in found
    assert f"{german}: language 'de', key 'extra.key': not in English" in found
    assert any("key 'notice.hello': placeholders ['nom']" in p for p in found)


def test_plural_forms_follow_each_languages_rules():
    assert texts("en").plural("review.missing", 1).startswith("1 answer is")
    assert texts("en").plural("review.missing", 3).startswith("3 answers are")
    assert texts("ar").plural("review.missing", 2).startswith("إجابتان")
    assert texts("ar").plural("review.missing", 3).startswith("3 إجابات")
    assert texts("ar").plural("review.missing", 11).startswith("11 إجابة")


def test_dates_and_numbers_are_written_the_way_each_language_writes_them():
    moment = dt.datetime(2026, 12, 4, 23, 59, tzinfo=dt.UTC)
    assert texts("en").moment(moment) == "Friday, 4 December 2026, 23:59 UTC"
    assert texts("de").moment(moment) == "Freitag, 4. Dezember 2026, 23:59 UTC"
    assert texts("fr").date(moment.date()) == "4 décembre 2026"
    assert texts("es").date(moment.date()) == "4 de diciembre de 2026"
    assert texts("de").number(1234) == "1.234" and texts("en").number(1234) == "1,234"


def test_the_language_comes_from_the_draft_then_the_record_then_the_browser():
    assert choose("fr", "de", "ar-EG") == "fr"
    assert choose(None, "de", "ar-EG") == "de"
    assert choose(None, None, "ar-EG") == "ar"
    assert choose(None, None, "ja-JP") == "en"
    assert known("FR_ca") == "fr" and known("pt-BR") is None and known(None) is None


# ---- the member's language, the response's language -----------------------------------------------------


def test_a_csv_language_column_sets_the_members_language_and_an_unknown_one_is_refused(aspire):
    manager = make_manager(aspire)
    team = teams.create_team(aspire, manager, "Team")
    added = teams.import_members(aspire, manager, team.id, b"name,email,language\nAna,ana@example.com,de-AT\n"
                                                           b"Ben,ben@example.com,\n").members
    assert [m.language for m in added] == ["de", None]
    assert [m.language for m in list_members(aspire, manager, team.id)] == ["de", None]
    hr_file = b"Full name;E-mail;Preferred language\nDima Haddad;dima@example.com;ar-SA\n"
    assert [m.language for m in teams.import_members(aspire, manager, team.id, hr_file).members] == ["ar"]
    ana = added[0]
    edited = teams.edit_member(aspire, manager, ana.id, ana.version, {"name": "Ana Maria", "email": ana.email})
    assert edited.language == "de", "an edit that does not name the language keeps it"
    assert teams.edit_member(aspire, manager, ana.id, edited.version,
                             {"name": "Ana Maria", "email": ana.email, "language": "fr"}).language == "fr"
    with pytest.raises(teams.ImportRejected, match="'klingon' is not a language Aspire ships"):
        teams.import_members(aspire, manager, team.id, b"name,email,language\nCleo,cleo@example.com,klingon\n")


def _answers(instrument, rng):
    return {"ratings": {i.id: rng.randint(1, 5) for i in instrument.items},
            "top_three": ["status", "balance", "autonomy"], "reflections": {}, "life_stage": None}


def test_a_response_records_its_language_and_reliability_shows_per_language_with_enough_responses(aspire):
    manager = make_manager(aspire)
    team_id = create_team(aspire, manager, "Team").id
    current = current_instrument(aspire)          # rounds use the newest version
    count = current.reliability.min_responses
    add_members(aspire, manager, team_id, [
        NewMember(name=f"P{i}", email=f"p{i}@example.com", language="de" if i < count else "ar")
        for i in range(count + 3)])
    _, links = rounds.open_round(aspire, manager, team_id, "2026", SOON)
    rng = random.Random(7)
    for link in links:
        invitation = rounds.resolve(aspire, link.url.rsplit("=", 1)[1])
        language = invitation.row.member_language
        rounds.save_draft(aspire, invitation, {}, language)
        assert rounds.draft_language(aspire, invitation) == language, "the choice is kept with the draft"
        rounds.submit_answers(aspire, invitation, _answers(current, rng), language)
    grouped = ResponseRows(aspire.db).answers_by_language(current.version)
    assert {k: len(v) for k, v in grouped.items()} == {"de": count, "ar": 3}
    by_language = reliability_by_language(aspire, current.version)
    assert list(by_language) == ["de"], "Arabic has too few responses to estimate yet"
    assert by_language["de"]["status"].n == count

    straight = add_members(aspire, manager, team_id, [NewMember(name="Flat", email="flat@example.com", language="de")])
    _, (link,) = rounds.open_round(aspire, manager, team_id, "2026", SOON, member_ids=straight)
    flat = rounds.resolve(aspire, link.url.rsplit("=", 1)[1])
    rounds.submit_answers(aspire, flat, {"ratings": {i.id: 3 for i in current.items},
                                         "top_three": ["status", "balance", "autonomy"]}, "de")
    assert reliability_by_language(aspire, current.version)["de"]["status"].n == count, \
        "a straight line is left out here as from the version's own estimate"


# ---- e-mails ----------------------------------------------------------------------------------------


def test_invitations_go_out_in_each_members_language_with_the_same_facts(databases, tmp_path):
    with running_smtp_server() as server:
        app = start(load_settings(db=databases.new("mail"), demo=False, **server.settings))
        try:
            manager = make_manager(app, name="Morgan Manager")
            team_id = create_team(app, manager, "Team").id
            add_members(app, manager, team_id, [
                NewMember(name="Ana", email="ana@example.com", language="de"),
                NewMember(name="Bilal", email="bilal@example.com", language="ar"),
                NewMember(name="Cleo", email="cleo@example.com")])
            round_id, links = rounds.open_round(app, manager, team_id, "2026", SOON, "Danke! Morgan")
            results = mail.send_links(app, manager, round_id, links)
            assert all(r.ok for r in results)
            received = {m["To"].addresses[0].display_name: m for m in server.messages}
            by_name = {link.name: link.url for link in links}
            for name, language, hello in (("Ana", "de", "Hallo Ana,"), ("Bilal", "ar", "مرحبًا Bilal،"),
                                          ("Cleo", "en", "Hello Cleo,")):
                message = received[name]
                body = message.get_content()
                said = texts(language)
                assert message["Content-Language"] == language
                assert body.startswith(hello)
                assert by_name[name] in body, "their own link"
                assert said.moment(SOON.astimezone(app.settings.zone)) in body, "the deadline, in their words"
                assert "Morgan Manager" in message["Subject"] and "> Danke! Morgan" in body
                assert said("mail.voluntary") in body and said("mail.purpose") in body
        finally:
            app.close()
