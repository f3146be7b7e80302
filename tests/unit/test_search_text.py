"""The caseload search ignores accents and case, and a postcode's space, on every backend and
every way a person is written (the import's two insert paths and its update, an ORM object,
a Core insert, a database upgraded from before ``person.search_text``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select

from tests.conftest import ACTOR, TODAY
from tests.factories import ensure_place, make_person, nhs_number
from tests.importing import person_row, write_csv
from transition import db as dbmod
from transition.db import Database
from transition.importer import ImportOptions, import_file
from transition.models import Person
from transition.people import PeopleQuery, list_people
from transition.search_text import fold, search_text


def found(database: Database, text: str) -> list[str]:
    with database.session() as session:
        page = list_people(session, PeopleQuery(search=text))
    return sorted(f"{row.given_name} {row.family_name}" for row in page.rows)


@pytest.mark.parametrize(("text", "folded"), [
    ("Seán", "sean"), ("ZAJĄC", "zajac"), ("Łukasz", "lukasz"), ("Søren  Ørsted", "soren orsted"),
    ("Straße", "strasse"), ("O’Neill", "o'neill"), ("Renée", "renee"), ("Ægir", "aegir"),
    ("Mason", "mason"),
])
def test_fold_drops_accents_case_and_extra_spaces(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_the_search_text_keeps_each_part_on_its_own_line() -> None:
    assert search_text({"family_name": "Zając", "given_name": "Jakub", "local_id": "RIO 12",
                        "postcode": "WX1 7UQ"}) == "zajac jakub\njakub zajac\nrio 12\nwx17uq"


def test_a_search_ignores_accents_case_and_a_postcodes_space(database: Database) -> None:
    with database.transaction() as session:
        make_person(session, given_name="Seán", family_name="Gibson", postcode="WX2 4AB")
        make_person(session, given_name="Jakub", family_name="Zając", postcode="WX3 9ZZ")
        make_person(session, given_name="Bilal", family_name="Akhtar", postcode="WX1 7UQ")
        make_person(session, given_name="Renée", family_name="O’Neill", postcode="WX4 1AA")
    assert found(database, "Sean") == ["Seán Gibson"]
    assert found(database, "seán") == ["Seán Gibson"]
    assert found(database, "Zajac") == found(database, "ZAJĄC") == ["Jakub Zając"]
    assert found(database, "zajac, jakub") == ["Jakub Zając"]
    assert found(database, "jakub zaj") == ["Jakub Zając"]
    assert found(database, "WX17UQ") == found(database, "WX1 7UQ") == ["Bilal Akhtar"]
    assert found(database, "wx1 7") == found(database, "wx17") == ["Bilal Akhtar"]
    assert found(database, "o'neill") == found(database, "renee") == ["Renée O’Neill"]
    # Parts never run into each other: a given name and a postcode are not one text.
    assert found(database, "gibson wx2") == []
    # A % or _ is still matched as written, not as a wildcard.
    assert found(database, "%") == found(database, "_") == []


def test_imported_people_are_found_and_a_changed_name_is_found_by_its_new_spelling(
    database: Database, tmp_path: Path
) -> None:
    def run(name: str, rows: list[dict[str, str]]) -> None:
        with database.transaction() as session:
            import_file(session, write_csv(tmp_path / name, rows), "caseload", ImportOptions(),
                        actor=ACTOR, today=TODAY)

    run("first.csv", [person_row(0, given_name="Seán", family_name="Gibson", postcode="WX1 7UQ"),
                      person_row(1, given_name="Jakub", family_name="Zając")])
    assert found(database, "sean gibson") == ["Seán Gibson"]
    assert found(database, "wx17uq") == ["Seán Gibson"]
    assert found(database, "zajac") == ["Jakub Zając"]
    # Another file: one new person (an insert into a table that has people), one renamed.
    run("second.csv", [person_row(0, given_name="Seán", family_name="Gibson", postcode="WX1 7UQ"),
                       person_row(1, given_name="Jakub", family_name="Wróbel"),
                       person_row(2, given_name="Zoë", family_name="Hart")])
    assert found(database, "zajac") == []
    assert found(database, "wrobel") == ["Jakub Wróbel"]
    assert found(database, "zoe") == ["Zoë Hart"]
    # A slimmer file without the postcode column keeps the postcode, and its search.
    slim = [{key: value for key, value in person_row(0, given_name="Sean", family_name="Gibson")
             .items() if key != "postcode"}]
    run("slim.csv", slim)
    assert found(database, "wx1 7uq") == ["Sean Gibson"]


def test_a_core_insert_and_an_orm_change_of_name_keep_the_search(database: Database) -> None:
    with database.transaction() as session:
        ensure_place(session, "North CMHT", "North", "trust")
        session.execute(insert(Person), [{
            "nhs_number": nhs_number(5), "given_name": "Ola", "family_name": "Nordås",
            "date_of_birth": date(1980, 1, 1), "content_hash": "x", "postcode": "WX9 1AB"}])
    assert found(database, "nordas") == ["Ola Nordås"]
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(5))).one()
        person.family_name = "Åberg"
    assert found(database, "nordas") == []
    assert found(database, "aberg") == ["Ola Åberg"]


def test_the_migration_fills_the_search_for_people_already_held(database: Database) -> None:
    with database.transaction() as session:
        make_person(session, given_name="Seán", family_name="Gibson", postcode="WX1 7UQ")
    dbmod.downgrade(database.engine, "0017_staff_absent_from")
    assert "search_text" not in {c["name"] for c in inspect(database.engine).get_columns("person")}
    database.migrate()
    assert "search_text" in {c["name"] for c in inspect(database.engine).get_columns("person")}
    assert found(database, "sean") == found(database, "wx17uq") == ["Seán Gibson"]
