"""Re-importing an NHS number with another date of birth or name warns (the row is imported);
rows sharing an NHS number with different details say which columns differ."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from tests.importing import person_row, write_csv
from transition.db import Database
from transition.importer import ImportOptions, ImportResult, import_file
from transition.models import ImportWarning, Person


def run(database: Database, path: Path, today: date = TODAY) -> ImportResult:
    with database.transaction() as session:
        return import_file(session, path, "caseload", ImportOptions(), actor=ACTOR, today=today)


def file_of(tmp_path: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    return write_csv(tmp_path / name, rows)


def identity_warnings(result: ImportResult) -> list[tuple[int, str]]:
    return [
        (warning.row, warning.message)
        for warning in result.warning_list
        if "check it is the same person" in warning.message
    ]


def test_a_new_date_of_birth_and_surname_for_an_nhs_number_is_warned(
    database: Database, tmp_path: Path
) -> None:
    run(database, file_of(tmp_path, "north.csv", [person_row(0), person_row(1)]))
    later = [
        person_row(0, date_of_birth="04/03/1980", family_name="Ashdown-Smith"),
        person_row(1, address="9 Mill Lane, Westhaven"),
    ]
    result = run(database, file_of(tmp_path, "south.csv", later))
    assert result.updated == 2  # imported, not refused
    message = (
        "this NHS number was held with a different date of birth and family name: "
        "updated, but check it is the same person, not another person's row under a "
        "mistyped NHS number"
    )
    assert identity_warnings(result) == [(2, message)]
    assert [w.column for w in result.warning_list if w.message == message] == ["nhs_number"]
    # Never the values: neither the old nor the new date or name.
    assert not any(text in message for text in ("1980", "Ashdown", "03/04", "04/03"))
    [notice] = [notice for notice in result.notices if "already held" in notice]
    assert notice.startswith(
        "1 person already held came with a different date of birth or "
        "name (row 2), and was updated: check each is the same person."
    )
    # Kept with the person, so the person screen and `transition person` show it too.
    with database.session() as session:
        person = session.scalars(select(Person).where(Person.nhs_number == nhs_number(0))).one()
        stored = session.scalars(
            select(ImportWarning.message).where(
                ImportWarning.person_id == person.id, ImportWarning.batch_id == result.batch_id
            )
        ).all()
    assert stored == [message]
    # The same file again changes nothing, so warns of nothing.
    again = run(database, file_of(tmp_path, "south.csv", later))
    assert identity_warnings(again) == [] and not any("already held" in n for n in again.notices)


def test_a_new_surname_alone_is_warned_as_maybe_a_marriage(
    database: Database, tmp_path: Path
) -> None:
    run(database, file_of(tmp_path, "first.csv", [person_row(0)]))
    result = run(database, file_of(tmp_path, "second.csv", [person_row(0, family_name="Bellamy")]))
    assert identity_warnings(result) == [
        (
            2,
            (
                "this NHS number was held with a different family name: updated (a new family name, as on "
                "marriage, is common), but check it is the same person"
            ),
        )
    ]


def test_a_name_in_another_case_or_spacing_is_no_change_of_identity(
    database: Database, tmp_path: Path
) -> None:
    run(database, file_of(tmp_path, "first.csv", [person_row(0, given_name="Mary Ann")]))
    result = run(
        database,
        file_of(
            tmp_path, "second.csv", [person_row(0, given_name="MARY  ANN", family_name="ASHDOWN")]
        ),
    )
    assert result.updated == 1  # the spelling as written is stored
    assert identity_warnings(result) == []


def test_a_given_name_and_all_three_are_named_in_order(database: Database, tmp_path: Path) -> None:
    run(database, file_of(tmp_path, "first.csv", [person_row(0), person_row(1)]))
    result = run(
        database,
        file_of(
            tmp_path,
            "second.csv",
            [
                person_row(0, given_name="Sam"),
                person_row(1, given_name="Sam", family_name="Bell", date_of_birth="01/01/1990"),
            ],
        ),
    )
    assert [message.split(":")[0] for _row, message in identity_warnings(result)] == [
        "this NHS number was held with a different given name",
        "this NHS number was held with a different date of birth, family name and given name",
    ]
    [notice] = [notice for notice in result.notices if "already held" in notice]
    assert notice.startswith(
        "2 people already held came with a different date of birth or "
        "name (rows 2, 3), and were updated"
    )


# ---------------------------------------------------------------------------------------------
# Rows sharing an NHS number
# ---------------------------------------------------------------------------------------------


def test_conflicting_rows_name_the_columns_that_differ_never_the_values(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "dup.csv"
    number = nhs_number(0)
    path.write_text(
        "NHS Number,Forename,Surname,DOB,Postcode,Notes\n"
        f"{number},Ann,Able,01/02/1980,WX1 2AB,first\n"
        f"{number},ANN,Able,1980-02-01,wx1 2ab,second\n"  # the same date and postcode, as read
    )
    result = run(database, path)
    assert {reject.row: reject.errors[0][1] for reject in result.rejects} == {
        2: "the same NHS number is also on row 3 with different details (differs in: Notes, "
        "and in case or spacing only: Forename); keep one correct row",
        3: "the same NHS number is also on row 2 with different details (differs in: Notes, "
        "and in case or spacing only: Forename); keep one correct row",
    }


def test_rows_differing_only_in_case_or_spacing_say_so(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    number = nhs_number(0)
    path.write_text(
        "NHS Number,Forename,Surname,DOB\n"
        f"{number},Ann,Able,01/02/1980\n"
        f"{number},ann , able,01/02/1980\n"
    )
    result = run(database, path)
    assert result.rejects[0].errors[0][1] == (
        "the same NHS number is also on row 3 with different details (differs only in case or "
        "spacing, in: Forename, Surname); keep one correct row"
    )


def test_each_other_row_says_its_own_columns_and_a_bad_row_is_compared_as_written(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "dup.csv"
    number = nhs_number(0)
    path.write_text(
        "NHS Number,Forename,Surname,DOB\n"
        f"{number},Ann,Able,01/02/1980\n"  # row 2
        f"{number},Ann,Bell,01/02/1980\n"  # row 3: another surname
        f"{number},Ann,Able,31/02/1980\n"  # row 4: no such date (rejected for it anyway)
        f"{number},Ann,Able,01/02/1980\n"  # row 5: as row 2
    )
    result = run(database, path)
    said = {reject.row: reject.errors[-1][1] for reject in result.rejects}
    assert said[2] == (
        "the same NHS number is also on rows 3, 4 with different details (row 3 "
        "differs in: Surname; row 4 differs in: DOB; row 5 is the same as this "
        "one); keep one correct row"
    )
    assert said[3] == (
        "the same NHS number is also on rows 2, 4, 5 with different details (row "
        "2 differs in: Surname; row 4 differs in: Surname, DOB; row 5 differs "
        "in: Surname); keep one correct row"
    )
