"""A name or address whose letters an export's encoding lost ('?' for 'ł', U+FFFD for a byte
it could not read) never overwrites the stored one, and is warned without its value."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from tests.importing import person_row, write_csv
from transition.db import Database
from transition.importer import ImportOptions, ImportResult, import_file
from transition.lost_characters import kept_warning, lost_from, lost_warning
from transition.models import ImportWarning, Person


def run(database: Database, path: Path, today: date = TODAY) -> ImportResult:
    with database.transaction() as session:
        return import_file(session, path, "caseload", ImportOptions(), actor=ACTOR, today=today)


def stored(database: Database, index: int) -> Person:
    with database.session() as session:
        return session.scalars(select(Person).where(Person.nhs_number == nhs_number(index))).one()


@pytest.mark.parametrize(("held", "written", "lost"), [
    ("Paweł", "Pawe?", True),
    ("Zając", "Zaj?c", True),
    ("Łukasz Wróbel", "?ukasz Wróbel", True),  # 'ó' is in Windows-1252, 'Ł' is not
    ("Paweł", "Pawe\ufffd", True),
    ("Paweł", "PAWE?", True),  # in capitals: the same name, the stored spelling kept
    ("Paweł", "Pawe\ufffd\ufffd", True),  # UTF-8's two bytes, each unreadable
    ("Pawel", "Pawe?", False),  # an ASCII letter: a code page never loses one
    ("Paweł", "Piotr", False),
    ("Paweł", "Paweł", False),
    ("Paweł", "Pawe??", False),  # one '?' per character
    ("Anna", "?", False),
    (None, "Pawe?", False),
])
def test_a_lossy_copy_is_the_stored_text_with_letters_lost(
    held: str | None, written: str, lost: bool
) -> None:
    assert lost_from(held, written) is lost


def test_a_lossy_export_keeps_the_stored_names_and_address(
    database: Database, tmp_path: Path
) -> None:
    run(database, write_csv(tmp_path / "first.csv", [
        person_row(0, given_name="Paweł", family_name="Kowalski"),
        person_row(1, family_name="Zając", address="3 Łąkowa Lane, Westhaven"),
        person_row(2),
    ]))
    lossy = [
        person_row(0, given_name="Pawe?", family_name="Kowalski"),
        person_row(1, family_name="Zaj?c", address="3 ??kowa Lane, Westhaven"),
        person_row(2),
    ]
    result = run(database, write_csv(tmp_path / "lossy.csv", lossy, encoding="cp1252"))
    assert result.updated == 0 and result.unchanged == 3
    assert stored(database, 0).given_name == "Paweł"
    assert (stored(database, 1).family_name, stored(database, 1).address) == (
        "Zając", "3 Łąkowa Lane, Westhaven")
    warned = [(w.row, w.column, w.message) for w in result.warning_list]
    assert warned == [
        (2, "given_name", kept_warning("given_name")),
        (3, "family_name", kept_warning("family_name")),
        (3, "address", kept_warning("address")),
    ]
    assert kept_warning("given_name") == (
        "the file has '?' where the stored given name has a letter: lost in the export's "
        "encoding; the stored given name was kept")
    # No identity warning: the name did not change.
    assert not any("held with a different" in message for _r, _c, message in warned)
    assert not any("already held" in notice for notice in result.notices)
    [notice] = [notice for notice in result.notices if "stored values were kept" in notice]
    assert notice.startswith("2 rows (2, 3) had '?'")
    # Nothing personal in what is shown or kept with the person.
    for text in [*(message for _r, _c, message in warned), notice]:
        assert not any(name in text for name in ("Paw", "Zaj", "kowa", "Kowalski"))
    with database.session() as session:
        kept = session.scalars(select(ImportWarning.message).where(
            ImportWarning.batch_id == result.batch_id).order_by(ImportWarning.id)).all()
    assert kept == [message for _r, _c, message in warned]

    # The same lossy file again: still kept, and still warned (not taken as unchanged unseen).
    again = run(database, write_csv(tmp_path / "lossy.csv", lossy, encoding="cp1252"))
    assert stored(database, 0).given_name == "Paweł"
    assert [(w.row, w.column) for w in again.warning_list] == [
        (2, "given_name"), (3, "family_name"), (3, "address")]

    # A correct export afterwards changes nothing and warns of nothing.
    right = run(database, write_csv(tmp_path / "right.csv", [
        person_row(0, given_name="Paweł", family_name="Kowalski"),
        person_row(1, family_name="Zając", address="3 Łąkowa Lane, Westhaven"),
        person_row(2),
    ]))
    assert right.updated == 0 and right.warning_list == []


def test_a_lossy_name_with_other_changes_keeps_the_name_and_updates_the_rest(
    database: Database, tmp_path: Path
) -> None:
    run(database, write_csv(tmp_path / "first.csv", [person_row(0, given_name="Paweł")]))
    result = run(database, write_csv(tmp_path / "lossy.csv", [
        person_row(0, given_name="Pawe?", postcode="WX9 9ZZ")], encoding="cp1252"))
    assert result.updated == 1
    person = stored(database, 0)
    assert (person.given_name, person.postcode) == ("Paweł", "WX9 9ZZ")
    assert [(w.column, w.message) for w in result.warning_list] == [
        ("given_name", kept_warning("given_name"))]


def test_a_new_person_with_a_lost_character_is_imported_with_a_warning(
    database: Database, tmp_path: Path
) -> None:
    result = run(database, write_csv(tmp_path / "new.csv", [
        person_row(0, given_name="Pawe?"), person_row(1, carer_name="Ann Zaj\ufffdc")]))
    assert result.inserted == 2
    assert stored(database, 0).given_name == "Pawe?"
    assert [(w.row, w.column, w.message) for w in result.warning_list] == [
        (2, "given_name", lost_warning("given_name")),
        (3, "carer_name", lost_warning("carer_name")),
    ]
    assert "check the given name with the trust" in lost_warning("given_name")


def test_a_different_name_with_a_lost_character_is_a_change_of_name(
    database: Database, tmp_path: Path
) -> None:
    run(database, write_csv(tmp_path / "first.csv", [person_row(0, given_name="Anna")]))
    result = run(database, write_csv(tmp_path / "second.csv", [
        person_row(0, given_name="Pawe?")], encoding="cp1252"))
    assert stored(database, 0).given_name == "Pawe?"
    messages = {w.column: w.message for w in result.warning_list}
    assert messages["given_name"] == lost_warning("given_name")
    assert messages["nhs_number"].startswith(
        "this NHS number was held with a different given name: updated (people do change "
        "their given name)")


@pytest.mark.parametrize(("changes", "words"), [
    ({"given_name": "Sam"}, "(people do change their given name)"),
    ({"family_name": "Bellamy"}, "(a new family name, as on marriage, is common)"),
    ({"given_name": "Sam", "family_name": "Bellamy"},
     "(a new family name, as on marriage, is common)"),
])
def test_marriage_is_said_only_of_a_family_name(
    database: Database, tmp_path: Path, changes: dict[str, Any], words: str
) -> None:
    run(database, write_csv(tmp_path / "first.csv", [person_row(0)]))
    result = run(database, write_csv(tmp_path / "second.csv", [person_row(0, **changes)]))
    [message] = [w.message for w in result.warning_list if w.column == "nhs_number"]
    assert words in message
